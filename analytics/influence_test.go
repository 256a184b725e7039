package analytics_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase/analytics"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
	"github.com/briefcasehq/briefcase/store/memstore"
)

// recipientStore is an analytics.Store that only answers RecipientTotals
// (the influence report reads nothing else); any other call panics.
type recipientStore struct {
	analytics.Store
	rows []analytics.RecipientTotal

	mu    sync.Mutex
	calls []analytics.Filter
}

func (s *recipientStore) RecipientTotals(ctx context.Context, f analytics.Filter) ([]analytics.RecipientTotal, error) {
	s.mu.Lock()
	s.calls = append(s.calls, f)
	s.mu.Unlock()
	var out []analytics.RecipientTotal
	for _, r := range s.rows {
		if r.Bot && !f.IncludeBots || len(f.ShareIDs) > 0 && !slices.Contains(f.ShareIDs, r.ShareID) ||
			len(f.Owners) > 0 && !slices.Contains(f.Owners, r.ShareOwner) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// indexedStore also has the optional RecipientTotalsOf.
type indexedStore struct {
	*recipientStore
	asked [][]string
}

func (s *indexedStore) RecipientTotalsOf(ctx context.Context, recipients []string, bots bool) ([]analytics.RecipientTotal, error) {
	s.asked = append(s.asked, recipients)
	var out []analytics.RecipientTotal
	for _, r := range s.rows {
		if slices.Contains(recipients, r.Recipient) && (bots || !r.Bot) {
			out = append(out, r)
		}
	}
	return out, nil
}

var _ analytics.RecipientTotalsOfStore = (*indexedStore)(nil)

// fakeCRM answers from memory and remembers the filters it was asked.
type fakeCRM struct {
	accounts []analytics.Account
	opps     []analytics.Opportunity
	contacts map[string][]string
	asked    []analytics.OpportunityFilter
	err      error
}

func (c *fakeCRM) Opportunities(ctx context.Context, f analytics.OpportunityFilter) ([]analytics.Opportunity, error) {
	c.asked = append(c.asked, f)
	if c.err != nil {
		return nil, c.err
	}
	var out []analytics.Opportunity
	for _, o := range c.opps {
		if f.Match(o) {
			out = append(out, o)
		}
	}
	return out, nil
}

func (c *fakeCRM) Accounts(ctx context.Context, ids []string) ([]analytics.Account, error) {
	var out []analytics.Account
	for _, a := range c.accounts {
		if slices.Contains(ids, a.ID) {
			out = append(out, a)
		}
	}
	return out, nil
}

func (c *fakeCRM) ContactEmails(ctx context.Context, ids []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, id := range ids {
		if cs := c.contacts[id]; len(cs) > 0 {
			out[id] = cs
		}
	}
	return out, nil
}

type shareMap map[string]analytics.ShareInfo

func (m shareMap) ResolveShares(ctx context.Context, ids []string) (map[string]analytics.ShareInfo, error) {
	out := map[string]analytics.ShareInfo{}
	for _, id := range ids {
		if s, ok := m[id]; ok {
			out[id] = s
		}
	}
	return out, nil
}

// influenceFixture: the worked example of Attribute (opp-1) and more
// opportunities around it. Spots sp1 "Decks" (owned by olga; items i1,
// i2) and sp2 "Cases" (i3).
//
//	opp-1  won   2025-03-31  1000.00 USD  ana, ben   shares A, B, C (D after, E bot, F stranger)
//	opp-2  won   2025-03-15   500.00 EUR  gil        share G (bob: i1, i3)
//	opp-3  lost  2025-03-20   300.00 USD  ana        share A
//	opp-4  open  2025-04-30   700.00 USD  ben        share B
//	opp-5  won   2025-03-02   200.00 USD  ana        nothing before its close
//	opp-6  won   2025-04-15   900.00 EUR  gil        share G, but out of March
//	opp-7  won   2025-03-25   100.00 USD  hal        share H, deleted since (seller dave)
type influenceFixture struct {
	spots  *spots.Service
	st     *recipientStore
	crm    *fakeCRM
	shares shareMap
	svc    *analytics.Service
	now    time.Time
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func newInfluenceFixture(t *testing.T) *influenceFixture {
	t.Helper()
	is := is.New(t)
	ms := memstore.New()
	var n int
	sp := spots.NewService(ms, func(ctx context.Context, fn func(spots.Stores) error) error {
		return ms.Atomic(ctx, func(tx store.Store) error { return fn(tx) })
	}, spots.Options{NewID: func() string { n++; return fmt.Sprintf("sp%d", n) }})
	sys := spots.WithPrincipal(context.Background(), spots.SystemPrincipal())
	for _, p := range []spots.Principal{
		{ID: "ann", Name: "Ann Analyst", Roles: []spots.PlatformRole{spots.Analyst}},
		{ID: "adam", Name: "Adam Admin", Roles: []spots.PlatformRole{spots.Admin}},
		{ID: "olga", Name: "Olga Owner"}, {ID: "alice", Name: "Alice"}, {ID: "bob", Name: "Bob"},
		{ID: "zed", Name: "Zed"}, {ID: "cora", Name: "Cora Coowner"},
	} {
		_, err := sp.SavePrincipal(sys, p)
		is.NoErr(err)
	}
	for _, id := range []string{"olga", "cora"} {
		_, err := sp.RecordTraining(sys, id, spots.TrainingContentContributor)
		is.NoErr(err)
	}
	decks, err := sp.Create(sys, spots.NewSpot{Name: "Decks", Kind: spots.KindProduct, Visibility: spots.Public, OwnerID: "olga"})
	is.NoErr(err)
	cases, err := sp.Create(sys, spots.NewSpot{Name: "Cases", Kind: spots.KindProduct, Visibility: spots.Public, OwnerID: "olga"})
	is.NoErr(err)
	is.Equal([]string{decks.ID, cases.ID}, []string{"sp1", "sp2"})
	// olga owns both; cora co-owns Cases.
	_, err = sp.Grant(sys, "sp2", spots.User("cora"), spots.Coowner)
	is.NoErr(err)

	rt := func(share, owner, rcpt, first, last string, bot bool) analytics.RecipientTotal {
		return analytics.RecipientTotal{ShareID: share, ShareOwner: owner, Recipient: rcpt, Bot: bot, Opens: 1,
			PageViews: 3, FirstAt: day(first), LastAt: day(last)}
	}
	st := &recipientStore{rows: []analytics.RecipientTotal{
		rt("A", "alice", "ana@acme.example", "2025-03-04", "2025-03-11", false),
		rt("B", "bob", "ben@acme.example", "2025-03-18", "2025-04-10", false),
		rt("C", "alice", "ana@acme.example", "2025-03-20", "2025-03-25", false),
		rt("D", "carol", "ana@acme.example", "2025-04-02", "2025-04-02", false),
		rt("E", "bob", "ben@acme.example", "2025-03-30", "2025-03-30", true),
		rt("F", "bob", "cy@other.example", "2025-03-15", "2025-03-15", false),
		rt("G", "bob", "gil@globex.example", "2025-03-10", "2025-03-12", false),
		rt("H", "dave", "hal@hooli.example", "2025-03-01", "2025-03-01", false),
	}}
	crm := &fakeCRM{
		accounts: []analytics.Account{{ID: "acc-1", Name: "Acme"}, {ID: "acc-2", Name: "Globex"}},
		opps: []analytics.Opportunity{
			{ID: "opp-5", AccountID: "acc-1", Name: "Acme pilot", AmountCents: 20000, Currency: "USD", Stage: "Closed Won", Closed: true, Won: true, CloseDate: "2025-03-02"},
			{ID: "opp-2", AccountID: "acc-2", Name: "Globex expansion", AmountCents: 50000, Currency: "EUR", Stage: "Closed Won", Closed: true, Won: true, CloseDate: "2025-03-15"},
			{ID: "opp-3", AccountID: "acc-3", Name: "Initech", AmountCents: 30000, Currency: "USD", Stage: "Closed Lost", Closed: true, CloseDate: "2025-03-20"},
			{ID: "opp-7", AccountID: "acc-9", Name: "Hooli", AmountCents: 10000, Currency: "USD", Stage: "Closed Won", Closed: true, Won: true, CloseDate: "2025-03-25"},
			{ID: "opp-1", AccountID: "acc-1", Name: "Acme renewal", AmountCents: 100000, Currency: "USD", Stage: "Closed Won", Closed: true, Won: true, CloseDate: "2025-03-31"},
			{ID: "opp-6", AccountID: "acc-2", Name: "Globex next", AmountCents: 90000, Currency: "EUR", Stage: "Closed Won", Closed: true, Won: true, CloseDate: "2025-04-15"},
			{ID: "opp-4", AccountID: "acc-1", Name: "Acme upsell", AmountCents: 70000, Currency: "USD", Stage: "Negotiation", CloseDate: "2025-04-30"},
		},
		contacts: map[string][]string{
			"opp-1": {"ana@acme.example", "ben@acme.example"},
			"opp-2": {"gil@globex.example"},
			"opp-3": {"ana@acme.example"},
			"opp-4": {"ben@acme.example"},
			"opp-5": {"ana@acme.example"},
			"opp-6": {"gil@globex.example"},
			"opp-7": {"hal@hooli.example"},
		},
	}
	shares := shareMap{
		"A": {ID: "A", Owner: "alice", Items: []analytics.SharedItem{{ItemID: "i1", SpotID: "sp1"}, {ItemID: "i2", SpotID: "sp1"}}},
		"B": {ID: "B", Owner: "bob", Items: []analytics.SharedItem{{ItemID: "i3", SpotID: "sp2"}}},
		"C": {ID: "C", Owner: "alice", Items: []analytics.SharedItem{{ItemID: "i1", SpotID: "sp1"}}},
		"D": {ID: "D", Owner: "carol", Items: []analytics.SharedItem{{ItemID: "i2", SpotID: "sp1"}}},
		"G": {ID: "G", Owner: "bob", Items: []analytics.SharedItem{{ItemID: "i1", SpotID: "sp1"}, {ItemID: "i3", SpotID: "sp2"}}},
	}
	now := day("2025-04-20").Add(15 * time.Hour)
	f := &influenceFixture{spots: sp, st: st, crm: crm, shares: shares, now: now}
	f.svc = analytics.NewService(st, sp, nil, analytics.Options{Now: func() time.Time { return f.now }})
	return f
}

func (f *influenceFixture) influencer(st analytics.Store) *analytics.Influencer {
	svc := f.svc
	if st != nil {
		svc = analytics.NewService(st, f.spots, nil, analytics.Options{Now: func() time.Time { return f.now }})
	}
	return analytics.NewInfluencer(svc, f.crm, f.shares, analytics.InfluenceOptions{})
}

// as returns a context of the stored principal id (with its roles and
// trainings, as the root would put it there).
func (f *influenceFixture) as(id string) context.Context {
	sys := spots.WithPrincipal(context.Background(), spots.SystemPrincipal())
	p, err := f.spots.GetPrincipal(sys, id)
	if err != nil {
		panic(err)
	}
	return spots.WithPrincipal(context.Background(), p)
}

// line is a compact InfluenceLine for assertions:
// "dimension key currency amount n [ids]".
func lines(ls []analytics.InfluenceLine) []string {
	out := []string{}
	for _, l := range ls {
		key := cmpOr(l.ItemID, l.SpotID, l.Seller)
		if l.ItemID != "" {
			key += "@" + l.SpotID
		}
		out = append(out, strings.TrimSpace(fmt.Sprintf("%s %s %s %s %d %v", l.Dimension, key, l.Currency, l.Amount,
			l.Opportunities, l.OpportunityIDs)))
	}
	return out
}

func cmpOr(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return "-"
}

func TestInfluenceAnalyst(t *testing.T) {
	is := is.New(t)
	f := newInfluenceFixture(t)
	in := f.influencer(nil)
	rep, err := in.Influence(f.as("ann"), analytics.InfluenceQuery{From: "2025-03-01", To: "2025-03-31",
		Model: analytics.AttributeTimeDecay})
	is.NoErr(err)
	is.Equal(f.crm.asked, []analytics.OpportunityFilter{{CloseFrom: "2025-03-01", CloseTo: "2025-03-31",
		State: analytics.OpportunitiesWon}}) // won only by default
	is.Equal(rep.State, analytics.OpportunitiesWon)
	is.Equal(rep.HalfLifeDays, 7.0)
	is.Equal(lines(rep.Totals), []string{
		"total - EUR 500.00 1 [opp-2]",
		"total - USD 1100.00 2 [opp-7 opp-1]",
	})
	is.Equal(lines(rep.Items), []string{
		"item i1@sp1 EUR 250.00 1 [opp-2]",
		"item i3@sp2 EUR 250.00 1 [opp-2]",
		"item i1@sp1 USD 642.86 1 [opp-1]",
		"item i3@sp2 USD 285.71 1 [opp-1]",
		"item i2@sp1 USD 71.43 1 [opp-1]",
	})
	is.Equal(lines(rep.Spots), []string{
		"spot sp1 EUR 250.00 1 [opp-2]",
		"spot sp2 EUR 250.00 1 [opp-2]",
		"spot sp1 USD 714.29 1 [opp-1]",
		"spot sp2 USD 285.71 1 [opp-1]",
	})
	is.Equal(lines(rep.Sellers), []string{
		"seller bob EUR 500.00 1 [opp-2]",
		"seller alice USD 714.29 1 [opp-1]",
		"seller bob USD 285.71 1 [opp-1]",
		"seller dave USD 100.00 1 [opp-7]", // share H is gone: the seller keeps the credit
	})
	// The explanation: opportunities in CRM order, shares with weights,
	// recipients and the split over items.
	is.Equal(len(rep.Opportunities), 3)
	o := rep.Opportunities[2]
	is.Equal(o.ID, "opp-1")
	is.Equal(o.AccountName, "Acme")
	is.Equal(o.Amount, "1000.00")
	is.Equal(len(o.Shares), 3)
	a := o.Shares[0]
	is.Equal(a.ShareID, "A")
	is.Equal(a.Owner, "alice")
	is.Equal(a.Recipients, []string{"ana@acme.example"})
	is.Equal(a.LastAt, day("2025-03-11"))
	is.Equal(a.AmountCents, int64(14286))
	is.Equal(fmt.Sprintf("%.4f", a.Weight), "0.1429")
	is.Equal(a.Items, []analytics.ItemCredit{
		{SharedItem: analytics.SharedItem{ItemID: "i1", SpotID: "sp1"}, AmountCents: 7143},
		{SharedItem: analytics.SharedItem{ItemID: "i2", SpotID: "sp1"}, AmountCents: 7143},
	})
	is.Equal(o.Shares[1].LastAt, day("2025-03-18")) // B read on after the close: its first engagement
	h := rep.Opportunities[1]
	is.Equal(h.ID, "opp-7")
	is.Equal(h.AccountName, "") // acc-9 is not in the CRM
	is.Equal(len(h.Shares), 1)
	is.Equal(h.Shares[0].Owner, "dave")
	is.Equal(h.Shares[0].Items, []analytics.ItemCredit{})

	// Admins see the same; the store was read whole (no index), and bots
	// were never asked for.
	rep2, err := in.Influence(f.as("adam"), analytics.InfluenceQuery{From: "2025-03-01", To: "2025-03-31",
		Model: analytics.AttributeTimeDecay})
	is.NoErr(err)
	is.Equal(rep2, rep)
	is.Equal(f.st.calls[0], analytics.Filter{})
}

func TestInfluenceModelsAndStates(t *testing.T) {
	f := newInfluenceFixture(t)
	in := f.influencer(nil)
	for _, tc := range []struct {
		name    string
		q       analytics.InfluenceQuery
		items   []string
		sellers []string
	}{
		{"even is the default model", analytics.InfluenceQuery{From: "2025-03-01", To: "2025-03-31"},
			[]string{
				"item i1@sp1 EUR 250.00 1 [opp-2]",
				"item i3@sp2 EUR 250.00 1 [opp-2]",
				"item i1@sp1 USD 500.00 1 [opp-1]",
				"item i3@sp2 USD 333.33 1 [opp-1]",
				"item i2@sp1 USD 166.67 1 [opp-1]",
			},
			[]string{
				"seller bob EUR 500.00 1 [opp-2]",
				"seller alice USD 666.67 1 [opp-1]",
				"seller bob USD 333.33 1 [opp-1]",
				"seller dave USD 100.00 1 [opp-7]",
			}},
		// Under first, B and C influenced opp-1 but earned nothing: they
		// still count the opportunity.
		{"first", analytics.InfluenceQuery{From: "2025-03-01", To: "2025-03-31", Model: analytics.AttributeFirst},
			[]string{
				"item i1@sp1 EUR 250.00 1 [opp-2]",
				"item i3@sp2 EUR 250.00 1 [opp-2]",
				"item i1@sp1 USD 500.00 1 [opp-1]",
				"item i2@sp1 USD 500.00 1 [opp-1]",
				"item i3@sp2 USD 0.00 1 [opp-1]",
			},
			[]string{
				"seller bob EUR 500.00 1 [opp-2]",
				"seller alice USD 1000.00 1 [opp-1]",
				"seller dave USD 100.00 1 [opp-7]",
				"seller bob USD 0.00 1 [opp-1]",
			}},
		{"last", analytics.InfluenceQuery{From: "2025-03-01", To: "2025-03-31", Model: analytics.AttributeLast},
			[]string{
				"item i1@sp1 EUR 250.00 1 [opp-2]",
				"item i3@sp2 EUR 250.00 1 [opp-2]",
				"item i1@sp1 USD 1000.00 1 [opp-1]",
				"item i2@sp1 USD 0.00 1 [opp-1]",
				"item i3@sp2 USD 0.00 1 [opp-1]",
			},
			[]string{
				"seller bob EUR 500.00 1 [opp-2]",
				"seller alice USD 1000.00 1 [opp-1]",
				"seller dave USD 100.00 1 [opp-7]",
				"seller bob USD 0.00 1 [opp-1]",
			}},
		// Half-life 14 days: A, B and C are 14, 7 and 0 days older than
		// the latest touch: weights 0.5, 0.7071, 1, quotas 22654.09,
		// 32037.72, 45308.18; the cent left goes to B (.72).
		{"time_decay with a half-life of 14 days",
			analytics.InfluenceQuery{From: "2025-03-01", To: "2025-03-31", Model: analytics.AttributeTimeDecay,
				HalfLife: 14 * 24 * time.Hour},
			[]string{
				"item i1@sp1 EUR 250.00 1 [opp-2]",
				"item i3@sp2 EUR 250.00 1 [opp-2]",
				"item i1@sp1 USD 566.35 1 [opp-1]",
				"item i3@sp2 USD 320.38 1 [opp-1]",
				"item i2@sp1 USD 113.27 1 [opp-1]",
			},
			[]string{
				"seller bob EUR 500.00 1 [opp-2]",
				"seller alice USD 679.62 1 [opp-1]",
				"seller bob USD 320.38 1 [opp-1]",
				"seller dave USD 100.00 1 [opp-7]",
			}},
		// Closed adds the lost opp-3 (300.00), which A and C influenced
		// (C on its close day): 150.00 each, A's split over i1 and i2.
		{"closed", analytics.InfluenceQuery{From: "2025-03-01", To: "2025-03-31", State: analytics.OpportunitiesClosed},
			[]string{
				"item i1@sp1 EUR 250.00 1 [opp-2]",
				"item i3@sp2 EUR 250.00 1 [opp-2]",
				"item i1@sp1 USD 725.00 2 [opp-3 opp-1]",
				"item i3@sp2 USD 333.33 1 [opp-1]",
				"item i2@sp1 USD 241.67 2 [opp-3 opp-1]",
			},
			[]string{
				"seller bob EUR 500.00 1 [opp-2]",
				"seller alice USD 966.67 2 [opp-3 opp-1]",
				"seller bob USD 333.33 1 [opp-1]",
				"seller dave USD 100.00 1 [opp-7]",
			}},
		// Open opportunities by their expected close date.
		{"open", analytics.InfluenceQuery{From: "2025-04-01", To: "2025-04-30", State: analytics.OpportunitiesOpen},
			[]string{"item i3@sp2 USD 700.00 1 [opp-4]"},
			[]string{"seller bob USD 700.00 1 [opp-4]"}},
		{"a spot filter keeps that spot's items' credit",
			analytics.InfluenceQuery{From: "2025-03-01", To: "2025-03-31", SpotIDs: []string{"sp2"}},
			[]string{
				"item i3@sp2 EUR 250.00 1 [opp-2]",
				"item i3@sp2 USD 333.33 1 [opp-1]",
			},
			[]string{
				"seller bob EUR 250.00 1 [opp-2]",
				"seller bob USD 333.33 1 [opp-1]",
			}},
		{"nothing closed in the range", analytics.InfluenceQuery{From: "2024-01-01", To: "2024-12-31"},
			[]string{}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			rep, err := in.Influence(f.as("ann"), tc.q)
			is.NoErr(err)
			is.Equal(lines(rep.Items), tc.items)
			is.Equal(lines(rep.Sellers), tc.sellers)
			// Every report adds up: items' and sellers' totals per
			// currency are the totals (no share without items here but H).
			var sum, items int64
			for _, l := range rep.Sellers {
				sum += l.AmountCents
			}
			for _, l := range rep.Totals {
				items -= l.AmountCents
			}
			is.Equal(sum+items, int64(0))
		})
	}
}

func TestInfluencePermissions(t *testing.T) {
	f := newInfluenceFixture(t)
	in := f.influencer(nil)
	q := analytics.InfluenceQuery{From: "2025-03-01", To: "2025-03-31", Model: analytics.AttributeTimeDecay}
	for _, tc := range []struct {
		who                    string
		totals, items, sellers []string
	}{
		// olga owns Decks and Cases: every item's credit, all sellers,
		// but not dave's item-less share.
		{"olga",
			[]string{"total - EUR 500.00 1 [opp-2]", "total - USD 1000.00 1 [opp-1]"},
			[]string{
				"item i1@sp1 EUR 250.00 1 [opp-2]",
				"item i3@sp2 EUR 250.00 1 [opp-2]",
				"item i1@sp1 USD 642.86 1 [opp-1]",
				"item i3@sp2 USD 285.71 1 [opp-1]",
				"item i2@sp1 USD 71.43 1 [opp-1]",
			},
			[]string{
				"seller bob EUR 500.00 1 [opp-2]",
				"seller alice USD 714.29 1 [opp-1]",
				"seller bob USD 285.71 1 [opp-1]",
			}},
		// cora co-owns Cases: i3 only.
		{"cora",
			[]string{"total - EUR 250.00 1 [opp-2]", "total - USD 285.71 1 [opp-1]"},
			[]string{"item i3@sp2 EUR 250.00 1 [opp-2]", "item i3@sp2 USD 285.71 1 [opp-1]"},
			[]string{"seller bob EUR 250.00 1 [opp-2]", "seller bob USD 285.71 1 [opp-1]"}},
		// alice sells: her own line, through every item of her shares.
		{"alice",
			[]string{"total - USD 714.29 1 [opp-1]"},
			[]string{"item i1@sp1 USD 642.86 1 [opp-1]", "item i2@sp1 USD 71.43 1 [opp-1]"},
			[]string{"seller alice USD 714.29 1 [opp-1]"}},
		{"zed", []string{}, []string{}, []string{}},
	} {
		t.Run(tc.who, func(t *testing.T) {
			is := is.New(t)
			rep, err := in.Influence(f.as(tc.who), q)
			is.NoErr(err)
			is.Equal(lines(rep.Totals), tc.totals)
			is.Equal(lines(rep.Items), tc.items)
			is.Equal(lines(rep.Sellers), tc.sellers)
		})
	}

	t.Run("a co-owner sees part of a share, without its recipients", func(t *testing.T) {
		is := is.New(t)
		rep, err := in.Influence(f.as("cora"), q)
		is.NoErr(err)
		is.Equal(len(rep.Opportunities), 2)
		g := rep.Opportunities[0].Shares[0]
		is.Equal(g.ShareID, "G")
		is.Equal(g.AmountCents, int64(25000)) // its part in Cases, of 500.00
		is.Equal(g.Recipients, nil)
		is.Equal(g.Items, []analytics.ItemCredit{{SharedItem: analytics.SharedItem{ItemID: "i3", SpotID: "sp2"}, AmountCents: 25000}})
		b := rep.Opportunities[1].Shares
		is.Equal(len(b), 1) // A and C hold nothing of Cases
		is.Equal(b[0].ShareID, "B")
	})
	t.Run("a seller sees their shares whole", func(t *testing.T) {
		is := is.New(t)
		rep, err := in.Influence(f.as("bob"), q)
		is.NoErr(err)
		is.Equal(len(rep.Opportunities), 2)
		g := rep.Opportunities[0].Shares[0]
		is.Equal(g.AmountCents, int64(50000))
		is.Equal(g.Recipients, []string{"gil@globex.example"})
		is.Equal(len(g.Items), 2)
	})
	t.Run("no principal: refused", func(t *testing.T) {
		is := is.New(t)
		_, err := in.Influence(context.Background(), q)
		is.True(errors.Is(err, spots.ErrUnauthenticated))
		is.Equal(len(f.crm.asked), 6) // the CRM was not asked
	})
}

// A store with the optional index is asked for the contacts only, and
// answers the same report.
func TestInfluenceIndexedStore(t *testing.T) {
	is := is.New(t)
	f := newInfluenceFixture(t)
	q := analytics.InfluenceQuery{From: "2025-03-01", To: "2025-03-31", Model: analytics.AttributeTimeDecay}
	want, err := f.influencer(nil).Influence(f.as("ann"), q)
	is.NoErr(err)
	idx := &indexedStore{recipientStore: &recipientStore{rows: f.st.rows}}
	got, err := f.influencer(idx).Influence(f.as("ann"), q)
	is.NoErr(err)
	is.Equal(got, want)
	is.Equal(idx.asked, [][]string{{"ana@acme.example", "ben@acme.example", "gil@globex.example", "hal@hooli.example"}})
	is.Equal(len(idx.calls), 0) // never read whole
}

func TestInfluenceQueries(t *testing.T) {
	f := newInfluenceFixture(t)
	in := f.influencer(nil)
	t.Run("defaults: 90 days ending today, won, even", func(t *testing.T) {
		is := is.New(t)
		rep, err := in.Influence(f.as("ann"), analytics.InfluenceQuery{})
		is.NoErr(err)
		is.Equal([]analytics.Day{rep.From, rep.To}, []analytics.Day{"2025-01-21", "2025-04-20"})
		is.Equal(rep.Model, analytics.AttributeEven)
		is.Equal(rep.HalfLifeDays, 0.0)
		is.Equal(lines(rep.Totals), []string{
			"total - EUR 1400.00 2 [opp-2 opp-6]",
			"total - USD 1100.00 2 [opp-7 opp-1]",
		})
		rep, err = in.Influence(f.as("ann"), analytics.InfluenceQuery{To: "2025-03-31"})
		is.NoErr(err)
		is.Equal([]analytics.Day{rep.From, rep.To}, []analytics.Day{"2025-01-01", "2025-03-31"})
	})
	for _, tc := range []struct {
		name   string
		q      analytics.InfluenceQuery
		fields map[string]string
	}{
		{"bad dates", analytics.InfluenceQuery{From: "2025-02-30", To: "tomorrow"}, map[string]string{
			"from": `must be a date (2006-01-02), not "2025-02-30"`, "to": `must be a date (2006-01-02), not "tomorrow"`}},
		{"to before from", analytics.InfluenceQuery{From: "2025-03-02", To: "2025-03-01"},
			map[string]string{"to": "is before from"}},
		{"unknown state, model and half-life", analytics.InfluenceQuery{State: "pending", Model: "linear",
			HalfLife: -time.Hour}, map[string]string{
			"state":          `must be one of won, closed, lost, open, any, not "pending"`,
			"model":          `must be one of even, first, last, time_decay, not "linear"`,
			"half_life_days": "must be positive",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			_, err := in.Influence(f.as("ann"), tc.q)
			is.True(errors.Is(err, analytics.ErrInvalid))
			is.Equal(errcode.FieldsOf(err), tc.fields)
		})
	}
	t.Run("CRM errors are passed on, wrapped", func(t *testing.T) {
		is := is.New(t)
		f.crm.err = fmt.Errorf("salesforce: %w", analytics.ErrCRMUnavailable)
		defer func() { f.crm.err = nil }()
		_, err := in.Influence(f.as("ann"), analytics.InfluenceQuery{})
		is.True(errors.Is(err, analytics.ErrCRMUnavailable))
		is.Equal(errcode.Of(err), errcode.Unavailable)
	})
}

func TestParseInfluenceQuery(t *testing.T) {
	is := is.New(t)
	q, err := analytics.ParseInfluenceQuery(url.Values{"from": {"2025-01-01"}, "to": {"2025-03-31"},
		"state": {"closed"}, "model": {"time_decay"}, "half_life_days": {"3.5"}, "spot": {"sp1", "sp2"}})
	is.NoErr(err)
	is.Equal(q, analytics.InfluenceQuery{From: "2025-01-01", To: "2025-03-31", State: analytics.OpportunitiesClosed,
		Model: analytics.AttributeTimeDecay, HalfLife: 84 * time.Hour, SpotIDs: []string{"sp1", "sp2"}})
	for _, bad := range []string{"0", "-1", "x", "4000"} {
		_, err = analytics.ParseInfluenceQuery(url.Values{"half_life_days": {bad}})
		is.True(errors.Is(err, analytics.ErrInvalid))
		is.True(errcode.FieldsOf(err)["half_life_days"] != "")
	}
}

func TestInfluenceRows(t *testing.T) {
	is := is.New(t)
	f := newInfluenceFixture(t)
	rep, err := f.influencer(nil).Influence(f.as("alice"), analytics.InfluenceQuery{From: "2025-03-01", To: "2025-03-31"})
	is.NoErr(err)
	is.Equal(lines(rep.Rows()), []string{
		"total - USD 666.67 1 [opp-1]",
		"item i1@sp1 USD 500.00 1 [opp-1]",
		"item i2@sp1 USD 166.67 1 [opp-1]",
		"spot sp1 USD 666.67 1 [opp-1]",
		"seller alice USD 666.67 1 [opp-1]",
	})
}

// The same report from real roll-ups: the fixture's engagement recorded as
// events (an open at FirstAt, a page read at LastAt) through the Service
// into an analytics.Store adapter, whose RecipientTotal rows the report
// then reads.
func TestInfluenceFromRecordedEvents(t *testing.T) {
	for _, tc := range []struct {
		name string
		st   func() analytics.Store
	}{
		{"memstore", func() analytics.Store { return memstore.New() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			f := newInfluenceFixture(t)
			q := analytics.InfluenceQuery{From: "2025-03-01", To: "2025-03-31", Model: analytics.AttributeTimeDecay}
			want, err := f.influencer(nil).Influence(f.as("ann"), q)
			is.NoErr(err)

			st := tc.st()
			svc := analytics.NewService(st, f.spots, nil, analytics.Options{Now: func() time.Time { return f.now }})
			sys := spots.WithPrincipal(context.Background(), spots.SystemPrincipal())
			for i, r := range f.st.rows {
				view := fmt.Sprintf("view-%d", i)
				svc.Record(sys,
					analytics.Event{Type: analytics.LinkOpened, At: r.FirstAt, Recipient: r.Recipient, ShareID: r.ShareID,
						ShareOwner: r.ShareOwner, ViewID: view, SuspectedBot: r.Bot},
					analytics.Event{Type: analytics.PageViewed, At: r.LastAt, Recipient: r.Recipient, ShareID: r.ShareID,
						ShareOwner: r.ShareOwner, ViewID: view, ItemID: "i1", SpotID: "sp1", Page: 1, ActiveMS: 30_000,
						SuspectedBot: r.Bot})
			}
			is.NoErr(svc.Flush(sys))
			got, err := analytics.NewInfluencer(svc, f.crm, f.shares, analytics.InfluenceOptions{}).Influence(f.as("ann"), q)
			is.NoErr(err)
			is.Equal(got, want)
			is.Equal(lines(got.Sellers)[1], "seller alice USD 714.29 1 [opp-1]")
		})
	}
}
