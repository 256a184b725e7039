package searchtest

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/briefcasehq/briefcase/search"
)

var concurrencyTests = []subtest{
	{"IndexWhileSearching", testIndexWhileSearching},
	{"CommitWhileSearching", testCommitWhileSearching},
	{"ConcurrentWriters", testConcurrentWriters},
}

const (
	generations = 40
	readers     = 4
	genSize     = 10
)

// generation returns genSize documents titled "Generation n".
func generation(n int, prefix string) []search.Document {
	docs := make([]search.Document, genSize)
	for i := range docs {
		docs[i] = plain(fmt.Sprintf("%s-%02d", prefix, i), fmt.Sprintf("Generation %d", n), func(d *search.Document) {
			d.Pages = []string{fmt.Sprintf("Batch %d of the follower, document %d", n, i)}
			d.Trending = float64(n)
		})
	}
	return docs
}

// failures collects errors from goroutines (testing.T.Fatal may only be
// called from the test goroutine) and keeps the first few.
type failures struct {
	t testing.TB
	n atomic.Int64
}

func (f *failures) fail(format string, args ...any) {
	if f.n.Add(1) <= 10 {
		f.t.Errorf(format, args...)
	}
}

// testIndexWhileSearching: one writer replaces a set of documents, batch
// after batch, while readers search. Batches are atomic: a search sees one
// generation whole, never a mix, and never an older generation than one
// it saw before, nor than AppliedSeq said was applied.
func testIndexWhileSearching(e *env) {
	e.index(generation(0, "gen"))
	base := e.seq
	f := &failures{t: e.t}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seen := -1
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				seq, err := e.ix.AppliedSeq(e.ctx)
				if err != nil {
					f.fail("reader %d: AppliedSeq: %v", r, err)
					return
				}
				atLeast := max(seen, int(seq-base))
				q := search.EngineQuery{Filter: everything(), Limit: 100, Facets: []search.Facet{search.FacetType}}
				if n%2 == 1 {
					q.Match, q.Sort = word("generation"), search.SortTrending
				}
				res, err := e.ix.Search(e.ctx, q)
				if err != nil {
					f.fail("reader %d: Search while indexing: %v", r, err)
					return
				}
				if res.Total != genSize || len(res.Hits) != genSize {
					f.fail("reader %d: Search(%s) while indexing: Total %d, %d hits; want %d", r, describe(q), res.Total, len(res.Hits), genSize)
					return
				}
				gen := res.Hits[0].Summary.Title
				for _, h := range res.Hits {
					if h.Summary.Title != gen {
						f.fail("reader %d: one Search saw %q and %q: an Index batch must be applied atomically", r, gen, h.Summary.Title)
						return
					}
				}
				var g int
				fmt.Sscanf(strings.TrimPrefix(gen, "Generation "), "%d", &g)
				if g < atLeast {
					f.fail("reader %d: Search saw generation %d after seeing generation %d or AppliedSeq %d: the index went back", r, g, seen, seq)
					return
				}
				seen = g
				if vs := res.Facets[search.FacetType]; len(vs) != 1 || vs[0].Count != genSize {
					f.fail("reader %d: type facet %v while indexing; want [{document %d}]", r, vs, genSize)
					return
				}
				if _, err := e.ix.Explain(e.ctx, search.EngineQuery{Match: word("batch"), Filter: everything()}, "gen-03"); err != nil {
					f.fail("reader %d: Explain while indexing: %v", r, err)
					return
				}
				runtime.Gosched()
			}
		}()
	}
	for n := 1; n <= generations; n++ {
		if err := e.ix.Index(e.ctx, generation(n, "gen"), nil, base+int64(n)); err != nil {
			f.fail("Index(generation %d): %v", n, err)
			break
		}
		runtime.Gosched()
	}
	close(stop)
	wg.Wait()
	if f.n.Load() > 0 {
		e.t.FailNow()
	}
	e.seq = base + generations
	checkIDs(e.t, "after the last generation: Search(title:40)", e.find(term(search.FieldTitle, "40"), everything()), hitIDsOf(generation(generations, "gen")))
	e.checkSeq("after the last generation", e.seq)
}

// testCommitWhileSearching: searches running while a build fills and
// commits see the old index whole or the new one whole.
func testCommitWhileSearching(e *env) {
	e.index(generation(1, "old"))
	b := e.rebuild()
	f := &failures{t: e.t}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var sawNew atomic.Bool // set once Commit returned
	for r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				committed := sawNew.Load()
				res, err := e.ix.Search(e.ctx, search.EngineQuery{Filter: everything(), Limit: 100})
				if err != nil {
					f.fail("reader %d: Search during Rebuild: %v", r, err)
					return
				}
				ids := hitIDs(res.Hits)
				switch {
				case len(ids) == genSize && allPrefixed(ids, "old-"):
					if committed {
						f.fail("reader %d: a Search started after Commit returned saw the old index", r)
						return
					}
				case len(ids) == 2*genSize && allPrefixed(ids, "new-"):
				default:
					f.fail("reader %d: Search during Rebuild saw %v: neither the old index whole nor the new one", r, ids)
					return
				}
				runtime.Gosched()
			}
		}()
	}
	e.add(b, generation(2, "new"))
	runtime.Gosched()
	more := generation(2, "new")
	for i := range more {
		more[i].ID = fmt.Sprintf("new-%02d", genSize+i)
	}
	e.add(b, more)
	noErr(e.t, b.Commit(e.ctx, 50), "Build.Commit while searching")
	sawNew.Store(true)
	for range 20 {
		runtime.Gosched()
	}
	close(stop)
	wg.Wait()
	if f.n.Load() > 0 {
		e.t.FailNow()
	}
	e.checkCount("after Commit", 2*genSize)
}

// testConcurrentWriters: Index is safe to call from several goroutines
// (with the same seq, which is allowed).
func testConcurrentWriters(e *env) {
	f := &failures{t: e.t}
	var wg sync.WaitGroup
	const writers = 4
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 20 {
				docs := generation(n, fmt.Sprint("writer-", w))
				if err := e.ix.Index(e.ctx, docs, nil, 1); err != nil {
					f.fail("writer %d: Index(seq 1) next to other writers: %v", w, err)
					return
				}
				if _, err := e.ix.Search(e.ctx, search.EngineQuery{Match: word("generation"), Filter: everything(), Limit: 5}); err != nil {
					f.fail("writer %d: Search: %v", w, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if f.n.Load() > 0 {
		e.t.FailNow()
	}
	e.checkCount("after 4 writers indexed 10 documents each, 20 times", writers*genSize)
	checkIDs(e.t, "after concurrent writers: every writer's last batch", e.find(term(search.FieldTitle, "19"), everything()), e.find(nil, everything()))
}

func allPrefixed(ids []string, prefix string) bool {
	for _, id := range ids {
		if !strings.HasPrefix(id, prefix) {
			return false
		}
	}
	return true
}

func hitIDsOf(docs []search.Document) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.ID
	}
	return sorted(out...)
}
