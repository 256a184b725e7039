package metrics_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase/internal/metrics"
)

func text(t *testing.T, reg *metrics.Registry) string {
	t.Helper()
	var b bytes.Buffer
	if err := reg.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestWriteText(t *testing.T) {
	is := is.New(t)
	reg := metrics.New()
	reqs := reg.Counter("test_requests_total", "Requests by route.", "route", "code")
	reqs.With("GET /b", "200").Add(2)
	reqs.With("GET /a", "404").Inc()
	reqs.With("GET /a", "200").Add(0.5)
	reg.Counter("test_plain_total", "Never incremented.")
	lat := reg.Histogram("test_duration_seconds", "Durations.", []float64{0.1, 1}, "route")
	lat.With("GET /a").Observe(0.05)
	lat.With("GET /a").Observe(0.1) // on a bound: counted in it
	lat.With("GET /a").Observe(3)
	reg.GaugeFunc("test_lag", "Lag.", func() float64 { return 7 })
	reg.CounterFunc("test_dropped_total", "Dropped.", func() float64 { return 3 })

	is.Equal(text(t, reg), `# HELP test_dropped_total Dropped.
# TYPE test_dropped_total counter
test_dropped_total 3
# HELP test_duration_seconds Durations.
# TYPE test_duration_seconds histogram
test_duration_seconds_bucket{route="GET /a",le="0.1"} 2
test_duration_seconds_bucket{route="GET /a",le="1"} 2
test_duration_seconds_bucket{route="GET /a",le="+Inf"} 3
test_duration_seconds_sum{route="GET /a"} 3.15
test_duration_seconds_count{route="GET /a"} 3
# HELP test_lag Lag.
# TYPE test_lag gauge
test_lag 7
# HELP test_plain_total Never incremented.
# TYPE test_plain_total counter
test_plain_total 0
# HELP test_requests_total Requests by route.
# TYPE test_requests_total counter
test_requests_total{route="GET /a",code="200"} 0.5
test_requests_total{route="GET /a",code="404"} 1
test_requests_total{route="GET /b",code="200"} 2
`)
}

func TestEscaping(t *testing.T) {
	is := is.New(t)
	reg := metrics.New()
	c := reg.Counter("esc_total", "Help with \\ and\nnewline.", "v")
	c.With("a\\b\"c\nd").Inc()
	is.Equal(text(t, reg), `# HELP esc_total Help with \\ and\nnewline.
# TYPE esc_total counter
esc_total{v="a\\b\"c\nd"} 1
`)
}

func TestProgrammingErrorsPanic(t *testing.T) {
	for name, fn := range map[string]func(reg *metrics.Registry){
		"twice": func(reg *metrics.Registry) {
			reg.Counter("x_total", "")
			reg.GaugeFunc("x_total", "", func() float64 { return 0 })
		},
		"bad name":          func(reg *metrics.Registry) { reg.Counter("x-total", "") },
		"bad label":         func(reg *metrics.Registry) { reg.Counter("x_total", "", "a b") },
		"le label":          func(reg *metrics.Registry) { reg.Histogram("x", "", []float64{1}, "le") },
		"unsorted buckets":  func(reg *metrics.Registry) { reg.Histogram("x", "", []float64{2, 1}) },
		"label count":       func(reg *metrics.Registry) { reg.Counter("x_total", "", "a").With("1", "2") },
		"negative increase": func(reg *metrics.Registry) { reg.Counter("x_total", "").With().Add(-1) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			fn(metrics.New())
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	is := is.New(t)
	reg := metrics.New()
	c := reg.Counter("c_total", "", "k")
	h := reg.Histogram("h_seconds", "", []float64{1}, "k")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 1000 {
				k := string(rune('a' + (i+j)%3))
				c.With(k).Inc()
				h.With(k).Observe(0.5)
				if j%100 == 0 {
					reg.WriteText(&bytes.Buffer{})
				}
			}
		})
	}
	wg.Go(func() { reg.GaugeFunc("g", "", func() float64 { return 1 }) })
	wg.Wait()
	out := text(t, reg)
	var total float64
	for _, k := range []string{"a", "b", "c"} {
		total += c.With(k).Value()
	}
	is.Equal(total, 8000.0)
	is.True(strings.Contains(out, "h_seconds_count{k=\"a\"}"))
	is.True(strings.Contains(out, "\ng 1\n"))
}

func TestHTTP(t *testing.T) {
	is := is.New(t)
	reg := metrics.New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "missing" {
			http.Error(w, "no", http.StatusNotFound)
			return
		}
		w.Write([]byte("ok"))
	})
	h := metrics.NewHTTP(reg, "t_http", "Test").Wrap(mux)
	for _, target := range []string{"/items/1", "/items/2", "/items/missing", "/elsewhere"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", target, nil))
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("BREW", "/items/1", nil))
	out := text(t, reg)
	for _, want := range []string{
		`t_http_requests_total{route="GET /items/{id}",method="GET",code="200"} 2`,
		`t_http_requests_total{route="GET /items/{id}",method="GET",code="404"} 1`,
		`t_http_requests_total{route="unmatched",method="GET",code="404"} 1`,
		`t_http_requests_total{route="unmatched",method="other",code="405"} 1`,
		`t_http_request_duration_seconds_count{route="GET /items/{id}",method="GET"} 3`,
		`t_http_request_duration_seconds_bucket{route="GET /items/{id}",method="GET",le="+Inf"} 3`,
	} {
		is.True(strings.Contains(out, want+"\n")) // want
	}
	is.True(!strings.Contains(out, "missing"))

	rec := httptest.NewRecorder()
	reg.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	is.Equal(rec.Header().Get("Content-Type"), metrics.ContentType)
	is.Equal(rec.Body.String(), text(t, reg))
}

// TestHTTPLogging: one record per request with the route pattern and the
// status, never the path (a buyer's path holds a secret token).
func TestHTTPLogging(t *testing.T) {
	is := is.New(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /p/{token}", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) })
	h := metrics.NewHTTP(metrics.New(), "t_http", "Test").Logging(log).Wrap(mux)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/p/s3cr3t-token", nil))
	var rec struct {
		Msg    string `json:"msg"`
		Method string `json:"method"`
		Route  string `json:"route"`
		Status int    `json:"status"`
	}
	is.NoErr(json.Unmarshal(logs.Bytes(), &rec))
	is.Equal(rec.Msg, "request")
	is.Equal(rec.Method, "GET")
	is.Equal(rec.Route, "GET /p/{token}")
	is.Equal(rec.Status, http.StatusGone)
	is.True(!strings.Contains(logs.String(), "s3cr3t"))

	logs.Reset()
	quiet := metrics.NewHTTP(metrics.New(), "t_http", "Test").Logging(nil).Wrap(mux)
	quiet.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/p/x", nil))
	is.Equal(logs.Len(), 0) // no logger, no records
}
