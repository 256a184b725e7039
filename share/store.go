package share

import (
	"context"
	"time"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
)

// Store persists shares, links, gate codes, views and engagement. It holds
// no rules: it never sees a principal and computes nothing the service
// should decide (caps, bot marks, expiry); services pass explicit filters
// and times. Every method is safe for concurrent use. Missing records are
// ErrNotFound (wrapped); duplicate IDs are ErrConflict. Times keep at least
// microsecond precision and come back in UTC. Returned values are copies,
// and so are stored ones: the caller may change what it passed in.
// LinkSettings.Passcode is input only: it is never stored and always comes
// back empty. Listing methods answer with an empty list, not an error, when
// nothing matches, also for a share or view that does not exist. Every
// method that writes several rows is atomic on its own.
type Store interface {
	// CreateShare stores a share with its sections, items and contributors.
	// ErrConflict when the ID exists or an item appears twice in the share
	// (in one section or in two); a contributor listed twice is kept once.
	CreateShare(ctx context.Context, s Share) error
	// GetShare returns a share with its sections (in order, each with its
	// items in order) and contributors (sorted).
	GetShare(ctx context.Context, id string) (Share, error)
	// UpdateShare replaces everything stored about the share but its
	// CreatedAt, OwnerID and Kind: title, message, sections and their
	// items, contributors, CRM references, settings, revocation and
	// UpdatedAt, zero values included. ErrNotFound when the share does not
	// exist; ErrConflict, changing nothing, when an item appears twice.
	UpdateShare(ctx context.Context, s Share) error
	// ListShares returns the shares matching f, newest first (by ID, which
	// is time-ordered), at most f.Limit of them.
	ListShares(ctx context.Context, f ShareFilter) ([]Share, error)

	// CreateLink stores a link; ErrNotFound when its share does not exist,
	// ErrConflict when the ID or the token hash exists.
	CreateLink(ctx context.Context, l Link) error
	GetLink(ctx context.Context, id string) (Link, error)
	// GetLinkByTokenHash finds the link whose token hashes to hash.
	GetLinkByTokenHash(ctx context.Context, hash string) (Link, error)
	// ListLinks returns a share's links, oldest CreatedAt first (ties by
	// ID).
	ListLinks(ctx context.Context, shareID string) ([]Link, error)
	// UpdateLink replaces a link's settings, passcode hash, revocation,
	// failed attempts and lock-out (not its share, recipient, token or
	// CreatedAt). ErrNotFound when the link does not exist.
	UpdateLink(ctx context.Context, l Link) error

	// PutGateCode stores the one-time code for (LinkID, Email), replacing
	// any earlier one. ErrNotFound when the link does not exist. Addresses
	// are compared exactly: the service normalizes them.
	PutGateCode(ctx context.Context, c GateCode) error
	// GetGateCode returns the code for (linkID, email).
	GetGateCode(ctx context.Context, linkID, email string) (GateCode, error)
	// DeleteGateCode removes it; ErrNotFound when absent.
	DeleteGateCode(ctx context.Context, linkID, email string) error

	// CreateView stores a view; ErrNotFound when its link does not exist,
	// ErrConflict when the ID exists. A view's ShareID is its link's share.
	CreateView(ctx context.Context, v View) error
	// GetView returns a view. Inside a transaction (store.Atomic) it also
	// holds the view against other transactions' writes until commit
	// (SELECT ... FOR UPDATE where the engine needs it), so that two
	// batches of beacons of one view are applied one after the other.
	GetView(ctx context.Context, id string) (View, error)
	// UpdateView replaces a view's mutable fields: recipient, bot mark and
	// reason, last beacon time, beacon count, active time, notified time.
	// ErrNotFound when the view does not exist.
	UpdateView(ctx context.Context, v View) error
	// GetViews returns the views with these IDs, in the order given,
	// leaving out IDs no view has. Inside a transaction it holds them like
	// GetView. The share service reads a batch of beacons' views with it.
	GetViews(ctx context.Context, ids []string) ([]View, error)
	// UpdateViews is UpdateView for several views at once; ErrNotFound
	// when one does not exist, and then none is changed.
	UpdateViews(ctx context.Context, vs []View) error
	// ListViews returns the views matching f, oldest StartedAt first (ties
	// by ID); ErrInvalid when f sets none of ShareID, LinkID and
	// NoBeaconBefore.
	ListViews(ctx context.Context, f ViewFilter) ([]View, error)

	// AddPageEvents stores each event whose (ViewID, Seq) is not stored
	// yet, in order, and reports for each whether it was stored (false: a
	// duplicate, left as it was; of two events with one (ViewID, Seq) in
	// evs, the first is stored). ErrNotFound when a view does not exist;
	// then nothing is stored.
	AddPageEvents(ctx context.Context, evs []PageEvent) ([]bool, error)
	// AddPageStats adds each stat onto the stored one with the same
	// (ViewID, ItemID, Page): ActiveMS and Beacons are summed, FirstAt is
	// the earlier and LastAt the later. Missing rows are created; a key
	// twice in stats is added twice. ErrNotFound when a view does not
	// exist; then nothing is stored.
	AddPageStats(ctx context.Context, stats []PageStat) error
	// ListPageStats returns the stats of every view of a share, ordered by
	// ViewID, then ItemID, then Page.
	ListPageStats(ctx context.Context, shareID string) ([]PageStat, error)
	// ListPageEvents returns a view's raw page events in Seq order.
	ListPageEvents(ctx context.Context, viewID string) ([]PageEvent, error)

	// AddEvent appends an event; ErrNotFound when its share does not
	// exist. The store assigns Seq, strictly increasing in append order
	// across all shares; the caller's is ignored.
	AddEvent(ctx context.Context, e Event) error
	// ListEvents returns the share's events in Seq order.
	ListEvents(ctx context.Context, shareID string) ([]Event, error)

	// Secret returns the secret stored under name, first storing value
	// there when there is none (so concurrent callers, on any node, agree
	// on one).
	Secret(ctx context.Context, name string, value []byte) ([]byte, error)
}

// ShareFilter selects shares. Zero fields do not filter.
type ShareFilter struct {
	Kind Kind
	// Member keeps shares this principal owns or contributes to.
	Member string
	// ItemID keeps shares that hold this item.
	ItemID string
	// LiveAt keeps shares not revoked (the share itself) with at least one
	// link neither revoked nor expired at this time. Revoked means
	// RevokedAt is set, whatever its time; expired means the link's
	// Settings.ExpiresAt is set and not after LiveAt. The share's own
	// Settings are only defaults for new links and play no part.
	LiveAt time.Time
	// BeforeID is the cursor: only shares with an ID lower than it.
	BeforeID string
	// Limit caps the result; zero means 100.
	Limit int
}

// ViewFilter selects views. Zero fields do not filter, but at least one of
// ShareID and LinkID or NoBeaconBefore must be set.
type ViewFilter struct {
	ShareID string
	LinkID  string
	// NoBeaconBefore keeps views started before this time (StartedAt
	// strictly earlier) that have no beacon yet (Beacons is 0) and are not
	// marked as suspected bots (the silent views the service marks).
	NoBeaconBefore time.Time
	// Limit caps the result; zero means 1000.
	Limit int
}

// Stores is what the share service reads and writes: its own store, the
// items it shares and the principals it names (read only), and the audit
// log.
type Stores interface {
	Store
	items.Store
	spots.Store
	audit.Store
}

// AtomicFunc runs fn in one transaction over the stores.
type AtomicFunc func(ctx context.Context, fn func(tx Stores) error) error
