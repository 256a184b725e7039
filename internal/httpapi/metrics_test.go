package httpapi_test

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase/internal/httpapi"
	"github.com/briefcasehq/briefcase/internal/metrics"
)

// sample returns the value of the metric line that starts with series
// ("name{labels}"), or "" when there is none.
func sample(text, series string) string {
	for line := range strings.Lines(text) {
		if v, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), series+" "); ok {
			return v
		}
	}
	return ""
}

func TestMetrics(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	desk := e.spot("eve", map[string]any{"name": "Desk"})
	id := e.item("eve", map[string]any{"spot_id": desk, "kind": "document", "title": "Pricing Sheet"})
	e.must(200, "eve", "GET", "/api/v1/items/"+id, nil)
	e.must(200, "eve", "GET", "/api/v1/items/"+id, nil)
	e.refused(404, "not_found", "eve", "GET", "/api/v1/items/no-such-item", nil)
	e.refused(401, "unauthenticated", "", "GET", "/api/v1/items/"+id, nil)
	e.refused(404, "not_found", "", "GET", "/elsewhere/"+id, nil)

	r := e.do("", "GET", "/metrics", nil) // no token needed
	is.Equal(r.status, 200)
	is.Equal(r.header.Get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8")
	text := string(r.body)
	for series, want := range map[string]string{
		`briefcase_http_requests_total{route="POST /api/v1/spots",method="POST",code="201"}`:                    "1",
		`briefcase_http_requests_total{route="POST /api/v1/items",method="POST",code="201"}`:                    "1",
		`briefcase_http_requests_total{route="GET /api/v1/items/{id}",method="GET",code="200"}`:                 "2",
		`briefcase_http_requests_total{route="GET /api/v1/items/{id}",method="GET",code="404"}`:                 "1",
		`briefcase_http_requests_total{route="GET /api/v1/items/{id}",method="GET",code="401"}`:                 "1",
		`briefcase_http_requests_total{route="unmatched",method="GET",code="404"}`:                              "1",
		`briefcase_http_request_duration_seconds_count{route="GET /api/v1/items/{id}",method="GET"}`:            "4",
		`briefcase_http_request_duration_seconds_bucket{route="GET /api/v1/items/{id}",method="GET",le="+Inf"}`: "4",
	} {
		is.Equal(sample(text, series), want) // series
	}
	is.True(strings.Contains(text, "# TYPE briefcase_http_request_duration_seconds histogram\n"))
	is.True(strings.Contains(text, `le="0.001"`))
	is.True(strings.Contains(text, `le="10"`))
	// Labels hold route patterns, never paths: no IDs.
	is.True(!strings.Contains(text, id))
	is.True(!strings.Contains(text, desk))
	is.True(!strings.Contains(text, "no-such-item"))
	is.True(!strings.Contains(text, "elsewhere"))
	is.True(!regexp.MustCompile(`route="[^"]*/api/v1/items/[^{]`).MatchString(text))

	// The scrape itself is counted by the next one.
	r = e.do("", "GET", "/metrics", nil)
	is.Equal(sample(string(r.body), `briefcase_http_requests_total{route="GET /metrics",method="GET",code="200"}`), "1")
}

func TestMetricsNotConfigured(t *testing.T) {
	is := is.New(t)
	h := httpapi.New(httpapi.Config{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	is.Equal(rec.Code, 404) // no registry, no route

	reg := metrics.New()
	h = httpapi.New(httpapi.Config{Metrics: reg})
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	is.Equal(rec.Code, 200)
	is.Equal(sample(rec.Body.String(), `briefcase_http_requests_total{route="GET /healthz",method="GET",code="200"}`), "1")
}
