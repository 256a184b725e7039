package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
)

func openTest(t testing.TB, opts Options) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "briefcase.db"), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func testSpot(name string) spots.Spot {
	now := time.Now().UTC().Truncate(time.Microsecond)
	return spots.Spot{ID: newID(), Name: name, Kind: spots.KindTeam, Visibility: spots.Public,
		CreatedAt: now, UpdatedAt: now}
}

func testItem(spotID, title string) items.Item {
	now := time.Now().UTC().Truncate(time.Microsecond)
	return items.Item{ID: newID(), SpotID: spotID, Kind: items.KindLink, Title: title, Audience: items.External,
		Labels: []string{"a", "b"}, Source: items.Source{Type: items.SourceURL, URL: "https://example.com"},
		Status: items.StatusPublished, CreatedBy: "alice", CreatedAt: now, UpdatedAt: now}
}

func TestOpenMigrateReopen(t *testing.T) {
	is := is.New(t)
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "briefcase.db")

	db, err := Open(ctx, path, Options{})
	is.NoErr(err)
	cur, latest, err := db.SchemaVersion(ctx)
	is.NoErr(err)
	is.Equal(cur, latest)
	is.True(latest >= 1)
	is.NoErr(db.Migrate(ctx)) // idempotent
	is.NoErr(db.Ping(ctx))
	s := testSpot("Kept")
	is.NoErr(db.CreateSpot(ctx, s))
	is.NoErr(db.Close())

	db, err = Open(ctx, path, Options{})
	is.NoErr(err)
	defer db.Close()
	got, err := db.GetSpot(ctx, s.ID)
	is.NoErr(err)
	is.Equal(got.Name, "Kept")
	var applied []int
	is.NoErr(db.r.SelectContext(ctx, &applied, `SELECT version FROM briefcase_migrations ORDER BY version`))
	want := make([]int, latest)
	for i := range want {
		want[i] = i + 1
	}
	is.Equal(applied, want) // each migration recorded once

	// Every table Briefcase owns is prefixed.
	var tables []string
	is.NoErr(db.r.SelectContext(ctx, &tables,
		`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`))
	for _, name := range tables {
		is.True(strings.HasPrefix(name, "briefcase_")) // table without the briefcase_ prefix
	}
	is.True(slices.Contains(tables, "briefcase_changes"))
}

func TestSkipMigrate(t *testing.T) {
	is := is.New(t)
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "briefcase.db")
	db, err := Open(ctx, path, Options{SkipMigrate: true})
	is.NoErr(err)
	defer db.Close()
	cur, latest, err := db.SchemaVersion(ctx)
	is.NoErr(err)
	is.Equal(cur, 0)
	is.True(db.Ping(ctx) != nil) // not ready before migrating
	is.NoErr(db.Migrate(ctx))
	cur, _, err = db.SchemaVersion(ctx)
	is.NoErr(err)
	is.Equal(cur, latest)
	is.NoErr(db.Ping(ctx))
}

func TestRefusesNewerSchema(t *testing.T) {
	is := is.New(t)
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "briefcase.db")
	db, err := Open(ctx, path, Options{})
	is.NoErr(err)
	_, err = db.w.ExecContext(ctx, `INSERT INTO briefcase_migrations (version, name, applied_at) VALUES (999, 'future', 0)`)
	is.NoErr(err)
	is.NoErr(db.Close())
	_, err = Open(ctx, path, Options{})
	is.True(err != nil)
	is.True(strings.Contains(err.Error(), "newer"))
}

// TestOpenOddPath checks that the path is escaped in the URI DSN: a "?"
// or "#" in a directory name must not cut the path or leak into the
// parameters.
func TestOpenOddPath(t *testing.T) {
	is := is.New(t)
	dir := filepath.Join(t.TempDir(), "a b?c#d%e&f=g")
	is.NoErr(os.Mkdir(dir, 0o755))
	path := filepath.Join(dir, "brief case.db")
	db, err := Open(t.Context(), path, Options{})
	is.NoErr(err)
	is.NoErr(db.CreateSpot(t.Context(), testSpot("S")))
	is.NoErr(db.Close())
	_, err = os.Stat(path)
	is.NoErr(err) // the file is where it was asked to be
	entries, err := os.ReadDir(dir)
	is.NoErr(err)
	is.True(len(entries) >= 1)

	_, err = Open(t.Context(), filepath.Join(t.TempDir(), "missing", "briefcase.db"), Options{})
	is.True(err != nil) // no directory: an error, not a panic
}

func TestOpenRejectsMemory(t *testing.T) {
	_, err := Open(t.Context(), ":memory:", Options{})
	is.New(t).True(err != nil)
}

// TestPragmasOnEveryConnection checks that the DSN settings reach every
// pooled connection, not only the first: it holds several read
// connections at once and asks each.
func TestPragmasOnEveryConnection(t *testing.T) {
	is := is.New(t)
	ctx := t.Context()
	db := openTest(t, Options{BusyTimeout: 7 * time.Second, ReadConns: 4})

	type pragmas struct {
		journal               string
		foreignKeys, busy     int
		synchronous, readOnly int
	}
	get := func(c *sqlx.Conn) pragmas {
		var p pragmas
		is.NoErr(c.GetContext(ctx, &p.journal, `PRAGMA journal_mode`))
		is.NoErr(c.GetContext(ctx, &p.foreignKeys, `PRAGMA foreign_keys`))
		is.NoErr(c.GetContext(ctx, &p.busy, `PRAGMA busy_timeout`))
		is.NoErr(c.GetContext(ctx, &p.synchronous, `PRAGMA synchronous`))
		is.NoErr(c.GetContext(ctx, &p.readOnly, `PRAGMA query_only`))
		return p
	}

	var conns []*sqlx.Conn
	for range 4 {
		c, err := db.r.Connx(ctx)
		is.NoErr(err)
		conns = append(conns, c)
	}
	for i, c := range conns {
		p := get(c)
		is.Equal(p, pragmas{journal: "wal", foreignKeys: 1, busy: 7000, synchronous: 1, readOnly: 1}) // reader pragmas
		_, err := c.ExecContext(ctx, `INSERT INTO briefcase_changes (entity, entity_id, op) VALUES ('item', 'x', 'upsert')`)
		is.True(err != nil) // a reader must not write
		t.Logf("read conn %d: %+v", i, p)
	}
	for _, c := range conns {
		c.Close()
	}

	w, err := db.w.Connx(ctx)
	is.NoErr(err)
	is.Equal(get(w), pragmas{journal: "wal", foreignKeys: 1, busy: 7000, synchronous: 1, readOnly: 0}) // writer pragmas
	w.Close()
	is.Equal(db.w.Stats().MaxOpenConnections, 1)
}

func TestAtomicRollback(t *testing.T) {
	is := is.New(t)
	ctx := t.Context()
	db := openTest(t, Options{})
	sp := testSpot("S")
	is.NoErr(db.CreateSpot(ctx, sp))
	last, err := db.LastChangeSeq(ctx)
	is.NoErr(err)

	boom := errors.New("boom")
	a, b := testItem(sp.ID, "a"), testItem(sp.ID, "b")
	err = db.Atomic(ctx, func(tx store.Store) error {
		is.NoErr(tx.CreateItem(ctx, a))
		got, err := tx.GetItem(ctx, a.ID) // read-your-writes
		is.NoErr(err)
		is.Equal(got.Title, "a")
		_, err = db.GetItem(ctx, a.ID) // others do not see it yet
		is.True(errors.Is(err, items.ErrNotFound))
		return boom
	})
	is.True(errors.Is(err, boom))
	_, err = db.GetItem(ctx, a.ID)
	is.True(errors.Is(err, items.ErrNotFound))

	func() {
		defer func() {
			is.Equal(recover(), "panic in fn") // the panic is passed on
		}()
		_ = db.Atomic(ctx, func(tx store.Store) error {
			is.NoErr(tx.CreateItem(ctx, b))
			panic("panic in fn")
		})
	}()
	_, err = db.GetItem(ctx, b.ID)
	is.True(errors.Is(err, items.ErrNotFound))
	now, err := db.LastChangeSeq(ctx)
	is.NoErr(err)
	is.Equal(now, last) // rolled-back changes never show

	// The writer connection is free again after the panic.
	is.NoErr(db.CreateItem(ctx, b))
}

func TestAtomicNestedAndFailedMethod(t *testing.T) {
	is := is.New(t)
	ctx := t.Context()
	db := openTest(t, Options{})
	sp := testSpot("S")
	is.NoErr(db.CreateSpot(ctx, sp))
	outer, inner := testItem(sp.ID, "outer"), testItem(sp.ID, "inner")
	boom := errors.New("boom")
	err := db.Atomic(ctx, func(tx store.Store) error {
		is.NoErr(tx.CreateItem(ctx, outer))
		err := tx.Atomic(ctx, func(tx2 store.Store) error {
			is.NoErr(tx2.CreateItem(ctx, inner))
			return boom
		})
		is.True(errors.Is(err, boom))
		// The failed inner transaction left nothing; the outer one goes on.
		_, err = tx.GetItem(ctx, inner.ID)
		is.True(errors.Is(err, items.ErrNotFound))
		// A method that fails leaves nothing behind either.
		err = tx.DeleteSpot(ctx, newID())
		is.True(errors.Is(err, spots.ErrNotFound))
		err = tx.CreateItem(ctx, outer)
		is.True(errors.Is(err, items.ErrConflict))
		return nil
	})
	is.NoErr(err)
	_, err = db.GetItem(ctx, outer.ID)
	is.NoErr(err)
	_, err = db.GetItem(ctx, inner.ID)
	is.True(errors.Is(err, items.ErrNotFound))
	ch, err := db.Changes(ctx, 0, 0)
	is.NoErr(err)
	is.Equal(len(ch), 2) // the spot and the outer item only
	is.Equal(ch[1], store.Change{Seq: ch[1].Seq, Entity: store.EntityItem, EntityID: outer.ID, Op: store.OpUpsert})
}

// TestListItemsPlans checks that the two spot-filter plans (a few spots:
// collect candidates; many spots: walk the ID index) give the same
// answers, and that thousands of spot IDs stay one bound parameter.
func TestListItemsPlans(t *testing.T) {
	is := is.New(t)
	ctx := t.Context()
	db := openTest(t, Options{})
	var spotIDs []string
	for i := range 5 {
		sp := testSpot(fmt.Sprint("S", i))
		is.NoErr(db.CreateSpot(ctx, sp))
		spotIDs = append(spotIDs, sp.ID)
	}
	var all []string
	for i := range 60 {
		it := testItem(spotIDs[i%5], fmt.Sprint("item ", i))
		if i%3 == 0 {
			it.Status = items.StatusDraft
		}
		is.NoErr(db.CreateItem(ctx, it))
		if i%4 == 0 {
			is.NoErr(db.PutPlacement(ctx, it.ID, spotIDs[(i+1)%5], time.Now()))
		}
		all = append(all, it.ID)
	}
	padding := make([]string, 40000) // far past SQLite's 32766 variables
	for i := range padding {
		padding[i] = newID()
	}
	ids := func(list []items.Item) []string {
		out := make([]string, len(list))
		for i, it := range list {
			out[i] = it.ID
		}
		return out
	}
	for _, f := range []items.ItemFilter{
		{SpotIDs: spotIDs[:2]},
		{SpotIDs: spotIDs[:2], Limit: 7},
		{SpotIDs: spotIDs[1:2], Statuses: []items.Status{items.StatusPublished}},
		{SpotIDs: spotIDs[1:3], Statuses: []items.Status{items.StatusPublished}, AnyStatusHomeIDs: spotIDs[2:3]},
		{SpotIDs: spotIDs[3:], BeforeID: all[40]},
	} {
		sparse, err := db.ListItems(ctx, f)
		is.NoErr(err)
		dense := f
		dense.SpotIDs = append(slices.Clone(f.SpotIDs), padding...)
		got, err := db.ListItems(ctx, dense)
		is.NoErr(err)
		is.Equal(ids(got), ids(sparse)) // same answer from both plans
		is.True(len(sparse) > 0)
		is.True(slices.IsSortedFunc(sparse, func(a, b items.Item) int { return strings.Compare(b.ID, a.ID) }))
	}
	got, err := db.ListItems(ctx, items.ItemFilter{AllSpots: true})
	is.NoErr(err)
	is.Equal(len(got), 60)
}

// TestQueryPlans guards the hot queries against full scans.
func TestQueryPlans(t *testing.T) {
	is := is.New(t)
	db := openTest(t, Options{})
	plan := func(q string, args ...any) string { return queryPlan(t, db, q, args...) }
	p := plan(itemSelect+` FROM briefcase_items i JOIN briefcase_spots s ON s.pk = i.spot_pk WHERE i.id = ?`, "x")
	is.True(!strings.Contains(p, "SCAN i")) // GetItem scans items
	p = plan(`SELECT hi.pk FROM json_each(?) hj CROSS JOIN briefcase_spots hs ON hs.id = hj.value
		CROSS JOIN briefcase_items hi ON hi.spot_pk = hs.pk`, "[]")
	is.True(strings.Contains(p, "briefcase_items_spot")) // items by spot use their index
	p = plan(`SELECT pp.item_pk FROM json_each(?) pj CROSS JOIN briefcase_spots ps ON ps.id = pj.value
		CROSS JOIN briefcase_placements pp ON pp.spot_pk = ps.pk`, "[]")
	is.True(strings.Contains(p, "briefcase_placements_spot")) // placements by spot use their index
	p = plan(`SELECT i.id FROM briefcase_items i JOIN briefcase_spots s ON s.pk = i.spot_pk
		WHERE `+inSpots+` ORDER BY i.id DESC LIMIT 50`, "[]", "[]")
	is.True(strings.Contains(p, "SCAN i USING INDEX")) // many spots: walk the ID index, no sort
	is.True(!strings.Contains(p, "TEMP B-TREE"))
	p = plan(`SELECT seq FROM briefcase_audit WHERE target_id = ? AND target_kind = ? ORDER BY seq`, "x", "item")
	is.True(strings.Contains(p, "briefcase_audit_target")) // audit by target uses its index
	p = plan(`SELECT g.role FROM json_each(?) j CROSS JOIN briefcase_grants g
		ON g.subject_kind = j.value ->> 'kind' AND g.subject_id = j.value ->> 'id'`, "[]")
	is.True(strings.Contains(p, "briefcase_grants_subject")) // grants by subject use their index
}

// TestConcurrentWriters runs writers on two handles of one file (two
// writer connections, as two processes would have) plus a change-feed
// follower, and checks that no write fails and that the follower, polling
// while the writes commit, sees exactly the committed feed in order.
func TestConcurrentWriters(t *testing.T) {
	is := is.New(t)
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "briefcase.db")
	db1, err := Open(ctx, path, Options{})
	is.NoErr(err)
	defer db1.Close()
	db2, err := Open(ctx, path, Options{})
	is.NoErr(err)
	defer db2.Close()
	sp := testSpot("S")
	is.NoErr(db1.CreateSpot(ctx, sp))

	const writers, perWriter = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter)
	for w := range writers {
		db := db1
		if w%2 == 1 {
			db = db2
		}
		wg.Go(func() {
			for i := range perWriter {
				var err error
				if i%5 == 0 {
					err = db.Atomic(ctx, func(tx store.Store) error {
						it := testItem(sp.ID, "batched")
						if err := tx.CreateItem(ctx, it); err != nil {
							return err
						}
						// Placing an item in its home is a conflict: this
						// transaction rolls back, under contention too.
						return tx.PutPlacement(ctx, it.ID, sp.ID, time.Now())
					})
					if errors.Is(err, items.ErrConflict) {
						err = nil
					}
				} else {
					err = db.CreateItem(ctx, testItem(sp.ID, "single"))
				}
				if err != nil {
					errs <- err
				}
				if _, err := db.ListItems(ctx, items.ItemFilter{SpotIDs: []string{sp.ID}, Limit: 5}); err != nil {
					errs <- err
				}
			}
		})
	}
	writersDone := make(chan struct{})
	go func() { wg.Wait(); close(writersDone) }()
	var seen []store.Change
	var after int64
	for finished := false; ; {
		ch, err := db2.Changes(ctx, after, 7)
		is.NoErr(err)
		for _, c := range ch {
			is.True(c.Seq > after) // the feed only moves forward
			after = c.Seq
		}
		seen = append(seen, ch...)
		if len(ch) > 0 {
			continue
		}
		if finished {
			break
		}
		select {
		case <-writersDone:
			finished = true // one more poll sees the last commits
		case <-time.After(time.Millisecond):
		}
	}
	close(errs)
	for err := range errs {
		t.Errorf("concurrent write: %v", err) // includes any "database is locked"
	}
	all, err := db1.Changes(ctx, 0, 100000)
	is.NoErr(err)
	is.Equal(len(all), 1+writers*perWriter*4/5) // one spot, then the committed single writes
	is.Equal(seen, all)                         // the follower missed nothing and saw feed order
	for i := 1; i < len(all); i++ {
		is.Equal(all[i].Seq, all[i-1].Seq+1) // gap-free
	}
}

func BenchmarkCreateItem(b *testing.B) {
	ctx := context.Background()
	db := openTest(b, Options{})
	sp := testSpot("S")
	if err := db.CreateSpot(ctx, sp); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := db.CreateItem(ctx, testItem(sp.ID, "bench")); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

func BenchmarkCreateItemAtomic1000(b *testing.B) {
	ctx := context.Background()
	db := openTest(b, Options{})
	sp := testSpot("S")
	if err := db.CreateSpot(ctx, sp); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		err := db.Atomic(ctx, func(tx store.Store) error {
			for range 1000 {
				if err := tx.CreateItem(ctx, testItem(sp.ID, "bench")); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkListItems pages through 20,000 items in 200 spots: one spot (the
// candidates plan), every spot by ID (the index-walk plan) and AllSpots.
func BenchmarkListItems(b *testing.B) {
	ctx := context.Background()
	db := openTest(b, Options{})
	var spotIDs []string
	for i := range 200 {
		sp := testSpot(fmt.Sprint("S", i))
		if err := db.CreateSpot(ctx, sp); err != nil {
			b.Fatal(err)
		}
		spotIDs = append(spotIDs, sp.ID)
	}
	err := db.Atomic(ctx, func(tx store.Store) error {
		for i := range 20000 {
			it := testItem(spotIDs[i%len(spotIDs)], "bench")
			if err := tx.CreateItem(ctx, it); err != nil {
				return err
			}
			if i%10 == 0 {
				if err := tx.PutPlacement(ctx, it.ID, spotIDs[(i+1)%len(spotIDs)], time.Now()); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	published := []items.Status{items.StatusPublished}
	for _, bc := range []struct {
		name string
		f    items.ItemFilter
	}{
		{"OneSpot", items.ItemFilter{SpotIDs: spotIDs[:1], Statuses: published, Limit: 50}},
		{"VisibleSpots", items.ItemFilter{SpotIDs: spotIDs, Statuses: published, Limit: 50}},
		{"VisibleSpotsEditor", items.ItemFilter{SpotIDs: spotIDs, Statuses: published, AnyStatusHomeIDs: spotIDs[:20], Limit: 50}},
		{"ManySpotsFewMatch", items.ItemFilter{SpotIDs: spotIDs[:20], Statuses: published, Kinds: []items.Kind{items.KindLink}, Limit: 50}},
		{"AllSpots", items.ItemFilter{AllSpots: true, Limit: 50}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				list, err := db.ListItems(ctx, bc.f)
				if err != nil || len(list) != 50 {
					b.Fatal(len(list), err)
				}
			}
		})
	}
}

// queryPlan returns SQLite's plan for q, one step per line.
func queryPlan(t *testing.T, db *DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.r.QueryxContext(t.Context(), `EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
