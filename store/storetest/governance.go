package storetest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/briefcasehq/briefcase/governance"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/store"
)

var sweepTests = []subtest{
	{"ItemFields", testSweepItemFields},
	{"HideHidden", testSweepHideHidden},
	{"DueItems", testSweepDueItems},
	{"DueItemsDefaultLimit", testSweepDueItemsDefaultLimit},
	{"SetSweepAt", testSweepSetSweepAt},
	{"ResetSweep", testSweepResetSweep},
}

var noticeTests = []subtest{
	{"RoundTrip", testNoticesRoundTrip},
	{"Dedup", testNoticesDedup},
	{"Pending", testNoticesPending},
	{"MarkSent", testNoticesMarkSent},
	{"MarkFailed", testNoticesMarkFailed},
	{"List", testNoticesList},
	{"ListBefore", testNoticesListBefore},
	{"DefaultLimit", testNoticesDefaultLimit},
	{"Claim", testNoticesClaim},
	{"ClaimLimits", testNoticesClaimLimits},
	{"ClaimSent", testNoticesClaimSent},
	{"ClaimAtomic", testNoticesClaimAtomic},
	{"ClaimConcurrent", testNoticesClaimConcurrent},
}

var governanceAtomicTests = []subtest{
	{"Rollback", func(e *env) { testGovernanceAtomic(e, false) }},
	{"Commit", func(e *env) { testGovernanceAtomic(e, true) }},
}

// notice returns a notice for recipient, unsent, with every other field
// set (not stored).
func (e *env) notice(recipient string) governance.Notice {
	created := e.now()
	item := newID()
	return governance.Notice{
		ID: newID(), Key: "expiring/" + item + "/30/" + recipient, Recipient: recipient, Digest: "admin",
		Kind: governance.NoticeExpiring, ItemID: item, SpotID: newID(), SubjectID: "carol", Title: "Pricing deck",
		Window: 30, Due: created.Add(30 * 24 * time.Hour), Detail: "Grüße: needs a new date", CreatedAt: created,
	}
}

func noticeID(n governance.Notice) string { return n.ID }

// addNotices runs AddNotices and fails the test on error.
func (e *env) addNotices(ns ...governance.Notice) []governance.Notice {
	e.t.Helper()
	out, err := e.s.AddNotices(e.ctx, ns)
	noErr(e.t, err, "AddNotices")
	return out
}

// listNotices runs ListNotices and fails the test on error.
func (e *env) listNotices(f governance.NoticeFilter) []governance.Notice {
	e.t.Helper()
	out, err := e.s.ListNotices(e.ctx, f)
	noErr(e.t, err, "ListNotices")
	return out
}

// storedNotice returns the stored notice with this ID, found through
// ListNotices by its recipient.
func (e *env) storedNotice(n governance.Notice) governance.Notice {
	e.t.Helper()
	for _, got := range e.listNotices(governance.NoticeFilter{Recipient: n.Recipient}) {
		if got.ID == n.ID {
			return got
		}
	}
	e.t.Fatalf("ListNotices(Recipient %q) does not return notice %s", n.Recipient, n.ID)
	return governance.Notice{}
}

func (e *env) pending(now time.Time, maxAttempts, limit int) []governance.Notice {
	e.t.Helper()
	out, err := e.s.PendingNotices(e.ctx, now, maxAttempts, limit)
	noErr(e.t, err, fmt.Sprintf("PendingNotices(maxAttempts %d, limit %d)", maxAttempts, limit))
	return out
}

func (e *env) claim(now, until time.Time, maxAttempts, limit int) []governance.Notice {
	e.t.Helper()
	out, err := e.s.ClaimNotices(e.ctx, now, until, maxAttempts, limit)
	noErr(e.t, err, fmt.Sprintf("ClaimNotices(maxAttempts %d, limit %d)", maxAttempts, limit))
	return out
}

// leased returns ns with NextAttemptAt set to until, as a claim leaves
// them.
func leased(ns []governance.Notice, until time.Time) []governance.Notice {
	out := slices.Clone(ns)
	for i := range out {
		out[i].NextAttemptAt = until
	}
	return out
}

// checkNotices fails unless every notice in want is stored as it is there.
func (e *env) checkNotices(what string, want ...governance.Notice) {
	e.t.Helper()
	for _, n := range want {
		checkSame(e.t, what, e.storedNotice(n), n)
	}
}

func (e *env) dueItems(now time.Time, limit int) []items.Item {
	e.t.Helper()
	out, err := e.s.DueItems(e.ctx, now, limit)
	noErr(e.t, err, fmt.Sprintf("DueItems(limit %d)", limit))
	for i := 1; i < len(out); i++ {
		if out[i].SweepAt.Before(out[i-1].SweepAt) {
			e.t.Fatalf("DueItems(limit %d): %s (SweepAt %s) after %s (SweepAt %s): want SweepAt order",
				limit, out[i].ID, out[i].SweepAt, out[i-1].ID, out[i-1].SweepAt)
		}
	}
	// Ties are in an order of the store's choosing: compare them by ID.
	slices.SortStableFunc(out, func(a, b items.Item) int {
		return cmp.Or(a.SweepAt.Compare(b.SweepAt), strings.Compare(a.ID, b.ID))
	})
	return out
}

// checkNoChanges fails when the change feed moved past seq.
func (e *env) checkNoChanges(seq int64, what string) {
	e.t.Helper()
	if got := e.lastSeq(); got != seq {
		e.t.Fatalf("%s recorded changes (LastChangeSeq %d, was %d): %v; the sweep schedule and notices are not content and must not be recorded in the change feed",
			what, got, seq, e.allChanges(seq))
	}
}

func testSweepItemFields(e *env) {
	s := e.createSpot("Home")
	other := e.createSpot("Other")
	full := e.createItem(s.ID, "Full", func(it *items.Item) {
		it.SweepAt = e.now().Add(-time.Hour) // due, so DueItems returns it too
	})
	if !full.Hidden || full.SubmittedAt.IsZero() || full.SweepAt.IsZero() {
		e.t.Fatal("storetest fixture bug: the item fixture must set Hidden, SubmittedAt and SweepAt")
	}
	bare := e.createItem(s.ID, "Bare", func(it *items.Item) {
		it.Hidden, it.SubmittedAt, it.SweepAt = false, time.Time{}, time.Time{}
	})
	noErr(e.t, e.s.PutPlacement(e.ctx, full.ID, other.ID, e.now()), "PutPlacement")
	full.Placements = []string{other.ID}

	checkSame(e.t, "GetItem: Hidden, SubmittedAt and SweepAt as stored by CreateItem", e.getItem(full.ID), full)
	checkSame(e.t, "GetItem of an item with Hidden false and zero SubmittedAt and SweepAt", e.getItem(bare.ID), bare)
	list, err := e.s.ListItems(e.ctx, items.ItemFilter{AllSpots: true})
	noErr(e.t, err, "ListItems")
	checkIDs(e.t, "ListItems(AllSpots)", ids(list, itemID), []string{bare.ID, full.ID})
	checkSame(e.t, "ListItems returns Hidden, SubmittedAt and SweepAt", list[1], full)
	checkSame(e.t, "ListItems returns Hidden false and zero SubmittedAt and SweepAt", list[0], bare)
	due := e.dueItems(e.now(), 0)
	checkIDs(e.t, "DueItems (the bare item, SweepAt zero, then the full one, SweepAt an hour ago)", ids(due, itemID), []string{bare.ID, full.ID})
	checkSame(e.t, "DueItems returns the stored item (Placements and ListIDs aside)", due[1], full, "Placements", "ListIDs")
	checkSame(e.t, "DueItems of an item with zero SubmittedAt and SweepAt", due[0], bare, "Placements", "ListIDs")

	// UpdateItem replaces the three fields, like any other: the items
	// service clears SweepAt on every write.
	upd := full
	upd.Hidden, upd.SubmittedAt, upd.SweepAt = false, time.Time{}, time.Time{}
	noErr(e.t, e.s.UpdateItem(e.ctx, upd), "UpdateItem clearing Hidden, SubmittedAt and SweepAt")
	checkSame(e.t, "GetItem after UpdateItem cleared Hidden, SubmittedAt and SweepAt", e.getItem(full.ID), upd)
	upd.Hidden, upd.SubmittedAt, upd.SweepAt = true, e.now(), time.Date(2199, 1, 2, 3, 4, 5, 6000, zone)
	noErr(e.t, e.s.UpdateItem(e.ctx, upd), "UpdateItem setting Hidden, SubmittedAt and SweepAt")
	checkSame(e.t, "GetItem after UpdateItem set Hidden, SubmittedAt and a SweepAt in 2199", e.getItem(full.ID), upd)
	checkIDs(e.t, "DueItems after UpdateItem moved SweepAt to 2199", ids(e.dueItems(e.now(), 0), itemID), []string{bare.ID})
}

func testSweepHideHidden(e *env) {
	a, b := e.createSpot("A"), e.createSpot("B")
	hidden := func(h bool, st items.Status) func(*items.Item) {
		return func(it *items.Item) { it.Hidden, it.Status = h, st }
	}
	a1 := e.createItem(a.ID, "a1", hidden(false, items.StatusPublished))
	a2 := e.createItem(a.ID, "a2", hidden(true, items.StatusExpired))
	ad := e.createItem(a.ID, "ad", hidden(false, items.StatusDraft))
	b1 := e.createItem(b.ID, "b1", hidden(true, items.StatusExpired))
	p := e.createItem(b.ID, "p", hidden(true, items.StatusExpired))
	noErr(e.t, e.s.PutPlacement(e.ctx, p.ID, a.ID, e.now()), "PutPlacement")

	layout := fmt.Sprintf(`fixture (newest first):
	p  %s home B, hidden,  expired,   placed in A
	b1 %s home B, hidden,  expired
	ad %s home A, visible, draft
	a2 %s home A, hidden,  expired
	a1 %s home A, visible, published`, p.ID, b1.ID, ad.ID, a2.ID, a1.ID)
	S := func(ids ...string) []string { return ids }
	shown := []items.Status{items.StatusPublished, items.StatusExpiring, items.StatusExpired}
	cases := []struct {
		name string
		f    items.ItemFilter
		want []string
	}{
		{"HideHidden false keeps hidden items", items.ItemFilter{SpotIDs: S(a.ID, b.ID)}, S(p.ID, b1.ID, ad.ID, a2.ID, a1.ID)},
		{"HideHidden drops hidden items", items.ItemFilter{SpotIDs: S(a.ID, b.ID), HideHidden: true}, S(ad.ID, a1.ID)},
		{"HideHidden with AllSpots", items.ItemFilter{AllSpots: true, HideHidden: true}, S(ad.ID, a1.ID)},
		{"HideHidden, AnyStatusHomeIDs B: hidden items homed in B stay, without Statuses too",
			items.ItemFilter{SpotIDs: S(a.ID, b.ID), HideHidden: true, AnyStatusHomeIDs: S(b.ID)}, S(p.ID, b1.ID, ad.ID, a1.ID)},
		{"SpotIDs A, HideHidden, AnyStatusHomeIDs A: p is only placed in A; AnyStatusHomeIDs looks at the home spot",
			items.ItemFilter{SpotIDs: S(a.ID), HideHidden: true, AnyStatusHomeIDs: S(a.ID)}, S(ad.ID, a2.ID, a1.ID)},
		{"SpotIDs A, HideHidden, AnyStatusHomeIDs B: p is placed in A and homed in B; AnyStatusHomeIDs does not widen SpotIDs (b1)",
			items.ItemFilter{SpotIDs: S(a.ID), HideHidden: true, AnyStatusHomeIDs: S(b.ID)}, S(p.ID, ad.ID, a1.ID)},
		{"viewer statuses and HideHidden: a viewer's filter",
			items.ItemFilter{SpotIDs: S(a.ID, b.ID), Statuses: shown, HideHidden: true}, S(a1.ID)},
		{"viewer statuses, HideHidden, AnyStatusHomeIDs A: an editor of A sees A's drafts and hidden items",
			items.ItemFilter{SpotIDs: S(a.ID, b.ID), Statuses: shown, HideHidden: true, AnyStatusHomeIDs: S(a.ID)}, S(ad.ID, a2.ID, a1.ID)},
		{"HideHidden with Limit 1: the limit applies after the filter",
			items.ItemFilter{SpotIDs: S(a.ID, b.ID), Statuses: shown, HideHidden: true, Limit: 1}, S(a1.ID)},
	}
	for _, c := range cases {
		got := e.listItems(c.f)
		if !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
			e.t.Fatalf("ListItems(%s):\n\tgot  %v\n\twant %v%s\n%s", c.name, got, c.want, idHint(got, c.want), layout)
		}
	}
	f := items.ItemFilter{SpotIDs: S(a.ID, b.ID), HideHidden: true, Limit: 1}
	checkIDs(e.t, "walking ListItems(HideHidden, Limit 1) page by page", e.walkItems(f), S(ad.ID, a1.ID))
}

func testSweepDueItems(e *env) {
	home, other := e.createSpot("Home"), e.createSpot("Other")
	now := e.now()
	at := func(t time.Time, mods ...func(*items.Item)) func(*items.Item) {
		return func(it *items.Item) {
			it.SweepAt = t
			for _, m := range mods {
				m(it)
			}
		}
	}
	zero1 := e.createItem(home.ID, "zero 1", at(time.Time{}))
	future := e.createItem(home.ID, "future", at(now.Add(time.Microsecond)))
	exact := e.createItem(other.ID, "exactly now", at(now))
	hour := e.createItem(home.ID, "an hour ago", at(now.Add(-time.Hour), func(it *items.Item) {
		it.Status, it.Hidden = items.StatusDraft, true // DueItems does not filter on status or Hidden
	}))
	tieA := e.createItem(other.ID, "two hours ago A", at(now.Add(-2*time.Hour)))
	tieB := e.createItem(home.ID, "two hours ago B", at(now.Add(-2*time.Hour).In(time.UTC)))
	far := e.createItem(home.ID, "2199", at(time.Date(2199, 1, 1, 0, 0, 0, 0, zone)))
	zero2 := e.createItem(other.ID, "zero 2", at(time.Time{}))
	old := e.createItem(home.ID, "1999", at(time.Date(1999, 12, 31, 23, 59, 59, 999999000, zone)))
	_, _ = future, far

	// Placements and list memberships do not matter and need not be filled.
	noErr(e.t, e.s.PutPlacement(e.ctx, hour.ID, other.ID, e.now()), "PutPlacement")
	g := e.listGroup("Industry")
	noErr(e.t, e.s.CreateListGroup(e.ctx, g), "CreateListGroup")
	l := e.list(g.ID, "Finance")
	noErr(e.t, e.s.CreateList(e.ctx, l), "CreateList")
	noErr(e.t, e.s.PutListItem(e.ctx, l.ID, tieA.ID), "PutListItem")

	byID := func(its ...items.Item) []items.Item {
		return slices.SortedFunc(slices.Values(its), func(a, b items.Item) int { return strings.Compare(a.ID, b.ID) })
	}
	var want []items.Item
	want = append(want, byID(zero1, zero2)...)
	want = append(want, old)
	want = append(want, byID(tieA, tieB)...)
	want = append(want, hour, exact)
	wantIDs := ids(want, itemID)
	layout := fmt.Sprintf(`SweepAt zero: %s %s; 1999: %s; now-2h: %s %s; now-1h: %s; now: %s; now+1µs: %s; 2199: %s`,
		zero1.ID, zero2.ID, old.ID, tieA.ID, tieB.ID, hour.ID, exact.ID, future.ID, far.ID)

	got := e.dueItems(now, 0)
	checkIDs(e.t, "DueItems(now): SweepAt zero or not after now, by SweepAt (ties compared by ID) ("+layout+")", ids(got, itemID), wantIDs)
	for i := range got {
		checkSame(e.t, "DueItems returns full items", got[i], want[i], "Placements", "ListIDs")
	}
	checkIDs(e.t, "DueItems(now in UTC): now is compared as an instant", ids(e.dueItems(now.In(time.UTC), 0), itemID), wantIDs)
	checkIDs(e.t, "DueItems(now, limit 3)", ids(e.dueItems(now, 3), itemID), wantIDs[:3])
	checkIDs(e.t, "DueItems(now - 1µs): the item due exactly at now is not due yet", ids(e.dueItems(now.Add(-time.Microsecond), 0), itemID), wantIDs[:len(wantIDs)-1])
	checkIDs(e.t, "DueItems(now + 1µs)", ids(e.dueItems(now.Add(time.Microsecond), 0), itemID),
		append(slices.Clone(wantIDs), future.ID))
	checkIDs(e.t, "DueItems(2000-01-01): SweepAt zero and 1999 only",
		ids(e.dueItems(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), 0), itemID), wantIDs[:3])

	noErr(e.t, e.s.DeleteItem(e.ctx, zero1.ID), "DeleteItem")
	checkIDs(e.t, "DueItems after DeleteItem", ids(e.dueItems(now, 0), itemID),
		slices.DeleteFunc(slices.Clone(wantIDs), func(id string) bool { return id == zero1.ID }))
}

func testSweepDueItemsDefaultLimit(e *env) {
	s := e.createSpot("Home")
	var all []string
	err := e.s.Atomic(e.ctx, func(tx store.Store) error {
		for i := range 1001 {
			it := e.item(s.ID, fmt.Sprint("item ", i))
			it.SweepAt = time.Time{}
			if err := tx.CreateItem(e.ctx, it); err != nil {
				return err
			}
			all = append(all, it.ID)
		}
		return nil
	})
	noErr(e.t, err, "CreateItem ×1001 in Atomic")
	slices.Sort(all)
	got := e.dueItems(e.now(), 0)
	if len(got) != 1000 {
		e.t.Fatalf("DueItems(limit 0) of 1001 due items returned %d, want 1000 (zero means 1000)", len(got))
	}
	checkIDs(e.t, "DueItems(limit 0): the 1000 lowest IDs (all SweepAt zero)", ids(got, itemID), all[:1000])
	if got := e.dueItems(e.now(), 1001); len(got) != 1001 {
		e.t.Fatalf("DueItems(limit 1001) returned %d items, want 1001", len(got))
	}
}

func testSweepSetSweepAt(e *env) {
	s := e.createSpot("Home")
	a, b, c := e.createItem(s.ID, "a"), e.createItem(s.ID, "b"), e.createItem(s.ID, "c")
	seq := e.lastSeq()

	// Before the fixture's SweepAt (a week after creation), so c is not due.
	at := e.now().Add(time.Hour)
	noErr(e.t, e.s.SetSweepAt(e.ctx, map[string]time.Time{a.ID: at, b.ID: {}, newID(): at}), "SetSweepAt with an unknown ID")
	wantA, wantB := a, b
	wantA.SweepAt, wantB.SweepAt = at, time.Time{}
	checkSame(e.t, "GetItem after SetSweepAt: SweepAt changes, nothing else does (UpdatedAt neither)", e.getItem(a.ID), wantA)
	checkSame(e.t, "GetItem after SetSweepAt to the zero time", e.getItem(b.ID), wantB)
	checkSame(e.t, "GetItem of an item SetSweepAt did not name", e.getItem(c.ID), c)
	e.checkNoChanges(seq, "SetSweepAt")
	checkIDs(e.t, "DueItems just before the SweepAt that SetSweepAt set", ids(e.dueItems(at.Add(-time.Microsecond), 0), itemID), []string{b.ID})
	checkIDs(e.t, "DueItems at the SweepAt that SetSweepAt set", ids(e.dueItems(at, 0), itemID), []string{b.ID, a.ID})

	noErr(e.t, e.s.SetSweepAt(e.ctx, nil), "SetSweepAt(nil)")
	noErr(e.t, e.s.SetSweepAt(e.ctx, map[string]time.Time{}), "SetSweepAt(empty map)")
	noErr(e.t, e.s.SetSweepAt(e.ctx, map[string]time.Time{newID(): at}), "SetSweepAt of unknown IDs only")
	if _, err := e.s.GetItem(e.ctx, newID()); !errors.Is(err, items.ErrNotFound) {
		e.t.Fatalf("GetItem of a random ID after SetSweepAt: %v, want items.ErrNotFound", err)
	}

	// A sweep-sized batch: every item gets its own time.
	batch := map[string]time.Time{}
	var wantOrder []string
	err := e.s.Atomic(e.ctx, func(tx store.Store) error {
		for i := range 300 {
			it := e.item(s.ID, fmt.Sprint("batch ", i))
			if err := tx.CreateItem(e.ctx, it); err != nil {
				return err
			}
			// Later items get earlier times, so SweepAt order is the
			// reverse of ID order.
			batch[it.ID] = at.Add(-time.Duration(i) * time.Second)
			wantOrder = append(wantOrder, it.ID)
		}
		return nil
	})
	noErr(e.t, err, "CreateItem ×300 in Atomic")
	seq = e.lastSeq()
	noErr(e.t, e.s.SetSweepAt(e.ctx, batch), "SetSweepAt of 300 items")
	e.checkNoChanges(seq, "SetSweepAt of 300 items")
	slices.Reverse(wantOrder)
	got := e.dueItems(at.Add(-time.Second), 0)
	checkIDs(e.t, "DueItems after SetSweepAt of 300 items (b has SweepAt zero)", ids(got, itemID), append([]string{b.ID}, wantOrder[:299]...))
}

func testSweepResetSweep(e *env) {
	a, b, empty := e.createSpot("A"), e.createSpot("B"), e.createSpot("Empty")
	later := func(it *items.Item) { it.SweepAt = e.now().Add(24 * time.Hour) }
	a1, a2 := e.createItem(a.ID, "a1", later), e.createItem(a.ID, "a2", later)
	a3 := e.createItem(a.ID, "a3", func(it *items.Item) { it.SweepAt = time.Time{} })
	b1 := e.createItem(b.ID, "b1", later)
	p := e.createItem(b.ID, "p, homed in B, placed in A", later)
	noErr(e.t, e.s.PutPlacement(e.ctx, p.ID, a.ID, e.now()), "PutPlacement")
	p.Placements = []string{a.ID}
	seq := e.lastSeq()

	n, err := e.s.ResetSweep(e.ctx, a.ID)
	noErr(e.t, err, "ResetSweep")
	if n != 3 {
		e.t.Fatalf("ResetSweep(A) = %d, want 3: every item homed in A counts, a3 too although its SweepAt was zero already, and p (only placed in A) does not", n)
	}
	for _, it := range []items.Item{a1, a2, a3} {
		want := it
		want.SweepAt = time.Time{}
		checkSame(e.t, "GetItem after ResetSweep of its home: SweepAt zero, nothing else changed", e.getItem(it.ID), want)
	}
	checkSame(e.t, "GetItem of an item homed in another spot after ResetSweep", e.getItem(b1.ID), b1)
	checkSame(e.t, "GetItem of an item placed (not homed) in the reset spot", e.getItem(p.ID), p)
	e.checkNoChanges(seq, "ResetSweep")
	checkIDs(e.t, "DueItems after ResetSweep(A)", ids(e.dueItems(e.now(), 0), itemID),
		slices.Sorted(slices.Values([]string{a1.ID, a2.ID, a3.ID})))

	for _, c := range []struct{ name, id string }{{"a spot without items", empty.ID}, {"an unknown spot", newID()}} {
		n, err := e.s.ResetSweep(e.ctx, c.id)
		noErr(e.t, err, "ResetSweep of "+c.name)
		if n != 0 {
			e.t.Fatalf("ResetSweep of %s = %d, want 0", c.name, n)
		}
	}
	checkSame(e.t, "GetItem after ResetSweep of other spots", e.getItem(b1.ID), b1)
}

func testNoticesRoundTrip(e *env) {
	full := e.notice("alice")
	full.SentAt, full.Attempts, full.NextAttemptAt, full.LastError = e.now(), 2, e.now(), "smtp: 451 try later"
	checkPopulated(e.t, full)
	bare := governance.Notice{ID: newID(), Key: "training/bob", Recipient: "bob", Kind: governance.NoticeTrainingDue,
		Window: -1}
	zeroWindow := e.notice("alice")
	zeroWindow.Window, zeroWindow.Kind, zeroWindow.Digest = 0, governance.NoticeExpired, "admin"
	zeroWindow.Due = time.Date(2199, 1, 2, 3, 4, 5, 6000, zone)
	old := e.notice("alice")
	old.Due, old.Kind, old.Digest = time.Date(1999, 12, 31, 23, 59, 59, 999999000, zone), governance.NoticeVerifyOverdue, ""

	in := []governance.Notice{full, bare, zeroWindow, old}
	got := e.addNotices(in...)
	checkIDs(e.t, "AddNotices of new keys returns every notice, in order", ids(got, noticeID), ids(in, noticeID))
	for i := range in {
		checkSame(e.t, "AddNotices returns the notices as stored (times in UTC)", got[i], in[i])
	}
	checkSame(e.t, "a fully populated notice", e.storedNotice(full), full)
	checkSame(e.t, "a notice with zero times and Window -1", e.storedNotice(bare), bare)
	checkSame(e.t, "a notice with Window 0 (not the same as -1) and Due in 2199", e.storedNotice(zeroWindow), zeroWindow)
	checkSame(e.t, "a notice with Due in 1999", e.storedNotice(old), old)

	if got := e.addNotices(); len(got) != 0 {
		e.t.Fatalf("AddNotices() of no notices returned %d", len(got))
	}
	if got, err := e.s.AddNotices(e.ctx, nil); err != nil || len(got) != 0 {
		e.t.Fatalf("AddNotices(nil) = %d notices, %v; want none, nil", len(got), err)
	}
}

func testNoticesDedup(e *env) {
	n1 := e.notice("alice")
	checkIDs(e.t, "AddNotices of a new key", ids(e.addNotices(n1), noticeID), []string{n1.ID})

	again := e.notice("alice")
	again.Key, again.Title, again.Kind = n1.Key, "Changed title", governance.NoticeExpired
	fresh := e.notice("alice")
	got := e.addNotices(again, fresh)
	checkIDs(e.t, "AddNotices(a notice whose Key exists, a new one) returns only the new one", ids(got, noticeID), []string{fresh.ID})
	checkSame(e.t, "the stored notice after another notice with its Key was added: untouched", e.storedNotice(n1), n1)

	// Within one batch the first of a Key wins.
	x1, x2, y := e.notice("bob"), e.notice("bob"), e.notice("bob")
	x2.Key = x1.Key
	got = e.addNotices(x1, x2, y)
	checkIDs(e.t, "AddNotices(x, x again under another ID, y) returns x and y", ids(got, noticeID), []string{x1.ID, y.ID})
	checkIDs(e.t, "ListNotices(Recipient bob) after a batch repeating a Key (newest first)", ids(e.listNotices(governance.NoticeFilter{Recipient: "bob"}), noticeID),
		[]string{y.ID, x1.ID})

	// A delivered or failed notice is not recorded again either.
	noErr(e.t, e.s.MarkNoticesFailed(e.ctx, []string{n1.ID}, e.now(), "boom"), "MarkNoticesFailed")
	failed := e.storedNotice(n1)
	noErr(e.t, e.s.MarkNoticesSent(e.ctx, []string{fresh.ID}, e.now()), "MarkNoticesSent")
	sent := e.storedNotice(fresh)
	retry := e.notice("alice")
	retry.Key = n1.Key
	resend := e.notice("alice")
	resend.Key = fresh.Key
	if got := e.addNotices(retry, resend); len(got) != 0 {
		e.t.Fatalf("AddNotices of the keys of a failed and a sent notice stored %v, want none", ids(got, noticeID))
	}
	checkSame(e.t, "a failed notice after its Key was added again (Attempts, LastError kept)", e.storedNotice(n1), failed)
	checkSame(e.t, "a sent notice after its Key was added again (SentAt kept)", e.storedNotice(fresh), sent)
	checkIDs(e.t, "ListNotices(Recipient alice) (newest first)", ids(e.listNotices(governance.NoticeFilter{Recipient: "alice"}), noticeID),
		[]string{fresh.ID, n1.ID})
}

func testNoticesPending(e *env) {
	now := e.now()
	t1, t2, t3 := now.Add(-3*time.Hour), now.Add(-2*time.Hour), now.Add(-time.Hour)
	n := func(recipient, digest string, created time.Time, mods ...func(*governance.Notice)) governance.Notice {
		x := e.notice(recipient)
		x.Digest, x.CreatedAt = digest, created
		for _, m := range mods {
			m(&x)
		}
		return x
	}
	failed := func(attempts int, next time.Time) func(*governance.Notice) {
		return func(x *governance.Notice) { x.Attempts, x.NextAttemptAt, x.LastError = attempts, next, "smtp: 451" }
	}
	spotA, spotB := "0190-spot-a", "0190-spot-b"
	bob := n("bob", "", t2)
	aliceB := n("alice", spotB, t1)
	aliceA3 := n("alice", spotA, t3)
	aliceA1 := n("alice", spotA, t1)
	aliceA1bis := n("alice", spotA, t1.In(time.UTC))
	alicePersonal := n("alice", "", t3)
	aliceAdmin := n("alice", "admin", t2, failed(2, now)) // retry due exactly now
	carolPast := n("carol", "", t1, failed(1, t2))
	// Not pending:
	sent := n("alice", "", t1, func(x *governance.Notice) { x.SentAt = t2 })
	exhausted := n("alice", spotA, t2, failed(3, t1))
	notYet := n("bob", "", t1, failed(1, now.Add(time.Microsecond)))

	e.addNotices(carolPast, notYet, aliceA1, sent, bob, aliceB, exhausted, aliceA3, aliceAdmin, alicePersonal, aliceA1bis)
	tie := []governance.Notice{aliceA1, aliceA1bis}
	slices.SortFunc(tie, func(a, b governance.Notice) int { return strings.Compare(a.ID, b.ID) })
	// Recipient, then Digest ("" < "0190-…" < "admin"), CreatedAt, ID.
	want := []governance.Notice{alicePersonal, tie[0], tie[1], aliceA3, aliceB, aliceAdmin, bob, carolPast}
	wantIDs := ids(want, noticeID)
	layout := fmt.Sprintf(`want: alice "" t3 %s; alice spot-a t1 %s, %s; alice spot-a t3 %s; alice spot-b t1 %s; alice admin t2, 2 attempts, next now %s; bob "" t2 %s; carol "" t1, 1 attempt, next past %s
	not pending: sent %s; 3 attempts %s; next attempt now+1µs %s`,
		alicePersonal.ID, tie[0].ID, tie[1].ID, aliceA3.ID, aliceB.ID, aliceAdmin.ID, bob.ID, carolPast.ID,
		sent.ID, exhausted.ID, notYet.ID)

	got := e.pending(now, 3, 0)
	checkIDs(e.t, "PendingNotices(now, maxAttempts 3): unsent, fewer than 3 attempts, NextAttemptAt zero or not after now; by Recipient, Digest, CreatedAt, ID\n\t"+layout,
		ids(got, noticeID), wantIDs)
	for i := range got {
		checkSame(e.t, "PendingNotices returns full notices", got[i], want[i])
	}
	checkIDs(e.t, "PendingNotices(now in UTC)", ids(e.pending(now.In(time.UTC), 3, 0), noticeID), wantIDs)
	checkIDs(e.t, "PendingNotices(now, maxAttempts 3, limit 3)", ids(e.pending(now, 3, 3), noticeID), wantIDs[:3])
	withoutAdmin := slices.DeleteFunc(slices.Clone(wantIDs), func(id string) bool { return id == aliceAdmin.ID })
	checkIDs(e.t, "PendingNotices(now, maxAttempts 2): the notice with 2 failed attempts is out", ids(e.pending(now, 2, 0), noticeID), withoutAdmin)
	checkIDs(e.t, "PendingNotices(now - 1µs): the retry due at now is not due yet", ids(e.pending(now.Add(-time.Microsecond), 3, 0), noticeID), withoutAdmin)
	// At now + 1µs bob's retry (digest "", t1) is due, before his t2 notice.
	wantLater := slices.Clone(wantIDs)
	wantLater = slices.Insert(wantLater, slices.Index(wantLater, bob.ID), notYet.ID)
	gotLater := ids(e.pending(now.Add(time.Microsecond), 3, 0), noticeID)
	checkIDs(e.t, "PendingNotices(now + 1µs): bob's retry is due", gotLater, wantLater)
}

func testNoticesMarkSent(e *env) {
	n1, n2, n3 := e.notice("alice"), e.notice("alice"), e.notice("alice")
	n3.Attempts, n3.NextAttemptAt, n3.LastError = 1, e.now(), "timeout"
	e.addNotices(n1, n2, n3)
	at := e.now()
	noErr(e.t, e.s.MarkNoticesSent(e.ctx, []string{n1.ID, n3.ID, newID()}, at), "MarkNoticesSent with an unknown ID")
	w1, w3 := n1, n3
	w1.SentAt, w3.SentAt = at, at
	checkSame(e.t, "a notice after MarkNoticesSent: SentAt set, nothing else changed", e.storedNotice(n1), w1)
	checkSame(e.t, "a failed notice after MarkNoticesSent: Attempts, NextAttemptAt and LastError kept", e.storedNotice(n3), w3)
	checkSame(e.t, "a notice MarkNoticesSent did not name", e.storedNotice(n2), n2)
	checkIDs(e.t, "PendingNotices after MarkNoticesSent", ids(e.pending(at.Add(time.Hour), 5, 0), noticeID), []string{n2.ID})
	checkIDs(e.t, "ListNotices(Unsent) after MarkNoticesSent", ids(e.listNotices(governance.NoticeFilter{Unsent: true}), noticeID), []string{n2.ID})

	// The doc says "sets": marking a sent notice again moves SentAt.
	again := e.now()
	noErr(e.t, e.s.MarkNoticesSent(e.ctx, []string{n1.ID}, again), "MarkNoticesSent of a sent notice")
	w1.SentAt = again
	checkSame(e.t, "a sent notice after MarkNoticesSent again", e.storedNotice(n1), w1)
	noErr(e.t, e.s.MarkNoticesSent(e.ctx, nil, again), "MarkNoticesSent(nil)")
	checkSame(e.t, "a notice after MarkNoticesSent(nil)", e.storedNotice(n2), n2)
}

func testNoticesMarkFailed(e *env) {
	n1, n2, n3 := e.notice("alice"), e.notice("alice"), e.notice("alice")
	n3.SentAt = e.now()
	n4 := e.notice("alice")
	e.addNotices(n1, n2, n3, n4)
	next := e.now().Add(time.Hour)
	noErr(e.t, e.s.MarkNoticesFailed(e.ctx, []string{n1.ID, n3.ID, n1.ID, newID()}, next, "smtp: 451"),
		"MarkNoticesFailed with a sent notice, a repeated ID and an unknown one")
	w1 := n1
	w1.Attempts, w1.NextAttemptAt, w1.LastError = 1, next, "smtp: 451"
	checkSame(e.t, "a notice after MarkNoticesFailed naming it twice: Attempts 1 (one more per call, not per repeat), NextAttemptAt, LastError", e.storedNotice(n1), w1)
	checkSame(e.t, "a sent notice after MarkNoticesFailed: untouched", e.storedNotice(n3), n3)
	checkSame(e.t, "a notice MarkNoticesFailed did not name", e.storedNotice(n2), n2)

	next2 := next.Add(time.Hour)
	noErr(e.t, e.s.MarkNoticesFailed(e.ctx, []string{n1.ID}, next2, "timeout"), "MarkNoticesFailed again")
	w1.Attempts, w1.NextAttemptAt, w1.LastError = 2, next2, "timeout"
	checkSame(e.t, "a notice after a second MarkNoticesFailed: Attempts 2, the new NextAttemptAt and LastError", e.storedNotice(n1), w1)
	checkIDs(e.t, "PendingNotices before the retry time", ids(e.pending(next2.Add(-time.Microsecond), 3, 0), noticeID), []string{n2.ID, n4.ID})
	checkIDs(e.t, "PendingNotices at the retry time", ids(e.pending(next2, 3, 0), noticeID), []string{n1.ID, n2.ID, n4.ID})
	checkIDs(e.t, "PendingNotices at the retry time with maxAttempts 2", ids(e.pending(next2, 2, 0), noticeID), []string{n2.ID, n4.ID})

	// A zero NextAttemptAt means "retry at once".
	noErr(e.t, e.s.MarkNoticesFailed(e.ctx, []string{n4.ID}, time.Time{}, "refused"), "MarkNoticesFailed with a zero next time")
	w4 := n4
	w4.Attempts, w4.LastError = 1, "refused"
	checkSame(e.t, "a notice after MarkNoticesFailed with a zero next time", e.storedNotice(n4), w4)
	checkIDs(e.t, "PendingNotices after MarkNoticesFailed with a zero next time", ids(e.pending(e.now(), 3, 0), noticeID), []string{n2.ID, n4.ID})

	// Sent after failing: MarkNoticesFailed leaves it alone from then on.
	at := e.now()
	noErr(e.t, e.s.MarkNoticesSent(e.ctx, []string{n1.ID}, at), "MarkNoticesSent")
	noErr(e.t, e.s.MarkNoticesFailed(e.ctx, []string{n1.ID}, next2.Add(time.Hour), "late failure"), "MarkNoticesFailed of a sent notice")
	w1.SentAt = at
	checkSame(e.t, "a notice that failed, was sent, then marked failed again", e.storedNotice(n1), w1)
	noErr(e.t, e.s.MarkNoticesFailed(e.ctx, nil, next, "x"), "MarkNoticesFailed(nil)")
	checkSame(e.t, "a notice after MarkNoticesFailed(nil)", e.storedNotice(n2), n2)
}

func testNoticesList(e *env) {
	item1, item2 := newID(), newID()
	n := func(recipient, itemID string, created time.Time) governance.Notice {
		x := e.notice(recipient)
		x.ItemID, x.CreatedAt = itemID, created
		return x
	}
	t0 := e.now()
	a1 := n("alice", item1, t0.Add(3*time.Second))
	a2 := n("alice", item2, t0.Add(time.Second))
	a3 := n("alice", "", t0.Add(2*time.Second)) // a training notice: no item
	b1 := n("bob", item1, t0.Add(2*time.Second))
	b2 := n("bob", item1, t0.Add(2*time.Second).In(time.UTC)) // same CreatedAt as b1 and a3
	e.addNotices(a1, b1, a2, b2, a3)
	noErr(e.t, e.s.MarkNoticesSent(e.ctx, []string{a2.ID, b1.ID}, e.now()), "MarkNoticesSent")

	// Newest first: CreatedAt, then ID, descending.
	tie := slices.Sorted(slices.Values([]string{a3.ID, b1.ID, b2.ID}))
	slices.Reverse(tie)
	all := append(append([]string{a1.ID}, tie...), a2.ID)
	only := func(keep ...string) []string {
		return slices.DeleteFunc(slices.Clone(all), func(id string) bool { return !slices.Contains(keep, id) })
	}
	layout := fmt.Sprintf(`fixture by CreatedAt: a2 %s (alice, item 2, sent); a3 %s (alice, no item), b1 %s (bob, item 1, sent), b2 %s (bob, item 1) at the same time; a1 %s (alice, item 1)`,
		a2.ID, a3.ID, b1.ID, b2.ID, a1.ID)
	cases := []struct {
		name string
		f    governance.NoticeFilter
		want []string
	}{
		{"zero filter: every notice newest first (CreatedAt, then ID, descending)", governance.NoticeFilter{}, all},
		{"Recipient alice", governance.NoticeFilter{Recipient: "alice"}, only(a1.ID, a2.ID, a3.ID)},
		{"Recipient bob", governance.NoticeFilter{Recipient: "bob"}, only(b1.ID, b2.ID)},
		{"Recipient unknown", governance.NoticeFilter{Recipient: "mallory"}, nil},
		{"ItemID 1", governance.NoticeFilter{ItemID: item1}, only(a1.ID, b1.ID, b2.ID)},
		{"ItemID 2", governance.NoticeFilter{ItemID: item2}, only(a2.ID)},
		{"Unsent", governance.NoticeFilter{Unsent: true}, only(a1.ID, a3.ID, b2.ID)},
		{"Recipient alice, ItemID 1", governance.NoticeFilter{Recipient: "alice", ItemID: item1}, only(a1.ID)},
		{"Recipient bob, ItemID 1, Unsent", governance.NoticeFilter{Recipient: "bob", ItemID: item1, Unsent: true}, only(b2.ID)},
		{"Recipient alice, Unsent", governance.NoticeFilter{Recipient: "alice", Unsent: true}, only(a1.ID, a3.ID)},
		{"Limit 2", governance.NoticeFilter{Limit: 2}, all[:2]},
		{"Unsent, Limit 2", governance.NoticeFilter{Unsent: true, Limit: 2}, only(a1.ID, a3.ID, b2.ID)[:2]},
	}
	for _, c := range cases {
		got := ids(e.listNotices(c.f), noticeID)
		if !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
			e.t.Fatalf("ListNotices(%s):\n\tgot  %v\n\twant %v%s\n%s", c.name, got, c.want, idHint(got, c.want), layout)
		}
	}
	if got, err := e.s.ListNotices(e.ctx, governance.NoticeFilter{Recipient: "mallory"}); err != nil || len(got) != 0 {
		e.t.Fatalf("ListNotices of nothing = %d notices, %v; want an empty result and no error", len(got), err)
	}
}

// testNoticesListBefore pages through notices with the Before cursor:
// every notice once, newest first, whatever the page size and wherever a
// page ends (inside a run of notices recorded at the same time, among
// notices with a zero CreatedAt, the oldest of all); Before combined with
// the filters; a cursor that names no notice.
func testNoticesListBefore(e *env) {
	item1, item2 := newID(), newID()
	n := func(recipient, itemID string, created time.Time, sent bool) governance.Notice {
		x := e.notice(recipient)
		x.ItemID, x.CreatedAt = itemID, created
		if sent {
			x.SentAt = created.Add(time.Minute)
		}
		return x
	}
	t1, t2, t3 := e.now(), e.now(), e.now()
	p1 := n("alice", item1, t1, true)
	p2 := n("alice", item1, t2, false)
	p3 := n("alice", item1, t2.In(zone), true) // same CreatedAt as p2, p4 and bob's
	p4 := n("alice", item2, t2, false)
	p5 := n("alice", item1, t3, false)
	z1 := n("alice", item1, time.Time{}, false) // zero CreatedAt: the oldest
	z2 := n("alice", item2, time.Time{}, false)
	bob := n("bob", item1, t2, false)
	e.addNotices(p3, z2, p5, bob, p1, z1, p4, p2) // not in result order

	// Newest first: CreatedAt, then ID, descending; a zero CreatedAt last.
	sorted := []governance.Notice{p1, p2, p3, p4, p5, z1, z2, bob}
	slices.SortFunc(sorted, func(a, b governance.Notice) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.ID, a.ID))
	})
	// olderThan lists, newest first, the notices after cursor that keep
	// keeps.
	olderThan := func(cursor string, keep func(governance.Notice) bool) []string {
		i := slices.IndexFunc(sorted, func(x governance.Notice) bool { return x.ID == cursor })
		var out []string
		for _, x := range sorted[i+1:] {
			if keep(x) {
				out = append(out, x.ID)
			}
		}
		return out
	}
	isAlice := func(x governance.Notice) bool { return x.Recipient == "alice" }
	layout := fmt.Sprintf("fixture newest first: %v\n\tp5 %s (alice, t3); p2 %s, p4 %s (alice, unsent), p3 %s (alice, sent), bob %s (bob) at t2; p1 %s (alice, t1, sent); z1 %s, z2 %s (alice, zero CreatedAt)",
		ids(sorted, noticeID), p5.ID, p2.ID, p4.ID, p3.ID, bob.ID, p1.ID, z1.ID, z2.ID)

	every := olderThan("", isAlice)
	for _, size := range []int{1, 2, 3, 7} {
		var got []string
		before := ""
		for range len(every) + 1 {
			page := ids(e.listNotices(governance.NoticeFilter{Recipient: "alice", Before: before, Limit: size}), noticeID)
			got = append(got, page...)
			if len(page) < size {
				break
			}
			before = page[len(page)-1]
		}
		checkIDs(e.t, fmt.Sprintf("ListNotices(Recipient alice, Limit %d) paged with Before = each page's last ID, until a page is not full: every notice once, newest first\n\t%s", size, layout),
			got, every)
	}

	unsent := func(x governance.Notice) bool { return x.SentAt.IsZero() }
	onItem1 := func(x governance.Notice) bool { return x.ItemID == item1 }
	both := func(keeps ...func(governance.Notice) bool) func(governance.Notice) bool {
		return func(x governance.Notice) bool {
			for _, k := range keeps {
				if !k(x) {
					return false
				}
			}
			return true
		}
	}
	cases := []struct {
		name string
		f    governance.NoticeFilter
		want []string
	}{
		{"Recipient alice, Before p5", governance.NoticeFilter{Recipient: "alice", Before: p5.ID}, olderThan(p5.ID, isAlice)},
		{"Recipient alice, Unsent, Before p5", governance.NoticeFilter{Recipient: "alice", Unsent: true, Before: p5.ID},
			olderThan(p5.ID, both(isAlice, unsent))},
		{"Recipient alice, Unsent, Before p3 (a sent notice: the cursor need not match the filter)",
			governance.NoticeFilter{Recipient: "alice", Unsent: true, Before: p3.ID}, olderThan(p3.ID, both(isAlice, unsent))},
		{"Recipient alice, ItemID 1, Before p5", governance.NoticeFilter{Recipient: "alice", ItemID: item1, Before: p5.ID},
			olderThan(p5.ID, both(isAlice, onItem1))},
		{"Recipient alice, ItemID 1, Unsent, Before p2", governance.NoticeFilter{Recipient: "alice", ItemID: item1, Unsent: true, Before: p2.ID},
			olderThan(p2.ID, both(isAlice, onItem1, unsent))},
		{"ItemID 1, Unsent, Limit 2, Before bob (no recipient)", governance.NoticeFilter{ItemID: item1, Unsent: true, Limit: 2, Before: bob.ID},
			olderThan(bob.ID, both(onItem1, unsent))[:2]},
		{"Recipient alice, Before bob (another recipient's notice)", governance.NoticeFilter{Recipient: "alice", Before: bob.ID},
			olderThan(bob.ID, isAlice)},
		{"Recipient alice, Before p1: only the zero CreatedAt ones", governance.NoticeFilter{Recipient: "alice", Before: p1.ID},
			olderThan(p1.ID, isAlice)},
		{"Before the oldest notice", governance.NoticeFilter{Before: sorted[len(sorted)-1].ID}, nil},
		{"Recipient alice, Before an unknown ID", governance.NoticeFilter{Recipient: "alice", Before: newID()}, nil},
		{"zero filter, Before an unknown ID", governance.NoticeFilter{Before: newID()}, nil},
	}
	for _, c := range cases {
		got := ids(e.listNotices(c.f), noticeID)
		if !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
			e.t.Fatalf("ListNotices(%s):\n\tgot  %v\n\twant %v%s\n\t%s", c.name, got, c.want, idHint(got, c.want), layout)
		}
	}
	if got, err := e.s.ListNotices(e.ctx, governance.NoticeFilter{Before: newID()}); err != nil || len(got) != 0 {
		e.t.Fatalf("ListNotices(Before an unknown ID) = %d notices, %v; want an empty result and no error", len(got), err)
	}
}

func testNoticesDefaultLimit(e *env) {
	start := e.now()
	var ns []governance.Notice
	for i := range 1001 {
		x := e.notice("alice")
		x.CreatedAt = start.Add(time.Duration(1001-i) * time.Millisecond) // newest first
		ns = append(ns, x)
	}
	if got := e.addNotices(ns...); len(got) != 1001 {
		e.t.Fatalf("AddNotices of 1001 new notices stored %d", len(got))
	}
	newest := ids(ns, noticeID)[:1000]
	checkIDs(e.t, "ListNotices(Limit 0) of 1001 notices: the 1000 newest (zero means 1000)",
		ids(e.listNotices(governance.NoticeFilter{Recipient: "alice"}), noticeID), newest)
	checkIDs(e.t, "ListNotices(Limit 0, Before the 1000th newest): the one left",
		ids(e.listNotices(governance.NoticeFilter{Recipient: "alice", Before: newest[999]}), noticeID), []string{ns[1000].ID})
	slices.Reverse(ns)
	want := ids(ns, noticeID)[:1000]
	got := e.pending(start.Add(time.Hour), 1, 0)
	checkIDs(e.t, "PendingNotices(limit 0) of 1001 notices: the 1000 oldest (zero means 1000)", ids(got, noticeID), want)
	until := start.Add(2 * time.Hour)
	got = e.claim(start.Add(time.Hour), until, 1, 0)
	checkIDs(e.t, "ClaimNotices(limit 0) of 1001 notices: the 1000 oldest (zero means 1000)", ids(got, noticeID), want)
	checkIDs(e.t, "ClaimNotices(limit 0) again: the one left", ids(e.claim(start.Add(time.Hour), until, 1, 0), noticeID),
		[]string{ns[1000].ID})
}

// testNoticesClaim checks that ClaimNotices returns what PendingNotices
// would, leases exactly those until the given time and changes nothing
// else.
func testNoticesClaim(e *env) {
	now := e.now()
	t1, t2 := now.Add(-2*time.Hour), now.Add(-time.Hour)
	n := func(recipient, digest string, created time.Time, mods ...func(*governance.Notice)) governance.Notice {
		x := e.notice(recipient)
		x.Digest, x.CreatedAt = digest, created
		for _, m := range mods {
			m(&x)
		}
		return x
	}
	failed := func(attempts int, next time.Time) func(*governance.Notice) {
		return func(x *governance.Notice) { x.Attempts, x.NextAttemptAt, x.LastError = attempts, next, "smtp: 451" }
	}
	alice := n("alice", "", t2)
	aliceSpot := n("alice", "0190-spot-a", t1)
	bob := n("bob", "", t1)
	carol := n("carol", "admin", t1, failed(2, t2))
	// Not pending at now:
	sent := n("alice", "", t1, func(x *governance.Notice) { x.SentAt = t2 })
	exhausted := n("bob", "", t2, failed(3, t1))
	later := n("carol", "", t1, failed(1, now.Add(time.Microsecond)))
	all := []governance.Notice{later, carol, sent, aliceSpot, bob, exhausted, alice}
	e.addNotices(all...)
	want := []governance.Notice{alice, aliceSpot, bob, carol}
	layout := fmt.Sprintf(`pending at now: alice %s, alice spot-a %s, bob %s, carol (2 attempts) %s; not pending: sent %s, 3 attempts %s, next attempt now+1µs %s`,
		alice.ID, aliceSpot.ID, bob.ID, carol.ID, sent.ID, exhausted.ID, later.ID)
	pending := e.pending(now, 3, 0)
	checkIDs(e.t, "PendingNotices before ClaimNotices ("+layout+")", ids(pending, noticeID), ids(want, noticeID))
	seq := e.lastSeq()

	until := now.Add(10 * time.Minute)
	got := e.claim(now, until, 3, 0)
	checkIDs(e.t, "ClaimNotices(now, until, maxAttempts 3): what PendingNotices returns, in its order ("+layout+")",
		ids(got, noticeID), ids(pending, noticeID))
	for i, w := range leased(pending, until) {
		checkSame(e.t, "ClaimNotices returns the notices as they are after the claim: NextAttemptAt until (in UTC), Attempts and LastError unchanged", got[i], w)
	}
	e.checkNotices("a claimed notice: NextAttemptAt until, nothing else changed", leased(want, until)...)
	e.checkNotices("a notice ClaimNotices did not return: untouched", sent, exhausted, later)
	e.checkNoChanges(seq, "ClaimNotices")

	checkIDs(e.t, "ClaimNotices again at the same now: the first claim's lease holds", ids(e.claim(now, until, 3, 0), noticeID), nil)
	checkIDs(e.t, "PendingNotices at now after ClaimNotices", ids(e.pending(now, 3, 0), noticeID), nil)
	until2 := until.Add(time.Hour)
	checkIDs(e.t, "ClaimNotices 1µs before the lease ends: only the notice whose retry came due since",
		ids(e.claim(until.Add(-time.Microsecond), until2, 3, 0), noticeID), []string{later.ID})
	e.checkNotices("notices claimed until a time, after a claim just before it", leased(want, until)...)

	until3 := until2.Add(time.Hour)
	got = e.claim(until, until3, 3, 0)
	checkIDs(e.t, "ClaimNotices when the lease ended (now = until, inclusive): the same notices again", ids(got, noticeID), ids(want, noticeID))
	for i, w := range leased(want, until3) {
		checkSame(e.t, "a notice claimed a second time: the new lease, Attempts unchanged", got[i], w)
	}
	e.checkNotices("a notice after its second claim", leased(want, until3)...)
}

// testNoticesClaimLimits checks that ClaimNotices honours limit and
// maxAttempts and claims nothing beyond them.
func testNoticesClaimLimits(e *env) {
	var ns []governance.Notice
	for range 5 {
		ns = append(ns, e.notice("alice")) // CreatedAt increasing: pending in this order
	}
	e.addNotices(ns...)
	now := e.now()
	until := now.Add(time.Hour)
	checkIDs(e.t, "ClaimNotices(limit 2)", ids(e.claim(now, until, 3, 2), noticeID), ids(ns[:2], noticeID))
	e.checkNotices("a notice beyond the limit of a claim: untouched", ns[2:]...)
	checkIDs(e.t, "ClaimNotices(limit 2) again: the next two", ids(e.claim(now, until, 3, 2), noticeID), ids(ns[2:4], noticeID))
	checkIDs(e.t, "ClaimNotices(limit 2) a third time: the last one", ids(e.claim(now, until, 3, 2), noticeID), ids(ns[4:], noticeID))
	checkIDs(e.t, "ClaimNotices(limit 2) once all are claimed", ids(e.claim(now, until, 3, 2), noticeID), nil)
	e.checkNotices("notices after three claims of two", leased(ns, until)...)

	var tried []governance.Notice
	for a := range 3 {
		x := e.notice("bob")
		x.Attempts, x.NextAttemptAt, x.LastError = a, now.Add(-time.Minute), fmt.Sprint("attempt ", a)
		if a == 0 {
			x.NextAttemptAt, x.LastError = time.Time{}, ""
		}
		tried = append(tried, x)
	}
	e.addNotices(tried...)
	checkIDs(e.t, "ClaimNotices(maxAttempts 0)", ids(e.claim(now, until, 0, 0), noticeID), nil)
	e.checkNotices("a notice after ClaimNotices(maxAttempts 0)", tried...)
	checkIDs(e.t, "ClaimNotices(maxAttempts 2): the notices with 0 and 1 failed attempts",
		ids(e.claim(now, until, 2, 0), noticeID), ids(tried[:2], noticeID))
	e.checkNotices("a notice with 2 failed attempts after ClaimNotices(maxAttempts 2): untouched", tried[2])
	e.checkNotices("a notice claimed with maxAttempts 2: Attempts and LastError unchanged", leased(tried[:2], until)...)
	checkIDs(e.t, "ClaimNotices(maxAttempts 3): the notice with 2 failed attempts",
		ids(e.claim(now, until, 3, 0), noticeID), ids(tried[2:], noticeID))
	e.checkNotices("a notice claimed with maxAttempts 3", leased(tried[2:], until)...)
}

// testNoticesClaimSent checks that sent notices are never claimed, also
// when they were claimed before they were sent.
func testNoticesClaimSent(e *env) {
	sent := e.notice("alice")
	sent.SentAt = e.now()
	failedSent := e.notice("alice")
	failedSent.SentAt, failedSent.Attempts, failedSent.NextAttemptAt, failedSent.LastError = e.now(), 1, e.now(), "timeout"
	open := e.notice("alice")
	e.addNotices(sent, failedSent, open)
	now := e.now()
	until := now.Add(time.Hour)
	checkIDs(e.t, "ClaimNotices among sent notices (one with zero NextAttemptAt, one failed before)",
		ids(e.claim(now, until, 3, 0), noticeID), []string{open.ID})
	e.checkNotices("a sent notice after ClaimNotices: untouched", sent, failedSent)

	at := e.now()
	noErr(e.t, e.s.MarkNoticesSent(e.ctx, []string{open.ID}, at), "MarkNoticesSent of a claimed notice")
	far := until.Add(24 * time.Hour)
	checkIDs(e.t, "ClaimNotices after the lease of a notice sent meanwhile", ids(e.claim(far, far.Add(time.Hour), 3, 0), noticeID), nil)
	want := open
	want.NextAttemptAt, want.SentAt = until, at
	e.checkNotices("a notice claimed, then sent, then not claimed again", want, sent, failedSent)
}

// testNoticesClaimAtomic checks that a claim inside Atomic is read back
// there and rolls back or commits with the transaction.
func testNoticesClaimAtomic(e *env) {
	n1, n2 := e.notice("alice"), e.notice("bob")
	n2.Attempts, n2.NextAttemptAt, n2.LastError = 1, e.now(), "smtp: 451"
	e.addNotices(n1, n2)
	now := e.now()
	until := now.Add(time.Hour)
	claimIn := func(tx store.Store) error {
		got, err := tx.ClaimNotices(e.ctx, now, until, 3, 0)
		if err != nil {
			return fmt.Errorf("ClaimNotices in Atomic: %w", err)
		}
		checkIDs(e.t, "ClaimNotices through tx", ids(got, noticeID), []string{n1.ID, n2.ID})
		pending, err := tx.PendingNotices(e.ctx, now, 3, 0)
		if err != nil {
			return fmt.Errorf("PendingNotices in Atomic: %w", err)
		}
		checkIDs(e.t, "PendingNotices through tx after ClaimNotices through tx (reads through tx see its writes)", ids(pending, noticeID), nil)
		list, err := tx.ListNotices(e.ctx, governance.NoticeFilter{})
		if err != nil {
			return fmt.Errorf("ListNotices in Atomic: %w", err)
		}
		checkIDs(e.t, "ListNotices through tx (newest first)", ids(list, noticeID), []string{n2.ID, n1.ID})
		for i, w := range leased([]governance.Notice{n2, n1}, until) {
			checkSame(e.t, "ListNotices through tx after ClaimNotices through tx", list[i], w)
		}
		return nil
	}

	errRollback := errors.New("storetest: roll back")
	err := e.s.Atomic(e.ctx, func(tx store.Store) error {
		if err := claimIn(tx); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		e.t.Fatalf("Atomic returned %v, want fn's error", err)
	}
	e.checkNotices("a notice after a rolled-back ClaimNotices: NextAttemptAt as it was", n1, n2)
	checkIDs(e.t, "PendingNotices after a rolled-back ClaimNotices", ids(e.pending(now, 3, 0), noticeID), []string{n1.ID, n2.ID})

	noErr(e.t, e.s.Atomic(e.ctx, claimIn), "Atomic claiming notices")
	e.checkNotices("a notice after a committed ClaimNotices", leased([]governance.Notice{n1, n2}, until)...)
	checkIDs(e.t, "ClaimNotices after a committed ClaimNotices", ids(e.claim(now, until, 3, 0), noticeID), nil)
}

// testNoticesClaimConcurrent has several goroutines claim small batches
// from the same pending notices at once: a claim is one atomic step, so no
// notice is handed out twice, and together they hand out every one.
func testNoticesClaimConcurrent(e *env) {
	const claimers, batch, total = 8, 5, 40
	var ns []governance.Notice
	for i := range total {
		ns = append(ns, e.notice(fmt.Sprint("user ", i%3)))
	}
	e.addNotices(ns...)
	now := e.now()
	until := now.Add(time.Hour)

	var wg sync.WaitGroup
	start := make(chan struct{})
	claimed := make([][]governance.Notice, claimers)
	for c := range claimers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			// More rounds than there are notices: a store that hands out
			// the same notices forever fails below instead of hanging.
			for range total + 1 {
				got, err := e.s.ClaimNotices(e.ctx, now, until, 3, batch)
				if err != nil {
					e.t.Errorf("claimer %d: ClaimNotices while %d others claim: %v", c, claimers-1, err)
					return
				}
				if len(got) > batch {
					e.t.Errorf("claimer %d: ClaimNotices(limit %d) returned %d notices", c, batch, len(got))
				}
				if len(got) == 0 {
					return
				}
				claimed[c] = append(claimed[c], got...)
			}
		}()
	}
	close(start)
	wg.Wait()
	if e.t.Failed() {
		return
	}

	by := map[string]int{}
	var got []string
	for c, cs := range claimed {
		for _, n := range cs {
			if prev, ok := by[n.ID]; ok {
				e.t.Fatalf("notice %s was claimed by claimer %d and by claimer %d under the same lease: a claim must select and lease its notices in one atomic step", n.ID, prev, c)
			}
			by[n.ID] = c
			got = append(got, n.ID)
			if !n.NextAttemptAt.Equal(until) {
				e.t.Fatalf("notice %s as returned by a concurrent claim: NextAttemptAt %s, want %s", n.ID, showTime(n.NextAttemptAt), showTime(until))
			}
		}
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(ids(ns, noticeID)))
	checkIDs(e.t, fmt.Sprintf("every notice claimed by %d goroutines claiming %d at a time", claimers, batch), got, want)
	e.checkNotices("a notice after the concurrent claims", leased(ns, until)...)
}

// testGovernanceAtomic makes every governance write inside Atomic, checks
// that the transaction reads them, and then that they all commit (or, when
// fn fails, that none does).
func testGovernanceAtomic(e *env, commit bool) {
	s := e.createSpot("Home")
	it := e.createItem(s.ID, "Deck")
	homed := e.createItem(s.ID, "Other deck")
	n0 := e.notice("alice")
	e.addNotices(n0)
	n1 := e.notice("bob")
	sweepAt := e.now().Add(-time.Minute)
	seq := e.lastSeq()

	errRollback := errors.New("storetest: roll back")
	err := e.s.Atomic(e.ctx, func(tx store.Store) error {
		if err := tx.SetSweepAt(e.ctx, map[string]time.Time{it.ID: sweepAt}); err != nil {
			return fmt.Errorf("SetSweepAt in Atomic: %w", err)
		}
		due, err := tx.DueItems(e.ctx, e.now(), 0)
		if err != nil {
			return fmt.Errorf("DueItems in Atomic: %w", err)
		}
		if got := ids(due, itemID); !slices.Equal(got, []string{it.ID}) {
			e.t.Fatalf("DueItems through tx after SetSweepAt through tx = %v, want [%s] (reads through tx see its writes)", got, it.ID)
		}
		if n, err := tx.ResetSweep(e.ctx, s.ID); err != nil || n != 2 {
			e.t.Fatalf("ResetSweep in Atomic = %d, %v; want 2, nil", n, err)
		}
		stored, err := tx.AddNotices(e.ctx, []governance.Notice{n1, n0})
		if err != nil {
			return fmt.Errorf("AddNotices in Atomic: %w", err)
		}
		checkIDs(e.t, "AddNotices in Atomic", ids(stored, noticeID), []string{n1.ID})
		if err := tx.MarkNoticesFailed(e.ctx, []string{n0.ID}, time.Time{}, "boom"); err != nil {
			return fmt.Errorf("MarkNoticesFailed in Atomic: %w", err)
		}
		if err := tx.MarkNoticesSent(e.ctx, []string{n1.ID}, e.now()); err != nil {
			return fmt.Errorf("MarkNoticesSent in Atomic: %w", err)
		}
		pending, err := tx.PendingNotices(e.ctx, e.now(), 3, 0)
		if err != nil {
			return fmt.Errorf("PendingNotices in Atomic: %w", err)
		}
		if len(pending) != 1 || pending[0].ID != n0.ID || pending[0].Attempts != 1 {
			e.t.Fatalf("PendingNotices through tx after MarkNoticesFailed and MarkNoticesSent through tx = %+v, want only %s with Attempts 1", pending, n0.ID)
		}
		list, err := tx.ListNotices(e.ctx, governance.NoticeFilter{})
		if err != nil {
			return fmt.Errorf("ListNotices in Atomic: %w", err)
		}
		checkIDs(e.t, "ListNotices through tx (newest first)", ids(list, noticeID), []string{n1.ID, n0.ID})
		if commit {
			return nil
		}
		return errRollback
	})
	if !commit {
		if !errors.Is(err, errRollback) {
			e.t.Fatalf("Atomic returned %v, want fn's error", err)
		}
		checkSame(e.t, "an item after a rolled-back SetSweepAt and ResetSweep", e.getItem(it.ID), it)
		checkSame(e.t, "an item after a rolled-back ResetSweep", e.getItem(homed.ID), homed)
		checkIDs(e.t, "DueItems after a rolled-back SetSweepAt and ResetSweep", ids(e.dueItems(e.now(), 0), itemID), nil)
		checkSame(e.t, "a notice after a rolled-back MarkNoticesFailed", e.storedNotice(n0), n0)
		checkIDs(e.t, "ListNotices after a rolled-back AddNotices", ids(e.listNotices(governance.NoticeFilter{}), noticeID), []string{n0.ID})
		checkIDs(e.t, "AddNotices of a Key whose AddNotices rolled back", ids(e.addNotices(n1), noticeID), []string{n1.ID})
		e.checkNoChanges(seq, "rolled-back governance writes")
		return
	}
	noErr(e.t, err, "Atomic")
	for _, x := range []items.Item{it, homed} {
		want := x
		want.SweepAt = time.Time{}
		checkSame(e.t, "an item after SetSweepAt then ResetSweep committed", e.getItem(x.ID), want)
	}
	checkIDs(e.t, "DueItems after commit", ids(e.dueItems(e.now(), 0), itemID), slices.Sorted(slices.Values([]string{it.ID, homed.ID})))
	got := e.storedNotice(n0)
	if got.Attempts != 1 || got.LastError != "boom" {
		e.t.Fatalf("a notice after a committed MarkNoticesFailed: Attempts %d, LastError %q; want 1, \"boom\"", got.Attempts, got.LastError)
	}
	if got := e.storedNotice(n1); got.SentAt.IsZero() {
		e.t.Fatal("a notice after a committed AddNotices and MarkNoticesSent is not sent")
	}
	e.checkNoChanges(seq, "committed governance writes")
}
