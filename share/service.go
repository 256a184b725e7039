package share

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
)

// Limits on what one share holds.
const (
	MaxItems      = 200
	MaxRecipients = 50
	MaxSections   = 50
	maxTitle      = 200
	maxMessage    = 10000
	maxListEntry  = 100
)

// Notice is a message for a principal (To) or, for one-time codes, for an
// outside address (Email). The root wires it to the Library's Notifier.
type Notice struct {
	To      string
	Email   string
	Subject string
	Body    string
	// Kind is "share.viewed", "share.impact" or "share.code".
	Kind string
	// Key identifies the notice for de-duplication.
	Key string
}

// Options configure a Service. Zero fields take defaults.
type Options struct {
	Now    func() time.Time
	NewID  func() string
	Logger *slog.Logger
	// Notify delivers notices; they are dropped when nil. Failures are
	// logged and never fail the request that caused them.
	Notify func(ctx context.Context, n Notice) error
	// SigningKey signs beacon tokens and gate sessions. By default a
	// random key is generated once and kept in the store (Store.Secret),
	// so every node and every restart agree on it.
	SigningKey []byte
	// Renderer draws document pages as images for the viewer; optional.
	Renderer Renderer
	// Observe receives what happened, after it was committed, for
	// analytics; it must not block (queue and return).
	Observe func(ctx context.Context, acts []Activity)
}

// ActivityType names an Activity.
type ActivityType string

// Activities: a seller's (pitched, room updated) and a buyer's (the rest).
const (
	ActPitched     ActivityType = "pitched"
	ActRoomUpdated ActivityType = "room_updated"
	ActOpened      ActivityType = "opened"
	ActPage        ActivityType = "page"
	ActDownloaded  ActivityType = "downloaded"
	ActClicked     ActivityType = "clicked"
)

// Activity is something that happened on a share, reported to
// Options.Observe after it was committed.
type Activity struct {
	Type ActivityType
	At   time.Time
	// Actor is the principal who pitched or updated (seller activities).
	Actor      string
	ShareID    string
	ShareOwner string
	ViewID     string
	Recipient  string
	ItemID     string
	// SpotID is the item's home spot.
	SpotID       string
	Page         int
	ActiveMS     int64
	SuspectedBot bool
}

// observe reports activities, if anyone listens.
func (s *Service) observe(ctx context.Context, acts ...Activity) {
	if s.opt.Observe != nil && len(acts) > 0 {
		s.opt.Observe(ctx, acts)
	}
}

// pitched reports the items of a share as pitched by actor.
func (s *Service) pitched(ctx context.Context, sh Share, actor string, itemIDs []string, at time.Time) {
	var acts []Activity
	for _, id := range itemIDs {
		spot := ""
		if it, err := s.st.GetItem(ctx, id); err == nil {
			spot = it.SpotID
		}
		acts = append(acts, Activity{Type: ActPitched, At: at, Actor: actor, ShareID: sh.ID, ShareOwner: sh.OwnerID,
			ItemID: id, SpotID: spot})
	}
	s.observe(ctx, acts...)
}

// Service holds every rule about shares, links, gates and tracking. It is
// safe for concurrent use.
type Service struct {
	st     Stores
	atomic AtomicFunc
	items  *items.Service
	blobs  items.Blobs
	opt    Options

	keyMu sync.Mutex
	key   []byte

	beacons batcher
}

// NewService returns a Service. Adding items asks the items service
// whether the caller may share them; serving reads items, versions and
// blobs directly, as the link's own authority.
func NewService(st Stores, atomic AtomicFunc, it *items.Service, blobs items.Blobs, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.NewID == nil {
		opt.NewID = spots.NewID
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{st: st, atomic: atomic, items: it, blobs: blobs, opt: opt}
	s.beacons.process = s.applyBeacons
	return s
}

func (s *Service) now() time.Time { return s.opt.Now().UTC().Truncate(time.Microsecond) }

// notify sends n, logging a failure.
func (s *Service) notify(ctx context.Context, n Notice) {
	if s.opt.Notify == nil {
		return
	}
	if err := s.opt.Notify(ctx, n); err != nil {
		s.opt.Logger.WarnContext(ctx, "share: notice not sent", "kind", n.Kind, "to", n.To, "err", err)
	}
}

// NewPitch is what a pitch is made of.
type NewPitch struct {
	Title   string `json:"title"`
	Message string `json:"message"`
	// Items are the IDs of the items, in order.
	Items []string `json:"items"`
	// Recipients get one link each.
	Recipients []string     `json:"recipients"`
	Settings   LinkSettings `json:"settings"`
}

// NewSection is a room section as given.
type NewSection struct {
	// ID keeps an existing section's ID on update; empty makes a new one.
	ID    string   `json:"id,omitempty"`
	Title string   `json:"title"`
	Items []string `json:"items"`
}

// NewRoom is what a room is made of.
type NewRoom struct {
	Title string `json:"title"`
	// Message is the welcome message.
	Message  string       `json:"message"`
	Sections []NewSection `json:"sections"`
	// Recipients get one link each; with none, the room gets one open
	// link (put an e-mail gate on it to know who visits).
	Recipients    []string     `json:"recipients"`
	Contributors  []string     `json:"contributors"`
	AccountID     string       `json:"account_id"`
	OpportunityID string       `json:"opportunity_id"`
	Settings      LinkSettings `json:"settings"`
}

// IssuedLink is a new link with its token, which is shown once and never
// stored.
type IssuedLink struct {
	Link
	Token string `json:"token"`
}

// CreatePitch creates a pitch with one link per recipient.
func (s *Service) CreatePitch(ctx context.Context, in NewPitch) (Share, []IssuedLink, error) {
	return s.create(ctx, KindPitch, NewRoom{Title: in.Title, Message: in.Message,
		Sections: []NewSection{{Items: in.Items}}, Recipients: in.Recipients, Settings: in.Settings})
}

// CreateRoom creates a room with one link per recipient, or one open link.
func (s *Service) CreateRoom(ctx context.Context, in NewRoom) (Share, []IssuedLink, error) {
	return s.create(ctx, KindRoom, in)
}

func (s *Service) create(ctx context.Context, kind Kind, in NewRoom) (Share, []IssuedLink, error) {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return Share{}, nil, err
	}
	if p.System {
		return Share{}, nil, fmt.Errorf("%w: shares are sent by people, not the system", ErrForbidden)
	}
	now := s.now()
	var f errcode.Fields
	sh := Share{ID: s.opt.NewID(), Kind: kind, OwnerID: p.ID, CreatedAt: now, UpdatedAt: now,
		AccountID: strings.TrimSpace(in.AccountID), OpportunityID: strings.TrimSpace(in.OpportunityID)}
	sh.Title, sh.Message = strings.TrimSpace(in.Title), strings.TrimSpace(in.Message)
	validateText(&f, "title", sh.Title, maxTitle, true)
	validateText(&f, "message", sh.Message, maxMessage, false)
	validateText(&f, "account_id", sh.AccountID, maxTitle, false)
	validateText(&f, "opportunity_id", sh.OpportunityID, maxTitle, false)
	if kind == KindPitch && (sh.AccountID != "" || sh.OpportunityID != "") {
		f.Add("account_id", "only rooms are tied to the CRM")
	}
	settings, passHash := s.validateSettings(&f, in.Settings, now)
	recipients := validateRecipients(&f, in.Recipients, settings)
	switch {
	case kind == KindPitch && len(recipients) == 0 && f["recipients"] == "":
		f.Add("recipients", "a pitch needs at least one recipient")
	case len(recipients) == 0 && !settings.EmailGate && hasLists(settings):
		f.Add("settings.allow_emails", "allow and deny lists need recipients or an e-mail gate")
	}
	if kind == KindRoom {
		sh.Contributors = s.validateContributors(ctx, &f, in.Contributors, p.ID)
	} else if len(in.Contributors) > 0 {
		f.Add("contributors", "only rooms have contributors")
	}
	sh.Sections = s.buildSections(ctx, &f, kind, in.Sections, nil, p.ID, settings.PinVersions, now)
	if err := f.Err(ErrInvalid); err != nil {
		return Share{}, nil, err
	}
	settings.Passcode = ""
	sh.Settings = settings

	var issued []IssuedLink
	if len(recipients) == 0 {
		recipients = []string{""}
	}
	for _, r := range recipients {
		l, err := s.newLink(sh, r, settings, passHash, now)
		if err != nil {
			return Share{}, nil, err
		}
		issued = append(issued, l)
	}
	err = s.atomic(ctx, func(tx Stores) error {
		if err := tx.CreateShare(ctx, sh); err != nil {
			return err
		}
		for _, l := range issued {
			if err := tx.CreateLink(ctx, l.Link); err != nil {
				return err
			}
		}
		recips := make([]string, len(issued))
		for i, l := range issued {
			recips[i] = l.Recipient
		}
		return tx.AppendAudit(ctx, audit.Entry{At: now, Actor: p.ID, Action: "share.create",
			TargetKind: string(kind), TargetID: sh.ID,
			After: audit.JSON(map[string]any{"title": sh.Title, "items": sh.ItemIDs(), "recipients": recips,
				"settings": sh.Settings})})
	})
	if err != nil {
		return Share{}, nil, fmt.Errorf("share: create %s: %w", kind, err)
	}
	s.pitched(ctx, sh, p.ID, sh.ItemIDs(), now)
	return sh, issued, nil
}

// newLink makes a link with a fresh token.
func (s *Service) newLink(sh Share, recipient string, settings LinkSettings, passHash string, now time.Time) (IssuedLink, error) {
	tok, err := newSecret(linkTokenBytes)
	if err != nil {
		return IssuedLink{}, err
	}
	settings = settings.Clone()
	settings.Passcode = ""
	return IssuedLink{Token: tok, Link: Link{ID: s.opt.NewID(), ShareID: sh.ID, Recipient: recipient,
		TokenHash: hashToken(tok), PasscodeHash: passHash, Settings: settings, CreatedAt: now}}, nil
}

// AddLink adds a link to a share: for a new recipient of a pitch, or
// another way into a room. Zero settings take the share's.
func (s *Service) AddLink(ctx context.Context, shareID, recipient string, settings *LinkSettings) (IssuedLink, error) {
	p, sh, err := s.authorizeShare(ctx, shareID, true)
	if err != nil {
		return IssuedLink{}, err
	}
	if !owns(p, sh) {
		// A link decides who gets in and on what terms: the owner's call.
		return IssuedLink{}, fmt.Errorf("%w: only the owner adds links", ErrForbidden)
	}
	if !sh.RevokedAt.IsZero() {
		return IssuedLink{}, fmt.Errorf("%w: the share was revoked", ErrPrecondition)
	}
	now := s.now()
	var f errcode.Fields
	set := sh.Settings
	passHash := ""
	if settings != nil {
		set, passHash = s.validateSettings(&f, *settings, now)
	} else if set.HasPasscode {
		links, err := s.st.ListLinks(ctx, sh.ID)
		if err != nil {
			return IssuedLink{}, err
		}
		for _, l := range links {
			if l.PasscodeHash != "" {
				passHash = l.PasscodeHash
			}
		}
	}
	var recips []string
	if recipient != "" {
		recips = validateRecipients(&f, []string{recipient}, set)
	}
	if sh.Kind == KindPitch && recipient == "" {
		f.Add("recipient", "required for a pitch")
	}
	if len(recips) == 0 && !set.EmailGate && hasLists(set) {
		f.Add("settings.allow_emails", "allow and deny lists need a recipient or an e-mail gate")
	}
	if err := f.Err(ErrInvalid); err != nil {
		return IssuedLink{}, err
	}
	r := ""
	if len(recips) > 0 {
		r = recips[0]
	}
	l, err := s.newLink(sh, r, set, passHash, now)
	if err != nil {
		return IssuedLink{}, err
	}
	err = s.atomic(ctx, func(tx Stores) error {
		if err := tx.CreateLink(ctx, l.Link); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.Entry{At: now, Actor: p.ID, Action: "share.link_create",
			TargetKind: string(sh.Kind), TargetID: sh.ID, After: audit.JSON(l.Link)})
	})
	if err != nil {
		return IssuedLink{}, fmt.Errorf("share: add link: %w", err)
	}
	return l, nil
}

// validateText records a problem with a text field.
func validateText(f *errcode.Fields, field, v string, max int, required bool) {
	switch {
	case v == "" && required:
		f.Add(field, "required")
	case !utf8.ValidString(v):
		f.Add(field, "must be valid UTF-8")
	case utf8.RuneCountInString(v) > max:
		f.Add(field, "must be at most %d characters", max)
	}
}

// validateSettings checks and normalizes link settings, and hashes the
// passcode.
func (s *Service) validateSettings(f *errcode.Fields, in LinkSettings, now time.Time) (LinkSettings, string) {
	out := in.Clone()
	if !out.ExpiresAt.IsZero() {
		out.ExpiresAt = out.ExpiresAt.UTC().Truncate(time.Microsecond)
		if !out.ExpiresAt.After(now) {
			f.Add("settings.expires_at", "must be in the future")
		}
	}
	out.AllowEmails = cleanEmails(f, "settings.allow_emails", out.AllowEmails)
	out.DenyEmails = cleanEmails(f, "settings.deny_emails", out.DenyEmails)
	out.AllowDomains = cleanDomains(f, "settings.allow_domains", out.AllowDomains)
	out.DenyDomains = cleanDomains(f, "settings.deny_domains", out.DenyDomains)
	hash := ""
	out.HasPasscode = false
	if in.Passcode != "" {
		switch n := utf8.RuneCountInString(in.Passcode); {
		case !utf8.ValidString(in.Passcode):
			f.Add("settings.passcode", "must be valid UTF-8")
		case n < MinPasscode:
			f.Add("settings.passcode", "must be at least %d characters", MinPasscode)
		case n > 128:
			f.Add("settings.passcode", "must be at most 128 characters")
		default:
			h, err := hashPasscode(in.Passcode)
			if err != nil {
				f.Add("settings.passcode", "could not be hashed")
			}
			hash = h
			out.HasPasscode = true
		}
	}
	out.Passcode = ""
	return out, hash
}

func hasLists(s LinkSettings) bool {
	return len(s.AllowEmails)+len(s.AllowDomains)+len(s.DenyEmails)+len(s.DenyDomains) > 0
}

// normalizeEmail returns a plain, lower-cased address, or "" when v is not
// one.
func normalizeEmail(v string) string {
	v = strings.TrimSpace(v)
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || len(v) > 254 {
		return ""
	}
	return strings.ToLower(v)
}

func cleanEmails(f *errcode.Fields, field string, in []string) []string {
	if len(in) > maxListEntry {
		f.Add(field, "at most %d entries", maxListEntry)
		return nil
	}
	var out []string
	for _, e := range in {
		n := normalizeEmail(e)
		if n == "" {
			f.Add(field, "%q is not an e-mail address", e)
			continue
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func cleanDomains(f *errcode.Fields, field string, in []string) []string {
	if len(in) > maxListEntry {
		f.Add(field, "at most %d entries", maxListEntry)
		return nil
	}
	var out []string
	for _, d := range in {
		n := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@"))
		if !validDomain(n) {
			f.Add(field, "%q is not a domain", d)
			continue
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func validDomain(d string) bool {
	if d == "" || len(d) > 253 || !strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// admitted reports whether the lists let email in, and why not.
func admitted(s LinkSettings, email string) (bool, string) {
	domain := email[strings.LastIndexByte(email, '@')+1:]
	if slices.Contains(s.DenyEmails, email) {
		return false, "the address is on the deny list"
	}
	if slices.Contains(s.DenyDomains, domain) {
		return false, "the domain is on the deny list"
	}
	if len(s.AllowEmails)+len(s.AllowDomains) > 0 &&
		!slices.Contains(s.AllowEmails, email) && !slices.Contains(s.AllowDomains, domain) {
		return false, "the address is not on the allow list"
	}
	return true, ""
}

func validateRecipients(f *errcode.Fields, in []string, settings LinkSettings) []string {
	if len(in) > MaxRecipients {
		f.Add("recipients", "at most %d recipients", MaxRecipients)
		return nil
	}
	var out []string
	for _, r := range in {
		n := normalizeEmail(r)
		if n == "" {
			f.Add("recipients", "%q is not an e-mail address", r)
			continue
		}
		if ok, why := admitted(settings, n); !ok {
			f.Add("recipients", "%s: %s", n, why)
			continue
		}
		if slices.Contains(out, n) {
			f.Add("recipients", "%s is listed twice", n)
			continue
		}
		out = append(out, n)
	}
	return out
}

// validateContributors keeps existing principals other than the owner.
func (s *Service) validateContributors(ctx context.Context, f *errcode.Fields, in []string, owner string) []string {
	var out []string
	for _, id := range in {
		id = strings.TrimSpace(id)
		if id == "" || id == owner || slices.Contains(out, id) {
			continue
		}
		if _, err := s.st.GetPrincipal(ctx, id); err != nil {
			if errors.Is(err, spots.ErrNotFound) {
				f.Add("contributors", "no user %q", id)
				continue
			}
			f.Add("contributors", "could not check user %q", id)
			continue
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// buildSections validates sections and their items. Items already in prev
// keep their entry (who added them, the pinned version, what the owner has
// seen); new ones must be shareable by the caller.
func (s *Service) buildSections(ctx context.Context, f *errcode.Fields, kind Kind, in []NewSection, prev *Share,
	actor string, pin bool, now time.Time) []Section {
	if kind == KindPitch && len(in) != 1 {
		f.Add("sections", "a pitch has one list of items")
		return nil
	}
	if len(in) > MaxSections {
		f.Add("sections", "at most %d sections", MaxSections)
		return nil
	}
	var out []Section
	seen := map[string]bool{}
	total := 0
	for i, ns := range in {
		field := "items"
		if kind == KindRoom {
			field = fmt.Sprintf("sections[%d].items", i)
		}
		sec := Section{ID: strings.TrimSpace(ns.ID), Title: strings.TrimSpace(ns.Title)}
		if kind == KindRoom {
			validateText(f, fmt.Sprintf("sections[%d].title", i), sec.Title, maxTitle, false)
		}
		if sec.ID == "" {
			sec.ID = s.opt.NewID()
		} else if prev == nil || !slices.ContainsFunc(prev.Sections, func(p Section) bool { return p.ID == sec.ID }) {
			f.Add(fmt.Sprintf("sections[%d].id", i), "no section %q in this room", sec.ID)
		}
		for _, id := range ns.Items {
			id = strings.TrimSpace(id)
			total++
			if seen[id] {
				f.Add(field, "item %s is listed twice", id)
				continue
			}
			seen[id] = true
			if prev != nil {
				if old, ok := prev.Item(id); ok {
					sec.Items = append(sec.Items, old)
					continue
				}
			}
			si, err := s.shareable(ctx, id, actor, pin, now)
			if err != nil {
				f.Add(field, "%v", err)
				continue
			}
			sec.Items = append(sec.Items, si)
		}
		out = append(out, sec)
	}
	switch {
	case total > MaxItems:
		f.Add("items", "at most %d items", MaxItems)
	case total == 0 && kind == KindPitch:
		f.Add("items", "a pitch needs at least one item")
	}
	return out
}

// shareable checks that the caller may share an item and returns its share
// entry.
func (s *Service) shareable(ctx context.Context, id, actor string, pin bool, now time.Time) (SharedItem, error) {
	if id == "" {
		return SharedItem{}, errors.New("an item ID is empty")
	}
	it, _, err := s.items.Shareable(ctx, id)
	switch {
	case errors.Is(err, items.ErrNotFound):
		return SharedItem{}, fmt.Errorf("no item %s", id)
	case errors.Is(err, items.ErrForbidden):
		if it, gerr := s.items.Get(ctx, id); gerr == nil {
			switch {
			case it.Audience != items.External:
				return SharedItem{}, fmt.Errorf("item %s is internal: internal content is never shared", id)
			case !slices.Contains(items.ShareableStatuses, it.Status):
				return SharedItem{}, fmt.Errorf("item %s is %s: only published or expiring content is shared", id, it.Status)
			case !it.ExpiresAt.IsZero() && !now.Before(it.ExpiresAt):
				return SharedItem{}, fmt.Errorf("item %s expired on %s: expired content is not shared", id, it.ExpiresAt.Format(time.DateOnly))
			}
		}
		return SharedItem{}, fmt.Errorf("no item %s", id)
	case err != nil:
		return SharedItem{}, fmt.Errorf("item %s could not be checked", id)
	}
	si := SharedItem{ItemID: it.ID, AddedBy: actor, AddedAt: now, Seen: stateOf(it, false)}
	if pin {
		si.VersionID = it.CurrentVersionID
	}
	return si, nil
}

// stateOf is what downstream impact watches.
func stateOf(it items.Item, deleted bool) ItemState {
	if deleted {
		return ItemState{Deleted: true}
	}
	return ItemState{VersionID: it.CurrentVersionID, Status: it.Status, Audience: it.Audience}
}

// authorizeShare loads a share the caller may read (owner, contributor,
// admin, analyst) or, with edit, change content of (owner, contributor,
// admin).
func (s *Service) authorizeShare(ctx context.Context, id string, edit bool) (spots.Principal, Share, error) {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return p, Share{}, err
	}
	sh, err := s.st.GetShare(ctx, id)
	if err != nil {
		return p, Share{}, fmt.Errorf("share %s: %w", id, err)
	}
	member := sh.OwnerID == p.ID || slices.Contains(sh.Contributors, p.ID)
	switch {
	case member || p.IsAdmin():
	case !edit && p.HasRole(spots.Analyst):
	case p.HasRole(spots.Analyst):
		return p, Share{}, fmt.Errorf("%w: analysts read shares; they do not change them", ErrForbidden)
	default:
		return p, Share{}, fmt.Errorf("share %s: %w", id, ErrNotFound)
	}
	return p, sh, nil
}

// owns reports whether p may manage the share itself (revoke it, change
// its contributors): its owner or an admin.
func owns(p spots.Principal, sh Share) bool { return sh.OwnerID == p.ID || p.IsAdmin() }

// RoomPatch changes a room. Nil fields are left alone; Sections, when
// given, replaces the whole content in the given order (move an item by
// listing it elsewhere, remove it by leaving it out).
type RoomPatch struct {
	Title         *string       `json:"title"`
	Message       *string       `json:"message"`
	Sections      *[]NewSection `json:"sections"`
	AccountID     *string       `json:"account_id"`
	OpportunityID *string       `json:"opportunity_id"`
}

// UpdateRoom changes a room's content (its owner, contributors, admins).
func (s *Service) UpdateRoom(ctx context.Context, id string, patch RoomPatch) (Share, error) {
	p, before, err := s.authorizeShare(ctx, id, true)
	if err != nil {
		return Share{}, err
	}
	if before.Kind != KindRoom {
		return Share{}, fmt.Errorf("%w: share %s is a pitch; pitches do not change after sending", ErrPrecondition, id)
	}
	if !before.RevokedAt.IsZero() {
		return Share{}, fmt.Errorf("%w: the room was revoked", ErrPrecondition)
	}
	now := s.now()
	after := before.Clone()
	var f errcode.Fields
	if patch.Title != nil {
		after.Title = strings.TrimSpace(*patch.Title)
		validateText(&f, "title", after.Title, maxTitle, true)
	}
	if patch.Message != nil {
		after.Message = strings.TrimSpace(*patch.Message)
		validateText(&f, "message", after.Message, maxMessage, false)
	}
	if patch.AccountID != nil {
		after.AccountID = strings.TrimSpace(*patch.AccountID)
		validateText(&f, "account_id", after.AccountID, maxTitle, false)
	}
	if patch.OpportunityID != nil {
		after.OpportunityID = strings.TrimSpace(*patch.OpportunityID)
		validateText(&f, "opportunity_id", after.OpportunityID, maxTitle, false)
	}
	if patch.Sections != nil {
		after.Sections = s.buildSections(ctx, &f, KindRoom, *patch.Sections, &before, p.ID, before.Settings.PinVersions, now)
	}
	if err := f.Err(ErrInvalid); err != nil {
		return Share{}, err
	}
	after.UpdatedAt = now
	err = s.atomic(ctx, func(tx Stores) error {
		// Apply the change to the room as it is now: a revocation or
		// another change committed since it was read must not be undone.
		cur, err := tx.GetShare(ctx, id)
		if err != nil {
			return err
		}
		if !cur.RevokedAt.IsZero() {
			return fmt.Errorf("%w: the room was revoked", ErrPrecondition)
		}
		next := cur.Clone()
		next.Title, next.Message, next.AccountID, next.OpportunityID = after.Title, after.Message, after.AccountID, after.OpportunityID
		if patch.Sections != nil {
			next.Sections = after.Sections
			for si := range next.Sections {
				for ii := range next.Sections[si].Items {
					it := &next.Sections[si].Items[ii]
					if old, ok := cur.Item(it.ItemID); ok {
						it.Seen = old.Seen // what the impact watcher recorded since
					}
				}
			}
		}
		next.UpdatedAt = now
		after = next
		if err := tx.UpdateShare(ctx, after); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.Entry{At: now, Actor: p.ID, Action: "share.update", TargetKind: string(KindRoom),
			TargetID: id, Before: audit.JSON(roomAudit(cur)), After: audit.JSON(roomAudit(after))})
	})
	if err != nil {
		return Share{}, fmt.Errorf("share: update room %s: %w", id, err)
	}
	var added []string
	for _, itemID := range after.ItemIDs() {
		if _, ok := before.Item(itemID); !ok {
			added = append(added, itemID)
		}
	}
	s.observe(ctx, Activity{Type: ActRoomUpdated, At: now, Actor: p.ID, ShareID: id, ShareOwner: after.OwnerID})
	s.pitched(ctx, after, p.ID, added, now)
	return after, nil
}

func roomAudit(sh Share) map[string]any {
	secs := make([]map[string]any, len(sh.Sections))
	for i, sec := range sh.Sections {
		ids := make([]string, len(sec.Items))
		for j, it := range sec.Items {
			ids[j] = it.ItemID
		}
		secs[i] = map[string]any{"id": sec.ID, "title": sec.Title, "items": ids}
	}
	return map[string]any{"title": sh.Title, "message": sh.Message, "sections": secs,
		"account_id": sh.AccountID, "opportunity_id": sh.OpportunityID}
}

// SetContributor adds (add) or removes a room contributor (the owner or an
// admin only).
func (s *Service) SetContributor(ctx context.Context, roomID, userID string, add bool) (Share, error) {
	p, before, err := s.authorizeShare(ctx, roomID, true)
	if err != nil {
		return Share{}, err
	}
	switch {
	case before.Kind != KindRoom:
		return Share{}, fmt.Errorf("%w: only rooms have contributors", ErrPrecondition)
	case !before.RevokedAt.IsZero():
		return Share{}, fmt.Errorf("%w: the room was revoked", ErrPrecondition)
	case !owns(p, before):
		return Share{}, fmt.Errorf("%w: only the room's owner manages its contributors", ErrForbidden)
	}
	userID = strings.TrimSpace(userID)
	after := before.Clone()
	if add {
		var f errcode.Fields
		if userID == before.OwnerID {
			f.Add("user_id", "the owner is already in the room")
		} else if len(s.validateContributors(ctx, &f, []string{userID}, before.OwnerID)) == 0 && len(f) == 0 {
			f.Add("user_id", "required")
		}
		if err := f.Err(ErrInvalid); err != nil {
			return Share{}, err
		}
		if slices.Contains(after.Contributors, userID) {
			return after, nil
		}
		after.Contributors = append(after.Contributors, userID)
		slices.Sort(after.Contributors)
	} else {
		i := slices.Index(after.Contributors, userID)
		if i < 0 {
			return Share{}, fmt.Errorf("contributor %s: %w", userID, ErrNotFound)
		}
		after.Contributors = slices.Delete(after.Contributors, i, i+1)
	}
	now := s.now()
	err = s.atomic(ctx, func(tx Stores) error {
		cur, err := tx.GetShare(ctx, roomID)
		if err != nil {
			return err
		}
		if !cur.RevokedAt.IsZero() {
			return fmt.Errorf("%w: the room was revoked", ErrPrecondition)
		}
		contributors := after.Contributors
		after = cur.Clone()
		after.Contributors, after.UpdatedAt = contributors, now
		if err := tx.UpdateShare(ctx, after); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.Entry{At: now, Actor: p.ID, Action: "share.contributors", TargetKind: string(KindRoom),
			TargetID: roomID, Before: audit.JSON(cur.Contributors), After: audit.JSON(after.Contributors)})
	})
	if err != nil {
		return Share{}, fmt.Errorf("share: contributors of %s: %w", roomID, err)
	}
	return after, nil
}

// Revoke revokes a whole share: every link stops working at once. Revoking
// again is a no-op. The owner or an admin only.
func (s *Service) Revoke(ctx context.Context, id string) (Share, error) {
	p, sh, err := s.authorizeShare(ctx, id, true)
	if err != nil {
		return Share{}, err
	}
	if !owns(p, sh) {
		return Share{}, fmt.Errorf("%w: only the owner revokes a share", ErrForbidden)
	}
	if !sh.RevokedAt.IsZero() {
		return sh, nil
	}
	now := s.now()
	err = s.atomic(ctx, func(tx Stores) error {
		cur, err := tx.GetShare(ctx, id)
		if err != nil {
			return err
		}
		if !cur.RevokedAt.IsZero() {
			sh = cur
			return nil
		}
		sh = cur
		sh.RevokedAt, sh.UpdatedAt = now, now
		if err := tx.UpdateShare(ctx, sh); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.Entry{At: now, Actor: p.ID, Action: "share.revoke", TargetKind: string(sh.Kind),
			TargetID: id, Override: sh.OwnerID != p.ID, After: audit.JSON(map[string]any{"revoked_at": now})})
	})
	if err != nil {
		return Share{}, fmt.Errorf("share: revoke %s: %w", id, err)
	}
	return sh, nil
}

// RevokeLink revokes one link of a share. Revoking again is a no-op.
func (s *Service) RevokeLink(ctx context.Context, shareID, linkID string) (Link, error) {
	p, sh, err := s.authorizeShare(ctx, shareID, true)
	if err != nil {
		return Link{}, err
	}
	if !owns(p, sh) {
		return Link{}, fmt.Errorf("%w: only the owner revokes links", ErrForbidden)
	}
	now := s.now()
	var l Link
	err = s.atomic(ctx, func(tx Stores) error {
		l, err = tx.GetLink(ctx, linkID)
		if err != nil || l.ShareID != shareID {
			return fmt.Errorf("link %s: %w", linkID, ErrNotFound)
		}
		if !l.RevokedAt.IsZero() {
			return nil
		}
		l.RevokedAt = now
		if err := tx.UpdateLink(ctx, l); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.Entry{At: now, Actor: p.ID, Action: "share.link_revoke", TargetKind: string(sh.Kind),
			TargetID: shareID, Override: sh.OwnerID != p.ID,
			After: audit.JSON(map[string]any{"link_id": linkID, "recipient": l.Recipient, "revoked_at": now})})
	})
	if err != nil {
		return Link{}, fmt.Errorf("share: revoke link: %w", err)
	}
	return l, nil
}

// Query selects shares to list.
type Query struct {
	Kind Kind
	// All lists every share (admins and analysts); otherwise the caller's
	// own and those it contributes to.
	All    bool
	Cursor string
	Limit  int
}

// List returns shares the caller owns or contributes to (or, with All,
// every share for admins and analysts), newest first, and the cursor of
// the next page.
func (s *Service) List(ctx context.Context, q Query) ([]Share, string, error) {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return nil, "", err
	}
	f := ShareFilter{Kind: q.Kind, BeforeID: q.Cursor, Limit: q.Limit}
	if q.All {
		if !p.IsAdmin() && !p.HasRole(spots.Analyst) {
			return nil, "", fmt.Errorf("%w: only admins and analysts list every share", ErrForbidden)
		}
	} else {
		f.Member = p.ID
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 50
	}
	f.Limit++
	out, err := s.st.ListShares(ctx, f)
	if err != nil {
		return nil, "", fmt.Errorf("share: list: %w", err)
	}
	next := ""
	if len(out) == f.Limit {
		out = out[:len(out)-1]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// Share returns a share the caller may read (its owner, contributors,
// admins and analysts), without the engagement Get works out.
func (s *Service) Share(ctx context.Context, id string) (Share, error) {
	_, sh, err := s.authorizeShare(ctx, id, false)
	return sh, err
}

// Links returns the links of a share the caller may read.
func (s *Service) Links(ctx context.Context, shareID string) ([]Link, error) {
	if _, _, err := s.authorizeShare(ctx, shareID, false); err != nil {
		return nil, err
	}
	return s.st.ListLinks(ctx, shareID)
}
