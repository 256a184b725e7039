package sqlitestore

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/briefcasehq/briefcase/analytics"
	"github.com/briefcasehq/briefcase/store/memstore"
)

// eventMix makes a synthetic stream of events the way a busy library
// records them: buyers reading shared items in many concurrent visits (one
// page view every 10 s per visit, a new page every sixth, thirty beacons a
// visit), principals viewing, downloading, bookmarking and pitching items
// whose popularity follows a Zipf law, searches from a vocabulary of
// queries, and link opens, downloads and clicks of buyers. A few visits
// are suspected bots.
type eventMix struct {
	rng     *rand.Rand
	zipf    *rand.Zipf
	items   []string
	spots   []string // spots[i % len] homes items[i]
	actors  []string
	queries []string
	shares  []string
	visits  []visit
	now     time.Time
	step    time.Duration // between events; 20 ms by default
}

type visit struct {
	view, share, owner, recipient, item string
	itemIdx                             int
	page, beacons                       int
	bot                                 bool
}

const (
	mixItems      = 50_000
	mixSpots      = 200
	mixActors     = 500
	mixQueries    = 2_000
	mixShares     = 2_000
	mixRecipients = 5_000
	mixVisits     = 200
)

func newEventMix(seed uint64, start time.Time) *eventMix {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	m := &eventMix{rng: rng, zipf: rand.NewZipf(rng, 1.1, 1, mixItems-1), now: start, step: 20 * time.Millisecond}
	id := func() string { return uuid.Must(uuid.NewV7()).String() }
	for range mixItems {
		m.items = append(m.items, id())
	}
	for range mixSpots {
		m.spots = append(m.spots, id())
	}
	for i := range mixActors {
		m.actors = append(m.actors, fmt.Sprintf("user-%03d", i))
	}
	for i := range mixQueries {
		m.queries = append(m.queries, fmt.Sprintf("query %d", i))
	}
	for range mixShares {
		m.shares = append(m.shares, id())
	}
	for range mixVisits {
		m.visits = append(m.visits, m.newVisit())
	}
	return m
}

// item draws an item by popularity.
func (m *eventMix) item() (int, string, string) {
	i := int(m.zipf.Uint64())
	return i, m.items[i], m.spots[i%mixSpots]
}

func (m *eventMix) newVisit() visit {
	i, item, _ := m.item()
	s := m.rng.IntN(mixShares)
	return visit{view: uuid.Must(uuid.NewV7()).String(), share: m.shares[s], owner: m.actors[s%mixActors],
		recipient: fmt.Sprintf("buyer%d@example.com", m.rng.IntN(mixRecipients)), item: item, itemIdx: i, page: 1,
		bot: m.rng.IntN(50) == 0}
}

// batch returns n events, step apart.
func (m *eventMix) batch(n int) []analytics.Event {
	evs := make([]analytics.Event, 0, n)
	for range n {
		m.now = m.now.Add(m.step)
		e := analytics.Event{At: m.now}
		switch p := m.rng.IntN(100); {
		case p < 50: // a beacon of a live visit
			v := &m.visits[m.rng.IntN(len(m.visits))]
			if v.beacons == 30 {
				*v = m.newVisit()
				e.Type = analytics.LinkOpened
			} else {
				v.beacons++
				if v.beacons%6 == 0 {
					v.page++
				}
				e.Type, e.Page, e.ActiveMS = analytics.PageViewed, v.page, 10_000
			}
			e.Recipient, e.ItemID, e.SpotID, e.ShareID, e.ShareOwner, e.ViewID, e.SuspectedBot =
				v.recipient, v.item, m.spots[v.itemIdx%mixSpots], v.share, v.owner, v.view, v.bot
		case p < 53:
			v := m.visits[m.rng.IntN(len(m.visits))]
			e.Type = []analytics.EventType{analytics.ExternalDownloaded, analytics.LinkClicked}[p%2]
			e.Recipient, e.ItemID, e.SpotID, e.ShareID, e.ShareOwner, e.ViewID, e.SuspectedBot =
				v.recipient, v.item, m.spots[v.itemIdx%mixSpots], v.share, v.owner, v.view, v.bot
		case p < 65:
			e.Type, e.Actor = analytics.Searched, m.actors[m.rng.IntN(mixActors)]
			e.Query = m.queries[int(m.rng.ExpFloat64()*100)%mixQueries]
			e.Hits = max(0, int(m.rng.NormFloat64()*10+8))
		default:
			_, e.ItemID, e.SpotID = m.item()
			e.Actor = m.actors[m.rng.IntN(mixActors)]
			e.Type = analytics.ItemViewed
			switch q := m.rng.IntN(100); {
			case q < 8:
				e.Type = analytics.ItemDownloaded
			case q < 12:
				e.Type = analytics.ItemBookmarked
			case q < 16:
				e.Type = analytics.ItemPitched
				e.ShareID = m.shares[m.rng.IntN(mixShares)]
			}
		}
		evs = append(evs, e)
	}
	return evs
}

// captureStore takes the roll-ups the service computes for each batch
// instead of writing them.
type captureStore struct {
	analytics.Store
	evs []analytics.Event
	r   analytics.Rollups
}

func (c *captureStore) Append(_ context.Context, evs []analytics.Event, r analytics.Rollups) error {
	c.evs, c.r = evs, r
	return nil
}

// BenchmarkAnalyticsAppend measures event ingestion on SQLite: batches of
// 1,000 events of eventMix (half of them page views of 200 concurrent
// visits), each written with its roll-up deltas in one Append, 20 s of
// activity per batch, so that the tables grow the way they do in
// production. Recorder goes through analytics.Service (Record, then Flush
// computes the deltas and calls Append); Append replays batches and
// deltas computed beforehand, the store alone. Events/s is the number;
// batches repeat after 256 (about an hour and a half of activity).
func BenchmarkAnalyticsAppend(b *testing.B) {
	const batch = 1000
	start := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	b.Run("Recorder", func(b *testing.B) {
		ctx := context.Background()
		db := openTest(b, Options{})
		mix := newEventMix(1, start)
		var batches [][]analytics.Event
		for range 256 {
			batches = append(batches, mix.batch(batch))
		}
		svc := analytics.NewService(db, nil, nil, analytics.Options{BatchSize: batch})
		i := 0
		for b.Loop() {
			svc.Record(ctx, batches[i%len(batches)]...)
			if err := svc.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(b.N)*batch/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("Append", func(b *testing.B) {
		ctx := context.Background()
		db := openTest(b, Options{})
		mix := newEventMix(1, start)
		capture := &captureStore{}
		svc := analytics.NewService(capture, nil, nil, analytics.Options{BatchSize: batch})
		type prepared struct {
			evs []analytics.Event
			r   analytics.Rollups
		}
		var batches []prepared
		for range 256 {
			svc.Record(ctx, mix.batch(batch)...)
			if err := svc.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			batches = append(batches, prepared{capture.evs, capture.r})
		}
		i := 0
		for b.Loop() {
			p := batches[i%len(batches)]
			if err := db.Append(ctx, p.evs, p.r); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(b.N)*batch/b.Elapsed().Seconds(), "events/s")
	})
}

// A year of roll-ups, made directly (without events) to keep the setup
// bounded. The assumption, written down: 10 million item events over 365
// days (27,400 a day) on a library of 50,000 items in 200 spots, each
// event on an item drawn from a Zipf law (s = 1.1) whose ranking drifts
// (an item's rank moves by 50 a day, so what trends now did not a month
// ago), with the event mix of eventMix (40% internal views, 40% page views
// of 10 s, 5% downloads, 4% pitches, 3% bookmarks, 3% external downloads,
// 5% clicks; 3% of buyers' events from suspected bots). That makes about
// 3.5 million item-day rows, 9,500 a day: 133,000 in a 14-day window.
type yearOfRollups struct {
	db    *DB
	spots []string
	items []string
	last  time.Time // the last day
	rows  int
}

func buildYear(tb testing.TB, path string, eventsPerYear int) *yearOfRollups {
	ctx := context.Background()
	_, statErr := os.Stat(path)
	db, err := Open(ctx, path, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	mix := newEventMix(7, time.Time{})
	y := &yearOfRollups{db: db, spots: mix.spots, items: mix.items, last: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)}
	if statErr == nil {
		return y.readBack(tb)
	}
	w := analytics.DefaultWeights()
	perDay := eventsPerYear / 365
	var r analytics.Rollups
	for age := 364; age >= 0; age-- {
		day := analytics.DayOf(y.last.AddDate(0, 0, -age))
		type key struct {
			item int
			bot  bool
		}
		rows := map[key]*analytics.ItemDay{}
		shift := (364 - age) * 50
		for range perDay {
			i := (int(mix.zipf.Uint64()) + shift) % mixItems
			k := key{i, false}
			p := mix.rng.IntN(100)
			if p >= 40 && p < 48 || p >= 92 {
				k.bot = mix.rng.IntN(33) == 0
			}
			d := rows[k]
			if d == nil {
				d = &analytics.ItemDay{ItemID: mix.items[i], SpotID: mix.spots[i%mixSpots], Day: day, Bot: k.bot}
				rows[k] = d
			}
			switch {
			case p < 40:
				d.Views++
				d.Score += w.View
			case p < 80:
				d.PageViews++
				d.ActiveMS += 10_000
				d.Score += w.PageView + w.ActiveMinute/6
			case p < 85:
				d.Downloads++
				d.Score += w.Download
			case p < 89:
				d.Pitches++
				d.Score += w.Pitch
			case p < 92:
				d.Bookmarks++
				d.Score += w.Bookmark
			case p < 95:
				d.ExternalDownloads++
				d.Score += w.ExternalDownload
			default:
				d.ExternalClicks++
				d.Score += w.Click
			}
		}
		for _, d := range rows {
			r.ItemDays = append(r.ItemDays, *d)
		}
		if age%10 == 0 {
			// Ten days a transaction: fewer commits and checkpoints.
			if err := db.AddRollups(ctx, r); err != nil {
				tb.Fatal(err)
			}
			y.rows += len(r.ItemDays)
			r.ItemDays = r.ItemDays[:0]
		}
	}
	if _, err := db.w.ExecContext(ctx, `ANALYZE`); err != nil {
		tb.Fatal(err)
	}
	return y.readBack(tb)
}

// readBack lists the items and spots in the order they were interned, so
// that a fresh build and a reopened one filter by the same spots.
func (y *yearOfRollups) readBack(tb testing.TB) *yearOfRollups {
	ctx := context.Background()
	y.items, y.spots = nil, nil
	err := y.db.r.SelectContext(ctx, &y.items, `SELECT id FROM briefcase_analytics_ids WHERE no IN
		(SELECT DISTINCT item_no FROM briefcase_analytics_item_totals) ORDER BY no`)
	if err == nil {
		err = y.db.r.SelectContext(ctx, &y.spots, `SELECT id FROM briefcase_analytics_ids WHERE no IN
			(SELECT DISTINCT spot_no FROM briefcase_analytics_item_totals) ORDER BY no`)
	}
	if err == nil {
		err = y.db.r.GetContext(ctx, &y.rows, `SELECT count(*) FROM briefcase_analytics_item_days`)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return y
}

// trendingWeights are the service's: 14 days, halving every 7.
func trendingWeights(last time.Time) map[analytics.Day]float64 {
	out := map[analytics.Day]float64{}
	for age := range 14 {
		out[analytics.DayOf(last.AddDate(0, 0, -age))] = math.Pow(0.5, float64(age)/7)
	}
	return out
}

var yearFixture struct {
	once sync.Once
	dir  string
	y    *yearOfRollups
}

// year returns the shared year of roll-ups, built on first use (a few
// minutes) and removed when the test binary exits. With
// BRIEFCASE_BENCH_YEAR_DB set to a path, it is built there once and kept
// for later runs (delete the file after changing the schema).
func year(b *testing.B) *yearOfRollups {
	yearFixture.once.Do(func() {
		path := os.Getenv("BRIEFCASE_BENCH_YEAR_DB")
		if path == "" {
			dir, err := os.MkdirTemp("", "briefcase-analytics-bench-")
			if err != nil {
				b.Fatal(err)
			}
			yearFixture.dir = dir
			path = filepath.Join(dir, "year.db")
		}
		start := time.Now()
		yearFixture.y = buildYear(b, path, 10_000_000)
		cleanups = append(cleanups, func() {
			yearFixture.y.db.Close()
			if yearFixture.dir != "" {
				os.RemoveAll(yearFixture.dir)
			}
		})
		fmt.Fprintf(os.Stderr, "a year of roll-ups of 10M events: %d item-day rows, ready in %s\n", yearFixture.y.rows,
			time.Since(start).Round(time.Second))
	})
	if yearFixture.y == nil {
		b.Fatal("the year fixture failed to build")
	}
	return yearFixture.y
}

// cleanups remove the benchmark fixtures when the test binary exits.
var cleanups []func()

func TestMain(m *testing.M) {
	code := m.Run()
	for _, c := range cleanups {
		c()
	}
	os.Exit(code)
}

// BenchmarkTrendingTop20 measures trending, top 20 over 14 days with the
// service's decay, on the roll-ups of 10 million events (yearOfRollups):
// AllSpots (what search signals ask), and the 150 spots of 200 a caller
// may see (GET /analytics/trending). DESIGN.md's target is 20 ms.
func BenchmarkTrendingTop20(b *testing.B) {
	y := year(b)
	ctx := context.Background()
	weights := trendingWeights(y.last)
	for _, bc := range []struct {
		name string
		f    analytics.TopFilter
	}{
		{"AllSpots", analytics.TopFilter{DayWeights: weights, AllSpots: true, Limit: 20}},
		{"VisibleSpots", analytics.TopFilter{DayWeights: weights, SpotIDs: y.spots[:150], Limit: 20}},
		{"IncludeBots", analytics.TopFilter{DayWeights: weights, AllSpots: true, IncludeBots: true, Limit: 20}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				top, err := y.db.Top(ctx, bc.f)
				if err != nil || len(top) != 20 {
					b.Fatalf("Top: %d items, %v", len(top), err)
				}
			}
		})
	}
}

// BenchmarkPopularTop20 is BenchmarkTrendingTop20 for popular (all time),
// and the search signals of 100 items (trending and popular of ItemIDs).
func BenchmarkPopularTop20(b *testing.B) {
	y := year(b)
	ctx := context.Background()
	b.Run("AllSpots", func(b *testing.B) {
		for b.Loop() {
			if top, err := y.db.Top(ctx, analytics.TopFilter{AllSpots: true, Limit: 20}); err != nil || len(top) != 20 {
				b.Fatalf("Top: %d items, %v", len(top), err)
			}
		}
	})
	b.Run("VisibleSpots", func(b *testing.B) {
		for b.Loop() {
			if top, err := y.db.Top(ctx, analytics.TopFilter{SpotIDs: y.spots[:150], Limit: 20}); err != nil || len(top) != 20 {
				b.Fatalf("Top: %d items, %v", len(top), err)
			}
		}
	})
	b.Run("Signals100Items", func(b *testing.B) {
		ids := y.items[:200:200][100:]
		weights := trendingWeights(y.last)
		for b.Loop() {
			if _, err := y.db.Top(ctx, analytics.TopFilter{DayWeights: weights, AllSpots: true, ItemIDs: ids}); err != nil {
				b.Fatal(err)
			}
			if _, err := y.db.Top(ctx, analytics.TopFilter{AllSpots: true, ItemIDs: ids}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

var monthsFixture struct {
	once sync.Once
	db   *DB
	mix  *eventMix
	last time.Time
}

// recordedYear returns a store holding a million events of eventMix
// recorded over a year (2,740 a day) through analytics.Service, with every
// roll-up the service makes, built on first use (about a minute).
func recordedYear(b *testing.B) (*DB, *eventMix, time.Time) {
	monthsFixture.once.Do(func() {
		ctx := context.Background()
		dir, err := os.MkdirTemp("", "briefcase-analytics-bench-")
		if err != nil {
			b.Fatal(err)
		}
		db, err := Open(ctx, filepath.Join(dir, "events.db"), Options{})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		mix := newEventMix(3, start)
		mix.step = 365 * 24 * time.Hour / 1_000_000
		svc := analytics.NewService(db, nil, nil, analytics.Options{})
		began := time.Now()
		for range 1000 {
			svc.Record(ctx, mix.batch(1000)...)
			if err := svc.Flush(ctx); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := db.w.ExecContext(ctx, `ANALYZE`); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(os.Stderr, "a year of 1M recorded events, ready in %s\n", time.Since(began).Round(time.Second))
		monthsFixture.db, monthsFixture.mix, monthsFixture.last = db, mix, mix.now.UTC().Truncate(24*time.Hour)
		cleanups = append(cleanups, func() { db.Close(); os.RemoveAll(dir) })
	})
	if monthsFixture.db == nil {
		b.Fatal("the recorded year failed to build")
	}
	return monthsFixture.db, monthsFixture.mix, monthsFixture.last
}

// BenchmarkContentReport measures the content report's store call,
// SumItems over the last 90 days of a million events recorded over a year
// (recordedYear): every item with its sums, unique viewers, visits,
// recipients and pages read, for all spots and for the 150 of 200 spots a
// caller may see; and one item's numbers over the same 90 days (the item
// report's total).
func BenchmarkContentReport(b *testing.B) {
	db, mix, last := recordedYear(b)
	ctx := context.Background()
	from, to := analytics.DayOf(last.AddDate(0, 0, -89)), analytics.DayOf(last)
	for _, bc := range []struct {
		name string
		f    analytics.Filter
	}{
		{"90Days/AllSpots", analytics.Filter{From: from, To: to, AllSpots: true}},
		{"90Days/VisibleSpots", analytics.Filter{From: from, To: to, SpotIDs: mix.spots[:150]}},
		{"90Days/OneItem", analytics.Filter{From: from, To: to, AllSpots: true, ItemIDs: mix.items[:1]}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				sums, err := db.SumItems(ctx, bc.f)
				if err != nil || len(sums) == 0 {
					b.Fatalf("SumItems: %d items, %v", len(sums), err)
				}
				n = len(sums)
			}
			b.ReportMetric(float64(n), "items")
		})
	}
}

// TestAnalyticsQueryPlans guards the hot analytics queries against full
// scans and temp sorts where an index should serve, on an empty database
// and again after ANALYZE over some roll-ups (statistics once made the
// planner choose a plan several times worse): trending's cuts and
// candidates, popular's, the content report's day ranges and one item's
// days, the visit pages of a share, retention, the upserts of Append and
// the check of the item-total trigger.
func TestAnalyticsQueryPlans(t *testing.T) {
	ctx := t.Context()
	db := openTest(t, Options{})
	last := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	weights := trendingWeights(last)
	spots := []string{"spot-a", "spot-b"}
	check := func(when string) {
		t.Helper()
		explain := func(st stmt) string {
			t.Helper()
			rows, err := db.r.QueryxContext(ctx, `EXPLAIN QUERY PLAN `+st.text, st.args...)
			if err != nil {
				t.Fatalf("%s: explain: %v\n%s", when, err, st.text)
			}
			defer rows.Close()
			var b strings.Builder
			for rows.Next() {
				var id, parent, notused int
				var detail string
				if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
					t.Fatal(err)
				}
				b.WriteString(detail + "\n")
			}
			return b.String()
		}
		want := func(what string, st stmt, uses []string, avoid ...string) {
			t.Helper()
			p := explain(st)
			for _, u := range uses {
				if !strings.Contains(p, u) {
					t.Errorf("%s, %s: the plan does not use %q:\n%s", when, what, u, p)
				}
			}
			for _, a := range avoid {
				if strings.Contains(p, a) {
					t.Errorf("%s, %s: the plan has %q:\n%s", when, what, a, p)
				}
			}
		}
		fullScan := []string{"SCAN d\n", "SCAN d ", "SCAN p\n", "SCAN v\n"}
		for _, f := range []analytics.TopFilter{
			{DayWeights: weights, AllSpots: true, Limit: 20},
			{DayWeights: weights, SpotIDs: spots, Limit: 20},
		} {
			tq, err := newTopQuery(f)
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("trending (all spots %v)", f.AllSpots)
			want(name+": cuts", tq.trendingCutsStmt(20, 1),
				[]string{"briefcase_analytics_item_days_score (day=? AND bot=?)"}, "TEMP B-TREE")
			want(name+": candidates", tq.trendingCandidatesStmt(`[{"d": 1, "s": 1}]`, `[1, 2]`),
				[]string{"briefcase_analytics_item_days_score (day=? AND bot=? AND score>?)",
					"briefcase_analytics_item_days_item (item_no=? AND day=?"}, fullScan...)
			want(name+": every row", tq.allStmt(21),
				[]string{"SEARCH d USING PRIMARY KEY (day=? AND bot=?)"}, fullScan...)
		}
		bots, err := newTopQuery(analytics.TopFilter{DayWeights: weights, AllSpots: true, IncludeBots: true, Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		want("trending with bots: candidates", bots.trendingCandidatesStmt(`[{"d": 1, "s": 1}]`, `[]`),
			[]string{"briefcase_analytics_item_days_score (day=? AND bot=? AND score>?)",
				"briefcase_analytics_item_days_item (item_no=? AND day=?"}, fullScan...)
		want("trending with bots: every row", bots.allStmt(21), []string{"SEARCH d USING PRIMARY KEY (day=?)"}, fullScan...)
		for _, f := range []analytics.TopFilter{{AllSpots: true, Limit: 20}, {SpotIDs: spots, Limit: 20}} {
			tq, _ := newTopQuery(f)
			name := fmt.Sprintf("popular (all spots %v)", f.AllSpots)
			want(name+": cut", tq.popularCutStmt(20), []string{"briefcase_analytics_item_totals_score (bot=?)"}, "TEMP B-TREE")
			want(name+": candidates", tq.popularCandidatesStmt(1),
				[]string{"briefcase_analytics_item_totals_score (bot=? AND score>?)", "SEARCH d USING PRIMARY KEY (item_no=?"},
				fullScan...)
		}
		signals, _ := newTopQuery(analytics.TopFilter{DayWeights: weights, AllSpots: true, ItemIDs: []string{"item-1"}})
		want("signals of some items, trending", signals.allStmt(0),
			[]string{"briefcase_analytics_item_days_item (item_no=? AND day=?"}, fullScan...)
		signals, _ = newTopQuery(analytics.TopFilter{AllSpots: true, ItemIDs: []string{"item-1"}})
		want("signals of some items, popular", signals.allStmt(0), []string{"SEARCH d USING PRIMARY KEY (item_no=?)"}, fullScan...)

		report := analytics.Filter{From: "2025-10-03", To: "2025-12-31", SpotIDs: spots}
		sums, viewers, visits, err := sumItemsStmts(report)
		if err != nil {
			t.Fatal(err)
		}
		want("content report: sums", sums, []string{"SEARCH d USING PRIMARY KEY (day>? AND day<?)"}, fullScan...)
		want("content report: viewers", viewers, []string{"SEARCH v USING PRIMARY KEY (day>? AND day<?)"}, fullScan...)
		want("content report: visits", visits, []string{"briefcase_analytics_visit_pages_day (day>? AND day<?)"}, fullScan...)
		one := analytics.Filter{From: "2025-10-03", To: "2025-12-31", AllSpots: true, ItemIDs: []string{"item-1"}}
		sums, viewers, visits, _ = sumItemsStmts(one)
		want("item report: sums", sums, []string{"briefcase_analytics_item_days_item (item_no=? AND day>? AND day<?)"}, fullScan...)
		want("item report: viewers", viewers, []string{"briefcase_analytics_item_viewers_item (item_no=? AND day>? AND day<?)"}, fullScan...)
		want("item report: visits", visits, []string{"briefcase_analytics_visit_pages_item (item_no=? AND day>? AND day<?)"}, fullScan...)
		st, _ := visitPagesStmt(analytics.Filter{AllSpots: true, ShareIDs: []string{"share-1"}})
		want("pitch report: a share's visit pages", st, []string{"briefcase_analytics_visit_pages_share (share_no=?)"}, fullScan...)
		st, _ = visitPagesStmt(analytics.Filter{AllSpots: true, ItemIDs: []string{"item-1"}})
		want("completion: an item's visit pages", st, []string{"briefcase_analytics_visit_pages_item (item_no=?)"}, fullScan...)

		want("retention", stmt{`SELECT id FROM briefcase_analytics_events WHERE at < ?`, []any{1}},
			[]string{"briefcase_analytics_events_at (at<?)"})
		want("the item-total trigger's check", stmt{`SELECT 1 FROM briefcase_analytics_item_totals
			WHERE item_no = ? AND +bot = ? AND spot_no <> ?`, []any{1, 0, 1}}, []string{"PRIMARY KEY (item_no=?)"})
		want("recipient totals of some addresses", stmt{recipientSelect + ` WHERE r.recipient IN (SELECT value FROM json_each(?))`,
			[]any{`["a@x.example"]`}}, []string{"briefcase_analytics_recipients_recipient (recipient=?)"})
		for _, u := range []struct{ table, key string }{
			{"item_days", "day = ? AND bot = ? AND item_no = ?"},
			{"item_viewers", "day = ? AND item_no = ? AND viewer = ?"},
			{"visit_pages", "view_no = ? AND item_no = ? AND page = ?"},
			{"recipients", "share_no = ? AND recipient = ? AND bot = ?"},
			{"query_days", "day = ? AND query = ?"},
			{"actor_days", "day = ? AND actor = ? AND type = ?"},
		} {
			n := strings.Count(u.key, "?")
			want("the upsert key of "+u.table, stmt{`SELECT 1 FROM briefcase_analytics_` + u.table + ` WHERE ` + u.key,
				make([]any, n)}, []string{"PRIMARY KEY"}, "SCAN")
		}
	}
	check("empty")

	// Some roll-ups, then statistics.
	mix := newEventMix(11, time.Time{})
	var r analytics.Rollups
	for d := range 30 {
		day := analytics.DayOf(last.AddDate(0, 0, -d))
		for i := range 300 {
			item := int(mix.zipf.Uint64())
			r.ItemDays = append(r.ItemDays, analytics.ItemDay{ItemID: mix.items[item], SpotID: spots[item%2], Day: day,
				Bot: i%10 == 0, Views: 1, Score: float64(item%7) + 1})
			r.Viewers = append(r.Viewers, analytics.ItemViewer{ItemID: mix.items[item], SpotID: spots[item%2], Day: day,
				Viewer: mix.actors[i%mixActors]})
			r.VisitPages = append(r.VisitPages, analytics.VisitPage{ViewID: fmt.Sprint("view-", d, "-", i%40),
				ItemID: mix.items[item], SpotID: spots[item%2], ShareID: mix.shares[i%20], Day: day, Page: i % 9, ActiveMS: 1})
		}
	}
	if err := db.AddRollups(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.ExecContext(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	check("after ANALYZE")
}

// TestTopAgreesWithMemstore checks Top's candidate pruning (trending and
// popular) against memstore's plain sums on random roll-ups: skewed and
// tied scores, negative deltas, bots, items that move between spots, and
// random filters, weights and limits.
func TestTopAgreesWithMemstore(t *testing.T) {
	ctx := t.Context()
	db := openTest(t, Options{})
	mem := memstore.New()
	rng := rand.New(rand.NewPCG(5, 6))
	zipf := rand.NewZipf(rng, 1.3, 1, 299)
	spots := []string{"spot-a", "spot-b", "spot-c", "spot-d", "spot-e"}
	first := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	spotOn := func(item, day int) string {
		if item%7 == 0 && day >= item%20 { // moved that day
			return spots[(item+1)%len(spots)]
		}
		return spots[item%len(spots)]
	}
	for range 40 {
		var r analytics.Rollups
		for range 100 {
			item, day := int(zipf.Uint64()), rng.IntN(20)
			score := float64(rng.IntN(12)-1) * 0.25 // some zero and negative deltas
			r.ItemDays = append(r.ItemDays, analytics.ItemDay{ItemID: fmt.Sprintf("item-%03d", item),
				SpotID: spotOn(item, day), Day: analytics.DayOf(first.AddDate(0, 0, day)), Bot: rng.IntN(8) == 0,
				Views: 1, Score: score})
		}
		if err := db.AddRollups(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := mem.AddRollups(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 300 {
		f := analytics.TopFilter{AllSpots: rng.IntN(3) > 0, IncludeBots: rng.IntN(5) == 0, Limit: rng.IntN(30)}
		if !f.AllSpots {
			f.SpotIDs = spots[:1+rng.IntN(len(spots))]
		}
		if rng.IntN(4) > 0 {
			f.DayWeights = map[analytics.Day]float64{}
			start := rng.IntN(20)
			for d := start; d < start+1+rng.IntN(14); d++ {
				f.DayWeights[analytics.DayOf(first.AddDate(0, 0, d))] = float64(rng.IntN(9)) * 0.125
			}
			if rng.IntN(10) == 0 {
				f.DayWeights[analytics.DayOf(first.AddDate(0, 0, start))] = -0.5
			}
		}
		if rng.IntN(8) == 0 {
			f.ItemIDs = []string{fmt.Sprintf("item-%03d", rng.IntN(300)), fmt.Sprintf("item-%03d", rng.IntN(30))}
		}
		got, err := db.Top(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := mem.Top(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("case %d: Top(%+v):\n\tsqlite   %v\n\tmemstore %v", i, f, got, want)
		}
	}
}
