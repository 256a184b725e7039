package analytics

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/errcode"
)

// DefaultHalfLife is the time_decay model's half-life when none is given.
const DefaultHalfLife = 7 * 24 * time.Hour

// Attribution names a model and its parameter.
type Attribution struct {
	Model AttributionModel `json:"model"`
	// HalfLife of time_decay; DefaultHalfLife when zero. Other models
	// ignore it.
	HalfLife time.Duration `json:"-"`
}

// Validate reports an unknown model or a negative half-life, naming the
// field (model, half_life), matching ErrInvalid.
func (a Attribution) Validate() error {
	var fe errcode.Fields
	switch a.Model {
	case AttributeEven, AttributeFirst, AttributeLast, AttributeTimeDecay:
	default:
		fe.Add("model", "must be one of even, first, last, time_decay, not %q", a.Model)
	}
	if a.HalfLife < 0 {
		fe.Add("half_life", "must be positive")
	}
	return fe.Err(ErrInvalid)
}

// Touch is one share's engagement with an opportunity's contacts before
// the opportunity closed: the share influenced the opportunity.
type Touch struct {
	ShareID string `json:"share_id"`
	// Owner is the share's owner (the seller) as recorded with the
	// engagement.
	Owner string `json:"owner"`
	// Recipients are the contacts who engaged before the close, sorted.
	Recipients []string `json:"recipients"`
	// FirstAt is the earliest engagement of any of them.
	FirstAt time.Time `json:"first_at"`
	// LastAt is the latest engagement known to be before the close.
	LastAt time.Time `json:"last_at"`
}

// Touches finds the shares that influenced an opportunity closing at
// closesAt (see Opportunity.ClosesAt) from the RecipientTotal rows of its
// contacts, and returns them ordered by share ID.
//
// A row counts when it is not a suspected bot's, its Recipient is one of
// contacts (compared without case and surrounding space), it records some
// engagement (an open, a page, a download or a click), and its FirstAt is
// strictly before closesAt. A RecipientTotal keeps only its first and last
// engagement, so the latest engagement known to be before the close is
// LastAt when LastAt is before closesAt, and FirstAt otherwise (the reader
// kept reading after the close; what they did in between is not kept).
// Over a share's counting rows, Touch.FirstAt is the earliest FirstAt and
// Touch.LastAt the latest of those last engagements before the close.
func Touches(rows []RecipientTotal, contacts []string, closesAt time.Time) []Touch {
	isContact := make(map[string]bool, len(contacts))
	for _, c := range contacts {
		isContact[normalEmail(c)] = true
	}
	byShare := map[string]*Touch{}
	for _, r := range rows {
		rcpt := normalEmail(r.Recipient)
		if r.Bot || rcpt == "" || !isContact[rcpt] || r.ShareID == "" ||
			r.Opens+r.PageViews+r.Downloads+r.Clicks <= 0 ||
			r.FirstAt.IsZero() || !r.FirstAt.Before(closesAt) {
			continue
		}
		last := r.LastAt
		if !last.Before(closesAt) || last.Before(r.FirstAt) {
			last = r.FirstAt
		}
		t := byShare[r.ShareID]
		if t == nil {
			t = &Touch{ShareID: r.ShareID, Owner: r.ShareOwner, FirstAt: r.FirstAt, LastAt: last}
			byShare[r.ShareID] = t
		}
		if t.Owner == "" {
			t.Owner = r.ShareOwner
		}
		if !slices.Contains(t.Recipients, rcpt) {
			t.Recipients = append(t.Recipients, rcpt)
		}
		if r.FirstAt.Before(t.FirstAt) {
			t.FirstAt = r.FirstAt
		}
		if last.After(t.LastAt) {
			t.LastAt = last
		}
	}
	out := make([]Touch, 0, len(byShare))
	for _, t := range byShare {
		slices.Sort(t.Recipients)
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b Touch) int { return cmp.Compare(a.ShareID, b.ShareID) })
	return out
}

func normalEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ShareCredit is what one share earned of one opportunity.
type ShareCredit struct {
	Touch
	// Weight is the share's part under the model; the weights of an
	// opportunity's credits sum to 1.
	Weight float64 `json:"weight"`
	// AmountCents is the share's part of the amount, in hundredths.
	AmountCents int64 `json:"amount_cents"`
}

// Attribute spreads an opportunity's amount (in hundredths, see
// Opportunity) over the shares that influenced it, found by Touches, and
// returns one credit per touch in the order given (Touches sorts them by
// share ID). The credits' amounts always add up to amountCents exactly.
// Without touches it returns nil: nothing influenced the opportunity.
//
// # Weights
//
// Each model gives share i a weight wᵢ ≥ 0; share i's part is wᵢ / Σw.
//
//   - even: wᵢ = 1. Every influencing share gets the same part.
//   - first: wᵢ = 1 for the share with the earliest Touch.FirstAt, 0 for
//     the others; shares tied at the same instant share it evenly.
//   - last: wᵢ = 1 for the share with the latest Touch.LastAt (the latest
//     engagement before the close), 0 for the others; ties share it.
//   - time_decay: wᵢ = 2^(−(C − Lᵢ)/h), where C is the close
//     (Opportunity.ClosesAt), Lᵢ the share's Touch.LastAt and h the
//     half-life (7 days by default): a touch a half-life before the close
//     weighs half of one at the close. Each share counts once, by its
//     latest touch. Weights are computed relative to the most recent
//     touch (2^((Lᵢ − maxL)/h)), which normalizes to the same parts
//     and keeps old touches from underflowing to zero.
//
// # Whole cents: largest remainder
//
// Share i's exact quota is qᵢ = A·wᵢ/Σw for an amount of A cents,
// computed in exact rational arithmetic from the float64 weights. Each
// share first gets ⌊qᵢ⌋; the cents left over, A − Σ⌊qᵢ⌋ (fewer than the
// number of shares), go one each to the shares with the largest
// fractional parts qᵢ − ⌊qᵢ⌋, ties going to the earlier share in the
// order given (the lower share ID). A negative amount is split as its
// absolute value and negated. The same rule splits a share's credit over
// its items (SplitItems).
//
// # Worked example
//
// Opportunity "Acme renewal", 1000.00 USD (A = 100000 cents), CloseDate
// 2025-03-31, so C = 2025-04-01T00:00Z. Its contacts are ana@acme.example
// and ben@acme.example. Engagement recorded (RecipientTotal rows):
//
//	share  owner  recipient         FirstAt           LastAt            counts?
//	A      alice  ana@acme.example  2025-03-04 00:00  2025-03-11 00:00  yes: L = 03-11
//	B      bob    ben@acme.example  2025-03-18 00:00  2025-04-10 00:00  yes: L = FirstAt (LastAt is after C)
//	C      alice  ana@acme.example  2025-03-20 00:00  2025-03-25 00:00  yes: L = 03-25
//	D      carol  ana@acme.example  2025-04-02 00:00  2025-04-02 00:00  no: first engaged after the close
//	E      bob    ben@acme.example  2025-03-30 00:00  2025-03-30 00:00  no: a suspected bot
//	F      bob    cy@other.example  2025-03-15 00:00  2025-03-15 00:00  no: not a contact
//
// Shares A (items i1, i2), B (item i3) and C (item i1) influenced it:
//
//   - even: weights 1, 1, 1; quotas 33333.33 each; the one cent left goes
//     to A (all remainders tie; A is first). A 333.34, B 333.33, C 333.33.
//   - first: A engaged first (03-04): A 1000.00.
//   - last: C's last touch (03-25) is the latest: C 1000.00.
//   - time_decay (h = 7 days): C − L is 21, 14 and 7 days, so the weights
//     are 1/8, 1/4, 1/2 and the parts 1/7, 2/7, 4/7. Quotas 14285.714,
//     28571.428, 57142.857; floors 14285, 28571, 57142 leave 2 cents,
//     which go to C (.857) and A (.714): A 142.86, B 285.71, C 571.43.
//
// Each share's credit is split evenly over its items: under time_decay A's
// 142.86 is 71.43 to i1 and 71.43 to i2, so i1 gets 71.43 + 571.43 =
// 642.86, i2 71.43 and i3 285.71; alice (A and C) 714.29 and bob 285.71.
// The package's ExampleAttribute prints these numbers for every model.
func Attribute(amountCents int64, closesAt time.Time, touches []Touch, a Attribution) ([]ShareCredit, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if len(touches) == 0 {
		return nil, nil
	}
	w := make([]float64, len(touches))
	switch a.Model {
	case AttributeEven:
		for i := range w {
			w[i] = 1
		}
	case AttributeFirst:
		first := slices.MinFunc(touches, func(x, y Touch) int { return x.FirstAt.Compare(y.FirstAt) }).FirstAt
		for i, t := range touches {
			if t.FirstAt.Equal(first) {
				w[i] = 1
			}
		}
	case AttributeLast:
		last := slices.MaxFunc(touches, func(x, y Touch) int { return x.LastAt.Compare(y.LastAt) }).LastAt
		for i, t := range touches {
			if t.LastAt.Equal(last) {
				w[i] = 1
			}
		}
	case AttributeTimeDecay:
		h := a.HalfLife
		if h == 0 {
			h = DefaultHalfLife
		}
		last := slices.MaxFunc(touches, func(x, y Touch) int { return x.LastAt.Compare(y.LastAt) }).LastAt
		for i, t := range touches {
			// Both ages are to the same close C: (C−Lᵢ) − (C−maxL) = maxL − Lᵢ.
			w[i] = math.Exp2(-float64(last.Sub(t.LastAt)) / float64(h))
		}
	}
	var sum float64
	for _, x := range w {
		sum += x
	}
	cents := SplitCents(amountCents, w)
	out := make([]ShareCredit, len(touches))
	for i, t := range touches {
		out[i] = ShareCredit{Touch: t, Weight: w[i] / sum, AmountCents: cents[i]}
	}
	return out, nil
}

// SplitCents splits amount (hundredths) in proportion to weights by the
// largest remainder method (see Attribute): the parts add up to amount
// exactly, the leftover cents go to the largest fractional parts, ties to
// the lower index. Negative weights count as 0; when every weight is 0,
// the amount is split evenly. A negative amount is split as its absolute
// value and negated.
func SplitCents(amount int64, weights []float64) []int64 {
	n := len(weights)
	out := make([]int64, n)
	if n == 0 {
		return out
	}
	ws := make([]*big.Rat, n)
	total := new(big.Rat)
	for i, x := range weights {
		r := new(big.Rat)
		if x > 0 && !math.IsInf(x, 0) {
			r.SetFloat64(x)
		}
		ws[i] = r
		total.Add(total, r)
	}
	if total.Sign() == 0 {
		for i := range ws {
			ws[i].SetInt64(1)
		}
		total.SetInt64(int64(n))
	}
	abs := new(big.Int).Abs(big.NewInt(amount))
	floors := make([]*big.Int, n)
	rems := make([]*big.Rat, n)
	given := new(big.Int)
	for i, wi := range ws {
		q := new(big.Rat).Mul(new(big.Rat).SetInt(abs), wi)
		q.Quo(q, total)
		f := new(big.Int).Quo(q.Num(), q.Denom()) // q ≥ 0: truncation is the floor
		floors[i] = f
		rems[i] = new(big.Rat).Sub(q, new(big.Rat).SetInt(f))
		given.Add(given, f)
	}
	left := new(big.Int).Sub(abs, given).Int64() // < n
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return rems[b].Cmp(rems[a]) })
	for _, i := range order[:left] {
		floors[i].Add(floors[i], big.NewInt(1))
	}
	for i, f := range floors {
		if amount < 0 {
			f.Neg(f)
		}
		out[i] = f.Int64()
	}
	return out
}

// SharedItem is an item of a share, with the spot it is homed in.
type SharedItem struct {
	ItemID string `json:"item_id"`
	SpotID string `json:"spot_id"`
}

// ItemCredit is an item's part of a share's credit.
type ItemCredit struct {
	SharedItem
	AmountCents int64 `json:"amount_cents"`
}

// SplitItems splits a share's credit evenly over its items, in the share's
// order, by SplitCents: the parts add up to amountCents, and the leftover
// cents go to the first items. An item listed twice counts once. Without
// items it returns nil (the credit stays with the seller alone).
func SplitItems(amountCents int64, items []SharedItem) []ItemCredit {
	var uniq []SharedItem
	for _, it := range items {
		if !slices.ContainsFunc(uniq, func(u SharedItem) bool { return u.ItemID == it.ItemID }) {
			uniq = append(uniq, it)
		}
	}
	if len(uniq) == 0 {
		return nil
	}
	w := make([]float64, len(uniq))
	for i := range w {
		w[i] = 1
	}
	cents := SplitCents(amountCents, w)
	out := make([]ItemCredit, len(uniq))
	for i, it := range uniq {
		out[i] = ItemCredit{SharedItem: it, AmountCents: cents[i]}
	}
	return out
}

// String shows a credit as "share 333.34 (0.3333)", for logs and examples.
func (c ShareCredit) String() string {
	return fmt.Sprintf("%s %s (%.4f)", c.ShareID, FormatCents(c.AmountCents), c.Weight)
}
