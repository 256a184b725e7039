package searchtest

import (
	"fmt"
	"slices"

	"github.com/briefcasehq/briefcase/search"
)

var sortTests = []subtest{
	{"Relevance", testSortRelevance},
	{"EmptyIsRelevance", testSortEmptyIsRelevance},
	{"Newest", testSortNewest},
	{"Title", testSortTitle},
	{"Trending", testSortTrending},
	{"Popular", testSortPopular},
	{"FlaggedLastWhateverTheScore", testSortFlaggedLast},
	{"WithFilter", testSortWithFilter},
	{"Invalid", testSortInvalid},
}

// The library in each sort, written out by hand from the table in
// library.go. Flagged documents (pricing-sheet-2024, initech-battlecard)
// come last in every one.
var (
	// Match nil: every score is 0, so ID ascending.
	byRelevance = ids("demo-video", "discovery-script", "follow-up-emails", "globex-battlecard", "healthcare-stories",
		"northwind-case-study", "overview-deck", "partner-onboarding", "q3-pricing-draft", "roi-calculator",
		"roi-calculator-emea", "security-whitepaper",
		"initech-battlecard", "pricing-sheet-2024")
	// CreatedAt descending, then ID descending (follow-up-emails and
	// demo-video, northwind and healthcare, roi-calculator and globex
	// share a time). initech-battlecard is the newest document but flagged.
	byNewest = ids("follow-up-emails", "demo-video", "partner-onboarding", "q3-pricing-draft", "northwind-case-study",
		"healthcare-stories", "roi-calculator-emea", "roi-calculator", "globex-battlecard", "discovery-script",
		"overview-deck", "security-whitepaper",
		"initech-battlecard", "pricing-sheet-2024")
	// Lower-cased title ascending, then ID ascending: "ROI calculator"
	// (roi-calculator) and "ROI Calculator" (roi-calculator-emea) tie,
	// although byte order would put the second first. "2024 Pricing Sheet"
	// would sort first but is flagged.
	byTitle = ids("overview-deck", "globex-battlecard", "healthcare-stories", "discovery-script", "security-whitepaper",
		"follow-up-emails", "northwind-case-study", "partner-onboarding", "demo-video", "q3-pricing-draft",
		"roi-calculator", "roi-calculator-emea",
		"pricing-sheet-2024", "initech-battlecard")
	// Trending descending, then ID descending. The flagged documents trend
	// most (30) but come last.
	byTrending = ids("demo-video", "roi-calculator", "globex-battlecard", "overview-deck", "follow-up-emails",
		"discovery-script", "northwind-case-study", "healthcare-stories", "security-whitepaper",
		"roi-calculator-emea", "q3-pricing-draft", "partner-onboarding",
		"pricing-sheet-2024", "initech-battlecard")
	// Popular descending, then ID descending.
	byPopular = ids("security-whitepaper", "overview-deck", "demo-video", "globex-battlecard", "discovery-script",
		"northwind-case-study", "healthcare-stories", "roi-calculator-emea", "roi-calculator", "follow-up-emails",
		"q3-pricing-draft", "partner-onboarding",
		"pricing-sheet-2024", "initech-battlecard")
)

// sorts are the non-relevance sorts with the library in their order.
var sorts = []struct {
	sort  search.Sort
	order []string
}{
	{search.SortNewest, byNewest},
	{search.SortTitle, byTitle},
	{search.SortTrending, byTrending},
	{search.SortPopular, byPopular},
}

// order runs q (Limit 100) and returns the hit IDs in order.
func (e *env) order(q search.EngineQuery) []string {
	e.t.Helper()
	if q.Limit == 0 {
		q.Limit = 100
	}
	return hitIDs(e.search(q).Hits)
}

func testSortRelevance(e *env) {
	e.load()
	for _, m := range []search.Node{nil, &search.All{}, not(word("blockchain"))} {
		q := search.EngineQuery{Match: m, Filter: everything(), Sort: search.SortRelevance}
		checkIDs(e.t, "equal scores sort by ID ascending, flagged last: Search("+describe(q)+")", e.order(q), byRelevance)
	}
	q := search.EngineQuery{Match: or(word("battlecard"), word("globex"), word("roi")), Filter: everything(), Sort: search.SortRelevance, Limit: 100}
	res := e.search(q)
	if len(res.Hits) != 4 {
		e.t.Fatalf("Search(%s): got hits %v, want 4", describe(q), hitIDs(res.Hits))
	}
	e.scoreOrder(q, res.Hits)
}

// scoreOrder checks hits are in relevance order: unflagged first, then
// score descending, then ID ascending.
func (e *env) scoreOrder(q search.EngineQuery, hits []search.EngineHit) {
	e.t.Helper()
	for i := 1; i < len(hits); i++ {
		a, b := hits[i-1], hits[i]
		switch {
		case a.Summary.Flagged && !b.Summary.Flagged:
			e.t.Fatalf("Search(%s): flagged %s comes before unflagged %s", describe(q), a.ID, b.ID)
		case a.Summary.Flagged != b.Summary.Flagged:
		case a.Score < b.Score:
			e.t.Fatalf("Search(%s): %s (score %g) before %s (score %g); relevance is score descending", describe(q), a.ID, a.Score, b.ID, b.Score)
		case a.Score == b.Score && a.ID > b.ID:
			e.t.Fatalf("Search(%s): %s before %s with equal scores %g; ties go by ID ascending", describe(q), a.ID, b.ID, a.Score)
		}
	}
}

func testSortEmptyIsRelevance(e *env) {
	e.load()
	q := search.EngineQuery{Filter: everything()}
	checkIDs(e.t, "an empty Sort is relevance: Search("+describe(q)+")", e.order(q), byRelevance)
	m := or(word("pricing"), word("deck"))
	empty := e.order(search.EngineQuery{Match: m, Filter: everything()})
	rel := e.order(search.EngineQuery{Match: m, Filter: everything(), Sort: search.SortRelevance})
	checkIDs(e.t, "Search("+show(m)+") with an empty Sort, against SortRelevance", empty, rel)
}

func (e *env) checkSort(s search.Sort, want []string) {
	e.t.Helper()
	e.load()
	for _, m := range []search.Node{nil, &search.All{}, not(word("blockchain"))} {
		q := search.EngineQuery{Match: m, Filter: everything(), Sort: s}
		checkIDs(e.t, "Search("+describe(q)+")", e.order(q), want)
	}
	// A text match does not change a non-relevance order.
	m := or(word("pricing"), word("roi"), word("battlecard"))
	q := search.EngineQuery{Match: m, Filter: everything(), Sort: s}
	var sub []string
	for _, id := range want {
		if slices.Contains(ids("overview-deck", "globex-battlecard", "q3-pricing-draft", "roi-calculator", "roi-calculator-emea", "pricing-sheet-2024", "initech-battlecard"), id) {
			sub = append(sub, id)
		}
	}
	checkIDs(e.t, "Search("+describe(q)+"): scores do not affect this sort", e.order(q), sub)
}

func testSortNewest(e *env)   { e.checkSort(search.SortNewest, byNewest) }
func testSortTitle(e *env)    { e.checkSort(search.SortTitle, byTitle) }
func testSortTrending(e *env) { e.checkSort(search.SortTrending, byTrending) }
func testSortPopular(e *env)  { e.checkSort(search.SortPopular, byPopular) }

// testSortFlaggedLast: pricing-sheet-2024 scores highest for "pricing"
// (title and label) but is flagged, so it comes after every unflagged hit.
func testSortFlaggedLast(e *env) {
	e.load()
	q := search.EngineQuery{Match: word("pricing"), Filter: everything(), Limit: 10}
	res := e.search(q)
	got := hitIDs(res.Hits)
	if len(got) != 5 {
		e.t.Fatalf("Search(%s): got %v, want 5 hits", describe(q), got)
	}
	var sheet, overview float64
	for _, h := range res.Hits {
		switch h.ID {
		case "pricing-sheet-2024":
			sheet = h.Score
		case "overview-deck":
			overview = h.Score
		}
	}
	if !(sheet > overview) {
		e.t.Fatalf("Search(%s): pricing-sheet-2024 (pricing in title and label) scores %g, overview-deck (pricing on a page) %g; a title match outscores a body match",
			describe(q), sheet, overview)
	}
	flagged := got[3:]
	slices.Sort(flagged)
	checkIDs(e.t, "Search("+describe(q)+"): the last two hits are the flagged ones", flagged, ids("initech-battlecard", "pricing-sheet-2024"))
	for _, h := range res.Hits {
		if h.Summary.Flagged != slices.Contains(ids("initech-battlecard", "pricing-sheet-2024"), h.ID) {
			e.t.Fatalf("Search(%s): hit %s has Summary.Flagged %v", describe(q), h.ID, h.Summary.Flagged)
		}
	}
	e.scoreOrder(q, res.Hits)
}

func testSortWithFilter(e *env) {
	e.load()
	f := search.Filter{Access: viewer(ids("spot-se"))}
	for _, s := range sorts {
		var want []string
		for _, id := range s.order {
			if slices.Contains(seVisible, id) {
				want = append(want, id)
			}
		}
		q := search.EngineQuery{Filter: f, Sort: s.sort}
		checkIDs(e.t, "Search("+describe(q)+")", e.order(q), want)
	}
}

func testSortInvalid(e *env) {
	e.load()
	for _, q := range []search.EngineQuery{
		{Filter: everything(), Sort: "alphabetical", Limit: 10},
		{Filter: everything(), Limit: -1},
		{Filter: everything(), Offset: -1, Limit: 10},
	} {
		_, err := e.ix.Search(e.ctx, q)
		isErr(e.t, err, search.ErrInvalid, fmt.Sprintf("Search(%s)", describe(q)))
	}
}
