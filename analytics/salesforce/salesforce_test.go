package salesforce_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"
	"golang.org/x/oauth2"

	"github.com/briefcasehq/briefcase/analytics"
	"github.com/briefcasehq/briefcase/analytics/salesforce"
	"github.com/briefcasehq/briefcase/errcode"
)

// fakeOrg speaks the shape of Salesforce's API: the OAuth token endpoint
// (client credentials and JWT bearer), the Opportunity describe, and the
// query endpoint with nextRecordsUrl paging and error bodies.
type fakeOrg struct {
	t   *testing.T
	srv *httptest.Server

	mu            sync.Mutex
	clientSecret  string
	jwtKey        *rsa.PublicKey
	multiCurrency bool
	tokens        int             // issued
	valid         map[string]bool // tokens the API accepts
	rejectAll     bool            // every token refused (revoked app)
	tokenForms    []url.Values
	jwtClaims     []map[string]any
	describes     int
	queries       []string // SOQL of first pages, in order
	requests      int      // API requests (describe, query, next pages)
	// pages answers a SOQL query: JSON arrays of records, one per page.
	pages map[string][]string
	// script answers the next API requests with these statuses first.
	script []scripted
}

type scripted struct {
	status     int
	body       string
	retryAfter string
}

func newOrg(t *testing.T) *fakeOrg {
	o := &fakeOrg{t: t, clientSecret: "s3cret", valid: map[string]bool{}, pages: map[string][]string{},
		multiCurrency: true}
	o.srv = httptest.NewServer(o)
	t.Cleanup(o.srv.Close)
	return o
}

const apiPrefix = "/services/data/v62.0"

func (o *fakeOrg) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	defer o.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/services/oauth2/token" {
		o.token(w, r)
		return
	}
	o.requests++
	if len(o.script) > 0 {
		s := o.script[0]
		o.script = o.script[1:]
		if s.retryAfter != "" {
			w.Header().Set("Retry-After", s.retryAfter)
		}
		w.WriteHeader(s.status)
		fmt.Fprint(w, s.body)
		return
	}
	auth := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if o.rejectAll || !o.valid[auth] {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`)
		return
	}
	switch {
	case r.Method != http.MethodGet:
		w.WriteHeader(http.StatusMethodNotAllowed)
	case r.URL.Path == apiPrefix+"/sobjects/Opportunity/describe":
		o.describes++
		fields := `{"name":"Id"},{"name":"Amount"},{"name":"CloseDate"}`
		if o.multiCurrency {
			fields += `,{"name":"CurrencyIsoCode"}`
		}
		fmt.Fprintf(w, `{"name":"Opportunity","fields":[%s]}`, fields)
	case r.URL.Path == apiPrefix+"/query":
		q := r.URL.Query().Get("q")
		o.queries = append(o.queries, q)
		o.page(w, q, 0)
	case strings.HasPrefix(r.URL.Path, apiPrefix+"/query/"):
		// Locators are "<query number>-<page>".
		var qi, pi int
		if _, err := fmt.Sscanf(strings.TrimPrefix(r.URL.Path, apiPrefix+"/query/"), "%d-%d", &qi, &pi); err != nil || qi >= len(o.queries) {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `[{"message":"invalid query locator","errorCode":"INVALID_QUERY_LOCATOR"}]`)
			return
		}
		o.page(w, o.queries[qi], pi)
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]`)
	}
}

func (o *fakeOrg) page(w http.ResponseWriter, q string, i int) {
	pages := o.pages[q]
	if len(pages) == 0 {
		pages = []string{"[]"}
	}
	if q == "SELECT Id, Name FROM Account WHERE Id IN ('evil') ORDER BY Id" {
		fmt.Fprint(w, `{"totalSize":2,"done":false,"nextRecordsUrl":"https://elsewhere.example/services/data/v62.0/query/0-1","records":[]}`)
		return
	}
	next := ""
	if i+1 < len(pages) {
		next = fmt.Sprintf(`,"nextRecordsUrl":"%s/query/%d-%d"`, apiPrefix, len(o.queries)-1, i+1)
	}
	fmt.Fprintf(w, `{"totalSize":%d,"done":%t%s,"records":%s}`, 2000*len(pages), next == "", next, pages[i])
}

func (o *fakeOrg) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	o.tokenForms = append(o.tokenForms, r.PostForm)
	refuse := func(code, desc string) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":%q,"error_description":%q}`, code, desc)
	}
	switch r.PostForm.Get("grant_type") {
	case "client_credentials":
		if r.PostForm.Get("client_id") != "app-id" || r.PostForm.Get("client_secret") != o.clientSecret {
			refuse("invalid_client", "invalid client credentials")
			return
		}
	case "urn:ietf:params:oauth:grant-type:jwt-bearer":
		claims, err := verifyJWT(r.PostForm.Get("assertion"), o.jwtKey)
		if err != nil {
			refuse("invalid_grant", err.Error())
			return
		}
		o.jwtClaims = append(o.jwtClaims, claims)
	default:
		refuse("unsupported_grant_type", "grant type not supported")
		return
	}
	o.tokens++
	tok := fmt.Sprintf("00Dtoken-%d", o.tokens)
	o.valid[tok] = true
	fmt.Fprintf(w, `{"access_token":%q,"instance_url":%q,"id":"https://login.salesforce.com/id/00D/005","token_type":"Bearer","issued_at":"1742000000000","signature":"x"}`,
		tok, o.srv.URL)
}

// verifyJWT checks an RS256 assertion's signature and returns its claims.
func verifyJWT(assertion string, key *rsa.PublicKey) (map[string]any, error) {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 || key == nil {
		return nil, errors.New("malformed assertion")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig); err != nil {
		return nil, errors.New("signature does not verify")
	}
	var header map[string]any
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if err := json.Unmarshal(hb, &header); err != nil || header["alg"] != "RS256" {
		return nil, errors.New("not RS256")
	}
	var claims map[string]any
	cb, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if err := json.Unmarshal(cb, &claims); err != nil {
		return nil, err
	}
	return claims, nil
}

func (o *fakeOrg) clientCredentials(t *testing.T, cfg salesforce.Config) (*salesforce.Client, *[]time.Duration) {
	t.Helper()
	var slept []time.Duration
	cfg.Token = salesforce.ClientCredentials(salesforce.ClientCredentialsConfig(o.srv.URL+"/", "app-id", "s3cret"))
	cfg.Sleep = func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return ctx.Err() }
	c, err := salesforce.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, &slept
}

const oppFields = "SELECT Id, AccountId, Name, Amount, StageName, IsClosed, IsWon, CloseDate"

func TestOpportunitiesAcrossPages(t *testing.T) {
	is := is.New(t)
	o := newOrg(t)
	soql := oppFields + ", CurrencyIsoCode FROM Opportunity WHERE CloseDate >= 2025-03-01 AND CloseDate <= 2025-03-31 AND IsWon = true ORDER BY CloseDate, Id"
	o.pages[soql] = []string{
		`[{"attributes":{"type":"Opportunity","url":"/services/data/v62.0/sobjects/Opportunity/006A"},
		   "Id":"006A","AccountId":"001A","Name":"Acme renewal","Amount":125000.0,"StageName":"Closed Won",
		   "IsClosed":true,"IsWon":true,"CloseDate":"2025-03-02","CurrencyIsoCode":"USD"},
		  {"attributes":{"type":"Opportunity"},"Id":"006B","AccountId":null,"Name":"Big one","Amount":1.5E7,
		   "StageName":"Closed Won","IsClosed":true,"IsWon":true,"CloseDate":"2025-03-10","CurrencyIsoCode":"EUR"}]`,
		`[{"attributes":{"type":"Opportunity"},"Id":"006C","AccountId":"001C","Name":"No amount","Amount":null,
		   "StageName":"Closed Won","IsClosed":true,"IsWon":true,"CloseDate":"2025-03-20","CurrencyIsoCode":"USD"},
		  {"attributes":{"type":"Opportunity"},"Id":"006D","AccountId":"001C","Name":"Odd cents","Amount":1234.565,
		   "StageName":"Closed Won","IsClosed":true,"IsWon":true,"CloseDate":"2025-03-31","CurrencyIsoCode":"USD"}]`,
	}
	c, slept := o.clientCredentials(t, salesforce.Config{})
	got, err := c.Opportunities(context.Background(), analytics.OpportunityFilter{CloseFrom: "2025-03-01",
		CloseTo: "2025-03-31", State: analytics.OpportunitiesWon})
	is.NoErr(err)
	is.Equal(got, []analytics.Opportunity{
		{ID: "006A", AccountID: "001A", Name: "Acme renewal", AmountCents: 12500000, Currency: "USD", Stage: "Closed Won", Closed: true, Won: true, CloseDate: "2025-03-02"},
		{ID: "006B", Name: "Big one", AmountCents: 1500000000, Currency: "EUR", Stage: "Closed Won", Closed: true, Won: true, CloseDate: "2025-03-10"},
		{ID: "006C", AccountID: "001C", Name: "No amount", Currency: "USD", Stage: "Closed Won", Closed: true, Won: true, CloseDate: "2025-03-20"},
		{ID: "006D", AccountID: "001C", Name: "Odd cents", AmountCents: 123457, Currency: "USD", Stage: "Closed Won", Closed: true, Won: true, CloseDate: "2025-03-31"},
	})
	is.Equal(o.queries, []string{soql})
	is.Equal(o.requests, 3) // describe, query, next page
	is.Equal(o.tokens, 1)
	is.Equal(len(*slept), 0)
	form := o.tokenForms[0]
	is.Equal([]string{form.Get("grant_type"), form.Get("client_id"), form.Get("client_secret")},
		[]string{"client_credentials", "app-id", "s3cret"})
}

func TestOpportunityFiltersAsSOQL(t *testing.T) {
	o := newOrg(t)
	o.multiCurrency = false
	c, _ := o.clientCredentials(t, salesforce.Config{Currency: "GBP"})
	for _, tc := range []struct {
		f    analytics.OpportunityFilter
		want string
	}{
		{analytics.OpportunityFilter{}, oppFields + " FROM Opportunity ORDER BY CloseDate, Id"},
		{analytics.OpportunityFilter{State: analytics.OpportunitiesAny, CloseFrom: "2025-01-01"},
			oppFields + " FROM Opportunity WHERE CloseDate >= 2025-01-01 ORDER BY CloseDate, Id"},
		{analytics.OpportunityFilter{State: analytics.OpportunitiesOpen, CloseTo: "2025-06-30"},
			oppFields + " FROM Opportunity WHERE CloseDate <= 2025-06-30 AND IsClosed = false ORDER BY CloseDate, Id"},
		{analytics.OpportunityFilter{State: analytics.OpportunitiesClosed},
			oppFields + " FROM Opportunity WHERE IsClosed = true ORDER BY CloseDate, Id"},
		{analytics.OpportunityFilter{State: analytics.OpportunitiesLost, CloseFrom: "2025-01-01", CloseTo: "2025-01-31"},
			oppFields + " FROM Opportunity WHERE CloseDate >= 2025-01-01 AND CloseDate <= 2025-01-31 AND IsClosed = true AND IsWon = false ORDER BY CloseDate, Id"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			is := is.New(t)
			o.mu.Lock()
			o.queries = nil
			o.pages[tc.want] = []string{`[{"Id":"006X","Name":"X","Amount":10,"CloseDate":"2025-01-05"}]`}
			o.mu.Unlock()
			got, err := c.Opportunities(context.Background(), tc.f)
			is.NoErr(err)
			is.Equal(o.queries, []string{tc.want})
			is.Equal(len(got), 1)
			is.Equal(got[0].Currency, "GBP") // single-currency org: Config.Currency
			is.Equal(got[0].AmountCents, int64(1000))
		})
	}
	is := is.New(t)
	is.Equal(o.describes, 1) // asked once

	// A malformed filter is refused before anything is sent; a date
	// cannot smuggle SOQL in.
	_, err := c.Opportunities(context.Background(), analytics.OpportunityFilter{CloseFrom: "2025-01-01 OR Name != null"})
	is.True(errors.Is(err, analytics.ErrInvalid))
	is.Equal(len(o.queries), 1)
}

func TestAccountsAndContactsEscapeAndBatch(t *testing.T) {
	is := is.New(t)
	o := newOrg(t)
	c, _ := o.clientCredentials(t, salesforce.Config{})
	ctx := context.Background()

	ids := []string{"001B", `00'1`, `x\y`, "001B", "", "a\"b\nc"}
	soql := `SELECT Id, Name FROM Account WHERE Id IN ('00\'1', '001B', 'a\"b\nc', 'x\\y') ORDER BY Id`
	o.pages[soql] = []string{`[{"attributes":{"type":"Account"},"Id":"001B","Name":"Globex"}]`}
	accs, err := c.Accounts(ctx, ids)
	is.NoErr(err)
	is.Equal(o.queries, []string{soql})
	is.Equal(accs, []analytics.Account{{ID: "001B", Name: "Globex"}})

	// 250 opportunities: two queries of 200 and 50 IDs, in ID order.
	o.queries = nil
	var many []string
	for i := range 250 {
		many = append(many, fmt.Sprintf("006%03d", 249-i))
	}
	list := func(from, to int) string {
		var q []string
		for i := from; i < to; i++ {
			q = append(q, fmt.Sprintf("'006%03d'", i))
		}
		return "(" + strings.Join(q, ", ") + ")"
	}
	first := "SELECT OpportunityId, Contact.Email FROM OpportunityContactRole WHERE OpportunityId IN " + list(0, 200) + " ORDER BY OpportunityId, Id"
	second := "SELECT OpportunityId, Contact.Email FROM OpportunityContactRole WHERE OpportunityId IN " + list(200, 250) + " ORDER BY OpportunityId, Id"
	o.pages[first] = []string{
		`[{"attributes":{"type":"OpportunityContactRole"},"OpportunityId":"006001","Contact":{"attributes":{"type":"Contact"},"Email":"Ben@Acme.example"}},
		  {"OpportunityId":"006001","Contact":{"Email":"ana@acme.example"}},
		  {"OpportunityId":"006001","Contact":{"Email":"ben@acme.example"}}]`,
		`[{"OpportunityId":"006002","Contact":null},{"OpportunityId":"006002","Contact":{"Email":null}}]`,
	}
	o.pages[second] = []string{`[{"OpportunityId":"006240","Contact":{"Email":"gil@globex.example"}}]`}
	cs, err := c.ContactEmails(ctx, many)
	is.NoErr(err)
	is.Equal(o.queries, []string{first, second})
	is.Equal(cs, map[string][]string{
		"006001": {"ana@acme.example", "ben@acme.example"},
		"006240": {"gil@globex.example"},
	})

	o.queries = nil
	none, err := c.ContactEmails(ctx, nil)
	is.NoErr(err)
	is.Equal(len(none), 0)
	is.Equal(len(o.queries), 0) // nothing to ask
}

func TestExpiredTokenIsFetchedAgain(t *testing.T) {
	is := is.New(t)
	o := newOrg(t)
	c, slept := o.clientCredentials(t, salesforce.Config{})
	ctx := context.Background()
	_, err := c.Accounts(ctx, []string{"001A"})
	is.NoErr(err)
	is.Equal(o.tokens, 1)

	// The session expires: the next request gets 401, the client fetches
	// a new token and repeats the request once.
	o.mu.Lock()
	clear(o.valid)
	o.mu.Unlock()
	_, err = c.Accounts(ctx, []string{"001A"})
	is.NoErr(err)
	is.Equal(o.tokens, 2)
	is.Equal(o.requests, 3)  // one, then the refused try and its repeat
	is.Equal(len(*slept), 0) // no waiting for a new token

	// The app is revoked: a new token is refused too; the error says so.
	o.mu.Lock()
	o.rejectAll = true
	o.mu.Unlock()
	_, err = c.Accounts(ctx, []string{"001A"})
	is.True(errors.Is(err, analytics.ErrCRMRejected))
	is.Equal(errcode.Of(err), errcode.FailedPrecondition)
	var ae *salesforce.APIError
	is.True(errors.As(err, &ae))
	is.Equal([]any{ae.StatusCode, ae.Code, ae.Message}, []any{401, "INVALID_SESSION_ID", "Session expired or invalid"})
	is.Equal(o.tokens, 3) // one new token, not a loop
}

func TestRetries(t *testing.T) {
	ctx := context.Background()
	t.Run("429 and 503 are retried, Retry-After first", func(t *testing.T) {
		is := is.New(t)
		o := newOrg(t)
		o.script = []scripted{
			{status: 429, retryAfter: "5", body: `[{"message":"Too many requests","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`},
			{status: 503, body: `<html>Service Unavailable</html>`},
		}
		c, slept := o.clientCredentials(t, salesforce.Config{})
		_, err := c.Accounts(ctx, []string{"001A"})
		is.NoErr(err)
		is.Equal(*slept, []time.Duration{5 * time.Second, 2 * time.Second})
		is.Equal(o.requests, 3)
	})
	t.Run("bounded: then unavailable", func(t *testing.T) {
		is := is.New(t)
		o := newOrg(t)
		for range 10 {
			o.script = append(o.script, scripted{status: 503, retryAfter: "120", body: `[{"message":"Server is down for maintenance","errorCode":"SERVER_UNAVAILABLE"}]`})
		}
		c, slept := o.clientCredentials(t, salesforce.Config{MaxRetries: 2})
		_, err := c.Accounts(ctx, []string{"001A"})
		is.True(errors.Is(err, analytics.ErrCRMUnavailable))
		is.Equal(errcode.Of(err), errcode.Unavailable)
		is.Equal(err.Error(), "salesforce: 503 SERVER_UNAVAILABLE: Server is down for maintenance")
		is.Equal(*slept, []time.Duration{30 * time.Second, 30 * time.Second}) // Retry-After capped
		is.Equal(o.requests, 3)
	})
	t.Run("errors Salesforce means are not retried", func(t *testing.T) {
		for _, tc := range []struct {
			s    scripted
			kind error
			msg  string
		}{
			{scripted{status: 400, body: `[{"message":"unexpected token: 'FROM'","errorCode":"MALFORMED_QUERY"},{"message":"and another","errorCode":"X"}]`},
				analytics.ErrCRMRejected, "salesforce: 400 MALFORMED_QUERY: unexpected token: 'FROM'; and another"},
			{scripted{status: 403, body: `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`},
				analytics.ErrCRMUnavailable, "salesforce: 403 REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded."},
			{scripted{status: 403, body: `[{"message":"insufficient access rights on object","errorCode":"INSUFFICIENT_ACCESS"}]`},
				analytics.ErrCRMRejected, "salesforce: 403 INSUFFICIENT_ACCESS: insufficient access rights on object"},
			{scripted{status: 500, body: `oops`}, analytics.ErrCRMUnavailable, "salesforce: 500 INTERNAL_SERVER_ERROR: oops"},
		} {
			t.Run(tc.msg, func(t *testing.T) {
				is := is.New(t)
				o := newOrg(t)
				o.script = []scripted{tc.s}
				c, slept := o.clientCredentials(t, salesforce.Config{})
				_, err := c.Accounts(ctx, []string{"001A"})
				is.True(errors.Is(err, tc.kind))
				is.Equal(err.Error(), tc.msg)
				is.Equal(len(*slept), 0)
				is.Equal(o.requests, 1)
			})
		}
	})
	t.Run("a cancelled wait ends the call", func(t *testing.T) {
		is := is.New(t)
		o := newOrg(t)
		o.script = []scripted{{status: 503}, {status: 503}}
		cctx, cancel := context.WithCancel(ctx)
		cfg := salesforce.Config{Token: salesforce.ClientCredentials(salesforce.ClientCredentialsConfig(o.srv.URL, "app-id", "s3cret")),
			Sleep: func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }}
		c, err := salesforce.New(cfg)
		is.NoErr(err)
		_, err = c.Accounts(cctx, []string{"001A"})
		is.True(errors.Is(err, context.Canceled))
		is.Equal(o.requests, 1)
	})
}

func TestTokenRefused(t *testing.T) {
	is := is.New(t)
	o := newOrg(t)
	o.clientSecret = "rotated"
	c, _ := o.clientCredentials(t, salesforce.Config{})
	_, err := c.Accounts(context.Background(), []string{"001A"})
	is.True(errors.Is(err, analytics.ErrCRMRejected))
	var ae *salesforce.APIError
	is.True(errors.As(err, &ae))
	is.Equal([]any{ae.StatusCode, ae.Code, ae.Message}, []any{400, "invalid_client", "invalid client credentials"})
	is.Equal(o.requests, 0) // the API was never called without a token
}

func TestNextRecordsURLStaysOnTheOrg(t *testing.T) {
	is := is.New(t)
	o := newOrg(t)
	c, _ := o.clientCredentials(t, salesforce.Config{})
	_, err := c.Accounts(context.Background(), []string{"evil"})
	is.True(errors.Is(err, analytics.ErrCRMRejected))
	is.True(strings.Contains(err.Error(), "is not an API path"))
}

func TestJWTBearer(t *testing.T) {
	is := is.New(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	is.NoErr(err)
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})

	cfg := salesforce.JWTConfig(salesforce.LoginURL, "3MVG9consumer", "integration@acme.example", pemKey)
	is.Equal(cfg.TokenURL, "https://login.salesforce.com/services/oauth2/token")
	is.Equal(cfg.Audience, "https://login.salesforce.com")

	o := newOrg(t)
	o.jwtKey = &key.PublicKey
	cfg.TokenURL = o.srv.URL + "/services/oauth2/token" // the test's login host; aud stays Salesforce's
	c, err := salesforce.New(salesforce.Config{Token: salesforce.JWTBearer(cfg), InstanceURL: o.srv.URL,
		HTTPClient: o.srv.Client()})
	is.NoErr(err)
	start := time.Now()
	o.pages["SELECT Id, Name FROM Account WHERE Id IN ('001A') ORDER BY Id"] = []string{`[{"Id":"001A","Name":"Acme"}]`}
	accs, err := c.Accounts(context.Background(), []string{"001A"})
	is.NoErr(err)
	is.Equal(accs, []analytics.Account{{ID: "001A", Name: "Acme"}})
	is.Equal(len(o.jwtClaims), 1)
	claims := o.jwtClaims[0]
	is.Equal(claims["iss"], "3MVG9consumer")
	is.Equal(claims["sub"], "integration@acme.example")
	is.Equal(claims["aud"], "https://login.salesforce.com")
	exp := time.Unix(int64(claims["exp"].(float64)), 0)
	is.True(exp.After(start.Add(2*time.Minute)) && !exp.After(time.Now().Add(3*time.Minute+time.Second)))
	is.Equal(o.tokenForms[0].Get("grant_type"), "urn:ietf:params:oauth:grant-type:jwt-bearer")

	// A key Salesforce does not know is refused at the token endpoint.
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	is.NoErr(err)
	cfg.PrivateKey = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(other)})
	c, err = salesforce.New(salesforce.Config{Token: salesforce.JWTBearer(cfg), InstanceURL: o.srv.URL})
	is.NoErr(err)
	_, err = c.Accounts(context.Background(), []string{"001A"})
	is.True(errors.Is(err, analytics.ErrCRMRejected))
	is.True(strings.Contains(err.Error(), "invalid_grant"))
}

func TestNewRefusesBadConfig(t *testing.T) {
	tok := salesforce.ClientCredentials(salesforce.ClientCredentialsConfig("https://acme.my.salesforce.com", "id", "secret"))
	for _, tc := range []struct {
		cfg  salesforce.Config
		want string
	}{
		{salesforce.Config{}, "salesforce: Config.Token is required: analytics: invalid"},
		{salesforce.Config{Token: tok, InstanceURL: "acme.my.salesforce.com"},
			`salesforce: Config.InstanceURL "acme.my.salesforce.com" is not an http(s) URL: analytics: invalid`},
		{salesforce.Config{Token: tok, APIVersion: "latest"},
			`salesforce: Config.APIVersion "vlatest" is not like v62.0: analytics: invalid`},
	} {
		is := is.New(t)
		_, err := salesforce.New(tc.cfg)
		is.True(errors.Is(err, analytics.ErrInvalid))
		is.Equal(err.Error(), tc.want)
	}
	is := is.New(t)
	_, err := salesforce.New(salesforce.Config{Token: tok, APIVersion: "63.0"})
	is.NoErr(err)
}

// Without an instance URL in the token response nor the Config, nothing
// is sent anywhere else.
func TestInstanceURLRequired(t *testing.T) {
	is := is.New(t)
	c, err := salesforce.New(salesforce.Config{Token: func(ctx context.Context) (*oauth2.Token, error) {
		return &oauth2.Token{AccessToken: "t"}, nil
	}})
	is.NoErr(err)
	_, err = c.Accounts(context.Background(), []string{"001A"})
	is.True(errors.Is(err, analytics.ErrCRMRejected))
	is.True(strings.Contains(err.Error(), "instance_url"))
}
