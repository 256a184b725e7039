package share

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/items"
)

// Access is a link that passed every link-level check for one request:
// it exists, neither it nor its share is revoked, it has not expired, and
// its gates were passed by a session whose address is still admitted.
// Resolve makes one; every serving call takes one and re-checks the item.
type Access struct {
	Share Share
	Link  Link
	// Recipient is who is visiting: the address verified at the gate, or
	// the link's recipient, or empty for an open link without a gate.
	Recipient string
	// Session is the gate session the request carried (zero without a
	// gate).
	Session Session
	at      time.Time
}

// Gates says what a link asks for before showing anything.
type Gates struct {
	ShareTitle string `json:"share_title"`
	Email      bool   `json:"email"`
	Passcode   bool   `json:"passcode"`
	// EmailVerified is set when the session already passed the e-mail
	// gate (only the passcode is left).
	EmailVerified bool `json:"email_verified"`
}

// link reads the link behind a token and checks it is live, without the
// gates.
func (s *Service) link(ctx context.Context, token string, now time.Time) (Share, Link, error) {
	if token == "" || len(token) > 200 {
		return Share{}, Link{}, ErrLinkNotFound
	}
	l, err := s.st.GetLinkByTokenHash(ctx, hashToken(token))
	if errors.Is(err, ErrNotFound) {
		return Share{}, Link{}, ErrLinkNotFound
	}
	if err != nil {
		return Share{}, Link{}, fmt.Errorf("share: link: %w", err)
	}
	sh, err := s.st.GetShare(ctx, l.ShareID)
	if errors.Is(err, ErrNotFound) {
		return Share{}, Link{}, ErrLinkNotFound
	}
	if err != nil {
		return Share{}, Link{}, fmt.Errorf("share: link: %w", err)
	}
	switch {
	case !l.RevokedAt.IsZero() || !sh.RevokedAt.IsZero():
		return sh, l, ErrLinkRevoked
	case !l.Settings.ExpiresAt.IsZero() && !now.Before(l.Settings.ExpiresAt):
		return sh, l, ErrLinkExpired
	}
	return sh, l, nil
}

// Resolve checks the link behind token for one request, with the session
// the browser holds (empty when it has none). Errors: ErrLinkNotFound,
// ErrLinkRevoked, ErrLinkExpired, ErrGateRequired (see Gate), ErrRefused.
func (s *Service) Resolve(ctx context.Context, token, session string) (Access, error) {
	now := s.now()
	sh, l, err := s.link(ctx, token, now)
	if err != nil {
		return Access{}, err
	}
	acc := Access{Share: sh, Link: l, Recipient: l.Recipient, at: now}
	if l.Settings.EmailGate || l.PasscodeHash != "" {
		key, err := s.signingKey(ctx)
		if err != nil {
			return Access{}, err
		}
		ss := s.decodeSession(key, session, now)
		if ss.LinkID != l.ID || (l.Settings.EmailGate && ss.Email == "") || (l.PasscodeHash != "" && !ss.Passcode) {
			return Access{}, ErrGateRequired
		}
		acc.Session = ss
		if ss.Email != "" {
			acc.Recipient = ss.Email
		}
	}
	if acc.Recipient != "" {
		if ok, why := mayEnter(l, acc.Recipient); !ok {
			return Access{}, fmt.Errorf("%w: %s", ErrRefused, why)
		}
	}
	return acc, nil
}

func hasAllow(s LinkSettings) bool { return len(s.AllowEmails)+len(s.AllowDomains) > 0 }

func denied(s LinkSettings, email string) bool {
	domain := email[strings.LastIndexByte(email, '@')+1:]
	return slices.Contains(s.DenyEmails, email) || slices.Contains(s.DenyDomains, domain)
}

// Gate returns what a live link asks for, for the gate page. It refuses
// dead links like Resolve.
func (s *Service) Gate(ctx context.Context, token, session string) (Gates, error) {
	now := s.now()
	sh, l, err := s.link(ctx, token, now)
	if err != nil {
		return Gates{}, err
	}
	g := Gates{ShareTitle: sh.Title, Email: l.Settings.EmailGate, Passcode: l.PasscodeHash != ""}
	if g.Email {
		key, err := s.signingKey(ctx)
		if err != nil {
			return Gates{}, err
		}
		ss := s.decodeSession(key, session, now)
		g.EmailVerified = ss.LinkID == l.ID && ss.Email != ""
	}
	return g, nil
}

// mayEnter reports whether the e-mail gate of l lets email in: on a
// recipient's link, the recipient and addresses on the allow lists; on an
// open link, any address the lists admit. The deny lists always apply.
func mayEnter(l Link, email string) (bool, string) {
	if l.Recipient != "" && email != l.Recipient && !hasAllow(l.Settings) {
		return false, "this link was sent to someone else"
	}
	if email == l.Recipient && !denied(l.Settings, email) {
		return true, ""
	}
	return admitted(l.Settings, email)
}

// StartEmailGate sends a one-time code to email when the link's e-mail gate
// admits it. A refused address gets ErrRefused; asking again within
// CodeResendAfter gets ErrTooManyAttempts.
func (s *Service) StartEmailGate(ctx context.Context, token, email string) error {
	now := s.now()
	sh, l, err := s.link(ctx, token, now)
	if err != nil {
		return err
	}
	if !l.Settings.EmailGate {
		return fmt.Errorf("%w: this link has no e-mail gate", ErrPrecondition)
	}
	addr := normalizeEmail(email)
	if addr == "" {
		return fmt.Errorf("%w: email: not an e-mail address", ErrInvalid)
	}
	if ok, why := mayEnter(l, addr); !ok {
		return fmt.Errorf("%w: %s", ErrRefused, why)
	}
	key, err := s.signingKey(ctx)
	if err != nil {
		return err
	}
	code, err := newCode()
	if err != nil {
		return err
	}
	c := GateCode{LinkID: l.ID, Email: addr, CodeHash: s.hashCode(key, l.ID, addr, code), ExpiresAt: now.Add(CodeTTL), CreatedAt: now}
	err = s.atomic(ctx, func(tx Stores) error {
		old, err := tx.GetGateCode(ctx, l.ID, addr)
		switch {
		case errors.Is(err, ErrNotFound) || err == nil && !now.Before(old.ExpiresAt):
		case err != nil:
			return err
		case now.Sub(old.CreatedAt) < CodeResendAfter:
			return fmt.Errorf("%w: a code was sent moments ago", ErrTooManyAttempts)
		case old.Attempts >= MaxCodeAttempts:
			// Wrong guesses count per address until the last code expires,
			// so asking for new codes buys no more guesses.
			return fmt.Errorf("%w: too many wrong codes; try again after %s", ErrTooManyAttempts,
				old.ExpiresAt.Format(time.RFC3339))
		default:
			c.Attempts = old.Attempts
		}
		return tx.PutGateCode(ctx, c)
	})
	if err != nil {
		if errcode.Of(err) == errcode.TooManyRequests {
			return err
		}
		return fmt.Errorf("share: code: %w", err)
	}
	s.notify(ctx, Notice{Email: addr, Kind: "share.code", Key: l.ID + "/" + addr + "/" + now.Format(time.RFC3339Nano),
		Subject: fmt.Sprintf("Your code for %q", sh.Title),
		Body:    fmt.Sprintf("Your verification code is %s. It expires in %d minutes.", code, int(CodeTTL.Minutes()))})
	return nil
}

// VerifyEmail checks a one-time code and returns the session that passes
// the e-mail gate (carrying over a passcode already typed in session).
func (s *Service) VerifyEmail(ctx context.Context, token, email, code, session string) (string, Session, error) {
	now := s.now()
	_, l, err := s.link(ctx, token, now)
	if err != nil {
		return "", Session{}, err
	}
	if !l.Settings.EmailGate {
		return "", Session{}, fmt.Errorf("%w: this link has no e-mail gate", ErrPrecondition)
	}
	addr := normalizeEmail(email)
	code = strings.TrimSpace(code)
	if addr == "" || len(code) != 6 {
		return "", Session{}, ErrWrongCode
	}
	key, err := s.signingKey(ctx)
	if err != nil {
		return "", Session{}, err
	}
	var verified bool
	err = s.atomic(ctx, func(tx Stores) error {
		c, err := tx.GetGateCode(ctx, l.ID, addr)
		if errors.Is(err, ErrNotFound) {
			return ErrWrongCode
		}
		if err != nil {
			return err
		}
		switch {
		case !now.Before(c.ExpiresAt):
			return tx.DeleteGateCode(ctx, l.ID, addr)
		case c.Attempts >= MaxCodeAttempts:
			return nil // dead, and kept until it expires so the count holds
		case !hmacEqualHex(c.CodeHash, s.hashCode(key, l.ID, addr, code)):
			c.Attempts++
			return tx.PutGateCode(ctx, c)
		}
		verified = true
		return tx.DeleteGateCode(ctx, l.ID, addr)
	})
	if err != nil {
		return "", Session{}, err
	}
	if !verified {
		return "", Session{}, ErrWrongCode
	}
	if ok, why := mayEnter(l, addr); !ok {
		return "", Session{}, fmt.Errorf("%w: %s", ErrRefused, why)
	}
	prev := s.decodeSession(key, session, now)
	ss := Session{LinkID: l.ID, Email: addr, Passcode: prev.LinkID == l.ID && prev.Passcode, ExpiresAt: now.Add(SessionTTL)}
	return s.encodeSession(key, ss), ss, nil
}

// VerifyPasscode checks a passcode and returns the session that passes the
// passcode gate (carrying over an address verified in session). After
// MaxPasscodeAttempts wrong ones in a row the link refuses passcodes for
// PasscodeLockout with ErrTooManyAttempts.
func (s *Service) VerifyPasscode(ctx context.Context, token, passcode, session string) (string, Session, error) {
	now := s.now()
	_, l, err := s.link(ctx, token, now)
	if err != nil {
		return "", Session{}, err
	}
	if l.PasscodeHash == "" {
		return "", Session{}, fmt.Errorf("%w: this link has no passcode", ErrPrecondition)
	}
	if now.Before(l.LockedUntil) {
		return "", Session{}, fmt.Errorf("%w: try again after %s", ErrTooManyAttempts, l.LockedUntil.Format(time.RFC3339))
	}
	ok := len(passcode) <= 256 && checkPasscode(l.PasscodeHash, passcode)
	err = s.atomic(ctx, func(tx Stores) error {
		cur, err := tx.GetLink(ctx, l.ID)
		if err != nil {
			return err
		}
		if now.Before(cur.LockedUntil) {
			ok = false
			return fmt.Errorf("%w: try again after %s", ErrTooManyAttempts, cur.LockedUntil.Format(time.RFC3339))
		}
		switch {
		case ok && cur.FailedAttempts == 0:
			return nil
		case ok:
			cur.FailedAttempts = 0
		default:
			cur.FailedAttempts++
			if cur.FailedAttempts >= MaxPasscodeAttempts {
				cur.FailedAttempts, cur.LockedUntil = 0, now.Add(PasscodeLockout)
			}
		}
		return tx.UpdateLink(ctx, cur)
	})
	if err != nil {
		return "", Session{}, err
	}
	if !ok {
		return "", Session{}, ErrWrongCode
	}
	key, err := s.signingKey(ctx)
	if err != nil {
		return "", Session{}, err
	}
	prev := s.decodeSession(key, session, now)
	ss := Session{LinkID: l.ID, Passcode: true, ExpiresAt: now.Add(SessionTTL)}
	if prev.LinkID == l.ID {
		ss.Email = prev.Email
	}
	return s.encodeSession(key, ss), ss, nil
}

func hmacEqualHex(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// Availability says whether a shared item is served, and why not.
type Availability string

// Availabilities.
const (
	Available Availability = "available"
	// Gone: the item was deleted.
	Gone Availability = "removed"
	// MadeInternal: the item is internal now.
	MadeInternal Availability = "internal"
	// NotShareable: the item is expired, archived or otherwise not
	// published any more.
	NotShareable Availability = "withdrawn"
)

// VisitItem is a shared item as a visitor sees it.
type VisitItem struct {
	SectionID string
	ItemID    string
	// Item and Version are set only when Available; Version is zero for
	// items without files (links, tracks, pages).
	Item         items.Item
	Version      items.Version
	Availability Availability
	// Downloadable: downloads are allowed for this link and this item.
	Downloadable bool
}

// availability decides whether a shared item is served now.
func availability(it items.Item, err error, now time.Time) (Availability, error) {
	switch {
	case errors.Is(err, items.ErrNotFound):
		return Gone, nil
	case err != nil:
		return "", err
	case it.Audience != items.External:
		return MadeInternal, nil
	case !slices.Contains(items.ShareableStatuses, it.Status):
		return NotShareable, nil
	// Dates count before governance moves the status: an item past its
	// expiry, or not yet available, is not served.
	case !it.ExpiresAt.IsZero() && !now.Before(it.ExpiresAt), it.AvailableAt.After(now):
		return NotShareable, nil
	}
	return Available, nil
}

// itemFor re-checks one shared item for acc and reads what is served.
func (s *Service) itemFor(ctx context.Context, acc Access, si SharedItem, secID string) (VisitItem, error) {
	vi := VisitItem{SectionID: secID, ItemID: si.ItemID}
	it, err := s.st.GetItem(ctx, si.ItemID)
	vi.Availability, err = availability(it, err, acc.at)
	if err != nil || vi.Availability != Available {
		return vi, err
	}
	vi.Item = it
	vid := si.VersionID
	if vid == "" {
		vid = it.CurrentVersionID
	}
	if vid != "" {
		v, err := s.st.GetVersion(ctx, vid)
		if err != nil && !errors.Is(err, items.ErrNotFound) {
			return vi, err
		}
		vi.Version = v
	}
	vi.Downloadable = acc.Link.Settings.AllowDownload && it.Downloadable && vi.Version.ID != ""
	return vi, nil
}

// Items returns the share's items in order, each with its availability.
func (s *Service) Items(ctx context.Context, acc Access) ([]VisitItem, error) {
	var out []VisitItem
	for _, sec := range acc.Share.Sections {
		for _, si := range sec.Items {
			vi, err := s.itemFor(ctx, acc, si, sec.ID)
			if err != nil {
				return nil, fmt.Errorf("share: item %s: %w", si.ItemID, err)
			}
			out = append(out, vi)
		}
	}
	return out, nil
}

// Item returns one shared item when it is still served; otherwise
// ErrItemUnavailable (also for items that are not in the share).
func (s *Service) Item(ctx context.Context, acc Access, itemID string) (VisitItem, error) {
	for _, sec := range acc.Share.Sections {
		for _, si := range sec.Items {
			if si.ItemID != itemID {
				continue
			}
			vi, err := s.itemFor(ctx, acc, si, sec.ID)
			if err != nil {
				return VisitItem{}, fmt.Errorf("share: item %s: %w", itemID, err)
			}
			if vi.Availability != Available {
				return vi, fmt.Errorf("%w (%s)", ErrItemUnavailable, vi.Availability)
			}
			return vi, nil
		}
	}
	return VisitItem{}, ErrItemUnavailable
}

// File opens a shared item's file to show it inline (download false) or to
// download it (download true: only when the link allows downloads and the
// item is downloadable; the download is recorded as an event of viewID,
// when the view belongs to the link).
func (s *Service) File(ctx context.Context, acc Access, itemID string, download bool, viewID string) (VisitItem, io.ReadSeekCloser, error) {
	vi, err := s.Item(ctx, acc, itemID)
	if err != nil {
		return vi, nil, err
	}
	if vi.Version.ID == "" {
		return vi, nil, fmt.Errorf("%w: the item has no file", ErrItemUnavailable)
	}
	if download && !vi.Downloadable {
		return vi, nil, ErrNoDownload
	}
	rc, err := s.blobs.Open(ctx, vi.Version.BlobKey)
	if err != nil {
		return vi, nil, fmt.Errorf("share: open file: %w", err)
	}
	if download {
		s.record(ctx, acc, EventDownloaded, itemID, vi.Item.SpotID, viewID)
	}
	return vi, rc, nil
}

// Click records that the visitor followed a link item and returns its URL.
func (s *Service) Click(ctx context.Context, acc Access, itemID, viewID string) (string, error) {
	vi, err := s.Item(ctx, acc, itemID)
	if err != nil {
		return "", err
	}
	// Only link items lead away: a file's source URL is where it came from
	// (an intranet, a drive), never for buyers, who get the file itself
	// and only when downloads are allowed.
	if vi.Version.ID != "" || (vi.Item.Kind != items.KindLink && vi.Item.Kind != items.KindTrack) || vi.Item.Source.URL == "" {
		return "", fmt.Errorf("%w: the item is not a link", ErrItemUnavailable)
	}
	s.record(ctx, acc, EventClicked, itemID, vi.Item.SpotID, viewID)
	return vi.Item.Source.URL, nil
}

// record appends a download or click event; a failure is logged, never
// fails the request.
func (s *Service) record(ctx context.Context, acc Access, typ EventType, itemID, spotID, viewID string) {
	e := Event{Type: typ, ShareID: acc.Share.ID, LinkID: acc.Link.ID, ItemID: itemID, Recipient: acc.Recipient, At: s.now()}
	if viewID != "" {
		if v, err := s.st.GetView(ctx, viewID); err == nil && v.LinkID == acc.Link.ID {
			e.ViewID, e.SuspectedBot = v.ID, v.SuspectedBot
		}
	}
	if err := s.st.AddEvent(ctx, e); err != nil {
		s.opt.Logger.WarnContext(ctx, "share: event not recorded", "type", typ, "err", err)
		return
	}
	act := Activity{Type: ActDownloaded, At: e.At, ShareID: e.ShareID, ShareOwner: acc.Share.OwnerID, ViewID: e.ViewID,
		Recipient: e.Recipient, ItemID: itemID, SpotID: spotID, SuspectedBot: e.SuspectedBot}
	if typ == EventClicked {
		act.Type = ActClicked
	}
	s.observe(ctx, act)
}

// Renderer draws pages of uploaded files as images, for viewers that show
// documents page by page. Without one, the viewer shows each page's
// extracted text, or the file itself.
type Renderer interface {
	// Pages reports whether the renderer can draw files of this MIME type.
	Pages(mimeType string) bool
	// RenderPage draws page (from 1) of the file read from r and returns
	// the image and its content type. A page past the end is
	// ErrItemUnavailable.
	RenderPage(ctx context.Context, r io.ReadSeeker, mimeType string, page int) ([]byte, string, error)
}

// PageImage re-checks a shared item and draws one page of the version the
// link serves. ErrPrecondition when no renderer is configured or it cannot
// draw this file.
func (s *Service) PageImage(ctx context.Context, acc Access, itemID string, page int) ([]byte, string, error) {
	vi, err := s.Item(ctx, acc, itemID)
	if err != nil {
		return nil, "", err
	}
	r := s.opt.Renderer
	if r == nil || vi.Version.ID == "" || !r.Pages(vi.Version.MIMEType) {
		return nil, "", fmt.Errorf("%w: no page images for this item", ErrPrecondition)
	}
	if page < 1 || (vi.Version.PageCount > 0 && page > vi.Version.PageCount) {
		return nil, "", fmt.Errorf("%w: no page %d", ErrItemUnavailable, page)
	}
	rc, err := s.blobs.Open(ctx, vi.Version.BlobKey)
	if err != nil {
		return nil, "", fmt.Errorf("share: open file: %w", err)
	}
	defer rc.Close()
	return r.RenderPage(ctx, rc, vi.Version.MIMEType, page)
}

// HasPageImages reports whether the viewer can show this item's pages as
// images.
func (s *Service) HasPageImages(vi VisitItem) bool {
	return s.opt.Renderer != nil && vi.Version.ID != "" && s.opt.Renderer.Pages(vi.Version.MIMEType)
}
