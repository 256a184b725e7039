package analyticstest

import (
	"time"

	"github.com/briefcasehq/briefcase/analytics"
)

var itemDayTests = []subtest{
	{"Sums", testItemDaySums},
	{"Keys", testItemDayKeys},
	{"FirstSpotKept", testItemDayFirstSpot},
}

var viewerTests = []subtest{
	{"Set", testViewerSet},
}

var visitPageTests = []subtest{
	{"Sums", testVisitPageSums},
	{"Order", testVisitPageOrder},
}

var recipientTests = []subtest{
	{"Sums", testRecipientSums},
	{"Order", testRecipientOrder},
}

var queryTests = []subtest{
	{"Sums", testQuerySums},
}

var actorTests = []subtest{
	{"Sums", testActorSums},
}

var resetTests = []subtest{
	{"Reset", testResetRollups},
}

// itemDay returns a fully populated ItemDay of item-1 on day(1) (not
// stored).
func itemDay() analytics.ItemDay {
	return analytics.ItemDay{ItemID: "item-1", SpotID: "spot-a", Day: day(1), Bot: true, Views: 1, Downloads: 2,
		Bookmarks: 3, Pitches: 4, PageViews: 5, ActiveMS: 6000, ExternalDownloads: 7, ExternalClicks: 8, Score: 1.5}
}

// only sums item's rows of one day.
func only(item string, d analytics.Day, bots bool) analytics.Filter {
	return analytics.Filter{From: d, To: d, AllSpots: true, ItemIDs: []string{item}, IncludeBots: bots}
}

// testItemDaySums: deltas with the same (ItemID, Day, Bot) add up, field
// by field, negative ones too, in one call or across calls.
func testItemDaySums(e *env) {
	d := itemDay()
	checkPopulated(e.t, d)
	neg := analytics.ItemDay{ItemID: d.ItemID, SpotID: d.SpotID, Day: d.Day, Bot: true, Views: -1, Downloads: 10,
		Bookmarks: -30, Pitches: 1, PageViews: 100, ActiveMS: -6000, ExternalDownloads: 0, ExternalClicks: 2, Score: -0.25}
	e.add(analytics.Rollups{ItemDays: []analytics.ItemDay{d, d}})
	e.add(analytics.Rollups{ItemDays: []analytics.ItemDay{neg}})
	want := analytics.ItemDay{ItemID: d.ItemID, SpotID: d.SpotID, Day: d.Day, Views: 1, Downloads: 14,
		Bookmarks: -24, Pitches: 9, PageViews: 110, ActiveMS: 6000, ExternalDownloads: 14, ExternalClicks: 18, Score: 2.75}
	check(e.t, "SumItems of one row after adding d, d (one call) and a mixed delta", e.sumItems(only(d.ItemID, d.Day, true)),
		[]analytics.ItemSum{{ItemDay: want}})
	check(e.t, "SumItems without bots of a bot row", e.sumItems(only(d.ItemID, d.Day, false)), []analytics.ItemSum(nil))
}

// testItemDayKeys: rows differing in item, day or bot flag are apart.
func testItemDayKeys(e *env) {
	base := analytics.ItemDay{ItemID: "item-1", SpotID: "spot-a", Day: day(1), Views: 1, Score: 1}
	otherItem, otherDay, bot := base, base, base
	otherItem.ItemID = "item-2"
	otherDay.Day = day(2)
	bot.Bot, bot.Views, bot.Score = true, 10, 10
	e.add(analytics.Rollups{ItemDays: []analytics.ItemDay{base, otherItem, otherDay, bot, base}})
	check(e.t, "SumItems(item-1, day 1, no bots)", e.sumItems(only("item-1", day(1), false)),
		[]analytics.ItemSum{{ItemDay: analytics.ItemDay{ItemID: "item-1", SpotID: "spot-a", Day: day(1), Views: 2, Score: 2}}})
	check(e.t, "SumItems(item-1, day 1, with bots)", e.sumItems(only("item-1", day(1), true)),
		[]analytics.ItemSum{{ItemDay: analytics.ItemDay{ItemID: "item-1", SpotID: "spot-a", Day: day(1), Views: 12, Score: 12}}})
	check(e.t, "SumItems(item-1, day 2)", e.sumItems(only("item-1", day(2), true)),
		[]analytics.ItemSum{{ItemDay: analytics.ItemDay{ItemID: "item-1", SpotID: "spot-a", Day: day(2), Views: 1, Score: 1}}})
	check(e.t, "SumItems(item-2, day 1)", e.sumItems(only("item-2", day(1), true)),
		[]analytics.ItemSum{{ItemDay: analytics.ItemDay{ItemID: "item-2", SpotID: "spot-a", Day: day(1), Views: 1, Score: 1}}})
}

// testItemDayFirstSpot: a row keeps the SpotID of the delta that created
// it; a later delta with another spot (the item moved that day) adds to it
// without moving it. The next day's row has the new spot.
func testItemDayFirstSpot(e *env) {
	e.add(analytics.Rollups{ItemDays: []analytics.ItemDay{{ItemID: "item-1", SpotID: "spot-a", Day: day(1), Views: 1, Score: 1}}})
	e.add(analytics.Rollups{ItemDays: []analytics.ItemDay{
		{ItemID: "item-1", SpotID: "spot-b", Day: day(1), Views: 2, Score: 2},
		{ItemID: "item-1", SpotID: "spot-b", Day: day(2), Views: 4, Score: 4},
	}})
	inA := analytics.Filter{SpotIDs: []string{"spot-a"}}
	check(e.t, "SumItems(spot-a) after the item moved to spot-b on day 1", e.sumItems(inA),
		[]analytics.ItemSum{{ItemDay: analytics.ItemDay{ItemID: "item-1", SpotID: "spot-a", Day: day(1), Views: 3, Score: 3}}})
	check(e.t, "SumItems(all spots): SpotID and Day of the latest day summed", e.sumItems(analytics.Filter{AllSpots: true}),
		[]analytics.ItemSum{{ItemDay: analytics.ItemDay{ItemID: "item-1", SpotID: "spot-b", Day: day(2), Views: 7, Score: 7}}})
	check(e.t, "SumSpots(all spots)", e.sumSpots(analytics.Filter{AllSpots: true}), []analytics.SpotSum{
		{ItemDay: analytics.ItemDay{SpotID: "spot-a", Day: day(1), Views: 3, Score: 3}, ItemsEngaged: 1},
		{ItemDay: analytics.ItemDay{SpotID: "spot-b", Day: day(2), Views: 4, Score: 4}, ItemsEngaged: 1},
	})
}

// testViewerSet: ItemViewer rows are a set; unique viewers count distinct
// viewers over the range, not per day.
func testViewerSet(e *env) {
	v := analytics.ItemViewer{ItemID: "item-1", SpotID: "spot-a", Day: day(1), Viewer: "alice"}
	checkPopulated(e.t, v)
	bob, later, other := v, v, v
	bob.Viewer = "bob"
	later.Day = day(2)
	other.ItemID = "item-2"
	e.add(analytics.Rollups{
		ItemDays: []analytics.ItemDay{
			{ItemID: "item-1", SpotID: "spot-a", Day: day(1), Views: 3},
			{ItemID: "item-1", SpotID: "spot-a", Day: day(2), Views: 1},
			{ItemID: "item-2", SpotID: "spot-a", Day: day(1), Views: 1},
		},
		Viewers: []analytics.ItemViewer{v, v, bob},
	})
	moved := v
	moved.SpotID = "spot-b" // adding again is a no-op: the row stays in spot-a
	e.add(analytics.Rollups{Viewers: []analytics.ItemViewer{moved, later, other}})
	got := e.sumItems(analytics.Filter{AllSpots: true})
	if len(got) != 2 || got[0].UniqueViewers != 2 || got[1].UniqueViewers != 1 {
		e.t.Fatalf("SumItems UniqueViewers after alice (3 times, 2 days) and bob on item-1, alice on item-2: got %+v, want 2 and 1", got)
	}
	got = e.sumItems(analytics.Filter{AllSpots: true, From: day(2), To: day(2)})
	if len(got) != 1 || got[0].UniqueViewers != 1 {
		e.t.Fatalf("SumItems(day 2) UniqueViewers: got %+v, want item-1 with 1", got)
	}
	got = e.sumItems(analytics.Filter{SpotIDs: []string{"spot-a"}, From: day(1), To: day(1), ItemIDs: []string{"item-1"}})
	if len(got) != 1 || got[0].UniqueViewers != 2 {
		e.t.Fatalf("SumItems(spot-a, day 1) UniqueViewers after alice was added again with spot-b: got %+v, want 2 (the row keeps spot-a)", got)
	}
	spots := e.sumSpots(analytics.Filter{AllSpots: true})
	if len(spots) != 1 || spots[0].UniqueViewers != 2 || spots[0].ItemsEngaged != 2 {
		e.t.Fatalf("SumSpots UniqueViewers and ItemsEngaged: got %+v, want 2 viewers and 2 items", spots)
	}
}

// visitPage returns a fully populated VisitPage (not stored).
func visitPage() analytics.VisitPage {
	return analytics.VisitPage{ViewID: "view-1", ItemID: "item-1", SpotID: "spot-a", ShareID: "share-1",
		Recipient: "buyer@acme.example", Day: day(3), Page: 2, Bot: true, ActiveMS: 10000}
}

// testVisitPageSums: ActiveMS adds up per (ViewID, ItemID, Page); Day keeps
// the earliest; the other fields keep the first delta's values.
func testVisitPageSums(e *env) {
	v := visitPage()
	checkPopulated(e.t, v)
	earlier := analytics.VisitPage{ViewID: v.ViewID, ItemID: v.ItemID, SpotID: "spot-b", ShareID: "share-2",
		Recipient: "other@acme.example", Day: day(1), Page: v.Page, Bot: false, ActiveMS: 5000}
	later := earlier
	later.Day, later.ActiveMS = day(5), -2000
	e.add(analytics.Rollups{VisitPages: []analytics.VisitPage{v, earlier}})
	e.add(analytics.Rollups{VisitPages: []analytics.VisitPage{later}})
	want := v
	want.Day, want.ActiveMS = day(1), 13000
	check(e.t, "VisitPages after three deltas to one row", e.visitPages(all()), []analytics.VisitPage{want})
	check(e.t, "VisitPages without bots of a bot row", e.visitPages(analytics.Filter{AllSpots: true}), []analytics.VisitPage(nil))
}

// testVisitPageOrder: by item, then view, then page as a number.
func testVisitPageOrder(e *env) {
	var vs []analytics.VisitPage
	for _, k := range []struct {
		item, view string
		page       int
	}{{"item-2", "view-1", 1}, {"item-1", "view-2", 10}, {"item-1", "view-2", 9}, {"item-1", "view-1", 3}, {"item-1", "view-2", 100}} {
		vs = append(vs, analytics.VisitPage{ViewID: k.view, ItemID: k.item, SpotID: "spot-a", ShareID: "share-1",
			Day: day(1), Page: k.page, ActiveMS: 1})
	}
	e.add(analytics.Rollups{VisitPages: vs})
	check(e.t, "VisitPages order (item, view, page as a number)", e.visitPages(all()),
		[]analytics.VisitPage{vs[3], vs[2], vs[1], vs[4], vs[0]})
}

// recipientTotal returns a fully populated RecipientTotal (not stored).
func recipientTotal() analytics.RecipientTotal {
	return analytics.RecipientTotal{ShareID: "share-1", ShareOwner: "alice", Recipient: "buyer@acme.example", Bot: true,
		Opens: 1, PageViews: 2, ActiveMS: 3000, Downloads: 4, Clicks: 5, FirstAt: at(2, 10), LastAt: at(2, 20)}
}

// testRecipientSums: numbers add up per (ShareID, Recipient, Bot);
// FirstAt keeps the earliest and LastAt the latest (a zero time is unset);
// ShareOwner keeps the first delta's value; times come back in UTC.
func testRecipientSums(e *env) {
	r := recipientTotal()
	checkPopulated(e.t, r)
	second := analytics.RecipientTotal{ShareID: r.ShareID, ShareOwner: "bob", Recipient: r.Recipient, Bot: true,
		Opens: -1, PageViews: 10, ActiveMS: 500, Downloads: 0, Clicks: 1, FirstAt: at(1, 0), LastAt: at(2, 15)}
	third := analytics.RecipientTotal{ShareID: r.ShareID, Recipient: r.Recipient, Bot: true, PageViews: 1,
		LastAt: at(4, 0)}
	unset := analytics.RecipientTotal{ShareID: "share-2", ShareOwner: "alice", Recipient: r.Recipient, Opens: 1}
	e.add(analytics.Rollups{Recipients: []analytics.RecipientTotal{r}})
	e.add(analytics.Rollups{Recipients: []analytics.RecipientTotal{second, third, unset}})
	want := analytics.RecipientTotal{ShareID: r.ShareID, ShareOwner: "alice", Recipient: r.Recipient, Bot: true,
		Opens: 0, PageViews: 13, ActiveMS: 3500, Downloads: 4, Clicks: 6, FirstAt: at(1, 0), LastAt: at(4, 0)}
	check(e.t, "RecipientTotals after four deltas", e.recipientTotals(all()), []analytics.RecipientTotal{want, unset})
	check(e.t, "RecipientTotals without bots", e.recipientTotals(analytics.Filter{}), []analytics.RecipientTotal{unset})
	later := analytics.RecipientTotal{ShareID: "share-2", Recipient: r.Recipient, FirstAt: at(9, 0), LastAt: at(9, 0).Add(time.Microsecond)}
	e.add(analytics.Rollups{Recipients: []analytics.RecipientTotal{later}})
	unset.FirstAt, unset.LastAt = later.FirstAt, later.LastAt
	check(e.t, "RecipientTotals once a row with zero times gets some", e.recipientTotals(analytics.Filter{}),
		[]analytics.RecipientTotal{unset})
}

// testRecipientOrder: by share, then recipient, then bot (false first).
func testRecipientOrder(e *env) {
	var rs []analytics.RecipientTotal
	for _, k := range []struct {
		share, recipient string
		bot              bool
	}{{"share-2", "a@x.example", false}, {"share-1", "b@x.example", true}, {"share-1", "b@x.example", false},
		{"share-1", "a@x.example", false}, {"share-1", "", false}} {
		rs = append(rs, analytics.RecipientTotal{ShareID: k.share, ShareOwner: "alice", Recipient: k.recipient, Bot: k.bot, Opens: 1})
	}
	e.add(analytics.Rollups{Recipients: rs})
	check(e.t, "RecipientTotals order (share, recipient, bot)", e.recipientTotals(all()),
		[]analytics.RecipientTotal{rs[4], rs[3], rs[2], rs[1], rs[0]})
}

// testQuerySums: Searches, ZeroHits and HitsTotal add up per (Query, Day).
func testQuerySums(e *env) {
	q := analytics.QueryDay{Query: "pricing", Day: day(1), Searches: 4, ZeroHits: 1, HitsTotal: 30}
	checkPopulated(e.t, q)
	e.add(analytics.Rollups{Queries: []analytics.QueryDay{q, q}})
	e.add(analytics.Rollups{Queries: []analytics.QueryDay{
		{Query: "pricing", Day: day(1), Searches: -2, ZeroHits: 0, HitsTotal: -20},
		{Query: "pricing", Day: day(2), Searches: 1, ZeroHits: 1},
		{Query: "Pricing", Day: day(1), Searches: 1, HitsTotal: 1},
	}})
	check(e.t, "SumQueries(day 1)", e.sumQueries(analytics.Filter{From: day(1), To: day(1)}, 100), []analytics.QuerySum{
		{Query: "pricing", Searches: 6, ZeroHits: 2, AvgHits: 40.0 / 6, LastDay: day(1)},
		{Query: "Pricing", Searches: 1, AvgHits: 1, LastDay: day(1)},
	})
	check(e.t, "SumQueries(all days)", e.sumQueries(analytics.Filter{}, 100), []analytics.QuerySum{
		{Query: "pricing", Searches: 7, ZeroHits: 3, AvgHits: 40.0 / 7, LastDay: day(2)},
		{Query: "Pricing", Searches: 1, AvgHits: 1, LastDay: day(1)},
	})
}

// testActorSums: Count adds up per (Actor, Day, Type).
func testActorSums(e *env) {
	a := analytics.ActorDay{Actor: "alice", Day: day(1), Type: analytics.ItemViewed, Count: 3}
	checkPopulated(e.t, a)
	e.add(analytics.Rollups{Actors: []analytics.ActorDay{a, a}})
	e.add(analytics.Rollups{Actors: []analytics.ActorDay{
		{Actor: "alice", Day: day(1), Type: analytics.ItemViewed, Count: -1},
		{Actor: "alice", Day: day(1), Type: analytics.Searched, Count: 1},
		{Actor: "alice", Day: day(3), Type: analytics.ItemViewed, Count: 1},
	}})
	check(e.t, "SumActors(day 1)", e.sumActors(analytics.Filter{From: day(1), To: day(1)}), []analytics.ActorDay{
		{Actor: "alice", Day: day(1), Type: analytics.ItemViewed, Count: 5},
		{Actor: "alice", Day: day(1), Type: analytics.Searched, Count: 1},
	})
	check(e.t, "SumActors(all days)", e.sumActors(analytics.Filter{}), []analytics.ActorDay{
		{Actor: "alice", Day: day(3), Type: analytics.ItemViewed, Count: 6},
		{Actor: "alice", Day: day(1), Type: analytics.Searched, Count: 1},
	})
}

// testResetRollups: every roll-up goes, events stay, and roll-ups added
// afterwards start from zero.
func testResetRollups(e *env) {
	r := fullRollups()
	e.append(numbered(0, 3), r)
	e.add(r)
	noErr(e.t, e.s.ResetRollups(e.ctx), "ResetRollups")
	got := e.everything()
	if len(got.Events) != 3 {
		e.t.Fatalf("events after ResetRollups: got %d, want 3", len(got.Events))
	}
	got.Events = nil
	check(e.t, "roll-ups after ResetRollups", got, everything{})
	if top := e.top(analytics.TopFilter{AllSpots: true, DayWeights: map[analytics.Day]float64{day(2): 1}}); len(top) != 0 {
		e.t.Fatalf("Top(trending) after ResetRollups: got %+v, want nothing", top)
	}
	e.add(r)
	got = e.everything()
	check(e.t, "SumItems after ResetRollups and one AddRollups", got.Items, []analytics.ItemSum{{ItemDay: r.ItemDays[0],
		UniqueViewers: 1, Visits: 1, UniqueRecipients: 1, PagesRead: 1}})
	check(e.t, "RecipientTotals after ResetRollups and one AddRollups", got.Recipients, r.Recipients)
	check(e.t, "Top after ResetRollups and one AddRollups", got.Popular,
		[]analytics.ItemScore{{ItemID: "item-1", SpotID: "spot-a", Score: 9.5}})
	noErr(e.t, e.s.ResetRollups(e.ctx), "ResetRollups of a store without roll-ups... twice")
}
