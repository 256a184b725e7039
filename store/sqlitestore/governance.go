package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/briefcasehq/briefcase/governance"
	"github.com/briefcasehq/briefcase/items"
)

// dueItemsSQL selects the items due at a time, at most a limit.
const dueItemsSQL = itemSelect + `
	FROM briefcase_item_sweep w JOIN briefcase_items i ON i.pk = w.item_pk JOIN briefcase_spots s ON s.pk = i.spot_pk
	WHERE w.sweep_at <= ? ORDER BY w.sweep_at, w.item_pk LIMIT ?`

// DueItems returns the items whose SweepAt is zero or not after now, by
// SweepAt then row order, at most limit (zero: 1000), without placements
// or lists. The zero SweepAt is stored as 0 (see sweepMicros), so this is
// one range over briefcase_item_sweep_due that stops at the limit.
func (e *engine) DueItems(ctx context.Context, now time.Time, limit int) ([]items.Item, error) {
	if limit <= 0 {
		limit = 1000
	}
	var rows []itemRow
	err := sqlx.SelectContext(ctx, e.read(), &rows, dueItemsSQL, sweepMicros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: due items: %w", err)
	}
	out := make([]items.Item, len(rows))
	for i, r := range rows {
		if out[i], err = r.item(); err != nil {
			return nil, fmt.Errorf("sqlitestore: due items: %w", err)
		}
	}
	return out, nil
}

const setSweepSQL = `UPDATE briefcase_item_sweep SET sweep_at = ?
	WHERE item_pk = (SELECT pk FROM briefcase_items WHERE id = ?)`

// SetSweepAt sets SweepAt on the items in at, skipping IDs that do not
// exist, with one prepared statement run once per item, in ID order (so
// consecutive updates touch neighbouring pages), inside one transaction. It
// records no change: the schedule is not content.
//
// Inside Atomic it runs in the caller's transaction without a savepoint:
// measured on 1000-item batches, a savepoint doubled the time (20 ms more
// per batch, 20 s more over a first sweep of a million items). A batch is
// not cut short by ctx once it started, and no item is ever refused, so
// only an SQLite failure (I/O, a full disk) can stop it halfway, which
// fails the caller's transaction as a whole; outside Atomic the batch is
// its own transaction.
func (e *engine) SetSweepAt(ctx context.Context, at map[string]time.Time) error {
	if len(at) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlitestore: set sweep times: %w", err)
	}
	ids := slices.Sorted(maps.Keys(at))
	set := func(tx *sqlx.Tx) error {
		return each(context.WithoutCancel(ctx), tx, "set sweep_at", setSweepSQL, len(ids),
			func(i int) []any { return []any{sweepMicros(at[ids[i]]), ids[i]} })
	}
	var err error
	if e.tx != nil {
		err = set(e.tx)
	} else {
		err = runTx(ctx, e.w, set)
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: set sweep times of %d items: %w", len(ids), err)
	}
	return nil
}

const resetSweepSQL = `UPDATE briefcase_item_sweep SET sweep_at = 0
	WHERE item_pk IN (SELECT pk FROM briefcase_items WHERE spot_pk = (SELECT pk FROM briefcase_spots WHERE id = ?))`

// ResetSweep sets SweepAt to zero on every item homed in spotID and
// returns how many there are, whether or not their SweepAt was zero
// already; an unknown spot has none. It records no change.
func (e *engine) ResetSweep(ctx context.Context, spotID string) (int, error) {
	res, err := e.exec(ctx, resetSweepSQL, spotID)
	var n int64
	if err == nil {
		n, err = affected(res)
	}
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: reset sweep of spot %s: %w", spotID, err)
	}
	return int(n), nil
}

const noticeCols = `id, key, recipient, digest, kind, item_id, spot_id, subject_id, title, window_days, due,
	detail, created_at, sent_at, attempts, next_attempt_at, last_error`

type noticeRow struct {
	ID            string        `db:"id"`
	Key           string        `db:"key"`
	Recipient     string        `db:"recipient"`
	Digest        string        `db:"digest"`
	Kind          string        `db:"kind"`
	ItemID        string        `db:"item_id"`
	SpotID        string        `db:"spot_id"`
	SubjectID     string        `db:"subject_id"`
	Title         string        `db:"title"`
	Window        int           `db:"window_days"`
	Due           sql.NullInt64 `db:"due"`
	Detail        string        `db:"detail"`
	CreatedAt     sql.NullInt64 `db:"created_at"`
	SentAt        sql.NullInt64 `db:"sent_at"`
	Attempts      int           `db:"attempts"`
	NextAttemptAt sql.NullInt64 `db:"next_attempt_at"`
	LastError     string        `db:"last_error"`
}

func (r noticeRow) notice() governance.Notice {
	return governance.Notice{
		ID: r.ID, Key: r.Key, Recipient: r.Recipient, Digest: r.Digest, Kind: governance.NoticeKind(r.Kind),
		ItemID: r.ItemID, SpotID: r.SpotID, SubjectID: r.SubjectID, Title: r.Title, Window: r.Window,
		Due: fromMicros(r.Due), Detail: r.Detail, CreatedAt: fromMicros(r.CreatedAt), SentAt: fromMicros(r.SentAt),
		Attempts: r.Attempts, NextAttemptAt: fromMicros(r.NextAttemptAt), LastError: r.LastError,
	}
}

// storedNotice is n as a read gives it back: times in UTC, to the
// microsecond.
func storedNotice(n governance.Notice) governance.Notice {
	for _, t := range []*time.Time{&n.Due, &n.CreatedAt, &n.SentAt, &n.NextAttemptAt} {
		*t = fromMicros(micros(*t))
	}
	return n
}

// AddNotices inserts the notices in order with ON CONFLICT (key) DO
// NOTHING, one prepared statement inside one transaction; a row inserted
// is a notice stored, so a Key repeated within ns keeps its first notice.
// An ID that exists under another Key is an error and stores nothing.
func (e *engine) AddNotices(ctx context.Context, ns []governance.Notice) ([]governance.Notice, error) {
	out := []governance.Notice{}
	if len(ns) == 0 {
		return out, nil
	}
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO briefcase_notices (`+noticeCols+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		// As in each: no per-statement cancellation watcher; ctx is
		// checked between rows.
		bg := context.WithoutCancel(ctx)
		for i, n := range ns {
			if i%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			res, err := stmt.ExecContext(bg, n.ID, n.Key, n.Recipient, n.Digest, string(n.Kind), n.ItemID, n.SpotID,
				n.SubjectID, n.Title, n.Window, micros(n.Due), n.Detail, micros(n.CreatedAt), micros(n.SentAt),
				n.Attempts, micros(n.NextAttemptAt), n.LastError)
			if isUnique(err) {
				return fmt.Errorf("notice %s: the ID exists with another key", n.ID)
			}
			if err != nil {
				return fmt.Errorf("notice %s: %w", n.ID, err)
			}
			if k, err := affected(res); err != nil {
				return err
			} else if k > 0 {
				out = append(out, storedNotice(n))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: add %d notices: %w", len(ns), err)
	}
	return out, nil
}

// pendingNoticesSQL selects the notices that may be tried at a time. It
// names sent_at IS NULL itself, so that SQLite may use the partial index.
const pendingNoticesSQL = `SELECT ` + noticeCols + ` FROM briefcase_notices
	WHERE sent_at IS NULL AND attempts < ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
	ORDER BY recipient, digest, created_at, id LIMIT ?`

// PendingNotices walks briefcase_notices_pending (unsent notices in
// delivery order) and keeps those that may be tried now.
func (e *engine) PendingNotices(ctx context.Context, now time.Time, maxAttempts, limit int) ([]governance.Notice, error) {
	if limit <= 0 {
		limit = 1000
	}
	out, err := selectNotices(ctx, e.read(), pendingNoticesSQL, maxAttempts, now.UnixMicro(), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: pending notices: %w", err)
	}
	return out, nil
}

// ClaimNotices selects the pending notices and moves their NextAttemptAt
// to until in one write transaction (a savepoint inside Atomic). Writes
// take the database's write lock at BEGIN IMMEDIATE, so no other claim, of
// this process or another, runs between the select and the update.
func (e *engine) ClaimNotices(ctx context.Context, now, until time.Time, maxAttempts, limit int) ([]governance.Notice, error) {
	if limit <= 0 {
		limit = 1000
	}
	var out []governance.Notice
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = selectNotices(ctx, tx, pendingNoticesSQL, maxAttempts, now.UnixMicro(), limit)
		if err != nil || len(out) == 0 {
			return err
		}
		ids := make([]string, len(out))
		for i := range out {
			ids[i] = out[i].ID
			out[i].NextAttemptAt = fromMicros(micros(until))
		}
		_, err = tx.ExecContext(ctx, claimSQL, micros(until), jsonText(ids))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: claim notices: %w", err)
	}
	return out, nil
}

// ListNotices returns the notices matching f newest first (CreatedAt,
// then ID, descending), at most f.Limit (zero: 1000), older than f.Before
// when set.
func (e *engine) ListNotices(ctx context.Context, f governance.NoticeFilter) ([]governance.Notice, error) {
	q, args := listNoticesSQL(f)
	out, err := selectNotices(ctx, e.read(), q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: list notices: %w", err)
	}
	return out, nil
}

// listNoticesSQL is ListNotices' query: by recipient it walks
// briefcase_notices_recipient backwards, already in result order.
//
// With a cursor the index is read from the cursor notice down: the row
// value (created_at, id) against the cursor's own. A zero CreatedAt is
// stored as NULL, which sorts last (oldest) but compares as unknown, so
// those notices come from a second arm, merged in order: all of them
// after a cursor with a time, those of a smaller ID after one without.
// An unknown cursor leaves cursor_notice empty, and both arms empty.
func listNoticesSQL(f governance.NoticeFilter) (string, []any) {
	var where []string
	var args []any
	if f.Recipient != "" {
		where = append(where, `recipient = ?`)
		args = append(args, f.Recipient)
	}
	if f.ItemID != "" {
		where = append(where, `item_id = ?`)
		args = append(args, f.ItemID)
	}
	if f.Unsent {
		where = append(where, `sent_at IS NULL`)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	const order = ` ORDER BY created_at DESC, id DESC LIMIT ?`
	selectWhere := func(cond string) string {
		return `SELECT ` + noticeCols + ` FROM briefcase_notices` + whereClause(append(slices.Clip(where), cond))
	}
	if f.Before == "" {
		return `SELECT ` + noticeCols + ` FROM briefcase_notices` + whereClause(where) + order, append(args, limit)
	}
	q := `WITH cursor_notice AS (SELECT created_at, id FROM briefcase_notices WHERE id = ?) ` +
		selectWhere(`(created_at, id) < (SELECT created_at, id FROM cursor_notice)`) +
		` UNION ALL ` +
		selectWhere(`created_at IS NULL AND EXISTS (SELECT 1 FROM cursor_notice c
			WHERE c.created_at IS NOT NULL OR c.id > briefcase_notices.id)`) +
		order
	both := append(append([]any{f.Before}, args...), args...) // each arm filters alike
	return q, append(both, limit)
}

// selectNotices runs a query that selects noticeCols.
func selectNotices(ctx context.Context, q queryer, query string, args ...any) ([]governance.Notice, error) {
	var rows []noticeRow
	if err := sqlx.SelectContext(ctx, q, &rows, query, args...); err != nil {
		return nil, err
	}
	out := make([]governance.Notice, len(rows))
	for i, r := range rows {
		out[i] = r.notice()
	}
	return out, nil
}

// The IDs of a batch are one JSON array parameter, however many there
// are; each is looked up in the id index.
const (
	markSentSQL   = `UPDATE briefcase_notices SET sent_at = ? WHERE id IN (SELECT value FROM json_each(?))`
	markFailedSQL = `UPDATE briefcase_notices SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
		WHERE id IN (SELECT value FROM json_each(?)) AND sent_at IS NULL`
	claimSQL = `UPDATE briefcase_notices SET next_attempt_at = ? WHERE id IN (SELECT value FROM json_each(?))`
)

// MarkNoticesSent sets SentAt on the notices with these IDs, sent or not.
func (e *engine) MarkNoticesSent(ctx context.Context, ids []string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := e.exec(ctx, markSentSQL, micros(at), jsonText(ids))
	if err != nil {
		return fmt.Errorf("sqlitestore: mark %d notices sent: %w", len(ids), err)
	}
	return nil
}

// MarkNoticesFailed counts one failed attempt on each unsent notice with
// one of these IDs (once, however often its ID is repeated).
func (e *engine) MarkNoticesFailed(ctx context.Context, ids []string, next time.Time, lastErr string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := e.exec(ctx, markFailedSQL, micros(next), lastErr, jsonText(ids))
	if err != nil {
		return fmt.Errorf("sqlitestore: mark %d notices failed: %w", len(ids), err)
	}
	return nil
}
