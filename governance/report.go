package governance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
)

// Report is the compliance report: one section per spot.
type Report struct {
	GeneratedAt time.Time    `json:"generated_at"`
	Spots       []SpotReport `json:"spots"`
}

// SpotReport is one spot's compliance: counts of every category, and the
// first reportListed items of each.
type SpotReport struct {
	SpotID   string `json:"spot_id"`
	SpotName string `json:"spot_name"`
	Policy   Policy `json:"policy"`
	// Items counts the items homed in the spot, any status.
	Items  int          `json:"items"`
	Counts ReportCounts `json:"counts"`
	// Violating are live items lacking what the policy requires.
	Violating []ReportItem `json:"violating"`
	// ExpiringSoon are items inside the policy's largest notice window.
	ExpiringSoon []ReportItem `json:"expiring_soon"`
	Expired      []ReportItem `json:"expired"`
	// Unverified are live items whose verification date has passed.
	Unverified []ReportItem `json:"unverified"`
	InReview   []ReportItem `json:"in_review"`
	// NeverViewed are published or expiring items nobody has viewed;
	// absent when analytics is not configured.
	NeverViewed []ReportItem `json:"never_viewed,omitempty"`
}

// ReportCounts counts a spot's items per category.
type ReportCounts struct {
	Violating    int  `json:"violating"`
	ExpiringSoon int  `json:"expiring_soon"`
	Expired      int  `json:"expired"`
	Hidden       int  `json:"hidden"`
	Archived     int  `json:"archived"`
	Unverified   int  `json:"unverified"`
	InReview     int  `json:"in_review"`
	NeverViewed  *int `json:"never_viewed,omitempty"`
}

// ReportItem is one item in a report list.
type ReportItem struct {
	ItemID    string            `json:"item_id"`
	Title     string            `json:"title"`
	Status    items.Status      `json:"status"`
	Hidden    bool              `json:"hidden,omitempty"`
	ExpiresAt time.Time         `json:"expires_at,omitzero"`
	VerifyBy  time.Time         `json:"verify_by,omitzero"`
	Fields    map[string]string `json:"fields,omitempty"`
}

const reportListed = 100

// Report returns the compliance report of one spot, or (spotID empty) of
// every spot the caller may report on: admins every shared spot (a spot
// they hold no grant on is an audited override), others the spots where
// they are editors or stronger. The report names drafts, items in review
// and hidden items, which only a spot's editors may see: analysts read it
// only where they are editors too.
func (s *Service) Report(ctx context.Context, spotID string) (Report, error) {
	actor, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return Report{}, err
	}
	all := actor.IsAdmin()
	var targets []spots.Spot
	switch {
	case spotID != "" && all:
		spot, _, err := s.spots.Authorize(ctx, spotID, spots.ActionEdit)
		if err != nil {
			return Report{}, err
		}
		if spot.Personal() && spot.OwnerID != actor.ID {
			return Report{}, fmt.Errorf("governance: spot %s: %w", spotID, spots.ErrNotFound)
		}
		targets = []spots.Spot{spot}
	case spotID != "":
		spot, d, err := s.spots.Check(ctx, spotID, spots.ActionView)
		if err != nil {
			return Report{}, err
		}
		if !d.Role.AtLeast(spots.Editor) || (spot.Personal() && spot.OwnerID != actor.ID) {
			return Report{}, fmt.Errorf("%w: the compliance report of a spot is for its editors, admins and analysts", ErrForbidden)
		}
		targets = []spots.Spot{spot}
	case all:
		if targets, err = s.st.ListSpots(ctx, spots.SpotFilter{ExcludePersonal: true}); err != nil {
			return Report{}, fmt.Errorf("governance: spots: %w", err)
		}
	default:
		vis, err := s.spots.List(ctx)
		if err != nil {
			return Report{}, err
		}
		for _, v := range vis {
			if v.Role.AtLeast(spots.Editor) && !(v.Personal() && v.OwnerID != actor.ID) {
				targets = append(targets, v.Spot)
			}
		}
	}
	now := s.now()
	rep := Report{GeneratedAt: now, Spots: []SpotReport{}}
	for _, sp := range targets {
		sr, err := s.spotReport(ctx, sp, now)
		if err != nil {
			return Report{}, err
		}
		rep.Spots = append(rep.Spots, sr)
	}
	return rep, nil
}

func (s *Service) spotReport(ctx context.Context, sp spots.Spot, now time.Time) (SpotReport, error) {
	p, err := PolicyOf(sp)
	if err != nil {
		return SpotReport{}, err
	}
	r := SpotReport{SpotID: sp.ID, SpotName: sp.Name, Policy: p, Violating: []ReportItem{}, ExpiringSoon: []ReportItem{},
		Expired: []ReportItem{}, Unverified: []ReportItem{}, InReview: []ReportItem{}}
	var candidates []ReportItem // published or expiring: never-viewed candidates
	add := func(list *[]ReportItem, n *int, ri ReportItem) {
		*n++
		if len(*list) < reportListed {
			*list = append(*list, ri)
		}
	}
	err = s.homeItems(ctx, sp.ID, func(it items.Item) {
		r.Items++
		ri := ReportItem{ItemID: it.ID, Title: it.Title, Status: it.Status, Hidden: it.Hidden, ExpiresAt: it.ExpiresAt, VerifyBy: it.VerifyBy}
		if live(it) {
			if f := p.Violations(it, now); len(f) > 0 {
				v := ri
				v.Fields = f
				add(&r.Violating, &r.Counts.Violating, v)
			}
		}
		switch it.Status {
		case items.StatusArchived:
			r.Counts.Archived++
		case items.StatusInReview:
			add(&r.InReview, &r.Counts.InReview, ri)
		case items.StatusExpired:
			add(&r.Expired, &r.Counts.Expired, ri)
			if it.Hidden {
				r.Counts.Hidden++
			}
		}
		dated := it.Status == items.StatusPublished || it.Status == items.StatusExpiring || it.Status == items.StatusScheduled
		if dated && !it.ExpiresAt.IsZero() && it.ExpiresAt.After(now) && p.expiringWindow() > 0 &&
			!now.Before(it.ExpiresAt.Add(-p.expiringWindow())) {
			add(&r.ExpiringSoon, &r.Counts.ExpiringSoon, ri)
		}
		if dated && p.VerifyIntervalDays > 0 && !it.VerifyBy.IsZero() && !now.Before(it.VerifyBy) {
			add(&r.Unverified, &r.Counts.Unverified, ri)
		}
		if it.Status == items.StatusPublished || it.Status == items.StatusExpiring {
			candidates = append(candidates, ri)
		}
	})
	if err != nil {
		return SpotReport{}, err
	}
	if s.opt.Views != nil {
		r.NeverViewed = []ReportItem{}
		n := 0
		for start := 0; start < len(candidates); start += 1000 {
			chunk := candidates[start:min(start+1000, len(candidates))]
			ids := make([]string, len(chunk))
			for i, c := range chunk {
				ids[i] = c.ItemID
			}
			views, err := s.opt.Views(ctx, ids)
			if err != nil {
				return SpotReport{}, fmt.Errorf("governance: views: %w", err)
			}
			for _, c := range chunk {
				if views[c.ItemID] == 0 {
					add(&r.NeverViewed, &n, c)
				}
			}
		}
		r.Counts.NeverViewed = &n
	}
	return r, nil
}

// Audit returns audit log entries matching f, oldest first (f.AfterSeq
// pages). Admins read everything; others read the entries of the spots
// they own or co-own (all of them when f.SpotIDs is empty) and nothing
// else.
func (s *Service) Audit(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	actor, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return nil, err
	}
	if f.Limit < 0 || f.Limit > 1000 {
		return nil, invalid("limit", "must be between 1 and 1000")
	}
	if !f.Until.IsZero() && !f.Since.IsZero() && !f.Until.After(f.Since) {
		return nil, invalid("until", "must be after since")
	}
	if !actor.IsAdmin() {
		vis, err := s.spots.List(ctx)
		if err != nil {
			return nil, err
		}
		var mine []string
		for _, v := range vis {
			if v.Role.AtLeast(spots.Coowner) && !v.Personal() {
				mine = append(mine, v.ID)
			}
		}
		if len(f.SpotIDs) == 0 {
			if len(mine) == 0 {
				return nil, fmt.Errorf("%w: the audit log is for admins and spot owners", ErrForbidden)
			}
			f.SpotIDs = mine
		}
		for _, id := range f.SpotIDs {
			if !slices.Contains(mine, id) {
				return nil, fmt.Errorf("%w: only the owners and co-owners of spot %s read its audit log", ErrForbidden, id)
			}
		}
	}
	out, err := s.st.ListAudit(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("governance: audit: %w", err)
	}
	if out == nil {
		out = []audit.Entry{}
	}
	return out, nil
}

// Notices lists notices, newest first: the caller's own, or anyone's for
// admins. f.Before is the store's cursor, passed on as it is.
func (s *Service) Notices(ctx context.Context, f NoticeFilter) ([]Notice, error) {
	actor, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return nil, err
	}
	if f.Recipient == "" {
		f.Recipient = actor.ID
	}
	if f.Recipient != actor.ID && !actor.IsAdmin() {
		return nil, fmt.Errorf("%w: you read only your own notices", ErrForbidden)
	}
	if f.Limit < 0 || f.Limit > 1000 {
		return nil, invalid("limit", "must be between 1 and 1000")
	}
	out, err := s.st.ListNotices(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("governance: notices: %w", err)
	}
	if out == nil {
		out = []Notice{}
	}
	return out, nil
}

// RevokeEditorRights takes editor and stronger rights away from a user for
// non-compliance (admins only): it revokes the content-contributor
// training, which caps the user to viewer on every spot at once, with the
// reason in the same audit entry. Recording the training again
// restores the rights.
func (s *Service) RevokeEditorRights(ctx context.Context, userID, reason string) (spots.Principal, error) {
	_, err := requireAdmin(ctx, "revoke editor rights")
	if err != nil {
		return spots.Principal{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return spots.Principal{}, invalid("reason", "required: say why the rights are revoked")
	}
	if utf8len(reason) > maxReasonLen {
		return spots.Principal{}, invalid("reason", "at most %d characters", maxReasonLen)
	}
	p, err := s.spots.RevokeTrainingBecause(ctx, userID, spots.TrainingContentContributor, "editor rights revoked: "+reason)
	if err != nil {
		return spots.Principal{}, err
	}
	return p, nil
}

func utf8len(s string) int { return len([]rune(s)) }
