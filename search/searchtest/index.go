package searchtest

import (
	"fmt"
	"slices"
	"time"

	"github.com/briefcasehq/briefcase/search"
)

var indexTests = []subtest{
	{"Empty", testIndexEmpty},
	{"Replace", testIndexReplace},
	{"Delete", testIndexDelete},
	{"Seq", testIndexSeq},
	{"LowerSeqAppliesNothing", testIndexLowerSeq},
	{"EmptyIDAppliesNothing", testIndexEmptyID},
	{"Copies", testIndexCopies},
	{"Summary", testIndexSummary},
}

func (e *env) count() int {
	e.t.Helper()
	n, err := e.ix.Count(e.ctx)
	noErr(e.t, err, "Count")
	return n
}

func (e *env) appliedSeq() int64 {
	e.t.Helper()
	n, err := e.ix.AppliedSeq(e.ctx)
	noErr(e.t, err, "AppliedSeq")
	return n
}

func (e *env) checkCount(what string, want int) {
	e.t.Helper()
	if got := e.count(); got != want {
		e.t.Fatalf("%s: Count %d, want %d", what, got, want)
	}
}

func (e *env) checkSeq(what string, want int64) {
	e.t.Helper()
	if got := e.appliedSeq(); got != want {
		e.t.Fatalf("%s: AppliedSeq %d, want %d", what, got, want)
	}
}

func testIndexEmpty(e *env) {
	e.checkCount("a new index", 0)
	e.checkSeq("a new index", 0)
	res := e.search(search.EngineQuery{Filter: everything(), Limit: 10, Facets: allFacets})
	if res.Total != 0 || len(res.Hits) != 0 {
		e.t.Fatalf("Search on a new index: Total %d, hits %v; want nothing", res.Total, hitIDs(res.Hits))
	}
	for f, vs := range res.Facets {
		if len(vs) > 0 {
			e.t.Fatalf("Search on a new index: facet %s has %v", f, vs)
		}
	}
	e.load()
	e.checkCount("after indexing the library", 14)
}

func testIndexReplace(e *env) {
	e.load()
	d := libraryDoc("globex-battlecard")
	d.Title = "Battlecard: Acme vs Umbrella"
	d.Description = "How to win against Umbrella"
	d.Pages = []string{"Umbrella bundles services."}
	d.Labels = ids("competitive")
	d.Kind, d.Status, d.SpotIDs, d.SpotNames = "pdf", "archived", ids("spot-se"), ids("Sales Enablement")
	d.Trending = 99
	e.index([]search.Document{d})
	e.checkCount("after replacing globex-battlecard", 14)
	checkIDs(e.t, "after replacing: the old title is gone: Search(globex)", e.find(word("globex"), everything()), nil)
	checkIDs(e.t, "after replacing: the old page is gone: Search(landmines)", e.find(word("landmines"), everything()), nil)
	checkIDs(e.t, "after replacing: the new title matches: Search(umbrella)", e.find(word("umbrella"), everything()), ids("globex-battlecard"))
	checkIDs(e.t, "after replacing: the old label is gone: Search(label:battlecard)", e.find(term(search.FieldLabel, "battlecard"), everything()), ids("initech-battlecard"))
	checkIDs(e.t, "after replacing: the old placement is gone: Search(spot:emea)",
		e.find(term(search.FieldSpot, "emea"), everything()), sorted("overview-deck", "security-whitepaper", "demo-video", "roi-calculator-emea", "partner-onboarding"))
	checkIDs(e.t, "after replacing: filters see the new status", e.find(nil, search.Filter{Access: everything().Access, Statuses: ids("archived")}), ids("globex-battlecard"))
	q := search.EngineQuery{Filter: everything(), Facets: []search.Facet{search.FacetType, search.FacetStatus, search.FacetSpot}}
	e.checkFacets(q, e.search(q), map[search.Facet][]search.FacetValue{
		search.FacetType:   fv("pdf", 5, "document", 4, "presentation", 2, "spreadsheet", 2, "video", 1),
		search.FacetStatus: fv("published", 9, "expired", 2, "archived", 1, "draft", 1, "in_review", 1),
		search.FacetSpot:   fv("spot-se", 8, "spot-emea", 5, "spot-pm", 5),
	})
	got := e.order(search.EngineQuery{Filter: everything(), Sort: search.SortTrending, Limit: 1})
	checkIDs(e.t, "after replacing: sorts see the new signal", got, ids("globex-battlecard"))

	// A replacement with fewer fields leaves nothing of the old ones.
	bare := libraryDoc("demo-video")
	bare.Pages, bare.Labels, bare.ListIDs, bare.ListNames, bare.Author, bare.Description = nil, nil, nil, nil, "", ""
	e.index([]search.Document{bare})
	for _, m := range []search.Node{word("transcript"), term(search.FieldLabel, "demo"), term(search.FieldList, "launch"), word("walkthrough"), term(search.FieldAuthor, "lee")} {
		if got := e.find(m, everything()); slices.Contains(got, "demo-video") {
			e.t.Fatalf("after replacing demo-video with a document without pages, labels, lists, author and description: Search(%s) still finds it", show(m))
		}
	}
	checkIDs(e.t, "after replacing demo-video: its title still matches", e.find(term(search.FieldTitle, "demo"), everything()), ids("demo-video"))

	// Replacing inside the same batch as other documents.
	a, b := libraryDoc("roi-calculator"), libraryDoc("roi-calculator-emea")
	a.Title, b.Title, b.ExternalTitle = "Payback Calculator", "Payback Calculator", "Payback Calculator (EUR)"
	e.index([]search.Document{a, b})
	checkIDs(e.t, "after replacing two: Search(title:payback)", e.find(term(search.FieldTitle, "payback"), everything()), ids("roi-calculator", "roi-calculator-emea"))
	checkIDs(e.t, "after replacing two: Search(title:roi)", e.find(term(search.FieldTitle, "roi"), everything()), nil)
	e.checkCount("after replacing two", 14)
}

func testIndexDelete(e *env) {
	e.load()
	e.index(nil, "globex-battlecard", "not-indexed", "initech-battlecard")
	e.checkCount("after deleting two documents (and one that was never indexed)", 12)
	checkIDs(e.t, "after deleting: Search(battlecard)", e.find(word("battlecard"), everything()), nil)
	checkIDs(e.t, "after deleting: Search(nil)", e.find(nil, everything()), except("globex-battlecard", "initech-battlecard"))
	q := search.EngineQuery{Filter: everything(), Facets: []search.Facet{search.FacetType}}
	e.checkFacets(q, e.search(q), map[search.Facet][]search.FacetValue{
		search.FacetType: fv("pdf", 4, "document", 3, "presentation", 2, "spreadsheet", 2, "video", 1),
	})
	_, err := e.ix.Explain(e.ctx, search.EngineQuery{Filter: everything()}, "globex-battlecard")
	isErr(e.t, err, search.ErrNotFound, "Explain of a deleted document")

	// Deleting again, or what was never there, is not an error.
	e.index(nil, "globex-battlecard")
	e.checkCount("after deleting a deleted document", 12)

	// A document indexed and another deleted in one batch.
	e.index([]search.Document{libraryDoc("globex-battlecard")}, "demo-video")
	checkIDs(e.t, "after re-adding globex-battlecard and deleting demo-video in one batch", e.find(nil, everything()),
		except("initech-battlecard", "demo-video"))
	e.checkCount("after re-adding one and deleting one", 12)
}

func testIndexSeq(e *env) {
	e.checkSeq("a new index", 0)
	noErr(e.t, e.ix.Index(e.ctx, library()[:3], nil, 5), "Index(seq 5)")
	e.checkSeq("after Index(seq 5)", 5)
	noErr(e.t, e.ix.Index(e.ctx, library()[3:6], nil, 5), "Index(seq 5) again: replaying the same seq is allowed")
	e.checkSeq("after replaying seq 5", 5)
	e.checkCount("after replaying seq 5 with other documents", 6)
	noErr(e.t, e.ix.Index(e.ctx, nil, nil, 9), "Index(nothing, seq 9)")
	e.checkSeq("after an Index that only records seq 9", 9)
	noErr(e.t, e.ix.Index(e.ctx, nil, ids("overview-deck"), 1<<40), "Index(delete, seq 2^40)")
	e.checkSeq("after Index(seq 2^40)", 1<<40)
	e.checkCount("after deleting one", 5)
}

// testIndexLowerSeq: a seq lower than the recorded one fails with
// ErrInvalid, and nothing of the batch is applied.
func testIndexLowerSeq(e *env) {
	noErr(e.t, e.ix.Index(e.ctx, library()[:10], nil, 7), "Index(seq 7)")
	d := libraryDoc("globex-battlecard")
	d.Title = "Battlecard: Acme vs Umbrella"
	batch := append([]search.Document{d}, library()[10:]...)
	err := e.ix.Index(e.ctx, batch, ids("overview-deck"), 6)
	isErr(e.t, err, search.ErrInvalid, "Index(seq 6) after seq 7")
	e.checkSeq("after a refused Index(seq 6)", 7)
	e.checkCount("after a refused Index(seq 6): no document added, none deleted", 10)
	checkIDs(e.t, "after a refused Index: the replacement was not applied: Search(umbrella)", e.find(word("umbrella"), everything()), nil)
	checkIDs(e.t, "after a refused Index: the delete was not applied: Search(title:overview)", e.find(term(search.FieldTitle, "overview"), everything()), ids("overview-deck"))
}

// testIndexEmptyID: a document without an ID fails the whole batch with
// ErrInvalid.
func testIndexEmptyID(e *env) {
	e.index(library()[:10])
	before := e.appliedSeq()
	bad := libraryDoc("pricing-sheet-2024")
	bad.ID = ""
	err := e.ix.Index(e.ctx, append(slices.Clone(library()[10:12]), bad), ids("overview-deck"), before+1)
	isErr(e.t, err, search.ErrInvalid, "Index(a batch with a document without ID)")
	e.checkSeq("after a refused Index: the seq was not recorded", before)
	e.checkCount("after a refused Index: no document added, none deleted", 10)
	checkIDs(e.t, "after a refused Index: the valid documents of the batch were not applied", e.find(nil, everything()), sorted(ids(
		"overview-deck", "globex-battlecard", "northwind-case-study", "healthcare-stories", "q3-pricing-draft",
		"security-whitepaper", "discovery-script", "roi-calculator", "roi-calculator-emea", "demo-video")...))
	// The index still works.
	e.index(library()[10:])
	e.checkCount("after a valid Index", 14)
}

// testIndexCopies: the engine keeps its own copy of what it is given, and
// gives out copies.
func testIndexCopies(e *env) {
	d := plain("copy", "Mutual Action Plan", func(d *search.Document) {
		d.Pages = []string{"Milestones agreed with the buyer"}
		d.Labels = ids("closing")
		d.ListIDs, d.ListNames = ids("list-q3"), ids("Q3 Launch")
		d.PromotedKeywords = ids("map")
	})
	docs := []search.Document{d}
	e.index(docs)
	// The caller reuses its slices.
	d.Pages[0] = "Overwritten"
	d.Labels[0] = "overwritten"
	d.SpotIDs[0] = "spot-elsewhere"
	d.ListIDs[0] = "list-elsewhere"
	d.PromotedKeywords[0] = "overwritten"
	docs[0].Title = "Overwritten"
	checkIDs(e.t, "after the caller changed the Pages it indexed: Search(milestones)", e.find(word("milestones"), everything()), ids("copy"))
	checkIDs(e.t, "after the caller changed the Labels it indexed: Search(label:closing)", e.find(term(search.FieldLabel, "closing"), everything()), ids("copy"))
	checkIDs(e.t, "after the caller changed the SpotIDs it indexed", e.find(nil, search.Filter{Access: viewer(ids("spot-se"))}), ids("copy"))
	checkIDs(e.t, "after the caller changed the ListIDs it indexed", e.find(nil, search.Filter{Access: everything().Access, ListGroups: [][]string{{"list-q3"}}}), ids("copy"))
	res := e.search(search.EngineQuery{Filter: everything(), Limit: 1})
	if got := res.Hits[0].Summary.PromotedKeywords; !slices.Equal(got, ids("map")) {
		e.t.Fatalf("after the caller changed the PromotedKeywords it indexed: Summary.PromotedKeywords %q, want [map]", got)
	}
	// The caller changes what it got back.
	res.Hits[0].Summary.PromotedKeywords[0] = "changed"
	res = e.search(search.EngineQuery{Filter: everything(), Limit: 1})
	if got := res.Hits[0].Summary.PromotedKeywords; !slices.Equal(got, ids("map")) {
		e.t.Fatalf("after the caller changed a returned Summary.PromotedKeywords: the next Search returns %q, want [map]", got)
	}
}

// testIndexSummary: every hit carries the document's summary, times in
// UTC to the microsecond.
func testIndexSummary(e *env) {
	docs := library()
	odd := plain("odd-signals", "Signals", func(d *search.Document) {
		d.Trending, d.Popular = 0.125, 1234567.875
		d.CreatedAt = time.Date(1999, 12, 31, 23, 59, 59, 999999000, zone)
		d.UpdatedAt = time.Time{}
	})
	docs = append(docs, odd)
	e.index(docs)
	for _, s := range append([]search.Sort{search.SortRelevance}, search.SortNewest, search.SortTitle, search.SortTrending, search.SortPopular) {
		for _, m := range []search.Node{nil, or(word("pricing"), word("signals"), word("deck"))} {
			q := search.EngineQuery{Match: m, Filter: everything(), Sort: s, Limit: 100}
			for _, h := range e.search(q).Hits {
				i := slices.IndexFunc(docs, func(d search.Document) bool { return d.ID == h.ID })
				want := docs[i]
				if msg := summaryDiff(h.Summary, want); msg != "" {
					e.t.Fatalf("Search(%s): hit %s: Summary %s", describe(q), h.ID, msg)
				}
			}
		}
	}
}

func summaryDiff(got search.Summary, d search.Document) string {
	var diffs []string
	if got.Title != d.Title {
		diffs = append(diffs, fmt.Sprintf("Title %q, want %q", got.Title, d.Title))
	}
	for _, tc := range []struct {
		name      string
		got, want time.Time
	}{{"CreatedAt", got.CreatedAt, d.CreatedAt}, {"UpdatedAt", got.UpdatedAt, d.UpdatedAt}} {
		switch {
		case tc.want.IsZero() && !tc.got.IsZero():
			diffs = append(diffs, fmt.Sprintf("%s %v, want the zero time", tc.name, tc.got))
		case !tc.got.Equal(tc.want):
			diffs = append(diffs, fmt.Sprintf("%s %v, want %v (the same instant, to the microsecond)", tc.name, tc.got, tc.want.UTC()))
		case !tc.want.IsZero() && tc.got.Location() != time.UTC:
			diffs = append(diffs, fmt.Sprintf("%s in location %q, want UTC", tc.name, tc.got.Location()))
		}
	}
	if got.Promoted != d.Promoted {
		diffs = append(diffs, fmt.Sprintf("Promoted %v, want %v", got.Promoted, d.Promoted))
	}
	if !slices.Equal(got.PromotedKeywords, d.PromotedKeywords) && !(len(got.PromotedKeywords) == 0 && len(d.PromotedKeywords) == 0) {
		diffs = append(diffs, fmt.Sprintf("PromotedKeywords %q, want %q", got.PromotedKeywords, d.PromotedKeywords))
	}
	if got.Flagged != d.Flagged {
		diffs = append(diffs, fmt.Sprintf("Flagged %v, want %v", got.Flagged, d.Flagged))
	}
	if got.Trending != d.Trending || got.Popular != d.Popular {
		diffs = append(diffs, fmt.Sprintf("Trending %g and Popular %g, want %g and %g", got.Trending, got.Popular, d.Trending, d.Popular))
	}
	if len(diffs) == 0 {
		return ""
	}
	return fmt.Sprint(diffs)
}
