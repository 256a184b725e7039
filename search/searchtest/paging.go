package searchtest

import (
	"fmt"
	"slices"

	"github.com/briefcasehq/briefcase/search"
)

var pagingTests = []subtest{
	{"After", testPagingAfter},
	{"AfterWithFilterAndMatch", testPagingAfterFiltered},
	{"AfterADeletedHit", testPagingAfterDeleted},
	{"AfterIgnoredForRelevance", testPagingAfterRelevance},
	{"Offset", testPagingOffset},
	{"OffsetAfterAfter", testPagingOffsetAndAfter},
	{"LimitZero", testPagingLimitZero},
	{"Total", testPagingTotal},
}

// walk pages through q with After, limit hits at a time, until a page
// comes back empty, and returns every hit in order. It fails when a page
// is longer than the limit, a hit has no SortKey, or the walk does not end.
func (e *env) walk(q search.EngineQuery, limit int) []string {
	e.t.Helper()
	q.Limit, q.After = limit, nil
	var all []string
	for range 100 {
		res := e.search(q)
		if len(res.Hits) == 0 {
			return all
		}
		if len(res.Hits) > limit {
			e.t.Fatalf("Search(%s): %d hits, more than Limit", describe(q), len(res.Hits))
		}
		for _, h := range res.Hits {
			if len(h.SortKey) == 0 {
				e.t.Fatalf("Search(%s): hit %s has no SortKey; every hit of a non-relevance sort carries one", describe(q), h.ID)
			}
		}
		all = append(all, hitIDs(res.Hits)...)
		q.After = res.Hits[len(res.Hits)-1].SortKey
	}
	e.t.Fatalf("paging through Search(%s) with After did not end after 100 pages; got %v", describe(q), all)
	return nil
}

func testPagingAfter(e *env) {
	e.load()
	for _, s := range sorts {
		for _, limit := range []int{1, 2, 3, 5, 13, 14, 100} {
			q := search.EngineQuery{Filter: everything(), Sort: s.sort}
			got := e.walk(q, limit)
			checkIDs(e.t, fmt.Sprintf("pages of %d through Search(%s) with After: every document once, in order", limit, describe(q)), got, s.order)
		}
	}
}

func testPagingAfterFiltered(e *env) {
	e.load()
	m := not(word("blockchain"))
	f := search.Filter{Access: viewer(ids("spot-se", "spot-pm"))}
	for _, s := range sorts {
		q := search.EngineQuery{Match: m, Filter: f, Sort: s.sort, Limit: 100}
		full := e.order(q)
		if len(full) != 11 {
			e.t.Fatalf("Search(%s): %d hits %v, want 11", describe(q), len(full), full)
		}
		for _, limit := range []int{2, 4} {
			checkIDs(e.t, fmt.Sprintf("pages of %d through Search(%s) with After", limit, describe(q)), e.walk(q, limit), full)
		}
	}
}

// testPagingAfterDeleted: After is a position in the order, not a document:
// it still works when the document it came from is gone.
func testPagingAfterDeleted(e *env) {
	e.load()
	for _, s := range sorts {
		q := search.EngineQuery{Filter: everything(), Sort: s.sort, Limit: 3}
		page := e.search(q).Hits
		last := page[len(page)-1]
		e.index(nil, last.ID)
		q.After = last.SortKey
		got := e.order(q)
		checkIDs(e.t, fmt.Sprintf("Search(%s) after deleting %s, the hit the key came from", describe(q), last.ID), got, s.order[3:6])
		e.index([]search.Document{libraryDoc(last.ID)})
	}
}

func testPagingAfterRelevance(e *env) {
	e.load()
	for _, m := range []search.Node{nil, or(word("pricing"), word("deck"), word("acme"))} {
		q := search.EngineQuery{Match: m, Filter: everything(), Limit: 100}
		want := e.order(q)
		q.After = e.search(search.EngineQuery{Match: m, Filter: everything(), Limit: 2}).Hits[1].SortKey
		if q.After == nil {
			q.After = []string{"x"}
		}
		checkIDs(e.t, "After is ignored for relevance: Search("+describe(q)+")", e.order(q), want)
	}
}

func testPagingOffset(e *env) {
	e.load()
	for _, m := range []search.Node{nil, or(word("pricing"), word("deck"), word("acme"), word("roi"), word("case"))} {
		full := e.order(search.EngineQuery{Match: m, Filter: everything()})
		for _, limit := range []int{1, 2, 3, 5} {
			var got []string
			for off := 0; off < len(full)+limit; off += limit {
				q := search.EngineQuery{Match: m, Filter: everything(), Offset: off, Limit: limit}
				res := e.search(q)
				if res.Total != len(full) {
					e.t.Fatalf("Search(%s): Total %d, want %d whatever the page", describe(q), res.Total, len(full))
				}
				got = append(got, hitIDs(res.Hits)...)
			}
			checkIDs(e.t, fmt.Sprintf("pages of %d with Offset through Search(Match %s): every hit once, in order", limit, show(m)), got, full)
		}
	}
	q := search.EngineQuery{Filter: everything(), Offset: 14, Limit: 10}
	if res := e.search(q); len(res.Hits) != 0 || res.Total != 14 {
		e.t.Fatalf("Search(%s): hits %v, Total %d; want no hits, Total 14", describe(q), hitIDs(res.Hits), res.Total)
	}
}

func testPagingOffsetAndAfter(e *env) {
	e.load()
	for _, s := range sorts {
		key := e.search(search.EngineQuery{Filter: everything(), Sort: s.sort, Limit: 2}).Hits[1].SortKey
		q := search.EngineQuery{Filter: everything(), Sort: s.sort, After: key, Offset: 1, Limit: 3}
		checkIDs(e.t, "Offset applies after After: Search("+describe(q)+")", e.order(q), s.order[3:6])
	}
}

func testPagingLimitZero(e *env) {
	e.load()
	for _, s := range append([]search.Sort{"", search.SortRelevance}, search.SortNewest, search.SortTitle) {
		q := search.EngineQuery{Match: word("pricing"), Filter: everything(), Sort: s, Facets: []search.Facet{search.FacetType}}
		res := e.search(q)
		if len(res.Hits) != 0 {
			e.t.Fatalf("Search(%s): %d hits; Limit 0 returns none", describe(q), len(res.Hits))
		}
		if res.Total != 5 {
			e.t.Fatalf("Search(%s): Total %d, want 5", describe(q), res.Total)
		}
		if n := facetTotal(res.Facets[search.FacetType]); n != 5 {
			e.t.Fatalf("Search(%s): type facet %v counts %d documents, want 5", describe(q), res.Facets[search.FacetType], n)
		}
	}
}

func testPagingTotal(e *env) {
	e.load()
	cases := []struct {
		q    search.EngineQuery
		want int
	}{
		{search.EngineQuery{Filter: everything(), Limit: 1}, 14},
		{search.EngineQuery{Filter: everything(), Limit: 3, Offset: 5}, 14},
		{search.EngineQuery{Filter: everything(), Limit: 3, Sort: search.SortNewest}, 14},
		{search.EngineQuery{Match: word("pricing"), Filter: everything(), Limit: 2}, 5},
		{search.EngineQuery{Match: word("pricing"), Filter: search.Filter{Access: viewer(ids("spot-se"))}, Limit: 1}, 3},
		{search.EngineQuery{Match: word("blockchain"), Filter: everything(), Limit: 10}, 0},
	}
	for _, c := range cases {
		res := e.search(c.q)
		if res.Total != c.want {
			e.t.Fatalf("Search(%s): Total %d, want %d (every matching document, not the page)", describe(c.q), res.Total, c.want)
		}
		if want := min(c.q.Limit, max(c.want-c.q.Offset, 0)); len(res.Hits) != want {
			e.t.Fatalf("Search(%s): %d hits, want %d", describe(c.q), len(res.Hits), want)
		}
	}
	// Total counts the documents after After, like the hits? No: Total is
	// every match; check it does not shrink on later pages.
	q := search.EngineQuery{Filter: everything(), Sort: search.SortNewest, Limit: 5}
	q.After = e.search(q).Hits[4].SortKey
	if res := e.search(q); res.Total != 14 {
		e.t.Fatalf("Search(%s): Total %d, want 14; Total counts every match, whatever the page", describe(q), res.Total)
	}
}

// libraryDoc returns the library document with id.
func libraryDoc(id string) search.Document {
	i := slices.IndexFunc(library(), func(d search.Document) bool { return d.ID == id })
	if i < 0 {
		panic("searchtest: no library document " + id)
	}
	return library()[i]
}

func facetTotal(vs []search.FacetValue) int {
	n := 0
	for _, v := range vs {
		n += v.Count
	}
	return n
}
