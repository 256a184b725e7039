package search

import (
	"context"
	"time"

	"github.com/briefcasehq/briefcase/errcode"
)

// ErrNotFound is returned by Explain and Indexer.Explain for a document the
// index does not hold (or the caller may not see).
var ErrNotFound = errcode.New(errcode.NotFound, "search: not in the index")

// ErrClosed is returned by an Indexer used after Close.
var ErrClosed = errcode.New(errcode.Unavailable, "search: index closed")

// Document is the indexed view of one item: everything search matches,
// filters, facets and sorts on. The index is derived data; the follower
// builds documents from the store.
type Document struct {
	ID string
	// Title and ExternalTitle are matched as FieldTitle; Description and
	// ExternalDescription as FieldDescription.
	Title, ExternalTitle             string
	Description, ExternalDescription string
	// Pages is the extracted text of the current version, one entry per
	// page or slide (FieldBody).
	Pages []string
	// HomeSpotID is the item's home spot; SpotIDs holds it and every
	// placement. SpotNames are their names (FieldSpot).
	HomeSpotID string
	SpotIDs    []string
	SpotNames  []string
	// ListIDs are the item's lists; ListNames their names (FieldList).
	ListIDs   []string
	ListNames []string
	Labels    []string
	Author    string
	// Owners are the owners' subject IDs ("ada", "sales") and, for users,
	// their names (FieldOwner).
	Owners   []string
	Kind     string
	Audience string
	Status   string
	// Flagged marks an expired item that stays visible: it ranks last and
	// hits say so.
	Flagged          bool
	Promoted         bool
	PromotedKeywords []string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	ExpiresAt        time.Time
	// Trending and Popular are the analytics signals (engagement in the
	// recent window, and all time); zero until analytics provides them.
	Trending float64
	Popular  float64
}

// Indexer is a search engine holding Documents. blugesearch is the default
// engine; searchtest is the conformance suite every engine passes.
//
// Implementations are safe for concurrent use: one goroutine (the follower)
// writes while many search. Index calls are atomic: a crash leaves either
// the whole batch with its sequence or none of it.
type Indexer interface {
	// Index adds or replaces docs (by ID), removes the documents with the
	// IDs in deletes (absent IDs are ignored), and records seq as the last
	// applied change-feed sequence, all in one atomic batch. A seq lower
	// than the recorded one is an error (ErrInvalid): the follower never
	// goes back.
	Index(ctx context.Context, docs []Document, deletes []string, seq int64) error
	// AppliedSeq returns the sequence recorded by the last Index or Build
	// commit; 0 for a new index.
	AppliedSeq(ctx context.Context) (int64, error)
	// Search runs q. Hits, Total and Facets count only documents matching
	// both q.Match and q.Filter.
	Search(ctx context.Context, q EngineQuery) (EngineResult, error)
	// Explain says how document id scored under q. ErrNotFound when the
	// document is not indexed or does not pass q.Filter; an explanation
	// with Matched false when it passes the filter but not q.Match.
	Explain(ctx context.Context, q EngineQuery, id string) (Explanation, error)
	// Rebuild starts building a replacement index while this one keeps
	// serving searches and taking Index calls. Committing the build makes
	// it the index searched and written from then on.
	Rebuild(ctx context.Context) (Build, error)
	// Count returns the number of documents held.
	Count(ctx context.Context) (int, error)
	// Close releases the index; later calls return ErrClosed.
	Close() error
}

// Build is a replacement index being filled (see Indexer.Rebuild).
type Build interface {
	// Add indexes documents into the replacement.
	Add(ctx context.Context, docs []Document) error
	// Commit records seq as the replacement's applied sequence and swaps it
	// in atomically: searches see either the old index or the whole new one.
	Commit(ctx context.Context, seq int64) error
	// Abort discards the replacement; the current index is untouched.
	// Abort after Commit is a no-op.
	Abort() error
}

// EngineQuery is a search as engines run it: the service has already
// parsed the query, applied permissions and chosen the window.
type EngineQuery struct {
	// Match is the query tree; nil or *All matches every document.
	Match Node
	// Filter restricts the documents without affecting scores.
	Filter Filter
	// Boosts weight fields and promoted keywords in the text score.
	Boosts Boosts
	// Sort orders hits. For SortRelevance: score descending, then ID
	// ascending. SortNewest: CreatedAt descending, then ID descending.
	// SortTitle: title (lower case) ascending, then ID. SortTrending and
	// SortPopular: the signal descending, then ID descending. Whatever the
	// sort, flagged documents come after all unflagged ones.
	Sort Sort
	// After continues a non-relevance sort after the hit with this
	// SortKey (from EngineHit.SortKey); nil starts at the beginning.
	After []string
	// Offset skips hits (relevance paging); Limit caps Hits (0: no hits,
	// only Total and Facets).
	Offset, Limit int
	// Facets names the facets to count over all matching documents:
	// FacetSpot, FacetList, FacetType, FacetAudience, FacetStatus.
	Facets []Facet
}

// Facet names a facet of the result.
type Facet string

// Facets.
const (
	FacetSpot     Facet = "spot"     // spot IDs (home and placements)
	FacetList     Facet = "list"     // list IDs
	FacetType     Facet = "type"     // kinds
	FacetAudience Facet = "audience" // audiences
	FacetStatus   Facet = "status"   // statuses
)

// Filter restricts documents without scoring. A document passes when every
// non-empty part holds (nil and empty slices both mean no restriction). The access part is mandatory: a nil Access matches
// nothing, so an engine that forgets it fails closed.
type Filter struct {
	Access *Access
	// SpotIDs keeps documents with any SpotID in the set.
	SpotIDs []string
	// ListGroups keeps documents that, for every inner slice, are in at
	// least one of its lists (OR within a list group, AND across groups).
	ListGroups [][]string
	// Kinds, Audiences and Statuses keep documents whose value is in the set.
	Kinds     []string
	Audiences []string
	Statuses  []string
}

// Access is what a principal may see: documents with a SpotID in SpotIDs
// and either a status in Statuses or their HomeSpotID in AnyStatusHomeIDs
// (the spots whose hidden statuses the principal may see).
type Access struct {
	// All lets every document through (the system principal, reindexing
	// checks). Services never set it for a person.
	All              bool
	SpotIDs          []string
	Statuses         []string
	AnyStatusHomeIDs []string
}

// Boosts weight the text score: a match in a field scores its boost times
// the engine's base relevance. Zero boosts mean the defaults.
type Boosts struct {
	Title, Description, Body, Spot, List, Label, Author, Owner float64
}

// DefaultBoosts rank title over description over body.
func DefaultBoosts() Boosts {
	return Boosts{Title: 4, Description: 2, Body: 1, Spot: 1.5, List: 1.5, Label: 2, Author: 1.5, Owner: 1}
}

// Field returns the boost of f (defaults for zero values).
func (b Boosts) Field(f Field) float64 {
	d := DefaultBoosts()
	pick := func(v, def float64) float64 {
		if v > 0 {
			return v
		}
		return def
	}
	switch f {
	case FieldTitle:
		return pick(b.Title, d.Title)
	case FieldDescription:
		return pick(b.Description, d.Description)
	case FieldBody:
		return pick(b.Body, d.Body)
	case FieldSpot:
		return pick(b.Spot, d.Spot)
	case FieldList:
		return pick(b.List, d.List)
	case FieldLabel:
		return pick(b.Label, d.Label)
	case FieldAuthor:
		return pick(b.Author, d.Author)
	case FieldOwner:
		return pick(b.Owner, d.Owner)
	}
	return 1
}

// EngineResult is what an engine found.
type EngineResult struct {
	// Total counts every document matching Match and Filter.
	Total int
	Hits  []EngineHit
	// Facets maps each requested facet to its values, most frequent first,
	// then by value; values with no matching document are absent.
	Facets map[Facet][]FacetValue
}

// EngineHit is one matching document.
type EngineHit struct {
	ID string
	// Score is the text relevance (0 when Match is nil or *All).
	Score float64
	// SortKey continues the sort after this hit (EngineQuery.After).
	SortKey []string
	// Summary carries the ranking signals the service re-ranks with.
	Summary Summary
}

// Summary is the part of a Document returned with every hit.
type Summary struct {
	Title            string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	Promoted         bool
	PromotedKeywords []string
	Flagged          bool
	Trending         float64
	Popular          float64
}

// Explanation says why a document matched and how its score was built.
type Explanation struct {
	ID      string  `json:"id"`
	Matched bool    `json:"matched"`
	Score   float64 `json:"score"`
	// Detail is the engine's score tree.
	Detail *ScoreNode `json:"detail,omitempty"`
	// Summary is the indexed document's summary (as Search returns it with
	// a hit), so that Explain re-ranks exactly as Search did.
	Summary Summary `json:"-"`
}

// ScoreNode is one step of a score: Value, what it is, and its parts.
type ScoreNode struct {
	Value    float64      `json:"value"`
	Message  string       `json:"message"`
	Children []*ScoreNode `json:"children,omitempty"`
}
