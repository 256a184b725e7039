package analyticstest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/briefcasehq/briefcase/analytics"
)

var concurrencyTests = []subtest{
	{"ParallelAppends", testParallelAppends},
}

const (
	appenders      = 8
	appendsEach    = 20
	eventsPerBatch = 25
)

// testParallelAppends runs appenders goroutines that each append batches
// of events whose deltas all land on the same roll-up rows, while readers
// run every report. Every call must succeed; afterwards every event is
// there once, each batch's IDs increase in the order given, and every sum
// counts every batch (no lost update).
func testParallelAppends(e *env) {
	var (
		wg, readers sync.WaitGroup
		failures    atomic.Int64
		stop        = make(chan struct{})
	)
	fail := func(format string, args ...any) {
		if failures.Add(1) <= 10 {
			e.t.Errorf(format, args...)
		}
	}
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := e.s.SumItems(e.ctx, all()); err != nil {
					fail("SumItems while appending: %v", err)
				}
				if _, err := e.s.Top(e.ctx, analytics.TopFilter{AllSpots: true, Limit: 5,
					DayWeights: map[analytics.Day]float64{day(1): 1}}); err != nil {
					fail("Top while appending: %v", err)
				}
				if _, err := e.s.Events(e.ctx, analytics.EventFilter{Limit: 50}); err != nil {
					fail("Events while appending: %v", err)
				}
			}
		}()
	}
	for w := range appenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			actor := fmt.Sprintf("writer-%d", w)
			for b := range appendsEach {
				evs := make([]analytics.Event, eventsPerBatch)
				for i := range evs {
					evs[i] = analytics.Event{Type: analytics.ItemViewed, At: at(1, i), Actor: actor, ItemID: "item-1",
						Page: b*eventsPerBatch + i}
				}
				t := at(1, b)
				r := analytics.Rollups{
					ItemDays: []analytics.ItemDay{
						{ItemID: "item-1", SpotID: "spot-a", Day: day(1), Views: eventsPerBatch, Score: 0.5},
						{ItemID: "item-" + actor, SpotID: "spot-b", Day: day(1), Views: 1, Score: 1},
					},
					Viewers:    []analytics.ItemViewer{{ItemID: "item-1", SpotID: "spot-a", Day: day(1), Viewer: actor}},
					VisitPages: []analytics.VisitPage{{ViewID: "view-1", ItemID: "item-1", SpotID: "spot-a", ShareID: "share-1", Day: day(1), Page: 1, ActiveMS: 10}},
					Recipients: []analytics.RecipientTotal{{ShareID: "share-1", ShareOwner: "alice", Recipient: "buyer@acme.example",
						Opens: 1, FirstAt: t, LastAt: t.Add(time.Duration(w) * time.Second)}},
					Queries: []analytics.QueryDay{{Query: "pricing", Day: day(1), Searches: 1, HitsTotal: 2}},
					Actors:  []analytics.ActorDay{{Actor: "alice", Day: day(1), Type: analytics.Searched, Count: 1}},
				}
				if err := e.s.Append(e.ctx, evs, r); err != nil {
					fail("Append by %s, batch %d: %v", actor, b, err)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	if failures.Load() > 0 {
		e.t.FailNow()
	}

	const batches = appenders * appendsEach
	evs := e.allEvents()
	if len(evs) != batches*eventsPerBatch {
		e.t.Fatalf("events after %d parallel Appends of %d: got %d, want %d", batches, eventsPerBatch, len(evs), batches*eventsPerBatch)
	}
	seen := map[string]int{}
	for _, ev := range evs {
		if next := seen[ev.Actor]; ev.Page != next {
			e.t.Fatalf("%s's events: got Page %d after %d: each batch's events keep their order, and batches of one goroutine follow each other", ev.Actor, ev.Page, next-1)
		}
		seen[ev.Actor]++
	}
	sums := e.sumItems(analytics.Filter{AllSpots: true, ItemIDs: []string{"item-1"}})
	if len(sums) != 1 || sums[0].Views != batches*eventsPerBatch || sums[0].Score != batches*0.5 || sums[0].UniqueViewers != appenders {
		e.t.Fatalf("SumItems(item-1) after parallel Appends: got %+v, want Views %d, Score %v, UniqueViewers %d", sums,
			batches*eventsPerBatch, batches*0.5, appenders)
	}
	if top := e.top(analytics.TopFilter{SpotIDs: []string{"spot-b"}}); len(top) != appenders || top[0].Score != appendsEach {
		e.t.Fatalf("Top(spot-b) after parallel Appends: got %+v, want %d items scoring %d", top, appenders, appendsEach)
	}
	vp := e.visitPages(all())
	if len(vp) != 1 || vp[0].ActiveMS != batches*10 {
		e.t.Fatalf("VisitPages after parallel Appends: got %+v, want one row with ActiveMS %d", vp, batches*10)
	}
	rt := e.recipientTotals(all())
	lastAt := at(1, appendsEach-1).Add(time.Duration(appenders-1) * time.Second)
	if len(rt) != 1 || rt[0].Opens != batches || !rt[0].FirstAt.Equal(at(1, 0)) || !rt[0].LastAt.Equal(lastAt) {
		e.t.Fatalf("RecipientTotals after parallel Appends: got %+v, want Opens %d, FirstAt %s, LastAt %s", rt, batches,
			at(1, 0), lastAt)
	}
	q := e.sumQueries(analytics.Filter{}, 10)
	if len(q) != 1 || q[0].Searches != batches || q[0].AvgHits != 2 {
		e.t.Fatalf("SumQueries after parallel Appends: got %+v, want %d searches", q, batches)
	}
	a := e.sumActors(analytics.Filter{})
	if len(a) != 1 || a[0].Count != batches {
		e.t.Fatalf("SumActors after parallel Appends: got %+v, want Count %d", a, batches)
	}
}
