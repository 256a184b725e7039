package analytics

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/spots"
)

// ShareResolver tells the influence report what it needs of shares: who
// owns them and which items (with their home spots) they hold. The root
// package implements it over the share and item stores. Like a Store it
// checks no permissions: the Influencer decides what the caller sees.
// Safe for concurrent use.
type ShareResolver interface {
	// ResolveShares returns the shares with these IDs, keyed by ID; IDs of
	// shares that no longer exist have no key.
	ResolveShares(ctx context.Context, ids []string) (map[string]ShareInfo, error)
}

// ShareInfo is a share as attribution sees it.
type ShareInfo struct {
	ID    string `json:"id"`
	Owner string `json:"owner"`
	// Items in the share's order, each with its home spot.
	Items []SharedItem `json:"items"`
}

// RecipientTotalsOfStore is an optional capability of a Store: the
// RecipientTotal rows of some recipients, found through an index, where
// the influence report would otherwise read every row and keep those of
// the opportunities' contacts.
type RecipientTotalsOfStore interface {
	// RecipientTotalsOf returns the RecipientTotal rows whose Recipient is
	// one of recipients (compared exactly: callers pass addresses lower
	// case, as they are recorded), ordered by share then recipient. Bot
	// rows only with includeBots.
	RecipientTotalsOf(ctx context.Context, recipients []string, includeBots bool) ([]RecipientTotal, error)
}

// InfluenceOptions configure an Influencer.
type InfluenceOptions struct {
	// Attribution is the model (and half-life) a query that names none
	// gets: even (and 7 days) by default.
	Attribution Attribution
	// DefaultRange is how many days of close dates, ending on To, a query
	// without From covers: 90 by default (a quarter, where the other
	// reports look at 30 days: deals close more slowly than content is
	// read).
	DefaultRange int
}

// Influencer answers the influenced-revenue report: which items, spots and
// sellers influenced the opportunities that closed in a range, and how much
// of their amount each earned under an attribution model (see Attribute).
// It joins the CRM's opportunities and contacts with the analytics store's
// RecipientTotal rows and the shares' owners and items. Safe for
// concurrent use.
type Influencer struct {
	svc    *Service
	crm    CRM
	shares ShareResolver
	opt    InfluenceOptions
}

// NewInfluencer returns an Influencer over the analytics service's store,
// clock and spots service, a CRM and a ShareResolver.
func NewInfluencer(svc *Service, crm CRM, shares ShareResolver, opt InfluenceOptions) *Influencer {
	if opt.Attribution.Model == "" {
		opt.Attribution.Model = AttributeEven
	}
	if opt.Attribution.HalfLife <= 0 {
		opt.Attribution.HalfLife = DefaultHalfLife
	}
	if opt.DefaultRange <= 0 {
		opt.DefaultRange = 90
	}
	return &Influencer{svc: svc, crm: crm, shares: shares, opt: opt}
}

// InfluenceQuery selects the opportunities of an influence report and how
// credit is given.
type InfluenceQuery struct {
	// From and To bound the opportunities' close dates, both included
	// ("2006-01-02"). To is today (UTC, by the service's clock) when
	// empty, From the DefaultRange-th day ending on To.
	From, To Day
	// State: won (the default when empty), closed, lost, open (their
	// expected close date in the range) or any.
	State OpportunityState
	// Model and HalfLife: the Influencer's defaults when empty or zero.
	Model    AttributionModel
	HalfLife time.Duration
	// SpotIDs keeps the credit of items homed in these spots (empty:
	// every spot). The caller's permissions still apply.
	SpotIDs []string
}

// ParseInfluenceQuery reads a query from URL parameters: from, to, state,
// model, half_life_days (a positive number of days) and spot (repeated for
// several). Errors name the parameters and match ErrInvalid.
func ParseInfluenceQuery(v url.Values) (InfluenceQuery, error) {
	q := InfluenceQuery{From: Day(v.Get("from")), To: Day(v.Get("to")), State: OpportunityState(v.Get("state")),
		Model: AttributionModel(v.Get("model")), SpotIDs: v["spot"]}
	if h := v.Get("half_life_days"); h != "" {
		d, err := strconv.ParseFloat(h, 64)
		if err != nil || d <= 0 || d > 3650 {
			return q, errcode.Invalidf(ErrInvalid, "half_life_days", "must be a number of days above 0, at most 3650, not %q", h)
		}
		q.HalfLife = time.Duration(d * float64(24*time.Hour))
	}
	return q, nil
}

// InfluenceReport is the influenced revenue of the opportunities that
// closed in a range. Amounts are per currency: one line per key and
// currency.
//
// A line's Opportunities counts the opportunities its shares influenced
// (a contact engaged before the close), also those the model gave it no
// credit for (a share that was not first under first); AmountCents is
// the credit the model gave it.
type InfluenceReport struct {
	From  Day              `json:"from"`
	To    Day              `json:"to"`
	State OpportunityState `json:"state"`
	Model AttributionModel `json:"model"`
	// HalfLifeDays of time_decay.
	HalfLifeDays float64  `json:"half_life_days,omitempty"`
	SpotIDs      []string `json:"spot_ids,omitempty"`
	// Totals has one line per currency: what the lines below add up to
	// (for analysts: the whole amount of every influenced opportunity).
	Totals  []InfluenceLine `json:"totals"`
	Items   []InfluenceLine `json:"items"`
	Spots   []InfluenceLine `json:"spots"`
	Sellers []InfluenceLine `json:"sellers"`
	// Opportunities explain the numbers: every influenced opportunity the
	// caller sees a part of, with the shares that influenced it.
	Opportunities []InfluencedOpportunity `json:"opportunities"`
}

// InfluenceLine is the influence of one item, spot or seller (the one of
// ItemID, SpotID or Seller that is set; item lines carry their spot too)
// in one currency, or the total of a currency.
type InfluenceLine struct {
	// Dimension is "total", "item", "spot" or "seller".
	Dimension   string `json:"dimension"`
	ItemID      string `json:"item_id,omitempty"`
	SpotID      string `json:"spot_id,omitempty"`
	Seller      string `json:"seller,omitempty"`
	Currency    string `json:"currency"`
	AmountCents int64  `json:"amount_cents"`
	// Amount is AmountCents as a decimal ("1234.56").
	Amount         string   `json:"amount"`
	Opportunities  int      `json:"opportunities"`
	OpportunityIDs []string `json:"opportunity_ids"`
}

// InfluencedOpportunity is an opportunity with the credit of the shares
// that influenced it.
type InfluencedOpportunity struct {
	Opportunity
	Amount      string `json:"amount"`
	AccountName string `json:"account_name,omitempty"`
	// Shares in share ID order. Callers who see only part of a share
	// (spot owners: the items of their spots) get that part: its items
	// and their amounts, and no recipients.
	Shares []InfluenceShare `json:"shares"`
}

// InfluenceShare is a share's credit of one opportunity and its split
// over the share's items.
type InfluenceShare struct {
	ShareCredit
	Items []ItemCredit `json:"items"`
}

// credit is the smallest unit of attribution: part of one opportunity's
// amount through one item of one share. A share without known items gives
// one credit with no item.
type credit struct {
	opp      int // index in the opportunities
	share    string
	seller   string
	item     string
	spot     string
	currency string
	cents    int64
}

// influenceScope is what a principal may see of the report.
type influenceScope struct {
	all    bool
	spots  map[string]bool // spots it owns or co-owns
	seller string
}

func (sc influenceScope) sees(c credit) bool {
	return sc.all || c.seller == sc.seller || c.spot != "" && sc.spots[c.spot]
}

// scope: analysts and admins see everything; others the credit of items
// homed in the spots they own or co-own, and the credit of their own
// shares. Without a principal it fails closed.
func (in *Influencer) scope(ctx context.Context) (influenceScope, error) {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return influenceScope{}, err
	}
	if p.IsAdmin() || p.HasRole(spots.Analyst) {
		return influenceScope{all: true}, nil
	}
	sc := influenceScope{spots: map[string]bool{}, seller: p.ID}
	vs, err := in.svc.spots.List(ctx)
	if err != nil {
		return influenceScope{}, err
	}
	for _, v := range vs {
		if v.Role.AtLeast(spots.Coowner) && !v.Personal() {
			sc.spots[v.ID] = true
		}
	}
	return sc, nil
}

// resolve fills a query's defaults and validates it.
func (in *Influencer) resolve(q InfluenceQuery) (InfluenceQuery, error) {
	today := DayOf(in.svc.opt.Now())
	span := in.opt.DefaultRange - 1
	var fe errcode.Fields
	for field, d := range map[string]Day{"from": q.From, "to": q.To} {
		if d != "" && d.Time().IsZero() {
			fe.Add(field, "must be a date (2006-01-02), not %q", d)
		}
	}
	if len(fe) == 0 {
		if q.To == "" {
			q.To = today
		}
		if q.From == "" {
			q.From = DayOf(q.To.Time().AddDate(0, 0, -span))
		}
		if q.To < q.From {
			fe.Add("to", "is before from")
		}
	}
	if q.State == "" {
		q.State = OpportunitiesWon
	}
	if !q.State.Valid() {
		fe.Add("state", "must be one of won, closed, lost, open, any, not %q", q.State)
	}
	if q.Model == "" {
		q.Model = in.opt.Attribution.Model
	}
	if q.HalfLife == 0 {
		q.HalfLife = in.opt.Attribution.HalfLife
	}
	if err := (Attribution{Model: q.Model, HalfLife: q.HalfLife}).Validate(); err != nil {
		for k, v := range errcode.FieldsOf(err) {
			if k == "half_life" {
				k = "half_life_days"
			}
			fe.Add(k, "%s", v)
		}
	}
	return q, fe.Err(ErrInvalid)
}

// Influence reports the revenue that shares influenced among the
// opportunities closing in the query's range (won ones by default),
// attributed by the query's model (see Attribute), per item, per spot and
// per seller, with the opportunities that explain it.
//
// Analysts and admins see everything. Other principals see the credit of
// items homed in the spots they own or co-own (all sellers' shares) and
// the credit of their own shares (all items): every line adds up only
// what the caller sees.
func (in *Influencer) Influence(ctx context.Context, q InfluenceQuery) (InfluenceReport, error) {
	sc, err := in.scope(ctx)
	if err != nil {
		return InfluenceReport{}, err
	}
	q, err = in.resolve(q)
	if err != nil {
		return InfluenceReport{}, err
	}
	inSpots := func(c credit) bool { return len(q.SpotIDs) == 0 || slices.Contains(q.SpotIDs, c.spot) }
	rep := InfluenceReport{From: q.From, To: q.To, State: q.State, Model: q.Model, SpotIDs: q.SpotIDs,
		Totals: []InfluenceLine{}, Items: []InfluenceLine{}, Spots: []InfluenceLine{}, Sellers: []InfluenceLine{},
		Opportunities: []InfluencedOpportunity{}}
	if q.Model == AttributeTimeDecay {
		rep.HalfLifeDays = q.HalfLife.Hours() / 24
	}
	opps, err := in.crm.Opportunities(ctx, OpportunityFilter{CloseFrom: q.From, CloseTo: q.To, State: q.State})
	if err != nil {
		return InfluenceReport{}, fmt.Errorf("analytics: influence: opportunities: %w", err)
	}
	if len(opps) == 0 {
		return rep, nil
	}
	ids := make([]string, len(opps))
	for i, o := range opps {
		ids[i] = o.ID
	}
	contacts, err := in.crm.ContactEmails(ctx, ids)
	if err != nil {
		return InfluenceReport{}, fmt.Errorf("analytics: influence: contacts: %w", err)
	}
	rows, err := in.recipientRows(ctx, contacts)
	if err != nil {
		return InfluenceReport{}, err
	}

	// Who influenced what.
	touches := make([][]Touch, len(opps))
	shareSet := map[string]bool{}
	for i, o := range opps {
		var mine []RecipientTotal
		for _, c := range contacts[o.ID] {
			mine = append(mine, rows[normalEmail(c)]...)
		}
		touches[i] = Touches(mine, contacts[o.ID], o.ClosesAt())
		for _, t := range touches[i] {
			shareSet[t.ShareID] = true
		}
	}
	if len(shareSet) == 0 {
		return rep, nil
	}
	shares, err := in.shares.ResolveShares(ctx, slices.Sorted(maps.Keys(shareSet)))
	if err != nil {
		return InfluenceReport{}, fmt.Errorf("analytics: influence: shares: %w", err)
	}

	// How much each share and item earned, and what the caller sees of it.
	att := Attribution{Model: q.Model, HalfLife: q.HalfLife}
	var credits []credit
	detail := map[int][]InfluenceShare{}
	for i, o := range opps {
		scs, err := Attribute(o.AmountCents, o.ClosesAt(), touches[i], att)
		if err != nil {
			return InfluenceReport{}, err
		}
		for _, s := range scs {
			info, known := shares[s.ShareID]
			seller := s.Owner
			if known && info.Owner != "" {
				seller = info.Owner
			}
			s.Owner = seller
			base := credit{opp: i, share: s.ShareID, seller: seller, currency: o.Currency}
			var mine []credit
			items := SplitItems(s.AmountCents, info.Items)
			if len(items) == 0 {
				mine = append(mine, base)
				mine[0].cents = s.AmountCents
			}
			for _, it := range items {
				c := base
				c.item, c.spot, c.cents = it.ItemID, it.SpotID, it.AmountCents
				mine = append(mine, c)
			}
			var shown []ItemCredit
			var shownCents int64
			whole := sc.all || seller == sc.seller
			for j, c := range mine {
				if !sc.sees(c) || !inSpots(c) {
					continue
				}
				credits = append(credits, c)
				shownCents += c.cents
				if c.item != "" {
					shown = append(shown, items[j])
				}
			}
			if shown == nil && !(whole && len(items) == 0 && len(q.SpotIDs) == 0) {
				continue // the caller sees nothing of this share
			}
			if !whole || len(q.SpotIDs) > 0 {
				s.AmountCents = shownCents
			}
			if !whole {
				s.Recipients = nil
			}
			if shown == nil {
				shown = []ItemCredit{}
			}
			detail[i] = append(detail[i], InfluenceShare{ShareCredit: s, Items: shown})
		}
	}
	if len(detail) == 0 {
		return rep, nil
	}

	accIDs := map[string]bool{}
	for i := range detail {
		if id := opps[i].AccountID; id != "" {
			accIDs[id] = true
		}
	}
	accounts, err := in.crm.Accounts(ctx, slices.Sorted(maps.Keys(accIDs)))
	if err != nil {
		return InfluenceReport{}, fmt.Errorf("analytics: influence: accounts: %w", err)
	}
	accName := map[string]string{}
	for _, a := range accounts {
		accName[a.ID] = a.Name
	}
	for i, o := range opps {
		if d, ok := detail[i]; ok {
			rep.Opportunities = append(rep.Opportunities, InfluencedOpportunity{Opportunity: o,
				Amount: FormatCents(o.AmountCents), AccountName: accName[o.AccountID], Shares: d})
		}
	}

	rep.Totals = influenceLines(opps, credits, func(c credit) (lineKey, bool) { return lineKey{dim: "total"}, true })
	rep.Items = influenceLines(opps, credits, func(c credit) (lineKey, bool) {
		return lineKey{dim: "item", item: c.item, spot: c.spot}, c.item != ""
	})
	rep.Spots = influenceLines(opps, credits, func(c credit) (lineKey, bool) {
		return lineKey{dim: "spot", spot: c.spot}, c.spot != ""
	})
	rep.Sellers = influenceLines(opps, credits, func(c credit) (lineKey, bool) {
		return lineKey{dim: "seller", seller: c.seller}, true
	})
	return rep, nil
}

// recipientRows returns the non-bot RecipientTotal rows of the contacts,
// keyed by lower-case address.
func (in *Influencer) recipientRows(ctx context.Context, contacts map[string][]string) (map[string][]RecipientTotal, error) {
	want := map[string]bool{}
	for _, cs := range contacts {
		for _, c := range cs {
			if c = normalEmail(c); c != "" {
				want[c] = true
			}
		}
	}
	out := map[string][]RecipientTotal{}
	if len(want) == 0 {
		return out, nil
	}
	var rows []RecipientTotal
	var err error
	if st, ok := in.svc.st.(RecipientTotalsOfStore); ok {
		rows, err = st.RecipientTotalsOf(ctx, slices.Sorted(maps.Keys(want)), false)
	} else {
		rows, err = in.svc.st.RecipientTotals(ctx, Filter{})
	}
	if err != nil {
		return nil, fmt.Errorf("analytics: influence: recipient totals: %w", err)
	}
	for _, r := range rows {
		if k := normalEmail(r.Recipient); want[k] && !r.Bot {
			out[k] = append(out[k], r)
		}
	}
	return out, nil
}

// lineKey is what influenceLines groups by, with the currency.
type lineKey struct{ dim, item, spot, seller, currency string }

// influenceLines sums credits per the key keyOf makes (and currency),
// ordered by currency, then amount (highest first), then key.
func influenceLines(opps []Opportunity, credits []credit, keyOf func(credit) (lineKey, bool)) []InfluenceLine {
	type acc struct {
		line InfluenceLine
		opps map[int]bool
	}
	byKey := map[lineKey]*acc{}
	for _, c := range credits {
		k, ok := keyOf(c)
		if !ok {
			continue
		}
		k.currency = c.currency
		a := byKey[k]
		if a == nil {
			a = &acc{line: InfluenceLine{Dimension: k.dim, ItemID: k.item, SpotID: k.spot, Seller: k.seller,
				Currency: k.currency}, opps: map[int]bool{}}
			byKey[k] = a
		}
		a.line.AmountCents += c.cents
		a.opps[c.opp] = true
	}
	out := make([]InfluenceLine, 0, len(byKey))
	for _, a := range byKey {
		l := a.line
		l.Amount = FormatCents(l.AmountCents)
		l.Opportunities = len(a.opps)
		l.OpportunityIDs = make([]string, 0, len(a.opps))
		for _, i := range slices.Sorted(maps.Keys(a.opps)) {
			l.OpportunityIDs = append(l.OpportunityIDs, opps[i].ID)
		}
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b InfluenceLine) int {
		return cmp.Or(cmp.Compare(a.Currency, b.Currency), cmp.Compare(b.AmountCents, a.AmountCents),
			cmp.Compare(a.ItemID, b.ItemID), cmp.Compare(a.SpotID, b.SpotID), cmp.Compare(a.Seller, b.Seller))
	})
	return out
}

// Rows returns every line of the report in one list, for a CSV export
// (each line's Dimension says which list it comes from): the totals, then
// the items, the spots and the sellers.
func (r InfluenceReport) Rows() []InfluenceLine {
	return slices.Concat(r.Totals, r.Items, r.Spots, r.Sellers)
}
