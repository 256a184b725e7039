package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/internal/qrcode"
	"github.com/briefcasehq/briefcase/share"
)

// Shares: pitches and rooms.
//
// Link settings are given either under "settings" or, as DESIGN.md lists
// them beside the other fields, flattened at the top level of the body;
// never both ways in one request (400 naming "settings"). Validation errors
// name the fields the way the request gave them: "settings.expires_at"
// nested, "expires_at" flattened.
//
// A link's token is shown once, in the url (and the QR code of it, a PNG
// data: URI) of the answer that creates the link; no later answer carries
// it, and the store keeps only its hash.

// linkSettingsBody is link settings as a request gives them. Pointers and
// nil slices tell a field left out from one given, so that flattened
// settings are noticed.
type linkSettingsBody struct {
	ExpiresAt     *time.Time `json:"expires_at"`
	EmailGate     *bool      `json:"email_gate"`
	Passcode      *string    `json:"passcode"`
	AllowEmails   []string   `json:"allow_emails"`
	AllowDomains  []string   `json:"allow_domains"`
	DenyEmails    []string   `json:"deny_emails"`
	DenyDomains   []string   `json:"deny_domains"`
	AllowDownload *bool      `json:"allow_download"`
	PinVersions   *bool      `json:"pin_versions"`
}

func (b linkSettingsBody) given() bool {
	return b.ExpiresAt != nil || b.EmailGate != nil || b.Passcode != nil || b.AllowEmails != nil ||
		b.AllowDomains != nil || b.DenyEmails != nil || b.DenyDomains != nil || b.AllowDownload != nil ||
		b.PinVersions != nil
}

func (b linkSettingsBody) settings() share.LinkSettings {
	var s share.LinkSettings
	if b.ExpiresAt != nil {
		s.ExpiresAt = *b.ExpiresAt
	}
	if b.EmailGate != nil {
		s.EmailGate = *b.EmailGate
	}
	if b.Passcode != nil {
		s.Passcode = *b.Passcode
	}
	s.AllowEmails, s.AllowDomains, s.DenyEmails, s.DenyDomains = b.AllowEmails, b.AllowDomains, b.DenyEmails, b.DenyDomains
	if b.AllowDownload != nil {
		s.AllowDownload = *b.AllowDownload
	}
	if b.PinVersions != nil {
		s.PinVersions = *b.PinVersions
	}
	return s
}

// givenSettings picks the settings of a request from its nested and its
// flattened form. It returns nil when neither was given, and whether the
// flattened form was used.
func givenSettings(nested *linkSettingsBody, flat linkSettingsBody) (*share.LinkSettings, bool, error) {
	switch {
	case nested != nil && flat.given():
		return nil, false, badRequest("settings", "give the link settings either under settings or at the top level, not both")
	case nested != nil:
		s := nested.settings()
		return &s, false, nil
	case flat.given():
		s := flat.settings()
		return &s, true, nil
	}
	return nil, false, nil
}

// renameFields renames the fields of a validation error to the names the
// request used on the wire.
func renameFields(err error, rename func(string) string) error {
	var fe *errcode.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	out := &errcode.FieldError{Base: fe.Base, Fields: make(map[string]string, len(fe.Fields))}
	for k, v := range fe.Fields {
		out.Fields[rename(k)] = v
	}
	return out
}

// flatFields renames the settings.* fields of a validation error to the
// top-level names of flattened settings.
func flatFields(err error, flat bool) error {
	if !flat {
		return err
	}
	return renameFields(err, func(k string) string { return strings.TrimPrefix(k, "settings.") })
}

// pitchBody is the body of POST /pitches.
type pitchBody struct {
	Title      string            `json:"title"`
	Message    string            `json:"message"`
	Items      []string          `json:"items"`
	Recipients []string          `json:"recipients"`
	Settings   *linkSettingsBody `json:"settings"`

	// The link settings, flattened.
	ExpiresAt     *time.Time `json:"expires_at"`
	EmailGate     *bool      `json:"email_gate"`
	Passcode      *string    `json:"passcode"`
	AllowEmails   []string   `json:"allow_emails"`
	AllowDomains  []string   `json:"allow_domains"`
	DenyEmails    []string   `json:"deny_emails"`
	DenyDomains   []string   `json:"deny_domains"`
	AllowDownload *bool      `json:"allow_download"`
	PinVersions   *bool      `json:"pin_versions"`
}

func (b pitchBody) settings() (*share.LinkSettings, bool, error) {
	return givenSettings(b.Settings, linkSettingsBody{ExpiresAt: b.ExpiresAt, EmailGate: b.EmailGate,
		Passcode: b.Passcode, AllowEmails: b.AllowEmails, AllowDomains: b.AllowDomains, DenyEmails: b.DenyEmails,
		DenyDomains: b.DenyDomains, AllowDownload: b.AllowDownload, PinVersions: b.PinVersions})
}

// roomBody is the body of POST /rooms.
type roomBody struct {
	Title         string             `json:"title"`
	Message       string             `json:"message"`
	Sections      []share.NewSection `json:"sections"`
	Recipients    []string           `json:"recipients"`
	Contributors  []string           `json:"contributors"`
	AccountID     string             `json:"account_id"`
	OpportunityID string             `json:"opportunity_id"`
	Settings      *linkSettingsBody  `json:"settings"`

	// The link settings, flattened.
	ExpiresAt     *time.Time `json:"expires_at"`
	EmailGate     *bool      `json:"email_gate"`
	Passcode      *string    `json:"passcode"`
	AllowEmails   []string   `json:"allow_emails"`
	AllowDomains  []string   `json:"allow_domains"`
	DenyEmails    []string   `json:"deny_emails"`
	DenyDomains   []string   `json:"deny_domains"`
	AllowDownload *bool      `json:"allow_download"`
	PinVersions   *bool      `json:"pin_versions"`
}

func (b roomBody) settings() (*share.LinkSettings, bool, error) {
	return givenSettings(b.Settings, linkSettingsBody{ExpiresAt: b.ExpiresAt, EmailGate: b.EmailGate,
		Passcode: b.Passcode, AllowEmails: b.AllowEmails, AllowDomains: b.AllowDomains, DenyEmails: b.DenyEmails,
		DenyDomains: b.DenyDomains, AllowDownload: b.AllowDownload, PinVersions: b.PinVersions})
}

// linkBody is the body of POST /pitches/{id}/links and
// /rooms/{id}/links.
type linkBody struct {
	Recipient string            `json:"recipient"`
	Settings  *linkSettingsBody `json:"settings"`

	// The link settings, flattened.
	ExpiresAt     *time.Time `json:"expires_at"`
	EmailGate     *bool      `json:"email_gate"`
	Passcode      *string    `json:"passcode"`
	AllowEmails   []string   `json:"allow_emails"`
	AllowDomains  []string   `json:"allow_domains"`
	DenyEmails    []string   `json:"deny_emails"`
	DenyDomains   []string   `json:"deny_domains"`
	AllowDownload *bool      `json:"allow_download"`
	PinVersions   *bool      `json:"pin_versions"`
}

func (b linkBody) settings() (*share.LinkSettings, bool, error) {
	return givenSettings(b.Settings, linkSettingsBody{ExpiresAt: b.ExpiresAt, EmailGate: b.EmailGate,
		Passcode: b.Passcode, AllowEmails: b.AllowEmails, AllowDomains: b.AllowDomains, DenyEmails: b.DenyEmails,
		DenyDomains: b.DenyDomains, AllowDownload: b.AllowDownload, PinVersions: b.PinVersions})
}

// issuedLink is a new link as its creator gets it: the only answer that
// carries its token, inside url (and qr).
type issuedLink struct {
	ID        string `json:"id"`
	Recipient string `json:"recipient"`
	URL       string `json:"url"`
	// QR is a data: URI of a PNG of url's QR code, to print or show.
	QR string `json:"qr,omitempty"`
}

// qrSize is the width, in pixels, of the QR codes of new links.
const qrSize = 256

// createdShare answers the creation of a pitch or a room.
type createdShare struct {
	share.Share
	Links []issuedLink `json:"links"`
}

// linkBase is the base URL of buyers' links for this request: the
// configured PublicURL, or the request's own scheme and host.
func (a *api) linkBase(r *http.Request) string {
	if a.cfg.PublicURL != "" {
		return strings.TrimRight(a.cfg.PublicURL, "/")
	}
	scheme := "http"
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	if r.TLS != nil || strings.EqualFold(strings.TrimSpace(proto), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// issued shows a new link. The link is stored by now, so a QR code that
// cannot be drawn (a PublicURL too long for one) is logged and left out
// rather than failing the request and losing the token.
func (a *api) issued(r *http.Request, l share.IssuedLink) issuedLink {
	out := issuedLink{ID: l.ID, Recipient: l.Recipient, URL: a.linkBase(r) + "/p/" + url.PathEscape(l.Token)}
	qr, err := qrcode.DataURI(out.URL, qrSize)
	if err != nil {
		a.log.WarnContext(r.Context(), "api: no QR code for a new link", "link", l.ID, "err", err)
	}
	out.QR = qr
	return out
}

func (a *api) created(r *http.Request, sh share.Share, links []share.IssuedLink) createdShare {
	out := createdShare{Share: shareOut(sh), Links: make([]issuedLink, len(links))}
	for i, l := range links {
		out.Links[i] = a.issued(r, l)
	}
	return out
}

func shareOut(sh share.Share) share.Share {
	sh.Sections = orEmpty(sh.Sections)
	for i := range sh.Sections {
		sh.Sections[i].Items = orEmpty(sh.Sections[i].Items)
	}
	sh.Contributors = orEmpty(sh.Contributors)
	return sh
}

func detailOut(d share.Detail) share.Detail {
	d.Share = shareOut(d.Share)
	d.Items = orEmpty(d.Items)
	d.Links = orEmpty(d.Links)
	d.Engagement.Items = itemEngagementOut(d.Engagement.Items)
	d.Engagement.Recipients = orEmpty(d.Engagement.Recipients)
	for i := range d.Engagement.Recipients {
		d.Engagement.Recipients[i].Items = itemEngagementOut(d.Engagement.Recipients[i].Items)
	}
	return d
}

func itemEngagementOut(ies []share.ItemEngagement) []share.ItemEngagement {
	ies = orEmpty(ies)
	for i := range ies {
		ies[i].Pages = orEmpty(ies[i].Pages)
	}
	return ies
}

// boolParam returns a true/false query parameter, false when absent.
func boolParam(q params, k string) (bool, error) {
	s := strings.TrimSpace(q.Get(k))
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, badRequest(k, "must be true or false")
	}
	return b, nil
}

// ofKind checks, before anything changes, that id is a share of kind the
// caller may read: a pitch is not found on a rooms route, nor a room on a
// pitches route.
func (a *api) ofKind(ctx context.Context, kind share.Kind, id string) error {
	sh, err := a.cfg.Shares.Share(ctx, id)
	if err != nil {
		return err
	}
	if sh.Kind != kind {
		return fmt.Errorf("share %s: %w", id, share.ErrNotFound)
	}
	return nil
}

func (a *api) createPitch(w http.ResponseWriter, r *http.Request) error {
	var in pitchBody
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	set, flat, err := in.settings()
	if err != nil {
		return err
	}
	np := share.NewPitch{Title: in.Title, Message: in.Message, Items: in.Items, Recipients: in.Recipients}
	if set != nil {
		np.Settings = *set
	}
	sh, links, err := a.cfg.Shares.CreatePitch(r.Context(), np)
	if err != nil {
		return flatFields(err, flat)
	}
	writeJSON(w, http.StatusCreated, a.created(r, sh, links))
	return nil
}

func (a *api) createRoom(w http.ResponseWriter, r *http.Request) error {
	var in roomBody
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	set, flat, err := in.settings()
	if err != nil {
		return err
	}
	nr := share.NewRoom{Title: in.Title, Message: in.Message, Sections: in.Sections, Recipients: in.Recipients,
		Contributors: in.Contributors, AccountID: in.AccountID, OpportunityID: in.OpportunityID}
	if set != nil {
		nr.Settings = *set
	}
	sh, links, err := a.cfg.Shares.CreateRoom(r.Context(), nr)
	if err != nil {
		return flatFields(err, flat)
	}
	writeJSON(w, http.StatusCreated, a.created(r, sh, links))
	return nil
}

// listShares answers one page of the caller's pitches or rooms, newest
// first: those it owns or contributes to, or with ?all=true every one
// (admins and analysts); ?cursor=&limit= (1 to 100, 50 by default).
func (a *api) listShares(kind share.Kind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q, err := queryParams(r, []string{"all", "cursor", "limit"}, nil)
		if err != nil {
			return err
		}
		all, err := boolParam(q, "all")
		if err != nil {
			return err
		}
		limit, err := q.int("limit")
		if err != nil {
			return err
		}
		if q.Has("limit") && (limit < 1 || limit > 100) {
			return badRequest("limit", "must be between 1 and 100")
		}
		shs, next, err := a.cfg.Shares.List(r.Context(), share.Query{Kind: kind, All: all, Cursor: q.Get("cursor"), Limit: limit})
		if err != nil {
			return err
		}
		for i := range shs {
			shs[i] = shareOut(shs[i])
		}
		writeJSON(w, http.StatusOK, list(shs, next))
		return nil
	}
}

// getShare answers a pitch or a room with its items, links (never their
// tokens) and engagement; ?include_bots=true counts suspected bots too.
func (a *api) getShare(kind share.Kind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q, err := queryParams(r, []string{"include_bots"}, nil)
		if err != nil {
			return err
		}
		bots, err := boolParam(q, "include_bots")
		if err != nil {
			return err
		}
		id := r.PathValue("id")
		d, err := a.cfg.Shares.Get(r.Context(), id, bots)
		if err != nil {
			return err
		}
		if d.Kind != kind {
			return fmt.Errorf("share %s: %w", id, share.ErrNotFound)
		}
		writeJSON(w, http.StatusOK, detailOut(d))
		return nil
	}
}

// revokeShare revokes a whole pitch or room (its owner or an admin).
func (a *api) revokeShare(kind share.Kind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if err := a.ofKind(r.Context(), kind, id); err != nil {
			return err
		}
		sh, err := a.cfg.Shares.Revoke(r.Context(), id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, shareOut(sh))
		return nil
	}
}

// addLink adds a link: {recipient, settings}. Settings given replace the
// share's for this link (what they leave out is off); without any the
// link gets the share's, passcode included.
func (a *api) addLink(kind share.Kind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in linkBody
		if err := a.decode(w, r, &in); err != nil {
			return err
		}
		set, flat, err := in.settings()
		if err != nil {
			return err
		}
		id := r.PathValue("id")
		if err := a.ofKind(r.Context(), kind, id); err != nil {
			return err
		}
		l, err := a.cfg.Shares.AddLink(r.Context(), id, in.Recipient, set)
		if err != nil {
			// The service checks the one recipient as a list of them.
			return renameFields(flatFields(err, flat), func(k string) string {
				if k == "recipients" {
					return "recipient"
				}
				return k
			})
		}
		writeJSON(w, http.StatusCreated, a.issued(r, l))
		return nil
	}
}

// revokeLink revokes one link of a pitch or room and answers the link.
func (a *api) revokeLink(kind share.Kind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if err := a.ofKind(r.Context(), kind, id); err != nil {
			return err
		}
		l, err := a.cfg.Shares.RevokeLink(r.Context(), id, r.PathValue("linkID"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, l)
		return nil
	}
}

// updateRoom changes a room's title, message, CRM references or sections
// (share.RoomPatch: sections, when given, replace the room's content in
// their order).
func (a *api) updateRoom(w http.ResponseWriter, r *http.Request) error {
	var patch share.RoomPatch
	if err := a.decode(w, r, &patch); err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := a.ofKind(r.Context(), share.KindRoom, id); err != nil {
		return err
	}
	sh, err := a.cfg.Shares.UpdateRoom(r.Context(), id, patch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, shareOut(sh))
	return nil
}

func (a *api) putContributor(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := a.ofKind(r.Context(), share.KindRoom, id); err != nil {
		return err
	}
	sh, err := a.cfg.Shares.SetContributor(r.Context(), id, r.PathValue("userID"), true)
	if err != nil {
		// The service checks the one user as a list of contributors; the
		// request names it in the path, as user_id.
		return renameFields(err, func(k string) string {
			if k == "contributors" {
				return "user_id"
			}
			return k
		})
	}
	writeJSON(w, http.StatusOK, shareOut(sh))
	return nil
}

func (a *api) deleteContributor(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := a.ofKind(r.Context(), share.KindRoom, id); err != nil {
		return err
	}
	if _, err := a.cfg.Shares.SetContributor(r.Context(), id, r.PathValue("userID"), false); err != nil {
		return err
	}
	noContent(w)
	return nil
}
