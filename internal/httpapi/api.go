// Package httpapi is Briefcase's authenticated JSON API on the standard
// library's ServeMux. Handlers decode, call one service method and encode;
// every rule lives in the services.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/briefcasehq/briefcase/auth"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
)

// Identity resolves the principal behind a request.
type Identity interface {
	Authenticate(r *http.Request) (spots.Principal, error)
}

// Config is what the API needs.
type Config struct {
	Spots    *spots.Service
	Items    *items.Service
	Tokens   *auth.Tokens
	Identity Identity
	// Ready reports whether the server can serve (store reachable).
	Ready func(ctx context.Context) error
	// MaxBodyBytes caps JSON request bodies (default 1 MiB).
	MaxBodyBytes int64
	// MaxUploadBytes caps multipart uploads (default 512 MiB).
	MaxUploadBytes int64
	Logger         *slog.Logger
}

// New returns the API handler. It expects paths without any mount prefix
// (use http.StripPrefix when mounting under one); the JSON API is under
// /api/v1, with /healthz and /readyz beside it.
func New(cfg Config) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	return mux
}
