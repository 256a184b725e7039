package briefcase_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase/share"
)

// BenchmarkBeaconIngestion measures beacons recorded through the Go API
// (share.Service.Beacon: token and link checks, then batched commits) on
// SQLite, from many concurrent views, one beacon per call as the viewer
// page sends them. Run with -cpu to vary the concurrency:
//
//	go test -run x -bench BeaconIngestion -benchtime 200000x .
func BenchmarkBeaconIngestion(b *testing.B) {
	ctx := context.Background()
	site := newBeaconSite(b, 1) // its HTTP server stays idle here
	lib, tok := site.lib, strings.TrimPrefix(site.path, "/p/")
	acc, err := lib.Shares.Resolve(ctx, tok, "")
	if err != nil {
		b.Fatal(err)
	}
	const nViews = 1024
	type view struct {
		token string
		seq   atomic.Int64
	}
	views := make([]*view, nViews)
	for i := range views {
		v, err := lib.Shares.Open(ctx, acc, share.Visitor{UserAgent: browserUA, Method: "GET"})
		if err != nil {
			b.Fatal(err)
		}
		views[i] = &view{token: v.BeaconToken}
	}
	site.age(10 * time.Minute) // long enough for every beacon's time to be credited (tokens last 30)
	var next atomic.Int64
	b.SetParallelism(128) // many readers at once, as on a server
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		v := views[next.Add(1)%nViews]
		for pb.Next() {
			seq := v.seq.Add(1)
			res, err := lib.Shares.Beacon(ctx, tok, v.token, []share.Beacon{{Seq: seq, ItemID: site.itemID, Page: int(seq%5) + 1, ActiveMS: 100}})
			if err != nil {
				b.Error(err)
				return
			}
			if res.Accepted != 1 {
				b.Errorf("beacon %d not accepted: %+v", seq, res)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}
