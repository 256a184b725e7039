package briefcase_test

// Library.Search over a synthetic library (internal/synthcorpus) on the
// reference server's engines, SQLite and blugesearch, as the seller: the
// permission filter keeps the 160-odd of 200 spots the seller may view, and
// every search computes its four facets. One sub-benchmark per kind of
// query, one query per iteration cycling through 200 of that kind; each
// reports p50-ms and p99-ms.
//
//	go test -run '^$' -bench BenchmarkSearch -benchtime 400x .
//	BRIEFCASE_BENCH_ITEMS=100000 go test -run '^$' -bench BenchmarkSearch -benchtime 400x -timeout 60m .
//
// BRIEFCASE_BENCH_ITEMS sets the corpus size (5,000 by default). For the
// side-by-side with a bare Bluge index, indexing throughput and
// write-to-visible latency, run internal/cmd/searchbench.

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/internal/synthcorpus"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/search"
	"github.com/briefcasehq/briefcase/search/blugesearch"
	"github.com/briefcasehq/briefcase/store/sqlitestore"
)

func benchItems() int {
	if n, err := strconv.Atoi(os.Getenv("BRIEFCASE_BENCH_ITEMS")); err == nil && n > 0 {
		return n
	}
	return 5000
}

// benchLibrary loads a corpus into SQLite under dir and indexes it with
// blugesearch through Library.Reindex.
func benchLibrary(b *testing.B, dir string, c *synthcorpus.Corpus) *briefcase.Library {
	b.Helper()
	ctx := context.Background()
	db, err := sqlitestore.Open(ctx, filepath.Join(dir, "briefcase.db"), sqlitestore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	start := time.Now()
	if err := c.Load(ctx, db); err != nil {
		b.Fatal(err)
	}
	loaded := time.Since(start)
	blobs, err := localblobs.New(filepath.Join(dir, "blobs"))
	if err != nil {
		b.Fatal(err)
	}
	idx, err := blugesearch.Open(filepath.Join(dir, "index"), blugesearch.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { idx.Close() })
	lib, err := briefcase.New(ctx, briefcase.Config{Store: db, Blobs: blobs, Indexer: idx})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { lib.Close() })
	start = time.Now()
	if _, err := lib.Reindex(briefcase.SystemContext(ctx)); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d items: loaded in %v, reindexed in %v", c.Len(), loaded.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	return lib
}

// reportLatencies runs one call per iteration (after a warm-up pass over
// the first 50) and reports the 50th and 99th percentiles.
func reportLatencies(b *testing.B, n int, call func(i int) error) {
	b.Helper()
	for i := range min(n, 50) {
		if err := call(i); err != nil {
			b.Fatal(err)
		}
	}
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := call(i % n); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	pct := func(p float64) float64 {
		return float64(times[min(len(times)-1, int(p*float64(len(times))))]) / 1e6
	}
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	c := synthcorpus.New(synthcorpus.Options{Items: benchItems(), Seed: 1})
	lib := benchLibrary(b, b.TempDir(), c)
	seller := briefcase.WithPrincipal(ctx, c.Principal(synthcorpus.SellerID))
	admin := briefcase.WithPrincipal(ctx, c.Principal(synthcorpus.AdminID))
	for _, k := range synthcorpus.QueryKinds() {
		qs := c.Queries(k, 200)
		b.Run("q="+string(k), func(b *testing.B) {
			reportLatencies(b, len(qs), func(i int) error {
				_, err := lib.Search.Search(seller, search.Request{Query: qs[i]})
				return err
			})
		})
	}
	// Facets over everything: an admin browsing sees every item.
	b.Run("q=admin-browse", func(b *testing.B) {
		reportLatencies(b, 1, func(int) error {
			_, err := lib.Search.Search(admin, search.Request{})
			return err
		})
	})
}
