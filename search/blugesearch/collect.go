package blugesearch

import (
	"bytes"
	"cmp"
	"container/heap"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/briefcasehq/briefcase/search"
)

// set is a set of dictionary IDs; a nil set does not restrict.
type set []uint64

func newSet(d *dict, values []string) set {
	s := make(set, (len(d.values())+63)/64+1)
	for _, v := range values {
		if id, ok := d.lookup(v); ok {
			s = s.add(id)
		}
	}
	return s
}

func (s set) add(id uint32) set {
	for int(id/64) >= len(s) {
		s = append(s, 0)
	}
	s[id/64] |= 1 << (id % 64)
	return s
}

func (s set) has(id uint32) bool { return int(id/64) < len(s) && s[id/64]&(1<<(id%64)) != 0 }

func (s set) any(ids []uint32) bool {
	for _, id := range ids {
		if s.has(id) {
			return true
		}
	}
	return false
}

// filter is a search.Filter over dictionary IDs.
type filter struct {
	none, all                  bool // nil Access; Access.All
	accessSpots, accessHomes   set
	accessStatuses             set
	spots                      set // nil: no restriction
	listGroups                 []set
	kinds, audiences, statuses set // nil: no restriction
}

// optional makes a set for an optional part of the filter: nil and empty
// slices both mean no restriction.
func optional(d *dict, values []string) set {
	if len(values) == 0 {
		return nil
	}
	return newSet(d, values)
}

func compileFilter(f search.Filter, ds *dicts) *filter {
	out := &filter{}
	switch a := f.Access; {
	case a == nil:
		out.none = true
		return out
	case a.All:
		out.all = true
	default:
		out.accessSpots = newSet(ds.spots, a.SpotIDs)
		out.accessHomes = newSet(ds.spots, a.AnyStatusHomeIDs)
		out.accessStatuses = newSet(ds.values, a.Statuses)
	}
	out.spots = optional(ds.spots, f.SpotIDs)
	for _, g := range f.ListGroups {
		if len(g) > 0 {
			out.listGroups = append(out.listGroups, newSet(ds.lists, g))
		}
	}
	out.kinds = optional(ds.values, f.Kinds)
	out.audiences = optional(ds.values, f.Audiences)
	out.statuses = optional(ds.values, f.Statuses)
	return out
}

func (f *filter) pass(r *row, pool []uint32) bool {
	if f.none {
		return false
	}
	if !f.all {
		if !f.accessSpots.any(r.spots(pool)) {
			return false
		}
		if !f.accessStatuses.has(r.status) && !f.accessHomes.has(r.home) {
			return false
		}
	}
	if f.spots != nil && !f.spots.any(r.spots(pool)) {
		return false
	}
	for _, g := range f.listGroups {
		if !g.any(r.lists(pool)) {
			return false
		}
	}
	return (f.kinds == nil || f.kinds.has(r.kind)) &&
		(f.audiences == nil || f.audiences.has(r.audience)) &&
		(f.statuses == nil || f.statuses.has(r.status))
}

// hit is a candidate: a document, its text score, and the value it sorts
// on (copied from its row, so comparisons stay in the collector's memory).
type hit struct {
	d       *docInfo
	score   float64
	flagged bool
	num     float64 // trending or popular
	created int64
	idKey   idKey
}

// order returns the comparison of a sort: negative when a comes first.
// Whatever the sort, unflagged documents come first.
func order(s search.Sort) func(a, b *hit) int {
	switch s {
	case search.SortNewest:
		return func(a, b *hit) int {
			if a.flagged != b.flagged {
				return flagOrder(a.flagged)
			}
			if a.created != b.created {
				return cmp.Compare(b.created, a.created)
			}
			return compareIDs(b, a)
		}
	case search.SortTitle:
		return func(a, b *hit) int {
			if a.flagged != b.flagged {
				return flagOrder(a.flagged)
			}
			if c := strings.Compare(a.d.titleKey, b.d.titleKey); c != 0 {
				return c
			}
			return compareIDs(a, b)
		}
	case search.SortTrending, search.SortPopular:
		return func(a, b *hit) int {
			if a.flagged != b.flagged {
				return flagOrder(a.flagged)
			}
			if a.num != b.num {
				return cmp.Compare(b.num, a.num)
			}
			return compareIDs(b, a)
		}
	}
	return func(a, b *hit) int {
		if a.flagged != b.flagged {
			return flagOrder(a.flagged)
		}
		if a.score != b.score {
			return cmp.Compare(b.score, a.score)
		}
		return compareIDs(a, b)
	}
}

// compareIDs orders two hits by ID, from the first bytes kept in the hit
// when they differ (the common case, and no memory to fetch).
func compareIDs(a, b *hit) int {
	if c := bytes.Compare(a.idKey[:], b.idKey[:]); c != 0 {
		return c
	}
	return strings.Compare(a.d.id, b.d.id)
}

// flagOrder orders a flagged document after an unflagged one.
func flagOrder(aFlagged bool) int {
	if aFlagged {
		return 1
	}
	return -1
}

// Sort keys are [flagged "0"/"1", value, ID]. Numbers are fixed-width
// decimal strings of an order-preserving uint64, so keys also compare as
// strings in ascending value order; the title is its lower-cased text.

func encodeKey(s search.Sort, h *hit) []string {
	flag := "0"
	if h.flagged {
		flag = "1"
	}
	var v string
	switch s {
	case search.SortNewest:
		v = fixed(uint64(h.created) ^ 1<<63)
	case search.SortTitle:
		v = h.d.titleKey
	case search.SortTrending, search.SortPopular:
		v = fixed(floatOrder(h.num))
	default:
		v = fixed(floatOrder(h.score))
	}
	return []string{flag, v, h.d.id}
}

// decodeKey turns an After key back into a hit to compare with.
func decodeKey(s search.Sort, key []string) (hit, error) {
	bad := func() error { return fmt.Errorf("bad After key %q for sort %q: %w", key, s, search.ErrInvalid) }
	if len(key) != 3 || (key[0] != "0" && key[0] != "1") {
		return hit{}, bad()
	}
	d := &docInfo{id: key[2]}
	h := hit{d: d, flagged: key[0] == "1", idKey: keyOf(key[2])}
	if s == search.SortTitle {
		d.titleKey = key[1]
		return h, nil
	}
	if len(key[1]) != 20 {
		return hit{}, bad()
	}
	u, err := strconv.ParseUint(key[1], 10, 64)
	if err != nil {
		return hit{}, bad()
	}
	switch s {
	case search.SortNewest:
		h.created = int64(u ^ 1<<63)
	case search.SortTrending, search.SortPopular:
		h.num = floatFromOrder(u)
	default:
		h.score = floatFromOrder(u)
	}
	return h, nil
}

func fixed(u uint64) string { return fmt.Sprintf("%020d", u) }

// floatOrder maps a float64 to a uint64 in the same order.
func floatOrder(f float64) uint64 {
	b := math.Float64bits(f + 0) // no -0
	if b&(1<<63) != 0 {
		return ^b
	}
	return b | 1<<63
}

func floatFromOrder(u uint64) float64 {
	if u&(1<<63) != 0 {
		return math.Float64frombits(u &^ (1 << 63))
	}
	return math.Float64frombits(^u)
}

// collector counts, facets and ranks the documents that match.
type collector struct {
	filter *filter
	sortBy search.Sort
	cmp    func(a, b *hit) int
	after  *hit
	k      int // Offset+Limit: how many hits to keep
	total  int
	top    topHeap
	facets []facetCount
	cand   hit // the hit being considered (a local would escape through cmp)
}

type facetCount struct {
	facet  search.Facet
	counts []int32
	values []string // dictionary values by ID
}

func newCollector(q search.EngineQuery, sortBy search.Sort, after *hit, f *filter, ds *dicts) *collector {
	c := &collector{filter: f, sortBy: sortBy, cmp: order(sortBy), after: after}
	if q.Limit > 0 {
		c.k = q.Offset + q.Limit
	}
	c.top.cmp = c.cmp
	for _, facet := range q.Facets {
		var vals []string
		switch facet {
		case search.FacetSpot:
			vals = ds.spots.values()
		case search.FacetList:
			vals = ds.lists.values()
		default:
			vals = ds.values.values()
		}
		c.facets = append(c.facets, facetCount{facet: facet, counts: make([]int32, len(vals)), values: vals})
	}
	return c
}

// add considers local document n of segment s, which matched with score.
func (c *collector) add(s *segData, n uint64, score float64) {
	if n >= uint64(len(s.docs)) || s.docs[n] == nil {
		return // the meta document
	}
	r := &s.rows[n]
	if !c.filter.pass(r, s.pool) {
		return
	}
	c.total++
	for i := range c.facets {
		f := &c.facets[i]
		switch f.facet {
		case search.FacetSpot:
			for _, id := range r.spots(s.pool) {
				f.counts[id]++
			}
		case search.FacetList:
			for _, id := range r.lists(s.pool) {
				f.counts[id]++
			}
		case search.FacetType:
			f.counts[r.kind]++
		case search.FacetAudience:
			f.counts[r.audience]++
		case search.FacetStatus:
			f.counts[r.status]++
		}
	}
	if c.k == 0 {
		return
	}
	h := &c.cand
	*h = hit{d: s.docs[n], score: score, flagged: r.flagged, idKey: r.idKey}
	switch c.sortBy {
	case search.SortNewest:
		h.created = r.created
	case search.SortTrending:
		h.num = r.trending
	case search.SortPopular:
		h.num = r.popular
	}
	if c.after != nil && c.cmp(h, c.after) <= 0 {
		return
	}
	if len(c.top.hits) < c.k {
		heap.Push(&c.top, *h)
		return
	}
	if c.cmp(h, &c.top.hits[0]) < 0 {
		c.top.hits[0] = *h
		heap.Fix(&c.top, 0)
	}
}

// result returns the page of hits after offset, with the facets.
func (c *collector) result(offset int) search.EngineResult {
	res := search.EngineResult{Total: c.total}
	if len(c.facets) > 0 {
		res.Facets = make(map[search.Facet][]search.FacetValue, len(c.facets))
		for _, f := range c.facets {
			vals := []search.FacetValue{}
			for id, n := range f.counts {
				if n > 0 && id != 0 {
					vals = append(vals, search.FacetValue{Value: f.values[id], Count: int(n)})
				}
			}
			slices.SortFunc(vals, func(a, b search.FacetValue) int {
				return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value))
			})
			res.Facets[f.facet] = vals
		}
	}
	hits := c.top.hits
	slices.SortFunc(hits, func(a, b hit) int { return c.cmp(&a, &b) })
	if offset >= len(hits) {
		return res
	}
	hits = hits[offset:]
	res.Hits = make([]search.EngineHit, len(hits))
	for i := range hits {
		h := &hits[i]
		res.Hits[i] = search.EngineHit{ID: h.d.id, Score: h.score, SortKey: encodeKey(c.sortBy, h), Summary: h.d.summary()}
	}
	return res
}

// topHeap keeps the best k hits with the worst on top.
type topHeap struct {
	hits []hit
	cmp  func(a, b *hit) int
}

func (h *topHeap) Len() int           { return len(h.hits) }
func (h *topHeap) Less(i, j int) bool { return h.cmp(&h.hits[i], &h.hits[j]) > 0 }
func (h *topHeap) Swap(i, j int)      { h.hits[i], h.hits[j] = h.hits[j], h.hits[i] }
func (h *topHeap) Push(x any)         { h.hits = append(h.hits, x.(hit)) }
func (h *topHeap) Pop() any {
	x := h.hits[len(h.hits)-1]
	h.hits = h.hits[:len(h.hits)-1]
	return x
}
