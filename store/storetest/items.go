package storetest

import (
	"slices"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
)

var itemTests = []subtest{
	{"RoundTrip", testItemRoundTrip},
	{"NotFound", testItemNotFound},
	{"Conflict", testItemConflict},
	{"Update", testItemUpdate},
	{"Copies", testItemCopies},
}

func testItemRoundTrip(e *env) {
	s := e.createSpot("Platform")
	want := e.item(s.ID, "Pricing deck")
	checkPopulated(e.t, want, "Placements", "ListIDs")
	noErr(e.t, e.s.CreateItem(e.ctx, want), "CreateItem")
	got := e.getItem(want.ID)
	checkSame(e.t, "GetItem after CreateItem", got, want)

	// Placements and ListIDs are ignored on write.
	other := e.createSpot("Other")
	ignored := e.item(s.ID, "Ignored")
	ignored.Placements, ignored.ListIDs = []string{other.ID}, []string{newID()}
	noErr(e.t, e.s.CreateItem(e.ctx, ignored), "CreateItem with Placements and ListIDs set")
	got = e.getItem(ignored.ID)
	if len(got.Placements) != 0 || len(got.ListIDs) != 0 {
		e.t.Fatalf("CreateItem must ignore Placements and ListIDs (they are written by PutPlacement and PutListItem): got Placements %v, ListIDs %v",
			got.Placements, got.ListIDs)
	}

	// Zero times and empty optional fields stay so.
	bare := items.Item{ID: newID(), SpotID: s.ID, Kind: items.KindLink, Title: "Bare",
		Audience: items.Internal, Status: items.StatusDraft}
	noErr(e.t, e.s.CreateItem(e.ctx, bare), "CreateItem with zero times")
	checkSame(e.t, "GetItem of an item with zero times and empty fields", e.getItem(bare.ID), bare)

	// Times far from now round-trip too.
	far := e.item(s.ID, "Far")
	far.AvailableAt = time.Date(1999, 12, 31, 23, 59, 59, 999999000, zone)
	far.ExpiresAt = time.Date(2199, 1, 2, 3, 4, 5, 6000, time.FixedZone("UTC-08", -8*3600))
	noErr(e.t, e.s.CreateItem(e.ctx, far), "CreateItem with distant times")
	checkSame(e.t, "GetItem of an item with distant times", e.getItem(far.ID), far)
}

func testItemNotFound(e *env) {
	missing := newID()
	_, err := e.s.GetItem(e.ctx, missing)
	wantErr(e.t, err, items.ErrNotFound, "GetItem of a missing ID")
	s := e.createSpot("Platform")
	it := e.item(s.ID, "Ghost")
	wantErr(e.t, e.s.UpdateItem(e.ctx, it), items.ErrNotFound, "UpdateItem of a missing item")
	_, err = e.s.GetItem(e.ctx, it.ID)
	wantErr(e.t, err, items.ErrNotFound, "GetItem after UpdateItem of a missing item (UpdateItem must not create it)")
	wantErr(e.t, e.s.DeleteItem(e.ctx, missing), items.ErrNotFound, "DeleteItem of a missing item")

	homeless := e.item(newID(), "Homeless")
	wantErr(e.t, e.s.CreateItem(e.ctx, homeless), items.ErrNotFound, "CreateItem whose home spot does not exist")
	_, err = e.s.GetItem(e.ctx, homeless.ID)
	wantErr(e.t, err, items.ErrNotFound, "GetItem of an item refused for a missing home spot")

	stored := e.createItem(s.ID, "Stored")
	moved := stored
	moved.SpotID = newID()
	wantErr(e.t, e.s.UpdateItem(e.ctx, moved), items.ErrNotFound, "UpdateItem moving the home to a spot that does not exist")
	checkSame(e.t, "a refused UpdateItem must leave the item as it was", e.getItem(stored.ID), stored)

	noErr(e.t, e.s.DeleteItem(e.ctx, stored.ID), "DeleteItem")
	_, err = e.s.GetItem(e.ctx, stored.ID)
	wantErr(e.t, err, items.ErrNotFound, "GetItem after DeleteItem")
	wantErr(e.t, e.s.DeleteItem(e.ctx, stored.ID), items.ErrNotFound, "DeleteItem twice")
}

func testItemConflict(e *env) {
	s := e.createSpot("Platform")
	it := e.createItem(s.ID, "Deck")
	dup := e.item(s.ID, "Another")
	dup.ID = it.ID
	wantErr(e.t, e.s.CreateItem(e.ctx, dup), items.ErrConflict, "CreateItem with an existing ID")
	checkSame(e.t, "a refused CreateItem must leave the existing item as it was", e.getItem(it.ID), it)
}

func testItemUpdate(e *env) {
	home := e.createSpot("Home")
	other := e.createSpot("Other")
	third := e.createSpot("Third")
	orig := e.createItem(home.ID, "Deck")
	noErr(e.t, e.s.PutPlacement(e.ctx, orig.ID, other.ID, e.now()), "PutPlacement")
	g := e.listGroup("Industry")
	noErr(e.t, e.s.CreateListGroup(e.ctx, g), "CreateListGroup")
	l := e.list(g.ID, "Finance")
	noErr(e.t, e.s.CreateList(e.ctx, l), "CreateList")
	noErr(e.t, e.s.PutListItem(e.ctx, l.ID, orig.ID), "PutListItem")

	at := e.now()
	upd := items.Item{
		ID: orig.ID, SpotID: home.ID, Placements: []string{third.ID}, Kind: items.KindPDF, Title: "Deck v2",
		Description: "d2", ExternalTitle: "e2", ExternalDescription: "ed2", Audience: items.Internal,
		Downloadable: false, Author: "Bob", FeedbackOwner: "bob", Owners: []spots.Subject{spots.User("bob")},
		Labels: []string{"new"}, ListIDs: []string{newID()}, AvailableAt: at, ExpiresAt: at.Add(time.Hour),
		VerifiedAt: at, VerifyBy: at.Add(2 * time.Hour), Promoted: false, PromotedKeywords: nil,
		Source: items.Source{Type: items.SourceURL, URL: "https://example.com/x"}, Status: items.StatusExpired,
		Hidden: false, SubmittedAt: at.Add(-time.Minute), SweepAt: at.Add(3 * time.Hour), CurrentVersionID: newID(), CreatedBy: "mallory", CreatedAt: at, UpdatedAt: at.Add(time.Minute),
	}
	noErr(e.t, e.s.UpdateItem(e.ctx, upd), "UpdateItem")
	want := upd
	want.CreatedAt, want.CreatedBy = orig.CreatedAt, orig.CreatedBy
	want.Placements, want.ListIDs = []string{other.ID}, []string{l.ID}
	checkSame(e.t, "UpdateItem replaces every field but CreatedAt, CreatedBy, Placements and ListIDs", e.getItem(orig.ID), want)

	// Clearing optional times clears them.
	upd = want
	upd.AvailableAt, upd.ExpiresAt, upd.VerifiedAt, upd.VerifyBy, upd.Labels, upd.Owners = time.Time{}, time.Time{}, time.Time{}, time.Time{}, nil, nil
	upd.SubmittedAt, upd.SweepAt, upd.Hidden = time.Time{}, time.Time{}, true
	noErr(e.t, e.s.UpdateItem(e.ctx, upd), "UpdateItem clearing times")
	checkSame(e.t, "UpdateItem clearing AvailableAt, ExpiresAt, VerifiedAt, VerifyBy, SubmittedAt, SweepAt, Labels and Owners (and setting Hidden)", e.getItem(orig.ID), upd)

	// Moving home to a spot the item is placed in removes that placement.
	moved := upd
	moved.SpotID = other.ID
	noErr(e.t, e.s.UpdateItem(e.ctx, moved), "UpdateItem moving home into a placement spot")
	got := e.getItem(orig.ID)
	if got.SpotID != other.ID {
		e.t.Fatalf("UpdateItem did not move the home spot: SpotID %s, want %s", got.SpotID, other.ID)
	}
	if len(got.Placements) != 0 {
		e.t.Fatalf("moving an item's home to a spot it was placed in must remove that placement: Placements %v, want none", got.Placements)
	}
	checkIDs(e.t, "ListItems(SpotIDs: [new home]) after the move", e.listItems(items.ItemFilter{SpotIDs: []string{other.ID}}), []string{orig.ID})
	checkIDs(e.t, "ListItems(SpotIDs: [old home]) after the move", e.listItems(items.ItemFilter{SpotIDs: []string{home.ID}}), nil)
	// The old home is an ordinary spot again: the item may be placed there.
	noErr(e.t, e.s.PutPlacement(e.ctx, orig.ID, home.ID, e.now()), "PutPlacement into the former home spot")
	wantErr(e.t, e.s.PutPlacement(e.ctx, orig.ID, other.ID, e.now()), items.ErrConflict, "PutPlacement into the new home spot")
}

func testItemCopies(e *env) {
	s := e.createSpot("Home")
	p := e.createSpot("Placed")
	it := e.item(s.ID, "Deck")
	noErr(e.t, e.s.CreateItem(e.ctx, it), "CreateItem")
	noErr(e.t, e.s.PutPlacement(e.ctx, it.ID, p.ID, e.now()), "PutPlacement")
	g := e.listGroup("Industry")
	noErr(e.t, e.s.CreateListGroup(e.ctx, g), "CreateListGroup")
	l := e.list(g.ID, "Finance")
	noErr(e.t, e.s.CreateList(e.ctx, l), "CreateList")
	noErr(e.t, e.s.PutListItem(e.ctx, l.ID, it.ID), "PutListItem")
	want := it.Clone()
	want.Placements, want.ListIDs = []string{p.ID}, []string{l.ID}

	mutate := func(x *items.Item) {
		if len(x.Owners) > 0 {
			x.Owners[0].ID = "mutated"
		}
		for _, sl := range [][]string{x.Labels, x.PromotedKeywords, x.Placements, x.ListIDs} {
			if len(sl) > 0 {
				sl[0] = "mutated"
			}
		}
	}
	check := func(after string) {
		e.t.Helper()
		if d := diff(e.getItem(it.ID), want); len(d) > 0 {
			e.t.Fatalf("the stored item changed after %s (stores must copy slices in and out):\n\t%s", after, strings.Join(d, "\n\t"))
		}
	}
	mutate(&it)
	check("the caller modified the Owners, Labels and PromotedKeywords it passed to CreateItem")
	got := e.getItem(it.ID)
	mutate(&got)
	check("the caller modified the slices GetItem returned")
	list, err := e.s.ListItems(e.ctx, items.ItemFilter{AllSpots: true})
	noErr(e.t, err, "ListItems")
	mutate(&list[0])
	check("the caller modified the slices ListItems returned")

	upd := want.Clone()
	upd.Labels = []string{"a", "b"}
	want.Labels = []string{"a", "b"}
	noErr(e.t, e.s.UpdateItem(e.ctx, upd), "UpdateItem")
	mutate(&upd)
	check("the caller modified the slices it passed to UpdateItem")
}

var placementTests = []subtest{
	{"PutDelete", testPlacements},
	{"Errors", testPlacementErrors},
}

func testPlacements(e *env) {
	home := e.createSpot("Home")
	var placed []string
	for _, n := range []string{"A", "B", "C"} {
		placed = append(placed, e.createSpot(n).ID)
	}
	it := e.createItem(home.ID, "Deck")
	// Put in reverse order: Placements must come back sorted.
	for _, id := range slices.Backward(placed) {
		noErr(e.t, e.s.PutPlacement(e.ctx, it.ID, id, e.now()), "PutPlacement")
	}
	noErr(e.t, e.s.PutPlacement(e.ctx, it.ID, placed[1], e.now()), "PutPlacement again (must be a no-op)")
	want := slices.Sorted(slices.Values(placed))
	checkIDs(e.t, "Item.Placements after three PutPlacement calls (sorted, each once)", e.getItem(it.ID).Placements, want)

	noErr(e.t, e.s.DeletePlacement(e.ctx, it.ID, placed[1]), "DeletePlacement")
	want = slices.DeleteFunc(want, func(id string) bool { return id == placed[1] })
	checkIDs(e.t, "Item.Placements after DeletePlacement", e.getItem(it.ID).Placements, want)
	wantErr(e.t, e.s.DeletePlacement(e.ctx, it.ID, placed[1]), items.ErrNotFound, "DeletePlacement of a removed placement")

	// Placements of one item do not leak to another.
	it2 := e.createItem(home.ID, "Other")
	if got := e.getItem(it2.ID).Placements; len(got) != 0 {
		e.t.Fatalf("a new item has Placements %v, want none", got)
	}
}

func testPlacementErrors(e *env) {
	home := e.createSpot("Home")
	other := e.createSpot("Other")
	it := e.createItem(home.ID, "Deck")
	wantErr(e.t, e.s.PutPlacement(e.ctx, it.ID, home.ID, e.now()), items.ErrConflict, "PutPlacement into the item's own home spot")
	wantErr(e.t, e.s.PutPlacement(e.ctx, newID(), other.ID, e.now()), items.ErrNotFound, "PutPlacement of a missing item")
	wantErr(e.t, e.s.PutPlacement(e.ctx, it.ID, newID(), e.now()), items.ErrNotFound, "PutPlacement into a missing spot")
	wantErr(e.t, e.s.DeletePlacement(e.ctx, it.ID, other.ID), items.ErrNotFound, "DeletePlacement of a placement that does not exist")
	wantErr(e.t, e.s.DeletePlacement(e.ctx, it.ID, home.ID), items.ErrNotFound, "DeletePlacement of the home spot (the home is not a placement)")
	wantErr(e.t, e.s.DeletePlacement(e.ctx, newID(), other.ID), items.ErrNotFound, "DeletePlacement of a missing item")
	if got := e.getItem(it.ID); got.SpotID != home.ID || len(got.Placements) != 0 {
		e.t.Fatalf("refused placement calls changed the item: SpotID %s, Placements %v", got.SpotID, got.Placements)
	}
}

var versionTests = []subtest{
	{"RoundTrip", testVersionRoundTrip},
	{"NotFound", testVersionNotFound},
	{"Conflict", testVersionConflict},
	{"Copies", testVersionCopies},
}

func testVersionRoundTrip(e *env) {
	s := e.createSpot("Home")
	it := e.createItem(s.ID, "Deck")
	other := e.createItem(s.ID, "Other")
	v1 := e.version(it.ID, 1)
	checkPopulated(e.t, v1)
	v2 := e.version(it.ID, 2)
	v2.Pages, v2.PageCount = nil, 0
	v3 := e.version(it.ID, 3)
	// Stored out of order: ListVersions orders by number.
	for _, v := range []items.Version{v2, v3, v1, e.version(other.ID, 1)} {
		noErr(e.t, e.s.CreateVersion(e.ctx, v), "CreateVersion")
	}
	got, err := e.s.GetVersion(e.ctx, v1.ID)
	noErr(e.t, err, "GetVersion")
	checkSame(e.t, "GetVersion", got, v1)
	got, err = e.s.GetVersion(e.ctx, v2.ID)
	noErr(e.t, err, "GetVersion")
	checkSame(e.t, "GetVersion of a version without pages", got, v2)

	list, err := e.s.ListVersions(e.ctx, it.ID)
	noErr(e.t, err, "ListVersions")
	checkIDs(e.t, "ListVersions (one item's versions, number 1 first)", ids(list, func(v items.Version) string { return v.ID }),
		[]string{v1.ID, v2.ID, v3.ID})
	checkSame(e.t, "ListVersions returns full versions", list[0], v1)

	// Unicode and large text survive.
	big := e.version(it.ID, 4)
	big.Pages = []string{strings.Repeat("Grüße, 世界! ", 20000), "", "last"}
	noErr(e.t, e.s.CreateVersion(e.ctx, big), "CreateVersion with a large page")
	got, err = e.s.GetVersion(e.ctx, big.ID)
	noErr(e.t, err, "GetVersion")
	if len(got.Pages) != 3 || got.Pages[0] != big.Pages[0] || got.Pages[1] != "" || got.Pages[2] != "last" {
		e.t.Fatalf("Version.Pages with a 300 kB page, an empty page and a short one did not round-trip: got %d pages", len(got.Pages))
	}
}

func testVersionNotFound(e *env) {
	_, err := e.s.GetVersion(e.ctx, newID())
	wantErr(e.t, err, items.ErrNotFound, "GetVersion of a missing ID")
	wantErr(e.t, e.s.CreateVersion(e.ctx, e.version(newID(), 1)), items.ErrNotFound, "CreateVersion for a missing item")
	list, err := e.s.ListVersions(e.ctx, newID())
	if err != nil {
		wantErr(e.t, err, items.ErrNotFound, "ListVersions of a missing item (an empty list or ErrNotFound)")
	}
	if len(list) != 0 {
		e.t.Fatalf("ListVersions of a missing item returned %d versions", len(list))
	}
}

func testVersionConflict(e *env) {
	s := e.createSpot("Home")
	it := e.createItem(s.ID, "Deck")
	other := e.createItem(s.ID, "Other")
	v1 := e.version(it.ID, 1)
	noErr(e.t, e.s.CreateVersion(e.ctx, v1), "CreateVersion")
	dupID := e.version(it.ID, 2)
	dupID.ID = v1.ID
	wantErr(e.t, e.s.CreateVersion(e.ctx, dupID), items.ErrConflict, "CreateVersion with an existing ID")
	wantErr(e.t, e.s.CreateVersion(e.ctx, e.version(it.ID, 1)), items.ErrConflict, "CreateVersion with an existing (ItemID, Number)")
	noErr(e.t, e.s.CreateVersion(e.ctx, e.version(other.ID, 1)), "CreateVersion number 1 of another item (numbers are per item)")
	list, err := e.s.ListVersions(e.ctx, it.ID)
	noErr(e.t, err, "ListVersions")
	checkIDs(e.t, "ListVersions after refused CreateVersion calls", ids(list, func(v items.Version) string { return v.ID }), []string{v1.ID})
}

func testVersionCopies(e *env) {
	s := e.createSpot("Home")
	it := e.createItem(s.ID, "Deck")
	v := e.version(it.ID, 1)
	want := v.Clone()
	noErr(e.t, e.s.CreateVersion(e.ctx, v), "CreateVersion")
	check := func(after string) {
		e.t.Helper()
		got, err := e.s.GetVersion(e.ctx, v.ID)
		noErr(e.t, err, "GetVersion")
		if d := diff(got, want); len(d) > 0 {
			e.t.Fatalf("the stored version changed after %s (stores must copy slices in and out):\n\t%s", after, strings.Join(d, "\n\t"))
		}
	}
	v.Pages[0] = "mutated"
	check("the caller modified the Pages it passed to CreateVersion")
	got, err := e.s.GetVersion(e.ctx, v.ID)
	noErr(e.t, err, "GetVersion")
	got.Pages[0] = "mutated"
	check("the caller modified the Pages GetVersion returned")
	list, err := e.s.ListVersions(e.ctx, it.ID)
	noErr(e.t, err, "ListVersions")
	list[0].Pages[0] = "mutated"
	check("the caller modified the Pages ListVersions returned")
}
