package storetest

import (
	"slices"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
)

var cascadeTests = []subtest{
	{"DeleteSpot", testDeleteSpotCascade},
	{"DeleteItem", testDeleteItemCascade},
}

// cascadeFixture is a spot "doomed" with everything that hangs off it, and
// a spot "kept" with an item placed in doomed.
type cascadeFixture struct {
	doomed, kept           spots.Spot
	homed, survivor        items.Item // homed in doomed (placed in kept); homed in kept (placed in doomed)
	homedV1, homedV2       items.Version
	survivorV1             items.Version
	list                   items.List
	doomedGrant, keptGrant spots.Grant
}

func (e *env) cascadeFixture() cascadeFixture {
	e.t.Helper()
	var f cascadeFixture
	f.doomed = e.createSpot("Doomed")
	f.kept = e.createSpot("Kept")
	f.doomedGrant = e.grant(f.doomed.ID, spots.User("alice"), spots.Owner)
	f.keptGrant = e.grant(f.kept.ID, spots.User("alice"), spots.Owner)
	noErr(e.t, e.s.PutGrant(e.ctx, f.doomedGrant), "PutGrant")
	noErr(e.t, e.s.PutGrant(e.ctx, f.keptGrant), "PutGrant")
	noErr(e.t, e.s.PutGrant(e.ctx, e.grant(f.doomed.ID, spots.Group("sales"), spots.Viewer)), "PutGrant")

	f.homed = e.createItem(f.doomed.ID, "Homed in doomed")
	f.survivor = e.createItem(f.kept.ID, "Homed in kept")
	noErr(e.t, e.s.PutPlacement(e.ctx, f.homed.ID, f.kept.ID, e.now()), "PutPlacement homed→kept")
	noErr(e.t, e.s.PutPlacement(e.ctx, f.survivor.ID, f.doomed.ID, e.now()), "PutPlacement survivor→doomed")
	f.homedV1, f.homedV2, f.survivorV1 = e.version(f.homed.ID, 1), e.version(f.homed.ID, 2), e.version(f.survivor.ID, 1)
	for _, v := range []items.Version{f.homedV1, f.homedV2, f.survivorV1} {
		noErr(e.t, e.s.CreateVersion(e.ctx, v), "CreateVersion")
	}
	g := e.listGroup("Industry")
	noErr(e.t, e.s.CreateListGroup(e.ctx, g), "CreateListGroup")
	f.list = e.list(g.ID, "Finance")
	noErr(e.t, e.s.CreateList(e.ctx, f.list), "CreateList")
	for _, it := range []items.Item{f.homed, f.survivor} {
		noErr(e.t, e.s.PutListItem(e.ctx, f.list.ID, it.ID), "PutListItem")
		for _, who := range []string{"alice", "bob"} {
			noErr(e.t, e.s.PutBookmark(e.ctx, items.Bookmark{PrincipalID: who, ItemID: it.ID, CreatedAt: e.now()}), "PutBookmark")
		}
	}
	return f
}

// checkItemGone checks that an item and everything that hung off it is
// deleted, not merely hidden: re-creating an item with the same ID starts
// empty.
func (e *env) checkItemGone(it items.Item, versions []items.Version, list items.List, spotIDs []string, after string) {
	e.t.Helper()
	_, err := e.s.GetItem(e.ctx, it.ID)
	wantErr(e.t, err, items.ErrNotFound, "GetItem of an item deleted by "+after)
	for _, v := range versions {
		_, err := e.s.GetVersion(e.ctx, v.ID)
		wantErr(e.t, err, items.ErrNotFound, "GetVersion of a version of an item deleted by "+after)
	}
	for _, who := range []string{"alice", "bob"} {
		wantErr(e.t, e.s.DeleteBookmark(e.ctx, who, it.ID), items.ErrNotFound,
			"DeleteBookmark of a bookmark of an item deleted by "+after+" (bookmarks must be deleted with the item)")
	}
	if slices.Contains(e.listItems(items.ItemFilter{AllSpots: true, ListIDs: []string{list.ID}}), it.ID) {
		e.t.Fatalf("ListItems(ListIDs) still returns an item deleted by %s", after)
	}
	if slices.Contains(e.listItems(items.ItemFilter{SpotIDs: spotIDs}), it.ID) {
		e.t.Fatalf("ListItems(SpotIDs) still returns an item deleted by %s", after)
	}

	// Re-create it with the same ID in a fresh spot: nothing of the old one
	// may come back.
	home := e.createSpot("Fresh home")
	again := e.item(home.ID, "Re-created")
	again.ID = it.ID
	noErr(e.t, e.s.CreateItem(e.ctx, again), "CreateItem reusing the ID of an item deleted by "+after)
	got := e.getItem(it.ID)
	if len(got.Placements) != 0 || len(got.ListIDs) != 0 {
		e.t.Fatalf("an item re-created with the ID of one deleted by %s came back with the old placements %v and lists %v: they must be deleted with the item",
			after, got.Placements, got.ListIDs)
	}
	vs, err := e.s.ListVersions(e.ctx, it.ID)
	noErr(e.t, err, "ListVersions")
	if len(vs) != 0 {
		e.t.Fatalf("an item re-created with the ID of one deleted by %s has %d old versions: versions must be deleted with the item", after, len(vs))
	}
	for _, v := range versions {
		noErr(e.t, e.s.CreateVersion(e.ctx, v), "CreateVersion reusing a version ID deleted by "+after)
	}
	bs, err := e.s.ListBookmarks(e.ctx, items.BookmarkFilter{PrincipalID: "alice", SpotIDs: []string{home.ID}})
	noErr(e.t, err, "ListBookmarks")
	if len(bs) != 0 {
		e.t.Fatalf("an item re-created with the ID of one deleted by %s is still bookmarked: bookmarks must be deleted with the item", after)
	}
}

func testDeleteSpotCascade(e *env) {
	f := e.cascadeFixture()
	noErr(e.t, e.s.DeleteSpot(e.ctx, f.doomed.ID), "DeleteSpot")

	_, err := e.s.GetSpot(e.ctx, f.doomed.ID)
	wantErr(e.t, err, spots.ErrNotFound, "GetSpot after DeleteSpot")
	grants, err := e.s.ListGrants(e.ctx, f.doomed.ID)
	if err != nil {
		wantErr(e.t, err, spots.ErrNotFound, "ListGrants of a deleted spot")
	}
	if len(grants) != 0 {
		e.t.Fatalf("ListGrants of a deleted spot returned %+v: DeleteSpot must delete its grants", grants)
	}
	held, err := e.s.GrantsForSubjects(e.ctx, []spots.Subject{spots.User("alice"), spots.Group("sales")})
	noErr(e.t, err, "GrantsForSubjects")
	checkIDs(e.t, "GrantsForSubjects after DeleteSpot (grants on the deleted spot must be gone)",
		ids(held, func(g spots.Grant) string { return g.SpotID }), []string{f.kept.ID})

	// The survivor stays, without its placement in the deleted spot.
	got := e.getItem(f.survivor.ID)
	if len(got.Placements) != 0 {
		e.t.Fatalf("an item homed elsewhere and placed in a deleted spot still has Placements %v: DeleteSpot must remove placements into it", got.Placements)
	}
	checkIDs(e.t, "survivor's ListIDs after DeleteSpot (its own list memberships stay)", got.ListIDs, []string{f.list.ID})
	vs, err := e.s.ListVersions(e.ctx, f.survivor.ID)
	noErr(e.t, err, "ListVersions of the survivor")
	e.is.Equal(len(vs), 1) // the survivor keeps its version after DeleteSpot of a spot it was placed in
	bs, err := e.s.ListBookmarks(e.ctx, items.BookmarkFilter{PrincipalID: "alice", SpotIDs: []string{f.kept.ID, f.doomed.ID}})
	noErr(e.t, err, "ListBookmarks")
	checkIDs(e.t, "ListBookmarks after DeleteSpot (only the survivor's bookmark stays)",
		ids(bs, func(b items.Bookmark) string { return b.ItemID }), []string{f.survivor.ID})
	checkIDs(e.t, "ListItems(SpotIDs: [deleted spot])", e.listItems(items.ItemFilter{SpotIDs: []string{f.doomed.ID}}), nil)
	checkIDs(e.t, "ListItems(SpotIDs: [kept spot]) after DeleteSpot", e.listItems(items.ItemFilter{SpotIDs: []string{f.kept.ID}}),
		[]string{f.survivor.ID})
	wantErr(e.t, e.s.DeletePlacement(e.ctx, f.survivor.ID, f.doomed.ID), items.ErrNotFound, "DeletePlacement into a deleted spot")

	e.checkItemGone(f.homed, []items.Version{f.homedV1, f.homedV2}, f.list, []string{f.kept.ID, f.doomed.ID}, "DeleteSpot of its home")

	// A spot re-created with the same ID starts empty.
	again := e.spot("Doomed again")
	again.ID = f.doomed.ID
	noErr(e.t, e.s.CreateSpot(e.ctx, again), "CreateSpot reusing the ID of a deleted spot")
	grants, err = e.s.ListGrants(e.ctx, f.doomed.ID)
	noErr(e.t, err, "ListGrants")
	if len(grants) != 0 {
		e.t.Fatalf("a spot re-created with the ID of a deleted one came back with its grants %+v", grants)
	}
	checkIDs(e.t, "ListItems(SpotIDs: [re-created spot])", e.listItems(items.ItemFilter{SpotIDs: []string{f.doomed.ID}}), nil)
}

func testDeleteItemCascade(e *env) {
	f := e.cascadeFixture()
	noErr(e.t, e.s.DeleteItem(e.ctx, f.homed.ID), "DeleteItem")
	e.checkItemGone(f.homed, []items.Version{f.homedV1, f.homedV2}, f.list, []string{f.kept.ID, f.doomed.ID}, "DeleteItem")

	// Nothing else is touched.
	_, err := e.s.GetSpot(e.ctx, f.doomed.ID)
	noErr(e.t, err, "GetSpot of the home spot of a deleted item")
	got := e.getItem(f.survivor.ID)
	checkIDs(e.t, "Placements of another item after DeleteItem", got.Placements, []string{f.doomed.ID})
	checkIDs(e.t, "ListIDs of another item after DeleteItem", got.ListIDs, []string{f.list.ID})
	_, err = e.s.GetVersion(e.ctx, f.survivorV1.ID)
	noErr(e.t, err, "GetVersion of another item's version after DeleteItem")
	bs, err := e.s.ListBookmarks(e.ctx, items.BookmarkFilter{PrincipalID: "bob", SpotIDs: []string{f.kept.ID}})
	noErr(e.t, err, "ListBookmarks")
	checkIDs(e.t, "bob's bookmarks after DeleteItem of another item", ids(bs, func(b items.Bookmark) string { return b.ItemID }),
		[]string{f.survivor.ID})
	grants, err := e.s.ListGrants(e.ctx, f.doomed.ID)
	noErr(e.t, err, "ListGrants")
	if len(grants) != 2 {
		e.t.Fatalf("DeleteItem changed the grants of its home spot: %+v", grants)
	}
}
