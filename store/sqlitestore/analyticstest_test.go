package sqlitestore_test

import (
	"path/filepath"
	"testing"

	"github.com/briefcasehq/briefcase/analytics"
	"github.com/briefcasehq/briefcase/analytics/analyticstest"
	"github.com/briefcasehq/briefcase/store/sqlitestore"
)

// TestAnalyticsConformance runs the analytics.Store contract suite against
// a fresh database file per subtest.
func TestAnalyticsConformance(t *testing.T) {
	analyticstest.Run(t, func(t *testing.T) analytics.Store {
		db, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "briefcase.db"), sqlitestore.Options{})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}
