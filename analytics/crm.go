package analytics

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/errcode"
)

// Errors a CRM returns besides ErrInvalid (a filter it cannot answer).
var (
	// ErrCRMUnavailable: the CRM could not be reached or asked us to slow
	// down, and kept doing so after a few retries. Try again later.
	ErrCRMUnavailable = errcode.New(errcode.Unavailable, "analytics: crm unavailable")
	// ErrCRMRejected: the CRM refused the request for a reason retrying
	// will not change (credentials, permissions, configuration, a query it
	// does not accept). An operator has to look.
	ErrCRMRejected = errcode.New(errcode.FailedPrecondition, "analytics: crm rejected the request")
)

// CRM is where opportunities, their accounts and their contacts come from:
// influenced revenue joins them with who engaged with which share.
//
// Implementations hold no rules: they answer what they are asked (no
// permission checks; the Influencer decides who sees what). Methods are
// safe for concurrent use. Errors wrap ErrInvalid (a filter the CRM cannot
// answer), ErrCRMUnavailable (transient: retry later) or ErrCRMRejected
// (configuration or credentials). Adapters in this module:
// analytics/csvcrm (static CSV files) and analytics/salesforce.
type CRM interface {
	// Opportunities returns the opportunities matching f, ordered by
	// CloseDate, then ID. Nothing matching is an empty list, not an error.
	Opportunities(ctx context.Context, f OpportunityFilter) ([]Opportunity, error)
	// Accounts returns the accounts with these IDs, ordered by ID; IDs no
	// account has are left out (the caller sees which are missing).
	Accounts(ctx context.Context, ids []string) ([]Account, error)
	// ContactEmails returns the e-mail addresses of the contacts of each
	// of these opportunities, keyed by opportunity ID, each list lower
	// case, sorted and without duplicates. Opportunities without contacts
	// with an address, and IDs no opportunity has, have no key.
	ContactEmails(ctx context.Context, opportunityIDs []string) (map[string][]string, error)
}

// Account is a customer in the CRM.
type Account struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Opportunity is a deal in the CRM.
//
// Amounts are integers in hundredths of the currency's unit
// (AmountCents): 1234.56 EUR is 123456, 1000 JPY is 100000. Whole cents
// keep sums and splits exact; two decimals is what CRMs keep for currency
// fields (Salesforce's Amount is a currency(16,2)), whatever the currency's
// own minor unit. Amounts from different currencies are never added
// together: reports keep one line per currency.
type Opportunity struct {
	ID        string `json:"id"`
	AccountID string `json:"account_id"`
	Name      string `json:"name"`
	// AmountCents is the amount in hundredths; 0 when the CRM has none.
	AmountCents int64 `json:"amount_cents"`
	// Currency is the ISO 4217 code in upper case; empty when the CRM does
	// not say (a single-currency CRM with no configured currency).
	Currency string `json:"currency,omitempty"`
	Stage    string `json:"stage"`
	Closed   bool   `json:"closed"`
	// Won implies Closed.
	Won bool `json:"won"`
	// CloseDate is the day the deal closed or, while open, is expected to.
	CloseDate Day `json:"close_date"`
}

// ClosesAt is the instant the opportunity counts as closed: the end of its
// CloseDate in UTC (midnight starting the next day). Engagement strictly
// before it counts as before the close; engagement on the close day does.
func (o Opportunity) ClosesAt() time.Time { return CloseTime(o.CloseDate) }

// CloseTime is the end of day d in UTC; the zero time for a malformed day.
func CloseTime(d Day) time.Time {
	t := d.Time()
	if t.IsZero() {
		return t
	}
	return t.AddDate(0, 0, 1)
}

// OpportunityState selects opportunities by whether they closed and how.
type OpportunityState string

// Opportunity states. In an OpportunityFilter, the empty state is
// OpportunitiesAny.
const (
	OpportunitiesAny    OpportunityState = "any"
	OpportunitiesOpen   OpportunityState = "open"
	OpportunitiesClosed OpportunityState = "closed" // won or lost
	OpportunitiesWon    OpportunityState = "won"
	OpportunitiesLost   OpportunityState = "lost"
)

// Valid reports whether s is a known state.
func (s OpportunityState) Valid() bool {
	switch s {
	case "", OpportunitiesAny, OpportunitiesOpen, OpportunitiesClosed, OpportunitiesWon, OpportunitiesLost:
		return true
	}
	return false
}

// OpportunityFilter selects opportunities.
type OpportunityFilter struct {
	// CloseFrom and CloseTo bound CloseDate, both included; empty does not
	// bound.
	CloseFrom, CloseTo Day
	// State: empty or OpportunitiesAny for every state.
	State OpportunityState
}

// Validate reports a malformed filter as an error naming the fields
// (close_from, close_to, state), matching ErrInvalid.
func (f OpportunityFilter) Validate() error {
	var fe errcode.Fields
	if f.CloseFrom != "" && f.CloseFrom.Time().IsZero() {
		fe.Add("close_from", "must be a date (2006-01-02), not %q", f.CloseFrom)
	}
	if f.CloseTo != "" && f.CloseTo.Time().IsZero() {
		fe.Add("close_to", "must be a date (2006-01-02), not %q", f.CloseTo)
	}
	if len(fe) == 0 && f.CloseFrom != "" && f.CloseTo != "" && f.CloseTo < f.CloseFrom {
		fe.Add("close_to", "is before close_from")
	}
	if !f.State.Valid() {
		fe.Add("state", "must be one of any, open, closed, won, lost, not %q", f.State)
	}
	return fe.Err(ErrInvalid)
}

// Match reports whether o passes the filter: CRMs that filter in memory
// use it, and it states what the others must do.
func (f OpportunityFilter) Match(o Opportunity) bool {
	if f.CloseFrom != "" && o.CloseDate < f.CloseFrom || f.CloseTo != "" && o.CloseDate > f.CloseTo {
		return false
	}
	switch f.State {
	case OpportunitiesOpen:
		return !o.Closed
	case OpportunitiesClosed:
		return o.Closed
	case OpportunitiesWon:
		return o.Closed && o.Won
	case OpportunitiesLost:
		return o.Closed && !o.Won
	}
	return true
}

// ParseCents reads a decimal amount written with at most two decimals
// ("1234", "1234.5", "-0.25") as hundredths. No exponent, no thousands
// separators, no currency sign.
func ParseCents(s string) (int64, error) {
	orig := s
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, dot := strings.Cut(s, ".")
	bad := func(why string) (int64, error) {
		return 0, fmt.Errorf("%w: amount %q: %s", ErrInvalid, orig, why)
	}
	if whole == "" || dot && frac == "" {
		return bad("not a decimal number")
	}
	if len(frac) > 2 {
		return bad("more than two decimals")
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return bad("not a decimal number")
			}
		}
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > (1<<63-1-99)/100 {
		return bad("too large")
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	c := w*100 + f
	if neg {
		c = -c
	}
	return c, nil
}

// FormatCents writes hundredths as a decimal with two decimals: 123456 is
// "1234.56", -5 is "-0.05".
func FormatCents(c int64) string {
	sign := ""
	u := uint64(c)
	if c < 0 {
		sign = "-"
		u = uint64(-c) // -MinInt64 wraps to itself, which as uint64 is right
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}
