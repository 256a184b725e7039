// Package analytics records what content does: an append-only event log,
// trending and popular signals, reports, and revenue influence from a CRM.
//
// This package currently holds the event types; the recorder, roll-ups,
// reports and attribution are being built.
package analytics

import "time"

// EventType names an event.
type EventType string

// Internal and external events.
const (
	ItemViewed     EventType = "item.viewed"
	Searched       EventType = "search"
	ItemDownloaded EventType = "item.downloaded"
	ItemBookmarked EventType = "item.bookmarked"
	ItemPitched    EventType = "item.pitched"
	LinkOpened     EventType = "link.opened"
	PageViewed     EventType = "page.viewed"
	LinkClicked    EventType = "link.clicked"
)

// Event is one entry of the event log.
type Event struct {
	ID           int64     `json:"id"`
	Type         EventType `json:"type"`
	At           time.Time `json:"at"`
	Actor        string    `json:"actor,omitempty"`
	Recipient    string    `json:"recipient,omitempty"`
	ItemID       string    `json:"item_id,omitempty"`
	ShareID      string    `json:"share_id,omitempty"`
	SpotID       string    `json:"spot_id,omitempty"`
	Page         int       `json:"page,omitempty"`
	ActiveMS     int64     `json:"active_ms,omitempty"`
	SuspectedBot bool      `json:"suspected_bot,omitempty"`
}

// AttributionModel spreads an opportunity's amount over the shares that
// influenced it.
type AttributionModel string

// Attribution models.
const (
	AttributeEven      AttributionModel = "even"
	AttributeFirst     AttributionModel = "first"
	AttributeLast      AttributionModel = "last"
	AttributeTimeDecay AttributionModel = "time_decay"
)
