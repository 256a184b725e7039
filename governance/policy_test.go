package governance

import (
	"testing"
	"time"

	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/items"
	"github.com/matryer/is"
)

func TestParsePolicy(t *testing.T) {
	is := is.New(t)
	p, err := ParsePolicy(nil)
	is.NoErr(err)
	is.Equal(p, DefaultPolicy())

	p, err = ParsePolicy([]byte(`{"require_label": true, "notice_days": [7, 30, 7, 0]}`))
	is.NoErr(err)
	is.True(p.RequireLabel)
	is.Equal(p.NoticeDays, []int{30, 7, 0}) // sorted from the largest, duplicates gone
	is.Equal(p.VerifyIntervalDays, 90)      // left out: the default
	is.Equal(p.OnExpiry, ExpireFlag)

	p, err = ParsePolicy([]byte(`{"notice_days": [], "verify_interval_days": 0}`))
	is.NoErr(err)
	is.Equal(p.NoticeDays, []int{}) // explicitly none
	is.Equal(p.VerifyIntervalDays, 0)

	for doc, field := range map[string]string{
		`{"colour": "red"}`:          "policy",
		`{"max_expiry_days": "ten"}`: "max_expiry_days",
		`not json`:                   "policy",
		`{"on_expiry": "shred"}`:     "on_expiry",
		`{"notice_days": [400]}`:     "notice_days",
		`{"max_expiry_days": -1}`:    "max_expiry_days",
		`{"max_expiry_days": 30, "default_expiry_days": 60}`: "default_expiry_days",
		`{"verify_interval_days": 5000}`:                     "verify_interval_days",
		`{"reviewers": [" "]}`:                               "reviewers",
		`{"notice_days": [1,2,3,4,5,6,7,8,9,10,11]}`:         "notice_days",
	} {
		_, err := ParsePolicy([]byte(doc))
		if errcode.FieldsOf(err)[field] == "" {
			t.Errorf("%s: want an error naming %s, got %v", doc, field, err)
		}
	}
}

func TestDeriveWindowsAndNextSweep(t *testing.T) {
	is := is.New(t)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	p := DefaultPolicy()
	it := items.Item{Status: items.StatusPublished, ExpiresAt: now.Add(20 * 24 * time.Hour), VerifyBy: now.Add(50 * 24 * time.Hour)}

	derived := it
	p.derive(&derived, now)
	is.Equal(derived.Status, items.StatusExpiring) // inside the 30-day window

	w, ok := p.window(it.ExpiresAt, now)
	is.True(ok)
	is.Equal(w, 30)
	w, ok = p.window(it.ExpiresAt, it.ExpiresAt.Add(-7*24*time.Hour))
	is.True(ok)
	is.Equal(w, 7)
	_, ok = p.window(it.ExpiresAt, it.ExpiresAt.Add(-31*24*time.Hour))
	is.True(!ok)

	// The next look is the nearest boundary ahead: the 7-day window.
	is.Equal(p.nextSweep(derived, now), it.ExpiresAt.Add(-7*24*time.Hour))
	// No dates: never, until written again.
	is.Equal(p.nextSweep(items.Item{Status: items.StatusPublished}, now), Never)
	// Drafts wait for a write.
	is.Equal(p.nextSweep(items.Item{Status: items.StatusDraft, ExpiresAt: it.ExpiresAt}, now), Never)

	for mode, want := range map[ExpiryMode]struct {
		status items.Status
		hidden bool
	}{ExpireFlag: {items.StatusExpired, false}, ExpireHide: {items.StatusExpired, true}, ExpireArchive: {items.StatusArchived, false}} {
		p.OnExpiry = mode
		gone := it
		p.derive(&gone, it.ExpiresAt)
		is.Equal(gone.Status, want.status)
		is.Equal(gone.Hidden, want.hidden)
	}

	// Scheduled until available; drafts and archived items keep theirs.
	later := items.Item{Status: items.StatusPublished, AvailableAt: now.Add(time.Hour)}
	p.derive(&later, now)
	is.Equal(later.Status, items.StatusScheduled)
	for _, st := range []items.Status{items.StatusDraft, items.StatusInReview, items.StatusArchived} {
		x := items.Item{Status: st, ExpiresAt: now.Add(-time.Hour)}
		p.derive(&x, now)
		is.Equal(x.Status, st)
	}
}

func TestAdmit(t *testing.T) {
	is := is.New(t)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	p := DefaultPolicy()
	p.DefaultExpiryDays, p.MaxExpiryDays, p.ApprovalRequired = 30, 60, true
	r := rules{p}

	it := items.Item{Status: items.StatusPublished, Title: "x"}
	is.NoErr(r.Admit(items.OpCreate, items.Item{}, &it, now))
	is.Equal(it.ExpiresAt, now.Add(30*24*time.Hour)) // the default expiry
	is.Equal(it.VerifyBy, now.Add(90*24*time.Hour))
	is.Equal(it.Status, items.StatusInReview) // waits for approval
	is.Equal(it.SubmittedAt, now)

	far := items.Item{Status: items.StatusPublished, ExpiresAt: now.Add(90 * 24 * time.Hour)}
	err := r.Admit(items.OpCreate, items.Item{}, &far, now)
	is.True(errcode.FieldsOf(err)["expires_at"] != "")

	draft := items.Item{Status: items.StatusDraft, ExpiresAt: now.Add(90 * 24 * time.Hour)}
	is.NoErr(r.Admit(items.OpCreate, items.Item{}, &draft, now)) // drafts are exempt

	// Re-verifying an item past its date restores it with a new date.
	old := items.Item{Status: items.StatusExpired, ExpiresAt: now.Add(-time.Hour)}
	v := old
	is.NoErr(r.Admit(items.OpVerify, old, &v, now))
	is.Equal(v.Status, items.StatusExpiring) // 30 days ahead is inside the 30-day window
	is.Equal(v.ExpiresAt, now.Add(30*24*time.Hour))
}
