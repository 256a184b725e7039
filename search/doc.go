// Package search finds content a principal may see: a query grammar,
// filters and facets, ranking and Explain, over an index that follows the
// store's change feed.
//
// This package currently holds the request and result types the HTTP API
// speaks; the grammar, the Indexer interface, the Bluge engine
// (search/blugesearch) and the conformance suite (search/searchtest) are
// being built.
package search

import "github.com/briefcasehq/briefcase/items"

// Sort orders search hits.
type Sort string

// Sorts.
const (
	SortRelevance Sort = "relevance"
	SortNewest    Sort = "newest"
	SortTrending  Sort = "trending"
	SortPopular   Sort = "popular"
	SortTitle     Sort = "title"
)

// Request is a search: a query in the grammar plus filters.
type Request struct {
	Query    string         `json:"q"`
	SpotIDs  []string       `json:"spot,omitempty"`
	ListIDs  []string       `json:"list,omitempty"`
	Kinds    []items.Kind   `json:"type,omitempty"`
	Audience items.Audience `json:"audience,omitempty"`
	Statuses []items.Status `json:"status,omitempty"`
	Sort     Sort           `json:"sort,omitempty"`
	Limit    int            `json:"limit,omitempty"`
	Cursor   string         `json:"cursor,omitempty"`
}

// Hit is one matching item.
type Hit struct {
	Item       items.Item          `json:"item"`
	Score      float64             `json:"score"`
	Highlights map[string][]string `json:"highlights,omitempty"`
}

// FacetValue is one value of a facet with the number of visible hits.
type FacetValue struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Result is the answer to a Request. Total and Facets count only items the
// principal may see.
type Result struct {
	Total int `json:"total"`
	// Relaxed says an AND query without hits was retried as OR.
	Relaxed    bool                    `json:"relaxed"`
	Hits       []Hit                   `json:"hits"`
	Facets     map[string][]FacetValue `json:"facets"`
	NextCursor string                  `json:"next_cursor,omitempty"`
}
