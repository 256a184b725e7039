package sqlitestore

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/briefcasehq/briefcase/store"
)

// The change feed is briefcase_changes, appended by every content write in
// the write's own transaction.
//
// Why its seq is commit-ordered and gap-free for readers: seq is an
// AUTOINCREMENT key, so it only grows and is never reused once committed.
// All writes of this process run on one connection, in BEGIN IMMEDIATE
// transactions that hold SQLite's write lock from their first statement to
// their commit (and so do writers in any other process on the same file).
// Transactions that append changes therefore run one after another: the
// one that takes seq n+1 starts only after the one that took n committed or
// rolled back, and a rollback also rolls back the AUTOINCREMENT counter.
// WAL readers see whole transactions only. So a reader that has seen n can
// never later find a committed change below n that it missed.

// appendChange records one change inside tx.
func appendChange(ctx context.Context, tx *sqlx.Tx, e store.Entity, id string, op store.Op) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO briefcase_changes (entity, entity_id, op) VALUES (?, ?, ?)`, e, id, op)
	if err != nil {
		return fmt.Errorf("sqlitestore: append change %s %s: %w", e, id, err)
	}
	return nil
}

// appendChanges records one change for every ID the query (with args)
// returns, in that order.
func appendChanges(ctx context.Context, tx *sqlx.Tx, e store.Entity, op store.Op, idQuery string, args ...any) error {
	q := `INSERT INTO briefcase_changes (entity, entity_id, op) SELECT ?, id, ? FROM (` + idQuery + `)`
	if _, err := tx.ExecContext(ctx, q, append([]any{e, op}, args...)...); err != nil {
		return fmt.Errorf("sqlitestore: append %s changes: %w", e, err)
	}
	return nil
}

// Changes returns the changes after seq after, in seq order, at most limit
// (zero: 1000).
func (e *engine) Changes(ctx context.Context, after int64, limit int) ([]store.Change, error) {
	if limit <= 0 {
		limit = 1000
	}
	var rows []struct {
		Seq      int64  `db:"seq"`
		Entity   string `db:"entity"`
		EntityID string `db:"entity_id"`
		Op       string `db:"op"`
	}
	err := sqlx.SelectContext(ctx, e.read(), &rows,
		`SELECT seq, entity, entity_id, op FROM briefcase_changes WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: changes after %d: %w", after, err)
	}
	out := make([]store.Change, len(rows))
	for i, r := range rows {
		out[i] = store.Change{Seq: r.Seq, Entity: store.Entity(r.Entity), EntityID: r.EntityID, Op: store.Op(r.Op)}
	}
	return out, nil
}

// LastChangeSeq returns the highest seq, or 0 when the feed is empty.
func (e *engine) LastChangeSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := sqlx.GetContext(ctx, e.read(), &seq, `SELECT coalesce(max(seq), 0) FROM briefcase_changes`); err != nil {
		return 0, fmt.Errorf("sqlitestore: last change seq: %w", err)
	}
	return seq, nil
}
