package analyticstest

import (
	"fmt"
	"time"

	"github.com/briefcasehq/briefcase/analytics"
)

var eventTests = []subtest{
	{"RoundTrip", testEventRoundTrip},
	{"IDs", testEventIDs},
	{"IDsNeverReused", testEventIDsNeverReused},
	{"Paging", testEventPaging},
	{"DefaultLimit", testEventDefaultLimit},
	{"Recipient", testEventRecipient},
}

var appendTests = []subtest{
	{"WithRollups", testAppendWithRollups},
	{"Empty", testAppendEmpty},
	{"Invalid", testAppendInvalid},
	{"AllOrNothing", testAppendAllOrNothing},
}

var retentionTests = []subtest{
	{"DeleteEvents", testDeleteEvents},
	{"KeepsRollups", testDeleteEventsKeepsRollups},
	{"ZeroBefore", testDeleteEventsZeroBefore},
}

var eraseTests = []subtest{
	{"Recipient", testEraseRecipient},
	{"Empty", testEraseEmpty},
	{"Subtracts", testEraseSubtracts},
}

// event returns a fully populated page view (not stored).
func event() analytics.Event {
	return analytics.Event{
		ID: 999999, Type: analytics.PageViewed, At: at(2, 7), Actor: "alice", Recipient: "buyer@acme.example",
		ItemID: "item-1", SpotID: "spot-a", ShareID: "share-1", ShareOwner: "alice", ViewID: "view-1",
		Page: 3, ActiveMS: 12345, Query: "pricing deck", Hits: 7, SuspectedBot: true,
	}
}

// numbered returns n minimal events whose Page is first, first+1, ...,
// so that tests can tell them apart.
func numbered(first, n int) []analytics.Event {
	evs := make([]analytics.Event, n)
	for i := range evs {
		evs[i] = analytics.Event{Type: analytics.ItemViewed, At: at(1, i%600), Actor: "alice", ItemID: "item-1",
			Page: first + i}
	}
	return evs
}

func pages(evs []analytics.Event) []string {
	return ids(evs, func(e analytics.Event) string { return fmt.Sprint(e.Page) })
}

func pageRange(first, n int) []string { return pages(numbered(first, n)) }

// testEventRoundTrip: every field comes back as it went in, times in UTC
// with their microseconds, the ID assigned by the store (the caller's is
// ignored).
func testEventRoundTrip(e *env) {
	full := event()
	checkPopulated(e.t, full)
	bare := analytics.Event{Type: analytics.Searched, At: time.Date(1999, 12, 31, 23, 59, 59, 999999000, zone)}
	future := analytics.Event{Type: "custom.type", At: time.Date(2199, 1, 2, 3, 4, 5, 6000, zone), Query: "x"}
	e.append([]analytics.Event{full, bare, future}, analytics.Rollups{})

	got := e.events(analytics.EventFilter{})
	if len(got) != 3 {
		e.t.Fatalf("Events after appending 3: got %d events, want 3", len(got))
	}
	for i, want := range []analytics.Event{full, bare, future} {
		if got[i].ID <= 0 {
			e.t.Fatalf("Events[%d].ID = %d: the store assigns positive IDs", i, got[i].ID)
		}
		if got[i].ID == full.ID && i == 0 {
			e.t.Fatalf("Events[0].ID = %d, the caller's value: the store must assign IDs itself", got[i].ID)
		}
		want.ID = got[i].ID
		check(e.t, fmt.Sprintf("Events[%d] after Append", i), got[i], want)
	}
}

// testEventIDs: IDs increase in the order given, within a call and across
// calls.
func testEventIDs(e *env) {
	e.append(numbered(0, 3), analytics.Rollups{})
	e.append(numbered(3, 2), analytics.Rollups{})
	e.append(numbered(5, 1), analytics.Rollups{})
	got := e.allEvents()
	checkIDs(e.t, "Events (Page of each) after three Appends", pages(got), pageRange(0, 6))
	for i := 1; i < len(got); i++ {
		if got[i].ID <= got[i-1].ID {
			e.t.Fatalf("event %d has ID %d after ID %d: IDs must increase in append order", i, got[i].ID, got[i-1].ID)
		}
	}
}

// testEventIDsNeverReused: after the newest events are deleted, new events
// still get higher IDs than any assigned before, so a reader that follows
// the log by AfterID never misses one.
func testEventIDsNeverReused(e *env) {
	e.append(numbered(0, 3), analytics.Rollups{})
	before := e.allEvents()
	high := before[len(before)-1].ID
	n, err := e.s.DeleteEvents(e.ctx, at(30, 0))
	noErr(e.t, err, "DeleteEvents")
	if n != 3 {
		e.t.Fatalf("DeleteEvents of every event: got %d, want 3", n)
	}
	e.append(numbered(3, 1), analytics.Rollups{})
	got := e.allEvents()
	if len(got) != 1 || got[0].ID <= high {
		e.t.Fatalf("Append after deleting events up to ID %d: got %+v, want one event with a higher ID (IDs are never reused)", high, got)
	}
	erase := event()
	e.append([]analytics.Event{erase}, analytics.Rollups{})
	last := e.allEvents()[1].ID
	_, err = e.s.EraseRecipient(e.ctx, erase.Recipient, analytics.Rollups{})
	noErr(e.t, err, "EraseRecipient")
	e.append(numbered(4, 1), analytics.Rollups{})
	got = e.allEvents()
	if len(got) != 2 || got[1].ID <= last {
		e.t.Fatalf("Append after erasing the newest event (ID %d): got %+v, want a higher ID", last, got)
	}
}

// testEventPaging: AfterID and Limit.
func testEventPaging(e *env) {
	e.append(numbered(0, 10), analytics.Rollups{})
	e.append(numbered(10, 10), analytics.Rollups{})
	evs := e.events(analytics.EventFilter{})
	checkIDs(e.t, "Events{}", pages(evs), pageRange(0, 20))
	page := e.events(analytics.EventFilter{AfterID: evs[4].ID, Limit: 7})
	checkIDs(e.t, "Events{AfterID: the 5th event's ID, Limit: 7}", pages(page), pageRange(5, 7))
	page = e.events(analytics.EventFilter{AfterID: evs[15].ID, Limit: 7})
	checkIDs(e.t, "Events{AfterID: the 16th event's ID, Limit: 7}", pages(page), pageRange(16, 4))
	page = e.events(analytics.EventFilter{AfterID: evs[19].ID})
	checkIDs(e.t, "Events{AfterID: the last ID}", pages(page), nil)
}

// testEventDefaultLimit: a zero Limit returns at most 1000 events.
func testEventDefaultLimit(e *env) {
	e.append(numbered(0, 600), analytics.Rollups{})
	e.append(numbered(600, 601), analytics.Rollups{})
	evs := e.events(analytics.EventFilter{})
	checkIDs(e.t, "Events{} over 1201 events", pages(evs), pageRange(0, 1000))
	rest := e.events(analytics.EventFilter{AfterID: evs[999].ID})
	checkIDs(e.t, "Events{AfterID: the 1000th}", pages(rest), pageRange(1000, 201))
}

// testEventRecipient: Recipient keeps the events of that address, exactly.
func testEventRecipient(e *env) {
	evs := numbered(0, 9)
	for i := range evs {
		evs[i].Recipient = []string{"a@acme.example", "b@acme.example", ""}[i%3]
	}
	evs[6].Recipient = "A@acme.example"
	e.append(evs, analytics.Rollups{})
	got := e.events(analytics.EventFilter{Recipient: "a@acme.example"})
	checkIDs(e.t, `Events{Recipient: "a@acme.example"} (addresses compare exactly)`, pages(got), []string{"0", "3"})
	got = e.events(analytics.EventFilter{Recipient: "b@acme.example", AfterID: got[0].ID, Limit: 2})
	checkIDs(e.t, `Events{Recipient: "b@acme.example", AfterID: the first event's, Limit: 2}`, pages(got), []string{"1", "4"})
}

// fullRollups returns one row of each roll-up (not stored).
func fullRollups() analytics.Rollups {
	return analytics.Rollups{
		ItemDays: []analytics.ItemDay{{ItemID: "item-1", SpotID: "spot-a", Day: day(2), Bot: false, Views: 1,
			Downloads: 2, Bookmarks: 3, Pitches: 4, PageViews: 5, ActiveMS: 6, ExternalDownloads: 7, ExternalClicks: 8,
			Score: 9.5}},
		Viewers: []analytics.ItemViewer{{ItemID: "item-1", SpotID: "spot-a", Day: day(2), Viewer: "alice"}},
		VisitPages: []analytics.VisitPage{{ViewID: "view-1", ItemID: "item-1", SpotID: "spot-a", ShareID: "share-1",
			Recipient: "buyer@acme.example", Day: day(2), Page: 3, Bot: false, ActiveMS: 12345}},
		Recipients: []analytics.RecipientTotal{{ShareID: "share-1", ShareOwner: "alice", Recipient: "buyer@acme.example",
			Opens: 1, PageViews: 2, ActiveMS: 3, Downloads: 4, Clicks: 5, FirstAt: at(2, 0), LastAt: at(2, 30)}},
		Queries: []analytics.QueryDay{{Query: "pricing", Day: day(2), Searches: 3, ZeroHits: 1, HitsTotal: 12}},
		Actors:  []analytics.ActorDay{{Actor: "alice", Day: day(2), Type: analytics.ItemViewed, Count: 2}},
	}
}

// testAppendWithRollups: the deltas of an Append are added like
// AddRollups'.
func testAppendWithRollups(e *env) {
	r := fullRollups()
	e.append([]analytics.Event{event()}, r)
	got := e.everything()
	if len(got.Events) != 1 {
		e.t.Fatalf("Events after Append of one event: got %d", len(got.Events))
	}
	check(e.t, "SumItems after Append", got.Items, []analytics.ItemSum{{ItemDay: r.ItemDays[0], UniqueViewers: 1,
		Visits: 1, UniqueRecipients: 1, PagesRead: 1}})
	check(e.t, "VisitPages after Append", got.Visits, r.VisitPages)
	check(e.t, "RecipientTotals after Append", got.Recipients, r.Recipients)
	check(e.t, "SumQueries after Append", got.Queries, []analytics.QuerySum{{Query: "pricing", Searches: 3,
		ZeroHits: 1, AvgHits: 4, LastDay: day(2)}})
	check(e.t, "SumActors after Append", got.Actors, r.Actors)
	check(e.t, "Top after Append", got.Popular, []analytics.ItemScore{{ItemID: "item-1", SpotID: "spot-a", Score: 9.5}})

	e.append(nil, analytics.Rollups{ItemDays: r.ItemDays})
	check(e.t, "Top after an Append of deltas without events", e.top(analytics.TopFilter{AllSpots: true}),
		[]analytics.ItemScore{{ItemID: "item-1", SpotID: "spot-a", Score: 19}})
}

// testAppendEmpty: nothing to write is not an error.
func testAppendEmpty(e *env) {
	e.append(nil, analytics.Rollups{})
	e.add(analytics.Rollups{})
	check(e.t, "everything after empty Append and AddRollups", e.everything(), everything{})
}

// invalidRollups lists deltas a store must refuse with ErrInvalid.
func invalidRollups() map[string]analytics.Rollups {
	return map[string]analytics.Rollups{
		"ItemDay without ItemID":       {ItemDays: []analytics.ItemDay{{SpotID: "spot-a", Day: day(1), Views: 1}}},
		"ItemDay with Day 2025-3-11":   {ItemDays: []analytics.ItemDay{{ItemID: "item-1", Day: "2025-3-11", Views: 1}}},
		"ItemDay with an empty Day":    {ItemDays: []analytics.ItemDay{{ItemID: "item-1", Views: 1}}},
		"ItemDay with Day 2025-02-30":  {ItemDays: []analytics.ItemDay{{ItemID: "item-1", Day: "2025-02-30", Views: 1}}},
		"ItemViewer without Viewer":    {Viewers: []analytics.ItemViewer{{ItemID: "item-1", Day: day(1)}}},
		"ItemViewer without ItemID":    {Viewers: []analytics.ItemViewer{{Viewer: "alice", Day: day(1)}}},
		"ItemViewer with a bad Day":    {Viewers: []analytics.ItemViewer{{ItemID: "item-1", Viewer: "alice", Day: "monday"}}},
		"VisitPage without ItemID":     {VisitPages: []analytics.VisitPage{{ViewID: "view-1", Day: day(1), Page: 1}}},
		"VisitPage with a bad Day":     {VisitPages: []analytics.VisitPage{{ViewID: "view-1", ItemID: "item-1", Day: "2025-03-32"}}},
		"QueryDay without Query":       {Queries: []analytics.QueryDay{{Day: day(1), Searches: 1}}},
		"QueryDay with a bad Day":      {Queries: []analytics.QueryDay{{Query: "q", Day: "20250310", Searches: 1}}},
		"ActorDay without Actor":       {Actors: []analytics.ActorDay{{Day: day(1), Type: analytics.ItemViewed, Count: 1}}},
		"ActorDay with a bad Day":      {Actors: []analytics.ActorDay{{Actor: "alice", Day: "2025-03-10T00:00", Count: 1}}},
		"second row of a batch is bad": {ItemDays: []analytics.ItemDay{{ItemID: "item-2", SpotID: "spot-a", Day: day(1), Views: 1}, {ItemID: "item-1", Day: "x"}}},
	}
}

// testAppendInvalid: malformed deltas and events are ErrInvalid and write
// nothing, whether they come through AddRollups or Append.
func testAppendInvalid(e *env) {
	e.add(fullRollups())
	e.append(numbered(0, 2), analytics.Rollups{})
	before := e.everything()
	for name, r := range invalidRollups() {
		wantErr(e.t, e.s.AddRollups(e.ctx, r), analytics.ErrInvalid, "AddRollups with "+name)
		check(e.t, "everything after AddRollups with "+name, e.everything(), before)
		wantErr(e.t, e.s.Append(e.ctx, numbered(2, 3), r), analytics.ErrInvalid, "Append with "+name)
		check(e.t, "everything after Append with "+name, e.everything(), before)
	}
	evs := numbered(2, 3)
	evs[2].At = time.Time{}
	wantErr(e.t, e.s.Append(e.ctx, evs, fullRollups()), analytics.ErrInvalid, "Append of an event without At")
	check(e.t, "everything after Append of an event without At", e.everything(), before)
}

// testAppendAllOrNothing: when an Append fails (here: its last delta is
// malformed, so a store that writes in order has written everything else
// by then), none of its events or deltas are stored, and the store works
// on.
func testAppendAllOrNothing(e *env) {
	r := fullRollups()
	r.Actors = append(r.Actors, analytics.ActorDay{Actor: "bob", Day: "bad", Type: analytics.Searched, Count: 1})
	wantErr(e.t, e.s.Append(e.ctx, numbered(0, 50), r), analytics.ErrInvalid, "Append whose last ActorDay is malformed")
	check(e.t, "everything after a failed Append", e.everything(), everything{})
	e.append(numbered(0, 1), fullRollups())
	if got := e.everything(); len(got.Events) != 1 || len(got.Items) != 1 {
		e.t.Fatalf("Append after a failed one: got %d events and %d items, want 1 and 1", len(got.Events), len(got.Items))
	}
}

// testDeleteEvents: events strictly before the time are deleted and
// counted.
func testDeleteEvents(e *env) {
	evs := numbered(0, 6)
	for i := range evs {
		evs[i].At = at(i, 0)
	}
	e.append(evs, analytics.Rollups{})
	n, err := e.s.DeleteEvents(e.ctx, at(2, 0).In(time.UTC))
	noErr(e.t, err, "DeleteEvents")
	if n != 2 {
		e.t.Fatalf("DeleteEvents(before day 2's event): got %d, want 2 (At strictly before)", n)
	}
	checkIDs(e.t, "Events after DeleteEvents", pages(e.allEvents()), pageRange(2, 4))
	n, err = e.s.DeleteEvents(e.ctx, at(2, 0))
	noErr(e.t, err, "DeleteEvents again")
	if n != 0 {
		e.t.Fatalf("DeleteEvents again: got %d, want 0", n)
	}
	n, err = e.s.DeleteEvents(e.ctx, at(4, 0).Add(time.Microsecond))
	noErr(e.t, err, "DeleteEvents")
	if n != 3 {
		e.t.Fatalf("DeleteEvents(a microsecond after day 4's event): got %d, want 3", n)
	}
	checkIDs(e.t, "Events after the second DeleteEvents", pages(e.allEvents()), []string{"5"})
}

// testDeleteEventsKeepsRollups: retention deletes raw events only.
func testDeleteEventsKeepsRollups(e *env) {
	e.append([]analytics.Event{event()}, fullRollups())
	before := e.everything()
	n, err := e.s.DeleteEvents(e.ctx, at(100, 0))
	noErr(e.t, err, "DeleteEvents")
	if n != 1 {
		e.t.Fatalf("DeleteEvents: got %d, want 1", n)
	}
	before.Events = nil
	check(e.t, "everything after DeleteEvents", e.everything(), before)
}

// testDeleteEventsZeroBefore: the time is required.
func testDeleteEventsZeroBefore(e *env) {
	e.append(numbered(0, 2), analytics.Rollups{})
	_, err := e.s.DeleteEvents(e.ctx, time.Time{})
	wantErr(e.t, err, analytics.ErrInvalid, "DeleteEvents(zero time)")
	if got := len(e.allEvents()); got != 2 {
		e.t.Fatalf("events after DeleteEvents(zero time): got %d, want 2", got)
	}
}

// testEraseRecipient: the address's events, VisitPage and RecipientTotal
// rows go, and are counted; everything else stays.
func testEraseRecipient(e *env) {
	const gone, kept = "gone@acme.example", "kept@acme.example"
	evs := numbered(0, 6)
	for i := range evs {
		evs[i].Recipient = []string{gone, kept, ""}[i%3]
	}
	r := fullRollups()
	r.VisitPages = []analytics.VisitPage{
		{ViewID: "view-1", ItemID: "item-1", SpotID: "spot-a", ShareID: "share-1", Recipient: gone, Day: day(2), Page: 1, ActiveMS: 1},
		{ViewID: "view-1", ItemID: "item-1", SpotID: "spot-a", ShareID: "share-1", Recipient: gone, Day: day(2), Page: 2, ActiveMS: 1},
		{ViewID: "view-2", ItemID: "item-1", SpotID: "spot-a", ShareID: "share-1", Recipient: kept, Day: day(2), Page: 1, ActiveMS: 1},
		{ViewID: "view-3", ItemID: "item-1", SpotID: "spot-a", ShareID: "share-1", Day: day(2), Page: 1, ActiveMS: 1},
	}
	r.Recipients = []analytics.RecipientTotal{
		{ShareID: "share-1", ShareOwner: "alice", Recipient: gone, Opens: 1},
		{ShareID: "share-1", ShareOwner: "alice", Recipient: gone, Bot: true, Opens: 1},
		{ShareID: "share-2", ShareOwner: "alice", Recipient: gone, Opens: 1},
		{ShareID: "share-1", ShareOwner: "alice", Recipient: kept, Opens: 1},
		{ShareID: "share-1", ShareOwner: "alice", Opens: 1},
	}
	e.append(evs, r)
	before := e.everything()

	n, err := e.s.EraseRecipient(e.ctx, gone, analytics.Rollups{})
	noErr(e.t, err, "EraseRecipient")
	if n != 2+2+3 {
		e.t.Fatalf("EraseRecipient: got %d, want 7 (2 events, 2 visit pages, 3 recipient totals)", n)
	}
	got := e.everything()
	checkIDs(e.t, "Events after EraseRecipient", pages(got.Events), []string{"1", "2", "4", "5"})
	check(e.t, "VisitPages after EraseRecipient", got.Visits, r.VisitPages[2:])
	check(e.t, "RecipientTotals after EraseRecipient", got.Recipients,
		[]analytics.RecipientTotal{r.Recipients[4], r.Recipients[3]})
	// Without deltas to subtract the store leaves anonymous roll-ups alone.
	check(e.t, "ItemDays, viewers, queries and actors after EraseRecipient",
		[]any{got.Popular, got.Queries, got.Actors, got.Spots},
		[]any{before.Popular, before.Queries, before.Actors, before.Spots})

	n, err = e.s.EraseRecipient(e.ctx, gone, analytics.Rollups{})
	noErr(e.t, err, "EraseRecipient again")
	if n != 0 {
		e.t.Fatalf("EraseRecipient again: got %d, want 0", n)
	}
}

// testEraseEmpty: an empty address is refused, never taken as "the events
// without a recipient".
func testEraseEmpty(e *env) {
	e.append(numbered(0, 3), fullRollups())
	before := e.everything()
	_, err := e.s.EraseRecipient(e.ctx, "", analytics.Rollups{})
	wantErr(e.t, err, analytics.ErrInvalid, `EraseRecipient("")`)
	check(e.t, `everything after EraseRecipient("")`, e.everything(), before)
}

// testEraseSubtracts: the deltas given are added in the same transaction;
// invalid deltas refuse the whole erasure.
func testEraseSubtracts(e *env) {
	const gone = "gone@acme.example"
	evs := numbered(0, 2)
	evs[0].Recipient = gone
	r := fullRollups()
	e.append(evs, r)
	before := e.everything()
	bad := analytics.Rollups{ItemDays: []analytics.ItemDay{{ItemID: "item-1", Day: "not a day", Views: -1}}}
	_, err := e.s.EraseRecipient(e.ctx, gone, bad)
	wantErr(e.t, err, analytics.ErrInvalid, "EraseRecipient with a malformed delta")
	check(e.t, "everything after a refused EraseRecipient", e.everything(), before)

	minus := analytics.Rollups{Queries: []analytics.QueryDay{}}
	for _, q := range r.Queries {
		q.Searches, q.ZeroHits, q.HitsTotal = -q.Searches, -q.ZeroHits, -q.HitsTotal
		minus.Queries = append(minus.Queries, q)
	}
	n, err := e.s.EraseRecipient(e.ctx, gone, minus)
	noErr(e.t, err, "EraseRecipient with deltas")
	if n != 1 {
		e.t.Fatalf("EraseRecipient: got %d rows deleted, want 1 event", n)
	}
	if got := e.everything(); len(got.Queries) != 0 {
		e.t.Fatalf("EraseRecipient did not subtract its deltas: queries left %+v", got.Queries)
	}
}
