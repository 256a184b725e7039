package blugesearch

import (
	"cmp"
	"slices"

	"github.com/blugelabs/bluge/search"
	"github.com/blugelabs/bluge/search/searcher"
	segment "github.com/blugelabs/bluge_segment_api"
)

// phraseQuery matches terms at consecutive positions of one field. Bluge's
// own phrase search intersects the words through its generic conjunction,
// then builds maps of every position of every candidate; on two frequent
// words that is most of the index (its 450 ms worst case). Here one
// leapfrog walks the postings of the terms (rarest first) and of the
// indexed pairs the phrase contains, which narrow the candidates without
// positions; positions are compared in place, straight from the postings,
// only where every term is present. The score is the terms' BM25 sum, as
// in Bluge's phrase search.
type phraseQuery struct {
	field string   // indexed with positions
	words []string // the terms, at least two
	// pairs are terms of pairsField every match holds (pairs of common
	// words the phrase contains); they narrow candidates and score nothing.
	pairs      []string
	pairsField string
}

// termStats is the document frequency Bluge's similarity wants.
type termStats uint64

func (t termStats) DocumentFrequency() uint64 { return uint64(t) }

func (q phraseQuery) Searcher(i search.Reader, o search.SearcherOptions) (search.Searcher, error) {
	stats, err := i.CollectionStats(q.field)
	if err != nil {
		return nil, err
	}
	s := &phraseSearcher{explain: o.Explain}
	fail := func(err error) (search.Searcher, error) {
		_ = s.Close()
		return nil, err
	}
	for _, w := range q.words {
		it, err := i.PostingsIterator([]byte(w), q.field, true, true, true)
		if err != nil {
			return fail(err)
		}
		t := &phraseTerm{it: it}
		t.scorer = o.SimilarityForField(q.field).Scorer(1, stats, termStats(it.Count()))
		s.words = append(s.words, t)
		s.all = append(s.all, t)
	}
	for _, p := range q.pairs {
		it, err := i.PostingsIterator([]byte(p), q.pairsField, false, false, false)
		if err != nil {
			return fail(err)
		}
		s.all = append(s.all, &phraseTerm{it: it})
	}
	for _, t := range s.all {
		if t.it.Count() == 0 {
			_ = s.Close()
			return searcher.NewMatchNoneSearcher(i, o)
		}
	}
	// The rarest term leads the leapfrog.
	slices.SortStableFunc(s.all, func(a, b *phraseTerm) int { return cmp.Compare(a.it.Count(), b.it.Count()) })
	s.positions = make([][]int, len(s.words))
	s.next = make([]int, len(s.words))
	return s, nil
}

// phraseTerm is one postings list of a phrase search.
type phraseTerm struct {
	it      segment.PostingsIterator
	scorer  search.Scorer   // nil for a pair that only narrows
	cur     segment.Posting // where it stands; nil before the start
	done    bool
	started bool
}

// to moves t to the first document at or after n (only forward: Bluge's
// iterators restart from the beginning when asked to go back).
func (t *phraseTerm) to(n uint64) error {
	if t.done || (t.started && t.cur.Number() >= n) {
		return nil
	}
	p, err := t.it.Advance(n)
	if err != nil {
		return err
	}
	t.started = true
	t.cur = p
	t.done = p == nil
	return nil
}

type phraseSearcher struct {
	all       []*phraseTerm // rarest first
	words     []*phraseTerm // in phrase order
	explain   bool
	from      uint64 // the next document to consider
	positions [][]int
	next      []int
}

func (s *phraseSearcher) Next(ctx *search.Context) (*search.DocumentMatch, error) {
	return s.find(ctx, s.from)
}

func (s *phraseSearcher) Advance(ctx *search.Context, n uint64) (*search.DocumentMatch, error) {
	return s.find(ctx, max(n, s.from))
}

// find returns the first match at or after document n.
func (s *phraseSearcher) find(ctx *search.Context, n uint64) (*search.DocumentMatch, error) {
	for {
		aligned := true
		for _, t := range s.all {
			if err := t.to(n); err != nil {
				return nil, err
			}
			if t.done {
				s.from = n
				return nil, nil
			}
			if m := t.cur.Number(); m > n {
				n, aligned = m, false
				break
			}
		}
		if !aligned {
			continue
		}
		s.from = n + 1
		if s.consecutive() {
			return s.match(ctx, n), nil
		}
		n++
	}
}

// consecutive reports whether the current document holds the words at
// consecutive positions. Positions come in increasing order.
func (s *phraseSearcher) consecutive() bool {
	for i, t := range s.words {
		ps := s.positions[i][:0]
		for _, l := range t.cur.Locations() {
			ps = append(ps, l.Pos())
		}
		s.positions[i] = ps
	}
	next := s.next
	clear(next)
outer:
	for _, p0 := range s.positions[0] {
		for i := 1; i < len(s.positions); i++ {
			want, ps := p0+i, s.positions[i]
			for next[i] < len(ps) && ps[next[i]] < want {
				next[i]++
			}
			if next[i] == len(ps) {
				return false
			}
			if ps[next[i]] != want {
				continue outer
			}
		}
		return true
	}
	return false
}

// match scores the current document n: the sum of the words' BM25.
func (s *phraseSearcher) match(ctx *search.Context, n uint64) *search.DocumentMatch {
	dm := ctx.DocumentMatchPool.Get()
	dm.Number = n
	var sum float64
	var parts []*search.Explanation
	for _, t := range s.words {
		if s.explain {
			e := t.scorer.Explain(t.cur.Frequency(), t.cur.Norm())
			parts = append(parts, e)
			sum += e.Value
		} else {
			sum += t.scorer.Score(t.cur.Frequency(), t.cur.Norm())
		}
	}
	dm.Score = sum
	if s.explain {
		dm.Explanation = search.NewExplanation(sum, "sum of the words' BM25:", parts...)
	}
	return dm
}

func (s *phraseSearcher) Close() error {
	var err error
	for _, t := range s.all {
		if cerr := t.it.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// Count estimates the matches: at most those of the rarest term.
func (s *phraseSearcher) Count() uint64 {
	if len(s.all) == 0 {
		return 0
	}
	return s.all[0].it.Count()
}

func (s *phraseSearcher) Min() int                   { return 0 }
func (s *phraseSearcher) Size() int                  { return 64 * len(s.all) }
func (s *phraseSearcher) DocumentMatchPoolSize() int { return 1 }
