package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/matryer/is"
)

func TestUsers(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)

	// Pages of users, by ID.
	page := e.must(200, "ada", "GET", "/api/v1/users?limit=3", nil)
	is.Equal(ids(e.do("ada", "GET", "/api/v1/users?limit=3", nil).items()), []string{"ada", "eve", "otto"})
	is.Equal(page["next_cursor"], "otto")
	page = e.must(200, "ada", "GET", "/api/v1/users?limit=3&cursor=otto", nil)
	is.Equal(page["next_cursor"], "")
	is.Equal(ids(e.do("ada", "GET", "/api/v1/users?cursor=otto", nil).items()), []string{"vic"})

	// Create, then update: trainings are kept, lists are sorted.
	u := e.must(200, "ada", "PUT", "/api/v1/users/nina", map[string]any{
		"name": "Nina New", "email": "nina@example.com", "groups": []string{"sales", "emea"}})
	is.Equal(u["id"], "nina")
	is.Equal(u["groups"], []any{"emea", "sales"})
	is.Equal(u["trainings"], []any{})
	u = e.must(200, "ada", "POST", "/api/v1/users/nina/trainings/content-contributor", nil)
	is.Equal(u["trainings"].([]any)[0].(map[string]any)["name"], "content-contributor")
	u = e.must(200, "ada", "PUT", "/api/v1/users/nina", map[string]any{
		"name": "Nina New", "email": "nina@example.com", "roles": []string{"analyst"}})
	is.Equal(u["roles"], []any{"analyst"})
	is.Equal(u["groups"], []any{})
	is.Equal(len(u["trainings"].([]any)), 1)

	// The training lets her own a spot; revoking it takes that away.
	e.tokens["nina"] = e.must(201, "ada", "POST", "/api/v1/tokens", map[string]any{"user": "nina", "name": "laptop"})["token"].(string)
	e.must(201, "nina", "POST", "/api/v1/spots", map[string]any{"name": "Nina's"})
	is.Equal(e.do("ada", "DELETE", "/api/v1/users/nina/trainings/content-contributor", nil).status, 204)
	e.refused(400, "invalid", "nina", "POST", "/api/v1/spots", map[string]any{"name": "Nina's second"})
	is.Equal(e.must(200, "nina", "GET", "/api/v1/me", nil)["trainings"], []any{})
}

func TestUsersBadInput(t *testing.T) {
	e := newEnv(t)
	before := e.snapshot("ada", "/api/v1/users")
	for _, c := range []struct {
		name, user, method, path string
		body                     any
		status                   int
		code, field              string
	}{
		{"bad email", "ada", "PUT", "/api/v1/users/nina", `{"name": "Nina", "email": "not an address"}`, 400, "invalid", "email"},
		{"bad role", "ada", "PUT", "/api/v1/users/nina", `{"name": "Nina", "roles": ["owner"]}`, 400, "invalid", "roles"},
		{"groups wrong type", "ada", "PUT", "/api/v1/users/nina", `{"name": "Nina", "groups": "sales"}`, 400, "invalid", "groups"},
		{"trainings are not set here", "ada", "PUT", "/api/v1/users/nina", `{"name": "Nina", "trainings": []}`, 400, "invalid", "trainings"},
		{"id in body", "ada", "PUT", "/api/v1/users/nina", `{"id": "other"}`, 400, "invalid", "id"},
		{"reserved id", "ada", "PUT", "/api/v1/users/system", `{"name": "Sys"}`, 400, "invalid", "id"},
		{"bad training name", "ada", "POST", "/api/v1/users/eve/trainings/Not%20Valid", nil, 400, "invalid", "training"},
		{"unknown user training", "ada", "POST", "/api/v1/users/nobody/trainings/user", nil, 404, "not_found", ""},
		{"bad training name revoked", "ada", "DELETE", "/api/v1/users/eve/trainings/Not%20Valid", nil, 400, "invalid", "training"},
		{"unknown user revoke", "ada", "DELETE", "/api/v1/users/nobody/trainings/content-contributor", nil, 404, "not_found", ""},
		{"limit not a number", "ada", "GET", "/api/v1/users?limit=many", nil, 400, "invalid", "limit"},
		{"limit too large", "ada", "GET", "/api/v1/users?limit=501", nil, 400, "invalid", "limit"},
		{"limit zero", "ada", "GET", "/api/v1/users?limit=0", nil, 400, "invalid", "limit"},
		{"unknown parameter", "ada", "GET", "/api/v1/users?role=admin", nil, 400, "invalid", "role"},
		// Admin routes refuse everyone else.
		{"non-admin list", "eve", "GET", "/api/v1/users", nil, 403, "forbidden", ""},
		{"non-admin save", "eve", "PUT", "/api/v1/users/eve", `{"name": "Eve", "roles": ["admin"]}`, 403, "forbidden", ""},
		{"non-admin training", "eve", "POST", "/api/v1/users/eve/trainings/user", nil, 403, "forbidden", ""},
		{"non-admin revoke", "vic", "DELETE", "/api/v1/users/eve/trainings/content-contributor", nil, 403, "forbidden", ""},
		{"non-admin revokes own", "eve", "DELETE", "/api/v1/users/eve/trainings/content-contributor", nil, 403, "forbidden", ""},
		{"non-admin trains another", "eve", "POST", "/api/v1/users/vic/trainings/content-contributor", nil, 403, "forbidden", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := e.with(t)
			fields := e.refused(c.status, c.code, c.user, c.method, c.path, c.body)
			if c.field != "" {
				if _, ok := fields[c.field]; !ok {
					t.Errorf("the error does not name %q: %v", c.field, fields)
				}
			}
			if after := e.snapshot("ada", "/api/v1/users"); after != before {
				t.Fatalf("a refused request changed something:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)

	// For yourself by default; the secret is shown once, with the token.
	r := e.do("vic", "POST", "/api/v1/tokens", map[string]any{"name": "cli", "ttl_seconds": 3600})
	is.Equal(r.status, 201)
	tok := r.json()
	is.Equal(tok["principal_id"], "vic")
	is.Equal(tok["name"], "cli")
	is.Equal(tok["expires_at"], "2026-03-02T11:00:00Z")
	secret := tok["token"].(string)
	is.True(len(secret) > 40)
	_, hasHash := tok["hash"]
	is.True(!hasHash)

	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	is.Equal(e.send(req).json()["id"], "vic")

	// Admins issue tokens for others; others may not.
	is.Equal(e.must(201, "ada", "POST", "/api/v1/tokens", map[string]any{"user": "otto"})["principal_id"], "otto")
	e.refused(403, "forbidden", "vic", "POST", "/api/v1/tokens", map[string]any{"user": "ada"})

	for _, c := range []struct{ body, field string }{
		{`{"ttl_seconds": -1}`, "ttl_seconds"},
		{`{"ttl_seconds": 1e12}`, "ttl_seconds"},
		{`{"ttl_seconds": "1h"}`, "ttl_seconds"},
		{`{"ttl_seconds": 1.5}`, "ttl_seconds"},
		{`{"user": "nobody"}`, "user"},
		{`{"secret": "mine"}`, "secret"},
	} {
		fields := e.refused(400, "invalid", "ada", "POST", "/api/v1/tokens", c.body)
		if _, ok := fields[c.field]; !ok {
			t.Errorf("%s: the error does not name %q: %v", c.body, c.field, fields)
		}
	}
}
