package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/share"
)

// settingsRow is a share.LinkSettings as stored, the same columns on shares
// and on links. The passcode itself has no column: only its hash (on the
// link) is kept.
type settingsRow struct {
	ExpiresAt     sql.NullInt64 `db:"expires_at"`
	EmailGate     bool          `db:"email_gate"`
	HasPasscode   bool          `db:"has_passcode"`
	AllowEmails   string        `db:"allow_emails"`
	AllowDomains  string        `db:"allow_domains"`
	DenyEmails    string        `db:"deny_emails"`
	DenyDomains   string        `db:"deny_domains"`
	AllowDownload bool          `db:"allow_download"`
	PinVersions   bool          `db:"pin_versions"`
}

// settingsCols lists the settings columns, each after prefix (a table
// alias and a dot, or nothing).
func settingsCols(prefix string) string {
	cols := []string{"expires_at", "email_gate", "has_passcode", "allow_emails", "allow_domains", "deny_emails",
		"deny_domains", "allow_download", "pin_versions"}
	return prefix + strings.Join(cols, ", "+prefix)
}

// settingsSet is the SET clause that writes the settings columns, in
// settingsArgs order.
const settingsSet = `expires_at = ?, email_gate = ?, has_passcode = ?, allow_emails = ?, allow_domains = ?,
	deny_emails = ?, deny_domains = ?, allow_download = ?, pin_versions = ?`

// settingsArgs are the values of the settings columns, in settingsCols
// order.
func settingsArgs(s share.LinkSettings) []any {
	return []any{micros(s.ExpiresAt), boolInt(s.EmailGate), boolInt(s.HasPasscode), jsonText(s.AllowEmails),
		jsonText(s.AllowDomains), jsonText(s.DenyEmails), jsonText(s.DenyDomains), boolInt(s.AllowDownload),
		boolInt(s.PinVersions)}
}

func (r settingsRow) settings() (share.LinkSettings, error) {
	s := share.LinkSettings{ExpiresAt: fromMicros(r.ExpiresAt), EmailGate: r.EmailGate, HasPasscode: r.HasPasscode,
		AllowDownload: r.AllowDownload, PinVersions: r.PinVersions}
	for _, c := range []struct {
		col, text string
		dst       *[]string
	}{
		{"allow_emails", r.AllowEmails, &s.AllowEmails},
		{"allow_domains", r.AllowDomains, &s.AllowDomains},
		{"deny_emails", r.DenyEmails, &s.DenyEmails},
		{"deny_domains", r.DenyDomains, &s.DenyDomains},
	} {
		if err := fromJSON(c.col, c.text, c.dst); err != nil {
			return s, err
		}
	}
	return s, nil
}

// placeholders returns n comma-separated question marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

type shareRow struct {
	PK            int64  `db:"pk"`
	ID            string `db:"id"`
	Kind          string `db:"kind"`
	OwnerID       string `db:"owner_id"`
	Title         string `db:"title"`
	Message       string `db:"message"`
	AccountID     string `db:"account_id"`
	OpportunityID string `db:"opportunity_id"`
	settingsRow
	RevokedAt sql.NullInt64 `db:"revoked_at"`
	CreatedAt sql.NullInt64 `db:"created_at"`
	UpdatedAt sql.NullInt64 `db:"updated_at"`
}

// shareSelect reads shares (alias s) without their contents.
var shareSelect = `SELECT s.pk, s.id, s.kind, s.owner_id, s.title, s.message, s.account_id, s.opportunity_id, ` +
	settingsCols("s.") + `, s.revoked_at, s.created_at, s.updated_at`

func (r shareRow) share() (share.Share, error) {
	settings, err := r.settings()
	return share.Share{ID: r.ID, Kind: share.Kind(r.Kind), OwnerID: r.OwnerID, Title: r.Title, Message: r.Message,
		AccountID: r.AccountID, OpportunityID: r.OpportunityID, Settings: settings,
		RevokedAt: fromMicros(r.RevokedAt), CreatedAt: fromMicros(r.CreatedAt), UpdatedAt: fromMicros(r.UpdatedAt)}, err
}

// sharePK returns a share's surrogate key.
func sharePK(ctx context.Context, q queryer, id string) (int64, error) {
	var pk int64
	err := sqlx.GetContext(ctx, q, &pk, `SELECT pk FROM briefcase_shares WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		err = share.ErrNotFound
	}
	return pk, err
}

// CreateShare stores a share with its sections, items and contributors;
// ErrConflict when its ID exists or an item appears twice in it.
func (e *engine) CreateShare(ctx context.Context, s share.Share) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		args := append([]any{s.ID, s.Kind, s.OwnerID, s.Title, s.Message, s.AccountID, s.OpportunityID},
			settingsArgs(s.Settings)...)
		args = append(args, micros(s.RevokedAt), micros(s.CreatedAt), micros(s.UpdatedAt))
		res, err := tx.ExecContext(ctx, `INSERT INTO briefcase_shares (id, kind, owner_id, title, message,
			account_id, opportunity_id, `+settingsCols("")+`, revoked_at, created_at, updated_at)
			VALUES (`+placeholders(len(args))+`)`, args...)
		if isUnique(err) {
			return share.ErrConflict
		}
		if err != nil {
			return err
		}
		pk, err := res.LastInsertId()
		if err != nil {
			return err
		}
		return insertContents(ctx, tx, pk, s)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: create share %s: %w", s.ID, err)
	}
	return nil
}

// insertContents writes a share's sections, items and contributors. An
// item twice in the share is ErrConflict; a contributor twice is kept once.
func insertContents(ctx context.Context, tx *sqlx.Tx, pk int64, s share.Share) error {
	for i, sec := range s.Sections {
		if _, err := tx.ExecContext(ctx, `INSERT INTO briefcase_share_sections (share_pk, position, id, title)
			VALUES (?, ?, ?, ?)`, pk, i, sec.ID, sec.Title); err != nil {
			return fmt.Errorf("section %d: %w", i, err)
		}
		for j, it := range sec.Items {
			_, err := tx.ExecContext(ctx, `INSERT INTO briefcase_share_items (share_pk, section_pos, position,
				item_id, version_id, added_by, added_at, seen_version_id, seen_status, seen_audience, seen_deleted)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				pk, i, j, it.ItemID, it.VersionID, it.AddedBy, micros(it.AddedAt), it.Seen.VersionID, it.Seen.Status,
				it.Seen.Audience, boolInt(it.Seen.Deleted))
			if isUnique(err) {
				return fmt.Errorf("item %s is in the share twice: %w", it.ItemID, share.ErrConflict)
			}
			if err != nil {
				return fmt.Errorf("item %s: %w", it.ItemID, err)
			}
		}
	}
	for _, p := range s.Contributors {
		if _, err := tx.ExecContext(ctx, `INSERT INTO briefcase_share_contributors (share_pk, principal_id)
			VALUES (?, ?) ON CONFLICT DO NOTHING`, pk, p); err != nil {
			return fmt.Errorf("contributor %s: %w", p, err)
		}
	}
	return nil
}

// GetShare returns a share with its contents in one query: the
// sections, items and contributors come as JSON arrays from sub-queries
// (a share is read for every batch of beacons, and one statement cost
// less than four).
func (e *engine) GetShare(ctx context.Context, id string) (share.Share, error) {
	var r struct {
		shareRow
		Sections     string `db:"sections"`
		Items        string `db:"items"`
		Contributors string `db:"contributors"`
	}
	err := sqlx.GetContext(ctx, e.read(), &r, getShareSQL, id)
	if errors.Is(err, sql.ErrNoRows) {
		err = share.ErrNotFound
	}
	var sh share.Share
	if err == nil {
		sh, err = r.share()
	}
	if err == nil {
		err = decodeContents(&sh, r.Sections, r.Items, r.Contributors)
	}
	if err != nil {
		return share.Share{}, fmt.Errorf("sqlitestore: get share %s: %w", id, err)
	}
	return sh, nil
}

// getShareSQL reads a share by ID with its contents as JSON arrays, in
// the order decodeContents expects (each sub-query's ORDER BY is its
// primary key's, and kept for json_group_array: see viewsJSON).
var getShareSQL = shareSelect + `,
	(SELECT json_group_array(json_array(sec.id, sec.title)) FROM (SELECT id, title FROM briefcase_share_sections
		WHERE share_pk = s.pk ORDER BY position) sec) AS sections,
	(SELECT json_group_array(json_array(si.section_pos, si.item_id, si.version_id, si.added_by, si.added_at,
		si.seen_version_id, si.seen_status, si.seen_audience, si.seen_deleted)) FROM (SELECT * FROM briefcase_share_items
		WHERE share_pk = s.pk ORDER BY section_pos, position) si) AS items,
	(SELECT json_group_array(con.principal_id) FROM (SELECT principal_id FROM briefcase_share_contributors
		WHERE share_pk = s.pk ORDER BY principal_id) con) AS contributors
	FROM briefcase_shares s WHERE s.id = ?`

// decodeContents fills a share's sections, items and contributors from
// GetShare's JSON arrays.
func decodeContents(sh *share.Share, sections, shared, contributors string) error {
	r := jsonReader{s: sections}
	for r.elem() {
		var sec share.Section
		r.open()
		sec.ID, sec.Title = r.str(), r.str()
		r.close()
		sh.Sections = append(sh.Sections, sec)
	}
	if err := r.done(); err != nil {
		return fmt.Errorf("decode sections: %w", err)
	}
	r = jsonReader{s: shared}
	for r.elem() {
		var it share.SharedItem
		r.open()
		pos := r.int()
		it.ItemID, it.VersionID, it.AddedBy, it.AddedAt = r.str(), r.str(), r.str(), fromMicros(r.nullInt())
		it.Seen.VersionID, it.Seen.Status = r.str(), items.Status(r.str())
		it.Seen.Audience, it.Seen.Deleted = items.Audience(r.str()), r.int() != 0
		r.close()
		if r.err != nil {
			break
		}
		if pos < 0 || pos >= int64(len(sh.Sections)) {
			return fmt.Errorf("item %s of share %s is in missing section %d", it.ItemID, sh.ID, pos)
		}
		sec := &sh.Sections[pos]
		sec.Items = append(sec.Items, it)
	}
	if err := r.done(); err != nil {
		return fmt.Errorf("decode items: %w", err)
	}
	r = jsonReader{s: contributors}
	for r.elem() {
		sh.Contributors = append(sh.Contributors, r.str())
	}
	if err := r.done(); err != nil {
		return fmt.Errorf("decode contributors: %w", err)
	}
	return nil
}

// withContents decodes rows into shares and fills their sections, items
// and contributors with three queries for the whole batch.
func withContents(ctx context.Context, q queryer, rows []shareRow) ([]share.Share, error) {
	out := make([]share.Share, len(rows))
	index := make(map[int64]int, len(rows))
	pks := make([]int64, len(rows))
	for i, r := range rows {
		s, err := r.share()
		if err != nil {
			return nil, err
		}
		out[i] = s
		index[r.PK] = i
		pks[i] = r.PK
	}
	if len(rows) == 0 {
		return out, nil
	}
	batch := jsonText(pks)
	var sections []struct {
		SharePK int64  `db:"share_pk"`
		ID      string `db:"id"`
		Title   string `db:"title"`
	}
	if err := sqlx.SelectContext(ctx, q, &sections, `SELECT c.share_pk, c.id, c.title
		FROM json_each(?) j CROSS JOIN briefcase_share_sections c ON c.share_pk = j.value
		ORDER BY c.share_pk, c.position`, batch); err != nil {
		return nil, fmt.Errorf("sections: %w", err)
	}
	for _, c := range sections {
		s := &out[index[c.SharePK]]
		s.Sections = append(s.Sections, share.Section{ID: c.ID, Title: c.Title})
	}
	var shared []struct {
		SharePK       int64         `db:"share_pk"`
		SectionPos    int           `db:"section_pos"`
		ItemID        string        `db:"item_id"`
		VersionID     string        `db:"version_id"`
		AddedBy       string        `db:"added_by"`
		AddedAt       sql.NullInt64 `db:"added_at"`
		SeenVersionID string        `db:"seen_version_id"`
		SeenStatus    string        `db:"seen_status"`
		SeenAudience  string        `db:"seen_audience"`
		SeenDeleted   bool          `db:"seen_deleted"`
	}
	if err := sqlx.SelectContext(ctx, q, &shared, `SELECT si.share_pk, si.section_pos, si.item_id, si.version_id,
		si.added_by, si.added_at, si.seen_version_id, si.seen_status, si.seen_audience, si.seen_deleted
		FROM json_each(?) j CROSS JOIN briefcase_share_items si ON si.share_pk = j.value
		ORDER BY si.share_pk, si.section_pos, si.position`, batch); err != nil {
		return nil, fmt.Errorf("items: %w", err)
	}
	for _, it := range shared {
		s := &out[index[it.SharePK]]
		if it.SectionPos < 0 || it.SectionPos >= len(s.Sections) {
			return nil, fmt.Errorf("item %s of share %s is in missing section %d", it.ItemID, s.ID, it.SectionPos)
		}
		sec := &s.Sections[it.SectionPos]
		sec.Items = append(sec.Items, share.SharedItem{ItemID: it.ItemID, VersionID: it.VersionID,
			AddedBy: it.AddedBy, AddedAt: fromMicros(it.AddedAt), Seen: share.ItemState{
				VersionID: it.SeenVersionID, Status: items.Status(it.SeenStatus),
				Audience: items.Audience(it.SeenAudience), Deleted: it.SeenDeleted}})
	}
	var contributors []struct {
		SharePK     int64  `db:"share_pk"`
		PrincipalID string `db:"principal_id"`
	}
	if err := sqlx.SelectContext(ctx, q, &contributors, `SELECT c.share_pk, c.principal_id
		FROM json_each(?) j CROSS JOIN briefcase_share_contributors c ON c.share_pk = j.value
		ORDER BY c.share_pk, c.principal_id`, batch); err != nil {
		return nil, fmt.Errorf("contributors: %w", err)
	}
	for _, c := range contributors {
		s := &out[index[c.SharePK]]
		s.Contributors = append(s.Contributors, c.PrincipalID)
	}
	return out, nil
}

// UpdateShare replaces a share's fields but CreatedAt, OwnerID and Kind,
// and all of its sections, items and contributors.
func (e *engine) UpdateShare(ctx context.Context, s share.Share) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		pk, err := sharePK(ctx, tx, s.ID)
		if err != nil {
			return err
		}
		args := append([]any{s.Title, s.Message, s.AccountID, s.OpportunityID}, settingsArgs(s.Settings)...)
		args = append(args, micros(s.RevokedAt), micros(s.UpdatedAt), pk)
		if _, err := tx.ExecContext(ctx, `UPDATE briefcase_shares SET title = ?, message = ?, account_id = ?,
			opportunity_id = ?, `+settingsSet+`, revoked_at = ?, updated_at = ? WHERE pk = ?`, args...); err != nil {
			return err
		}
		for _, table := range []string{"briefcase_share_items", "briefcase_share_sections", "briefcase_share_contributors"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE share_pk = ?`, pk); err != nil {
				return err
			}
		}
		return insertContents(ctx, tx, pk, s)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: update share %s: %w", s.ID, err)
	}
	return nil
}

// ListShares returns the shares matching f, highest ID first. Member and
// ItemID narrow the candidates through their indexes (rowid lookups, then
// a sort of the few that match); without them the ID index is walked
// newest first and the walk stops at the limit.
func (e *engine) ListShares(ctx context.Context, f share.ShareFilter) ([]share.Share, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	var where []string
	var args []any
	if f.Member != "" {
		where = append(where, `s.pk IN (SELECT pk FROM briefcase_shares WHERE owner_id = ?
			UNION SELECT share_pk FROM briefcase_share_contributors WHERE principal_id = ?)`)
		args = append(args, f.Member, f.Member)
	}
	if f.ItemID != "" {
		where = append(where, `s.pk IN (SELECT share_pk FROM briefcase_share_items WHERE item_id = ?)`)
		args = append(args, f.ItemID)
	}
	if f.Kind != "" {
		where = append(where, `s.kind = ?`)
		args = append(args, f.Kind)
	}
	if !f.LiveAt.IsZero() {
		where = append(where, `s.revoked_at IS NULL AND EXISTS (SELECT 1 FROM briefcase_share_links l
			WHERE l.share_pk = s.pk AND l.revoked_at IS NULL AND (l.expires_at IS NULL OR l.expires_at > ?))`)
		args = append(args, f.LiveAt.UnixMicro())
	}
	if f.BeforeID != "" {
		where = append(where, `s.id < ?`)
		args = append(args, f.BeforeID)
	}
	query := shareSelect + ` FROM briefcase_shares s` + whereClause(where) + ` ORDER BY s.id DESC LIMIT ?`
	args = append(args, limit)

	var out []share.Share
	err := e.snapshot(ctx, func(q queryer) error {
		var rows []shareRow
		if err := sqlx.SelectContext(ctx, q, &rows, query, args...); err != nil {
			return err
		}
		var err error
		out, err = withContents(ctx, q, rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: list shares: %w", err)
	}
	return out, nil
}

type linkRow struct {
	ID           string `db:"id"`
	ShareID      string `db:"share_id"`
	Recipient    string `db:"recipient"`
	TokenHash    string `db:"token_hash"`
	PasscodeHash string `db:"passcode_hash"`
	settingsRow
	RevokedAt      sql.NullInt64 `db:"revoked_at"`
	CreatedAt      sql.NullInt64 `db:"created_at"`
	FailedAttempts int           `db:"failed_attempts"`
	LockedUntil    sql.NullInt64 `db:"locked_until"`
}

// linkSelect reads links (alias l); every request on a share path reads
// its link, so the share ID is a sub-query, like viewsJSON's.
var linkSelect = `SELECT l.id, (SELECT id FROM briefcase_shares WHERE pk = l.share_pk) AS share_id, l.recipient,
	l.token_hash, l.passcode_hash, ` + settingsCols("l.") + `, l.revoked_at, l.created_at, l.failed_attempts,
	l.locked_until FROM briefcase_share_links l`

func (r linkRow) link() (share.Link, error) {
	settings, err := r.settings()
	return share.Link{ID: r.ID, ShareID: r.ShareID, Recipient: r.Recipient, TokenHash: r.TokenHash,
		PasscodeHash: r.PasscodeHash, Settings: settings, RevokedAt: fromMicros(r.RevokedAt),
		CreatedAt: fromMicros(r.CreatedAt), FailedAttempts: r.FailedAttempts, LockedUntil: fromMicros(r.LockedUntil)}, err
}

func (e *engine) getLink(ctx context.Context, where string, arg any) (share.Link, error) {
	var r linkRow
	err := sqlx.GetContext(ctx, e.read(), &r, linkSelect+` WHERE `+where, arg)
	if errors.Is(err, sql.ErrNoRows) {
		return share.Link{}, share.ErrNotFound
	}
	if err != nil {
		return share.Link{}, err
	}
	return r.link()
}

// CreateLink stores a link; ErrNotFound when its share does not exist,
// ErrConflict when its ID or token hash is taken.
func (e *engine) CreateLink(ctx context.Context, l share.Link) error {
	args := append([]any{l.ID, l.Recipient, l.TokenHash, l.PasscodeHash}, settingsArgs(l.Settings)...)
	args = append(args, micros(l.RevokedAt), micros(l.CreatedAt), l.FailedAttempts, micros(l.LockedUntil))
	res, err := e.exec(ctx, `INSERT INTO briefcase_share_links (id, recipient, token_hash, passcode_hash,
		`+settingsCols("")+`, revoked_at, created_at, failed_attempts, locked_until, share_pk)
		SELECT `+placeholders(len(args))+`, pk FROM briefcase_shares WHERE id = ?`, append(args, l.ShareID)...)
	if isUnique(err) {
		err = share.ErrConflict
	}
	if err == nil {
		var n int64
		if n, err = affected(res); err == nil && n == 0 {
			err = fmt.Errorf("share %s: %w", l.ShareID, share.ErrNotFound)
		}
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: create link %s: %w", l.ID, err)
	}
	return nil
}

// GetLink returns one link.
func (e *engine) GetLink(ctx context.Context, id string) (share.Link, error) {
	l, err := e.getLink(ctx, `l.id = ?`, id)
	if err != nil {
		return share.Link{}, fmt.Errorf("sqlitestore: get link %s: %w", id, err)
	}
	return l, nil
}

// GetLinkByTokenHash returns the link whose token has this hash.
func (e *engine) GetLinkByTokenHash(ctx context.Context, hash string) (share.Link, error) {
	l, err := e.getLink(ctx, `l.token_hash = ?`, hash)
	if err != nil {
		// The hash is a credential's fingerprint: keep it out of messages.
		return share.Link{}, fmt.Errorf("sqlitestore: link by token hash: %w", err)
	}
	return l, nil
}

// ListLinks returns a share's links, oldest first (ties by ID).
func (e *engine) ListLinks(ctx context.Context, shareID string) ([]share.Link, error) {
	var rows []linkRow
	err := sqlx.SelectContext(ctx, e.read(), &rows, linkSelect+`
		WHERE l.share_pk = (SELECT pk FROM briefcase_shares WHERE id = ?) ORDER BY l.created_at, l.id`, shareID)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: links of %s: %w", shareID, err)
	}
	out := make([]share.Link, len(rows))
	for i, r := range rows {
		if out[i], err = r.link(); err != nil {
			return nil, fmt.Errorf("sqlitestore: links of %s: %w", shareID, err)
		}
	}
	return out, nil
}

// UpdateLink replaces a link's settings, passcode hash, revocation, failed
// attempts and lock-out.
func (e *engine) UpdateLink(ctx context.Context, l share.Link) error {
	args := append([]any{l.PasscodeHash}, settingsArgs(l.Settings)...)
	args = append(args, micros(l.RevokedAt), l.FailedAttempts, micros(l.LockedUntil), l.ID)
	res, err := e.exec(ctx, `UPDATE briefcase_share_links SET passcode_hash = ?, `+settingsSet+`,
		revoked_at = ?, failed_attempts = ?, locked_until = ? WHERE id = ?`, args...)
	if err == nil {
		var n int64
		if n, err = affected(res); err == nil && n == 0 {
			err = share.ErrNotFound
		}
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: update link %s: %w", l.ID, err)
	}
	return nil
}

// PutGateCode stores the code for (LinkID, Email), replacing any earlier
// one; ErrNotFound when the link does not exist.
func (e *engine) PutGateCode(ctx context.Context, c share.GateCode) error {
	res, err := e.exec(ctx, `INSERT INTO briefcase_share_gate_codes (link_pk, email, code_hash, expires_at,
		attempts, created_at) SELECT pk, ?, ?, ?, ?, ? FROM briefcase_share_links WHERE id = ?
		ON CONFLICT (link_pk, email) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at,
		attempts = excluded.attempts, created_at = excluded.created_at`,
		c.Email, c.CodeHash, micros(c.ExpiresAt), c.Attempts, micros(c.CreatedAt), c.LinkID)
	if err == nil {
		var n int64
		if n, err = affected(res); err == nil && n == 0 {
			err = fmt.Errorf("link %s: %w", c.LinkID, share.ErrNotFound)
		}
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: put gate code for %s on %s: %w", c.Email, c.LinkID, err)
	}
	return nil
}

// GetGateCode returns the code for (linkID, email).
func (e *engine) GetGateCode(ctx context.Context, linkID, email string) (share.GateCode, error) {
	var r struct {
		LinkID    string        `db:"link_id"`
		Email     string        `db:"email"`
		CodeHash  string        `db:"code_hash"`
		ExpiresAt sql.NullInt64 `db:"expires_at"`
		Attempts  int           `db:"attempts"`
		CreatedAt sql.NullInt64 `db:"created_at"`
	}
	err := sqlx.GetContext(ctx, e.read(), &r, `SELECT l.id AS link_id, g.email, g.code_hash, g.expires_at,
		g.attempts, g.created_at FROM briefcase_share_links l
		JOIN briefcase_share_gate_codes g ON g.link_pk = l.pk WHERE l.id = ? AND g.email = ?`, linkID, email)
	if errors.Is(err, sql.ErrNoRows) {
		err = share.ErrNotFound
	}
	if err != nil {
		return share.GateCode{}, fmt.Errorf("sqlitestore: gate code for %s on %s: %w", email, linkID, err)
	}
	return share.GateCode{LinkID: r.LinkID, Email: r.Email, CodeHash: r.CodeHash, ExpiresAt: fromMicros(r.ExpiresAt),
		Attempts: r.Attempts, CreatedAt: fromMicros(r.CreatedAt)}, nil
}

// DeleteGateCode removes the code for (linkID, email); ErrNotFound when
// there is none.
func (e *engine) DeleteGateCode(ctx context.Context, linkID, email string) error {
	res, err := e.exec(ctx, `DELETE FROM briefcase_share_gate_codes
		WHERE link_pk = (SELECT pk FROM briefcase_share_links WHERE id = ?) AND email = ?`, linkID, email)
	if err == nil {
		var n int64
		if n, err = affected(res); err == nil && n == 0 {
			err = share.ErrNotFound
		}
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: delete gate code for %s on %s: %w", email, linkID, err)
	}
	return nil
}

// CreateView stores a view under its link's share; ErrNotFound when the
// link does not exist, ErrConflict when the ID is taken.
func (e *engine) CreateView(ctx context.Context, v share.View) error {
	res, err := e.exec(ctx, `INSERT INTO briefcase_share_views (id, link_pk, share_pk, recipient, user_agent,
		client, suspected_bot, bot_reason, started_at, last_beacon_at, beacons, active_ms, notified_at)
		SELECT ?, pk, share_pk, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM briefcase_share_links WHERE id = ?`,
		v.ID, v.Recipient, v.UserAgent, v.Client, boolInt(v.SuspectedBot), v.BotReason, micros(v.StartedAt),
		micros(v.LastBeaconAt), v.Beacons, v.ActiveMS, micros(v.NotifiedAt), v.LinkID)
	if isUnique(err) {
		err = share.ErrConflict
	}
	if err == nil {
		var n int64
		if n, err = affected(res); err == nil && n == 0 {
			err = fmt.Errorf("link %s: %w", v.LinkID, share.ErrNotFound)
		}
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: create view %s: %w", v.ID, err)
	}
	return nil
}

// GetView returns a view. Inside Atomic the transaction already holds the
// database's write lock (BEGIN IMMEDIATE on the one writer connection), so
// no other transaction can change the view before commit.
func (e *engine) GetView(ctx context.Context, id string) (share.View, error) {
	vs, err := queryViews(ctx, e.read(), `briefcase_share_views v WHERE v.id = ?`, id)
	if err == nil && len(vs) == 0 {
		err = share.ErrNotFound
	}
	if err != nil {
		return share.View{}, fmt.Errorf("sqlitestore: get view %s: %w", id, err)
	}
	return vs[0], nil
}

// GetViews reads the views with these IDs in one query, in the order
// given, leaving out the missing ones: json_each walks the IDs and each
// finds its view through the ID index.
func (e *engine) GetViews(ctx context.Context, ids []string) ([]share.View, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var b jsonArray
	for _, id := range ids {
		b.str(id)
	}
	found, err := queryViews(ctx, e.read(), `json_each(?) j CROSS JOIN briefcase_share_views v ON v.id = j.value`,
		b.text())
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: get %d views: %w", len(ids), err)
	}
	byID := make(map[string]int, len(found))
	for i, v := range found {
		byID[v.ID] = i
	}
	out := make([]share.View, 0, len(found))
	for _, id := range ids {
		if i, ok := byID[id]; ok {
			out = append(out, found[i])
			delete(byID, id)
		}
	}
	return out, nil
}

// viewsJSON reads views as one JSON array of rows, in the order the
// decoder below expects: one row of one column crosses cgo, where a row of
// thirteen per view, each scanned by database/sql, cost three times as
// much. %s is what follows FROM in the inner query that picks the views
// (alias v) and orders them: SQLite keeps a FROM-clause subquery's ORDER
// BY when the outer query aggregates with json_group_array (see
// tag-select-0230 in its source), which is cheaper than an ORDER BY in the
// aggregate, a sort even of rows already in order. The share and link IDs
// are correlated sub-queries, each a primary key lookup: on the beacon
// path a point lookup with two joins took about 22 µs against 5 µs.
const viewsJSON = `SELECT json_group_array(json_array(v.id, (SELECT id FROM briefcase_shares WHERE pk = v.share_pk),
	(SELECT id FROM briefcase_share_links WHERE pk = v.link_pk), v.recipient, v.user_agent, v.client, v.suspected_bot,
	v.bot_reason, v.started_at, v.last_beacon_at, v.beacons, v.active_ms, v.notified_at))
	FROM (SELECT v.* FROM %s) v`

// queryViews reads the views that from (see viewsJSON) selects, in order,
// and decodes them.
func queryViews(ctx context.Context, q queryer, from string, args ...any) ([]share.View, error) {
	var text string
	if err := q.QueryRowxContext(ctx, fmt.Sprintf(viewsJSON, from), args...).Scan(&text); err != nil {
		return nil, err
	}
	r := jsonReader{s: text}
	out := []share.View{}
	for r.elem() {
		var v share.View
		r.open()
		v.ID, v.ShareID, v.LinkID, v.Recipient, v.UserAgent, v.Client = r.str(), r.str(), r.str(), r.str(), r.str(), r.str()
		v.SuspectedBot, v.BotReason = r.int() != 0, r.str()
		v.StartedAt, v.LastBeaconAt = fromMicros(r.nullInt()), fromMicros(r.nullInt())
		v.Beacons, v.ActiveMS, v.NotifiedAt = int(r.int()), r.int(), fromMicros(r.nullInt())
		r.close()
		out = append(out, v)
	}
	if err := r.done(); err != nil {
		return nil, fmt.Errorf("decode views: %w", err)
	}
	return out, nil
}

// UpdateViews writes the views with one UPDATE ... FROM (VALUES ...)
// statement per chunk of bulkRows: one cgo call instead of one per view.
// Of two entries with one ID the last wins, as with UpdateView in a loop.
// The statement updates nothing when a view is missing: its NOT EXISTS
// term does not depend on the row, so SQLite evaluates it once, before
// the first update. That, and OR IGNORE (no NOT NULL check can abort it
// halfway), make it all or nothing without a savepoint or a statement
// journal (see bulk).
func (e *engine) UpdateViews(ctx context.Context, vs []share.View) error {
	if len(vs) == 0 {
		return nil
	}
	last := make(map[string]int, len(vs))
	for i, v := range vs {
		last[v.ID] = i
	}
	var chunks [][]any
	var args []any
	for i, v := range vs {
		if last[v.ID] != i {
			continue
		}
		args = append(args, v.ID, v.Recipient, int64(boolInt(v.SuspectedBot)), v.BotReason, nullMicros(v.LastBeaconAt),
			int64(v.Beacons), v.ActiveMS, nullMicros(v.NotifiedAt))
		if len(args) == 8*bulkRows {
			chunks, args = append(chunks, args), nil
		}
	}
	if len(args) > 0 {
		chunks = append(chunks, args)
	}
	err := e.bulk(ctx, len(chunks) == 1, func(tx *sqlx.Tx) error {
		for _, args := range chunks {
			rows := len(args) / 8
			q, args := bulkValues(updateViewsSQL, 8, args)
			n, _, err := execBulk(ctx, tx, q, args)
			if err != nil {
				return err
			}
			if n != int64(rows) {
				if err := missingView(ctx, tx, args, 8, rows); !errors.Is(err, errNoneMissing) {
					return err
				}
				return fmt.Errorf("updated %d of %d views, yet %w", n, rows, errNoneMissing)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: update %d views: %w", len(vs), err)
	}
	return nil
}

// updateViewsSQL writes views from rows (id, recipient, suspected_bot,
// bot_reason, last_beacon_at, beacons, active_ms, notified_at).
const updateViewsSQL = `WITH u (id, recipient, suspected_bot, bot_reason, last_beacon_at, beacons, active_ms,
	notified_at) AS (VALUES %s)
	UPDATE OR IGNORE briefcase_share_views SET recipient = u.recipient, suspected_bot = u.suspected_bot,
		bot_reason = u.bot_reason, last_beacon_at = u.last_beacon_at, beacons = u.beacons, active_ms = u.active_ms,
		notified_at = u.notified_at
	FROM u WHERE briefcase_share_views.id = u.id AND ` + allViewsExist

// UpdateView replaces a view's mutable fields.
func (e *engine) UpdateView(ctx context.Context, v share.View) error {
	res, err := e.exec(ctx, `UPDATE briefcase_share_views SET recipient = ?, suspected_bot = ?, bot_reason = ?,
		last_beacon_at = ?, beacons = ?, active_ms = ?, notified_at = ? WHERE id = ?`,
		v.Recipient, boolInt(v.SuspectedBot), v.BotReason, micros(v.LastBeaconAt), v.Beacons, v.ActiveMS,
		micros(v.NotifiedAt), v.ID)
	if err == nil {
		var n int64
		if n, err = affected(res); err == nil && n == 0 {
			err = share.ErrNotFound
		}
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: update view %s: %w", v.ID, err)
	}
	return nil
}

// ListViews returns the views matching f, oldest StartedAt first (ties by
// ID), at most f.Limit (zero: 1000). NoBeaconBefore reads the partial index
// of silent views, whose WHERE terms it repeats word for word.
func (e *engine) ListViews(ctx context.Context, f share.ViewFilter) ([]share.View, error) {
	if f.ShareID == "" && f.LinkID == "" && f.NoBeaconBefore.IsZero() {
		return nil, fmt.Errorf("sqlitestore: list views: no ShareID, LinkID or NoBeaconBefore: %w", share.ErrInvalid)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	var where []string
	var args []any
	if f.ShareID != "" {
		where = append(where, `v.share_pk = (SELECT pk FROM briefcase_shares WHERE id = ?)`)
		args = append(args, f.ShareID)
	}
	if f.LinkID != "" {
		where = append(where, `v.link_pk = (SELECT pk FROM briefcase_share_links WHERE id = ?)`)
		args = append(args, f.LinkID)
	}
	if !f.NoBeaconBefore.IsZero() {
		where = append(where, `v.beacons = 0 AND v.suspected_bot = 0 AND v.started_at < ?`)
		args = append(args, f.NoBeaconBefore.UnixMicro())
	}
	out, err := queryViews(ctx, e.read(), `briefcase_share_views v`+whereClause(where)+
		` ORDER BY v.started_at, v.id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: list views: %w", err)
	}
	return out, nil
}

// The bulk writes of the beacon path (AddPageEvents, AddPageStats,
// UpdateViews) send a batch as one statement over a VALUES list of bound
// parameters, bulkRows rows at most, instead of one statement per row. The
// list is padded with rows of NULLs to a power of two (at least 8 rows),
// so that each statement has a handful of shapes that go-sqlite3's
// statement cache keeps prepared; a NULL view ID matches no view. Values
// are bound rather than passed as one JSON text: any function call per
// row (json_each's ->>, min, max) lets SQLite assume a multi-row write
// may fail halfway, and it then copies every page the statement touches
// into a statement journal, a temporary file once past 64 KiB (measured:
// that doubled the cost of the page events insert).
//
// bulkRows is 1,024 (8,192 parameters at most, against SQLite's 32,766) so
// that the share service's largest batch, 512 beacons, is one chunk: a
// write of several chunks runs in a savepoint, which journals every page
// it touches. Tests lower it to reach several chunks with few rows.
var bulkRows = 1024

// bulkValues returns query (with %s where the VALUES rows go) for the
// rows in args, width values each, padded with NULL rows as described
// above, and the padded args.
func bulkValues(query string, width int, args []any) (string, []any) {
	rows := len(args) / width
	n := 8
	for n < rows {
		n *= 2
	}
	for len(args) < n*width {
		args = append(args, nil)
	}
	key := [3]any{query, width, n}
	if q, ok := bulkSQL.Load(key); ok {
		return q.(string), args
	}
	row := "(" + placeholders(width) + ")"
	q := fmt.Sprintf(query, strings.TrimSuffix(strings.Repeat(row+", ", n), ", "))
	bulkSQL.Store(key, q)
	return q, args
}

// bulkSQL caches bulkValues' statements by query, width and rows.
var bulkSQL sync.Map

// allViewsExist is a WHERE term of bulk statements over a VALUES list u
// whose column id is a view ID (NULL in padding rows): true when every
// row's view exists. It does not depend on the row, so SQLite evaluates
// it once; a statement with a missing view then changes nothing.
const allViewsExist = `NOT EXISTS (SELECT 1 FROM u WHERE u.id IS NOT NULL
	AND NOT EXISTS (SELECT 1 FROM briefcase_share_views w WHERE w.id = u.id))`

// bulk runs fn, the statements of a bulk write, atomically. Inside Atomic,
// when alone is set (one chunk), it runs fn without a savepoint: fn's
// write is then all or nothing by itself (each caller says how), and
// skipping SAVEPOINT spares SQLite copying every page the write touches
// into the savepoint's journal.
func (e *engine) bulk(ctx context.Context, alone bool, fn func(tx *sqlx.Tx) error) error {
	if e.tx != nil && alone {
		return fn(e.tx)
	}
	return e.write(ctx, fn)
}

// missingView returns ErrNotFound naming the first view of a chunk of
// bulk rows (width values each, the view ID first) that does not exist,
// or errNoneMissing; it runs only once a bulk statement came up short.
func missingView(ctx context.Context, tx *sqlx.Tx, args []any, width, rows int) error {
	var b jsonArray
	for r := range rows {
		id, _ := args[r*width].(string)
		b.str(id)
	}
	var id string
	err := tx.QueryRowContext(ctx, `SELECT j.value FROM json_each(?) j
		WHERE NOT EXISTS (SELECT 1 FROM briefcase_share_views v WHERE v.id = j.value) ORDER BY j.key LIMIT 1`,
		b.text()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return errNoneMissing
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("view %s: %w", id, share.ErrNotFound)
}

// execBulk runs a bulk write and returns the rows it changed and the last
// rowid it inserted. It goes through Query rather than Exec: go-sqlite3
// binds Query's arguments and takes its first step (which runs a write to
// its end) in one cgo call, where Exec makes a cgo call per argument,
// hundreds for a bulk statement. SQLite's changes() and
// last_insert_rowid() then say what Exec's result would have.
func execBulk(ctx context.Context, tx *sqlx.Tx, query string, args []any) (changed, lastID int64, err error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, 0, err
	}
	if err := rows.Close(); err != nil {
		return 0, 0, err
	}
	err = tx.QueryRowContext(ctx, `SELECT changes(), last_insert_rowid()`).Scan(&changed, &lastID)
	return changed, lastID, err
}

// errNoneMissing is missingView's answer when every view exists.
var errNoneMissing = errors.New("every view exists")

// nullMicros is micros as a bulk parameter: an int64, or nil for the zero
// time.
func nullMicros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// AddPageEvents stores the events whose (ViewID, Seq) is new. Repeats
// within evs are settled here: only the first of a pair is sent. Each
// chunk of bulkRows is one INSERT OR IGNORE ... SELECT FROM (VALUES ...)
// (insertEventsSQL): each row finds its view_no through the view ID index
// and OR IGNORE drops the pairs stored already. When it stores every row,
// as it nearly always does, that is all. Otherwise a row named a missing
// view (the join left it out) or was a duplicate; the rows the statement
// stored are the ones numbered after maxOld, the highest event_no before
// it (SQLite numbers new rows on from the highest), so storedBefore tells
// the duplicates from them, and a missing view deletes them again: page
// events are only ever appended, so that undoes the statement exactly,
// without the savepoint or statement journal that would have cost as
// much as the insert on every call.
func (e *engine) AddPageEvents(ctx context.Context, evs []share.PageEvent) ([]bool, error) {
	stored := make([]bool, len(evs))
	if len(evs) == 0 {
		return stored, nil
	}
	type key struct {
		view string
		seq  int64
	}
	type chunk struct {
		args  []any
		index []int // the index in evs of each row
	}
	first := make(map[key]bool, len(evs))
	var chunks []chunk
	var c chunk
	for i, ev := range evs {
		k := key{ev.ViewID, ev.Seq}
		if first[k] {
			continue
		}
		first[k] = true
		c.args = append(c.args, ev.ViewID, ev.Seq, ev.ItemID, int64(ev.Page), ev.ClaimedMS, ev.ActiveMS, nullMicros(ev.At))
		c.index = append(c.index, i)
		if len(c.index) == bulkRows {
			chunks, c = append(chunks, c), chunk{}
		}
	}
	if len(c.index) > 0 {
		chunks = append(chunks, c)
	}
	err := e.bulk(ctx, len(chunks) == 1, func(tx *sqlx.Tx) error {
		for _, c := range chunks {
			q, args := bulkValues(insertEventsSQL, 7, c.args)
			n, last, err := execBulk(ctx, tx, q, args)
			if err != nil {
				return err
			}
			rows := len(c.index)
			if n == int64(rows) {
				for _, i := range c.index {
					stored[i] = true
				}
				continue
			}
			maxOld := last - n
			if err := missingView(ctx, tx, c.args, 7, rows); !errors.Is(err, errNoneMissing) {
				if n > 0 {
					if _, derr := tx.ExecContext(context.WithoutCancel(ctx),
						`DELETE FROM briefcase_share_page_events WHERE event_no > ?`, maxOld); derr != nil {
						return errors.Join(err, derr)
					}
				}
				return err
			}
			if n == 0 {
				continue // all of them stored already
			}
			old, err := storedBefore(ctx, tx, c.args, rows, maxOld)
			if err != nil {
				return err
			}
			for r, i := range c.index {
				stored[i] = !old[r]
			}
			if got := rows - len(old); got != int(n) {
				return fmt.Errorf("stored %d events, found %d", n, got)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: add %d page events: %w", len(evs), err)
	}
	return stored, nil
}

// insertEventsSQL stores page events from rows (view ID, seq, item_id,
// page, claimed_ms, active_ms, at); padding rows (NULL view ID) join no
// view.
const insertEventsSQL = `INSERT OR IGNORE INTO briefcase_share_page_events (view_no, seq, item_id, page,
	claimed_ms, active_ms, at)
	SELECT v.view_no, u.column2, u.column3, u.column4, u.column5, u.column6, u.column7
	FROM (VALUES %s) u JOIN briefcase_share_views v ON v.id = u.column1`

// storedBefore returns which of a chunk's event rows (insertEventsSQL's
// args) were stored before the insert that just stored the others: their
// event_no is at most maxOld, the highest one before it, since the insert
// numbered its rows on from there.
func storedBefore(ctx context.Context, tx *sqlx.Tx, args []any, rows int, maxOld int64) (map[int]bool, error) {
	var b jsonArray
	for r := range rows {
		b.open()
		b.str(args[r*7].(string))
		b.int(args[r*7+1].(int64))
		b.close()
	}
	res, err := tx.QueryContext(ctx, storedBeforeSQL, b.text(), maxOld)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	old := map[int]bool{}
	for res.Next() {
		var r int
		if err := res.Scan(&r); err != nil {
			return nil, err
		}
		old[r] = true
	}
	return old, res.Err()
}

// storedBeforeSQL returns the keys of the [view ID, seq] pairs in a JSON
// array whose event is numbered at most the second parameter.
const storedBeforeSQL = `SELECT u.key FROM json_each(?) u
	JOIN briefcase_share_views v ON v.id = u.value->>0
	JOIN briefcase_share_page_events pe ON pe.view_no = v.view_no AND pe.seq = u.value->>1
	WHERE pe.event_no <= ?`

// AddPageStats adds each stat onto its (view, item, page) row with one
// upsert over a VALUES list per chunk of bulkRows; a key twice in stats
// conflicts with the row its first occurrence wrote, and is added onto
// it. A missing view leaves view_no NULL (LEFT JOIN), and the NOT NULL
// constraint aborts the statement. Unlike the other bulk writes this one
// pays for a statement journal (its DO UPDATE may abort, as far as SQLite
// knows, so it keeps the pages it changes to undo them): measured, that
// cost less than an UPDATE and an INSERT OR IGNORE, each over all rows. A
// zero FirstAt or LastAt (NULL) counts as unset: min and max of SQL
// return NULL when either side is, so coalesce falls back to the side
// that is set.
func (e *engine) AddPageStats(ctx context.Context, stats []share.PageStat) error {
	if len(stats) == 0 {
		return nil
	}
	var chunks [][]any
	var args []any
	for _, ps := range stats {
		args = append(args, ps.ViewID, ps.ItemID, int64(ps.Page), ps.ActiveMS, int64(ps.Beacons), nullMicros(ps.FirstAt),
			nullMicros(ps.LastAt))
		if len(args) == 7*bulkRows {
			chunks, args = append(chunks, args), nil
		}
	}
	if len(args) > 0 {
		chunks = append(chunks, args)
	}
	err := e.bulk(ctx, len(chunks) == 1, func(tx *sqlx.Tx) error {
		for _, args := range chunks {
			rows := len(args) / 7
			q, padded := bulkValues(addStatsSQL, 7, args)
			rs, err := tx.QueryContext(ctx, q, padded...) // one cgo call; see execBulk
			if err == nil {
				err = rs.Close()
			}
			if isNotNull(err) {
				if err := missingView(ctx, tx, args, 7, rows); !errors.Is(err, errNoneMissing) {
					return err
				}
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: add %d page stats: %w", len(stats), err)
	}
	return nil
}

// addStatsSQL adds rows (view ID, item_id, page, active_ms, beacons,
// first_at, last_at) onto the stats. Padding rows (NULL view ID) are left
// out; WHERE also tells SQLite's parser that ON CONFLICT belongs to the
// INSERT, not to the join.
const addStatsSQL = `WITH u (id, item_id, page, active_ms, beacons, first_at, last_at) AS (VALUES %s)
	INSERT INTO briefcase_share_page_stats (view_no, item_id, page, active_ms, beacons, first_at, last_at)
	SELECT v.view_no, u.item_id, u.page, u.active_ms, u.beacons, u.first_at, u.last_at
	FROM u LEFT JOIN briefcase_share_views v ON v.id = u.id WHERE u.id IS NOT NULL
	ON CONFLICT (view_no, item_id, page) DO UPDATE SET
		active_ms = active_ms + excluded.active_ms,
		beacons = beacons + excluded.beacons,
		first_at = coalesce(min(first_at, excluded.first_at), first_at, excluded.first_at),
		last_at = coalesce(max(last_at, excluded.last_at), last_at, excluded.last_at)`

// isNotNull reports a NOT NULL violation.
func isNotNull(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintNotNull
}

// jsonArray builds the JSON parameter of a bulk statement: an array of
// values, or of rows (open, values, close) that json_each walks. Strings
// go through byte for byte: only the quote, the backslash and control
// characters are escaped, so SQLite hands back exactly the bytes Go had,
// invalid UTF-8 and NULs included (encoding/json would replace invalid
// UTF-8).
type jsonArray struct {
	b     []byte
	fresh bool // no value yet at the current level
}

func (j *jsonArray) sep() {
	if len(j.b) == 0 {
		j.b = append(j.b, '[')
		j.fresh = true
	}
	if !j.fresh {
		j.b = append(j.b, ',')
	}
	j.fresh = false
}

func (j *jsonArray) open() {
	j.sep()
	j.b = append(j.b, '[')
	j.fresh = true
}

func (j *jsonArray) close() {
	j.b = append(j.b, ']')
	j.fresh = false
}

func (j *jsonArray) int(n int64) {
	j.sep()
	j.b = strconv.AppendInt(j.b, n, 10)
}

func (j *jsonArray) str(s string) {
	const hex = "0123456789abcdef"
	j.sep()
	j.b = append(j.b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		j.b = append(j.b, s[start:i]...)
		if c == '"' || c == '\\' {
			j.b = append(j.b, '\\', c)
		} else {
			j.b = append(j.b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		}
		start = i + 1
	}
	j.b = append(j.b, s[start:]...)
	j.b = append(j.b, '"')
}

// text returns the array, closed.
func (j *jsonArray) text() string {
	if len(j.b) == 0 {
		return "[]"
	}
	return string(j.b) + "]"
}

// jsonReader decodes what SQLite's json_group_array(json_array(...))
// writes: an array of arrays of strings, integers and nulls. Strings come
// back byte for byte (SQLite escapes the quote, the backslash and control
// characters, and passes any other byte through). The first error sticks;
// done reports it.
type jsonReader struct {
	s       string
	i       int
	started bool // the outer array's bracket is read
	fresh   bool // no element read yet at the current level
	err     error
}

func (r *jsonReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("want %s at offset %d, before %q", what, r.i, r.s[r.i:min(len(r.s), r.i+20)])
	}
	r.i = len(r.s)
}

func (r *jsonReader) skipSpace() {
	for r.i < len(r.s) && (r.s[r.i] == ' ' || r.s[r.i] == '\n' || r.s[r.i] == '\t' || r.s[r.i] == '\r') {
		r.i++
	}
}

// sep consumes the comma before every element but the first of a level.
func (r *jsonReader) sep() {
	r.skipSpace()
	if !r.fresh {
		if r.i >= len(r.s) || r.s[r.i] != ',' {
			r.fail(`","`)
			return
		}
		r.i++
		r.skipSpace()
	}
	r.fresh = false
}

// elem reports whether the outer array has another element, consuming its
// opening bracket on the first call.
func (r *jsonReader) elem() bool {
	if r.err != nil {
		return false
	}
	r.skipSpace()
	if !r.started {
		if r.i >= len(r.s) || r.s[r.i] != '[' {
			r.fail(`"["`)
			return false
		}
		r.i++
		r.started, r.fresh = true, true
		r.skipSpace()
	}
	if r.i < len(r.s) && r.s[r.i] == ']' {
		r.i++
		return false
	}
	return r.err == nil && r.i < len(r.s)
}

func (r *jsonReader) open() {
	r.sep()
	if r.i >= len(r.s) || r.s[r.i] != '[' {
		r.fail(`"["`)
		return
	}
	r.i++
	r.fresh = true
}

func (r *jsonReader) close() {
	r.skipSpace()
	if r.i >= len(r.s) || r.s[r.i] != ']' {
		r.fail(`"]"`)
		return
	}
	r.i++
	r.fresh = false
}

// done returns the first error, or one for anything after the outer
// array.
func (r *jsonReader) done() error {
	r.skipSpace()
	if r.err == nil && r.i != len(r.s) {
		r.fail("the end")
	}
	return r.err
}

func (r *jsonReader) str() string {
	r.sep()
	if r.i >= len(r.s) || r.s[r.i] != '"' {
		r.fail("a string")
		return ""
	}
	r.i++
	start := r.i
	for r.i < len(r.s) && r.s[r.i] != '"' && r.s[r.i] != '\\' {
		r.i++
	}
	if r.i < len(r.s) && r.s[r.i] == '"' {
		r.i++
		return strings.Clone(r.s[start : r.i-1])
	}
	b := []byte(r.s[start:r.i])
	for r.i < len(r.s) {
		c := r.s[r.i]
		r.i++
		switch {
		case c == '"':
			return string(b)
		case c != '\\':
			b = append(b, c)
		case r.i >= len(r.s):
			r.fail("an escape")
			return ""
		default:
			e := r.s[r.i]
			r.i++
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				b = r.appendRune(b)
			default:
				r.fail("an escape")
				return ""
			}
		}
	}
	r.fail(`a closing '"'`)
	return ""
}

// appendRune decodes the hex digits after \u (and a low surrogate's after
// a high one) and appends the character as UTF-8.
func (r *jsonReader) appendRune(b []byte) []byte {
	hex4 := func() rune {
		if r.i+4 > len(r.s) {
			return -1
		}
		n, err := strconv.ParseUint(r.s[r.i:r.i+4], 16, 16)
		if err != nil {
			return -1
		}
		r.i += 4
		return rune(n)
	}
	c := hex4()
	if c < 0 {
		r.fail("four hex digits")
		return b
	}
	if utf16.IsSurrogate(c) && strings.HasPrefix(r.s[r.i:], `\u`) {
		save := r.i
		r.i += 2
		if lo := hex4(); lo >= 0 {
			if d := utf16.DecodeRune(c, lo); d != utf8.RuneError {
				return utf8.AppendRune(b, d)
			}
		}
		r.i = save
	}
	return utf8.AppendRune(b, c)
}

// int reads an integer; nullInt reads an integer or null.
func (r *jsonReader) int() int64 {
	n := r.nullInt()
	if !n.Valid {
		r.fail("an integer")
	}
	return n.Int64
}

func (r *jsonReader) nullInt() sql.NullInt64 {
	r.sep()
	if strings.HasPrefix(r.s[r.i:], "null") {
		r.i += 4
		return sql.NullInt64{}
	}
	start := r.i
	if r.i < len(r.s) && r.s[r.i] == '-' {
		r.i++
	}
	for r.i < len(r.s) && r.s[r.i] >= '0' && r.s[r.i] <= '9' {
		r.i++
	}
	n, err := strconv.ParseInt(r.s[start:r.i], 10, 64)
	if err != nil {
		r.i = start
		r.fail("an integer")
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: n, Valid: true}
}

// ListPageStats returns the stats of a share's views by view ID, item ID
// and page.
func (e *engine) ListPageStats(ctx context.Context, shareID string) ([]share.PageStat, error) {
	var rows []struct {
		ViewID   string        `db:"view_id"`
		ItemID   string        `db:"item_id"`
		Page     int           `db:"page"`
		ActiveMS int64         `db:"active_ms"`
		Beacons  int           `db:"beacons"`
		FirstAt  sql.NullInt64 `db:"first_at"`
		LastAt   sql.NullInt64 `db:"last_at"`
	}
	err := sqlx.SelectContext(ctx, e.read(), &rows, `SELECT v.id AS view_id, ps.item_id, ps.page, ps.active_ms,
		ps.beacons, ps.first_at, ps.last_at
		FROM briefcase_shares s JOIN briefcase_share_views v ON v.share_pk = s.pk
		JOIN briefcase_share_page_stats ps ON ps.view_no = v.view_no
		WHERE s.id = ? ORDER BY v.id, ps.item_id, ps.page`, shareID)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: page stats of %s: %w", shareID, err)
	}
	out := make([]share.PageStat, len(rows))
	for i, r := range rows {
		out[i] = share.PageStat{ViewID: r.ViewID, ItemID: r.ItemID, Page: r.Page, ActiveMS: r.ActiveMS,
			Beacons: r.Beacons, FirstAt: fromMicros(r.FirstAt), LastAt: fromMicros(r.LastAt)}
	}
	return out, nil
}

// ListPageEvents returns a view's page events in Seq order.
func (e *engine) ListPageEvents(ctx context.Context, viewID string) ([]share.PageEvent, error) {
	var rows []struct {
		Seq       int64         `db:"seq"`
		ItemID    string        `db:"item_id"`
		Page      int           `db:"page"`
		ClaimedMS int64         `db:"claimed_ms"`
		ActiveMS  int64         `db:"active_ms"`
		At        sql.NullInt64 `db:"at"`
	}
	err := sqlx.SelectContext(ctx, e.read(), &rows, `SELECT pe.seq, pe.item_id, pe.page, pe.claimed_ms,
		pe.active_ms, pe.at FROM briefcase_share_views v
		JOIN briefcase_share_page_events pe ON pe.view_no = v.view_no
		WHERE v.id = ? ORDER BY pe.seq`, viewID)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: page events of %s: %w", viewID, err)
	}
	out := make([]share.PageEvent, len(rows))
	for i, r := range rows {
		out[i] = share.PageEvent{ViewID: viewID, Seq: r.Seq, ItemID: r.ItemID, Page: r.Page, ClaimedMS: r.ClaimedMS,
			ActiveMS: r.ActiveMS, At: fromMicros(r.At)}
	}
	return out, nil
}

// AddEvent appends an event; AUTOINCREMENT assigns its Seq, so Seq grows
// in append order and is never reused. ErrNotFound when the share does
// not exist.
func (e *engine) AddEvent(ctx context.Context, ev share.Event) error {
	res, err := e.exec(ctx, `INSERT INTO briefcase_share_events (share_pk, type, link_id, view_id, item_id,
		recipient, suspected_bot, at) SELECT pk, ?, ?, ?, ?, ?, ?, ? FROM briefcase_shares WHERE id = ?`,
		ev.Type, ev.LinkID, ev.ViewID, ev.ItemID, ev.Recipient, boolInt(ev.SuspectedBot), micros(ev.At), ev.ShareID)
	if err == nil {
		var n int64
		if n, err = affected(res); err == nil && n == 0 {
			err = fmt.Errorf("share %s: %w", ev.ShareID, share.ErrNotFound)
		}
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: add %s event on %s: %w", ev.Type, ev.ShareID, err)
	}
	return nil
}

// ListEvents returns a share's events in Seq order.
func (e *engine) ListEvents(ctx context.Context, shareID string) ([]share.Event, error) {
	var rows []struct {
		Seq          int64         `db:"seq"`
		Type         string        `db:"type"`
		LinkID       string        `db:"link_id"`
		ViewID       string        `db:"view_id"`
		ItemID       string        `db:"item_id"`
		Recipient    string        `db:"recipient"`
		SuspectedBot bool          `db:"suspected_bot"`
		At           sql.NullInt64 `db:"at"`
	}
	err := sqlx.SelectContext(ctx, e.read(), &rows, `SELECT ev.seq, ev.type, ev.link_id, ev.view_id, ev.item_id,
		ev.recipient, ev.suspected_bot, ev.at FROM briefcase_shares s
		JOIN briefcase_share_events ev ON ev.share_pk = s.pk WHERE s.id = ? ORDER BY ev.seq`, shareID)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: events of %s: %w", shareID, err)
	}
	out := make([]share.Event, len(rows))
	for i, r := range rows {
		out[i] = share.Event{Seq: r.Seq, Type: share.EventType(r.Type), ShareID: shareID, LinkID: r.LinkID,
			ViewID: r.ViewID, ItemID: r.ItemID, Recipient: r.Recipient, SuspectedBot: r.SuspectedBot, At: fromMicros(r.At)}
	}
	return out, nil
}

// Secret returns the secret stored under name, storing value first when
// there is none. A secret, once there, is read from the read pool without
// touching the writer; the first store runs INSERT ... ON CONFLICT DO
// NOTHING and reads back in one write transaction, so concurrent first
// callers (in this process, or others on the same file) agree.
func (e *engine) Secret(ctx context.Context, name string, value []byte) ([]byte, error) {
	var got []byte
	err := sqlx.GetContext(ctx, e.read(), &got, `SELECT value FROM briefcase_secrets WHERE name = ?`, name)
	if errors.Is(err, sql.ErrNoRows) {
		err = e.write(ctx, func(tx *sqlx.Tx) error {
			if value == nil {
				value = []byte{}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO briefcase_secrets (name, value) VALUES (?, ?)
				ON CONFLICT DO NOTHING`, name, value); err != nil {
				return err
			}
			return tx.GetContext(ctx, &got, `SELECT value FROM briefcase_secrets WHERE name = ?`, name)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: secret %s: %w", name, err)
	}
	return got, nil
}
