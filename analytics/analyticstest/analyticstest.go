package analyticstest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase/analytics"
)

// Run tests an analytics.Store implementation against the contract in the
// analytics package. newStore must return a new, empty store each time it
// is called; Run calls it once per subtest. The store is not closed by Run
// (analytics.Store has no Close): register its cleanup with t.Cleanup in
// newStore. See the package documentation for what each subtest expects.
func Run(t *testing.T, newStore func(t *testing.T) analytics.Store) {
	t.Helper()
	areas := []struct {
		name  string
		tests []subtest
	}{
		{"Events", eventTests},
		{"Append", appendTests},
		{"Retention", retentionTests},
		{"Erase", eraseTests},
		{"ItemDays", itemDayTests},
		{"Viewers", viewerTests},
		{"VisitPages", visitPageTests},
		{"Recipients", recipientTests},
		{"Queries", queryTests},
		{"Actors", actorTests},
		{"Reset", resetTests},
		{"Reports", reportTests},
		{"Top", topTests},
		{"Concurrency", concurrencyTests},
	}
	for _, area := range areas {
		t.Run(area.name, func(t *testing.T) {
			for _, st := range area.tests {
				t.Run(st.name, func(t *testing.T) {
					s := newStore(t)
					if s == nil {
						t.Fatal("newStore returned a nil store")
					}
					st.run(&env{t: t, is: is.New(t), ctx: t.Context(), s: s})
				})
			}
		})
	}
}

// subtest is one leaf test; it gets a fresh, empty store.
type subtest struct {
	name string
	run  func(e *env)
}

// env is what a subtest works with.
type env struct {
	t   *testing.T
	is  *is.I
	ctx context.Context
	s   analytics.Store
}

// zone is deliberately not UTC: stores must convert on the way in and
// return UTC on the way out.
var zone = time.FixedZone("UTC+05:30", 5*3600+30*60)

// firstDay is day(0) of every fixture.
var firstDay = time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)

// day returns the fixture's day n (day(0) is 2025-03-10).
func day(n int) analytics.Day { return analytics.DayOf(firstDay.AddDate(0, 0, n)) }

// at returns a time on day n, minutes after noon UTC, with a non-zero
// microsecond part, in zone.
func at(n, minutes int) time.Time {
	return firstDay.AddDate(0, 0, n).Add(12*time.Hour + time.Duration(minutes)*time.Minute + 123456*time.Microsecond).In(zone)
}

// all is a Filter that matches every row, bots included.
func all() analytics.Filter { return analytics.Filter{AllSpots: true, IncludeBots: true} }

// append calls Append and fails the test on error.
func (e *env) append(evs []analytics.Event, r analytics.Rollups) {
	e.t.Helper()
	noErr(e.t, e.s.Append(e.ctx, evs, r), fmt.Sprintf("Append(%d events)", len(evs)))
}

// add calls AddRollups and fails the test on error.
func (e *env) add(r analytics.Rollups) {
	e.t.Helper()
	noErr(e.t, e.s.AddRollups(e.ctx, r), "AddRollups")
}

func (e *env) events(f analytics.EventFilter) []analytics.Event {
	e.t.Helper()
	evs, err := e.s.Events(e.ctx, f)
	noErr(e.t, err, fmt.Sprintf("Events(%+v)", f))
	return evs
}

// allEvents pages through every stored event.
func (e *env) allEvents() []analytics.Event {
	e.t.Helper()
	var out []analytics.Event
	var after int64
	for {
		page := e.events(analytics.EventFilter{AfterID: after})
		if len(page) == 0 {
			return out
		}
		for _, ev := range page {
			if ev.ID <= after {
				e.t.Fatalf("Events(AfterID %d) returned ID %d: want only higher IDs, in increasing order", after, ev.ID)
			}
			after = ev.ID
		}
		out = append(out, page...)
	}
}

func (e *env) sumItems(f analytics.Filter) []analytics.ItemSum {
	e.t.Helper()
	out, err := e.s.SumItems(e.ctx, f)
	noErr(e.t, err, fmt.Sprintf("SumItems(%+v)", f))
	return out
}

func (e *env) sumSpots(f analytics.Filter) []analytics.SpotSum {
	e.t.Helper()
	out, err := e.s.SumSpots(e.ctx, f)
	noErr(e.t, err, fmt.Sprintf("SumSpots(%+v)", f))
	return out
}

func (e *env) visitPages(f analytics.Filter) []analytics.VisitPage {
	e.t.Helper()
	out, err := e.s.VisitPages(e.ctx, f)
	noErr(e.t, err, fmt.Sprintf("VisitPages(%+v)", f))
	return out
}

func (e *env) recipientTotals(f analytics.Filter) []analytics.RecipientTotal {
	e.t.Helper()
	out, err := e.s.RecipientTotals(e.ctx, f)
	noErr(e.t, err, fmt.Sprintf("RecipientTotals(%+v)", f))
	return out
}

func (e *env) sumQueries(f analytics.Filter, maxAvgHits float64) []analytics.QuerySum {
	e.t.Helper()
	out, err := e.s.SumQueries(e.ctx, f, maxAvgHits)
	noErr(e.t, err, fmt.Sprintf("SumQueries(%+v, %v)", f, maxAvgHits))
	return out
}

func (e *env) sumActors(f analytics.Filter) []analytics.ActorDay {
	e.t.Helper()
	out, err := e.s.SumActors(e.ctx, f)
	noErr(e.t, err, fmt.Sprintf("SumActors(%+v)", f))
	return out
}

func (e *env) top(f analytics.TopFilter) []analytics.ItemScore {
	e.t.Helper()
	out, err := e.s.Top(e.ctx, f)
	noErr(e.t, err, fmt.Sprintf("Top(%+v)", f))
	return out
}

// everything is all a store shows, read through every method with filters
// that match every row.
type everything struct {
	Events     []analytics.Event
	Items      []analytics.ItemSum
	Spots      []analytics.SpotSum
	Visits     []analytics.VisitPage
	Recipients []analytics.RecipientTotal
	Queries    []analytics.QuerySum
	Actors     []analytics.ActorDay
	Popular    []analytics.ItemScore
}

func (e *env) everything() everything {
	e.t.Helper()
	return everything{
		Events:     e.allEvents(),
		Items:      e.sumItems(all()),
		Spots:      e.sumSpots(all()),
		Visits:     e.visitPages(all()),
		Recipients: e.recipientTotals(all()),
		Queries:    e.sumQueries(analytics.Filter{Limit: 1 << 20}, math.Inf(1)),
		Actors:     e.sumActors(all()),
		Popular:    e.top(analytics.TopFilter{AllSpots: true, IncludeBots: true}),
	}
}

// diff compares got with want field by field and returns one line per
// difference, naming the field path. Times are equal when time.Equal says
// so and a non-zero time must come back in UTC; nil and empty slices are
// the same.
func diff(got, want any) []string {
	var out []string
	wv := reflect.ValueOf(want)
	diffValue(wv.Type().Name(), reflect.ValueOf(got), wv, &out)
	return out
}

var timeType = reflect.TypeFor[time.Time]()

func diffValue(path string, got, want reflect.Value, out *[]string) {
	if want.Type() == timeType {
		g, w := got.Interface().(time.Time), want.Interface().(time.Time)
		switch {
		case w.IsZero() && !g.IsZero():
			*out = append(*out, fmt.Sprintf("%s: got %s, want the zero time", path, showTime(g)))
		case w.IsZero():
		case g.IsZero():
			*out = append(*out, fmt.Sprintf("%s: got the zero time, want %s", path, showTime(w)))
		case !g.Equal(w):
			*out = append(*out, fmt.Sprintf("%s: got %s, want %s (off by %s; keep microseconds)", path, showTime(g),
				showTime(w), g.Sub(w)))
		case g.Location() != time.UTC:
			*out = append(*out, fmt.Sprintf("%s: got %s in location %q, want the same instant in UTC", path,
				showTime(g), g.Location()))
		}
		return
	}
	switch want.Kind() {
	case reflect.Struct:
		for i := range want.NumField() {
			f := want.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name := path + "." + f.Name
			if f.Anonymous {
				name = path
			}
			diffValue(name, got.Field(i), want.Field(i), out)
		}
	case reflect.Slice:
		if got.Len() != want.Len() {
			*out = append(*out, fmt.Sprintf("%s: got %d elements, want %d:\n\t\tgot  %s\n\t\twant %s", path,
				got.Len(), want.Len(), show(got), show(want)))
			return
		}
		for i := range want.Len() {
			diffValue(fmt.Sprintf("%s[%d]", path, i), got.Index(i), want.Index(i), out)
		}
	default:
		if !reflect.DeepEqual(got.Interface(), want.Interface()) {
			*out = append(*out, fmt.Sprintf("%s: got %s, want %s", path, show(got), show(want)))
		}
	}
}

func showTime(t time.Time) string { return t.Format(time.RFC3339Nano) }

func show(v reflect.Value) string {
	if v.Kind() == reflect.String {
		return fmt.Sprintf("%q", v.String())
	}
	return fmt.Sprintf("%+v", v.Interface())
}

// check fails the test when got differs from want.
func check(t testing.TB, what string, got, want any) {
	t.Helper()
	if d := diff(got, want); len(d) > 0 {
		t.Fatalf("%s:\n\t%s", what, strings.Join(d, "\n\t"))
	}
}

// checkPopulated fails when a fixture leaves an exported field at its zero
// value, so that a field added to a type later cannot escape the
// round-trip tests. It is a check on the suite itself.
func checkPopulated(t testing.TB, v any) {
	t.Helper()
	rv := reflect.ValueOf(v)
	for i := range rv.NumField() {
		if f := rv.Type().Field(i); f.IsExported() && rv.Field(i).IsZero() {
			t.Fatalf("analyticstest fixture bug: %s.%s is not set; update the fixture so every field is tested",
				rv.Type().Name(), f.Name)
		}
	}
}

// wantErr fails unless err matches sentinel with errors.Is.
func wantErr(t testing.TB, err, sentinel error, what string) {
	t.Helper()
	switch {
	case err == nil:
		t.Fatalf("%s: got a nil error, want one matching %q (errors.Is)", what, sentinel)
	case !errors.Is(err, sentinel):
		t.Fatalf("%s: got error %q, which does not match %q with errors.Is; wrap the sentinel with %%w", what, err, sentinel)
	}
}

// noErr fails when err is not nil.
func noErr(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", what, err)
	}
}

// ids returns the IDs of values, in order.
func ids[T any](vs []T, id func(T) string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = id(v)
	}
	return out
}

// checkIDs fails unless got lists exactly want, in order.
func checkIDs(t testing.TB, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) && (len(got) != 0 || len(want) != 0) {
		t.Fatalf("%s:\n\tgot  %d %q\n\twant %d %q", what, len(got), got, len(want), want)
	}
}

func scoreItem(s analytics.ItemScore) string { return s.ItemID }
func sumItem(s analytics.ItemSum) string     { return s.ItemID }
func sumSpot(s analytics.SpotSum) string     { return s.SpotID }
