package viewer_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/share"
	"github.com/matryer/is"
)

// The texts of the test document's pages.
var docPages = []string{"Page one: the problem we solve.", "Page two: pricing for Acme.", "Page three: next steps."}

// fixture is a pitch of a three-page document and a link item.
type fixture struct {
	doc, link items.Item
	sh        share.Share
	token     string
}

func (e *env) fixture(settings share.LinkSettings) fixture {
	e.t.Helper()
	var f fixture
	f.doc = e.item(items.KindDocument, "Acme proposal deck", "deck.txt", "text/plain", strings.Join(docPages, "\f"))
	f.link = e.item(items.KindLink, "Customer story", "", "", "https://stories.example.com/acme?x=1")
	sh, l := e.pitch(settings, f.doc.ID, f.link.ID)
	f.sh, f.token = sh, l.Token
	return f
}

// open opens the share page like a browser and returns its beacon token.
func (e *env) open(token string) string {
	e.t.Helper()
	r := e.get("/p/" + token)
	if r.StatusCode != 200 {
		e.t.Fatalf("open: %d %s", r.StatusCode, r.body)
	}
	return pageBeaconToken(e.t, r.body)
}

// route is one serving route of the viewer.
type route struct {
	name string
	call func(e *env, f fixture, token, beaconToken string) response
}

var routes = []route{
	{"page", func(e *env, f fixture, tok, _ string) response { return e.get("/p/" + tok) }},
	{"item", func(e *env, f fixture, tok, _ string) response { return e.get("/p/" + tok + "/items/" + f.doc.ID) }},
	{"stage", func(e *env, f fixture, tok, _ string) response {
		return e.get("/p/" + tok + "/items/" + f.doc.ID + "?part=stage")
	}},
	{"pages", func(e *env, f fixture, tok, _ string) response {
		return e.get("/p/" + tok + "/items/" + f.doc.ID + "/pages/1")
	}},
	{"file", func(e *env, f fixture, tok, _ string) response {
		return e.get("/p/" + tok + "/items/" + f.doc.ID + "/file")
	}},
	{"download", func(e *env, f fixture, tok, _ string) response {
		return e.get("/p/" + tok + "/items/" + f.doc.ID + "/download")
	}},
	{"go", func(e *env, f fixture, tok, _ string) response {
		return e.get("/p/" + tok + "/items/" + f.link.ID + "/go")
	}},
	{"beacon", func(e *env, f fixture, tok, bt string) response {
		return e.beacon(tok, bt, []share.Beacon{{Seq: 1, ItemID: f.doc.ID, Page: 1, ActiveMS: 500}})
	}},
}

// checkHeaders asserts the headers every answer carries.
func checkHeaders(t *testing.T, name string, r response) {
	t.Helper()
	for k, want := range map[string]string{"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
		"Cache-Control": "no-store"} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("%s: %s = %q, want %q", name, k, got, want)
		}
	}
	if !strings.Contains(r.Header.Get("Content-Security-Policy"), "frame-ancestors") {
		t.Errorf("%s: no frame-ancestors in the policy %q", name, r.Header.Get("Content-Security-Policy"))
	}
}

// refused asserts that every route answers status, with a page for people
// and JSON for the beacon.
func refused(t *testing.T, e *env, f fixture, token, beaconToken string, status int, words string) {
	t.Helper()
	for _, rt := range routes {
		r := rt.call(e, f, token, beaconToken)
		if r.StatusCode != status {
			t.Errorf("%s: status %d, want %d: %.300s", rt.name, r.StatusCode, status, r.body)
			continue
		}
		checkHeaders(t, rt.name, r)
		if rt.name == "beacon" {
			var body struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal([]byte(r.body), &body); err != nil || body.Error.Code == "" || body.Error.Message == "" {
				t.Errorf("beacon: not a JSON error: %s", r.body)
			}
			continue
		}
		if !strings.Contains(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(r.body, words) {
			t.Errorf("%s: the page does not say %q: %.500s", rt.name, words, r.body)
		}
		for _, p := range docPages {
			if strings.Contains(r.body, p) {
				t.Errorf("%s: a refusal shows content", rt.name)
			}
		}
	}
}

func TestLinkRefusalsOnEveryRoute(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		t.Run("unknown token", func(t *testing.T) {
			f := e.fixture(share.LinkSettings{AllowDownload: true})
			bt := e.open(f.token)
			refused(t, e, f, "Zm9yZ2VkLXRva2VuLW5vdC1pc3N1ZWQtYXQtYWxs", bt, 404, "Link not found")
			refused(t, e, f, strings.Repeat("a", 300), bt, 404, "Link not found")
		})
		t.Run("revoked link", func(t *testing.T) {
			f := e.fixture(share.LinkSettings{AllowDownload: true})
			bt := e.open(f.token)
			links, err := e.shares.Links(e.as("olivia"), f.sh.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.shares.RevokeLink(e.as("olivia"), f.sh.ID, links[0].ID); err != nil {
				t.Fatal(err)
			}
			refused(t, e, f, f.token, bt, 410, "withdrew this link")
		})
		t.Run("revoked share", func(t *testing.T) {
			f := e.fixture(share.LinkSettings{AllowDownload: true})
			bt := e.open(f.token)
			if _, err := e.shares.Revoke(e.as("olivia"), f.sh.ID); err != nil {
				t.Fatal(err)
			}
			refused(t, e, f, f.token, bt, 410, "withdrew this link")
		})
		t.Run("expired link", func(t *testing.T) {
			f := e.fixture(share.LinkSettings{AllowDownload: true, ExpiresAt: e.now().Add(time.Hour)})
			bt := e.open(f.token)
			e.clock.Add(time.Hour)
			refused(t, e, f, f.token, bt, 410, "has expired")
		})
		t.Run("gate not passed", func(t *testing.T) {
			f := e.fixture(share.LinkSettings{AllowDownload: true, EmailGate: true})
			other := e.fixture(share.LinkSettings{AllowDownload: true})
			bt := e.open(other.token) // a genuine token, of another link
			refused(t, e, f, f.token, bt, 401, "")
			r := e.get("/p/" + f.token)
			if !strings.Contains(r.body, `name="email"`) {
				t.Errorf("the page is not the gate: %s", r.body)
			}
			if n := len(e.views(f.sh.ID)); n != 0 {
				t.Errorf("%d views opened behind a closed gate", n)
			}
		})
		t.Run("address denied after sending", func(t *testing.T) {
			f := e.fixture(share.LinkSettings{AllowDownload: true})
			bt := e.open(f.token)
			e.setLink(f.token, func(l *share.Link) { l.Settings.DenyDomains = []string{"acme.example"} })
			refused(t, e, f, f.token, bt, 403, "not for this address")
		})
		t.Run("address outside a new allow list", func(t *testing.T) {
			// An open room link behind an e-mail gate, entered by carol;
			// then the allow list changes.
			var f fixture
			f.doc = e.item(items.KindDocument, "Room deck", "deck.txt", "text/plain", strings.Join(docPages, "\f"))
			f.link = e.item(items.KindLink, "Room story", "", "", "https://stories.example.com/room")
			sh, links, err := e.shares.CreateRoom(e.as("olivia"), share.NewRoom{Title: "Acme room",
				Sections: []share.NewSection{{Title: "All", Items: []string{f.doc.ID, f.link.ID}}},
				Settings: share.LinkSettings{EmailGate: true, AllowDownload: true, AllowDomains: []string{"acme.example"}}})
			if err != nil {
				t.Fatal(err)
			}
			f.sh, f.token = sh, links[0].Token
			if r := e.form("/p/"+f.token+"/gate/email", "", "email", "carol@acme.example"); r.StatusCode != 200 {
				t.Fatalf("gate: %d", r.StatusCode)
			}
			r := e.form("/p/"+f.token+"/gate/code", "", "email", "carol@acme.example", "code", e.lastCode("carol@acme.example"))
			e.cookie = sessionCookie(t, r)
			defer func() { e.cookie = "" }()
			bt := e.open(f.token)
			e.setLink(f.token, func(l *share.Link) { l.Settings.AllowDomains = []string{"partner.example"} })
			refused(t, e, f, f.token, bt, 403, "not for this address")
		})
	})
}

func TestItemRefusalsOnEveryRoute(t *testing.T) {
	itemRoutes := []string{"item", "stage", "pages", "file", "download", "go"}
	for _, tc := range []struct {
		name   string
		change func(e *env, it items.Item)
		reason share.Availability
	}{
		{"made internal", func(e *env, it items.Item) {
			e.setItem(it.ID, func(it *items.Item) { it.Audience = items.Internal; it.Downloadable = false })
		}, share.MadeInternal},
		{"archived", func(e *env, it items.Item) {
			e.setItem(it.ID, func(it *items.Item) { it.Status = items.StatusArchived })
		}, share.NotShareable},
		{"expired", func(e *env, it items.Item) {
			e.setItem(it.ID, func(it *items.Item) { it.Status = items.StatusExpired })
		}, share.NotShareable},
		{"deleted", func(e *env, it items.Item) {
			if err := e.items.Delete(e.as("olivia"), it.ID); err != nil {
				e.t.Fatal(err)
			}
		}, share.Gone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run(t, func(t *testing.T, e *env) {
				is := is.New(t)
				f := e.fixture(share.LinkSettings{AllowDownload: true})
				bt := e.open(f.token)
				tc.change(e, f.doc)
				tc.change(e, f.link)
				for _, rt := range routes {
					if !contains(itemRoutes, rt.name) {
						continue
					}
					r := rt.call(e, f, f.token, bt)
					if r.StatusCode != 410 {
						t.Errorf("%s: status %d, want 410: %.300s", rt.name, r.StatusCode, r.body)
					}
					checkHeaders(t, rt.name, r)
					if strings.Contains(r.body, docPages[0]) || strings.Contains(r.body, "stories.example.com") {
						t.Errorf("%s: the refusal shows content", rt.name)
					}
				}
				// The page still opens and says what happened, without the
				// items' titles or content.
				r := e.get("/p/" + f.token)
				is.Equal(r.StatusCode, 200)
				is.Equal(strings.Count(r.body, `data-reason="`+string(tc.reason)+`"`), 2)
				is.True(strings.Contains(r.body, "No longer available"))
				is.True(!strings.Contains(r.body, "Acme proposal deck"))
				is.True(!strings.Contains(r.body, docPages[0]))
				is.True(!strings.Contains(r.body, "stories.example.com"))
				is.True(!strings.Contains(r.Header.Get("Content-Security-Policy"), "stories.example.com")) // no frame opened for it
				// Its beacons are rejected, not stored.
				var res share.BeaconResult
				b := e.beacon(f.token, bt, []share.Beacon{{Seq: 1, ItemID: f.doc.ID, Page: 1, ActiveMS: 500}})
				is.Equal(b.StatusCode, 200)
				is.NoErr(json.Unmarshal([]byte(b.body), &res))
				is.Equal(res.Accepted, 0)
				is.Equal(res.Rejected, 1)
			})
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestItemNotInShare(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		f := e.fixture(share.LinkSettings{AllowDownload: true})
		bt := e.open(f.token)
		outside := e.item(items.KindDocument, "Other deal", "other.txt", "text/plain", "Not for Acme")
		secret := e.item(items.KindDocument, "Margins", "margins.txt", "text/plain", "TOP SECRET margins",
			func(in *items.NewItem) { in.Audience = items.Internal; in.Downloadable = false })
		// Internal content cannot be pitched in the first place.
		_, _, err := e.shares.CreatePitch(e.as("olivia"), share.NewPitch{Title: "x", Items: []string{secret.ID},
			Recipients: []string{"bob@acme.example"}})
		is.True(err != nil)
		for _, id := range []string{outside.ID, secret.ID, "no-such-item", "..%2F..%2Fetc"} {
			for _, suffix := range []string{"", "?part=stage", "/pages/1", "/file", "/download", "/go"} {
				r := e.get("/p/" + f.token + "/items/" + id + suffix)
				if r.StatusCode != 404 {
					t.Errorf("%s%s: status %d, want 404", id, suffix, r.StatusCode)
				}
				if strings.Contains(r.body, "TOP SECRET") || strings.Contains(r.body, "Not for Acme") {
					t.Errorf("%s%s: content of an item outside the share was served", id, suffix)
				}
			}
			var res share.BeaconResult
			b := e.beacon(f.token, bt, []share.Beacon{{Seq: 1, ItemID: id, Page: 1, ActiveMS: 100}})
			is.Equal(b.StatusCode, 200)
			is.NoErr(json.Unmarshal([]byte(b.body), &res))
			is.Equal(res.Rejected, 1) // time on an item outside the share is not recorded
		}
	})
}

func TestDownloads(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		// Downloads off for the link.
		f := e.fixture(share.LinkSettings{})
		r := e.get("/p/" + f.token + "/items/" + f.doc.ID + "/download")
		is.Equal(r.StatusCode, 403)
		is.True(strings.Contains(r.body, "not allowed"))
		page := e.get("/p/" + f.token)
		is.True(!strings.Contains(page.body, "/download")) // no button either

		// Allowed for the link, but the item is not downloadable.
		nd := e.item(items.KindDocument, "View only", "view.txt", "text/plain", "Read here", func(in *items.NewItem) {
			in.Downloadable = false
		})
		_, l := e.pitch(share.LinkSettings{AllowDownload: true}, nd.ID)
		r = e.get("/p/" + l.Token + "/items/" + nd.ID + "/download")
		is.Equal(r.StatusCode, 403)
		page = e.get("/p/" + l.Token)
		is.True(!strings.Contains(page.body, "/download"))

		// Both allow it: an attachment with the bytes, recorded with the view.
		g := e.fixture(share.LinkSettings{AllowDownload: true})
		page = e.get("/p/" + g.token)
		is.True(strings.Contains(page.body, "/items/"+g.doc.ID+"/download?view="))
		view := viewIDRe.FindStringSubmatch(page.body)[1]
		r = e.get("/p/" + g.token + "/items/" + g.doc.ID + "/download?view=" + view)
		is.Equal(r.StatusCode, 200)
		is.True(strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment"))
		is.True(strings.Contains(r.Header.Get("Content-Disposition"), "deck.txt"))
		is.Equal(r.body, strings.Join(docPages, "\f"))
		checkHeaders(t, "download", r)
		evs, err := e.st.ListEvents(e.ctx, g.sh.ID)
		is.NoErr(err)
		var downloads []share.Event
		for _, ev := range evs {
			if ev.Type == share.EventDownloaded {
				downloads = append(downloads, ev)
			}
		}
		is.Equal(len(downloads), 1)
		is.Equal(downloads[0].ViewID, view)
		is.Equal(downloads[0].Recipient, "bob@acme.example")
	})
}

func TestBeacons(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		f := e.fixture(share.LinkSettings{})
		page := e.get("/p/" + f.token)
		bt := pageBeaconToken(t, page.body)
		view := viewIDRe.FindStringSubmatch(page.body)[1]
		e.clock.Add(5 * time.Second)

		// JSON, then text/plain as navigator.sendBeacon sends it.
		var res share.BeaconResult
		r := e.beacon(f.token, bt, []share.Beacon{{Seq: 1, ItemID: f.doc.ID, Page: 1, ActiveMS: 4000}})
		is.Equal(r.StatusCode, 200)
		is.Equal(r.Header.Get("Content-Type"), "application/json")
		checkHeaders(t, "beacon", r)
		is.NoErr(json.Unmarshal([]byte(r.body), &res))
		is.Equal(res.Accepted, 1)
		is.True(res.Token != "")
		e.clock.Add(3 * time.Second)
		body, _ := json.Marshal(map[string]any{"token": res.Token, "beacons": []share.Beacon{
			{Seq: 1, ItemID: f.doc.ID, Page: 1, ActiveMS: 4000}, // sent again after a lost answer
			{Seq: 2, ItemID: f.doc.ID, Page: 2, ActiveMS: 2500}}})
		r = e.do("POST", "/p/"+f.token+"/beacon", bytes.NewReader(body), "Content-Type", "text/plain;charset=UTF-8")
		is.Equal(r.StatusCode, 200)
		is.NoErr(json.Unmarshal([]byte(r.body), &res))
		is.Equal(res.Accepted, 1)
		is.Equal(res.Duplicates, 1)
		stats, err := e.st.ListPageStats(e.ctx, f.sh.ID)
		is.NoErr(err)
		is.Equal(len(stats), 2)
		is.Equal(stats[0].ViewID, view)
		is.Equal(stats[0].ActiveMS, int64(4000))
		is.Equal(stats[1].ActiveMS, int64(2500))

		bad := func(name string, status int, code string, r response) {
			t.Helper()
			var body struct {
				Error struct{ Code, Message string }
			}
			if r.StatusCode != status {
				t.Errorf("%s: status %d, want %d: %s", name, r.StatusCode, status, r.body)
			}
			if err := json.Unmarshal([]byte(r.body), &body); err != nil || body.Error.Code != code || body.Error.Message == "" {
				t.Errorf("%s: error body %s, want code %s", name, r.body, code)
			}
			checkHeaders(t, name, r)
		}
		b1 := []share.Beacon{{Seq: 3, ItemID: f.doc.ID, Page: 1, ActiveMS: 100}}
		forged := bt[:len(bt)-2] + "AA"
		if forged == bt {
			forged = bt[:len(bt)-2] + "BB"
		}
		bad("forged token", 401, "unauthenticated", e.beacon(f.token, forged, b1))
		bad("garbage token", 401, "unauthenticated", e.beacon(f.token, "not-a-token", b1))
		bad("no token", 401, "unauthenticated", e.beacon(f.token, "", b1))

		// A genuine token of a view of another link.
		g := e.fixture(share.LinkSettings{})
		other := e.open(g.token)
		bad("view of another link", 401, "unauthenticated", e.beacon(f.token, other, b1))

		bad("no beacons", 400, "invalid", e.beacon(f.token, res.Token, nil))
		bad("page 0", 400, "invalid", e.beacon(f.token, res.Token, []share.Beacon{{Seq: 3, ItemID: f.doc.ID, Page: 0, ActiveMS: 1}}))
		bad("negative time", 400, "invalid", e.beacon(f.token, res.Token, []share.Beacon{{Seq: 3, ItemID: f.doc.ID, Page: 1, ActiveMS: -1}}))
		bad("malformed JSON", 400, "invalid", e.do("POST", "/p/"+f.token+"/beacon", strings.NewReader(`{"token":`),
			"Content-Type", "application/json"))
		bad("wrong types", 400, "invalid", e.do("POST", "/p/"+f.token+"/beacon", strings.NewReader(`{"token":1}`),
			"Content-Type", "application/json"))
		bad("form content type", 415, "invalid", e.do("POST", "/p/"+f.token+"/beacon", strings.NewReader(`token=x`),
			"Content-Type", "application/x-www-form-urlencoded"))
		big := `{"token":"` + res.Token + `","beacons":[` + strings.Repeat(`{"seq":3,"item_id":"`+f.doc.ID+`","page":1,"active_ms":1},`, 1200) +
			`{"seq":4,"item_id":"x","page":1,"active_ms":1}]}`
		is.True(len(big) > 64<<10)
		bad("oversize body", 413, "invalid", e.do("POST", "/p/"+f.token+"/beacon", strings.NewReader(big), "Content-Type", "application/json"))

		// The token expires 30 minutes after the last accepted beacon.
		e.clock.Add(share.BeaconTokenTTL + time.Second)
		bad("expired token", 401, "unauthenticated", e.beacon(f.token, res.Token, b1))

		// Nothing a refusal sent was stored.
		stats, err = e.st.ListPageStats(e.ctx, f.sh.ID)
		is.NoErr(err)
		is.Equal(len(stats), 2)
	})
}

func TestGateEmail(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		f := e.fixture(share.LinkSettings{EmailGate: true, AllowDomains: []string{"acme.example"},
			DenyEmails: []string{"mallory@acme.example"}})
		base := "/p/" + f.token
		r := e.get(base)
		is.Equal(r.StatusCode, 401)
		is.True(strings.Contains(r.body, `action="`+base+`/gate/email"`))
		is.True(!strings.Contains(r.body, "Acme proposal deck")) // nothing behind the gate shows

		// Addresses the lists refuse.
		r = e.form(base+"/gate/email", "", "email", "eve@evil.example")
		is.Equal(r.StatusCode, 403)
		is.True(strings.Contains(r.body, "not shared with eve@evil.example"))
		r = e.form(base+"/gate/email", "", "email", "mallory@acme.example")
		is.Equal(r.StatusCode, 403)
		r = e.form(base+"/gate/email", "", "email", "not an address")
		is.Equal(r.StatusCode, 400)

		// A code is sent; asking again at once is refused.
		r = e.form(base+"/gate/email", "", "email", "carol@acme.example")
		is.Equal(r.StatusCode, 200)
		is.True(strings.Contains(r.body, `name="code"`))
		r = e.form(base+"/gate/email", "", "email", "carol@acme.example")
		is.Equal(r.StatusCode, 429)
		code := e.lastCode("carol@acme.example")

		// A wrong code re-shows the form.
		wrong := fmt.Sprintf("%06d", (atoi(code)+1)%1000000)
		r = e.form(base+"/gate/code", "", "email", "carol@acme.example", "code", wrong)
		is.Equal(r.StatusCode, 401)
		is.True(strings.Contains(r.body, "wrong or has expired"))
		is.True(strings.Contains(r.body, `name="code"`))
		r = e.form(base+"/gate/code", "", "email", "carol@acme.example", "code", "12")
		is.Equal(r.StatusCode, 401)

		// The right one sets a session scoped to the link.
		r = e.form(base+"/gate/code", "", "email", "carol@acme.example", "code", code)
		is.Equal(r.StatusCode, 303)
		is.Equal(r.Header.Get("Location"), base)
		raw := r.Header.Get("Set-Cookie")
		is.True(strings.Contains(raw, "Path="+base+";") || strings.HasSuffix(raw, "Path="+base))
		is.True(strings.Contains(raw, "HttpOnly"))
		is.True(strings.Contains(raw, "SameSite=Lax"))
		is.True(!strings.Contains(raw, "Secure")) // plain HTTP here
		cookie := sessionCookie(t, r)

		r = e.get(base, "Cookie", cookie)
		is.Equal(r.StatusCode, 200)
		is.True(strings.Contains(r.body, "Acme proposal deck"))
		vs := e.views(f.sh.ID)
		is.Equal(len(vs), 1)
		is.Equal(vs[0].Recipient, "carol@acme.example") // the verified address
		is.Equal(e.get(base+"/items/"+f.doc.ID+"/pages/2", "Cookie", cookie).body, docPages[1])
		is.Equal(e.get(base+"/items/"+f.doc.ID+"/pages/2").StatusCode, 401) // not without it

		// The session of one link opens no other.
		g := e.fixture(share.LinkSettings{EmailGate: true})
		is.Equal(e.get("/p/"+g.token, "Cookie", cookie).StatusCode, 401)

		// A code expires.
		e.clock.Add(share.CodeResendAfter)
		r = e.form(base+"/gate/email", "", "email", "dave@acme.example")
		is.Equal(r.StatusCode, 200)
		code = e.lastCode("dave@acme.example")
		e.clock.Add(share.CodeTTL + time.Second)
		r = e.form(base+"/gate/code", "", "email", "dave@acme.example", "code", code)
		is.Equal(r.StatusCode, 401)

		// Wrong guesses use a code up.
		r = e.form(base+"/gate/email", "", "email", "dave@acme.example")
		is.Equal(r.StatusCode, 200)
		code = e.lastCode("dave@acme.example")
		wrong = fmt.Sprintf("%06d", (atoi(code)+1)%1000000)
		for range share.MaxCodeAttempts {
			is.Equal(e.form(base+"/gate/code", "", "email", "dave@acme.example", "code", wrong).StatusCode, 401)
		}
		r = e.form(base+"/gate/code", "", "email", "dave@acme.example", "code", code)
		is.Equal(r.StatusCode, 401)
		is.Equal(len(r.Cookies()), 0)

		// Forms posted from another site are refused.
		r = e.do("POST", base+"/gate/email", strings.NewReader("email=carol%40acme.example"),
			"Content-Type", "application/x-www-form-urlencoded", "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
		is.Equal(r.StatusCode, 403)
		r = e.do("POST", base+"/gate/email", strings.NewReader("email=carol%40acme.example"),
			"Content-Type", "application/x-www-form-urlencoded", "Origin", "https://evil.example")
		is.Equal(r.StatusCode, 403)
	})
}

func atoi(s string) int {
	n := 0
	fmt.Sscan(s, &n)
	return n
}

func TestGatePasscode(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		f := e.fixture(share.LinkSettings{Passcode: "open sesame"})
		base := "/p/" + f.token
		r := e.get(base)
		is.Equal(r.StatusCode, 401)
		is.True(strings.Contains(r.body, `name="passcode"`))
		is.True(!strings.Contains(r.body, `name="email"`))

		r = e.form(base+"/gate/passcode", "", "passcode", "open sesame!")
		is.Equal(r.StatusCode, 401)
		is.True(strings.Contains(r.body, "passcode is wrong"))
		r = e.form(base+"/gate/passcode", "", "passcode", "open sesame")
		is.Equal(r.StatusCode, 303)
		cookie := sessionCookie(t, r)
		is.Equal(e.get(base, "Cookie", cookie).StatusCode, 200)

		// Lock-out: after MaxPasscodeAttempts wrong ones, even the right one
		// is refused until it ends.
		for i := range share.MaxPasscodeAttempts {
			r = e.form(base+"/gate/passcode", "", "passcode", "guess")
			want := 401
			if i == share.MaxPasscodeAttempts-1 {
				want = 401 // the attempt that locks is still a wrong code
			}
			is.Equal(r.StatusCode, want)
		}
		r = e.form(base+"/gate/passcode", "", "passcode", "open sesame")
		is.Equal(r.StatusCode, 429)
		is.True(strings.Contains(r.body, "Too many wrong passcodes"))
		is.Equal(len(r.Cookies()), 0)
		e.clock.Add(share.PasscodeLockout)
		r = e.form(base+"/gate/passcode", "", "passcode", "open sesame")
		is.Equal(r.StatusCode, 303)
	})
}

func TestGateEmailAndPasscode(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		f := e.fixture(share.LinkSettings{EmailGate: true, Passcode: "4321x"})
		base := "/p/" + f.token
		r := e.get(base)
		is.Equal(r.StatusCode, 401)
		is.True(strings.Contains(r.body, `name="email"`)) // the e-mail first
		is.Equal(e.form(base+"/gate/email", "", "email", "bob@acme.example").StatusCode, 200)
		r = e.form(base+"/gate/code", "", "email", "bob@acme.example", "code", e.lastCode("bob@acme.example"))
		is.Equal(r.StatusCode, 303)
		cookie := sessionCookie(t, r)

		r = e.get(base, "Cookie", cookie)
		is.Equal(r.StatusCode, 401) // then the passcode
		is.True(strings.Contains(r.body, `name="passcode"`))
		is.True(!strings.Contains(r.body, `name="email"`))
		is.Equal(e.get(base+"/items/"+f.doc.ID+"/file", "Cookie", cookie).StatusCode, 401)

		r = e.form(base+"/gate/passcode", cookie, "passcode", "4321x")
		is.Equal(r.StatusCode, 303)
		cookie = sessionCookie(t, r)
		r = e.get(base, "Cookie", cookie)
		is.Equal(r.StatusCode, 200)
		is.Equal(e.views(f.sh.ID)[0].Recipient, "bob@acme.example")
	})
}

func TestBotsAreMarked(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		f := e.fixture(share.LinkSettings{})
		r := e.do("HEAD", "/p/"+f.token, nil)
		is.Equal(r.StatusCode, 200)
		is.Equal(r.body, "")
		r = e.get("/p/"+f.token, "Sec-Purpose", "prefetch;prerender")
		is.Equal(r.StatusCode, 200)
		r = e.get("/p/"+f.token, "Purpose", "prefetch")
		is.Equal(r.StatusCode, 200)
		r = e.get("/p/"+f.token, "User-Agent", "Mozilla/5.0 (compatible; Googlebot/2.1)")
		is.Equal(r.StatusCode, 200)
		r = e.get("/p/" + f.token)
		is.Equal(r.StatusCode, 200)
		vs := e.views(f.sh.ID)
		is.Equal(len(vs), 5)
		reasons := []string{}
		for _, v := range vs[:4] {
			is.True(v.SuspectedBot)
			reasons = append(reasons, v.BotReason)
		}
		is.Equal(reasons[0], "HEAD request")
		is.Equal(reasons[1], "prefetch")
		is.Equal(reasons[2], "prefetch")
		is.True(strings.Contains(reasons[3], "bot"))
		is.True(!vs[4].SuspectedBot) // a person
	})
}

func TestSharePage(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		f := e.fixture(share.LinkSettings{})
		r := e.get("/p/" + f.token)
		is.Equal(r.StatusCode, 200)
		checkHeaders(t, "page", r)
		csp := r.Header.Get("Content-Security-Policy")
		is.True(strings.Contains(csp, "default-src 'self'"))
		is.True(strings.Contains(csp, "frame-ancestors 'none'"))
		is.True(strings.Contains(csp, "script-src 'self';"))
		is.True(strings.Contains(csp, "frame-src 'self' https://stories.example.com;")) // exactly the link's origin
		is.Equal(r.Header.Get("X-Frame-Options"), "DENY")
		is.True(strings.Contains(r.body, `<meta name="viewport"`))
		is.True(strings.Contains(r.body, "Acme proposal"))
		is.True(strings.Contains(r.body, "here is what we discussed.")) // the sender's message
		is.True(strings.Contains(r.body, "Customer story"))
		is.True(strings.Contains(r.body, docPages[0]))                   // the first item in place, page 1
		is.True(strings.Contains(r.body, `src="data:image/png;base64,`)) // the QR code
		is.True(strings.Contains(r.body, "Page <span class=\"cur\">1</span> of 3"))
		is.Equal(len(e.views(f.sh.ID)), 1)

		// The static files the page names are served, cacheable.
		for _, m := range []string{`src="(/p/_static/viewer\.js\?v=[0-9a-f]+)"`, `href="(/p/_static/viewer\.css\?v=[0-9a-f]+)"`} {
			sub := mustFind(t, m, r.body)
			s := e.get(strings.ReplaceAll(sub, "&amp;", "&"))
			is.Equal(s.StatusCode, 200)
			is.True(strings.Contains(s.Header.Get("Cache-Control"), "immutable"))
			is.True(len(s.body) > 1000)
		}

		// Items in place and on their own do not open views.
		s := e.get("/p/" + f.token + "/items/" + f.link.ID + "?part=stage")
		is.Equal(s.StatusCode, 200)
		is.True(!strings.Contains(s.body, "<html"))
		is.True(strings.Contains(s.body, `src="https://stories.example.com/acme?x=1"`))
		is.True(strings.Contains(s.body, `sandbox="`))
		is.True(strings.Contains(s.body, "/items/"+f.link.ID+"/go"))
		s = e.get("/p/" + f.token + "/items/" + f.doc.ID + "?page=3")
		is.Equal(s.StatusCode, 200)
		is.True(strings.Contains(s.body, "<html"))
		is.True(!strings.Contains(s.body, "data-beacon-token")) // not tracked on its own
		is.True(strings.Contains(s.body, "Page <span class=\"cur\">3</span> of 3"))
		is.Equal(len(e.views(f.sh.ID)), 1)

		// Pages: the text of each, and 404 past the end.
		for i, p := range docPages {
			pr := e.get(fmt.Sprintf("/p/%s/items/%s/pages/%d", f.token, f.doc.ID, i+1))
			is.Equal(pr.StatusCode, 200)
			is.Equal(pr.body, p)
			is.True(strings.HasPrefix(pr.Header.Get("Content-Type"), "text/plain"))
		}
		for _, n := range []string{"0", "4", "-1", "x", "99999999999999999999"} {
			is.Equal(e.get("/p/"+f.token+"/items/"+f.doc.ID+"/pages/"+n).StatusCode, 404)
		}

		// The link item is followed through /go, recorded as a click.
		g := e.get("/p/" + f.token + "/items/" + f.link.ID + "/go")
		is.Equal(g.StatusCode, 302)
		is.Equal(g.Header.Get("Location"), "https://stories.example.com/acme?x=1")
		evs, err := e.st.ListEvents(e.ctx, f.sh.ID)
		is.NoErr(err)
		is.Equal(evs[len(evs)-1].Type, share.EventClicked)
		// A document is not a link.
		is.Equal(e.get("/p/"+f.token+"/items/"+f.doc.ID+"/go").StatusCode, 404)

		// Unknown paths and methods.
		is.Equal(e.get("/p/"+f.token+"/nothing").StatusCode, 404)
		is.Equal(e.do("POST", "/p/"+f.token, nil).StatusCode, 405)
		is.Equal(e.get("/p/_static/nothing.js").StatusCode, 404)
	})
}

func mustFind(t *testing.T, pattern, s string) string {
	t.Helper()
	m := regexpMust(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("%s not found", pattern)
	}
	return m[1]
}

func TestRoomPage(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		a := e.item(items.KindDocument, "Security overview", "sec.txt", "text/plain", "Encryption\fAudits")
		b := e.item(items.KindDocument, "Price list", "price.txt", "text/plain", "Prices")
		c := e.item(items.KindDocument, "Old brochure", "old.txt", "text/plain", "Old")
		room, links, err := e.shares.CreateRoom(e.as("olivia"), share.NewRoom{Title: "Acme deal room",
			Message: "Welcome to the Acme room.", Sections: []share.NewSection{
				{Title: "Start here", Items: []string{a.ID}}, {Title: "Commercials", Items: []string{b.ID, c.ID}}},
			Recipients: []string{"bob@acme.example"}})
		is.NoErr(err)
		e.setItem(c.ID, func(it *items.Item) { it.Status = items.StatusArchived })
		r := e.get("/p/" + links[0].Token)
		is.Equal(r.StatusCode, 200)
		is.True(strings.Contains(r.body, "Welcome to the Acme room."))
		// Sections in order, their items in order, the withdrawn one said so.
		order := []string{"Start here", "Security overview", "Commercials", "Price list", `data-reason="withdrawn"`}
		last := -1
		for _, s := range order {
			i := strings.Index(r.body[last+1:], s)
			if i < 0 {
				t.Fatalf("%q missing or out of order", s)
			}
			last += 1 + i
		}
		is.True(!strings.Contains(r.body, "Old brochure"))
		is.Equal(len(e.views(room.ID)), 1)
	})
}

func TestFilesInline(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		pngBytes := func() string {
			b, _, _ := pageImages{}.RenderPage(e.ctx, strings.NewReader(""), deckType, 1)
			return string(b)
		}()
		img := e.item(items.KindImage, "Diagram", "diagram.png", "image/png", pngBytes)
		html := e.item(items.KindDocument, "Landing page", "landing.html", "text/html",
			`<html><body><script>alert(1)</script>Hello</body></html>`)
		svg := e.item(items.KindImage, "Logo", "logo.svg", "image/svg+xml", `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
		zip := e.item(items.KindDocument, "Archive", "bundle.zip", "application/zip", "PK\x03\x04 not really", func(in *items.NewItem) {
			in.Downloadable = false
		})
		_, l := e.pitch(share.LinkSettings{}, img.ID, html.ID, svg.ID, zip.ID)
		file := func(it items.Item) response { return e.get("/p/" + l.Token + "/items/" + it.ID + "/file") }

		r := file(img)
		is.Equal(r.StatusCode, 200)
		is.Equal(r.Header.Get("Content-Type"), "image/png")
		is.True(strings.HasPrefix(r.Header.Get("Content-Disposition"), "inline"))
		is.True(strings.Contains(r.Header.Get("Content-Security-Policy"), "frame-ancestors 'self'"))
		is.Equal(r.Header.Get("X-Frame-Options"), "")
		checkHeaders(t, "image", r)
		_, err := png.Decode(strings.NewReader(r.body))
		is.NoErr(err)
		// Ranges work (video seeking needs them).
		rr := e.get("/p/"+l.Token+"/items/"+img.ID+"/file", "Range", "bytes=0-7")
		is.Equal(rr.StatusCode, 206)
		is.Equal(rr.body, pngBytes[:8])

		for _, it := range []items.Item{html, svg} {
			r = file(it)
			is.Equal(r.StatusCode, 200)
			csp := r.Header.Get("Content-Security-Policy")
			is.True(strings.HasPrefix(csp, "sandbox;")) // no script, an opaque origin
			is.True(strings.Contains(csp, "default-src 'none'"))
		}
		// A file no browser shows inline is not handed out when it may not
		// be downloaded.
		r = file(zip)
		is.Equal(r.StatusCode, 403)
		is.True(!strings.Contains(r.body, "PK"))

		// The share page frames the image and the sandboxed files.
		page := e.get("/p/" + l.Token)
		is.True(strings.Contains(page.body, `class="file-img"`))
		st := e.get("/p/" + l.Token + "/items/" + html.ID + "?part=stage")
		is.True(strings.Contains(st.body, `sandbox></iframe>`))
	})
}

func TestPageImages(t *testing.T) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			is := is.New(t)
			e := newEnv(t, s.open(t), envOptions{renderer: pageImages{}})
			deck := e.item(items.KindPresentation, "Pitch deck", "deck.bin", deckType, "one\ftwo\fthree\ffour")
			_, l := e.pitch(share.LinkSettings{}, deck.ID)
			page := e.get("/p/" + l.Token)
			is.Equal(page.StatusCode, 200)
			is.True(strings.Contains(page.body, `class="page-img" src="/p/`+l.Token+`/items/`+deck.ID+`/pages/1"`))
			is.True(strings.Contains(page.body, "of 4"))
			is.True(!strings.Contains(page.body, "three")) // images, not the text
			for n := 1; n <= 4; n++ {
				r := e.get(fmt.Sprintf("/p/%s/items/%s/pages/%d", l.Token, deck.ID, n))
				is.Equal(r.StatusCode, 200)
				is.Equal(r.Header.Get("Content-Type"), "image/png")
				checkHeaders(t, "page image", r)
				img, err := png.Decode(strings.NewReader(r.body))
				is.NoErr(err)
				is.Equal(img.Bounds().Dx(), 100+n) // page n was drawn
			}
			is.Equal(e.get(fmt.Sprintf("/p/%s/items/%s/pages/5", l.Token, deck.ID)).StatusCode, 404)
			// Made internal: the renderer is never reached.
			e.setItem(deck.ID, func(it *items.Item) { it.Audience = items.Internal })
			is.Equal(e.get(fmt.Sprintf("/p/%s/items/%s/pages/1", l.Token, deck.ID)).StatusCode, 410)
		})
	}
}
