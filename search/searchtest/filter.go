package searchtest

import (
	"github.com/briefcasehq/briefcase/search"
)

var filterTests = []subtest{
	{"NilAccess", testFilterNilAccess},
	{"AccessAll", testFilterAccessAll},
	{"Access", testFilterAccess},
	{"HiddenStatuses", testFilterHiddenStatuses},
	{"Parts", testFilterParts},
	{"ListGroups", testFilterListGroups},
	{"EmptyMeansNoRestriction", testFilterEmptyParts},
	{"WithMatch", testFilterWithMatch},
}

type filterCase struct {
	name string
	f    search.Filter
	want []string
}

// checkFilters runs each filter with a nil Match and with *All.
func (e *env) checkFilters(cases []filterCase) {
	e.t.Helper()
	for _, c := range cases {
		for _, m := range []search.Node{nil, &search.All{}} {
			got := e.find(m, c.f)
			checkIDs(e.t, c.name+": Search(Match "+show(m)+", Filter "+describeFilter(c.f)+")", got, sorted(c.want...))
		}
	}
}

var (
	pmDocs   = ids("overview-deck", "northwind-case-study", "healthcare-stories", "security-whitepaper", "demo-video")
	emeaDocs = ids("overview-deck", "globex-battlecard", "security-whitepaper", "demo-video", "roi-calculator-emea", "partner-onboarding")
	// seVisible are the documents in Sales Enablement a viewer sees:
	// q3-pricing-draft (draft, home se) and partner-onboarding (in review,
	// home emea, placed in se) are hidden.
	seVisible = ids("globex-battlecard", "discovery-script", "roi-calculator", "follow-up-emails", "pricing-sheet-2024", "initech-battlecard")
)

// testFilterNilAccess: a nil Access matches nothing, whatever else the
// query says (fail closed).
func testFilterNilAccess(e *env) {
	e.load()
	queries := []search.EngineQuery{
		{Limit: 100},
		{Match: &search.All{}, Limit: 100},
		{Match: word("battlecard"), Limit: 100},
		{Match: not(word("battlecard")), Limit: 100},
		{Filter: search.Filter{SpotIDs: ids("spot-se")}, Limit: 100},
		{Filter: search.Filter{Kinds: ids("pdf"), Statuses: ids("published")}, Limit: 100},
		{Sort: search.SortNewest, Limit: 100},
		{Limit: 0, Facets: []search.Facet{search.FacetSpot, search.FacetType, search.FacetStatus}},
	}
	for _, q := range queries {
		res := e.search(q)
		if res.Total != 0 || len(res.Hits) != 0 {
			e.t.Fatalf("Search(%s): Total %d, hits %v; a nil Access must match nothing (fail closed)", describe(q), res.Total, hitIDs(res.Hits))
		}
		for f, vs := range res.Facets {
			if len(vs) > 0 {
				e.t.Fatalf("Search(%s): facet %s has %v; a nil Access must count nothing", describe(q), f, vs)
			}
		}
	}
}

func testFilterAccessAll(e *env) {
	e.load()
	e.checkFilters([]filterCase{
		{"All passes every document, whatever its spots and status", search.Filter{Access: &search.Access{All: true}}, libraryIDs()},
		{"All ignores the other Access fields", search.Filter{Access: &search.Access{All: true, SpotIDs: ids("spot-pm"), Statuses: ids("draft")}}, libraryIDs()},
		{"All still applies the other filter parts", search.Filter{Access: &search.Access{All: true}, Statuses: ids("draft", "in_review")},
			ids("q3-pricing-draft", "partner-onboarding")},
	})
}

func testFilterAccess(e *env) {
	e.load()
	e.checkFilters([]filterCase{
		{"spots a principal views: home or placement", search.Filter{Access: viewer(ids("spot-pm"))}, pmDocs},
		{"placements count: emea holds documents homed elsewhere", search.Filter{Access: viewer(ids("spot-emea"))},
			ids("overview-deck", "globex-battlecard", "security-whitepaper", "demo-video", "roi-calculator-emea")},
		{"several spots: each document once", search.Filter{Access: viewer(ids("spot-pm", "spot-emea"))},
			ids("overview-deck", "northwind-case-study", "healthcare-stories", "security-whitepaper", "demo-video", "globex-battlecard", "roi-calculator-emea")},
		{"statuses outside Access.Statuses are hidden", search.Filter{Access: viewer(ids("spot-se"))}, seVisible},
		{"an unknown spot sees nothing", search.Filter{Access: viewer(ids("spot-unknown"))}, nil},
		{"no spots sees nothing", search.Filter{Access: &search.Access{Statuses: viewerStatuses}}, nil},
		{"empty spots sees nothing", search.Filter{Access: &search.Access{SpotIDs: []string{}, Statuses: viewerStatuses}}, nil},
		{"no statuses and no AnyStatusHomeIDs sees nothing", search.Filter{Access: &search.Access{SpotIDs: ids("spot-pm", "spot-se", "spot-emea")}}, nil},
		{"only published", search.Filter{Access: &search.Access{SpotIDs: ids("spot-se"), Statuses: ids("published")}},
			ids("globex-battlecard", "discovery-script", "roi-calculator", "follow-up-emails")},
	})
}

// testFilterHiddenStatuses: AnyStatusHomeIDs shows every status of the
// documents homed in those spots, never widens the spots, and looks at the
// home, not the placements.
func testFilterHiddenStatuses(e *env) {
	e.load()
	e.checkFilters([]filterCase{
		{"AnyStatusHomeIDs se shows the draft homed in se", search.Filter{Access: viewer(ids("spot-se"), "spot-se")},
			append(ids("q3-pricing-draft"), seVisible...)},
		{"AnyStatusHomeIDs se does not show partner-onboarding: its home is emea, se is a placement", search.Filter{Access: viewer(ids("spot-se"), "spot-se")},
			append(ids("q3-pricing-draft"), seVisible...)},
		{"AnyStatusHomeIDs emea shows partner-onboarding through its placement in se", search.Filter{Access: viewer(ids("spot-se"), "spot-emea")},
			append(ids("partner-onboarding"), seVisible...)},
		{"AnyStatusHomeIDs does not widen SpotIDs: the draft homed in se stays out of an emea search", search.Filter{Access: viewer(ids("spot-emea"), "spot-se")},
			ids("overview-deck", "globex-battlecard", "security-whitepaper", "demo-video", "roi-calculator-emea")},
		{"AnyStatusHomeIDs without Statuses: only documents homed there", search.Filter{Access: &search.Access{SpotIDs: ids("spot-se", "spot-emea"), AnyStatusHomeIDs: ids("spot-emea")}},
			ids("roi-calculator-emea", "partner-onboarding")},
	})
}

func testFilterParts(e *env) {
	e.load()
	all := &search.Access{All: true}
	e.checkFilters([]filterCase{
		{"SpotIDs: home or placement", search.Filter{Access: all, SpotIDs: ids("spot-emea")}, emeaDocs},
		{"SpotIDs: several", search.Filter{Access: all, SpotIDs: ids("spot-pm", "spot-emea")},
			ids("overview-deck", "northwind-case-study", "healthcare-stories", "security-whitepaper", "demo-video", "globex-battlecard", "roi-calculator-emea", "partner-onboarding")},
		{"SpotIDs within Access: the intersection", search.Filter{Access: viewer(ids("spot-se")), SpotIDs: ids("spot-emea")}, ids("globex-battlecard")},
		{"Kinds", search.Filter{Access: all, Kinds: ids("pdf", "video")},
			ids("northwind-case-study", "healthcare-stories", "security-whitepaper", "pricing-sheet-2024", "demo-video")},
		{"Audiences", search.Filter{Access: all, Audiences: ids("external")},
			ids("overview-deck", "northwind-case-study", "healthcare-stories", "security-whitepaper", "demo-video", "partner-onboarding")},
		{"Statuses", search.Filter{Access: all, Statuses: ids("draft", "in_review")}, ids("q3-pricing-draft", "partner-onboarding")},
		{"Statuses cannot show what Access hides", search.Filter{Access: viewer(ids("spot-se")), Statuses: ids("draft", "in_review")}, nil},
		{"every part at once", search.Filter{Access: viewer(ids("spot-pm", "spot-se", "spot-emea")), SpotIDs: ids("spot-se"),
			Kinds: ids("pdf", "document"), Audiences: ids("internal"), Statuses: ids("expired")},
			ids("pricing-sheet-2024", "initech-battlecard")},
		{"a value no document has", search.Filter{Access: all, Kinds: ids("podcast")}, nil},
	})
}

// testFilterListGroups: OR within a group, AND across groups, an empty
// group ignored.
func testFilterListGroups(e *env) {
	e.load()
	all := &search.Access{All: true}
	fin := ids("northwind-case-study", "security-whitepaper", "roi-calculator", "roi-calculator-emea")
	e.checkFilters([]filterCase{
		{"one list", search.Filter{Access: all, ListGroups: [][]string{{"list-fin"}}}, fin},
		{"OR within a group", search.Filter{Access: all, ListGroups: [][]string{{"list-fin", "list-health"}}},
			append(ids("healthcare-stories"), fin...)},
		{"AND across groups", search.Filter{Access: all, ListGroups: [][]string{{"list-fin"}, {"list-health"}}}, ids("security-whitepaper")},
		{"AND of ORs", search.Filter{Access: all, ListGroups: [][]string{{"list-fin", "list-health"}, {"list-q3", "list-onb"}}}, ids("roi-calculator")},
		{"an empty inner group is ignored", search.Filter{Access: all, ListGroups: [][]string{{"list-fin"}, {}}}, fin},
		{"a nil inner group is ignored", search.Filter{Access: all, ListGroups: [][]string{nil, {"list-fin"}}}, fin},
		{"only empty groups: no restriction", search.Filter{Access: all, ListGroups: [][]string{{}}}, libraryIDs()},
		{"a list no document is in", search.Filter{Access: all, ListGroups: [][]string{{"list-unknown"}}}, nil},
		{"with Access", search.Filter{Access: viewer(ids("spot-se")), ListGroups: [][]string{{"list-onb", "list-q3"}}},
			ids("discovery-script", "roi-calculator", "follow-up-emails")},
	})
}

// testFilterEmptyParts: nil and empty non-nil slices in the optional parts
// both mean "no restriction".
func testFilterEmptyParts(e *env) {
	e.load()
	all := &search.Access{All: true}
	e.checkFilters([]filterCase{
		{"empty SpotIDs", search.Filter{Access: all, SpotIDs: []string{}}, libraryIDs()},
		{"empty ListGroups", search.Filter{Access: all, ListGroups: [][]string{}}, libraryIDs()},
		{"empty Kinds", search.Filter{Access: all, Kinds: []string{}}, libraryIDs()},
		{"empty Audiences", search.Filter{Access: all, Audiences: []string{}}, libraryIDs()},
		{"empty Statuses", search.Filter{Access: all, Statuses: []string{}}, libraryIDs()},
		{"every optional part empty, with an Access", search.Filter{Access: viewer(ids("spot-pm")), SpotIDs: []string{},
			ListGroups: [][]string{}, Kinds: []string{}, Audiences: []string{}, Statuses: []string{}}, pmDocs},
	})
}

// testFilterWithMatch: the filter applies to text matches, Not included.
func testFilterWithMatch(e *env) {
	e.load()
	se := search.Filter{Access: viewer(ids("spot-se"))}
	cases := []struct {
		name string
		m    search.Node
		want []string
	}{
		{"pricing: the draft is hidden, overview-deck is not in se", word("pricing"), ids("globex-battlecard", "pricing-sheet-2024", "initech-battlecard")},
		{"Not alone: only visible documents", not(word("battlecard")), ids("discovery-script", "roi-calculator", "follow-up-emails", "pricing-sheet-2024")},
		{"Or containing Not", or(word("roi"), not(term(search.FieldType, "document"))),
			ids("roi-calculator", "pricing-sheet-2024")},
	}
	for _, c := range cases {
		got := e.find(c.m, se)
		checkIDs(e.t, c.name+": Search(Match "+show(c.m)+", Filter "+describeFilter(se)+")", got, sorted(c.want...))
	}
}
