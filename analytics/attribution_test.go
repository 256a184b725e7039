package analytics_test

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase/analytics"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/matryer/is"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestSplitCents(t *testing.T) {
	for _, tc := range []struct {
		name    string
		amount  int64
		weights []float64
		want    []int64
	}{
		{"even thirds: the cent to the first", 100, []float64{1, 1, 1}, []int64{34, 33, 33}},
		{"even, two cents left", 200, []float64{1, 1, 1}, []int64{67, 67, 66}},
		{"largest remainder, not the first", 100000, []float64{0.125, 0.25, 0.5}, []int64{14286, 28571, 57143}},
		{"remainder order beats index order", 10, []float64{1, 2}, []int64{3, 7}},
		{"zero weights left out", 101, []float64{0, 1, 1}, []int64{0, 51, 50}},
		{"negative weight counts 0", 7, []float64{-5, 1}, []int64{0, 7}},
		{"all zero: even", 5, []float64{0, 0}, []int64{3, 2}},
		{"negative amount mirrors", -100, []float64{1, 1, 1}, []int64{-34, -33, -33}},
		{"zero amount", 0, []float64{1, 3}, []int64{0, 0}},
		{"one share takes all", 123456, []float64{0.3}, []int64{123456}},
		{"nothing to split into", 50, nil, []int64{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			is.Equal(analytics.SplitCents(tc.amount, tc.weights), tc.want)
		})
	}
}

// Whatever the weights, the parts add up to the amount and each is within
// one cent of its exact quota.
func TestSplitCentsSumsExactly(t *testing.T) {
	is := is.New(t)
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n := 1 + r.IntN(9)
		w := make([]float64, n)
		var sum float64
		for i := range w {
			w[i] = r.Float64() * r.Float64()
			sum += w[i]
		}
		amount := r.Int64N(1_000_000_000) - 100_000
		got := analytics.SplitCents(amount, w)
		var total int64
		for i, c := range got {
			total += c
			q := float64(amount) * w[i] / sum
			is.True(float64(c)-q < 1.0001 && q-float64(c) < 1.0001) // within a cent of the quota
		}
		is.Equal(total, amount)
	}
}

func TestTouches(t *testing.T) {
	closes := analytics.CloseTime("2025-03-31")
	rt := func(share, rcpt, first, last string) analytics.RecipientTotal {
		return analytics.RecipientTotal{ShareID: share, ShareOwner: "o-" + share, Recipient: rcpt, Opens: 1,
			FirstAt: at(first), LastAt: at(last)}
	}
	for _, tc := range []struct {
		name string
		rows []analytics.RecipientTotal
		want []analytics.Touch
	}{
		{"the close day counts, its end does not",
			[]analytics.RecipientTotal{
				rt("s1", "a@x.example", "2025-03-31T23:59:59Z", "2025-03-31T23:59:59Z"),
				rt("s2", "a@x.example", "2025-04-01T00:00:00Z", "2025-04-01T00:00:00Z"),
			},
			[]analytics.Touch{{ShareID: "s1", Owner: "o-s1", Recipients: []string{"a@x.example"},
				FirstAt: at("2025-03-31T23:59:59Z"), LastAt: at("2025-03-31T23:59:59Z")}}},
		{"reading on after the close falls back to FirstAt",
			[]analytics.RecipientTotal{rt("s1", "a@x.example", "2025-03-02T10:00:00Z", "2025-04-01T00:00:00Z")},
			[]analytics.Touch{{ShareID: "s1", Owner: "o-s1", Recipients: []string{"a@x.example"},
				FirstAt: at("2025-03-02T10:00:00Z"), LastAt: at("2025-03-02T10:00:00Z")}}},
		{"two contacts of one share: earliest first, latest last before close",
			[]analytics.RecipientTotal{
				rt("s1", "b@x.example", "2025-03-05T00:00:00Z", "2025-03-09T00:00:00Z"),
				rt("s1", "A@X.example ", "2025-03-03T00:00:00Z", "2025-03-04T00:00:00Z"),
				rt("s1", "c@x.example", "2025-03-01T00:00:00Z", "2025-05-01T00:00:00Z"),
			},
			[]analytics.Touch{{ShareID: "s1", Owner: "o-s1",
				Recipients: []string{"a@x.example", "b@x.example", "c@x.example"},
				FirstAt:    at("2025-03-01T00:00:00Z"), LastAt: at("2025-03-09T00:00:00Z")}}},
		{"bots, strangers, empty rows and unknown shares do not count; order by share",
			[]analytics.RecipientTotal{
				rt("s9", "a@x.example", "2025-03-01T00:00:00Z", "2025-03-01T00:00:00Z"),
				{ShareID: "s2", Recipient: "a@x.example", Bot: true, Opens: 3, FirstAt: at("2025-03-01T00:00:00Z"),
					LastAt: at("2025-03-01T00:00:00Z")},
				rt("s3", "stranger@y.example", "2025-03-01T00:00:00Z", "2025-03-01T00:00:00Z"),
				{ShareID: "s4", Recipient: "a@x.example", FirstAt: at("2025-03-01T00:00:00Z"),
					LastAt: at("2025-03-01T00:00:00Z")},
				rt("", "a@x.example", "2025-03-01T00:00:00Z", "2025-03-01T00:00:00Z"),
				rt("s5", "", "2025-03-01T00:00:00Z", "2025-03-01T00:00:00Z"),
				rt("s1", "a@x.example", "2025-03-02T00:00:00Z", "2025-03-03T00:00:00Z"),
			},
			[]analytics.Touch{
				{ShareID: "s1", Owner: "o-s1", Recipients: []string{"a@x.example"},
					FirstAt: at("2025-03-02T00:00:00Z"), LastAt: at("2025-03-03T00:00:00Z")},
				{ShareID: "s9", Owner: "o-s9", Recipients: []string{"a@x.example"},
					FirstAt: at("2025-03-01T00:00:00Z"), LastAt: at("2025-03-01T00:00:00Z")},
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			is.Equal(analytics.Touches(tc.rows, []string{"a@x.example", "B@x.example", "c@x.example"}, closes), tc.want)
		})
	}
}

func TestAttributeModels(t *testing.T) {
	closes := analytics.CloseTime("2025-03-31") // 2025-04-01T00:00Z
	touch := func(id, first, last string) analytics.Touch {
		return analytics.Touch{ShareID: id, FirstAt: at(first), LastAt: at(last)}
	}
	ts := []analytics.Touch{
		touch("a", "2025-03-01T00:00:00Z", "2025-03-25T00:00:00Z"), // 7 days before the close
		touch("b", "2025-03-01T00:00:00Z", "2025-03-11T00:00:00Z"), // 21 days
		touch("c", "2025-03-10T00:00:00Z", "2025-03-25T00:00:00Z"), // 7 days
	}
	cents := func(cs []analytics.ShareCredit) []int64 {
		out := make([]int64, len(cs))
		for i, c := range cs {
			out[i] = c.AmountCents
		}
		return out
	}
	for _, tc := range []struct {
		name string
		a    analytics.Attribution
		want []int64
	}{
		{"even", analytics.Attribution{Model: analytics.AttributeEven}, []int64{334, 333, 333}},
		{"first: a tie at the same instant shares", analytics.Attribution{Model: analytics.AttributeFirst},
			[]int64{500, 500, 0}},
		{"last: a tie shares", analytics.Attribution{Model: analytics.AttributeLast}, []int64{500, 0, 500}},
		// weights 1, 1/4, 1: 4/9, 1/9, 4/9 of 1000 = 444.44, 111.11, 444.44 → a gets the cent.
		{"time_decay, default half-life", analytics.Attribution{Model: analytics.AttributeTimeDecay},
			[]int64{445, 111, 444}},
		// half-life 14 days: weights 1, 1/2, 1 → 400, 200, 400.
		{"time_decay, configured half-life",
			analytics.Attribution{Model: analytics.AttributeTimeDecay, HalfLife: 14 * 24 * time.Hour},
			[]int64{400, 200, 400}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			got, err := analytics.Attribute(1000, closes, ts, tc.a)
			is.NoErr(err)
			is.Equal(cents(got), tc.want)
			var w float64
			for i, c := range got {
				is.Equal(c.Touch.ShareID, ts[i].ShareID)
				w += c.Weight
			}
			is.True(w > 0.999999 && w < 1.000001)
		})
	}
}

func TestAttributeRefusesUnknownModels(t *testing.T) {
	is := is.New(t)
	ts := []analytics.Touch{{ShareID: "a", FirstAt: at("2025-03-01T00:00:00Z"), LastAt: at("2025-03-01T00:00:00Z")}}
	_, err := analytics.Attribute(100, analytics.CloseTime("2025-03-31"), ts, analytics.Attribution{Model: "linear"})
	is.True(errors.Is(err, analytics.ErrInvalid))
	is.Equal(errcode.FieldsOf(err)["model"], `must be one of even, first, last, time_decay, not "linear"`)
	_, err = analytics.Attribute(100, analytics.CloseTime("2025-03-31"), ts,
		analytics.Attribution{Model: analytics.AttributeTimeDecay, HalfLife: -time.Hour})
	is.Equal(errcode.FieldsOf(err)["half_life"], "must be positive")

	got, err := analytics.Attribute(100, analytics.CloseTime("2025-03-31"), nil, analytics.Attribution{Model: analytics.AttributeEven})
	is.NoErr(err)
	is.Equal(len(got), 0) // nothing influenced it
}

// Touches years apart under time_decay: the oldest gets a part that rounds
// to nothing, never NaN, and the sum stays exact.
func TestAttributeTimeDecayFarApart(t *testing.T) {
	is := is.New(t)
	ts := []analytics.Touch{
		{ShareID: "old", FirstAt: at("1990-01-01T00:00:00Z"), LastAt: at("1990-01-01T00:00:00Z")},
		{ShareID: "new", FirstAt: at("2025-03-30T00:00:00Z"), LastAt: at("2025-03-30T00:00:00Z")},
	}
	got, err := analytics.Attribute(999_999, analytics.CloseTime("2025-03-31"), ts,
		analytics.Attribution{Model: analytics.AttributeTimeDecay, HalfLife: time.Hour})
	is.NoErr(err)
	is.Equal(got[0].AmountCents, int64(0))
	is.Equal(got[1].AmountCents, int64(999_999))
	is.Equal(got[1].Weight, 1.0)
}

func TestSplitItems(t *testing.T) {
	is := is.New(t)
	items := []analytics.SharedItem{{ItemID: "i1", SpotID: "s1"}, {ItemID: "i2", SpotID: "s2"},
		{ItemID: "i1", SpotID: "s1"}, {ItemID: "i3", SpotID: "s1"}}
	is.Equal(analytics.SplitItems(100, items), []analytics.ItemCredit{
		{SharedItem: analytics.SharedItem{ItemID: "i1", SpotID: "s1"}, AmountCents: 34},
		{SharedItem: analytics.SharedItem{ItemID: "i2", SpotID: "s2"}, AmountCents: 33},
		{SharedItem: analytics.SharedItem{ItemID: "i3", SpotID: "s1"}, AmountCents: 33},
	})
	is.Equal(len(analytics.SplitItems(100, nil)), 0)
}

func TestCents(t *testing.T) {
	for _, tc := range []struct {
		in     string
		want   int64
		format string
		err    string
	}{
		{in: "1234", want: 123400, format: "1234.00"},
		{in: "1234.5", want: 123450, format: "1234.50"},
		{in: "1234.56", want: 123456, format: "1234.56"},
		{in: "-0.05", want: -5, format: "-0.05"},
		{in: "-12.3", want: -1230, format: "-12.30"},
		{in: "0", want: 0, format: "0.00"},
		{in: "1234.567", err: `analytics: invalid: amount "1234.567": more than two decimals`},
		{in: "12,34", err: `analytics: invalid: amount "12,34": not a decimal number`},
		{in: "1e3", err: `analytics: invalid: amount "1e3": not a decimal number`},
		{in: "", err: `analytics: invalid: amount "": not a decimal number`},
		{in: "5.", err: `analytics: invalid: amount "5.": not a decimal number`},
		{in: ".5", err: `analytics: invalid: amount ".5": not a decimal number`},
		{in: "+5", err: `analytics: invalid: amount "+5": not a decimal number`},
		{in: "99999999999999999999", err: `analytics: invalid: amount "99999999999999999999": too large`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			is := is.New(t)
			got, err := analytics.ParseCents(tc.in)
			if tc.err != "" {
				is.True(errors.Is(err, analytics.ErrInvalid))
				is.Equal(err.Error(), tc.err)
				return
			}
			is.NoErr(err)
			is.Equal(got, tc.want)
			is.Equal(analytics.FormatCents(got), tc.format)
		})
	}
}

func TestOpportunityFilter(t *testing.T) {
	is := is.New(t)
	won := analytics.Opportunity{ID: "w", Closed: true, Won: true, CloseDate: "2025-03-31"}
	lost := analytics.Opportunity{ID: "l", Closed: true, CloseDate: "2025-03-01"}
	open := analytics.Opportunity{ID: "o", CloseDate: "2025-04-01"}
	match := func(f analytics.OpportunityFilter) []string {
		var out []string
		for _, o := range []analytics.Opportunity{won, lost, open} {
			if f.Match(o) {
				out = append(out, o.ID)
			}
		}
		return out
	}
	is.Equal(match(analytics.OpportunityFilter{}), []string{"w", "l", "o"})
	is.Equal(match(analytics.OpportunityFilter{State: analytics.OpportunitiesAny}), []string{"w", "l", "o"})
	is.Equal(match(analytics.OpportunityFilter{State: analytics.OpportunitiesWon}), []string{"w"})
	is.Equal(match(analytics.OpportunityFilter{State: analytics.OpportunitiesLost}), []string{"l"})
	is.Equal(match(analytics.OpportunityFilter{State: analytics.OpportunitiesClosed}), []string{"w", "l"})
	is.Equal(match(analytics.OpportunityFilter{State: analytics.OpportunitiesOpen}), []string{"o"})
	is.Equal(match(analytics.OpportunityFilter{CloseFrom: "2025-03-02", CloseTo: "2025-03-31"}), []string{"w"})
	is.Equal(match(analytics.OpportunityFilter{CloseTo: "2025-03-01"}), []string{"l"})

	err := analytics.OpportunityFilter{CloseFrom: "2025-13-01", CloseTo: "x", State: "maybe"}.Validate()
	is.True(errors.Is(err, analytics.ErrInvalid))
	is.Equal(errcode.FieldsOf(err), map[string]string{
		"close_from": `must be a date (2006-01-02), not "2025-13-01"`,
		"close_to":   `must be a date (2006-01-02), not "x"`,
		"state":      `must be one of any, open, closed, won, lost, not "maybe"`,
	})
	err = analytics.OpportunityFilter{CloseFrom: "2025-03-02", CloseTo: "2025-03-01"}.Validate()
	is.Equal(errcode.FieldsOf(err), map[string]string{"close_to": "is before close_from"})
	is.NoErr(analytics.OpportunityFilter{CloseFrom: "2025-03-01", CloseTo: "2025-03-01", State: "won"}.Validate())
}
