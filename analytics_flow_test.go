package briefcase_test

import (
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase/analytics"
	"github.com/briefcasehq/briefcase/search"
	"github.com/briefcasehq/briefcase/share"
)

// TestServicesFeedAnalytics drives the services as people would and checks
// what analytics recorded: item views and downloads through the items
// service, searches, a pitch and a buyer's visit; then trending and search
// ranking follow the engagement.
func TestServicesFeedAnalytics(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		if e.lib.Analytics == nil {
			if _, ok := e.st.(analytics.Store); ok {
				t.Fatal("the store keeps analytics, but the Library has none")
			}
			return // this adapter does not keep analytics
		}
		s := newShelf(t, e)
		eddie, sam := e.as(t, "eddie"), e.as(t, "sam")
		day := analytics.DayOf(e.clock.Now())

		// Sam reads the case study three times and downloads it. The
		// system's reads are not anyone's activity.
		for range 3 {
			_, err := e.lib.Items.View(sam, s.study.ID)
			is.NoErr(err)
		}
		_, rc, err := e.lib.Items.Content(sam, s.study.ID)
		is.NoErr(err)
		rc.Close()
		_, err = e.lib.Items.View(e.ctx, s.deck.ID)
		is.True(err != nil) // no principal: refused, and nothing recorded
		_, err = e.lib.Items.Get(sam, s.deck.ID)
		is.NoErr(err) // a read that is not a person looking: not a view

		// Searches: one that finds nothing.
		_, err = e.lib.Search.Search(sam, search.Request{Query: "case study"})
		is.NoErr(err)
		_, err = e.lib.Search.Search(sam, search.Request{Query: "zebra pricing"})
		is.NoErr(err)

		// A pitch of the deck, read by a buyer.
		sh, links, err := e.lib.Shares.CreatePitch(eddie, share.NewPitch{Title: "Deck", Items: []string{s.deck.ID},
			Recipients: []string{"buyer@acme.com"}})
		is.NoErr(err)
		v := visit(t, e, links[0].Token, browserUA)
		e.clock.Add(10 * time.Second)
		_, err = e.lib.Shares.Beacon(e.ctx, links[0].Token, v.BeaconToken, []share.Beacon{{Seq: 1, ItemID: s.deck.ID, Page: 1, ActiveMS: 9000}})
		is.NoErr(err)

		is.NoErr(e.lib.Analytics.Flush(e.ctx))
		st := e.st.(analytics.Store)
		// (The deck's views come later: first the index is checked without them.)
		sums, err := st.SumItems(e.ctx, analytics.Filter{From: day, To: day, AllSpots: true})
		is.NoErr(err)
		byItem := map[string]analytics.ItemSum{}
		for _, x := range sums {
			byItem[x.ItemID] = x
		}
		is.Equal(byItem[s.study.ID].Views, int64(3))
		is.Equal(byItem[s.study.ID].UniqueViewers, int64(1))
		is.Equal(byItem[s.study.ID].Downloads, int64(1))
		is.Equal(byItem[s.deck.ID].Views, int64(0))
		is.Equal(byItem[s.deck.ID].Pitches, int64(1))
		is.Equal(byItem[s.deck.ID].ActiveMS, int64(9000))
		is.Equal(byItem[s.deck.ID].Visits, int64(1))
		gaps, err := st.SumQueries(e.ctx, analytics.Filter{From: day, To: day}, 0)
		is.NoErr(err)
		is.Equal(len(gaps), 1)
		is.Equal(gaps[0].Query, "zebra pricing")
		totals, err := st.RecipientTotals(e.ctx, analytics.Filter{ShareIDs: []string{sh.ID}})
		is.NoErr(err)
		is.Equal(len(totals), 1)
		is.Equal(totals[0].Recipient, "buyer@acme.com")
		is.Equal(totals[0].Opens, int64(1))
		is.Equal(totals[0].ShareOwner, "eddie")

		// Trending, as sam sees it: the study (3 views and a download: 5)
		// before the deck (a pitch and 9 s of a buyer's reading: 3.65).
		// The index took no signals when the searches above indexed the
		// items: by trending, ties go to the newest item, the site.
		_, err = e.lib.CatchUp(e.ctx)
		is.NoErr(err)
		res, err := e.lib.Search.Search(sam, search.Request{Sort: search.SortTrending, Limit: 2})
		is.NoErr(err)
		is.Equal(res.Hits[0].Item.ID, s.site.ID)
		top, err := e.lib.Analytics.Trending(sam, "", 10)
		is.NoErr(err)
		is.True(len(top) >= 2)
		var ids []string
		for _, r := range top {
			ids = append(ids, r.Item.ID)
		}
		is.Equal(ids[:2], []string{s.study.ID, s.deck.ID})
		is.Equal(top[0].Score, 5.0)

		// Sam now reads the deck four times (3.65 + 4 = 7.65 > 5): search
		// sorts by trending once the signals are refreshed into the index.
		for range 4 {
			_, err = e.lib.Items.View(sam, s.deck.ID)
			is.NoErr(err)
		}
		is.NoErr(e.lib.Analytics.Flush(e.ctx))
		res, err = e.lib.Search.Search(sam, search.Request{Sort: search.SortTrending, Limit: 2})
		is.NoErr(err)
		is.Equal(res.Hits[0].Item.ID, s.site.ID) // not refreshed yet
		engaged, err := e.lib.Analytics.Engaged(e.ctx, e.clock.Now().Add(-24*time.Hour), 100)
		is.NoErr(err)
		is.True(len(engaged) >= 2)
		_, err = e.lib.RefreshSignals(e.ctx, engaged)
		is.NoErr(err)
		res, err = e.lib.Search.Search(sam, search.Request{Sort: search.SortTrending, Limit: 2})
		is.NoErr(err)
		is.Equal(res.Hits[0].Item.ID, s.deck.ID)
		is.Equal(res.Hits[1].Item.ID, s.study.ID)
	})
}
