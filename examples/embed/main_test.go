package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/matryer/is"
)

func TestBriefcaseMountedUnderPrefix(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	a, err := newApp(ctx, t.TempDir(), slog.New(slog.DiscardHandler))
	is.NoErr(err)
	t.Cleanup(func() { a.Close() })
	is.NoErr(a.seed(ctx))
	srv := httptest.NewServer(a.handler)
	t.Cleanup(srv.Close)

	get := func(path, user string) (int, string) {
		t.Helper()
		req, err := http.NewRequest("GET", srv.URL+path, nil)
		is.NoErr(err)
		if user != "" {
			req.Header.Set("X-User", user)
		}
		resp, err := srv.Client().Do(req)
		is.NoErr(err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		is.NoErr(err)
		return resp.StatusCode, string(b)
	}

	// The service's own route is untouched.
	status, body := get("/", "")
	is.Equal(status, 200)
	is.True(strings.Contains(body, "existing service"))

	// Briefcase answers through the prefix, as the user the proxy vouched for.
	status, body = get("/briefcase/api/v1/me", "alice")
	is.Equal(status, 200)
	var me struct {
		ID     string   `json:"id"`
		Groups []string `json:"groups"`
	}
	is.NoErr(json.Unmarshal([]byte(body), &me))
	is.Equal(me.ID, "alice")
	is.Equal(me.Groups, []string{"sales"})

	// No header, or a user nobody provisioned: 401 from Briefcase.
	status, _ = get("/briefcase/api/v1/me", "")
	is.Equal(status, 401)
	status, _ = get("/briefcase/api/v1/me", "mallory")
	is.Equal(status, 401)

	// Writes go through the same identity.
	req, err := http.NewRequest("POST", srv.URL+"/briefcase/api/v1/spots",
		strings.NewReader(`{"name": "Partner Enablement", "kind": "team", "visibility": "public"}`))
	is.NoErr(err)
	req.Header.Set("X-User", "alice")
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	is.NoErr(err)
	resp.Body.Close()
	is.Equal(resp.StatusCode, 201)

	// Operations routes are mounted too; paths outside the prefix are not
	// Briefcase's.
	status, _ = get("/briefcase/healthz", "")
	is.Equal(status, 200)
	status, _ = get("/api/v1/me", "alice")
	is.Equal(status, 404)
}
