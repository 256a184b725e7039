package analyticstest

import (
	"fmt"

	"github.com/briefcasehq/briefcase/analytics"
)

var topTests = []subtest{
	{"Popular", testTopPopular},
	{"Trending", testTopTrending},
	{"Filters", testTopFilters},
	{"ItemIDs", testTopItemIDs},
	{"Ties", testTopTies},
	{"Moved", testTopMoved},
	{"MovedCancels", testTopMovedCancels},
	{"InvalidDay", testTopInvalidDay},
}

// topFixture: scores per item and day.
//
//	item-a (spot-a): d0 1, d1 2, d2 4          all time 7
//	item-b (spot-b): d0 8                      all time 8
//	item-c (spot-a): d2 3, bot d1 100          all time 3 (103 with bots)
//	item-d (spot-c): d1 7                      all time 7
//	item-e (spot-a): d2 -1                     all time -1
//	item-f (spot-b): d0 2, d2 -2               all time 0
func topFixture() analytics.Rollups {
	row := func(item, spot string, d int, bot bool, score float64) analytics.ItemDay {
		return analytics.ItemDay{ItemID: item, SpotID: spot, Day: day(d), Bot: bot, Views: 1, Score: score}
	}
	return analytics.Rollups{ItemDays: []analytics.ItemDay{
		row("item-a", "spot-a", 0, false, 1), row("item-a", "spot-a", 1, false, 2), row("item-a", "spot-a", 2, false, 4),
		row("item-b", "spot-b", 0, false, 8),
		row("item-c", "spot-a", 2, false, 3), row("item-c", "spot-a", 1, true, 100),
		row("item-d", "spot-c", 1, false, 7),
		row("item-e", "spot-a", 2, false, -1),
		row("item-f", "spot-b", 0, false, 2), row("item-f", "spot-b", 2, false, -2),
	}}
}

func score(item, spot string, s float64) analytics.ItemScore {
	return analytics.ItemScore{ItemID: item, SpotID: spot, Score: s}
}

var (
	popA = score("item-a", "spot-a", 7)
	popB = score("item-b", "spot-b", 8)
	popC = score("item-c", "spot-a", 3)
	popD = score("item-d", "spot-c", 7)
)

func testTopPopular(e *env) {
	e.add(topFixture())
	check(e.t, "Top(all time): highest first, ties (item-a, item-d at 7) by item ID, zero and negative left out",
		e.top(analytics.TopFilter{AllSpots: true}), []analytics.ItemScore{popB, popA, popD, popC})
	check(e.t, "Top(all time, IncludeBots)", e.top(analytics.TopFilter{AllSpots: true, IncludeBots: true}),
		[]analytics.ItemScore{score("item-c", "spot-a", 103), popB, popA, popD})
	check(e.t, "Top(all time, Limit 2): the tie at 7 is cut by item ID", e.top(analytics.TopFilter{AllSpots: true, Limit: 2}),
		[]analytics.ItemScore{popB, popA})
	check(e.t, "Top(all time: DayWeights nil, Limit 1)",
		e.top(analytics.TopFilter{AllSpots: true, DayWeights: nil, Limit: 1}), []analytics.ItemScore{popB})
}

func testTopTrending(e *env) {
	e.add(topFixture())
	for _, c := range []struct {
		name    string
		weights map[analytics.Day]float64
		f       analytics.TopFilter
		want    []analytics.ItemScore
	}{
		{"d2 weighs 1, d1 0.5, d0 absent", map[analytics.Day]float64{day(2): 1, day(1): 0.5}, analytics.TopFilter{AllSpots: true},
			[]analytics.ItemScore{score("item-a", "spot-a", 5), score("item-d", "spot-c", 3.5), score("item-c", "spot-a", 3)}},
		{"with bots", map[analytics.Day]float64{day(2): 1, day(1): 0.5}, analytics.TopFilter{AllSpots: true, IncludeBots: true},
			[]analytics.ItemScore{score("item-c", "spot-a", 53), score("item-a", "spot-a", 5), score("item-d", "spot-c", 3.5)}},
		{"Limit 1", map[analytics.Day]float64{day(2): 1, day(1): 0.5}, analytics.TopFilter{AllSpots: true, Limit: 1},
			[]analytics.ItemScore{score("item-a", "spot-a", 5)}},
		{"a zero weight counts nothing", map[analytics.Day]float64{day(0): 0, day(2): 1}, analytics.TopFilter{AllSpots: true},
			[]analytics.ItemScore{score("item-a", "spot-a", 4), score("item-c", "spot-a", 3)}},
		{"a negative weight", map[analytics.Day]float64{day(0): -1, day(2): 1}, analytics.TopFilter{AllSpots: true},
			[]analytics.ItemScore{score("item-a", "spot-a", 3), score("item-c", "spot-a", 3)}},
		{"only days without rows", map[analytics.Day]float64{day(7): 1, day(-1): 1}, analytics.TopFilter{AllSpots: true}, nil},
		{"an empty, non-nil map: no day counts", map[analytics.Day]float64{}, analytics.TopFilter{AllSpots: true}, nil},
	} {
		c.f.DayWeights = c.weights
		check(e.t, "Top(trending, "+c.name+")", e.top(c.f), c.want)
	}
}

func testTopFilters(e *env) {
	e.add(topFixture())
	trend := map[analytics.Day]float64{day(2): 1, day(1): 0.5}
	for _, c := range []struct {
		name string
		f    analytics.TopFilter
		want []analytics.ItemScore
	}{
		{"spot-a", analytics.TopFilter{SpotIDs: []string{"spot-a"}}, []analytics.ItemScore{popA, popC}},
		{"spots c and b", analytics.TopFilter{SpotIDs: []string{"spot-c", "spot-b"}}, []analytics.ItemScore{popB, popD}},
		{"spot-a, trending", analytics.TopFilter{SpotIDs: []string{"spot-a"}, DayWeights: trend},
			[]analytics.ItemScore{score("item-a", "spot-a", 5), score("item-c", "spot-a", 3)}},
		{"nil SpotIDs: nothing", analytics.TopFilter{IncludeBots: true}, nil},
		{"empty SpotIDs: nothing", analytics.TopFilter{SpotIDs: []string{}, DayWeights: trend}, nil},
		{"an unknown spot: nothing", analytics.TopFilter{SpotIDs: []string{"spot-z"}}, nil},
		{"AllSpots wins over SpotIDs", analytics.TopFilter{AllSpots: true, SpotIDs: []string{"spot-z"}, Limit: 1},
			[]analytics.ItemScore{popB}},
	} {
		check(e.t, "Top("+c.name+")", e.top(c.f), c.want)
	}
}

// testTopItemIDs: ItemIDs restricts to those items and Limit is ignored;
// items with a score of zero or less, or without rows, are still left out.
func testTopItemIDs(e *env) {
	e.add(topFixture())
	ask := []string{"item-c", "item-f", "item-b", "item-e", "item-zzz", "item-a"}
	check(e.t, "Top(all time, ItemIDs, Limit 1)", e.top(analytics.TopFilter{AllSpots: true, ItemIDs: ask, Limit: 1}),
		[]analytics.ItemScore{popB, popA, popC})
	check(e.t, "Top(trending, ItemIDs, Limit 1)", e.top(analytics.TopFilter{AllSpots: true, ItemIDs: ask, Limit: 1,
		DayWeights: map[analytics.Day]float64{day(2): 1, day(1): 0.5}}),
		[]analytics.ItemScore{score("item-a", "spot-a", 5), score("item-c", "spot-a", 3)})
	check(e.t, "Top(all time, ItemIDs, spot-b)", e.top(analytics.TopFilter{SpotIDs: []string{"spot-b"}, ItemIDs: ask}),
		[]analytics.ItemScore{popB})
}

// testTopTies: 30 items with the same score; the first 20 by item ID win,
// trending and popular alike, and an item that scores higher comes first
// whatever its ID.
func testTopTies(e *env) {
	var r analytics.Rollups
	var want []analytics.ItemScore
	for i := range 30 {
		item := fmt.Sprintf("item-%02d", 29-i)
		r.ItemDays = append(r.ItemDays,
			analytics.ItemDay{ItemID: item, SpotID: "spot-a", Day: day(i % 3), Views: 1, Score: 0.5},
			analytics.ItemDay{ItemID: item, SpotID: "spot-a", Day: day(i%3 + 1), Views: 1, Score: 0.5})
	}
	r.ItemDays = append(r.ItemDays, analytics.ItemDay{ItemID: "item-99", SpotID: "spot-b", Day: day(2), Score: 1.5})
	e.add(r)
	want = append(want, score("item-99", "spot-b", 1.5))
	for i := range 19 {
		want = append(want, score(fmt.Sprintf("item-%02d", i), "spot-a", 1))
	}
	check(e.t, "Top(all time, Limit 20) over 30 items tied at 1", e.top(analytics.TopFilter{AllSpots: true, Limit: 20}), want)
	weights := map[analytics.Day]float64{day(0): 1, day(1): 1, day(2): 1, day(3): 1}
	check(e.t, "Top(trending, Limit 20) over 30 items tied at 1",
		e.top(analytics.TopFilter{AllSpots: true, Limit: 20, DayWeights: weights}), want)
	check(e.t, "Top(all time, IncludeBots, Limit 20) over 30 items tied at 1",
		e.top(analytics.TopFilter{AllSpots: true, Limit: 20, IncludeBots: true}), want)
	check(e.t, "Top(trending, a negative weight, Limit 20) over 30 items tied at 1",
		e.top(analytics.TopFilter{AllSpots: true, Limit: 20, DayWeights: map[analytics.Day]float64{day(0): 1, day(1): 1,
			day(2): 1, day(3): 1, day(9): -1}}), want)
	got := e.top(analytics.TopFilter{AllSpots: true})
	if len(got) != 31 {
		e.t.Fatalf("Top(all time, no Limit): got %d items, want all 31 (a zero Limit is no limit)", len(got))
	}
}

// testTopMoved: an item's rows keep the spot they were recorded in; the
// spot filter applies per row, and an item's SpotID is that of its latest
// day counted.
func testTopMoved(e *env) {
	e.add(analytics.Rollups{ItemDays: []analytics.ItemDay{
		{ItemID: "item-g", SpotID: "spot-a", Day: day(0), Views: 1, Score: 1},
		{ItemID: "item-g", SpotID: "spot-b", Day: day(3), Views: 1, Score: 2},
	}})
	check(e.t, "Top(all time) of an item moved from spot-a to spot-b", e.top(analytics.TopFilter{AllSpots: true}),
		[]analytics.ItemScore{score("item-g", "spot-b", 3)})
	check(e.t, "Top(all time, spot-a) of an item moved to spot-b", e.top(analytics.TopFilter{SpotIDs: []string{"spot-a"}}),
		[]analytics.ItemScore{score("item-g", "spot-a", 1)})
	check(e.t, "Top(trending on d0, all spots) of an item moved to spot-b",
		e.top(analytics.TopFilter{AllSpots: true, DayWeights: map[analytics.Day]float64{day(0): 1}}),
		[]analytics.ItemScore{score("item-g", "spot-a", 1)})
}

// testTopMovedCancels: an item whose rows in two spots nearly cancel
// ranks by its sum, not by its best row, even when that row is the
// highest of all (an implementation that prunes by rows must still count
// it right, and must look past it for the last places).
func testTopMovedCancels(e *env) {
	var r analytics.Rollups
	row := func(item, spot string, d int, s float64) {
		r.ItemDays = append(r.ItemDays, analytics.ItemDay{ItemID: item, SpotID: spot, Day: day(d), Views: 1, Score: s})
	}
	row("item-moved", "spot-a", 0, 100)
	row("item-moved", "spot-b", 1, -99)
	var want []analytics.ItemScore
	for i := range 15 {
		item := fmt.Sprintf("item-%02d", i)
		row(item, "spot-a", 0, float64(50-i))
		want = append(want, score(item, "spot-a", float64(50-i)))
	}
	row("item-low", "spot-a", 1, 10)
	e.add(r)
	want = append(want, score("item-low", "spot-a", 10))
	check(e.t, "Top(all time, Limit 16) with a moved item whose rows nearly cancel",
		e.top(analytics.TopFilter{AllSpots: true, Limit: 16}), want)
	check(e.t, "Top(trending over both days, Limit 16) with a moved item whose rows nearly cancel",
		e.top(analytics.TopFilter{AllSpots: true, Limit: 16, DayWeights: map[analytics.Day]float64{day(0): 1, day(1): 1}}), want)
}

func testTopInvalidDay(e *env) {
	e.add(topFixture())
	_, err := e.s.Top(e.ctx, analytics.TopFilter{AllSpots: true, DayWeights: map[analytics.Day]float64{"2025-3-12": 1}})
	wantErr(e.t, err, analytics.ErrInvalid, `Top(DayWeights {"2025-3-12": 1})`)
}
