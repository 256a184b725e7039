// Package metrics keeps a process's counters, histograms and gauges in a
// Registry and writes them in the Prometheus text exposition format
// (version 0.0.4), for GET /metrics. There are no package globals: each
// Library makes its own Registry, so two can run in one process.
//
//	reg := metrics.New()
//	sweeps := reg.Counter("briefcase_governance_sweeps_total", "Governance sweeps by result.", "result")
//	sweeps.With("ok").Inc()
//	reg.WriteText(os.Stdout)
package metrics

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// ContentType is the media type of WriteText's output.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Registry holds named metrics. It is safe for concurrent use. Registering
// a name twice, an invalid name, or a label named "le" on a histogram is a
// programming error and panics.
type Registry struct {
	mu      sync.Mutex
	metrics map[string]metric
}

// metric is one registered family.
type metric interface {
	write(b *bytes.Buffer)
}

// New returns an empty Registry.
func New() *Registry { return &Registry{metrics: map[string]metric{}} }

func (r *Registry) register(name string, labelNames []string, m metric) {
	if !validName(name, true) {
		panic(fmt.Sprintf("metrics: invalid metric name %q", name))
	}
	for _, l := range labelNames {
		if !validName(l, false) || strings.HasPrefix(l, "__") {
			panic(fmt.Sprintf("metrics: %s: invalid label name %q", name, l))
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.metrics[name]; dup {
		panic(fmt.Sprintf("metrics: %s registered twice", name))
	}
	r.metrics[name] = m
}

// validName reports whether s is a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)
// or, without colons, a label name.
func validName(s string, colon bool) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		ok := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || colon && c == ':' || i > 0 && c >= '0' && c <= '9'
		if !ok {
			return false
		}
	}
	return true
}

// Counter registers a counter with the given label names.
func (r *Registry) Counter(name, help string, labelNames ...string) *CounterVec {
	c := &CounterVec{}
	c.init(name, help, labelNames, func() *Counter { return &Counter{} })
	r.register(name, labelNames, c)
	if len(labelNames) == 0 {
		c.With() // an unlabelled counter shows 0 before its first Add
	}
	return c
}

// Histogram registers a histogram with the given upper bounds (sorted
// ascending; +Inf is implied) and label names.
func (r *Registry) Histogram(name, help string, buckets []float64, labelNames ...string) *HistogramVec {
	if len(buckets) == 0 || !slices.IsSorted(buckets) || slices.Contains(buckets, math.Inf(1)) ||
		len(slices.Compact(slices.Clone(buckets))) != len(buckets) {
		panic(fmt.Sprintf("metrics: %s: buckets must be finite, distinct and ascending", name))
	}
	if slices.Contains(labelNames, "le") {
		panic(fmt.Sprintf("metrics: %s: a histogram cannot have a label named le", name))
	}
	h := &HistogramVec{}
	bounds := slices.Clone(buckets)
	h.init(name, help, labelNames, func() *Histogram {
		return &Histogram{bounds: bounds, counts: make([]uint64, len(bounds)+1)}
	})
	r.register(name, labelNames, h)
	if len(labelNames) == 0 {
		h.With()
	}
	return h
}

// GaugeFunc registers a gauge whose value fn returns at each write. fn must
// be safe for concurrent use and quick: it runs during the scrape.
func (r *Registry) GaugeFunc(name, help string, fn func() float64) {
	r.register(name, nil, &funcMetric{name: name, help: help, typ: "gauge", fn: fn})
}

// CounterFunc registers a counter kept elsewhere (it must never decrease),
// read through fn at each write.
func (r *Registry) CounterFunc(name, help string, fn func() float64) {
	r.register(name, nil, &funcMetric{name: name, help: help, typ: "counter", fn: fn})
}

// WriteText writes every metric in the Prometheus text format: metrics by
// name, the series of each by label values.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	names := make([]string, 0, len(r.metrics))
	for name := range r.metrics {
		names = append(names, name)
	}
	ms := make([]metric, len(names))
	slices.Sort(names)
	for i, name := range names {
		ms[i] = r.metrics[name]
	}
	r.mu.Unlock()
	var b bytes.Buffer
	for _, m := range ms { // outside the lock: gauge functions may take their time
		m.write(&b)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// Handler serves WriteText.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		var b bytes.Buffer
		r.WriteText(&b) // a bytes.Buffer does not fail
		w.Header().Set("Content-Type", ContentType)
		w.Header().Set("Cache-Control", "no-store")
		w.Write(b.Bytes())
	})
}

// family is what counters and histograms share: the name, the help and
// the series by label values.
type family[S any] struct {
	name, help string
	labelNames []string
	newSeries  func() *S
	mu         sync.RWMutex
	series     map[string]*series[S]
}

type series[S any] struct {
	values []string
	s      *S
}

func (f *family[S]) init(name, help string, labelNames []string, newSeries func() *S) {
	f.name, f.help, f.labelNames, f.newSeries = name, help, slices.Clone(labelNames), newSeries
	f.series = map[string]*series[S]{}
}

// with returns the series of the label values, creating it.
func (f *family[S]) with(values []string) *S {
	if len(values) != len(f.labelNames) {
		panic(fmt.Sprintf("metrics: %s: %d label values for %d labels", f.name, len(values), len(f.labelNames)))
	}
	key := seriesKey(values)
	f.mu.RLock()
	s, ok := f.series[key]
	f.mu.RUnlock()
	if ok {
		return s.s
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.series[key]; ok {
		return s.s
	}
	s = &series[S]{values: slices.Clone(values), s: f.newSeries()}
	f.series[key] = s
	return s.s
}

// seriesKey joins label values unambiguously (each is length-prefixed).
func seriesKey(values []string) string {
	var b strings.Builder
	for _, v := range values {
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.WriteString(v)
	}
	return b.String()
}

// sorted returns the series ordered by label values.
func (f *family[S]) sorted() []*series[S] {
	f.mu.RLock()
	out := make([]*series[S], 0, len(f.series))
	for _, s := range f.series {
		out = append(out, s)
	}
	f.mu.RUnlock()
	slices.SortFunc(out, func(a, b *series[S]) int { return slices.Compare(a.values, b.values) })
	return out
}

func (f *family[S]) header(b *bytes.Buffer, typ string) {
	writeHeader(b, f.name, f.help, typ)
}

func writeHeader(b *bytes.Buffer, name, help, typ string) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, helpEscaper.Replace(help), name, typ)
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	valueEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
)

// writeSample writes one line: name{labels,extra} value.
func writeSample(b *bytes.Buffer, name string, labelNames, values []string, extraName, extraValue string, v float64) {
	b.WriteString(name)
	if len(labelNames) > 0 || extraName != "" {
		b.WriteByte('{')
		for i, l := range labelNames {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(b, `%s="%s"`, l, valueEscaper.Replace(values[i]))
		}
		if extraName != "" {
			if len(labelNames) > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(b, `%s="%s"`, extraName, extraValue)
		}
		b.WriteByte('}')
	}
	b.WriteByte(' ')
	b.WriteString(formatFloat(v))
	b.WriteByte('\n')
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// CounterVec is a counter family; With picks one series.
type CounterVec struct{ family[Counter] }

// With returns the counter of the label values, given in the order of the
// label names. It panics when their number differs.
func (c *CounterVec) With(labelValues ...string) *Counter { return c.with(labelValues) }

func (c *CounterVec) write(b *bytes.Buffer) {
	c.header(b, "counter")
	for _, s := range c.sorted() {
		writeSample(b, c.name, c.labelNames, s.values, "", "", s.s.Value())
	}
}

// Counter is one series of a counter. It only goes up.
type Counter struct{ bits atomic.Uint64 }

// Inc adds 1.
func (c *Counter) Inc() { c.Add(1) }

// Add adds n, which must not be negative.
func (c *Counter) Add(n float64) {
	if n < 0 || math.IsNaN(n) {
		panic("metrics: a counter cannot decrease")
	}
	for {
		old := c.bits.Load()
		if c.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+n)) {
			return
		}
	}
}

// Value returns the current count.
func (c *Counter) Value() float64 { return math.Float64frombits(c.bits.Load()) }

// HistogramVec is a histogram family; With picks one series.
type HistogramVec struct{ family[Histogram] }

// With returns the histogram of the label values, given in the order of
// the label names. It panics when their number differs.
func (h *HistogramVec) With(labelValues ...string) *Histogram { return h.with(labelValues) }

func (h *HistogramVec) write(b *bytes.Buffer) {
	h.header(b, "histogram")
	for _, s := range h.sorted() {
		counts, sum, count := s.s.snapshot()
		var cum uint64
		for i, le := range s.s.bounds {
			cum += counts[i]
			writeSample(b, h.name+"_bucket", h.labelNames, s.values, "le", formatFloat(le), float64(cum))
		}
		writeSample(b, h.name+"_bucket", h.labelNames, s.values, "le", "+Inf", float64(count))
		writeSample(b, h.name+"_sum", h.labelNames, s.values, "", "", sum)
		writeSample(b, h.name+"_count", h.labelNames, s.values, "", "", float64(count))
	}
}

// Histogram is one series of a histogram.
type Histogram struct {
	bounds []float64
	mu     sync.Mutex
	counts []uint64 // per bucket, not cumulative; the last is above every bound
	sum    float64
	count  uint64
}

// Observe records one value (for durations, in seconds).
func (h *Histogram) Observe(v float64) {
	i, _ := slices.BinarySearchFunc(h.bounds, v, cmp.Compare[float64]) // first bound ≥ v
	h.mu.Lock()
	h.counts[i]++
	h.sum += v
	h.count++
	h.mu.Unlock()
}

func (h *Histogram) snapshot() (counts []uint64, sum float64, count uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.counts), h.sum, h.count
}

// funcMetric is a gauge or counter read through a function.
type funcMetric struct {
	name, help, typ string
	fn              func() float64
}

func (m *funcMetric) write(b *bytes.Buffer) {
	writeHeader(b, m.name, m.help, m.typ)
	writeSample(b, m.name, nil, nil, "", "", m.fn())
}
