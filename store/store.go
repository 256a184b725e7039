// Package store defines the aggregate storage interface every Briefcase
// adapter implements: all domain stores (spots, items, audit, API tokens,
// and shares with their links, views and engagement), a change feed, and
// transactions.
//
// Adapters live in sub-packages: sqlitestore (the default, on SQLite),
// memstore (an in-memory fake for tests), and storetest, the conformance
// suite every adapter must pass. Adapters hold data, never rules: they never
// see a principal, and the services push down explicit filters (the spot IDs
// a caller may see) and an explicit time.
package store

import (
	"context"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/auth"
	"github.com/briefcasehq/briefcase/governance"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/share"
	"github.com/briefcasehq/briefcase/spots"
)

// Store is everything Briefcase persists. Implementations are safe for
// concurrent use.
type Store interface {
	spots.Store
	items.Store
	audit.Store
	auth.Store
	share.Store
	governance.Store
	ChangeFeed

	// Atomic runs fn in one transaction: the writes fn makes through tx are
	// all committed when fn returns nil, and none are when it returns an
	// error or panics (the error, or the panic, is passed on). Reads through
	// tx see fn's own writes. Atomic called on tx runs fn in the same
	// transaction. Other goroutines never see a partial transaction.
	Atomic(ctx context.Context, fn func(tx Store) error) error

	// Close releases the store. Close on a tx is a no-op.
	Close() error
}

// Entity names what a change is about.
type Entity string

// Entities recorded in the change feed.
const (
	EntityItem      Entity = "item"
	EntitySpot      Entity = "spot"
	EntityList      Entity = "list"
	EntityListGroup Entity = "list_group"
)

// Op is what happened to an entity.
type Op string

// Ops.
const (
	OpUpsert Op = "upsert"
	OpDelete Op = "delete"
)

// Change is one entry of the change feed: an entity whose indexed view may
// have changed.
type Change struct {
	// Seq is assigned in commit order, strictly increasing, never reused.
	Seq      int64  `json:"seq"`
	Entity   Entity `json:"entity"`
	EntityID string `json:"entity_id"`
	Op       Op     `json:"op"`
}

// ChangeFeed is the ordered log of content changes the search index follows.
//
// Every write that changes content appends its changes in the same
// transaction: creating, updating or deleting an item, a version, a
// placement or a list membership records (item, id); creating, updating or
// deleting a spot, list or list group records that entity; deletions that
// cascade record a delete for every item and list they remove, and an
// upsert for every surviving item that loses a placement or a list
// membership with them. Grants, principals, bookmarks, tokens, audit
// entries, and shares with everything about them (links, gate codes, views,
// engagement, secrets) are not content and are not recorded.
type ChangeFeed interface {
	// Changes returns the changes with Seq greater than after, in Seq order,
	// at most limit (zero: 1000). A change is visible here only once its
	// transaction committed, and a reader that has seen Seq n never later
	// finds a committed change with a smaller Seq it has not seen.
	Changes(ctx context.Context, after int64, limit int) ([]Change, error)
	// LastChangeSeq returns the highest Seq, or 0 when the feed is empty.
	LastChangeSeq(ctx context.Context) (int64, error)
}
