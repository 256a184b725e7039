// Package salesforce is an analytics.CRM over Salesforce's REST API: the
// influence report reads opportunities, their accounts and their contacts'
// addresses with SOQL queries.
//
// # Queries
//
// Every read is a SOQL query sent as GET
// {instance}/services/data/{version}/query?q=..., following nextRecordsUrl
// until done:
//
//	SELECT Id, AccountId, Name, Amount, StageName, IsClosed, IsWon, CloseDate[, CurrencyIsoCode]
//	  FROM Opportunity WHERE CloseDate >= 2025-03-01 AND CloseDate <= 2025-03-31 AND IsWon = true
//	  ORDER BY CloseDate, Id
//	SELECT Id, Name FROM Account WHERE Id IN ('001...', ...) ORDER BY Id
//	SELECT OpportunityId, Contact.Email FROM OpportunityContactRole
//	  WHERE OpportunityId IN ('006...', ...) ORDER BY OpportunityId, Id
//
// Contacts are the opportunity's contact roles (OpportunityContactRole),
// whatever their role. CurrencyIsoCode exists only in orgs with several
// currencies: the client asks once (GET .../sobjects/Opportunity/describe)
// and selects it when it is there; otherwise Config.Currency names the
// org's currency. Dates are SOQL date literals (unquoted); text literals
// are quoted and escaped. IDs go 200 to a query.
//
// # Authentication
//
// Through golang.org/x/oauth2: the client credentials flow
// (ClientCredentialsConfig, on the org's My Domain) or the JWT bearer flow
// (JWTConfig: iss the connected app's consumer key, sub the integration
// user's name, aud the login host). Salesforce's access tokens carry no
// expiry: the client keeps one until the API answers 401, then fetches a
// new one and repeats the request once.
//
// # Errors
//
// Salesforce answers errors as [{"message": ..., "errorCode": ...}]; they
// become *APIError values. 429, 502, 503 and 504 and failures in transit
// are retried (3 times by default, waiting 1 s, 2 s, 4 s, or what
// Retry-After says, at most 30 s), then wrap analytics.ErrCRMUnavailable,
// as do 500 and the org's daily limit (403 REQUEST_LIMIT_EXCEEDED). Other
// refusals (bad credentials, missing permissions, a query or API version
// the org does not accept) wrap analytics.ErrCRMRejected.
package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/oauth2/jwt"

	"github.com/briefcasehq/briefcase/analytics"
)

// DefaultAPIVersion is the REST API version used when Config names none.
const DefaultAPIVersion = "v62.0"

// LoginURL is Salesforce's production login host: the JWT audience and
// token endpoint of production orgs (sandboxes use
// https://test.salesforce.com).
const LoginURL = "https://login.salesforce.com"

// TokenFunc fetches a new access token each time it is called (never a
// cached one): the client keeps the token and calls again after a 401.
type TokenFunc func(ctx context.Context) (*oauth2.Token, error)

// ClientCredentials fetches tokens with the OAuth 2.0 client credentials
// flow.
func ClientCredentials(cfg *clientcredentials.Config) TokenFunc { return cfg.Token }

// JWTBearer fetches tokens with the OAuth 2.0 JWT bearer flow.
func JWTBearer(cfg *jwt.Config) TokenFunc {
	return func(ctx context.Context) (*oauth2.Token, error) { return cfg.TokenSource(ctx).Token() }
}

// ClientCredentialsConfig is the client credentials configuration of a
// connected (or external client) app, on the org's My Domain URL
// (https://acme.my.salesforce.com), which Salesforce requires for this
// flow.
func ClientCredentialsConfig(myDomainURL, clientID, clientSecret string) *clientcredentials.Config {
	return &clientcredentials.Config{ClientID: clientID, ClientSecret: clientSecret,
		TokenURL: strings.TrimSuffix(myDomainURL, "/") + "/services/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}
}

// JWTConfig is the JWT bearer configuration Salesforce expects: the
// assertion's iss is the app's consumer key, sub the user's name, aud the
// login host (LoginURL, or https://test.salesforce.com for a sandbox), and
// it expires within 3 minutes; it is posted to the login host's token
// endpoint. privateKeyPEM is the RSA key whose certificate the app holds.
func JWTConfig(loginURL, consumerKey, username string, privateKeyPEM []byte) *jwt.Config {
	loginURL = strings.TrimSuffix(loginURL, "/")
	return &jwt.Config{Email: consumerKey, Subject: username, PrivateKey: privateKeyPEM,
		TokenURL: loginURL + "/services/oauth2/token", Audience: loginURL, Expires: 3 * time.Minute}
}

// Config configures a Client.
type Config struct {
	// Token fetches access tokens: ClientCredentials or JWTBearer.
	// Required.
	Token TokenFunc
	// InstanceURL is the org's API host (https://acme.my.salesforce.com);
	// when empty, the instance_url of the token response.
	InstanceURL string
	// APIVersion such as "v62.0"; DefaultAPIVersion when empty.
	APIVersion string
	// Currency is the ISO code of every opportunity's amount in an org
	// without several currencies; empty leaves Opportunity.Currency empty
	// there.
	Currency string
	// HTTPClient sends API and token requests; http.DefaultClient when nil.
	HTTPClient *http.Client
	// MaxRetries is how many times a request answered 429, 502, 503 or
	// 504, or failing in transit, is repeated: 3 when zero, none when
	// negative.
	MaxRetries int
	// Backoff is the first wait before a retry (1 s when zero), doubled
	// each time; Retry-After overrides it. Waits are at most 30 s.
	Backoff time.Duration
	// Sleep waits d or until ctx ends; a timer by default (tests replace
	// it).
	Sleep func(ctx context.Context, d time.Duration) error
}

// maxWait caps every wait between retries.
const maxWait = 30 * time.Second

// idsPerQuery caps the IDs of one IN (...) list, keeping the URL short.
const idsPerQuery = 200

// Client is an analytics.CRM over one Salesforce org. It is safe for
// concurrent use.
type Client struct {
	cfg  Config
	http *http.Client

	mu       sync.Mutex
	tok      *oauth2.Token
	instance string
	currency *bool // whether Opportunity has CurrencyIsoCode, once known
}

var _ analytics.CRM = (*Client)(nil)

// New returns a Client; it does not connect until the first call.
func New(cfg Config) (*Client, error) {
	if cfg.Token == nil {
		return nil, fmt.Errorf("salesforce: Config.Token is required: %w", analytics.ErrInvalid)
	}
	if cfg.InstanceURL != "" {
		u, err := url.Parse(cfg.InstanceURL)
		if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
			return nil, fmt.Errorf("salesforce: Config.InstanceURL %q is not an http(s) URL: %w", cfg.InstanceURL, analytics.ErrInvalid)
		}
		cfg.InstanceURL = strings.TrimSuffix(cfg.InstanceURL, "/")
	}
	if cfg.APIVersion == "" {
		cfg.APIVersion = DefaultAPIVersion
	}
	if !strings.HasPrefix(cfg.APIVersion, "v") {
		cfg.APIVersion = "v" + cfg.APIVersion
	}
	if _, err := strconv.ParseFloat(cfg.APIVersion[1:], 64); err != nil {
		return nil, fmt.Errorf("salesforce: Config.APIVersion %q is not like v62.0: %w", cfg.APIVersion, analytics.ErrInvalid)
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 3
	}
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{cfg: cfg, http: hc, instance: cfg.InstanceURL}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// APIError is an error answer of Salesforce's API (or its token endpoint).
type APIError struct {
	StatusCode int
	// Code is the first error's errorCode (INVALID_SESSION_ID,
	// MALFORMED_QUERY, ...) or the OAuth error (invalid_grant).
	Code string
	// Message joins the errors' messages.
	Message string
	kind    error
}

func (e *APIError) Error() string {
	return fmt.Sprintf("salesforce: %d %s: %s", e.StatusCode, e.Code, e.Message)
}

// Unwrap returns analytics.ErrCRMUnavailable or analytics.ErrCRMRejected.
func (e *APIError) Unwrap() error { return e.kind }

// Opportunities returns the opportunities matching f, by close date then
// ID.
func (c *Client) Opportunities(ctx context.Context, f analytics.OpportunityFilter) ([]analytics.Opportunity, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	withCurrency, err := c.hasCurrency(ctx)
	if err != nil {
		return nil, err
	}
	q := opportunitiesSOQL(f, withCurrency)
	out := []analytics.Opportunity{}
	err = c.query(ctx, q, func(raw json.RawMessage) error {
		var r struct {
			ID              string      `json:"Id"`
			AccountID       string      `json:"AccountId"`
			Name            string      `json:"Name"`
			Amount          json.Number `json:"Amount"`
			StageName       string      `json:"StageName"`
			IsClosed        bool        `json:"IsClosed"`
			IsWon           bool        `json:"IsWon"`
			CloseDate       string      `json:"CloseDate"`
			CurrencyIsoCode string      `json:"CurrencyIsoCode"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		cents, err := centsOf(r.Amount)
		if err != nil {
			return fmt.Errorf("opportunity %s: %w", r.ID, err)
		}
		o := analytics.Opportunity{ID: r.ID, AccountID: r.AccountID, Name: r.Name, AmountCents: cents,
			Currency: r.CurrencyIsoCode, Stage: r.StageName, Closed: r.IsClosed, Won: r.IsWon,
			CloseDate: analytics.Day(r.CloseDate)}
		if o.Currency == "" {
			o.Currency = c.cfg.Currency
		}
		out = append(out, o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Accounts returns the accounts with these IDs, by ID.
func (c *Client) Accounts(ctx context.Context, ids []string) ([]analytics.Account, error) {
	out := []analytics.Account{}
	for _, batch := range batches(ids) {
		q := "SELECT Id, Name FROM Account WHERE Id IN " + inList(batch) + " ORDER BY Id"
		err := c.query(ctx, q, func(raw json.RawMessage) error {
			var a analytics.Account
			var r struct {
				ID   string `json:"Id"`
				Name string `json:"Name"`
			}
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			a.ID, a.Name = r.ID, r.Name
			out = append(out, a)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b analytics.Account) int { return strings.Compare(a.ID, b.ID) })
	return slices.CompactFunc(out, func(a, b analytics.Account) bool { return a.ID == b.ID }), nil
}

// ContactEmails returns the addresses of the contacts in each
// opportunity's contact roles.
func (c *Client) ContactEmails(ctx context.Context, opportunityIDs []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, batch := range batches(opportunityIDs) {
		q := "SELECT OpportunityId, Contact.Email FROM OpportunityContactRole WHERE OpportunityId IN " +
			inList(batch) + " ORDER BY OpportunityId, Id"
		err := c.query(ctx, q, func(raw json.RawMessage) error {
			var r struct {
				OpportunityID string `json:"OpportunityId"`
				Contact       *struct {
					Email string `json:"Email"`
				} `json:"Contact"`
			}
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			if r.Contact == nil {
				return nil
			}
			if e := strings.ToLower(strings.TrimSpace(r.Contact.Email)); e != "" && r.OpportunityID != "" {
				out[r.OpportunityID] = append(out[r.OpportunityID], e)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for id, es := range out {
		slices.Sort(es)
		out[id] = slices.Compact(es)
	}
	return out, nil
}

// opportunitiesSOQL is the query of Opportunities; f is valid.
func opportunitiesSOQL(f analytics.OpportunityFilter, currency bool) string {
	fields := "Id, AccountId, Name, Amount, StageName, IsClosed, IsWon, CloseDate"
	if currency {
		fields += ", CurrencyIsoCode"
	}
	var where []string
	// Dates are SOQL date literals, unquoted; Validate parsed them, and
	// they are formatted again so that nothing else reaches the query.
	if f.CloseFrom != "" {
		where = append(where, "CloseDate >= "+f.CloseFrom.Time().Format(time.DateOnly))
	}
	if f.CloseTo != "" {
		where = append(where, "CloseDate <= "+f.CloseTo.Time().Format(time.DateOnly))
	}
	switch f.State {
	case analytics.OpportunitiesOpen:
		where = append(where, "IsClosed = false")
	case analytics.OpportunitiesClosed:
		where = append(where, "IsClosed = true")
	case analytics.OpportunitiesWon:
		where = append(where, "IsWon = true")
	case analytics.OpportunitiesLost:
		where = append(where, "IsClosed = true", "IsWon = false")
	}
	q := "SELECT " + fields + " FROM Opportunity"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	return q + " ORDER BY CloseDate, Id"
}

// quote makes s a SOQL string literal: in quotes, with backslash, quotes
// and control characters escaped as SOQL's escape sequences.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '\'':
			b.WriteString(`\'`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 || r == 0x7f {
				continue // no escape exists; an ID never holds one
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// inList is a SOQL list of quoted literals: ('a', 'b').
func inList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = quote(v)
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// batches splits ids, without duplicates and empty ones, into lists of
// idsPerQuery.
func batches(ids []string) [][]string {
	u := slices.Clone(ids)
	u = slices.DeleteFunc(u, func(s string) bool { return s == "" })
	slices.Sort(u)
	u = slices.Compact(u)
	var out [][]string
	for len(u) > 0 {
		n := min(len(u), idsPerQuery)
		out = append(out, u[:n])
		u = u[n:]
	}
	return out
}

// centsOf converts a JSON number (125000.0, 1.5E7) to hundredths, exactly,
// rounding half away from zero past two decimals; null is 0.
func centsOf(n json.Number) (int64, error) {
	if n == "" {
		return 0, nil
	}
	r, ok := new(big.Rat).SetString(string(n))
	if !ok {
		return 0, fmt.Errorf("amount %q: not a number", n)
	}
	r.Mul(r, big.NewRat(100, 1))
	neg := r.Sign() < 0
	r.Abs(r)
	// ⌊r + ½⌋
	r.Add(r, big.NewRat(1, 2))
	i := new(big.Int).Quo(r.Num(), r.Denom())
	if neg {
		i.Neg(i)
	}
	if !i.IsInt64() {
		return 0, fmt.Errorf("amount %q: too large", n)
	}
	return i.Int64(), nil
}

// describedField is a field in an sObject's describe answer.
type describedField struct {
	Name string `json:"name"`
}

// hasCurrency reports whether Opportunity has CurrencyIsoCode (a
// multi-currency org), asking Salesforce the first time.
func (c *Client) hasCurrency(ctx context.Context) (bool, error) {
	c.mu.Lock()
	known := c.currency
	c.mu.Unlock()
	if known != nil {
		return *known, nil
	}
	var d struct {
		Fields []describedField `json:"fields"`
	}
	if err := c.get(ctx, c.dataPath("/sobjects/Opportunity/describe"), &d); err != nil {
		return false, err
	}
	has := slices.ContainsFunc(d.Fields, func(f describedField) bool { return f.Name == "CurrencyIsoCode" })
	c.mu.Lock()
	c.currency = &has
	c.mu.Unlock()
	return has, nil
}

func (c *Client) dataPath(p string) string { return "/services/data/" + c.cfg.APIVersion + p }

// query runs a SOQL query and hands every record to fn, page after page.
func (c *Client) query(ctx context.Context, soql string, fn func(json.RawMessage) error) error {
	path := c.dataPath("/query?q=" + url.QueryEscape(soql))
	for {
		var page struct {
			Done           bool              `json:"done"`
			NextRecordsURL string            `json:"nextRecordsUrl"`
			Records        []json.RawMessage `json:"records"`
		}
		if err := c.get(ctx, path, &page); err != nil {
			return err
		}
		for _, r := range page.Records {
			if err := fn(r); err != nil {
				return fmt.Errorf("salesforce: reading %q: %w", soql, err)
			}
		}
		if page.Done || page.NextRecordsURL == "" {
			return nil
		}
		// The token only ever goes to the org's own API paths.
		if !strings.HasPrefix(page.NextRecordsURL, "/services/data/") {
			return fmt.Errorf("salesforce: nextRecordsUrl %q is not an API path: %w", page.NextRecordsURL, analytics.ErrCRMRejected)
		}
		path = page.NextRecordsURL
	}
}

// token returns the access token and the instance to use, fetching one
// when there is none or when the caller found stale (its 401) still
// current.
func (c *Client) token(ctx context.Context, stale *oauth2.Token) (*oauth2.Token, string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok != nil && c.tok != stale {
		return c.tok, c.instance, nil
	}
	tok, err := c.cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, c.http))
	if err != nil {
		return nil, "", tokenError(err)
	}
	if tok.AccessToken == "" {
		return nil, "", fmt.Errorf("salesforce: token response without an access token: %w", analytics.ErrCRMRejected)
	}
	if c.instance == "" {
		inst, _ := tok.Extra("instance_url").(string)
		u, err := url.Parse(inst)
		if inst == "" || err != nil || u.Host == "" || u.Scheme != "https" && u.Scheme != "http" {
			return nil, "", fmt.Errorf("salesforce: no Config.InstanceURL and the token response has no instance_url: %w",
				analytics.ErrCRMRejected)
		}
		c.instance = strings.TrimSuffix(inst, "/")
	}
	c.tok = tok
	return tok, c.instance, nil
}

// tokenError classifies a failed token request.
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		e := &APIError{StatusCode: re.Response.StatusCode, Code: re.ErrorCode, Message: re.ErrorDescription,
			kind: analytics.ErrCRMRejected}
		if e.Code == "" {
			e.Code = "token_error"
		}
		if e.Message == "" {
			e.Message = strings.TrimSpace(string(re.Body))
		}
		if retryable(e.StatusCode) || e.StatusCode >= 500 {
			e.kind = analytics.ErrCRMUnavailable
		}
		return e
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	// A key that does not parse, a URL that does not resolve, a
	// connection refused: the configuration or the network.
	return fmt.Errorf("salesforce: token: %v: %w", err, analytics.ErrCRMUnavailable)
}

func retryable(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// get sends GET path to the instance and decodes the JSON answer into v,
// with a fresh token after a 401 (once) and bounded retries.
func (c *Client) get(ctx context.Context, path string, v any) error {
	var stale *oauth2.Token
	refreshed := false
	wait := c.cfg.Backoff
	for attempt := 0; ; attempt++ {
		retry, after, err := c.try(ctx, path, v, &stale)
		if err == nil {
			return nil
		}
		var ae *APIError
		if errors.As(err, &ae) && ae.StatusCode == http.StatusUnauthorized && !refreshed {
			refreshed = true // stale now holds the refused token
			attempt--        // a new token is not a retry
			continue
		}
		if !retry || attempt >= c.cfg.MaxRetries {
			return err
		}
		d := wait
		if after > 0 {
			d = after
		}
		if err := c.cfg.Sleep(ctx, min(d, maxWait)); err != nil {
			return err
		}
		wait *= 2
	}
}

// try sends one request. retry says whether the failure is worth another
// try; after is the server's Retry-After.
func (c *Client) try(ctx context.Context, path string, v any, stale **oauth2.Token) (retry bool, after time.Duration, err error) {
	tok, instance, err := c.token(ctx, *stale)
	if err != nil {
		return errors.Is(err, analytics.ErrCRMUnavailable), 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, instance+path, nil)
	if err != nil {
		return false, 0, fmt.Errorf("salesforce: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return false, 0, ctx.Err()
		}
		return true, 0, fmt.Errorf("salesforce: GET %s: %v: %w", redact(path), err, analytics.ErrCRMUnavailable)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return true, 0, fmt.Errorf("salesforce: GET %s: %v: %w", redact(path), err, analytics.ErrCRMUnavailable)
	}
	if resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(body, v); err != nil {
			return false, 0, fmt.Errorf("salesforce: GET %s: decoding the answer: %v: %w", redact(path), err, analytics.ErrCRMRejected)
		}
		return false, 0, nil
	}
	e := apiError(resp.StatusCode, body)
	if resp.StatusCode == http.StatusUnauthorized {
		*stale = tok
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		after = time.Duration(s) * time.Second
	}
	return retryable(resp.StatusCode), after, e
}

// redact shortens a query path for error messages (the query is in the
// wrapping error of query when it matters).
func redact(path string) string {
	p, _, _ := strings.Cut(path, "?")
	return p
}

// apiError reads Salesforce's error body: [{"message", "errorCode"}].
func apiError(status int, body []byte) *APIError {
	e := &APIError{StatusCode: status, kind: analytics.ErrCRMRejected}
	var list []struct {
		Message   string `json:"message"`
		ErrorCode string `json:"errorCode"`
	}
	if err := json.Unmarshal(body, &list); err == nil && len(list) > 0 {
		e.Code = list[0].ErrorCode
		msgs := make([]string, len(list))
		for i, x := range list {
			msgs[i] = x.Message
		}
		e.Message = strings.Join(msgs, "; ")
	} else {
		e.Code = strings.ToUpper(strings.ReplaceAll(http.StatusText(status), " ", "_"))
		e.Message = strings.TrimSpace(string(body))
		if len(e.Message) > 200 {
			e.Message = e.Message[:200] + "…"
		}
	}
	if retryable(status) || status >= 500 || e.Code == "REQUEST_LIMIT_EXCEEDED" {
		e.kind = analytics.ErrCRMUnavailable
	}
	return e
}
