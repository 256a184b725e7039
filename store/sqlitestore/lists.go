package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/store"
)

type listGroupRow struct {
	ID        string        `db:"id"`
	Name      string        `db:"name"`
	CreatedAt sql.NullInt64 `db:"created_at"`
	UpdatedAt sql.NullInt64 `db:"updated_at"`
}

func (r listGroupRow) group() items.ListGroup {
	return items.ListGroup{ID: r.ID, Name: r.Name, CreatedAt: fromMicros(r.CreatedAt), UpdatedAt: fromMicros(r.UpdatedAt)}
}

const listGroupSelect = `SELECT id, name, created_at, updated_at FROM briefcase_list_groups`

// CreateListGroup stores a list group; ErrConflict on a duplicate ID or a
// name that differs from another only in case.
func (e *engine) CreateListGroup(ctx context.Context, g items.ListGroup) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO briefcase_list_groups (id, name, name_key, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?)`, g.ID, g.Name, foldKey(g.Name), micros(g.CreatedAt), micros(g.UpdatedAt))
		if isUnique(err) {
			return items.ErrConflict
		}
		if err != nil {
			return err
		}
		return appendChange(ctx, tx, store.EntityListGroup, g.ID, store.OpUpsert)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: create list group %s: %w", g.ID, err)
	}
	return nil
}

// GetListGroup returns one list group.
func (e *engine) GetListGroup(ctx context.Context, id string) (items.ListGroup, error) {
	var r listGroupRow
	err := sqlx.GetContext(ctx, e.read(), &r, listGroupSelect+` WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		err = items.ErrNotFound
	}
	if err != nil {
		return items.ListGroup{}, fmt.Errorf("sqlitestore: get list group %s: %w", id, err)
	}
	return r.group(), nil
}

// ListListGroups returns every group ordered by name (then ID).
func (e *engine) ListListGroups(ctx context.Context) ([]items.ListGroup, error) {
	var rows []listGroupRow
	if err := sqlx.SelectContext(ctx, e.read(), &rows, listGroupSelect+` ORDER BY name, id`); err != nil {
		return nil, fmt.Errorf("sqlitestore: list groups: %w", err)
	}
	out := make([]items.ListGroup, len(rows))
	for i, r := range rows {
		out[i] = r.group()
	}
	return out, nil
}

// UpdateListGroup renames a group (Name and UpdatedAt); ErrConflict when
// the name is taken.
func (e *engine) UpdateListGroup(ctx context.Context, g items.ListGroup) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE briefcase_list_groups SET name = ?, name_key = ?, updated_at = ?
			WHERE id = ?`, g.Name, foldKey(g.Name), micros(g.UpdatedAt), g.ID)
		if isUnique(err) {
			return items.ErrConflict
		}
		if err != nil {
			return err
		}
		if n, err := affected(res); err != nil || n == 0 {
			return cmp(err, items.ErrNotFound)
		}
		return appendChange(ctx, tx, store.EntityListGroup, g.ID, store.OpUpsert)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: update list group %s: %w", g.ID, err)
	}
	return nil
}

// DeleteListGroup deletes a group; foreign keys cascade to its lists and
// their memberships. The feed gets an upsert for every item that was in one
// of the lists, a delete for each list and one for the group.
func (e *engine) DeleteListGroup(ctx context.Context, id string) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		var pk int64
		err := tx.GetContext(ctx, &pk, `SELECT pk FROM briefcase_list_groups WHERE id = ?`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return items.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := appendChanges(ctx, tx, store.EntityItem, store.OpUpsert, `SELECT DISTINCT i.id
			FROM briefcase_lists l JOIN briefcase_list_items li ON li.list_pk = l.pk
			JOIN briefcase_items i ON i.pk = li.item_pk WHERE l.group_pk = ? ORDER BY i.id`, pk); err != nil {
			return err
		}
		if err := appendChanges(ctx, tx, store.EntityList, store.OpDelete,
			`SELECT id FROM briefcase_lists WHERE group_pk = ? ORDER BY id`, pk); err != nil {
			return err
		}
		if err := appendChange(ctx, tx, store.EntityListGroup, id, store.OpDelete); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM briefcase_list_groups WHERE pk = ?`, pk)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: delete list group %s: %w", id, err)
	}
	return nil
}

type listRow struct {
	ID        string        `db:"id"`
	GroupID   string        `db:"group_id"`
	Name      string        `db:"name"`
	CreatedAt sql.NullInt64 `db:"created_at"`
	UpdatedAt sql.NullInt64 `db:"updated_at"`
}

func (r listRow) list() items.List {
	return items.List{ID: r.ID, GroupID: r.GroupID, Name: r.Name,
		CreatedAt: fromMicros(r.CreatedAt), UpdatedAt: fromMicros(r.UpdatedAt)}
}

const listSelect = `SELECT l.id, g.id AS group_id, l.name, l.created_at, l.updated_at
	FROM briefcase_lists l JOIN briefcase_list_groups g ON g.pk = l.group_pk`

// listNameKey is the key that makes list names unique within a group. The
// contract says only "a name taken in the same group"; names are compared
// like list group names, ignoring case, so "Finance" and "finance" cannot
// sit side by side in one facet.
func listNameKey(name string) string { return foldKey(name) }

// CreateList stores a list; ErrNotFound when its group does not exist,
// ErrConflict on a duplicate ID or a name taken in the group.
func (e *engine) CreateList(ctx context.Context, l items.List) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO briefcase_lists (id, group_pk, name, name_key, created_at, updated_at)
			SELECT ?, pk, ?, ?, ?, ? FROM briefcase_list_groups WHERE id = ?`,
			l.ID, l.Name, listNameKey(l.Name), micros(l.CreatedAt), micros(l.UpdatedAt), l.GroupID)
		if isUnique(err) {
			return items.ErrConflict
		}
		if err != nil {
			return err
		}
		if n, err := affected(res); err != nil || n == 0 {
			return cmp(err, fmt.Errorf("list group %s: %w", l.GroupID, items.ErrNotFound))
		}
		return appendChange(ctx, tx, store.EntityList, l.ID, store.OpUpsert)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: create list %s: %w", l.ID, err)
	}
	return nil
}

// GetList returns one list.
func (e *engine) GetList(ctx context.Context, id string) (items.List, error) {
	var r listRow
	err := sqlx.GetContext(ctx, e.read(), &r, listSelect+` WHERE l.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		err = items.ErrNotFound
	}
	if err != nil {
		return items.List{}, fmt.Errorf("sqlitestore: get list %s: %w", id, err)
	}
	return r.list(), nil
}

// ListLists returns the lists of one group (every group when groupID is
// empty), ordered by group ID, then name, then ID.
func (e *engine) ListLists(ctx context.Context, groupID string) ([]items.List, error) {
	var rows []listRow
	var err error
	if groupID == "" {
		err = sqlx.SelectContext(ctx, e.read(), &rows, listSelect+` ORDER BY g.id, l.name, l.id`)
	} else {
		err = sqlx.SelectContext(ctx, e.read(), &rows, listSelect+` WHERE g.id = ? ORDER BY l.name, l.id`, groupID)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: lists of %q: %w", groupID, err)
	}
	out := make([]items.List, len(rows))
	for i, r := range rows {
		out[i] = r.list()
	}
	return out, nil
}

// UpdateList renames a list or moves it to another group (Name, GroupID and
// UpdatedAt). ErrNotFound when the list or the group does not exist,
// ErrConflict when the name is taken in the group.
func (e *engine) UpdateList(ctx context.Context, l items.List) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		var group int64
		err := tx.GetContext(ctx, &group, `SELECT pk FROM briefcase_list_groups WHERE id = ?`, l.GroupID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("list group %s: %w", l.GroupID, items.ErrNotFound)
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE briefcase_lists SET group_pk = ?, name = ?, name_key = ?, updated_at = ?
			WHERE id = ?`, group, l.Name, listNameKey(l.Name), micros(l.UpdatedAt), l.ID)
		if isUnique(err) {
			return items.ErrConflict
		}
		if err != nil {
			return err
		}
		if n, err := affected(res); err != nil || n == 0 {
			return cmp(err, items.ErrNotFound)
		}
		return appendChange(ctx, tx, store.EntityList, l.ID, store.OpUpsert)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: update list %s: %w", l.ID, err)
	}
	return nil
}

// DeleteList deletes a list; its memberships cascade. The feed gets an
// upsert for every member item and the list's delete.
func (e *engine) DeleteList(ctx context.Context, id string) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		var pk int64
		err := tx.GetContext(ctx, &pk, `SELECT pk FROM briefcase_lists WHERE id = ?`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return items.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := appendChanges(ctx, tx, store.EntityItem, store.OpUpsert, `SELECT i.id
			FROM briefcase_list_items li JOIN briefcase_items i ON i.pk = li.item_pk
			WHERE li.list_pk = ? ORDER BY i.id`, pk); err != nil {
			return err
		}
		if err := appendChange(ctx, tx, store.EntityList, id, store.OpDelete); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM briefcase_lists WHERE pk = ?`, pk)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: delete list %s: %w", id, err)
	}
	return nil
}

// PutListItem adds an item to a list; a no-op (recording no change) when it
// is there. ErrNotFound when either does not exist.
func (e *engine) PutListItem(ctx context.Context, listID, itemID string) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		var list int64
		err := tx.GetContext(ctx, &list, `SELECT pk FROM briefcase_lists WHERE id = ?`, listID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("list %s: %w", listID, items.ErrNotFound)
		}
		if err != nil {
			return err
		}
		item, _, err := itemPK(ctx, tx, itemID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO briefcase_list_items (list_pk, item_pk) VALUES (?, ?)
			ON CONFLICT DO NOTHING`, list, item)
		if err != nil {
			return err
		}
		if n, err := affected(res); err != nil || n == 0 {
			return err
		}
		return appendChange(ctx, tx, store.EntityItem, itemID, store.OpUpsert)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: add item %s to list %s: %w", itemID, listID, err)
	}
	return nil
}

// DeleteListItem removes an item from a list; ErrNotFound when absent.
func (e *engine) DeleteListItem(ctx context.Context, listID, itemID string) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM briefcase_list_items
			WHERE list_pk = (SELECT pk FROM briefcase_lists WHERE id = ?)
			AND item_pk = (SELECT pk FROM briefcase_items WHERE id = ?)`, listID, itemID)
		if err != nil {
			return err
		}
		if n, err := affected(res); err != nil || n == 0 {
			return cmp(err, items.ErrNotFound)
		}
		return appendChange(ctx, tx, store.EntityItem, itemID, store.OpUpsert)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: remove item %s from list %s: %w", itemID, listID, err)
	}
	return nil
}
