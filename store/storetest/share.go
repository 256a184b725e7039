package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/share"
	"github.com/briefcasehq/briefcase/store"
)

var shareTests = []subtest{
	{"RoundTrip", testShareRoundTrip},
	{"NotFound", testShareNotFound},
	{"Conflict", testShareConflict},
	{"Update", testShareUpdate},
	{"Filters", testShareFilters},
	{"LiveAt", testShareLiveAt},
	{"Pagination", testSharePagination},
	{"DefaultLimit", testShareDefaultLimit},
	{"Copies", testShareCopies},
}

var linkTests = []subtest{
	{"RoundTrip", testLinkRoundTrip},
	{"NotFound", testLinkNotFound},
	{"Conflict", testLinkConflict},
	{"Update", testLinkUpdate},
	{"Copies", testLinkCopies},
}

var gateCodeTests = []subtest{
	{"RoundTrip", testGateCodeRoundTrip},
	{"NotFound", testGateCodeNotFound},
}

// linkSettings returns fully populated link settings. Passcode is set
// because callers pass it in; stores must drop it (see wantSettings).
func (e *env) linkSettings() share.LinkSettings {
	return share.LinkSettings{
		ExpiresAt: e.now().Add(30 * 24 * time.Hour), EmailGate: true, Passcode: "open sesame", HasPasscode: true,
		AllowEmails: []string{"buyer@acme.example", "cfo@acme.example"}, AllowDomains: []string{"acme.example"},
		DenyEmails: []string{"intern@acme.example"}, DenyDomains: []string{"rival.example", "spam.example"},
		AllowDownload: true, PinVersions: true,
	}
}

// wantSettings is what a store gives back for s: everything but the
// passcode, which is input only.
func wantSettings(s share.LinkSettings) share.LinkSettings {
	s = s.Clone()
	s.Passcode = ""
	return s
}

// sharedItem returns a fully populated entry for itemID.
func (e *env) sharedItem(itemID string) share.SharedItem {
	return share.SharedItem{
		ItemID: itemID, VersionID: newID(), AddedBy: "alice", AddedAt: e.now(),
		Seen: share.ItemState{VersionID: newID(), Status: items.StatusExpiring, Audience: items.External, Deleted: true},
	}
}

// share returns a fully populated room owned by owner, with two sections
// of three items and two contributors given out of order (not stored).
// Its RevokedAt is set; clear it for a live share.
func (e *env) share(owner string) share.Share {
	created := e.now()
	return share.Share{
		ID: newID(), Kind: share.KindRoom, OwnerID: owner, Title: "Acme renewal", Message: "Welcome, Acme team",
		Sections: []share.Section{
			{ID: newID(), Title: "Pricing", Items: []share.SharedItem{e.sharedItem(newID()), e.sharedItem(newID())}},
			{ID: newID(), Title: "Security", Items: []share.SharedItem{e.sharedItem(newID())}},
		},
		Contributors: []string{"carol", "bob"},
		AccountID:    "001-acme", OpportunityID: "006-renewal",
		Settings:  e.linkSettings(),
		RevokedAt: created.Add(2 * time.Hour), CreatedAt: created, UpdatedAt: created.Add(time.Minute),
	}
}

// pitch returns a live pitch owned by owner with one untitled section
// holding itemIDs (not stored).
func (e *env) pitch(owner string, itemIDs ...string) share.Share {
	created := e.now()
	sec := share.Section{ID: newID()}
	for _, id := range itemIDs {
		sec.Items = append(sec.Items, e.sharedItem(id))
	}
	return share.Share{ID: newID(), Kind: share.KindPitch, OwnerID: owner, Title: "Pitch", Message: "Hi",
		Sections: []share.Section{sec}, CreatedAt: created, UpdatedAt: created}
}

// wantShare is what a store gives back for s: contributors sorted and
// once each, no passcode.
func wantShare(s share.Share) share.Share {
	s = s.Clone()
	slices.Sort(s.Contributors)
	s.Contributors = slices.Compact(s.Contributors)
	s.Settings = wantSettings(s.Settings)
	return s
}

// createShare stores s and fails the test on error.
func (e *env) createShare(s share.Share) share.Share {
	e.t.Helper()
	noErr(e.t, e.s.CreateShare(e.ctx, s), "CreateShare "+s.Title)
	return s
}

// getShare reads a share and fails the test on error.
func (e *env) getShare(id string) share.Share {
	e.t.Helper()
	s, err := e.s.GetShare(e.ctx, id)
	noErr(e.t, err, "GetShare "+id)
	return s
}

// listShares runs ListShares and returns the IDs, failing on error.
func (e *env) listShares(f share.ShareFilter) []string {
	e.t.Helper()
	list, err := e.s.ListShares(e.ctx, f)
	noErr(e.t, err, "ListShares")
	return ids(list, shareID)
}

func shareID(s share.Share) string { return s.ID }
func linkID(l share.Link) string   { return l.ID }

// newestFirst returns ids sorted highest first, the order of ListShares.
func newestFirst(ids ...string) []string {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(b, a) })
	return out
}

// link returns a fully populated link to shareID for recipient (not
// stored).
func (e *env) link(shareID, recipient string) share.Link {
	created := e.now()
	return share.Link{
		ID: newID(), ShareID: shareID, Recipient: recipient, TokenHash: hashOf("tok-" + newID()),
		PasscodeHash: "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA", Settings: e.linkSettings(),
		RevokedAt: created.Add(time.Hour), CreatedAt: created, FailedAttempts: 3, LockedUntil: created.Add(5 * time.Minute),
	}
}

// liveLink returns a link to shareID that is neither revoked, expired nor
// locked (not stored).
func (e *env) liveLink(shareID string) share.Link {
	l := e.link(shareID, "buyer@acme.example")
	l.RevokedAt, l.Settings.ExpiresAt, l.FailedAttempts, l.LockedUntil = time.Time{}, time.Time{}, 0, time.Time{}
	return l
}

// createLink stores l and fails the test on error.
func (e *env) createLink(l share.Link) share.Link {
	e.t.Helper()
	noErr(e.t, e.s.CreateLink(e.ctx, l), "CreateLink")
	return l
}

// wantLink is what a store gives back for l.
func wantLink(l share.Link) share.Link {
	l.Settings = wantSettings(l.Settings)
	return l
}

// hashOf is the hex SHA-256 of s, like the service's token hashes.
func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func testShareRoundTrip(e *env) {
	in := e.share("alice")
	checkPopulated(e.t, in)
	checkPopulated(e.t, in.Settings)
	checkPopulated(e.t, in.Sections[0])
	checkPopulated(e.t, in.Sections[0].Items[0])
	checkPopulated(e.t, in.Sections[0].Items[0].Seen)
	e.createShare(in)
	checkSame(e.t, "GetShare after CreateShare (contributors sorted, Settings.Passcode never stored)",
		e.getShare(in.ID), wantShare(in))

	// A pitch: one section without a title, no contributors, no CRM
	// references, default settings, zero times.
	p := share.Share{ID: newID(), Kind: share.KindPitch, OwnerID: "alice", Title: "Pitch",
		Sections: []share.Section{{ID: newID(), Items: []share.SharedItem{{ItemID: newID()}, {ItemID: newID()}}}}}
	e.createShare(p)
	checkSame(e.t, "GetShare of a pitch with empty optional fields and zero times", e.getShare(p.ID), p)

	// No sections at all.
	empty := share.Share{ID: newID(), Kind: share.KindRoom, OwnerID: "bob", Title: "Empty room"}
	e.createShare(empty)
	checkSame(e.t, "GetShare of a room without sections", e.getShare(empty.ID), empty)

	// Several sections, one of them empty, keep their order; items keep
	// theirs, which is not ID order.
	ordered := e.share("alice")
	ordered.Sections = []share.Section{
		{ID: "s-z", Title: "Zeta", Items: []share.SharedItem{e.sharedItem("i-9"), e.sharedItem("i-1"), e.sharedItem("i-5")}},
		{ID: "s-a", Title: "Alpha"},
		{ID: "s-m", Title: "Mu", Items: []share.SharedItem{e.sharedItem("i-3")}},
	}
	ordered.Contributors = []string{"zoe", "dave", "bob", "dave"}
	e.createShare(ordered)
	got := e.getShare(ordered.ID)
	checkSame(e.t, "GetShare keeps sections and items in the order given, and each contributor once, sorted",
		got, wantShare(ordered))
	checkIDs(e.t, "GetShare(...).Contributors (sorted, duplicates kept once)", got.Contributors, []string{"bob", "dave", "zoe"})

	// Times far from now.
	far := e.share("alice")
	far.CreatedAt = time.Date(1999, 12, 31, 23, 59, 59, 999999000, zone)
	far.Sections[0].Items[0].AddedAt = time.Date(2199, 1, 2, 3, 4, 5, 6000, time.FixedZone("UTC-08", -8*3600))
	far.Settings.ExpiresAt = far.Sections[0].Items[0].AddedAt
	e.createShare(far)
	checkSame(e.t, "GetShare of a share with distant times", e.getShare(far.ID), wantShare(far))
}

func testShareNotFound(e *env) {
	_, err := e.s.GetShare(e.ctx, newID())
	wantErr(e.t, err, share.ErrNotFound, "GetShare of a missing ID")
	ghost := e.share("alice")
	wantErr(e.t, e.s.UpdateShare(e.ctx, ghost), share.ErrNotFound, "UpdateShare of a missing share")
	_, err = e.s.GetShare(e.ctx, ghost.ID)
	wantErr(e.t, err, share.ErrNotFound, "GetShare after UpdateShare of a missing share (UpdateShare must not create it)")
	checkIDs(e.t, "ListShares(Member alice) after UpdateShare of a missing share", e.listShares(share.ShareFilter{Member: "alice"}), nil)
}

func testShareConflict(e *env) {
	s := e.createShare(e.share("alice"))
	dup := e.share("zed")
	dup.ID = s.ID
	wantErr(e.t, e.s.CreateShare(e.ctx, dup), share.ErrConflict, "CreateShare with an existing ID")
	checkSame(e.t, "a refused CreateShare must leave the existing share as it was", e.getShare(s.ID), wantShare(s))
	checkIDs(e.t, "ListShares(Member zed) after a refused CreateShare", e.listShares(share.ShareFilter{Member: "zed"}), nil)

	// An item appears at most once per share, across sections too.
	twice := e.share("carol")
	twice.Sections[1].Items = append(twice.Sections[1].Items, e.sharedItem(twice.Sections[0].Items[1].ItemID))
	wantErr(e.t, e.s.CreateShare(e.ctx, twice), share.ErrConflict, "CreateShare holding one item in two sections")
	_, err := e.s.GetShare(e.ctx, twice.ID)
	wantErr(e.t, err, share.ErrNotFound, "GetShare of a share refused for holding an item twice (nothing may be stored)")
	checkIDs(e.t, "ListShares(ItemID) of an item of a refused share",
		e.listShares(share.ShareFilter{ItemID: twice.Sections[0].Items[0].ItemID}), nil)
	sameSection := e.share("carol")
	sameSection.Sections[0].Items[1].ItemID = sameSection.Sections[0].Items[0].ItemID
	wantErr(e.t, e.s.CreateShare(e.ctx, sameSection), share.ErrConflict, "CreateShare holding one item twice in a section")

	// The same item in two shares is fine.
	other := e.share("carol")
	other.Sections[0].Items[0].ItemID = s.Sections[0].Items[0].ItemID
	noErr(e.t, e.s.CreateShare(e.ctx, other), "CreateShare holding an item another share holds")
	checkIDs(e.t, "ListShares(ItemID) of an item in two shares",
		e.listShares(share.ShareFilter{ItemID: s.Sections[0].Items[0].ItemID}), newestFirst(s.ID, other.ID))
}

func testShareUpdate(e *env) {
	orig := e.createShare(e.share("alice"))
	a, b, c := orig.Sections[0].Items[0], orig.Sections[0].Items[1], orig.Sections[1].Items[0]
	d := e.sharedItem(newID())
	at := e.now()
	upd := share.Share{
		ID: orig.ID, Kind: share.KindPitch, OwnerID: "mallory", Title: "Acme renewal v2", Message: "Welcome back",
		// Sections swapped and renamed, items moved between them and
		// reordered, b dropped, d added, c's Seen changed.
		Sections: []share.Section{
			{ID: orig.Sections[1].ID, Title: "Security & trust", Items: []share.SharedItem{d, a}},
			{ID: newID(), Title: "New"},
			{ID: orig.Sections[0].ID, Title: "Pricing", Items: []share.SharedItem{c}},
		},
		Contributors: []string{"dave", "bob"},
		AccountID:    "001-acme-2", OpportunityID: "",
		Settings: share.LinkSettings{AllowDomains: []string{"acme.example"}},
		// Not revoked any more: every field is replaced, with zero values too.
		RevokedAt: time.Time{}, CreatedAt: at, UpdatedAt: at.Add(time.Minute),
	}
	upd.Sections[2].Items[0].Seen = share.ItemState{VersionID: newID(), Status: items.StatusArchived, Audience: items.Internal}
	noErr(e.t, e.s.UpdateShare(e.ctx, upd), "UpdateShare")
	want := wantShare(upd)
	want.Kind, want.OwnerID, want.CreatedAt = orig.Kind, orig.OwnerID, orig.CreatedAt
	checkSame(e.t, "UpdateShare replaces everything but CreatedAt, OwnerID and Kind, sections, items and contributors included",
		e.getShare(orig.ID), want)

	checkIDs(e.t, "ListShares(ItemID) of an item UpdateShare removed", e.listShares(share.ShareFilter{ItemID: b.ItemID}), nil)
	checkIDs(e.t, "ListShares(ItemID) of an item UpdateShare added", e.listShares(share.ShareFilter{ItemID: d.ItemID}), []string{orig.ID})
	checkIDs(e.t, "ListShares(Member) of a contributor UpdateShare removed", e.listShares(share.ShareFilter{Member: "carol"}), nil)
	checkIDs(e.t, "ListShares(Member) of a contributor UpdateShare added", e.listShares(share.ShareFilter{Member: "dave"}), []string{orig.ID})
	checkIDs(e.t, "ListShares(Member) of the owner (UpdateShare keeps OwnerID)", e.listShares(share.ShareFilter{Member: "alice"}), []string{orig.ID})
	checkIDs(e.t, "ListShares(Member) of the OwnerID passed to UpdateShare", e.listShares(share.ShareFilter{Member: "mallory"}), nil)
	checkIDs(e.t, "ListShares(Kind room) (UpdateShare keeps Kind)", e.listShares(share.ShareFilter{Kind: share.KindRoom}), []string{orig.ID})

	// Emptied completely.
	bare := want
	bare.Sections, bare.Contributors, bare.Settings, bare.AccountID = nil, nil, share.LinkSettings{}, ""
	noErr(e.t, e.s.UpdateShare(e.ctx, bare), "UpdateShare removing every section and contributor")
	checkSame(e.t, "GetShare after UpdateShare removed every section and contributor", e.getShare(orig.ID), bare)

	// A refused update changes nothing.
	noErr(e.t, e.s.UpdateShare(e.ctx, want), "UpdateShare")
	bad := want.Clone()
	bad.Title = "Refused"
	bad.Sections[1].Items = []share.SharedItem{e.sharedItem(a.ItemID)}
	wantErr(e.t, e.s.UpdateShare(e.ctx, bad), share.ErrConflict, "UpdateShare holding one item in two sections")
	checkSame(e.t, "a refused UpdateShare must leave the share as it was", e.getShare(orig.ID), want)
}

func testShareFilters(e *env) {
	item1, item2 := newID(), newID()
	// s1: alice's room with bob and carol, holding item1.
	s1 := e.share("alice")
	s1.Sections[0].Items[0].ItemID = item1
	// s2: bob's pitch of item1 and item2.
	s2 := e.pitch("bob", item2, item1)
	// s3: carol's room where alice contributes, holding item2.
	s3 := e.share("carol")
	s3.Contributors = []string{"alice"}
	s3.Sections[1].Items[0].ItemID = item2
	// s4: alice's pitch where alice is also listed as a contributor.
	s4 := e.pitch("alice", newID())
	s4.Contributors = []string{"alice"}
	// s5: dave's room, nothing in common.
	s5 := e.share("dave")
	s5.Contributors = nil
	for _, s := range []share.Share{s3, s1, s5, s4, s2} {
		e.createShare(s)
	}
	cases := []struct {
		name string
		f    share.ShareFilter
		want []string
	}{
		{"zero filter", share.ShareFilter{}, newestFirst(s1.ID, s2.ID, s3.ID, s4.ID, s5.ID)},
		{"Member alice (owner of s1 and s4, contributor to s3; s4 once)", share.ShareFilter{Member: "alice"}, newestFirst(s1.ID, s3.ID, s4.ID)},
		{"Member bob (owner of s2, contributor to s1)", share.ShareFilter{Member: "bob"}, newestFirst(s1.ID, s2.ID)},
		{"Member carol (owner of s3, contributor to s1)", share.ShareFilter{Member: "carol"}, newestFirst(s1.ID, s3.ID)},
		{"Member nobody", share.ShareFilter{Member: "nobody"}, nil},
		{"ItemID item1", share.ShareFilter{ItemID: item1}, newestFirst(s1.ID, s2.ID)},
		{"ItemID item2 (in a second section)", share.ShareFilter{ItemID: item2}, newestFirst(s2.ID, s3.ID)},
		{"ItemID unknown", share.ShareFilter{ItemID: newID()}, nil},
		{"Kind pitch", share.ShareFilter{Kind: share.KindPitch}, newestFirst(s2.ID, s4.ID)},
		{"Kind room", share.ShareFilter{Kind: share.KindRoom}, newestFirst(s1.ID, s3.ID, s5.ID)},
		{"Member and ItemID", share.ShareFilter{Member: "alice", ItemID: item2}, []string{s3.ID}},
		{"Member and Kind", share.ShareFilter{Member: "alice", Kind: share.KindPitch}, []string{s4.ID}},
		{"ItemID and Kind", share.ShareFilter{ItemID: item1, Kind: share.KindRoom}, []string{s1.ID}},
		{"Member and BeforeID", share.ShareFilter{Member: "alice", BeforeID: s4.ID}, newestFirst(s1.ID, s3.ID)},
		{"Member and Limit (limit applies after filtering)", share.ShareFilter{Member: "bob", Limit: 1}, newestFirst(s1.ID, s2.ID)[:1]},
	}
	for _, tc := range cases {
		checkIDs(e.t, "ListShares("+tc.name+")", e.listShares(tc.f), tc.want)
	}
	list, err := e.s.ListShares(e.ctx, share.ShareFilter{Member: "bob"})
	noErr(e.t, err, "ListShares")
	checkSame(e.t, "ListShares returns whole shares", list[slices.IndexFunc(list, func(s share.Share) bool { return s.ID == s1.ID })], wantShare(s1))
}

func testShareLiveAt(e *env) {
	now := e.now()
	type spec struct {
		name  string
		live  bool
		links []func(l *share.Link)
	}
	active := func(l *share.Link) {}
	revoked := func(l *share.Link) { l.RevokedAt = now.Add(-time.Hour) }
	expired := func(l *share.Link) { l.Settings.ExpiresAt = now.Add(-time.Microsecond) }
	expiresNow := func(l *share.Link) { l.Settings.ExpiresAt = now }
	expiresLater := func(l *share.Link) { l.Settings.ExpiresAt = now.Add(time.Microsecond) }
	locked := func(l *share.Link) { l.FailedAttempts, l.LockedUntil = 5, now.Add(time.Hour) }
	specs := []spec{
		{"no link", false, nil},
		{"an active link", true, []func(*share.Link){active}},
		{"only a revoked link", false, []func(*share.Link){revoked}},
		{"only a link that expired", false, []func(*share.Link){expired}},
		{"only a link expiring at LiveAt", false, []func(*share.Link){expiresNow}},
		{"a link expiring just after LiveAt", true, []func(*share.Link){expiresLater}},
		{"a revoked, an expired and an active link", true, []func(*share.Link){revoked, expired, active}},
		{"a locked link (lock-outs do not count)", true, []func(*share.Link){locked}},
		{"the share revoked, its link active", false, []func(*share.Link){active}},
	}
	var live, all []string
	names := map[string]string{}
	for i, sp := range specs {
		s := e.share("alice")
		s.Title = sp.name
		s.RevokedAt = time.Time{}
		if i == len(specs)-1 {
			s.RevokedAt = now.Add(-time.Minute)
		}
		// The share's own settings are only the defaults of new links:
		// an expired default makes no share dead.
		s.Settings.ExpiresAt = now.Add(-24 * time.Hour)
		e.createShare(s)
		for _, mod := range sp.links {
			l := e.liveLink(s.ID)
			mod(&l)
			e.createLink(l)
		}
		all = append(all, s.ID)
		names[s.ID] = sp.name
		if sp.live {
			live = append(live, s.ID)
		}
	}
	got := e.listShares(share.ShareFilter{LiveAt: now})
	if !slices.Equal(got, newestFirst(live...)) {
		var b strings.Builder
		for _, id := range got {
			fmt.Fprintf(&b, "\n\t\t%s", names[id])
		}
		e.t.Fatalf("ListShares(LiveAt) must keep the shares not revoked with a link neither revoked nor expired (ExpiresAt zero or after LiveAt):\n\tgot%s\n\twant the shares with: an active link; a link expiring just after LiveAt; a revoked, an expired and an active link; a locked link", b.String())
	}
	checkIDs(e.t, "ListShares(LiveAt in another zone)",
		e.listShares(share.ShareFilter{LiveAt: now.In(time.FixedZone("UTC-07", -7*3600))}), newestFirst(live...))
	checkIDs(e.t, "ListShares(LiveAt one hour earlier: the link that expired is live then)",
		e.listShares(share.ShareFilter{LiveAt: now.Add(-time.Hour)}), newestFirst(live[0], all[3], all[4], live[1], live[2], live[3]))
	checkIDs(e.t, "ListShares(LiveAt and Member of nobody)", e.listShares(share.ShareFilter{LiveAt: now, Member: "nobody"}), nil)
	checkIDs(e.t, "ListShares(LiveAt and Limit 2)", e.listShares(share.ShareFilter{LiveAt: now, Limit: 2}), newestFirst(live...)[:2])

	// Revoking the last live link of a share takes it out.
	links, err := e.s.ListLinks(e.ctx, live[0])
	noErr(e.t, err, "ListLinks")
	l := links[0]
	l.RevokedAt = now
	noErr(e.t, e.s.UpdateLink(e.ctx, l), "UpdateLink revoking a link")
	checkIDs(e.t, "ListShares(LiveAt) after UpdateLink revoked the only live link of a share",
		e.listShares(share.ShareFilter{LiveAt: now}), newestFirst(live[1:]...))
}

func testSharePagination(e *env) {
	var mine []string
	err := e.s.Atomic(e.ctx, func(tx store.Store) error {
		for i := range 23 {
			s := e.pitch("alice", newID())
			if i%3 == 0 {
				s.OwnerID = "bob"
			} else {
				mine = append(mine, s.ID)
			}
			if err := tx.CreateShare(e.ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	noErr(e.t, err, "CreateShare 23 shares in Atomic")
	f := share.ShareFilter{Member: "alice", Limit: 4}
	var walked []string
	for {
		page := e.listShares(f)
		if len(page) == 0 {
			break
		}
		if len(page) > 4 {
			e.t.Fatalf("ListShares(Limit 4) returned %d shares", len(page))
		}
		for _, id := range page {
			if f.BeforeID != "" && id >= f.BeforeID {
				e.t.Fatalf("ListShares(BeforeID %q) returned %s: only shares with a lower ID may come back", f.BeforeID, id)
			}
		}
		walked = append(walked, page...)
		f.BeforeID = page[len(page)-1]
	}
	checkIDs(e.t, "ListShares(Member alice) walked 4 at a time with BeforeID", walked, newestFirst(mine...))
}

func testShareDefaultLimit(e *env) {
	var all []string
	err := e.s.Atomic(e.ctx, func(tx store.Store) error {
		for range 105 {
			s := e.pitch("alice", newID())
			all = append(all, s.ID)
			if err := tx.CreateShare(e.ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	noErr(e.t, err, "CreateShare 105 shares in Atomic")
	checkIDs(e.t, "ListShares(Limit 0) (zero means 100, newest first)", e.listShares(share.ShareFilter{}), newestFirst(all...)[:100])
	if got := e.listShares(share.ShareFilter{Limit: 105}); len(got) != 105 {
		e.t.Fatalf("ListShares(Limit 105) returned %d shares, want 105", len(got))
	}
}

func testShareCopies(e *env) {
	in := e.share("alice")
	want := wantShare(in)
	e.createShare(in)
	in.Sections[0].Title = "changed"
	in.Sections[0].Items[0].ItemID = "changed"
	in.Contributors[0] = "changed"
	in.Settings.AllowEmails[0] = "changed"
	in.Settings.DenyDomains[0] = "changed"
	checkSame(e.t, "GetShare after the caller modified the share it passed to CreateShare (stores must copy it)", e.getShare(in.ID), want)

	got := e.getShare(in.ID)
	got.Sections[1].Items[0].Seen.Status = "changed"
	got.Sections = append(got.Sections[:0], got.Sections[1])
	got.Contributors[0] = "changed"
	got.Settings.AllowDomains[0] = "changed"
	checkSame(e.t, "GetShare after the caller modified the share GetShare returned", e.getShare(in.ID), want)

	list, err := e.s.ListShares(e.ctx, share.ShareFilter{})
	noErr(e.t, err, "ListShares")
	list[0].Sections[0].Items[0].ItemID = "changed"
	list[0].Settings.AllowEmails[0] = "changed"
	checkSame(e.t, "GetShare after the caller modified the share ListShares returned", e.getShare(in.ID), want)

	upd := want.Clone()
	upd.Title = "v2"
	noErr(e.t, e.s.UpdateShare(e.ctx, upd), "UpdateShare")
	upd.Sections[0].Items[0].VersionID = "changed"
	upd.Contributors[1] = "changed"
	want.Title = "v2"
	checkSame(e.t, "GetShare after the caller modified the share it passed to UpdateShare", e.getShare(in.ID), want)
}

func testLinkRoundTrip(e *env) {
	s := e.createShare(e.share("alice"))
	other := e.createShare(e.share("bob"))
	full := e.link(s.ID, "buyer@acme.example")
	checkPopulated(e.t, full)
	checkPopulated(e.t, full.Settings)
	open := share.Link{ID: newID(), ShareID: s.ID, TokenHash: hashOf("open")}
	// Created in an order that is neither ID nor CreatedAt order.
	early := e.link(s.ID, "cfo@acme.example")
	early.CreatedAt = full.CreatedAt.Add(-time.Hour)
	open.CreatedAt = full.CreatedAt.Add(time.Hour)
	elsewhere := e.link(other.ID, "buyer@acme.example")
	for _, l := range []share.Link{full, open, elsewhere, early} {
		e.createLink(l)
	}

	got, err := e.s.GetLink(e.ctx, full.ID)
	noErr(e.t, err, "GetLink")
	checkSame(e.t, "GetLink after CreateLink (Settings.Passcode is never stored)", got, wantLink(full))
	got, err = e.s.GetLinkByTokenHash(e.ctx, full.TokenHash)
	noErr(e.t, err, "GetLinkByTokenHash")
	checkSame(e.t, "GetLinkByTokenHash", got, wantLink(full))
	got, err = e.s.GetLink(e.ctx, open.ID)
	noErr(e.t, err, "GetLink")
	checkSame(e.t, "GetLink of an open link with empty optional fields and zero times", got, open)

	list, err := e.s.ListLinks(e.ctx, s.ID)
	noErr(e.t, err, "ListLinks")
	checkIDs(e.t, "ListLinks (one share's links, oldest CreatedAt first)", ids(list, linkID), []string{early.ID, full.ID, open.ID})
	checkSame(e.t, "ListLinks returns whole links", list[1], wantLink(full))
	list, err = e.s.ListLinks(e.ctx, newID())
	noErr(e.t, err, "ListLinks of a share that does not exist (an empty list, not an error)")
	checkIDs(e.t, "ListLinks of a share that does not exist", ids(list, linkID), nil)
}

func testLinkNotFound(e *env) {
	_, err := e.s.GetLink(e.ctx, newID())
	wantErr(e.t, err, share.ErrNotFound, "GetLink of a missing ID")
	_, err = e.s.GetLinkByTokenHash(e.ctx, hashOf("nobody"))
	wantErr(e.t, err, share.ErrNotFound, "GetLinkByTokenHash of an unknown hash")
	orphan := e.link(newID(), "buyer@acme.example")
	wantErr(e.t, e.s.CreateLink(e.ctx, orphan), share.ErrNotFound, "CreateLink whose share does not exist")
	_, err = e.s.GetLink(e.ctx, orphan.ID)
	wantErr(e.t, err, share.ErrNotFound, "GetLink of a link refused for a missing share")
	wantErr(e.t, e.s.UpdateLink(e.ctx, orphan), share.ErrNotFound, "UpdateLink of a missing link")
	_, err = e.s.GetLink(e.ctx, orphan.ID)
	wantErr(e.t, err, share.ErrNotFound, "GetLink after UpdateLink of a missing link (UpdateLink must not create it)")

	// The refused link took neither its ID nor its token hash.
	s := e.createShare(e.share("alice"))
	orphan.ShareID = s.ID
	noErr(e.t, e.s.CreateLink(e.ctx, orphan), "CreateLink with the ID and token hash of a refused link")
}

func testLinkConflict(e *env) {
	s := e.createShare(e.share("alice"))
	other := e.createShare(e.share("bob"))
	l := e.createLink(e.link(s.ID, "buyer@acme.example"))
	dupID := e.link(s.ID, "cfo@acme.example")
	dupID.ID = l.ID
	wantErr(e.t, e.s.CreateLink(e.ctx, dupID), share.ErrConflict, "CreateLink with an existing ID")
	dupHash := e.link(other.ID, "cfo@acme.example")
	dupHash.TokenHash = l.TokenHash
	wantErr(e.t, e.s.CreateLink(e.ctx, dupHash), share.ErrConflict, "CreateLink with the token hash of a link of another share")
	got, err := e.s.GetLinkByTokenHash(e.ctx, l.TokenHash)
	noErr(e.t, err, "GetLinkByTokenHash")
	checkSame(e.t, "a refused CreateLink must leave the existing link as it was", got, wantLink(l))
	list, err := e.s.ListLinks(e.ctx, other.ID)
	noErr(e.t, err, "ListLinks")
	checkIDs(e.t, "ListLinks of the share whose CreateLink was refused", ids(list, linkID), nil)
}

func testLinkUpdate(e *env) {
	s := e.createShare(e.share("alice"))
	orig := e.createLink(e.link(s.ID, "buyer@acme.example"))
	other := e.createShare(e.share("bob"))
	at := e.now()
	upd := share.Link{
		ID: orig.ID, ShareID: other.ID, Recipient: "mallory@evil.example", TokenHash: hashOf("forged"),
		PasscodeHash: "$argon2id$new", Settings: share.LinkSettings{ExpiresAt: at, DenyEmails: []string{"x@y.example"}, Passcode: "plain"},
		RevokedAt: time.Time{}, CreatedAt: at, FailedAttempts: 0, LockedUntil: time.Time{},
	}
	noErr(e.t, e.s.UpdateLink(e.ctx, upd), "UpdateLink")
	want := wantLink(upd)
	want.ShareID, want.Recipient, want.TokenHash, want.CreatedAt = orig.ShareID, orig.Recipient, orig.TokenHash, orig.CreatedAt
	got, err := e.s.GetLink(e.ctx, orig.ID)
	noErr(e.t, err, "GetLink")
	checkSame(e.t, "UpdateLink replaces settings, passcode hash, revocation, failed attempts and lock-out, and keeps share, recipient, token and CreatedAt", got, want)
	got, err = e.s.GetLinkByTokenHash(e.ctx, orig.TokenHash)
	noErr(e.t, err, "GetLinkByTokenHash of the original token after UpdateLink")
	checkSame(e.t, "GetLinkByTokenHash after UpdateLink", got, want)
	_, err = e.s.GetLinkByTokenHash(e.ctx, upd.TokenHash)
	wantErr(e.t, err, share.ErrNotFound, "GetLinkByTokenHash of the TokenHash passed to UpdateLink (the token is not replaced)")
	list, err := e.s.ListLinks(e.ctx, other.ID)
	noErr(e.t, err, "ListLinks")
	checkIDs(e.t, "ListLinks of the ShareID passed to UpdateLink (the share is not replaced)", ids(list, linkID), nil)

	// And back: every replaced field is set again.
	noErr(e.t, e.s.UpdateLink(e.ctx, orig), "UpdateLink")
	got, err = e.s.GetLink(e.ctx, orig.ID)
	noErr(e.t, err, "GetLink")
	checkSame(e.t, "GetLink after UpdateLink set every replaced field again", got, wantLink(orig))
}

func testLinkCopies(e *env) {
	s := e.createShare(e.share("alice"))
	in := e.link(s.ID, "buyer@acme.example")
	want := wantLink(in)
	want.Settings = want.Settings.Clone()
	e.createLink(in)
	in.Settings.AllowEmails[0] = "changed"
	in.Settings.DenyDomains[1] = "changed"
	got, err := e.s.GetLink(e.ctx, in.ID)
	noErr(e.t, err, "GetLink")
	checkSame(e.t, "GetLink after the caller modified the settings it passed to CreateLink (stores must copy them)", got, want)
	got.Settings.AllowEmails[0] = "changed"
	again, err := e.s.GetLinkByTokenHash(e.ctx, in.TokenHash)
	noErr(e.t, err, "GetLinkByTokenHash")
	checkSame(e.t, "GetLinkByTokenHash after the caller modified the settings GetLink returned", again, want)
	again.Settings.AllowDomains[0] = "changed"
	list, err := e.s.ListLinks(e.ctx, s.ID)
	noErr(e.t, err, "ListLinks")
	checkSame(e.t, "ListLinks after the caller modified the settings GetLinkByTokenHash returned", list[0], want)
}

// gateCode returns a fully populated code for (linkID, email).
func (e *env) gateCode(linkID, email string) share.GateCode {
	created := e.now()
	return share.GateCode{LinkID: linkID, Email: email, CodeHash: hashOf("code-" + newID()),
		ExpiresAt: created.Add(10 * time.Minute), Attempts: 2, CreatedAt: created}
}

func testGateCodeRoundTrip(e *env) {
	s := e.createShare(e.share("alice"))
	l1 := e.createLink(e.liveLink(s.ID))
	l2 := e.createLink(e.liveLink(s.ID))
	c := e.gateCode(l1.ID, "buyer@acme.example")
	checkPopulated(e.t, c)
	noErr(e.t, e.s.PutGateCode(e.ctx, c), "PutGateCode")
	sameEmail := e.gateCode(l2.ID, c.Email)
	otherEmail := e.gateCode(l1.ID, "cfo@acme.example")
	noErr(e.t, e.s.PutGateCode(e.ctx, sameEmail), "PutGateCode for the same address on another link")
	noErr(e.t, e.s.PutGateCode(e.ctx, otherEmail), "PutGateCode for another address on the same link")
	get := func(linkID, email string) share.GateCode {
		e.t.Helper()
		got, err := e.s.GetGateCode(e.ctx, linkID, email)
		noErr(e.t, err, "GetGateCode")
		return got
	}
	checkSame(e.t, "GetGateCode after PutGateCode", get(l1.ID, c.Email), c)
	checkSame(e.t, "GetGateCode of the same address on another link", get(l2.ID, c.Email), sameEmail)
	checkSame(e.t, "GetGateCode of another address on the same link", get(l1.ID, otherEmail.Email), otherEmail)

	// A new code replaces the old one, every field of it.
	next := e.gateCode(l1.ID, c.Email)
	next.Attempts = 0
	noErr(e.t, e.s.PutGateCode(e.ctx, next), "PutGateCode replacing a code")
	checkSame(e.t, "GetGateCode after PutGateCode replaced the code", get(l1.ID, c.Email), next)

	noErr(e.t, e.s.DeleteGateCode(e.ctx, l1.ID, c.Email), "DeleteGateCode")
	_, err := e.s.GetGateCode(e.ctx, l1.ID, c.Email)
	wantErr(e.t, err, share.ErrNotFound, "GetGateCode after DeleteGateCode")
	wantErr(e.t, e.s.DeleteGateCode(e.ctx, l1.ID, c.Email), share.ErrNotFound, "DeleteGateCode twice")
	checkSame(e.t, "DeleteGateCode must leave the same address's code on another link", get(l2.ID, c.Email), sameEmail)
	checkSame(e.t, "DeleteGateCode must leave another address's code on the same link", get(l1.ID, otherEmail.Email), otherEmail)
}

func testGateCodeNotFound(e *env) {
	s := e.createShare(e.share("alice"))
	l := e.createLink(e.liveLink(s.ID))
	_, err := e.s.GetGateCode(e.ctx, l.ID, "nobody@acme.example")
	wantErr(e.t, err, share.ErrNotFound, "GetGateCode of an address without a code")
	_, err = e.s.GetGateCode(e.ctx, newID(), "buyer@acme.example")
	wantErr(e.t, err, share.ErrNotFound, "GetGateCode on a link that does not exist")
	wantErr(e.t, e.s.DeleteGateCode(e.ctx, l.ID, "nobody@acme.example"), share.ErrNotFound, "DeleteGateCode of an address without a code")
	orphan := e.gateCode(newID(), "buyer@acme.example")
	wantErr(e.t, e.s.PutGateCode(e.ctx, orphan), share.ErrNotFound, "PutGateCode on a link that does not exist")
	_, err = e.s.GetGateCode(e.ctx, orphan.LinkID, orphan.Email)
	wantErr(e.t, err, share.ErrNotFound, "GetGateCode of a code refused for a missing link")
}
