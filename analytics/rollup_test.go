package analytics

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"
)

var t0 = time.Date(2026, 11, 20, 23, 59, 0, 0, time.UTC)

// fixture is a day of activity across midnight: views (one a bot's),
// searches, a pitch, a buyer's visit with pages, a download and a click.
func fixture() []Event {
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	return []Event{
		{Type: ItemViewed, At: at(0), Actor: "ann", ItemID: "i1", SpotID: "s1"},
		{Type: ItemViewed, At: at(0), Actor: "ann", ItemID: "i1", SpotID: "s1"}, // the same viewer again
		{Type: ItemViewed, At: at(2), Actor: "bob", ItemID: "i1", SpotID: "s1"}, // the next day
		{Type: ItemDownloaded, At: at(2), Actor: "bob", ItemID: "i1", SpotID: "s1"},
		{Type: ItemBookmarked, At: at(3), Actor: "bob", ItemID: "i2", SpotID: "s2"},
		{Type: Searched, At: at(0), Actor: "ann", Query: "  Pricing  SHEET", Hits: 0},
		{Type: Searched, At: at(0), Actor: "bob", Query: "pricing sheet", Hits: 4},
		{Type: ItemPitched, At: at(5), Actor: "sam", ItemID: "i1", SpotID: "s1", ShareID: "p1", ShareOwner: "sam"},
		{Type: LinkOpened, At: at(6), ShareID: "p1", ShareOwner: "sam", ViewID: "v1", Recipient: "buyer@acme.com"},
		{Type: PageViewed, At: at(7), ItemID: "i1", SpotID: "s1", ShareID: "p1", ShareOwner: "sam", ViewID: "v1", Recipient: "buyer@acme.com", Page: 1, ActiveMS: 30000},
		{Type: PageViewed, At: at(8), ItemID: "i1", SpotID: "s1", ShareID: "p1", ShareOwner: "sam", ViewID: "v1", Recipient: "buyer@acme.com", Page: 1, ActiveMS: 6000},
		{Type: PageViewed, At: at(9), ItemID: "i1", SpotID: "s1", ShareID: "p1", ShareOwner: "sam", ViewID: "v1", Recipient: "buyer@acme.com", Page: 2, ActiveMS: 60000},
		{Type: ExternalDownloaded, At: at(10), ItemID: "i1", SpotID: "s1", ShareID: "p1", ShareOwner: "sam", ViewID: "v1", Recipient: "buyer@acme.com"},
		{Type: LinkClicked, At: at(11), ItemID: "i3", SpotID: "s1", ShareID: "p1", ShareOwner: "sam", ViewID: "v1", Recipient: "buyer@acme.com"},
		{Type: LinkOpened, At: at(12), ShareID: "p1", ShareOwner: "sam", ViewID: "v2", Recipient: "buyer@acme.com", SuspectedBot: true},
		{Type: PageViewed, At: at(12), ItemID: "i1", SpotID: "s1", ShareID: "p1", ShareOwner: "sam", ViewID: "v2", Recipient: "buyer@acme.com", Page: 1, ActiveMS: 1000, SuspectedBot: true},
	}
}

func TestRollup(t *testing.T) {
	is := is.New(t)
	s := NewService(nil, nil, nil, Options{})
	r := s.rollup(fixture(), 1)
	w := DefaultWeights()
	is.Equal(r.ItemDays, []ItemDay{
		{ItemID: "i1", SpotID: "s1", Day: "2026-11-20", Views: 2, Score: 2 * w.View},
		{ItemID: "i1", SpotID: "s1", Day: "2026-11-21", Views: 1, Downloads: 1, Pitches: 1, PageViews: 3, ActiveMS: 96000,
			ExternalDownloads: 1, Score: w.View + w.Download + w.Pitch + 3*w.PageView + 96000.0/60000*w.ActiveMinute + w.ExternalDownload},
		{ItemID: "i2", SpotID: "s2", Day: "2026-11-21", Bookmarks: 1, Score: w.Bookmark},
		{ItemID: "i3", SpotID: "s1", Day: "2026-11-21", ExternalClicks: 1, Score: w.Click},
		{ItemID: "i1", SpotID: "s1", Day: "2026-11-21", Bot: true, PageViews: 1, ActiveMS: 1000, Score: w.PageView + 1000.0/60000*w.ActiveMinute},
	})
	is.Equal(r.Viewers, []ItemViewer{ // a set: ann once
		{ItemID: "i1", SpotID: "s1", Day: "2026-11-20", Viewer: "ann"},
		{ItemID: "i1", SpotID: "s1", Day: "2026-11-21", Viewer: "bob"},
	})
	is.Equal(r.Queries, []QueryDay{{Query: "pricing sheet", Day: "2026-11-20", Searches: 2, ZeroHits: 1, HitsTotal: 4}})
	is.Equal(r.VisitPages, []VisitPage{
		{ViewID: "v1", ItemID: "i1", SpotID: "s1", ShareID: "p1", Recipient: "buyer@acme.com", Day: "2026-11-21", Page: 1, ActiveMS: 36000},
		{ViewID: "v1", ItemID: "i1", SpotID: "s1", ShareID: "p1", Recipient: "buyer@acme.com", Day: "2026-11-21", Page: 2, ActiveMS: 60000},
		{ViewID: "v2", ItemID: "i1", SpotID: "s1", ShareID: "p1", Recipient: "buyer@acme.com", Day: "2026-11-21", Page: 1, Bot: true, ActiveMS: 1000},
	})
	is.Equal(r.Recipients, []RecipientTotal{
		{ShareID: "p1", ShareOwner: "sam", Recipient: "buyer@acme.com", Opens: 1, PageViews: 3, ActiveMS: 96000, Downloads: 1, Clicks: 1,
			FirstAt: t0.Add(6 * time.Minute), LastAt: t0.Add(11 * time.Minute)},
		{ShareID: "p1", ShareOwner: "sam", Recipient: "buyer@acme.com", Bot: true, Opens: 1, PageViews: 1, ActiveMS: 1000,
			FirstAt: t0.Add(12 * time.Minute), LastAt: t0.Add(12 * time.Minute)},
	})
	is.Equal(r.Actors, []ActorDay{
		{Actor: "ann", Day: "2026-11-20", Type: ItemViewed, Count: 2},
		{Actor: "bob", Day: "2026-11-21", Type: ItemViewed, Count: 1},
		{Actor: "bob", Day: "2026-11-21", Type: ItemDownloaded, Count: 1},
		{Actor: "bob", Day: "2026-11-21", Type: ItemBookmarked, Count: 1},
		{Actor: "ann", Day: "2026-11-20", Type: Searched, Count: 1},
		{Actor: "bob", Day: "2026-11-20", Type: Searched, Count: 1},
		{Actor: "sam", Day: "2026-11-21", Type: ItemPitched, Count: 1},
	})

	// Taking away is the exact negative, but never of the viewer set.
	neg := s.rollup(fixture(), -1)
	is.Equal(len(neg.ItemDays), len(r.ItemDays))
	for i := range neg.ItemDays {
		is.Equal(neg.ItemDays[i].Views, -r.ItemDays[i].Views)
		is.Equal(neg.ItemDays[i].ActiveMS, -r.ItemDays[i].ActiveMS)
		is.Equal(neg.ItemDays[i].Score, -r.ItemDays[i].Score)
	}
	is.Equal(len(neg.Viewers), 0)
	is.Equal(neg.Queries[0].ZeroHits, int64(-1))
}

func TestDayWeightsDecay(t *testing.T) {
	is := is.New(t)
	s := NewService(nil, nil, nil, Options{TrendingWindow: 3 * 24 * time.Hour, TrendingHalfLife: 24 * time.Hour})
	is.Equal(s.dayWeights(time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)),
		map[Day]float64{"2026-11-23": 1, "2026-11-22": 0.5, "2026-11-21": 0.25})
}

// recStore is an analytics Store that keeps appended batches and can fail.
type recStore struct {
	Store
	mu      sync.Mutex
	batches [][]Event
	fail    error
}

func (r *recStore) Append(_ context.Context, evs []Event, _ Rollups) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.batches = append(r.batches, evs)
	return nil
}

func TestRecorderBatchesAndNeverBlocks(t *testing.T) {
	is := is.New(t)
	st := &recStore{}
	s := NewService(st, nil, nil, Options{BatchSize: 3, Buffer: 7, Now: func() time.Time { return t0 }})
	ctx := context.Background()
	for i := range 9 {
		s.Record(ctx, Event{Type: ItemViewed, ItemID: "i", Actor: string(rune('a' + i))})
	}
	is.Equal(s.Dropped(), int64(2)) // the buffer holds 7; the rest is dropped, not waited for

	st.fail = errors.New("disk full")
	is.True(s.Flush(ctx) != nil)
	is.Equal(len(st.batches), 0) // nothing lost: still queued

	st.fail = nil
	is.NoErr(s.Flush(ctx))
	is.Equal(len(st.batches), 3) // 3 + 3 + 1
	is.Equal(len(st.batches[0]), 3)
	is.Equal(len(st.batches[2]), 1)
	is.Equal(st.batches[0][0].At, t0) // timeless events get the clock
	is.Equal(st.batches[2][0].Actor, "g")

	// A batch the store refuses as invalid is dropped, not retried for ever.
	st.fail = ErrInvalid
	s.Record(ctx, Event{Type: ItemViewed, ItemID: "k", Actor: "y"})
	is.NoErr(s.Flush(ctx))
	is.Equal(s.Dropped(), int64(3))
	st.fail = nil

	// Run writes what is queued, and what is left when it stops.
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- s.Run(runCtx) }()
	s.Record(ctx, Event{Type: ItemViewed, ItemID: "j", Actor: "z"})
	cancel()
	is.NoErr(<-done)
	is.Equal(len(st.batches), 4)
	is.Equal(st.batches[3][0].ItemID, "j")
}
