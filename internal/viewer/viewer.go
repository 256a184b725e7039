package viewer

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/internal/metrics"
	"github.com/briefcasehq/briefcase/share"
)

// Config configures the viewer. Shares is required.
type Config struct {
	Shares *share.Service
	// Logger receives the errors buyers only see as "something went
	// wrong"; discarded by default.
	Logger *slog.Logger
	// BeaconInterval is how often the page reports while the reader is
	// active; 10 s by default.
	BeaconInterval time.Duration
	// IdleAfter stops the active-time clock when there was no input for
	// that long; 60 s by default.
	IdleAfter time.Duration
	// PublicURL is the base URL of links ("https://briefcase.example.com")
	// for the QR code; by default it is taken from each request.
	PublicURL string
	// Metrics, when set, receives briefcase_viewer_requests_total and
	// briefcase_viewer_request_duration_seconds by route pattern (never
	// the path, which holds the link's token). New registers them, so one
	// registry serves one viewer (beside one API handler).
	Metrics *metrics.Registry
	// RequestLog receives one Info record per request (route pattern, never
	// the path with its token); nil logs none. It takes effect with Metrics.
	RequestLog *slog.Logger
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// cookieName is the gate session cookie; its path scopes it to one link.
const cookieName = "briefcase_session"

// maxBeaconBody caps a beacon request.
const maxBeaconBody = 64 << 10

type handler struct {
	cfg    Config
	shares *share.Service
	log    *slog.Logger
	tmpl   *template.Template
	cop    *http.CrossOriginProtection
	static map[string]staticFile
	// assetVersion is a digest of the static files, added to their URLs so
	// browsers may cache them for good.
	assetVersion string
}

type staticFile struct {
	body        []byte
	contentType string
}

// New returns the viewer's handler. It starts nothing.
func New(cfg Config) http.Handler {
	if cfg.Shares == nil {
		panic("viewer: Config.Shares is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.BeaconInterval <= 0 {
		cfg.BeaconInterval = 10 * time.Second
	}
	if cfg.IdleAfter <= 0 {
		cfg.IdleAfter = 60 * time.Second
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	h := &handler{cfg: cfg, shares: cfg.Shares, log: cfg.Logger, static: map[string]staticFile{},
		cop: http.NewCrossOriginProtection()}
	h.tmpl = template.Must(template.New("").Funcs(template.FuncMap{
		"add": func(a, b int) int { return a + b },
	}).ParseFS(templateFS, "templates/*.html"))
	sum := sha256.New()
	err := fs.WalkDir(staticFS, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(path)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(path, "static/")
		ct := "application/octet-stream"
		switch {
		case strings.HasSuffix(name, ".js"):
			ct = "text/javascript; charset=utf-8"
		case strings.HasSuffix(name, ".css"):
			ct = "text/css; charset=utf-8"
		}
		h.static[name] = staticFile{body: b, contentType: ct}
		sum.Write([]byte(name))
		sum.Write(b)
		return nil
	})
	if err != nil {
		panic("viewer: static files: " + err.Error())
	}
	h.assetVersion = hex.EncodeToString(sum.Sum(nil))[:12]

	mux := http.NewServeMux()
	mux.HandleFunc("GET /p/_static/{file}", h.serveStatic)
	mux.HandleFunc("GET /p/{token}", h.sharePage)
	mux.HandleFunc("POST /p/{token}/gate/email", h.gateEmail)
	mux.HandleFunc("POST /p/{token}/gate/code", h.gateCode)
	mux.HandleFunc("POST /p/{token}/gate/passcode", h.gatePasscode)
	mux.HandleFunc("GET /p/{token}/items/{itemID}", h.itemPage)
	mux.HandleFunc("GET /p/{token}/items/{itemID}/pages/{n}", h.page)
	mux.HandleFunc("GET /p/{token}/items/{itemID}/file", h.file)
	mux.HandleFunc("GET /p/{token}/items/{itemID}/download", h.download)
	mux.HandleFunc("GET /p/{token}/items/{itemID}/go", h.follow)
	mux.HandleFunc("POST /p/{token}/beacon", h.beacon)
	var next http.Handler = mux
	if cfg.Metrics != nil {
		next = metrics.NewHTTP(cfg.Metrics, "briefcase_viewer", "Buyer viewer").Logging(cfg.RequestLog).Wrap(mux)
	}
	return h.secure(next)
}

// secure adds the headers every answer carries. Pages keep the strict
// policy set here; handlers that serve files or frames replace it.
func (h *handler) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Cache-Control", "no-store")
		hd.Set("Content-Security-Policy", pageCSP(nil))
		hd.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

func (h *handler) serveStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := h.static[r.PathValue("file")]
	if !ok {
		h.errorPage(w, r, http.StatusNotFound, errPageNotFound)
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	if r.URL.Query().Get("v") == h.assetVersion {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Write(f.body)
}

// statusOf maps error codes to HTTP statuses.
var statusOf = map[errcode.Code]int{
	errcode.Invalid:            http.StatusBadRequest,
	errcode.Unauthenticated:    http.StatusUnauthorized,
	errcode.Forbidden:          http.StatusForbidden,
	errcode.NotFound:           http.StatusNotFound,
	errcode.Conflict:           http.StatusConflict,
	errcode.FailedPrecondition: http.StatusUnprocessableEntity,
	errcode.Gone:               http.StatusGone,
	errcode.Unavailable:        http.StatusServiceUnavailable,
	errcode.TooManyRequests:    http.StatusTooManyRequests,
	errcode.Internal:           http.StatusInternalServerError,
}

// problem is what a buyer is told about a refusal: a heading and a line
// for the page, and the same words in JSON answers.
type problem struct {
	Title   string
	Message string
}

// Problems the viewer shows, by the sentinel they answer.
var (
	errPageNotFound = problem{"Page not found", "There is nothing at this address."}
	problems        = []struct {
		err error
		problem
	}{
		{share.ErrLinkNotFound, problem{"Link not found", "This link does not exist. Check that you copied all of it, or ask the sender for a new one."}},
		{share.ErrLinkRevoked, problem{"This link was withdrawn", "The sender withdrew this link. Ask them for a new one if you still need the content."}},
		{share.ErrLinkExpired, problem{"This link has expired", "The link was valid for a limited time. Ask the sender for a new one."}},
		{share.ErrGateRequired, problem{"Verification needed", "Open the link in this browser and verify first."}},
		{share.ErrRefused, problem{"This link is not for this address", "The sender did not share this content with this address."}},
		{share.ErrWrongCode, problem{"Wrong code", "That code is wrong or has expired."}},
		{share.ErrTooManyAttempts, problem{"Too many attempts", "Please wait a few minutes before trying again."}},
		{share.ErrItemUnavailable, problem{"No longer available", "This item is no longer available."}},
		{share.ErrNoDownload, problem{"Downloads are not allowed", "This item can be viewed here but not downloaded."}},
		{share.ErrBadBeacon, problem{"Invalid beacon", "The beacon token is invalid or expired; reload the page."}},
		{errNotInShare, problem{"Not in this share", "This item is not part of what was shared with you."}},
		{errNoPage, problem{"No such page", "This item has no such page."}},
		{errNotShowable, problem{"Cannot be shown here", "This file can be viewed page by page on the share page, but not downloaded."}},
		{errNotALink, problem{"Not a link", "This item is not a link."}},
	}
	genericProblems = map[errcode.Code]problem{
		errcode.Invalid:            {"Invalid request", "The request was not understood."},
		errcode.Unauthenticated:    {"Verification needed", "Verification is required."},
		errcode.Forbidden:          {"Not allowed", "This is not allowed."},
		errcode.NotFound:           {"Not found", "There is nothing here."},
		errcode.Conflict:           {"Conflict", "The request conflicts with the current state."},
		errcode.FailedPrecondition: {"Not possible", "This is not possible here."},
		errcode.Gone:               {"No longer available", "This is no longer available."},
		errcode.Unavailable:        {"Temporarily unavailable", "Please try again in a moment."},
		errcode.TooManyRequests:    {"Too many attempts", "Please wait a few minutes before trying again."},
		errcode.Internal:           {"Something went wrong", "Something went wrong on our side. Please try again."},
	}
)

// describe returns the status and the words for err. Internal errors are
// logged here and never shown.
func (h *handler) describe(r *http.Request, err error) (int, errcode.Code, problem) {
	code := errcode.Of(err)
	status, ok := statusOf[code]
	if !ok {
		code, status = errcode.Internal, http.StatusInternalServerError
	}
	if code == errcode.Internal {
		h.log.ErrorContext(r.Context(), "viewer: request failed", "method", r.Method, "route", r.Pattern, "err", err)
		return status, code, genericProblems[code]
	}
	for _, p := range problems {
		if errors.Is(err, p.err) {
			return status, code, p.problem
		}
	}
	p := genericProblems[code]
	if code == errcode.Invalid {
		// Validation messages are written by the share service for
		// clients ("beacons[0].page: must be 1 to 100000").
		if msg, ok := strings.CutPrefix(err.Error(), "share: invalid: "); ok {
			p.Message = msg
		}
	}
	return status, code, p
}

// fail answers err with an error page.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, _, p := h.describe(r, err)
	h.errorPage(w, r, status, p)
}

// errorPage renders a refusal for people.
func (h *handler) errorPage(w http.ResponseWriter, r *http.Request, status int, p problem) {
	h.render(w, r, status, "error.html", pageData{base: h.base(r, nil), Problem: p, Status: status})
}
