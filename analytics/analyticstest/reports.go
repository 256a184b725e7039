package analyticstest

import (
	"fmt"
	"math"
	"time"

	"github.com/briefcasehq/briefcase/analytics"
)

var reportTests = []subtest{
	{"SumItems", testSumItems},
	{"SumSpots", testSumSpots},
	{"VisitPages", testVisitPages},
	{"RecipientTotals", testRecipientTotals},
	{"RecipientTotalsOf", testRecipientTotalsOf},
	{"SumQueries", testSumQueries},
	{"SumQueriesDefaultLimit", testSumQueriesDefaultLimit},
	{"SumActors", testSumActors},
	{"InvalidDays", testReportInvalidDays},
}

// The report fixture: four items in three spots over five days, with bot
// rows, viewers, visits of two shares, recipients, queries and actors.
// Every expectation below is worked out by hand from these rows.
//
//	item-1 (spot-a): d0 views 2 score 2; d1 views 1 downloads 1 score 3;
//	                 d3 page views 4, 60 s, score 3; bot d1 page views 10, 1 s, score 5
//	item-2 (spot-a): d2 bookmarks 1 pitches 1 score 5
//	item-3 (spot-b): d1 views 3 score 3; d4 external downloads 1, clicks 2, score 5
//	item-4 (spot-c): d0 views 1 score 1; bot d2 clicks 1 score 1
func reportFixture() analytics.Rollups {
	id := func(item, spot string, d int, bot bool, f func(*analytics.ItemDay)) analytics.ItemDay {
		r := analytics.ItemDay{ItemID: item, SpotID: spot, Day: day(d), Bot: bot}
		f(&r)
		return r
	}
	return analytics.Rollups{
		ItemDays: []analytics.ItemDay{
			id("item-1", "spot-a", 0, false, func(r *analytics.ItemDay) { r.Views, r.Score = 2, 2 }),
			id("item-1", "spot-a", 1, false, func(r *analytics.ItemDay) { r.Views, r.Downloads, r.Score = 1, 1, 3 }),
			id("item-1", "spot-a", 3, false, func(r *analytics.ItemDay) { r.PageViews, r.ActiveMS, r.Score = 4, 60000, 3 }),
			id("item-1", "spot-a", 1, true, func(r *analytics.ItemDay) { r.PageViews, r.ActiveMS, r.Score = 10, 1000, 5 }),
			id("item-2", "spot-a", 2, false, func(r *analytics.ItemDay) { r.Bookmarks, r.Pitches, r.Score = 1, 1, 5 }),
			id("item-3", "spot-b", 1, false, func(r *analytics.ItemDay) { r.Views, r.Score = 3, 3 }),
			id("item-3", "spot-b", 4, false, func(r *analytics.ItemDay) { r.ExternalDownloads, r.ExternalClicks, r.Score = 1, 2, 5 }),
			id("item-4", "spot-c", 0, false, func(r *analytics.ItemDay) { r.Views, r.Score = 1, 1 }),
			id("item-4", "spot-c", 2, true, func(r *analytics.ItemDay) { r.ExternalClicks, r.Score = 1, 1 }),
		},
		Viewers: []analytics.ItemViewer{
			{ItemID: "item-1", SpotID: "spot-a", Day: day(0), Viewer: "alice"},
			{ItemID: "item-1", SpotID: "spot-a", Day: day(0), Viewer: "bob"},
			{ItemID: "item-1", SpotID: "spot-a", Day: day(1), Viewer: "alice"},
			{ItemID: "item-3", SpotID: "spot-b", Day: day(1), Viewer: "carol"},
			{ItemID: "item-4", SpotID: "spot-c", Day: day(0), Viewer: "alice"},
		},
		VisitPages: fixtureVisits(),
		Recipients: fixtureRecipients(),
		Queries: []analytics.QueryDay{
			{Query: "pricing", Day: day(0), Searches: 3, ZeroHits: 1, HitsTotal: 10},
			{Query: "pricing", Day: day(2), Searches: 2, HitsTotal: 8},
			{Query: "security", Day: day(1), Searches: 2, ZeroHits: 2},
			{Query: "roadmap", Day: day(3), Searches: 1, ZeroHits: 1},
			{Query: "case study", Day: day(4), Searches: 5, HitsTotal: 25},
			{Query: "ghost", Day: day(1), Searches: -1, HitsTotal: -3}, // no searches left: never reported
		},
		Actors: []analytics.ActorDay{
			{Actor: "alice", Day: day(0), Type: analytics.ItemViewed, Count: 2},
			{Actor: "alice", Day: day(1), Type: analytics.ItemViewed, Count: 1},
			{Actor: "alice", Day: day(1), Type: analytics.Searched, Count: 3},
			{Actor: "bob", Day: day(0), Type: analytics.ItemViewed, Count: 1},
			{Actor: "carol", Day: day(4), Type: analytics.ItemPitched, Count: 2},
		},
	}
}

// fixtureVisits: V1..V6 of the report fixture, in VisitPages order but
// for V4 (a bot), which sorts fourth.
func fixtureVisits() []analytics.VisitPage {
	v := func(view, item, spot, share, recipient string, d, page int, bot bool, ms int64) analytics.VisitPage {
		return analytics.VisitPage{ViewID: view, ItemID: item, SpotID: spot, ShareID: share, Recipient: recipient,
			Day: day(d), Page: page, Bot: bot, ActiveMS: ms}
	}
	return []analytics.VisitPage{
		v("view-1", "item-1", "spot-a", "share-1", "buyer1@acme.example", 3, 1, false, 30000),
		v("view-1", "item-1", "spot-a", "share-1", "buyer1@acme.example", 3, 2, false, 30000),
		v("view-2", "item-1", "spot-a", "share-1", "buyer2@acme.example", 3, 1, false, 5000),
		v("view-3", "item-1", "spot-a", "share-2", "buyer1@acme.example", 1, 1, true, 1000),
		v("view-4", "item-3", "spot-b", "share-2", "", 4, 1, false, 2000),
		v("view-4", "item-3", "spot-b", "share-2", "", 4, 2, false, 500),
	}
}

// fixtureRecipients: R1..R5 of the report fixture.
func fixtureRecipients() []analytics.RecipientTotal {
	return []analytics.RecipientTotal{
		{ShareID: "share-1", ShareOwner: "alice", Recipient: "buyer1@acme.example", Opens: 1, PageViews: 2,
			ActiveMS: 60000, FirstAt: at(3, 0), LastAt: at(3, 5)},
		{ShareID: "share-1", ShareOwner: "alice", Recipient: "buyer2@acme.example", Opens: 1, PageViews: 1,
			ActiveMS: 5000, FirstAt: at(3, 10), LastAt: at(3, 11)},
		{ShareID: "share-2", ShareOwner: "bob", Recipient: "buyer1@acme.example", Bot: true, Opens: 1, PageViews: 1,
			ActiveMS: 1000, FirstAt: at(1, 0), LastAt: at(1, 0)},
		{ShareID: "share-2", ShareOwner: "bob", Opens: 1, PageViews: 2, ActiveMS: 2500, Downloads: 1, Clicks: 2,
			FirstAt: at(4, 0), LastAt: at(4, 1)},
		{ShareID: "share-3", ShareOwner: "carol", Recipient: "buyer3@acme.example", Opens: 1, FirstAt: at(4, 2),
			LastAt: at(4, 2)},
	}
}

// The fixture's totals per item over every day, without bots.
var (
	sum1 = analytics.ItemSum{ItemDay: analytics.ItemDay{ItemID: "item-1", SpotID: "spot-a", Day: day(3), Views: 3,
		Downloads: 1, PageViews: 4, ActiveMS: 60000, Score: 8}, UniqueViewers: 2, Visits: 2, UniqueRecipients: 2, PagesRead: 3}
	sum2 = analytics.ItemSum{ItemDay: analytics.ItemDay{ItemID: "item-2", SpotID: "spot-a", Day: day(2), Bookmarks: 1,
		Pitches: 1, Score: 5}}
	sum3 = analytics.ItemSum{ItemDay: analytics.ItemDay{ItemID: "item-3", SpotID: "spot-b", Day: day(4), Views: 3,
		ExternalDownloads: 1, ExternalClicks: 2, Score: 8}, UniqueViewers: 1, Visits: 1, PagesRead: 2}
	sum4 = analytics.ItemSum{ItemDay: analytics.ItemDay{ItemID: "item-4", SpotID: "spot-c", Day: day(0), Views: 1,
		Score: 1}, UniqueViewers: 1}
)

func testSumItems(e *env) {
	e.add(reportFixture())
	withBots1, withBots4 := sum1, sum4
	withBots1.PageViews, withBots1.ActiveMS, withBots1.Score = 14, 61000, 13
	withBots1.Visits, withBots1.PagesRead = 3, 4
	withBots4.ExternalClicks, withBots4.Score, withBots4.Day = 1, 2, day(2)
	ranged1 := sum1
	ranged1.Views, ranged1.Score, ranged1.UniqueViewers = 1, 6, 1
	ranged3 := sum3
	ranged3.Day, ranged3.ExternalDownloads, ranged3.ExternalClicks, ranged3.Score = day(1), 0, 0, 3
	ranged3.Visits, ranged3.PagesRead = 0, 0
	last3 := analytics.ItemSum{ItemDay: analytics.ItemDay{ItemID: "item-3", SpotID: "spot-b", Day: day(4),
		ExternalDownloads: 1, ExternalClicks: 2, Score: 5}, Visits: 1, PagesRead: 2}
	first1 := analytics.ItemSum{ItemDay: analytics.ItemDay{ItemID: "item-1", SpotID: "spot-a", Day: day(0), Views: 2,
		Score: 2}, UniqueViewers: 2}

	for _, c := range []struct {
		name string
		f    analytics.Filter
		want []analytics.ItemSum
	}{
		{"all spots, every day, no bots (by item ID)", analytics.Filter{AllSpots: true}, []analytics.ItemSum{sum1, sum2, sum3, sum4}},
		{"IncludeBots", analytics.Filter{AllSpots: true, IncludeBots: true}, []analytics.ItemSum{withBots1, sum2, sum3, withBots4}},
		{"From d1 To d3 (both included), spots a and b", analytics.Filter{From: day(1), To: day(3), SpotIDs: []string{"spot-a", "spot-b"}},
			[]analytics.ItemSum{ranged1, sum2, ranged3}},
		{"From d4 only", analytics.Filter{From: day(4), AllSpots: true}, []analytics.ItemSum{last3}},
		{"To d0 only", analytics.Filter{To: day(0), AllSpots: true}, []analytics.ItemSum{first1, sum4}},
		{"ItemIDs", analytics.Filter{AllSpots: true, ItemIDs: []string{"item-4", "item-3", "item-9"}}, []analytics.ItemSum{sum3, sum4}},
		{"empty ItemIDs do not filter", analytics.Filter{AllSpots: true, ItemIDs: []string{}}, []analytics.ItemSum{sum1, sum2, sum3, sum4}},
		{"spot-c", analytics.Filter{SpotIDs: []string{"spot-c"}}, []analytics.ItemSum{sum4}},
		{"nil SpotIDs without AllSpots: nothing", analytics.Filter{}, nil},
		{"empty SpotIDs without AllSpots: nothing", analytics.Filter{SpotIDs: []string{}, IncludeBots: true}, nil},
		{"an unknown spot: nothing", analytics.Filter{SpotIDs: []string{"spot-z"}}, nil},
		{"AllSpots wins over SpotIDs", analytics.Filter{AllSpots: true, SpotIDs: []string{"spot-z"}}, []analytics.ItemSum{sum1, sum2, sum3, sum4}},
		{"Limit 2 (the first by item ID)", analytics.Filter{AllSpots: true, Limit: 2}, []analytics.ItemSum{sum1, sum2}},
		{"ShareIDs and Owners are ignored", analytics.Filter{AllSpots: true, ShareIDs: []string{"share-9"}, Owners: []string{"nobody"}},
			[]analytics.ItemSum{sum1, sum2, sum3, sum4}},
		{"From after To: nothing", analytics.Filter{From: day(3), To: day(1), AllSpots: true}, nil},
	} {
		check(e.t, "SumItems("+c.name+")", e.sumItems(c.f), c.want)
	}
}

func testSumSpots(e *env) {
	e.add(reportFixture())
	a := analytics.SpotSum{ItemDay: analytics.ItemDay{SpotID: "spot-a", Day: day(3), Views: 3, Downloads: 1, Bookmarks: 1,
		Pitches: 1, PageViews: 4, ActiveMS: 60000, Score: 13}, UniqueViewers: 2, ItemsEngaged: 2}
	b := analytics.SpotSum{ItemDay: analytics.ItemDay{SpotID: "spot-b", Day: day(4), Views: 3, ExternalDownloads: 1,
		ExternalClicks: 2, Score: 8}, UniqueViewers: 1, ItemsEngaged: 1}
	c := analytics.SpotSum{ItemDay: analytics.ItemDay{SpotID: "spot-c", Day: day(0), Views: 1, Score: 1},
		UniqueViewers: 1, ItemsEngaged: 1}
	aBots, cBots := a, c
	aBots.PageViews, aBots.ActiveMS, aBots.Score = 14, 61000, 18
	cBots.ExternalClicks, cBots.Score, cBots.Day = 1, 2, day(2)
	aLate := analytics.SpotSum{ItemDay: analytics.ItemDay{SpotID: "spot-a", Day: day(3), Bookmarks: 1, Pitches: 1,
		PageViews: 4, ActiveMS: 60000, Score: 8}, ItemsEngaged: 2}
	cLateBots := analytics.SpotSum{ItemDay: analytics.ItemDay{SpotID: "spot-c", Day: day(2), ExternalClicks: 1, Score: 1},
		ItemsEngaged: 1}
	aItem1 := analytics.SpotSum{ItemDay: analytics.ItemDay{SpotID: "spot-a", Day: day(3), Views: 3, Downloads: 1,
		PageViews: 4, ActiveMS: 60000, Score: 8}, UniqueViewers: 2, ItemsEngaged: 1}

	for _, tc := range []struct {
		name string
		f    analytics.Filter
		want []analytics.SpotSum
	}{
		{"all spots, no bots (by spot ID)", analytics.Filter{AllSpots: true}, []analytics.SpotSum{a, b, c}},
		{"IncludeBots", analytics.Filter{AllSpots: true, IncludeBots: true}, []analytics.SpotSum{aBots, b, cBots}},
		{"d2..d4, spots a and c", analytics.Filter{From: day(2), To: day(4), SpotIDs: []string{"spot-c", "spot-a"}}, []analytics.SpotSum{aLate}},
		{"d2..d4, spots a and c, with bots", analytics.Filter{From: day(2), To: day(4), SpotIDs: []string{"spot-c", "spot-a"}, IncludeBots: true},
			[]analytics.SpotSum{aLate, cLateBots}},
		{"ItemIDs item-1 and item-3", analytics.Filter{AllSpots: true, ItemIDs: []string{"item-1", "item-3"}}, []analytics.SpotSum{aItem1, b}},
		{"nil SpotIDs: nothing", analytics.Filter{IncludeBots: true}, nil},
		{"Limit 1", analytics.Filter{AllSpots: true, Limit: 1}, []analytics.SpotSum{a}},
	} {
		check(e.t, "SumSpots("+tc.name+")", e.sumSpots(tc.f), tc.want)
	}
}

func testVisitPages(e *env) {
	e.add(reportFixture())
	v := fixtureVisits()
	for _, c := range []struct {
		name string
		f    analytics.Filter
		want []analytics.VisitPage
	}{
		{"all spots, no bots", analytics.Filter{AllSpots: true}, []analytics.VisitPage{v[0], v[1], v[2], v[4], v[5]}},
		{"IncludeBots", all(), v},
		{"ShareIDs share-2 with bots", analytics.Filter{AllSpots: true, ShareIDs: []string{"share-2"}, IncludeBots: true}, v[3:]},
		{"ShareIDs share-2", analytics.Filter{AllSpots: true, ShareIDs: []string{"share-2"}}, v[4:]},
		{"d3..d3", analytics.Filter{AllSpots: true, From: day(3), To: day(3), IncludeBots: true}, v[:3]},
		{"From d2", analytics.Filter{AllSpots: true, From: day(2), IncludeBots: true}, []analytics.VisitPage{v[0], v[1], v[2], v[4], v[5]}},
		{"To d1", analytics.Filter{AllSpots: true, To: day(1), IncludeBots: true}, v[3:4]},
		{"spot-b", analytics.Filter{SpotIDs: []string{"spot-b"}}, v[4:]},
		{"ItemIDs item-1, Limit 2", analytics.Filter{AllSpots: true, ItemIDs: []string{"item-1"}, Limit: 2}, v[:2]},
		{"nil SpotIDs: nothing", analytics.Filter{IncludeBots: true}, nil},
		{"Owners ignored", analytics.Filter{AllSpots: true, Owners: []string{"nobody"}, ShareIDs: []string{"share-1"}}, v[:3]},
	} {
		check(e.t, "VisitPages("+c.name+")", e.visitPages(c.f), c.want)
	}
}

func testRecipientTotals(e *env) {
	e.add(reportFixture())
	r := fixtureRecipients()
	for _, c := range []struct {
		name string
		f    analytics.Filter
		want []analytics.RecipientTotal
	}{
		{"all, with bots (share, recipient, bot)", all(), []analytics.RecipientTotal{r[0], r[1], r[3], r[2], r[4]}},
		{"no bots; SpotIDs are ignored", analytics.Filter{}, []analytics.RecipientTotal{r[0], r[1], r[3], r[4]}},
		{"ShareIDs share-2 with bots", analytics.Filter{ShareIDs: []string{"share-2"}, IncludeBots: true}, []analytics.RecipientTotal{r[3], r[2]}},
		{"Owners carol", analytics.Filter{Owners: []string{"carol"}}, []analytics.RecipientTotal{r[4]}},
		{"ShareIDs share-1 or Owners carol", analytics.Filter{ShareIDs: []string{"share-1"}, Owners: []string{"carol"}},
			[]analytics.RecipientTotal{r[0], r[1], r[4]}},
		{"Owners nobody", analytics.Filter{Owners: []string{"nobody"}, IncludeBots: true}, nil},
		{"From and To are ignored", analytics.Filter{From: day(4), To: day(4), ShareIDs: []string{"share-1"}}, r[:2]},
		{"Limit 2", analytics.Filter{Limit: 2, IncludeBots: true}, r[:2]},
	} {
		check(e.t, "RecipientTotals("+c.name+")", e.recipientTotals(c.f), c.want)
	}
}

// testRecipientTotalsOf checks the optional RecipientTotalsOfStore
// capability, when the store has it: the rows of those recipients exactly,
// ordered as RecipientTotals orders them.
func testRecipientTotalsOf(e *env) {
	st, ok := e.s.(analytics.RecipientTotalsOfStore)
	if !ok {
		e.t.Skip("the store does not implement the optional analytics.RecipientTotalsOfStore")
	}
	e.add(reportFixture())
	r := fixtureRecipients()
	for _, c := range []struct {
		recipients []string
		bots       bool
		want       []analytics.RecipientTotal
	}{
		{[]string{"buyer1@acme.example"}, true, []analytics.RecipientTotal{r[0], r[2]}},
		{[]string{"buyer1@acme.example"}, false, r[:1]},
		{[]string{"buyer3@acme.example", "buyer2@acme.example", "BUYER1@acme.example"}, true, []analytics.RecipientTotal{r[1], r[4]}},
		{[]string{""}, false, r[3:4]},
		{nil, true, nil},
	} {
		got, err := st.RecipientTotalsOf(e.ctx, c.recipients, c.bots)
		noErr(e.t, err, "RecipientTotalsOf")
		check(e.t, fmt.Sprintf("RecipientTotalsOf(%q, bots %v)", c.recipients, c.bots), got, c.want)
	}
}

func testSumQueries(e *env) {
	e.add(reportFixture())
	pricing := analytics.QuerySum{Query: "pricing", Searches: 5, ZeroHits: 1, AvgHits: 18.0 / 5, LastDay: day(2)}
	security := analytics.QuerySum{Query: "security", Searches: 2, ZeroHits: 2, LastDay: day(1)}
	roadmap := analytics.QuerySum{Query: "roadmap", Searches: 1, ZeroHits: 1, LastDay: day(3)}
	caseStudy := analytics.QuerySum{Query: "case study", Searches: 5, AvgHits: 5, LastDay: day(4)}
	inf := math.Inf(1)
	for _, c := range []struct {
		name    string
		f       analytics.Filter
		maxHits float64
		want    []analytics.QuerySum
	}{
		{"every day (most searched first, ties by query)", analytics.Filter{}, inf, []analytics.QuerySum{caseStudy, pricing, security, roadmap}},
		{"zero-result searches (maxAvgHits 0)", analytics.Filter{}, 0, []analytics.QuerySum{security, roadmap}},
		{"maxAvgHits 3.6 (at most, so pricing's 3.6 is kept)", analytics.Filter{}, 18.0 / 5, []analytics.QuerySum{pricing, security, roadmap}},
		{"d1..d3", analytics.Filter{From: day(1), To: day(3)}, inf, []analytics.QuerySum{
			{Query: "pricing", Searches: 2, AvgHits: 4, LastDay: day(2)}, security, roadmap}},
		{"Limit 1", analytics.Filter{Limit: 1}, inf, []analytics.QuerySum{caseStudy}},
		{"spot and item filters are ignored", analytics.Filter{SpotIDs: []string{"spot-z"}, ItemIDs: []string{"x"}}, 0,
			[]analytics.QuerySum{security, roadmap}},
	} {
		check(e.t, fmt.Sprintf("SumQueries(%s)", c.name), e.sumQueries(c.f, c.maxHits), c.want)
	}
}

// testSumQueriesDefaultLimit: a zero Limit is 100.
func testSumQueriesDefaultLimit(e *env) {
	var qs []analytics.QueryDay
	for i := range 120 {
		qs = append(qs, analytics.QueryDay{Query: fmt.Sprintf("q%03d", i), Day: day(1), Searches: int64(200 - i)})
	}
	e.add(analytics.Rollups{Queries: qs})
	got := e.sumQueries(analytics.Filter{}, math.Inf(1))
	if len(got) != 100 || got[0].Query != "q000" || got[99].Query != "q099" {
		e.t.Fatalf("SumQueries with a zero Limit over 120 queries: got %d (first %+v), want the 100 most searched", len(got), got[:min(len(got), 1)])
	}
}

func testSumActors(e *env) {
	e.add(reportFixture())
	for _, c := range []struct {
		name string
		f    analytics.Filter
		want []analytics.ActorDay
	}{
		{"every day (by actor, then type; Day the latest)", analytics.Filter{}, []analytics.ActorDay{
			{Actor: "alice", Day: day(1), Type: analytics.ItemViewed, Count: 3},
			{Actor: "alice", Day: day(1), Type: analytics.Searched, Count: 3},
			{Actor: "bob", Day: day(0), Type: analytics.ItemViewed, Count: 1},
			{Actor: "carol", Day: day(4), Type: analytics.ItemPitched, Count: 2},
		}},
		{"Owners alice and carol, From d1", analytics.Filter{Owners: []string{"carol", "alice"}, From: day(1)}, []analytics.ActorDay{
			{Actor: "alice", Day: day(1), Type: analytics.ItemViewed, Count: 1},
			{Actor: "alice", Day: day(1), Type: analytics.Searched, Count: 3},
			{Actor: "carol", Day: day(4), Type: analytics.ItemPitched, Count: 2},
		}},
		{"To d0", analytics.Filter{To: day(0)}, []analytics.ActorDay{
			{Actor: "alice", Day: day(0), Type: analytics.ItemViewed, Count: 2},
			{Actor: "bob", Day: day(0), Type: analytics.ItemViewed, Count: 1},
		}},
		{"Limit 1", analytics.Filter{Limit: 1}, []analytics.ActorDay{{Actor: "alice", Day: day(1), Type: analytics.ItemViewed, Count: 3}}},
		{"Owners nobody", analytics.Filter{Owners: []string{"nobody"}}, nil},
	} {
		check(e.t, "SumActors("+c.name+")", e.sumActors(c.f), c.want)
	}
}

// testReportInvalidDays: a malformed From or To is ErrInvalid, never
// compared as text.
func testReportInvalidDays(e *env) {
	e.add(reportFixture())
	for _, f := range []analytics.Filter{
		{From: "2025-3-10", AllSpots: true},
		{To: analytics.Day(time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)), AllSpots: true},
	} {
		_, err := e.s.SumItems(e.ctx, f)
		wantErr(e.t, err, analytics.ErrInvalid, fmt.Sprintf("SumItems(From %q, To %q)", f.From, f.To))
		_, err = e.s.SumSpots(e.ctx, f)
		wantErr(e.t, err, analytics.ErrInvalid, fmt.Sprintf("SumSpots(From %q, To %q)", f.From, f.To))
		_, err = e.s.VisitPages(e.ctx, f)
		wantErr(e.t, err, analytics.ErrInvalid, fmt.Sprintf("VisitPages(From %q, To %q)", f.From, f.To))
		_, err = e.s.SumQueries(e.ctx, f, 0)
		wantErr(e.t, err, analytics.ErrInvalid, fmt.Sprintf("SumQueries(From %q, To %q)", f.From, f.To))
		_, err = e.s.SumActors(e.ctx, f)
		wantErr(e.t, err, analytics.ErrInvalid, fmt.Sprintf("SumActors(From %q, To %q)", f.From, f.To))
	}
}
