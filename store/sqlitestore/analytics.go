package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/briefcasehq/briefcase/analytics"
)

var (
	_ analytics.Store                  = (*DB)(nil)
	_ analytics.RecipientTotalsOfStore = (*DB)(nil)
)

// Days are stored as day numbers: days since 1970-01-01 UTC.
const secondsPerDay = 24 * 60 * 60

// dayNumber converts a well-formed day; ok is false for anything else.
func dayNumber(d analytics.Day) (n int64, ok bool) {
	t, err := time.Parse(time.DateOnly, string(d))
	if err != nil || analytics.DayOf(t) != d {
		return 0, false
	}
	return t.Unix() / secondsPerDay, true
}

// fromDayNumber turns a stored day number back into a Day.
func fromDayNumber(n int64) analytics.Day {
	return analytics.DayOf(time.Unix(n*secondsPerDay, 0))
}

// dayRange converts a filter's From and To into an inclusive range of day
// numbers; an unset bound is open.
func dayRange(from, to analytics.Day) (lo, hi int64, err error) {
	lo, hi = math.MinInt64, math.MaxInt64
	for _, b := range []struct {
		d   analytics.Day
		dst *int64
	}{{from, &lo}, {to, &hi}} {
		if b.d == "" {
			continue
		}
		n, ok := dayNumber(b.d)
		if !ok {
			return 0, 0, fmt.Errorf("day %q: %w", b.d, analytics.ErrInvalid)
		}
		*b.dst = n
	}
	return lo, hi, nil
}

// checkedRollups are deltas with the day number of each row, ready to
// write.
type checkedRollups struct {
	r                                              analytics.Rollups
	itemDays, viewers, visitPages, queries, actors []int64
}

// checkRollups refuses malformed deltas before anything is written.
func checkRollups(r analytics.Rollups) (c checkedRollups, err error) {
	days := func(n int, what string, row func(i int) (analytics.Day, bool)) ([]int64, error) {
		out := make([]int64, n)
		for i := range n {
			d, keys := row(i)
			no, ok := dayNumber(d)
			if !ok || !keys {
				return nil, fmt.Errorf("%w: %s %d: want its keys and a well-formed day, got day %q", analytics.ErrInvalid,
					what, i, d)
			}
			out[i] = no
		}
		return out, nil
	}
	c.r = r
	if c.itemDays, err = days(len(r.ItemDays), "item day", func(i int) (analytics.Day, bool) {
		return r.ItemDays[i].Day, r.ItemDays[i].ItemID != ""
	}); err != nil {
		return c, err
	}
	if c.viewers, err = days(len(r.Viewers), "viewer", func(i int) (analytics.Day, bool) {
		return r.Viewers[i].Day, r.Viewers[i].ItemID != "" && r.Viewers[i].Viewer != ""
	}); err != nil {
		return c, err
	}
	if c.visitPages, err = days(len(r.VisitPages), "visit page", func(i int) (analytics.Day, bool) {
		return r.VisitPages[i].Day, r.VisitPages[i].ItemID != ""
	}); err != nil {
		return c, err
	}
	if c.queries, err = days(len(r.Queries), "query day", func(i int) (analytics.Day, bool) {
		return r.Queries[i].Day, r.Queries[i].Query != ""
	}); err != nil {
		return c, err
	}
	c.actors, err = days(len(r.Actors), "actor day", func(i int) (analytics.Day, bool) {
		return r.Actors[i].Day, r.Actors[i].Actor != ""
	})
	return c, err
}

// ids collects the IDs a batch needs interned.
func (c checkedRollups) ids() []string {
	seen := map[string]bool{}
	var out []string
	add := func(ids ...string) {
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	for _, d := range c.r.ItemDays {
		add(d.ItemID, d.SpotID)
	}
	for _, v := range c.r.Viewers {
		add(v.ItemID, v.SpotID)
	}
	for _, v := range c.r.VisitPages {
		add(v.ViewID, v.ItemID, v.SpotID, v.ShareID)
	}
	for _, t := range c.r.Recipients {
		add(t.ShareID)
	}
	return out
}

// intern returns the integer keys of ids, adding the missing ones. One
// query reads the keys of the whole batch; only IDs never seen before are
// inserted, one prepared insert each.
func intern(ctx context.Context, tx *sqlx.Tx, ids []string) (map[string]int64, error) {
	nos := make(map[string]int64, len(ids))
	if len(ids) == 0 {
		return nos, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT i.id, i.no FROM json_each(?) j
		CROSS JOIN briefcase_analytics_ids i ON i.id = j.value`, jsonText(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
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
	var stmt *sql.Stmt
	for _, id := range ids {
		if _, ok := nos[id]; ok {
			continue
		}
		if stmt == nil {
			if stmt, err = tx.PrepareContext(ctx, `INSERT INTO briefcase_analytics_ids (id) VALUES (?)`); err != nil {
				return nil, err
			}
			defer stmt.Close()
		}
		res, err := stmt.ExecContext(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("intern %q: %w", id, err)
		}
		if nos[id], err = res.LastInsertId(); err != nil {
			return nil, err
		}
	}
	return nos, nil
}

// Append stores the events and adds their deltas in one transaction (a
// savepoint inside Atomic): one prepared statement per table, run in a
// loop.
func (e *engine) Append(ctx context.Context, evs []analytics.Event, r analytics.Rollups) error {
	for i, ev := range evs {
		if ev.At.IsZero() {
			return fmt.Errorf("sqlitestore: append: event %d has no time: %w", i, analytics.ErrInvalid)
		}
	}
	c, err := checkRollups(r)
	if err != nil {
		return fmt.Errorf("sqlitestore: append: %w", err)
	}
	if len(evs) == 0 && c.empty() {
		return nil
	}
	err = e.write(ctx, func(tx *sqlx.Tx) error {
		if err := insertEvents(ctx, tx, evs); err != nil {
			return err
		}
		return addRollups(ctx, tx, c)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: append %d events: %w", len(evs), err)
	}
	return nil
}

func (c checkedRollups) empty() bool {
	r := c.r
	return len(r.ItemDays)+len(r.Viewers)+len(r.VisitPages)+len(r.Recipients)+len(r.Queries)+len(r.Actors) == 0
}

// insertEvents appends events with one prepared insert run in a loop;
// AUTOINCREMENT numbers them in that order.
func insertEvents(ctx context.Context, tx *sqlx.Tx, evs []analytics.Event) error {
	return each(ctx, tx, "event", `INSERT INTO briefcase_analytics_events (type, at, actor, recipient, item_id,
		spot_id, share_id, share_owner, view_id, page, active_ms, query, hits, bot)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, len(evs), func(i int) []any {
		ev := evs[i]
		return []any{string(ev.Type), ev.At.UnixMicro(), ev.Actor, ev.Recipient, ev.ItemID, ev.SpotID, ev.ShareID,
			ev.ShareOwner, ev.ViewID, ev.Page, ev.ActiveMS, ev.Query, ev.Hits, boolInt(ev.SuspectedBot)}
	})
}

// upserts of each roll-up table: numbers add, the other fields keep the
// values of the row's first delta, VisitPage's day the earliest,
// RecipientTotal's first_at and last_at the earliest and latest (NULL is
// unset: min and max of SQL return NULL when either side is, so coalesce
// falls back to the side that is set).
const (
	upsertItemDay = `INSERT INTO briefcase_analytics_item_days (day, bot, item_no, spot_no, views, downloads,
		bookmarks, pitches, page_views, active_ms, external_downloads, external_clicks, score)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (day, bot, item_no) DO UPDATE SET
			views = views + excluded.views, downloads = downloads + excluded.downloads,
			bookmarks = bookmarks + excluded.bookmarks, pitches = pitches + excluded.pitches,
			page_views = page_views + excluded.page_views, active_ms = active_ms + excluded.active_ms,
			external_downloads = external_downloads + excluded.external_downloads,
			external_clicks = external_clicks + excluded.external_clicks, score = score + excluded.score`
	insertViewer = `INSERT INTO briefcase_analytics_item_viewers (day, item_no, viewer, spot_no)
		VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`
	upsertVisitPage = `INSERT INTO briefcase_analytics_visit_pages (view_no, item_no, page, spot_no, share_no,
		recipient, day, bot, active_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (view_no, item_no, page) DO UPDATE SET
			day = min(day, excluded.day), active_ms = active_ms + excluded.active_ms`
	upsertRecipient = `INSERT INTO briefcase_analytics_recipients (share_no, recipient, bot, share_owner, opens,
		page_views, active_ms, downloads, clicks, first_at, last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (share_no, recipient, bot) DO UPDATE SET
			opens = opens + excluded.opens, page_views = page_views + excluded.page_views,
			active_ms = active_ms + excluded.active_ms, downloads = downloads + excluded.downloads,
			clicks = clicks + excluded.clicks,
			first_at = coalesce(min(first_at, excluded.first_at), first_at, excluded.first_at),
			last_at = coalesce(max(last_at, excluded.last_at), last_at, excluded.last_at)`
	upsertQueryDay = `INSERT INTO briefcase_analytics_query_days (day, query, searches, zero_hits, hits_total)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (day, query) DO UPDATE SET
			searches = searches + excluded.searches, zero_hits = zero_hits + excluded.zero_hits,
			hits_total = hits_total + excluded.hits_total`
	upsertActorDay = `INSERT INTO briefcase_analytics_actor_days (day, actor, type, count) VALUES (?, ?, ?, ?)
		ON CONFLICT (day, actor, type) DO UPDATE SET count = count + excluded.count`
)

// each prepares query on tx and runs it once per row, with the arguments
// args(i) gives. The rows run without ctx's cancellation, because
// go-sqlite3 starts a goroutine per statement to watch a cancellable
// context; ctx is checked between rows instead.
func each(ctx context.Context, tx *sqlx.Tx, what, query string, n int, args func(i int) []any) error {
	if n == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer stmt.Close()
	bg := context.WithoutCancel(ctx)
	for i := range n {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if _, err := stmt.ExecContext(bg, args(i)...); err != nil {
			return fmt.Errorf("%s %d: %w", what, i, err)
		}
	}
	return nil
}

// addRollups writes checked deltas on tx.
func addRollups(ctx context.Context, tx *sqlx.Tx, c checkedRollups) error {
	if c.empty() {
		return nil
	}
	nos, err := intern(ctx, tx, c.ids())
	if err != nil {
		return err
	}
	r := c.r
	if err := each(ctx, tx, "item day", upsertItemDay, len(r.ItemDays), func(i int) []any {
		d := r.ItemDays[i]
		return []any{c.itemDays[i], boolInt(d.Bot), nos[d.ItemID], nos[d.SpotID], d.Views, d.Downloads, d.Bookmarks,
			d.Pitches, d.PageViews, d.ActiveMS, d.ExternalDownloads, d.ExternalClicks, d.Score}
	}); err != nil {
		return err
	}
	if err := each(ctx, tx, "viewer", insertViewer, len(r.Viewers), func(i int) []any {
		v := r.Viewers[i]
		return []any{c.viewers[i], nos[v.ItemID], v.Viewer, nos[v.SpotID]}
	}); err != nil {
		return err
	}
	if err := each(ctx, tx, "visit page", upsertVisitPage, len(r.VisitPages), func(i int) []any {
		v := r.VisitPages[i]
		return []any{nos[v.ViewID], nos[v.ItemID], v.Page, nos[v.SpotID], nos[v.ShareID], v.Recipient,
			c.visitPages[i], boolInt(v.Bot), v.ActiveMS}
	}); err != nil {
		return err
	}
	if err := each(ctx, tx, "recipient", upsertRecipient, len(r.Recipients), func(i int) []any {
		t := r.Recipients[i]
		return []any{nos[t.ShareID], t.Recipient, boolInt(t.Bot), t.ShareOwner, t.Opens, t.PageViews, t.ActiveMS,
			t.Downloads, t.Clicks, micros(t.FirstAt), micros(t.LastAt)}
	}); err != nil {
		return err
	}
	if err := each(ctx, tx, "query day", upsertQueryDay, len(r.Queries), func(i int) []any {
		q := r.Queries[i]
		return []any{c.queries[i], q.Query, q.Searches, q.ZeroHits, q.HitsTotal}
	}); err != nil {
		return err
	}
	return each(ctx, tx, "actor day", upsertActorDay, len(r.Actors), func(i int) []any {
		a := r.Actors[i]
		return []any{c.actors[i], a.Actor, string(a.Type), a.Count}
	})
}

// AddRollups adds deltas in one transaction.
func (e *engine) AddRollups(ctx context.Context, r analytics.Rollups) error {
	c, err := checkRollups(r)
	if err != nil {
		return fmt.Errorf("sqlitestore: add roll-ups: %w", err)
	}
	if c.empty() {
		return nil
	}
	if err := e.write(ctx, func(tx *sqlx.Tx) error { return addRollups(ctx, tx, c) }); err != nil {
		return fmt.Errorf("sqlitestore: add roll-ups: %w", err)
	}
	return nil
}

// rollupTables are every roll-up table, item totals included.
var rollupTables = []string{"briefcase_analytics_item_days", "briefcase_analytics_item_totals",
	"briefcase_analytics_moved_items",
	"briefcase_analytics_item_viewers", "briefcase_analytics_visit_pages", "briefcase_analytics_recipients",
	"briefcase_analytics_query_days", "briefcase_analytics_actor_days"}

// ResetRollups empties every roll-up table in one transaction.
func (e *engine) ResetRollups(ctx context.Context) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		for _, t := range rollupTables {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
				return fmt.Errorf("%s: %w", t, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: reset roll-ups: %w", err)
	}
	return nil
}

type eventRow struct {
	ID         int64  `db:"id"`
	Type       string `db:"type"`
	At         int64  `db:"at"`
	Actor      string `db:"actor"`
	Recipient  string `db:"recipient"`
	ItemID     string `db:"item_id"`
	SpotID     string `db:"spot_id"`
	ShareID    string `db:"share_id"`
	ShareOwner string `db:"share_owner"`
	ViewID     string `db:"view_id"`
	Page       int    `db:"page"`
	ActiveMS   int64  `db:"active_ms"`
	Query      string `db:"query"`
	Hits       int    `db:"hits"`
	Bot        bool   `db:"bot"`
}

// Events returns the events after f.AfterID in ID order, walking the log
// from there (Recipient has no index: see the migration).
func (e *engine) Events(ctx context.Context, f analytics.EventFilter) ([]analytics.Event, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	q := `SELECT id, type, at, actor, recipient, item_id, spot_id, share_id, share_owner, view_id, page, active_ms,
		query, hits, bot FROM briefcase_analytics_events WHERE id > ?`
	args := []any{f.AfterID}
	if f.Recipient != "" {
		q += ` AND recipient = ?`
		args = append(args, f.Recipient)
	}
	var rows []eventRow
	if err := sqlx.SelectContext(ctx, e.read(), &rows, q+` ORDER BY id LIMIT ?`, append(args, limit)...); err != nil {
		return nil, fmt.Errorf("sqlitestore: events: %w", err)
	}
	out := make([]analytics.Event, len(rows))
	for i, r := range rows {
		out[i] = analytics.Event{ID: r.ID, Type: analytics.EventType(r.Type), At: time.UnixMicro(r.At).UTC(),
			Actor: r.Actor, Recipient: r.Recipient, ItemID: r.ItemID, SpotID: r.SpotID, ShareID: r.ShareID,
			ShareOwner: r.ShareOwner, ViewID: r.ViewID, Page: r.Page, ActiveMS: r.ActiveMS, Query: r.Query,
			Hits: r.Hits, SuspectedBot: r.Bot}
	}
	return out, nil
}

// DeleteEvents deletes the events before before, through the index on at.
func (e *engine) DeleteEvents(ctx context.Context, before time.Time) (int64, error) {
	if before.IsZero() {
		return 0, fmt.Errorf("sqlitestore: delete events: no time: %w", analytics.ErrInvalid)
	}
	res, err := e.exec(ctx, `DELETE FROM briefcase_analytics_events WHERE at < ?`, before.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: delete events: %w", err)
	}
	return affected(res)
}

// EraseRecipient deletes an address's events, visit pages and recipient
// totals in one transaction. The first two tables have no index on the
// address (see the migration): each is read once.
func (e *engine) EraseRecipient(ctx context.Context, email string, subtract analytics.Rollups) (int64, error) {
	if email == "" {
		return 0, fmt.Errorf("sqlitestore: erase recipient: no address: %w", analytics.ErrInvalid)
	}
	c, err := checkRollups(subtract)
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: erase recipient: %w", err)
	}
	var n int64
	err = e.write(ctx, func(tx *sqlx.Tx) error {
		n = 0
		if !c.empty() {
			if err := addRollups(ctx, tx, c); err != nil {
				return err
			}
		}
		for _, q := range []string{
			`DELETE FROM briefcase_analytics_events WHERE recipient = ?`,
			`DELETE FROM briefcase_analytics_visit_pages WHERE recipient = ?`,
			`DELETE FROM briefcase_analytics_recipients WHERE recipient = ?`,
		} {
			res, err := tx.ExecContext(ctx, q, email)
			if err != nil {
				return err
			}
			m, err := affected(res)
			if err != nil {
				return err
			}
			n += m
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: erase recipient: %w", err)
	}
	return n, nil
}

// rowWhere builds the WHERE terms a Filter puts on a roll-up table aliased
// t with day, spot_no and item_no columns (and bot, when bot is set). IDs
// are matched through the interned keys: an ID that was never interned
// matches nothing.
type rowWhere struct {
	terms []string
	args  []any
}

func (w *rowWhere) add(term string, args ...any) {
	w.terms = append(w.terms, term)
	w.args = append(w.args, args...)
}

func (w *rowWhere) sql() string {
	if len(w.terms) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.terms, " AND ")
}

// internedIn is the set of interned keys of a JSON array of IDs.
const internedIn = ` IN (SELECT i.no FROM json_each(?) j CROSS JOIN briefcase_analytics_ids i ON i.id = j.value)`

func filterRows(f analytics.Filter, t string, bot bool) (*rowWhere, error) {
	lo, hi, err := dayRange(f.From, f.To)
	if err != nil {
		return nil, err
	}
	w := &rowWhere{}
	if lo != math.MinInt64 || hi != math.MaxInt64 {
		w.add(t+`.day BETWEEN ? AND ?`, lo, hi)
	}
	if bot && !f.IncludeBots {
		w.add(t + `.bot = 0`)
	}
	if !f.AllSpots {
		w.add(t+`.spot_no`+internedIn, jsonText(nonNil(f.SpotIDs)))
	}
	if len(f.ItemIDs) > 0 {
		w.add(t+`.item_no`+internedIn, jsonText(f.ItemIDs))
	}
	return w, nil
}

func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// itemDaySums are the summed columns of item-day rows d, in ItemDay order,
// named as the table names them.
const itemDaySums = `sum(d.views) AS views, sum(d.downloads) AS downloads, sum(d.bookmarks) AS bookmarks,
	sum(d.pitches) AS pitches, sum(d.page_views) AS page_views, sum(d.active_ms) AS active_ms,
	sum(d.external_downloads) AS external_downloads, sum(d.external_clicks) AS external_clicks,
	sum(d.score) AS score`

// summedCols reads itemDaySums from a sub-query aliased s.
const summedCols = `s.views, s.downloads, s.bookmarks, s.pitches, s.page_views, s.active_ms, s.external_downloads,
	s.external_clicks, s.score`

func scanItemDay(d *analytics.ItemDay) []any {
	return []any{&d.Views, &d.Downloads, &d.Bookmarks, &d.Pitches, &d.PageViews, &d.ActiveMS, &d.ExternalDownloads,
		&d.ExternalClicks, &d.Score}
}

// queryRows runs a query and calls scan for each row.
func queryRows(ctx context.Context, q queryer, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// limitClause is LIMIT n, or nothing for no limit.
func limitClause(n int) string {
	if n <= 0 {
		return ""
	}
	return " LIMIT " + strconv.Itoa(n)
}

// stmt is a query with its arguments. The read methods build theirs with
// the functions below, which the query plan tests explain.
type stmt struct {
	text string
	args []any
}

func (st stmt) rows(ctx context.Context, q queryer, scan func(*sql.Rows) error) error {
	return queryRows(ctx, q, st.text, st.args, scan)
}

// sumItemsStmts are SumItems' queries: the sums per item, the viewers per
// item, and the visits per item.
func sumItemsStmts(f analytics.Filter) (sums, viewers, visits stmt, err error) {
	w, err := filterRows(f, "d", true)
	if err != nil {
		return sums, viewers, visits, err
	}
	sums = stmt{`SELECT s.item_no, i.id, sp.id, s.last, ` + summedCols + `
		FROM (SELECT d.item_no, max(d.day) AS last, d.spot_no, ` + itemDaySums + `
			FROM briefcase_analytics_item_days d` + w.sql() + ` GROUP BY d.item_no) s
		JOIN briefcase_analytics_ids i ON i.no = s.item_no JOIN briefcase_analytics_ids sp ON sp.no = s.spot_no
		ORDER BY i.id` + limitClause(f.Limit), w.args}
	vw, _ := filterRows(f, "v", false)
	viewers = stmt{`SELECT v.item_no, count(DISTINCT v.viewer) FROM briefcase_analytics_item_viewers v` + vw.sql() +
		` GROUP BY v.item_no`, vw.args}
	// Rows are unique per (view, item, page): counting an item's rows
	// counts its distinct (view, page) pairs.
	pw, _ := filterRows(f, "p", true)
	visits = stmt{`SELECT p.item_no, count(DISTINCT p.view_no), count(DISTINCT nullif(p.recipient, '')), count(*)
		FROM briefcase_analytics_visit_pages p` + pw.sql() + ` GROUP BY p.item_no`, pw.args}
	return sums, viewers, visits, nil
}

// SumItems sums item-day rows per item (the day range of the clustered
// key, or a few items' days through their index), then counts viewers and
// visits of the same rows, from one read snapshot.
func (e *engine) SumItems(ctx context.Context, f analytics.Filter) ([]analytics.ItemSum, error) {
	sums, viewers, visits, err := sumItemsStmts(f)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: sum items: %w", err)
	}
	var out []analytics.ItemSum
	err = e.snapshot(ctx, func(q queryer) error {
		byNo := map[int64]int{}
		err := sums.rows(ctx, q, func(rows *sql.Rows) error {
			var no, last int64
			var sum analytics.ItemSum
			if err := rows.Scan(append([]any{&no, &sum.ItemID, &sum.SpotID, &last}, scanItemDay(&sum.ItemDay)...)...); err != nil {
				return err
			}
			sum.Day = fromDayNumber(last)
			byNo[no] = len(out)
			out = append(out, sum)
			return nil
		})
		if err != nil || len(out) == 0 {
			return err
		}
		err = viewers.rows(ctx, q, func(rows *sql.Rows) error {
			var no, n int64
			if err := rows.Scan(&no, &n); err != nil {
				return err
			}
			if i, ok := byNo[no]; ok {
				out[i].UniqueViewers = n
			}
			return nil
		})
		if err != nil {
			return err
		}
		return visits.rows(ctx, q, func(rows *sql.Rows) error {
			var no, views, recipients, pages int64
			if err := rows.Scan(&no, &views, &recipients, &pages); err != nil {
				return err
			}
			if i, ok := byNo[no]; ok {
				out[i].Visits, out[i].UniqueRecipients, out[i].PagesRead = views, recipients, pages
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: sum items: %w", err)
	}
	return out, nil
}

// sumSpotsStmts are SumSpots' queries: the sums per spot and the viewers
// per spot.
func sumSpotsStmts(f analytics.Filter) (sums, viewers stmt, err error) {
	w, err := filterRows(f, "d", true)
	if err != nil {
		return sums, viewers, err
	}
	sums = stmt{`SELECT s.spot_no, sp.id, s.last, s.items, ` + summedCols + `
		FROM (SELECT d.spot_no, max(d.day) AS last, count(DISTINCT d.item_no) AS items, ` + itemDaySums + `
			FROM briefcase_analytics_item_days d` + w.sql() + ` GROUP BY d.spot_no) s
		JOIN briefcase_analytics_ids sp ON sp.no = s.spot_no
		ORDER BY sp.id` + limitClause(f.Limit), w.args}
	vw, _ := filterRows(f, "v", false)
	viewers = stmt{`SELECT v.spot_no, count(DISTINCT v.viewer) FROM briefcase_analytics_item_viewers v` + vw.sql() +
		` GROUP BY v.spot_no`, vw.args}
	return sums, viewers, nil
}

// SumSpots sums item-day rows per spot, with viewers, from one snapshot.
func (e *engine) SumSpots(ctx context.Context, f analytics.Filter) ([]analytics.SpotSum, error) {
	sums, viewers, err := sumSpotsStmts(f)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: sum spots: %w", err)
	}
	var out []analytics.SpotSum
	err = e.snapshot(ctx, func(q queryer) error {
		byNo := map[int64]int{}
		err := sums.rows(ctx, q, func(rows *sql.Rows) error {
			var no, last int64
			var sum analytics.SpotSum
			if err := rows.Scan(append([]any{&no, &sum.SpotID, &last, &sum.ItemsEngaged}, scanItemDay(&sum.ItemDay)...)...); err != nil {
				return err
			}
			sum.Day = fromDayNumber(last)
			byNo[no] = len(out)
			out = append(out, sum)
			return nil
		})
		if err != nil || len(out) == 0 {
			return err
		}
		return viewers.rows(ctx, q, func(rows *sql.Rows) error {
			var no, n int64
			if err := rows.Scan(&no, &n); err != nil {
				return err
			}
			if i, ok := byNo[no]; ok {
				out[i].UniqueViewers = n
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: sum spots: %w", err)
	}
	return out, nil
}

// visitPagesStmt is VisitPages' query.
func visitPagesStmt(f analytics.Filter) (stmt, error) {
	w, err := filterRows(f, "p", true)
	if err != nil {
		return stmt{}, err
	}
	if len(f.ShareIDs) > 0 {
		w.add(`p.share_no`+internedIn, jsonText(f.ShareIDs))
	}
	return stmt{`SELECT v.id, i.id, s.id, sh.id, p.recipient, p.day, p.page, p.bot, p.active_ms
		FROM briefcase_analytics_visit_pages p
		JOIN briefcase_analytics_ids v ON v.no = p.view_no JOIN briefcase_analytics_ids i ON i.no = p.item_no
		JOIN briefcase_analytics_ids s ON s.no = p.spot_no JOIN briefcase_analytics_ids sh ON sh.no = p.share_no` +
		w.sql() + ` ORDER BY i.id, v.id, p.page` + limitClause(f.Limit), w.args}, nil
}

// VisitPages returns the matching visit-page rows by item, view and page.
func (e *engine) VisitPages(ctx context.Context, f analytics.Filter) ([]analytics.VisitPage, error) {
	st, err := visitPagesStmt(f)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: visit pages: %w", err)
	}
	var out []analytics.VisitPage
	err = st.rows(ctx, e.read(), func(rows *sql.Rows) error {
		var v analytics.VisitPage
		var day int64
		if err := rows.Scan(&v.ViewID, &v.ItemID, &v.SpotID, &v.ShareID, &v.Recipient, &day, &v.Page, &v.Bot,
			&v.ActiveMS); err != nil {
			return err
		}
		v.Day = fromDayNumber(day)
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: visit pages: %w", err)
	}
	return out, nil
}

const recipientSelect = `SELECT s.id, r.share_owner, r.recipient, r.bot, r.opens, r.page_views, r.active_ms,
	r.downloads, r.clicks, r.first_at, r.last_at FROM briefcase_analytics_recipients r
	JOIN briefcase_analytics_ids s ON s.no = r.share_no`

func scanRecipient(rows *sql.Rows) (analytics.RecipientTotal, error) {
	var t analytics.RecipientTotal
	var first, last sql.NullInt64
	err := rows.Scan(&t.ShareID, &t.ShareOwner, &t.Recipient, &t.Bot, &t.Opens, &t.PageViews, &t.ActiveMS,
		&t.Downloads, &t.Clicks, &first, &last)
	t.FirstAt, t.LastAt = fromMicros(first), fromMicros(last)
	return t, err
}

// RecipientTotals returns the rows of f.ShareIDs or f.Owners, by share,
// recipient and bot flag.
func (e *engine) RecipientTotals(ctx context.Context, f analytics.Filter) ([]analytics.RecipientTotal, error) {
	w := &rowWhere{}
	if !f.IncludeBots {
		w.add(`r.bot = 0`)
	}
	var either []string
	if len(f.ShareIDs) > 0 {
		either = append(either, `r.share_no`+internedIn)
		w.args = append(w.args, jsonText(f.ShareIDs))
	}
	if len(f.Owners) > 0 {
		either = append(either, `r.share_owner IN (SELECT value FROM json_each(?))`)
		w.args = append(w.args, jsonText(f.Owners))
	}
	if len(either) > 0 {
		w.terms = append(w.terms, "("+strings.Join(either, " OR ")+")")
	}
	var out []analytics.RecipientTotal
	err := queryRows(ctx, e.read(), recipientSelect+w.sql()+` ORDER BY s.id, r.recipient, r.bot`+limitClause(f.Limit),
		w.args, func(rows *sql.Rows) error {
			t, err := scanRecipient(rows)
			out = append(out, t)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: recipient totals: %w", err)
	}
	return out, nil
}

// RecipientTotalsOf returns the rows of these recipients through the index
// on recipient, by share, recipient and bot flag.
func (e *engine) RecipientTotalsOf(ctx context.Context, recipients []string, includeBots bool) ([]analytics.RecipientTotal, error) {
	if len(recipients) == 0 {
		return nil, nil
	}
	q := recipientSelect + ` WHERE r.recipient IN (SELECT value FROM json_each(?))`
	if !includeBots {
		q += ` AND r.bot = 0`
	}
	var out []analytics.RecipientTotal
	err := queryRows(ctx, e.read(), q+` ORDER BY s.id, r.recipient, r.bot`, []any{jsonText(recipients)},
		func(rows *sql.Rows) error {
			t, err := scanRecipient(rows)
			out = append(out, t)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: recipient totals of %d recipients: %w", len(recipients), err)
	}
	return out, nil
}

// SumQueries sums query-day rows per query over the range; the average is
// filtered in SQL (so that Limit counts kept queries) and computed again
// in Go from the sums, exactly as the contract divides.
func (e *engine) SumQueries(ctx context.Context, f analytics.Filter, maxAvgHits float64) ([]analytics.QuerySum, error) {
	w, err := filterRows(analytics.Filter{From: f.From, To: f.To, AllSpots: true}, "q", false)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: sum queries: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	if math.IsNaN(maxAvgHits) {
		return nil, nil
	}
	var out []analytics.QuerySum
	err = queryRows(ctx, e.read(), `SELECT q.query, sum(q.searches) AS total_searches, sum(q.zero_hits),
		sum(q.hits_total) AS total_hits, max(q.day) FROM briefcase_analytics_query_days q`+w.sql()+`
		GROUP BY q.query HAVING total_searches > 0 AND CAST(total_hits AS REAL) / total_searches <= ?
		ORDER BY total_searches DESC, q.query`+limitClause(limit), append(w.args, maxAvgHits), func(rows *sql.Rows) error {
		var s analytics.QuerySum
		var hits, last int64
		if err := rows.Scan(&s.Query, &s.Searches, &s.ZeroHits, &hits, &last); err != nil {
			return err
		}
		s.AvgHits = float64(hits) / float64(s.Searches)
		s.LastDay = fromDayNumber(last)
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: sum queries: %w", err)
	}
	return out, nil
}

// SumActors sums actor-day rows per actor and type over the range.
func (e *engine) SumActors(ctx context.Context, f analytics.Filter) ([]analytics.ActorDay, error) {
	w, err := filterRows(analytics.Filter{From: f.From, To: f.To, AllSpots: true}, "a", false)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: sum actors: %w", err)
	}
	if len(f.Owners) > 0 {
		w.add(`a.actor IN (SELECT value FROM json_each(?))`, jsonText(f.Owners))
	}
	var out []analytics.ActorDay
	err = queryRows(ctx, e.read(), `SELECT a.actor, a.type, sum(a.count), max(a.day)
		FROM briefcase_analytics_actor_days a`+w.sql()+` GROUP BY a.actor, a.type ORDER BY a.actor, a.type`+
		limitClause(f.Limit), w.args, func(rows *sql.Rows) error {
		var a analytics.ActorDay
		var last int64
		if err := rows.Scan(&a.Actor, &a.Type, &a.Count, &last); err != nil {
			return err
		}
		a.Day = fromDayNumber(last)
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: sum actors: %w", err)
	}
	return out, nil
}

// weightsJSON encodes day weights as {"<day number>": weight}.
func weightsJSON(weights map[analytics.Day]float64) (string, error) {
	m := make(map[string]float64, len(weights))
	for d, w := range weights {
		n, ok := dayNumber(d)
		if !ok {
			return "", fmt.Errorf("day %q: %w", d, analytics.ErrInvalid)
		}
		if math.IsNaN(w) || math.IsInf(w, 0) {
			return "", fmt.Errorf("weight %v of day %s: %w", w, d, analytics.ErrInvalid)
		}
		m[strconv.FormatInt(n, 10)] = w
	}
	b, err := json.Marshal(m)
	return string(b), err
}

// scored is an item's score before its IDs are looked up.
type scored struct {
	itemNo, spotNo int64
	score          float64
}

// Top ranks items by their weighted score. Popular (nil DayWeights) reads
// the item-total table, one row per item and spot; trending sums the
// item-day rows of the window's days. A top-N of trending first tries to
// prove its answer from a few candidates (see candidates).
func (e *engine) Top(ctx context.Context, f analytics.TopFilter) ([]analytics.ItemScore, error) {
	var out []analytics.ItemScore
	err := e.snapshot(ctx, func(q queryer) error {
		t, err := newTopQuery(f)
		if err != nil {
			return err
		}
		var rows []scored
		if len(f.ItemIDs) > 0 || f.Limit <= 0 {
			rows, err = t.all(ctx, q, 0)
		} else {
			rows, err = t.top(ctx, q, f.Limit)
		}
		if err != nil {
			return err
		}
		if out, err = named(ctx, q, rows); err != nil {
			return err
		}
		if len(f.ItemIDs) == 0 && f.Limit > 0 && len(out) > f.Limit {
			out = out[:f.Limit]
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: top: %w", err)
	}
	return out, nil
}

// topQuery is a TopFilter turned into SQL.
type topQuery struct {
	f analytics.TopFilter
	// weights is the JSON object {"<day number>": weight}, "" for all
	// time; minW is the lowest weight.
	weights string
	minW    float64
	// where filters rows of an item-day or item-total table aliased d by
	// spot and item; bot is the bot flag's term (none with bots).
	where *rowWhere
	bot   string
}

// filter is t.where with a bot flag term first (none when empty).
func (t *topQuery) filter(bot string) *rowWhere {
	w := &rowWhere{}
	if bot != "" {
		w.add(bot)
	}
	w.terms = append(w.terms, t.where.terms...)
	w.args = append(w.args, t.where.args...)
	return w
}

func newTopQuery(f analytics.TopFilter) (*topQuery, error) {
	t := &topQuery{f: f, where: &rowWhere{}}
	switch {
	case f.IncludeBots:
	case len(f.ItemIDs) > 0:
		// A few items are found by their key; the unary + keeps the
		// planner from reading every row of the bot flag from the score
		// index instead.
		t.bot = `+d.bot = 0`
	default:
		t.bot = `d.bot = 0`
	}
	if !f.AllSpots {
		t.where.add(`d.spot_no`+internedIn, jsonText(nonNil(f.SpotIDs)))
	}
	if len(f.ItemIDs) > 0 {
		t.where.add(`d.item_no`+internedIn, jsonText(f.ItemIDs))
	}
	if f.DayWeights != nil {
		var err error
		if t.weights, err = weightsJSON(f.DayWeights); err != nil {
			return nil, err
		}
		t.minW = math.Inf(1)
		for _, w := range f.DayWeights {
			t.minW = min(t.minW, w)
		}
	}
	return t, nil
}

// dayWeights is the CTE of the window's weights by day number. SQLite
// materializes it once and indexes it for the joins below, instead of
// parsing the JSON again for every row.
const dayWeights = `w(day, weight) AS MATERIALIZED (SELECT CAST(key AS INTEGER), value FROM json_each(?))`

// and joins w's terms after a leading AND, or nothing.
func and(w *rowWhere) string {
	if len(w.terms) == 0 {
		return ""
	}
	return " AND " + strings.Join(w.terms, " AND ")
}

// scanScored reads (item_no, score, spot_no) rows.
func scanScored(out *[]scored) func(*sql.Rows) error {
	return func(rows *sql.Rows) error {
		var s scored
		err := rows.Scan(&s.itemNo, &s.score, &s.spotNo)
		*out = append(*out, s)
		return err
	}
}

// allStmt scores every item with a positive score, highest first, at most
// limit (zero: all). Ties at the limit are cut arbitrarily: top fetches
// past them. In an aggregate with one max(), SQLite takes spot_no from
// the row with the latest day. Popular reads the item-total table;
// trending the window's days, or a few items' days through their index.
func (t *topQuery) allStmt(limit int) stmt {
	w := t.filter(t.bot)
	var st stmt
	switch {
	case t.weights == "":
		st = stmt{`SELECT d.item_no, sum(d.score) AS s, max(d.last_day), d.spot_no
			FROM briefcase_analytics_item_totals d` + w.sql() + ` GROUP BY d.item_no`, w.args}
	case len(t.f.ItemIDs) > 0:
		// Item by item and day by day, through the item index.
		st = stmt{`WITH ` + dayWeights + `,
			items(no) AS (SELECT i.no FROM json_each(?) j CROSS JOIN briefcase_analytics_ids i ON i.id = j.value)
			SELECT d.item_no, sum(d.score * w.weight) AS s, max(d.day), d.spot_no
			FROM items CROSS JOIN w CROSS JOIN briefcase_analytics_item_days d
				INDEXED BY briefcase_analytics_item_days_item ON d.item_no = items.no AND d.day = w.day` +
			w.sql() + ` GROUP BY d.item_no`, append([]any{t.weights, jsonText(t.f.ItemIDs)}, w.args...)}
	default:
		st = stmt{`WITH ` + dayWeights + `
			SELECT d.item_no, sum(d.score * w.weight) AS s, max(d.day), d.spot_no
			FROM w CROSS JOIN briefcase_analytics_item_days d ON d.day = w.day` + and(w) + `
			GROUP BY d.item_no`, append([]any{t.weights}, w.args...)}
	}
	st.text = `SELECT item_no, s, spot_no FROM (` + st.text + `) WHERE s > 0 ORDER BY s DESC` + limitClause(limit)
	return st
}

func (t *topQuery) all(ctx context.Context, q queryer, limit int) ([]scored, error) {
	if t.weights != "" && len(t.f.DayWeights) == 0 {
		return nil, nil // no day weighs anything
	}
	var out []scored
	err := t.allStmt(limit).rows(ctx, q, scanScored(&out))
	return out, err
}

// top returns at least the limit best items and every item tied with the
// limit-th, so that item IDs can break the tie. It first tries to prove
// the answer from a few candidates (see popular and trending), then sums
// every row, fetching past the limit until the ties end.
func (t *topQuery) top(ctx context.Context, q queryer, limit int) ([]scored, error) {
	var rows []scored
	var ok bool
	var err error
	switch {
	case t.weights == "" && !t.f.IncludeBots:
		rows, ok, err = t.popular(ctx, q, limit)
	case t.weights != "" && t.minW >= 0:
		rows, ok, err = t.trending(ctx, q, limit)
	}
	if err != nil || ok {
		return rows, err
	}
	for n := limit + 1; ; n *= 4 {
		rows, err := t.all(ctx, q, n)
		if err != nil || len(rows) < n || rows[n-1].score < rows[limit-1].score {
			return rows, err
		}
	}
}

// maxCut bounds the candidates: past this many rows a day (or in all),
// summing everything is as fast.
const maxCut = 4096

// popularCutStmt reads the m-th highest score of the item-total rows
// matching the filter, from the head of their score index.
func (t *topQuery) popularCutStmt(m int) stmt {
	w := t.filter(`d.bot = 0`)
	return stmt{`SELECT d.score FROM briefcase_analytics_item_totals d
		INDEXED BY briefcase_analytics_item_totals_score` + w.sql() + `
		ORDER BY d.score DESC LIMIT 1 OFFSET ?`, append(w.args, m-1)}
}

// popularCandidatesStmt sums the item-total rows of the candidates: the
// items with a row scoring at least cut, and the items that moved.
func (t *topQuery) popularCandidatesStmt(cut float64) stmt {
	w := t.filter(`d.bot = 0`)
	return stmt{`WITH cand(item_no) AS (
			SELECT d.item_no FROM briefcase_analytics_item_totals d INDEXED BY briefcase_analytics_item_totals_score
			WHERE ` + strings.Join(append(slices.Clone(w.terms), `d.score >= ?`), " AND ") + `
			UNION SELECT item_no FROM briefcase_analytics_moved_items)
		SELECT item_no, s, spot_no FROM (
			SELECT d.item_no, sum(d.score) AS s, max(d.last_day), d.spot_no
			FROM cand c CROSS JOIN briefcase_analytics_item_totals d ON d.item_no = c.item_no` + and(w) + `
			GROUP BY d.item_no)
		WHERE s > 0 ORDER BY s DESC`, append(append(slices.Clone(w.args), cut), w.args...)}
}

// popular ranks all time from the head of the item-total table's score
// index. The cut is the m-th highest score of the rows matching the
// filter; the candidates are the items with a row at or above it, and the
// items that moved (several rows). Any other item has a single row, below
// the cut, so when the limit-th candidate scores at least the cut (or the
// cut is not above zero) nothing else can enter the top, not even on a
// tie. Otherwise m grows; ok is false past maxCut.
func (t *topQuery) popular(ctx context.Context, q queryer, limit int) (rows []scored, ok bool, err error) {
	for m := max(limit, 16); m <= maxCut; m *= 4 {
		var cut float64
		st := t.popularCutStmt(m)
		err := sqlx.GetContext(ctx, q, &cut, st.text, st.args...)
		if errors.Is(err, sql.ErrNoRows) {
			// Fewer than m rows: sum them all.
			rows, err := t.all(ctx, q, 0)
			return rows, err == nil, err
		}
		if err != nil {
			return nil, false, err
		}
		rows = rows[:0]
		if err := t.popularCandidatesStmt(cut).rows(ctx, q, scanScored(&rows)); err != nil {
			return nil, false, err
		}
		if tau := max(cut, 0); tau == 0 || (len(rows) >= limit && rows[limit-1].score >= tau) {
			return rows, true, nil
		}
	}
	return nil, false, nil
}

// dayCut is a day's weight and the score its rows need to bring their
// item among the candidates; nil: every row does.
type dayCut struct {
	Day    int64    `json:"d"`
	Weight float64  `json:"-"`
	Score  *float64 `json:"s"`
}

// trendingCutsStmt reads, for each day of the window, its weight and the
// m-th highest score of its rows with that bot flag matching the filter,
// from the head of the score index.
func (t *topQuery) trendingCutsStmt(m, bot int) stmt {
	w := t.filter(`d.bot = ` + strconv.Itoa(bot))
	return stmt{`SELECT CAST(w.key AS INTEGER), w.value,
		(SELECT d.score FROM briefcase_analytics_item_days d INDEXED BY briefcase_analytics_item_days_score
			WHERE d.day = CAST(w.key AS INTEGER)` + and(w) + `
			ORDER BY d.score DESC LIMIT 1 OFFSET ?)
		FROM json_each(?) w`, append(w.args, m-1, t.weights)}
}

// trendingCandidatesStmt sums the window's rows of the candidates, the
// items with a row at or above its day's cut (cuts: JSON [{"d": day,
// "s": cut or null}]) but those already scored (known: a JSON array of
// item numbers), item by item and day by day through the item index.
func (t *topQuery) trendingCandidatesStmt(cuts, known string) stmt {
	bots, w := `d.bot = 0`, t.filter(t.bot)
	if t.f.IncludeBots {
		bots = `d.bot IN (0, 1)`
	}
	cand := t.filter(bots)
	args := append([]any{t.weights, cuts}, cand.args...)
	args = append(append(args, known), w.args...)
	return stmt{`WITH ` + dayWeights + `,
		cut(day, score) AS (SELECT value ->> '$.d', coalesce(value ->> '$.s', -1e308) FROM json_each(?)),
		cand(item_no) AS (SELECT DISTINCT d.item_no FROM cut
			CROSS JOIN briefcase_analytics_item_days d INDEXED BY briefcase_analytics_item_days_score
			ON d.day = cut.day AND d.score >= cut.score` + and(cand) + `
			EXCEPT SELECT value FROM json_each(?))
		SELECT item_no, s, spot_no FROM (
			SELECT d.item_no, sum(d.score * w.weight) AS s, max(d.day), d.spot_no
			FROM cand c CROSS JOIN w CROSS JOIN briefcase_analytics_item_days d
				INDEXED BY briefcase_analytics_item_days_item ON d.item_no = c.item_no AND d.day = w.day` + w.sql() + `
			GROUP BY d.item_no)
		WHERE s > 0 ORDER BY s DESC`, args}
}

// trending ranks a window without summing every row of it (weights at
// least zero), in at most two rounds of candidates.
//
// First, for each day d of the window it reads the limit-th highest score
// cut_d of that day's rows from the head of the score index; the
// candidates are the items with a row scoring at least cut_d on some day,
// and only their rows are summed, through the item index. An item that is
// not a candidate, when it scores above zero, scores less than τ = Σ w_d ×
// max(cut_d, 0) over the days with a cut (a day with fewer rows has all
// its items among the candidates; an item has one row a day, two with
// bots, and r is that number). So when the limit-th candidate scores θ ≥
// r × τ, or τ is zero, nothing else can enter the top, not even on a tie.
//
// Otherwise, since an item scoring at least θ must have, on some day of
// positive weight, a row scoring at least θ / (r × W) (W = Σ w_d), the
// second round's candidates are the items with such a row: they hold the
// whole top. ok is false when the first round finds fewer than limit
// items: the caller sums every row.
func (t *topQuery) trending(ctx context.Context, q queryer, limit int) (rows []scored, ok bool, err error) {
	if len(t.f.DayWeights) == 0 {
		return nil, true, nil
	}
	// With bots, each flag's rows have a cut, and the day's is the higher:
	// still every row below it is below both.
	var cuts []dayCut
	r := 1.0 // rows an item has a day
	bots := []int{0}
	if t.f.IncludeBots {
		r, bots = 2, []int{0, 1}
	}
	for _, bot := range bots {
		i := 0
		err = t.trendingCutsStmt(max(limit, 1), bot).rows(ctx, q, func(rows *sql.Rows) error {
			var c dayCut
			var s sql.NullFloat64
			if err := rows.Scan(&c.Day, &c.Weight, &s); err != nil {
				return err
			}
			if s.Valid {
				c.Score = &s.Float64
			}
			if i == len(cuts) {
				cuts = append(cuts, c)
			} else if c.Score != nil && (cuts[i].Score == nil || *c.Score > *cuts[i].Score) {
				cuts[i].Score = c.Score
			}
			i++
			return nil
		})
		if err != nil {
			return nil, false, err
		}
	}
	var tau, sumW float64
	for _, c := range cuts {
		if c.Score != nil {
			tau += c.Weight * max(*c.Score, 0)
		}
		sumW += c.Weight
	}
	if rows, err = t.candidates(ctx, q, cuts, nil); err != nil {
		return nil, false, err
	}
	if tau <= 0 || (len(rows) >= limit && rows[limit-1].score >= r*tau) {
		return rows, true, nil
	}
	if len(rows) < limit {
		return nil, false, nil
	}
	// Most of the second round's candidates are the first's: only the
	// others are summed.
	theta := rows[limit-1].score
	known := make([]int64, len(rows))
	for i, r := range rows {
		known[i] = r.itemNo
	}
	for i := range cuts {
		s := theta / (r * sumW)
		if cuts[i].Weight == 0 {
			s = math.MaxFloat64 // a day that weighs nothing brings no candidate
		}
		cuts[i].Score = &s
	}
	more, err := t.candidates(ctx, q, cuts, known)
	return append(rows, more...), err == nil, err
}

// candidates sums the window's rows of the items with a row at or above
// its day's cut, but those known.
func (t *topQuery) candidates(ctx context.Context, q queryer, cuts []dayCut, known []int64) ([]scored, error) {
	b, err := json.Marshal(cuts)
	if err != nil {
		return nil, err
	}
	var rows []scored
	err = t.trendingCandidatesStmt(string(b), jsonText(nonNilNos(known))).rows(ctx, q, scanScored(&rows))
	return rows, err
}

func nonNilNos(nos []int64) []int64 {
	if nos == nil {
		return []int64{}
	}
	return nos
}

// named looks up the IDs of scored rows and orders them by score, then
// item ID.
func named(ctx context.Context, q queryer, rows []scored) ([]analytics.ItemScore, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	nos := make([]int64, 0, 2*len(rows))
	for _, r := range rows {
		nos = append(nos, r.itemNo, r.spotNo)
	}
	ids := make(map[int64]string, len(nos))
	err := queryRows(ctx, q, `SELECT i.no, i.id FROM json_each(?) j CROSS JOIN briefcase_analytics_ids i ON i.no = j.value`,
		[]any{jsonText(nos)}, func(r *sql.Rows) error {
			var no int64
			var id string
			err := r.Scan(&no, &id)
			ids[no] = id
			return err
		})
	if err != nil {
		return nil, err
	}
	out := make([]analytics.ItemScore, len(rows))
	for i, r := range rows {
		out[i] = analytics.ItemScore{ItemID: ids[r.itemNo], SpotID: ids[r.spotNo], Score: r.score}
	}
	slices.SortFunc(out, func(a, b analytics.ItemScore) int {
		switch {
		case a.Score != b.Score && a.Score > b.Score:
			return -1
		case a.Score != b.Score:
			return 1
		}
		return strings.Compare(a.ItemID, b.ItemID)
	})
	return out, nil
}
