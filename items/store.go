package items

import (
	"context"
	"io"
	"time"

	"github.com/briefcasehq/briefcase/audit"
)

// Store persists items, versions, placements, lists and bookmarks. It holds
// no rules: it never sees a principal; services pass the spots a caller may
// see as a filter. Every method is safe for concurrent use. Missing records
// are ErrNotFound (wrapped); duplicate IDs are ErrConflict. Times keep at
// least microsecond precision and come back in UTC. Returned values are
// copies.
type Store interface {
	// CreateItem stores a new item (Placements and ListIDs are ignored). It
	// returns ErrNotFound when the home spot does not exist.
	CreateItem(ctx context.Context, it Item) error
	// GetItem returns an item with its placements and list IDs.
	GetItem(ctx context.Context, id string) (Item, error)
	// UpdateItem replaces the stored item's fields with it's, except
	// CreatedAt, CreatedBy, Placements and ListIDs. Moving the home spot to a
	// spot where the item is placed removes that placement.
	UpdateItem(ctx context.Context, it Item) error
	// DeleteItem deletes an item with its versions, placements, list
	// memberships and bookmarks.
	DeleteItem(ctx context.Context, id string) error
	// ListItems returns the items matching f, newest first (by ID, which is
	// time-ordered), at most f.Limit of them.
	ListItems(ctx context.Context, f ItemFilter) ([]Item, error)

	// PutPlacement places an item in a spot other than its home; placing it
	// again is a no-op. ErrNotFound when the item or spot does not exist;
	// ErrConflict when spotID is the item's home.
	PutPlacement(ctx context.Context, itemID, spotID string, at time.Time) error
	// DeletePlacement removes a placement; ErrNotFound when there is none.
	DeletePlacement(ctx context.Context, itemID, spotID string) error

	// CreateVersion stores a version. ErrConflict when the ID or the
	// (ItemID, Number) pair exists; ErrNotFound when the item does not.
	CreateVersion(ctx context.Context, v Version) error
	// GetVersion returns one version.
	GetVersion(ctx context.Context, id string) (Version, error)
	// ListVersions returns an item's versions, oldest (number 1) first.
	ListVersions(ctx context.Context, itemID string) ([]Version, error)

	// CreateListGroup stores a list group; ErrConflict on a duplicate ID or
	// name (names compare case-insensitively).
	CreateListGroup(ctx context.Context, g ListGroup) error
	GetListGroup(ctx context.Context, id string) (ListGroup, error)
	// ListListGroups returns every group ordered by name.
	ListListGroups(ctx context.Context) ([]ListGroup, error)
	// UpdateListGroup renames a group; ErrConflict when the name is taken.
	UpdateListGroup(ctx context.Context, g ListGroup) error
	// DeleteListGroup deletes a group with its lists and their memberships.
	DeleteListGroup(ctx context.Context, id string) error

	// CreateList stores a list; ErrNotFound when its group does not exist,
	// ErrConflict on a duplicate ID or on a name taken in the same group.
	CreateList(ctx context.Context, l List) error
	GetList(ctx context.Context, id string) (List, error)
	// ListLists returns the lists of one group, or of every group when
	// groupID is empty, ordered by group then name.
	ListLists(ctx context.Context, groupID string) ([]List, error)
	// UpdateList renames a list or moves it to another group.
	UpdateList(ctx context.Context, l List) error
	// DeleteList deletes a list and its memberships.
	DeleteList(ctx context.Context, id string) error
	// PutListItem adds an item to a list (no-op when present);
	// ErrNotFound when either does not exist.
	PutListItem(ctx context.Context, listID, itemID string) error
	// DeleteListItem removes an item from a list; ErrNotFound when absent.
	DeleteListItem(ctx context.Context, listID, itemID string) error

	// PutBookmark creates or keeps a bookmark; ErrNotFound when the item
	// does not exist.
	PutBookmark(ctx context.Context, b Bookmark) error
	// DeleteBookmark removes a bookmark; ErrNotFound when absent.
	DeleteBookmark(ctx context.Context, principalID, itemID string) error
	// ListBookmarks returns a principal's bookmarks of items in any of
	// f.SpotIDs, newest first.
	ListBookmarks(ctx context.Context, f BookmarkFilter) ([]Bookmark, error)
}

// ItemFilter selects items. An item matches when all of these hold:
//   - its home or one of its placements is in SpotIDs (or AllSpots is set);
//     a nil or empty SpotIDs without AllSpots matches nothing;
//   - Statuses is empty, or its status is in Statuses, or its home spot is in
//     AnyStatusHomeIDs;
//   - HideHidden is false, or it is not Hidden, or its home spot is in
//     AnyStatusHomeIDs;
//   - each other non-zero field matches.
type ItemFilter struct {
	SpotIDs  []string
	AllSpots bool
	// Statuses and AnyStatusHomeIDs filter by status as described above.
	Statuses         []Status
	AnyStatusHomeIDs []string
	// HideHidden drops Hidden items unless their home spot is in
	// AnyStatusHomeIDs (viewers never see what governance hid).
	HideHidden bool
	// ListIDs keeps items in at least one of these lists.
	ListIDs  []string
	Kinds    []Kind
	Audience Audience
	// BeforeID is the cursor: only items with an ID lower than it.
	BeforeID string
	// Limit caps the result; zero means 100.
	Limit int
}

// BookmarkFilter selects one principal's bookmarks.
type BookmarkFilter struct {
	PrincipalID string
	// SpotIDs keeps bookmarks of items homed or placed in these spots;
	// nil or empty matches nothing.
	SpotIDs []string
}

// Blobs stores version contents. Implementations must be safe for
// concurrent use.
type Blobs interface {
	// Put stores everything read from r and returns its key, its SHA-256
	// (hex) and its size. A failed or cancelled Put leaves nothing visible.
	Put(ctx context.Context, r io.Reader) (BlobInfo, error)
	// Open returns the blob's content; ErrNotFound when there is none.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
}

// BlobInfo describes a stored blob.
type BlobInfo struct {
	Key    string
	SHA256 string
	Size   int64
}

// Stores is what the items service reads and writes.
type Stores interface {
	Store
	audit.Store
}

// AtomicFunc runs fn in one transaction over the items and audit stores.
type AtomicFunc func(ctx context.Context, fn func(tx Stores) error) error
