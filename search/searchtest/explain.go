package searchtest

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/briefcasehq/briefcase/search"
)

var explainTests = []subtest{
	{"NotIndexed", testExplainNotIndexed},
	{"FilteredOut", testExplainFilteredOut},
	{"NotMatched", testExplainNotMatched},
	{"ScoreIsTheSearchScore", testExplainScore},
	{"DetailNamesFieldsAndTerms", testExplainDetail},
}

func (e *env) explain(q search.EngineQuery, id string) search.Explanation {
	e.t.Helper()
	ex, err := e.ix.Explain(e.ctx, q, id)
	noErr(e.t, err, fmt.Sprintf("Explain(%s, %s)", describe(q), id))
	if ex.ID != id {
		e.t.Fatalf("Explain(%s, %s): ID %q", describe(q), id, ex.ID)
	}
	return ex
}

func testExplainNotIndexed(e *env) {
	e.load()
	for _, m := range []search.Node{nil, word("battlecard")} {
		q := search.EngineQuery{Match: m, Filter: everything()}
		_, err := e.ix.Explain(e.ctx, q, "never-indexed")
		isErr(e.t, err, search.ErrNotFound, fmt.Sprintf("Explain(%s, never-indexed)", describe(q)))
	}
	_, err := e.ix.Explain(e.ctx, search.EngineQuery{Filter: everything()}, "")
	isErr(e.t, err, search.ErrNotFound, "Explain of the empty ID")
}

// testExplainFilteredOut: a document the filter hides is not found, so
// Explain never tells a principal about what it may not see.
func testExplainFilteredOut(e *env) {
	e.load()
	cases := []struct {
		name string
		f    search.Filter
		id   string
	}{
		{"a nil Access", search.Filter{}, "globex-battlecard"},
		{"a spot the principal does not view", search.Filter{Access: viewer(ids("spot-pm"))}, "globex-battlecard"},
		{"a hidden status", search.Filter{Access: viewer(ids("spot-se"))}, "q3-pricing-draft"},
		{"a hidden status, AnyStatusHomeIDs of a placement only", search.Filter{Access: viewer(ids("spot-se"), "spot-se")}, "partner-onboarding"},
		{"Filter.Kinds", search.Filter{Access: everything().Access, Kinds: ids("pdf")}, "globex-battlecard"},
		{"Filter.ListGroups", search.Filter{Access: everything().Access, ListGroups: [][]string{{"list-fin"}, {"list-q3"}}}, "security-whitepaper"},
		{"Filter.SpotIDs", search.Filter{Access: everything().Access, SpotIDs: ids("spot-pm")}, "globex-battlecard"},
	}
	for _, c := range cases {
		for _, m := range []search.Node{nil, word("battlecard"), word("pricing")} {
			q := search.EngineQuery{Match: m, Filter: c.f}
			_, err := e.ix.Explain(e.ctx, q, c.id)
			isErr(e.t, err, search.ErrNotFound, fmt.Sprintf("%s: Explain(%s, %s)", c.name, describe(q), c.id))
		}
	}
	// The same documents are explained once the filter lets them through.
	e.explain(search.EngineQuery{Filter: search.Filter{Access: viewer(ids("spot-se"), "spot-se")}}, "q3-pricing-draft")
	e.explain(search.EngineQuery{Filter: search.Filter{Access: viewer(ids("spot-se"), "spot-emea")}}, "partner-onboarding")
}

func testExplainNotMatched(e *env) {
	e.load()
	for _, m := range []search.Node{word("hospital"), and(word("battlecard"), word("hospital")), not(word("globex")), term(search.FieldType, "pdf"), word("--")} {
		q := search.EngineQuery{Match: m, Filter: everything()}
		ex := e.explain(q, "globex-battlecard")
		if ex.Matched || ex.Score != 0 {
			e.t.Fatalf("Explain(%s, globex-battlecard): Matched %v, Score %g; want Matched false, Score 0", describe(q), ex.Matched, ex.Score)
		}
	}
}

// testExplainScore: for every hit of a variety of queries, Explain says it
// matched, with the score Search gave it, and a detail tree.
func testExplainScore(e *env) {
	e.load()
	queries := []search.EngineQuery{
		{Match: nil},
		{Match: &search.All{}},
		{Match: word("pricing")},
		{Match: word("e-mail")},
		{Match: phrase(search.FieldDefault, "case study")},
		{Match: term(search.FieldTitle, "battlecard")},
		{Match: term(search.FieldType, "pdf")},
		{Match: and(word("acme"), not(word("globex")))},
		{Match: or(word("roi"), word("deck"), term(search.FieldLabel, "competitive"))},
		{Match: or(word("pricing"), not(term(search.FieldAudience, "internal")))},
		{Match: not(word("pricing"))},
		{Match: and(or(word("pricing"), word("price")), not(term(search.FieldType, "pdf")))},
		{Match: word("acme"), Boosts: search.Boosts{Title: 10, Body: 3}},
		{Match: word("pricing"), Filter: search.Filter{Access: viewer(ids("spot-se"))}},
		{Match: word("customers"), Sort: search.SortNewest},
	}
	for _, q := range queries {
		if q.Filter.Access == nil {
			q.Filter = everything()
		}
		q.Limit = 100
		res := e.search(q)
		if len(res.Hits) == 0 {
			e.t.Fatalf("Search(%s): no hits; the fixture expects some", describe(q))
		}
		for _, h := range res.Hits {
			for _, eq := range []search.EngineQuery{q, withWindow(q)} {
				ex := e.explain(eq, h.ID)
				if !ex.Matched {
					e.t.Fatalf("Explain(%s, %s): Matched false, but Search returns it", describe(eq), h.ID)
				}
				if !near(ex.Score, h.Score) {
					e.t.Fatalf("Explain(%s, %s): Score %g, but Search scored it %g; they must agree (relative error < 1e-6)", describe(eq), h.ID, ex.Score, h.Score)
				}
				if ex.Detail == nil {
					e.t.Fatalf("Explain(%s, %s): no Detail; a matched document has a score tree", describe(eq), h.ID)
				}
				if !reflect.DeepEqual(ex.Summary, h.Summary) {
					e.t.Fatalf("Explain(%s, %s): Summary %+v, but Search returned %+v; the service re-ranks with it", describe(eq), h.ID, ex.Summary, h.Summary)
				}
			}
		}
	}
}

// withWindow returns q with another sort and page: Explain ignores them.
func withWindow(q search.EngineQuery) search.EngineQuery {
	q.Limit, q.Offset, q.Sort, q.Facets = 0, 3, search.SortTitle, allFacets
	return q
}

// testExplainDetail: the tree names what matched, so a person can read it.
func testExplainDetail(e *env) {
	e.load()
	cases := []struct {
		m    search.Node
		id   string
		want []string // each must appear in some message of the tree
	}{
		{term(search.FieldTitle, "battlecard"), "globex-battlecard", ids("title", "battlecard")},
		{word("transcript"), "demo-video", ids("body", "transcript")},
		{word("walkthrough"), "demo-video", ids("description", "walkthrough")},
		{term(search.FieldLabel, "competitive"), "initech-battlecard", ids("label", "competitive")},
		{phrase(search.FieldDefault, "list prices"), "q3-pricing-draft", ids("body", "list", "price")},
		{and(word("landmines"), term(search.FieldSpot, "emea")), "globex-battlecard", ids("body", "landmine", "spot", "emea")},
		{or(word("okafor"), word("zebra")), "discovery-script", ids("author", "okafor")},
	}
	for _, c := range cases {
		q := search.EngineQuery{Match: c.m, Filter: everything()}
		ex := e.explain(q, c.id)
		if !ex.Matched || ex.Detail == nil {
			e.t.Fatalf("Explain(%s, %s): Matched %v, Detail %v; want a match with a score tree", describe(q), c.id, ex.Matched, ex.Detail)
		}
		text := strings.ToLower(flatten(ex.Detail))
		for _, w := range c.want {
			if !strings.Contains(text, w) {
				e.t.Fatalf("Explain(%s, %s): no message of the score tree mentions %q; the tree names the fields and terms that matched:\n%s",
					describe(q), c.id, w, render(ex.Detail, ""))
			}
		}
	}
}

func flatten(n *search.ScoreNode) string {
	if n == nil {
		return ""
	}
	s := n.Message + "\n"
	for _, c := range n.Children {
		s += flatten(c)
	}
	return s
}

func render(n *search.ScoreNode, indent string) string {
	if n == nil {
		return ""
	}
	s := fmt.Sprintf("%s%g %s\n", indent, n.Value, n.Message)
	for _, c := range n.Children {
		s += render(c, indent+"  ")
	}
	return s
}
