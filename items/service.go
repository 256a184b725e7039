package items

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/spots"
)

// Options configure a Service. Zero fields take defaults.
type Options struct {
	Now   func() time.Time
	NewID func() string
	// MaxUploadBytes caps one version's size; 512 MiB by default.
	MaxUploadBytes int64
	// VerifyInterval is how long a verification holds; 90 days by default.
	VerifyInterval time.Duration
	Logger         *slog.Logger
	// Extractor pulls the text out of each uploaded version, for search;
	// without one versions have no text. See Extractor for the contract.
	Extractor Extractor
	// ExtractTimeout bounds one extraction; one minute by default.
	ExtractTimeout time.Duration
	// MaxTextBytes caps the extracted text kept per version, all pages
	// together, so that one huge file cannot swell the store and the search
	// index; 2 MiB by default. Text past it is dropped.
	MaxTextBytes int
	// Observe receives what people did with content (viewed, downloaded,
	// bookmarked), for analytics; it must not block.
	Observe func(ctx context.Context, a Activity)
	// Governor applies spot governance policies (required properties,
	// default expiry, approval, expiry by date) to creates, updates and
	// verifications; governance.Service is one.
	Governor Governor
}

// ActivityType names an Activity.
type ActivityType string

// Activities reported to Options.Observe.
const (
	ActViewed     ActivityType = "viewed"
	ActDownloaded ActivityType = "downloaded"
	ActBookmarked ActivityType = "bookmarked"
)

// Activity is something a principal did with an item.
type Activity struct {
	Type   ActivityType
	At     time.Time
	Actor  string
	ItemID string
	// SpotID is the item's home spot.
	SpotID string
}

// observe reports an activity of the caller on it.
func (s *Service) observe(ctx context.Context, typ ActivityType, it Item) {
	if s.opt.Observe == nil {
		return
	}
	p, _ := spots.PrincipalFrom(ctx)
	if p.System {
		return
	}
	s.opt.Observe(ctx, Activity{Type: typ, At: s.now(), Actor: p.ID, ItemID: it.ID, SpotID: it.SpotID})
}

// Service holds every rule about items, versions, lists and bookmarks.
// It is safe for concurrent use.
type Service struct {
	st     Stores
	atomic AtomicFunc
	spots  *spots.Service
	blobs  Blobs
	opt    Options
}

// NewService returns a Service. Access to items is decided by the spots
// service over the item's spots.
func NewService(st Stores, atomic AtomicFunc, sp *spots.Service, blobs Blobs, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.NewID == nil {
		opt.NewID = spots.NewID
	}
	if opt.MaxUploadBytes <= 0 {
		opt.MaxUploadBytes = 512 << 20
	}
	if opt.VerifyInterval <= 0 {
		opt.VerifyInterval = 90 * 24 * time.Hour
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.ExtractTimeout <= 0 {
		opt.ExtractTimeout = defaultExtractTimeout
	}
	if opt.MaxTextBytes <= 0 {
		opt.MaxTextBytes = defaultMaxTextBytes
	}
	return &Service{st: st, atomic: atomic, spots: sp, blobs: blobs, opt: opt}
}

func (s *Service) now() time.Time { return s.opt.Now().UTC().Truncate(time.Microsecond) }

// Limits on user-supplied values.
const (
	maxTitleLen       = 300
	maxDescriptionLen = 20000
	maxLabels         = 50
	maxLabelLen       = 64
	maxOwners         = 20
	maxURLLen         = 2048
)

// NewItem is the input of Create.
type NewItem struct {
	SpotID              string          `json:"spot_id"`
	Kind                Kind            `json:"kind"`
	Title               string          `json:"title"`
	Description         string          `json:"description"`
	ExternalTitle       string          `json:"external_title"`
	ExternalDescription string          `json:"external_description"`
	Audience            Audience        `json:"audience"`
	Downloadable        bool            `json:"downloadable"`
	Author              string          `json:"author"`
	FeedbackOwner       string          `json:"feedback_owner"`
	Owners              []spots.Subject `json:"owners"`
	Labels              []string        `json:"labels"`
	AvailableAt         time.Time       `json:"available_at"`
	ExpiresAt           time.Time       `json:"expires_at"`
	Promoted            bool            `json:"promoted"`
	PromotedKeywords    []string        `json:"promoted_keywords"`
	Source              Source          `json:"source"`
	// ListIDs puts the new item in these lists in the same transaction
	// (a spot's policy may require one).
	ListIDs []string `json:"list_ids"`
	// Status may be draft or published (the default); a future AvailableAt
	// makes a published item scheduled, and a spot that requires approval
	// puts a published item in review.
	Status Status `json:"status"`
}

// Create adds an item to a spot the caller may edit. Defaults: audience
// internal (the safe side), owner and feedback owner the creator, author
// the creator's name, status published.
func (s *Service) Create(ctx context.Context, in NewItem) (Item, error) {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return Item{}, err
	}
	now := s.now()
	it := Item{
		ID: s.opt.NewID(), SpotID: in.SpotID, Kind: in.Kind, Title: in.Title, Description: in.Description,
		ExternalTitle: in.ExternalTitle, ExternalDescription: in.ExternalDescription, Audience: in.Audience,
		Downloadable: in.Downloadable, Author: in.Author, FeedbackOwner: in.FeedbackOwner, Owners: in.Owners,
		Labels: in.Labels, AvailableAt: in.AvailableAt, ExpiresAt: in.ExpiresAt, Promoted: in.Promoted,
		PromotedKeywords: in.PromotedKeywords, Source: in.Source, Status: in.Status,
		CreatedBy: p.ID, CreatedAt: now, UpdatedAt: now,
	}
	if it.Audience == "" {
		it.Audience = Internal
	}
	if it.Author == "" {
		it.Author = p.Name
	}
	if it.FeedbackOwner == "" && !p.System {
		it.FeedbackOwner = p.ID
	}
	if len(it.Owners) == 0 && !p.System {
		it.Owners = []spots.Subject{spots.User(p.ID)}
	}
	if it.Source.Type == "" {
		it.Source.Type = SourceUpload
		if !it.Kind.HasFile() {
			it.Source.Type = SourceURL
		}
	}
	var f errcode.Fields
	if strings.TrimSpace(in.SpotID) == "" {
		f.Add("spot_id", "required")
	}
	switch in.Status {
	case "", StatusPublished:
		it.Status = StatusPublished
	case StatusDraft:
	default:
		f.Add("status", "must be draft or published when creating an item")
	}
	s.normalize(&it, &f, now, true)
	it.ListIDs = cleanIDs(&f, "list_ids", in.ListIDs)
	if err := f.Err(ErrInvalid); err != nil {
		return Item{}, err
	}
	_, d, err := s.spots.Check(ctx, it.SpotID, spots.ActionEdit)
	if err != nil {
		return Item{}, spotErr(err, "spot_id")
	}
	if err := s.checkFeedbackOwner(ctx, it.FeedbackOwner); err != nil {
		return Item{}, err
	}
	r, err := s.rules(ctx, it.SpotID)
	if err != nil {
		return Item{}, err
	}
	if err := admit(r, OpCreate, Item{}, &it, now); err != nil {
		return Item{}, err
	}
	err = s.atomic(ctx, func(tx Stores) error {
		if err := tx.CreateItem(ctx, it); err != nil {
			return err
		}
		for _, l := range it.ListIDs {
			if err := tx.PutListItem(ctx, l, it.ID); err != nil {
				if errors.Is(err, ErrNotFound) {
					return errcode.Invalidf(ErrInvalid, "list_ids", "no such list %q", l)
				}
				return err
			}
		}
		return tx.AppendAudit(ctx, audit.Entry{At: now, Actor: p.ID, Action: "item.create", TargetKind: "item",
			TargetID: it.ID, SpotID: it.SpotID, Override: d.Override, After: audit.JSON(it)})
	})
	if err != nil {
		return Item{}, fmt.Errorf("items: create: %w", err)
	}
	return s.st.GetItem(ctx, it.ID)
}

// spotErr turns a missing home spot into a validation error on field.
func spotErr(err error, field string) error {
	if errors.Is(err, spots.ErrNotFound) {
		return errcode.Invalidf(ErrInvalid, field, "no such spot, or you may not see it")
	}
	return err
}

func (s *Service) checkFeedbackOwner(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	sys := spots.WithPrincipal(ctx, spots.SystemPrincipal())
	if _, err := s.spots.GetPrincipal(sys, id); err != nil {
		if errors.Is(err, spots.ErrNotFound) {
			return errcode.Invalidf(ErrInvalid, "feedback_owner", "unknown user %q", id)
		}
		return err
	}
	return nil
}

// normalize validates it in place, applying the rules every write shares:
// trimmed text, sorted unique labels, the most restrictive of audience and
// downloadable, scheduled status for a future availability date.
func (s *Service) normalize(it *Item, f *errcode.Fields, now time.Time, creating bool) {
	it.Title = strings.TrimSpace(it.Title)
	it.ExternalTitle = strings.TrimSpace(it.ExternalTitle)
	it.Author = strings.TrimSpace(it.Author)
	text(f, "title", it.Title, maxTitleLen, true)
	text(f, "description", it.Description, maxDescriptionLen, false)
	text(f, "external_title", it.ExternalTitle, maxTitleLen, false)
	text(f, "external_description", it.ExternalDescription, maxDescriptionLen, false)
	text(f, "author", it.Author, maxTitleLen, false)
	if !it.Kind.Valid() {
		f.Add("kind", "must be one of %s", joinKinds())
	}
	if !it.Audience.Valid() {
		f.Add("audience", "must be internal or external")
	}
	// Internal content is never downloadable: the most restrictive wins.
	if it.Audience != External {
		it.Downloadable = false
	}
	it.Labels = cleanTags(f, "labels", it.Labels)
	it.PromotedKeywords = cleanTags(f, "promoted_keywords", it.PromotedKeywords)
	if len(it.PromotedKeywords) > 0 && !it.Promoted {
		f.Add("promoted_keywords", "only promoted items have promoted keywords")
	}
	if len(it.Owners) > maxOwners {
		f.Add("owners", "at most %d owners", maxOwners)
	}
	for _, o := range it.Owners {
		if (o.Kind != spots.SubjectUser && o.Kind != spots.SubjectGroup) || strings.TrimSpace(o.ID) == "" {
			f.Add("owners", "each owner must be a user or a group with an id")
		}
	}
	slices.SortFunc(it.Owners, func(a, b spots.Subject) int { return strings.Compare(a.String(), b.String()) })
	it.Owners = slices.Compact(it.Owners)

	switch {
	case !it.Kind.Valid():
		// The source is judged against the kind; a bad kind is reported alone.
	case it.Source.Type == SourceUpload:
		if !it.Kind.HasFile() {
			f.Add("source.type", "%s items have no uploaded file; use url", it.Kind)
		}
	case it.Source.Type == SourceURL:
		if it.Kind.HasFile() && it.Source.URL == "" {
			f.Add("source.url", "required for url sources")
		}
	case it.Source.Type == SourceConnector:
		if it.Source.Connector == "" {
			f.Add("source.connector", "required for connector sources")
		}
		if it.Source.ExternalID == "" {
			f.Add("source.external_id", "required for connector sources")
		}
	default:
		f.Add("source.type", "must be upload, url or connector")
	}
	if (it.Kind == KindLink || it.Kind == KindTrack) && it.Source.URL == "" {
		f.Add("source.url", "required for %s items", it.Kind)
	}
	if it.Source.URL != "" {
		u, err := url.Parse(it.Source.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(it.Source.URL) > maxURLLen {
			f.Add("source.url", "must be an absolute http or https URL")
		}
	}

	if !it.ExpiresAt.IsZero() {
		it.ExpiresAt = it.ExpiresAt.UTC().Truncate(time.Microsecond)
		if creating && !it.ExpiresAt.After(now) {
			f.Add("expires_at", "must be in the future")
		}
	}
	if !it.AvailableAt.IsZero() {
		it.AvailableAt = it.AvailableAt.UTC().Truncate(time.Microsecond)
		if !it.ExpiresAt.IsZero() && !it.ExpiresAt.After(it.AvailableAt) {
			f.Add("expires_at", "must be after available_at")
		}
	}
	if it.Status == StatusPublished && it.AvailableAt.After(now) {
		it.Status = StatusScheduled
	}
}

func joinKinds() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func text(f *errcode.Fields, field, v string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(v) == "":
		f.Add(field, "required")
	case !utf8.ValidString(v):
		f.Add(field, "must be valid UTF-8")
	case utf8.RuneCountInString(v) > max:
		f.Add(field, "must be at most %d characters", max)
	}
}

func cleanTags(f *errcode.Fields, field string, tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		t = strings.TrimSpace(t)
		switch {
		case t == "":
			f.Add(field, "must not contain empty values")
		case !utf8.ValidString(t) || utf8.RuneCountInString(t) > maxLabelLen:
			f.Add(field, "each value must be valid UTF-8 of at most %d characters", maxLabelLen)
		default:
			out = append(out, t)
		}
	}
	if len(out) > maxLabels {
		f.Add(field, "at most %d values", maxLabels)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// access is the caller's relationship to an item.
type access struct {
	// view is the decision on the spot that lets the caller see the item.
	view spots.Decision
	// edit is the decision for editing on the home spot (may be denied).
	edit spots.Decision
}

// authorize loads an item and decides whether the caller may see it; when
// needEdit is set it also needs edit on the home spot, and the caller records
// any override in its write's audit entry. An item the caller
// may not see is ErrNotFound, so its existence does not leak. Admin
// overrides are recorded only when they are what grants the access.
func (s *Service) authorize(ctx context.Context, id string, needEdit bool) (Item, access, error) {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return Item{}, access{}, err
	}
	it, err := s.st.GetItem(ctx, id)
	if err != nil {
		return Item{}, access{}, fmt.Errorf("items: get %s: %w", id, err)
	}
	var a access
	if _, a.edit, err = s.spots.Decide(ctx, it.SpotID, spots.ActionEdit); err != nil {
		return Item{}, a, fmt.Errorf("items: home spot of %s: %w", id, err)
	}
	notFound := fmt.Errorf("items: get %s: %w", id, ErrNotFound)
	if a.edit.Allowed && needEdit {
		// A write records an override in its own audit entry, in its own
		// transaction, so a refused write leaves no trace.
		a.view = a.edit
		return it, a, nil
	}
	if !it.ViewerVisible() {
		// Statuses viewers do not see are judged on the home spot alone, by
		// the item-level rule in Evaluate.
		_, hv, err := s.spots.Decide(ctx, it.SpotID, spots.ActionView)
		if err != nil {
			return Item{}, a, fmt.Errorf("items: home spot of %s: %w", id, err)
		}
		if a.view = Evaluate(p, it, hv); !a.view.Allowed {
			return Item{}, a, notFound
		}
		if needEdit {
			return Item{}, a, fmt.Errorf("%w: editing %s needs editor on its home spot", ErrForbidden, id)
		}
		return it, a, s.spots.RecordOverride(ctx, it.SpotID, a.view)
	}
	overrideSpot := ""
	for _, sid := range it.SpotIDs() {
		_, d, err := s.spots.Decide(ctx, sid, spots.ActionView)
		if err != nil {
			return Item{}, a, fmt.Errorf("items: spot %s of %s: %w", sid, id, err)
		}
		if d.Allowed && !d.Override {
			a.view = d
			break
		}
		if d.Allowed && overrideSpot == "" {
			a.view, overrideSpot = d, sid
		}
	}
	if !a.view.Allowed {
		return Item{}, a, notFound
	}
	if needEdit {
		return Item{}, a, fmt.Errorf("%w: editing %s needs editor on its home spot", ErrForbidden, id)
	}
	if a.view.Override {
		if err := s.spots.RecordOverride(ctx, overrideSpot, a.view); err != nil {
			return Item{}, a, err
		}
	}
	return it, a, nil
}

// Get returns an item the caller may view. Drafts, items in review,
// scheduled and archived items are visible only to those who may edit the
// home spot.
func (s *Service) Get(ctx context.Context, id string) (Item, error) {
	it, _, err := s.authorize(ctx, id, false)
	return it, err
}

// View is Get by a person looking at the item (the API's GET of an item):
// it is also reported as viewed, for analytics.
func (s *Service) View(ctx context.Context, id string) (Item, error) {
	it, err := s.Get(ctx, id)
	if err == nil {
		s.observe(ctx, ActViewed, it)
	}
	return it, err
}

// ItemPatch changes some fields of an item; nil fields stay.
type ItemPatch struct {
	SpotID              *string          `json:"spot_id"`
	Kind                *Kind            `json:"kind"`
	Title               *string          `json:"title"`
	Description         *string          `json:"description"`
	ExternalTitle       *string          `json:"external_title"`
	ExternalDescription *string          `json:"external_description"`
	Audience            *Audience        `json:"audience"`
	Downloadable        *bool            `json:"downloadable"`
	Author              *string          `json:"author"`
	FeedbackOwner       *string          `json:"feedback_owner"`
	Owners              *[]spots.Subject `json:"owners"`
	Labels              *[]string        `json:"labels"`
	AvailableAt         *time.Time       `json:"available_at"`
	ExpiresAt           *time.Time       `json:"expires_at"`
	Promoted            *bool            `json:"promoted"`
	PromotedKeywords    *[]string        `json:"promoted_keywords"`
	Source              *Source          `json:"source"`
	// Status may move between draft and published (or scheduled) here;
	// governance moves items through the rest of the lifecycle.
	Status *Status `json:"status"`
}

// Update changes an item's properties (edit on its home spot needed).
// Moving the item to another home spot needs edit there too. The patch is
// validated first, then applied again to the item as read inside the write's
// transaction, so a concurrent upload or verification is not undone.
func (s *Service) Update(ctx context.Context, id string, patch ItemPatch) (Item, error) {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return Item{}, err
	}
	before, a, err := s.authorize(ctx, id, true)
	if err != nil {
		return Item{}, err
	}
	now := s.now()
	if _, err := s.applyPatch(before, patch, now); err != nil {
		return Item{}, err
	}
	if patch.FeedbackOwner != nil && *patch.FeedbackOwner != before.FeedbackOwner {
		if err := s.checkFeedbackOwner(ctx, *patch.FeedbackOwner); err != nil {
			return Item{}, err
		}
	}
	override := a.edit.Override
	if patch.SpotID != nil && *patch.SpotID != before.SpotID {
		_, d, err := s.spots.Check(ctx, *patch.SpotID, spots.ActionEdit)
		if err != nil {
			return Item{}, spotErr(err, "spot_id")
		}
		override = override || d.Override
	}
	home := before.SpotID
	if patch.SpotID != nil {
		home = *patch.SpotID
	}
	r, err := s.rules(ctx, home)
	if err != nil {
		return Item{}, err
	}
	var it Item
	err = s.atomic(ctx, func(tx Stores) error {
		cur, err := tx.GetItem(ctx, id)
		if err != nil {
			return err
		}
		if cur.SpotID != before.SpotID {
			return fmt.Errorf("%w: the item moved to another spot meanwhile; retry", ErrConflict)
		}
		if it, err = s.applyPatch(cur, patch, now); err != nil {
			return err
		}
		if err := admit(r, OpUpdate, cur, &it, now); err != nil {
			return err
		}
		if err := tx.UpdateItem(ctx, it); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.Entry{At: now, Actor: p.ID, Action: "item.update", TargetKind: "item",
			TargetID: id, SpotID: it.SpotID, Override: override, Before: audit.JSON(cur), After: audit.JSON(it)})
	})
	if err != nil {
		return Item{}, fmt.Errorf("items: update %s: %w", id, err)
	}
	return s.st.GetItem(ctx, id)
}

// applyPatch returns before with patch applied and validated.
func (s *Service) applyPatch(before Item, patch ItemPatch, now time.Time) (Item, error) {
	it := before.Clone()
	set(&it.SpotID, patch.SpotID)
	set(&it.Kind, patch.Kind)
	set(&it.Title, patch.Title)
	set(&it.Description, patch.Description)
	set(&it.ExternalTitle, patch.ExternalTitle)
	set(&it.ExternalDescription, patch.ExternalDescription)
	set(&it.Audience, patch.Audience)
	set(&it.Downloadable, patch.Downloadable)
	set(&it.Author, patch.Author)
	set(&it.FeedbackOwner, patch.FeedbackOwner)
	set(&it.Owners, patch.Owners)
	set(&it.Labels, patch.Labels)
	set(&it.AvailableAt, patch.AvailableAt)
	set(&it.ExpiresAt, patch.ExpiresAt)
	set(&it.Promoted, patch.Promoted)
	set(&it.PromotedKeywords, patch.PromotedKeywords)
	set(&it.Source, patch.Source)
	var f errcode.Fields
	if patch.SpotID != nil && strings.TrimSpace(*patch.SpotID) == "" {
		f.Add("spot_id", "required")
	}
	if patch.Kind != nil && *patch.Kind != before.Kind && before.CurrentVersionID != "" && !patch.Kind.HasFile() {
		f.Add("kind", "an item with uploaded versions cannot become %s", *patch.Kind)
	}
	if patch.ExpiresAt != nil && !patch.ExpiresAt.IsZero() && !patch.ExpiresAt.After(now) {
		f.Add("expires_at", "must be in the future")
	}
	if patch.Status != nil && *patch.Status != before.Status {
		switch {
		case *patch.Status != StatusDraft && *patch.Status != StatusPublished:
			f.Add("status", "may be set to draft or published here")
		case before.Status == StatusInReview && *patch.Status == StatusDraft:
			it.Status = StatusDraft // withdrawn from review
		case before.Status != StatusDraft && before.Status != StatusPublished && before.Status != StatusScheduled:
			f.Add("status", "a %s item changes state through governance", before.Status)
		default:
			it.Status = *patch.Status
		}
	}
	if it.Status == StatusScheduled && !it.AvailableAt.After(now) {
		it.Status = StatusPublished
	}
	s.normalize(&it, &f, now, false)
	if err := f.Err(ErrInvalid); err != nil {
		return Item{}, err
	}
	it.UpdatedAt = now
	return it, nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// Delete deletes an item with its versions (edit on its home spot needed).
// Blobs stay: they are content-addressed and may be shared by other
// versions.
func (s *Service) Delete(ctx context.Context, id string) error {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return err
	}
	before, a, err := s.authorize(ctx, id, true)
	if err != nil {
		return err
	}
	err = s.atomic(ctx, func(tx Stores) error {
		if err := tx.DeleteItem(ctx, id); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.Entry{At: s.now(), Actor: p.ID, Action: "item.delete", TargetKind: "item",
			TargetID: id, SpotID: before.SpotID, Override: a.edit.Override, Before: audit.JSON(before)})
	})
	if err != nil {
		return fmt.Errorf("items: delete %s: %w", id, err)
	}
	return nil
}

// Query selects items for List.
type Query struct {
	// SpotID keeps items homed or placed in one spot.
	SpotID   string
	ListIDs  []string
	Statuses []Status
	Kinds    []Kind
	Audience Audience
	// Cursor continues from a previous page's NextCursor.
	Cursor string
	// Limit is 1 to 500; 50 by default.
	Limit int
}

// Page is one page of List.
type Page struct {
	Items      []Item `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// List returns the items the caller may view, newest first, filtered by q.
// The visible spots are pushed down to the store, so a page never holds an
// item the caller may not see.
func (s *Service) List(ctx context.Context, q Query) (Page, error) {
	visible, err := s.spots.List(ctx)
	if err != nil {
		return Page{}, err
	}
	var f errcode.Fields
	if q.Limit == 0 {
		q.Limit = 50
	}
	if q.Limit < 1 || q.Limit > 500 {
		f.Add("limit", "must be between 1 and 500")
	}
	for _, st := range q.Statuses {
		if !st.Valid() {
			f.Add("status", "unknown status %q", st)
		}
	}
	for _, k := range q.Kinds {
		if !k.Valid() {
			f.Add("kind", "unknown kind %q", k)
		}
	}
	if q.Audience != "" && !q.Audience.Valid() {
		f.Add("audience", "must be internal or external")
	}
	if err := f.Err(ErrInvalid); err != nil {
		return Page{}, err
	}
	filter := ItemFilter{ListIDs: q.ListIDs, Kinds: q.Kinds, Audience: q.Audience, BeforeID: q.Cursor, Limit: q.Limit + 1}
	p, _ := spots.PrincipalFrom(ctx)
	for _, v := range visible {
		if q.SpotID != "" && v.ID != q.SpotID {
			continue
		}
		filter.SpotIDs = append(filter.SpotIDs, v.ID)
		if v.Role.AtLeast(spots.Editor) || p.IsAdmin() {
			filter.AnyStatusHomeIDs = append(filter.AnyStatusHomeIDs, v.ID)
		}
	}
	filter.Statuses, filter.HideHidden = ViewerStatuses, true
	if len(q.Statuses) > 0 {
		// Everyone sees the requested viewer statuses; editors also see the
		// requested others in their own spots.
		filter.Statuses = intersect(q.Statuses, ViewerStatuses)
		if len(filter.Statuses) == 0 {
			filter.Statuses = []Status{""} // nothing outside AnyStatusHomeIDs
		}
	}
	if len(filter.SpotIDs) == 0 {
		return Page{Items: []Item{}}, nil
	}
	// The store's status filter lets editors' spots through whatever the
	// status; a requested status list is applied here, fetching further
	// (by keyset) until the page is full or the store runs dry.
	var list []Item
	for {
		batch, err := s.st.ListItems(ctx, filter)
		if err != nil {
			return Page{}, fmt.Errorf("items: list: %w", err)
		}
		for _, it := range batch {
			if len(q.Statuses) == 0 || slices.Contains(q.Statuses, it.Status) {
				list = append(list, it)
			}
		}
		if len(batch) < filter.Limit || len(list) > q.Limit {
			break
		}
		filter.BeforeID = batch[len(batch)-1].ID
	}
	page := Page{Items: list}
	if len(list) > q.Limit {
		page.Items = list[:q.Limit]
		page.NextCursor = page.Items[q.Limit-1].ID
	}
	if page.Items == nil {
		page.Items = []Item{}
	}
	return page, nil
}

func intersect[T comparable](a, b []T) []T {
	var out []T
	for _, v := range a {
		if slices.Contains(b, v) {
			out = append(out, v)
		}
	}
	return out
}

// Place puts an item in another spot. The caller must be able to edit the
// target spot and either edit the item's home spot or (for an item homed in
// a public spot, which everyone sees already) view it. Personal spots hold
// bookmarks, not placements.
func (s *Service) Place(ctx context.Context, itemID, spotID string) (Item, error) {
	return s.placement(ctx, itemID, spotID, true)
}

// Unplace removes an item from a spot it was placed in. The caller must be
// able to edit that spot or the item's home spot.
func (s *Service) Unplace(ctx context.Context, itemID, spotID string) (Item, error) {
	return s.placement(ctx, itemID, spotID, false)
}

func (s *Service) placement(ctx context.Context, itemID, spotID string, put bool) (Item, error) {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return Item{}, err
	}
	it, a, err := s.authorize(ctx, itemID, false)
	if err != nil {
		return Item{}, err
	}
	if spotID == it.SpotID {
		return Item{}, fmt.Errorf("%w: %s is the item's home spot", ErrConflict, spotID)
	}
	var d spots.Decision
	switch {
	case !put && a.edit.Allowed:
		// Editors of the home spot may take their item out of any spot,
		// even one they cannot see.
		d = a.edit
	default:
		var target spots.Spot
		target, d, err = s.spots.Check(ctx, spotID, spots.ActionEdit)
		if err != nil {
			return Item{}, err
		}
		if put && target.Personal() {
			return Item{}, fmt.Errorf("%w: bookmark items instead of placing them in a personal spot", ErrPrecondition)
		}
	}
	if put && !a.edit.Allowed {
		// Placing shows the item to everyone who can see the target spot:
		// only those who may edit the home spot decide that, unless the home
		// spot is public and the item is visible to everyone already.
		home, _, err := s.spots.Decide(ctx, it.SpotID, spots.ActionView)
		if err != nil {
			return Item{}, err
		}
		if home.Visibility != spots.Public || home.Personal() {
			return Item{}, fmt.Errorf("%w: placing %s elsewhere needs editor on its home spot", ErrForbidden, itemID)
		}
	}
	d.Override = d.Override || (put && a.edit.Override)
	now := s.now()
	action := "item.place"
	err = s.atomic(ctx, func(tx Stores) error {
		if put {
			if err := tx.PutPlacement(ctx, itemID, spotID, now); err != nil {
				return err
			}
		} else {
			action = "item.unplace"
			if err := tx.DeletePlacement(ctx, itemID, spotID); err != nil {
				return err
			}
		}
		return tx.AppendAudit(ctx, audit.Entry{At: now, Actor: p.ID, Action: action, TargetKind: "item",
			TargetID: itemID, SpotID: spotID, Override: d.Override, After: audit.JSON(map[string]string{"spot_id": spotID})})
	})
	if err != nil {
		return Item{}, fmt.Errorf("items: %s %s in %s: %w", action, itemID, spotID, err)
	}
	return s.st.GetItem(ctx, itemID)
}

// NewVersion is an upload.
type NewVersion struct {
	Filename string
	// MIMEType, when empty, is taken from the file name's extension or
	// sniffed from the content.
	MIMEType string
	Body     io.Reader
}

// AddVersion uploads a new immutable version and makes it current (edit on
// the home spot needed). Bytes over the size limit are refused with nothing
// stored. The configured Extractor reads the stored file's text into the
// version's Pages before it is saved; a failed extraction is logged and the
// version is saved without text.
func (s *Service) AddVersion(ctx context.Context, itemID string, in NewVersion) (Version, error) {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return Version{}, err
	}
	it, a, err := s.authorize(ctx, itemID, true)
	if err != nil {
		return Version{}, err
	}
	if !it.Kind.HasFile() {
		return Version{}, fmt.Errorf("%w: %s items have no uploaded versions", ErrPrecondition, it.Kind)
	}
	var f errcode.Fields
	in.Filename = path.Base(strings.ReplaceAll(strings.TrimSpace(in.Filename), `\`, "/"))
	if in.Filename == "." || in.Filename == "/" || in.Filename == "" {
		f.Add("file", "a file name is required")
	}
	text(&f, "file", in.Filename, 255, false)
	if in.MIMEType != "" {
		if _, _, err := mime.ParseMediaType(in.MIMEType); err != nil {
			f.Add("mime_type", "not a media type")
		}
	}
	if in.Body == nil {
		f.Add("file", "required")
	}
	if err := f.Err(ErrInvalid); err != nil {
		return Version{}, err
	}
	// An upload that is too large or empty fails inside Put, so that Blobs
	// (whose failed Puts leave nothing) keeps no orphan blob of it.
	sniff := &sniffReader{r: &uploadLimit{r: in.Body, max: s.opt.MaxUploadBytes}}
	info, err := s.blobs.Put(ctx, sniff)
	switch {
	case errors.Is(err, errUploadTooLarge):
		return Version{}, errcode.Invalidf(ErrInvalid, "file", "larger than the %d byte limit", s.opt.MaxUploadBytes)
	case errors.Is(err, errUploadEmpty):
		return Version{}, errcode.Invalidf(ErrInvalid, "file", "is empty")
	case err != nil:
		return Version{}, fmt.Errorf("items: store upload: %w", err)
	}
	mt := in.MIMEType
	if mt == "" {
		mt = mime.TypeByExtension(path.Ext(in.Filename))
	}
	if mt == "" {
		mt = http.DetectContentType(sniff.head)
	}
	// Extraction runs outside the transaction: it may take seconds.
	pages, pageCount := s.extractText(ctx, itemID, info, mt, in.Filename)
	now := s.now()
	v := Version{ID: s.opt.NewID(), ItemID: itemID, BlobKey: info.Key, SHA256: info.SHA256, MIMEType: mt,
		Size: info.Size, Filename: in.Filename, PageCount: pageCount, Pages: pages, CreatedBy: p.ID, CreatedAt: now}
	err = s.atomic(ctx, func(tx Stores) error {
		vs, err := tx.ListVersions(ctx, itemID)
		if err != nil {
			return err
		}
		v.Number = len(vs) + 1
		if err := tx.CreateVersion(ctx, v); err != nil {
			return err
		}
		cur, err := tx.GetItem(ctx, itemID)
		if err != nil {
			return err
		}
		cur.CurrentVersionID, cur.UpdatedAt = v.ID, now
		if err := tx.UpdateItem(ctx, cur); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.Entry{At: now, Actor: p.ID, Action: "item.version", TargetKind: "item",
			TargetID: itemID, SpotID: it.SpotID, Override: a.edit.Override, After: audit.JSON(v)})
	})
	if err != nil {
		return Version{}, fmt.Errorf("items: add version to %s: %w", itemID, err)
	}
	return v, nil
}

// Errors uploadLimit fails a Put with.
var (
	errUploadTooLarge = errors.New("items: upload over the size limit")
	errUploadEmpty    = errors.New("items: empty upload")
)

// uploadLimit reads an upload, failing once more than max bytes arrive or
// at the end of an empty one.
type uploadLimit struct {
	r        io.Reader
	max, n   int64
	tooLarge bool
}

func (u *uploadLimit) Read(p []byte) (int, error) {
	if u.tooLarge {
		return 0, errUploadTooLarge
	}
	if int64(len(p)) > u.max-u.n+1 {
		p = p[:u.max-u.n+1] // read at most one byte past the limit
	}
	n, err := u.r.Read(p)
	u.n += int64(n)
	switch {
	case u.n > u.max:
		u.tooLarge = true
		return 0, errUploadTooLarge
	case err == io.EOF && u.n == 0:
		return 0, errUploadEmpty
	}
	return n, err
}

// sniffReader keeps the first 512 bytes read for content sniffing.
type sniffReader struct {
	r    io.Reader
	head []byte
}

func (s *sniffReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if room := 512 - len(s.head); room > 0 && n > 0 {
		s.head = append(s.head, p[:min(n, room)]...)
	}
	return n, err
}

// Versions returns an item's versions, oldest first.
func (s *Service) Versions(ctx context.Context, itemID string) ([]Version, error) {
	if _, _, err := s.authorize(ctx, itemID, false); err != nil {
		return nil, err
	}
	return s.st.ListVersions(ctx, itemID)
}

// Content opens the current version of an item for download. Internal users
// may download an item they can view when it is downloadable; editors of its
// home spot always may (it is their content). The caller closes the reader.
func (s *Service) Content(ctx context.Context, itemID string) (Version, io.ReadSeekCloser, error) {
	it, a, err := s.authorize(ctx, itemID, false)
	if err != nil {
		return Version{}, nil, err
	}
	if !it.Downloadable {
		if !a.edit.Allowed {
			return Version{}, nil, fmt.Errorf("items: content of %s: %w", itemID, ErrNotDownloadable)
		}
		if err := s.spots.RecordOverride(ctx, it.SpotID, a.edit); err != nil {
			return Version{}, nil, err
		}
	}
	if it.CurrentVersionID == "" {
		return Version{}, nil, fmt.Errorf("%w: %s has no uploaded version", ErrPrecondition, itemID)
	}
	v, err := s.st.GetVersion(ctx, it.CurrentVersionID)
	if err != nil {
		return Version{}, nil, fmt.Errorf("items: version %s: %w", it.CurrentVersionID, err)
	}
	rc, err := s.blobs.Open(ctx, v.BlobKey)
	if err != nil {
		return Version{}, nil, fmt.Errorf("items: open blob of %s: %w", v.ID, err)
	}
	s.observe(ctx, ActDownloaded, it)
	return v, rc, nil
}

// Verify records that the item's content is still correct; the next
// verification is due after the verify interval. The feedback owner and
// editors of the home spot may verify.
func (s *Service) Verify(ctx context.Context, itemID string) (Item, error) {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return Item{}, err
	}
	before, a, err := s.authorize(ctx, itemID, false)
	if err != nil {
		return Item{}, err
	}
	if !a.edit.Allowed && before.FeedbackOwner != p.ID {
		return Item{}, fmt.Errorf("%w: only the feedback owner or an editor may verify %s", ErrForbidden, itemID)
	}
	now := s.now()
	r, err := s.rules(ctx, before.SpotID)
	if err != nil {
		return Item{}, err
	}
	err = s.atomic(ctx, func(tx Stores) error {
		cur, err := tx.GetItem(ctx, itemID)
		if err != nil {
			return err
		}
		it := cur.Clone()
		it.VerifiedAt, it.VerifyBy, it.UpdatedAt = now, now.Add(s.opt.VerifyInterval), now
		if err := admit(r, OpVerify, cur, &it, now); err != nil {
			return err
		}
		if err := tx.UpdateItem(ctx, it); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.Entry{At: now, Actor: p.ID, Action: "item.verify", TargetKind: "item",
			TargetID: itemID, SpotID: it.SpotID, Override: a.edit.Override && before.FeedbackOwner != p.ID,
			Before: audit.JSON(cur), After: audit.JSON(it)})
	})
	if err != nil {
		return Item{}, fmt.Errorf("items: verify %s: %w", itemID, err)
	}
	return s.st.GetItem(ctx, itemID)
}

// cleanIDs trims, sorts and de-duplicates IDs, refusing empty ones.
func cleanIDs(f *errcode.Fields, field string, ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id = strings.TrimSpace(id); id == "" {
			f.Add(field, "must not contain empty values")
			continue
		}
		out = append(out, id)
	}
	if len(out) > maxLabels {
		f.Add(field, "at most %d values", maxLabels)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
