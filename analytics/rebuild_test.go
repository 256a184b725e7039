package analytics_test

import (
	"errors"
	"testing"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase/analytics"
)

// TestRebuildAndRetention: roll-ups rebuilt from the raw events equal the
// ones maintained incrementally; pruning raw events past the retention
// leaves the roll-ups (and the reports) as they were.
func TestRebuildAndRetention(t *testing.T) {
	eachRepStore(t, func(t *testing.T, w *repWorld) {
		is := is.New(t)
		w.record(w.events()...)
		content := w.content("ann", analytics.ReportQuery{})
		gaps := w.gaps("ann", analytics.SearchGapQuery{})
		recips := w.recipients("ann", analytics.PitchQuery{})
		is.True(len(content) > 0 && len(gaps) > 0 && len(recips) > 0)

		_, err := w.an.Rebuild(w.as("ann"))
		is.True(errors.Is(err, analytics.ErrForbidden)) // admins only
		n, err := w.an.Rebuild(w.as("ada"))
		is.NoErr(err)
		is.Equal(n, int64(len(w.events())))
		repCheck(t, "content after rebuild", w.content("ann", analytics.ReportQuery{}), content)
		repCheck(t, "search gaps after rebuild", w.gaps("ann", analytics.SearchGapQuery{}), gaps)
		repCheck(t, "recipients after rebuild", w.recipients("ann", analytics.PitchQuery{}), recips)

		// Retention: nothing is old enough yet; then everything is.
		pruned, err := w.an.Prune(w.as("ada"), w.clock.Now())
		is.NoErr(err)
		is.Equal(pruned, int64(0))
		pruned, err = w.an.Prune(w.as("ada"), w.clock.Now().AddDate(2, 0, 0))
		is.NoErr(err)
		is.Equal(pruned, int64(len(w.events())))
		left, err := w.st.(analytics.Store).Events(w.ctx, analytics.EventFilter{})
		is.NoErr(err)
		is.Equal(len(left), 0)
		repCheck(t, "content after pruning the raw events", w.content("ann", analytics.ReportQuery{}), content)
		_, err = w.an.Prune(w.as("sam"), w.clock.Now())
		is.True(errors.Is(err, analytics.ErrForbidden))
	})
}
