package share

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/briefcasehq/briefcase/items"
)

// ImpactKind is what happened to a shared item after it was sent.
type ImpactKind string

// Impacts.
const (
	ImpactNewVersion ImpactKind = "new_version"
	ImpactInternal   ImpactKind = "made_internal"
	ImpactWithdrawn  ImpactKind = "withdrawn"
	ImpactRemoved    ImpactKind = "removed"
	ImpactRestored   ImpactKind = "restored"
)

// Impact is one change to a shared item that its share's owner should know.
type Impact struct {
	ItemID string     `json:"item_id"`
	Title  string     `json:"title"`
	Kind   ImpactKind `json:"kind"`
	Detail string     `json:"detail"`
	// VersionID is the item's current version.
	VersionID string `json:"version_id,omitempty"`
}

// impactOf compares an item with what the owner last knew of it.
func impactOf(si SharedItem, it items.Item, deleted bool) (Impact, bool) {
	im := Impact{ItemID: si.ItemID, Title: it.DisplayTitle(), VersionID: it.CurrentVersionID}
	seen := si.Seen
	wasServed := !seen.Deleted && seen.Audience == items.External && slices.Contains(items.ShareableStatuses, seen.Status)
	switch {
	case deleted:
		if seen.Deleted {
			return im, false
		}
		im.Kind, im.Detail = ImpactRemoved, "the item was deleted; buyers no longer see it"
	case it.Audience != items.External:
		if seen.Audience == it.Audience {
			return im, false
		}
		im.Kind, im.Detail = ImpactInternal, "the item was made internal; buyers no longer see it"
	case !slices.Contains(items.ShareableStatuses, it.Status):
		if seen.Status == it.Status {
			return im, false
		}
		im.Kind, im.Detail = ImpactWithdrawn, fmt.Sprintf("the item is %s; buyers no longer see it", it.Status)
	case !wasServed:
		im.Kind, im.Detail = ImpactRestored, "the item is available again; buyers see it"
	case it.CurrentVersionID != seen.VersionID && it.CurrentVersionID != "":
		im.Kind = ImpactNewVersion
		if si.VersionID != "" {
			im.Detail = "a new version was published; buyers still see the version you shared"
		} else {
			im.Detail = "a new version was published; buyers now see it"
		}
	default:
		return im, false
	}
	return im, true
}

// CheckImpact compares the items of live shares with what their owners last
// knew and tells each owner, in one notice per share, what changed: a new
// version, made internal, expired or archived, deleted, or available again.
// With itemIDs, only shares holding those items are checked; with none,
// every live share. It returns the number of notices. Library.Run calls it
// for the items of the change feed, and for everything at start.
func (s *Service) CheckImpact(ctx context.Context, itemIDs []string) (int, error) {
	now := s.now()
	targets := map[string]map[string]bool{} // share → items to check (nil: all)
	var order []string
	add := func(f ShareFilter, itemID string) error {
		f.LiveAt, f.Limit = now, 500
		for {
			shs, err := s.st.ListShares(ctx, f)
			if err != nil {
				return err
			}
			for _, sh := range shs {
				set, ok := targets[sh.ID]
				if !ok {
					order = append(order, sh.ID)
				}
				if itemID == "" {
					targets[sh.ID] = nil
				} else if !ok || set != nil {
					if set == nil {
						set = map[string]bool{}
						targets[sh.ID] = set
					}
					set[itemID] = true
				}
			}
			if len(shs) < f.Limit {
				return nil
			}
			f.BeforeID = shs[len(shs)-1].ID
		}
	}
	if len(itemIDs) == 0 {
		if err := add(ShareFilter{}, ""); err != nil {
			return 0, fmt.Errorf("share: impact: %w", err)
		}
	}
	for _, id := range itemIDs {
		if err := add(ShareFilter{ItemID: id}, id); err != nil {
			return 0, fmt.Errorf("share: impact: %w", err)
		}
	}
	sent := 0
	for _, shareID := range order {
		set := targets[shareID]
		var sh Share
		var found []Impact
		err := s.atomic(ctx, func(tx Stores) error {
			found = found[:0]
			var err error
			sh, err = tx.GetShare(ctx, shareID)
			if err != nil {
				return err
			}
			changed := false
			for si := range sh.Sections {
				for ii := range sh.Sections[si].Items {
					it := &sh.Sections[si].Items[ii]
					if set != nil && !set[it.ItemID] {
						continue
					}
					cur, err := tx.GetItem(ctx, it.ItemID)
					deleted := errors.Is(err, items.ErrNotFound)
					if err != nil && !deleted {
						return err
					}
					im, ok := impactOf(*it, cur, deleted)
					if !ok {
						continue
					}
					found = append(found, im)
					it.Seen = stateOf(cur, deleted)
					changed = true
				}
			}
			if !changed {
				return nil
			}
			return tx.UpdateShare(ctx, sh)
		})
		if err != nil {
			return sent, fmt.Errorf("share: impact on %s: %w", shareID, err)
		}
		if len(found) == 0 {
			continue
		}
		s.notify(ctx, impactNotice(sh, found))
		sent++
	}
	return sent, nil
}

func impactNotice(sh Share, found []Impact) Notice {
	var b strings.Builder
	fmt.Fprintf(&b, "Content in your %s %q changed:\n", sh.Kind, sh.Title)
	var keys []string
	for _, im := range found {
		title := im.Title
		if title == "" {
			title = im.ItemID
		}
		fmt.Fprintf(&b, "- %s: %s\n", title, im.Detail)
		keys = append(keys, im.ItemID+":"+string(im.Kind)+":"+im.VersionID)
	}
	subject := fmt.Sprintf("%d item(s) in %q changed", len(found), sh.Title)
	return Notice{To: sh.OwnerID, Kind: "share.impact", Subject: subject, Body: b.String(),
		Key: "share.impact/" + sh.ID + "/" + strings.Join(keys, ",")}
}
