package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/briefcasehq/briefcase/share"
	"github.com/briefcasehq/briefcase/store"
)

var viewTests = []subtest{
	{"RoundTrip", testViewRoundTrip},
	{"NotFound", testViewNotFound},
	{"Conflict", testViewConflict},
	{"Update", testViewUpdate},
	{"GetViews", testGetViews},
	{"UpdateViews", testUpdateViews},
	{"List", testViewList},
	{"NoBeaconBefore", testViewNoBeaconBefore},
	{"DefaultLimit", testViewDefaultLimit},
}

var pageEventTests = []subtest{
	{"RoundTrip", testPageEventRoundTrip},
	{"Duplicates", testPageEventDuplicates},
	{"UnknownView", testPageEventUnknownView},
	{"Stats", testPageStats},
	{"StatsUnknownView", testPageStatsUnknownView},
	{"ConcurrentDuplicates", testPageEventConcurrentDuplicates},
}

var shareEventTests = []subtest{
	{"RoundTrip", testShareEventRoundTrip},
	{"NotFound", testShareEventNotFound},
}

var secretTests = []subtest{
	{"FirstWriterWins", testSecretFirstWriterWins},
	{"Copies", testSecretCopies},
	{"Concurrent", testSecretConcurrent},
}

var shareAtomicTests = []subtest{
	{"Commit", testShareAtomicCommit},
	{"Rollback", testShareAtomicRollback},
	{"RefusedWriteInside", testShareAtomicRefusedWrite},
	{"ViewReadModifyWrite", testShareAtomicViewReadModifyWrite},
	{"NotContent", testShareAtomicNotContent},
}

// tracked is a live share with one link, the fixture of the tracking
// tests.
type tracked struct {
	share share.Share
	link  share.Link
}

func (e *env) tracked() tracked {
	e.t.Helper()
	s := e.share("alice")
	s.RevokedAt = time.Time{}
	e.createShare(s)
	return tracked{share: s, link: e.createLink(e.liveLink(s.ID))}
}

// view returns a fully populated view of the link (not stored).
func (e *env) view(l share.Link) share.View {
	started := e.now()
	return share.View{
		ID: newID(), ShareID: l.ShareID, LinkID: l.ID, Recipient: "buyer@acme.example",
		UserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1", Client: "mobile, Safari",
		SuspectedBot: true, BotReason: "no beacon", StartedAt: started, LastBeaconAt: started.Add(10 * time.Second),
		Beacons: 3, ActiveMS: 25000, NotifiedAt: started.Add(time.Minute),
	}
}

// silentView returns a view of the link that has sent no beacon and is not
// marked (not stored).
func (e *env) silentView(l share.Link) share.View {
	v := e.view(l)
	v.SuspectedBot, v.BotReason, v.LastBeaconAt, v.Beacons, v.ActiveMS, v.NotifiedAt = false, "", time.Time{}, 0, 0, time.Time{}
	return v
}

func (e *env) createView(v share.View) share.View {
	e.t.Helper()
	noErr(e.t, e.s.CreateView(e.ctx, v), "CreateView")
	return v
}

func (e *env) getView(id string) share.View {
	e.t.Helper()
	v, err := e.s.GetView(e.ctx, id)
	noErr(e.t, err, "GetView")
	return v
}

func (e *env) listViews(f share.ViewFilter) []string {
	e.t.Helper()
	vs, err := e.s.ListViews(e.ctx, f)
	noErr(e.t, err, "ListViews")
	return ids(vs, viewID)
}

func viewID(v share.View) string { return v.ID }

func testViewRoundTrip(e *env) {
	tr := e.tracked()
	v := e.view(tr.link)
	checkPopulated(e.t, v)
	e.createView(v)
	checkSame(e.t, "GetView after CreateView", e.getView(v.ID), v)

	bare := share.View{ID: newID(), ShareID: tr.share.ID, LinkID: tr.link.ID, StartedAt: e.now()}
	e.createView(bare)
	checkSame(e.t, "GetView of a view with empty optional fields and zero times", e.getView(bare.ID), bare)
}

func testViewNotFound(e *env) {
	tr := e.tracked()
	_, err := e.s.GetView(e.ctx, newID())
	wantErr(e.t, err, share.ErrNotFound, "GetView of a missing ID")
	orphan := e.view(tr.link)
	orphan.LinkID = newID()
	wantErr(e.t, e.s.CreateView(e.ctx, orphan), share.ErrNotFound, "CreateView whose link does not exist")
	_, err = e.s.GetView(e.ctx, orphan.ID)
	wantErr(e.t, err, share.ErrNotFound, "GetView of a view refused for a missing link")
	wantErr(e.t, e.s.UpdateView(e.ctx, e.view(tr.link)), share.ErrNotFound, "UpdateView of a missing view")
	checkIDs(e.t, "ListViews(ShareID) after refused CreateView and UpdateView calls", e.listViews(share.ViewFilter{ShareID: tr.share.ID}), nil)
}

func testViewConflict(e *env) {
	tr := e.tracked()
	v := e.createView(e.view(tr.link))
	dup := e.silentView(tr.link)
	dup.ID = v.ID
	wantErr(e.t, e.s.CreateView(e.ctx, dup), share.ErrConflict, "CreateView with an existing ID")
	checkSame(e.t, "a refused CreateView must leave the existing view as it was", e.getView(v.ID), v)
}

func testViewUpdate(e *env) {
	tr := e.tracked()
	other := e.tracked()
	orig := e.createView(e.view(tr.link))
	at := e.now()
	upd := share.View{
		ID: orig.ID, ShareID: other.share.ID, LinkID: other.link.ID, Recipient: "verified@acme.example",
		UserAgent: "curl/8.0", Client: "desktop, curl", SuspectedBot: false, BotReason: "",
		StartedAt: at, LastBeaconAt: at.Add(time.Second), Beacons: 9, ActiveMS: 90000, NotifiedAt: time.Time{},
	}
	noErr(e.t, e.s.UpdateView(e.ctx, upd), "UpdateView")
	want := upd
	want.ShareID, want.LinkID, want.UserAgent, want.Client, want.StartedAt = orig.ShareID, orig.LinkID, orig.UserAgent, orig.Client, orig.StartedAt
	checkSame(e.t, "UpdateView replaces recipient, bot mark and reason, last beacon, beacons, active time and notified time, and keeps the rest",
		e.getView(orig.ID), want)
	checkIDs(e.t, "ListViews(LinkID) of the link passed to UpdateView (the link is not replaced)", e.listViews(share.ViewFilter{LinkID: other.link.ID}), nil)
	checkIDs(e.t, "ListViews(ShareID) of the view's own share after UpdateView", e.listViews(share.ViewFilter{ShareID: tr.share.ID}), []string{orig.ID})
}

func testGetViews(e *env) {
	tr := e.tracked()
	a := e.createView(e.view(tr.link))
	b := e.createView(e.silentView(tr.link))
	c := e.createView(e.view(e.tracked().link))
	got, err := e.s.GetViews(e.ctx, []string{c.ID, newID(), a.ID, b.ID})
	noErr(e.t, err, "GetViews")
	checkSame(e.t, "GetViews returns the views in the order asked, leaving out missing IDs", got, []share.View{c, a, b})
	got, err = e.s.GetViews(e.ctx, nil)
	noErr(e.t, err, "GetViews of no IDs")
	if len(got) != 0 {
		e.t.Errorf("GetViews of no IDs returned %d views", len(got))
	}
	got, err = e.s.GetViews(e.ctx, []string{newID()})
	noErr(e.t, err, "GetViews of a missing ID")
	if len(got) != 0 {
		e.t.Errorf("GetViews of a missing ID returned %d views", len(got))
	}
}

func testUpdateViews(e *env) {
	tr := e.tracked()
	a := e.createView(e.silentView(tr.link))
	b := e.createView(e.silentView(tr.link))
	at := e.now().Add(time.Minute)
	ua, ub := a, b
	ua.Beacons, ua.ActiveMS, ua.LastBeaconAt = 2, 1500, at
	ub.SuspectedBot, ub.BotReason, ub.NotifiedAt, ub.Recipient = true, "no beacon", at, "x@acme.example"
	noErr(e.t, e.s.UpdateViews(e.ctx, []share.View{ua, ub}), "UpdateViews")
	checkSame(e.t, "GetView after UpdateViews (first)", e.getView(a.ID), ua)
	checkSame(e.t, "GetView after UpdateViews (second)", e.getView(b.ID), ub)

	// One missing view: nothing changes.
	ua2 := ua
	ua2.Beacons, ua2.ActiveMS = 99, 99
	missing := e.view(tr.link)
	wantErr(e.t, e.s.UpdateViews(e.ctx, []share.View{ua2, missing}), share.ErrNotFound, "UpdateViews with a missing view")
	checkSame(e.t, "a refused UpdateViews changes none of the views", e.getView(a.ID), ua)
	noErr(e.t, e.s.UpdateViews(e.ctx, nil), "UpdateViews of no views")
}

func testViewList(e *env) {
	a := e.tracked()
	a2 := e.createLink(e.liveLink(a.share.ID))
	b := e.tracked()
	// IDs are made in one order and StartedAt in another: the list is by
	// StartedAt.
	v1, v2, v3, v4 := e.view(a.link), e.view(a2), e.view(a.link), e.view(b.link)
	v1.StartedAt, v2.StartedAt, v3.StartedAt = v3.StartedAt, v1.StartedAt, v2.StartedAt
	for _, v := range []share.View{v4, v3, v2, v1} {
		e.createView(v)
	}
	cases := []struct {
		name string
		f    share.ViewFilter
		want []string
	}{
		{"ShareID", share.ViewFilter{ShareID: a.share.ID}, []string{v2.ID, v3.ID, v1.ID}},
		{"LinkID", share.ViewFilter{LinkID: a.link.ID}, []string{v3.ID, v1.ID}},
		{"ShareID and LinkID", share.ViewFilter{ShareID: a.share.ID, LinkID: a2.ID}, []string{v2.ID}},
		{"ShareID and the link of another share", share.ViewFilter{ShareID: a.share.ID, LinkID: b.link.ID}, nil},
		{"ShareID of the other share", share.ViewFilter{ShareID: b.share.ID}, []string{v4.ID}},
		{"ShareID and Limit", share.ViewFilter{ShareID: a.share.ID, Limit: 2}, []string{v2.ID, v3.ID}},
		{"unknown ShareID", share.ViewFilter{ShareID: newID()}, nil},
	}
	for _, tc := range cases {
		checkIDs(e.t, "ListViews("+tc.name+") (oldest StartedAt first)", e.listViews(tc.f), tc.want)
	}
	vs, err := e.s.ListViews(e.ctx, share.ViewFilter{LinkID: a2.ID})
	noErr(e.t, err, "ListViews")
	checkSame(e.t, "ListViews returns whole views", vs[0], v2)

	_, err = e.s.ListViews(e.ctx, share.ViewFilter{Limit: 10})
	wantErr(e.t, err, share.ErrInvalid, "ListViews with none of ShareID, LinkID and NoBeaconBefore")
}

func testViewNoBeaconBefore(e *env) {
	tr := e.tracked()
	other := e.tracked()
	cut := e.now()
	at := func(d time.Duration) time.Time { return cut.Add(d) }
	silent := e.silentView(tr.link)
	silent.StartedAt = at(-time.Hour)
	older := e.silentView(other.link)
	older.StartedAt = at(-2 * time.Hour)
	justBefore := e.silentView(tr.link)
	justBefore.StartedAt = at(-time.Microsecond)
	atCut := e.silentView(tr.link)
	atCut.StartedAt = cut
	after := e.silentView(tr.link)
	after.StartedAt = at(time.Minute)
	beaconed := e.silentView(tr.link)
	beaconed.StartedAt, beaconed.Beacons, beaconed.LastBeaconAt, beaconed.ActiveMS = at(-time.Hour), 1, at(-time.Hour+10*time.Second), 5000
	bot := e.silentView(tr.link)
	bot.StartedAt, bot.SuspectedBot, bot.BotReason = at(-time.Hour), true, "link scanner"
	for _, v := range []share.View{silent, older, justBefore, atCut, after, beaconed, bot} {
		e.createView(v)
	}
	checkIDs(e.t, "ListViews(NoBeaconBefore) (views started before it, without beacons, not suspected bots; oldest first)",
		e.listViews(share.ViewFilter{NoBeaconBefore: cut}), []string{older.ID, silent.ID, justBefore.ID})
	checkIDs(e.t, "ListViews(NoBeaconBefore in another zone)",
		e.listViews(share.ViewFilter{NoBeaconBefore: cut.In(time.FixedZone("UTC-07", -7*3600))}), []string{older.ID, silent.ID, justBefore.ID})
	checkIDs(e.t, "ListViews(NoBeaconBefore and ShareID)",
		e.listViews(share.ViewFilter{NoBeaconBefore: cut, ShareID: tr.share.ID}), []string{silent.ID, justBefore.ID})
	checkIDs(e.t, "ListViews(NoBeaconBefore and LinkID of another share)",
		e.listViews(share.ViewFilter{NoBeaconBefore: cut, LinkID: other.link.ID}), []string{older.ID})
	checkIDs(e.t, "ListViews(NoBeaconBefore and Limit 1)",
		e.listViews(share.ViewFilter{NoBeaconBefore: cut, Limit: 1}), []string{older.ID})

	// A first beacon, or a bot mark, takes a view out; clearing the mark
	// brings it back.
	s := silent
	s.Beacons, s.LastBeaconAt = 1, cut
	noErr(e.t, e.s.UpdateView(e.ctx, s), "UpdateView")
	o := older
	o.SuspectedBot, o.BotReason = true, "no beacon"
	noErr(e.t, e.s.UpdateView(e.ctx, o), "UpdateView")
	checkIDs(e.t, "ListViews(NoBeaconBefore) after one view got a beacon and one was marked", e.listViews(share.ViewFilter{NoBeaconBefore: cut}), []string{justBefore.ID})
	b := bot
	b.SuspectedBot, b.BotReason = false, ""
	noErr(e.t, e.s.UpdateView(e.ctx, b), "UpdateView")
	checkIDs(e.t, "ListViews(NoBeaconBefore) after a bot mark was cleared", e.listViews(share.ViewFilter{NoBeaconBefore: cut}), []string{bot.ID, justBefore.ID})
}

func testViewDefaultLimit(e *env) {
	tr := e.tracked()
	err := e.s.Atomic(e.ctx, func(tx store.Store) error {
		for range 1001 {
			if err := tx.CreateView(e.ctx, e.silentView(tr.link)); err != nil {
				return err
			}
		}
		return nil
	})
	noErr(e.t, err, "CreateView 1001 views in Atomic")
	if got := e.listViews(share.ViewFilter{ShareID: tr.share.ID}); len(got) != 1000 {
		e.t.Fatalf("ListViews(ShareID, Limit 0) returned %d views, want 1000 (zero means 1000)", len(got))
	}
	if got := e.listViews(share.ViewFilter{ShareID: tr.share.ID, Limit: 2000}); len(got) != 1001 {
		e.t.Fatalf("ListViews(ShareID, Limit 2000) returned %d views, want 1001", len(got))
	}
}

// pageEvent returns a fully populated event of view v.
func (e *env) pageEvent(viewID string, seq int64, itemID string, page int) share.PageEvent {
	return share.PageEvent{ViewID: viewID, Seq: seq, ItemID: itemID, Page: page, ClaimedMS: 12000, ActiveMS: 10000 + seq, At: e.now()}
}

func (e *env) addPageEvents(evs ...share.PageEvent) []bool {
	e.t.Helper()
	stored, err := e.s.AddPageEvents(e.ctx, evs)
	noErr(e.t, err, "AddPageEvents")
	if len(stored) != len(evs) {
		e.t.Fatalf("AddPageEvents of %d events reported %d results, want one per event", len(evs), len(stored))
	}
	return stored
}

func (e *env) listPageEvents(viewID string) []share.PageEvent {
	e.t.Helper()
	evs, err := e.s.ListPageEvents(e.ctx, viewID)
	noErr(e.t, err, "ListPageEvents")
	return evs
}

func seqs(evs []share.PageEvent) []string {
	return ids(evs, func(ev share.PageEvent) string { return fmt.Sprint(ev.ViewID[len(ev.ViewID)-4:], "#", ev.Seq) })
}

func seqsOf(viewID string, ns ...int64) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = fmt.Sprint(viewID[len(viewID)-4:], "#", n)
	}
	return out
}

func testPageEventRoundTrip(e *env) {
	tr := e.tracked()
	v := e.createView(e.view(tr.link))
	item := tr.share.Sections[0].Items[0].ItemID
	e3, e1, e2 := e.pageEvent(v.ID, 3, item, 2), e.pageEvent(v.ID, 1, item, 1), e.pageEvent(v.ID, 2, item, 1)
	checkPopulated(e.t, e3)
	stored := e.addPageEvents(e3, e1)
	if !slices.Equal(stored, []bool{true, true}) {
		e.t.Fatalf("AddPageEvents of two new events reported %v, want [true true]", stored)
	}
	if stored := e.addPageEvents(e2); !slices.Equal(stored, []bool{true}) {
		e.t.Fatalf("AddPageEvents of a new event reported %v, want [true]", stored)
	}
	got := e.listPageEvents(v.ID)
	checkIDs(e.t, "ListPageEvents (Seq order, whatever the order of arrival)", seqs(got), seqsOf(v.ID, 1, 2, 3))
	checkSame(e.t, "ListPageEvents returns whole events", got[2], e3)
	checkSame(e.t, "ListPageEvents returns whole events", got[0], e1)

	if stored := e.addPageEvents(); len(stored) != 0 {
		e.t.Fatalf("AddPageEvents of no events reported %v", stored)
	}
	if got := e.listPageEvents(newID()); len(got) != 0 {
		e.t.Fatalf("ListPageEvents of a view that does not exist returned %d events, want none", len(got))
	}
	got[0].ItemID = "changed"
	checkSame(e.t, "ListPageEvents after the caller modified what it returned", e.listPageEvents(v.ID)[0], e1)
}

func testPageEventDuplicates(e *env) {
	tr := e.tracked()
	v := e.createView(e.view(tr.link))
	w := e.createView(e.view(tr.link))
	first := e.pageEvent(v.ID, 1, "item-a", 1)
	e.addPageEvents(first)

	again := e.pageEvent(v.ID, 1, "item-b", 7)
	again.ActiveMS = 99
	second := e.pageEvent(v.ID, 2, "item-a", 2)
	secondAgain := e.pageEvent(v.ID, 2, "item-a", 3)
	otherView := e.pageEvent(w.ID, 1, "item-a", 1)
	stored := e.addPageEvents(again, second, secondAgain, otherView)
	if want := []bool{false, true, false, true}; !slices.Equal(stored, want) {
		e.t.Fatalf("AddPageEvents(a stored (view, seq), a new one, the same new one again, the same seq of another view) reported %v, want %v", stored, want)
	}
	got := e.listPageEvents(v.ID)
	checkIDs(e.t, "ListPageEvents after duplicates (each (view, seq) once)", seqs(got), seqsOf(v.ID, 1, 2))
	checkSame(e.t, "a duplicate (view, seq) must leave the stored event as it was", got[0], first)
	checkSame(e.t, "of two events with one (view, seq) in a batch, the first is stored", got[1], second)
	checkIDs(e.t, "ListPageEvents of another view with the same seq", seqs(e.listPageEvents(w.ID)), seqsOf(w.ID, 1))
}

func testPageEventUnknownView(e *env) {
	tr := e.tracked()
	v := e.createView(e.view(tr.link))
	e.addPageEvents(e.pageEvent(v.ID, 1, "item-a", 1))
	missing := newID()
	_, err := e.s.AddPageEvents(e.ctx, []share.PageEvent{
		e.pageEvent(v.ID, 2, "item-a", 1), e.pageEvent(missing, 1, "item-a", 1), e.pageEvent(v.ID, 3, "item-a", 1),
	})
	wantErr(e.t, err, share.ErrNotFound, "AddPageEvents with an event of a view that does not exist")
	checkIDs(e.t, "ListPageEvents after AddPageEvents was refused for an unknown view (nothing of the batch may be stored)",
		seqs(e.listPageEvents(v.ID)), seqsOf(v.ID, 1))
	if stored := e.addPageEvents(e.pageEvent(v.ID, 2, "item-a", 1)); !stored[0] {
		e.t.Fatal("AddPageEvents reported a (view, seq) of a refused batch as a duplicate: the refused batch stored it")
	}
}

func (e *env) listPageStats(shareID string) []share.PageStat {
	e.t.Helper()
	stats, err := e.s.ListPageStats(e.ctx, shareID)
	noErr(e.t, err, "ListPageStats")
	return stats
}

func statKey(ps share.PageStat) string { return fmt.Sprint(ps.ViewID, "/", ps.ItemID, "/", ps.Page) }

func testPageStats(e *env) {
	tr := e.tracked()
	other := e.tracked()
	// v2 is made first but has the higher ID: stats are by view ID.
	hi, lo := newID(), newID()
	if hi < lo {
		hi, lo = lo, hi
	}
	v2 := e.view(tr.link)
	v2.ID = hi
	e.createView(v2)
	v1 := e.view(tr.link)
	v1.ID = lo
	e.createView(v1)
	elsewhere := e.createView(e.view(other.link))

	t0 := e.now()
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	stat := func(viewID, itemID string, page int, ms int64, beacons int, first, last time.Time) share.PageStat {
		return share.PageStat{ViewID: viewID, ItemID: itemID, Page: page, ActiveMS: ms, Beacons: beacons, FirstAt: first, LastAt: last}
	}
	noErr(e.t, e.s.AddPageStats(e.ctx, []share.PageStat{
		stat(v2.ID, "item-a", 1, 1000, 1, at(10), at(10)),
		stat(v1.ID, "item-b", 1, 2000, 2, at(20), at(30)),
		stat(v1.ID, "item-a", 10, 3000, 1, at(5), at(5)),
		stat(v1.ID, "item-a", 2, 4000, 1, at(6), at(6)),
		stat(elsewhere.ID, "item-a", 1, 9000, 9, at(1), at(2)),
	}), "AddPageStats")
	checkPopulated(e.t, stat(v1.ID, "item-a", 1, 1, 1, at(1), at(1)))
	got := e.listPageStats(tr.share.ID)
	want := []share.PageStat{
		stat(v1.ID, "item-a", 2, 4000, 1, at(6), at(6)),
		stat(v1.ID, "item-a", 10, 3000, 1, at(5), at(5)),
		stat(v1.ID, "item-b", 1, 2000, 2, at(20), at(30)),
		stat(v2.ID, "item-a", 1, 1000, 1, at(10), at(10)),
	}
	checkIDs(e.t, "ListPageStats (one share's views, by view ID, item ID, then page as a number)", ids(got, statKey), ids(want, statKey))
	for i := range want {
		checkSame(e.t, "ListPageStats after AddPageStats created the rows", got[i], want[i])
	}

	// Adding sums ActiveMS and Beacons, keeps the earlier FirstAt and the
	// later LastAt; the same key twice in one batch adds twice.
	noErr(e.t, e.s.AddPageStats(e.ctx, []share.PageStat{
		stat(v1.ID, "item-b", 1, 500, 1, at(40), at(40)),    // later: LastAt moves
		stat(v1.ID, "item-a", 2, 100, 1, at(3), at(4)),      // earlier: FirstAt moves
		stat(v2.ID, "item-a", 1, 10, 1, at(8), at(12)),      // both move
		stat(v2.ID, "item-a", 1, 1, 2, at(11), at(11)),      // inside: neither moves
		stat(v1.ID, "item-c", 3, 700, 1, at(50), at(50)),    // new row
		stat(v1.ID, "item-a", 10, 0, 0, at(5), at(5)),       // nothing to add
		stat(elsewhere.ID, "item-a", 1, 1, 1, at(0), at(3)), // another share
	}), "AddPageStats onto stored rows")
	want = []share.PageStat{
		stat(v1.ID, "item-a", 2, 4100, 2, at(3), at(6)),
		stat(v1.ID, "item-a", 10, 3000, 1, at(5), at(5)),
		stat(v1.ID, "item-b", 1, 2500, 3, at(20), at(40)),
		stat(v1.ID, "item-c", 3, 700, 1, at(50), at(50)),
		stat(v2.ID, "item-a", 1, 1011, 4, at(8), at(12)),
	}
	got = e.listPageStats(tr.share.ID)
	checkIDs(e.t, "ListPageStats after AddPageStats added onto stored rows", ids(got, statKey), ids(want, statKey))
	for i := range want {
		checkSame(e.t, "AddPageStats sums ActiveMS and Beacons, keeps the earlier FirstAt and the later LastAt", got[i], want[i])
	}
	got = e.listPageStats(other.share.ID)
	if len(got) != 1 {
		e.t.Fatalf("ListPageStats of the other share returned %d stats, want 1", len(got))
	}
	checkSame(e.t, "ListPageStats of the other share", got[0], stat(elsewhere.ID, "item-a", 1, 9001, 10, at(0), at(3)))
	if got := e.listPageStats(newID()); len(got) != 0 {
		e.t.Fatalf("ListPageStats of a share that does not exist returned %d stats, want none", len(got))
	}
	noErr(e.t, e.s.AddPageStats(e.ctx, nil), "AddPageStats of no stats")
}

func testPageStatsUnknownView(e *env) {
	tr := e.tracked()
	v := e.createView(e.view(tr.link))
	at := e.now()
	err := e.s.AddPageStats(e.ctx, []share.PageStat{
		{ViewID: v.ID, ItemID: "item-a", Page: 1, ActiveMS: 1000, Beacons: 1, FirstAt: at, LastAt: at},
		{ViewID: newID(), ItemID: "item-a", Page: 1, ActiveMS: 1000, Beacons: 1, FirstAt: at, LastAt: at},
	})
	wantErr(e.t, err, share.ErrNotFound, "AddPageStats with a stat of a view that does not exist")
	if got := e.listPageStats(tr.share.ID); len(got) != 0 {
		e.t.Fatalf("AddPageStats refused for an unknown view stored %d stats; it must store nothing", len(got))
	}
}

// testPageEventConcurrentDuplicates sends overlapping batches of one view
// from several goroutines: every seq is stored once and reported stored
// exactly once.
func testPageEventConcurrentDuplicates(e *env) {
	tr := e.tracked()
	v := e.createView(e.view(tr.link))
	const workers, seqCount = 6, 40
	var mu sync.Mutex
	reported := map[int64]int{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for start := int64(w % 3); start < seqCount; start += 5 {
				var batch []share.PageEvent
				for seq := start; seq < min(start+8, seqCount); seq++ {
					batch = append(batch, e.pageEvent(v.ID, seq+1, "item-a", 1))
				}
				stored, err := e.s.AddPageEvents(e.ctx, batch)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				for i, ok := range stored {
					if ok {
						reported[batch[i].Seq]++
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		noErr(e.t, err, "AddPageEvents from concurrent goroutines")
	}
	got := e.listPageEvents(v.ID)
	want := make([]int64, seqCount)
	for i := range want {
		want[i] = int64(i + 1)
	}
	checkIDs(e.t, "ListPageEvents after concurrent overlapping AddPageEvents (each seq once)", seqs(got), seqsOf(v.ID, want...))
	for _, seq := range want {
		if reported[seq] != 1 {
			e.t.Fatalf("seq %d was reported stored %d times by concurrent AddPageEvents calls, want exactly once", seq, reported[seq])
		}
	}
}

func (e *env) shareEvent(typ share.EventType, tr tracked, viewID string) share.Event {
	return share.Event{Type: typ, ShareID: tr.share.ID, LinkID: tr.link.ID, ViewID: viewID,
		ItemID: tr.share.Sections[0].Items[0].ItemID, Recipient: "buyer@acme.example", SuspectedBot: true, At: e.now()}
}

func testShareEventRoundTrip(e *env) {
	a := e.tracked()
	b := e.tracked()
	va := e.createView(e.view(a.link))
	ev := e.shareEvent(share.EventDownloaded, a, va.ID)
	ev.Seq = 1 << 40 // ignored: the store assigns Seq
	checkPopulated(e.t, ev)
	bare := share.Event{Type: share.EventOpened, ShareID: a.share.ID, LinkID: a.link.ID, At: e.now()}
	var want []share.Event
	for i, x := range []share.Event{ev, e.shareEvent(share.EventOpened, b, ""), bare, e.shareEvent(share.EventClicked, b, ""), e.shareEvent(share.EventClicked, a, va.ID)} {
		noErr(e.t, e.s.AddEvent(e.ctx, x), fmt.Sprint("AddEvent ", i))
		if x.ShareID == a.share.ID {
			want = append(want, x)
		}
	}
	got, err := e.s.ListEvents(e.ctx, a.share.ID)
	noErr(e.t, err, "ListEvents")
	if len(got) != len(want) {
		e.t.Fatalf("ListEvents returned %d events, want the share's %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Seq <= 0 || (i > 0 && got[i].Seq <= got[i-1].Seq) {
			e.t.Fatalf("ListEvents: event %d has Seq %d after %d; the store assigns positive, strictly increasing Seqs and lists in Seq order", i, got[i].Seq, got[max(i-1, 0)].Seq)
		}
		if got[i].Seq == ev.Seq {
			e.t.Fatalf("AddEvent kept the caller's Seq %d; the store assigns Seq", ev.Seq)
		}
		checkSame(e.t, fmt.Sprint("ListEvents event ", i, " (in append order)"), got[i], want[i], "Seq")
	}
	gotB, err := e.s.ListEvents(e.ctx, b.share.ID)
	noErr(e.t, err, "ListEvents")
	if len(gotB) != 2 || gotB[0].Type != share.EventOpened || gotB[1].Type != share.EventClicked {
		e.t.Fatalf("ListEvents of the second share returned %+v, want its opened and clicked events in order", gotB)
	}
	if order := []int64{got[0].Seq, gotB[0].Seq, got[1].Seq, gotB[1].Seq, got[2].Seq}; !slices.IsSorted(order) {
		e.t.Fatalf("Seqs of events appended to two shares in turn are %v, want them increasing in append order across shares", order)
	}
	none, err := e.s.ListEvents(e.ctx, newID())
	noErr(e.t, err, "ListEvents of a share that does not exist (an empty list, not an error)")
	if len(none) != 0 {
		e.t.Fatalf("ListEvents of a share that does not exist returned %d events", len(none))
	}
}

func testShareEventNotFound(e *env) {
	tr := e.tracked()
	orphan := e.shareEvent(share.EventOpened, tr, "")
	orphan.ShareID = newID()
	wantErr(e.t, e.s.AddEvent(e.ctx, orphan), share.ErrNotFound, "AddEvent whose share does not exist")
	got, err := e.s.ListEvents(e.ctx, orphan.ShareID)
	noErr(e.t, err, "ListEvents")
	if len(got) != 0 {
		e.t.Fatalf("AddEvent refused for a missing share stored %d events", len(got))
	}
}

func (e *env) secret(name string, value []byte) []byte {
	e.t.Helper()
	got, err := e.s.Secret(e.ctx, name, value)
	noErr(e.t, err, "Secret "+name)
	return got
}

func testSecretFirstWriterWins(e *env) {
	first, second := []byte("first \x00\xff key"), []byte("second key")
	if got := e.secret("share.signing_key", first); !bytes.Equal(got, first) {
		e.t.Fatalf("Secret of a new name returned %q, want the value it was given, %q", got, first)
	}
	if got := e.secret("share.signing_key", second); !bytes.Equal(got, first) {
		e.t.Fatalf("Secret of a name already set returned %q, want the first value %q (the first writer wins)", got, first)
	}
	if got := e.secret("other", second); !bytes.Equal(got, second) {
		e.t.Fatalf("Secret of another name returned %q, want %q", got, second)
	}
	if got := e.secret("share.signing_key", nil); !bytes.Equal(got, first) {
		e.t.Fatalf("Secret with a nil value of a name already set returned %q, want %q", got, first)
	}
}

func testSecretCopies(e *env) {
	in := []byte("signing key")
	got := e.secret("k", in)
	in[0] = 'X'
	got[1] = 'Y'
	if again := e.secret("k", []byte("other")); string(again) != "signing key" {
		e.t.Fatalf("Secret after the caller modified the value it passed and the one it got back returned %q, want %q (stores must copy)", again, "signing key")
	}
}

func testSecretConcurrent(e *env) {
	const n = 8
	got := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = e.s.Secret(e.ctx, "race", []byte(fmt.Sprint("value ", i)))
		}()
	}
	wg.Wait()
	for i := range n {
		noErr(e.t, errs[i], "Secret from concurrent goroutines")
		if !bytes.Equal(got[i], got[0]) {
			e.t.Fatalf("concurrent Secret calls disagree: %q and %q (every caller must get the one value stored)", got[0], got[i])
		}
	}
	if again := e.secret("race", []byte("late")); !bytes.Equal(again, got[0]) {
		e.t.Fatalf("Secret after the race returned %q, want %q", again, got[0])
	}
}

// shareWorld is a set of writes across the share store, made through one
// store (usually a transaction), and the means to check whether they
// happened.
type shareWorld struct {
	existing tracked    // stored before; changed by the writes
	view     share.View // stored before; updated and beaconed by the writes
	share    share.Share
	link     share.Link
	newView  share.View
	code     share.GateCode
	oldCode  share.GateCode // stored before; deleted by the writes
	secret   string
}

func (e *env) newShareWorld() *shareWorld {
	e.t.Helper()
	w := &shareWorld{existing: e.tracked()}
	w.view = e.createView(e.silentView(w.existing.link))
	w.oldCode = e.gateCode(w.existing.link.ID, "old@acme.example")
	noErr(e.t, e.s.PutGateCode(e.ctx, w.oldCode), "PutGateCode")
	w.share = e.share("zed")
	w.link = e.liveLink(w.share.ID)
	w.newView = e.silentView(w.link)
	w.code = e.gateCode(w.link.ID, "new@acme.example")
	w.secret = "secret-" + newID()
	return w
}

func (e *env) writeShareWorld(tx store.Store, w *shareWorld) error {
	steps := []struct {
		name string
		do   func() error
	}{
		{"CreateShare", func() error { return tx.CreateShare(e.ctx, w.share) }},
		{"CreateLink", func() error { return tx.CreateLink(e.ctx, w.link) }},
		{"PutGateCode", func() error { return tx.PutGateCode(e.ctx, w.code) }},
		{"DeleteGateCode", func() error { return tx.DeleteGateCode(e.ctx, w.oldCode.LinkID, w.oldCode.Email) }},
		{"CreateView", func() error { return tx.CreateView(e.ctx, w.newView) }},
		{"AddPageEvents", func() error {
			_, err := tx.AddPageEvents(e.ctx, []share.PageEvent{e.pageEvent(w.view.ID, 1, "item-a", 1), e.pageEvent(w.newView.ID, 1, "item-a", 1)})
			return err
		}},
		{"AddPageStats", func() error {
			at := e.now()
			return tx.AddPageStats(e.ctx, []share.PageStat{{ViewID: w.view.ID, ItemID: "item-a", Page: 1, ActiveMS: 10, Beacons: 1, FirstAt: at, LastAt: at}})
		}},
		{"AddEvent", func() error { return tx.AddEvent(e.ctx, e.shareEvent(share.EventOpened, w.existing, w.view.ID)) }},
		{"UpdateView", func() error {
			v := w.view
			v.Beacons = 1
			return tx.UpdateView(e.ctx, v)
		}},
		{"UpdateLink", func() error {
			l := w.existing.link
			l.FailedAttempts = 4
			return tx.UpdateLink(e.ctx, l)
		}},
		{"UpdateShare", func() error {
			s := w.existing.share.Clone()
			s.Title = "Updated in tx"
			return tx.UpdateShare(e.ctx, s)
		}},
		{"Secret", func() error {
			_, err := tx.Secret(e.ctx, w.secret, []byte("from tx"))
			return err
		}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			return fmt.Errorf("%s in Atomic: %w", s.name, err)
		}
	}
	return nil
}

// checkShareWorld checks that either every write of the world is visible
// through r (present) or none is.
func (e *env) checkShareWorld(r store.Store, w *shareWorld, present bool, when string) {
	e.t.Helper()
	var seen, missing []string
	note := func(name string, ok bool) {
		if ok {
			seen = append(seen, name)
		} else {
			missing = append(missing, name)
		}
	}
	_, err := r.GetShare(e.ctx, w.share.ID)
	note("CreateShare", err == nil)
	_, err = r.GetLink(e.ctx, w.link.ID)
	note("CreateLink", err == nil)
	_, err = r.GetGateCode(e.ctx, w.code.LinkID, w.code.Email)
	note("PutGateCode", err == nil)
	_, err = r.GetGateCode(e.ctx, w.oldCode.LinkID, w.oldCode.Email)
	note("DeleteGateCode", errors.Is(err, share.ErrNotFound))
	_, err = r.GetView(e.ctx, w.newView.ID)
	note("CreateView", err == nil)
	evs, err := r.ListPageEvents(e.ctx, w.view.ID)
	noErr(e.t, err, "ListPageEvents")
	note("AddPageEvents", len(evs) == 1)
	stats, err := r.ListPageStats(e.ctx, w.existing.share.ID)
	noErr(e.t, err, "ListPageStats")
	note("AddPageStats", len(stats) == 1)
	events, err := r.ListEvents(e.ctx, w.existing.share.ID)
	noErr(e.t, err, "ListEvents")
	note("AddEvent", len(events) == 1)
	v, err := r.GetView(e.ctx, w.view.ID)
	noErr(e.t, err, "GetView of a view created before the transaction")
	note("UpdateView", v.Beacons == 1)
	l, err := r.GetLink(e.ctx, w.existing.link.ID)
	noErr(e.t, err, "GetLink of a link created before the transaction")
	note("UpdateLink", l.FailedAttempts == 4)
	s, err := r.GetShare(e.ctx, w.existing.share.ID)
	noErr(e.t, err, "GetShare of a share created before the transaction")
	note("UpdateShare", s.Title == "Updated in tx")
	if present {
		sec, err := r.Secret(e.ctx, w.secret, []byte("probe"))
		noErr(e.t, err, "Secret")
		note("Secret", string(sec) == "from tx")
	}
	switch {
	case present && len(missing) > 0:
		e.t.Fatalf("%s: these writes are missing: %v (seen: %v)", when, missing, seen)
	case !present && len(seen) > 0:
		e.t.Fatalf("%s: these writes are visible but must not be: %v (a transaction is all or nothing)", when, seen)
	}
}

func testShareAtomicCommit(e *env) {
	w := e.newShareWorld()
	err := e.s.Atomic(e.ctx, func(tx store.Store) error {
		if err := e.writeShareWorld(tx, w); err != nil {
			return err
		}
		e.checkShareWorld(tx, w, true, "reads through tx inside Atomic")
		return nil
	})
	noErr(e.t, err, "Atomic")
	e.checkShareWorld(e.s, w, true, "after Atomic committed (fn returned nil)")
}

func testShareAtomicRollback(e *env) {
	w := e.newShareWorld()
	errBoom := errors.New("boom")
	err := e.s.Atomic(e.ctx, func(tx store.Store) error {
		if err := e.writeShareWorld(tx, w); err != nil {
			return err
		}
		return errBoom
	})
	wantErr(e.t, err, errBoom, "Atomic must return fn's error")
	e.checkShareWorld(e.s, w, false, "after Atomic rolled back (fn returned an error)")
	if got := e.secret(w.secret, []byte("after rollback")); string(got) != "after rollback" {
		e.t.Fatalf("Secret after a rolled-back transaction stored it returned %q, want the new value (the rolled-back one must be gone)", got)
	}
	w.secret = "secret-" + newID()
	err = e.s.Atomic(e.ctx, func(tx store.Store) error { return e.writeShareWorld(tx, w) })
	noErr(e.t, err, "Atomic repeating the writes of a rolled-back transaction")
	e.checkShareWorld(e.s, w, true, "after repeating the rolled-back writes")
}

func testShareAtomicRefusedWrite(e *env) {
	tr := e.tracked()
	v := e.createView(e.view(tr.link))
	err := e.s.Atomic(e.ctx, func(tx store.Store) error {
		_, err := tx.AddPageEvents(e.ctx, []share.PageEvent{e.pageEvent(v.ID, 1, "item-a", 1), e.pageEvent(newID(), 1, "item-a", 1)})
		if !errors.Is(err, share.ErrNotFound) {
			return fmt.Errorf("AddPageEvents with an unknown view inside Atomic: got %v, want share.ErrNotFound", err)
		}
		if err := tx.CreateLink(e.ctx, tr.link); !errors.Is(err, share.ErrConflict) {
			return fmt.Errorf("CreateLink with an existing ID inside Atomic: got %v, want share.ErrConflict", err)
		}
		stored, err := tx.AddPageEvents(e.ctx, []share.PageEvent{e.pageEvent(v.ID, 1, "item-a", 1)})
		if err != nil {
			return err
		}
		if !stored[0] {
			return errors.New("AddPageEvents inside Atomic reported an event of a refused batch as a duplicate: the refused batch stored it")
		}
		return nil
	})
	noErr(e.t, err, "Atomic continuing after refused share writes")
	checkIDs(e.t, "ListPageEvents after a transaction that went on after a refused AddPageEvents", seqs(e.listPageEvents(v.ID)), seqsOf(v.ID, 1))
}

// testShareAtomicViewReadModifyWrite checks GetView's promise: two
// transactions that read a view and write it back are serialized, so no
// beacon count is lost.
func testShareAtomicViewReadModifyWrite(e *env) {
	tr := e.tracked()
	v := e.createView(e.silentView(tr.link))
	const workers, rounds = 4, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				err := e.s.Atomic(e.ctx, func(tx store.Store) error {
					cur, err := tx.GetView(e.ctx, v.ID)
					if err != nil {
						return err
					}
					cur.Beacons++
					cur.ActiveMS += 10
					if _, err := tx.AddPageEvents(e.ctx, []share.PageEvent{e.pageEvent(v.ID, int64(w*rounds+r+1), "item-a", 1)}); err != nil {
						return err
					}
					return tx.UpdateView(e.ctx, cur)
				})
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		noErr(e.t, err, "Atomic read-modify-write of a view")
	}
	got := e.getView(v.ID)
	if got.Beacons != workers*rounds || got.ActiveMS != workers*rounds*10 {
		e.t.Fatalf("after %d concurrent transactions each adding one beacon to a view read with GetView, Beacons is %d and ActiveMS %d, want %d and %d (lost updates: GetView inside Atomic must hold the view until commit)",
			workers*rounds, got.Beacons, got.ActiveMS, workers*rounds, workers*rounds*10)
	}
	if n := len(e.listPageEvents(v.ID)); n != workers*rounds {
		e.t.Fatalf("ListPageEvents after the concurrent transactions returned %d events, want %d", n, workers*rounds)
	}
}

// testShareAtomicNotContent checks that share writes, which are not
// content the search index follows, record nothing in the change feed.
func testShareAtomicNotContent(e *env) {
	w := e.newShareWorld()
	before := e.lastSeq()
	err := e.s.Atomic(e.ctx, func(tx store.Store) error { return e.writeShareWorld(tx, w) })
	noErr(e.t, err, "Atomic")
	if seq := e.lastSeq(); seq != before {
		changes, _ := e.s.Changes(e.ctx, before, 0)
		e.t.Fatalf("share writes recorded changes in the change feed (LastChangeSeq %d → %d): %+v; shares, links, views and engagement are not content", before, seq, changes)
	}
}
