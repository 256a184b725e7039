package items

import (
	"slices"
	"time"

	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/spots"
)

// Errors returned by this package and by items.Store implementations.
var (
	ErrNotFound        = errcode.New(errcode.NotFound, "items: not found")
	ErrConflict        = errcode.New(errcode.Conflict, "items: conflict")
	ErrInvalid         = errcode.New(errcode.Invalid, "items: invalid")
	ErrForbidden       = errcode.New(errcode.Forbidden, "items: forbidden")
	ErrPrecondition    = errcode.New(errcode.FailedPrecondition, "items: precondition failed")
	ErrNotDownloadable = errcode.New(errcode.Forbidden, "items: not downloadable")
)

// Kind is what sort of content an item is.
type Kind string

// Item kinds.
const (
	KindDocument     Kind = "document"
	KindPresentation Kind = "presentation"
	KindPDF          Kind = "pdf"
	KindVideo        Kind = "video"
	KindImage        Kind = "image"
	KindSpreadsheet  Kind = "spreadsheet"
	KindLink         Kind = "link"
	KindPage         Kind = "page"  // SmartPage: structured blocks
	KindTrack        Kind = "track" // external content track (e.g. a PathFactory URL)
	KindRemix        Kind = "remix" // pages of approved decks, with provenance
)

// Kinds lists every kind.
var Kinds = []Kind{KindDocument, KindPresentation, KindPDF, KindVideo, KindImage, KindSpreadsheet,
	KindLink, KindPage, KindTrack, KindRemix}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// HasFile reports whether items of kind k hold uploaded versions.
func (k Kind) HasFile() bool {
	switch k {
	case KindLink, KindTrack, KindPage:
		return false
	}
	return k.Valid()
}

// Audience says who content is for.
type Audience string

// Audiences.
const (
	// Internal content is for the team only: it can never be pitched, put in
	// a room, served to a buyer or downloaded.
	Internal Audience = "internal"
	// External content may be shared with buyers.
	External Audience = "external"
)

// Valid reports whether a is a known audience.
func (a Audience) Valid() bool { return a == Internal || a == External }

// Status is where an item is in its governance lifecycle:
// draft → in_review → scheduled → published → expiring → expired → archived.
type Status string

// Statuses.
const (
	StatusDraft     Status = "draft"
	StatusInReview  Status = "in_review"
	StatusScheduled Status = "scheduled"
	StatusPublished Status = "published"
	StatusExpiring  Status = "expiring"
	StatusExpired   Status = "expired"
	StatusArchived  Status = "archived"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{StatusDraft, StatusInReview, StatusScheduled, StatusPublished, StatusExpiring,
	StatusExpired, StatusArchived}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// ViewerVisible reports whether a spot's viewers see the item: its status
// is one of ViewerStatuses and governance has not hidden it.
func (it Item) ViewerVisible() bool { return !it.Hidden && slices.Contains(ViewerStatuses, it.Status) }

// ViewerStatuses are the statuses a spot's viewers see; the others
// (draft, in_review, scheduled, archived) are seen only by those who may
// edit the item's home spot.
var ViewerStatuses = []Status{StatusPublished, StatusExpiring, StatusExpired}

// SourceType says where an item's content comes from.
type SourceType string

// Source types.
const (
	SourceUpload    SourceType = "upload"
	SourceURL       SourceType = "url"
	SourceConnector SourceType = "connector"
)

// Source is where the content comes from: an upload, a URL, or a connector
// reference such as a Google Drive file ID.
type Source struct {
	Type       SourceType `json:"type"`
	URL        string     `json:"url,omitempty"`
	Connector  string     `json:"connector,omitempty"`
	ExternalID string     `json:"external_id,omitempty"`
}

// Item is a piece of content. It lives in one home spot (SpotID) and may be
// placed in more spots; a principal can view it when it can view any of
// them.
type Item struct {
	ID     string `json:"id"`
	SpotID string `json:"spot_id"`
	// Placements are the other spots the item is placed in, sorted. Stores
	// fill it on read and ignore it on write (see Store.PutPlacement).
	Placements          []string `json:"placements"`
	Kind                Kind     `json:"kind"`
	Title               string   `json:"title"`
	Description         string   `json:"description"`
	ExternalTitle       string   `json:"external_title,omitempty"`
	ExternalDescription string   `json:"external_description,omitempty"`
	Audience            Audience `json:"audience"`
	// Downloadable is always false for internal items.
	Downloadable  bool            `json:"downloadable"`
	Author        string          `json:"author"`
	FeedbackOwner string          `json:"feedback_owner"`
	Owners        []spots.Subject `json:"owners"`
	Labels        []string        `json:"labels"`
	// ListIDs are the lists the item belongs to, sorted. Stores fill it on
	// read and ignore it on write (see Store.PutListItem).
	ListIDs          []string  `json:"list_ids"`
	AvailableAt      time.Time `json:"available_at,omitzero"`
	ExpiresAt        time.Time `json:"expires_at,omitzero"`
	VerifiedAt       time.Time `json:"verified_at,omitzero"`
	VerifyBy         time.Time `json:"verify_by,omitzero"`
	Promoted         bool      `json:"promoted"`
	PromotedKeywords []string  `json:"promoted_keywords"`
	Source           Source    `json:"source"`
	Status           Status    `json:"status"`
	// Hidden is set by governance on items that expired in a spot whose
	// policy hides expired content: like drafts, they are seen only by
	// those who may edit the home spot, never by viewers or in their
	// search results.
	Hidden bool `json:"hidden,omitempty"`
	// SubmittedAt is when the item last entered review (in_review).
	SubmittedAt time.Time `json:"submitted_at,omitzero"`
	// SweepAt is when the governance sweep next looks at the item: zero
	// means at the next sweep. The items service sets it to the time of
	// every write (due from then on); governance sets it to the item's next
	// deadline. Stores persist it like any field.
	SweepAt time.Time `json:"-"`
	// CurrentVersionID is the version buyers and viewers get; empty until
	// the first upload.
	CurrentVersionID string    `json:"current_version_id,omitempty"`
	CreatedBy        string    `json:"created_by"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// SpotIDs returns the home spot followed by the placements.
func (it Item) SpotIDs() []string { return append([]string{it.SpotID}, it.Placements...) }

// DisplayTitle is the title a buyer sees.
func (it Item) DisplayTitle() string {
	if it.ExternalTitle != "" {
		return it.ExternalTitle
	}
	return it.Title
}

// Clone returns a deep copy of it.
func (it Item) Clone() Item {
	it.Placements = slices.Clone(it.Placements)
	it.Owners = slices.Clone(it.Owners)
	it.Labels = slices.Clone(it.Labels)
	it.ListIDs = slices.Clone(it.ListIDs)
	it.PromotedKeywords = slices.Clone(it.PromotedKeywords)
	return it
}

// Version is one immutable upload of an item's content.
type Version struct {
	ID     string `json:"id"`
	ItemID string `json:"item_id"`
	// Number counts an item's versions from 1.
	Number int `json:"number"`
	// BlobKey locates the bytes in Blobs; for content-addressed blobs it is
	// the SHA-256.
	BlobKey   string `json:"-"`
	SHA256    string `json:"sha256"`
	MIMEType  string `json:"mime_type"`
	Size      int64  `json:"size"`
	Filename  string `json:"filename"`
	PageCount int    `json:"page_count"`
	// Pages holds the extracted text, one entry per page or slide.
	Pages     []string  `json:"-"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Clone returns a deep copy of v.
func (v Version) Clone() Version {
	v.Pages = slices.Clone(v.Pages)
	return v
}

// ListGroup collects lists ("Industry": "Finance", "Public Sector").
type ListGroup struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// List is a named tag that items belong to; it drives search facets and
// spot navigation.
type List struct {
	ID        string    `json:"id"`
	GroupID   string    `json:"group_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Bookmark is a principal's pointer to an item, shown in its personal spot.
type Bookmark struct {
	PrincipalID string    `json:"principal_id"`
	ItemID      string    `json:"item_id"`
	CreatedAt   time.Time `json:"created_at"`
}
