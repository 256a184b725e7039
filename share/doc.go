// Package share sends external content to buyers through tracked pitches and
// digital rooms, and records honest, per-page engagement.
//
// This package currently holds the types; the service, the viewer and the
// tracking protocol are being built. One primitive, Share, has two presets:
// a pitch (fixed items, one link per recipient) and a room (a persistent
// microsite with sections and contributors). Every request on a share path
// re-checks the link (revoked, expired), the gate, and every item (still
// external, not expired or archived).
package share

import "time"

// Kind is a share preset.
type Kind string

// Share kinds.
const (
	KindPitch Kind = "pitch"
	KindRoom  Kind = "room"
)

// LinkSettings control one link.
type LinkSettings struct {
	ExpiresAt     time.Time `json:"expires_at,omitzero"`
	EmailGate     bool      `json:"email_gate"`
	Passcode      bool      `json:"passcode"`
	AllowEmails   []string  `json:"allow_emails,omitempty"`
	AllowDomains  []string  `json:"allow_domains,omitempty"`
	DenyEmails    []string  `json:"deny_emails,omitempty"`
	DenyDomains   []string  `json:"deny_domains,omitempty"`
	AllowDownload bool      `json:"allow_download"`
	// PinVersions shares the versions current at sharing time instead of
	// following the latest.
	PinVersions bool `json:"pin_versions"`
}

// Share is a pitch or a room.
type Share struct {
	ID        string    `json:"id"`
	Kind      Kind      `json:"kind"`
	OwnerID   string    `json:"owner_id"`
	Title     string    `json:"title"`
	Message   string    `json:"message"`
	ItemIDs   []string  `json:"items"`
	CreatedAt time.Time `json:"created_at"`
}

// Link is one recipient's way in; only the hash of its token is stored.
type Link struct {
	ID        string       `json:"id"`
	ShareID   string       `json:"share_id"`
	Recipient string       `json:"recipient"`
	TokenHash string       `json:"-"`
	Settings  LinkSettings `json:"settings"`
	RevokedAt time.Time    `json:"revoked_at,omitzero"`
	CreatedAt time.Time    `json:"created_at"`
}

// View is one visit to a link.
type View struct {
	ID           string    `json:"id"`
	LinkID       string    `json:"link_id"`
	UserAgent    string    `json:"user_agent"`
	SuspectedBot bool      `json:"suspected_bot"`
	BotReason    string    `json:"bot_reason,omitempty"`
	StartedAt    time.Time `json:"started_at"`
}

// Beacon is one engagement report from the viewer page.
type Beacon struct {
	Seq      int64  `json:"seq"`
	ItemID   string `json:"item_id"`
	Page     int    `json:"page"`
	ActiveMS int64  `json:"active_ms"`
}
