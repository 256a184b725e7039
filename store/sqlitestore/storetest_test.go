package sqlitestore_test

import (
	"path/filepath"
	"testing"

	"github.com/briefcasehq/briefcase/store"
	"github.com/briefcasehq/briefcase/store/sqlitestore"
	"github.com/briefcasehq/briefcase/store/storetest"
)

// TestConformance runs the store contract suite against a fresh database
// file per subtest.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "briefcase.db"), sqlitestore.Options{})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return db
	})
}
