package storetest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/briefcasehq/briefcase/items"
)

var listItemsTests = []subtest{
	{"Filters", testListItemsFilters},
	{"DefaultLimit", testListItemsDefaultLimit},
	{"Pagination", testListItemsPagination},
}

func testListItemsFilters(e *env) {
	a, b, c, d := e.createSpot("A"), e.createSpot("B"), e.createSpot("C"), e.createSpot("D")
	g := e.listGroup("Industry")
	noErr(e.t, e.s.CreateListGroup(e.ctx, g), "CreateListGroup")
	l1, l2 := e.list(g.ID, "Finance"), e.list(g.ID, "Energy")
	noErr(e.t, e.s.CreateList(e.ctx, l1), "CreateList")
	noErr(e.t, e.s.CreateList(e.ctx, l2), "CreateList")

	with := func(st items.Status, k items.Kind, aud items.Audience) func(*items.Item) {
		return func(it *items.Item) { it.Status, it.Kind, it.Audience = st, k, aud }
	}
	i1 := e.createItem(a.ID, "i1", with(items.StatusPublished, items.KindPresentation, items.External))
	i2 := e.createItem(b.ID, "i2", with(items.StatusDraft, items.KindPDF, items.Internal))
	i3 := e.createItem(c.ID, "i3", with(items.StatusPublished, items.KindVideo, items.External))
	i4 := e.createItem(c.ID, "i4", with(items.StatusArchived, items.KindDocument, items.Internal))
	i5 := e.createItem(d.ID, "i5", with(items.StatusExpired, items.KindPresentation, items.Internal))
	place := func(it items.Item, spotID string) {
		noErr(e.t, e.s.PutPlacement(e.ctx, it.ID, spotID, e.now()), "PutPlacement")
	}
	place(i2, a.ID)
	place(i3, a.ID)
	place(i3, b.ID)
	member := func(l items.List, it items.Item) {
		noErr(e.t, e.s.PutListItem(e.ctx, l.ID, it.ID), "PutListItem")
	}
	member(l1, i1)
	member(l1, i3)
	member(l2, i3)
	member(l2, i5)

	layout := fmt.Sprintf(`fixture (newest first):
	i5 %s home D, expired,   presentation, internal, list L2
	i4 %s home C, archived,  document,     internal
	i3 %s home C, published, video,        external, placed in A and B, lists L1 and L2
	i2 %s home B, draft,     pdf,          internal, placed in A
	i1 %s home A, published, presentation, external, list L1`, i5.ID, i4.ID, i3.ID, i2.ID, i1.ID)
	all := []string{i5.ID, i4.ID, i3.ID, i2.ID, i1.ID}
	S := func(ids ...string) []string { return ids }
	pub := []items.Status{items.StatusPublished}
	cases := []struct {
		name string
		f    items.ItemFilter
		want []string
	}{
		{"zero filter (nil SpotIDs, no AllSpots) matches nothing", items.ItemFilter{}, nil},
		{"empty SpotIDs matches nothing", items.ItemFilter{SpotIDs: []string{}}, nil},
		{"AllSpots", items.ItemFilter{AllSpots: true}, all},
		{"AllSpots with SpotIDs: AllSpots wins", items.ItemFilter{AllSpots: true, SpotIDs: S(d.ID)}, all},
		{"SpotIDs A: home or placement, each once", items.ItemFilter{SpotIDs: S(a.ID)}, S(i3.ID, i2.ID, i1.ID)},
		{"SpotIDs A, B, C: i3 once although it is in all three", items.ItemFilter{SpotIDs: S(a.ID, b.ID, c.ID)}, S(i4.ID, i3.ID, i2.ID, i1.ID)},
		{"SpotIDs D", items.ItemFilter{SpotIDs: S(d.ID)}, S(i5.ID)},
		{"SpotIDs of an unknown spot", items.ItemFilter{SpotIDs: S(newID())}, nil},
		{"Statuses published", items.ItemFilter{AllSpots: true, Statuses: pub}, S(i3.ID, i1.ID)},
		{"Statuses published and archived", items.ItemFilter{AllSpots: true, Statuses: []items.Status{items.StatusArchived, items.StatusPublished}}, S(i4.ID, i3.ID, i1.ID)},
		{"Statuses published, AnyStatusHomeIDs B: i2 (draft, home B) too",
			items.ItemFilter{SpotIDs: S(a.ID, b.ID, c.ID), Statuses: pub, AnyStatusHomeIDs: S(b.ID)}, S(i3.ID, i2.ID, i1.ID)},
		{"SpotIDs A, Statuses published, AnyStatusHomeIDs B: i2 is placed in A and its home is B",
			items.ItemFilter{SpotIDs: S(a.ID), Statuses: pub, AnyStatusHomeIDs: S(b.ID)}, S(i3.ID, i2.ID, i1.ID)},
		{"Statuses published, AnyStatusHomeIDs A: i2 is only placed in A; AnyStatusHomeIDs looks at the home spot",
			items.ItemFilter{SpotIDs: S(a.ID, b.ID, c.ID), Statuses: pub, AnyStatusHomeIDs: S(a.ID)}, S(i3.ID, i1.ID)},
		{"AnyStatusHomeIDs does not widen SpotIDs: home D is not in SpotIDs",
			items.ItemFilter{SpotIDs: S(a.ID), Statuses: pub, AnyStatusHomeIDs: S(d.ID)}, S(i3.ID, i1.ID)},
		{"Statuses [\"\"] with AnyStatusHomeIDs C: only items homed in C",
			items.ItemFilter{AllSpots: true, Statuses: []items.Status{""}, AnyStatusHomeIDs: S(c.ID)}, S(i4.ID, i3.ID)},
		{"AnyStatusHomeIDs without Statuses does not filter", items.ItemFilter{AllSpots: true, AnyStatusHomeIDs: S(a.ID)}, all},
		{"ListIDs L1", items.ItemFilter{AllSpots: true, ListIDs: S(l1.ID)}, S(i3.ID, i1.ID)},
		{"ListIDs L1 or L2: i3 once although it is in both", items.ItemFilter{AllSpots: true, ListIDs: S(l1.ID, l2.ID)}, S(i5.ID, i3.ID, i1.ID)},
		{"ListIDs of an unknown list", items.ItemFilter{AllSpots: true, ListIDs: S(newID())}, nil},
		{"Kinds presentation", items.ItemFilter{AllSpots: true, Kinds: []items.Kind{items.KindPresentation}}, S(i5.ID, i1.ID)},
		{"Kinds presentation or video", items.ItemFilter{AllSpots: true, Kinds: []items.Kind{items.KindVideo, items.KindPresentation}}, S(i5.ID, i3.ID, i1.ID)},
		{"Audience internal", items.ItemFilter{AllSpots: true, Audience: items.Internal}, S(i5.ID, i4.ID, i2.ID)},
		{"Audience external", items.ItemFilter{AllSpots: true, Audience: items.External}, S(i3.ID, i1.ID)},
		{"SpotIDs A, Kinds pdf or video, Audience internal",
			items.ItemFilter{SpotIDs: S(a.ID), Kinds: []items.Kind{items.KindPDF, items.KindVideo}, Audience: items.Internal}, S(i2.ID)},
		{"SpotIDs B, Statuses published, ListIDs L2", items.ItemFilter{SpotIDs: S(b.ID), Statuses: pub, ListIDs: S(l2.ID)}, S(i3.ID)},
		{"SpotIDs A, ListIDs L2 (i3 through its placement in A and list L2)", items.ItemFilter{SpotIDs: S(a.ID), ListIDs: S(l2.ID)}, S(i3.ID)},
		{"BeforeID i3", items.ItemFilter{AllSpots: true, BeforeID: i3.ID}, S(i2.ID, i1.ID)},
		{"BeforeID i3, Limit 1", items.ItemFilter{AllSpots: true, BeforeID: i3.ID, Limit: 1}, S(i2.ID)},
		{"BeforeID i1", items.ItemFilter{AllSpots: true, BeforeID: i1.ID}, nil},
		{"BeforeID newer than every item", items.ItemFilter{AllSpots: true, BeforeID: newID()}, all},
		{"Limit 2", items.ItemFilter{AllSpots: true, Limit: 2}, S(i5.ID, i4.ID)},
		{"SpotIDs A, Limit 2", items.ItemFilter{SpotIDs: S(a.ID), Limit: 2}, S(i3.ID, i2.ID)},
		{"Statuses published, Limit 1, BeforeID i3 (limit applies after filtering)",
			items.ItemFilter{AllSpots: true, Statuses: pub, BeforeID: i3.ID, Limit: 1}, S(i1.ID)},
	}
	for _, tc := range cases {
		got := e.listItems(tc.f)
		if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			checkIDs(e.t, "ListItems("+tc.name+")\n"+layout+"\n", got, tc.want)
		}
	}

	// Items from ListItems are complete, with placements and lists.
	list, err := e.s.ListItems(e.ctx, items.ItemFilter{SpotIDs: []string{b.ID}, Kinds: []items.Kind{items.KindVideo}})
	noErr(e.t, err, "ListItems")
	want := e.getItem(i3.ID)
	if len(want.Placements) != 2 || len(want.ListIDs) != 2 {
		e.t.Fatalf("GetItem(i3): Placements %v and ListIDs %v, want two of each", want.Placements, want.ListIDs)
	}
	if len(list) != 1 {
		e.t.Fatalf("ListItems(SpotIDs B, Kinds video) returned %d items, want i3", len(list))
	}
	checkSame(e.t, "ListItems must return the same complete item as GetItem (with Placements and ListIDs)", list[0], want)
}

func testListItemsDefaultLimit(e *env) {
	s := e.createSpot("Home")
	var all []string
	for i := range 105 {
		all = append(all, e.createItem(s.ID, fmt.Sprint("item ", i)).ID)
	}
	slices.Reverse(all)
	checkIDs(e.t, "ListItems(Limit 0) returns the 100 newest (zero means 100)", e.listItems(items.ItemFilter{SpotIDs: []string{s.ID}}), all[:100])
	checkIDs(e.t, "ListItems(Limit 105)", e.listItems(items.ItemFilter{SpotIDs: []string{s.ID}, Limit: 105}), all)
}

// testListItemsPagination walks every page of a filtered listing with the
// BeforeID cursor while other writers add newer items and delete items, and
// checks that each page is exactly what the contract promises: the Limit
// newest matching items older than the cursor.
func testListItemsPagination(e *env) {
	a := e.createSpot("A")
	b := e.createSpot("B")
	// matching: homed or placed in A, and published.
	matching := map[string]bool{}
	add := func(i int) string {
		home := a.ID
		if i%3 == 0 {
			home = b.ID
		}
		st := items.StatusPublished
		if i%5 == 0 {
			st = items.StatusDraft
		}
		it := e.createItem(home, fmt.Sprint("item ", i), func(it *items.Item) { it.Status = st })
		if home == b.ID && i%2 == 0 {
			noErr(e.t, e.s.PutPlacement(e.ctx, it.ID, a.ID, e.now()), "PutPlacement")
		}
		if st == items.StatusPublished && (home == a.ID || i%2 == 0) {
			matching[it.ID] = true
		}
		return it.ID
	}
	var created []string
	for i := range 60 {
		created = append(created, add(i))
	}
	f := items.ItemFilter{SpotIDs: []string{a.ID}, Statuses: []items.Status{items.StatusPublished}, Limit: 7}
	expect := func(cursor string) []string {
		var out []string
		for id := range matching {
			if cursor == "" || id < cursor {
				out = append(out, id)
			}
		}
		slices.Sort(out)
		slices.Reverse(out)
		return out[:min(len(out), f.Limit)]
	}

	var seen []string
	cursor := ""
	for page := 1; ; page++ {
		if page > 100 {
			e.t.Fatal("ListItems pagination did not end after 100 pages")
		}
		f.BeforeID = cursor
		got := e.listItems(f)
		checkIDs(e.t, fmt.Sprintf("ListItems page %d (BeforeID %q, Limit %d, SpotIDs [A], Statuses [published])", page, cursor, f.Limit),
			got, expect(cursor))
		if len(got) == 0 {
			break
		}
		seen = append(seen, got...)
		cursor = got[len(got)-1]
		switch page {
		case 1:
			// New items get larger IDs: they never show up on later pages.
			for i := 60; i < 66; i++ {
				add(i)
			}
		case 2:
			// Delete two items not yet seen and one already seen.
			var unseen []string
			for _, id := range created {
				if matching[id] && id < cursor {
					unseen = append(unseen, id)
				}
			}
			for _, id := range []string{unseen[0], unseen[len(unseen)/2], seen[0]} {
				noErr(e.t, e.s.DeleteItem(e.ctx, id), "DeleteItem")
				delete(matching, id)
			}
		case 3:
			// Unpublishing an unseen item removes it from later pages.
			for _, id := range created {
				if matching[id] && id < cursor {
					it := e.getItem(id)
					it.Status = items.StatusArchived
					noErr(e.t, e.s.UpdateItem(e.ctx, it), "UpdateItem")
					delete(matching, id)
					break
				}
			}
		}
	}
	if !slices.IsSortedFunc(seen, func(x, y string) int { return strings.Compare(y, x) }) {
		e.t.Fatalf("pages of ListItems are not in strictly decreasing ID order overall: %v", seen)
	}
	if len(seen) < 20 {
		e.t.Fatalf("storetest bug: only %d items were paged through", len(seen))
	}
}
