package viewer

import (
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/briefcasehq/briefcase/errcode"
)

// errNoPage answers a page number the item does not have.
var errNoPage = errcode.New(errcode.NotFound, "viewer: no such page")

// errNotShowable refuses to hand a file the browser cannot show inline
// (office documents, archives) to a visitor who may not download it.
var errNotShowable = errcode.New(errcode.Forbidden, "viewer: this file can only be viewed page by page")

// Policies of served files. Files are framed by the viewer's pages only.
const (
	// fileCSP: no script, an opaque origin, nothing loaded from elsewhere.
	fileCSP = "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; " +
		"frame-ancestors 'self'"
	// pdfCSP leaves out sandbox and default-src: Chrome shows neither a
	// sandboxed PDF nor one whose policy refuses its viewer plugin
	// (object-src). Browsers run a PDF's own scripts in their viewer, never
	// in the viewer's origin.
	pdfCSP = "object-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)

// inlineMode says how the viewer shows a file of media type mt: image,
// video, audio, pdf, sandboxed (text, HTML, SVG, XML: shown under a
// sandbox), or none (the browser cannot show it).
func inlineMode(mt string) string {
	switch {
	case mt == "image/svg+xml":
		return "sandboxed"
	case mt == "image/png", mt == "image/jpeg", mt == "image/gif", mt == "image/webp", mt == "image/avif",
		mt == "image/bmp":
		return "image"
	case strings.HasPrefix(mt, "video/"):
		return "video"
	case strings.HasPrefix(mt, "audio/"):
		return "audio"
	case mt == "application/pdf":
		return "pdf"
	case mt == "text/plain", mt == "text/csv", mt == "text/markdown", mt == "text/html",
		mt == "application/xhtml+xml", mt == "text/xml", mt == "application/xml", strings.HasSuffix(mt, "+xml"):
		return "sandboxed"
	}
	return "none"
}

// page answers one page: its image when a renderer draws the item,
// otherwise its extracted text.
func (h *handler) page(w http.ResponseWriter, r *http.Request) {
	acc, err := h.resolve(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	itemID := r.PathValue("itemID")
	vi, err := h.sharedItem(r.Context(), acc, itemID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		h.fail(w, r, errNoPage)
		return
	}
	if h.shares.HasPageImages(vi) {
		if vi.Version.PageCount > 0 && n > vi.Version.PageCount {
			h.fail(w, r, errNoPage)
			return
		}
		img, ct, err := h.shares.PageImage(r.Context(), acc, itemID, n)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Security-Policy", fileCSP)
		w.Header().Set("Content-Length", strconv.Itoa(len(img)))
		w.Write(img)
		return
	}
	if n > len(vi.Version.Pages) {
		h.fail(w, r, errNoPage)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Security-Policy", fileCSP)
	io.WriteString(w, vi.Version.Pages[n-1])
}

// file serves an item's file inline, for the viewer to show.
func (h *handler) file(w http.ResponseWriter, r *http.Request) {
	h.serveFile(w, r, false)
}

// download serves an item's file as an attachment, when the link allows
// downloads and the item is downloadable.
func (h *handler) download(w http.ResponseWriter, r *http.Request) {
	h.serveFile(w, r, true)
}

func (h *handler) serveFile(w http.ResponseWriter, r *http.Request, download bool) {
	acc, err := h.resolve(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	itemID := r.PathValue("itemID")
	if _, ok := acc.Share.Item(itemID); !ok {
		h.fail(w, r, errNotInShare)
		return
	}
	if !download {
		// Look before opening: a file the browser cannot show is not handed
		// out inline.
		vi, err := h.shares.Item(r.Context(), acc, itemID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if vi.Version.ID != "" && inlineMode(mediaType(vi.Version.MIMEType)) == "none" {
			if vi.Downloadable {
				http.Redirect(w, r, itemPath(r.PathValue("token"), itemID)+"/download", http.StatusSeeOther)
				return
			}
			h.fail(w, r, errNotShowable)
			return
		}
	}
	vi, rc, err := h.shares.File(r.Context(), acc, itemID, download, viewParam(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer rc.Close()
	v := vi.Version
	mt := mediaType(v.MIMEType)
	disposition := "inline"
	csp := fileCSP
	ct := v.MIMEType
	switch {
	case download:
		disposition = "attachment"
	case inlineMode(mt) == "pdf":
		csp = pdfCSP
	}
	if mt == "" {
		ct = "application/octet-stream"
	}
	if cd := mime.FormatMediaType(disposition, map[string]string{"filename": v.Filename}); cd != "" {
		disposition = cd
	}
	hd := w.Header()
	hd.Set("Content-Type", ct)
	hd.Set("Content-Disposition", disposition)
	hd.Set("Content-Security-Policy", csp)
	hd.Del("X-Frame-Options") // the viewer's own pages frame files
	http.ServeContent(w, r, "", v.CreatedAt, rc)
}

// follow records a click on a link item and sends the visitor there.
func (h *handler) follow(w http.ResponseWriter, r *http.Request) {
	acc, err := h.resolve(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	itemID := r.PathValue("itemID")
	vi, err := h.sharedItem(r.Context(), acc, itemID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if vi.Item.Source.URL == "" {
		h.fail(w, r, errNotALink)
		return
	}
	u, err := h.shares.Click(r.Context(), acc, itemID, viewParam(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, u, http.StatusFound)
}

// errNotALink answers /go on an item that is not a link.
var errNotALink = errcode.New(errcode.NotFound, "viewer: the item is not a link")
