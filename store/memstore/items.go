package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/store"
)

// normItem is the stored form of an item: a deep copy in UTC, without the
// Placements and ListIDs that are kept elsewhere.
func normItem(it items.Item) items.Item {
	it = it.Clone()
	it.Placements, it.ListIDs = nil, nil
	for _, t := range []*time.Time{&it.AvailableAt, &it.ExpiresAt, &it.VerifiedAt, &it.VerifyBy, &it.SubmittedAt, &it.SweepAt,
		&it.CreatedAt, &it.UpdatedAt} {
		*t = utc(*t)
	}
	return it
}

// item returns a copy of a stored item with its placements and lists.
func (st *state) item(id string) (items.Item, bool) {
	it, ok := st.items[id]
	if !ok {
		return items.Item{}, false
	}
	it = it.Clone()
	it.Placements = st.placementsOf(id)
	for k := range st.members {
		if k.itemID == id {
			it.ListIDs = append(it.ListIDs, k.listID)
		}
	}
	slices.Sort(it.ListIDs)
	return it, true
}

// placementsOf returns the spots an item is placed in, sorted.
func (st *state) placementsOf(itemID string) []string {
	var out []string
	for k := range st.placements {
		if k.itemID == itemID {
			out = append(out, k.spotID)
		}
	}
	slices.Sort(out)
	return out
}

// inSpots reports whether the item is homed or placed in one of spotIDs.
func (st *state) inSpots(it items.Item, spotIDs []string) bool {
	if slices.Contains(spotIDs, it.SpotID) {
		return true
	}
	for _, id := range spotIDs {
		if _, ok := st.placements[placementKey{it.ID, id}]; ok {
			return true
		}
	}
	return false
}

// CreateItem stores a new item.
func (s *Store) CreateItem(ctx context.Context, it items.Item) error {
	return s.write(ctx, func(st *state) error {
		if _, ok := st.items[it.ID]; ok {
			return fmt.Errorf("memstore: create item %s: %w", it.ID, items.ErrConflict)
		}
		if _, ok := st.spots[it.SpotID]; !ok {
			return fmt.Errorf("memstore: create item %s: home spot %s: %w", it.ID, it.SpotID, items.ErrNotFound)
		}
		st.items[it.ID] = normItem(it)
		st.record(store.EntityItem, it.ID, store.OpUpsert)
		return nil
	})
}

// GetItem returns an item with its placements and list IDs.
func (s *Store) GetItem(ctx context.Context, id string) (items.Item, error) {
	return query(ctx, s, func(st *state) (items.Item, error) {
		it, ok := st.item(id)
		if !ok {
			return items.Item{}, fmt.Errorf("memstore: get item %s: %w", id, items.ErrNotFound)
		}
		return it, nil
	})
}

// UpdateItem replaces an item, keeping CreatedAt and CreatedBy. Moving it
// home to a spot it is placed in removes that placement.
func (s *Store) UpdateItem(ctx context.Context, it items.Item) error {
	return s.write(ctx, func(st *state) error {
		old, ok := st.items[it.ID]
		if !ok {
			return fmt.Errorf("memstore: update item %s: %w", it.ID, items.ErrNotFound)
		}
		if _, ok := st.spots[it.SpotID]; !ok {
			return fmt.Errorf("memstore: update item %s: home spot %s: %w", it.ID, it.SpotID, items.ErrNotFound)
		}
		it = normItem(it)
		it.CreatedAt, it.CreatedBy = old.CreatedAt, old.CreatedBy
		st.items[it.ID] = it
		delete(st.placements, placementKey{it.ID, it.SpotID})
		st.record(store.EntityItem, it.ID, store.OpUpsert)
		return nil
	})
}

// DeleteItem deletes an item with everything that hangs off it.
func (s *Store) DeleteItem(ctx context.Context, id string) error {
	return s.write(ctx, func(st *state) error {
		if _, ok := st.items[id]; !ok {
			return fmt.Errorf("memstore: delete item %s: %w", id, items.ErrNotFound)
		}
		st.deleteItem(id)
		return nil
	})
}

// deleteItem removes an existing item with its versions, placements, list
// memberships and bookmarks, and records the deletion.
func (st *state) deleteItem(id string) {
	delete(st.items, id)
	for vid, v := range st.versions {
		if v.ItemID == id {
			delete(st.versions, vid)
		}
	}
	for k := range st.placements {
		if k.itemID == id {
			delete(st.placements, k)
		}
	}
	for k := range st.members {
		if k.itemID == id {
			delete(st.members, k)
		}
	}
	for k := range st.bookmarks {
		if k.itemID == id {
			delete(st.bookmarks, k)
		}
	}
	st.record(store.EntityItem, id, store.OpDelete)
}

// ListItems returns the items matching f, newest (highest ID) first.
func (s *Store) ListItems(ctx context.Context, f items.ItemFilter) ([]items.Item, error) {
	return query(ctx, s, func(st *state) ([]items.Item, error) {
		limit := f.Limit
		if limit <= 0 {
			limit = 100
		}
		var ids []string
		for id, it := range st.items {
			if st.matches(it, f) {
				ids = append(ids, id)
			}
		}
		slices.SortFunc(ids, func(a, b string) int { return strings.Compare(b, a) })
		out := []items.Item{}
		for _, id := range ids[:min(limit, len(ids))] {
			it, _ := st.item(id)
			out = append(out, it)
		}
		return out, nil
	})
}

// matches applies an ItemFilter to a stored item.
func (st *state) matches(it items.Item, f items.ItemFilter) bool {
	if !f.AllSpots && !st.inSpots(it, f.SpotIDs) {
		return false
	}
	if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, it.Status) && !slices.Contains(f.AnyStatusHomeIDs, it.SpotID) {
		return false
	}
	if f.HideHidden && it.Hidden && !slices.Contains(f.AnyStatusHomeIDs, it.SpotID) {
		return false
	}
	if len(f.ListIDs) > 0 && !slices.ContainsFunc(f.ListIDs, func(l string) bool { return st.members[memberKey{l, it.ID}] }) {
		return false
	}
	if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, it.Kind) {
		return false
	}
	if f.Audience != "" && it.Audience != f.Audience {
		return false
	}
	if f.BeforeID != "" && it.ID >= f.BeforeID {
		return false
	}
	return true
}

// PutPlacement places an item in a spot other than its home.
func (s *Store) PutPlacement(ctx context.Context, itemID, spotID string, at time.Time) error {
	return s.write(ctx, func(st *state) error {
		it, ok := st.items[itemID]
		if !ok {
			return fmt.Errorf("memstore: place item %s: %w", itemID, items.ErrNotFound)
		}
		if _, ok := st.spots[spotID]; !ok {
			return fmt.Errorf("memstore: place item %s in spot %s: %w", itemID, spotID, items.ErrNotFound)
		}
		if it.SpotID == spotID {
			return fmt.Errorf("memstore: place item %s in its home spot %s: %w", itemID, spotID, items.ErrConflict)
		}
		k := placementKey{itemID, spotID}
		if _, ok := st.placements[k]; ok {
			return nil
		}
		st.placements[k] = utc(at)
		st.record(store.EntityItem, itemID, store.OpUpsert)
		return nil
	})
}

// DeletePlacement removes a placement.
func (s *Store) DeletePlacement(ctx context.Context, itemID, spotID string) error {
	return s.write(ctx, func(st *state) error {
		k := placementKey{itemID, spotID}
		if _, ok := st.placements[k]; !ok {
			return fmt.Errorf("memstore: delete placement of %s in %s: %w", itemID, spotID, items.ErrNotFound)
		}
		delete(st.placements, k)
		st.record(store.EntityItem, itemID, store.OpUpsert)
		return nil
	})
}

// CreateVersion stores a version of an existing item.
func (s *Store) CreateVersion(ctx context.Context, v items.Version) error {
	return s.write(ctx, func(st *state) error {
		if _, ok := st.versions[v.ID]; ok {
			return fmt.Errorf("memstore: create version %s: %w", v.ID, items.ErrConflict)
		}
		if _, ok := st.items[v.ItemID]; !ok {
			return fmt.Errorf("memstore: create version %s of item %s: %w", v.ID, v.ItemID, items.ErrNotFound)
		}
		for _, o := range st.versions {
			if o.ItemID == v.ItemID && o.Number == v.Number {
				return fmt.Errorf("memstore: create version %d of item %s: %w", v.Number, v.ItemID, items.ErrConflict)
			}
		}
		v = v.Clone()
		v.CreatedAt = utc(v.CreatedAt)
		st.versions[v.ID] = v
		st.record(store.EntityItem, v.ItemID, store.OpUpsert)
		return nil
	})
}

// GetVersion returns one version.
func (s *Store) GetVersion(ctx context.Context, id string) (items.Version, error) {
	return query(ctx, s, func(st *state) (items.Version, error) {
		v, ok := st.versions[id]
		if !ok {
			return items.Version{}, fmt.Errorf("memstore: get version %s: %w", id, items.ErrNotFound)
		}
		return v.Clone(), nil
	})
}

// ListVersions returns an item's versions, number 1 first.
func (s *Store) ListVersions(ctx context.Context, itemID string) ([]items.Version, error) {
	return query(ctx, s, func(st *state) ([]items.Version, error) {
		var out []items.Version
		for _, v := range st.versions {
			if v.ItemID == itemID {
				out = append(out, v.Clone())
			}
		}
		slices.SortFunc(out, func(a, b items.Version) int { return cmp.Compare(a.Number, b.Number) })
		return out, nil
	})
}

// PutBookmark creates a bookmark, or keeps the existing one.
func (s *Store) PutBookmark(ctx context.Context, b items.Bookmark) error {
	return s.write(ctx, func(st *state) error {
		if _, ok := st.items[b.ItemID]; !ok {
			return fmt.Errorf("memstore: bookmark item %s: %w", b.ItemID, items.ErrNotFound)
		}
		k := bookmarkKey{b.PrincipalID, b.ItemID}
		if _, ok := st.bookmarks[k]; !ok {
			b.CreatedAt = utc(b.CreatedAt)
			st.bookmarks[k] = b
		}
		return nil
	})
}

// DeleteBookmark removes a bookmark.
func (s *Store) DeleteBookmark(ctx context.Context, principalID, itemID string) error {
	return s.write(ctx, func(st *state) error {
		k := bookmarkKey{principalID, itemID}
		if _, ok := st.bookmarks[k]; !ok {
			return fmt.Errorf("memstore: delete bookmark of %s by %s: %w", itemID, principalID, items.ErrNotFound)
		}
		delete(st.bookmarks, k)
		return nil
	})
}

// ListBookmarks returns a principal's bookmarks of items in f.SpotIDs,
// newest first.
func (s *Store) ListBookmarks(ctx context.Context, f items.BookmarkFilter) ([]items.Bookmark, error) {
	return query(ctx, s, func(st *state) ([]items.Bookmark, error) {
		var out []items.Bookmark
		for k, b := range st.bookmarks {
			if k.principalID == f.PrincipalID && st.inSpots(st.items[k.itemID], f.SpotIDs) {
				out = append(out, b)
			}
		}
		slices.SortFunc(out, func(a, b items.Bookmark) int {
			return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.ItemID, a.ItemID))
		})
		return out, nil
	})
}
