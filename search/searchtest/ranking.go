package searchtest

import (
	"fmt"
	"math"

	"github.com/briefcasehq/briefcase/search"
)

var rankingTests = []subtest{
	{"TitleOverDescriptionOverBody", testRankingFields},
	{"MoreOccurrences", testRankingFrequency},
	{"RarerTerms", testRankingRarity},
	{"Boosts", testRankingBoosts},
	{"ZeroBoostsAreDefaults", testRankingZeroBoosts},
	{"ScoresAddUp", testRankingScoresAddUp},
	{"Deterministic", testRankingDeterministic},
}

// threeFields indexes three comparable documents that hold "kickoff"
// once, each in a different field, and a few that do not hold it.
func (e *env) threeFields() {
	e.index([]search.Document{
		plain("in-title", "Kickoff Agenda", func(d *search.Document) {
			d.Description = "Slides for the annual sales meeting in March"
			d.Pages = []string{"Welcome, goals for the year, awards and the new territories."}
		}),
		plain("in-description", "Annual Sales Meeting", func(d *search.Document) {
			d.Description = "Slides for the kickoff meeting in March"
			d.Pages = []string{"Welcome, goals for the year, awards and the new territories."}
		}),
		plain("in-body", "Annual Sales Meeting", func(d *search.Document) {
			d.Description = "Slides for the annual sales meeting in March"
			d.Pages = []string{"Welcome to kickoff, goals for the year, awards and territories."}
		}),
		plain("filler-1", "Territory Plan", func(d *search.Document) {
			d.Description = "Accounts by region for the new fiscal year"
			d.Pages = []string{"Named accounts, regions and owners for each territory."}
		}),
		plain("filler-2", "Awards Night", func(d *search.Document) {
			d.Description = "Photos from the annual awards"
			d.Pages = []string{"Winners of the year, by region and by team."}
		}),
	})
}

// rankOf returns the scores of ids under m, failing when one is missing.
func (e *env) rankOf(m search.Node, b search.Boosts, want ...string) []float64 {
	e.t.Helper()
	got := e.scores(m, b)
	out := make([]float64, len(want))
	for i, id := range want {
		s, ok := got[id]
		if !ok {
			e.t.Fatalf("Search(%s): %s is not a hit; the ranking fixture expects it to match", show(m), id)
		}
		if s < 0 || math.IsNaN(s) || math.IsInf(s, 0) {
			e.t.Fatalf("Search(%s): %s has score %g; scores are finite and >= 0", show(m), id, s)
		}
		out[i] = s
	}
	return out
}

// decreasing fails unless the scores of ids strictly decrease.
func (e *env) decreasing(what string, scores []float64, ids []string) {
	e.t.Helper()
	for i := 1; i < len(scores); i++ {
		if !(scores[i-1] > scores[i]) {
			e.t.Fatalf("%s: want %s > %s, got scores %s", what, ids[i-1], ids[i], showScores(ids, scores))
		}
	}
}

func showScores(ids []string, scores []float64) string {
	s := ""
	for i := range ids {
		s += fmt.Sprintf("%s=%g ", ids[i], scores[i])
	}
	return s
}

func testRankingFields(e *env) {
	e.threeFields()
	order := ids("in-title", "in-description", "in-body")
	for _, m := range []search.Node{word("kickoff"), phrase(search.FieldDefault, "kickoff"), word("Kickoffs")} {
		e.decreasing("default boosts, Search("+show(m)+"): a title match outscores a description match, which outscores a body match",
			e.rankOf(m, search.Boosts{}, order...), order)
	}
	res := e.search(search.EngineQuery{Match: word("kickoff"), Filter: everything(), Limit: 10})
	checkIDs(e.t, "Search(kickoff) in relevance order", hitIDs(res.Hits), order)
}

func testRankingFrequency(e *env) {
	e.index([]search.Document{
		plain("once", "Call Notes", func(d *search.Document) {
			d.Pages = []string{"renewal call with the account team about budget and timing today"}
		}),
		plain("twice", "Call Notes", func(d *search.Document) {
			d.Pages = []string{"renewal call with the account team about renewal budget timing today"}
		}),
		plain("thrice", "Call Notes", func(d *search.Document) {
			d.Pages = []string{"renewal call with the renewal team about renewal budget timing today"}
		}),
		plain("none", "Call Notes", func(d *search.Document) {
			d.Pages = []string{"expansion call with the account team about budget and timing today"}
		}),
	})
	order := ids("thrice", "twice", "once")
	e.decreasing("more occurrences of the term in a field of the same length score higher",
		e.rankOf(word("renewal"), search.Boosts{}, order...), order)
}

func testRankingRarity(e *env) {
	docs := []search.Document{
		plain("rare", "Account Review", func(d *search.Document) {
			d.Pages = []string{"churn risk for the account this quarter"}
		}),
		plain("common", "Account Review", func(d *search.Document) {
			d.Pages = []string{"renewal plan for the account this quarter"}
		}),
	}
	for i := range 4 {
		docs = append(docs, plain(fmt.Sprint("renewal-", i), "Renewal Notes", func(d *search.Document) {
			d.Pages = []string{"renewal notes for another account"}
		}))
	}
	e.index(docs)
	order := ids("rare", "common")
	e.decreasing("the rarer term (churn, in one document) scores higher than the common one (renewal, in five)",
		e.rankOf(or(word("renewal"), word("churn")), search.Boosts{}, order...), order)
}

func testRankingBoosts(e *env) {
	e.threeFields()
	order := ids("in-body", "in-description", "in-title")
	e.decreasing("Boosts{Title 1, Description 20, Body 400} must put body over description over title",
		e.rankOf(word("kickoff"), search.Boosts{Title: 1, Description: 20, Body: 400}, order...), order)
	// A scoped term uses the boost of its field too.
	plainScore := e.rankOf(term(search.FieldTitle, "kickoff"), search.Boosts{}, "in-title")[0]
	boosted := e.rankOf(term(search.FieldTitle, "kickoff"), search.Boosts{Title: 40}, "in-title")[0]
	if !(boosted > plainScore) {
		e.t.Fatalf("title:kickoff: score %g with Boosts{Title: 40}, %g with the default title boost 4; a higher boost must score higher", boosted, plainScore)
	}
}

func testRankingZeroBoosts(e *env) {
	e.load()
	for _, m := range []search.Node{word("pricing"), term(search.FieldLabel, "case"), or(word("acme"), word("deck"))} {
		zero := e.scores(m, search.Boosts{})
		def := e.scores(m, search.DefaultBoosts())
		for id, s := range zero {
			if !near(s, def[id]) {
				e.t.Fatalf("Search(%s): %s scores %g with zero Boosts and %g with DefaultBoosts(); zero boosts mean the defaults (Boosts.Field)", show(m), id, s, def[id])
			}
		}
	}
}

// testRankingScoresAddUp: Not and exact clauses do not change what a
// text clause scores in an And, and Or scores more when more clauses match.
func testRankingScoresAddUp(e *env) {
	e.load()
	alone := e.scores(word("battlecard"), search.Boosts{})
	withNot := e.scores(and(word("battlecard"), not(word("hospital"))), search.Boosts{})
	for id, s := range alone {
		if !near(s, withNot[id]) {
			e.t.Fatalf("%s scores %g for battlecard and %g for battlecard AND NOT hospital; Not contributes 0 to the score", id, s, withNot[id])
		}
	}
	for id, s := range e.scores(not(word("battlecard")), search.Boosts{}) {
		if s != 0 {
			e.t.Fatalf("Search(NOT battlecard): %s scores %g, want 0 (Not contributes 0)", id, s)
		}
	}
	// A default-field term scores the sum over the fields it matches in.
	e.index([]search.Document{
		plain("kickoff-title-and-body", "Kickoff Agenda", func(d *search.Document) {
			d.Pages = []string{"Agenda for the kickoff in March"}
		}),
		plain("kickoff-title-only", "Kickoff Agenda", func(d *search.Document) {
			d.Pages = []string{"Agenda for the meeting in March"}
		}),
	})
	both := e.scores(word("kickoff"), search.Boosts{})
	if !(both["kickoff-title-and-body"] > both["kickoff-title-only"]) {
		e.t.Fatalf("Search(kickoff): a document with kickoff in title and body scores %g, one with it in the title only %g; a default-field term scores the sum over the matching fields",
			both["kickoff-title-and-body"], both["kickoff-title-only"])
	}
	one := e.scores(or(word("globex"), word("landmines")), search.Boosts{})
	globexOnly := e.scores(word("globex"), search.Boosts{})
	if !(one["globex-battlecard"] > globexOnly["globex-battlecard"]) {
		e.t.Fatalf("globex-battlecard scores %g for globex OR landmines and %g for globex; matching more Or clauses must score higher",
			one["globex-battlecard"], globexOnly["globex-battlecard"])
	}
}

func testRankingDeterministic(e *env) {
	e.load()
	q := search.EngineQuery{Match: or(word("pricing"), word("deck"), word("acme")), Filter: everything(), Limit: 100}
	first := e.search(q)
	for range 3 {
		again := e.search(q)
		checkIDs(e.t, "the same Search twice: "+describe(q), hitIDs(again.Hits), hitIDs(first.Hits))
		for i, h := range again.Hits {
			if h.Score != first.Hits[i].Score {
				e.t.Fatalf("Search(%s): %s scored %g, then %g; scores are deterministic", describe(q), h.ID, first.Hits[i].Score, h.Score)
			}
		}
	}
	// Identical documents score the same and tie-break by ID ascending.
	twins := []search.Document{}
	for _, id := range ids("twin-c", "twin-a", "twin-b") {
		twins = append(twins, plain(id, "Rebuttal Guide", func(d *search.Document) {
			d.Pages = []string{"How to answer every rebuttal."}
		}))
	}
	e.index(twins)
	res := e.search(search.EngineQuery{Match: word("rebuttal"), Filter: everything(), Limit: 10})
	checkIDs(e.t, "identical documents (equal scores) in relevance order: ID ascending", hitIDs(res.Hits), ids("twin-a", "twin-b", "twin-c"))
	if res.Hits[0].Score != res.Hits[2].Score {
		e.t.Fatalf("identical documents scored %g and %g; the same text must score the same", res.Hits[0].Score, res.Hits[2].Score)
	}
}
