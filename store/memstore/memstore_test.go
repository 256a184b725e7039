package memstore_test

import (
	"testing"

	"github.com/briefcasehq/briefcase/analytics"
	"github.com/briefcasehq/briefcase/analytics/analyticstest"
	"github.com/briefcasehq/briefcase/store"
	"github.com/briefcasehq/briefcase/store/memstore"
	"github.com/briefcasehq/briefcase/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return memstore.New() })
}

func TestAnalyticsConformance(t *testing.T) {
	analyticstest.Run(t, func(t *testing.T) analytics.Store { return memstore.New() })
}
