package httpapi_test

import (
	"strings"
	"testing"

	"github.com/matryer/is"
)

func TestSpots(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)

	r := e.do("eve", "POST", "/api/v1/spots", map[string]any{
		"name": "Deal Desk", "description": "Pricing and approvals", "kind": "team", "visibility": "restricted", "region": "EMEA"})
	is.Equal(r.status, 201)
	golden(t, "spot_created.json", r.body)
	spot := r.json()
	id := spot["id"].(string)
	is.Equal(spot["region"], "emea")

	is.Equal(e.must(200, "eve", "GET", "/api/v1/spots/"+id, nil)["name"], "Deal Desk")

	// The list carries the caller's role on each spot.
	list := e.do("eve", "GET", "/api/v1/spots", nil).items()
	is.Equal(len(list), 1)
	is.Equal(list[0]["id"], id)
	is.Equal(list[0]["role"], "owner")
	is.Equal(len(e.do("otto", "GET", "/api/v1/spots", nil).items()), 0)

	patched := e.must(200, "eve", "PATCH", "/api/v1/spots/"+id, map[string]any{"description": "Approvals only"})
	is.Equal(patched["description"], "Approvals only")
	is.Equal(patched["name"], "Deal Desk") // untouched fields stay

	// Members: a group, a user, a bare user ID.
	g := e.must(200, "eve", "PUT", "/api/v1/spots/"+id+"/members/group:sales", map[string]any{"role": "viewer"})
	is.Equal(g["role"], "viewer")
	is.Equal(g["subject"], map[string]any{"kind": "group", "id": "sales"})
	e.must(200, "eve", "PUT", "/api/v1/spots/"+id+"/members/user:otto", map[string]any{"role": "viewer"})
	e.must(200, "eve", "PUT", "/api/v1/spots/"+id+"/members/ada", map[string]any{"role": "coowner"})
	members := e.do("vic", "GET", "/api/v1/spots/"+id+"/members", nil).items()
	var subjects []string
	for _, m := range members {
		s := m["subject"].(map[string]any)
		subjects = append(subjects, s["kind"].(string)+":"+s["id"].(string)+"="+m["role"].(string))
	}
	is.Equal(strings.Join(subjects, " "), "user:eve=owner user:ada=coowner group:sales=viewer user:otto=viewer")

	// Vic sees it through his group now.
	is.Equal(e.do("vic", "GET", "/api/v1/spots", nil).items()[0]["role"], "viewer")

	is.Equal(e.do("eve", "DELETE", "/api/v1/spots/"+id+"/members/user:otto", nil).status, 204)
	e.refused(404, "not_found", "otto", "GET", "/api/v1/spots/"+id, nil)
	e.refused(404, "not_found", "eve", "DELETE", "/api/v1/spots/"+id+"/members/user:otto", nil)

	is.Equal(e.do("eve", "DELETE", "/api/v1/spots/"+id, nil).status, 204)
	e.refused(404, "not_found", "eve", "GET", "/api/v1/spots/"+id, nil)
}

func TestSpotsBadInput(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	id := e.spot("eve", map[string]any{"name": "Deal Desk"})
	watched := []string{"/api/v1/spots", "/api/v1/spots/" + id, "/api/v1/spots/" + id + "/members"}
	before := e.snapshot("eve", watched...)

	long := `{"name": "` + strings.Repeat("x", 1<<20) + `"}`
	for _, c := range []struct {
		name, method, path, body string
		header                   []string
		status                   int
		field                    string // the field the error must name ("" for none)
	}{
		{"malformed", "POST", "/api/v1/spots", `{"name": "X",`, nil, 400, "body"},
		{"not JSON", "POST", "/api/v1/spots", `name=X`, nil, 400, "body"},
		{"array", "POST", "/api/v1/spots", `[{"name": "X"}]`, nil, 400, "body"},
		{"null", "POST", "/api/v1/spots", `null`, nil, 400, "body"},
		{"empty body", "POST", "/api/v1/spots", ``, nil, 400, "body"},
		{"blank body", "POST", "/api/v1/spots", " \n", nil, 400, "body"},
		{"unknown field", "POST", "/api/v1/spots", `{"name": "X", "colour": "red"}`, nil, 400, "colour"},
		{"wrong type", "POST", "/api/v1/spots", `{"name": "X", "official": "yes"}`, nil, 400, "official"},
		{"wrong type string", "POST", "/api/v1/spots", `{"name": 42}`, nil, 400, "name"},
		{"trailing data", "POST", "/api/v1/spots", `{"name": "X"} {"name": "Y"}`, nil, 400, "body"},
		{"trailing garbage", "POST", "/api/v1/spots", `{"name": "X"} trailing`, nil, 400, "body"},
		{"missing name", "POST", "/api/v1/spots", `{"description": "nameless"}`, nil, 400, "name"},
		{"bad kind", "POST", "/api/v1/spots", `{"name": "X", "kind": "personal"}`, nil, 400, "kind"},
		{"bad visibility", "POST", "/api/v1/spots", `{"name": "X", "visibility": "secret"}`, nil, 400, "visibility"},
		{"form content type", "POST", "/api/v1/spots", `{"name": "X"}`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "body"},
		{"text content type", "POST", "/api/v1/spots", `{"name": "X"}`, []string{"Content-Type", "text/plain"}, 415, "body"},
		{"too large", "POST", "/api/v1/spots", long, nil, 413, "body"},
		{"patch unknown field", "PATCH", "/api/v1/spots/" + id, `{"nom": "Y"}`, nil, 400, "nom"},
		{"patch wrong type", "PATCH", "/api/v1/spots/" + id, `{"name": ["Y"]}`, nil, 400, "name"},
		{"patch empty name", "PATCH", "/api/v1/spots/" + id, `{"name": " "}`, nil, 400, "name"},
		{"patch empty body", "PATCH", "/api/v1/spots/" + id, ``, nil, 400, "body"},
		{"bad subject kind", "PUT", "/api/v1/spots/" + id + "/members/robot:r2", `{"role": "viewer"}`, nil, 400, "subject"},
		{"empty subject id", "PUT", "/api/v1/spots/" + id + "/members/group:", `{"role": "viewer"}`, nil, 400, "subject"},
		{"bad role", "PUT", "/api/v1/spots/" + id + "/members/user:vic", `{"role": "boss"}`, nil, 400, "role"},
		{"missing role", "PUT", "/api/v1/spots/" + id + "/members/user:vic", `{}`, nil, 400, "role"},
		{"role wrong type", "PUT", "/api/v1/spots/" + id + "/members/user:vic", `{"role": 2}`, nil, 400, "role"},
		{"unknown user", "PUT", "/api/v1/spots/" + id + "/members/user:nobody", `{"role": "viewer"}`, nil, 400, "subject"},
		{"untrained editor", "PUT", "/api/v1/spots/" + id + "/members/user:vic", `{"role": "editor"}`, nil, 400, "role"},
		{"group owner", "PUT", "/api/v1/spots/" + id + "/members/group:sales", `{"role": "owner"}`, nil, 400, "role"},
		{"revoke bad subject", "DELETE", "/api/v1/spots/" + id + "/members/robot:r2", ``, nil, 400, "subject"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := e.with(t)
			fields := e.refused(c.status, "invalid", "eve", c.method, c.path, c.body, c.header...)
			if c.field != "" {
				if _, ok := fields[c.field]; !ok {
					t.Errorf("the error does not name %q: %v", c.field, fields)
				}
			}
			if after := e.snapshot("eve", watched...); after != before {
				t.Fatalf("a refused request changed something:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
	is.Equal(len(e.do("eve", "GET", "/api/v1/spots", nil).items()), 1)
}

func TestSpotsPermissions(t *testing.T) {
	e := newEnv(t)
	restricted := e.spot("eve", map[string]any{"name": "Secret Plans", "visibility": "restricted"})
	public := e.spot("eve", map[string]any{"name": "Announcements", "visibility": "public"})
	e.must(200, "eve", "PUT", "/api/v1/spots/"+restricted+"/members/group:sales", map[string]any{"role": "viewer"})
	watched := []string{"/api/v1/spots/" + restricted, "/api/v1/spots/" + restricted + "/members",
		"/api/v1/spots/" + public, "/api/v1/spots/" + public + "/members"}
	before := e.snapshot("eve", watched...)

	for _, c := range []struct {
		name, user, method, path string
		body                     any
		status                   int
		code                     string
	}{
		// A viewer sees but may not change.
		{"viewer edits", "vic", "PATCH", "/api/v1/spots/" + restricted, map[string]any{"name": "Mine"}, 403, "forbidden"},
		{"viewer deletes", "vic", "DELETE", "/api/v1/spots/" + restricted, nil, 403, "forbidden"},
		{"viewer grants", "vic", "PUT", "/api/v1/spots/" + restricted + "/members/user:vic", map[string]any{"role": "editor"}, 403, "forbidden"},
		{"viewer revokes", "vic", "DELETE", "/api/v1/spots/" + restricted + "/members/group:sales", nil, 403, "forbidden"},
		// Public spots are viewable, not editable.
		{"public edit", "otto", "PATCH", "/api/v1/spots/" + public, map[string]any{"name": "Mine"}, 403, "forbidden"},
		{"public grant", "otto", "PUT", "/api/v1/spots/" + public + "/members/user:otto", map[string]any{"role": "viewer"}, 403, "forbidden"},
		// A restricted spot does not exist for outsiders, whatever they try.
		{"outsider reads", "otto", "GET", "/api/v1/spots/" + restricted, nil, 404, "not_found"},
		{"outsider members", "otto", "GET", "/api/v1/spots/" + restricted + "/members", nil, 404, "not_found"},
		{"outsider edits", "otto", "PATCH", "/api/v1/spots/" + restricted, map[string]any{"name": "Mine"}, 404, "not_found"},
		{"outsider deletes", "otto", "DELETE", "/api/v1/spots/" + restricted, nil, 404, "not_found"},
		// Only admins make official spots.
		{"official", "eve", "POST", "/api/v1/spots", map[string]any{"name": "Official", "official": true}, 403, "forbidden"},
		// Owning needs the training.
		{"untrained owner", "vic", "POST", "/api/v1/spots", map[string]any{"name": "Vic's"}, 400, "invalid"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := e.with(t)
			e.refused(c.status, c.code, c.user, c.method, c.path, c.body)
			if after := e.snapshot("eve", watched...); after != before {
				t.Fatalf("a refused request changed something:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
	if n := len(e.do("ada", "GET", "/api/v1/spots", nil).items()); n != 2 {
		t.Fatalf("%d spots, want 2", n)
	}
}
