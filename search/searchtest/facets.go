package searchtest

import (
	"slices"

	"github.com/briefcasehq/briefcase/search"
)

var facetTests = []subtest{
	{"Values", testFacetValues},
	{"OverAllMatches", testFacetsOverAllMatches},
	{"RespectFilter", testFacetsRespectFilter},
	{"OnlyRequested", testFacetsOnlyRequested},
	{"NoMatches", testFacetsNoMatches},
}

var allFacets = []search.Facet{search.FacetSpot, search.FacetList, search.FacetType, search.FacetAudience, search.FacetStatus}

// fv builds facet values from value, count pairs.
func fv(pairs ...any) []search.FacetValue {
	var out []search.FacetValue
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, search.FacetValue{Value: pairs[i].(string), Count: pairs[i+1].(int)})
	}
	return out
}

// checkFacets compares every facet in want with the result, in order.
func (e *env) checkFacets(q search.EngineQuery, res search.EngineResult, want map[search.Facet][]search.FacetValue) {
	e.t.Helper()
	for _, f := range q.Facets {
		got := res.Facets[f]
		if !slices.Equal(got, want[f]) && !(len(got) == 0 && len(want[f]) == 0) {
			e.t.Fatalf("Search(%s): facet %s\n\tgot  %v\n\twant %v\n(every value with its count over all matching documents, most frequent first, then by value)",
				describe(q), f, got, want[f])
		}
	}
}

func testFacetValues(e *env) {
	e.load()
	q := search.EngineQuery{Filter: everything(), Limit: 100, Facets: allFacets}
	e.checkFacets(q, e.search(q), map[search.Facet][]search.FacetValue{
		// A document counts once for each of its spots: 19 for 14 documents.
		search.FacetSpot:     fv("spot-se", 8, "spot-emea", 6, "spot-pm", 5),
		search.FacetList:     fv("list-fin", 4, "list-onb", 4, "list-q3", 3, "list-health", 2),
		search.FacetType:     fv("document", 5, "pdf", 4, "presentation", 2, "spreadsheet", 2, "video", 1),
		search.FacetAudience: fv("internal", 8, "external", 6),
		search.FacetStatus:   fv("published", 10, "expired", 2, "draft", 1, "in_review", 1),
	})
}

// testFacetsOverAllMatches: facets count every matching document, not the
// page, whatever the Limit, Offset, After and sort.
func testFacetsOverAllMatches(e *env) {
	e.load()
	want := map[search.Facet][]search.FacetValue{
		// pricing: overview-deck, globex-battlecard, q3-pricing-draft,
		// pricing-sheet-2024, initech-battlecard.
		search.FacetSpot:     fv("spot-se", 4, "spot-emea", 2, "spot-pm", 1),
		search.FacetList:     fv("list-q3", 2),
		search.FacetType:     fv("document", 2, "presentation", 2, "pdf", 1),
		search.FacetAudience: fv("internal", 4, "external", 1),
		search.FacetStatus:   fv("expired", 2, "published", 2, "draft", 1),
	}
	first := search.EngineQuery{Match: word("pricing"), Filter: everything(), Sort: search.SortNewest, Limit: 2, Facets: allFacets}
	key := e.search(first).Hits[1].SortKey
	for _, q := range []search.EngineQuery{
		{Match: word("pricing"), Filter: everything(), Limit: 100, Facets: allFacets},
		{Match: word("pricing"), Filter: everything(), Limit: 1, Facets: allFacets},
		{Match: word("pricing"), Filter: everything(), Limit: 0, Facets: allFacets},
		{Match: word("pricing"), Filter: everything(), Offset: 3, Limit: 1, Facets: allFacets},
		{Match: word("pricing"), Filter: everything(), Offset: 50, Limit: 10, Facets: allFacets},
		{Match: word("pricing"), Filter: everything(), Sort: search.SortNewest, After: key, Limit: 2, Facets: allFacets},
	} {
		e.checkFacets(q, e.search(q), want)
	}
}

// testFacetsRespectFilter: documents the filter hides are never counted.
func testFacetsRespectFilter(e *env) {
	e.load()
	// A viewer of se searching pricing sees globex-battlecard,
	// pricing-sheet-2024 and initech-battlecard; q3-pricing-draft (draft)
	// and overview-deck (not in se) must not be counted.
	q := search.EngineQuery{Match: word("pricing"), Filter: search.Filter{Access: viewer(ids("spot-se"))}, Limit: 1, Facets: allFacets}
	e.checkFacets(q, e.search(q), map[search.Facet][]search.FacetValue{
		search.FacetSpot:     fv("spot-se", 3, "spot-emea", 1),
		search.FacetList:     nil,
		search.FacetType:     fv("document", 2, "pdf", 1),
		search.FacetAudience: fv("internal", 3),
		search.FacetStatus:   fv("expired", 2, "published", 1),
	})
	// Browsing a spot (no text) with a list filter and the type facet.
	q = search.EngineQuery{Filter: search.Filter{Access: viewer(ids("spot-se", "spot-pm", "spot-emea")), ListGroups: [][]string{{"list-fin", "list-onb"}}},
		Limit: 2, Facets: allFacets}
	// roi-calculator, roi-calculator-emea, northwind-case-study,
	// security-whitepaper, discovery-script, follow-up-emails;
	// partner-onboarding (in review) is hidden.
	e.checkFacets(q, e.search(q), map[search.Facet][]search.FacetValue{
		search.FacetSpot:     fv("spot-se", 3, "spot-emea", 2, "spot-pm", 2),
		search.FacetList:     fv("list-fin", 4, "list-onb", 3, "list-health", 1),
		search.FacetType:     fv("document", 2, "pdf", 2, "spreadsheet", 2),
		search.FacetAudience: fv("internal", 4, "external", 2),
		search.FacetStatus:   fv("published", 6),
	})
	// A nil Access counts nothing.
	q = search.EngineQuery{Limit: 10, Facets: allFacets}
	e.checkFacets(q, e.search(q), map[search.Facet][]search.FacetValue{})
}

func testFacetsOnlyRequested(e *env) {
	e.load()
	for _, fs := range [][]search.Facet{nil, {search.FacetType}, {search.FacetStatus, search.FacetSpot}} {
		q := search.EngineQuery{Filter: everything(), Limit: 5, Facets: fs}
		res := e.search(q)
		for f, vs := range res.Facets {
			if !slices.Contains(fs, f) && len(vs) > 0 {
				e.t.Fatalf("Search(%s): facet %s was not requested but came back with %v", describe(q), f, vs)
			}
		}
		for _, f := range fs {
			if len(res.Facets[f]) == 0 {
				e.t.Fatalf("Search(%s): requested facet %s is missing", describe(q), f)
			}
		}
	}
}

func testFacetsNoMatches(e *env) {
	e.load()
	q := search.EngineQuery{Match: word("blockchain"), Filter: everything(), Limit: 10, Facets: allFacets}
	res := e.search(q)
	for f, vs := range res.Facets {
		if len(vs) > 0 {
			e.t.Fatalf("Search(%s): facet %s has %v without any matching document; values with no matching document are absent", describe(q), f, vs)
		}
	}
	if res.Total != 0 {
		e.t.Fatalf("Search(%s): Total %d, want 0", describe(q), res.Total)
	}
}
