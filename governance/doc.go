// Package governance keeps content current and compliant: per-spot
// policies, the lifecycle sweeper, and notices.
//
// This package currently holds the policy types; the sweeper, dry-run and
// compliance reports are being built. Lifecycle:
//
//	draft → in_review → scheduled → published → expiring → expired → archived
//
// and back to published when an owner sets a new expiry date or
// re-verifies. Governance never deletes content; archiving is reversible.
package governance

import "time"

// ExpiryMode is what "expired" means in a spot.
type ExpiryMode string

// Expiry modes.
const (
	// ExpireFlag keeps expired items visible, marked, never shared.
	ExpireFlag ExpiryMode = "flag"
	// ExpireHide hides expired items from search and browsing.
	ExpireHide ExpiryMode = "hide"
	// ExpireArchive moves expired items to archived.
	ExpireArchive ExpiryMode = "archive"
)

// Policy is a spot's governance policy.
type Policy struct {
	RequireFeedbackOwner bool `json:"require_feedback_owner"`
	// MaxExpiryDays, when positive, requires an expiry date at most this
	// many days ahead.
	MaxExpiryDays      int        `json:"max_expiry_days"`
	RequireList        bool       `json:"require_list"`
	RequireLabel       bool       `json:"require_label"`
	RequireDescription bool       `json:"require_description"`
	DefaultExpiryDays  int        `json:"default_expiry_days"`
	ApprovalRequired   bool       `json:"approval_required"`
	OnExpiry           ExpiryMode `json:"on_expiry"`
	// NoticeDays are the days before expiry at which notices go out.
	NoticeDays     []int         `json:"notice_days"`
	VerifyInterval time.Duration `json:"verify_interval"`
}

// DefaultPolicy is the policy of a spot that sets none: flag expired items,
// notices 30, 7 and 0 days ahead, verification every 90 days.
func DefaultPolicy() Policy {
	return Policy{OnExpiry: ExpireFlag, NoticeDays: []int{30, 7, 0}, VerifyInterval: 90 * 24 * time.Hour}
}
