package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

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

// GetShare returns a share with its contents, read from one snapshot.
func (e *engine) GetShare(ctx context.Context, id string) (share.Share, error) {
	var s share.Share
	err := e.snapshot(ctx, func(q queryer) error {
		var r shareRow
		err := sqlx.GetContext(ctx, q, &r, shareSelect+` FROM briefcase_shares s WHERE s.id = ?`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return share.ErrNotFound
		}
		if err != nil {
			return err
		}
		list, err := withContents(ctx, q, []shareRow{r})
		if err != nil {
			return err
		}
		s = list[0]
		return nil
	})
	if err != nil {
		return share.Share{}, fmt.Errorf("sqlitestore: get share %s: %w", id, err)
	}
	return s, nil
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
// its link, so the share ID is a sub-query, like viewSelect's.
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

type viewRow struct {
	ID           string        `db:"id"`
	ShareID      string        `db:"share_id"`
	LinkID       string        `db:"link_id"`
	Recipient    string        `db:"recipient"`
	UserAgent    string        `db:"user_agent"`
	Client       string        `db:"client"`
	SuspectedBot bool          `db:"suspected_bot"`
	BotReason    string        `db:"bot_reason"`
	StartedAt    sql.NullInt64 `db:"started_at"`
	LastBeaconAt sql.NullInt64 `db:"last_beacon_at"`
	Beacons      int           `db:"beacons"`
	ActiveMS     int64         `db:"active_ms"`
	NotifiedAt   sql.NullInt64 `db:"notified_at"`
}

// viewSelect reads views (alias v). The share and link IDs come from
// correlated sub-queries rather than joins: on the beacon path GetView runs
// once per view per batch, and measured here a point lookup with two joins
// took about 22 µs against 5 µs with sub-queries.
const viewSelect = `SELECT v.id, (SELECT id FROM briefcase_shares WHERE pk = v.share_pk) AS share_id,
	(SELECT id FROM briefcase_share_links WHERE pk = v.link_pk) AS link_id, v.recipient, v.user_agent, v.client,
	v.suspected_bot, v.bot_reason, v.started_at, v.last_beacon_at, v.beacons, v.active_ms, v.notified_at
	FROM briefcase_share_views v`

func (r viewRow) view() share.View {
	return share.View{ID: r.ID, ShareID: r.ShareID, LinkID: r.LinkID, Recipient: r.Recipient,
		UserAgent: r.UserAgent, Client: r.Client, SuspectedBot: r.SuspectedBot, BotReason: r.BotReason,
		StartedAt: fromMicros(r.StartedAt), LastBeaconAt: fromMicros(r.LastBeaconAt), Beacons: r.Beacons,
		ActiveMS: r.ActiveMS, NotifiedAt: fromMicros(r.NotifiedAt)}
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
	var r viewRow
	err := sqlx.GetContext(ctx, e.read(), &r, viewSelect+` WHERE v.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		err = share.ErrNotFound
	}
	if err != nil {
		return share.View{}, fmt.Errorf("sqlitestore: get view %s: %w", id, err)
	}
	return r.view(), nil
}

// GetViews reads the views with these IDs in one query, in the order
// given, leaving out the missing ones.
func (e *engine) GetViews(ctx context.Context, ids []string) ([]share.View, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []viewRow
	err := sqlx.SelectContext(ctx, e.read(), &rows, viewSelect+` WHERE v.id IN (SELECT value FROM json_each(?))`,
		jsonText(ids))
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: get %d views: %w", len(ids), err)
	}
	byID := make(map[string]share.View, len(rows))
	for _, r := range rows {
		byID[r.ID] = r.view()
	}
	out := make([]share.View, 0, len(rows))
	for _, id := range ids {
		if v, ok := byID[id]; ok {
			out = append(out, v)
			delete(byID, id)
		}
	}
	return out, nil
}

// UpdateViews runs one prepared update per view in one transaction (the
// caller's, inside Atomic, through a savepoint).
func (e *engine) UpdateViews(ctx context.Context, vs []share.View) error {
	if len(vs) == 0 {
		return nil
	}
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `UPDATE briefcase_share_views SET recipient = ?, suspected_bot = ?,
			bot_reason = ?, last_beacon_at = ?, beacons = ?, active_ms = ?, notified_at = ? WHERE id = ?`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, v := range vs {
			res, err := stmt.ExecContext(ctx, v.Recipient, boolInt(v.SuspectedBot), v.BotReason, micros(v.LastBeaconAt),
				v.Beacons, v.ActiveMS, micros(v.NotifiedAt), v.ID)
			if err != nil {
				return fmt.Errorf("view %s: %w", v.ID, err)
			}
			if n, err := affected(res); err != nil {
				return err
			} else if n == 0 {
				return fmt.Errorf("view %s: %w", v.ID, share.ErrNotFound)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: update %d views: %w", len(vs), err)
	}
	return nil
}

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
	var rows []viewRow
	err := sqlx.SelectContext(ctx, e.read(), &rows, viewSelect+whereClause(where)+
		` ORDER BY v.started_at, v.id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: list views: %w", err)
	}
	out := make([]share.View, len(rows))
	for i, r := range rows {
		out[i] = r.view()
	}
	return out, nil
}

// viewNumbers maps the view IDs of a batch to their integer keys with one
// query for the whole batch (one cgo round trip, where a lookup per view
// cost as much as the inserts); ErrNotFound names the first missing view.
func viewNumbers(ctx context.Context, tx *sqlx.Tx, n int, viewID func(i int) string) (map[string]int64, error) {
	ids := make([]string, 0, n)
	seen := make(map[string]bool, n)
	for i := range n {
		if id := viewID(i); !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT v.id, v.view_no FROM json_each(?) j
		CROSS JOIN briefcase_share_views v ON v.id = j.value`, jsonText(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	nos := make(map[string]int64, len(ids))
	for rows.Next() {
		var id string
		var no int64
		if err := rows.Scan(&id, &no); err != nil {
			return nil, err
		}
		nos[id] = no
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if _, ok := nos[id]; !ok {
			return nil, fmt.Errorf("view %s: %w", id, share.ErrNotFound)
		}
	}
	return nos, nil
}

// AddPageEvents stores the events whose (ViewID, Seq) is new, with one
// prepared insert run in a loop in one transaction (the caller's, inside
// Atomic, through a savepoint). ON CONFLICT DO NOTHING on the (view_no,
// seq) key drops duplicates; the rows it affected say which were stored.
func (e *engine) AddPageEvents(ctx context.Context, evs []share.PageEvent) ([]bool, error) {
	stored := make([]bool, len(evs))
	if len(evs) == 0 {
		return stored, nil
	}
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		nos, err := viewNumbers(ctx, tx, len(evs), func(i int) string { return evs[i].ViewID })
		if err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO briefcase_share_page_events (view_no, seq, item_id, page,
			claimed_ms, active_ms, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, ev := range evs {
			res, err := stmt.ExecContext(ctx, nos[ev.ViewID], ev.Seq, ev.ItemID, ev.Page, ev.ClaimedMS, ev.ActiveMS,
				micros(ev.At))
			if err != nil {
				return fmt.Errorf("view %s seq %d: %w", ev.ViewID, ev.Seq, err)
			}
			n, err := affected(res)
			if err != nil {
				return err
			}
			stored[i] = n == 1
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: add %d page events: %w", len(evs), err)
	}
	return stored, nil
}

// AddPageStats adds each stat onto its (view, item, page) row with one
// prepared upsert run in a loop in one transaction. A zero FirstAt or
// LastAt (NULL) counts as unset: min and max of SQL return NULL when
// either side is, so coalesce falls back to the side that is set.
func (e *engine) AddPageStats(ctx context.Context, stats []share.PageStat) error {
	if len(stats) == 0 {
		return nil
	}
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		nos, err := viewNumbers(ctx, tx, len(stats), func(i int) string { return stats[i].ViewID })
		if err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO briefcase_share_page_stats (view_no, item_id, page,
			active_ms, beacons, first_at, last_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (view_no, item_id, page) DO UPDATE SET
				active_ms = active_ms + excluded.active_ms,
				beacons = beacons + excluded.beacons,
				first_at = coalesce(min(first_at, excluded.first_at), first_at, excluded.first_at),
				last_at = coalesce(max(last_at, excluded.last_at), last_at, excluded.last_at)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, ps := range stats {
			if _, err := stmt.ExecContext(ctx, nos[ps.ViewID], ps.ItemID, ps.Page, ps.ActiveMS, ps.Beacons,
				micros(ps.FirstAt), micros(ps.LastAt)); err != nil {
				return fmt.Errorf("view %s item %s page %d: %w", ps.ViewID, ps.ItemID, ps.Page, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: add %d page stats: %w", len(stats), err)
	}
	return nil
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
