package governance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
)

// Errors returned by this package.
var (
	ErrInvalid      = errcode.New(errcode.Invalid, "governance: invalid")
	ErrForbidden    = errcode.New(errcode.Forbidden, "governance: forbidden")
	ErrNotFound     = errcode.New(errcode.NotFound, "governance: not found")
	ErrPrecondition = errcode.New(errcode.FailedPrecondition, "governance: precondition failed")
)

// ExpiryMode is what "expired" means in a spot.
type ExpiryMode string

// Expiry modes.
const (
	// ExpireFlag keeps expired items visible, marked, never shared.
	ExpireFlag ExpiryMode = "flag"
	// ExpireHide hides expired items from search and browsing: only the
	// home spot's editors (and admins) still see them.
	ExpireHide ExpiryMode = "hide"
	// ExpireArchive moves expired items to archived.
	ExpireArchive ExpiryMode = "archive"
)

// Valid reports whether m is a known mode.
func (m ExpiryMode) Valid() bool { return m == ExpireFlag || m == ExpireHide || m == ExpireArchive }

// Policy is a spot's governance policy. Its rules apply to the items homed
// in the spot (placements follow their home's policy).
type Policy struct {
	// RequireFeedbackOwner requires a feedback owner (the verifier).
	RequireFeedbackOwner bool `json:"require_feedback_owner"`
	// MaxExpiryDays, when positive, requires an expiry date at most this
	// many days ahead.
	MaxExpiryDays      int  `json:"max_expiry_days"`
	RequireList        bool `json:"require_list"`
	RequireLabel       bool `json:"require_label"`
	RequireDescription bool `json:"require_description"`
	// DefaultExpiryDays, when positive, gives new items without an expiry
	// date one this many days ahead.
	DefaultExpiryDays int `json:"default_expiry_days"`
	// ApprovalRequired keeps published items in review until an owner, a
	// co-owner or one of Reviewers approves them.
	ApprovalRequired bool `json:"approval_required"`
	// Reviewers are principal IDs who may approve besides the spot's
	// owners and co-owners.
	Reviewers []string   `json:"reviewers"`
	OnExpiry  ExpiryMode `json:"on_expiry"`
	// NoticeDays are the days before a deadline (expiry, verification) at
	// which notices go out; 0 is the deadline itself. An item is expiring
	// inside the largest window.
	NoticeDays []int `json:"notice_days"`
	// VerifyIntervalDays is how long a verification holds; 0 turns
	// verification off.
	VerifyIntervalDays int `json:"verify_interval_days"`
}

// DefaultPolicy is the policy of a spot that sets none: flag expired items,
// notices 30, 7 and 0 days ahead, verification every 90 days, nothing
// required.
func DefaultPolicy() Policy {
	return Policy{OnExpiry: ExpireFlag, NoticeDays: []int{30, 7, 0}, VerifyIntervalDays: 90, Reviewers: []string{}}
}

// Limits on policies.
const (
	maxPolicyDays = 3650
	maxWindows    = 10
	maxReviewers  = 50
)

// ParsePolicy decodes a stored or submitted policy document: fields it
// leaves out keep their DefaultPolicy values; unknown fields are refused.
// An empty document is the default policy. The result is validated and
// normalized.
func ParsePolicy(doc []byte) (Policy, error) {
	p := DefaultPolicy()
	if len(bytes.TrimSpace(doc)) == 0 {
		return p, nil
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field != "" {
			return Policy{}, errcode.Invalidf(ErrInvalid, ute.Field, "must be a %s", ute.Type)
		}
		return Policy{}, errcode.Invalidf(ErrInvalid, "policy", "not a policy document: %v", err)
	}
	return p.Normalize()
}

// Normalize validates p and returns it with notice windows sorted from the
// largest down and duplicates removed; the error names the fields.
func (p Policy) Normalize() (Policy, error) {
	var f errcode.Fields
	days := func(field string, v int) {
		if v < 0 || v > maxPolicyDays {
			f.Add(field, "must be between 0 and %d", maxPolicyDays)
		}
	}
	days("max_expiry_days", p.MaxExpiryDays)
	days("default_expiry_days", p.DefaultExpiryDays)
	days("verify_interval_days", p.VerifyIntervalDays)
	if p.MaxExpiryDays > 0 && p.DefaultExpiryDays > p.MaxExpiryDays {
		f.Add("default_expiry_days", "must not exceed max_expiry_days")
	}
	if p.OnExpiry == "" {
		p.OnExpiry = ExpireFlag
	}
	if !p.OnExpiry.Valid() {
		f.Add("on_expiry", "must be flag, hide or archive")
	}
	p.NoticeDays = slices.Clone(p.NoticeDays)
	for _, d := range p.NoticeDays {
		if d < 0 || d > 365 {
			f.Add("notice_days", "each must be between 0 and 365")
			break
		}
	}
	slices.SortFunc(p.NoticeDays, func(a, b int) int { return b - a })
	p.NoticeDays = slices.Compact(p.NoticeDays)
	if len(p.NoticeDays) > maxWindows {
		f.Add("notice_days", "at most %d windows", maxWindows)
	}
	if p.NoticeDays == nil {
		p.NoticeDays = []int{}
	}
	revs := make([]string, 0, len(p.Reviewers))
	for _, r := range p.Reviewers {
		if r = strings.TrimSpace(r); r == "" {
			f.Add("reviewers", "must not contain empty values")
			continue
		}
		revs = append(revs, r)
	}
	slices.Sort(revs)
	p.Reviewers = slices.Compact(revs)
	if len(p.Reviewers) > maxReviewers {
		f.Add("reviewers", "at most %d reviewers", maxReviewers)
	}
	if err := f.Err(ErrInvalid); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// PolicyOf returns a spot's policy. Personal spots always follow the
// default policy. A stored document that no longer parses (it was written
// by a newer version) is an error.
func PolicyOf(s spots.Spot) (Policy, error) {
	if s.Personal() {
		return DefaultPolicy(), nil
	}
	p, err := ParsePolicy(s.Policy)
	if err != nil {
		return Policy{}, fmt.Errorf("governance: policy of spot %s: %w", s.ID, err)
	}
	return p, nil
}

// days is n days as a duration.
func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// expiringWindow is the largest notice window: an item is expiring inside
// it. Zero when the policy has no window before the deadline.
func (p Policy) expiringWindow() time.Duration {
	if len(p.NoticeDays) == 0 {
		return 0
	}
	return days(p.NoticeDays[0])
}

// Violations returns the policy's required properties the item lacks, by
// field. It does not judge drafts differently: callers decide when the
// rules apply.
func (p Policy) Violations(it items.Item, now time.Time) errcode.Fields {
	var f errcode.Fields
	p.check(&f, it, now, true, true, true, true, true)
	return f
}

// check adds the violations of the selected rules.
func (p Policy) check(f *errcode.Fields, it items.Item, now time.Time, owner, expiry, list, label, desc bool) {
	if owner && p.RequireFeedbackOwner && strings.TrimSpace(it.FeedbackOwner) == "" {
		f.Add("feedback_owner", "required by the spot's policy")
	}
	if expiry && p.MaxExpiryDays > 0 {
		switch {
		case it.ExpiresAt.IsZero():
			f.Add("expires_at", "required by the spot's policy (at most %d days ahead)", p.MaxExpiryDays)
		case it.ExpiresAt.After(now.Add(days(p.MaxExpiryDays))):
			f.Add("expires_at", "must be at most %d days ahead by the spot's policy", p.MaxExpiryDays)
		}
	}
	if list && p.RequireList && len(it.ListIDs) == 0 {
		f.Add("list_ids", "at least one list is required by the spot's policy")
	}
	if label && p.RequireLabel && len(it.Labels) == 0 {
		f.Add("labels", "at least one label is required by the spot's policy")
	}
	if desc && p.RequireDescription && strings.TrimSpace(it.Description) == "" {
		f.Add("description", "required by the spot's policy")
	}
}
