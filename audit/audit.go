// Package audit is Briefcase's append-only record of who changed what:
// permission changes, admin overrides, content state changes and shares.
//
// Services append entries inside the same transaction as the change they
// record, so an entry exists exactly when its change does. Entries are never
// updated or deleted.
package audit

import (
	"context"
	"encoding/json"
	"time"
)

// Entry is one audited change.
type Entry struct {
	// Seq is assigned by the store: strictly increasing in append order.
	Seq int64     `json:"seq"`
	At  time.Time `json:"at"`
	// Actor is the principal ID that made the change.
	Actor string `json:"actor"`
	// Action names the change, "<domain>.<verb>": "spot.grant", "item.update".
	Action string `json:"action"`
	// TargetKind and TargetID name what changed ("spot", "item", "list", ...).
	TargetKind string `json:"target_kind"`
	TargetID   string `json:"target_id"`
	// SpotID is the spot the target belongs to, when it has one; it lets
	// spot owners read the log of their own spots.
	SpotID string `json:"spot_id,omitempty"`
	// Override is true when the actor used admin powers beyond its grants.
	Override bool `json:"override,omitempty"`
	// Reason explains an override or a refusal-worthy change.
	Reason string          `json:"reason,omitempty"`
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}

// Filter selects entries. Zero fields do not filter.
type Filter struct {
	Actor      string
	TargetKind string
	TargetID   string
	SpotIDs    []string // entries whose SpotID is one of these
	Since      time.Time
	Until      time.Time // exclusive
	// AfterSeq returns entries with Seq greater than it (cursor).
	AfterSeq int64
	// Limit caps the result; zero means the store's default of 100.
	Limit int
}

// Store persists audit entries.
type Store interface {
	// AppendAudit stores e and sets nothing on the caller's copy; Seq is
	// assigned by the store.
	AppendAudit(ctx context.Context, e Entry) error
	// ListAudit returns the entries matching f in increasing Seq order.
	ListAudit(ctx context.Context, f Filter) ([]Entry, error)
}

// JSON marshals v for Entry.Before and Entry.After. Values that cannot be
// marshalled are recorded as null rather than failing the change.
func JSON(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}
