package share

import (
	"slices"
	"time"

	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/items"
)

// Errors returned by this package and by share.Store implementations.
var (
	ErrNotFound     = errcode.New(errcode.NotFound, "share: not found")
	ErrConflict     = errcode.New(errcode.Conflict, "share: conflict")
	ErrInvalid      = errcode.New(errcode.Invalid, "share: invalid")
	ErrForbidden    = errcode.New(errcode.Forbidden, "share: forbidden")
	ErrPrecondition = errcode.New(errcode.FailedPrecondition, "share: precondition failed")

	// ErrLinkNotFound: no link has this token.
	ErrLinkNotFound = errcode.New(errcode.NotFound, "share: no such link")
	// ErrLinkRevoked: the link or its whole share was revoked.
	ErrLinkRevoked = errcode.New(errcode.Gone, "share: this link was revoked")
	// ErrLinkExpired: the link's expiry has passed.
	ErrLinkExpired = errcode.New(errcode.Gone, "share: this link has expired")
	// ErrGateRequired: the link is gated and the request carries no valid
	// session for it.
	ErrGateRequired = errcode.New(errcode.Unauthenticated, "share: verification required")
	// ErrRefused: the visitor's e-mail is outside the allow list or inside
	// the deny list.
	ErrRefused = errcode.New(errcode.Forbidden, "share: this address may not open the link")
	// ErrWrongCode: a wrong passcode or one-time code.
	ErrWrongCode = errcode.New(errcode.Unauthenticated, "share: wrong code")
	// ErrTooManyAttempts: too many wrong codes; the gate is locked for a
	// while.
	ErrTooManyAttempts = errcode.New(errcode.TooManyRequests, "share: too many attempts")
	// ErrItemUnavailable: the item is not in the share, or stopped being
	// shareable (made internal, expired, archived, deleted) after it was
	// sent.
	ErrItemUnavailable = errcode.New(errcode.Gone, "share: this item is no longer available")
	// ErrNoDownload: downloads are off for this link or this item.
	ErrNoDownload = errcode.New(errcode.Forbidden, "share: downloads are not allowed")
	// ErrBadBeacon: the beacon token is invalid or expired, or the beacon
	// is malformed.
	ErrBadBeacon = errcode.New(errcode.Unauthenticated, "share: invalid beacon")
)

// Kind is a share preset.
type Kind string

// Share kinds.
const (
	KindPitch Kind = "pitch"
	KindRoom  Kind = "room"
)

// LinkSettings control one link. A share keeps the settings its links were
// made with, as the defaults for links added later.
type LinkSettings struct {
	// ExpiresAt ends the link; zero never expires.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// EmailGate asks the visitor for an e-mail address and a one-time code
	// sent to it before anything is shown.
	EmailGate bool `json:"email_gate"`
	// Passcode, on input only, sets a passcode the visitor must type. It is
	// stored hashed (Link.PasscodeHash) and never returned; HasPasscode
	// says whether one is set.
	Passcode    string `json:"passcode,omitempty"`
	HasPasscode bool   `json:"has_passcode"`
	// Allow and deny lists, compared case-insensitively with the
	// recipient's address or, behind an e-mail gate, the verified one. An
	// address is refused when it is denied (by e-mail or domain), or when
	// allow lists exist and it is on neither.
	AllowEmails  []string `json:"allow_emails,omitempty"`
	AllowDomains []string `json:"allow_domains,omitempty"`
	DenyEmails   []string `json:"deny_emails,omitempty"`
	DenyDomains  []string `json:"deny_domains,omitempty"`
	// AllowDownload lets visitors download items that are downloadable.
	AllowDownload bool `json:"allow_download"`
	// PinVersions shares the versions current at sharing time instead of
	// following the latest.
	PinVersions bool `json:"pin_versions"`
}

// Clone returns a deep copy of s.
func (s LinkSettings) Clone() LinkSettings {
	s.AllowEmails = slices.Clone(s.AllowEmails)
	s.AllowDomains = slices.Clone(s.AllowDomains)
	s.DenyEmails = slices.Clone(s.DenyEmails)
	s.DenyDomains = slices.Clone(s.DenyDomains)
	return s
}

// Share is a pitch or a room.
type Share struct {
	ID      string `json:"id"`
	Kind    Kind   `json:"kind"`
	OwnerID string `json:"owner_id"`
	Title   string `json:"title"`
	// Message is the pitch's message or the room's welcome.
	Message string `json:"message"`
	// Sections hold the items in order. A pitch has exactly one section,
	// without a title.
	Sections []Section `json:"sections"`
	// Contributors are the principals, besides the owner, who may change a
	// room's content. Pitches have none.
	Contributors []string `json:"contributors"`
	// AccountID and OpportunityID tie a room to the CRM.
	AccountID     string `json:"account_id,omitempty"`
	OpportunityID string `json:"opportunity_id,omitempty"`
	// Settings are the settings new links get.
	Settings  LinkSettings `json:"settings"`
	RevokedAt time.Time    `json:"revoked_at,omitzero"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

// Clone returns a deep copy of s.
func (s Share) Clone() Share {
	s.Sections = slices.Clone(s.Sections)
	for i := range s.Sections {
		s.Sections[i].Items = slices.Clone(s.Sections[i].Items)
	}
	s.Contributors = slices.Clone(s.Contributors)
	s.Settings = s.Settings.Clone()
	return s
}

// ItemIDs returns the IDs of the share's items in order.
func (s Share) ItemIDs() []string {
	var ids []string
	for _, sec := range s.Sections {
		for _, it := range sec.Items {
			ids = append(ids, it.ItemID)
		}
	}
	return ids
}

// Item returns the share's entry for an item.
func (s Share) Item(itemID string) (SharedItem, bool) {
	for _, sec := range s.Sections {
		for _, it := range sec.Items {
			if it.ItemID == itemID {
				return it, true
			}
		}
	}
	return SharedItem{}, false
}

// Section is an ordered group of items in a share.
type Section struct {
	ID    string       `json:"id"`
	Title string       `json:"title"`
	Items []SharedItem `json:"items"`
}

// SharedItem is one item in a share. An item appears at most once per
// share.
type SharedItem struct {
	ItemID string `json:"item_id"`
	// VersionID is the pinned version, or empty to follow the latest.
	VersionID string    `json:"version_id,omitempty"`
	AddedBy   string    `json:"added_by"`
	AddedAt   time.Time `json:"added_at"`
	// Seen is the item's state the owner last knew of (at sharing time, or
	// in the last impact notice); the downstream-impact watcher compares
	// the item with it.
	Seen ItemState `json:"seen"`
}

// ItemState is what downstream impact watches on an item.
type ItemState struct {
	VersionID string         `json:"version_id,omitempty"`
	Status    items.Status   `json:"status,omitempty"`
	Audience  items.Audience `json:"audience,omitempty"`
	Deleted   bool           `json:"deleted,omitempty"`
}

// Link is one way in to a share, usually for one recipient. Only the hash
// of its token is stored.
type Link struct {
	ID      string `json:"id"`
	ShareID string `json:"share_id"`
	// Recipient is the e-mail address the link was made for; empty for an
	// open link (which then usually has an e-mail gate).
	Recipient string `json:"recipient,omitempty"`
	// TokenHash is the hex SHA-256 of the token.
	TokenHash    string       `json:"-"`
	PasscodeHash string       `json:"-"`
	Settings     LinkSettings `json:"settings"`
	RevokedAt    time.Time    `json:"revoked_at,omitzero"`
	CreatedAt    time.Time    `json:"created_at"`
	// FailedAttempts counts wrong passcodes since the last success or
	// lock-out; LockedUntil refuses passcodes until then.
	FailedAttempts int       `json:"-"`
	LockedUntil    time.Time `json:"-"`
}

// GateCode is a one-time code sent to an address at an e-mail gate. Only
// its hash is stored.
type GateCode struct {
	LinkID    string    `json:"link_id"`
	Email     string    `json:"email"`
	CodeHash  string    `json:"-"`
	ExpiresAt time.Time `json:"expires_at"`
	// Attempts counts wrong guesses; the code dies at MaxCodeAttempts.
	Attempts  int       `json:"attempts"`
	CreatedAt time.Time `json:"created_at"`
}

// View is one visit to a link.
type View struct {
	ID      string `json:"id"`
	ShareID string `json:"share_id"`
	LinkID  string `json:"link_id"`
	// Recipient is who visited: the link's recipient, or the address
	// verified at its e-mail gate.
	Recipient string `json:"recipient,omitempty"`
	UserAgent string `json:"user_agent"`
	// Client is a coarse description ("mobile, Safari").
	Client       string    `json:"client"`
	SuspectedBot bool      `json:"suspected_bot"`
	BotReason    string    `json:"bot_reason,omitempty"`
	StartedAt    time.Time `json:"started_at"`
	// LastBeaconAt is when the last accepted beacon arrived (zero before
	// the first); the next delta is capped by the time since.
	LastBeaconAt time.Time `json:"last_beacon_at,omitzero"`
	Beacons      int       `json:"beacons"`
	// ActiveMS is the credited active time over all pages.
	ActiveMS int64 `json:"active_ms"`
	// NotifiedAt is when the owner was told about this visit.
	NotifiedAt time.Time `json:"notified_at,omitzero"`
}

// Beacon is one engagement report from the viewer page: ActiveMS of
// active reading on Page (from 1) of ItemID since the view's previous
// beacon. Seq increases by one per beacon of a view.
type Beacon struct {
	Seq      int64  `json:"seq"`
	ItemID   string `json:"item_id"`
	Page     int    `json:"page"`
	ActiveMS int64  `json:"active_ms"`
}

// PageEvent is one accepted beacon, kept raw.
type PageEvent struct {
	ViewID string `json:"view_id"`
	Seq    int64  `json:"seq"`
	ItemID string `json:"item_id"`
	Page   int    `json:"page"`
	// ClaimedMS is what the page reported; ActiveMS what was credited after
	// the cap.
	ClaimedMS int64     `json:"claimed_ms"`
	ActiveMS  int64     `json:"active_ms"`
	At        time.Time `json:"at"`
}

// PageStat is the roll-up of one view's time on one page of one item.
type PageStat struct {
	ViewID   string    `json:"view_id"`
	ItemID   string    `json:"item_id"`
	Page     int       `json:"page"`
	ActiveMS int64     `json:"active_ms"`
	Beacons  int       `json:"beacons"`
	FirstAt  time.Time `json:"first_at"`
	LastAt   time.Time `json:"last_at"`
}

// EventType names a share event other than page time.
type EventType string

// Share events.
const (
	EventOpened     EventType = "opened"
	EventDownloaded EventType = "downloaded"
	EventClicked    EventType = "clicked"
)

// Event is an open, a download or a link click on a share.
type Event struct {
	// Seq is assigned by the store.
	Seq          int64     `json:"seq"`
	Type         EventType `json:"type"`
	ShareID      string    `json:"share_id"`
	LinkID       string    `json:"link_id"`
	ViewID       string    `json:"view_id,omitempty"`
	ItemID       string    `json:"item_id,omitempty"`
	Recipient    string    `json:"recipient,omitempty"`
	SuspectedBot bool      `json:"suspected_bot,omitempty"`
	At           time.Time `json:"at"`
}
