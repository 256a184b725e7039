package memstore

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/store"
)

// List group names are unique ignoring case, and so are list names within a
// group (the contract only requires exact duplicates to conflict for lists;
// ignoring case for both is what a taxonomy's users expect).

func (st *state) groupNameTaken(name, exceptID string) bool {
	for _, g := range st.groups {
		if g.ID != exceptID && strings.EqualFold(g.Name, name) {
			return true
		}
	}
	return false
}

func (st *state) listNameTaken(groupID, name, exceptID string) bool {
	for _, l := range st.lists {
		if l.ID != exceptID && l.GroupID == groupID && strings.EqualFold(l.Name, name) {
			return true
		}
	}
	return false
}

// CreateListGroup stores a list group.
func (s *Store) CreateListGroup(ctx context.Context, g items.ListGroup) error {
	return s.write(ctx, func(st *state) error {
		if _, ok := st.groups[g.ID]; ok {
			return fmt.Errorf("memstore: create list group %s: %w", g.ID, items.ErrConflict)
		}
		if st.groupNameTaken(g.Name, "") {
			return fmt.Errorf("memstore: create list group %q: name taken: %w", g.Name, items.ErrConflict)
		}
		g.CreatedAt, g.UpdatedAt = utc(g.CreatedAt), utc(g.UpdatedAt)
		st.groups[g.ID] = g
		st.record(store.EntityListGroup, g.ID, store.OpUpsert)
		return nil
	})
}

// GetListGroup returns one list group.
func (s *Store) GetListGroup(ctx context.Context, id string) (items.ListGroup, error) {
	return query(ctx, s, func(st *state) (items.ListGroup, error) {
		g, ok := st.groups[id]
		if !ok {
			return items.ListGroup{}, fmt.Errorf("memstore: get list group %s: %w", id, items.ErrNotFound)
		}
		return g, nil
	})
}

// ListListGroups returns every group by name.
func (s *Store) ListListGroups(ctx context.Context) ([]items.ListGroup, error) {
	return query(ctx, s, func(st *state) ([]items.ListGroup, error) {
		out := slices.Collect(maps.Values(st.groups))
		slices.SortFunc(out, func(a, b items.ListGroup) int {
			return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
		})
		return out, nil
	})
}

// UpdateListGroup renames a group, keeping CreatedAt.
func (s *Store) UpdateListGroup(ctx context.Context, g items.ListGroup) error {
	return s.write(ctx, func(st *state) error {
		old, ok := st.groups[g.ID]
		if !ok {
			return fmt.Errorf("memstore: update list group %s: %w", g.ID, items.ErrNotFound)
		}
		if st.groupNameTaken(g.Name, g.ID) {
			return fmt.Errorf("memstore: rename list group %s to %q: name taken: %w", g.ID, g.Name, items.ErrConflict)
		}
		g.CreatedAt, g.UpdatedAt = old.CreatedAt, utc(g.UpdatedAt)
		st.groups[g.ID] = g
		st.record(store.EntityListGroup, g.ID, store.OpUpsert)
		return nil
	})
}

// DeleteListGroup deletes a group with its lists and their memberships.
func (s *Store) DeleteListGroup(ctx context.Context, id string) error {
	return s.write(ctx, func(st *state) error {
		if _, ok := st.groups[id]; !ok {
			return fmt.Errorf("memstore: delete list group %s: %w", id, items.ErrNotFound)
		}
		for _, l := range st.lists {
			if l.GroupID == id {
				st.deleteList(l.ID)
			}
		}
		delete(st.groups, id)
		st.record(store.EntityListGroup, id, store.OpDelete)
		return nil
	})
}

// CreateList stores a list in an existing group.
func (s *Store) CreateList(ctx context.Context, l items.List) error {
	return s.write(ctx, func(st *state) error {
		if _, ok := st.lists[l.ID]; ok {
			return fmt.Errorf("memstore: create list %s: %w", l.ID, items.ErrConflict)
		}
		if _, ok := st.groups[l.GroupID]; !ok {
			return fmt.Errorf("memstore: create list %s: group %s: %w", l.ID, l.GroupID, items.ErrNotFound)
		}
		if st.listNameTaken(l.GroupID, l.Name, "") {
			return fmt.Errorf("memstore: create list %q: name taken in group %s: %w", l.Name, l.GroupID, items.ErrConflict)
		}
		l.CreatedAt, l.UpdatedAt = utc(l.CreatedAt), utc(l.UpdatedAt)
		st.lists[l.ID] = l
		st.record(store.EntityList, l.ID, store.OpUpsert)
		return nil
	})
}

// GetList returns one list.
func (s *Store) GetList(ctx context.Context, id string) (items.List, error) {
	return query(ctx, s, func(st *state) (items.List, error) {
		l, ok := st.lists[id]
		if !ok {
			return items.List{}, fmt.Errorf("memstore: get list %s: %w", id, items.ErrNotFound)
		}
		return l, nil
	})
}

// ListLists returns the lists of one group, or of all groups when groupID
// is empty, ordered by group (in ListListGroups order) then name.
func (s *Store) ListLists(ctx context.Context, groupID string) ([]items.List, error) {
	return query(ctx, s, func(st *state) ([]items.List, error) {
		var out []items.List
		for _, l := range st.lists {
			if groupID == "" || l.GroupID == groupID {
				out = append(out, l)
			}
		}
		slices.SortFunc(out, func(a, b items.List) int {
			ga, gb := st.groups[a.GroupID], st.groups[b.GroupID]
			return cmp.Or(strings.Compare(ga.Name, gb.Name), strings.Compare(ga.ID, gb.ID),
				strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
		})
		return out, nil
	})
}

// UpdateList renames a list or moves it to another group, keeping
// CreatedAt.
func (s *Store) UpdateList(ctx context.Context, l items.List) error {
	return s.write(ctx, func(st *state) error {
		old, ok := st.lists[l.ID]
		if !ok {
			return fmt.Errorf("memstore: update list %s: %w", l.ID, items.ErrNotFound)
		}
		if _, ok := st.groups[l.GroupID]; !ok {
			return fmt.Errorf("memstore: move list %s to group %s: %w", l.ID, l.GroupID, items.ErrNotFound)
		}
		if st.listNameTaken(l.GroupID, l.Name, l.ID) {
			return fmt.Errorf("memstore: update list %s to %q: name taken in group %s: %w", l.ID, l.Name, l.GroupID, items.ErrConflict)
		}
		l.CreatedAt, l.UpdatedAt = old.CreatedAt, utc(l.UpdatedAt)
		st.lists[l.ID] = l
		st.record(store.EntityList, l.ID, store.OpUpsert)
		return nil
	})
}

// DeleteList deletes a list and its memberships.
func (s *Store) DeleteList(ctx context.Context, id string) error {
	return s.write(ctx, func(st *state) error {
		if _, ok := st.lists[id]; !ok {
			return fmt.Errorf("memstore: delete list %s: %w", id, items.ErrNotFound)
		}
		st.deleteList(id)
		return nil
	})
}

// deleteList removes an existing list and its memberships, recording the
// list and every item that was in it.
func (st *state) deleteList(id string) {
	for k := range st.members {
		if k.listID == id {
			delete(st.members, k)
			st.record(store.EntityItem, k.itemID, store.OpUpsert)
		}
	}
	delete(st.lists, id)
	st.record(store.EntityList, id, store.OpDelete)
}

// PutListItem adds an item to a list.
func (s *Store) PutListItem(ctx context.Context, listID, itemID string) error {
	return s.write(ctx, func(st *state) error {
		if _, ok := st.lists[listID]; !ok {
			return fmt.Errorf("memstore: add item %s to list %s: list %w", itemID, listID, items.ErrNotFound)
		}
		if _, ok := st.items[itemID]; !ok {
			return fmt.Errorf("memstore: add item %s to list %s: item %w", itemID, listID, items.ErrNotFound)
		}
		k := memberKey{listID, itemID}
		if st.members[k] {
			return nil
		}
		st.members[k] = true
		st.record(store.EntityItem, itemID, store.OpUpsert)
		return nil
	})
}

// DeleteListItem removes an item from a list.
func (s *Store) DeleteListItem(ctx context.Context, listID, itemID string) error {
	return s.write(ctx, func(st *state) error {
		k := memberKey{listID, itemID}
		if !st.members[k] {
			return fmt.Errorf("memstore: remove item %s from list %s: %w", itemID, listID, items.ErrNotFound)
		}
		delete(st.members, k)
		st.record(store.EntityItem, itemID, store.OpUpsert)
		return nil
	})
}
