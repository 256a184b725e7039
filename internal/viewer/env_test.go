package viewer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase/internal/viewer"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/share"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
	"github.com/briefcasehq/briefcase/store/memstore"
	"github.com/briefcasehq/briefcase/store/sqlitestore"
)

// clock is a settable test clock; a nil *clock is the real time.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// stores are the adapters the viewer is tested over.
var stores = []struct {
	name string
	open func(t *testing.T) store.Store
}{
	{"memstore", func(t *testing.T) store.Store { return memstore.New() }},
	{"sqlite", openSQLite},
}

func openSQLite(t *testing.T) store.Store {
	db, err := sqlitestore.Open(context.Background(), t.TempDir()+"/briefcase.db", sqlitestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// env is a share service over a store, served by the viewer on loopback.
type env struct {
	t      *testing.T
	ctx    context.Context
	st     store.Store
	now    func() time.Time
	clock  *clock // nil with the real time
	spots  *spots.Service
	items  *items.Service
	shares *share.Service
	srv    *httptest.Server
	client *http.Client
	spot   spots.Spot

	// cookie, when set, is sent with every request.
	cookie string

	mu      sync.Mutex
	notices []share.Notice
}

type envOptions struct {
	realTime       bool
	renderer       share.Renderer
	beaconInterval time.Duration
	idleAfter      time.Duration
}

func newEnv(t *testing.T, st store.Store, o envOptions) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), st: st}
	if o.realTime {
		e.now = time.Now
	} else {
		e.clock = &clock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
		e.now = e.clock.Now
	}
	blobs, err := localblobs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e.spots = spots.NewService(st, func(ctx context.Context, fn func(spots.Stores) error) error {
		return st.Atomic(ctx, func(tx store.Store) error { return fn(tx) })
	}, spots.Options{Now: e.now})
	e.items = items.NewService(st, func(ctx context.Context, fn func(items.Stores) error) error {
		return st.Atomic(ctx, func(tx store.Store) error { return fn(tx) })
	}, e.spots, blobs, items.Options{Now: e.now, Extractor: pageBreaks{}})
	e.shares = share.NewService(st, func(ctx context.Context, fn func(share.Stores) error) error {
		return st.Atomic(ctx, func(tx store.Store) error { return fn(tx) })
	}, e.items, blobs, share.Options{Now: e.now, Renderer: o.renderer, Notify: func(_ context.Context, n share.Notice) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.notices = append(e.notices, n)
		return nil
	}})
	e.srv = httptest.NewServer(viewer.New(viewer.Config{Shares: e.shares, BeaconInterval: o.beaconInterval,
		IdleAfter: o.idleAfter}))
	t.Cleanup(e.srv.Close)
	e.client = &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	sys := spots.WithPrincipal(e.ctx, spots.SystemPrincipal())
	trained := []spots.Training{{Name: spots.TrainingContentContributor, CompletedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}
	for _, p := range []spots.Principal{
		{ID: "olivia", Name: "Olivia Owner", Email: "olivia@example.com", Trainings: trained},
		{ID: "sam", Name: "Sam Seller", Email: "sam@example.com"},
	} {
		if _, err := e.spots.SavePrincipal(sys, p); err != nil {
			t.Fatal(err)
		}
	}
	e.spot, err = e.spots.Create(e.as("olivia"), spots.NewSpot{Name: "Product", Kind: spots.KindProduct,
		Visibility: spots.Public})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// run runs fn once per store.
func run(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			fn(t, newEnv(t, s.open(t), envOptions{}))
		})
	}
}

// as returns a context acting as a stored principal.
func (e *env) as(id string) context.Context {
	e.t.Helper()
	p, err := e.st.GetPrincipal(e.ctx, id)
	if err != nil {
		e.t.Fatalf("principal %s: %v", id, err)
	}
	return spots.WithPrincipal(e.ctx, p)
}

// pageBreaks is the test extractor: a text file's pages are separated by
// form feeds.
type pageBreaks struct{}

func (pageBreaks) Extract(_ context.Context, r io.ReaderAt, size int64, mimeType, _ string) ([]string, error) {
	if !strings.HasPrefix(mimeType, "text/plain") && !strings.HasPrefix(mimeType, deckType) {
		return nil, fmt.Errorf("test extractor: %s: %w", mimeType, items.ErrUnsupported)
	}
	b, err := io.ReadAll(io.NewSectionReader(r, 0, size))
	if err != nil {
		return nil, err
	}
	return strings.Split(string(b), "\f"), nil
}

// deckType is a made-up type the test renderer draws page by page.
const deckType = "application/x-test-deck"

// pageImages is the test renderer: page n of a deck is a small PNG whose
// width is 100+n pixels.
type pageImages struct{}

func (pageImages) Pages(mimeType string) bool { return strings.HasPrefix(mimeType, deckType) }

func (pageImages) RenderPage(_ context.Context, r io.ReadSeeker, _ string, page int) ([]byte, string, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, "", err
	}
	if page > len(strings.Split(string(b), "\f")) {
		return nil, "", share.ErrItemUnavailable
	}
	img := image.NewRGBA(image.Rect(0, 0, 100+page, 140))
	for y := range 140 {
		for x := range 100 + page {
			img.Set(x, y, color.RGBA{R: uint8(40 * page), G: 120, B: 200, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), "image/png", nil
}

// item creates an external, downloadable item in olivia's spot, with an
// upload when body is set.
func (e *env) item(kind items.Kind, title, filename, mimeType, body string, mod ...func(*items.NewItem)) items.Item {
	e.t.Helper()
	in := items.NewItem{SpotID: e.spot.ID, Kind: kind, Title: title, Audience: items.External, Downloadable: true}
	if kind == items.KindLink || kind == items.KindTrack {
		in.Source = items.Source{Type: items.SourceURL, URL: body}
	}
	for _, m := range mod {
		m(&in)
	}
	it, err := e.items.Create(e.as("olivia"), in)
	if err != nil {
		e.t.Fatalf("create %s: %v", title, err)
	}
	if filename != "" {
		if _, err := e.items.AddVersion(e.as("olivia"), it.ID, items.NewVersion{Filename: filename, MIMEType: mimeType,
			Body: strings.NewReader(body)}); err != nil {
			e.t.Fatalf("upload %s: %v", title, err)
		}
		if it, err = e.st.GetItem(e.ctx, it.ID); err != nil {
			e.t.Fatal(err)
		}
	}
	return it
}

// pitch sends a pitch of the items to one recipient and returns the share
// and the link's token.
func (e *env) pitch(settings share.LinkSettings, itemIDs ...string) (share.Share, share.IssuedLink) {
	e.t.Helper()
	sh, links, err := e.shares.CreatePitch(e.as("olivia"), share.NewPitch{Title: "Acme proposal",
		Message: "Hi Bob,\nhere is what we discussed.", Items: itemIDs, Recipients: []string{"bob@acme.example"},
		Settings: settings})
	if err != nil {
		e.t.Fatalf("pitch: %v", err)
	}
	return sh, links[0]
}

// setItem changes a stored item as governance would.
func (e *env) setItem(id string, fn func(*items.Item)) {
	e.t.Helper()
	it, err := e.st.GetItem(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	fn(&it)
	if err := e.st.UpdateItem(e.ctx, it); err != nil {
		e.t.Fatal(err)
	}
}

// setLink changes a stored link's settings, as a later edit would.
func (e *env) setLink(token string, fn func(*share.Link)) {
	e.t.Helper()
	l, err := e.st.GetLinkByTokenHash(e.ctx, share.HashToken(token))
	if err != nil {
		e.t.Fatal(err)
	}
	fn(&l)
	if err := e.st.UpdateLink(e.ctx, l); err != nil {
		e.t.Fatal(err)
	}
}

// response is a read answer.
type response struct {
	*http.Response
	body string
}

// do sends a request to the viewer; header pairs follow the body.
func (e *env) do(method, path string, body io.Reader, header ...string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("User-Agent", desktopUA)
	if e.cookie != "" {
		req.Header.Set("Cookie", e.cookie)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{resp, string(b)}
}

func (e *env) get(path string, header ...string) response { return e.do("GET", path, nil, header...) }

// form posts a form.
func (e *env) form(path, cookie string, fields ...string) response {
	e.t.Helper()
	var b strings.Builder
	for i := 0; i+1 < len(fields); i += 2 {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(fields[i]) + "=" + url.QueryEscape(fields[i+1]))
	}
	h := []string{"Content-Type", "application/x-www-form-urlencoded", "Origin", e.srv.URL, "Sec-Fetch-Site", "same-origin"}
	if cookie != "" {
		h = append(h, "Cookie", cookie)
	}
	return e.do("POST", path, strings.NewReader(b.String()), h...)
}

// beacon posts beacons for a link; the answer is decoded into out when
// given.
func (e *env) beacon(token, beaconToken string, bs []share.Beacon, header ...string) response {
	e.t.Helper()
	b, err := json.Marshal(map[string]any{"token": beaconToken, "beacons": bs})
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do("POST", "/p/"+token+"/beacon", bytes.NewReader(b), append([]string{"Content-Type", "application/json"}, header...)...)
}

// beaconToken reads the beacon token out of a share page.
var beaconTokenRe = regexp.MustCompile(`data-beacon-token="([^"]+)"`)
var viewIDRe = regexp.MustCompile(`data-view="([^"]+)"`)

func pageBeaconToken(t *testing.T, page string) string {
	t.Helper()
	m := beaconTokenRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no beacon token in the page")
	}
	return m[1]
}

// lastCode returns the one-time code last sent to email.
func (e *env) lastCode(email string) string {
	e.t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	re := regexp.MustCompile(`code is (\d{6})`)
	for i := len(e.notices) - 1; i >= 0; i-- {
		if n := e.notices[i]; n.Email == email && n.Kind == "share.code" {
			if m := re.FindStringSubmatch(n.Body); m != nil {
				return m[1]
			}
		}
	}
	e.t.Fatalf("no code sent to %s", email)
	return ""
}

// sessionCookie returns "name=value" of the session cookie an answer set.
func sessionCookie(t *testing.T, r response) string {
	t.Helper()
	for _, c := range r.Cookies() {
		if c.Name == "briefcase_session" {
			return c.Name + "=" + c.Value
		}
	}
	t.Fatalf("no session cookie set (status %d)", r.StatusCode)
	return ""
}

// views returns the views of a share, bots included.
func (e *env) views(shareID string) []share.View {
	e.t.Helper()
	vs, err := e.st.ListViews(e.ctx, share.ViewFilter{ShareID: shareID})
	if err != nil {
		e.t.Fatal(err)
	}
	return vs
}

const desktopUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

func regexpMust(pattern string) *regexp.Regexp { return regexp.MustCompile(pattern) }
