package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The headers a Webhook signs its requests with; receivers pass their
// values to VerifySignature.
const (
	// HeaderTimestamp carries the time of the attempt in Unix seconds.
	HeaderTimestamp = "X-Briefcase-Timestamp"
	// HeaderSignature carries "sha256=" and the hex HMAC-SHA256, keyed
	// with the shared secret, of the timestamp, a dot and the body.
	HeaderSignature = "X-Briefcase-Signature"
)

// DefaultTolerance is how far a request's timestamp may be from the
// receiver's clock when VerifySignature is given no tolerance.
const DefaultTolerance = 5 * time.Minute

// ErrSignature is matched (with errors.Is) by every error VerifySignature
// returns: the request was not signed with the secret, was changed, or is
// too old (a replay) or from the future.
var ErrSignature = errors.New("notify: webhook signature invalid")

const (
	webhookUserAgent      = "briefcase-webhook/1"
	defaultWebhookTimeout = 10 * time.Second
	defaultRetries        = 3
	defaultBackoff        = 500 * time.Millisecond
	maxBackoff            = 30 * time.Second
	maxResponseDrain      = 64 << 10
	minSecretLen          = 16
)

// WebhookOptions configure a Webhook. URL and Secret are required.
type WebhookOptions struct {
	// URL is the absolute http or https address requests are POSTed to.
	// Errors show it without its user information, query and fragment,
	// so a token there does not end up in logs.
	URL string
	// Secret keys the HMAC-SHA256 signature; at least 16 bytes, shared
	// with the receiver.
	Secret []byte
	// Client sends the requests. The default times out after Timeout and
	// does not follow redirects: a redirect is a permanent failure, so the
	// signed request is never replayed to another address.
	Client *http.Client
	// Timeout bounds each attempt, reading the response included;
	// default 10s.
	Timeout time.Duration
	// Retries is how many attempts follow a failed first one: 0 means
	// the default, 3; a negative value means none.
	Retries int
	// Backoff is the wait before the first retry; default 500ms. Each
	// further wait doubles, up to 30s, and is jittered to between half
	// and all of its length.
	Backoff time.Duration
	// Now returns the time used for the signature's timestamp; default
	// time.Now.
	Now func() time.Time
	// Header holds extra headers sent with every request (an
	// Authorization the receiver wants, say). The signing headers,
	// Content-Type, Idempotency-Key and User-Agent override its entries.
	Header http.Header
}

// Webhook is a Notifier that POSTs each notification as JSON to a URL,
// signed with HMAC-SHA256 over the timestamp and body.
//
// Each request carries Content-Type: application/json, HeaderTimestamp,
// HeaderSignature, User-Agent: briefcase-webhook/1 and, when the
// notification has a Key, Idempotency-Key: Key, the same on every attempt
// so the receiver can drop duplicates. A 2xx response is success. A 5xx,
// 408 or 429 response, a network error or a timed-out attempt is retried
// after a backoff, a longer one when a 429 or 503 response asks for it
// with Retry-After (capped at 30s); any other response is a permanent
// failure. Errors are *WebhookError values. A Webhook is safe for
// concurrent use.
type Webhook struct {
	url     string
	shown   string // url without secrets, for errors
	secret  []byte
	client  *http.Client
	timeout time.Duration
	retries int
	backoff time.Duration
	now     func() time.Time
	header  http.Header
	// wait pauses before a retry; tests replace it to see the delays
	// without spending them.
	wait func(ctx context.Context, d time.Duration) error
}

var _ Notifier = (*Webhook)(nil)

// NewWebhook returns a Webhook for opts, or an *InvalidError naming the
// first invalid option.
func NewWebhook(opts WebhookOptions) (*Webhook, error) {
	invalid := func(field, problem string) error {
		return &InvalidError{Notifier: "webhook", Field: field, Problem: problem}
	}
	if opts.URL == "" {
		return nil, invalid("URL", "required")
	}
	// The parse error would repeat the URL, secrets included: leave it out.
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, invalid("URL", "must be an absolute http or https URL")
	}
	if len(opts.Secret) < minSecretLen {
		return nil, invalid("Secret", fmt.Sprintf("must have at least %d bytes, has %d", minSecretLen, len(opts.Secret)))
	}
	if opts.Timeout < 0 {
		return nil, invalid("Timeout", "must not be negative")
	}
	if opts.Backoff < 0 {
		return nil, invalid("Backoff", "must not be negative")
	}
	for name, values := range opts.Header {
		if !validHeaderName(name) {
			return nil, invalid("Header", fmt.Sprintf("%q is not a header name", name))
		}
		for _, v := range values {
			if !validHeaderValue(v) {
				return nil, invalid("Header", fmt.Sprintf("value of %s has control characters", name))
			}
		}
	}
	w := &Webhook{
		url:     u.String(),
		shown:   redactURL(u),
		secret:  bytes.Clone(opts.Secret),
		client:  opts.Client,
		timeout: opts.Timeout,
		retries: opts.Retries,
		backoff: opts.Backoff,
		now:     opts.Now,
		header:  opts.Header.Clone(),
		wait:    sleep,
	}
	if w.timeout == 0 {
		w.timeout = defaultWebhookTimeout
	}
	if w.client == nil {
		w.client = &http.Client{
			Timeout:       w.timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	switch {
	case w.retries == 0:
		w.retries = defaultRetries
	case w.retries < 0:
		w.retries = 0
	}
	if w.backoff == 0 {
		w.backoff = defaultBackoff
	}
	if w.now == nil {
		w.now = time.Now
	}
	if w.header == nil {
		w.header = http.Header{}
	}
	return w, nil
}

// WebhookError reports a notification a Webhook could not deliver.
type WebhookError struct {
	// URL is the webhook's URL without user information, query and
	// fragment.
	URL string
	// Attempts is how many requests were sent.
	Attempts int
	// Status is the last HTTP status received, 0 when none was.
	Status int
	// Err is why the last attempt failed when it got no response (a
	// network error, a timeout), or ctx's error when ctx ended the
	// attempts; nil when the last attempt got a response.
	Err error
}

func (e *WebhookError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "notify: webhook %s: failed after %d attempt", e.URL, e.Attempts)
	if e.Attempts != 1 {
		b.WriteByte('s')
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, ", last status %d %s", e.Status, http.StatusText(e.Status))
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns Err.
func (e *WebhookError) Unwrap() error { return e.Err }

// Notify POSTs n, retrying as the Webhook's documentation says. It stops
// as soon as ctx is done, waiting included, and then returns an error
// matching ctx's.
func (w *Webhook) Notify(ctx context.Context, n Notification) error {
	if !validHeaderValue(n.Key) {
		return &InvalidError{Notifier: "webhook", Field: "Key", Problem: "has control characters"}
	}
	body, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("notify: webhook %s: encode: %w", w.shown, err)
	}
	fail := &WebhookError{URL: w.shown}
	for {
		if err := ctx.Err(); err != nil {
			fail.Err = err
			return fail
		}
		fail.Attempts++
		res := w.post(ctx, n.Key, body)
		if res.err == nil && res.status/100 == 2 {
			return nil
		}
		if res.status != 0 {
			fail.Status = res.status
		}
		fail.Err = res.err
		if err := ctx.Err(); err != nil {
			fail.Err = err
			return fail
		}
		if !res.retryable() || fail.Attempts > w.retries {
			return fail
		}
		if err := w.wait(ctx, w.delay(fail.Attempts, res.retryAfter)); err != nil {
			fail.Err = err
			return fail
		}
	}
}

// attempt is the outcome of one request.
type attempt struct {
	status     int           // 0 when there was no response
	retryAfter time.Duration // asked for by a 429 or 503 response
	err        error         // why there was no response
}

func (a attempt) retryable() bool {
	return a.err != nil || a.status >= 500 || a.status == http.StatusRequestTimeout ||
		a.status == http.StatusTooManyRequests
}

func (w *Webhook) post(ctx context.Context, key string, body []byte) attempt {
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return attempt{err: w.redact(err)}
	}
	req.Header = w.header.Clone()
	timestamp := strconv.FormatInt(w.now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", webhookUserAgent)
	req.Header.Set(HeaderTimestamp, timestamp)
	req.Header.Set(HeaderSignature, "sha256="+hex.EncodeToString(sign(w.secret, timestamp, body)))
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	} else {
		req.Header.Del("Idempotency-Key")
	}
	resp, err := w.client.Do(req)
	if err != nil {
		err = w.redact(err)
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			err = fmt.Errorf("attempt timed out after %s: %w", w.timeout, err)
		}
		return attempt{err: err}
	}
	defer resp.Body.Close()
	// Drain a little so the connection can be reused; never a whole
	// response a misbehaving receiver streams forever.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseDrain))
	a := attempt{status: resp.StatusCode}
	if a.status == http.StatusTooManyRequests || a.status == http.StatusServiceUnavailable {
		a.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), w.now())
	}
	return a
}

// delay returns the wait before the attempt after the given one: the
// jittered exponential backoff, or what the server asked for when that is
// longer, never more than maxBackoff.
func (w *Webhook) delay(attempts int, retryAfter time.Duration) time.Duration {
	d := w.backoff
	for i := 1; i < attempts && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	d = d/2 + rand.N(d/2+1)
	return min(max(d, retryAfter), maxBackoff)
}

// redact replaces the URL in the client's errors with the one without
// secrets.
func (w *Webhook) redact(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return &url.Error{Op: ue.Op, URL: w.shown, Err: ue.Err}
	}
	return err
}

func redactURL(u *url.URL) string {
	shown := *u
	shown.User = nil
	shown.RawQuery = ""
	shown.ForceQuery = false
	shown.Fragment = ""
	shown.RawFragment = ""
	return shown.String()
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an
// HTTP-date. It returns 0 when the header is absent or malformed.
func parseRetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(h, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int64(maxBackoff/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
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

func sign(secret []byte, timestamp string, body []byte) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return mac.Sum(nil)
}

// VerifySignature checks a webhook request as its receiver: timestamp and
// signatureHeader are the values of HeaderTimestamp and HeaderSignature,
// body is the request body exactly as received, and now is the receiver's
// clock. It returns nil when the signature is the HMAC-SHA256 of the
// timestamp, a dot and body keyed with secret, compared in constant time,
// and the timestamp is within tolerance of now (DefaultTolerance when
// tolerance is not positive), which limits replays. Otherwise it returns an
// error matching ErrSignature.
func VerifySignature(secret []byte, timestamp, signatureHeader string, body []byte, now time.Time, tolerance time.Duration) error {
	if len(secret) == 0 {
		return fmt.Errorf("%w: no secret to check it with", ErrSignature)
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	secs, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q is not Unix seconds", ErrSignature, timestamp)
	}
	if skew := now.Sub(time.Unix(secs, 0)); skew > tolerance || skew < -tolerance {
		return fmt.Errorf("%w: timestamp %d is more than %s from now", ErrSignature, secs, tolerance)
	}
	hexSig, ok := strings.CutPrefix(signatureHeader, "sha256=")
	if !ok {
		return fmt.Errorf("%w: signature does not start with sha256=", ErrSignature)
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return fmt.Errorf("%w: signature is not hex", ErrSignature)
	}
	if !hmac.Equal(got, sign(secret, timestamp, body)) {
		return fmt.Errorf("%w: signature does not match", ErrSignature)
	}
	return nil
}

// validHeaderName reports whether s is an HTTP token (RFC 9110).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validHeaderValue reports whether s has no control characters but tab.
func validHeaderValue(s string) bool {
	for _, c := range []byte(s) {
		if (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
