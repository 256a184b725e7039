package governance

import (
	"context"
	"time"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
)

// NoticeKind names what a notice is about.
type NoticeKind string

// Notice kinds.
const (
	// NoticeExpiring: the item expires inside one of its spot's notice
	// windows (Window days ahead).
	NoticeExpiring NoticeKind = "expiring"
	// NoticeExpired: the item reached its expiry date.
	NoticeExpired NoticeKind = "expired"
	// NoticeArchived: the item expired in a spot that archives expired
	// content.
	NoticeArchived NoticeKind = "archived"
	// NoticeVerifyDue: the item's verification falls due in Window days.
	NoticeVerifyDue NoticeKind = "verify_due"
	// NoticeVerifyOverdue: the item's verification date passed.
	NoticeVerifyOverdue NoticeKind = "verify_overdue"
	// NoticeReview: an item waits for the recipient's approval.
	NoticeReview NoticeKind = "review_requested"
	// NoticeApproved and NoticeRejected tell the submitter the outcome.
	NoticeApproved NoticeKind = "approved"
	NoticeRejected NoticeKind = "rejected"
	// NoticeShareExpiring tells a seller that an item in one of their live
	// shares expires in Window days.
	NoticeShareExpiring NoticeKind = "share_item_expiring"
	// NoticeTrainingDue and NoticeTrainingOverdue are about the basic user
	// training's deadline.
	NoticeTrainingDue     NoticeKind = "training_due"
	NoticeTrainingOverdue NoticeKind = "training_overdue"
)

// Notice is one thing one recipient is told, recorded before it is sent.
// Notices are grouped into messages when they are delivered: a spot's
// owners get one digest per sweep (Digest is the spot's ID), everyone
// else one message per sweep with their own notices.
type Notice struct {
	ID string `json:"id"`
	// Key makes a notice unique: one per (item, deadline, window,
	// recipient). Recording a notice whose Key exists does nothing, so a
	// notice is never recorded, and so never sent, twice.
	Key string `json:"-"`
	// Recipient is a principal ID.
	Recipient string `json:"recipient"`
	// Digest is the spot ID when the notice belongs to that spot's owners'
	// digest, "admin" for the administrators' digest, and empty for a
	// personal message.
	Digest string     `json:"digest,omitempty"`
	Kind   NoticeKind `json:"kind"`
	// ItemID and SpotID name the item and its home spot, when the notice
	// is about an item; SubjectID names the user of a training notice.
	ItemID    string `json:"item_id,omitempty"`
	SpotID    string `json:"spot_id,omitempty"`
	SubjectID string `json:"subject_id,omitempty"`
	// Title is the item's title (or the user's name) when recorded.
	Title string `json:"title"`
	// Window is the notice window in days (30, 7, 0, ...); -1 when the
	// notice is not about a window.
	Window int `json:"window"`
	// Due is the deadline the notice is about (expiry, verification or
	// training date), zero when none.
	Due time.Time `json:"due,omitzero"`
	// Detail is free text: a rejection's reason.
	Detail    string    `json:"detail,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// SentAt is set once the notice was delivered.
	SentAt time.Time `json:"sent_at,omitzero"`
	// Attempts counts failed deliveries; NextAttemptAt is when the next
	// one may run; LastError is the last failure.
	Attempts      int       `json:"attempts"`
	NextAttemptAt time.Time `json:"next_attempt_at,omitzero"`
	LastError     string    `json:"last_error,omitempty"`
}

// NoticeFilter selects notices. Zero fields do not filter.
type NoticeFilter struct {
	Recipient string
	ItemID    string
	// Unsent keeps notices not delivered yet.
	Unsent bool
	// Before is a cursor: the ID of the last notice of the previous page.
	// Only notices strictly older in (CreatedAt, ID) order are kept; an
	// ID that names no notice keeps none.
	Before string
	// Limit caps the result; zero means 1000. Notices come newest first:
	// CreatedAt descending (a zero CreatedAt is the oldest), then ID
	// descending.
	Limit int
}

// Store is what governance persists besides items: the sweep's schedule on
// each item and the notices. It holds no rules.
type Store interface {
	// DueItems returns the items whose SweepAt is zero or not after now,
	// ordered by SweepAt (items with the same SweepAt in an order of the
	// store's choosing), at most limit (zero: 1000). Placements and ListIDs
	// are not filled.
	DueItems(ctx context.Context, now time.Time, limit int) ([]items.Item, error)
	// SetSweepAt sets SweepAt on the given items (ID → time); IDs of items
	// that no longer exist are skipped. It changes nothing else: not
	// UpdatedAt, and it records no change in the change feed.
	SetSweepAt(ctx context.Context, at map[string]time.Time) error
	// ResetSweep sets SweepAt to zero on every item homed in spotID, so the
	// next sweep looks at them again (after a policy change). It returns
	// how many items it reset.
	ResetSweep(ctx context.Context, spotID string) (int, error)

	// AddNotices stores the notices whose Key is new, in order, and returns
	// those it stored; notices whose Key exists are skipped untouched.
	AddNotices(ctx context.Context, ns []Notice) ([]Notice, error)
	// PendingNotices returns unsent notices with fewer than maxAttempts
	// failed attempts whose NextAttemptAt is zero or not after now, ordered
	// by Recipient, Digest, CreatedAt, ID; at most limit (zero: 1000).
	PendingNotices(ctx context.Context, now time.Time, maxAttempts, limit int) ([]Notice, error)
	// ClaimNotices is PendingNotices that also sets NextAttemptAt to until
	// on the notices it returns, in one atomic step, so that a concurrent
	// ClaimNotices (another sweep, another process or node) does not
	// return them again before until: a delivery's lease. Attempts is not
	// changed. On a store shared by several processes the claim must hold
	// against all of them (SQLite: one write transaction; PostgreSQL:
	// UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)).
	ClaimNotices(ctx context.Context, now, until time.Time, maxAttempts, limit int) ([]Notice, error)
	// MarkNoticesSent sets SentAt on the notices with these IDs (unknown
	// IDs are skipped).
	MarkNoticesSent(ctx context.Context, ids []string, at time.Time) error
	// MarkNoticesFailed adds one to Attempts and sets NextAttemptAt and
	// LastError on the unsent notices with these IDs.
	MarkNoticesFailed(ctx context.Context, ids []string, next time.Time, lastErr string) error
	// ListNotices returns the notices matching f, newest first (CreatedAt
	// descending, then ID descending), at most f.Limit (zero: 1000).
	// Passing each page's last ID as the next page's f.Before returns
	// every notice once (a notice recorded meanwhile with a later
	// CreatedAt does not shift the pages). An f.Before that names no
	// notice gives an empty result, not an error.
	ListNotices(ctx context.Context, f NoticeFilter) ([]Notice, error)
}

// Stores is what the governance service reads and writes in one
// transaction.
type Stores interface {
	Store
	items.Store
	spots.Store
	audit.Store
}

// AtomicFunc runs fn in one transaction over Stores.
type AtomicFunc func(ctx context.Context, fn func(tx Stores) error) error
