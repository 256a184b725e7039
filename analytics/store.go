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
// in UTC. analytics/analyticstest is its conformance suite and the long
// form of this contract.
//
// Deltas are added onto the row with the same key (see each roll-up
// type), creating it when missing. Fields that are neither key nor summed
// keep the value of the delta that created the row (an ItemDay's SpotID,
// a VisitPage's SpotID, ShareID, Recipient and Bot, a RecipientTotal's
// ShareOwner), except VisitPage.Day, which keeps the earliest day, and
// RecipientTotal.FirstAt and LastAt, the earliest and latest instants (a
// zero time is unset). Writing methods refuse with ErrInvalid, writing
// nothing: an event without At, a Day that is not a well-formed
// "2006-01-02", an ItemDay, ItemViewer or VisitPage without ItemID, an
// ItemViewer without Viewer, a QueryDay without Query, an ActorDay
// without Actor.
type Store interface {
	// Append stores events (assigning their IDs, increasing in the order
	// given and never reused, even once the newest events were deleted;
	// the caller's ID is ignored) and adds the roll-up deltas, all in one
	// transaction: when it fails, nothing is stored.
	Append(ctx context.Context, evs []Event, r Rollups) error
	// AddRollups adds deltas (which may be negative) without events, in one
	// transaction: for rebuilds and erasure.
	AddRollups(ctx context.Context, r Rollups) error
	// ResetRollups deletes every roll-up row, before a rebuild.
	ResetRollups(ctx context.Context) error
	// Events returns the events with an ID above f.AfterID (and, when
	// f.Recipient is set, that exact Recipient) in ID order, at most
	// f.Limit.
	Events(ctx context.Context, f EventFilter) ([]Event, error)
	// DeleteEvents deletes the raw events whose At is strictly before
	// before (retention), and returns how many; roll-ups stay. The zero
	// time is ErrInvalid.
	DeleteEvents(ctx context.Context, before time.Time) (int64, error)
	// EraseRecipient adds subtract (the recipient's part of the anonymous
	// roll-ups, as negative deltas the service computed), deletes the raw
	// events whose Recipient is email and the roll-up rows keyed by it
	// (VisitPage, RecipientTotal), all in one transaction, and returns how
	// many rows it deleted. A crash leaves all of it or none, so a retry
	// never subtracts twice. An empty email or invalid deltas are
	// ErrInvalid, and change nothing.
	EraseRecipient(ctx context.Context, email string, subtract Rollups) (int64, error)

	// SumItems sums ItemDay rows per item over f and adds, per item, the
	// unique viewers (ItemViewer), the visits and unique (non-empty)
	// recipients that read it (VisitPage), and the distinct (visit, page)
	// pairs read, each over the rows matching f. Ordered by item ID; Day
	// and SpotID are the latest day summed and its row's spot; Bot is
	// false.
	SumItems(ctx context.Context, f Filter) ([]ItemSum, error)
	// SumSpots sums ItemDay rows per spot (the rows' own SpotID) over f,
	// with unique viewers and the number of distinct items engaged with,
	// ordered by spot ID; Day is the latest day summed.
	SumSpots(ctx context.Context, f Filter) ([]SpotSum, error)
	// VisitPages returns VisitPage rows matching f (for completion and
	// per-page reports; f.ShareIDs filters too), ordered by item, view,
	// page.
	VisitPages(ctx context.Context, f Filter) ([]VisitPage, error)
	// RecipientTotals returns the RecipientTotal rows of the shares in
	// f.ShareIDs or of the owners in f.Owners (a row matches either; both
	// empty: all), ordered by share, recipient, then bot rows last. Bot
	// rows only with f.IncludeBots. Days are ignored.
	RecipientTotals(ctx context.Context, f Filter) ([]RecipientTotal, error)
	// SumQueries sums QueryDay rows per query over f.From..f.To, keeping
	// queries searched at least once whose average hits is at most
	// maxAvgHits, most searched first (ties by query), at most f.Limit.
	// LastDay is the latest day summed.
	SumQueries(ctx context.Context, f Filter, maxAvgHits float64) ([]QuerySum, error)
	// SumActors sums ActorDay rows per actor and type over f.From..f.To
	// (f.Owners filters actors), ordered by actor then type; Day is the
	// latest day summed.
	SumActors(ctx context.Context, f Filter) ([]ActorDay, error)
	// Top returns the items with the highest Σ ItemDay.Score × weight of
	// the row's day (days absent from f.DayWeights count 0; nil DayWeights
	// means weight 1 for every day: all time), highest first, ties by item
	// ID, at most f.Limit (zero: all); scores of zero or less are left
	// out. f.ItemIDs restricts to those items (then Limit is ignored).
	// SpotID is the spot of the item's latest day counted.
	Top(ctx context.Context, f TopFilter) ([]ItemScore, error)
}

// Filter selects roll-up rows. Zero (or empty) fields do not filter,
// except SpotIDs and Limit (zero: 100 for SumQueries, unlimited
// elsewhere). A malformed From or To is ErrInvalid.
type Filter struct {
	// From and To bound days, both included.
	From, To Day
	// SpotIDs keeps rows whose SpotID (the item's home spot when the row
	// was created) is one of these; a nil or empty SpotIDs without
	// AllSpots matches nothing (callers fail closed), and AllSpots
	// matches every spot whatever SpotIDs holds. RecipientTotals,
	// SumQueries and SumActors ignore both.
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
