package searchtest

import (
	"github.com/briefcasehq/briefcase/search"
)

var rebuildTests = []subtest{
	{"OldIndexServesDuringBuild", testRebuildOldServes},
	{"IndexDuringBuildGoesToOld", testRebuildIndexDuringBuild},
	{"CommitSwaps", testRebuildCommit},
	{"IndexAfterCommitGoesToNew", testRebuildIndexAfterCommit},
	{"Abort", testRebuildAbort},
	{"AbortAfterCommit", testRebuildAbortAfterCommit},
	{"AddReplacesByID", testRebuildAddReplaces},
	{"AddValidates", testRebuildAddValidates},
	{"EmptyBuild", testRebuildEmpty},
}

// The replacement holds the case studies and the battlecards, renamed so
// that a search tells old from new.
var rebuilt = ids("northwind-case-study", "healthcare-stories", "globex-battlecard", "initech-battlecard")

func rebuiltDocs() []search.Document {
	var out []search.Document
	for _, id := range rebuilt {
		d := libraryDoc(id)
		d.Labels = append(d.Labels, "rebuilt")
		out = append(out, d)
	}
	return out
}

func (e *env) rebuild() search.Build {
	e.t.Helper()
	b, err := e.ix.Rebuild(e.ctx)
	noErr(e.t, err, "Rebuild")
	if b == nil {
		e.t.Fatal("Rebuild returned a nil Build")
	}
	return b
}

func (e *env) add(b search.Build, docs []search.Document) {
	e.t.Helper()
	noErr(e.t, b.Add(e.ctx, docs), "Build.Add")
}

// checkOld fails unless the index still serves the library as loaded.
func (e *env) checkOld(what string, seq int64, want []string) {
	e.t.Helper()
	checkIDs(e.t, what+": Search(nil) sees the old index", e.find(nil, everything()), want)
	checkIDs(e.t, what+": Search(label:rebuilt) sees nothing of the build", e.find(term(search.FieldLabel, "rebuilt"), everything()), nil)
	e.checkCount(what+": the old index", len(want))
	e.checkSeq(what+": the old index", seq)
}

func testRebuildOldServes(e *env) {
	e.load()
	b := e.rebuild()
	defer b.Abort()
	e.checkOld("right after Rebuild", e.seq, libraryIDs())
	e.add(b, rebuiltDocs()[:2])
	e.checkOld("after Build.Add", e.seq, libraryIDs())
	e.add(b, rebuiltDocs()[2:])
	e.checkOld("after a second Build.Add", e.seq, libraryIDs())
}

func testRebuildIndexDuringBuild(e *env) {
	e.load()
	b := e.rebuild()
	e.add(b, rebuiltDocs())
	e.index([]search.Document{plain("written-during-build", "Mutual Action Plan")}, "demo-video")
	e.checkOld("after Index during the build", e.seq, append(except("demo-video"), "written-during-build"))
	// The build replaces the old index whole: what was written to the old
	// one is not carried over (the follower replays it from the feed).
	noErr(e.t, b.Commit(e.ctx, 3), "Build.Commit(3)")
	checkIDs(e.t, "after Commit: Search(nil) sees exactly the build", e.find(nil, everything()), sorted(rebuilt...))
	e.checkSeq("after Commit(3)", 3)
}

func testRebuildCommit(e *env) {
	e.load()
	b := e.rebuild()
	e.add(b, rebuiltDocs())
	noErr(e.t, b.Commit(e.ctx, 42), "Build.Commit(42)")
	e.checkSeq("after Commit(42)", 42)
	e.checkCount("after Commit: the build's documents", len(rebuilt))
	checkIDs(e.t, "after Commit: Search(nil)", e.find(nil, everything()), sorted(rebuilt...))
	checkIDs(e.t, "after Commit: Search(label:rebuilt)", e.find(term(search.FieldLabel, "rebuilt"), everything()), sorted(rebuilt...))
	checkIDs(e.t, "after Commit: Search(pricing) finds only the build's documents", e.find(word("pricing"), everything()), ids("globex-battlecard", "initech-battlecard"))
	// Everything works on the new index: filters, facets, sorts, Explain.
	q := search.EngineQuery{Filter: search.Filter{Access: viewer(ids("spot-pm"))}, Sort: search.SortNewest, Limit: 10, Facets: []search.Facet{search.FacetType}}
	res := e.search(q)
	checkIDs(e.t, "after Commit: Search("+describe(q)+")", hitIDs(res.Hits), ids("northwind-case-study", "healthcare-stories"))
	e.checkFacets(q, res, map[search.Facet][]search.FacetValue{search.FacetType: fv("pdf", 2)})
	ex, err := e.ix.Explain(e.ctx, search.EngineQuery{Match: term(search.FieldLabel, "rebuilt"), Filter: everything()}, "globex-battlecard")
	noErr(e.t, err, "after Commit: Explain")
	if !ex.Matched {
		e.t.Fatalf("after Commit: Explain(label:rebuilt, globex-battlecard): Matched false")
	}
}

func testRebuildIndexAfterCommit(e *env) {
	e.load()
	b := e.rebuild()
	e.add(b, rebuiltDocs())
	noErr(e.t, b.Commit(e.ctx, 100), "Build.Commit(100)")
	noErr(e.t, e.ix.Index(e.ctx, []search.Document{libraryDoc("demo-video")}, ids("initech-battlecard"), 101), "Index(seq 101) after Commit")
	checkIDs(e.t, "Index after Commit writes to the new index", e.find(nil, everything()),
		sorted("northwind-case-study", "healthcare-stories", "globex-battlecard", "demo-video"))
	e.checkSeq("after Index(seq 101)", 101)
	e.checkCount("after Index after Commit", 4)
	err := e.ix.Index(e.ctx, nil, nil, 99)
	isErr(e.t, err, search.ErrInvalid, "Index(seq 99) after Commit(100) and Index(101)")
}

func testRebuildAbort(e *env) {
	e.load()
	b := e.rebuild()
	e.add(b, rebuiltDocs())
	noErr(e.t, b.Abort(), "Build.Abort")
	e.checkOld("after Abort", e.seq, libraryIDs())
	// The index carries on, and can be rebuilt again.
	e.index([]search.Document{plain("after-abort", "Mutual Action Plan")})
	e.checkCount("after Index after Abort", 15)
	b = e.rebuild()
	e.add(b, rebuiltDocs()[:1])
	noErr(e.t, b.Commit(e.ctx, 7), "Build.Commit after an aborted build")
	checkIDs(e.t, "a build after an aborted one holds only its own documents", e.find(nil, everything()), rebuilt[:1])
}

func testRebuildAbortAfterCommit(e *env) {
	e.load()
	b := e.rebuild()
	e.add(b, rebuiltDocs())
	noErr(e.t, b.Commit(e.ctx, 8), "Build.Commit")
	noErr(e.t, b.Abort(), "Build.Abort after Commit (a no-op)")
	checkIDs(e.t, "Abort after Commit changes nothing", e.find(nil, everything()), sorted(rebuilt...))
	e.checkSeq("Abort after Commit changes nothing", 8)
	e.checkCount("Abort after Commit changes nothing", len(rebuilt))
}

func testRebuildAddReplaces(e *env) {
	b := e.rebuild()
	first := libraryDoc("globex-battlecard")
	second := first
	second.Title = "Battlecard: Acme vs Umbrella"
	e.add(b, []search.Document{first, libraryDoc("demo-video")})
	e.add(b, []search.Document{second})
	noErr(e.t, b.Commit(e.ctx, 1), "Build.Commit")
	e.checkCount("a document added twice to a build is held once", 2)
	checkIDs(e.t, "the later Add wins: Search(umbrella)", e.find(word("umbrella"), everything()), ids("globex-battlecard"))
	checkIDs(e.t, "the later Add wins: Search(globex)", e.find(word("globex"), everything()), ids("globex-battlecard"))
}

func testRebuildAddValidates(e *env) {
	e.load()
	b := e.rebuild()
	defer b.Abort()
	bad := plain("", "No ID")
	isErr(e.t, b.Add(e.ctx, []search.Document{bad}), search.ErrInvalid, "Build.Add(a document without ID)")
	e.checkOld("after a refused Build.Add", e.seq, libraryIDs())
}

func testRebuildEmpty(e *env) {
	e.load()
	b := e.rebuild()
	noErr(e.t, b.Commit(e.ctx, 5), "Build.Commit of an empty build")
	e.checkCount("after committing an empty build", 0)
	e.checkSeq("after committing an empty build", 5)
	checkIDs(e.t, "after committing an empty build", e.find(nil, everything()), nil)
}
