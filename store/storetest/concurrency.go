package storetest

import (
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
)

var concurrencyTests = []subtest{
	{"WritersAndReaders", testConcurrentWriters},
	{"ReadModifyWrite", testConcurrentReadModifyWrite},
}

const (
	writers    = 8
	iterations = 50
)

// testConcurrentWriters runs writers goroutines that each write items,
// grants and audit entries, half through Atomic and half through plain
// calls, while readers and a change feed follower run. Every call must
// succeed (a store that answers "database is locked" or a serialization
// failure must wait or retry inside the adapter), and every write must be
// there afterwards.
func testConcurrentWriters(e *env) {
	var homes []spots.Spot
	for i := range 4 {
		homes = append(homes, e.createSpot(fmt.Sprint("Spot ", i)))
	}
	var (
		wg, readersWG sync.WaitGroup
		failures      atomic.Int64
		stop          = make(chan struct{})
	)
	fail := func(format string, args ...any) {
		if failures.Add(1) <= 10 {
			e.t.Errorf(format, args...)
		}
	}

	// The follower reads the feed the way the search index does and must
	// end up with every change, each once.
	followed := map[int64]store.Change{}
	followerDone := make(chan struct{})
	go func() {
		defer close(followerDone)
		var after int64
		poll := func() bool {
			page, err := e.s.Changes(e.ctx, after, 100)
			if err != nil {
				fail("Changes while writers run: %v", err)
				return false
			}
			for _, c := range page {
				if c.Seq <= after {
					fail("Changes(after %d) returned Seq %d: not strictly increasing", after, c.Seq)
					return false
				}
				followed[c.Seq] = c
				after = c.Seq
			}
			return len(page) > 0
		}
		for {
			select {
			case <-stop:
				for poll() {
				}
				return
			default:
				poll()
				runtime.Gosched()
			}
		}
	}()

	for r := range 3 {
		readersWG.Add(1)
		go func() {
			defer readersWG.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				runtime.Gosched()
				var err error
				switch n % 5 {
				case 0:
					_, err = e.s.GetSpot(e.ctx, homes[r].ID)
				case 1:
					_, err = e.s.ListItems(e.ctx, items.ItemFilter{SpotIDs: []string{homes[r].ID}, Limit: 20})
				case 2:
					_, err = e.s.ListGrants(e.ctx, homes[r].ID)
				case 3:
					_, err = e.s.ListAudit(e.ctx, audit.Filter{Limit: 20})
				case 4:
					_, err = e.s.LastChangeSeq(e.ctx)
				}
				if err != nil {
					fail("reader %d, call %d, while writers run: %v", r, n, err)
					return
				}
			}
		}()
	}

	created := make([][]string, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range iterations {
				home := homes[(w+i)%len(homes)]
				actor := fmt.Sprint("writer-", w)
				it := e.item(home.ID, fmt.Sprintf("w%d i%d", w, i))
				grant := spots.Grant{SpotID: home.ID, Subject: spots.User(fmt.Sprintf("u-%d-%d", w, i)), Role: spots.Viewer,
					GrantedBy: actor, GrantedAt: baseTime}
				entry := audit.Entry{At: baseTime, Actor: actor, Action: "item.create", TargetKind: "item", TargetID: it.ID, SpotID: home.ID}
				var err error
				if i%2 == 0 {
					err = e.s.Atomic(e.ctx, func(tx store.Store) error {
						if err := tx.CreateItem(e.ctx, it); err != nil {
							return err
						}
						if err := tx.PutGrant(e.ctx, grant); err != nil {
							return err
						}
						return tx.AppendAudit(e.ctx, entry)
					})
				} else {
					err = e.s.CreateItem(e.ctx, it)
					if err == nil {
						err = e.s.PutGrant(e.ctx, grant)
					}
					if err == nil {
						err = e.s.AppendAudit(e.ctx, entry)
					}
				}
				if err != nil {
					fail("writer %d, iteration %d (Atomic: %t): %v", w, i, i%2 == 0, err)
					return
				}
				created[w] = append(created[w], it.ID)
			}
		}()
	}
	wg.Wait()
	close(stop)
	readersWG.Wait()
	<-followerDone
	if failures.Load() > 0 {
		e.t.Fatalf("%d concurrent calls failed; every call must succeed under concurrent use", failures.Load())
	}

	// Every write is there.
	for w, list := range created {
		e.is.Equal(len(list), iterations) // items made by one writer
		for _, id := range list {
			e.getItem(id)
		}
		entries, err := e.s.ListAudit(e.ctx, audit.Filter{Actor: fmt.Sprint("writer-", w), Limit: 1000})
		noErr(e.t, err, "ListAudit")
		if len(entries) != iterations {
			e.t.Fatalf("writer %d appended %d audit entries, ListAudit finds %d", w, iterations, len(entries))
		}
	}
	total := 0
	for _, h := range homes {
		gs, err := e.s.ListGrants(e.ctx, h.ID)
		noErr(e.t, err, "ListGrants")
		total += len(gs)
	}
	if total != writers*iterations {
		e.t.Fatalf("%d grants were put concurrently, ListGrants finds %d", writers*iterations, total)
	}
	all := e.walkItems(items.ItemFilter{AllSpots: true, Limit: 150})
	if len(all) != writers*iterations {
		e.t.Fatalf("%d items were created concurrently, paging through ListItems finds %d", writers*iterations, len(all))
	}
	entries, err := e.s.ListAudit(e.ctx, audit.Filter{Limit: 1000})
	noErr(e.t, err, "ListAudit")
	for i := 1; i < len(entries); i++ {
		if entries[i].Seq <= entries[i-1].Seq {
			e.t.Fatalf("audit Seq not strictly increasing under concurrent appends: %d after %d", entries[i].Seq, entries[i-1].Seq)
		}
	}

	// The follower saw every committed change exactly once.
	feed := e.allChanges(0)
	if len(feed) != len(homes)+writers*iterations {
		e.t.Fatalf("the change feed holds %d changes, want %d (4 CreateSpot, %d CreateItem)", len(feed), len(homes)+writers*iterations, writers*iterations)
	}
	for _, c := range feed {
		if _, ok := followed[c.Seq]; !ok {
			e.t.Fatalf("a follower polling Changes while writers ran never saw change %d (%s): a change with a smaller Seq became visible after a larger one; Seq must be assigned in commit order",
				c.Seq, showChange(c))
		}
	}
	if len(followed) != len(feed) {
		e.t.Fatalf("the follower saw %d changes, the feed holds %d", len(followed), len(feed))
	}
}

// testConcurrentReadModifyWrite increments a counter kept in a spot's
// description from several goroutines, each increment one Atomic that
// reads and then writes. Transactions must not lose updates: the services
// rely on this for invariants such as "exactly one owner per spot".
func testConcurrentReadModifyWrite(e *env) {
	s := e.spot("Counter")
	s.Description = "0"
	noErr(e.t, e.s.CreateSpot(e.ctx, s), "CreateSpot")
	const goroutines, increments = 8, 25
	var wg sync.WaitGroup
	var failures atomic.Int64
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range increments {
				err := e.s.Atomic(e.ctx, func(tx store.Store) error {
					cur, err := tx.GetSpot(e.ctx, s.ID)
					if err != nil {
						return err
					}
					n, err := strconv.Atoi(cur.Description)
					if err != nil {
						return err
					}
					cur.Description = strconv.Itoa(n + 1)
					return tx.UpdateSpot(e.ctx, cur)
				})
				if err != nil {
					if failures.Add(1) <= 5 {
						e.t.Errorf("goroutine %d: Atomic read-modify-write: %v", g, err)
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	if failures.Load() > 0 {
		e.t.FailNow()
	}
	got, err := e.s.GetSpot(e.ctx, s.ID)
	noErr(e.t, err, "GetSpot")
	if got.Description != strconv.Itoa(goroutines*increments) {
		e.t.Fatalf("%d concurrent Atomic increments left the counter at %s: transactions lost updates (they must be serializable: SQLite's single writer with BEGIN IMMEDIATE gives this; PostgreSQL needs SERIALIZABLE with retries, or row locks)",
			goroutines*increments, got.Description)
	}
}
