package memsearch_test

import (
	"errors"
	"testing"

	"github.com/briefcasehq/briefcase/search"
	"github.com/briefcasehq/briefcase/search/memsearch"
	"github.com/briefcasehq/briefcase/search/searchtest"
)

func TestConformance(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Indexer {
		ix := memsearch.New()
		t.Cleanup(func() {
			if err := ix.Close(); err != nil && !errors.Is(err, search.ErrClosed) {
				t.Errorf("Close: %v", err)
			}
		})
		return ix
	})
}
