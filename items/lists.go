package items

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/spots"
)

// Lists and list groups are one taxonomy for the whole library, so only
// admins shape it (create, rename, delete); anyone who may edit an item's
// home spot files the item into lists.

func requireAdmin(ctx context.Context, what string) (spots.Principal, error) {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return p, err
	}
	if !p.IsAdmin() {
		return p, fmt.Errorf("%w: only admins %s", ErrForbidden, what)
	}
	return p, nil
}

func listName(name string) (string, error) {
	name = strings.TrimSpace(name)
	var f errcode.Fields
	text(&f, "name", name, maxTitleLen, true)
	return name, f.Err(ErrInvalid)
}

// CreateListGroup adds a list group (admins only). Names are unique,
// ignoring case.
func (s *Service) CreateListGroup(ctx context.Context, name string) (ListGroup, error) {
	p, err := requireAdmin(ctx, "manage list groups")
	if err != nil {
		return ListGroup{}, err
	}
	if name, err = listName(name); err != nil {
		return ListGroup{}, err
	}
	now := s.now()
	g := ListGroup{ID: s.opt.NewID(), Name: name, CreatedAt: now, UpdatedAt: now}
	err = s.atomic(ctx, func(tx Stores) error {
		if err := tx.CreateListGroup(ctx, g); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.Entry{At: now, Actor: p.ID, Action: "list_group.create",
			TargetKind: "list_group", TargetID: g.ID, After: audit.JSON(g)})
	})
	if err != nil {
		return ListGroup{}, fmt.Errorf("items: create list group %q: %w", name, err)
	}
	return g, nil
}

// GroupWithLists is a list group and its lists.
type GroupWithLists struct {
	ListGroup
	Lists []List `json:"lists"`
}

// ListGroups returns every list group with its lists, by name. Any
// principal may read the taxonomy.
func (s *Service) ListGroups(ctx context.Context) ([]GroupWithLists, error) {
	if _, err := spots.PrincipalFrom(ctx); err != nil {
		return nil, err
	}
	groups, err := s.st.ListListGroups(ctx)
	if err != nil {
		return nil, fmt.Errorf("items: list groups: %w", err)
	}
	lists, err := s.st.ListLists(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("items: lists: %w", err)
	}
	out := make([]GroupWithLists, len(groups))
	index := make(map[string]int, len(groups))
	for i, g := range groups {
		out[i] = GroupWithLists{ListGroup: g, Lists: []List{}}
		index[g.ID] = i
	}
	for _, l := range lists {
		if i, ok := index[l.GroupID]; ok {
			out[i].Lists = append(out[i].Lists, l)
		}
	}
	return out, nil
}

// CreateList adds a list to a group (admins only).
func (s *Service) CreateList(ctx context.Context, groupID, name string) (List, error) {
	p, err := requireAdmin(ctx, "manage lists")
	if err != nil {
		return List{}, err
	}
	name, err = listName(name)
	if strings.TrimSpace(groupID) == "" {
		return List{}, errcode.Invalidf(ErrInvalid, "group_id", "required")
	}
	if err != nil {
		return List{}, err
	}
	now := s.now()
	l := List{ID: s.opt.NewID(), GroupID: groupID, Name: name, CreatedAt: now, UpdatedAt: now}
	err = s.atomic(ctx, func(tx Stores) error {
		if _, err := tx.GetListGroup(ctx, groupID); err != nil {
			return errcode.Invalidf(ErrInvalid, "group_id", "no such list group")
		}
		if err := tx.CreateList(ctx, l); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.Entry{At: now, Actor: p.ID, Action: "list.create", TargetKind: "list",
			TargetID: l.ID, After: audit.JSON(l)})
	})
	if err != nil {
		return List{}, fmt.Errorf("items: create list %q: %w", name, err)
	}
	return l, nil
}

// ListPatch renames a list or moves it to another group.
type ListPatch struct {
	Name    *string `json:"name"`
	GroupID *string `json:"group_id"`
}

// UpdateList renames or moves a list (admins only).
func (s *Service) UpdateList(ctx context.Context, id string, patch ListPatch) (List, error) {
	p, err := requireAdmin(ctx, "manage lists")
	if err != nil {
		return List{}, err
	}
	var after List
	err = s.atomic(ctx, func(tx Stores) error {
		before, err := tx.GetList(ctx, id)
		if err != nil {
			return err
		}
		after = before
		if patch.Name != nil {
			if after.Name, err = listName(*patch.Name); err != nil {
				return err
			}
		}
		if patch.GroupID != nil && *patch.GroupID != before.GroupID {
			if _, err := tx.GetListGroup(ctx, *patch.GroupID); err != nil {
				return errcode.Invalidf(ErrInvalid, "group_id", "no such list group")
			}
			after.GroupID = *patch.GroupID
		}
		after.UpdatedAt = s.now()
		if err := tx.UpdateList(ctx, after); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.Entry{At: after.UpdatedAt, Actor: p.ID, Action: "list.update",
			TargetKind: "list", TargetID: id, Before: audit.JSON(before), After: audit.JSON(after)})
	})
	if err != nil {
		return List{}, fmt.Errorf("items: update list %s: %w", id, err)
	}
	return after, nil
}

// DeleteList deletes a list and its memberships (admins only); the items
// stay.
func (s *Service) DeleteList(ctx context.Context, id string) error {
	p, err := requireAdmin(ctx, "manage lists")
	if err != nil {
		return err
	}
	err = s.atomic(ctx, func(tx Stores) error {
		before, err := tx.GetList(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteList(ctx, id); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.Entry{At: s.now(), Actor: p.ID, Action: "list.delete",
			TargetKind: "list", TargetID: id, Before: audit.JSON(before)})
	})
	if err != nil {
		return fmt.Errorf("items: delete list %s: %w", id, err)
	}
	return nil
}

// AddToList files an item into a list (edit on the item's home spot).
func (s *Service) AddToList(ctx context.Context, listID, itemID string) (Item, error) {
	return s.listMembership(ctx, listID, itemID, true)
}

// RemoveFromList takes an item out of a list (edit on its home spot).
func (s *Service) RemoveFromList(ctx context.Context, listID, itemID string) (Item, error) {
	return s.listMembership(ctx, listID, itemID, false)
}

func (s *Service) listMembership(ctx context.Context, listID, itemID string, add bool) (Item, error) {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return Item{}, err
	}
	it, a, err := s.authorize(ctx, itemID, true)
	if err != nil {
		return Item{}, err
	}
	action := "item.list.add"
	err = s.atomic(ctx, func(tx Stores) error {
		if _, err := tx.GetList(ctx, listID); err != nil {
			return err
		}
		if add {
			err = tx.PutListItem(ctx, listID, itemID)
		} else {
			action = "item.list.remove"
			err = tx.DeleteListItem(ctx, listID, itemID)
		}
		if err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.Entry{At: s.now(), Actor: p.ID, Action: action, TargetKind: "item",
			TargetID: itemID, SpotID: it.SpotID, Override: a.edit.Override,
			After: audit.JSON(map[string]string{"list_id": listID})})
	})
	if err != nil {
		return Item{}, fmt.Errorf("items: %s %s/%s: %w", action, listID, itemID, err)
	}
	return s.st.GetItem(ctx, itemID)
}

// Bookmark adds an item the caller may view to its personal spot, making
// that spot on first use. Bookmarking twice keeps the first bookmark.
func (s *Service) Bookmark(ctx context.Context, itemID string) (Bookmark, error) {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return Bookmark{}, err
	}
	it, _, err := s.authorize(ctx, itemID, false)
	if err != nil {
		return Bookmark{}, err
	}
	if _, err := s.spots.PersonalSpot(ctx); err != nil {
		return Bookmark{}, err
	}
	b := Bookmark{PrincipalID: p.ID, ItemID: itemID, CreatedAt: s.now()}
	if err := s.st.PutBookmark(ctx, b); err != nil {
		return Bookmark{}, fmt.Errorf("items: bookmark %s: %w", itemID, err)
	}
	s.observe(ctx, ActBookmarked, it)
	return b, nil
}

// Unbookmark removes the caller's bookmark of an item.
func (s *Service) Unbookmark(ctx context.Context, itemID string) error {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return err
	}
	if err := s.st.DeleteBookmark(ctx, p.ID, itemID); err != nil {
		return fmt.Errorf("items: unbookmark %s: %w", itemID, err)
	}
	return nil
}

// BookmarkedItem is a bookmark with its item.
type BookmarkedItem struct {
	Bookmark
	Item Item `json:"item"`
}

// Bookmarks returns the caller's bookmarks of items it can still view,
// newest first. A bookmark of an item that moved out of reach stays stored
// but is not shown.
func (s *Service) Bookmarks(ctx context.Context) ([]BookmarkedItem, error) {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := s.spots.VisibleSpotIDs(ctx)
	if err != nil {
		return nil, err
	}
	bs, err := s.st.ListBookmarks(ctx, BookmarkFilter{PrincipalID: p.ID, SpotIDs: ids})
	if err != nil {
		return nil, fmt.Errorf("items: bookmarks: %w", err)
	}
	out := make([]BookmarkedItem, 0, len(bs))
	for _, b := range bs {
		it, _, err := s.authorize(ctx, b.ItemID, false)
		if errors.Is(err, ErrNotFound) {
			continue // moved out of reach since (status or spot change)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, BookmarkedItem{Bookmark: b, Item: it})
	}
	return out, nil
}
