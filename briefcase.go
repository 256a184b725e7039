package briefcase

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/briefcasehq/briefcase/auth"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/internal/httpapi"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
)

// Config assembles a Library. Store and Blobs are required; the rest have
// defaults.
type Config struct {
	// Store persists everything (sqlitestore, pgstore, memstore, or yours).
	// The Library does not close it: whoever opened it does.
	Store store.Store
	// Blobs holds version contents (localblobs, or an object store).
	Blobs items.Blobs
	// Identity resolves the principal of an API request. By default, bearer
	// API tokens issued by Library.Tokens.
	Identity Identity
	// Notifier delivers notices; by default they are logged.
	Notifier Notifier
	// Now is the clock every service uses; time.Now by default.
	Now func() time.Time
	// Logger receives structured logs; discarded by default.
	Logger *slog.Logger
	// MaxUploadBytes caps one uploaded version; 512 MiB by default.
	MaxUploadBytes int64
}

// Identity resolves the principal behind an HTTP request to the API.
// Implementations return an error with code unauthenticated when the request
// carries no valid credentials.
type Identity interface {
	Authenticate(r *http.Request) (spots.Principal, error)
}

// Notification is a message for one principal.
type Notification struct {
	// To is the principal ID of the recipient.
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	// Kind groups notices ("share.viewed", "governance.digest", ...).
	Kind string `json:"kind"`
	// Key identifies the notice for de-duplication by senders that retry.
	Key string `json:"key,omitempty"`
}

// Notifier delivers notifications (log, webhook, e-mail, ...).
// Implementations must be safe for concurrent use.
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// Library is an assembled Briefcase: its services, HTTP handlers and
// background jobs. Create it with New.
type Library struct {
	// Spots manages spots, roles and principals.
	Spots *spots.Service
	// Items manages content, versions, lists and bookmarks.
	Items *items.Service
	// Tokens issues and verifies API tokens.
	Tokens *auth.Tokens

	cfg     Config
	handler http.Handler
}

// New assembles a Library. It starts nothing: background jobs run in Run.
func New(ctx context.Context, cfg Config) (*Library, error) {
	if cfg.Store == nil {
		return nil, errors.New("briefcase: Config.Store is required")
	}
	if cfg.Blobs == nil {
		return nil, errors.New("briefcase: Config.Blobs is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Notifier == nil {
		cfg.Notifier = logNotifier{cfg.Logger}
	}
	st := cfg.Store
	lib := &Library{cfg: cfg}
	lib.Spots = spots.NewService(st, func(ctx context.Context, fn func(spots.Stores) error) error {
		return st.Atomic(ctx, func(tx store.Store) error { return fn(tx) })
	}, spots.Options{Now: cfg.Now, Logger: cfg.Logger})
	lib.Items = items.NewService(st, func(ctx context.Context, fn func(items.Stores) error) error {
		return st.Atomic(ctx, func(tx store.Store) error { return fn(tx) })
	}, lib.Spots, cfg.Blobs, items.Options{Now: cfg.Now, Logger: cfg.Logger, MaxUploadBytes: cfg.MaxUploadBytes})
	lib.Tokens = auth.NewTokens(st, st, st, cfg.Now)
	if cfg.Identity == nil {
		cfg.Identity = lib.Tokens
		lib.cfg.Identity = lib.Tokens
	}
	lib.handler = httpapi.New(httpapi.Config{
		Spots:          lib.Spots,
		Items:          lib.Items,
		Tokens:         lib.Tokens,
		Identity:       cfg.Identity,
		Ready:          lib.ready,
		MaxUploadBytes: cfg.MaxUploadBytes,
		Logger:         cfg.Logger,
	})
	return lib, nil
}

// ready reports whether the store answers.
func (l *Library) ready(ctx context.Context) error {
	if p, ok := l.cfg.Store.(interface{ Ping(context.Context) error }); ok {
		return p.Ping(ctx)
	}
	_, err := l.cfg.Store.LastChangeSeq(ctx)
	return err
}

// Handler returns the authenticated JSON API (/api/v1/...) with /healthz
// and /readyz. Mount it at the root of a mux, or under a prefix with
// http.StripPrefix.
func (l *Library) Handler() http.Handler { return l.handler }

// Run runs the background jobs until ctx ends, then returns nil. It is safe
// to call once per Library.
func (l *Library) Run(ctx context.Context) error {
	<-ctx.Done()
	return nil
}

// Close releases what the Library holds. It does not close Config.Store.
// Calling Close more than once is a no-op.
func (l *Library) Close() error { return nil }

// WithPrincipal returns a context carrying p: services act as p and fail
// closed when a context carries no principal.
func WithPrincipal(ctx context.Context, p spots.Principal) context.Context {
	return spots.WithPrincipal(ctx, p)
}

// SystemContext returns a context acting as the system principal, for
// administrative programs (CLI commands, provisioning, background jobs).
func SystemContext(ctx context.Context) context.Context {
	return spots.WithPrincipal(ctx, spots.SystemPrincipal())
}

// Code classifies errors; see ErrorCode.
type Code = errcode.Code

// ErrorCode returns the shared code of err: "invalid", "unauthenticated",
// "forbidden", "not_found", "conflict", "failed_precondition", "gone",
// "unavailable" or "internal". It returns "" for nil.
func ErrorCode(err error) Code { return errcode.Of(err) }

// logNotifier is the default Notifier: it logs.
type logNotifier struct{ log *slog.Logger }

func (n logNotifier) Notify(ctx context.Context, msg Notification) error {
	n.log.InfoContext(ctx, "notification", "to", msg.To, "kind", msg.Kind, "subject", msg.Subject)
	return nil
}
