package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"image/png"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/internal/qrcode"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/share"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
	"github.com/briefcasehq/briefcase/store/memstore"
	"github.com/briefcasehq/briefcase/store/sqlitestore"
	"github.com/matryer/is"
)

// publicURL is the base of buyers' links in shareEnv.
const publicURL = "https://briefcase.example.com"

// clock is a test's time, moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// shareEnv is an env over a chosen store, with a clock the test moves and,
// besides env's principals,
//
//	sam  group sales (a second seller)
//	ann  analyst
//
// eve's restricted spot "Deal Desk" (sales may view) holds external,
// published items deck, sheet and video, and items that may never be
// shared: internal, draft and expired (made so in the store, as governance
// would).
type shareEnv struct {
	*env
	st    store.Store
	clock *clock
	desk  string

	deck, sheet, video       string
	internal, draft, expired string
}

// backends are the stores the share tests run over.
var backends = []struct {
	name string
	open func(t *testing.T) store.Store
}{
	{"memstore", func(t *testing.T) store.Store { return memstore.New() }},
	{"sqlitestore", func(t *testing.T) store.Store {
		db, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "briefcase.db"), sqlitestore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}},
}

// eachStore runs f once per backend, each with a fresh shareEnv whose
// links are built on publicURL ("" to build them from the request).
func eachStore(t *testing.T, base string, f func(t *testing.T, e *shareEnv)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { f(t, newShareEnv(t, b.open(t), base)) })
	}
}

func newShareEnv(t *testing.T, st store.Store, base string) *shareEnv {
	t.Helper()
	ctx := context.Background()
	blobsDir := filepath.Join(t.TempDir(), "blobs")
	blobs, err := localblobs.New(blobsDir)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: now}
	logs := &syncBuffer{}
	lib, err := briefcase.New(ctx, briefcase.Config{
		Store:     st,
		Blobs:     blobs,
		Now:       clk.Now,
		Logger:    slog.New(slog.NewTextHandler(logs, nil)),
		PublicURL: base,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	srv := httptest.NewServer(lib.Handler())
	t.Cleanup(srv.Close)
	e := &shareEnv{env: &env{t: t, lib: lib, srv: srv, ctx: ctx, tokens: map[string]string{}, logs: logs, blobsDir: blobsDir},
		st: st, clock: clk}
	e.user(spots.Principal{ID: "ada", Name: "Ada Admin", Email: "ada@example.com", Roles: []spots.PlatformRole{spots.Admin}}, true)
	e.user(spots.Principal{ID: "eve", Name: "Eve Editor", Email: "eve@example.com", Groups: []string{"marketing"}}, true)
	e.user(spots.Principal{ID: "vic", Name: "Vic Viewer", Email: "vic@example.com", Groups: []string{"sales"}}, false)
	e.user(spots.Principal{ID: "otto", Name: "Otto Outsider", Email: "otto@example.com"}, false)
	e.user(spots.Principal{ID: "sam", Name: "Sam Seller", Email: "sam@example.com", Groups: []string{"sales"}}, false)
	e.user(spots.Principal{ID: "ann", Name: "Ann Analyst", Email: "ann@example.com", Roles: []spots.PlatformRole{spots.Analyst}}, false)

	e.desk = e.spot("eve", map[string]any{"name": "Deal Desk", "visibility": "restricted"})
	e.must(200, "eve", "PUT", "/api/v1/spots/"+e.desk+"/members/group:sales", map[string]any{"role": "viewer"})
	external := func(title, kind string) string {
		return e.item("eve", map[string]any{"spot_id": e.desk, "kind": kind, "title": title, "audience": "external", "downloadable": true})
	}
	e.deck = external("Product Deck", "presentation")
	e.sheet = external("Pricing Sheet", "document")
	e.video = external("Demo Video", "video")
	e.internal = e.item("eve", map[string]any{"spot_id": e.desk, "kind": "document", "title": "Battlecard", "audience": "internal"})
	e.draft = e.item("eve", map[string]any{"spot_id": e.desk, "kind": "document", "title": "Next Year", "audience": "external", "status": "draft"})
	e.expired = external("Last Year", "document")
	it, err := st.GetItem(ctx, e.expired)
	if err != nil {
		t.Fatal(err)
	}
	it.Status = items.StatusExpired
	if err := st.UpdateItem(ctx, it); err != nil {
		t.Fatal(err)
	}
	return e
}

// shares counts every share in the store.
func (e *shareEnv) shares() int {
	e.t.Helper()
	shs, err := e.st.ListShares(e.ctx, share.ShareFilter{Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(shs)
}

// links counts a share's links in the store.
func (e *shareEnv) links(shareID string) int {
	e.t.Helper()
	ls, err := e.st.ListLinks(e.ctx, shareID)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(ls)
}

// token returns the token in a link's url.
func (e *shareEnv) token(link map[string]any) string {
	e.t.Helper()
	u := link["url"].(string)
	i := strings.LastIndex(u, "/p/")
	if i < 0 {
		e.t.Fatalf("not a link URL: %q", u)
	}
	return u[i+len("/p/"):]
}

// resolve resolves a link's token through the share service.
func (e *shareEnv) resolve(token string) (share.Access, error) {
	return e.lib.Shares.Resolve(e.ctx, token, "")
}

// linksOf returns the "links" of an answer.
func linksOf(m map[string]any) []map[string]any {
	var out []map[string]any
	for _, l := range m["links"].([]any) {
		out = append(out, l.(map[string]any))
	}
	return out
}

// checkQR checks that a link's qr is a PNG data URI of its url's QR code.
func checkQR(t *testing.T, link map[string]any) {
	t.Helper()
	is := is.New(t)
	qr, _ := link["qr"].(string)
	b64, ok := strings.CutPrefix(qr, "data:image/png;base64,")
	is.True(ok) // qr is a PNG data: URI
	raw, err := base64.StdEncoding.DecodeString(b64)
	is.NoErr(err)
	img, err := png.Decode(bytes.NewReader(raw))
	is.NoErr(err)
	is.True(img.Bounds().Dx() > 0 && img.Bounds().Dx() == img.Bounds().Dy())
	want, err := qrcode.DataURI(link["url"].(string), 256)
	is.NoErr(err)
	is.Equal(qr, want) // the code is of the link's url
}

// masked replaces what differs from run to run in a creation answer (the
// tokens in urls, their QR codes) before a golden comparison.
func masked(t *testing.T, body []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	ls, _ := m["links"].([]any)
	for _, l := range ls {
		l := l.(map[string]any)
		if u, ok := l["url"].(string); ok {
			l["url"] = u[:strings.LastIndex(u, "/p/")+len("/p/")] + "<token>"
		}
		if _, ok := l["qr"]; ok {
			l["qr"] = "<qr>"
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPitches(t *testing.T) {
	eachStore(t, publicURL, func(t *testing.T, e *shareEnv) {
		is := is.New(t)
		is.Equal(e.upload("eve", e.sheet, [3]string{"file", "prices.txt", "Prices, first edition"}).status, 201)
		r := e.do("vic", "POST", "/api/v1/pitches", map[string]any{
			"title": " Acme proposal ", "message": "As discussed.", "items": []string{e.deck, e.sheet},
			"recipients": []string{"Buyer@Acme.example", "cfo@acme.example"},
			"settings":   map[string]any{"expires_at": "2026-04-01T00:00:00Z", "allow_download": true, "pin_versions": true}})
		is.Equal(r.status, 201)
		golden(t, "pitch_created.json", masked(t, r.body))
		p := r.json()
		id := p["id"].(string)
		is.Equal(p["kind"], "pitch")
		is.Equal(p["owner_id"], "vic")
		is.Equal(p["title"], "Acme proposal")
		links := linksOf(p)
		is.Equal(len(links), 2)
		is.Equal(links[0]["recipient"], "buyer@acme.example")
		is.Equal(links[1]["recipient"], "cfo@acme.example")
		var tokens []string
		for _, l := range links {
			is.True(strings.HasPrefix(l["url"].(string), publicURL+"/p/"))
			checkQR(t, l)
			// The url works: it resolves to this link.
			tok := e.token(l)
			acc, err := e.resolve(tok)
			is.NoErr(err)
			is.Equal(acc.Link.ID, l["id"])
			is.Equal(acc.Share.ID, id)
			is.Equal(acc.Recipient, l["recipient"])
			tokens = append(tokens, tok)
		}

		// The detail: items with their availability and the version buyers
		// get (the pinned one, older than the sheet's current now), links
		// without token or hash.
		is.Equal(e.upload("eve", e.sheet, [3]string{"file", "prices.txt", "Prices, second edition"}).status, 201)
		r = e.do("vic", "GET", "/api/v1/pitches/"+id, nil)
		is.Equal(r.status, 200)
		d := r.json()
		is.Equal(d["id"], id)
		its := d["items"].([]any)
		is.Equal(len(its), 2)
		deck, sheet := its[0].(map[string]any), its[1].(map[string]any)
		is.Equal(deck["item_id"], e.deck)
		is.Equal(deck["availability"], "available")
		is.Equal(deck["title"], "Product Deck")
		_, hasVersion := deck["version_id"]
		is.True(!hasVersion) // nothing uploaded
		is.Equal(sheet["item_id"], e.sheet)
		is.Equal(sheet["availability"], "available")
		is.Equal(sheet["version_number"], 1.0)
		is.Equal(sheet["newer_version"], true)
		dl := linksOf(d)
		is.Equal(len(dl), 2)
		for i, l := range dl {
			is.Equal(l["id"], links[i]["id"])
			for _, k := range []string{"url", "token", "qr", "token_hash", "passcode_hash"} {
				_, ok := l[k]
				is.True(!ok) // a link read back carries no token
			}
		}

		// Tokens and their hashes appear in no answer but the first.
		for _, path := range []string{"/api/v1/pitches/" + id, "/api/v1/pitches/" + id + "?include_bots=true", "/api/v1/pitches"} {
			body := string(e.do("vic", "GET", path, nil).body)
			for _, tok := range tokens {
				is.True(!strings.Contains(body, tok))
				is.True(!strings.Contains(body, share.HashToken(tok)))
			}
		}

		// Lists: the caller's own; every one for analysts and admins.
		is.Equal(ids(e.do("vic", "GET", "/api/v1/pitches", nil).items()), []string{id})
		is.Equal(ids(e.do("sam", "GET", "/api/v1/pitches", nil).items()), []string{})
		is.Equal(ids(e.do("ann", "GET", "/api/v1/pitches?all=true", nil).items()), []string{id})
		is.Equal(ids(e.do("ada", "GET", "/api/v1/pitches?all=true", nil).items()), []string{id})
		is.Equal(ids(e.do("ada", "GET", "/api/v1/pitches", nil).items()), []string{})
		e.refused(403, "forbidden", "vic", "GET", "/api/v1/pitches?all=true", nil)
		is.Equal(ids(e.do("vic", "GET", "/api/v1/rooms", nil).items()), []string{})

		// Another recipient later: a new link, shown once.
		nl := e.must(201, "vic", "POST", "/api/v1/pitches/"+id+"/links", map[string]any{"recipient": "CEO@acme.example"})
		is.Equal(nl["recipient"], "ceo@acme.example")
		is.True(strings.HasPrefix(nl["url"].(string), publicURL+"/p/"))
		checkQR(t, nl)
		acc, err := e.resolve(e.token(nl))
		is.NoErr(err)
		is.Equal(acc.Link.ID, nl["id"])
		is.Equal(acc.Link.Settings.AllowDownload, true) // the pitch's settings
		is.Equal(e.links(id), 3)

		// Revoking one link stops it alone.
		rl := e.must(200, "vic", "POST", "/api/v1/pitches/"+id+"/links/"+links[0]["id"].(string)+"/revoke", nil)
		is.Equal(rl["id"], links[0]["id"])
		is.Equal(rl["revoked_at"], "2026-03-02T10:00:00Z")
		_, err = e.resolve(tokens[0])
		is.True(errors.Is(err, share.ErrLinkRevoked))
		_, err = e.resolve(tokens[1])
		is.NoErr(err)
		e.refused(404, "not_found", "vic", "POST", "/api/v1/pitches/"+id+"/links/nope/revoke", nil)

		// Revoking the pitch stops every link; again is a no-op.
		e.clock.advance(time.Minute)
		rv := e.must(200, "vic", "POST", "/api/v1/pitches/"+id+"/revoke", nil)
		is.Equal(rv["revoked_at"], "2026-03-02T10:01:00Z")
		is.Equal(e.must(200, "vic", "POST", "/api/v1/pitches/"+id+"/revoke", nil)["revoked_at"], "2026-03-02T10:01:00Z")
		for _, tok := range append(tokens, e.token(nl)) {
			_, err := e.resolve(tok)
			is.True(errors.Is(err, share.ErrLinkRevoked))
		}
		e.refused(422, "failed_precondition", "vic", "POST", "/api/v1/pitches/"+id+"/links", map[string]any{"recipient": "x@acme.example"})
		is.Equal(e.links(id), 3)
		is.Equal(e.must(200, "vic", "GET", "/api/v1/pitches/"+id, nil)["revoked_at"], "2026-03-02T10:01:00Z")
	})
}

func TestPitchesPaging(t *testing.T) {
	is := is.New(t)
	e := newShareEnv(t, memstore.New(), publicURL)
	var made []string
	for range 3 {
		made = append(made, e.must(201, "vic", "POST", "/api/v1/pitches", map[string]any{"title": "P",
			"items": []string{e.deck}, "recipients": []string{"b@acme.example"}})["id"].(string))
	}
	page := e.must(200, "vic", "GET", "/api/v1/pitches?limit=2", nil)
	cursor := page["next_cursor"].(string)
	is.True(cursor != "")
	is.Equal(ids(e.do("vic", "GET", "/api/v1/pitches?limit=2", nil).items()), []string{made[2], made[1]})
	page = e.must(200, "vic", "GET", "/api/v1/pitches?limit=2&cursor="+cursor, nil)
	is.Equal(page["next_cursor"], "")
	is.Equal(ids(e.do("vic", "GET", "/api/v1/pitches?limit=2&cursor="+cursor, nil).items()), []string{made[0]})

	for _, c := range []struct{ path, field string }{
		{"/api/v1/pitches?limit=0", "limit"},
		{"/api/v1/pitches?limit=101", "limit"},
		{"/api/v1/pitches?limit=two", "limit"},
		{"/api/v1/pitches?all=maybe", "all"},
		{"/api/v1/pitches?kind=room", "kind"},
		{"/api/v1/rooms?all=true&all=false", "all"},
		{"/api/v1/pitches/" + made[0] + "?include_bots=maybe", "include_bots"},
		{"/api/v1/rooms/" + made[0] + "?bots=true", "bots"},
	} {
		fields := e.refused(400, "invalid", "vic", "GET", c.path, nil)
		if _, ok := fields[c.field]; !ok {
			t.Errorf("GET %s: the error does not name %q: %v", c.path, c.field, fields)
		}
	}
}

func TestRooms(t *testing.T) {
	eachStore(t, publicURL, func(t *testing.T, e *shareEnv) {
		is := is.New(t)
		// Settings flattened; no recipients: one open link behind the
		// e-mail gate.
		r := e.do("eve", "POST", "/api/v1/rooms", map[string]any{
			"title": "Acme evaluation", "message": "Welcome!", "account_id": "acc-1", "opportunity_id": "opp-9",
			"sections": []map[string]any{
				{"title": "Overview", "items": []string{e.deck}},
				{"title": "Pricing", "items": []string{e.sheet}},
			},
			"contributors": []string{"sam"}, "email_gate": true, "allow_domains": []string{"acme.example"}})
		is.Equal(r.status, 201)
		golden(t, "room_created.json", masked(t, r.body))
		room := r.json()
		id := room["id"].(string)
		is.Equal(room["kind"], "room")
		is.Equal(room["contributors"], []any{"sam"})
		is.Equal(room["account_id"], "acc-1")
		is.Equal(room["settings"].(map[string]any)["email_gate"], true)
		links := linksOf(room)
		is.Equal(len(links), 1)
		is.Equal(links[0]["recipient"], "")
		checkQR(t, links[0])
		_, err := e.resolve(e.token(links[0]))
		is.True(errors.Is(err, share.ErrGateRequired)) // the open link asks who is visiting
		g, err := e.lib.Shares.Gate(e.ctx, e.token(links[0]), "")
		is.NoErr(err)
		is.Equal(g.ShareTitle, "Acme evaluation")
		is.True(g.Email)

		secs := room["sections"].([]any)
		overview := secs[0].(map[string]any)["id"].(string)
		pricing := secs[1].(map[string]any)["id"].(string)

		// A contributor rearranges and adds content.
		patched := e.must(200, "sam", "PATCH", "/api/v1/rooms/"+id, map[string]any{
			"message": "Welcome back!",
			"sections": []map[string]any{
				{"id": pricing, "title": "Pricing", "items": []string{e.sheet, e.video}},
				{"id": overview, "title": "Overview", "items": []string{e.deck}},
			}})
		is.Equal(patched["message"], "Welcome back!")
		is.Equal(patched["title"], "Acme evaluation") // untouched fields stay
		ps := patched["sections"].([]any)
		is.Equal(ps[0].(map[string]any)["id"], pricing)
		var order []string
		for _, s := range ps {
			for _, it := range s.(map[string]any)["items"].([]any) {
				order = append(order, it.(map[string]any)["item_id"].(string))
			}
		}
		is.Equal(order, []string{e.sheet, e.video, e.deck})
		d := e.must(200, "eve", "GET", "/api/v1/rooms/"+id, nil)
		is.Equal(len(d["items"].([]any)), 3)
		is.Equal(d["items"].([]any)[1].(map[string]any)["item_id"], e.video)
		is.Equal(d["items"].([]any)[1].(map[string]any)["section_id"], pricing)

		// Contributors: listed for them, managed by the owner.
		is.Equal(ids(e.do("sam", "GET", "/api/v1/rooms", nil).items()), []string{id})
		is.Equal(ids(e.do("sam", "GET", "/api/v1/pitches", nil).items()), []string{})
		is.Equal(e.must(200, "eve", "PUT", "/api/v1/rooms/"+id+"/contributors/vic", nil)["contributors"], []any{"sam", "vic"})
		is.Equal(e.must(200, "eve", "PUT", "/api/v1/rooms/"+id+"/contributors/vic", nil)["contributors"], []any{"sam", "vic"})
		is.Equal(ids(e.do("vic", "GET", "/api/v1/rooms", nil).items()), []string{id})
		is.Equal(e.do("eve", "DELETE", "/api/v1/rooms/"+id+"/contributors/vic", nil).status, 204)
		is.Equal(ids(e.do("vic", "GET", "/api/v1/rooms", nil).items()), []string{})
		e.refused(404, "not_found", "eve", "DELETE", "/api/v1/rooms/"+id+"/contributors/vic", nil)
		e.refused(404, "not_found", "vic", "GET", "/api/v1/rooms/"+id, nil)

		// Links for named recipients too.
		nl := e.must(201, "eve", "POST", "/api/v1/rooms/"+id+"/links", map[string]any{"recipient": "cto@acme.example",
			"settings": map[string]any{"passcode": "open sesame"}})
		is.Equal(nl["recipient"], "cto@acme.example")
		_, err = e.resolve(e.token(nl))
		is.True(errors.Is(err, share.ErrGateRequired)) // its own settings: a passcode
		d = e.must(200, "eve", "GET", "/api/v1/rooms/"+id, nil)
		dl := linksOf(d)
		is.Equal(len(dl), 2)
		is.Equal(dl[1]["settings"].(map[string]any)["has_passcode"], true)
		_, hasPasscode := dl[1]["settings"].(map[string]any)["passcode"]
		is.True(!hasPasscode)
		is.True(!strings.Contains(string(e.do("eve", "GET", "/api/v1/rooms/"+id, nil).body), "open sesame"))
		e.must(200, "eve", "POST", "/api/v1/rooms/"+id+"/links/"+nl["id"].(string)+"/revoke", nil)
		_, err = e.resolve(e.token(nl))
		is.True(errors.Is(err, share.ErrLinkRevoked))

		// Revoked, the room stops changing.
		e.must(200, "eve", "POST", "/api/v1/rooms/"+id+"/revoke", nil)
		_, err = e.resolve(e.token(links[0]))
		is.True(errors.Is(err, share.ErrLinkRevoked))
		e.refused(422, "failed_precondition", "sam", "PATCH", "/api/v1/rooms/"+id, map[string]any{"title": "New"})
	})
}

func TestShareLinkURLs(t *testing.T) {
	is := is.New(t)
	create := func(e *shareEnv, header ...string) string {
		r := e.do("vic", "POST", "/api/v1/pitches", map[string]any{"title": "P", "items": []string{e.deck},
			"recipients": []string{"b@acme.example"}}, header...)
		is.Equal(r.status, 201)
		l := linksOf(r.json())[0]
		_, err := e.resolve(e.token(l))
		is.NoErr(err)
		return strings.TrimSuffix(l["url"].(string), e.token(l))
	}
	// Without a PublicURL, links are built from the request.
	e := newShareEnv(t, memstore.New(), "")
	host := strings.TrimPrefix(e.srv.URL, "http://")
	is.Equal(create(e), "http://"+host+"/p/")
	is.Equal(create(e, "X-Forwarded-Proto", "https"), "https://"+host+"/p/")
	is.Equal(create(e, "X-Forwarded-Proto", "HTTPS, http"), "https://"+host+"/p/")
	is.Equal(create(e, "X-Forwarded-Proto", "gopher"), "http://"+host+"/p/")
	// A PublicURL wins, with or without its trailing slash.
	is.Equal(create(newShareEnv(t, memstore.New(), "https://share.example.com/base/")), "https://share.example.com/base/p/")
	is.Equal(create(newShareEnv(t, memstore.New(), publicURL), "X-Forwarded-Proto", "http"), publicURL+"/p/")
}

func TestSharesBadInput(t *testing.T) {
	eachStore(t, publicURL, func(t *testing.T, e *shareEnv) {
		pitch := func(extra map[string]any) map[string]any {
			b := map[string]any{"title": "P", "items": []string{e.deck}, "recipients": []string{"b@acme.example"}}
			for k, v := range extra {
				b[k] = v
			}
			return b
		}
		room := func(extra map[string]any) map[string]any {
			b := map[string]any{"title": "R", "sections": []map[string]any{{"title": "A", "items": []string{e.deck}}}}
			for k, v := range extra {
				b[k] = v
			}
			return b
		}
		past := "2026-03-01T00:00:00Z"
		for _, c := range []struct {
			name, user, path string
			body             any
			field            string
		}{
			{"internal item", "vic", "/api/v1/pitches", pitch(map[string]any{"items": []string{e.deck, e.internal}}), "items"},
			{"draft item", "eve", "/api/v1/pitches", pitch(map[string]any{"items": []string{e.draft}}), "items"},
			{"expired item", "vic", "/api/v1/pitches", pitch(map[string]any{"items": []string{e.expired}}), "items"},
			{"unknown item", "vic", "/api/v1/pitches", pitch(map[string]any{"items": []string{"0190e4f2-0000-7000-8000-000000000000"}}), "items"},
			{"item the caller cannot see", "otto", "/api/v1/pitches", pitch(nil), "items"},
			{"duplicate item", "vic", "/api/v1/pitches", pitch(map[string]any{"items": []string{e.deck, e.sheet, e.deck}}), "items"},
			{"no items", "vic", "/api/v1/pitches", pitch(map[string]any{"items": []string{}}), "items"},
			{"no title", "vic", "/api/v1/pitches", pitch(map[string]any{"title": " "}), "title"},
			{"bad e-mail", "vic", "/api/v1/pitches", pitch(map[string]any{"recipients": []string{"b@acme.example", "not an address"}}), "recipients"},
			{"recipient twice", "vic", "/api/v1/pitches", pitch(map[string]any{"recipients": []string{"b@acme.example", "B@acme.example"}}), "recipients"},
			{"denied recipient", "vic", "/api/v1/pitches", pitch(map[string]any{"recipients": []string{"b@rival.example"},
				"settings": map[string]any{"deny_domains": []string{"rival.example"}}}), "recipients"},
			{"recipient off the allow list", "vic", "/api/v1/pitches", pitch(map[string]any{"allow_emails": []string{"a@acme.example"}}), "recipients"},
			{"pitch without recipients", "vic", "/api/v1/pitches", pitch(map[string]any{"recipients": []string{}}), "recipients"},
			{"expiry in the past", "vic", "/api/v1/pitches", pitch(map[string]any{"settings": map[string]any{"expires_at": past}}), "settings.expires_at"},
			{"expiry in the past, flattened", "vic", "/api/v1/pitches", pitch(map[string]any{"expires_at": past}), "expires_at"},
			{"expiry now", "vic", "/api/v1/rooms", room(map[string]any{"settings": map[string]any{"expires_at": now}}), "settings.expires_at"},
			{"short passcode", "vic", "/api/v1/pitches", pitch(map[string]any{"settings": map[string]any{"passcode": "abc"}}), "settings.passcode"},
			{"short passcode, flattened", "vic", "/api/v1/rooms", room(map[string]any{"passcode": "abc"}), "passcode"},
			{"bad domain", "vic", "/api/v1/pitches", pitch(map[string]any{"settings": map[string]any{"allow_domains": []string{"acme"}}}), "settings.allow_domains"},
			{"bad deny e-mail", "vic", "/api/v1/rooms", room(map[string]any{"email_gate": true, "deny_emails": []string{"nope"}}), "deny_emails"},
			{"lists without recipients or gate", "vic", "/api/v1/rooms", room(map[string]any{"settings": map[string]any{"allow_domains": []string{"acme.example"}}}), "settings.allow_emails"},
			{"contributors on a pitch", "vic", "/api/v1/pitches", pitch(map[string]any{"contributors": []string{"sam"}}), "contributors"},
			{"CRM on a pitch", "vic", "/api/v1/pitches", pitch(map[string]any{"account_id": "acc-1"}), "account_id"},
			{"unknown contributor", "vic", "/api/v1/rooms", room(map[string]any{"contributors": []string{"nobody"}}), "contributors"},
			{"internal item in a room", "vic", "/api/v1/rooms", room(map[string]any{"sections": []map[string]any{
				{"title": "A", "items": []string{e.deck}}, {"title": "B", "items": []string{e.sheet, e.internal}}}}), "sections[1].items"},
			{"item in two sections", "vic", "/api/v1/rooms", room(map[string]any{"sections": []map[string]any{
				{"title": "A", "items": []string{e.deck}}, {"title": "B", "items": []string{e.deck}}}}), "sections[1].items"},
			{"made-up section id", "vic", "/api/v1/rooms", room(map[string]any{"sections": []map[string]any{
				{"id": "s1", "title": "A", "items": []string{e.deck}}}}), "sections[0].id"},
			{"unknown field", "vic", "/api/v1/pitches", pitch(map[string]any{"colour": "red"}), "colour"},
			{"unknown settings field", "vic", "/api/v1/pitches", pitch(map[string]any{"settings": map[string]any{"has_passcode": true}}), "has_passcode"},
			{"settings both ways", "vic", "/api/v1/pitches", pitch(map[string]any{"settings": map[string]any{}, "email_gate": true}), "settings"},
			{"settings wrong type", "vic", "/api/v1/pitches", pitch(map[string]any{"settings": map[string]any{"email_gate": "yes"}}), "settings.email_gate"},
			{"settings not an object", "vic", "/api/v1/rooms", room(map[string]any{"settings": "gated"}), "settings"},
			{"bad time, flattened", "vic", "/api/v1/pitches", pitch(map[string]any{"expires_at": "tomorrow"}), "expires_at"},
			{"items not an array", "vic", "/api/v1/pitches", pitch(map[string]any{"items": e.deck}), "items"},
			{"malformed", "vic", "/api/v1/pitches", `{"title": "P",`, "body"},
		} {
			t.Run(c.name, func(t *testing.T) {
				e := *e
				e.env = e.env.with(t)
				fields := e.refused(400, "invalid", c.user, "POST", c.path, c.body)
				if _, ok := fields[c.field]; !ok {
					t.Errorf("the error does not name %q: %v", c.field, fields)
				}
				if n := e.shares(); n != 0 {
					t.Fatalf("a refused create left %d shares", n)
				}
			})
		}

		// Links: the share keeps its links when a new one is refused.
		id := e.must(201, "vic", "POST", "/api/v1/pitches", pitch(nil))["id"].(string)
		rid := e.must(201, "vic", "POST", "/api/v1/rooms", room(nil))["id"].(string)
		for _, c := range []struct {
			name, path string
			body       any
			field      string
		}{
			{"pitch link without recipient", "/api/v1/pitches/" + id + "/links", map[string]any{}, "recipient"},
			{"bad recipient", "/api/v1/pitches/" + id + "/links", map[string]any{"recipient": "nope"}, "recipient"},
			{"denied recipient", "/api/v1/pitches/" + id + "/links", map[string]any{"recipient": "x@rival.example",
				"settings": map[string]any{"deny_domains": []string{"rival.example"}}}, "recipient"},
			{"past expiry", "/api/v1/rooms/" + rid + "/links", map[string]any{"settings": map[string]any{"expires_at": past}}, "settings.expires_at"},
			{"past expiry, flattened", "/api/v1/rooms/" + rid + "/links", map[string]any{"expires_at": past}, "expires_at"},
			{"open link with lists", "/api/v1/rooms/" + rid + "/links", map[string]any{"allow_emails": []string{"a@acme.example"}}, "allow_emails"},
			{"unknown field", "/api/v1/rooms/" + rid + "/links", map[string]any{"recipients": []string{"a@acme.example"}}, "recipients"},
		} {
			t.Run(c.name, func(t *testing.T) {
				e := *e
				e.env = e.env.with(t)
				fields := e.refused(400, "invalid", "vic", "POST", c.path, c.body)
				if _, ok := fields[c.field]; !ok {
					t.Errorf("the error does not name %q: %v", c.field, fields)
				}
				if e.links(id) != 1 || e.links(rid) != 1 {
					t.Fatalf("a refused link was stored")
				}
			})
		}

		// Room patches and contributors.
		before := e.snapshot("vic", "/api/v1/rooms/"+rid)
		for _, c := range []struct {
			name, method, path string
			body               any
			field              string
		}{
			{"empty title", "PATCH", "/api/v1/rooms/" + rid, map[string]any{"title": ""}, "title"},
			{"internal item", "PATCH", "/api/v1/rooms/" + rid, map[string]any{"sections": []map[string]any{{"items": []string{e.internal}}}}, "sections[0].items"},
			{"unknown field", "PATCH", "/api/v1/rooms/" + rid, map[string]any{"owner_id": "sam"}, "owner_id"},
			{"unknown contributor", "PUT", "/api/v1/rooms/" + rid + "/contributors/nobody", nil, "user_id"},
			{"owner as contributor", "PUT", "/api/v1/rooms/" + rid + "/contributors/vic", nil, "user_id"},
		} {
			t.Run(c.name, func(t *testing.T) {
				e := *e
				e.env = e.env.with(t)
				fields := e.refused(400, "invalid", "vic", c.method, c.path, c.body)
				if _, ok := fields[c.field]; !ok {
					t.Errorf("the error does not name %q: %v", c.field, fields)
				}
				if after := e.snapshot("vic", "/api/v1/rooms/"+rid); after != before {
					t.Fatalf("a refused request changed the room:\nbefore:\n%s\nafter:\n%s", before, after)
				}
			})
		}
	})
}

func TestSharesPermissions(t *testing.T) {
	eachStore(t, publicURL, func(t *testing.T, e *shareEnv) {
		is := is.New(t)
		pitch := e.must(201, "vic", "POST", "/api/v1/pitches", map[string]any{"title": "Vic's", "items": []string{e.deck},
			"recipients": []string{"b@acme.example"}})
		pid, plink := pitch["id"].(string), linksOf(pitch)[0]["id"].(string)
		room := e.must(201, "eve", "POST", "/api/v1/rooms", map[string]any{"title": "Eve's",
			"sections": []map[string]any{{"items": []string{e.deck}}}, "contributors": []string{"sam"}})
		rid, rlink := room["id"].(string), linksOf(room)[0]["id"].(string)
		watched := []string{"/api/v1/pitches/" + pid, "/api/v1/rooms/" + rid}
		before := e.snapshot("ada", watched...)

		for _, c := range []struct {
			name, user, method, path string
			body                     any
			status                   int
			code                     string
		}{
			{"no token", "", "GET", "/api/v1/pitches", nil, 401, "unauthenticated"},
			{"no token create", "", "POST", "/api/v1/pitches", map[string]any{"title": "P"}, 401, "unauthenticated"},
			// Another seller's pitch does not exist for them.
			{"seller reads", "sam", "GET", "/api/v1/pitches/" + pid, nil, 404, "not_found"},
			{"seller revokes", "sam", "POST", "/api/v1/pitches/" + pid + "/revoke", nil, 404, "not_found"},
			{"seller adds a link", "sam", "POST", "/api/v1/pitches/" + pid + "/links", map[string]any{"recipient": "x@acme.example"}, 404, "not_found"},
			{"seller revokes a link", "sam", "POST", "/api/v1/pitches/" + pid + "/links/" + plink + "/revoke", nil, 404, "not_found"},
			{"outsider reads", "otto", "GET", "/api/v1/pitches/" + pid, nil, 404, "not_found"},
			{"outsider patches", "otto", "PATCH", "/api/v1/rooms/" + rid, map[string]any{"title": "Mine"}, 404, "not_found"},
			// A contributor changes content, not the room itself.
			{"contributor revokes", "sam", "POST", "/api/v1/rooms/" + rid + "/revoke", nil, 403, "forbidden"},
			{"contributor revokes a link", "sam", "POST", "/api/v1/rooms/" + rid + "/links/" + rlink + "/revoke", nil, 403, "forbidden"},
			{"contributor adds a contributor", "sam", "PUT", "/api/v1/rooms/" + rid + "/contributors/vic", nil, 403, "forbidden"},
			{"contributor removes a contributor", "sam", "DELETE", "/api/v1/rooms/" + rid + "/contributors/sam", nil, 403, "forbidden"},
			// An analyst reads everything and changes nothing.
			{"analyst patches", "ann", "PATCH", "/api/v1/rooms/" + rid, map[string]any{"title": "Mine"}, 403, "forbidden"},
			{"analyst revokes", "ann", "POST", "/api/v1/pitches/" + pid + "/revoke", nil, 403, "forbidden"},
			{"analyst adds a link", "ann", "POST", "/api/v1/rooms/" + rid + "/links", map[string]any{}, 403, "forbidden"},
			// A pitch is not a room, nor a room a pitch.
			{"pitch as room", "vic", "GET", "/api/v1/rooms/" + pid, nil, 404, "not_found"},
			{"pitch as room patch", "vic", "PATCH", "/api/v1/rooms/" + pid, map[string]any{"title": "X"}, 404, "not_found"},
			{"pitch as room revoke", "vic", "POST", "/api/v1/rooms/" + pid + "/revoke", nil, 404, "not_found"},
			{"pitch as room link", "vic", "POST", "/api/v1/rooms/" + pid + "/links", map[string]any{"recipient": "x@acme.example"}, 404, "not_found"},
			{"pitch as room link revoke", "vic", "POST", "/api/v1/rooms/" + pid + "/links/" + plink + "/revoke", nil, 404, "not_found"},
			{"pitch as room contributor", "vic", "PUT", "/api/v1/rooms/" + pid + "/contributors/sam", nil, 404, "not_found"},
			{"pitch as room contributor removal", "vic", "DELETE", "/api/v1/rooms/" + pid + "/contributors/sam", nil, 404, "not_found"},
			{"room as pitch", "eve", "GET", "/api/v1/pitches/" + rid, nil, 404, "not_found"},
			{"room as pitch revoke", "eve", "POST", "/api/v1/pitches/" + rid + "/revoke", nil, 404, "not_found"},
			{"room as pitch link", "eve", "POST", "/api/v1/pitches/" + rid + "/links", map[string]any{"recipient": "x@acme.example"}, 404, "not_found"},
			{"room as pitch link revoke", "eve", "POST", "/api/v1/pitches/" + rid + "/links/" + rlink + "/revoke", nil, 404, "not_found"},
			{"link of another share", "vic", "POST", "/api/v1/pitches/" + pid + "/links/" + rlink + "/revoke", nil, 404, "not_found"},
			{"unknown pitch", "vic", "GET", "/api/v1/pitches/nope", nil, 404, "not_found"},
			// The API's own 404 and 405.
			{"pitches do not change", "vic", "PATCH", "/api/v1/pitches/" + pid, map[string]any{"title": "X"}, 405, "invalid"},
			{"no deleting", "vic", "DELETE", "/api/v1/pitches/" + pid, nil, 405, "invalid"},
			{"revoke is a POST", "vic", "GET", "/api/v1/rooms/" + rid + "/revoke", nil, 405, "invalid"},
			{"no such route", "vic", "GET", "/api/v1/pitches/" + pid + "/views", nil, 404, "not_found"},
		} {
			t.Run(c.name, func(t *testing.T) {
				e := e.with(t)
				e.refused(c.status, c.code, c.user, c.method, c.path, c.body)
				if after := e.snapshot("ada", watched...); after != before {
					t.Fatalf("a refused request changed something:\nbefore:\n%s\nafter:\n%s", before, after)
				}
			})
		}
		is.Equal(e.links(pid), 1)
		is.Equal(e.links(rid), 1)
		is.Equal(e.do("vic", "DELETE", "/api/v1/pitches/"+pid, nil).header.Get("Allow"), "GET, HEAD")

		// What each may do.
		e.must(200, "ann", "GET", "/api/v1/pitches/"+pid, nil)
		e.must(200, "ann", "GET", "/api/v1/rooms/"+rid, nil)
		e.must(200, "sam", "GET", "/api/v1/rooms/"+rid, nil)
		is.Equal(e.must(200, "sam", "PATCH", "/api/v1/rooms/"+rid, map[string]any{"title": "Sam's too"})["title"], "Sam's too")
		// A contributor changes content, not who gets in: links are the owner's.
		e.refused(403, "forbidden", "sam", "POST", "/api/v1/rooms/"+rid+"/links", map[string]any{"recipient": "x@acme.example"})
		is.Equal(e.must(200, "ada", "PATCH", "/api/v1/rooms/"+rid, map[string]any{"title": "Ada's"})["title"], "Ada's")
		e.must(200, "ada", "PUT", "/api/v1/rooms/"+rid+"/contributors/vic", nil)
		e.must(200, "ada", "POST", "/api/v1/pitches/"+pid+"/links/"+plink+"/revoke", nil)
		e.must(200, "ada", "POST", "/api/v1/pitches/"+pid+"/revoke", nil)
		e.must(200, "ada", "POST", "/api/v1/rooms/"+rid+"/revoke", nil)
	})
}

func TestPitchEngagement(t *testing.T) {
	eachStore(t, publicURL, func(t *testing.T, e *shareEnv) {
		is := is.New(t)
		p := e.must(201, "vic", "POST", "/api/v1/pitches", map[string]any{"title": "Acme", "items": []string{e.deck, e.sheet},
			"recipients": []string{"ann@acme.example", "bob@acme.example"}})
		id := p["id"].(string)
		links := linksOf(p)
		tokA, tokB := e.token(links[0]), e.token(links[1])
		const browser = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
		open := func(token, ua string) string {
			t.Helper()
			acc, err := e.resolve(token)
			is.NoErr(err)
			v, err := e.lib.Shares.Open(e.ctx, acc, share.Visitor{UserAgent: ua, Method: "GET"})
			is.NoErr(err)
			return v.BeaconToken
		}
		beacon := func(token, bt string, bs ...share.Beacon) share.BeaconResult {
			t.Helper()
			res, err := e.lib.Shares.Beacon(e.ctx, token, bt, bs)
			is.NoErr(err)
			return res
		}
		// Three visits: ann and bob in browsers, and a link scanner on
		// bob's link.
		btA, btB, btBot := open(tokA, browser), open(tokB, browser), open(tokB, "curl/8.5.0")
		e.clock.advance(10 * time.Second)
		res := beacon(tokA, btA, share.Beacon{Seq: 1, ItemID: e.deck, Page: 1, ActiveMS: 6000},
			share.Beacon{Seq: 2, ItemID: e.deck, Page: 2, ActiveMS: 3000})
		is.Equal(res.Accepted, 2)
		btA = res.Token
		beacon(tokB, btB, share.Beacon{Seq: 1, ItemID: e.deck, Page: 1, ActiveMS: 5000})
		beacon(tokB, btBot, share.Beacon{Seq: 1, ItemID: e.deck, Page: 1, ActiveMS: 2000})
		e.clock.advance(5 * time.Second)
		// A repeated beacon counts once.
		res = beacon(tokA, btA, share.Beacon{Seq: 2, ItemID: e.deck, Page: 2, ActiveMS: 3000},
			share.Beacon{Seq: 3, ItemID: e.sheet, Page: 1, ActiveMS: 4000})
		is.Equal(res.Accepted, 1)
		is.Equal(res.Duplicates, 1)
		e.clock.advance(5 * time.Second)
		// A claim beyond the time since the last beacon is capped at it
		// plus the slack: 5 s + 2 s.
		beacon(tokA, res.Token, share.Beacon{Seq: 4, ItemID: e.deck, Page: 1, ActiveMS: 60000})

		type page struct {
			Page     int   `json:"page"`
			ActiveMS int64 `json:"active_ms"`
			Views    int   `json:"views"`
		}
		type item struct {
			ItemID   string `json:"item_id"`
			ActiveMS int64  `json:"active_ms"`
			Views    int    `json:"views"`
			Pages    []page `json:"pages"`
		}
		type recipient struct {
			Recipient string `json:"recipient"`
			Views     int    `json:"views"`
			BotViews  int    `json:"bot_views"`
			ActiveMS  int64  `json:"active_ms"`
			Items     []item `json:"items"`
		}
		type engagement struct {
			Views      int         `json:"views"`
			BotViews   int         `json:"bot_views"`
			ActiveMS   int64       `json:"active_ms"`
			Recipients []recipient `json:"recipients"`
			Items      []item      `json:"items"`
		}
		get := func(path string) engagement {
			t.Helper()
			r := e.do("vic", "GET", path, nil)
			is.Equal(r.status, 200)
			var d struct {
				Engagement engagement `json:"engagement"`
			}
			is.NoErr(json.Unmarshal(r.body, &d))
			return d.Engagement
		}

		r := e.do("vic", "GET", "/api/v1/pitches/"+id, nil)
		is.Equal(r.status, 200)
		golden(t, "pitch_engagement.json", r.body)
		is.Equal(get("/api/v1/pitches/"+id), engagement{
			Views: 2, BotViews: 1, ActiveMS: 25000,
			Recipients: []recipient{
				{Recipient: "ann@acme.example", Views: 1, ActiveMS: 20000, Items: []item{
					{ItemID: e.deck, ActiveMS: 16000, Views: 1, Pages: []page{{1, 13000, 1}, {2, 3000, 1}}},
					{ItemID: e.sheet, ActiveMS: 4000, Views: 1, Pages: []page{{1, 4000, 1}}},
				}},
				{Recipient: "bob@acme.example", Views: 1, BotViews: 1, ActiveMS: 5000, Items: []item{
					{ItemID: e.deck, ActiveMS: 5000, Views: 1, Pages: []page{{1, 5000, 1}}},
				}},
			},
			Items: []item{
				{ItemID: e.deck, ActiveMS: 21000, Views: 2, Pages: []page{{1, 18000, 2}, {2, 3000, 1}}},
				{ItemID: e.sheet, ActiveMS: 4000, Views: 1, Pages: []page{{1, 4000, 1}}},
			},
		})
		is.Equal(get("/api/v1/pitches/"+id+"?include_bots=true"), engagement{
			Views: 3, BotViews: 1, ActiveMS: 27000,
			Recipients: []recipient{
				{Recipient: "ann@acme.example", Views: 1, ActiveMS: 20000, Items: []item{
					{ItemID: e.deck, ActiveMS: 16000, Views: 1, Pages: []page{{1, 13000, 1}, {2, 3000, 1}}},
					{ItemID: e.sheet, ActiveMS: 4000, Views: 1, Pages: []page{{1, 4000, 1}}},
				}},
				{Recipient: "bob@acme.example", Views: 2, BotViews: 1, ActiveMS: 7000, Items: []item{
					{ItemID: e.deck, ActiveMS: 7000, Views: 2, Pages: []page{{1, 7000, 2}}},
				}},
			},
			Items: []item{
				{ItemID: e.deck, ActiveMS: 23000, Views: 3, Pages: []page{{1, 20000, 3}, {2, 3000, 1}}},
				{ItemID: e.sheet, ActiveMS: 4000, Views: 1, Pages: []page{{1, 4000, 1}}},
			},
		})
		// Analysts see the same numbers.
		is.Equal(e.must(200, "ann", "GET", "/api/v1/pitches/"+id, nil)["engagement"].(map[string]any)["active_ms"], 25000.0)
	})
}
