package briefcase_test

import (
	"context"
	"strings"
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

// BenchmarkBeaconIngestion measures beacons recorded through the Go API
// (share.Service.Beacon: token and link checks, then batched commits) on
// SQLite, from many concurrent views, one beacon per call as the viewer
// page sends them. Run with -cpu to vary the concurrency:
//
//	go test -run x -bench BeaconIngestion -benchtime 200000x .
func BenchmarkBeaconIngestion(b *testing.B) {
	ctx := context.Background()
	db, err := sqlitestore.Open(ctx, b.TempDir()+"/briefcase.db", sqlitestore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	blobs, err := localblobs.New(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	lib, err := briefcase.New(ctx, briefcase.Config{Store: db, Blobs: blobs})
	if err != nil {
		b.Fatal(err)
	}
	defer lib.Close()
	sys := briefcase.SystemContext(ctx)
	trained := []spots.Training{{Name: spots.TrainingContentContributor, CompletedAt: time.Now()}}
	seller, err := lib.Spots.SavePrincipal(sys, spots.Principal{ID: "seller", Email: "seller@example.com", Trainings: trained})
	if err != nil {
		b.Fatal(err)
	}
	as := briefcase.WithPrincipal(ctx, seller)
	sp, err := lib.Spots.Create(as, spots.NewSpot{Name: "Deals", Kind: spots.KindTeam})
	if err != nil {
		b.Fatal(err)
	}
	it, err := lib.Items.Create(as, items.NewItem{SpotID: sp.ID, Kind: items.KindDocument, Title: "Deck", Audience: items.External})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := lib.Items.AddVersion(as, it.ID, items.NewVersion{Filename: "deck.md", Body: strings.NewReader("# Deck")}); err != nil {
		b.Fatal(err)
	}
	_, links, err := lib.Shares.CreatePitch(as, share.NewPitch{Title: "Deck", Items: []string{it.ID}, Recipients: []string{"buyer@acme.com"}})
	if err != nil {
		b.Fatal(err)
	}
	tok := links[0].Token
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
	var next atomic.Int64
	b.SetParallelism(128) // many readers at once, as on a server
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		v := views[next.Add(1)%nViews]
		for pb.Next() {
			seq := v.seq.Add(1)
			res, err := lib.Shares.Beacon(ctx, tok, v.token, []share.Beacon{{Seq: seq, ItemID: it.ID, Page: int(seq%5) + 1, ActiveMS: 100}})
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
