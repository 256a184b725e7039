package viewer

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/internal/qrcode"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/share"
)

// errNotInShare answers an item ID the share does not hold.
var errNotInShare = errcode.New(errcode.NotFound, "viewer: the item is not in this share")

// base is what every page's layout needs.
type base struct {
	PageTitle string
	CSS, JS   string
	// frameOrigins are the outside origins the page may frame.
	frameOrigins []string
}

func (h *handler) base(_ *http.Request, frameOrigins []string) base {
	return base{PageTitle: "Briefcase", CSS: "/p/_static/viewer.css?v=" + h.assetVersion,
		JS: "/p/_static/viewer.js?v=" + h.assetVersion, frameOrigins: frameOrigins}
}

// pageData feeds every template.
type pageData struct {
	base
	Status  int
	Problem problem

	// The share page.
	Kind        share.Kind
	ShareTitle  string
	Message     string
	Sections    []sectionView
	Stage       *viewerData
	QR          template.URL
	BeaconURL   string
	BeaconToken string
	ViewID      string
	IntervalMS  int64
	IdleMS      int64

	// The item page.
	BackURL string

	// The gate page.
	Gate gateView
}

type sectionView struct {
	Title string
	Items []itemView
}

type itemView struct {
	ID, Title, Kind, URL string
	Available, Current   bool
	Reason               string
	ReasonKind           share.Availability
}

// viewerData is one item's viewer: the stage of the share page, or the
// body of an item page.
type viewerData struct {
	ItemID, Title, Description string
	Kind                       items.Kind
	// Mode is how the item is shown: images, text, image, video, audio,
	// pdf, sandboxed, link or none.
	Mode        string
	Page, Pages int
	Texts       []string
	PageURL     string // the page route, to which the number is appended
	FileURL     string
	DownloadURL string
	GoURL       string
	LinkURL     string
	PrevURL     string
	NextURL     string
	Empty       string
}

// render executes a template into a buffer, so a failure never leaves
// half a page, and sets the page's policy.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := h.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		h.log.ErrorContext(r.Context(), "viewer: template", "template", name, "err", err)
		http.Error(w, "Something went wrong.", http.StatusInternalServerError)
		return
	}
	var origins []string
	if d, ok := data.(pageData); ok {
		origins = d.frameOrigins
	}
	w.Header().Set("Content-Security-Policy", pageCSP(origins))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// pageCSP is the policy of the viewer's pages: everything from the viewer
// itself, nothing inline, never framed; frames may also show the given
// origins (the share's link items).
func pageCSP(frameOrigins []string) string {
	frames := "'self'"
	for _, o := range frameOrigins {
		frames += " " + o
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; " +
		"object-src 'none'; frame-src " + frames + "; connect-src 'self'; form-action 'self'; base-uri 'none'; " +
		"frame-ancestors 'none'"
}

// frameOrigin returns the origin of an http(s) URL in a form safe to put
// in a policy, or "".
func frameOrigin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	for _, c := range u.Host {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':' ||
			c == '[' || c == ']') {
			return ""
		}
	}
	return u.Scheme + "://" + strings.ToLower(u.Host)
}

// session returns the gate session cookie's value, or "".
func session(r *http.Request) string {
	if c, err := r.Cookie(cookieName); err == nil {
		return c.Value
	}
	return ""
}

// resolve checks the link of the request, with its session.
func (h *handler) resolve(r *http.Request) (share.Access, error) {
	return h.shares.Resolve(r.Context(), r.PathValue("token"), session(r))
}

// visitor describes the request opening a link.
func visitor(r *http.Request) share.Visitor {
	prefetch := false
	for _, name := range []string{"Sec-Purpose", "Purpose", "X-Purpose", "X-Moz"} {
		v := strings.ToLower(r.Header.Get(name))
		if strings.Contains(v, "prefetch") || strings.Contains(v, "preview") {
			prefetch = true
		}
	}
	return share.Visitor{UserAgent: r.UserAgent(), Method: r.Method, Prefetch: prefetch}
}

// linkPath is the path of a link, with the token escaped.
func linkPath(token string) string { return "/p/" + url.PathEscape(token) }

func itemPath(token, itemID string) string {
	return linkPath(token) + "/items/" + url.PathEscape(itemID)
}

// publicLink is the absolute URL of the link, for the QR code.
func (h *handler) publicLink(r *http.Request, token string) string {
	if h.cfg.PublicURL != "" {
		return h.cfg.PublicURL + linkPath(token)
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + linkPath(token)
}

// sharePage opens a visit and shows the pitch or room.
func (h *handler) sharePage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	acc, err := h.resolve(r)
	if errors.Is(err, share.ErrGateRequired) {
		h.gatePage(w, r, gateView{}, http.StatusUnauthorized)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	visit, err := h.shares.Open(r.Context(), acc, visitor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := pageData{Kind: acc.Share.Kind, ShareTitle: acc.Share.Title, Message: acc.Share.Message,
		BeaconURL: linkPath(token) + "/beacon", BeaconToken: visit.BeaconToken, ViewID: visit.View.ID,
		IntervalMS: h.cfg.BeaconInterval.Milliseconds(), IdleMS: h.cfg.IdleAfter.Milliseconds()}
	var origins []string
	bySection := map[string][]share.VisitItem{}
	for _, vi := range visit.Items {
		bySection[vi.SectionID] = append(bySection[vi.SectionID], vi)
		if vi.Availability != share.Available {
			continue
		}
		if vi.Version.ID == "" && vi.Item.Source.URL != "" {
			if o := frameOrigin(vi.Item.Source.URL); o != "" && !slices.Contains(origins, o) {
				origins = append(origins, o)
			}
		}
		if d.Stage == nil {
			d.Stage = h.viewer(acc, token, vi, 1, visit.View.ID)
		}
	}
	for _, sec := range acc.Share.Sections {
		sv := sectionView{Title: sec.Title}
		if acc.Share.Kind == share.KindPitch {
			sv.Title = ""
		}
		for _, vi := range bySection[sec.ID] {
			iv := itemView{ID: vi.ItemID, Available: vi.Availability == share.Available, ReasonKind: vi.Availability}
			if iv.Available {
				iv.Title = vi.Item.DisplayTitle()
				iv.Kind = kindLabel(vi)
				iv.URL = itemPath(token, vi.ItemID)
				iv.Current = d.Stage != nil && d.Stage.ItemID == vi.ItemID
			} else {
				iv.Reason = reasonText(vi.Availability)
			}
			sv.Items = append(sv.Items, iv)
		}
		d.Sections = append(d.Sections, sv)
	}
	if qr, err := qrcode.DataURI(h.publicLink(r, token), 240); err == nil {
		d.QR = template.URL(qr)
	}
	d.base = h.base(r, origins)
	d.PageTitle = acc.Share.Title
	h.render(w, r, http.StatusOK, "share.html", d)
}

// reasonText explains politely why an item is not shown.
func reasonText(a share.Availability) string {
	switch a {
	case share.Gone:
		return "The sender removed it."
	case share.MadeInternal:
		return "It is no longer shared outside the company."
	default:
		return "It was withdrawn or has expired."
	}
}

// kindLabel names an item's kind for people.
func kindLabel(vi share.VisitItem) string {
	switch vi.Item.Kind {
	case items.KindPDF:
		return "PDF"
	case items.KindPresentation:
		return "Presentation"
	case items.KindDocument:
		return "Document"
	case items.KindSpreadsheet:
		return "Spreadsheet"
	case items.KindVideo:
		return "Video"
	case items.KindImage:
		return "Image"
	case items.KindLink:
		return "Link"
	case items.KindTrack:
		return "Content track"
	case items.KindPage:
		return "Page"
	case items.KindRemix:
		return "Deck"
	}
	return string(vi.Item.Kind)
}

// sharedItem re-checks one item of the share: 404 when the share does not
// hold it, 410 when it stopped being served.
func (h *handler) sharedItem(ctx context.Context, acc share.Access, itemID string) (share.VisitItem, error) {
	if _, ok := acc.Share.Item(itemID); !ok {
		return share.VisitItem{}, errNotInShare
	}
	return h.shares.Item(ctx, acc, itemID)
}

// viewer builds the viewer of an available item at page.
func (h *handler) viewer(acc share.Access, token string, vi share.VisitItem, page int, viewID string) *viewerData {
	it, v := vi.Item, vi.Version
	base := itemPath(token, vi.ItemID)
	q := ""
	if viewID != "" {
		q = "?view=" + url.QueryEscape(viewID)
	}
	d := &viewerData{ItemID: vi.ItemID, Title: it.DisplayTitle(), Description: it.ExternalDescription, Kind: it.Kind,
		Pages: 1, PageURL: base + "/pages/", FileURL: base + "/file"}
	if vi.Downloadable {
		d.DownloadURL = base + "/download" + q
	}
	mt := mediaType(v.MIMEType)
	switch {
	case v.ID == "" && it.Source.URL != "":
		d.Mode, d.LinkURL, d.GoURL = "link", it.Source.URL, base+"/go"+q
	case v.ID == "":
		d.Mode, d.Empty = "none", "There is nothing to show for this item yet."
	case h.shares.HasPageImages(vi):
		d.Mode, d.Pages = "images", max(v.PageCount, 1)
	case len(v.Pages) > 0 && !strings.HasPrefix(mt, "image/") && !strings.HasPrefix(mt, "video/") &&
		!strings.HasPrefix(mt, "audio/"):
		d.Mode, d.Pages, d.Texts = "text", len(v.Pages), v.Pages
	default:
		d.Mode = inlineMode(mt)
		if d.Mode == "none" {
			d.Empty = "This file cannot be shown in the browser."
			if vi.Downloadable {
				d.Empty += " Download it to open it."
			}
		}
	}
	d.Page = min(max(page, 1), d.Pages)
	if d.Pages > 1 {
		d.PrevURL = base + "?page=" + strconv.Itoa(max(d.Page-1, 1))
		d.NextURL = base + "?page=" + strconv.Itoa(min(d.Page+1, d.Pages))
	}
	return d
}

// mediaType returns the lower-case type of a MIME type without parameters.
func mediaType(v string) string {
	mt, _, err := mime.ParseMediaType(v)
	if err != nil {
		return ""
	}
	return mt
}

// itemPage shows one item on its own, or (?part=stage) the viewer fragment
// the share page swaps in.
func (h *handler) itemPage(w http.ResponseWriter, r *http.Request) {
	token, itemID := r.PathValue("token"), r.PathValue("itemID")
	acc, err := h.resolve(r)
	if errors.Is(err, share.ErrGateRequired) && r.URL.Query().Get("part") == "" {
		h.gatePage(w, r, gateView{}, http.StatusUnauthorized)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	vi, err := h.sharedItem(r.Context(), acc, itemID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	vd := h.viewer(acc, token, vi, page, viewParam(r))
	var origins []string
	if o := frameOrigin(vd.LinkURL); o != "" {
		origins = []string{o}
	}
	if r.URL.Query().Get("part") == "stage" {
		h.render(w, r, http.StatusOK, "stage.html", pageData{base: h.base(r, origins), Stage: vd})
		return
	}
	d := pageData{base: h.base(r, origins), Stage: vd, ShareTitle: acc.Share.Title, BackURL: linkPath(token)}
	d.PageTitle = vd.Title + " · " + acc.Share.Title
	h.render(w, r, http.StatusOK, "item.html", d)
}

// viewParam is the view an in-page request belongs to (for download and
// click events); the share service checks it belongs to the link.
func viewParam(r *http.Request) string {
	v := r.URL.Query().Get("view")
	if len(v) > 64 {
		return ""
	}
	return v
}
