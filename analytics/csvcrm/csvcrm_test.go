package csvcrm_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase/analytics"
	"github.com/briefcasehq/briefcase/analytics/csvcrm"
	"github.com/briefcasehq/briefcase/errcode"
)

const (
	goodAccounts = "\ufeffid,name\nacc-1,Acme\nacc-2,\"Globex, Inc.\"\n"
	goodOpps     = ` Close_Date ,id,account_id,name,amount,currency,stage,closed,won
2025-03-31,opp-1,acc-1,Acme renewal,1000,USD,Closed Won,true,true
2025-03-15,opp-2,acc-2,Globex expansion,500.5,EUR,Closed Won,yes,1
2025-03-20,opp-3,,"Initech, lost",300.00,,Closed Lost,TRUE,false
2025-04-30,opp-4,acc-1,Acme upsell,0,USD,Negotiation,false,false
,,,,,,,,
`
	goodContacts = "opportunity_id,email,name\nopp-1,ana@acme.example,Ana\nopp-1,Ben@Acme.example,Ben\nopp-1,ana@acme.example,Ana again\nopp-3,cy@initech.example,\n"
)

func files(accounts, opps, contacts string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, body := range map[string]string{"accounts.csv": accounts, "opportunities.csv": opps, "contacts.csv": contacts} {
		if body != "-" {
			m[name] = &fstest.MapFile{Data: []byte(body)}
		}
	}
	return m
}

func ids(os []analytics.Opportunity) []string {
	out := []string{}
	for _, o := range os {
		out = append(out, o.ID)
	}
	return out
}

func TestOpen(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	c, err := csvcrm.Open(files(goodAccounts, goodOpps, goodContacts))
	is.NoErr(err)

	all, err := c.Opportunities(ctx, analytics.OpportunityFilter{})
	is.NoErr(err)
	is.Equal(all, []analytics.Opportunity{
		{ID: "opp-2", AccountID: "acc-2", Name: "Globex expansion", AmountCents: 50050, Currency: "EUR",
			Stage: "Closed Won", Closed: true, Won: true, CloseDate: "2025-03-15"},
		{ID: "opp-3", Name: "Initech, lost", AmountCents: 30000, Stage: "Closed Lost", Closed: true,
			CloseDate: "2025-03-20"},
		{ID: "opp-1", AccountID: "acc-1", Name: "Acme renewal", AmountCents: 100000, Currency: "USD",
			Stage: "Closed Won", Closed: true, Won: true, CloseDate: "2025-03-31"},
		{ID: "opp-4", AccountID: "acc-1", Name: "Acme upsell", Currency: "USD", Stage: "Negotiation",
			CloseDate: "2025-04-30"},
	})
	for _, tc := range []struct {
		f    analytics.OpportunityFilter
		want []string
	}{
		{analytics.OpportunityFilter{State: analytics.OpportunitiesWon}, []string{"opp-2", "opp-1"}},
		{analytics.OpportunityFilter{State: analytics.OpportunitiesLost}, []string{"opp-3"}},
		{analytics.OpportunityFilter{State: analytics.OpportunitiesOpen}, []string{"opp-4"}},
		{analytics.OpportunityFilter{CloseFrom: "2025-03-16", CloseTo: "2025-03-31"}, []string{"opp-3", "opp-1"}},
		{analytics.OpportunityFilter{CloseFrom: "2026-01-01"}, []string{}},
	} {
		got, err := c.Opportunities(ctx, tc.f)
		is.NoErr(err)
		is.Equal(ids(got), tc.want)
	}
	_, err = c.Opportunities(ctx, analytics.OpportunityFilter{State: "pending"})
	is.True(errors.Is(err, analytics.ErrInvalid))

	accs, err := c.Accounts(ctx, []string{"acc-2", "nope", "acc-1", "acc-2"})
	is.NoErr(err)
	is.Equal(accs, []analytics.Account{{ID: "acc-1", Name: "Acme"}, {ID: "acc-2", Name: "Globex, Inc."}})

	cs, err := c.ContactEmails(ctx, []string{"opp-1", "opp-2", "opp-3", "nope"})
	is.NoErr(err)
	is.Equal(cs, map[string][]string{
		"opp-1": {"ana@acme.example", "ben@acme.example"},
		"opp-3": {"cy@initech.example"},
	})
	cs["opp-1"][0] = "changed"
	again, _ := c.ContactEmails(ctx, []string{"opp-1"})
	is.Equal(again["opp-1"][0], "ana@acme.example") // callers get copies
}

func TestLoadFromADirectory(t *testing.T) {
	is := is.New(t)
	dir := t.TempDir()
	for name, body := range map[string]string{"accounts.csv": goodAccounts, "opportunities.csv": goodOpps,
		"contacts.csv": goodContacts} {
		is.NoErr(os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	c, err := csvcrm.Load(dir)
	is.NoErr(err)
	won, err := c.Opportunities(context.Background(), analytics.OpportunityFilter{State: analytics.OpportunitiesWon})
	is.NoErr(err)
	is.Equal(ids(won), []string{"opp-2", "opp-1"})

	is.NoErr(os.Remove(filepath.Join(dir, "contacts.csv")))
	_, err = csvcrm.Load(dir)
	is.True(errors.Is(err, fs.ErrNotExist))
	is.True(strings.Contains(err.Error(), "contacts.csv"))
}

func TestBadFiles(t *testing.T) {
	for _, tc := range []struct {
		name                     string
		accounts, opps, contacts string
		want                     []string
	}{
		{"headers: unknown, missing and twice",
			"id,nmae\n", "id,account_id,name,amount,stage,closed,won,close_date,id\n", "opportunity_id,e-mail\n",
			[]string{
				"csvcrm: accounts.csv:1: nmae: unknown column (known: id, name)",
				"csvcrm: accounts.csv:1: name: missing column",
				"csvcrm: opportunities.csv:1: id: column given twice",
				"csvcrm: contacts.csv:1: e-mail: unknown column (known: opportunity_id, email, name)",
				"csvcrm: contacts.csv:1: email: missing column",
			}},
		{"empty file", "", "", "", []string{
			"csvcrm: accounts.csv:1: empty file: the header row is missing (id,name)",
		}},
		{"accounts: required and unique",
			"id,name\nacc-1,Acme\n,Nameless\nacc-1,Acme again\nacc-2,\n",
			"id,account_id,name,amount,stage,closed,won,close_date\n", "opportunity_id,email\n",
			[]string{
				"csvcrm: accounts.csv:3: id: required",
				"csvcrm: accounts.csv:4: id: \"acc-1\": another account has this id",
				"csvcrm: accounts.csv:5: name: required",
			}},
		{"opportunities: every cell checked",
			"id,name\nacc-1,Acme\n",
			`id,account_id,name,amount,currency,stage,closed,won,close_date
opp-1,acc-9,Deal,12.345,usd,Won,maybe,true,2025-02-30
opp-2,acc-1,,-5,EUR,Won,false,true,2025-03-01
opp-1,acc-1,Again,"1,000",EURO,,true,true,31/03/2025
opp-3,acc-1,Short,1
opp-4,acc-1,Fine,1.5,EUR,Open,false,false,2025-03-01
`, "opportunity_id,email\n",
			[]string{
				`csvcrm: opportunities.csv:2: account_id: "acc-9": no such account in accounts.csv`,
				`csvcrm: opportunities.csv:2: amount: "12.345": not a decimal with at most two decimals (1234.56)`,
				`csvcrm: opportunities.csv:2: currency: "usd": not an ISO 4217 code (three capital letters, as EUR)`,
				`csvcrm: opportunities.csv:2: closed: "maybe": not true or false`,
				`csvcrm: opportunities.csv:2: close_date: "2025-02-30": not a date (2006-01-02)`,
				`csvcrm: opportunities.csv:3: name: required`,
				`csvcrm: opportunities.csv:3: amount: "-5": negative`,
				`csvcrm: opportunities.csv:3: won: true while closed is false`,
				`csvcrm: opportunities.csv:4: id: "opp-1": another opportunity has this id`,
				`csvcrm: opportunities.csv:4: amount: "1,000": not a decimal with at most two decimals (1234.56)`,
				`csvcrm: opportunities.csv:4: currency: "EURO": not an ISO 4217 code (three capital letters, as EUR)`,
				`csvcrm: opportunities.csv:4: close_date: "31/03/2025": not a date (2006-01-02)`,
				`csvcrm: opportunities.csv:5: 4 cells where the header has 9`,
			}},
		{"contacts: known opportunities, real addresses",
			"id,name\n",
			"id,account_id,name,amount,stage,closed,won,close_date\nopp-1,,Deal,1,Won,true,true,2025-03-01\n",
			"opportunity_id,email\nopp-1,ana@acme.example\nopp-2,ben@acme.example\nopp-1,not an address\nopp-1,Ana <ana@acme.example>\n,\nopp-1,\n",
			[]string{
				`csvcrm: contacts.csv:3: opportunity_id: "opp-2": no such opportunity in opportunities.csv`,
				`csvcrm: contacts.csv:4: email: "not an address": not an e-mail address (a@b.example)`,
				`csvcrm: contacts.csv:5: email: "Ana <ana@acme.example>": not an e-mail address (a@b.example)`,
				`csvcrm: contacts.csv:7: email: required`,
			}},
		{"CSV syntax", "id,name\nacc-1,\"Acme\nacc-2,x\n", "", "", []string{
			`csvcrm: accounts.csv:3: byte 9: extraneous or missing " in quoted-field`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			if tc.opps == "" {
				tc.opps = "id,account_id,name,amount,stage,closed,won,close_date\n"
			}
			if tc.contacts == "" {
				tc.contacts = "opportunity_id,email\n"
			}
			_, err := csvcrm.Open(files(tc.accounts, tc.opps, tc.contacts))
			is.True(err != nil)
			is.True(errors.Is(err, analytics.ErrInvalid))
			is.Equal(errcode.Of(err), errcode.Invalid)
			is.Equal(strings.Split(err.Error(), "\n"), tc.want)
			var e *csvcrm.Error
			is.True(errors.As(err, &e))
			is.Equal(e.File, strings.SplitN(strings.TrimPrefix(tc.want[0], "csvcrm: "), ":", 2)[0])
		})
	}
}

func TestTooManyProblems(t *testing.T) {
	is := is.New(t)
	var b strings.Builder
	b.WriteString("id,name\n")
	for i := range 60 {
		fmt.Fprintf(&b, "acc-%d,\n", i)
	}
	_, err := csvcrm.Open(files(b.String(), "id,account_id,name,amount,stage,closed,won,close_date\n", "opportunity_id,email\n"))
	lines := strings.Split(err.Error(), "\n")
	is.Equal(len(lines), 51)
	is.Equal(lines[0], "csvcrm: accounts.csv:2: name: required")
	is.Equal(lines[50], "csvcrm: and 10 more problems: analytics: invalid")
}

func ExampleOpen() {
	c, err := csvcrm.Open(fstest.MapFS{
		"accounts.csv":      {Data: []byte("id,name\nacc-1,Acme\n")},
		"opportunities.csv": {Data: []byte("id,account_id,name,amount,currency,stage,closed,won,close_date\nopp-1,acc-1,Acme renewal,1000,USD,Closed Won,true,true,2025-03-31\n")},
		"contacts.csv":      {Data: []byte("opportunity_id,email\nopp-1,ana@acme.example\n")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	won, _ := c.Opportunities(context.Background(), analytics.OpportunityFilter{State: analytics.OpportunitiesWon})
	for _, o := range won {
		fmt.Println(o.ID, o.Name, analytics.FormatCents(o.AmountCents), o.Currency, o.CloseDate)
	}
	_, err = csvcrm.Open(fstest.MapFS{
		"accounts.csv":      {Data: []byte("id,name\nacc-1,Acme\n")},
		"opportunities.csv": {Data: []byte("id,account_id,name,amount,stage,closed,won,close_date\nopp-1,acc-2,Renewal,1k,Won,true,true,2025-03-31\n")},
		"contacts.csv":      {Data: []byte("opportunity_id,email\n")},
	})
	fmt.Println(err)
	// Output:
	// opp-1 Acme renewal 1000.00 USD 2025-03-31
	// csvcrm: opportunities.csv:2: account_id: "acc-2": no such account in accounts.csv
	// csvcrm: opportunities.csv:2: amount: "1k": not a decimal with at most two decimals (1234.56)
}
