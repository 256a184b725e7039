package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/briefcasehq/briefcase/audit"
)

// AppendAudit stores e; its Seq is assigned by AUTOINCREMENT, so it grows in
// append order and is never reused.
func (e *engine) AppendAudit(ctx context.Context, a audit.Entry) error {
	_, err := e.exec(ctx, `INSERT INTO briefcase_audit (at, actor, action, target_kind, target_id, spot_id,
		override, reason, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		micros(a.At), a.Actor, a.Action, a.TargetKind, a.TargetID, a.SpotID, boolInt(a.Override), a.Reason,
		rawJSON(a.Before), rawJSON(a.After))
	if err != nil {
		return fmt.Errorf("sqlitestore: append audit %s on %s: %w", a.Action, a.TargetID, err)
	}
	return nil
}

// rawJSON stores a nil RawMessage as NULL, so it comes back nil.
func rawJSON(m json.RawMessage) []byte {
	if m == nil {
		return nil
	}
	return []byte(m)
}

// ListAudit returns the entries matching f in increasing Seq order, at most
// f.Limit (zero: 100).
func (e *engine) ListAudit(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	var where []string
	var args []any
	if f.Actor != "" {
		where = append(where, `actor = ?`)
		args = append(args, f.Actor)
	}
	if f.TargetKind != "" {
		where = append(where, `target_kind = ?`)
		args = append(args, f.TargetKind)
	}
	if f.TargetID != "" {
		where = append(where, `target_id = ?`)
		args = append(args, f.TargetID)
	}
	if len(f.SpotIDs) > 0 {
		where = append(where, `spot_id IN (SELECT value FROM json_each(?))`)
		args = append(args, jsonText(f.SpotIDs))
	}
	if !f.Since.IsZero() {
		where = append(where, `at >= ?`)
		args = append(args, f.Since.UnixMicro())
	}
	if !f.Until.IsZero() {
		where = append(where, `at < ?`)
		args = append(args, f.Until.UnixMicro())
	}
	if f.AfterSeq > 0 {
		where = append(where, `seq > ?`)
		args = append(args, f.AfterSeq)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	var rows []struct {
		Seq        int64         `db:"seq"`
		At         sql.NullInt64 `db:"at"`
		Actor      string        `db:"actor"`
		Action     string        `db:"action"`
		TargetKind string        `db:"target_kind"`
		TargetID   string        `db:"target_id"`
		SpotID     string        `db:"spot_id"`
		Override   bool          `db:"override"`
		Reason     string        `db:"reason"`
		Before     []byte        `db:"before_json"`
		After      []byte        `db:"after_json"`
	}
	err := sqlx.SelectContext(ctx, e.read(), &rows, `SELECT seq, at, actor, action, target_kind, target_id, spot_id,
		override, reason, before_json, after_json FROM briefcase_audit`+whereClause(where)+` ORDER BY seq LIMIT ?`,
		append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: list audit: %w", err)
	}
	out := make([]audit.Entry, len(rows))
	for i, r := range rows {
		out[i] = audit.Entry{Seq: r.Seq, At: fromMicros(r.At), Actor: r.Actor, Action: r.Action,
			TargetKind: r.TargetKind, TargetID: r.TargetID, SpotID: r.SpotID, Override: r.Override,
			Reason: r.Reason, Before: r.Before, After: r.After}
	}
	return out, nil
}
