package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/store"
)

type itemRow struct {
	PK                  int64         `db:"pk"`
	ID                  string        `db:"id"`
	SpotID              string        `db:"spot_id"`
	Kind                string        `db:"kind"`
	Title               string        `db:"title"`
	Description         string        `db:"description"`
	ExternalTitle       string        `db:"external_title"`
	ExternalDescription string        `db:"external_description"`
	Audience            string        `db:"audience"`
	Downloadable        bool          `db:"downloadable"`
	Author              string        `db:"author"`
	FeedbackOwner       string        `db:"feedback_owner"`
	Owners              string        `db:"owners"`
	Labels              string        `db:"labels"`
	AvailableAt         sql.NullInt64 `db:"available_at"`
	ExpiresAt           sql.NullInt64 `db:"expires_at"`
	VerifiedAt          sql.NullInt64 `db:"verified_at"`
	VerifyBy            sql.NullInt64 `db:"verify_by"`
	Promoted            bool          `db:"promoted"`
	PromotedKeywords    string        `db:"promoted_keywords"`
	SourceType          string        `db:"source_type"`
	SourceURL           string        `db:"source_url"`
	SourceConnector     string        `db:"source_connector"`
	SourceExternalID    string        `db:"source_external_id"`
	Status              string        `db:"status"`
	Hidden              bool          `db:"hidden"`
	SubmittedAt         sql.NullInt64 `db:"submitted_at"`
	SweepAt             int64         `db:"sweep_at"`
	CurrentVersionID    string        `db:"current_version_id"`
	CreatedBy           string        `db:"created_by"`
	CreatedAt           sql.NullInt64 `db:"created_at"`
	UpdatedAt           sql.NullInt64 `db:"updated_at"`
}

// putSweepSQL stores an item's SweepAt (see migration 0004).
const putSweepSQL = `INSERT INTO briefcase_item_sweep (item_pk, sweep_at) VALUES (?, ?)
	ON CONFLICT (item_pk) DO UPDATE SET sweep_at = excluded.sweep_at`

// itemSelect reads items (alias i) with their home spot's public ID.
const itemSelect = `SELECT i.pk, i.id, s.id AS spot_id, i.kind, i.title, i.description, i.external_title,
	i.external_description, i.audience, i.downloadable, i.author, i.feedback_owner, i.owners, i.labels,
	i.available_at, i.expires_at, i.verified_at, i.verify_by, i.promoted, i.promoted_keywords,
	i.source_type, i.source_url, i.source_connector, i.source_external_id, i.status, i.hidden,
	i.submitted_at, COALESCE((SELECT w.sweep_at FROM briefcase_item_sweep w WHERE w.item_pk = i.pk), 0) AS sweep_at,
	i.current_version_id, i.created_by, i.created_at, i.updated_at`

func (r itemRow) item() (items.Item, error) {
	it := items.Item{
		ID: r.ID, SpotID: r.SpotID, Kind: items.Kind(r.Kind), Title: r.Title, Description: r.Description,
		ExternalTitle: r.ExternalTitle, ExternalDescription: r.ExternalDescription,
		Audience: items.Audience(r.Audience), Downloadable: r.Downloadable, Author: r.Author,
		FeedbackOwner: r.FeedbackOwner, AvailableAt: fromMicros(r.AvailableAt), ExpiresAt: fromMicros(r.ExpiresAt),
		VerifiedAt: fromMicros(r.VerifiedAt), VerifyBy: fromMicros(r.VerifyBy), Promoted: r.Promoted,
		Source: items.Source{Type: items.SourceType(r.SourceType), URL: r.SourceURL,
			Connector: r.SourceConnector, ExternalID: r.SourceExternalID},
		Status: items.Status(r.Status), Hidden: r.Hidden, SubmittedAt: fromMicros(r.SubmittedAt),
		SweepAt: fromSweepMicros(r.SweepAt), CurrentVersionID: r.CurrentVersionID, CreatedBy: r.CreatedBy,
		CreatedAt: fromMicros(r.CreatedAt), UpdatedAt: fromMicros(r.UpdatedAt),
	}
	if err := fromJSON("owners", r.Owners, &it.Owners); err != nil {
		return it, err
	}
	if err := fromJSON("labels", r.Labels, &it.Labels); err != nil {
		return it, err
	}
	if err := fromJSON("promoted_keywords", r.PromotedKeywords, &it.PromotedKeywords); err != nil {
		return it, err
	}
	return it, nil
}

// itemPK returns an item's surrogate key and its home spot's.
func itemPK(ctx context.Context, q queryer, id string) (pk, spotPK int64, err error) {
	row := q.QueryRowxContext(ctx, `SELECT pk, spot_pk FROM briefcase_items WHERE id = ?`, id)
	err = row.Scan(&pk, &spotPK)
	if errors.Is(err, sql.ErrNoRows) {
		err = items.ErrNotFound
	}
	return pk, spotPK, err
}

// spotPK returns a spot's surrogate key; items.ErrNotFound when missing,
// since only the items store asks.
func spotPK(ctx context.Context, q queryer, id string) (int64, error) {
	var pk int64
	err := sqlx.GetContext(ctx, q, &pk, `SELECT pk FROM briefcase_spots WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		err = fmt.Errorf("spot %s: %w", id, items.ErrNotFound)
	}
	return pk, err
}

// CreateItem stores a new item; ErrNotFound when its home spot does not
// exist, ErrConflict when the ID is taken.
func (e *engine) CreateItem(ctx context.Context, it items.Item) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO briefcase_items (id, spot_pk, kind, title, description,
			external_title, external_description, audience, downloadable, author, feedback_owner, owners, labels,
			available_at, expires_at, verified_at, verify_by, promoted, promoted_keywords, source_type, source_url,
			source_connector, source_external_id, status, hidden, submitted_at, current_version_id,
			created_by, created_at, updated_at)
			SELECT ?, pk, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
			FROM briefcase_spots WHERE id = ?`,
			it.ID, it.Kind, it.Title, it.Description, it.ExternalTitle, it.ExternalDescription, it.Audience,
			boolInt(it.Downloadable), it.Author, it.FeedbackOwner, jsonText(it.Owners), jsonText(it.Labels),
			micros(it.AvailableAt), micros(it.ExpiresAt), micros(it.VerifiedAt), micros(it.VerifyBy),
			boolInt(it.Promoted), jsonText(it.PromotedKeywords), it.Source.Type, it.Source.URL, it.Source.Connector,
			it.Source.ExternalID, it.Status, boolInt(it.Hidden), micros(it.SubmittedAt),
			it.CurrentVersionID, it.CreatedBy, micros(it.CreatedAt), micros(it.UpdatedAt), it.SpotID)
		if isUnique(err) {
			return items.ErrConflict
		}
		if err != nil {
			return err
		}
		if n, err := affected(res); err != nil || n == 0 {
			return cmp(err, fmt.Errorf("home spot %s: %w", it.SpotID, items.ErrNotFound))
		}
		pk, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, putSweepSQL, pk, sweepMicros(it.SweepAt)); err != nil {
			return err
		}
		return appendChange(ctx, tx, store.EntityItem, it.ID, store.OpUpsert)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: create item %s: %w", it.ID, err)
	}
	return nil
}

// GetItem returns an item with its placements and lists, read from one
// snapshot.
func (e *engine) GetItem(ctx context.Context, id string) (items.Item, error) {
	var it items.Item
	err := e.snapshot(ctx, func(q queryer) error {
		var r itemRow
		err := sqlx.GetContext(ctx, q, &r, itemSelect+`
			FROM briefcase_items i JOIN briefcase_spots s ON s.pk = i.spot_pk WHERE i.id = ?`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return items.ErrNotFound
		}
		if err != nil {
			return err
		}
		list, err := withMemberships(ctx, q, []itemRow{r})
		if err != nil {
			return err
		}
		it = list[0]
		return nil
	})
	if err != nil {
		return items.Item{}, fmt.Errorf("sqlitestore: get item %s: %w", id, err)
	}
	return it, nil
}

// withMemberships decodes rows into items and fills their Placements and
// ListIDs (sorted) with two queries for the whole batch.
func withMemberships(ctx context.Context, q queryer, rows []itemRow) ([]items.Item, error) {
	out := make([]items.Item, len(rows))
	index := make(map[int64]int, len(rows))
	pks := make([]int64, len(rows))
	for i, r := range rows {
		it, err := r.item()
		if err != nil {
			return nil, err
		}
		out[i] = it
		index[r.PK] = i
		pks[i] = r.PK
	}
	if len(rows) == 0 {
		return out, nil
	}
	batch := jsonText(pks)
	type member struct {
		ItemPK int64  `db:"item_pk"`
		ID     string `db:"id"`
	}
	var placed []member
	if err := sqlx.SelectContext(ctx, q, &placed, `SELECT p.item_pk, s.id
		FROM json_each(?) j CROSS JOIN briefcase_placements p ON p.item_pk = j.value
		JOIN briefcase_spots s ON s.pk = p.spot_pk ORDER BY p.item_pk, s.id`, batch); err != nil {
		return nil, fmt.Errorf("placements: %w", err)
	}
	for _, m := range placed {
		it := &out[index[m.ItemPK]]
		it.Placements = append(it.Placements, m.ID)
	}
	var listed []member
	if err := sqlx.SelectContext(ctx, q, &listed, `SELECT li.item_pk, l.id
		FROM json_each(?) j CROSS JOIN briefcase_list_items li ON li.item_pk = j.value
		JOIN briefcase_lists l ON l.pk = li.list_pk ORDER BY li.item_pk, l.id`, batch); err != nil {
		return nil, fmt.Errorf("lists: %w", err)
	}
	for _, m := range listed {
		it := &out[index[m.ItemPK]]
		it.ListIDs = append(it.ListIDs, m.ID)
	}
	return out, nil
}

// UpdateItem replaces an item's fields except CreatedAt, CreatedBy,
// Placements and ListIDs. A new home spot that held a placement of the
// item loses that placement.
func (e *engine) UpdateItem(ctx context.Context, it items.Item) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		pk, oldHome, err := itemPK(ctx, tx, it.ID)
		if err != nil {
			return err
		}
		home, err := spotPK(ctx, tx, it.SpotID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE briefcase_items SET spot_pk = ?, kind = ?, title = ?, description = ?,
			external_title = ?, external_description = ?, audience = ?, downloadable = ?, author = ?,
			feedback_owner = ?, owners = ?, labels = ?, available_at = ?, expires_at = ?, verified_at = ?,
			verify_by = ?, promoted = ?, promoted_keywords = ?, source_type = ?, source_url = ?,
			source_connector = ?, source_external_id = ?, status = ?, hidden = ?, submitted_at = ?,
			current_version_id = ?, updated_at = ?
			WHERE pk = ?`,
			home, it.Kind, it.Title, it.Description, it.ExternalTitle, it.ExternalDescription, it.Audience,
			boolInt(it.Downloadable), it.Author, it.FeedbackOwner, jsonText(it.Owners), jsonText(it.Labels),
			micros(it.AvailableAt), micros(it.ExpiresAt), micros(it.VerifiedAt), micros(it.VerifyBy),
			boolInt(it.Promoted), jsonText(it.PromotedKeywords), it.Source.Type, it.Source.URL, it.Source.Connector,
			it.Source.ExternalID, it.Status, boolInt(it.Hidden), micros(it.SubmittedAt),
			it.CurrentVersionID, micros(it.UpdatedAt), pk)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, putSweepSQL, pk, sweepMicros(it.SweepAt)); err != nil {
			return err
		}
		if home != oldHome {
			if _, err := tx.ExecContext(ctx, `DELETE FROM briefcase_placements WHERE item_pk = ? AND spot_pk = ?`,
				pk, home); err != nil {
				return err
			}
		}
		return appendChange(ctx, tx, store.EntityItem, it.ID, store.OpUpsert)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: update item %s: %w", it.ID, err)
	}
	return nil
}

// DeleteItem deletes an item; foreign keys cascade to its versions,
// placements, list memberships and bookmarks.
func (e *engine) DeleteItem(ctx context.Context, id string) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM briefcase_items WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, err := affected(res); err != nil || n == 0 {
			return cmp(err, items.ErrNotFound)
		}
		return appendChange(ctx, tx, store.EntityItem, id, store.OpDelete)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: delete item %s: %w", id, err)
	}
	return nil
}

// sparseSpots is the most spot IDs for which ListItems first collects the
// candidate items of those spots and then sorts them. With more spots (a
// principal's whole visible set) it walks the ID index newest first and
// stops at the limit, which is cheap when most items match.
const sparseSpots = 16

// inSpots is true for an item (alias i, home spot alias s) homed or placed
// in one of the spots whose IDs are the JSON array bound to its two
// parameters. json_each keeps any number of IDs to one bound parameter, far
// from SQLite's variable limit, and matching on s.id (already joined for
// the item's SpotID) avoids looking every ID up in briefcase_spots.
const inSpots = `(s.id IN (SELECT value FROM json_each(?)) OR EXISTS (SELECT 1 FROM briefcase_placements p
	JOIN briefcase_spots ps ON ps.pk = p.spot_pk
	WHERE p.item_pk = i.pk AND ps.id IN (SELECT value FROM json_each(?))))`

// inValues matches col against a short list of values (statuses, kinds)
// with one bound parameter each: measured here, a json_each subquery on an
// unindexed column cost several microseconds per row. Long lists, which only
// a confused caller sends, fall back to json_each to stay under SQLite's
// variable limit.
func inValues[T ~string](col string, vals []T) (string, []any) {
	if len(vals) > 64 {
		return col + ` IN (SELECT value FROM json_each(?))`, []any{jsonText(vals)}
	}
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = string(v)
	}
	return col + ` IN (?` + strings.Repeat(`, ?`, len(vals)-1) + `)`, args
}

// ListItems returns the items matching f, newest (highest ID) first.
func (e *engine) ListItems(ctx context.Context, f items.ItemFilter) ([]items.Item, error) {
	if !f.AllSpots && len(f.SpotIDs) == 0 {
		return []items.Item{}, nil
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	from := ` FROM briefcase_items i`
	var where []string
	var args []any
	switch {
	case f.AllSpots:
	case len(f.SpotIDs) <= sparseSpots:
		// Candidates from the two spot indexes, as nested loops from the
		// spot IDs (an IN subquery here let SQLite walk the whole index);
		// CROSS JOIN fixes that order and keeps the candidates the outer
		// loop of the main query, so only they are read and sorted.
		spots := jsonText(f.SpotIDs)
		candidates := `SELECT hi.pk FROM json_each(?) hj
			CROSS JOIN briefcase_spots hs ON hs.id = hj.value
			CROSS JOIN briefcase_items hi ON hi.spot_pk = hs.pk`
		args = append(args, spots)
		if f.BeforeID != "" {
			candidates += ` WHERE hi.id < ?`
			args = append(args, f.BeforeID)
		}
		candidates += ` UNION SELECT pp.item_pk FROM json_each(?) pj
			CROSS JOIN briefcase_spots ps ON ps.id = pj.value
			CROSS JOIN briefcase_placements pp ON pp.spot_pk = ps.pk`
		args = append(args, spots)
		from = ` FROM (` + candidates + `) c CROSS JOIN briefcase_items i ON i.pk = c.pk`
	default:
		spots := jsonText(f.SpotIDs)
		where = append(where, inSpots)
		args = append(args, spots, spots)
	}
	if len(f.Statuses) > 0 {
		cond, vals := inValues("i.status", f.Statuses)
		args = append(args, vals...)
		if len(f.AnyStatusHomeIDs) > 0 {
			cond = `(` + cond + ` OR s.id IN (SELECT value FROM json_each(?)))`
			args = append(args, jsonText(f.AnyStatusHomeIDs))
		}
		where = append(where, cond)
	}
	if f.HideHidden {
		cond := `i.hidden = 0`
		if len(f.AnyStatusHomeIDs) > 0 {
			cond = `(i.hidden = 0 OR s.id IN (SELECT value FROM json_each(?)))`
			args = append(args, jsonText(f.AnyStatusHomeIDs))
		}
		where = append(where, cond)
	}
	if len(f.ListIDs) > 0 {
		where = append(where, `EXISTS (SELECT 1 FROM briefcase_list_items li WHERE li.item_pk = i.pk AND li.list_pk IN
			(SELECT pk FROM briefcase_lists WHERE id IN (SELECT value FROM json_each(?))))`)
		args = append(args, jsonText(f.ListIDs))
	}
	if len(f.Kinds) > 0 {
		cond, vals := inValues("i.kind", f.Kinds)
		where = append(where, cond)
		args = append(args, vals...)
	}
	if f.Audience != "" {
		where = append(where, `i.audience = ?`)
		args = append(args, f.Audience)
	}
	if f.BeforeID != "" {
		where = append(where, `i.id < ?`)
		args = append(args, f.BeforeID)
	}
	q := itemSelect + from + ` JOIN briefcase_spots s ON s.pk = i.spot_pk` + whereClause(where) +
		` ORDER BY i.id DESC LIMIT ?`
	args = append(args, limit)

	var out []items.Item
	err := e.snapshot(ctx, func(q2 queryer) error {
		var rows []itemRow
		if err := sqlx.SelectContext(ctx, q2, &rows, q, args...); err != nil {
			return err
		}
		var err error
		out, err = withMemberships(ctx, q2, rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: list items: %w", err)
	}
	return out, nil
}

// PutPlacement places an item in a spot other than its home; placing it
// again is a no-op (and records no change).
func (e *engine) PutPlacement(ctx context.Context, itemID, spotID string, at time.Time) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		pk, home, err := itemPK(ctx, tx, itemID)
		if err != nil {
			return err
		}
		spot, err := spotPK(ctx, tx, spotID)
		if err != nil {
			return err
		}
		if spot == home {
			return fmt.Errorf("%s is the item's home spot: %w", spotID, items.ErrConflict)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO briefcase_placements (item_pk, spot_pk, placed_at)
			VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, pk, spot, micros(at))
		if err != nil {
			return err
		}
		if n, err := affected(res); err != nil || n == 0 {
			return err
		}
		return appendChange(ctx, tx, store.EntityItem, itemID, store.OpUpsert)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: place item %s in %s: %w", itemID, spotID, err)
	}
	return nil
}

// DeletePlacement removes a placement; ErrNotFound when there is none.
func (e *engine) DeletePlacement(ctx context.Context, itemID, spotID string) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM briefcase_placements
			WHERE item_pk = (SELECT pk FROM briefcase_items WHERE id = ?)
			AND spot_pk = (SELECT pk FROM briefcase_spots WHERE id = ?)`, itemID, spotID)
		if err != nil {
			return err
		}
		if n, err := affected(res); err != nil || n == 0 {
			return cmp(err, items.ErrNotFound)
		}
		return appendChange(ctx, tx, store.EntityItem, itemID, store.OpUpsert)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: unplace item %s from %s: %w", itemID, spotID, err)
	}
	return nil
}

type versionRow struct {
	ID        string        `db:"id"`
	ItemID    string        `db:"item_id"`
	Number    int           `db:"number"`
	BlobKey   string        `db:"blob_key"`
	SHA256    string        `db:"sha256"`
	MIMEType  string        `db:"mime_type"`
	Size      int64         `db:"size"`
	Filename  string        `db:"filename"`
	PageCount int           `db:"page_count"`
	Pages     string        `db:"pages"`
	CreatedBy string        `db:"created_by"`
	CreatedAt sql.NullInt64 `db:"created_at"`
}

const versionSelect = `SELECT v.id, i.id AS item_id, v.number, v.blob_key, v.sha256, v.mime_type, v.size,
	v.filename, v.page_count, v.pages, v.created_by, v.created_at
	FROM briefcase_versions v JOIN briefcase_items i ON i.pk = v.item_pk`

func (r versionRow) version() (items.Version, error) {
	v := items.Version{ID: r.ID, ItemID: r.ItemID, Number: r.Number, BlobKey: r.BlobKey, SHA256: r.SHA256,
		MIMEType: r.MIMEType, Size: r.Size, Filename: r.Filename, PageCount: r.PageCount, CreatedBy: r.CreatedBy,
		CreatedAt: fromMicros(r.CreatedAt)}
	err := fromJSON("pages", r.Pages, &v.Pages)
	return v, err
}

// CreateVersion stores a version; ErrConflict when its ID or (item, number)
// exists, ErrNotFound when the item does not.
func (e *engine) CreateVersion(ctx context.Context, v items.Version) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO briefcase_versions (id, item_pk, number, blob_key, sha256,
			mime_type, size, filename, page_count, pages, created_by, created_at)
			SELECT ?, pk, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM briefcase_items WHERE id = ?`,
			v.ID, v.Number, v.BlobKey, v.SHA256, v.MIMEType, v.Size, v.Filename, v.PageCount, jsonText(v.Pages),
			v.CreatedBy, micros(v.CreatedAt), v.ItemID)
		if isUnique(err) {
			return items.ErrConflict
		}
		if err != nil {
			return err
		}
		if n, err := affected(res); err != nil || n == 0 {
			return cmp(err, fmt.Errorf("item %s: %w", v.ItemID, items.ErrNotFound))
		}
		return appendChange(ctx, tx, store.EntityItem, v.ItemID, store.OpUpsert)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: create version %s: %w", v.ID, err)
	}
	return nil
}

// GetVersion returns one version.
func (e *engine) GetVersion(ctx context.Context, id string) (items.Version, error) {
	var r versionRow
	err := sqlx.GetContext(ctx, e.read(), &r, versionSelect+` WHERE v.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		err = items.ErrNotFound
	}
	if err != nil {
		return items.Version{}, fmt.Errorf("sqlitestore: get version %s: %w", id, err)
	}
	return r.version()
}

// ListVersions returns an item's versions, number 1 first; none for a
// missing item.
func (e *engine) ListVersions(ctx context.Context, itemID string) ([]items.Version, error) {
	var rows []versionRow
	err := sqlx.SelectContext(ctx, e.read(), &rows, versionSelect+` WHERE i.id = ? ORDER BY v.number`, itemID)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: versions of %s: %w", itemID, err)
	}
	out := make([]items.Version, len(rows))
	for i, r := range rows {
		v, err := r.version()
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: versions of %s: %w", itemID, err)
		}
		out[i] = v
	}
	return out, nil
}

// PutBookmark creates a bookmark, or keeps the existing one (with its
// time); ErrNotFound when the item does not exist.
func (e *engine) PutBookmark(ctx context.Context, b items.Bookmark) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		pk, _, err := itemPK(ctx, tx, b.ItemID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO briefcase_bookmarks (principal_id, item_pk, created_at)
			VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, b.PrincipalID, pk, micros(b.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: bookmark %s for %s: %w", b.ItemID, b.PrincipalID, err)
	}
	return nil
}

// DeleteBookmark removes a bookmark; ErrNotFound when absent.
func (e *engine) DeleteBookmark(ctx context.Context, principalID, itemID string) error {
	res, err := e.exec(ctx, `DELETE FROM briefcase_bookmarks
		WHERE principal_id = ? AND item_pk = (SELECT pk FROM briefcase_items WHERE id = ?)`, principalID, itemID)
	if err == nil {
		var n int64
		if n, err = affected(res); err == nil && n == 0 {
			err = items.ErrNotFound
		}
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: delete bookmark %s of %s: %w", itemID, principalID, err)
	}
	return nil
}

// ListBookmarks returns a principal's bookmarks of items homed or placed in
// f.SpotIDs, newest first (ties by item ID, highest first).
func (e *engine) ListBookmarks(ctx context.Context, f items.BookmarkFilter) ([]items.Bookmark, error) {
	if len(f.SpotIDs) == 0 {
		return []items.Bookmark{}, nil
	}
	spots := jsonText(f.SpotIDs)
	var rows []struct {
		PrincipalID string        `db:"principal_id"`
		ItemID      string        `db:"item_id"`
		CreatedAt   sql.NullInt64 `db:"created_at"`
	}
	err := sqlx.SelectContext(ctx, e.read(), &rows, `SELECT b.principal_id, i.id AS item_id, b.created_at
		FROM briefcase_bookmarks b JOIN briefcase_items i ON i.pk = b.item_pk
		JOIN briefcase_spots s ON s.pk = i.spot_pk
		WHERE b.principal_id = ? AND `+inSpots+`
		ORDER BY b.created_at DESC, i.id DESC`, f.PrincipalID, spots, spots)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: bookmarks of %s: %w", f.PrincipalID, err)
	}
	out := make([]items.Bookmark, len(rows))
	for i, r := range rows {
		out[i] = items.Bookmark{PrincipalID: r.PrincipalID, ItemID: r.ItemID, CreatedAt: fromMicros(r.CreatedAt)}
	}
	return out, nil
}
