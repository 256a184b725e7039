package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
)

var changeFeedTests = []subtest{
	{"Empty", testChangesEmpty},
	{"ContentWrites", testChangesContentWrites},
	{"CascadingDeletes", testChangesCascade},
	{"NotContent", testChangesNotContent},
	{"FailedWrites", testChangesFailedWrites},
	{"CommitOrder", testChangesOrder},
	{"Paging", testChangesPaging},
	{"DefaultLimit", testChangesDefaultLimit},
	{"Rollback", testChangesRollback},
}

// allChanges reads every change after seq, page by page, checking the
// ordering contract on the way.
func (e *env) allChanges(after int64) []store.Change {
	e.t.Helper()
	var out []store.Change
	for {
		page, err := e.s.Changes(e.ctx, after, 500)
		noErr(e.t, err, "Changes")
		for _, c := range page {
			if c.Seq <= after {
				e.t.Fatalf("Changes(after %d) returned a change with Seq %d: Seq must be strictly increasing and greater than after", after, c.Seq)
			}
			after = c.Seq
		}
		out = append(out, page...)
		if len(page) < 500 {
			return out
		}
	}
}

func (e *env) lastSeq() int64 {
	e.t.Helper()
	seq, err := e.s.LastChangeSeq(e.ctx)
	noErr(e.t, err, "LastChangeSeq")
	return seq
}

func change(ent store.Entity, id string, op store.Op) store.Change {
	return store.Change{Entity: ent, EntityID: id, Op: op}
}

func showChange(c store.Change) string { return fmt.Sprintf("%s %s %s", c.Op, c.Entity, c.EntityID) }

// expectChanges runs write and checks that the changes it appended are
// exactly want (as a set: a store may record an entity more than once in a
// transaction, but nothing else).
func (e *env) expectChanges(what string, want []store.Change, write func() error) {
	e.t.Helper()
	before := e.lastSeq()
	noErr(e.t, write(), what)
	got := e.allChanges(before)
	var gotKeys, wantKeys []string
	for _, c := range got {
		gotKeys = append(gotKeys, showChange(c))
	}
	for _, c := range want {
		wantKeys = append(wantKeys, showChange(c))
	}
	slices.Sort(gotKeys)
	slices.Sort(wantKeys)
	if !slices.Equal(slices.Compact(gotKeys), slices.Compact(wantKeys)) {
		e.t.Fatalf("%s: the change feed recorded\n\t%s\nwant\n\t%s\n(see the store.ChangeFeed contract for what each write records)",
			what, strings.Join(orNone(gotKeys), "\n\t"), strings.Join(orNone(wantKeys), "\n\t"))
	}
	if len(got) > 0 {
		if last := e.lastSeq(); last != got[len(got)-1].Seq {
			e.t.Fatalf("%s: LastChangeSeq is %d, but the newest change has Seq %d", what, last, got[len(got)-1].Seq)
		}
	}
}

func orNone(s []string) []string {
	if len(s) == 0 {
		return []string{"(nothing)"}
	}
	return s
}

func testChangesEmpty(e *env) {
	if seq := e.lastSeq(); seq != 0 {
		e.t.Fatalf("LastChangeSeq of an empty store is %d, want 0", seq)
	}
	got, err := e.s.Changes(e.ctx, 0, 0)
	noErr(e.t, err, "Changes")
	if len(got) != 0 {
		e.t.Fatalf("Changes of an empty store returned %v", got)
	}
}

func testChangesContentWrites(e *env) {
	const up, del = store.OpUpsert, store.OpDelete
	s := e.spot("Home")
	e.expectChanges("CreateSpot", []store.Change{change(store.EntitySpot, s.ID, up)},
		func() error { return e.s.CreateSpot(e.ctx, s) })
	s.Name = "Home 2"
	e.expectChanges("UpdateSpot", []store.Change{change(store.EntitySpot, s.ID, up)},
		func() error { return e.s.UpdateSpot(e.ctx, s) })
	other := e.createSpot("Other")

	it := e.item(s.ID, "Deck")
	item := func(op store.Op) []store.Change { return []store.Change{change(store.EntityItem, it.ID, op)} }
	e.expectChanges("CreateItem", item(up), func() error { return e.s.CreateItem(e.ctx, it) })
	it.Title = "Deck 2"
	e.expectChanges("UpdateItem", item(up), func() error { return e.s.UpdateItem(e.ctx, it) })
	e.expectChanges("PutPlacement (records the item)", item(up), func() error { return e.s.PutPlacement(e.ctx, it.ID, other.ID, e.now()) })
	e.expectChanges("DeletePlacement (records the item)", item(up), func() error { return e.s.DeletePlacement(e.ctx, it.ID, other.ID) })
	e.expectChanges("CreateVersion (records the item)", item(up), func() error { return e.s.CreateVersion(e.ctx, e.version(it.ID, 1)) })

	g := e.listGroup("Industry")
	e.expectChanges("CreateListGroup", []store.Change{change(store.EntityListGroup, g.ID, up)},
		func() error { return e.s.CreateListGroup(e.ctx, g) })
	g.Name = "Industries"
	e.expectChanges("UpdateListGroup", []store.Change{change(store.EntityListGroup, g.ID, up)},
		func() error { return e.s.UpdateListGroup(e.ctx, g) })
	l := e.list(g.ID, "Finance")
	e.expectChanges("CreateList", []store.Change{change(store.EntityList, l.ID, up)},
		func() error { return e.s.CreateList(e.ctx, l) })
	l.Name = "Banking"
	e.expectChanges("UpdateList", []store.Change{change(store.EntityList, l.ID, up)},
		func() error { return e.s.UpdateList(e.ctx, l) })
	e.expectChanges("PutListItem (records the item)", item(up), func() error { return e.s.PutListItem(e.ctx, l.ID, it.ID) })
	e.expectChanges("DeleteListItem (records the item)", item(up), func() error { return e.s.DeleteListItem(e.ctx, l.ID, it.ID) })
	e.expectChanges("DeleteList", []store.Change{change(store.EntityList, l.ID, del)},
		func() error { return e.s.DeleteList(e.ctx, l.ID) })
	e.expectChanges("DeleteListGroup", []store.Change{change(store.EntityListGroup, g.ID, del)},
		func() error { return e.s.DeleteListGroup(e.ctx, g.ID) })

	e.expectChanges("DeleteItem", item(del), func() error { return e.s.DeleteItem(e.ctx, it.ID) })
	e.expectChanges("DeleteSpot of an empty spot", []store.Change{change(store.EntitySpot, other.ID, del)},
		func() error { return e.s.DeleteSpot(e.ctx, other.ID) })
}

// testChangesCascade checks that deletions record every entity whose
// indexed view they change: items they delete (delete), items that lose a
// placement or a list membership (upsert), lists deleted with their group.
func testChangesCascade(e *env) {
	const up, del = store.OpUpsert, store.OpDelete
	f := e.cascadeFixture()
	plain := e.createItem(f.kept.ID, "Not involved")
	homed2 := e.createItem(f.doomed.ID, "Also homed in doomed")
	e.expectChanges("DeleteSpot (deletes the items homed in it, removes placements into it from the others)",
		[]store.Change{
			change(store.EntitySpot, f.doomed.ID, del),
			change(store.EntityItem, f.homed.ID, del),
			change(store.EntityItem, homed2.ID, del),
			change(store.EntityItem, f.survivor.ID, up),
		},
		func() error { return e.s.DeleteSpot(e.ctx, f.doomed.ID) })

	g := e.listGroup("Region")
	noErr(e.t, e.s.CreateListGroup(e.ctx, g), "CreateListGroup")
	l1, l2, empty := e.list(g.ID, "EMEA"), e.list(g.ID, "AMER"), e.list(g.ID, "APJ")
	for _, l := range []items.List{l1, l2, empty} {
		noErr(e.t, e.s.CreateList(e.ctx, l), "CreateList")
	}
	noErr(e.t, e.s.PutListItem(e.ctx, l1.ID, f.survivor.ID), "PutListItem")
	noErr(e.t, e.s.PutListItem(e.ctx, l2.ID, plain.ID), "PutListItem")
	noErr(e.t, e.s.PutListItem(e.ctx, l1.ID, plain.ID), "PutListItem")
	e.expectChanges("DeleteList (records the list and every item that was in it)",
		[]store.Change{change(store.EntityList, l1.ID, del), change(store.EntityItem, f.survivor.ID, up), change(store.EntityItem, plain.ID, up)},
		func() error { return e.s.DeleteList(e.ctx, l1.ID) })
	e.expectChanges("DeleteListGroup (records the group, each of its lists, and every item that was in one)",
		[]store.Change{change(store.EntityListGroup, g.ID, del), change(store.EntityList, l2.ID, del),
			change(store.EntityList, empty.ID, del), change(store.EntityItem, plain.ID, up)},
		func() error { return e.s.DeleteListGroup(e.ctx, g.ID) })

	third := e.createSpot("Third")
	noErr(e.t, e.s.PutPlacement(e.ctx, plain.ID, third.ID, e.now()), "PutPlacement")
	noErr(e.t, e.s.PutPlacement(e.ctx, f.survivor.ID, third.ID, e.now()), "PutPlacement")
	e.expectChanges("DeleteItem of a placed item in lists (records only the item)",
		[]store.Change{change(store.EntityItem, f.survivor.ID, del)},
		func() error { return e.s.DeleteItem(e.ctx, f.survivor.ID) })

	moved := e.getItem(plain.ID)
	moved.SpotID = moved.Placements[0]
	e.expectChanges("UpdateItem moving the home into a placement spot", []store.Change{change(store.EntityItem, plain.ID, up)},
		func() error { return e.s.UpdateItem(e.ctx, moved) })
}

func testChangesNotContent(e *env) {
	s := e.createSpot("Home")
	it := e.createItem(s.ID, "Deck")
	tok := e.token("alice")
	writes := []struct {
		name  string
		write func() error
	}{
		{"PutGrant", func() error { return e.s.PutGrant(e.ctx, e.grant(s.ID, spots.User("alice"), spots.Owner)) }},
		{"DeleteGrant", func() error { return e.s.DeleteGrant(e.ctx, s.ID, spots.User("alice")) }},
		{"PutPrincipal", func() error { return e.s.PutPrincipal(e.ctx, e.principal("alice")) }},
		{"PutBookmark", func() error {
			return e.s.PutBookmark(e.ctx, items.Bookmark{PrincipalID: "alice", ItemID: it.ID, CreatedAt: e.now()})
		}},
		{"DeleteBookmark", func() error { return e.s.DeleteBookmark(e.ctx, "alice", it.ID) }},
		{"CreateToken", func() error { return e.s.CreateToken(e.ctx, tok) }},
		{"DeleteToken", func() error { return e.s.DeleteToken(e.ctx, tok.ID) }},
		{"AppendAudit", func() error { return e.s.AppendAudit(e.ctx, e.entry("item.update")) }},
	}
	for _, w := range writes {
		e.expectChanges(w.name+" (not content: records nothing)", nil, w.write)
	}
}

func testChangesFailedWrites(e *env) {
	s := e.createSpot("Home")
	it := e.createItem(s.ID, "Deck")
	noErr(e.t, e.s.CreateVersion(e.ctx, e.version(it.ID, 1)), "CreateVersion")
	g := e.listGroup("Industry")
	noErr(e.t, e.s.CreateListGroup(e.ctx, g), "CreateListGroup")
	failing := []struct {
		name     string
		sentinel error
		write    func() error
	}{
		{"CreateSpot with an existing ID", spots.ErrConflict, func() error { return e.s.CreateSpot(e.ctx, s) }},
		{"UpdateSpot of a missing spot", spots.ErrNotFound, func() error { return e.s.UpdateSpot(e.ctx, e.spot("Ghost")) }},
		{"DeleteSpot of a missing spot", spots.ErrNotFound, func() error { return e.s.DeleteSpot(e.ctx, newID()) }},
		{"CreateItem with an existing ID", items.ErrConflict, func() error { return e.s.CreateItem(e.ctx, it) }},
		{"CreateItem in a missing spot", items.ErrNotFound, func() error { return e.s.CreateItem(e.ctx, e.item(newID(), "x")) }},
		{"UpdateItem of a missing item", items.ErrNotFound, func() error { return e.s.UpdateItem(e.ctx, e.item(s.ID, "x")) }},
		{"DeleteItem of a missing item", items.ErrNotFound, func() error { return e.s.DeleteItem(e.ctx, newID()) }},
		{"PutPlacement into the home spot", items.ErrConflict, func() error { return e.s.PutPlacement(e.ctx, it.ID, s.ID, e.now()) }},
		{"DeletePlacement that does not exist", items.ErrNotFound, func() error { return e.s.DeletePlacement(e.ctx, it.ID, newID()) }},
		{"CreateVersion with an existing number", items.ErrConflict, func() error { return e.s.CreateVersion(e.ctx, e.version(it.ID, 1)) }},
		{"CreateListGroup with a taken name", items.ErrConflict, func() error { return e.s.CreateListGroup(e.ctx, e.listGroup("INDUSTRY")) }},
		{"CreateList in a missing group", items.ErrNotFound, func() error { return e.s.CreateList(e.ctx, e.list(newID(), "x")) }},
		{"PutListItem into a missing list", items.ErrNotFound, func() error { return e.s.PutListItem(e.ctx, newID(), it.ID) }},
		{"DeleteListItem that does not exist", items.ErrNotFound, func() error { return e.s.DeleteListItem(e.ctx, newID(), it.ID) }},
	}
	for _, f := range failing {
		before := e.lastSeq()
		wantErr(e.t, f.write(), f.sentinel, f.name)
		if got := e.allChanges(before); len(got) > 0 {
			e.t.Fatalf("%s failed but recorded changes %v: a failed write must leave the feed as it was", f.name, got)
		}
	}
}

func testChangesOrder(e *env) {
	base := e.lastSeq()
	s := e.createSpot("Home")
	it := e.createItem(s.ID, "Deck")
	s.Name = "Renamed"
	noErr(e.t, e.s.UpdateSpot(e.ctx, s), "UpdateSpot")
	noErr(e.t, e.s.DeleteItem(e.ctx, it.ID), "DeleteItem")
	got := e.allChanges(base)
	want := []string{
		showChange(change(store.EntitySpot, s.ID, store.OpUpsert)),
		showChange(change(store.EntityItem, it.ID, store.OpUpsert)),
		showChange(change(store.EntitySpot, s.ID, store.OpUpsert)),
		showChange(change(store.EntityItem, it.ID, store.OpDelete)),
	}
	checkIDs(e.t, "the change feed after CreateSpot, CreateItem, UpdateSpot, DeleteItem (one change each, in commit order)",
		ids(got, showChange), want)
}

func testChangesPaging(e *env) {
	s := e.createSpot("Home")
	for i := range 9 {
		e.createItem(s.ID, fmt.Sprint("item ", i))
	}
	all := e.allChanges(0)
	e.is.Equal(len(all), 10) // after CreateSpot and 9 CreateItem calls the feed holds 10 changes
	var paged []store.Change
	after := int64(0)
	for range 20 {
		page, err := e.s.Changes(e.ctx, after, 3)
		noErr(e.t, err, "Changes")
		if len(page) > 3 {
			e.t.Fatalf("Changes(after %d, limit 3) returned %d changes", after, len(page))
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		after = page[len(page)-1].Seq
	}
	checkIDs(e.t, "the changes read in pages of 3 with the after cursor", ids(paged, showChange), ids(all, showChange))
	for i := range all {
		if paged[i].Seq != all[i].Seq {
			e.t.Fatalf("change %d has Seq %d read in pages and %d read at once", i, paged[i].Seq, all[i].Seq)
		}
	}
	mid, err := e.s.Changes(e.ctx, all[4].Seq, 2)
	noErr(e.t, err, "Changes")
	checkIDs(e.t, "Changes(after the 5th change's Seq, limit 2)", ids(mid, showChange), ids(all[5:7], showChange))
	last := e.lastSeq()
	if last != all[9].Seq {
		e.t.Fatalf("LastChangeSeq is %d, want the Seq of the newest change, %d", last, all[9].Seq)
	}
	none, err := e.s.Changes(e.ctx, last, 10)
	noErr(e.t, err, "Changes")
	if len(none) != 0 {
		e.t.Fatalf("Changes(after LastChangeSeq) returned %v, want nothing", none)
	}
}

func testChangesDefaultLimit(e *env) {
	err := e.s.Atomic(e.ctx, func(tx store.Store) error {
		for i := range 1001 {
			if err := tx.CreateListGroup(e.ctx, e.listGroup(fmt.Sprint("group ", i))); err != nil {
				return err
			}
		}
		return nil
	})
	noErr(e.t, err, "CreateListGroup 1001 times in Atomic")
	got, err := e.s.Changes(e.ctx, 0, 0)
	noErr(e.t, err, "Changes")
	if len(got) != 1000 {
		e.t.Fatalf("Changes(0, limit 0) returned %d changes with 1001 in the feed: zero means 1000", len(got))
	}
	got, err = e.s.Changes(e.ctx, 0, 2000)
	noErr(e.t, err, "Changes")
	if len(got) != 1001 {
		e.t.Fatalf("Changes(0, limit 2000) returned %d changes, want 1001", len(got))
	}
}

func testChangesRollback(e *env) {
	s := e.createSpot("Home")
	before := e.lastSeq()
	var doomed []string
	errBoom := errors.New("boom")
	err := e.s.Atomic(e.ctx, func(tx store.Store) error {
		sp := e.spot("Rolled back")
		it := e.item(s.ID, "Rolled back")
		doomed = append(doomed, sp.ID, it.ID)
		if err := tx.CreateSpot(e.ctx, sp); err != nil {
			return err
		}
		if err := tx.CreateItem(e.ctx, it); err != nil {
			return err
		}
		return errBoom
	})
	wantErr(e.t, err, errBoom, "Atomic whose fn returned an error")
	func() {
		defer func() { _ = recover() }()
		_ = e.s.Atomic(e.ctx, func(tx store.Store) error {
			it := e.item(s.ID, "Panicked")
			doomed = append(doomed, it.ID)
			if err := tx.CreateItem(e.ctx, it); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	if seq := e.lastSeq(); seq != before {
		e.t.Fatalf("LastChangeSeq moved from %d to %d after rolled-back transactions", before, seq)
	}
	committed := e.createItem(s.ID, "Committed")
	got := e.allChanges(before)
	for _, c := range got {
		if slices.Contains(doomed, c.EntityID) {
			e.t.Fatalf("the change feed holds %s, written in a transaction that was rolled back", showChange(c))
		}
	}
	checkIDs(e.t, "the change feed after two rolled-back transactions and one CreateItem", ids(got, showChange),
		[]string{showChange(change(store.EntityItem, committed.ID, store.OpUpsert))})

	// Changes made inside a committed Atomic all appear, after commit.
	var made []string
	err = e.s.Atomic(e.ctx, func(tx store.Store) error {
		for range 3 {
			it := e.item(s.ID, "In tx")
			made = append(made, showChange(change(store.EntityItem, it.ID, store.OpUpsert)))
			if err := tx.CreateItem(e.ctx, it); err != nil {
				return err
			}
		}
		return nil
	})
	noErr(e.t, err, "Atomic")
	got = e.allChanges(before)
	checkIDs(e.t, "the change feed after a committed Atomic with three CreateItem calls", ids(got, showChange)[1:], made)
}
