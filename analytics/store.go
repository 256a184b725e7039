package analytics

import (
	"context"
	"time"
)

// Store persists the event log and its roll-ups. It is separate from
// store.Store so embedders may keep events in another database; the SQLite
// and in-memory adapters implement both. It holds no rules: the service
// computes every roll-up delta and passes explicit filters. Methods are
// safe for concurrent use; times keep microsecond precision and come back
// in UTC.
type Store interface {
	// Append stores events (assigning their IDs, increasing in the order
	// given) and adds the roll-up deltas, all in one transaction.
	Append(ctx context.Context, evs []Event, r Rollups) error
	// AddRollups adds deltas (which may be negative) without events, in one
	// transaction: for rebuilds and erasure.
	AddRollups(ctx context.Context, r Rollups) error
	// ResetRollups deletes every roll-up row, before a rebuild.
	ResetRollups(ctx context.Context) error
	// Events returns the events matching f in ID order, at most f.Limit.
	Events(ctx context.Context, f EventFilter) ([]Event, error)
	// DeleteEvents deletes the raw events before f.Before (retention),
	// and returns how many. Only f.Before is used and it is required.
	DeleteEvents(ctx context.Context, before time.Time) (int64, error)
	// EraseRecipient deletes the raw events whose Recipient is email and
	// the roll-up rows keyed by it (VisitPage, RecipientTotal), and
	// returns how many rows it deleted. The service subtracts the
	// recipient's contributions from anonymous roll-ups first.
	EraseRecipient(ctx context.Context, email string) (int64, error)

	// SumItems sums ItemDay rows per item over f and adds, per item, the
	// unique viewers (ItemViewer), the visits and unique recipients that
	// read it (VisitPage), and the distinct (visit, page) pairs read.
	SumItems(ctx context.Context, f Filter) ([]ItemSum, error)
	// SumSpots sums ItemDay rows per spot over f, with unique viewers and
	// the number of distinct items engaged with.
	SumSpots(ctx context.Context, f Filter) ([]SpotSum, error)
	// VisitPages returns VisitPage rows matching f (for completion and
	// per-page reports), ordered by item, view, page.
	VisitPages(ctx context.Context, f Filter) ([]VisitPage, error)
	// RecipientTotals returns the RecipientTotal rows of the shares in
	// f.ShareIDs or of the owners in f.Owners (both empty: all), ordered
	// by share then recipient. Bot rows only with f.IncludeBots.
	RecipientTotals(ctx context.Context, f Filter) ([]RecipientTotal, error)
	// SumQueries sums QueryDay rows per query over f.From..f.To, keeping
	// queries whose average hits is at most maxAvgHits, most searched
	// first, at most f.Limit.
	SumQueries(ctx context.Context, f Filter, maxAvgHits float64) ([]QuerySum, error)
	// SumActors sums ActorDay rows per actor and type over f (f.Owners
	// filters actors).
	SumActors(ctx context.Context, f Filter) ([]ActorDay, error)
	// Top returns the items with the highest Σ ItemDay.Score × weight of
	// the row's day (days absent from f.DayWeights count 0; nil DayWeights
	// means weight 1 for every day: all time), highest first, ties by item
	// ID, at most f.Limit; scores of zero or less are left out. f.ItemIDs
	// restricts to those items (then Limit is ignored).
	Top(ctx context.Context, f TopFilter) ([]ItemScore, error)
}

// Filter selects roll-up rows. Zero fields do not filter, except Limit
// (zero: 100 for SumQueries, unlimited elsewhere).
type Filter struct {
	// From and To bound days, both included.
	From, To Day
	// SpotIDs keeps rows of items homed in these spots; a nil or empty
	// SpotIDs without AllSpots matches nothing (callers fail closed).
	// RecipientTotals, SumQueries and SumActors ignore both.
	SpotIDs  []string
	AllSpots bool
	ItemIDs  []string
	ShareIDs []string
	Owners   []string
	// IncludeBots adds the rows of suspected bots.
	IncludeBots bool
	Limit       int
}

// EventFilter selects raw events.
type EventFilter struct {
	AfterID   int64
	Recipient string
	Limit     int // zero: 1000
}

// TopFilter selects trending or popular items.
type TopFilter struct {
	DayWeights map[Day]float64
	// SpotIDs and AllSpots as in Filter.
	SpotIDs     []string
	AllSpots    bool
	ItemIDs     []string
	IncludeBots bool
	Limit       int
}

// ItemScore is an item's trending or popular score.
type ItemScore struct {
	ItemID string  `json:"item_id"`
	SpotID string  `json:"spot_id"`
	Score  float64 `json:"score"`
}

// ItemSum is an item's engagement over a range.
type ItemSum struct {
	ItemDay
	UniqueViewers    int64 `json:"unique_viewers"`
	Visits           int64 `json:"visits"`
	UniqueRecipients int64 `json:"unique_recipients"`
	PagesRead        int64 `json:"pages_read"`
}

// SpotSum is a spot's engagement over a range.
type SpotSum struct {
	ItemDay
	UniqueViewers int64 `json:"unique_viewers"`
	ItemsEngaged  int64 `json:"items_engaged"`
}

// QuerySum is a query's searches over a range.
type QuerySum struct {
	Query    string  `json:"query"`
	Searches int64   `json:"searches"`
	ZeroHits int64   `json:"zero_hits"`
	AvgHits  float64 `json:"avg_hits"`
	LastDay  Day     `json:"last_day"`
}
