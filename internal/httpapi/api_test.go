package httpapi_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/internal/httpapi"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/matryer/is"
)

func TestHealthz(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	r := e.do("", "GET", "/healthz", nil)
	is.Equal(r.status, 200)
	is.Equal(string(r.body), "ok\n")
	r = e.do("", "GET", "/readyz", nil)
	is.Equal(r.status, 200)
}

func TestReadyzNotReady(t *testing.T) {
	is := is.New(t)
	logs := &syncBuffer{}
	h := httpapi.New(httpapi.Config{
		Ready:  func(context.Context) error { return errors.New("sqlitestore: ping: database is locked") },
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	is.Equal(rec.Code, 503)
	r := response{t: t, status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	code, msg, _ := r.apiError()
	is.Equal(code, "unavailable")
	is.True(!strings.Contains(msg, "sqlitestore")) // the reason is logged, not answered
	is.True(strings.Contains(logs.String(), "database is locked"))

	// Liveness does not depend on readiness.
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	is.Equal(rec.Code, 200)
}

func TestUnauthenticated(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	for _, path := range []string{"/api/v1/me", "/api/v1/spots", "/api/v1/items", "/api/v1/users"} {
		r := e.do("", "GET", path, nil)
		is.Equal(r.status, 401)
		code, _, _ := r.apiError()
		is.Equal(code, "unauthenticated")
		is.Equal(r.header.Get("WWW-Authenticate"), "Bearer")
	}
	// A token that is not ours says so in the challenge.
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer bc_not-a-token-we-ever-issued-000000000000")
	r := e.send(req)
	is.Equal(r.status, 401)
	is.Equal(r.header.Get("WWW-Authenticate"), `Bearer error="invalid_token"`)

	// A refused write writes nothing.
	before := e.snapshot("ada", "/api/v1/spots")
	e.refused(401, "unauthenticated", "", "POST", "/api/v1/spots", map[string]any{"name": "Sneaky"})
	is.Equal(e.snapshot("ada", "/api/v1/spots"), before)
}

// failingIdentity fails the way a broken store would.
type failingIdentity struct{ err error }

func (f failingIdentity) Authenticate(*http.Request) (spots.Principal, error) {
	return spots.Principal{}, f.err
}

func TestIdentityErrors(t *testing.T) {
	is := is.New(t)
	logs := &syncBuffer{}
	serve := func(id httpapi.Identity) response {
		h := httpapi.New(httpapi.Config{Identity: id, Logger: slog.New(slog.NewTextHandler(logs, nil))})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/me", nil))
		return response{t: t, status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	}

	// An internal failure is a generic 500, logged with its details.
	r := serve(failingIdentity{errors.New("sqlitestore: open /var/lib/briefcase/secret.db: disk I/O error")})
	is.Equal(r.status, 500)
	code, msg, fields := r.apiError()
	is.Equal(code, "internal")
	is.Equal(msg, "internal error")
	is.Equal(fields, nil)
	is.True(!strings.Contains(string(r.body), "secret.db"))
	is.True(strings.Contains(logs.String(), "secret.db"))

	// An identity's own unauthenticated error is a 401 with a challenge.
	r = serve(failingIdentity{errcode.New(errcode.Unauthenticated, "proxy: no X-User")})
	is.Equal(r.status, 401)
	is.Equal(r.header.Get("WWW-Authenticate"), "Bearer")

	// No identity at all fails closed.
	r = serve(nil)
	is.Equal(r.status, 401)
}

func TestRouting(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)

	// Unknown paths are JSON 404s, whoever asks.
	for _, user := range []string{"", "ada"} {
		r := e.do(user, "GET", "/api/v1/nope", nil)
		is.Equal(r.status, 404)
		code, _, _ := r.apiError()
		is.Equal(code, "not_found")
		is.Equal(r.header.Get("X-Content-Type-Options"), "nosniff")
	}
	e.refused(404, "not_found", "ada", "GET", "/api/v1/spots/x/nope", nil)
	e.refused(404, "not_found", "", "GET", "/elsewhere", nil)

	// A known path with another method is a JSON 405 naming the methods.
	r := e.do("ada", "POST", "/api/v1/me", "{}")
	is.Equal(r.status, 405)
	code, _, _ := r.apiError()
	is.Equal(code, "invalid")
	is.True(strings.Contains(r.header.Get("Allow"), "GET"))

	r = e.do("ada", "PUT", "/api/v1/spots", "{}")
	is.Equal(r.status, 405)
	is.True(strings.Contains(r.header.Get("Allow"), "POST"))
	is.True(strings.Contains(r.header.Get("Allow"), "GET"))

	r = e.do("", "DELETE", "/api/v1/items/123/content", nil)
	is.Equal(r.status, 405)
	r.apiError()

	r = e.do("", "POST", "/healthz", nil)
	is.Equal(r.status, 405)
	r.apiError()
}

func TestAPIHeaders(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	for _, r := range []response{
		e.do("ada", "GET", "/api/v1/me", nil),
		e.do("ada", "GET", "/api/v1/spots", nil),
		e.do("ada", "POST", "/api/v1/spots", "{"),
		e.do("", "GET", "/api/v1/me", nil),
	} {
		is.Equal(r.header.Get("Content-Type"), "application/json; charset=utf-8")
		is.Equal(r.header.Get("X-Content-Type-Options"), "nosniff")
		is.Equal(r.header.Get("Cache-Control"), "no-store")
	}
	// 204 answers have no body and no content type.
	id := e.spot("ada", map[string]any{"name": "Short-lived"})
	r := e.do("ada", "DELETE", "/api/v1/spots/"+id, nil)
	is.Equal(r.status, 204)
	is.Equal(len(r.body), 0)
	is.Equal(r.header.Get("Content-Type"), "")
}

func TestMountedUnderPrefix(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	mux := http.NewServeMux()
	mux.Handle("/briefcase/", http.StripPrefix("/briefcase", e.lib.Handler()))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/briefcase/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+e.tokens["vic"])
	resp, err := srv.Client().Do(req)
	is.NoErr(err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	is.Equal(resp.StatusCode, 200)
	is.True(strings.Contains(string(b), `"id":"vic"`))
}

func TestMe(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	me := e.must(200, "vic", "GET", "/api/v1/me", nil)
	is.Equal(me["id"], "vic")
	is.Equal(me["email"], "vic@example.com")
	is.Equal(me["groups"], []any{"sales"})
	is.Equal(me["roles"], []any{}) // empty lists are [] on the wire, not null
	spotID, _ := me["personal_spot_id"].(string)
	is.True(spotID != "")

	// Made once: asking again answers the same spot, which is the caller's.
	is.Equal(e.must(200, "vic", "GET", "/api/v1/me", nil)["personal_spot_id"], spotID)
	spot := e.must(200, "vic", "GET", "/api/v1/spots/"+spotID, nil)
	is.Equal(spot["name"], "Vic Spot")
	is.Equal(spot["kind"], "personal")
	// Nobody else sees it (not even that it exists).
	e.refused(404, "not_found", "otto", "GET", "/api/v1/spots/"+spotID, nil)

	r := e.do("vic", "GET", "/api/v1/me", nil)
	golden(t, "me.json", r.body)
}

// TestFailedPrecondition checks the status of failed_precondition: 422.
func TestFailedPrecondition(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	id := e.spot("eve", map[string]any{"name": "Field Marketing"})
	before := e.snapshot("eve", "/api/v1/spots/"+id+"/members")
	r := e.do("eve", "DELETE", "/api/v1/spots/"+id+"/members/user:eve", nil)
	is.Equal(r.status, 422)
	code, msg, _ := r.apiError()
	is.Equal(code, "failed_precondition")
	is.Equal(msg, "precondition failed: the owner cannot be removed; transfer ownership first")
	is.Equal(e.snapshot("eve", "/api/v1/spots/"+id+"/members"), before)
}
