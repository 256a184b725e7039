package notify_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase/notify"
)

var (
	hookSecret = []byte("0123456789abcdef-hook-secret")
	hookNow    = time.Unix(1_700_000_000, 0)
	digest     = notify.Notification{
		To:      "p-1",
		Email:   "owner@example.com",
		Subject: "Weekly governance digest",
		Body:    "3 items expire this week.\nGrüße",
		HTML:    "<p>3 items expire this week.</p>",
		Kind:    "governance.digest",
		Key:     "digest-2024-w07",
	}
)

// hookRequest is one request a hookServer received.
type hookRequest struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// hookServer is a loopback webhook receiver that records every request and
// answers with respond, which gets the request's 1-based number.
type hookServer struct {
	*httptest.Server
	conns atomic.Int32 // connections opened by clients
	mu    sync.Mutex
	reqs  []hookRequest
}

func newHookServer(t *testing.T, respond func(attempt int, w http.ResponseWriter, r *http.Request)) *hookServer {
	t.Helper()
	s := &hookServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, hookRequest{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
		attempt := len(s.reqs)
		s.mu.Unlock()
		respond(attempt, w, r)
	}))
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func (s *hookServer) requests() []hookRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]hookRequest(nil), s.reqs...)
}

// statuses answers the n-th request with codes[n-1], and 200 after them.
func statuses(codes ...int) func(int, http.ResponseWriter, *http.Request) {
	return func(attempt int, w http.ResponseWriter, _ *http.Request) {
		if attempt <= len(codes) {
			w.WriteHeader(codes[attempt-1])
			return
		}
		w.WriteHeader(http.StatusOK)
	}
}

func newWebhook(t *testing.T, opts notify.WebhookOptions) *notify.Webhook {
	t.Helper()
	if opts.Secret == nil {
		opts.Secret = hookSecret
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return hookNow }
	}
	w, err := notify.NewWebhook(opts)
	if err != nil {
		t.Fatalf("NewWebhook: %v", err)
	}
	return w
}

// recordWaits makes w record its backoff waits instead of spending them.
func recordWaits(w *notify.Webhook) func() []time.Duration {
	var mu sync.Mutex
	var waits []time.Duration
	notify.SetWebhookWait(w, func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		waits = append(waits, d)
		return ctx.Err()
	})
	return func() []time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Duration(nil), waits...)
	}
}

func TestWebhookSignsAndSendsJSON(t *testing.T) {
	is := is.New(t)
	srv := newHookServer(t, statuses())
	w := newWebhook(t, notify.WebhookOptions{
		URL: srv.URL + "/hooks/briefcase",
		Header: http.Header{
			"Authorization":        {"Bearer receiver-token"},
			notify.HeaderSignature: {"sha256=forged"}, // overridden
			"User-Agent":           {"someone-else"},  // overridden
			"X-Tenant":             {"acme"},
		},
	})
	is.NoErr(w.Notify(context.Background(), digest))

	reqs := srv.requests()
	is.Equal(len(reqs), 1)
	req := reqs[0]
	is.Equal(req.Method, http.MethodPost)
	is.Equal(req.Path, "/hooks/briefcase")
	is.Equal(req.Header.Get("Content-Type"), "application/json")
	is.Equal(req.Header.Get("User-Agent"), "briefcase-webhook/1")
	is.Equal(req.Header.Get("Idempotency-Key"), "digest-2024-w07")
	is.Equal(req.Header.Get("Authorization"), "Bearer receiver-token")
	is.Equal(req.Header.Get("X-Tenant"), "acme")
	is.Equal(req.Header.Get("X-Briefcase-Timestamp"), "1700000000")

	// The wire format, computed independently of the package.
	mac := hmac.New(sha256.New, hookSecret)
	mac.Write([]byte("1700000000." + string(req.Body)))
	is.Equal(req.Header.Values("X-Briefcase-Signature"), []string{"sha256=" + hex.EncodeToString(mac.Sum(nil))})

	// The body round-trips.
	var got notify.Notification
	is.NoErr(json.Unmarshal(req.Body, &got))
	is.Equal(got, digest)

	ts, sig := req.Header.Get(notify.HeaderTimestamp), req.Header.Get(notify.HeaderSignature)
	is.NoErr(notify.VerifySignature(hookSecret, ts, sig, req.Body, hookNow.Add(time.Minute), time.Minute))
	err := notify.VerifySignature([]byte("another-secret-of-16+bytes"), ts, sig, req.Body, hookNow, time.Minute)
	is.True(errors.Is(err, notify.ErrSignature))
	tampered := bytes.Replace(req.Body, []byte("3 items"), []byte("0 items"), 1)
	is.True(errors.Is(notify.VerifySignature(hookSecret, ts, sig, tampered, hookNow, time.Minute), notify.ErrSignature))
}

func TestWebhookWithoutKeySendsNoIdempotencyKey(t *testing.T) {
	is := is.New(t)
	srv := newHookServer(t, statuses())
	w := newWebhook(t, notify.WebhookOptions{URL: srv.URL, Header: http.Header{"Idempotency-Key": {"stale"}}})
	n := digest
	n.Key = ""
	is.NoErr(w.Notify(context.Background(), n))
	reqs := srv.requests()
	is.Equal(len(reqs), 1)
	is.Equal(reqs[0].Header.Values("Idempotency-Key"), []string(nil))
}

func TestWebhookRetriesServerErrorsThenSucceeds(t *testing.T) {
	is := is.New(t)
	srv := newHookServer(t, statuses(500, 503))
	w := newWebhook(t, notify.WebhookOptions{URL: srv.URL, Backoff: time.Millisecond})
	is.NoErr(w.Notify(context.Background(), digest))

	reqs := srv.requests()
	is.Equal(len(reqs), 3) // two failures, one success, nothing after
	for _, r := range reqs {
		is.Equal(r.Body, reqs[0].Body)
		is.Equal(r.Header.Get("Idempotency-Key"), "digest-2024-w07") // the same on every attempt
		is.NoErr(notify.VerifySignature(hookSecret, r.Header.Get(notify.HeaderTimestamp),
			r.Header.Get(notify.HeaderSignature), r.Body, hookNow, time.Minute))
	}
}

func TestWebhookRetriesOnlyTransientStatuses(t *testing.T) {
	for _, tc := range []struct {
		status int
		retry  bool
	}{
		{http.StatusInternalServerError, true},
		{http.StatusNotImplemented, true},
		{http.StatusBadGateway, true},
		{http.StatusServiceUnavailable, true},
		{http.StatusGatewayTimeout, true},
		{http.StatusRequestTimeout, true},
		{http.StatusTooManyRequests, true},
		{http.StatusBadRequest, false},
		{http.StatusUnauthorized, false},
		{http.StatusForbidden, false},
		{http.StatusNotFound, false},
		{http.StatusConflict, false},
		{http.StatusGone, false},
		{http.StatusUnprocessableEntity, false},
		{http.StatusFound, false}, // redirects are not followed
	} {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			is := is.New(t)
			srv := newHookServer(t, func(attempt int, w http.ResponseWriter, r *http.Request) {
				if attempt == 1 {
					w.Header().Set("Location", "/elsewhere")
					w.WriteHeader(tc.status)
					return
				}
				w.WriteHeader(http.StatusOK)
			})
			w := newWebhook(t, notify.WebhookOptions{URL: srv.URL + "/hook", Backoff: time.Millisecond})
			err := w.Notify(context.Background(), digest)
			reqs := srv.requests()
			if tc.retry {
				is.NoErr(err)
				is.Equal(len(reqs), 2)
				return
			}
			is.Equal(len(reqs), 1) // a permanent failure is not retried
			var werr *notify.WebhookError
			is.True(errors.As(err, &werr))
			is.Equal(werr.Status, tc.status)
			is.Equal(werr.Attempts, 1)
			is.Equal(werr.URL, srv.URL+"/hook")
			is.True(strings.Contains(err.Error(), srv.URL+"/hook"))
			is.True(strings.Contains(err.Error(), strconv.Itoa(tc.status)))
		})
	}
}

func TestWebhookErrorsHideURLSecrets(t *testing.T) {
	is := is.New(t)
	srv := newHookServer(t, statuses(http.StatusBadRequest))
	withSecrets := strings.Replace(srv.URL, "http://", "http://user:pa55word@", 1) + "/hook?token=s3cret#frag"
	w := newWebhook(t, notify.WebhookOptions{URL: withSecrets})
	err := w.Notify(context.Background(), digest)
	is.True(err != nil)
	is.True(strings.Contains(err.Error(), srv.URL+"/hook"))
	is.True(!strings.Contains(err.Error(), "s3cret"))
	is.True(!strings.Contains(err.Error(), "pa55word"))
	is.Equal(len(srv.requests()), 1)

	// Network errors from net/http repeat the URL: it must be the redacted one.
	srv.Close()
	w = newWebhook(t, notify.WebhookOptions{URL: withSecrets, Retries: -1})
	err = w.Notify(context.Background(), digest)
	var werr *notify.WebhookError
	is.True(errors.As(err, &werr))
	is.True(werr.Err != nil)
	is.Equal(werr.Status, 0)
	is.True(strings.Contains(err.Error(), srv.URL+"/hook"))
	is.True(!strings.Contains(err.Error(), "s3cret"))
	is.True(!strings.Contains(err.Error(), "pa55word"))
}

func TestWebhookGivesUpAfterRetries(t *testing.T) {
	for _, tc := range []struct {
		name     string
		retries  int
		attempts int
	}{
		{"default", 0, 4},
		{"two", 2, 3},
		{"none", -1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			srv := newHookServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusBadGateway)
			})
			w := newWebhook(t, notify.WebhookOptions{URL: srv.URL, Retries: tc.retries})
			waits := recordWaits(w) // the default backoff would spend seconds
			err := w.Notify(context.Background(), digest)
			var werr *notify.WebhookError
			is.True(errors.As(err, &werr))
			is.Equal(werr.Attempts, tc.attempts)
			is.Equal(werr.Status, http.StatusBadGateway)
			is.Equal(werr.Err, nil)
			is.Equal(len(srv.requests()), tc.attempts)
			is.Equal(len(waits()), tc.attempts-1)
			is.True(strings.Contains(err.Error(), "502 Bad Gateway"))
			is.True(strings.Contains(err.Error(), strconv.Itoa(tc.attempts)+" attempt"))
		})
	}
}

func TestWebhookRetriesNetworkErrors(t *testing.T) {
	is := is.New(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens there any more
	w := newWebhook(t, notify.WebhookOptions{URL: srv.URL, Retries: 2})
	waits := recordWaits(w)
	err := w.Notify(context.Background(), digest)
	var werr *notify.WebhookError
	is.True(errors.As(err, &werr))
	is.Equal(werr.Attempts, 3)
	is.True(werr.Err != nil)
	is.Equal(len(waits()), 2)
}

func TestWebhookBackoffDoublesWithJitterUpToCap(t *testing.T) {
	is := is.New(t)
	srv := newHookServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	})
	w := newWebhook(t, notify.WebhookOptions{URL: srv.URL, Retries: 5, Backoff: 4 * time.Second})
	waits := recordWaits(w)
	is.True(w.Notify(context.Background(), digest) != nil)
	got := waits()
	ceilings := []time.Duration{4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second}
	is.Equal(len(got), len(ceilings))
	jittered := false
	for i, d := range got {
		is.True(d >= ceilings[i]/2 && d <= ceilings[i]) // jitter keeps between half and all
		jittered = jittered || d != ceilings[i]
	}
	is.True(jittered)
}

func TestWebhookHonoursRetryAfter(t *testing.T) {
	is := is.New(t)
	date := hookNow.Add(12 * time.Second).UTC().Format(http.TimeFormat)
	srv := newHookServer(t, func(attempt int, w http.ResponseWriter, _ *http.Request) {
		switch attempt {
		case 1:
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		case 2:
			w.Header().Set("Retry-After", "120") // more than the cap
			w.WriteHeader(http.StatusServiceUnavailable)
		case 3:
			w.Header().Set("Retry-After", date)
			w.WriteHeader(http.StatusTooManyRequests)
		case 4:
			w.Header().Set("Retry-After", "9") // only 429 and 503 are heeded
			w.WriteHeader(http.StatusInternalServerError)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	w := newWebhook(t, notify.WebhookOptions{URL: srv.URL, Retries: 5, Backoff: time.Millisecond})
	waits := recordWaits(w)
	is.NoErr(w.Notify(context.Background(), digest))
	is.Equal(len(srv.requests()), 5)
	got := waits()
	is.Equal(len(got), 4)
	is.Equal(got[0], 7*time.Second)
	is.Equal(got[1], 30*time.Second)
	is.Equal(got[2], 12*time.Second)
	is.True(got[3] <= 8*time.Millisecond) // the plain backoff: 1ms doubled three times
}

func TestWebhookTimesOutEachAttempt(t *testing.T) {
	is := is.New(t)
	release := make(chan struct{})
	srv := newHookServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		select { // hang until the client gives up
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	w := newWebhook(t, notify.WebhookOptions{
		URL:     srv.URL,
		Client:  &http.Client{}, // no client timeout: the per-attempt Timeout must do it
		Timeout: 50 * time.Millisecond,
		Retries: 1,
		Backoff: time.Millisecond,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // fail, not hang, if Timeout is ignored
	defer cancel()
	start := time.Now()
	err := w.Notify(ctx, digest)
	is.True(time.Since(start) < 5*time.Second)
	var werr *notify.WebhookError
	is.True(errors.As(err, &werr))
	is.Equal(werr.Attempts, 2) // a timed-out attempt is retried
	is.Equal(werr.Status, 0)
	is.True(errors.Is(err, context.DeadlineExceeded))
	is.True(strings.Contains(err.Error(), "timed out after 50ms"))
	is.True(len(srv.requests()) <= 2)
}

func TestWebhookStopsWhenContextEnds(t *testing.T) {
	t.Run("during backoff", func(t *testing.T) {
		is := is.New(t)
		srv := newHookServer(t, statuses(http.StatusInternalServerError))
		// The first backoff is at least 10s: only cancellation ends it soon.
		w := newWebhook(t, notify.WebhookOptions{URL: srv.URL, Backoff: 20 * time.Second})
		waiting := make(chan time.Duration, 1)
		notify.SetWebhookWait(w, func(ctx context.Context, d time.Duration) error {
			waiting <- d
			return notify.Sleep(ctx, d) // the real wait
		})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() { <-waiting; cancel() }()
		start := time.Now()
		err := w.Notify(ctx, digest)
		is.True(time.Since(start) < 5*time.Second)
		is.True(errors.Is(err, context.Canceled))
		var werr *notify.WebhookError
		is.True(errors.As(err, &werr))
		is.Equal(werr.Attempts, 1)
		is.Equal(werr.Status, http.StatusInternalServerError)
		is.Equal(len(srv.requests()), 1)
	})
	t.Run("during an attempt", func(t *testing.T) {
		is := is.New(t)
		hit := make(chan struct{}, 10)
		release := make(chan struct{})
		srv := newHookServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
			hit <- struct{}{}
			select {
			case <-r.Context().Done():
			case <-release:
			}
		})
		t.Cleanup(func() { close(release) })
		w := newWebhook(t, notify.WebhookOptions{URL: srv.URL, Timeout: time.Minute, Backoff: time.Millisecond})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() { <-hit; cancel() }()
		start := time.Now()
		err := w.Notify(ctx, digest)
		is.True(time.Since(start) < 5*time.Second)
		is.True(errors.Is(err, context.Canceled))
		is.Equal(len(srv.requests()), 1) // no retry after cancellation
	})
	t.Run("deadline shorter than Timeout", func(t *testing.T) {
		is := is.New(t)
		release := make(chan struct{})
		srv := newHookServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		})
		t.Cleanup(func() { close(release) })
		w := newWebhook(t, notify.WebhookOptions{URL: srv.URL, Timeout: time.Minute, Backoff: time.Millisecond})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := w.Notify(ctx, digest)
		is.True(time.Since(start) < 5*time.Second)
		is.True(errors.Is(err, context.DeadlineExceeded))
		is.Equal(len(srv.requests()), 1)
	})
	t.Run("already done", func(t *testing.T) {
		is := is.New(t)
		srv := newHookServer(t, statuses())
		w := newWebhook(t, notify.WebhookOptions{URL: srv.URL})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := w.Notify(ctx, digest)
		is.True(errors.Is(err, context.Canceled))
		is.Equal(len(srv.requests()), 0)
	})
}

func TestWebhookDrainsResponses(t *testing.T) {
	t.Run("small ones, so the connection is reused", func(t *testing.T) {
		is := is.New(t)
		srv := newHookServer(t, func(attempt int, w http.ResponseWriter, _ *http.Request) {
			if attempt < 3 {
				w.WriteHeader(http.StatusInternalServerError)
			}
			_, _ = w.Write(bytes.Repeat([]byte("x"), 32<<10))
		})
		w := newWebhook(t, notify.WebhookOptions{URL: srv.URL, Backoff: time.Millisecond})
		is.NoErr(w.Notify(context.Background(), digest))
		is.Equal(len(srv.requests()), 3)
		is.Equal(srv.conns.Load(), int32(1))
	})
	t.Run("endless ones, up to a limit", func(t *testing.T) {
		is := is.New(t)
		srv := newHookServer(t, func(attempt int, w http.ResponseWriter, r *http.Request) {
			if attempt == 1 {
				w.WriteHeader(http.StatusInternalServerError)
			}
			chunk := bytes.Repeat([]byte("x"), 32<<10)
			for r.Context().Err() == nil { // until the client hangs up
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		})
		// Reading to the end would last until the attempt's Timeout.
		w := newWebhook(t, notify.WebhookOptions{URL: srv.URL, Backoff: time.Millisecond, Timeout: 20 * time.Second})
		start := time.Now()
		is.NoErr(w.Notify(context.Background(), digest))
		is.True(time.Since(start) < 10*time.Second)
		is.Equal(len(srv.requests()), 2)
	})
}

func TestWebhookRefusesKeyWithControlCharacters(t *testing.T) {
	is := is.New(t)
	srv := newHookServer(t, statuses())
	w := newWebhook(t, notify.WebhookOptions{URL: srv.URL})
	n := digest
	n.Key = "k1\r\nX-Evil: 1"
	err := w.Notify(context.Background(), n)
	var ierr *notify.InvalidError
	is.True(errors.As(err, &ierr))
	is.Equal(ierr.Field, "Key")
	is.True(errors.Is(err, notify.ErrInvalid))
	is.Equal(len(srv.requests()), 0)
}

func TestNewWebhookRejectsInvalidOptions(t *testing.T) {
	valid := func() notify.WebhookOptions {
		return notify.WebhookOptions{URL: "https://hooks.example.com/briefcase", Secret: hookSecret}
	}
	for _, tc := range []struct {
		name  string
		edit  func(*notify.WebhookOptions)
		field string
	}{
		{"no URL", func(o *notify.WebhookOptions) { o.URL = "" }, "URL"},
		{"relative URL", func(o *notify.WebhookOptions) { o.URL = "/hooks" }, "URL"},
		{"no host", func(o *notify.WebhookOptions) { o.URL = "https:///hooks" }, "URL"},
		{"other scheme", func(o *notify.WebhookOptions) { o.URL = "ftp://hooks.example.com/?token=s3cret" }, "URL"},
		{"unparsable URL", func(o *notify.WebhookOptions) { o.URL = "http://[::1" }, "URL"},
		{"no secret", func(o *notify.WebhookOptions) { o.Secret = nil }, "Secret"},
		{"short secret", func(o *notify.WebhookOptions) { o.Secret = []byte("fifteen bytes!!") }, "Secret"},
		{"negative timeout", func(o *notify.WebhookOptions) { o.Timeout = -time.Second }, "Timeout"},
		{"negative backoff", func(o *notify.WebhookOptions) { o.Backoff = -time.Second }, "Backoff"},
		{"bad header name", func(o *notify.WebhookOptions) { o.Header = http.Header{"Bad Name": {"v"}} }, "Header"},
		{"bad header value", func(o *notify.WebhookOptions) { o.Header = http.Header{"X-A": {"v\r\nX-B: w"}} }, "Header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			opts := valid()
			tc.edit(&opts)
			w, err := notify.NewWebhook(opts)
			is.Equal(w, nil)
			is.True(errors.Is(err, notify.ErrInvalid))
			var ierr *notify.InvalidError
			is.True(errors.As(err, &ierr))
			is.Equal(ierr.Notifier, "webhook")
			is.Equal(ierr.Field, tc.field)
			is.True(strings.Contains(err.Error(), tc.field))
			is.True(!strings.Contains(err.Error(), "s3cret"))
		})
	}
	t.Run("valid", func(t *testing.T) {
		is := is.New(t)
		opts := valid()
		opts.Secret = []byte("exactly16bytes!!")
		_, err := notify.NewWebhook(opts)
		is.NoErr(err)
	})
}

func TestVerifySignature(t *testing.T) {
	body := []byte(`{"subject":"hi","body":"","kind":"share.viewed"}`)
	ts := "1700000000"
	mac := hmac.New(sha256.New, hookSecret)
	mac.Write([]byte(ts + "." + string(body)))
	good := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	mac = hmac.New(sha256.New, nil)
	mac.Write([]byte(ts + "." + string(body)))
	signedWithoutSecret := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	for _, tc := range []struct {
		name      string
		secret    []byte
		ts, sig   string
		body      []byte
		now       time.Time
		tolerance time.Duration
		ok        bool
	}{
		{"valid", hookSecret, ts, good, body, hookNow, time.Minute, true},
		{"valid upper-case hex", hookSecret, ts, "sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256=")), body, hookNow, time.Minute, true},
		{"valid at the tolerance's edge", hookSecret, ts, good, body, hookNow.Add(time.Minute), time.Minute, true},
		{"clock behind", hookSecret, ts, good, body, hookNow.Add(-time.Minute), time.Minute, true},
		{"default tolerance", hookSecret, ts, good, body, hookNow.Add(4 * time.Minute), 0, true},
		{"past default tolerance", hookSecret, ts, good, body, hookNow.Add(6 * time.Minute), 0, false},
		{"other secret", []byte("another-secret-of-16+bytes"), ts, good, body, hookNow, time.Minute, false},
		{"no secret", nil, ts, good, body, hookNow, time.Minute, false},
		{"no secret, signed without one", nil, ts, signedWithoutSecret, body, hookNow, time.Minute, false},
		{"changed body", hookSecret, ts, good, append(bytes.Clone(body), ' '), hookNow, time.Minute, false},
		{"changed timestamp", hookSecret, "1700000001", good, body, hookNow, time.Minute, false},
		{"too old", hookSecret, ts, good, body, hookNow.Add(61 * time.Second), time.Minute, false},
		{"from the future", hookSecret, ts, good, body, hookNow.Add(-61 * time.Second), time.Minute, false},
		{"malformed timestamp", hookSecret, "yesterday", good, body, hookNow, time.Minute, false},
		{"empty timestamp", hookSecret, "", good, body, hookNow, time.Minute, false},
		{"no prefix", hookSecret, ts, strings.TrimPrefix(good, "sha256="), body, hookNow, time.Minute, false},
		{"other algorithm", hookSecret, ts, "sha1=" + strings.TrimPrefix(good, "sha256="), body, hookNow, time.Minute, false},
		{"not hex", hookSecret, ts, "sha256=zz", body, hookNow, time.Minute, false},
		{"truncated", hookSecret, ts, good[:len(good)-2], body, hookNow, time.Minute, false},
		{"empty signature", hookSecret, ts, "", body, hookNow, time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			err := notify.VerifySignature(tc.secret, tc.ts, tc.sig, tc.body, tc.now, tc.tolerance)
			if tc.ok {
				is.NoErr(err)
				return
			}
			is.True(errors.Is(err, notify.ErrSignature))
		})
	}
}
