package synthcorpus_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/briefcasehq/briefcase/internal/synthcorpus"
	"github.com/briefcasehq/briefcase/store/sqlitestore"
)

// BenchmarkLoadSQLite loads a corpus of 10,000 items into a new SQLite
// database per iteration and reports items/s (setup included).
func BenchmarkLoadSQLite(b *testing.B) {
	ctx := context.Background()
	const n = 10000
	for b.Loop() {
		db, err := sqlitestore.Open(ctx, filepath.Join(b.TempDir(), "briefcase.db"), sqlitestore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := synthcorpus.New(synthcorpus.Options{Items: n, Seed: 1}).Load(ctx, db); err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "items/s")
}
