package blugesearch_test

import (
	"testing"

	"github.com/briefcasehq/briefcase/search"
	"github.com/briefcasehq/briefcase/search/searchtest"
)

func TestConformance(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Indexer { return open(t, t.TempDir()) })
}
