package search

import (
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"
)

func TestHighlightMarksWordsAndEscapes(t *testing.T) {
	is := is.New(t)
	got := Highlight(`Pricing <b>decks</b> & the Deck's "ROI"`, []string{"deck"}, 3, 200)
	is.Equal(len(got), 1)
	is.Equal(got[0], `Pricing &lt;b&gt;<mark>decks</mark>&lt;/b&gt; &amp; the <mark>Deck&#39;s</mark> &#34;ROI&#34;`)
	is.Equal(Highlight("nothing here", []string{"deck"}, 3, 200), nil) // no match, no fragment
	is.Equal(Highlight("deck", nil, 3, 200), nil)                      // no terms
}

func TestHighlightFragmentsLongText(t *testing.T) {
	is := is.New(t)
	text := strings.Repeat("filler words go here ", 40) + "the battlecard wins " + strings.Repeat("more filler text ", 40) +
		"second battlecard mention " + strings.Repeat("tail words ", 40)
	got := Highlight(text, []string{"battlecard"}, 3, 80)
	is.Equal(len(got), 2)
	for _, f := range got {
		is.True(strings.Contains(f, "<mark>battlecard</mark>"))
		is.True(strings.HasPrefix(f, "…"))
		is.True(strings.HasSuffix(f, "…"))
		is.True(len(f) < 140) // a window, not the whole text
	}
	is.Equal(len(Highlight(text, []string{"battlecard"}, 1, 80)), 1) // max respected
}

func TestBestPassagePrefersMostDistinctTerms(t *testing.T) {
	is := is.New(t)
	pages := []string{
		"Our pricing is simple. Pricing pricing pricing everywhere.",
		"Intro slide. For enterprise customers the pricing tier includes SSO and audit logs.",
	}
	page, text := BestPassage(pages, []string{"enterprise", "pricing", "tier"})
	is.Equal(page, 2)
	is.True(strings.HasPrefix(text, "For enterprise customers")) // starts at the sentence
	page, text = BestPassage(pages, []string{"missing"})
	is.Equal(page, 0)
	is.Equal(text, "")
}

func TestRerankTiersAndFactors(t *testing.T) {
	is := is.New(t)
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	r := DefaultRanking().withDefaults()
	plain := r.rerank(EngineHit{ID: "a", Score: 2, Summary: Summary{UpdatedAt: now.Add(-10 * 365 * 24 * time.Hour)}}, []string{"pricing"}, now)
	is.Equal(plain.tier, tierNormal)
	is.True(plain.score > 2 && plain.score < 2.0001) // ten years old: freshness all but gone

	fresh := r.rerank(EngineHit{ID: "b", Score: 2, Summary: Summary{UpdatedAt: now}}, nil, now)
	is.True(fresh.score > 2.19 && fresh.score < 2.21) // +10% when updated just now

	promoted := r.rerank(EngineHit{ID: "c", Score: 2, Summary: Summary{Promoted: true, UpdatedAt: now.Add(-1000 * 24 * time.Hour)}}, []string{"roi"}, now)
	is.Equal(promoted.tier, tierNormal)
	is.True(promoted.score > 2.99) // promoted ×1.5

	keyword := r.rerank(EngineHit{ID: "d", Score: 0.1, Summary: Summary{Promoted: true, PromotedKeywords: []string{"ROI calculators"}}}, []string{"roi", "calculator"}, now)
	is.Equal(keyword.tier, tierPromotedKeyword)

	flagged := r.rerank(EngineHit{ID: "e", Score: 50, Summary: Summary{Flagged: true, Promoted: true, PromotedKeywords: []string{"roi"}}}, []string{"roi"}, now)
	is.Equal(flagged.tier, tierFlagged) // flagged beats every promotion

	trending := r.rerank(EngineHit{ID: "f", Score: 2, Summary: Summary{Trending: 10}}, nil, now)
	is.True(trending.score > 2.24 && trending.score < 2.26) // half of the +25% at TrendingHalf

	rs := []ranked{flagged, plain, keyword, promoted, fresh}
	sortRanked(rs)
	var order []string
	for _, x := range rs {
		order = append(order, x.hit.ID)
	}
	is.Equal(strings.Join(order, ""), "dcbae")

	off := Ranking{NoTrending: true, NoFreshness: true}.withDefaults()
	is.Equal(off.rerank(EngineHit{ID: "g", Score: 2, Summary: Summary{Trending: 100, UpdatedAt: now}}, nil, now).score, 2.0)
}

func TestRelaxOnlyPositiveConjunctions(t *testing.T) {
	is := is.New(t)
	a, b := &Term{Text: "a"}, &Term{Text: "b"}
	got, ok := relax(&And{Clauses: []Node{a, b}})
	is.True(ok)
	is.Equal(got.String(), `(or (term "a") (term "b"))`)
	_, ok = relax(&And{Clauses: []Node{a, &Not{Clause: b}}})
	is.True(!ok) // an exclusion is never relaxed away
	_, ok = relax(a)
	is.True(!ok)
	_, ok = relax(&Or{Clauses: []Node{a, b}})
	is.True(!ok)
}

func TestCursorRoundTripAndFingerprint(t *testing.T) {
	is := is.New(t)
	c := cursor{Offset: 40, After: []string{"x", "y"}, Fingerprint: "fp"}
	got, err := decodeCursor(encodeCursor(c))
	is.NoErr(err)
	is.Equal(got.Offset, 40)
	is.Equal(got.After, []string{"x", "y"})
	_, err = decodeCursor("!!!")
	is.True(err != nil)
	is.True(fingerprint(Request{Query: "a"}, SortNewest) != fingerprint(Request{Query: "b"}, SortNewest))
	is.True(fingerprint(Request{Query: "a"}, SortNewest) != fingerprint(Request{Query: "a"}, SortTitle))
	is.Equal(fingerprint(Request{Query: "a", Limit: 5, Cursor: "z"}, SortNewest), fingerprint(Request{Query: "a"}, SortNewest))
}

func TestReasonsNameFieldsAndPages(t *testing.T) {
	is := is.New(t)
	d := Document{Title: "Acme Battlecard", Description: "Beat Acme on price", Pages: []string{"intro", "total cost of ownership"},
		Kind: "pdf", Audience: "external", SpotNames: []string{"Competitive"}}
	root := &And{Clauses: []Node{
		&Term{Text: "acme"}, &Phrase{Text: "cost of ownership"}, &Term{Field: FieldType, Text: "PDF"},
		&Term{Field: FieldSpot, Text: "competitive"}, &Not{Clause: &Term{Text: "intro"}},
	}}
	got := reasons(d, root)
	is.Equal(got, []string{
		`title contains "acme"`, `description contains "acme"`,
		`page 2 contains the phrase "cost of ownership"`, "type is pdf", `spot contains "competitive"`,
	})
}
