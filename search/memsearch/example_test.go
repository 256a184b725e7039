package memsearch_test

import (
	"context"
	"fmt"
	"time"

	"github.com/briefcasehq/briefcase/search"
	"github.com/briefcasehq/briefcase/search/memsearch"
)

// A unit test indexes a few documents and searches them the way the search
// service does: a query tree, an access filter and facets.
func Example() {
	ctx := context.Background()
	ix := memsearch.New()
	defer ix.Close()

	created := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	docs := []search.Document{
		{ID: "battlecard", Title: "Battlecard: Acme vs Globex", Pages: []string{"Objection handling for pricing"},
			HomeSpotID: "sales", SpotIDs: []string{"sales"}, Kind: "document", Status: "published", CreatedAt: created},
		{ID: "price-list", Title: "Pricing Sheet", Description: "List prices for 2026",
			HomeSpotID: "sales", SpotIDs: []string{"sales"}, Kind: "pdf", Status: "published", CreatedAt: created},
		{ID: "draft", Title: "Pricing Update (draft)",
			HomeSpotID: "sales", SpotIDs: []string{"sales"}, Kind: "pdf", Status: "draft", CreatedAt: created},
	}
	if err := ix.Index(ctx, docs, nil, 1); err != nil {
		fmt.Println(err)
		return
	}

	res, err := ix.Search(ctx, search.EngineQuery{
		Match: &search.Term{Text: "pricing"},
		// A viewer of the sales spot: drafts stay hidden.
		Filter: search.Filter{Access: &search.Access{SpotIDs: []string{"sales"}, Statuses: []string{"published"}}},
		Limit:  10,
		Facets: []search.Facet{search.FacetType},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("total:", res.Total)
	for _, h := range res.Hits {
		fmt.Println(h.ID)
	}
	fmt.Println("types:", res.Facets[search.FacetType])
	// Output:
	// total: 2
	// price-list
	// battlecard
	// types: [{document 1} {pdf 1}]
}
