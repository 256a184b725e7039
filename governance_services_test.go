package briefcase_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/governance"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/notify"
	"github.com/briefcasehq/briefcase/search"
	"github.com/briefcasehq/briefcase/share"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
	"github.com/matryer/is"
)

const day = 24 * time.Hour

// sweep runs a governance sweep as the system at the test clock's time.
func (e *env) sweep(t *testing.T) governance.SweepResult {
	t.Helper()
	res, err := e.lib.Governance.Sweep(briefcase.SystemContext(e.ctx), e.clock.Now())
	if err != nil {
		t.Fatalf("sweep: %v", err)
	}
	return res
}

// governanceNotes returns (and forgets) the governance messages sent,
// as "recipient kind: subject" lines, sorted.
func (e *env) governanceNotes() []string {
	var out []string
	for _, k := range []string{"governance.digest", "governance.notices", "governance.admin_digest"} {
		for _, n := range e.notes.take(k) {
			out = append(out, n.To+" "+n.Kind+": "+n.Subject)
		}
	}
	sort.Strings(out)
	return out
}

// setPolicy sets a policy on a spot as olivia, its owner.
func (e *env) setPolicy(t *testing.T, spotID string, p governance.Policy) {
	t.Helper()
	if _, err := e.lib.Governance.SetPolicy(e.as(t, "olivia"), spotID, p, false); err != nil {
		t.Fatalf("set policy: %v", err)
	}
}

// lifecycleAudit returns the statuses an item went through by the sweep,
// from its audit entries.
func (e *env) lifecycleAudit(t *testing.T, itemID string) []string {
	t.Helper()
	entries, err := e.st.ListAudit(e.ctx, audit.Filter{TargetID: itemID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, en := range entries {
		if en.Action != "item.lifecycle" {
			continue
		}
		var after struct {
			Status string `json:"status"`
			Hidden bool   `json:"hidden"`
		}
		if err := json.Unmarshal(en.After, &after); err != nil {
			t.Fatal(err)
		}
		s := after.Status
		if after.Hidden {
			s += "(hidden)"
		}
		out = append(out, s)
	}
	return out
}

// TestLifecycleTransitions drives an item through every date-driven
// transition with a fake clock, once per expiry mode, and back.
func TestLifecycleTransitions(t *testing.T) {
	for _, mode := range []governance.ExpiryMode{governance.ExpireFlag, governance.ExpireHide, governance.ExpireArchive} {
		t.Run(string(mode), func(t *testing.T) {
			run(t, func(t *testing.T, e *env) {
				is := is.New(t)
				c := newCatalog(t, e)
				p := governance.DefaultPolicy()
				p.OnExpiry = mode
				e.setPolicy(t, c.product.ID, p)
				eddie, vic := e.as(t, "eddie"), e.as(t, "vic")
				t0 := e.clock.Now()
				it, err := e.lib.Items.Create(eddie, items.NewItem{SpotID: c.product.ID, Kind: items.KindLink, Title: "Price sheet",
					Audience: items.External, Source: items.Source{URL: "https://example.com/p"},
					AvailableAt: t0.Add(2 * day), ExpiresAt: t0.Add(40 * day)})
				is.NoErr(err)
				is.Equal(it.Status, items.StatusScheduled)
				is.Equal(it.VerifyBy, t0.Add(90*day)) // the policy's verification interval

				status := func(want items.Status, hidden bool) {
					t.Helper()
					got, err := e.st.GetItem(e.ctx, it.ID)
					is.NoErr(err)
					if got.Status != want || got.Hidden != hidden {
						t.Fatalf("at %s: status %s hidden %v, want %s hidden %v", e.clock.Now().Sub(t0), got.Status, got.Hidden, want, hidden)
					}
				}
				step := func(to time.Time, want items.Status, hidden bool) {
					t.Helper()
					e.clock.Add(to.Sub(e.clock.Now()))
					e.sweep(t)
					status(want, hidden)
				}
				step(t0.Add(day), items.StatusScheduled, false) // nothing due yet
				step(t0.Add(2*day), items.StatusPublished, false)
				step(t0.Add(10*day-time.Minute), items.StatusPublished, false)
				step(t0.Add(10*day), items.StatusExpiring, false) // 30 days before expiry
				step(t0.Add(33*day), items.StatusExpiring, false) // 7-day window: a notice, same status
				switch mode {
				case governance.ExpireFlag:
					step(t0.Add(40*day), items.StatusExpired, false)
					_, err = e.lib.Items.Get(vic, it.ID)
					is.NoErr(err) // flagged: still visible
				case governance.ExpireHide:
					step(t0.Add(40*day), items.StatusExpired, true)
					_, err = e.lib.Items.Get(vic, it.ID)
					is.Equal(code(err), errcode.NotFound) // hidden from viewers
					page, err := e.lib.Items.List(vic, items.Query{SpotID: c.product.ID})
					is.NoErr(err)
					is.Equal(len(page.Items), 0) // and from browsing
					_, err = e.lib.Items.Get(eddie, it.ID)
					is.NoErr(err) // its editors still see it
					_, err = e.lib.CatchUp(e.ctx)
					is.NoErr(err)
					res, err := e.lib.Search.Search(vic, search.Request{Query: "price sheet"})
					is.NoErr(err)
					is.Equal(res.Total, 0) // and from search
					res, err = e.lib.Search.Search(eddie, search.Request{Query: "price sheet"})
					is.NoErr(err)
					is.Equal(res.Total, 1)
				case governance.ExpireArchive:
					step(t0.Add(40*day), items.StatusArchived, false)
					_, err = e.lib.Items.Get(vic, it.ID)
					is.Equal(code(err), errcode.NotFound)
				}
				_, _, err = e.lib.Items.Shareable(e.as(t, "sam"), it.ID)
				is.True(err != nil) // never shared once expired

				// Back to published: a new expiry date (or a restore for archived items).
				e.clock.Add(day)
				if mode == governance.ExpireArchive {
					_, err = e.lib.Items.Update(eddie, it.ID, items.ItemPatch{ExpiresAt: ptr(e.clock.Now().Add(60 * day))})
					is.NoErr(err)
					status(items.StatusArchived, false) // an archived item needs a restore
					_, err = e.lib.Governance.Restore(vic, it.ID, e.clock.Now().Add(60*day))
					is.Equal(code(err), errcode.NotFound) // viewers do not even see it
					_, err = e.lib.Governance.Restore(eddie, it.ID, e.clock.Now().Add(-day))
					is.Equal(errcode.FieldsOf(err)["expires_at"], "must be in the future")
					status(items.StatusArchived, false)
					_, err = e.lib.Governance.Restore(eddie, it.ID, e.clock.Now().Add(60*day))
					is.NoErr(err)
				} else {
					_, err = e.lib.Items.Update(eddie, it.ID, items.ItemPatch{ExpiresAt: ptr(e.clock.Now().Add(60 * day))})
					is.NoErr(err)
				}
				status(items.StatusPublished, false)
				_, err = e.lib.Items.Get(vic, it.ID)
				is.NoErr(err)

				// Expire again, then come back by re-verification.
				step(e.clock.Now().Add(60*day), map[governance.ExpiryMode]items.Status{governance.ExpireFlag: items.StatusExpired,
					governance.ExpireHide: items.StatusExpired, governance.ExpireArchive: items.StatusArchived}[mode], mode == governance.ExpireHide)
				if mode != governance.ExpireArchive {
					v, err := e.lib.Items.Verify(eddie, it.ID)
					is.NoErr(err)
					is.Equal(v.Status, items.StatusPublished)
					is.Equal(v.ExpiresAt, e.clock.Now().Add(90*day)) // pushed out by the verification interval
					is.True(!v.Hidden)
				}

				// An owner archives and restores by hand.
				_, err = e.lib.Governance.Archive(vic, it.ID, "")
				is.True(err != nil)
				if mode != governance.ExpireArchive {
					a, err := e.lib.Governance.Archive(eddie, it.ID, "superseded by the 2027 sheet")
					is.NoErr(err)
					is.Equal(a.Status, items.StatusArchived)
					_, err = e.lib.Governance.Archive(eddie, it.ID, "")
					is.Equal(code(err), errcode.FailedPrecondition)
					r, err := e.lib.Governance.Restore(eddie, it.ID, time.Time{})
					is.NoErr(err)
					is.Equal(r.Status, items.StatusPublished)
				}

				// The sweep's moves are in the audit log, step by step.
				want := map[governance.ExpiryMode][]string{
					governance.ExpireFlag:    {"published", "expiring", "expired", "expired"},
					governance.ExpireHide:    {"published", "expiring", "expired(hidden)", "expired(hidden)"},
					governance.ExpireArchive: {"published", "expiring", "expired", "archived", "expired", "archived"},
				}[mode]
				is.Equal(e.lifecycleAudit(t, it.ID), want)
				// Nothing is ever deleted by governance.
				_, err = e.st.GetItem(e.ctx, it.ID)
				is.NoErr(err)
			})
		})
	}
}

func TestCanTransition(t *testing.T) {
	is := is.New(t)
	allowed := [][2]items.Status{
		{items.StatusDraft, items.StatusInReview}, {items.StatusInReview, items.StatusPublished},
		{items.StatusInReview, items.StatusDraft}, {items.StatusScheduled, items.StatusPublished},
		{items.StatusPublished, items.StatusExpiring}, {items.StatusExpiring, items.StatusExpired},
		{items.StatusPublished, items.StatusExpired}, {items.StatusExpired, items.StatusArchived},
		{items.StatusExpired, items.StatusPublished}, {items.StatusArchived, items.StatusPublished},
	}
	for _, tr := range allowed {
		is.True(governance.CanTransition(tr[0], tr[1]))
	}
	refused := [][2]items.Status{
		{items.StatusDraft, items.StatusExpired}, {items.StatusDraft, items.StatusArchived},
		{items.StatusInReview, items.StatusArchived}, {items.StatusArchived, items.StatusDraft},
		{items.StatusExpired, items.StatusDraft}, {items.StatusArchived, items.StatusInReview},
	}
	for _, tr := range refused {
		if governance.CanTransition(tr[0], tr[1]) {
			t.Errorf("%s → %s allowed", tr[0], tr[1])
		}
	}
}

// TestPolicyRequiredProperties: creating or publishing an item that breaks
// its spot's policy fails naming the fields and writes nothing; drafts are
// exempt until published; a dry run changes nothing.
func TestPolicyRequiredProperties(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		olivia, eddie := e.as(t, "olivia"), e.as(t, "eddie")
		g, err := e.lib.Items.CreateListGroup(e.as(t, "ada"), "Industry")
		is.NoErr(err)
		finance, err := e.lib.Items.CreateList(e.as(t, "ada"), g.ID, "Finance")
		is.NoErr(err)
		old, err := e.lib.Items.Create(eddie, items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument, Title: "Old deck"})
		is.NoErr(err)

		p := governance.DefaultPolicy()
		p.RequireFeedbackOwner, p.RequireList, p.RequireLabel, p.RequireDescription = true, true, true, true
		p.MaxExpiryDays, p.OnExpiry = 180, governance.ExpireHide
		dry, err := e.lib.Governance.SetPolicy(olivia, c.product.ID, p, true)
		is.NoErr(err)
		is.True(dry.DryRun)
		is.Equal(dry.ViolationCount, 1)
		is.Equal(dry.Violations[0].ItemID, old.ID)
		is.Equal(len(dry.Violations[0].Fields), 4) // list, label, description, expiry (feedback owner defaults to the creator)
		got, err := e.lib.Governance.Policy(olivia, c.product.ID)
		is.NoErr(err)
		is.Equal(got, governance.DefaultPolicy()) // the dry run stored nothing

		_, err = e.lib.Governance.SetPolicy(eddie, c.product.ID, p, false)
		is.Equal(code(err), errcode.Forbidden) // editors do not set policies
		bad := p
		bad.OnExpiry, bad.NoticeDays, bad.DefaultExpiryDays = "shred", []int{-1}, 365
		_, err = e.lib.Governance.SetPolicy(olivia, c.product.ID, bad, false)
		f := errcode.FieldsOf(err)
		is.True(f["on_expiry"] != "" && f["notice_days"] != "" && f["default_expiry_days"] != "")
		e.setPolicy(t, c.product.ID, p)

		in := items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument, Title: "New deck"}
		_, err = e.lib.Items.Create(eddie, in)
		f = errcode.FieldsOf(err)
		is.Equal(len(f), 4)
		is.True(f["list_ids"] != "" && f["labels"] != "" && f["description"] != "" && f["expires_at"] != "")
		in.ExpiresAt = e.clock.Now().Add(200 * day)
		in.ListIDs, in.Labels, in.Description = []string{finance.ID}, []string{"pricing"}, "Q4 pricing"
		_, err = e.lib.Items.Create(eddie, in)
		is.Equal(errcode.FieldsOf(err)["expires_at"], "must be at most 180 days ahead by the spot's policy")
		page, err := e.lib.Items.List(eddie, items.Query{SpotID: c.product.ID})
		is.NoErr(err)
		is.Equal(len(page.Items), 1) // refused creations wrote nothing

		in.ExpiresAt = e.clock.Now().Add(100 * day)
		ok, err := e.lib.Items.Create(eddie, in)
		is.NoErr(err)
		is.Equal(ok.ListIDs, []string{finance.ID})

		// A draft is exempt until it is published.
		draft, err := e.lib.Items.Create(eddie, items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument, Title: "WIP", Status: items.StatusDraft})
		is.NoErr(err)
		_, err = e.lib.Items.Update(eddie, draft.ID, items.ItemPatch{Status: ptr(items.StatusPublished)})
		is.Equal(len(errcode.FieldsOf(err)), 4)
		// The old item may have a typo fixed, but not lose what it has.
		_, err = e.lib.Items.Update(eddie, old.ID, items.ItemPatch{Title: ptr("Old deck (2025)")})
		is.NoErr(err)
		_, err = e.lib.Items.Update(eddie, ok.ID, items.ItemPatch{Labels: &[]string{}})
		is.True(errcode.FieldsOf(err)["labels"] != "")
	})
}

// TestApprovalFlow: items wait in review until an owner, co-owner or
// reviewer approves; nobody approves their own; rejection needs a reason
// and tells the author.
func TestApprovalFlow(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		e.user(t, spots.Principal{ID: "rita", Name: "Rita Reviewer", Email: "rita@example.com"})
		olivia, eddie, rita := e.as(t, "olivia"), e.as(t, "eddie"), e.as(t, "rita")
		p := governance.DefaultPolicy()
		p.ApprovalRequired, p.Reviewers = true, []string{"rita"}
		e.setPolicy(t, c.product.ID, p)

		it, err := e.lib.Items.Create(eddie, items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument, Title: "Battlecard"})
		is.NoErr(err)
		is.Equal(it.Status, items.StatusInReview)
		is.Equal(it.SubmittedAt, e.clock.Now())
		_, err = e.lib.Items.Get(e.as(t, "vic"), it.ID)
		is.Equal(code(err), errcode.NotFound) // not visible to viewers while in review

		e.sweep(t)
		is.Equal(e.governanceNotes(), []string{
			"olivia governance.digest: Briefcase: governance digest for Product (1 items)",
			`rita governance.notices: Briefcase: "Battlecard" waits for your approval`,
		})
		pending, err := e.lib.Governance.Pending(rita)
		is.NoErr(err)
		is.Equal(len(pending), 1)
		pending, err = e.lib.Governance.Pending(eddie)
		is.NoErr(err)
		is.Equal(len(pending), 0)

		_, err = e.lib.Governance.Approve(eddie, it.ID)
		is.Equal(code(err), errcode.Forbidden) // an editor is not a reviewer
		_, err = e.lib.Governance.Reject(rita, it.ID, "  ")
		is.Equal(errcode.FieldsOf(err)["reason"], "required: tell the author what to change")
		r, err := e.lib.Governance.Reject(rita, it.ID, "Add the 2027 prices")
		is.NoErr(err)
		is.Equal(r.Status, items.StatusDraft)
		e.sweep(t)
		notes := e.notes.take("governance.notices")
		is.Equal(len(notes), 1)
		is.Equal(notes[0].To, "eddie")
		is.True(strings.Contains(notes[0].Body, "Add the 2027 prices"))

		// Resubmitted, approved by the reviewer.
		_, err = e.lib.Items.Update(eddie, it.ID, items.ItemPatch{Status: ptr(items.StatusPublished)})
		is.NoErr(err)
		a, err := e.lib.Governance.Approve(rita, it.ID)
		is.NoErr(err)
		is.Equal(a.Status, items.StatusPublished)
		_, err = e.lib.Governance.Approve(rita, it.ID)
		is.Equal(code(err), errcode.FailedPrecondition) // not in review any more

		// Owners never approve their own content; a co-owner may.
		own, err := e.lib.Items.Create(olivia, items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument, Title: "Olivia's"})
		is.NoErr(err)
		_, err = e.lib.Governance.Approve(olivia, own.ID)
		is.Equal(code(err), errcode.Forbidden)
		_, err = e.lib.Governance.Approve(rita, own.ID)
		is.NoErr(err)
		log, err := e.st.ListAudit(e.ctx, audit.Filter{TargetID: it.ID, Limit: 100})
		is.NoErr(err)
		var actions []string
		for _, en := range log {
			actions = append(actions, en.Action)
		}
		is.True(slices.Contains(actions, "item.reject") && slices.Contains(actions, "item.approve"))
	})
}

// TestNoticeFanOut pins who gets what: the spot's owners and co-owners
// one digest, the item's editor a personal notice, the seller with a live
// pitch a share notice; once per window, never again.
func TestNoticeFanOut(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		e.user(t, spots.Principal{ID: "cora", Name: "Cora Coowner", Email: "cora@example.com", Trainings: contributor})
		e.user(t, spots.Principal{ID: "lee", Name: "Lee Lead", Email: "lee@example.com", Groups: []string{"leads"}, Trainings: contributor})
		olivia, eddie := e.as(t, "olivia"), e.as(t, "eddie")
		_, err := e.lib.Spots.Grant(olivia, c.product.ID, spots.User("cora"), spots.Coowner)
		is.NoErr(err)
		_, err = e.lib.Spots.Grant(olivia, c.product.ID, spots.Group("leads"), spots.Coowner)
		is.NoErr(err)
		t0 := e.clock.Now()
		a, err := e.lib.Items.Create(eddie, items.NewItem{SpotID: c.product.ID, Kind: items.KindLink, Title: "Deck A",
			Audience: items.External, Source: items.Source{URL: "https://example.com/a"}, ExpiresAt: t0.Add(20 * day)})
		is.NoErr(err)
		b, err := e.lib.Items.Create(olivia, items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument, Title: "Deck B",
			ExpiresAt: t0.Add(20 * day), Owners: []spots.Subject{spots.User("olivia"), spots.Group("leads")}})
		is.NoErr(err)
		_, _, err = e.lib.Shares.CreatePitch(e.as(t, "sam"), share.NewPitch{Title: "For Acme", Items: []string{a.ID},
			Recipients: []string{"buyer@acme.example"}})
		is.NoErr(err)
		e.notes.take("") // whatever sharing sent

		res := e.sweep(t) // both items are inside the 30-day window already
		is.Equal(res.Examined, 2)
		notes := e.governanceNotes()
		is.Equal(notes, []string{
			"cora governance.digest: Briefcase: governance digest for Product (2 items)",
			`eddie governance.notices: Briefcase: "Deck A" expires in 20 days`,
			"lee governance.digest: Briefcase: governance digest for Product (2 items)",
			"olivia governance.digest: Briefcase: governance digest for Product (2 items)",
			`sam governance.notices: Briefcase: "Deck A" expires in 20 days`,
		})
		// lee owns Deck B through a group, and olivia directly, but both read
		// it in their digest: one notice per recipient.
		is.Equal(res.Recorded, 8)
		is.Equal(res.Messages, 5)

		is.Equal(e.sweep(t).Recorded, 0) // idempotent
		e.clock.Add(time.Hour)
		is.Equal(e.sweep(t).Examined, 0) // nothing due until the next window
		is.Equal(len(e.governanceNotes()), 0)

		e.clock.Add(t0.Add(13 * day).Sub(e.clock.Now())) // the 7-day window
		e.sweep(t)
		is.Equal(len(e.governanceNotes()), 5)
		e.clock.Add(t0.Add(20 * day).Sub(e.clock.Now())) // expiry
		e.sweep(t)
		// At expiry, sellers hear from their shares (the impact watcher),
		// not twice from governance.
		is.Equal(e.governanceNotes(), []string{
			"cora governance.digest: Briefcase: governance digest for Product (2 items)",
			`eddie governance.notices: Briefcase: "Deck A" expired`,
			"lee governance.digest: Briefcase: governance digest for Product (2 items)",
			"olivia governance.digest: Briefcase: governance digest for Product (2 items)",
		})
		_ = b
	})
}

// newLibraryOn opens a second Library on st (e's store, wrapped).
func (e *env) newLibraryOn(t *testing.T, st store.Store) *briefcase.Library {
	t.Helper()
	blobs, err := localblobs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	lib, err := briefcase.New(e.ctx, briefcase.Config{Store: st, Blobs: blobs, Now: e.clock.Now, Notifier: &notify.Recorder{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	return lib
}

// newLibrary opens a second Library on e's store, as a restarted process
// would, with its own notifier.
func (e *env) newLibrary(t *testing.T, n briefcase.Notifier, gopt governance.Options) *briefcase.Library {
	t.Helper()
	blobs, err := localblobs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	lib, err := briefcase.New(e.ctx, briefcase.Config{Store: e.st, Blobs: blobs, Now: e.clock.Now, Notifier: n, Governance: gopt})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	return lib
}

// TestSweepCrashBetweenRecordAndSend: a sweep that dies after recording
// its notices leaves them for the next one, which sends each once; a
// failed delivery is retried after its backoff and only then.
func TestSweepCrashBetweenRecordAndSend(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		t0 := e.clock.Now()
		_, err := e.lib.Items.Create(e.as(t, "eddie"), items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument,
			Title: "Deck", ExpiresAt: t0.Add(5 * day)})
		is.NoErr(err)
		sys := briefcase.SystemContext(e.ctx)
		adv, err := e.lib.Governance.Advance(sys, e.clock.Now()) // ... and the process dies here
		is.NoErr(err)
		is.Equal(adv.Recorded, 2) // olivia's digest, eddie's notice
		is.Equal(len(e.governanceNotes()), 0)

		// The restarted process: eddie's mail server fails at first.
		rec := &notify.Recorder{Fail: func(n notify.Notification) error {
			if n.To == "eddie" {
				return errors.New("mailbox unavailable")
			}
			return nil
		}}
		lib := e.newLibrary(t, rec, governance.Options{})
		res, err := lib.Governance.Sweep(sys, e.clock.Now())
		is.NoErr(err)
		is.Equal(res.Recorded, 0) // recorded once, before the crash
		is.Equal(res.Messages, 1)
		is.Equal(res.Failed, 1)
		is.Equal(len(rec.Take("")), 1) // olivia's digest went out

		res, err = lib.Governance.Sweep(sys, e.clock.Now())
		is.NoErr(err)
		is.Equal(res.Messages+res.Failed, 0) // eddie waits for the backoff; olivia is not sent twice
		rec.Fail = nil
		e.clock.Add(time.Minute)
		res, err = lib.Governance.Sweep(sys, e.clock.Now())
		is.NoErr(err)
		is.Equal(res.Messages, 1)
		sent := rec.Take("")
		is.Equal(len(sent), 1)
		is.Equal(sent[0].To, "eddie")
		is.Equal(sent[0].Email, "eddie@example.com") // the Library fills the address
		ns, err := lib.Governance.Notices(e.as(t, "eddie"), governance.NoticeFilter{})
		is.NoErr(err)
		is.Equal(len(ns), 1)
		is.Equal(ns[0].Attempts, 1)
		is.True(!ns[0].SentAt.IsZero())
		_, err = lib.Governance.Notices(e.as(t, "eddie"), governance.NoticeFilter{Recipient: "olivia"})
		is.Equal(code(err), errcode.Forbidden)

		// A receiver that always fails is given up on after MaxAttempts.
		_, err = e.lib.Items.Create(e.as(t, "eddie"), items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument,
			Title: "Deck 2", ExpiresAt: e.clock.Now().Add(5 * day)})
		is.NoErr(err)
		rec.Fail = func(notify.Notification) error { return errors.New("down") }
		lib = e.newLibrary(t, rec, governance.Options{MaxAttempts: 3})
		attempts := 0
		for range 10 {
			res, err := lib.Governance.Sweep(sys, e.clock.Now())
			is.NoErr(err)
			attempts += res.Failed
			e.clock.Add(7 * time.Hour) // past any backoff
		}
		is.Equal(attempts, 2*3) // two notices, three attempts each
	})
}

// TestSlowWebhookNeverBlocksTheSweep: a webhook that hangs costs each
// delivery its timeout, the state changes are made all the same, and the
// notices are retried later.
func TestSlowWebhookNeverBlocksTheSweep(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		release := make(chan struct{})
		var hits atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		defer srv.Close()
		defer close(release)
		hook, err := notify.NewWebhook(notify.WebhookOptions{URL: srv.URL, Secret: []byte("0123456789abcdef0123"),
			Timeout: 50 * time.Millisecond, Retries: 1, Backoff: time.Millisecond})
		is.NoErr(err)
		lib := e.newLibrary(t, hook, governance.Options{SendTimeout: 200 * time.Millisecond})
		it, err := e.lib.Items.Create(e.as(t, "eddie"), items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument,
			Title: "Deck", ExpiresAt: e.clock.Now().Add(day)})
		is.NoErr(err)
		e.clock.Add(day)
		start := time.Now()
		res, err := lib.Governance.Sweep(briefcase.SystemContext(e.ctx), e.clock.Now())
		is.NoErr(err) // delivery failures are the notices' business, not the sweep's
		is.True(time.Since(start) < 5*time.Second)
		is.Equal(res.Transitions, 1)
		is.Equal(res.Failed, 2)
		is.True(hits.Load() >= 2) // the webhook was tried, and retried
		got, err := e.st.GetItem(e.ctx, it.ID)
		is.NoErr(err)
		is.Equal(got.Status, items.StatusExpired)
	})
}

// TestUserTrainingDeadline: users who have not done the basic training
// are told before their deadline, and admins once it has passed.
func TestUserTrainingDeadline(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		rec := &notify.Recorder{}
		lib := e.newLibrary(t, rec, governance.Options{UserTrainingDeadline: 90 * day})
		sys := briefcase.SystemContext(e.ctx)
		e.user(t, spots.Principal{ID: "nina", Name: "Nina New", Email: "nina@example.com",
			Trainings: []spots.Training{{Name: "user"}}})
		sweep := func() []string {
			t.Helper()
			_, err := lib.Governance.Sweep(sys, e.clock.Now())
			is.NoErr(err)
			var out []string
			for _, n := range rec.Take("") {
				out = append(out, n.To+": "+n.Subject)
			}
			sort.Strings(out)
			return out
		}
		is.Equal(len(sweep()), 0)
		e.clock.Add(60 * day)
		is.Equal(sweep(), []string{
			"ada: Briefcase: complete the user training in 30 days",
			"eddie: Briefcase: complete the user training in 30 days",
			"olivia: Briefcase: complete the user training in 30 days",
			"sam: Briefcase: complete the user training in 30 days",
			"vic: Briefcase: complete the user training in 30 days",
		}) // nina did it
		is.Equal(len(sweep()), 0)
		_, err := e.lib.Spots.RecordTraining(e.as(t, "ada"), "sam", "user")
		is.NoErr(err)
		e.clock.Add(30 * day)
		got := sweep()
		is.Equal(len(got), 5)
		is.Equal(got[0], "ada: Briefcase: 3 users overdue on training") // eddie, olivia, vic
		is.Equal(got[1], "ada: Briefcase: the user training is overdue")

		// An admin takes editor rights away for non-compliance, audited.
		_, err = lib.Governance.RevokeEditorRights(e.as(t, "olivia"), "eddie", "no training")
		is.Equal(code(err), errcode.Forbidden)
		_, err = lib.Governance.RevokeEditorRights(e.as(t, "ada"), "eddie", "")
		is.True(errcode.FieldsOf(err)["reason"] != "")
		p, err := lib.Governance.RevokeEditorRights(e.as(t, "ada"), "eddie", "training overdue")
		is.NoErr(err)
		is.True(!p.HasTraining(spots.TrainingContentContributor))
		log, err := lib.Governance.Audit(e.as(t, "ada"), audit.Filter{TargetID: "eddie", Limit: 10})
		is.NoErr(err)
		is.Equal(log[len(log)-1].Action, "principal.training.revoke") // one entry, with the reason
		is.Equal(log[len(log)-1].Reason, "content-contributor: editor rights revoked: training overdue")
	})
}

// TestComplianceReportAndAudit: the report counts each category for the
// spots a caller may report on; the audit log is for admins and owners.
func TestComplianceReportAndAudit(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		eddie, olivia := e.as(t, "eddie"), e.as(t, "olivia")
		t0 := e.clock.Now()
		mk := func(title string, in items.NewItem) items.Item {
			t.Helper()
			in.SpotID, in.Kind, in.Title = c.product.ID, items.KindDocument, title
			it, err := e.lib.Items.Create(eddie, in)
			is.NoErr(err)
			return it
		}
		soon := mk("Soon", items.NewItem{ExpiresAt: t0.Add(10 * day)})
		gone := mk("Gone", items.NewItem{ExpiresAt: t0.Add(day)})
		stale := mk("Stale", items.NewItem{})
		viewed := mk("Viewed", items.NewItem{})
		_, err := e.lib.Items.View(e.as(t, "vic"), viewed.ID)
		is.NoErr(err)
		is.NoErr(e.lib.Analytics.Flush(e.ctx))
		p := governance.DefaultPolicy()
		p.RequireDescription = true
		e.setPolicy(t, c.product.ID, p)
		e.clock.Add(91 * day)
		_, err = e.lib.Items.Verify(eddie, viewed.ID)
		is.NoErr(err)
		e.sweep(t)

		rep, err := e.lib.Governance.Report(eddie, c.product.ID)
		is.NoErr(err)
		is.Equal(len(rep.Spots), 1)
		r := rep.Spots[0]
		is.Equal(r.Items, 4)
		is.Equal(r.Counts.Violating, 4) // no descriptions
		is.Equal(r.Counts.Expired, 2)   // soon and gone, 91 days on
		is.Equal(r.Counts.Unverified, 1)
		is.Equal(r.Unverified[0].ItemID, stale.ID)
		is.Equal(*r.Counts.NeverViewed, 1) // stale; expired ones are not counted
		is.Equal(r.NeverViewed[0].ItemID, stale.ID)
		_ = soon
		_ = gone

		_, err = e.lib.Governance.Report(e.as(t, "vic"), c.product.ID)
		is.Equal(code(err), errcode.Forbidden) // viewers do not read compliance
		_, err = e.lib.Governance.Report(e.as(t, "vic"), c.board.ID)
		is.Equal(code(err), errcode.NotFound)
		all, err := e.lib.Governance.Report(e.as(t, "ada"), "")
		is.NoErr(err)
		is.Equal(len(all.Spots), 3)

		// Audit: olivia reads her spots', eddie (an editor) does not.
		log, err := e.lib.Governance.Audit(olivia, audit.Filter{SpotIDs: []string{c.product.ID}, Limit: 1000})
		is.NoErr(err)
		is.True(len(log) > 0)
		for _, en := range log {
			is.Equal(en.SpotID, c.product.ID)
		}
		_, err = e.lib.Governance.Audit(eddie, audit.Filter{})
		is.Equal(code(err), errcode.Forbidden)
		_, err = e.lib.Governance.Audit(olivia, audit.Filter{SpotIDs: []string{"elsewhere"}})
		is.Equal(code(err), errcode.Forbidden)
		_, err = e.lib.Governance.Audit(olivia, audit.Filter{Limit: 5000})
		is.True(errcode.FieldsOf(err)["limit"] != "")
	})
}

// racingStore runs hook once, right after a sweep read its due items:
// a write racing the sweep.
type racingStore struct {
	store.Store
	hook func()
}

func (r *racingStore) DueItems(ctx context.Context, now time.Time, limit int) ([]items.Item, error) {
	due, err := r.Store.DueItems(ctx, now, limit)
	if h := r.hook; h != nil {
		r.hook = nil
		h()
	}
	return due, err
}

// TestWritesRacingASweepAreNotLost: an item published, or a policy
// changed, while a sweep plans is judged afresh by the next sweep, never
// frozen by the stale plan.
func TestWritesRacingASweepAreNotLost(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		p := governance.DefaultPolicy()
		p.OnExpiry = governance.ExpireHide
		e.setPolicy(t, c.product.ID, p)
		eddie := e.as(t, "eddie")
		draft, err := e.lib.Items.Create(eddie, items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument, Title: "Draft",
			Status: items.StatusDraft, ExpiresAt: e.clock.Now().Add(5 * day)})
		is.NoErr(err)
		flagged, err := e.lib.Items.Create(eddie, items.NewItem{SpotID: c.board.ID, Kind: items.KindDocument, Title: "Board deck",
			ExpiresAt: e.clock.Now().Add(day)})
		if err != nil { // eddie is no editor of the board: olivia makes it
			flagged, err = e.lib.Items.Create(e.as(t, "olivia"), items.NewItem{SpotID: c.board.ID, Kind: items.KindDocument,
				Title: "Board deck", ExpiresAt: e.clock.Now().Add(day)})
		}
		is.NoErr(err)
		e.sweep(t)
		e.clock.Add(day)

		rs := &racingStore{Store: e.st}
		lib := e.newLibraryOn(t, rs)
		rs.hook = func() {
			_, err := e.lib.Items.Update(eddie, draft.ID, items.ItemPatch{Status: ptr(items.StatusPublished)})
			is.NoErr(err)
			a := governance.DefaultPolicy()
			a.OnExpiry = governance.ExpireArchive
			_, err = e.lib.Governance.SetPolicy(e.as(t, "olivia"), c.board.ID, a, false)
			is.NoErr(err)
		}
		_, err = lib.Governance.Sweep(briefcase.SystemContext(e.ctx), e.clock.Now())
		is.NoErr(err)
		got, err := e.st.GetItem(e.ctx, flagged.ID)
		is.NoErr(err)
		is.True(got.SweepAt.IsZero()) // the stale plan (flag it) was dropped; still due

		e.sweep(t) // the next sweep applies the new policy
		got, err = e.st.GetItem(e.ctx, flagged.ID)
		is.NoErr(err)
		is.Equal(got.Status, items.StatusArchived)
		e.clock.Add(5 * day)
		e.sweep(t)
		got, err = e.st.GetItem(e.ctx, draft.ID)
		is.NoErr(err)
		is.Equal(got.Status, items.StatusExpired) // published during the first sweep, expired and hidden since
		is.True(got.Hidden)
	})
}

// TestConcurrentDeliveriesSendOnce: sweeps delivering at the same time
// (Run, the API, the CLI, other nodes) send each message once.
func TestConcurrentDeliveriesSendOnce(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		_, err := e.lib.Items.Create(e.as(t, "eddie"), items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument,
			Title: "Deck", ExpiresAt: e.clock.Now().Add(5 * day)})
		is.NoErr(err)
		sys := briefcase.SystemContext(e.ctx)
		_, err = e.lib.Governance.Advance(sys, e.clock.Now())
		is.NoErr(err)
		var inner *briefcase.Library
		var once sync.Once
		rec := &notify.Recorder{}
		slow := notify.Func(func(ctx context.Context, n notify.Notification) error {
			once.Do(func() { // a second delivery starts while the first sends
				_, err := inner.Governance.Deliver(sys, e.clock.Now())
				is.NoErr(err)
			})
			return rec.Notify(ctx, n)
		})
		inner = e.newLibrary(t, rec, governance.Options{})
		lib := e.newLibrary(t, slow, governance.Options{SendConcurrency: 1})
		// The first delivery is late (its sweep's Advance took ten minutes):
		// its claim still holds against one that starts on time.
		_, err = lib.Governance.Deliver(sys, e.clock.Now().Add(-10*time.Minute))
		is.NoErr(err)
		is.Equal(rec.Len(), 2) // olivia's digest and eddie's notice, once each
	})
}

// TestNoticesOnlyForWhatTheRecipientMaySee: an owner or feedback owner
// who may not view an item is never told about it.
func TestNoticesOnlyForWhatTheRecipientMaySee(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		_, err := e.lib.Items.Create(e.as(t, "olivia"), items.NewItem{SpotID: c.board.ID, Kind: items.KindDocument,
			Title: "Secret acquisition plan", ExpiresAt: e.clock.Now().Add(20 * day),
			Owners: []spots.Subject{spots.User("olivia"), spots.User("vic")}, FeedbackOwner: "vic"})
		is.NoErr(err)
		e.sweep(t)
		for _, n := range e.governanceNotes() {
			is.True(!strings.HasPrefix(n, "vic ")) // vic may not view the board
		}
		ns, err := e.lib.Governance.Notices(e.as(t, "vic"), governance.NoticeFilter{})
		is.NoErr(err)
		is.Equal(len(ns), 0)
	})
}

// TestLifecycleGuards: no write skips the state machine.
func TestLifecycleGuards(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		eddie, olivia := e.as(t, "eddie"), e.as(t, "olivia")
		// A draft whose expiry date has passed is not published without a new one.
		d, err := e.lib.Items.Create(eddie, items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument, Title: "Old draft",
			Status: items.StatusDraft, ExpiresAt: e.clock.Now().Add(day)})
		is.NoErr(err)
		e.clock.Add(2 * day)
		_, err = e.lib.Items.Update(eddie, d.ID, items.ItemPatch{Status: ptr(items.StatusPublished)})
		is.Equal(errcode.FieldsOf(err)["expires_at"], "has passed: set a new expiry date")
		_, err = e.lib.Items.Update(eddie, d.ID, items.ItemPatch{Status: ptr(items.StatusPublished), ExpiresAt: ptr(e.clock.Now().Add(day))})
		is.NoErr(err)

		// An item that expired while in review is not approved as published.
		p := governance.DefaultPolicy()
		p.ApprovalRequired = true
		e.setPolicy(t, c.product.ID, p)
		r, err := e.lib.Items.Create(eddie, items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument, Title: "Slow review",
			ExpiresAt: e.clock.Now().Add(day)})
		is.NoErr(err)
		is.Equal(r.Status, items.StatusInReview)
		e.clock.Add(2 * day)
		_, err = e.lib.Governance.Approve(olivia, r.ID)
		is.Equal(code(err), errcode.FailedPrecondition)

		// Moving expiring content into a spot that requires approval keeps
		// it where the lifecycle allows.
		x, err := e.lib.Items.Create(olivia, items.NewItem{SpotID: c.team.ID, Kind: items.KindDocument, Title: "Expiring",
			ExpiresAt: e.clock.Now().Add(5 * day)})
		is.NoErr(err)
		e.sweep(t)
		got, err := e.st.GetItem(e.ctx, x.ID)
		is.NoErr(err)
		is.Equal(got.Status, items.StatusExpiring)
		moved, err := e.lib.Items.Update(olivia, x.ID, items.ItemPatch{SpotID: ptr(c.product.ID)})
		is.NoErr(err)
		is.Equal(moved.Status, items.StatusExpiring)
		is.True(governance.CanTransition(got.Status, moved.Status))

		// A restore's new expiry date must follow the availability date.
		later, err := e.lib.Items.Create(olivia, items.NewItem{SpotID: c.team.ID, Kind: items.KindDocument, Title: "Launch",
			AvailableAt: e.clock.Now().Add(10 * day), ExpiresAt: e.clock.Now().Add(20 * day)})
		is.NoErr(err)
		_, err = e.lib.Governance.Archive(olivia, later.ID, "")
		is.NoErr(err)
		_, err = e.lib.Governance.Restore(olivia, later.ID, e.clock.Now().Add(5*day))
		is.Equal(errcode.FieldsOf(err)["expires_at"], "must be after available_at")
		kept, err := e.st.GetItem(e.ctx, later.ID)
		is.NoErr(err)
		is.Equal(kept.Status, items.StatusArchived) // refused: nothing changed
		is.Equal(kept.ExpiresAt, later.ExpiresAt)
	})
}

// TestWritesDuringASweepDoNotCrowdIt: items written while a sweep runs are
// due from their write, after the sweep's start, so they never fill its
// batches and stop it early.
func TestWritesDuringASweepDoNotCrowdIt(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		eddie := e.as(t, "eddie")
		var due []items.Item
		for i := range 5 {
			it, err := e.lib.Items.Create(eddie, items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument,
				Title: fmt.Sprint("due ", i), ExpiresAt: e.clock.Now().Add(40 * day)})
			is.NoErr(err)
			due = append(due, it)
		}
		rs := &racingStore{Store: e.st}
		blobs, err := localblobs.New(t.TempDir())
		is.NoErr(err)
		lib, err := briefcase.New(e.ctx, briefcase.Config{Store: rs, Blobs: blobs, Now: e.clock.Now,
			Notifier: &notify.Recorder{}, Governance: governance.Options{BatchSize: 2}})
		is.NoErr(err)
		defer lib.Close()
		start := e.clock.Now()
		rs.hook = func() { // two edits land just after the sweep began
			e.clock.Add(time.Microsecond)
			for _, it := range due[:2] {
				_, err := e.lib.Items.Update(eddie, it.ID, items.ItemPatch{Title: ptr(it.Title + " (edited)")})
				is.NoErr(err)
			}
		}
		res, err := lib.Governance.Sweep(briefcase.SystemContext(e.ctx), start)
		is.NoErr(err)
		is.Equal(res.Examined, 5) // every item due at the start, in batches of 2
		_ = rs
	})
}
