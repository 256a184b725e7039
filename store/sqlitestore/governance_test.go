package sqlitestore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase/governance"
	"github.com/briefcasehq/briefcase/store"
)

// TestGovernanceQueryPlans pins the sweep's and the notices' queries to
// their indexes: DueItems and PendingNotices read an index in result order
// and stop at the limit (no sort of every due item or unsent notice), and
// the writes find their rows by key.
func TestGovernanceQueryPlans(t *testing.T) {
	is := is.New(t)
	db := openTest(t, Options{})
	plan := func(q string, args ...any) string { return queryPlan(t, db, q, args...) }
	uses := func(p, index string) bool {
		t.Helper()
		ok := strings.Contains(p, "USING INDEX "+index) || strings.Contains(p, "USING COVERING INDEX "+index)
		if !ok || strings.Contains(p, "TEMP B-TREE") {
			t.Logf("plan:\n%s", p)
		}
		return ok
	}

	p := plan(dueItemsSQL, 1, 1000)
	is.True(uses(p, "briefcase_item_sweep_due (sweep_at<?)")) // DueItems: a range of the sweep index
	is.True(!strings.Contains(p, "TEMP B-TREE"))              // already in (sweep_at, item_pk) order
	p = plan(pendingNoticesSQL, 3, 1, 1000)
	is.True(uses(p, "briefcase_notices_pending")) // PendingNotices walks the partial index
	is.True(!strings.Contains(p, "TEMP B-TREE"))  // in delivery order
	for _, f := range []governance.NoticeFilter{{Recipient: "a"}, {Recipient: "a", Unsent: true}} {
		q, args := listNoticesSQL(f)
		p = plan(q, args...)
		is.True(uses(p, "briefcase_notices_recipient (recipient=?)")) // ListNotices by recipient
		is.True(!strings.Contains(p, "TEMP B-TREE"))                  // walked backwards: newest first
	}
	for _, f := range []governance.NoticeFilter{{Recipient: "a", Before: "n"}, {Recipient: "a", Unsent: true, Before: "n"}} {
		q, args := listNoticesSQL(f)
		p = plan(q, args...)
		is.True(uses(p, "briefcase_notices_recipient (recipient=? AND created_at<?)")) // from the cursor down
		is.True(uses(p, "briefcase_notices_recipient (recipient=? AND created_at=?)")) // notices without a time
		is.True(uses(p, "sqlite_autoindex_briefcase_notices_1 (id=?)"))                // the cursor found by ID
		is.True(!strings.Contains(p, "TEMP B-TREE"))                                   // both arms merged in order
	}
	q, args := listNoticesSQL(governance.NoticeFilter{Recipient: "a", ItemID: "i"})
	p = plan(q, args...)
	is.True(uses(p, "briefcase_notices_recipient")) // a recipient's notices of an item
	p = plan(setSweepSQL, 1, "x")
	is.True(uses(p, "sqlite_autoindex_briefcase_items_1 (id=?)")) // SetSweepAt finds each item by ID
	p = plan(resetSweepSQL, "x")
	is.True(uses(p, "briefcase_items_spot (spot_pk=?)")) // ResetSweep reads one spot's items
	for _, q := range []string{markSentSQL, markFailedSQL} {
		args := []any{1, "[]"}
		if q == markFailedSQL {
			args = []any{1, "e", "[]"}
		}
		p = plan(q, args...)
		is.True(uses(p, "sqlite_autoindex_briefcase_notices_1 (id=?)")) // notices marked by ID
	}
}

// TestMigrateGovernance upgrades a version 3 database that holds an item:
// the item comes back visible, never submitted, and due at the next sweep.
func TestMigrateGovernance(t *testing.T) {
	is := is.New(t)
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "briefcase.db")
	db, err := Open(ctx, path, Options{SkipMigrate: true})
	is.NoErr(err)
	defer db.Close()
	ms := migrations()
	is.True(len(ms) >= 4)
	is.Equal(ms[3].name, "0004_governance.sql")
	_, err = db.w.ExecContext(ctx, createMigrationsTable)
	is.NoErr(err)
	for _, m := range ms[:3] {
		is.NoErr(runTx(ctx, db.w, func(tx *sqlx.Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO briefcase_migrations (version, name, applied_at) VALUES (?, ?, 0)`,
				m.version, m.name)
			return err
		}))
	}
	_, err = db.w.ExecContext(ctx, `INSERT INTO briefcase_spots (pk, id, name, kind, visibility) VALUES (1, 's', 'S', 'team', 'public')`)
	is.NoErr(err)
	_, err = db.w.ExecContext(ctx, `INSERT INTO briefcase_items (id, spot_pk, kind, audience, status, updated_at)
		VALUES ('old', 1, 'link', 'external', 'expired', 5)`)
	is.NoErr(err)

	is.NoErr(db.Migrate(ctx))
	is.NoErr(db.Ping(ctx))
	it, err := db.GetItem(ctx, "old")
	is.NoErr(err)
	is.Equal(it.Hidden, false)
	is.True(it.SubmittedAt.IsZero())
	is.True(it.SweepAt.IsZero())
	due, err := db.DueItems(ctx, time.Now(), 0)
	is.NoErr(err)
	is.Equal(len(due), 1) // existing items are swept once after the upgrade
	is.Equal(due[0].ID, "old")
	is.Equal(due[0].UpdatedAt, time.UnixMicro(5).UTC())
}

// TestSetSweepAtJoinsTransaction checks that SetSweepAt inside Atomic
// writes through the caller's transaction: a root store write would wait
// for the writer connection fn holds, so this would hang, not fail.
func TestSetSweepAtJoinsTransaction(t *testing.T) {
	is := is.New(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	db := openTest(t, Options{})
	sp := testSpot("S")
	is.NoErr(db.CreateSpot(ctx, sp))
	it := testItem(sp.ID, "a")
	is.NoErr(db.CreateItem(ctx, it))
	at := time.Now().UTC().Truncate(time.Microsecond)
	err := db.Atomic(ctx, func(tx store.Store) error {
		if err := tx.SetSweepAt(ctx, map[string]time.Time{it.ID: at}); err != nil {
			return err
		}
		if _, err := tx.AddNotices(ctx, []governance.Notice{{ID: "n", Key: "k", Recipient: "r"}}); err != nil {
			return err
		}
		got, err := tx.GetItem(ctx, it.ID)
		if err != nil {
			return err
		}
		is.Equal(got.SweepAt, at)
		return nil
	})
	is.NoErr(err)
	got, err := db.GetItem(ctx, it.ID)
	is.NoErr(err)
	is.Equal(got.SweepAt, at)
}

// BenchmarkSetSweepAt sets the sweep times of batches of 1000 random items
// out of 100,000, as a sweep over a large library does, on the store and
// inside Atomic.
func BenchmarkSetSweepAt(b *testing.B) {
	ctx := context.Background()
	db := openTest(b, Options{})
	sp := testSpot("S")
	if err := db.CreateSpot(ctx, sp); err != nil {
		b.Fatal(err)
	}
	const n, batch = 100_000, 1000
	ids := make([]string, 0, n)
	for range n / 1000 {
		err := db.Atomic(ctx, func(tx store.Store) error {
			for range 1000 {
				it := testItem(sp.ID, "bench")
				if err := tx.CreateItem(ctx, it); err != nil {
					return err
				}
				ids = append(ids, it.ID)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	next := func() map[string]time.Time {
		at := make(map[string]time.Time, batch)
		now := time.Now()
		for range batch {
			at[ids[rng.IntN(n)]] = now.Add(time.Duration(rng.IntN(1e6)) * time.Second)
		}
		return at
	}
	for _, bc := range []struct {
		name string
		set  func(map[string]time.Time) error
	}{
		{"Store", func(at map[string]time.Time) error { return db.SetSweepAt(ctx, at) }},
		{"Atomic", func(at map[string]time.Time) error {
			return db.Atomic(ctx, func(tx store.Store) error { return tx.SetSweepAt(ctx, at) })
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				at := next()
				b.StartTimer()
				if err := bc.set(at); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "items/s")
		})
	}
}

// BenchmarkDueItems reads the first 1000 due items of 100,000, a quarter
// of them due.
func BenchmarkDueItems(b *testing.B) {
	ctx := context.Background()
	db := openTest(b, Options{})
	sp := testSpot("S")
	if err := db.CreateSpot(ctx, sp); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	for i := range 100 {
		err := db.Atomic(ctx, func(tx store.Store) error {
			for j := range 1000 {
				it := testItem(sp.ID, fmt.Sprint("bench ", i, j))
				if j%4 != 0 {
					it.SweepAt = now.Add(time.Duration(j+1) * time.Hour)
				}
				if err := tx.CreateItem(ctx, it); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		due, err := db.DueItems(ctx, now, 0)
		if err != nil || len(due) != 1000 {
			b.Fatal(len(due), err)
		}
	}
}
