package blugesearch_test

// Benchmarks of blugesearch side by side with a bare Bluge index of the
// same documents (plain fields, Bluge's standard analyzer, naive phrase
// queries, terms aggregations), in one run:
//
//	go test ./search/blugesearch/ -run '^$' -bench . -benchtime 400x
//	BLUGESEARCH_BENCH_DOCS=100000 go test ./search/blugesearch/ -run '^$' -bench . -benchtime 400x -timeout 60m
//
// Measured on 100,000 documents, 2 shared cores (ms, p50/p99; a second run
// on settled indexes; the machine was shared, so expect ±50% on p99):
//
//	query                         blugesearch    bare Bluge
//	term                          3.5 / 10.0     62 / 112
//	term + access + 2 facets      4.1 / 8.8      89 / 291
//	a AND (b OR c) -d             12.2 / 28.3    93 / 271
//	two-word phrase               5.0 / 33-52    20 / 1046
//	three-word phrase             2.8 / 26       9.3 / 809
//	title:w, spot:"name"          1.5 / 5.4      39 / 119
//	browse all, 2 facets          2.4 / 3.5      240 / 930
//	frequent word, all visible    10.4 / 22.3    236 / 524
//	bulk indexing                 1,199 docs/s (1.19 cpu-s/1k docs)
//	                              bare: 1,354 docs/s (1.07 cpu-s/1k docs)
//	Index, 10 documents           12.5 / 60 (until searchable)
//	Open (load the table)         330 ms, 39 MB heap
//
// BLUGESEARCH_BENCH_DOCS sets the corpus size (default 5,000);
// BLUGESEARCH_BENCH_DIR keeps the two indexes in that directory and reuses
// them in later runs (delete it after changing the engine's format). Search
// benchmarks report p50-ms and p99-ms over their iterations (one query per
// iteration, cycling through the query set); bulk indexing reports docs/s.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/blugelabs/bluge"
	bsearch "github.com/blugelabs/bluge/search"
	"github.com/blugelabs/bluge/search/aggregations"

	"github.com/briefcasehq/briefcase/search"
	"github.com/briefcasehq/briefcase/search/blugesearch"
)

func benchDocs() int {
	if n, err := strconv.Atoi(os.Getenv("BLUGESEARCH_BENCH_DOCS")); err == nil && n > 0 {
		return n
	}
	return 5000
}

// benchRoot holds the benchmark indexes; TestMain removes it.
var benchRoot string

// fixture is the corpus indexed by both engines, built once per run.
type fixture struct {
	c    *corpus
	ours *blugesearch.Index
	bare *bluge.Reader
	// access is a typical seller: 160 of the 200 spots, viewer statuses.
	access *search.Access
	// everyone sees every spot (a broad browse).
	everyone *search.Access
}

var (
	fixOnce sync.Once
	fix     *fixture
	fixErr  error
)

func getFixture(b *testing.B) *fixture {
	b.Helper()
	fixOnce.Do(func() { fix, fixErr = buildFixture(benchDocs()) })
	if fixErr != nil {
		b.Fatal(fixErr)
	}
	return fix
}

func buildFixture(n int) (*fixture, error) {
	var err error
	dir := os.Getenv("BLUGESEARCH_BENCH_DIR")
	if dir == "" {
		if benchRoot, err = os.MkdirTemp("", "blugesearch-bench-"); err != nil {
			return nil, err
		}
		dir = benchRoot
	}
	f := &fixture{c: newCorpus(n, 1)}
	oursDir, bareDir := filepath.Join(dir, fmt.Sprint("ours-", n)), filepath.Join(dir, fmt.Sprint("bare-", n))
	start := time.Now()
	if _, err := os.Stat(oursDir); err == nil {
		f.ours, err = blugesearch.Open(oursDir, blugesearch.Options{})
	} else {
		f.ours, _, err = buildOurs(oursDir, f.c.docs)
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "fixture: %d docs in blugesearch, ready in %v\n", n, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	if _, err := os.Stat(bareDir); err == nil {
		f.bare, err = bluge.OpenReader(bluge.DefaultConfig(bareDir))
	} else {
		var w *bluge.Writer
		if w, _, err = buildBare(bareDir, f.c.docs); err == nil {
			f.bare, err = w.Reader()
		}
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "fixture: %d docs in bare Bluge, ready in %v\n", n, time.Since(start).Round(time.Millisecond))
	var statuses = []string{"published", "expiring", "expired"}
	f.access = &search.Access{SpotIDs: f.c.spotIDs[:160], Statuses: statuses}
	f.everyone = &search.Access{SpotIDs: f.c.spotIDs, Statuses: []string{"published", "expiring", "expired", "draft", "archived"}}
	return f, nil
}

const benchBatch = 500

// buildOurs reindexes docs through Rebuild, Add and Commit.
func buildOurs(dir string, docs []search.Document) (*blugesearch.Index, time.Duration, error) {
	ctx := context.Background()
	ix, err := blugesearch.Open(dir, blugesearch.Options{BatchSize: benchBatch})
	if err != nil {
		return nil, 0, err
	}
	start := time.Now()
	bld, err := ix.Rebuild(ctx)
	if err != nil {
		return nil, 0, err
	}
	for i := 0; i < len(docs); i += benchBatch {
		if err := bld.Add(ctx, docs[i:min(i+benchBatch, len(docs))]); err != nil {
			return nil, 0, err
		}
	}
	if err := bld.Commit(ctx, 1); err != nil {
		return nil, 0, err
	}
	return ix, time.Since(start), nil
}

// bareDocument is the plain Bluge document of d: the standard analyzer,
// positions on every text field, keyword fields for filters and facets.
func bareDocument(d *search.Document) *bluge.Document {
	doc := bluge.NewDocument(d.ID)
	text := func(name string, values ...string) {
		for _, v := range values {
			if v != "" {
				doc.AddField(bluge.NewTextField(name, v).SearchTermPositions())
			}
		}
	}
	text("title", d.Title, d.ExternalTitle)
	text("description", d.Description, d.ExternalDescription)
	text("body", d.Pages...)
	text("spot", d.SpotNames...)
	text("list", d.ListNames...)
	text("label", d.Labels...)
	text("author", d.Author)
	text("owner", d.Owners...)
	keyword := func(name string, values ...string) {
		for _, v := range values {
			doc.AddField(bluge.NewKeywordField(name, v).Aggregatable())
		}
	}
	keyword("spot_id", d.SpotIDs...)
	keyword("list_id", d.ListIDs...)
	keyword("home", d.HomeSpotID)
	keyword("kind", d.Kind)
	keyword("audience", d.Audience)
	keyword("status", d.Status)
	return doc
}

func buildBare(dir string, docs []search.Document) (*bluge.Writer, time.Duration, error) {
	w, err := bluge.OpenWriter(bluge.DefaultConfig(dir))
	if err != nil {
		return nil, 0, err
	}
	start := time.Now()
	for i := 0; i < len(docs); i += benchBatch {
		batch := bluge.NewBatch()
		for j := i; j < min(i+benchBatch, len(docs)); j++ {
			d := bareDocument(&docs[j])
			batch.Update(d.ID(), d)
		}
		if err := w.Batch(batch); err != nil {
			return nil, 0, err
		}
	}
	return w, time.Since(start), nil
}

// BenchmarkBulkIndex indexes the whole corpus into a fresh directory per
// iteration (use -benchtime 1x for large corpora). Besides docs/s (wall
// time, until the index is committed), it reports the CPU seconds per
// 1,000 documents the process spent until the index is closed (Bluge's
// merges included), which other processes on a shared machine disturb
// less.
func BenchmarkBulkIndex(b *testing.B) {
	c := newCorpus(benchDocs(), 1)
	report := func(b *testing.B, wall time.Duration, cpu float64) {
		b.ReportMetric(float64(len(c.docs)*b.N)/wall.Seconds(), "docs/s")
		b.ReportMetric(cpu*1000/float64(len(c.docs)*b.N), "cpu-s/1k-docs")
	}
	b.Run("engine=blugesearch", func(b *testing.B) {
		var wall time.Duration
		var cpu float64
		for i := 0; i < b.N; i++ {
			start := cpuTime()
			ix, d, err := buildOurs(b.TempDir(), c.docs)
			if err != nil {
				b.Fatal(err)
			}
			_ = ix.Close()
			wall += d
			cpu += cpuTime() - start
		}
		report(b, wall, cpu)
	})
	b.Run("engine=bare", func(b *testing.B) {
		var wall time.Duration
		var cpu float64
		for i := 0; i < b.N; i++ {
			start := cpuTime()
			w, d, err := buildBare(b.TempDir(), c.docs)
			if err != nil {
				b.Fatal(err)
			}
			_ = w.Close()
			wall += d
			cpu += cpuTime() - start
		}
		report(b, wall, cpu)
	})
}

// latencies runs one query per iteration and reports percentiles.
func latencies(b *testing.B, queries int, run func(i int) int) {
	b.Helper()
	for i := range min(queries, 50) { // warm up
		run(i)
	}
	times := make([]time.Duration, 0, b.N)
	hits := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		hits += run(i % queries)
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	pct := func(p float64) float64 {
		return float64(times[min(len(times)-1, int(p*float64(len(times))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(hits)/float64(b.N), "total/op")
}

// benchQuery is one query in both engines' terms.
type benchQuery struct {
	ours search.EngineQuery
	bare bluge.SearchRequest
}

// defaultFieldBoosts are the default fields and their boosts.
var defaultFieldBoosts = []struct {
	name  string
	boost float64
}{{"title", 4}, {"description", 2}, {"body", 1}, {"spot", 1.5}, {"list", 1.5}, {"label", 2}, {"author", 1.5}}

func bareTerm(w string) bluge.Query {
	q := bluge.NewBooleanQuery().SetMinShould(1)
	for _, f := range defaultFieldBoosts {
		q.AddShould(bluge.NewTermQuery(w).SetField(f.name).SetBoost(f.boost))
	}
	return q
}

func barePhrase(p string) bluge.Query {
	q := bluge.NewBooleanQuery().SetMinShould(1)
	for _, f := range defaultFieldBoosts {
		q.AddShould(bluge.NewMatchPhraseQuery(p).SetField(f.name).SetBoost(f.boost))
	}
	return q
}

// bareAccess is the access filter as non-scoring clauses.
func bareAccess(a *search.Access) bluge.Query {
	spots := bluge.NewBooleanQuery().SetMinShould(1).SetBoost(0)
	for _, s := range a.SpotIDs {
		spots.AddShould(bluge.NewTermQuery(s).SetField("spot_id").SetBoost(0))
	}
	status := bluge.NewBooleanQuery().SetMinShould(1).SetBoost(0)
	for _, s := range a.Statuses {
		status.AddShould(bluge.NewTermQuery(s).SetField("status").SetBoost(0))
	}
	for _, h := range a.AnyStatusHomeIDs {
		status.AddShould(bluge.NewTermQuery(h).SetField("home").SetBoost(0))
	}
	return bluge.NewBooleanQuery().AddMust(spots, status).SetBoost(0)
}

func bareSearch(text bluge.Query, a *search.Access, facets bool) bluge.SearchRequest {
	q := bluge.NewBooleanQuery().AddMust(text, bareAccess(a))
	req := bluge.NewTopNSearch(20, q).WithStandardAggregations()
	if facets {
		req.AddAggregation("type", aggregations.NewTermsAggregation(bsearch.Field("kind"), 100))
		req.AddAggregation("spot", aggregations.NewTermsAggregation(bsearch.Field("spot_id"), 1000))
	}
	return req
}

func oursSearch(m search.Node, a *search.Access, facets bool) search.EngineQuery {
	q := search.EngineQuery{Match: m, Filter: search.Filter{Access: a}, Limit: 20}
	if facets {
		q.Facets = []search.Facet{search.FacetType, search.FacetSpot}
	}
	return q
}

// queryWords are sales words of middling frequency.
func queryWords(c *corpus) []string { return salesWords[:200] }

func querySet(f *fixture, kind string) []benchQuery {
	c := f.c
	var qs []benchQuery
	add := func(m search.Node, bare bluge.Query, a *search.Access, facets bool) {
		qs = append(qs, benchQuery{ours: oursSearch(m, a, facets), bare: bareSearch(bare, a, facets)})
	}
	ws := queryWords(c)
	switch kind {
	case "term":
		for _, w := range ws {
			add(&search.Term{Text: w}, bareTerm(w), f.access, false)
		}
	case "typical": // a term, the access filter and two facets
		for _, w := range ws {
			add(&search.Term{Text: w}, bareTerm(w), f.access, true)
		}
	case "boolean": // a AND (b OR c) -d
		for i := 0; i+3 < len(ws); i += 2 {
			a, b2, c2, d := ws[i], ws[(i+37)%len(ws)], ws[(i+71)%len(ws)], ws[(i+113)%len(ws)]
			m := &search.And{Clauses: []search.Node{&search.Term{Text: a},
				&search.Or{Clauses: []search.Node{&search.Term{Text: b2}, &search.Term{Text: c2}}},
				&search.Not{Clause: &search.Term{Text: d}}}}
			bq := bluge.NewBooleanQuery().AddMust(bareTerm(a),
				bluge.NewBooleanQuery().AddShould(bareTerm(b2), bareTerm(c2)).SetMinShould(1)).AddMustNot(bareTerm(d))
			add(m, bq, f.access, true)
		}
	case "phrase2":
		for _, p := range c.phrases {
			add(&search.Phrase{Text: p}, barePhrase(p), f.access, true)
		}
	case "phrase3":
		for _, p := range c.phrases3 {
			add(&search.Phrase{Text: p}, barePhrase(p), f.access, true)
		}
	case "scoped": // title:word and spot:"spot name"
		for i, w := range ws {
			add(&search.Term{Field: search.FieldTitle, Text: w}, bluge.NewTermQuery(w).SetField("title").SetBoost(4), f.access, true)
			name := c.spotNames[i%len(c.spotNames)]
			add(&search.Phrase{Field: search.FieldSpot, Text: name}, bluge.NewMatchPhraseQuery(name).SetField("spot").SetBoost(1.5), f.access, true)
		}
	case "broad": // everything visible, two facets: the spot's left-hand navigation
		add(&search.All{}, bluge.NewMatchAllQuery(), f.everyone, true)
	case "broad-text": // a frequent word, everything visible, two facets
		for _, w := range commonWords[:20] {
			add(&search.Term{Text: w}, bareTerm(w), f.everyone, true)
		}
	}
	return qs
}

var searchKinds = []string{"term", "typical", "boolean", "phrase2", "phrase3", "scoped", "broad", "broad-text"}

// BenchmarkSearch runs each kind of query on both engines.
func BenchmarkSearch(b *testing.B) {
	f := getFixture(b)
	ctx := context.Background()
	for _, kind := range searchKinds {
		qs := querySet(f, kind)
		b.Run("q="+kind+"/engine=blugesearch", func(b *testing.B) {
			latencies(b, len(qs), func(i int) int {
				res, err := f.ours.Search(ctx, qs[i].ours)
				if err != nil {
					b.Fatal(err)
				}
				return res.Total
			})
		})
		b.Run("q="+kind+"/engine=bare", func(b *testing.B) {
			latencies(b, len(qs), func(i int) int {
				it, err := f.bare.Search(ctx, qs[i].bare)
				if err != nil {
					b.Fatal(err)
				}
				for {
					m, err := it.Next()
					if err != nil {
						b.Fatal(err)
					}
					if m == nil {
						break
					}
				}
				return int(it.Aggregations().Count())
			})
		})
	}
}

// BenchmarkIndex measures what the follower does on a full index: Index
// calls of 10 changed documents each (the corpus's own documents again, so
// the index keeps its content), reporting the latency until the change is
// searchable (Index returns after the batch is persisted and visible).
func BenchmarkIndex(b *testing.B) {
	f := getFixture(b)
	ctx := context.Background()
	seq, err := f.ours.AppliedSeq(ctx)
	if err != nil {
		b.Fatal(err)
	}
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		lo := (i * 10 * 7919) % (len(f.c.docs) - 10)
		seq++
		if err := f.ours.Index(ctx, f.c.docs[lo:lo+10], nil, seq); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[min(len(times)-1, len(times)*99/100)].Microseconds())/1000, "p99-ms")
}

// BenchmarkOpen measures reopening the index (rebuilding its in-memory
// table) and reports the heap it holds.
func BenchmarkOpen(b *testing.B) {
	f := getFixture(b)
	dir := filepath.Join(b.TempDir(), "reopen")
	ix, _, err := buildOurs(dir, f.c.docs)
	if err != nil {
		b.Fatal(err)
	}
	_ = ix.Close()
	var before, after runtime.MemStats
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		runtime.ReadMemStats(&before)
		ix, err := blugesearch.Open(dir, blugesearch.Options{})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		_ = ix.Close()
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MB")
}
