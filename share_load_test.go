package briefcase_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/share"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store/sqlitestore"
)

// beaconSite is a Library on SQLite serving its viewer on a loopback HTTP
// server, with one pitch to open.
type beaconSite struct {
	lib     *briefcase.Library
	srv     *httptest.Server
	client  *http.Client
	shareID string
	path    string // /p/{token}
	itemID  string
	owner   context.Context
	// shift moves the Library's clock ahead of the wall clock (see age).
	shift *atomic.Int64
}

// age moves the Library's clock d ahead, as if the visits opened so far
// had begun d earlier: the beacons that follow may claim up to d of reading.
func (s *beaconSite) age(d time.Duration) { s.shift.Add(int64(d)) }

func newBeaconSite(tb testing.TB, conns int) *beaconSite {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlitestore.Open(ctx, tb.TempDir()+"/briefcase.db", sqlitestore.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	blobs, err := localblobs.New(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	shift := &atomic.Int64{}
	lib, err := briefcase.New(ctx, briefcase.Config{Store: db, Blobs: blobs,
		Now: func() time.Time { return time.Now().Add(time.Duration(shift.Load())) }})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { lib.Close() })
	trained := []spots.Training{{Name: spots.TrainingContentContributor, CompletedAt: time.Now()}}
	seller, err := lib.Spots.SavePrincipal(briefcase.SystemContext(ctx), spots.Principal{ID: "seller", Email: "seller@example.com", Trainings: trained})
	if err != nil {
		tb.Fatal(err)
	}
	as := briefcase.WithPrincipal(ctx, seller)
	sp, err := lib.Spots.Create(as, spots.NewSpot{Name: "Deals", Kind: spots.KindTeam})
	if err != nil {
		tb.Fatal(err)
	}
	it, err := lib.Items.Create(as, items.NewItem{SpotID: sp.ID, Kind: items.KindDocument, Title: "Deck", Audience: items.External})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := lib.Items.AddVersion(as, it.ID, items.NewVersion{Filename: "deck.md", Body: strings.NewReader("# Deck")}); err != nil {
		tb.Fatal(err)
	}
	sh, links, err := lib.Shares.CreatePitch(as, share.NewPitch{Title: "Deck", Items: []string{it.ID}, Recipients: []string{"buyer@acme.com"}})
	if err != nil {
		tb.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/p/", lib.ViewerHandler())
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute}
	tb.Cleanup(tr.CloseIdleConnections)
	return &beaconSite{lib: lib, srv: srv, client: &http.Client{Transport: tr, Timeout: 30 * time.Second},
		shareID: sh.ID, path: "/p/" + links[0].Token, itemID: it.ID, owner: as, shift: shift}
}

var beaconTokenAttr = regexp.MustCompile(`data-beacon-token="([^"]+)"`)

// open loads the pitch page as a browser and returns the beacon token.
func (s *beaconSite) open(tb testing.TB) string {
	tb.Helper()
	req, err := http.NewRequest("GET", s.srv.URL+s.path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("User-Agent", browserUA)
	resp, err := s.client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := beaconTokenAttr.FindSubmatch(body)
	if resp.StatusCode != 200 || m == nil {
		tb.Fatalf("open: %d, no beacon token:\n%s", resp.StatusCode, body)
	}
	return html.UnescapeString(string(m[1]))
}

// beacon posts one beacon as the viewer page does and returns the status
// and the accepted and duplicate counts.
func (s *beaconSite) beacon(token string, seq int64, page int, ms int64) (int, share.BeaconResult, error) {
	body, _ := json.Marshal(map[string]any{"token": token,
		"beacons": []share.Beacon{{Seq: seq, ItemID: s.itemID, Page: page, ActiveMS: ms}}})
	req, err := http.NewRequest("POST", s.srv.URL+s.path+"/beacon", bytes.NewReader(body))
	if err != nil {
		return 0, share.BeaconResult{}, err
	}
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8") // what sendBeacon sends
	req.Header.Set("User-Agent", browserUA)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, share.BeaconResult{}, err
	}
	defer resp.Body.Close()
	var res share.BeaconResult
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(b, &res); err != nil {
			return resp.StatusCode, res, fmt.Errorf("answer %q: %w", b, err)
		}
	}
	return resp.StatusCode, res, nil
}

// TestBeaconLoadOverHTTP sends beacons from many concurrent views over
// loopback HTTP, every one of them twice at once (as sendBeacon and its
// fetch fallback may both arrive), and checks that not a single delta is
// lost or counted twice. It is bounded: a fixed number of beacons, and a
// deadline on the whole run.
func TestBeaconLoadOverHTTP(t *testing.T) {
	const views, beacons = 40, 25
	s := newBeaconSite(t, views*2)
	tokens := make([]string, views)
	for i := range tokens {
		tokens[i] = s.open(t)
	}
	s.age(10 * time.Minute) // the visits have been open long enough for all their reading (tokens last 30)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var accepted, dups, failures atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, views)
	for i := range views {
		wg.Go(func() {
			for seq := int64(1); seq <= beacons && ctx.Err() == nil; seq++ {
				var inner sync.WaitGroup
				for range 2 {
					inner.Go(func() {
						status, res, err := s.beacon(tokens[i], seq, int(seq%4)+1, 250)
						if err != nil || status != 200 {
							failures.Add(1)
							select {
							case errs <- fmt.Errorf("view %d seq %d: status %d: %v", i, seq, status, err):
							default:
							}
							return
						}
						accepted.Add(int64(res.Accepted))
						dups.Add(int64(res.Duplicates))
					})
				}
				inner.Wait()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if ctx.Err() != nil {
		t.Fatal("the load did not finish within its deadline")
	}
	if failures.Load() != 0 {
		t.Fatalf("%d failed requests", failures.Load())
	}
	if accepted.Load() != views*beacons || dups.Load() != views*beacons {
		t.Fatalf("accepted %d and duplicates %d, want %d each", accepted.Load(), dups.Load(), views*beacons)
	}
	d, err := s.lib.Shares.Get(s.owner, s.shareID, false)
	if err != nil {
		t.Fatal(err)
	}
	if d.Engagement.Views != views || d.Engagement.ActiveMS != views*beacons*250 {
		t.Fatalf("engagement: %d views, %d ms; want %d views, %d ms", d.Engagement.Views, d.Engagement.ActiveMS, views, views*beacons*250)
	}
	var pages int64
	for _, p := range d.Engagement.Items[0].Pages {
		pages += p.ActiveMS
	}
	if pages != views*beacons*250 {
		t.Fatalf("pages sum to %d ms, want %d", pages, views*beacons*250)
	}
}

// BenchmarkBeaconHTTP measures beacons over loopback HTTP into SQLite: the
// viewer's beacon endpoint, from many concurrent views, one beacon per
// request, as real pages send them. Any failed request fails the run.
//
//	go test -run x -bench BeaconHTTP -benchtime 50000x .
func BenchmarkBeaconHTTP(b *testing.B) {
	const nViews = 512
	s := newBeaconSite(b, 256)
	type view struct {
		token string
		seq   atomic.Int64
	}
	views := make([]*view, nViews)
	for i := range views {
		views[i] = &view{token: s.open(b)}
	}
	s.age(10 * time.Minute) // long enough for every beacon's time to be credited (tokens last 30)
	var next, errors atomic.Int64
	b.SetParallelism(64)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		v := views[next.Add(1)%nViews]
		for pb.Next() {
			seq := v.seq.Add(1)
			status, res, err := s.beacon(v.token, seq, int(seq%5)+1, 100)
			if err != nil || status != 200 || res.Accepted != 1 {
				errors.Add(1)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
	b.ReportMetric(float64(errors.Load()), "errors")
	if errors.Load() > 0 {
		b.Fatalf("%d failed beacons", errors.Load())
	}
}
