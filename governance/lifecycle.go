package governance

import (
	"slices"
	"time"

	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/items"
)

// transitions are the lifecycle's allowed moves. Drafts are submitted for
// review or published; a review ends in publication or back in draft;
// dates move published content through expiring and expired (a sweep that
// did not run during a window may skip expiring), archive mode or an owner
// archives it, and a new expiry date, a re-verification or a restore brings
// it back.
var transitions = map[items.Status][]items.Status{
	items.StatusDraft:     {items.StatusInReview, items.StatusScheduled, items.StatusPublished, items.StatusExpiring},
	items.StatusInReview:  {items.StatusDraft, items.StatusScheduled, items.StatusPublished, items.StatusExpiring},
	items.StatusScheduled: {items.StatusDraft, items.StatusInReview, items.StatusPublished, items.StatusExpiring, items.StatusExpired, items.StatusArchived},
	items.StatusPublished: {items.StatusDraft, items.StatusInReview, items.StatusScheduled, items.StatusExpiring, items.StatusExpired, items.StatusArchived},
	items.StatusExpiring:  {items.StatusDraft, items.StatusScheduled, items.StatusPublished, items.StatusExpired, items.StatusArchived},
	items.StatusExpired:   {items.StatusScheduled, items.StatusPublished, items.StatusExpiring, items.StatusArchived},
	items.StatusArchived:  {items.StatusScheduled, items.StatusPublished, items.StatusExpiring},
}

// CanTransition reports whether the lifecycle allows moving an item from
// one status to another. Staying put is always allowed.
func CanTransition(from, to items.Status) bool {
	return from == to || slices.Contains(transitions[from], to)
}

// dated are the statuses whose value follows from the item's dates.
var dated = []items.Status{items.StatusScheduled, items.StatusPublished, items.StatusExpiring, items.StatusExpired}

// derive sets the status and Hidden flag that an item's dates give it
// under p at now. Drafts, items in review and archived items keep theirs
// (archived ones are un-hidden: their status already hides them).
func (p Policy) derive(it *items.Item, now time.Time) {
	if !slices.Contains(dated, it.Status) {
		it.Hidden = false
		return
	}
	it.Hidden = false
	switch {
	case !it.ExpiresAt.IsZero() && !now.Before(it.ExpiresAt):
		it.Status = items.StatusExpired
		switch p.OnExpiry {
		case ExpireArchive:
			it.Status = items.StatusArchived
		case ExpireHide:
			it.Hidden = true
		}
	case it.AvailableAt.After(now):
		it.Status = items.StatusScheduled
	case !it.ExpiresAt.IsZero() && p.expiringWindow() > 0 && !now.Before(it.ExpiresAt.Add(-p.expiringWindow())):
		it.Status = items.StatusExpiring
	default:
		it.Status = items.StatusPublished
	}
}

// window returns the notice window an item with this deadline is in at
// now: the smallest of p's windows whose start has passed. ok is false
// before the largest window or without a deadline.
func (p Policy) window(deadline, now time.Time) (w int, ok bool) {
	if deadline.IsZero() {
		return 0, false
	}
	for _, d := range p.NoticeDays { // largest first
		if !now.Before(deadline.Add(-days(d))) {
			w, ok = d, true
		}
	}
	return w, ok
}

// nextBoundary returns the first moment after now at which a window of
// this deadline opens (the deadline itself included), or the zero time.
func (p Policy) nextBoundary(deadline, now time.Time) time.Time {
	var next time.Time
	if deadline.IsZero() {
		return next
	}
	for _, d := range append(slices.Clone(p.NoticeDays), 0) {
		t := deadline.Add(-days(d))
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	return next
}

// Never is the SweepAt of items no date will ever bring back to the
// sweeper (until they are written again).
var Never = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// nextSweep is when the sweeper must look at the item again.
func (p Policy) nextSweep(it items.Item, now time.Time) time.Time {
	next := Never
	consider := func(t time.Time) {
		if !t.IsZero() && t.After(now) && t.Before(next) {
			next = t
		}
	}
	switch it.Status {
	case items.StatusDraft, items.StatusInReview, items.StatusArchived:
		// Only a write (which resets SweepAt) changes these.
		return next
	}
	consider(it.AvailableAt)
	consider(p.nextBoundary(it.ExpiresAt, now))
	if p.VerifyIntervalDays > 0 {
		consider(p.nextBoundary(it.VerifyBy, now))
	}
	return next
}

// rules are one spot's policy applied to item writes (items.Rules).
type rules struct{ p Policy }

// restoreDays is how far ahead re-verifying an item past its expiry date
// moves that date: the default expiry, else the longest allowed, else the
// verification interval, else 90 days.
func (p Policy) restoreDays() int {
	for _, d := range []int{p.DefaultExpiryDays, p.MaxExpiryDays, p.VerifyIntervalDays} {
		if d > 0 {
			return d
		}
	}
	return 90
}

// Admit applies the policy to an item write; see items.Rules. The required
// properties apply when an item is published (created as published, or
// moved out of draft or review) or moved into this spot; other edits are
// judged only on the properties they change, so a typo can be fixed in an
// item created before the policy was. Drafts are exempt until published.
func (r rules) Admit(op items.Op, before items.Item, it *items.Item, now time.Time) error {
	p := r.p
	var f errcode.Fields
	live := it.Status != items.StatusDraft && it.Status != items.StatusInReview
	switch op {
	case items.OpCreate:
		if it.ExpiresAt.IsZero() && p.DefaultExpiryDays > 0 {
			it.ExpiresAt = later(now, it.AvailableAt).Add(days(p.DefaultExpiryDays))
		}
		if it.VerifyBy.IsZero() && p.VerifyIntervalDays > 0 {
			it.VerifyBy = now.Add(days(p.VerifyIntervalDays))
		}
		if live {
			p.check(&f, *it, now, true, true, true, true, true)
			if p.ApprovalRequired {
				it.Status, it.SubmittedAt = items.StatusInReview, now
			}
		}
	case items.OpUpdate:
		entering := before.Status == items.StatusDraft || before.Status == items.StatusInReview || before.SpotID != it.SpotID
		switch {
		case live && entering:
			p.check(&f, *it, now, true, true, true, true, true)
			if !it.ExpiresAt.IsZero() && !it.ExpiresAt.After(now) {
				f.Add("expires_at", "has passed: set a new expiry date")
			}
			moving := before.SpotID != it.SpotID && (it.Status == items.StatusPublished || it.Status == items.StatusScheduled)
			if p.ApprovalRequired && (before.Status == items.StatusDraft || moving) {
				it.Status, it.SubmittedAt = items.StatusInReview, now
			}
		case live:
			p.check(&f, *it, now, it.FeedbackOwner != before.FeedbackOwner, !it.ExpiresAt.Equal(before.ExpiresAt),
				false, !slices.Equal(it.Labels, before.Labels), it.Description != before.Description)
		}
		if before.SpotID != it.SpotID && it.VerifyBy.IsZero() && p.VerifyIntervalDays > 0 {
			it.VerifyBy = now.Add(days(p.VerifyIntervalDays))
		}
	case items.OpVerify:
		if p.VerifyIntervalDays > 0 {
			it.VerifyBy = now.Add(days(p.VerifyIntervalDays))
		}
		if (it.Status == items.StatusExpired || it.Status == items.StatusExpiring) &&
			!it.ExpiresAt.IsZero() && !now.Before(it.ExpiresAt) {
			// Re-verifying content past its date restores it.
			it.ExpiresAt = now.Add(days(p.restoreDays()))
		}
	}
	if err := f.Err(items.ErrInvalid); err != nil {
		return err
	}
	p.derive(it, now)
	if op != items.OpCreate && !CanTransition(before.Status, it.Status) {
		return errcode.Invalidf(items.ErrInvalid, "status", "a %s item cannot become %s", before.Status, it.Status)
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
