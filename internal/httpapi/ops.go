package httpapi

import (
	"net/http"

	"github.com/briefcasehq/briefcase/errcode"
)

// healthz says the process serves HTTP; it checks nothing else.
func (a *api) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
}

var errNotReady = &requestError{status: http.StatusServiceUnavailable, code: errcode.Unavailable, message: "not ready"}

// readyz says whether the server can serve requests (its store answers).
// Why it cannot is logged, not answered.
func (a *api) readyz(w http.ResponseWriter, r *http.Request) error {
	if a.cfg.Ready != nil {
		if err := a.cfg.Ready(r.Context()); err != nil {
			a.log.WarnContext(r.Context(), "api: not ready", "err", err)
			return errNotReady
		}
	}
	a.healthz(w, r)
	return nil
}
