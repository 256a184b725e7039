package analytics

import (
	"time"

	"github.com/briefcasehq/briefcase/errcode"
)

// Errors returned by this package and by analytics.Store implementations.
var (
	ErrNotFound  = errcode.New(errcode.NotFound, "analytics: not found")
	ErrInvalid   = errcode.New(errcode.Invalid, "analytics: invalid")
	ErrForbidden = errcode.New(errcode.Forbidden, "analytics: forbidden")
)

// EventType names an event.
type EventType string

// Internal events (a principal acted) and external ones (a buyer did).
const (
	ItemViewed     EventType = "item.viewed"
	Searched       EventType = "search"
	ItemDownloaded EventType = "item.downloaded"
	ItemBookmarked EventType = "item.bookmarked"
	// ItemPitched is recorded once per item of a new pitch or room, and
	// per item added to a room.
	ItemPitched EventType = "item.pitched"
	RoomUpdated EventType = "room.updated"

	// LinkOpened: a buyer opened a share's link (a visit began).
	LinkOpened EventType = "link.opened"
	// PageViewed: a buyer read a page of an item for ActiveMS (one per
	// accepted beacon).
	PageViewed EventType = "page.viewed"
	// ExternalDownloaded: a buyer downloaded an item of a share.
	ExternalDownloaded EventType = "link.downloaded"
	// LinkClicked: a buyer followed a link item of a share.
	LinkClicked EventType = "link.clicked"
)

// EventTypes lists every type.
var EventTypes = []EventType{ItemViewed, Searched, ItemDownloaded, ItemBookmarked, ItemPitched, RoomUpdated,
	LinkOpened, PageViewed, ExternalDownloaded, LinkClicked}

// External reports whether events of type t come from buyers.
func (t EventType) External() bool {
	switch t {
	case LinkOpened, PageViewed, ExternalDownloaded, LinkClicked:
		return true
	}
	return false
}

// Event is one entry of the event log.
type Event struct {
	// ID is assigned by the store, increasing in append order.
	ID   int64     `json:"id"`
	Type EventType `json:"type"`
	At   time.Time `json:"at"`
	// Actor is the principal that acted (internal events).
	Actor string `json:"actor,omitempty"`
	// Recipient is the buyer's address (external events), when known.
	Recipient string `json:"recipient,omitempty"`
	// ItemID and SpotID (the item's home spot when it happened).
	ItemID string `json:"item_id,omitempty"`
	SpotID string `json:"spot_id,omitempty"`
	// ShareID, its owner (the seller) and the visit (ViewID) of external
	// events and of pitches.
	ShareID    string `json:"share_id,omitempty"`
	ShareOwner string `json:"share_owner,omitempty"`
	ViewID     string `json:"view_id,omitempty"`
	// Page (from 1) and ActiveMS of page.viewed.
	Page     int   `json:"page,omitempty"`
	ActiveMS int64 `json:"active_ms,omitempty"`
	// Query and Hits of a search.
	Query string `json:"query,omitempty"`
	Hits  int    `json:"hits,omitempty"`
	// SuspectedBot marks events of visits that look automated.
	SuspectedBot bool `json:"suspected_bot,omitempty"`
}

// Day is a UTC calendar day, "2006-01-02".
type Day string

// DayOf returns the UTC day of t.
func DayOf(t time.Time) Day { return Day(t.UTC().Format(time.DateOnly)) }

// Time returns the start of the day in UTC; the zero time for a malformed
// day.
func (d Day) Time() time.Time {
	t, err := time.Parse(time.DateOnly, string(d))
	if err != nil {
		return time.Time{}
	}
	return t
}

// ItemDay is an item's engagement on one day, apart for suspected bots.
// Every numeric field is summed when deltas are added.
type ItemDay struct {
	ItemID string `json:"item_id"`
	SpotID string `json:"spot_id"`
	Day    Day    `json:"day"`
	Bot    bool   `json:"bot"`
	// Internal activity.
	Views     int64 `json:"views"`
	Downloads int64 `json:"downloads"`
	Bookmarks int64 `json:"bookmarks"`
	Pitches   int64 `json:"pitches"`
	// Buyers' activity.
	PageViews         int64 `json:"page_views"`
	ActiveMS          int64 `json:"active_ms"`
	ExternalDownloads int64 `json:"external_downloads"`
	ExternalClicks    int64 `json:"external_clicks"`
	// Score is the weighted engagement (see Weights) trending and popular
	// sum.
	Score float64 `json:"score"`
}

// ItemViewer records that a principal viewed an item on a day (for unique
// viewers). Adding it again is a no-op.
type ItemViewer struct {
	ItemID string `json:"item_id"`
	SpotID string `json:"spot_id"`
	Day    Day    `json:"day"`
	Viewer string `json:"viewer"`
}

// VisitPage is the time one visit (a share's view) spent on one page of an
// item; ActiveMS is summed when deltas are added.
type VisitPage struct {
	ViewID    string `json:"view_id"`
	ItemID    string `json:"item_id"`
	SpotID    string `json:"spot_id"`
	ShareID   string `json:"share_id"`
	Recipient string `json:"recipient,omitempty"`
	// Day is the day of the visit's first beacon on this page.
	Day      Day   `json:"day"`
	Page     int   `json:"page"`
	Bot      bool  `json:"bot"`
	ActiveMS int64 `json:"active_ms"`
}

// RecipientTotal is one recipient's engagement with one share; numbers are
// summed, FirstAt keeps the earliest and LastAt the latest.
type RecipientTotal struct {
	ShareID    string    `json:"share_id"`
	ShareOwner string    `json:"share_owner"`
	Recipient  string    `json:"recipient"`
	Bot        bool      `json:"bot"`
	Opens      int64     `json:"opens"`
	PageViews  int64     `json:"page_views"`
	ActiveMS   int64     `json:"active_ms"`
	Downloads  int64     `json:"downloads"`
	Clicks     int64     `json:"clicks"`
	FirstAt    time.Time `json:"first_at"`
	LastAt     time.Time `json:"last_at"`
}

// QueryDay counts searches of one normalized query on one day.
type QueryDay struct {
	Query string `json:"query"`
	Day   Day    `json:"day"`
	// Searches, ZeroHits (searches that found nothing) and HitsTotal are
	// summed.
	Searches  int64 `json:"searches"`
	ZeroHits  int64 `json:"zero_hits"`
	HitsTotal int64 `json:"hits_total"`
}

// ActorDay counts what one principal did on one day, per event type.
type ActorDay struct {
	Actor string    `json:"actor"`
	Day   Day       `json:"day"`
	Type  EventType `json:"type"`
	Count int64     `json:"count"`
}

// Rollups are the roll-up deltas of a batch of events: added onto the
// stored rows with the same keys (see each type).
type Rollups struct {
	ItemDays   []ItemDay
	Viewers    []ItemViewer
	VisitPages []VisitPage
	Recipients []RecipientTotal
	Queries    []QueryDay
	Actors     []ActorDay
}

// Weights turn events into engagement for trending and popular.
type Weights struct {
	View, Download, Bookmark, Pitch float64
	// PageView counts each page a buyer read; ActiveMinute each minute of
	// a buyer's reading.
	PageView, ActiveMinute  float64
	ExternalDownload, Click float64
}

// DefaultWeights: internal views 1, bookmarks and downloads 2, pitches 3;
// a buyer's page 0.5, minute of reading 1, download 3, click 1.
func DefaultWeights() Weights {
	return Weights{View: 1, Download: 2, Bookmark: 2, Pitch: 3, PageView: 0.5, ActiveMinute: 1,
		ExternalDownload: 3, Click: 1}
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
