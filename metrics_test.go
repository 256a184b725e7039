package briefcase_test

import (
	"io"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/share"
	"github.com/briefcasehq/briefcase/store/memstore"
)

// scrape answers GET /metrics through the Library's handler, without a
// token.
func scrape(t *testing.T, e *env) string {
	t.Helper()
	rec := httptest.NewRecorder()
	e.lib.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

// metricValue returns the value of series ("name{labels}") in text, or -1.
func metricValue(t *testing.T, text, series string) float64 {
	t.Helper()
	for line := range strings.Lines(text) {
		if v, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	return -1
}

func TestMetricsIndexLagAndSweeps(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		newShelf(t, e) // writes the index has not applied yet
		text := scrape(t, e)
		is.True(strings.Contains(text, "# TYPE briefcase_search_index_lag gauge\n"))
		is.True(metricValue(t, text, "briefcase_search_index_lag") > 0)
		is.Equal(metricValue(t, text, `briefcase_governance_sweeps_total{result="ok"}`), 0.0)
		_, err := e.lib.CatchUp(e.ctx)
		is.NoErr(err)
		is.Equal(metricValue(t, scrape(t, e), "briefcase_search_index_lag"), 0.0)

		// Every sweep counts, whoever runs it (here the service directly).
		e.sweep(t)
		text = scrape(t, e)
		is.Equal(metricValue(t, text, `briefcase_governance_sweeps_total{result="ok"}`), 1.0)
		is.Equal(metricValue(t, text, `briefcase_governance_sweeps_total{result="error"}`), 0.0)
		for _, series := range []string{"briefcase_governance_transitions_total", `briefcase_governance_notices_total{state="recorded"}`,
			`briefcase_governance_notices_total{state="sent"}`, `briefcase_governance_notices_total{state="failed"}`,
			"briefcase_analytics_events_dropped_total"} {
			is.True(metricValue(t, text, series) >= 0) // series
		}
		is.Equal(metricValue(t, text, `briefcase_http_requests_total{route="GET /metrics",method="GET",code="200"}`), 2.0) // the scrapes before this one
	})
}

func TestMetricsShareBeacons(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		s := newShelf(t, e)
		_, links, err := e.lib.Shares.CreatePitch(e.as(t, "eddie"), share.NewPitch{Title: "Deck", Items: []string{s.deck.ID},
			Recipients: []string{"buyer@acme.com"}})
		is.NoErr(err)
		tok := links[0].Token
		v := visit(t, e, tok, browserUA)
		e.clock.Add(5 * time.Second)
		deck := func(seq int64) share.Beacon {
			return share.Beacon{Seq: seq, ItemID: s.deck.ID, Page: 1, ActiveMS: 1000}
		}
		r, err := e.lib.Shares.Beacon(e.ctx, tok, v.BeaconToken, []share.Beacon{deck(1), deck(2)})
		is.NoErr(err)
		is.Equal(r.Accepted, 2)
		r, err = e.lib.Shares.Beacon(e.ctx, tok, r.Token, []share.Beacon{deck(2)}) // a duplicate
		is.NoErr(err)
		is.Equal(r.Duplicates, 1)
		is.Equal(metricValue(t, scrape(t, e), "briefcase_share_beacons_total"), 2.0)

		// The viewer's requests are counted by route pattern, never the
		// token in the path.
		rec := httptest.NewRecorder()
		e.lib.ViewerHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/p/"+tok+"x", nil))
		text := scrape(t, e)
		is.Equal(metricValue(t, text, `briefcase_viewer_requests_total{route="GET /p/{token}",method="GET",code="`+
			strconv.Itoa(rec.Code)+`"}`), 1.0)
		is.True(!strings.Contains(text, tok))
	})
}

// TestReadyWaitsForTheIndex: /readyz answers 503 while the search index
// is more than Config.ReadyIndexLag changes behind the store, 200 once it
// has caught up.
func TestReadyWaitsForTheIndex(t *testing.T) {
	is := is.New(t)
	st := memstore.New()
	blobs, err := localblobs.New(t.TempDir())
	is.NoErr(err)
	lib, err := briefcase.New(t.Context(), briefcase.Config{Store: st, Blobs: blobs, ReadyIndexLag: 2})
	is.NoErr(err)
	defer lib.Close()
	ready := func() int {
		rec := httptest.NewRecorder()
		lib.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		return rec.Code
	}
	is.Equal(ready(), 200)
	ctx, sp := seedSpot(t, lib) // a principal and a spot: changes the index has not applied
	createNumbered(t, ctx, lib, sp.ID, 1, 3)
	is.Equal(ready(), 503)
	_, err = lib.CatchUp(t.Context())
	is.NoErr(err)
	is.Equal(ready(), 200)
}
