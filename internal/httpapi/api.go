// Package httpapi is Briefcase's authenticated JSON API on the standard
// library's ServeMux. Handlers decode, call one service method and encode;
// every rule lives in the services. The whole surface is in routes.go.
//
// Conventions every route follows:
//
//   - Paths are relative to the mount point (embedders use
//     http.StripPrefix). /api/v1 routes authenticate through
//     Config.Identity; without a principal they answer 401 with
//     WWW-Authenticate: Bearer. /healthz, /readyz and /metrics need none.
//   - With Config.Metrics, every request is counted and timed by the route
//     pattern it matched (never its path, so no IDs reach the labels), and
//     GET /metrics serves the registry in the Prometheus text format.
//   - JSON bodies must be sent as Content-Type application/json (anything
//     else is 415 with code invalid), hold one JSON object and nothing after
//     it, name only known fields, and fit in Config.MaxBodyBytes (413
//     beyond). Decoding problems are 400 with code invalid and the offending
//     field named in "fields" ("body" when the JSON itself is broken).
//   - Uploads are multipart/form-data: an optional mime_type field, then the
//     file field, which is streamed to the items service as it arrives;
//     fields after the file are not read. A file over Config.MaxUploadBytes
//     is 413 naming "file", and nothing is stored.
//   - List routes refuse unknown query parameters (400), so that a typo
//     does not silently widen a listing.
//   - Answers are JSON with snake_case names; creations are 201 with the
//     created object; lists are {"items": [...], "next_cursor": "..."};
//     deletions are 204 with no body. API answers are never cached
//     (Cache-Control: no-store); downloads are private and revalidated.
//   - Errors are {"error": {"code", "message", "fields"}} with the status of
//     the code from one table (errors.go); failed_precondition is 422.
//     Internal errors are logged and answered with a generic message; other
//     messages are chosen so that storage adapters' text never reaches a
//     client (see clientMessage). Unknown paths are 404 and known paths
//     with another method 405 (with Allow), in the same shape.
package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/briefcasehq/briefcase/analytics"
	"github.com/briefcasehq/briefcase/auth"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/governance"
	"github.com/briefcasehq/briefcase/internal/metrics"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/search"
	"github.com/briefcasehq/briefcase/share"
	"github.com/briefcasehq/briefcase/spots"
)

// Identity resolves the principal behind a request.
type Identity interface {
	Authenticate(r *http.Request) (spots.Principal, error)
}

// Config is what the API needs.
type Config struct {
	Spots  *spots.Service
	Items  *items.Service
	Tokens *auth.Tokens
	// Shares answers /pitches and /rooms.
	Shares *share.Service
	// PublicURL is the base URL the links of new shares are built on
	// ("https://briefcase.example.com": a link is PublicURL + "/p/" +
	// token). When empty, links are built from each request: https when
	// it came over TLS or X-Forwarded-Proto says https, and its Host. Set
	// it on servers behind a proxy that rewrites the Host.
	PublicURL string
	// Search answers /search; without it those routes are 503.
	Search *search.Service
	// Analytics answers /analytics (item numbers, trending, popular and
	// the reports); without it those routes are 503.
	Analytics *analytics.Service
	// Influence answers /analytics/reports/influence (influenced revenue,
	// which needs a CRM); without it that route is 503.
	Influence *analytics.Influencer
	// Governance answers policies, approvals, archive and restore, the
	// sweep, the compliance report, the audit log and notices; without it
	// those routes are 503.
	Governance *governance.Service
	// Now is the clock the governance sweep runs at; time.Now by default.
	Now func() time.Time
	// Reindex rebuilds the search index (admins only; the callee checks).
	Reindex func(ctx context.Context) (int, error)
	// Identity authenticates API requests; without one every API request
	// is refused with 401.
	Identity Identity
	// Ready reports whether the server can serve (store reachable); nil
	// means always ready.
	Ready func(ctx context.Context) error
	// MaxBodyBytes caps JSON request bodies (default 1 MiB).
	MaxBodyBytes int64
	// MaxUploadBytes caps one uploaded file (default 512 MiB). Give the
	// items service the same limit: the API enforces it while streaming.
	MaxUploadBytes int64
	// Logger receives internal errors; discarded by default.
	Logger *slog.Logger
	// Metrics receives briefcase_http_requests_total and
	// briefcase_http_request_duration_seconds, and is served at GET
	// /metrics. Without it nothing is measured and /metrics is an unknown
	// path (404): a scraper pointed at a server without metrics is told so
	// for good, not to retry. New registers in it, so one registry serves
	// one API handler.
	Metrics *metrics.Registry
	// RequestLog receives one Info record per request (method, route
	// pattern, status, duration); nil logs none. It takes effect with
	// Metrics, which measures the same requests.
	RequestLog *slog.Logger
}

// Defaults for zero Config fields.
const (
	DefaultMaxBodyBytes   = 1 << 20
	DefaultMaxUploadBytes = 512 << 20
)

// api serves the routes; its methods are the handlers.
type api struct {
	cfg Config
	log *slog.Logger
}

// New returns the API handler. It expects paths without any mount prefix
// (use http.StripPrefix when mounting under one); the JSON API is under
// /api/v1, with /healthz and /readyz beside it.
func New(cfg Config) http.Handler {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &api{cfg: cfg, log: cfg.Logger}
	mux := http.NewServeMux()
	a.routes(mux)
	h := a.fallback(mux)
	if cfg.Metrics != nil {
		// Outside fallback, which hands the mux this very request: the
		// mux sets r.Pattern on it.
		h = metrics.NewHTTP(cfg.Metrics, "briefcase_http", "API").Logging(cfg.RequestLog).Wrap(h)
	}
	return h
}

// handlerFunc is an API handler: it writes a successful answer itself and
// returns any error for serve to write.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// serve adapts an unauthenticated handler.
func (a *api) serve(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}

// authed adapts a handler that needs a principal: it authenticates the
// request through Config.Identity and puts the principal in the context,
// where the services find it.
func (a *api) authed(h handlerFunc) http.Handler {
	return a.serve(func(w http.ResponseWriter, r *http.Request) error {
		if a.cfg.Identity == nil {
			return errUnauthenticated
		}
		p, err := a.cfg.Identity.Authenticate(r)
		if err == nil && p.ID == "" {
			err = errUnauthenticated
		}
		if err != nil {
			if errcode.Of(err) == errcode.Unauthenticated {
				return errUnauthenticated
			}
			return err
		}
		return h(w, r.WithContext(spots.WithPrincipal(r.Context(), p)))
	})
}

var errNoSearch = &requestError{status: http.StatusServiceUnavailable, code: errcode.Unavailable,
	message: "search is not configured"}

var errUnauthenticated = &requestError{status: http.StatusUnauthorized, code: errcode.Unauthenticated,
	message: "authentication required: send a valid API token as Authorization: Bearer <token>"}

// fallback answers, in the API's JSON shape, the requests no route takes:
// 404 for unknown paths and 405 (with Allow) for a known path with another
// method. Everything else goes to the mux.
func (a *api) fallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		// Let the mux decide between 404 and 405, then answer in JSON.
		rec := &headerRecorder{header: http.Header{}}
		mux.ServeHTTP(rec, r)
		if rec.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", rec.header.Get("Allow"))
			a.writeError(w, r, &requestError{status: http.StatusMethodNotAllowed, code: errcode.Invalid,
				message: "method " + r.Method + " not allowed here; allowed: " + rec.header.Get("Allow")})
			return
		}
		a.writeError(w, r, &requestError{status: http.StatusNotFound, code: errcode.NotFound,
			message: "no such route: " + r.Method + " " + r.URL.Path})
	})
}

// headerRecorder keeps the status and headers of the mux's own 404/405
// answer and discards its plain-text body.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header { return h.header }

func (h *headerRecorder) Write(b []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return len(b), nil
}

func (h *headerRecorder) WriteHeader(status int) {
	if h.status == 0 {
		h.status = status
	}
}

// apiHeaders sets the headers of every JSON answer.
func apiHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
}

// writeError answers err with its status and JSON body. Internal errors are
// logged with the request, never shown.
func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, d := describe(err)
	if d.Code == errcode.Internal {
		level := slog.LevelError
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			level = slog.LevelInfo // the client went away
		}
		a.log.Log(r.Context(), level, "api: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if d.Code == errcode.Unauthenticated {
		challenge := "Bearer"
		if r.Header.Get("Authorization") != "" {
			challenge = `Bearer error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
	}
	writeJSON(w, status, errorBody{Error: d})
}
