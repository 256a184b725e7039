package storetest

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/auth"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
)

var atomicTests = []subtest{
	{"Commit", testAtomicCommit},
	{"RollbackOnError", testAtomicRollbackOnError},
	{"RollbackOnPanic", testAtomicRollbackOnPanic},
	{"ReadsOwnWrites", testAtomicReadsOwnWrites},
	{"Nested", testAtomicNested},
	{"RefusedWriteInside", testAtomicRefusedWrite},
	{"Isolation", testAtomicIsolation},
	{"CloseOnTx", testAtomicCloseOnTx},
}

// world is a set of writes across every domain, made through one store
// (usually a transaction), and the means to check whether they happened.
type world struct {
	existing     items.Item // created before; updated by the writes
	deleted      items.Item // created before; deleted by the writes
	spot         spots.Spot
	item         items.Item
	version      items.Version
	group        items.ListGroup
	list         items.List
	principal    spots.Principal
	token        auth.Token
	auditAction  string
	grantSubject spots.Subject
}

func (e *env) newWorld() *world {
	e.t.Helper()
	home := e.createSpot("Home")
	w := &world{
		existing: e.createItem(home.ID, "Existing"),
		deleted:  e.createItem(home.ID, "To delete"),
	}
	w.spot = e.spot("New spot")
	w.item = e.item(w.spot.ID, "New item")
	w.version = e.version(w.item.ID, 1)
	w.group = e.listGroup("New group")
	w.list = e.list(w.group.ID, "New list")
	w.principal = e.principal("new-user")
	w.token = e.token("new-user")
	w.auditAction = "test." + newID()
	w.grantSubject = spots.User("new-user")
	return w
}

// write makes every write of the world through tx.
func (e *env) writeWorld(tx store.Store, w *world) error {
	steps := []struct {
		name string
		do   func() error
	}{
		{"CreateSpot", func() error { return tx.CreateSpot(e.ctx, w.spot) }},
		{"PutGrant", func() error { return tx.PutGrant(e.ctx, e.grant(w.spot.ID, w.grantSubject, spots.Owner)) }},
		{"PutPrincipal", func() error { return tx.PutPrincipal(e.ctx, w.principal) }},
		{"CreateItem", func() error { return tx.CreateItem(e.ctx, w.item) }},
		{"CreateVersion", func() error { return tx.CreateVersion(e.ctx, w.version) }},
		{"PutPlacement", func() error { return tx.PutPlacement(e.ctx, w.existing.ID, w.spot.ID, e.now()) }},
		{"CreateListGroup", func() error { return tx.CreateListGroup(e.ctx, w.group) }},
		{"CreateList", func() error { return tx.CreateList(e.ctx, w.list) }},
		{"PutListItem", func() error { return tx.PutListItem(e.ctx, w.list.ID, w.existing.ID) }},
		{"PutBookmark", func() error {
			return tx.PutBookmark(e.ctx, items.Bookmark{PrincipalID: "new-user", ItemID: w.existing.ID, CreatedAt: e.now()})
		}},
		{"CreateToken", func() error { return tx.CreateToken(e.ctx, w.token) }},
		{"AppendAudit", func() error {
			return tx.AppendAudit(e.ctx, audit.Entry{At: e.now(), Actor: "alice", Action: w.auditAction})
		}},
		{"UpdateItem", func() error {
			upd := w.existing
			upd.Title = "Updated in tx"
			return tx.UpdateItem(e.ctx, upd)
		}},
		{"DeleteItem", func() error { return tx.DeleteItem(e.ctx, w.deleted.ID) }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			return fmt.Errorf("%s in Atomic: %w", s.name, err)
		}
	}
	return nil
}

// checkWorld checks that either every write of the world is visible
// through r (present) or none is.
func (e *env) checkWorld(r store.Store, w *world, present bool, when string) {
	e.t.Helper()
	var seen, missing []string
	note := func(name string, ok bool) {
		if ok {
			seen = append(seen, name)
		} else {
			missing = append(missing, name)
		}
	}
	_, err := r.GetSpot(e.ctx, w.spot.ID)
	note("CreateSpot", err == nil)
	grants, _ := r.ListGrants(e.ctx, w.spot.ID)
	note("PutGrant", len(grants) == 1)
	_, err = r.GetPrincipal(e.ctx, w.principal.ID)
	note("PutPrincipal", err == nil)
	_, err = r.GetItem(e.ctx, w.item.ID)
	note("CreateItem", err == nil)
	_, err = r.GetVersion(e.ctx, w.version.ID)
	note("CreateVersion", err == nil)
	ex, err := r.GetItem(e.ctx, w.existing.ID)
	noErr(e.t, err, "GetItem of an item created before the transaction")
	note("PutPlacement", slices.Contains(ex.Placements, w.spot.ID))
	note("PutListItem", slices.Contains(ex.ListIDs, w.list.ID))
	note("UpdateItem", ex.Title == "Updated in tx")
	_, err = r.GetListGroup(e.ctx, w.group.ID)
	note("CreateListGroup", err == nil)
	_, err = r.GetList(e.ctx, w.list.ID)
	note("CreateList", err == nil)
	bs, _ := r.ListBookmarks(e.ctx, items.BookmarkFilter{PrincipalID: "new-user", SpotIDs: []string{w.existing.SpotID}})
	note("PutBookmark", len(bs) == 1)
	_, err = r.TokenByHash(e.ctx, w.token.Hash)
	note("CreateToken", err == nil)
	entries, err := r.ListAudit(e.ctx, audit.Filter{Actor: "alice", Limit: 1000})
	noErr(e.t, err, "ListAudit")
	note("AppendAudit", slices.ContainsFunc(entries, func(en audit.Entry) bool { return en.Action == w.auditAction }))
	_, err = r.GetItem(e.ctx, w.deleted.ID)
	note("DeleteItem", errors.Is(err, items.ErrNotFound))

	switch {
	case present && len(missing) > 0:
		e.t.Fatalf("%s: these writes are missing: %v (seen: %v)", when, missing, seen)
	case !present && len(seen) > 0:
		e.t.Fatalf("%s: these writes are visible but must not be: %v (a transaction is all or nothing)", when, seen)
	}
}

func testAtomicCommit(e *env) {
	w := e.newWorld()
	err := e.s.Atomic(e.ctx, func(tx store.Store) error { return e.writeWorld(tx, w) })
	noErr(e.t, err, "Atomic")
	e.checkWorld(e.s, w, true, "after Atomic committed (fn returned nil)")
}

func testAtomicRollbackOnError(e *env) {
	w := e.newWorld()
	errBoom := errors.New("boom")
	before := e.lastSeq()
	err := e.s.Atomic(e.ctx, func(tx store.Store) error {
		if err := e.writeWorld(tx, w); err != nil {
			return err
		}
		return fmt.Errorf("service refused: %w", errBoom)
	})
	wantErr(e.t, err, errBoom, "Atomic must return fn's error")
	e.checkWorld(e.s, w, false, "after Atomic rolled back (fn returned an error)")
	if seq := e.lastSeq(); seq != before {
		e.t.Fatalf("LastChangeSeq moved from %d to %d over a rolled-back transaction", before, seq)
	}
	// The store is still usable, and the same writes now succeed.
	err = e.s.Atomic(e.ctx, func(tx store.Store) error { return e.writeWorld(tx, w) })
	noErr(e.t, err, "Atomic repeating the writes of a rolled-back transaction")
	e.checkWorld(e.s, w, true, "after repeating the rolled-back writes")
}

func testAtomicRollbackOnPanic(e *env) {
	w := e.newWorld()
	type boom struct{ n int }
	var recovered any
	func() {
		defer func() { recovered = recover() }()
		_ = e.s.Atomic(e.ctx, func(tx store.Store) error {
			if err := e.writeWorld(tx, w); err != nil {
				return err
			}
			panic(boom{42})
		})
	}()
	if recovered != (boom{42}) {
		e.t.Fatalf("Atomic must re-raise fn's panic with the same value: recovered %#v", recovered)
	}
	e.checkWorld(e.s, w, false, "after fn panicked inside Atomic")
	// Nothing is left locked: writes, reads and transactions still work.
	done := make(chan error, 1)
	go func() {
		done <- e.s.Atomic(e.ctx, func(tx store.Store) error { return e.writeWorld(tx, w) })
	}()
	select {
	case err := <-done:
		noErr(e.t, err, "Atomic after a panicking one")
	case <-time.After(30 * time.Second):
		e.t.Fatal("Atomic after a panicking Atomic did not return within 30s: the panic left a lock or a transaction open")
	}
	e.checkWorld(e.s, w, true, "after a transaction that followed a panicking one")
}

func testAtomicReadsOwnWrites(e *env) {
	w := e.newWorld()
	err := e.s.Atomic(e.ctx, func(tx store.Store) error {
		if err := e.writeWorld(tx, w); err != nil {
			return err
		}
		e.checkWorld(tx, w, true, "reads through tx inside Atomic")
		got, err := tx.ListItems(e.ctx, items.ItemFilter{SpotIDs: []string{w.spot.ID}})
		if err != nil {
			return err
		}
		checkIDs(e.t, "ListItems through tx inside Atomic (the new item and the one placed in the new spot)",
			ids(got, itemID), []string{w.item.ID, w.existing.ID})
		sps, err := tx.ListSpots(e.ctx, spots.SpotFilter{IDs: []string{w.spot.ID}})
		if err != nil {
			return err
		}
		checkIDs(e.t, "ListSpots through tx inside Atomic", ids(sps, spotID), []string{w.spot.ID})
		vs, err := tx.ListVersions(e.ctx, w.item.ID)
		if err != nil {
			return err
		}
		e.is.Equal(len(vs), 1) // ListVersions through tx inside Atomic returns the version just created
		return nil
	})
	noErr(e.t, err, "Atomic")
}

func testAtomicNested(e *env) {
	errBoom := errors.New("boom")
	w := e.newWorld()
	err := e.s.Atomic(e.ctx, func(tx store.Store) error {
		if err := tx.CreateSpot(e.ctx, w.spot); err != nil {
			return err
		}
		err := tx.Atomic(e.ctx, func(inner store.Store) error {
			if _, err := inner.GetSpot(e.ctx, w.spot.ID); err != nil {
				return fmt.Errorf("the nested transaction does not see the outer one's write: %w", err)
			}
			return inner.CreateItem(e.ctx, w.item)
		})
		if err != nil {
			return err
		}
		if _, err := tx.GetItem(e.ctx, w.item.ID); err != nil {
			return fmt.Errorf("the outer transaction does not see the nested one's write: %w", err)
		}
		return errBoom
	})
	wantErr(e.t, err, errBoom, "Atomic with a nested Atomic")
	_, err = e.s.GetItem(e.ctx, w.item.ID)
	wantErr(e.t, err, items.ErrNotFound, "GetItem of an item written by a nested Atomic whose outer transaction rolled back (nested Atomic joins the outer transaction)")
	_, err = e.s.GetSpot(e.ctx, w.spot.ID)
	wantErr(e.t, err, spots.ErrNotFound, "GetSpot of a spot written by a rolled-back transaction")

	err = e.s.Atomic(e.ctx, func(tx store.Store) error {
		return tx.Atomic(e.ctx, func(inner store.Store) error {
			return inner.Atomic(e.ctx, func(inner2 store.Store) error { return e.writeWorld(inner2, w) })
		})
	})
	noErr(e.t, err, "Atomic nested three deep")
	e.checkWorld(e.s, w, true, "after a committed transaction whose writes were made three Atomic calls deep")
}

func testAtomicRefusedWrite(e *env) {
	s := e.createSpot("Home")
	it := e.createItem(s.ID, "Deck")
	fresh := e.spot("Fresh")
	err := e.s.Atomic(e.ctx, func(tx store.Store) error {
		if err := tx.CreateItem(e.ctx, it); !errors.Is(err, items.ErrConflict) {
			return fmt.Errorf("CreateItem with an existing ID inside Atomic: got %v, want items.ErrConflict", err)
		}
		if _, err := tx.GetItem(e.ctx, newID()); !errors.Is(err, items.ErrNotFound) {
			return fmt.Errorf("GetItem of a missing ID inside Atomic: got %v, want items.ErrNotFound", err)
		}
		// The transaction is still usable after refused calls.
		return tx.CreateSpot(e.ctx, fresh)
	})
	noErr(e.t, err, "Atomic continuing after a refused write (a refused call must not abort the transaction; on PostgreSQL use a savepoint)")
	_, err = e.s.GetSpot(e.ctx, fresh.ID)
	noErr(e.t, err, "GetSpot of a spot written after a refused call in the same transaction")
	checkSame(e.t, "the item a refused CreateItem collided with", e.getItem(it.ID), it)
}

// testAtomicIsolation checks that a reader outside a transaction never sees
// its writes before it commits. A store may make the reader wait for the
// commit instead; then the check proves nothing, but nothing is wrong.
func testAtomicIsolation(e *env) {
	s := e.createSpot("Home")
	it := e.item(s.ID, "In flight")
	type result struct{ err error }
	var early []result
	read := make(chan result, 1)
	err := e.s.Atomic(e.ctx, func(tx store.Store) error {
		if err := tx.CreateItem(e.ctx, it); err != nil {
			return err
		}
		go func() {
			_, err := e.s.GetItem(e.ctx, it.ID)
			read <- result{err}
		}()
		select {
		case r := <-read:
			early = append(early, r)
		case <-time.After(200 * time.Millisecond):
			// The reader waits for the commit: allowed.
		}
		return nil
	})
	noErr(e.t, err, "Atomic")
	if len(early) == 0 {
		<-read
	}
	for _, r := range early {
		if r.err == nil {
			e.t.Fatal("a GetItem outside a transaction saw an item the transaction had written but not yet committed")
		}
		wantErr(e.t, r.err, items.ErrNotFound, "GetItem outside a transaction of an item it has not committed yet")
	}
	e.getItem(it.ID)
}

func testAtomicCloseOnTx(e *env) {
	s := e.spot("Home")
	err := e.s.Atomic(e.ctx, func(tx store.Store) error {
		if err := tx.Close(); err != nil {
			return fmt.Errorf("Close on a tx must be a no-op returning nil: %w", err)
		}
		return tx.CreateSpot(e.ctx, s)
	})
	noErr(e.t, err, "Atomic whose fn calls tx.Close and then writes")
	_, err = e.s.GetSpot(e.ctx, s.ID)
	noErr(e.t, err, "GetSpot after a transaction that called tx.Close (the store must stay open)")
}
