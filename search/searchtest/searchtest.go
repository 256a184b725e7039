package searchtest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase/search"
)

// Run tests a search.Indexer against the contract of the search package.
// newIndexer must return a new, empty indexer each time it is called; Run
// calls it once per subtest. The factory owns the indexer's lifetime: it
// registers its own cleanup (t.Cleanup), which may find the indexer already
// closed by a subtest. See the package documentation for what each subtest
// expects.
func Run(t *testing.T, newIndexer func(t *testing.T) search.Indexer) {
	t.Helper()
	areas := []struct {
		name  string
		tests []subtest
	}{
		{"Match", matchTests},
		{"Filter", filterTests},
		{"Ranking", rankingTests},
		{"Sort", sortTests},
		{"Paging", pagingTests},
		{"Facets", facetTests},
		{"Index", indexTests},
		{"Rebuild", rebuildTests},
		{"Explain", explainTests},
		{"Lifecycle", lifecycleTests},
		{"Concurrency", concurrencyTests},
	}
	for _, area := range areas {
		t.Run(area.name, func(t *testing.T) {
			for _, st := range area.tests {
				t.Run(st.name, func(t *testing.T) {
					ix := newIndexer(t)
					if ix == nil {
						t.Fatal("newIndexer returned a nil indexer")
					}
					st.run(&env{t: t, ctx: t.Context(), ix: ix})
				})
			}
		})
	}
}

// subtest is one leaf test; it gets a fresh, empty indexer.
type subtest struct {
	name string
	run  func(e *env)
}

// env is what a subtest works with: a fresh indexer and the last sequence
// it indexed with.
type env struct {
	t   *testing.T
	ctx context.Context
	ix  search.Indexer
	seq int64
}

// index adds docs (and removes deletes) with the next sequence number.
func (e *env) index(docs []search.Document, deletes ...string) {
	e.t.Helper()
	e.seq++
	noErr(e.t, e.ix.Index(e.ctx, docs, deletes, e.seq), fmt.Sprintf("Index(%d documents, deletes %v, seq %d)", len(docs), deletes, e.seq))
}

// load indexes the suite's library (see library).
func (e *env) load() {
	e.t.Helper()
	e.index(library())
}

// search runs q and fails the test on error.
func (e *env) search(q search.EngineQuery) search.EngineResult {
	e.t.Helper()
	res, err := e.ix.Search(e.ctx, q)
	noErr(e.t, err, "Search("+describe(q)+")")
	if msg := invariants(q, res); msg != "" {
		e.t.Fatalf("Search(%s): %s", describe(q), msg)
	}
	return res
}

// invariants checks what holds for every result, whatever the query.
func invariants(q search.EngineQuery, res search.EngineResult) string {
	if len(res.Hits) > q.Limit {
		return fmt.Sprintf("%d hits, more than Limit %d", len(res.Hits), q.Limit)
	}
	if res.Total < len(res.Hits) {
		return fmt.Sprintf("Total %d, but %d hits", res.Total, len(res.Hits))
	}
	_, all := q.Match.(*search.All)
	all = all || q.Match == nil
	seen := map[string]bool{}
	for _, h := range res.Hits {
		if seen[h.ID] {
			return fmt.Sprintf("document %s is twice in the hits", h.ID)
		}
		seen[h.ID] = true
		if h.Score < 0 || math.IsNaN(h.Score) || math.IsInf(h.Score, 0) {
			return fmt.Sprintf("hit %s has score %g; scores are finite and >= 0", h.ID, h.Score)
		}
		if all && h.Score != 0 {
			return fmt.Sprintf("hit %s has score %g without text to match; want 0", h.ID, h.Score)
		}
	}
	for f, vs := range res.Facets {
		for i, v := range vs {
			if v.Count <= 0 || v.Count > res.Total {
				return fmt.Sprintf("facet %s value %q counts %d documents, with Total %d", f, v.Value, v.Count, res.Total)
			}
			if i > 0 && (vs[i-1].Count < v.Count || vs[i-1].Count == v.Count && vs[i-1].Value >= v.Value) {
				return fmt.Sprintf("facet %s is not ordered by count descending, then value: %v", f, vs)
			}
		}
	}
	return ""
}

// find returns the IDs of every document matching m and f, sorted, and
// checks that Total agrees.
func (e *env) find(m search.Node, f search.Filter) []string {
	e.t.Helper()
	q := search.EngineQuery{Match: m, Filter: f, Limit: 1000}
	res := e.search(q)
	ids := hitIDs(res.Hits)
	if res.Total != len(ids) {
		e.t.Fatalf("Search(%s): Total %d, but %d hits with Limit 1000; Total counts every matching document", describe(q), res.Total, len(ids))
	}
	slices.Sort(ids)
	return ids
}

// scores runs m over every document and returns each hit's score by ID.
func (e *env) scores(m search.Node, b search.Boosts) map[string]float64 {
	e.t.Helper()
	res := e.search(search.EngineQuery{Match: m, Filter: everything(), Boosts: b, Limit: 1000})
	out := map[string]float64{}
	for _, h := range res.Hits {
		out[h.ID] = h.Score
	}
	return out
}

// everything is a filter that lets every document through.
func everything() search.Filter { return search.Filter{Access: &search.Access{All: true}} }

// viewerStatuses are the statuses a spot's viewers see (items.ViewerStatuses).
var viewerStatuses = []string{"published", "expiring", "expired"}

// viewer is the access of a principal who views spotIDs and sees hidden
// statuses in the homes anyStatus.
func viewer(spotIDs []string, anyStatus ...string) *search.Access {
	return &search.Access{SpotIDs: spotIDs, Statuses: viewerStatuses, AnyStatusHomeIDs: anyStatus}
}

// Query tree constructors.

func word(text string) search.Node                 { return &search.Term{Text: text} }
func term(f search.Field, text string) search.Node { return &search.Term{Field: f, Text: text} }
func phrase(f search.Field, text string) search.Node {
	return &search.Phrase{Field: f, Text: text}
}
func and(n ...search.Node) search.Node { return &search.And{Clauses: n} }
func or(n ...search.Node) search.Node  { return &search.Or{Clauses: n} }
func not(n search.Node) search.Node    { return &search.Not{Clause: n} }
func ids(s ...string) []string         { return s }
func sorted(s ...string) []string      { s = slices.Clone(s); slices.Sort(s); return s }
func hitIDs(h []search.EngineHit) []string {
	out := make([]string, len(h))
	for i, x := range h {
		out[i] = x.ID
	}
	return out
}

// describe renders a query for failure messages.
func describe(q search.EngineQuery) string {
	var parts []string
	if q.Match == nil {
		parts = append(parts, "Match nil")
	} else {
		parts = append(parts, "Match "+q.Match.String())
	}
	parts = append(parts, "Filter "+describeFilter(q.Filter))
	if q.Sort != "" {
		parts = append(parts, "Sort "+string(q.Sort))
	}
	if q.After != nil {
		parts = append(parts, fmt.Sprintf("After %q", q.After))
	}
	if q.Offset != 0 {
		parts = append(parts, fmt.Sprint("Offset ", q.Offset))
	}
	parts = append(parts, fmt.Sprint("Limit ", q.Limit))
	if len(q.Facets) > 0 {
		parts = append(parts, fmt.Sprint("Facets ", q.Facets))
	}
	if q.Boosts != (search.Boosts{}) {
		parts = append(parts, fmt.Sprintf("Boosts %+v", q.Boosts))
	}
	return strings.Join(parts, ", ")
}

func describeFilter(f search.Filter) string {
	var parts []string
	switch a := f.Access; {
	case a == nil:
		parts = append(parts, "Access nil")
	case a.All:
		parts = append(parts, "Access All")
	default:
		parts = append(parts, fmt.Sprintf("Access{SpotIDs %v, Statuses %v, AnyStatusHomeIDs %v}", a.SpotIDs, a.Statuses, a.AnyStatusHomeIDs))
	}
	if f.SpotIDs != nil {
		parts = append(parts, fmt.Sprintf("SpotIDs %v", f.SpotIDs))
	}
	if f.ListGroups != nil {
		parts = append(parts, fmt.Sprintf("ListGroups %v", f.ListGroups))
	}
	if f.Kinds != nil {
		parts = append(parts, fmt.Sprintf("Kinds %v", f.Kinds))
	}
	if f.Audiences != nil {
		parts = append(parts, fmt.Sprintf("Audiences %v", f.Audiences))
	}
	if f.Statuses != nil {
		parts = append(parts, fmt.Sprintf("Statuses %v", f.Statuses))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// noErr fails when err is not nil.
func noErr(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", what, err)
	}
}

// isErr fails unless errors.Is(err, target).
func isErr(t testing.TB, err, target error, what string) {
	t.Helper()
	switch {
	case err == nil:
		t.Fatalf("%s: got a nil error, want one matching %q (errors.Is)", what, target)
	case !errors.Is(err, target):
		t.Fatalf("%s: got error %q, which does not match %q with errors.Is; wrap it with %%w", what, err, target)
	}
}

// checkIDs fails unless got lists exactly want, in order.
func checkIDs(t testing.TB, what string, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) || (len(got) == 0 && len(want) == 0) {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n\tgot  %d %v\n\twant %d %v", what, len(got), got, len(want), want)
	var extra, missing []string
	for _, g := range got {
		if !slices.Contains(want, g) {
			extra = append(extra, g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			missing = append(missing, w)
		}
	}
	if len(extra) > 0 {
		fmt.Fprintf(&b, "\n\tunexpected: %v", extra)
	}
	if len(missing) > 0 {
		fmt.Fprintf(&b, "\n\tmissing:    %v", missing)
	}
	if len(extra) == 0 && len(missing) == 0 {
		b.WriteString("\n\t(same documents, wrong order)")
	}
	seen := map[string]bool{}
	for _, g := range got {
		if seen[g] {
			fmt.Fprintf(&b, "\n\tduplicate:  %s", g)
		}
		seen[g] = true
	}
	t.Fatal(b.String())
}

// near reports whether a and b agree to a relative error below 1e-6.
func near(a, b float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= 1e-6*math.Max(math.Abs(a), math.Abs(b))
}

// zone is deliberately not UTC: engines return times in UTC.
var zone = time.FixedZone("UTC-03:00", -3*3600)

// at returns a time in zone with a microsecond part, like the times the
// services write.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, zone)
	if err != nil {
		panic("searchtest: bad fixture time " + s)
	}
	return t.Add(123456 * time.Microsecond)
}
