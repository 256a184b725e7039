package briefcase_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/governance"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/notify"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
	"github.com/briefcasehq/briefcase/store/sqlitestore"
)

// sweepBenchItems is the library size of BenchmarkGovernanceSweep:
// BRIEFCASE_BENCH_SWEEP_ITEMS, or 1,000,000.
func sweepBenchItems() int {
	if n, err := strconv.Atoi(os.Getenv("BRIEFCASE_BENCH_SWEEP_ITEMS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

var sweepBenchStart = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// sweepTemplate builds (once, then reuses from the temp directory) a
// SQLite database of n published items in 100 spots, each spot with an
// owner and an editor who authored its items. 80% of the items expire
// uniformly over the next two years; all were verified over the last 90
// days (default policy: verification due every 90 days, notices 30, 7
// and 0 days ahead), so about a third are inside a verification window at
// the start, as in a library that has run for a while.
func sweepTemplate(b *testing.B, n int) string {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("briefcase-sweep-bench-%d-v2.db", n))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	ctx := context.Background()
	tmp := path + ".tmp"
	os.Remove(tmp)
	db, err := sqlitestore.Open(ctx, tmp, sqlitestore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	rng := rand.New(rand.NewPCG(1, 2))
	const nSpots = 100
	trained := []spots.Training{{Name: spots.TrainingContentContributor, CompletedAt: sweepBenchStart}}
	spotIDs := make([]string, nSpots)
	err = db.Atomic(ctx, func(tx store.Store) error {
		for i := range nSpots {
			for _, who := range []string{"owner", "editor"} {
				id := fmt.Sprintf("%s-%d", who, i)
				if err := tx.PutPrincipal(ctx, spots.Principal{ID: id, Name: id, Email: id + "@example.com",
					Trainings: trained, CreatedAt: sweepBenchStart, UpdatedAt: sweepBenchStart}); err != nil {
					return err
				}
			}
			spotIDs[i] = spots.NewID()
			if err := tx.CreateSpot(ctx, spots.Spot{ID: spotIDs[i], Name: fmt.Sprintf("Spot %d", i), Kind: spots.KindProduct,
				Visibility: spots.Public, CreatedAt: sweepBenchStart, UpdatedAt: sweepBenchStart}); err != nil {
				return err
			}
			for _, g := range []spots.Grant{
				{SpotID: spotIDs[i], Subject: spots.User(fmt.Sprintf("owner-%d", i)), Role: spots.Owner},
				{SpotID: spotIDs[i], Subject: spots.User(fmt.Sprintf("editor-%d", i)), Role: spots.Editor},
			} {
				g.GrantedAt, g.GrantedBy = sweepBenchStart, "system"
				if err := tx.PutGrant(ctx, g); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	const batch = 10_000
	for done := 0; done < n; done += batch {
		err := db.Atomic(ctx, func(tx store.Store) error {
			for i := done; i < min(done+batch, n); i++ {
				s := i % nSpots
				editor := fmt.Sprintf("editor-%d", s)
				verified := sweepBenchStart.Add(-time.Duration(rng.Int64N(int64(90 * day))))
				it := items.Item{ID: spots.NewID(), SpotID: spotIDs[s], Kind: items.KindDocument,
					Title: fmt.Sprintf("Item %d", i), Audience: items.External, Author: editor, FeedbackOwner: editor,
					Owners: []spots.Subject{spots.User(editor)}, Status: items.StatusPublished,
					Source: items.Source{Type: items.SourceUpload}, VerifiedAt: verified, VerifyBy: verified.Add(90 * day),
					CreatedBy: editor, CreatedAt: verified, UpdatedAt: verified}
				if rng.IntN(10) < 8 {
					it.ExpiresAt = sweepBenchStart.Add(time.Duration(rng.Int64N(int64(730*day))) + time.Hour)
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
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %d items in %s", n, time.Since(start).Round(time.Second))
	return path
}

// openSweepBench copies the template and opens a Library on the copy whose
// notices go nowhere (a notifier that accepts everything).
func openSweepBench(b *testing.B, n int, now *time.Time) (*briefcase.Library, func()) {
	tpl := sweepTemplate(b, n)
	dir := b.TempDir()
	dst := filepath.Join(dir, "briefcase.db")
	in, err := os.Open(tpl)
	if err != nil {
		b.Fatal(err)
	}
	out, err := os.Create(dst)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	in.Close()
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	db, err := sqlitestore.Open(context.Background(), dst, sqlitestore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	blobs, err := localblobs.New(filepath.Join(dir, "blobs"))
	if err != nil {
		b.Fatal(err)
	}
	lib, err := briefcase.New(context.Background(), briefcase.Config{Store: db, Blobs: blobs,
		Now: func() time.Time { return *now }, Notifier: &nullNotifier{}})
	if err != nil {
		b.Fatal(err)
	}
	return lib, func() { lib.Close(); db.Close() }
}

type nullNotifier struct{}

func (*nullNotifier) Notify(context.Context, notify.Notification) error { return nil }

// BenchmarkGovernanceSweep measures Library.Governance.Sweep (lifecycle
// moves, notices recorded, then delivered to a notifier that accepts
// everything) over a SQLite library of 1,000,000 items:
//
//   - first: the first sweep after the migration, when every item is due
//     (the one-time cost of scheduling a library that predates the sweep);
//
//   - minute: a sweep one minute after the last, the steady state (Run
//     sweeps every minute): the items crossing a notice window, an expiry
//     or a verification date in that minute;
//
//   - day: a sweep one day after the last, catching up a day without
//     sweeps (a server down for a day, or a daily cron of briefcase sweep);
//
//   - idle: a sweep when nothing is due (what Run does every minute).
//
//     go test -run x -bench GovernanceSweep -benchtime 1x -timeout 60m .
func BenchmarkGovernanceSweep(b *testing.B) {
	n := sweepBenchItems()
	sys := briefcase.SystemContext(context.Background())
	report := func(b *testing.B, res governance.SweepResult, took time.Duration) {
		b.ReportMetric(float64(took.Milliseconds()), "ms/sweep")
		b.ReportMetric(float64(res.Examined), "examined")
		b.ReportMetric(float64(res.Transitions), "transitions")
		b.ReportMetric(float64(res.Recorded), "notices")
		b.ReportMetric(float64(res.Messages), "messages")
	}
	b.Run("first", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			now := sweepBenchStart
			lib, done := openSweepBench(b, n, &now)
			b.StartTimer()
			start := time.Now()
			res, err := lib.Governance.Sweep(sys, now)
			took := time.Since(start)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if res.Examined != n {
				b.Fatalf("examined %d of %d", res.Examined, n)
			}
			report(b, res, took)
			done()
		}
	})
	now := sweepBenchStart
	lib, done := openSweepBench(b, n, &now)
	defer done()
	if _, err := lib.Governance.Sweep(sys, now); err != nil {
		b.Fatal(err)
	}
	b.Run("minute", func(b *testing.B) {
		for range b.N {
			now = now.Add(time.Minute)
			start := time.Now()
			res, err := lib.Governance.Sweep(sys, now)
			took := time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			report(b, res, took)
		}
	})
	b.Run("day", func(b *testing.B) {
		for range b.N {
			now = now.Add(day)
			start := time.Now()
			res, err := lib.Governance.Sweep(sys, now)
			took := time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			if res.Examined == 0 || res.Recorded == 0 {
				b.Fatalf("a day's sweep did nothing: %+v", res)
			}
			report(b, res, took)
		}
	})
	b.Run("idle", func(b *testing.B) {
		for range b.N {
			start := time.Now()
			res, err := lib.Governance.Sweep(sys, now)
			took := time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			if res.Examined != 0 || res.Recorded != 0 {
				b.Fatalf("an idle sweep did something: %+v", res)
			}
			report(b, res, took)
		}
	})
}
