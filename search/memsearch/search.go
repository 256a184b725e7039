package memsearch

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/search"
)

// hit is a matching document with the values it sorts on.
type hit struct {
	e     *entry
	score float64
	key   sortKey
}

// sortKey is what a hit sorts on, whatever the sort: flagged documents
// last, then value (its meaning depends on the sort), then the ID.
type sortKey struct {
	flagged bool
	num     float64   // relevance score, trending, popular
	text    string    // lower-cased title
	time    time.Time // created
	id      string
}

func (c *corpus) search(ctx context.Context, q search.EngineQuery) (search.EngineResult, error) {
	sortBy, err := checkQuery(q)
	if err != nil {
		return search.EngineResult{}, err
	}
	var after *sortKey
	if q.After != nil && sortBy != search.SortRelevance {
		k, err := decodeKey(sortBy, q.After)
		if err != nil {
			return search.EngineResult{}, err
		}
		after = &k
	}
	s := &scorer{c: c, boosts: q.Boosts}
	var hits []hit
	counts := map[search.Facet]map[string]int{}
	for _, f := range q.Facets {
		counts[f] = map[string]int{}
	}
	n := 0
	for _, e := range c.docs {
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return search.EngineResult{}, err
			}
		}
		if !passes(&q.Filter, &e.doc) {
			continue
		}
		ok, score, _ := s.match(q.Match, e)
		if !ok {
			continue
		}
		for f, m := range counts {
			for _, v := range facetValues(f, &e.doc) {
				m[v]++
			}
		}
		hits = append(hits, hit{e: e, score: score, key: keyOf(sortBy, e, score)})
	}
	res := search.EngineResult{Total: len(hits)}
	if len(q.Facets) > 0 {
		res.Facets = map[search.Facet][]search.FacetValue{}
		for f, m := range counts {
			res.Facets[f] = sortFacet(m)
		}
	}
	if q.Limit == 0 {
		return res, nil
	}
	if after != nil {
		hits = slices.DeleteFunc(hits, func(h hit) bool { return compareKeys(sortBy, h.key, *after) <= 0 })
	}
	slices.SortFunc(hits, func(a, b hit) int { return compareKeys(sortBy, a.key, b.key) })
	hits = hits[min(q.Offset, len(hits)):]
	hits = hits[:min(q.Limit, len(hits))]
	res.Hits = make([]search.EngineHit, len(hits))
	for i, h := range hits {
		res.Hits[i] = search.EngineHit{ID: h.e.doc.ID, Score: h.score, SortKey: encodeKey(sortBy, h.key), Summary: summary(&h.e.doc)}
	}
	return res, nil
}

func (c *corpus) explain(q search.EngineQuery, id string) (search.Explanation, error) {
	if err := validate(q.Match); err != nil {
		return search.Explanation{}, err
	}
	e, ok := c.docs[id]
	if !ok {
		return search.Explanation{}, fmt.Errorf("not indexed: %w", search.ErrNotFound)
	}
	if !passes(&q.Filter, &e.doc) {
		return search.Explanation{}, fmt.Errorf("filtered out: %w", search.ErrNotFound)
	}
	s := &scorer{c: c, boosts: q.Boosts, explain: true}
	matched, score, detail := s.match(q.Match, e)
	return search.Explanation{ID: id, Matched: matched, Score: score, Detail: detail, Summary: summary(&e.doc)}, nil
}

// checkQuery validates q and returns its sort (an empty one is relevance).
func checkQuery(q search.EngineQuery) (search.Sort, error) {
	if err := validate(q.Match); err != nil {
		return "", err
	}
	if q.Limit < 0 || q.Offset < 0 {
		return "", fmt.Errorf("negative limit or offset: %w", search.ErrInvalid)
	}
	for _, f := range q.Facets {
		switch f {
		case search.FacetSpot, search.FacetList, search.FacetType, search.FacetAudience, search.FacetStatus:
		default:
			return "", fmt.Errorf("unknown facet %q: %w", f, search.ErrInvalid)
		}
	}
	switch q.Sort {
	case "":
		return search.SortRelevance, nil
	case search.SortRelevance, search.SortNewest, search.SortTitle, search.SortTrending, search.SortPopular:
		return q.Sort, nil
	}
	return "", fmt.Errorf("unknown sort %q: %w", q.Sort, search.ErrInvalid)
}

func keyOf(sortBy search.Sort, e *entry, score float64) sortKey {
	k := sortKey{flagged: e.doc.Flagged, id: e.doc.ID}
	switch sortBy {
	case search.SortRelevance:
		k.num = score
	case search.SortNewest:
		k.time = e.doc.CreatedAt
	case search.SortTitle:
		k.text = strings.ToLower(e.doc.Title)
	case search.SortTrending:
		k.num = e.doc.Trending
	case search.SortPopular:
		k.num = e.doc.Popular
	}
	return k
}

// compareKeys orders keys under a sort: negative when a comes first.
func compareKeys(sortBy search.Sort, a, b sortKey) int {
	if a.flagged != b.flagged {
		if a.flagged {
			return 1
		}
		return -1
	}
	switch sortBy {
	case search.SortRelevance:
		return cmp.Or(cmp.Compare(b.num, a.num), strings.Compare(a.id, b.id))
	case search.SortNewest:
		return cmp.Or(b.time.Compare(a.time), strings.Compare(b.id, a.id))
	case search.SortTitle:
		return cmp.Or(strings.Compare(a.text, b.text), strings.Compare(a.id, b.id))
	default: // trending, popular
		return cmp.Or(cmp.Compare(b.num, a.num), strings.Compare(b.id, a.id))
	}
}

// encodeKey renders a key as [flagged, value, id].
func encodeKey(sortBy search.Sort, k sortKey) []string {
	flag := "0"
	if k.flagged {
		flag = "1"
	}
	var v string
	switch sortBy {
	case search.SortNewest:
		v = k.time.Format(time.RFC3339Nano)
	case search.SortTitle:
		v = k.text
	default:
		v = strconv.FormatFloat(k.num, 'g', -1, 64)
	}
	return []string{flag, v, k.id}
}

func decodeKey(sortBy search.Sort, s []string) (sortKey, error) {
	bad := func(err error) (sortKey, error) {
		return sortKey{}, fmt.Errorf("bad After key %q for sort %s: %w", s, sortBy, search.ErrInvalid)
	}
	if len(s) != 3 || (s[0] != "0" && s[0] != "1") {
		return bad(nil)
	}
	k := sortKey{flagged: s[0] == "1", id: s[2]}
	var err error
	switch sortBy {
	case search.SortNewest:
		k.time, err = time.Parse(time.RFC3339Nano, s[1])
	case search.SortTitle:
		k.text = s[1]
	default:
		k.num, err = strconv.ParseFloat(s[1], 64)
	}
	if err != nil {
		return bad(err)
	}
	return k, nil
}

// facetValues are the distinct values a document counts once each for.
func facetValues(f search.Facet, d *search.Document) []string {
	var vs []string
	switch f {
	case search.FacetSpot:
		vs = d.SpotIDs
	case search.FacetList:
		vs = d.ListIDs
	case search.FacetType:
		vs = []string{d.Kind}
	case search.FacetAudience:
		vs = []string{d.Audience}
	case search.FacetStatus:
		vs = []string{d.Status}
	}
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// sortFacet orders facet values by count, most first, then by value.
func sortFacet(m map[string]int) []search.FacetValue {
	out := make([]search.FacetValue, 0, len(m))
	for v, n := range m {
		out = append(out, search.FacetValue{Value: v, Count: n})
	}
	slices.SortFunc(out, func(a, b search.FacetValue) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value))
	})
	return out
}

func summary(d *search.Document) search.Summary {
	return search.Summary{
		Title: d.Title, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
		Promoted: d.Promoted, PromotedKeywords: slices.Clone(d.PromotedKeywords),
		Flagged: d.Flagged, Trending: d.Trending, Popular: d.Popular,
	}
}
