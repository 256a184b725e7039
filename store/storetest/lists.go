package storetest

import (
	"slices"

	"github.com/briefcasehq/briefcase/items"
)

var listTests = []subtest{
	{"GroupRoundTrip", testListGroupRoundTrip},
	{"GroupConflict", testListGroupConflict},
	{"ListRoundTrip", testListRoundTrip},
	{"ListConflict", testListConflict},
	{"NotFound", testListNotFound},
	{"Membership", testListMembership},
	{"DeleteList", testDeleteList},
	{"DeleteListGroup", testDeleteListGroup},
}

func testListGroupRoundTrip(e *env) {
	// Names chosen so byte order and case-insensitive order agree.
	industry := e.listGroup("Industry")
	checkPopulated(e.t, industry)
	region := e.listGroup("Region")
	audience := e.listGroup("Audience")
	for _, g := range []items.ListGroup{industry, region, audience} {
		noErr(e.t, e.s.CreateListGroup(e.ctx, g), "CreateListGroup "+g.Name)
	}
	got, err := e.s.GetListGroup(e.ctx, industry.ID)
	noErr(e.t, err, "GetListGroup")
	checkSame(e.t, "GetListGroup", got, industry)
	all, err := e.s.ListListGroups(e.ctx)
	noErr(e.t, err, "ListListGroups")
	checkIDs(e.t, "ListListGroups (ordered by name)", ids(all, groupID), []string{audience.ID, industry.ID, region.ID})
	checkSame(e.t, "ListListGroups returns full groups", all[1], industry)

	upd := industry
	upd.Name, upd.UpdatedAt = "Industries", e.now()
	noErr(e.t, e.s.UpdateListGroup(e.ctx, upd), "UpdateListGroup")
	got, err = e.s.GetListGroup(e.ctx, industry.ID)
	noErr(e.t, err, "GetListGroup after UpdateListGroup")
	checkSame(e.t, "GetListGroup after UpdateListGroup renamed it", got, upd)

	// Changing only the case of its own name is not a conflict with itself.
	upd.Name = "INDUSTRIES"
	noErr(e.t, e.s.UpdateListGroup(e.ctx, upd), "UpdateListGroup changing only the case of the group's own name")
}

func testListGroupConflict(e *env) {
	g := e.listGroup("Industry")
	noErr(e.t, e.s.CreateListGroup(e.ctx, g), "CreateListGroup")
	dup := e.listGroup("Other")
	dup.ID = g.ID
	wantErr(e.t, e.s.CreateListGroup(e.ctx, dup), items.ErrConflict, "CreateListGroup with an existing ID")
	wantErr(e.t, e.s.CreateListGroup(e.ctx, e.listGroup("Industry")), items.ErrConflict, "CreateListGroup with an existing name")
	wantErr(e.t, e.s.CreateListGroup(e.ctx, e.listGroup("iNDUSTRY")), items.ErrConflict,
		"CreateListGroup with an existing name in another case (names compare case-insensitively)")

	r := e.listGroup("Region")
	noErr(e.t, e.s.CreateListGroup(e.ctx, r), "CreateListGroup")
	taken := r
	taken.Name = "industry"
	wantErr(e.t, e.s.UpdateListGroup(e.ctx, taken), items.ErrConflict, "UpdateListGroup to another group's name (in another case)")
	got, err := e.s.GetListGroup(e.ctx, r.ID)
	noErr(e.t, err, "GetListGroup")
	checkSame(e.t, "a refused UpdateListGroup must leave the group as it was", got, r)
	all, err := e.s.ListListGroups(e.ctx)
	noErr(e.t, err, "ListListGroups")
	checkIDs(e.t, "ListListGroups after refused writes", ids(all, groupID), []string{g.ID, r.ID})
}

func testListRoundTrip(e *env) {
	// Group and list names chosen so that "by group" means the same whether
	// an adapter orders by group ID or group name.
	g1 := e.listGroup("Industry")
	g2 := e.listGroup("Region")
	noErr(e.t, e.s.CreateListGroup(e.ctx, g1), "CreateListGroup")
	noErr(e.t, e.s.CreateListGroup(e.ctx, g2), "CreateListGroup")
	finance := e.list(g1.ID, "Finance")
	checkPopulated(e.t, finance)
	public := e.list(g1.ID, "Public Sector")
	energy := e.list(g1.ID, "Energy")
	emea := e.list(g2.ID, "EMEA")
	amer := e.list(g2.ID, "AMER")
	for _, l := range []items.List{public, emea, finance, amer, energy} {
		noErr(e.t, e.s.CreateList(e.ctx, l), "CreateList "+l.Name)
	}
	got, err := e.s.GetList(e.ctx, finance.ID)
	noErr(e.t, err, "GetList")
	checkSame(e.t, "GetList", got, finance)

	ls, err := e.s.ListLists(e.ctx, g1.ID)
	noErr(e.t, err, "ListLists")
	checkIDs(e.t, "ListLists(group) (one group's lists by name)", ids(ls, listID), []string{energy.ID, finance.ID, public.ID})
	ls, err = e.s.ListLists(e.ctx, "")
	noErr(e.t, err, "ListLists")
	checkIDs(e.t, "ListLists(\"\") (every group, ordered by group then name)", ids(ls, listID),
		[]string{energy.ID, finance.ID, public.ID, amer.ID, emea.ID})
	checkSame(e.t, "ListLists returns full lists", ls[1], finance)
	ls, err = e.s.ListLists(e.ctx, newID())
	if err != nil {
		wantErr(e.t, err, items.ErrNotFound, "ListLists of a missing group (an empty list or ErrNotFound)")
	}
	checkIDs(e.t, "ListLists of a missing group", ids(ls, listID), nil)

	// UpdateList renames and moves.
	upd := finance
	upd.Name, upd.GroupID, upd.UpdatedAt = "Banking", g2.ID, e.now()
	noErr(e.t, e.s.UpdateList(e.ctx, upd), "UpdateList moving and renaming")
	got, err = e.s.GetList(e.ctx, finance.ID)
	noErr(e.t, err, "GetList after UpdateList")
	checkSame(e.t, "GetList after UpdateList renamed it and moved it to another group", got, upd)
	ls, err = e.s.ListLists(e.ctx, g2.ID)
	noErr(e.t, err, "ListLists")
	checkIDs(e.t, "ListLists(new group) after UpdateList moved a list into it", ids(ls, listID), []string{amer.ID, finance.ID, emea.ID})
}

func testListConflict(e *env) {
	g1 := e.listGroup("Industry")
	g2 := e.listGroup("Region")
	noErr(e.t, e.s.CreateListGroup(e.ctx, g1), "CreateListGroup")
	noErr(e.t, e.s.CreateListGroup(e.ctx, g2), "CreateListGroup")
	l := e.list(g1.ID, "Finance")
	noErr(e.t, e.s.CreateList(e.ctx, l), "CreateList")
	dup := e.list(g2.ID, "Other")
	dup.ID = l.ID
	wantErr(e.t, e.s.CreateList(e.ctx, dup), items.ErrConflict, "CreateList with an existing ID")
	wantErr(e.t, e.s.CreateList(e.ctx, e.list(g1.ID, "Finance")), items.ErrConflict, "CreateList with a name taken in the same group")
	noErr(e.t, e.s.CreateList(e.ctx, e.list(g2.ID, "Finance")), "CreateList with a name taken in another group (names are unique per group)")

	// Renaming or moving onto a taken name is refused too.
	other := e.list(g1.ID, "Energy")
	noErr(e.t, e.s.CreateList(e.ctx, other), "CreateList")
	taken := other
	taken.Name = "Finance"
	wantErr(e.t, e.s.UpdateList(e.ctx, taken), items.ErrConflict, "UpdateList renaming to a name taken in the same group")
	got, err := e.s.GetList(e.ctx, other.ID)
	noErr(e.t, err, "GetList")
	checkSame(e.t, "a refused UpdateList must leave the list as it was", got, other)
}

func testListNotFound(e *env) {
	missing := newID()
	_, err := e.s.GetListGroup(e.ctx, missing)
	wantErr(e.t, err, items.ErrNotFound, "GetListGroup of a missing ID")
	wantErr(e.t, e.s.UpdateListGroup(e.ctx, e.listGroup("Ghost")), items.ErrNotFound, "UpdateListGroup of a missing group")
	wantErr(e.t, e.s.DeleteListGroup(e.ctx, missing), items.ErrNotFound, "DeleteListGroup of a missing group")
	_, err = e.s.GetList(e.ctx, missing)
	wantErr(e.t, err, items.ErrNotFound, "GetList of a missing ID")
	wantErr(e.t, e.s.CreateList(e.ctx, e.list(missing, "Orphan")), items.ErrNotFound, "CreateList in a missing group")
	wantErr(e.t, e.s.DeleteList(e.ctx, missing), items.ErrNotFound, "DeleteList of a missing list")

	g := e.listGroup("Industry")
	noErr(e.t, e.s.CreateListGroup(e.ctx, g), "CreateListGroup")
	wantErr(e.t, e.s.UpdateList(e.ctx, e.list(g.ID, "Ghost")), items.ErrNotFound, "UpdateList of a missing list")
	l := e.list(g.ID, "Finance")
	noErr(e.t, e.s.CreateList(e.ctx, l), "CreateList")
	moved := l
	moved.GroupID = missing
	wantErr(e.t, e.s.UpdateList(e.ctx, moved), items.ErrNotFound, "UpdateList moving a list to a missing group")

	s := e.createSpot("Home")
	it := e.createItem(s.ID, "Deck")
	wantErr(e.t, e.s.PutListItem(e.ctx, missing, it.ID), items.ErrNotFound, "PutListItem into a missing list")
	wantErr(e.t, e.s.PutListItem(e.ctx, l.ID, missing), items.ErrNotFound, "PutListItem of a missing item")
	wantErr(e.t, e.s.DeleteListItem(e.ctx, l.ID, it.ID), items.ErrNotFound, "DeleteListItem of an item not in the list")
	wantErr(e.t, e.s.DeleteListItem(e.ctx, missing, it.ID), items.ErrNotFound, "DeleteListItem from a missing list")
}

func testListMembership(e *env) {
	g := e.listGroup("Industry")
	noErr(e.t, e.s.CreateListGroup(e.ctx, g), "CreateListGroup")
	var ls []string
	for _, n := range []string{"A", "B", "C"} {
		l := e.list(g.ID, n)
		noErr(e.t, e.s.CreateList(e.ctx, l), "CreateList")
		ls = append(ls, l.ID)
	}
	s := e.createSpot("Home")
	it := e.createItem(s.ID, "Deck")
	other := e.createItem(s.ID, "Other")
	for _, id := range slices.Backward(ls) {
		noErr(e.t, e.s.PutListItem(e.ctx, id, it.ID), "PutListItem")
	}
	noErr(e.t, e.s.PutListItem(e.ctx, ls[0], it.ID), "PutListItem again (must be a no-op)")
	noErr(e.t, e.s.PutListItem(e.ctx, ls[0], other.ID), "PutListItem other")
	checkIDs(e.t, "Item.ListIDs after PutListItem into three lists (sorted, each once)", e.getItem(it.ID).ListIDs, slices.Sorted(slices.Values(ls)))
	noErr(e.t, e.s.DeleteListItem(e.ctx, ls[1], it.ID), "DeleteListItem")
	checkIDs(e.t, "Item.ListIDs after DeleteListItem", e.getItem(it.ID).ListIDs, []string{ls[0], ls[2]})
	checkIDs(e.t, "Item.ListIDs of another item", e.getItem(other.ID).ListIDs, []string{ls[0]})
	wantErr(e.t, e.s.DeleteListItem(e.ctx, ls[1], it.ID), items.ErrNotFound, "DeleteListItem twice")
}

func testDeleteList(e *env) {
	g := e.listGroup("Industry")
	noErr(e.t, e.s.CreateListGroup(e.ctx, g), "CreateListGroup")
	l := e.list(g.ID, "Finance")
	keep := e.list(g.ID, "Energy")
	noErr(e.t, e.s.CreateList(e.ctx, l), "CreateList")
	noErr(e.t, e.s.CreateList(e.ctx, keep), "CreateList")
	s := e.createSpot("Home")
	it := e.createItem(s.ID, "Deck")
	noErr(e.t, e.s.PutListItem(e.ctx, l.ID, it.ID), "PutListItem")
	noErr(e.t, e.s.PutListItem(e.ctx, keep.ID, it.ID), "PutListItem")
	noErr(e.t, e.s.DeleteList(e.ctx, l.ID), "DeleteList")
	_, err := e.s.GetList(e.ctx, l.ID)
	wantErr(e.t, err, items.ErrNotFound, "GetList after DeleteList")
	checkIDs(e.t, "Item.ListIDs after one of its lists was deleted", e.getItem(it.ID).ListIDs, []string{keep.ID})
	checkIDs(e.t, "ListItems(ListIDs: [deleted list])", e.listItems(items.ItemFilter{AllSpots: true, ListIDs: []string{l.ID}}), nil)
	// Memberships are gone, not hidden: a new list with the same ID is empty.
	again := e.list(g.ID, "Finance")
	again.ID = l.ID
	noErr(e.t, e.s.CreateList(e.ctx, again), "CreateList reusing the ID (and name) of a deleted list")
	checkIDs(e.t, "ListItems(ListIDs: [re-created list]) (memberships of the deleted list must be gone)",
		e.listItems(items.ItemFilter{AllSpots: true, ListIDs: []string{l.ID}}), nil)
}

func testDeleteListGroup(e *env) {
	g := e.listGroup("Industry")
	keepGroup := e.listGroup("Region")
	noErr(e.t, e.s.CreateListGroup(e.ctx, g), "CreateListGroup")
	noErr(e.t, e.s.CreateListGroup(e.ctx, keepGroup), "CreateListGroup")
	l1, l2 := e.list(g.ID, "Finance"), e.list(g.ID, "Energy")
	keep := e.list(keepGroup.ID, "EMEA")
	for _, l := range []items.List{l1, l2, keep} {
		noErr(e.t, e.s.CreateList(e.ctx, l), "CreateList")
	}
	s := e.createSpot("Home")
	it := e.createItem(s.ID, "Deck")
	for _, l := range []items.List{l1, l2, keep} {
		noErr(e.t, e.s.PutListItem(e.ctx, l.ID, it.ID), "PutListItem")
	}
	noErr(e.t, e.s.DeleteListGroup(e.ctx, g.ID), "DeleteListGroup")
	_, err := e.s.GetListGroup(e.ctx, g.ID)
	wantErr(e.t, err, items.ErrNotFound, "GetListGroup after DeleteListGroup")
	for _, l := range []items.List{l1, l2} {
		_, err := e.s.GetList(e.ctx, l.ID)
		wantErr(e.t, err, items.ErrNotFound, "GetList of a list whose group was deleted (DeleteListGroup deletes its lists)")
	}
	ls, err := e.s.ListLists(e.ctx, "")
	noErr(e.t, err, "ListLists")
	checkIDs(e.t, "ListLists(\"\") after DeleteListGroup", ids(ls, listID), []string{keep.ID})
	checkIDs(e.t, "Item.ListIDs after DeleteListGroup (memberships in its lists are gone)", e.getItem(it.ID).ListIDs, []string{keep.ID})
	// The name is free again, and so are the IDs.
	noErr(e.t, e.s.CreateListGroup(e.ctx, e.listGroup("industry")), "CreateListGroup with the name of a deleted group")
	g2 := e.listGroup("Other")
	noErr(e.t, e.s.CreateListGroup(e.ctx, g2), "CreateListGroup")
	again := e.list(g2.ID, "Finance")
	again.ID = l1.ID
	noErr(e.t, e.s.CreateList(e.ctx, again), "CreateList reusing the ID of a list deleted with its group")
	checkIDs(e.t, "ListItems(ListIDs: [re-created list]) (memberships must be gone, not hidden)",
		e.listItems(items.ItemFilter{AllSpots: true, ListIDs: []string{l1.ID}}), nil)
}

var bookmarkTests = []subtest{
	{"RoundTrip", testBookmarks},
	{"SpotFilter", testBookmarkSpotFilter},
}

func testBookmarks(e *env) {
	s := e.createSpot("Home")
	it1 := e.createItem(s.ID, "One")
	it2 := e.createItem(s.ID, "Two")
	it3 := e.createItem(s.ID, "Three")
	b1 := items.Bookmark{PrincipalID: "alice", ItemID: it1.ID, CreatedAt: e.now()}
	checkPopulated(e.t, b1)
	b2 := items.Bookmark{PrincipalID: "alice", ItemID: it2.ID, CreatedAt: e.now()}
	b3 := items.Bookmark{PrincipalID: "alice", ItemID: it3.ID, CreatedAt: e.now()}
	bob := items.Bookmark{PrincipalID: "bob", ItemID: it1.ID, CreatedAt: e.now()}
	for _, b := range []items.Bookmark{b2, b1, b3, bob} {
		noErr(e.t, e.s.PutBookmark(e.ctx, b), "PutBookmark")
	}
	// Putting it again keeps the first bookmark.
	again := b1
	again.CreatedAt = e.now()
	noErr(e.t, e.s.PutBookmark(e.ctx, again), "PutBookmark of an existing bookmark")

	f := items.BookmarkFilter{PrincipalID: "alice", SpotIDs: []string{s.ID}}
	got, err := e.s.ListBookmarks(e.ctx, f)
	noErr(e.t, err, "ListBookmarks")
	bid := func(b items.Bookmark) string { return b.ItemID }
	checkIDs(e.t, "ListBookmarks (one principal's, newest CreatedAt first)", ids(got, bid), []string{it3.ID, it2.ID, it1.ID})
	checkSame(e.t, "ListBookmarks after PutBookmark of an existing bookmark (it keeps the first CreatedAt)", got[2], b1)

	noErr(e.t, e.s.DeleteBookmark(e.ctx, "alice", it2.ID), "DeleteBookmark")
	got, err = e.s.ListBookmarks(e.ctx, f)
	noErr(e.t, err, "ListBookmarks")
	checkIDs(e.t, "ListBookmarks after DeleteBookmark", ids(got, bid), []string{it3.ID, it1.ID})
	got, err = e.s.ListBookmarks(e.ctx, items.BookmarkFilter{PrincipalID: "bob", SpotIDs: []string{s.ID}})
	noErr(e.t, err, "ListBookmarks")
	checkIDs(e.t, "ListBookmarks of bob", ids(got, bid), []string{it1.ID})

	wantErr(e.t, e.s.DeleteBookmark(e.ctx, "alice", it2.ID), items.ErrNotFound, "DeleteBookmark twice")
	wantErr(e.t, e.s.DeleteBookmark(e.ctx, "carol", it1.ID), items.ErrNotFound, "DeleteBookmark of a principal without that bookmark")
	wantErr(e.t, e.s.PutBookmark(e.ctx, items.Bookmark{PrincipalID: "alice", ItemID: newID(), CreatedAt: e.now()}),
		items.ErrNotFound, "PutBookmark of a missing item")
}

func testBookmarkSpotFilter(e *env) {
	a := e.createSpot("A")
	b := e.createSpot("B")
	c := e.createSpot("C")
	inA := e.createItem(a.ID, "In A")
	inB := e.createItem(b.ID, "In B")
	placedInA := e.createItem(c.ID, "In C, placed in A")
	noErr(e.t, e.s.PutPlacement(e.ctx, placedInA.ID, a.ID, e.now()), "PutPlacement")
	for _, it := range []items.Item{inA, inB, placedInA} {
		noErr(e.t, e.s.PutBookmark(e.ctx, items.Bookmark{PrincipalID: "alice", ItemID: it.ID, CreatedAt: e.now()}), "PutBookmark")
	}
	bid := func(b items.Bookmark) string { return b.ItemID }
	cases := []struct {
		name    string
		spotIDs []string
		want    []string
	}{
		{"SpotIDs nil matches nothing", nil, nil},
		{"SpotIDs empty matches nothing", []string{}, nil},
		{"home or placement in A", []string{a.ID}, []string{placedInA.ID, inA.ID}},
		{"home in B", []string{b.ID}, []string{inB.ID}},
		{"home in C", []string{c.ID}, []string{placedInA.ID}},
		{"A and C: each bookmark once", []string{a.ID, c.ID}, []string{placedInA.ID, inA.ID}},
		{"unknown spot", []string{newID()}, nil},
	}
	for _, tc := range cases {
		got, err := e.s.ListBookmarks(e.ctx, items.BookmarkFilter{PrincipalID: "alice", SpotIDs: tc.spotIDs})
		noErr(e.t, err, "ListBookmarks "+tc.name)
		checkIDs(e.t, "ListBookmarks("+tc.name+")", ids(got, bid), tc.want)
	}
}
