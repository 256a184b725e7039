package governance

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
)

// maxReasonLen caps a rejection's or an archive's reason.
const maxReasonLen = 2000

// Approve publishes an item waiting in review (it becomes scheduled,
// expiring or expired instead when its dates say so). The spot's owners and
// co-owners and the policy's reviewers may approve, but never an item they
// created themselves (four eyes); admins may, through an audited override.
// The item's creator is told.
func (s *Service) Approve(ctx context.Context, itemID string) (items.Item, error) {
	return s.review(ctx, itemID, true, "")
}

// Reject sends an item in review back to draft with a reason (required),
// which its creator is told; the same people as Approve may.
func (s *Service) Reject(ctx context.Context, itemID, reason string) (items.Item, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return items.Item{}, invalid("reason", "required: tell the author what to change")
	case !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > maxReasonLen:
		return items.Item{}, invalid("reason", "must be valid UTF-8 of at most %d characters", maxReasonLen)
	}
	return s.review(ctx, itemID, false, reason)
}

func (s *Service) review(ctx context.Context, itemID string, approve bool, reason string) (items.Item, error) {
	actor, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return items.Item{}, err
	}
	it, err := s.st.GetItem(ctx, itemID)
	if err != nil {
		return items.Item{}, fmt.Errorf("governance: item %s: %w", itemID, err)
	}
	spot, override, err := s.reviewer(ctx, actor, it)
	if err != nil {
		return items.Item{}, err
	}
	p, err := PolicyOf(spot)
	if err != nil {
		return items.Item{}, err
	}
	now := s.now()
	var after items.Item
	err = s.atomic(ctx, func(tx Stores) error {
		cur, err := tx.GetItem(ctx, itemID)
		if err != nil {
			return err
		}
		if cur.Status != items.StatusInReview {
			return fmt.Errorf("%w: %s is %s, not in review", ErrPrecondition, itemID, cur.Status)
		}
		if cur.SpotID != it.SpotID {
			return fmt.Errorf("%w: the item moved to another spot meanwhile; retry", ErrPrecondition)
		}
		after = cur.Clone()
		after.UpdatedAt, after.SweepAt = now, now
		action, kind := "item.approve", NoticeApproved
		if approve {
			after.Status = items.StatusPublished
			p.derive(&after, now)
			if after.Status == items.StatusExpired || after.Status == items.StatusArchived {
				return fmt.Errorf("%w: %s expired while in review: its author sets a new expiry date first", ErrPrecondition, itemID)
			}
		} else {
			after.Status, action, kind = items.StatusDraft, "item.reject", NoticeRejected
		}
		if err := tx.UpdateItem(ctx, after); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, audit.Entry{At: now, Actor: actor.ID, Action: action, TargetKind: "item",
			TargetID: itemID, SpotID: cur.SpotID, Override: override, Reason: reason,
			Before: audit.JSON(cur), After: audit.JSON(after)}); err != nil {
			return err
		}
		if cur.CreatedBy == "" || cur.CreatedBy == actor.ID {
			return nil
		}
		_, err = tx.AddNotices(ctx, []Notice{{ID: s.opt.NewID(),
			Key:       noticeKey(cur.SubmittedAt, -1, string(kind), itemID, cur.CreatedBy),
			Recipient: cur.CreatedBy, Kind: kind, ItemID: itemID, SpotID: cur.SpotID, Title: cur.Title, Window: -1,
			Detail: reason, CreatedAt: now}})
		return err
	})
	if err != nil {
		return items.Item{}, fmt.Errorf("governance: review %s: %w", itemID, err)
	}
	return s.st.GetItem(ctx, itemID)
}

// reviewer decides whether actor may approve or reject it; override is
// true when only admin powers allow it.
func (s *Service) reviewer(ctx context.Context, actor spots.Principal, it items.Item) (spots.Spot, bool, error) {
	spot, d, err := s.spots.Decide(ctx, it.SpotID, spots.ActionDelete)
	if err != nil {
		return spots.Spot{}, false, err
	}
	p, err := PolicyOf(spot)
	if err != nil {
		return spots.Spot{}, false, err
	}
	may := d.Allowed && !d.Override
	if !may && slices.Contains(p.Reviewers, actor.ID) {
		// Designated reviewers review what is in spots they may see.
		_, vd, err := s.spots.Decide(ctx, it.SpotID, spots.ActionView)
		may = err == nil && vd.Allowed && !vd.Override
	}
	if may && it.CreatedBy != actor.ID {
		return spot, false, nil
	}
	if actor.IsAdmin() {
		return spot, true, nil
	}
	if may {
		return spots.Spot{}, false, fmt.Errorf("%w: you created %s: another reviewer must approve it", ErrForbidden, it.ID)
	}
	if _, vd, err := s.spots.Decide(ctx, it.SpotID, spots.ActionEdit); err == nil && vd.Allowed {
		return spots.Spot{}, false, fmt.Errorf("%w: only the spot's owners, co-owners and reviewers approve content", ErrForbidden)
	}
	return spots.Spot{}, false, fmt.Errorf("governance: item %s: %w", it.ID, items.ErrNotFound)
}

// Pending returns the items waiting for the caller's review, oldest
// submission first: those in review in spots it owns or co-owns, or whose
// policy names it a reviewer (admins: every one).
func (s *Service) Pending(ctx context.Context) ([]items.Item, error) {
	actor, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return nil, err
	}
	var spotIDs []string
	f := spots.SpotFilter{ExcludePersonal: true}
	all, err := s.st.ListSpots(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("governance: spots: %w", err)
	}
	for _, sp := range all {
		ok := actor.IsAdmin()
		if !ok {
			grants, err := s.st.ListGrants(ctx, sp.ID)
			if err != nil {
				return nil, fmt.Errorf("governance: grants: %w", err)
			}
			d := spots.Evaluate(actor, sp, grants, spots.ActionDelete)
			ok = d.Allowed && !d.Override
			if p, err := PolicyOf(sp); !ok && err == nil && slices.Contains(p.Reviewers, actor.ID) {
				v := spots.Evaluate(actor, sp, grants, spots.ActionView)
				ok = v.Allowed && !v.Override
			}
		}
		if ok {
			spotIDs = append(spotIDs, sp.ID)
		}
	}
	out := []items.Item{}
	if len(spotIDs) == 0 {
		return out, nil
	}
	filter := items.ItemFilter{SpotIDs: spotIDs, Statuses: []items.Status{items.StatusInReview}, Limit: 500}
	for {
		batch, err := s.st.ListItems(ctx, filter)
		if err != nil {
			return nil, fmt.Errorf("governance: pending: %w", err)
		}
		for _, it := range batch {
			if it.Status == items.StatusInReview && slices.Contains(spotIDs, it.SpotID) {
				out = append(out, it)
			}
		}
		if len(batch) < filter.Limit {
			break
		}
		filter.BeforeID = batch[len(batch)-1].ID
	}
	slices.SortFunc(out, func(a, b items.Item) int {
		return cmp.Or(a.SubmittedAt.Compare(b.SubmittedAt), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Archive archives an item (editors of its home spot; admins audited).
// Archived content is seen only by the home spot's editors and is never
// shared; Restore brings it back. Nothing is deleted.
func (s *Service) Archive(ctx context.Context, itemID, reason string) (items.Item, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > maxReasonLen || !utf8.ValidString(reason) {
		return items.Item{}, invalid("reason", "must be valid UTF-8 of at most %d characters", maxReasonLen)
	}
	return s.move(ctx, itemID, "item.archive", reason, func(p Policy, it *items.Item, now time.Time) error {
		if it.Status == items.StatusArchived {
			return fmt.Errorf("%w: %s is archived already", ErrPrecondition, it.ID)
		}
		if !CanTransition(it.Status, items.StatusArchived) {
			return fmt.Errorf("%w: a %s item cannot be archived; delete the draft or withdraw it", ErrPrecondition, it.Status)
		}
		it.Status, it.Hidden = items.StatusArchived, false
		return nil
	})
}

// Restore brings an archived or expired item back: with a new expiry date
// (required when the policy caps expiry, and when the old date has
// passed), it becomes published again (or expiring or scheduled, as its
// dates say). Editors of the home spot may (admins audited).
func (s *Service) Restore(ctx context.Context, itemID string, expiresAt time.Time) (items.Item, error) {
	return s.move(ctx, itemID, "item.restore", "", func(p Policy, it *items.Item, now time.Time) error {
		if it.Status != items.StatusArchived && it.Status != items.StatusExpired {
			return fmt.Errorf("%w: only archived or expired items are restored; %s is %s", ErrPrecondition, it.ID, it.Status)
		}
		if !expiresAt.IsZero() {
			expiresAt = expiresAt.UTC().Truncate(time.Microsecond)
			if !expiresAt.After(now) {
				return invalid("expires_at", "must be in the future")
			}
			it.ExpiresAt = expiresAt
		}
		if !it.ExpiresAt.IsZero() && !it.ExpiresAt.After(now) {
			return invalid("expires_at", "the item's expiry date has passed: give a new one")
		}
		if !it.ExpiresAt.IsZero() && !it.AvailableAt.IsZero() && !it.ExpiresAt.After(it.AvailableAt) {
			return invalid("expires_at", "must be after available_at")
		}
		var f = p.Violations(*it, now)
		if msg, ok := f["expires_at"]; ok {
			return invalid("expires_at", "%s", msg)
		}
		it.Status = items.StatusPublished
		p.derive(it, now)
		return nil
	})
}

// move applies an owner's lifecycle change to an item, audited.
func (s *Service) move(ctx context.Context, itemID, action, reason string, change func(Policy, *items.Item, time.Time) error) (items.Item, error) {
	actor, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return items.Item{}, err
	}
	it, err := s.st.GetItem(ctx, itemID)
	if err != nil {
		return items.Item{}, fmt.Errorf("governance: item %s: %w", itemID, err)
	}
	spot, d, err := s.spots.Decide(ctx, it.SpotID, spots.ActionEdit)
	if err != nil {
		return items.Item{}, fmt.Errorf("governance: item %s: %w", itemID, err)
	}
	if !d.Allowed {
		// Those who may see the item learn they may not change it; nobody
		// else learns it exists.
		if _, vd, err := s.spots.Decide(ctx, it.SpotID, spots.ActionView); err == nil && vd.Allowed && it.ViewerVisible() {
			return items.Item{}, fmt.Errorf("%w: changing %s needs editor on its home spot", ErrForbidden, itemID)
		}
		return items.Item{}, fmt.Errorf("governance: item %s: %w", itemID, items.ErrNotFound)
	}
	p, err := PolicyOf(spot)
	if err != nil {
		return items.Item{}, err
	}
	now := s.now()
	err = s.atomic(ctx, func(tx Stores) error {
		cur, err := tx.GetItem(ctx, itemID)
		if err != nil {
			return err
		}
		if cur.SpotID != it.SpotID {
			return fmt.Errorf("%w: the item moved to another spot meanwhile; retry", ErrPrecondition)
		}
		after := cur.Clone()
		if err := change(p, &after, now); err != nil {
			return err
		}
		after.UpdatedAt, after.SweepAt = now, now
		if err := tx.UpdateItem(ctx, after); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.Entry{At: now, Actor: actor.ID, Action: action, TargetKind: "item",
			TargetID: itemID, SpotID: cur.SpotID, Override: d.Override, Reason: reason,
			Before: audit.JSON(cur), After: audit.JSON(after)})
	})
	if err != nil {
		return items.Item{}, fmt.Errorf("governance: %s %s: %w", action, itemID, err)
	}
	return s.st.GetItem(ctx, itemID)
}
