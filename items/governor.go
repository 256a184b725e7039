package items

import (
	"context"
	"time"
)

// Op names the item write a Rules check is asked about.
type Op string

// Writes Rules.Admit is consulted on.
const (
	OpCreate Op = "create"
	OpUpdate Op = "update"
	OpVerify Op = "verify"
)

// Governor supplies the governance rules of spots; governance.Service
// implements it, and the items service consults it (Options.Governor) on
// every create, update and verification. Without one, items follow no
// spot policy.
type Governor interface {
	// Rules returns the rules of items homed in spotID.
	Rules(ctx context.Context, spotID string) (Rules, error)
}

// Rules apply one spot's governance policy to an item write.
type Rules interface {
	// Admit is called inside the write's transaction with the stored item
	// (the zero Item on create) and the item about to be written. It may
	// fill defaults (an expiry date, a verification date), set the status
	// (in_review when the spot requires approval; expiring, expired or
	// published again by date) and Hidden; it returns an error wrapping
	// ErrInvalid with the fields the policy requires (errcode.Fields). It
	// does no I/O.
	Admit(op Op, before Item, it *Item, now time.Time) error
}

// rules returns the rules of spotID, or nil without a Governor.
func (s *Service) rules(ctx context.Context, spotID string) (Rules, error) {
	if s.opt.Governor == nil {
		return nil, nil
	}
	return s.opt.Governor.Rules(ctx, spotID)
}

// admit applies r (which may be nil) to a write.
func admit(r Rules, op Op, before Item, it *Item, now time.Time) error {
	// Every write is looked at by a sweep that starts after it: due from
	// now (not from the zero time, so that writes made while a sweep runs
	// do not crowd the front of its due list).
	it.SweepAt = now
	if r == nil {
		return nil
	}
	return r.Admit(op, before, it, now)
}
