package briefcase_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/share"
)

// shelf is a catalog with content to share: in the product spot (olivia
// owns it, eddie edits it) an external deck, an external downloadable case
// study, an internal battlecard and a draft; a link item.
type shelf struct {
	catalog
	deck, study, battlecard, draft, site items.Item
}

func newShelf(t *testing.T, e *env) shelf {
	t.Helper()
	is := is.New(t)
	s := shelf{catalog: newCatalog(t, e)}
	eddie := e.as(t, "eddie")
	mk := func(in items.NewItem, body string) items.Item {
		in.SpotID = s.product.ID
		it, err := e.lib.Items.Create(eddie, in)
		is.NoErr(err)
		if body != "" {
			_, err = e.lib.Items.AddVersion(eddie, it.ID, items.NewVersion{Filename: "file.md", Body: strings.NewReader(body)})
			is.NoErr(err)
			it, err = e.lib.Items.Get(eddie, it.ID)
			is.NoErr(err)
		}
		return it
	}
	s.deck = mk(items.NewItem{Kind: items.KindPresentation, Title: "Platform deck", Audience: items.External}, "# Platform\n\nSlides.")
	s.study = mk(items.NewItem{Kind: items.KindDocument, Title: "Acme case study", Audience: items.External, Downloadable: true}, "# Acme\n\nResults.")
	s.battlecard = mk(items.NewItem{Kind: items.KindDocument, Title: "Battlecard", Audience: items.Internal}, "# Versus\n\nSecrets.")
	s.draft = mk(items.NewItem{Kind: items.KindDocument, Title: "Draft", Audience: items.External, Status: items.StatusDraft}, "")
	s.site = mk(items.NewItem{Kind: items.KindLink, Title: "Site", Audience: items.External, Source: items.Source{Type: items.SourceURL, URL: "https://example.com/tour"}}, "")
	return s
}

// setStatus moves an item through the lifecycle the way governance will,
// straight in the store.
func setStatus(t *testing.T, e *env, id string, st items.Status) {
	t.Helper()
	it, err := e.st.GetItem(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	it.Status = st
	if err := e.st.UpdateItem(e.ctx, it); err != nil {
		t.Fatal(err)
	}
}

func TestPitchValidationWritesNothing(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		s := newShelf(t, e)
		eddie := e.as(t, "eddie")
		good := func() share.NewPitch {
			return share.NewPitch{Title: "For Acme", Message: "Hi", Items: []string{s.deck.ID, s.study.ID},
				Recipients: []string{"buyer@acme.com"}}
		}
		cases := []struct {
			name  string
			edit  func(*share.NewPitch)
			field string
		}{
			{"no title", func(p *share.NewPitch) { p.Title = " " }, "title"},
			{"long title", func(p *share.NewPitch) { p.Title = strings.Repeat("x", 201) }, "title"},
			{"internal item", func(p *share.NewPitch) { p.Items = append(p.Items, s.battlecard.ID) }, "items"},
			{"draft item", func(p *share.NewPitch) { p.Items = []string{s.draft.ID} }, "items"},
			{"unknown item", func(p *share.NewPitch) { p.Items = []string{"nope"} }, "items"},
			{"duplicate item", func(p *share.NewPitch) { p.Items = []string{s.deck.ID, s.deck.ID} }, "items"},
			{"no items", func(p *share.NewPitch) { p.Items = nil }, "items"},
			{"no recipients", func(p *share.NewPitch) { p.Recipients = nil }, "recipients"},
			{"bad e-mail", func(p *share.NewPitch) { p.Recipients = []string{"Buyer <buyer@acme.com>"} }, "recipients"},
			{"recipient twice", func(p *share.NewPitch) { p.Recipients = []string{"a@acme.com", "A@acme.com"} }, "recipients"},
			{"recipient denied", func(p *share.NewPitch) { p.Settings.DenyDomains = []string{"acme.com"} }, "recipients"},
			{"recipient not allowed", func(p *share.NewPitch) { p.Settings.AllowEmails = []string{"ceo@acme.com"} }, "recipients"},
			{"bad domain", func(p *share.NewPitch) { p.Settings.AllowDomains = []string{"acme"} }, "settings.allow_domains"},
			{"past expiry", func(p *share.NewPitch) { p.Settings.ExpiresAt = e.clock.Now().Add(-time.Minute) }, "settings.expires_at"},
			{"short passcode", func(p *share.NewPitch) { p.Settings.Passcode = "123" }, "settings.passcode"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				is := is.New(t)
				in := good()
				c.edit(&in)
				_, _, err := e.lib.Shares.CreatePitch(eddie, in)
				is.Equal(code(err), errcode.Invalid)
				is.True(errcode.FieldsOf(err)[c.field] != "") // names the field
				list, _, err := e.lib.Shares.List(eddie, share.Query{})
				is.NoErr(err)
				is.Equal(len(list), 0) // nothing written
			})
		}
		// The internal item's refusal says why, even to an admin.
		is := is.New(t)
		in := good()
		in.Items = []string{s.battlecard.ID}
		_, _, err := e.lib.Shares.CreatePitch(e.as(t, "ada"), in)
		is.True(strings.Contains(errcode.FieldsOf(err)["items"], "internal content is never shared"))
		// vic cannot view the team spot's items: they do not exist for him.
		hidden, err := e.lib.Items.Create(e.as(t, "olivia"), items.NewItem{SpotID: s.team.ID, Kind: items.KindDocument, Title: "Team pricing", Audience: items.External})
		is.NoErr(err)
		in = good()
		in.Items = []string{hidden.ID}
		_, _, err = e.lib.Shares.CreatePitch(e.as(t, "vic"), in)
		is.True(strings.Contains(errcode.FieldsOf(err)["items"], "no item"))
		_, _, err = e.lib.Shares.CreatePitch(e.as(t, "sam"), in)
		is.NoErr(err) // sam, in group sales, may
		// No principal: refused.
		_, _, err = e.lib.Shares.CreatePitch(context.Background(), good())
		is.Equal(code(err), errcode.Unauthenticated)
	})
}

func TestPitchLinksRevocationAndExpiry(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		s := newShelf(t, e)
		eddie := e.as(t, "eddie")
		sh, links, err := e.lib.Shares.CreatePitch(eddie, share.NewPitch{Title: "For Acme", Items: []string{s.deck.ID},
			Recipients: []string{"Buyer@Acme.com", "cfo@acme.com"}, Settings: share.LinkSettings{ExpiresAt: e.clock.Now().Add(48 * time.Hour)}})
		is.NoErr(err)
		is.Equal(len(links), 2)
		is.Equal(links[0].Recipient, "buyer@acme.com") // addresses are lower-cased
		is.True(links[0].Token != links[1].Token)
		for _, l := range links {
			is.True(len(l.Token) >= 22) // at least 128 bits
			sum := sha256.Sum256([]byte(l.Token))
			stored, err := e.st.GetLink(e.ctx, l.ID)
			is.NoErr(err)
			is.Equal(stored.TokenHash, hex.EncodeToString(sum[:])) // only the hash is stored
			is.True(!strings.Contains(fmt.Sprintf("%+v", stored), l.Token))
		}
		for _, l := range links {
			acc, err := e.lib.Shares.Resolve(e.ctx, l.Token, "")
			is.NoErr(err)
			is.Equal(acc.Recipient, l.Recipient)
		}
		_, err = e.lib.Shares.Resolve(e.ctx, "not-a-token", "")
		is.True(errors.Is(err, share.ErrLinkNotFound))

		// Only the owner (or an admin) revokes; others do not even see it.
		_, err = e.lib.Shares.RevokeLink(e.as(t, "sam"), sh.ID, links[0].ID)
		is.Equal(code(err), errcode.NotFound)
		_, err = e.lib.Shares.RevokeLink(eddie, sh.ID, links[0].ID)
		is.NoErr(err)
		_, err = e.lib.Shares.Resolve(e.ctx, links[0].Token, "")
		is.True(errors.Is(err, share.ErrLinkRevoked))
		is.Equal(code(err), errcode.Gone)
		_, err = e.lib.Shares.Resolve(e.ctx, links[1].Token, "")
		is.NoErr(err) // the other recipient's link still works

		// Expiry, by the clock.
		e.clock.Add(48 * time.Hour)
		_, err = e.lib.Shares.Resolve(e.ctx, links[1].Token, "")
		is.True(errors.Is(err, share.ErrLinkExpired))

		// Revoking the whole share, by an admin, is audited as an override.
		_, err = e.lib.Shares.Revoke(e.as(t, "ada"), sh.ID)
		is.NoErr(err)
		entries, err := e.st.ListAudit(e.ctx, audit.Filter{TargetID: sh.ID})
		is.NoErr(err)
		var actions []string
		for _, en := range entries {
			actions = append(actions, en.Action)
			if en.Action == "share.revoke" {
				is.True(en.Override)
				is.Equal(en.Actor, "ada")
			}
		}
		is.Equal(actions, []string{"share.create", "share.link_revoke", "share.revoke"})
	})
}

// codeFrom returns the one-time code in the last share.code notice to addr.
func codeFrom(t *testing.T, e *env, addr string) string {
	t.Helper()
	var got string
	for _, n := range e.notes.take("share.code") {
		if n.Email == addr {
			got = regexp.MustCompile(`\b\d{6}\b`).FindString(n.Body)
		}
		if n.To != "" {
			t.Fatalf("a code notice names a principal: %+v", n)
		}
	}
	if got == "" {
		t.Fatalf("no code sent to %s", addr)
	}
	return got
}

func TestEmailGate(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		s := newShelf(t, e)
		_, links, err := e.lib.Shares.CreatePitch(e.as(t, "eddie"), share.NewPitch{Title: "Gated", Items: []string{s.deck.ID},
			Recipients: []string{"buyer@acme.com"}, Settings: share.LinkSettings{EmailGate: true,
				AllowDomains: []string{"acme.com"}, DenyEmails: []string{"rival@acme.com"}}})
		is.NoErr(err)
		tok := links[0].Token

		_, err = e.lib.Shares.Resolve(e.ctx, tok, "")
		is.True(errors.Is(err, share.ErrGateRequired)) // nothing before the gate
		g, err := e.lib.Shares.Gate(e.ctx, tok, "")
		is.NoErr(err)
		is.True(g.Email && !g.Passcode)

		is.True(errors.Is(e.lib.Shares.StartEmailGate(e.ctx, tok, "someone@other.com"), share.ErrRefused))
		is.True(errors.Is(e.lib.Shares.StartEmailGate(e.ctx, tok, "rival@acme.com"), share.ErrRefused))
		is.Equal(code(e.lib.Shares.StartEmailGate(e.ctx, tok, "not an address")), errcode.Invalid)
		is.Equal(len(e.notes.take("share.code")), 0) // refused addresses get nothing

		// A colleague on the allowed domain may enter with a code.
		is.NoErr(e.lib.Shares.StartEmailGate(e.ctx, tok, "Colleague@acme.com"))
		code1 := codeFrom(t, e, "colleague@acme.com")
		is.True(errors.Is(e.lib.Shares.StartEmailGate(e.ctx, tok, "colleague@acme.com"), share.ErrTooManyAttempts)) // resend too soon
		// Four wrong guesses, then the right code still works.
		for i := 0; i < share.MaxCodeAttempts-1; i++ {
			_, _, err = e.lib.Shares.VerifyEmail(e.ctx, tok, "colleague@acme.com", wrong(code1), "")
			is.True(errors.Is(err, share.ErrWrongCode))
		}
		sess, ss, err := e.lib.Shares.VerifyEmail(e.ctx, tok, "colleague@acme.com", code1, "")
		is.NoErr(err)
		is.Equal(ss.Email, "colleague@acme.com")
		acc, err := e.lib.Shares.Resolve(e.ctx, tok, sess)
		is.NoErr(err)
		is.Equal(acc.Recipient, "colleague@acme.com") // the verified address is who visits
		_, _, err = e.lib.Shares.VerifyEmail(e.ctx, tok, "colleague@acme.com", code1, "")
		is.True(errors.Is(err, share.ErrWrongCode)) // a code works once

		// Five wrong guesses kill the code.
		e.clock.Add(share.CodeResendAfter)
		is.NoErr(e.lib.Shares.StartEmailGate(e.ctx, tok, "buyer@acme.com"))
		code2 := codeFrom(t, e, "buyer@acme.com")
		for i := 0; i < share.MaxCodeAttempts; i++ {
			_, _, err = e.lib.Shares.VerifyEmail(e.ctx, tok, "buyer@acme.com", wrong(code2), "")
			is.True(errors.Is(err, share.ErrWrongCode))
		}
		_, _, err = e.lib.Shares.VerifyEmail(e.ctx, tok, "buyer@acme.com", code2, "")
		is.True(errors.Is(err, share.ErrWrongCode))
		// Asking for a new code buys no new guesses until the dead one expires.
		e.clock.Add(share.CodeResendAfter)
		is.Equal(code(e.lib.Shares.StartEmailGate(e.ctx, tok, "buyer@acme.com")), errcode.TooManyRequests)
		is.Equal(len(e.notes.take("share.code")), 0)

		// Codes expire.
		e.clock.Add(share.CodeTTL)
		is.NoErr(e.lib.Shares.StartEmailGate(e.ctx, tok, "buyer@acme.com"))
		code3 := codeFrom(t, e, "buyer@acme.com")
		e.clock.Add(share.CodeTTL)
		_, _, err = e.lib.Shares.VerifyEmail(e.ctx, tok, "buyer@acme.com", code3, "")
		is.True(errors.Is(err, share.ErrWrongCode))

		// Sessions expire, and a forged one is worthless.
		e.clock.Add(share.SessionTTL)
		_, err = e.lib.Shares.Resolve(e.ctx, tok, sess)
		is.True(errors.Is(err, share.ErrGateRequired))
		_, err = e.lib.Shares.Resolve(e.ctx, tok, sess[:len(sess)-2]+"xx")
		is.True(errors.Is(err, share.ErrGateRequired))
	})
}

// wrong returns a six-digit code other than c.
func wrong(c string) string {
	if c == "000000" {
		return "000001"
	}
	return "000000"
}

func TestEmailGateOnRecipientLinkAdmitsOnlyTheRecipient(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		s := newShelf(t, e)
		_, links, err := e.lib.Shares.CreatePitch(e.as(t, "eddie"), share.NewPitch{Title: "Gated", Items: []string{s.deck.ID},
			Recipients: []string{"buyer@acme.com"}, Settings: share.LinkSettings{EmailGate: true}})
		is.NoErr(err)
		tok := links[0].Token
		is.True(errors.Is(e.lib.Shares.StartEmailGate(e.ctx, tok, "friend@acme.com"), share.ErrRefused)) // a forwarded link
		is.NoErr(e.lib.Shares.StartEmailGate(e.ctx, tok, "buyer@acme.com"))
		sess, _, err := e.lib.Shares.VerifyEmail(e.ctx, tok, "buyer@acme.com", codeFrom(t, e, "buyer@acme.com"), "")
		is.NoErr(err)
		_, err = e.lib.Shares.Resolve(e.ctx, tok, sess)
		is.NoErr(err)
	})
}

func TestPasscodeGateLocksOut(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		s := newShelf(t, e)
		sh, links, err := e.lib.Shares.CreatePitch(e.as(t, "eddie"), share.NewPitch{Title: "Secret", Items: []string{s.deck.ID},
			Recipients: []string{"a@acme.com", "b@acme.com"}, Settings: share.LinkSettings{Passcode: "open sesame", EmailGate: true}})
		is.NoErr(err)
		is.True(sh.Settings.HasPasscode)
		is.Equal(sh.Settings.Passcode, "") // never kept in clear
		stored, err := e.st.GetLink(e.ctx, links[0].ID)
		is.NoErr(err)
		is.True(strings.HasPrefix(stored.PasscodeHash, "pbkdf2-sha256$"))
		is.True(!strings.Contains(stored.PasscodeHash, "open sesame"))

		tok := links[0].Token
		for i := 0; i < share.MaxPasscodeAttempts; i++ {
			_, _, err = e.lib.Shares.VerifyPasscode(e.ctx, tok, "guess", "")
			is.True(errors.Is(err, share.ErrWrongCode))
		}
		_, _, err = e.lib.Shares.VerifyPasscode(e.ctx, tok, "open sesame", "")
		is.Equal(code(err), errcode.TooManyRequests) // locked, even with the right one
		_, _, err = e.lib.Shares.VerifyPasscode(e.ctx, links[1].Token, "open sesame", "")
		is.NoErr(err) // another recipient's link is not locked
		e.clock.Add(share.PasscodeLockout)
		pass, ss, err := e.lib.Shares.VerifyPasscode(e.ctx, tok, "open sesame", "")
		is.NoErr(err)
		is.True(ss.Passcode)

		// Both gates: the passcode alone is not enough.
		_, err = e.lib.Shares.Resolve(e.ctx, tok, pass)
		is.True(errors.Is(err, share.ErrGateRequired))
		g, err := e.lib.Shares.Gate(e.ctx, tok, pass)
		is.NoErr(err)
		is.True(g.Email && g.Passcode && !g.EmailVerified)
		is.NoErr(e.lib.Shares.StartEmailGate(e.ctx, tok, "a@acme.com"))
		both, ss, err := e.lib.Shares.VerifyEmail(e.ctx, tok, "a@acme.com", codeFrom(t, e, "a@acme.com"), pass)
		is.NoErr(err)
		is.True(ss.Passcode && ss.Email == "a@acme.com")
		_, err = e.lib.Shares.Resolve(e.ctx, tok, both)
		is.NoErr(err)
		// A session of one link opens no other.
		_, err = e.lib.Shares.Resolve(e.ctx, links[1].Token, both)
		is.True(errors.Is(err, share.ErrGateRequired))
	})
}

func TestServingRechecksEveryItem(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		s := newShelf(t, e)
		eddie := e.as(t, "eddie")
		_, links, err := e.lib.Shares.CreatePitch(eddie, share.NewPitch{Title: "Everything", Items: []string{s.deck.ID, s.study.ID, s.site.ID},
			Recipients: []string{"buyer@acme.com"}, Settings: share.LinkSettings{AllowDownload: true}})
		is.NoErr(err)
		acc, err := e.lib.Shares.Resolve(e.ctx, links[0].Token, "")
		is.NoErr(err)
		visit, err := e.lib.Shares.Open(e.ctx, acc, share.Visitor{UserAgent: browserUA, Method: "GET"})
		is.NoErr(err)

		// Downloads: only downloadable items, and counted.
		_, _, err = e.lib.Shares.File(e.ctx, acc, s.deck.ID, true, visit.View.ID)
		is.True(errors.Is(err, share.ErrNoDownload))
		_, rc, err := e.lib.Shares.File(e.ctx, acc, s.study.ID, true, visit.View.ID)
		is.NoErr(err)
		body, _ := io.ReadAll(rc)
		rc.Close()
		is.Equal(string(body), "# Acme\n\nResults.")
		url, err := e.lib.Shares.Click(e.ctx, acc, s.site.ID, visit.View.ID)
		is.NoErr(err)
		is.Equal(url, "https://example.com/tour")
		_, err = e.lib.Shares.Click(e.ctx, acc, s.deck.ID, visit.View.ID)
		is.True(errors.Is(err, share.ErrItemUnavailable)) // not a link
		_, err = e.lib.Shares.Item(e.ctx, acc, s.battlecard.ID)
		is.True(errors.Is(err, share.ErrItemUnavailable)) // not in the share

		// After sharing: the deck is made internal, the study archived, the
		// site expires. None is served any more; the share says why.
		_, err = e.lib.Items.Update(eddie, s.deck.ID, items.ItemPatch{Audience: ptr(items.Internal)})
		is.NoErr(err)
		setStatus(t, e, s.study.ID, items.StatusArchived)
		setStatus(t, e, s.site.ID, items.StatusExpired)
		acc, err = e.lib.Shares.Resolve(e.ctx, links[0].Token, "")
		is.NoErr(err)
		for _, id := range []string{s.deck.ID, s.study.ID, s.site.ID} {
			_, err = e.lib.Shares.Item(e.ctx, acc, id)
			is.True(errors.Is(err, share.ErrItemUnavailable))
			_, _, err = e.lib.Shares.File(e.ctx, acc, id, false, "")
			is.True(errors.Is(err, share.ErrItemUnavailable))
			_, _, err = e.lib.Shares.PageImage(e.ctx, acc, id, 1)
			is.True(errors.Is(err, share.ErrItemUnavailable))
		}
		_, err = e.lib.Shares.Click(e.ctx, acc, s.site.ID, "")
		is.True(errors.Is(err, share.ErrItemUnavailable))
		its, err := e.lib.Shares.Items(e.ctx, acc)
		is.NoErr(err)
		is.Equal(len(its), 3)
		is.Equal(its[0].Availability, share.MadeInternal)
		is.Equal(its[1].Availability, share.NotShareable)
		is.Equal(its[2].Availability, share.NotShareable)
		is.Equal(its[0].Item.Title, "") // nothing of an unavailable item is handed out
		// Beacons about items no longer served are rejected.
		res, err := e.lib.Shares.Beacon(e.ctx, links[0].Token, visit.BeaconToken, []share.Beacon{{Seq: 1, ItemID: s.deck.ID, Page: 1, ActiveMS: 100}})
		is.NoErr(err)
		is.Equal(res.Rejected, 1)
		is.Equal(res.Accepted, 0)

		// Deleted content is gone too.
		is.NoErr(e.lib.Items.Delete(eddie, s.study.ID))
		its, err = e.lib.Shares.Items(e.ctx, acc)
		is.NoErr(err)
		is.Equal(its[1].Availability, share.Gone)

		// A link without downloads never downloads.
		_, links2, err := e.lib.Shares.CreatePitch(eddie, share.NewPitch{Title: "No downloads", Items: []string{s.site.ID},
			Recipients: []string{"buyer@acme.com"}})
		is.True(err != nil) // the site is expired now: not shareable
		_ = links2
	})
}

const browserUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"

// visit opens a link as a browser would.
func visit(t *testing.T, e *env, tok string, ua string) share.Visit {
	t.Helper()
	acc, err := e.lib.Shares.Resolve(e.ctx, tok, "")
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.lib.Shares.Open(e.ctx, acc, share.Visitor{UserAgent: ua, Method: "GET"})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestBeaconsAreCappedAndDeduplicated(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		s := newShelf(t, e)
		sh, links, err := e.lib.Shares.CreatePitch(e.as(t, "eddie"), share.NewPitch{Title: "Deck", Items: []string{s.deck.ID, s.study.ID},
			Recipients: []string{"buyer@acme.com", "cfo@acme.com"}})
		is.NoErr(err)
		tok := links[0].Token
		v := visit(t, e, tok, browserUA)
		send := func(token string, bs ...share.Beacon) share.BeaconResult {
			t.Helper()
			res, err := e.lib.Shares.Beacon(e.ctx, tok, token, bs)
			is.NoErr(err)
			return res
		}
		deck := func(seq int64, page int, ms int64) share.Beacon {
			return share.Beacon{Seq: seq, ItemID: s.deck.ID, Page: page, ActiveMS: ms}
		}
		e.clock.Add(5 * time.Second)
		r := send(v.BeaconToken, deck(1, 1, 4000))
		is.Equal(r.Accepted, 1)
		is.True(r.Token != "")
		r = send(r.Token, deck(1, 1, 4000)) // the same beacon again (sendBeacon and fetch both arrived)
		is.Equal(r.Duplicates, 1)
		is.Equal(r.Accepted, 0)
		e.clock.Add(5 * time.Second)
		r = send(r.Token, deck(2, 1, 60000)) // claims a minute after 5 s: capped at 5 s + slack
		is.Equal(r.Accepted, 1)
		e.clock.Add(10 * time.Second)
		r = send(r.Token, deck(3, 2, 3000), deck(4, 3, 9000)) // one flush, two pages: 12 s since the last, but 20 s + 2 s since the start less 11 s credited: 11 s
		is.Equal(r.Accepted, 2)
		e.clock.Add(time.Second)
		r = send(r.Token, deck(5, 3, 10000), deck(5, 3, 10000)) // 1 s + slack since the last, but 21 s + 2 s since the start less 22 s: 1 s; the repeat is a duplicate
		is.Equal(r.Accepted, 1)
		is.Equal(r.Duplicates, 1)

		evs, err := e.st.ListPageEvents(e.ctx, v.View.ID)
		is.NoErr(err)
		var credited []int64
		for _, ev := range evs {
			credited = append(credited, ev.ActiveMS)
		}
		is.Equal(credited, []int64{4000, 7000, 3000, 8000, 1000}) // never more than 21 s of wall time + 2 s of slack in all
		is.Equal(evs[1].ClaimedMS, int64(60000))                  // what was claimed is kept

		d, err := e.lib.Shares.Get(e.as(t, "eddie"), sh.ID, false)
		is.NoErr(err)
		is.Equal(d.Engagement.Views, 1)
		is.Equal(d.Engagement.ActiveMS, int64(23000))
		is.Equal(len(d.Engagement.Recipients), 2) // every recipient shows, viewed or not
		buyer := d.Engagement.Recipients[0]
		is.Equal(buyer.Recipient, "buyer@acme.com")
		is.Equal(buyer.ActiveMS, int64(23000))
		is.Equal(d.Engagement.Recipients[1].Views, 0)
		is.Equal(len(buyer.Items), 1)
		is.Equal(buyer.Items[0].Pages, []share.PageEngagement{{Page: 1, ActiveMS: 11000, Views: 1}, {Page: 2, ActiveMS: 3000, Views: 1}, {Page: 3, ActiveMS: 9000, Views: 1}}) // one visit on each page

		// Refusals.
		_, err = e.lib.Shares.Beacon(e.ctx, tok, "forged.token", []share.Beacon{deck(6, 1, 1)})
		is.True(errors.Is(err, share.ErrBadBeacon))
		other := visit(t, e, links[1].Token, browserUA)
		_, err = e.lib.Shares.Beacon(e.ctx, tok, other.BeaconToken, []share.Beacon{deck(6, 1, 1)})
		is.True(errors.Is(err, share.ErrBadBeacon)) // a token of another link's view
		for _, bad := range []share.Beacon{deck(0, 1, 1), deck(6, 0, 1), deck(6, 1, -1), deck(6, 1, 1<<40)} {
			_, err = e.lib.Shares.Beacon(e.ctx, tok, r.Token, []share.Beacon{bad})
			is.Equal(code(err), errcode.Invalid)
		}
		_, err = e.lib.Shares.Beacon(e.ctx, tok, r.Token, nil)
		is.Equal(code(err), errcode.Invalid)
		e.clock.Add(share.BeaconTokenTTL)
		_, err = e.lib.Shares.Beacon(e.ctx, tok, r.Token, []share.Beacon{deck(6, 1, 1)})
		is.True(errors.Is(err, share.ErrBadBeacon)) // expired token
		_, err = e.lib.Shares.Revoke(e.as(t, "eddie"), sh.ID)
		is.NoErr(err)
		_, err = e.lib.Shares.Beacon(e.ctx, tok, other.BeaconToken, []share.Beacon{deck(6, 1, 1)})
		is.True(errors.Is(err, share.ErrLinkRevoked) || errors.Is(err, share.ErrBadBeacon))
		res, err := e.lib.Shares.Beacon(e.ctx, links[1].Token, other.BeaconToken, []share.Beacon{deck(1, 1, 1)})
		_ = res
		is.True(errors.Is(err, share.ErrLinkRevoked) || errors.Is(err, share.ErrBadBeacon))
	})
}

func TestVisitNoticesAndBots(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		s := newShelf(t, e)
		sh, links, err := e.lib.Shares.CreatePitch(e.as(t, "eddie"), share.NewPitch{Title: "Deck", Items: []string{s.deck.ID},
			Recipients: []string{"buyer@acme.com"}})
		is.NoErr(err)
		tok := links[0].Token
		beacon := func(v share.Visit, seq int64) {
			t.Helper()
			_, err := e.lib.Shares.Beacon(e.ctx, tok, v.BeaconToken, []share.Beacon{{Seq: seq, ItemID: s.deck.ID, Page: 1, ActiveMS: 500}})
			is.NoErr(err)
		}
		acc, err := e.lib.Shares.Resolve(e.ctx, tok, "")
		is.NoErr(err)
		for _, c := range []struct {
			v      share.Visitor
			reason string
		}{
			{share.Visitor{UserAgent: browserUA, Method: "HEAD"}, "HEAD request"},
			{share.Visitor{UserAgent: browserUA, Method: "GET", Prefetch: true}, "prefetch"},
			{share.Visitor{Method: "GET"}, "no user agent"},
			{share.Visitor{UserAgent: "Mozilla/5.0 (compatible; Proofpoint URL Defense)", Method: "GET"}, "proofpoint"},
			{share.Visitor{UserAgent: "Mozilla/5.0 HeadlessChrome/120.0", Method: "GET"}, "headlesschrome"},
			{share.Visitor{UserAgent: "Slackbot-LinkExpanding 1.0", Method: "GET"}, "bot"},
		} {
			v, err := e.lib.Shares.Open(e.ctx, acc, c.v)
			is.NoErr(err)
			is.True(v.View.SuspectedBot)                          // marked...
			is.True(strings.Contains(v.View.BotReason, c.reason)) // ...with its reason
			beacon(v, 1)
		}
		is.Equal(len(e.notes.take("share.viewed")), 0) // bots never notify

		real := visit(t, e, tok, browserUA)
		is.True(!real.View.SuspectedBot)
		is.Equal(real.View.Client, "desktop, Chrome")
		is.Equal(len(e.notes.take("share.viewed")), 0) // not on open: on the first beacon
		e.clock.Add(time.Second)
		beacon(real, 1)
		beacon(real, 2)
		beacon(real, 3)
		notes := e.notes.take("share.viewed")
		is.Equal(len(notes), 1) // once per visit, not per beacon
		is.Equal(notes[0].To, "eddie")
		is.True(strings.Contains(notes[0].Subject, "buyer@acme.com"))

		// A visit that never beacons is marked after a while; a late beacon
		// clears the mark and notifies.
		silent := visit(t, e, tok, browserUA)
		e.clock.Add(share.SilentViewAfter + time.Second)
		n, err := e.lib.Shares.MarkSilentViews(e.ctx, e.clock.Now())
		is.NoErr(err)
		is.Equal(n, 1) // only the silent real one: bots are marked already, the other beaconed
		d, err := e.lib.Shares.Get(e.as(t, "eddie"), sh.ID, true)
		is.NoErr(err)
		is.Equal(d.Engagement.BotViews, 7)
		is.Equal(d.Engagement.Views, 8) // bots included on request
		d, err = e.lib.Shares.Get(e.as(t, "eddie"), sh.ID, false)
		is.NoErr(err)
		is.Equal(d.Engagement.Views, 1)
		is.Equal(d.Engagement.ActiveMS, int64(1500))
		beacon(silent, 1)
		is.Equal(len(e.notes.take("share.viewed")), 1)
		v, err := e.st.GetView(e.ctx, silent.View.ID)
		is.NoErr(err)
		is.True(!v.SuspectedBot)
	})
}

func TestConcurrentBeaconsLoseAndDoubleNothing(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		s := newShelf(t, e)
		sh, links, err := e.lib.Shares.CreatePitch(e.as(t, "eddie"), share.NewPitch{Title: "Deck", Items: []string{s.deck.ID},
			Recipients: []string{"buyer@acme.com"}})
		is.NoErr(err)
		tok := links[0].Token
		const views, beacons = 30, 20
		var opened []share.Visit
		for range views {
			opened = append(opened, visit(t, e, tok, browserUA))
		}
		// The visits began long enough ago for all their reading.
		e.clock.Add(beacons * time.Second)
		var wg sync.WaitGroup
		errs := make(chan error, views*beacons*2)
		for _, v := range opened {
			wg.Go(func() {
				for seq := int64(1); seq <= beacons; seq++ {
					b := []share.Beacon{{Seq: seq, ItemID: s.deck.ID, Page: int(seq%3) + 1, ActiveMS: 1000}}
					// Every beacon is sent twice at once, as sendBeacon and
					// its fetch fallback may both arrive.
					var inner sync.WaitGroup
					for range 2 {
						inner.Go(func() {
							if _, err := e.lib.Shares.Beacon(e.ctx, tok, v.BeaconToken, b); err != nil {
								errs <- err
							}
						})
					}
					inner.Wait()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		d, err := e.lib.Shares.Get(e.as(t, "eddie"), sh.ID, false)
		is.NoErr(err)
		is.Equal(d.Engagement.Views, views)
		is.Equal(d.Engagement.ActiveMS, int64(views*beacons*1000)) // every delta once
		vs, err := e.st.ListViews(e.ctx, share.ViewFilter{ShareID: sh.ID})
		is.NoErr(err)
		for _, v := range vs {
			is.Equal(v.Beacons, beacons)
			is.Equal(v.ActiveMS, int64(beacons*1000))
		}
		is.Equal(len(e.notes.take("share.viewed")), views)
	})
}

func TestDownstreamImpact(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		s := newShelf(t, e)
		eddie := e.as(t, "eddie")
		latest, links, err := e.lib.Shares.CreatePitch(eddie, share.NewPitch{Title: "Latest", Items: []string{s.deck.ID, s.study.ID},
			Recipients: []string{"buyer@acme.com"}})
		is.NoErr(err)
		pinned, _, err := e.lib.Shares.CreatePitch(eddie, share.NewPitch{Title: "Pinned", Items: []string{s.deck.ID},
			Recipients: []string{"buyer@acme.com"}, Settings: share.LinkSettings{PinVersions: true}})
		is.NoErr(err)
		n, err := e.lib.Shares.CheckImpact(e.ctx, nil)
		is.NoErr(err)
		is.Equal(n, 0) // nothing changed yet

		v2, err := e.lib.Items.AddVersion(eddie, s.deck.ID, items.NewVersion{Filename: "deck-v2.md", Body: strings.NewReader("# Platform v2")})
		is.NoErr(err)
		n, err = e.lib.Shares.CheckImpact(e.ctx, []string{s.deck.ID})
		is.NoErr(err)
		is.Equal(n, 2) // one notice per share holding the deck
		notes := e.notes.take("share.impact")
		is.Equal(len(notes), 2)
		bodies := notes[0].Body + notes[1].Body
		is.True(strings.Contains(bodies, "buyers now see it"))
		is.True(strings.Contains(bodies, "buyers still see the version you shared"))
		n, err = e.lib.Shares.CheckImpact(e.ctx, nil)
		is.NoErr(err)
		is.Equal(n, 0) // told once

		// Buyers of the pinned pitch still get version 1; of the other, version 2.
		d, err := e.lib.Shares.Get(eddie, pinned.ID, false)
		is.NoErr(err)
		is.Equal(d.Items[0].VersionNumber, 1)
		is.True(d.Items[0].NewerVersion)
		d, err = e.lib.Shares.Get(eddie, latest.ID, false)
		is.NoErr(err)
		is.Equal(d.Items[0].VersionID, v2.ID)

		// Made internal, then deleted: told each time; revoked shares are not watched.
		_, err = e.lib.Items.Update(eddie, s.study.ID, items.ItemPatch{Audience: ptr(items.Internal)})
		is.NoErr(err)
		n, err = e.lib.Shares.CheckImpact(e.ctx, []string{s.study.ID})
		is.NoErr(err)
		is.Equal(n, 1)
		is.True(strings.Contains(e.notes.take("share.impact")[0].Body, "made internal"))
		setStatus(t, e, s.deck.ID, items.StatusExpired)
		_, err = e.lib.Shares.Revoke(eddie, pinned.ID)
		is.NoErr(err)
		n, err = e.lib.Shares.CheckImpact(e.ctx, nil)
		is.NoErr(err)
		is.Equal(n, 1) // only the live share
		note := e.notes.take("share.impact")[0]
		is.Equal(note.To, "eddie")
		is.True(strings.Contains(note.Body, "expired"))
		// The buyer's page says so.
		acc, err := e.lib.Shares.Resolve(e.ctx, links[0].Token, "")
		is.NoErr(err)
		its, err := e.lib.Shares.Items(e.ctx, acc)
		is.NoErr(err)
		is.Equal(its[0].Availability, share.NotShareable)
		is.Equal(its[1].Availability, share.MadeInternal)
	})
}

func TestImpactWatcherInRun(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		s := newShelf(t, e)
		eddie := e.as(t, "eddie")
		_, _, err := e.lib.Shares.CreatePitch(eddie, share.NewPitch{Title: "Latest", Items: []string{s.deck.ID},
			Recipients: []string{"buyer@acme.com"}})
		is.NoErr(err)
		ctx, cancel := context.WithCancel(e.ctx)
		done := make(chan error)
		go func() { done <- e.lib.Run(ctx) }()
		_, err = e.lib.Items.Update(eddie, s.deck.ID, items.ItemPatch{Audience: ptr(items.Internal)})
		is.NoErr(err)
		deadline := time.Now().Add(20 * time.Second)
		var notes []string
		for time.Now().Before(deadline) && len(notes) == 0 {
			for _, n := range e.notes.take("share.impact") {
				notes = append(notes, n.Body)
			}
			time.Sleep(50 * time.Millisecond)
		}
		cancel()
		is.NoErr(<-done)
		is.Equal(len(notes), 1)
		is.True(strings.Contains(notes[0], "made internal"))
	})
}

func TestRoomContributors(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		s := newShelf(t, e)
		olivia, eddie, sam := e.as(t, "olivia"), e.as(t, "eddie"), e.as(t, "sam")
		room, links, err := e.lib.Shares.CreateRoom(olivia, share.NewRoom{Title: "Acme evaluation", Message: "Welcome, Acme",
			Sections:     []share.NewSection{{Title: "Why us", Items: []string{s.deck.ID}}, {Title: "Proof", Items: []string{s.study.ID}}},
			Contributors: []string{"eddie"}, AccountID: "001A", OpportunityID: "006B", Settings: share.LinkSettings{EmailGate: true}})
		is.NoErr(err)
		is.Equal(len(links), 1) // no recipients: one open link, behind the gate
		is.Equal(links[0].Recipient, "")
		is.Equal(room.Contributors, []string{"eddie"})

		// A contributor reorders, moves and adds content.
		secs := []share.NewSection{{ID: room.Sections[1].ID, Title: "Proof", Items: []string{s.study.ID, s.site.ID}},
			{ID: room.Sections[0].ID, Title: "Why us", Items: []string{s.deck.ID}}}
		after, err := e.lib.Shares.UpdateRoom(eddie, room.ID, share.RoomPatch{Sections: &secs})
		is.NoErr(err)
		is.Equal(after.ItemIDs(), []string{s.study.ID, s.site.ID, s.deck.ID})
		added, _ := after.Item(s.site.ID)
		is.Equal(added.AddedBy, "eddie")
		kept, _ := after.Item(s.deck.ID)
		is.Equal(kept.AddedBy, "olivia") // moved, not re-added

		// Internal content never gets in, whoever adds it.
		bad := []share.NewSection{{Title: "Oops", Items: []string{s.battlecard.ID}}}
		_, err = e.lib.Shares.UpdateRoom(olivia, room.ID, share.RoomPatch{Sections: &bad})
		is.True(errcode.FieldsOf(err)["sections[0].items"] != "")
		got, err := e.st.GetShare(e.ctx, room.ID)
		is.NoErr(err)
		is.Equal(got.ItemIDs(), after.ItemIDs()) // unchanged

		// Contributors change content, not membership or the link's life.
		_, err = e.lib.Shares.SetContributor(eddie, room.ID, "sam", true)
		is.Equal(code(err), errcode.Forbidden)
		_, err = e.lib.Shares.Revoke(eddie, room.ID)
		is.Equal(code(err), errcode.Forbidden)
		_, err = e.lib.Shares.UpdateRoom(sam, room.ID, share.RoomPatch{Title: ptr("Mine")})
		is.Equal(code(err), errcode.NotFound) // outsiders do not see it
		_, err = e.lib.Shares.SetContributor(olivia, room.ID, "nobody", true)
		is.Equal(code(err), errcode.Invalid)
		_, err = e.lib.Shares.SetContributor(olivia, room.ID, "sam", true)
		is.NoErr(err)
		_, err = e.lib.Shares.UpdateRoom(sam, room.ID, share.RoomPatch{Title: ptr("Acme evaluation 2026")})
		is.NoErr(err)
		list, _, err := e.lib.Shares.List(sam, share.Query{Kind: share.KindRoom})
		is.NoErr(err)
		is.Equal(len(list), 1)
		_, err = e.lib.Shares.SetContributor(olivia, room.ID, "sam", false)
		is.NoErr(err)
		list, _, err = e.lib.Shares.List(sam, share.Query{})
		is.NoErr(err)
		is.Equal(len(list), 0)

		// Pitches do not change after sending.
		p, _, err := e.lib.Shares.CreatePitch(olivia, share.NewPitch{Title: "P", Items: []string{s.deck.ID}, Recipients: []string{"b@acme.com"}})
		is.NoErr(err)
		_, err = e.lib.Shares.UpdateRoom(olivia, p.ID, share.RoomPatch{Title: ptr("Q")})
		is.Equal(code(err), errcode.FailedPrecondition)
		_, err = e.lib.Shares.SetContributor(olivia, p.ID, "eddie", true)
		is.Equal(code(err), errcode.FailedPrecondition)

		// An open link checks the allow list against the verified address.
		l, err := e.lib.Shares.AddLink(olivia, room.ID, "", &share.LinkSettings{EmailGate: true, AllowDomains: []string{"acme.com"}})
		is.NoErr(err)
		is.True(errors.Is(e.lib.Shares.StartEmailGate(e.ctx, l.Token, "x@other.com"), share.ErrRefused))
		_, err = e.lib.Shares.AddLink(olivia, room.ID, "", &share.LinkSettings{AllowDomains: []string{"acme.com"}})
		is.True(errcode.FieldsOf(err)["settings.allow_emails"] != "") // lists without a gate mean nothing on an open link

		// Admins and analysts read every share; sellers only theirs.
		_, err = e.lib.Shares.Get(e.as(t, "ada"), room.ID, false)
		is.NoErr(err)
		_, _, err = e.lib.Shares.List(sam, share.Query{All: true})
		is.Equal(code(err), errcode.Forbidden)

		// A revoked room changes no more.
		_, err = e.lib.Shares.Revoke(olivia, room.ID)
		is.NoErr(err)
		_, err = e.lib.Shares.SetContributor(olivia, room.ID, "sam", true)
		is.Equal(code(err), errcode.FailedPrecondition)
		_, err = e.lib.Shares.UpdateRoom(eddie, room.ID, share.RoomPatch{Title: ptr("Again")})
		is.Equal(code(err), errcode.FailedPrecondition)
		_, err = e.lib.Shares.AddLink(olivia, room.ID, "", nil)
		is.Equal(code(err), errcode.FailedPrecondition)
	})
}

func TestServingRefusesContentPastItsDates(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		s := newShelf(t, e)
		eddie := e.as(t, "eddie")
		_, err := e.lib.Items.Update(eddie, s.study.ID, items.ItemPatch{ExpiresAt: ptr(e.clock.Now().Add(time.Hour))})
		is.NoErr(err)
		_, links, err := e.lib.Shares.CreatePitch(eddie, share.NewPitch{Title: "Study", Items: []string{s.study.ID, s.deck.ID},
			Recipients: []string{"buyer@acme.com"}, Settings: share.LinkSettings{AllowDownload: true}})
		is.NoErr(err)
		acc, err := e.lib.Shares.Resolve(e.ctx, links[0].Token, "")
		is.NoErr(err)
		_, err = e.lib.Shares.Item(e.ctx, acc, s.study.ID)
		is.NoErr(err)

		// Past its expiry date, before anything moved its status: no longer
		// served, nor shareable again.
		e.clock.Add(2 * time.Hour)
		acc, err = e.lib.Shares.Resolve(e.ctx, links[0].Token, "")
		is.NoErr(err)
		_, err = e.lib.Shares.Item(e.ctx, acc, s.study.ID)
		is.True(errors.Is(err, share.ErrItemUnavailable))
		_, _, err = e.lib.Shares.File(e.ctx, acc, s.study.ID, true, "")
		is.True(errors.Is(err, share.ErrItemUnavailable))
		_, _, err = e.lib.Shares.CreatePitch(eddie, share.NewPitch{Title: "Again", Items: []string{s.study.ID},
			Recipients: []string{"buyer@acme.com"}})
		is.True(strings.Contains(errcode.FieldsOf(err)["items"], "expired"))
		_, err = e.lib.Shares.Item(e.ctx, acc, s.deck.ID)
		is.NoErr(err) // the other item is fine
	})
}

func TestClickOnlyFollowsLinkItems(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		s := newShelf(t, e)
		eddie := e.as(t, "eddie")
		// A PDF that came from an intranet URL, not downloadable.
		pdf, err := e.lib.Items.Create(eddie, items.NewItem{SpotID: s.product.ID, Kind: items.KindPDF, Title: "Pricing",
			Audience: items.External, Source: items.Source{Type: items.SourceURL, URL: "https://intranet.example/pricing.pdf?sig=secret"}})
		is.NoErr(err)
		_, err = e.lib.Items.AddVersion(eddie, pdf.ID, items.NewVersion{Filename: "pricing.md", Body: strings.NewReader("# Pricing")})
		is.NoErr(err)
		_, links, err := e.lib.Shares.CreatePitch(eddie, share.NewPitch{Title: "P", Items: []string{pdf.ID, s.site.ID},
			Recipients: []string{"buyer@acme.com"}})
		is.NoErr(err)
		acc, err := e.lib.Shares.Resolve(e.ctx, links[0].Token, "")
		is.NoErr(err)
		_, err = e.lib.Shares.Click(e.ctx, acc, pdf.ID, "")
		is.True(errors.Is(err, share.ErrItemUnavailable)) // its source stays internal
		url, err := e.lib.Shares.Click(e.ctx, acc, s.site.ID, "")
		is.NoErr(err)
		is.Equal(url, "https://example.com/tour")
	})
}

func TestBeaconSlackIsGivenOncePerVisit(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		s := newShelf(t, e)
		sh, links, err := e.lib.Shares.CreatePitch(e.as(t, "eddie"), share.NewPitch{Title: "Deck", Items: []string{s.deck.ID},
			Recipients: []string{"buyer@acme.com"}})
		is.NoErr(err)
		v := visit(t, e, links[0].Token, browserUA)
		tok := v.BeaconToken
		// A hundred requests at the same instant, each claiming an hour.
		for seq := int64(1); seq <= 100; seq++ {
			res, err := e.lib.Shares.Beacon(e.ctx, links[0].Token, tok, []share.Beacon{{Seq: seq, ItemID: s.deck.ID, Page: 1, ActiveMS: 3_600_000}})
			is.NoErr(err)
			tok = res.Token
		}
		d, err := e.lib.Shares.Get(e.as(t, "eddie"), sh.ID, false)
		is.NoErr(err)
		is.Equal(d.Engagement.ActiveMS, share.BeaconSlack.Milliseconds()) // no more than no time at all, plus the slack once
	})
}

func TestRevocationSurvivesConcurrentRoomEdits(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		s := newShelf(t, e)
		olivia, eddie := e.as(t, "olivia"), e.as(t, "eddie")
		for round := range 20 {
			room, links, err := e.lib.Shares.CreateRoom(olivia, share.NewRoom{Title: "Room", Contributors: []string{"eddie"},
				Sections: []share.NewSection{{Title: "A", Items: []string{s.deck.ID}}}})
			is.NoErr(err)
			var wg sync.WaitGroup
			wg.Go(func() {
				_, err := e.lib.Shares.UpdateRoom(eddie, room.ID, share.RoomPatch{Title: ptr(fmt.Sprint("Room ", round))})
				if err != nil && code(err) != errcode.FailedPrecondition {
					t.Error(err)
				}
			})
			wg.Go(func() {
				if _, err := e.lib.Shares.Revoke(olivia, room.ID); err != nil {
					t.Error(err)
				}
			})
			wg.Wait()
			_, err = e.lib.Shares.Resolve(e.ctx, links[0].Token, "")
			is.True(errors.Is(err, share.ErrLinkRevoked)) // whichever committed first, the room stays revoked
		}
	})
}

func TestEmailGateGuessesSurviveResends(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		s := newShelf(t, e)
		_, links, err := e.lib.Shares.CreatePitch(e.as(t, "eddie"), share.NewPitch{Title: "Gated", Items: []string{s.deck.ID},
			Recipients: []string{"buyer@acme.com"}, Settings: share.LinkSettings{EmailGate: true}})
		is.NoErr(err)
		tok, addr := links[0].Token, "buyer@acme.com"
		is.NoErr(e.lib.Shares.StartEmailGate(e.ctx, tok, addr))
		first := codeFrom(t, e, addr)
		for range 3 {
			_, _, err = e.lib.Shares.VerifyEmail(e.ctx, tok, addr, wrong(first), "")
			is.True(errors.Is(err, share.ErrWrongCode))
		}
		e.clock.Add(share.CodeResendAfter)
		is.NoErr(e.lib.Shares.StartEmailGate(e.ctx, tok, addr)) // a new code, the same count
		second := codeFrom(t, e, addr)
		for range 2 {
			_, _, err = e.lib.Shares.VerifyEmail(e.ctx, tok, addr, wrong(second), "")
			is.True(errors.Is(err, share.ErrWrongCode))
		}
		_, _, err = e.lib.Shares.VerifyEmail(e.ctx, tok, addr, second, "")
		is.True(errors.Is(err, share.ErrWrongCode)) // five wrong in all: dead
	})
}
