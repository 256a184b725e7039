package memsearch_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/briefcasehq/briefcase/search"
	"github.com/briefcasehq/briefcase/search/memsearch"
	"github.com/briefcasehq/briefcase/search/searchtest"
)

func TestConformance(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Indexer {
		ix := memsearch.New()
		t.Cleanup(func() {
			if err := ix.Close(); err != nil && !errors.Is(err, search.ErrClosed) {
				t.Errorf("Close: %v", err)
			}
		})
		return ix
	})
}

// BenchmarkSearch measures a term query with an access filter and two
// facets over 10,000 documents, the size memsearch is meant for.
func BenchmarkSearch(b *testing.B) {
	ctx := b.Context()
	ix := memsearch.New()
	words := []string{"pricing", "battlecard", "onboarding", "renewal", "security", "deck", "roadmap", "discovery"}
	var docs []search.Document
	for i := range 10_000 {
		spot := fmt.Sprint("spot-", i%20)
		docs = append(docs, search.Document{
			ID:         fmt.Sprintf("doc-%05d", i),
			Title:      fmt.Sprintf("%s guide %d", words[i%len(words)], i),
			Pages:      []string{fmt.Sprintf("How the team uses %s and %s in every deal, part %d.", words[i%3], words[(i+5)%len(words)], i)},
			HomeSpotID: spot, SpotIDs: []string{spot}, SpotNames: []string{"Spot " + spot},
			Kind: "pdf", Audience: "internal", Status: "published",
		})
	}
	if err := ix.Index(ctx, docs, nil, 1); err != nil {
		b.Fatal(err)
	}
	q := search.EngineQuery{
		Match:  &search.Term{Text: "pricing"},
		Filter: search.Filter{Access: &search.Access{SpotIDs: []string{"spot-1", "spot-2", "spot-3", "spot-4", "spot-5"}, Statuses: []string{"published"}}},
		Limit:  20,
		Facets: []search.Facet{search.FacetSpot, search.FacetType},
	}
	for b.Loop() {
		if _, err := ix.Search(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}
