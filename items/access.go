package items

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/briefcasehq/briefcase/spots"
)

// ShareableStatuses are the statuses in which external content may be
// pitched or put in a room. Expired content stays visible (when its spot's
// policy flags it) but is never shared.
var ShareableStatuses = []Status{StatusPublished, StatusExpiring}

// Evaluate narrows a spot-level decision to one item. d is the decision for
// action on a spot that holds it; for statuses viewers do not see (drafts,
// items in review, scheduled or archived) it must be the decision on the
// item's home spot. The rules added on top of the spot's:
//   - internal content is never shared, whoever asks (admins included);
//   - only published or expiring content is shared;
//   - an item viewers do not see needs editor on its home spot to be
//     viewed; p is consulted only for an admin override of that rule.
func Evaluate(p spots.Principal, it Item, d spots.Decision) spots.Decision {
	if !d.Allowed {
		return d
	}
	d.Chain = slices.Clone(d.Chain)
	deny := func(why string) spots.Decision {
		d.Allowed, d.Override = false, false
		d.Chain = append(d.Chain, why)
		return d
	}
	hidden := !it.ViewerVisible()
	switch d.Action {
	case spots.ActionShare:
		if it.Audience != External {
			return deny("internal content is never shared")
		}
		if !slices.Contains(ShareableStatuses, it.Status) {
			return deny(fmt.Sprintf("%s content is not shared", it.Status))
		}
	case spots.ActionView:
		if hidden && !d.Role.AtLeast(spots.Editor) && !d.Override {
			if !p.HasRole(spots.Admin) {
				return deny(fmt.Sprintf("a %s item is visible only to editors of its home spot", it.Status))
			}
			d.Override = true
			d.Chain = append(d.Chain, fmt.Sprintf("a %s item: admin override", it.Status))
		}
	}
	return d
}

// Shareable returns an item the caller may share with buyers: it can view
// one of the item's spots, the item is external, and published or expiring.
// Share services call it for every item they add.
func (s *Service) Shareable(ctx context.Context, itemID string) (Item, spots.Decision, error) {
	it, a, err := s.authorize(ctx, itemID, false)
	if err != nil {
		return Item{}, spots.Decision{}, err
	}
	p, _ := spots.PrincipalFrom(ctx)
	d := a.view
	d.Action = spots.ActionShare
	d = Evaluate(p, it, d)
	if d.Allowed && !it.ExpiresAt.IsZero() && !s.now().Before(it.ExpiresAt) {
		// Past its expiry date, even before governance marks it expired.
		d.Allowed, d.Override = false, false
		d.Chain = append(d.Chain, "expired content is not shared")
	}
	if !d.Allowed {
		return Item{}, d, fmt.Errorf("%w: %s: %s", ErrForbidden, itemID, strings.Join(d.Chain, "; "))
	}
	return it, d, nil
}
