package metrics

import (
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// DurationBuckets are the upper bounds, in seconds, of request duration
// histograms: 1 ms to 10 s.
var DurationBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// HTTP counts and times the requests of one handler, and logs them when
// given a logger.
type HTTP struct {
	requests *CounterVec
	duration *HistogramVec
	log      *slog.Logger
}

// Logging makes Wrap log one Info record per request ("request": method,
// route pattern, status, duration), or none with a nil logger. The path is
// never logged: buyers' paths carry their link's secret token.
func (m *HTTP) Logging(l *slog.Logger) *HTTP {
	m.log = l
	return m
}

// NewHTTP registers prefix+"_requests_total" {route, method, code} and
// prefix+"_request_duration_seconds" {route, method} in reg.
func NewHTTP(reg *Registry, prefix, what string) *HTTP {
	return &HTTP{
		requests: reg.Counter(prefix+"_requests_total", what+" requests by route pattern, method and status code.",
			"route", "method", "code"),
		duration: reg.Histogram(prefix+"_request_duration_seconds", what+" request durations by route pattern and method.",
			DurationBuckets, "route", "method"),
	}
}

// Unmatched is the route label of requests no pattern matched.
const Unmatched = "unmatched"

// Wrap instruments next, which must be (or pass the request unchanged to)
// a ServeMux: the route label is the pattern the mux matched, read from
// r.Pattern once it served the request, never the path, so no IDs reach
// the labels.
func (m *HTTP) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = Unmatched
		}
		method := methodLabel(r.Method)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		took := time.Since(start)
		m.requests.With(route, method, strconv.Itoa(status)).Inc()
		m.duration.With(route, method).Observe(took.Seconds())
		if m.log != nil {
			m.log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("method", r.Method),
				slog.String("route", route), slog.Int("status", status), slog.Duration("took", took))
		}
	})
}

// methodLabel keeps the method label's values few: clients choose methods.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
		http.MethodOptions:
		return m
	}
	return "other"
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 && status >= 200 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ReadFrom keeps the underlying writer's sendfile path for downloads.
func (w *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{w.ResponseWriter}, r)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
