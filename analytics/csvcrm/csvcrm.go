// Package csvcrm is a static analytics.CRM read from three CSV files, for
// teams without Salesforce: export accounts, opportunities and their
// contacts from any CRM (or a spreadsheet), and the influence report
// reads them.
//
// # Files
//
// A directory (any fs.FS) holds three UTF-8 CSV files, comma-separated,
// each with a header row naming its columns in any order (case and
// surrounding spaces do not matter; a spreadsheet's byte order mark is
// skipped). Unknown columns are refused, so that a misspelt column is
// not silently empty.
//
// accounts.csv:
//
//	column  required  value
//	id      yes       unique
//	name    yes       the account's name
//
// opportunities.csv:
//
//	column      required  value
//	id          yes       unique
//	account_id  column    empty, or an id of accounts.csv
//	name        yes       the opportunity's name
//	amount      yes       a decimal with at most two decimals, not negative: 125000, 1234.5
//	currency    no        ISO 4217 code (EUR), or empty
//	stage       column    any text (Closed Won, Negotiation)
//	closed      yes       true or false (also yes/no, 1/0)
//	won         yes       true or false; true needs closed true
//	close_date  yes       2006-01-02: the day it closed, or is expected to
//
// "column" means the column must be there but a row may leave it empty.
//
// contacts.csv (one row per contact of an opportunity):
//
//	column          required  value
//	opportunity_id  yes       an id of opportunities.csv
//	email           yes       the contact's address (a@b.example)
//	name            no        ignored
//
// Open checks every row and reports every problem (up to 50) at once,
// each naming the file, the line and the column:
//
//	csvcrm: opportunities.csv:7: amount: "12.345": not a decimal with at most two decimals (1234.56)
//
// Each problem is an *Error matching analytics.ErrInvalid.
package csvcrm

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/mail"
	"os"
	"slices"
	"strings"

	"github.com/briefcasehq/briefcase/analytics"
)

// The file names Open reads.
const (
	AccountsFile      = "accounts.csv"
	OpportunitiesFile = "opportunities.csv"
	ContactsFile      = "contacts.csv"
)

// maxErrors caps how many problems Open reports.
const maxErrors = 50

// Error is a problem in one cell (or line) of a file.
type Error struct {
	File string
	// Line is the line in the file, from 1 (the header is line 1).
	Line int
	// Column is the column's name; empty when the problem is the line's.
	Column string
	Msg    string
}

func (e *Error) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("csvcrm: %s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("csvcrm: %s:%d: %s: %s", e.File, e.Line, e.Column, e.Msg)
}

// Unwrap makes every Error match analytics.ErrInvalid.
func (e *Error) Unwrap() error { return analytics.ErrInvalid }

// CRM is an analytics.CRM over data loaded once. It never changes and is
// safe for concurrent use.
type CRM struct {
	accounts map[string]analytics.Account
	opps     []analytics.Opportunity // by close date, then ID
	contacts map[string][]string
}

var _ analytics.CRM = (*CRM)(nil)

// Load reads the files from a directory.
func Load(dir string) (*CRM, error) { return Open(os.DirFS(dir)) }

// Open reads and checks accounts.csv, opportunities.csv and contacts.csv
// at the root of fsys. A missing file is an error wrapping fs.ErrNotExist;
// problems in the files are *Error values (joined, in file and line
// order) matching analytics.ErrInvalid.
func Open(fsys fs.FS) (*CRM, error) {
	l := &loader{}
	c := &CRM{accounts: map[string]analytics.Account{}, contacts: map[string][]string{}}

	err := l.read(fsys, AccountsFile, []string{"id", "name"}, nil, func(r row) {
		a := analytics.Account{ID: r.required("id"), Name: r.required("name")}
		if a.ID == "" {
			return
		}
		if _, dup := c.accounts[a.ID]; dup {
			r.fail("id", "%q: another account has this id", a.ID)
			return
		}
		c.accounts[a.ID] = a
	})
	if err != nil {
		return nil, err
	}

	oppIDs := map[string]bool{}
	err = l.read(fsys, OpportunitiesFile,
		[]string{"id", "account_id", "name", "amount", "stage", "closed", "won", "close_date"},
		[]string{"currency"}, func(r row) {
			// Cells are checked in the documented column order, so that
			// problems read left to right.
			o := analytics.Opportunity{ID: r.required("id")}
			if o.ID != "" && oppIDs[o.ID] {
				r.fail("id", "%q: another opportunity has this id", o.ID)
			}
			if o.AccountID = r.get("account_id"); o.AccountID != "" {
				if _, ok := c.accounts[o.AccountID]; !ok {
					r.fail("account_id", "%q: no such account in %s", o.AccountID, AccountsFile)
				}
			}
			o.Name = r.required("name")
			if amt := r.required("amount"); amt != "" {
				cents, err := analytics.ParseCents(amt)
				switch {
				case err != nil:
					r.fail("amount", "%q: not a decimal with at most two decimals (1234.56)", amt)
				case cents < 0:
					r.fail("amount", "%q: negative", amt)
				}
				o.AmountCents = cents
			}
			if o.Currency = r.get("currency"); o.Currency != "" && !isCurrency(o.Currency) {
				r.fail("currency", "%q: not an ISO 4217 code (three capital letters, as EUR)", o.Currency)
			}
			o.Stage = r.get("stage")
			var closedOK, wonOK bool
			o.Closed, closedOK = r.boolean("closed")
			o.Won, wonOK = r.boolean("won")
			if closedOK && wonOK && o.Won && !o.Closed {
				r.fail("won", "true while closed is false")
			}
			o.CloseDate = r.date("close_date")
			if o.ID == "" || oppIDs[o.ID] {
				return
			}
			oppIDs[o.ID] = true
			c.opps = append(c.opps, o)
		})
	if err != nil {
		return nil, err
	}

	err = l.read(fsys, ContactsFile, []string{"opportunity_id", "email"}, []string{"name"}, func(r row) {
		opp, email := r.required("opportunity_id"), r.required("email")
		if opp != "" && !oppIDs[opp] {
			r.fail("opportunity_id", "%q: no such opportunity in %s", opp, OpportunitiesFile)
		}
		if email != "" {
			a, err := mail.ParseAddress(email)
			if err != nil || a.Name != "" || a.Address != email {
				r.fail("email", "%q: not an e-mail address (a@b.example)", email)
				return
			}
			email = strings.ToLower(email)
		}
		if opp == "" || email == "" || slices.Contains(c.contacts[opp], email) {
			return
		}
		c.contacts[opp] = append(c.contacts[opp], email)
	})
	if err != nil {
		return nil, err
	}
	if err := l.err(); err != nil {
		return nil, err
	}
	for _, cs := range c.contacts {
		slices.Sort(cs)
	}
	slices.SortFunc(c.opps, func(a, b analytics.Opportunity) int {
		return cmp.Or(cmp.Compare(a.CloseDate, b.CloseDate), cmp.Compare(a.ID, b.ID))
	})
	return c, nil
}

func isCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// Opportunities returns the opportunities matching f, by close date then
// ID.
func (c *CRM) Opportunities(ctx context.Context, f analytics.OpportunityFilter) ([]analytics.Opportunity, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	out := []analytics.Opportunity{}
	for _, o := range c.opps {
		if f.Match(o) {
			out = append(out, o)
		}
	}
	return out, nil
}

// Accounts returns the accounts with these IDs, by ID.
func (c *CRM) Accounts(ctx context.Context, ids []string) ([]analytics.Account, error) {
	out := []analytics.Account{}
	for _, id := range ids {
		if a, ok := c.accounts[id]; ok && !slices.ContainsFunc(out, func(x analytics.Account) bool { return x.ID == id }) {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b analytics.Account) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// ContactEmails returns the contacts' addresses of these opportunities.
func (c *CRM) ContactEmails(ctx context.Context, opportunityIDs []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, id := range opportunityIDs {
		if cs, ok := c.contacts[id]; ok {
			out[id] = slices.Clone(cs)
		}
	}
	return out, nil
}

// loader reads files and collects their problems.
type loader struct {
	errs []error
	more int
}

func (l *loader) add(e *Error) {
	if len(l.errs) == maxErrors {
		l.more++
		return
	}
	l.errs = append(l.errs, e)
}

func (l *loader) err() error {
	if l.more > 0 {
		l.errs = append(l.errs, fmt.Errorf("csvcrm: and %d more problems: %w", l.more, analytics.ErrInvalid))
	}
	return errors.Join(l.errs...)
}

// row is one record being read, with its header.
type row struct {
	l      *loader
	file   string
	line   int
	cols   map[string]int
	record []string
}

func (r row) fail(col, format string, args ...any) {
	r.l.add(&Error{File: r.file, Line: r.line, Column: col, Msg: fmt.Sprintf(format, args...)})
}

// get returns the cell of col, trimmed; empty when the file has no such
// column.
func (r row) get(col string) string {
	i, ok := r.cols[col]
	if !ok || i >= len(r.record) {
		return ""
	}
	return strings.TrimSpace(r.record[i])
}

func (r row) required(col string) string {
	v := r.get(col)
	if v == "" {
		r.fail(col, "required")
	}
	return v
}

// boolean reads a required true or false; ok is false when the cell was
// refused.
func (r row) boolean(col string) (v, ok bool) {
	s := r.required(col)
	switch strings.ToLower(s) {
	case "true", "yes", "1":
		return true, true
	case "false", "no", "0":
		return false, true
	case "":
		return false, false
	}
	r.fail(col, "%q: not true or false", s)
	return false, false
}

func (r row) date(col string) analytics.Day {
	v := analytics.Day(r.required(col))
	if v != "" && v.Time().IsZero() {
		r.fail(col, "%q: not a date (2006-01-02)", v)
		return ""
	}
	return v
}

// read reads one file: its header must hold every required column and no
// column outside required and optional; each record goes to fn. Problems
// are collected; only a missing or unreadable file is returned.
func (l *loader) read(fsys fs.FS, name string, required, optional []string, fn func(row)) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("csvcrm: %w", err)
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	cr.FieldsPerRecord = -1 // short and long rows are reported below, by line
	header, err := cr.Read()
	if err == io.EOF {
		l.add(&Error{File: name, Line: 1, Msg: "empty file: the header row is missing (" + strings.Join(required, ",") + ")"})
		return nil
	}
	if err != nil {
		l.add(csvError(name, err))
		return nil
	}
	cols := map[string]int{}
	known := slices.Concat(required, optional)
	bad := false
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case !slices.Contains(known, h):
			l.add(&Error{File: name, Line: 1, Column: h, Msg: fmt.Sprintf("unknown column (known: %s)", strings.Join(known, ", "))})
			bad = true
		case hasKey(cols, h):
			l.add(&Error{File: name, Line: 1, Column: h, Msg: "column given twice"})
			bad = true
		default:
			cols[h] = i
		}
	}
	for _, c := range required {
		if _, ok := cols[c]; !ok {
			l.add(&Error{File: name, Line: 1, Column: c, Msg: "missing column"})
			bad = true
		}
	}
	if bad {
		return nil
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			l.add(csvError(name, err))
			return nil
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			l.add(&Error{File: name, Line: line, Msg: fmt.Sprintf("%d cells where the header has %d", len(rec), len(header))})
			continue
		}
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue // a blank row, as spreadsheets leave at the end
		}
		fn(row{l: l, file: name, line: line, cols: cols, record: rec})
	}
}

func hasKey(m map[string]int, k string) bool { _, ok := m[k]; return ok }

// csvError turns encoding/csv's syntax errors into an Error.
func csvError(name string, err error) *Error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &Error{File: name, Line: pe.Line, Msg: fmt.Sprintf("byte %d: %v", pe.Column, pe.Err)}
	}
	return &Error{File: name, Line: 0, Msg: err.Error()}
}
