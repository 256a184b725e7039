package blugesearch

import (
	"github.com/blugelabs/bluge"
	"github.com/blugelabs/bluge/search"
	"github.com/blugelabs/bluge/search/searcher"
	"github.com/blugelabs/bluge/search/similarity"
	segment "github.com/blugelabs/bluge_segment_api"
)

// phraseQuery matches words at consecutive positions of one field. Bluge's
// own phrase search intersects the words with their positions and builds
// maps of every position of every candidate; on two frequent words that
// is most of the index (the 450 ms worst case). Here candidates come from
// a conjunction of the words without positions and of the indexed pairs
// of common words the phrase contains (which are rare even when their
// words are not); positions are read only for those candidates, straight
// from the postings, and compared in place. The score is the words' BM25
// sum, as in Bluge's phrase search.
type phraseQuery struct {
	field string   // words field, indexed with positions
	words []string // at least two
	pairs []string // pair terms of the phrase found in pairsField
	// pairsField holds the pairs; empty when pairs is.
	pairsField string
}

func (q phraseQuery) Searcher(i search.Reader, o search.SearcherOptions) (search.Searcher, error) {
	var qs []bluge.Query
	for _, w := range q.words {
		qs = append(qs, bluge.NewTermQuery(w).SetField(q.field))
	}
	for _, p := range q.pairs {
		qs = append(qs, bluge.NewTermQuery(p).SetField(q.pairsField).SetBoost(0))
	}
	ss, err := searchers(qs, i, o)
	if err != nil {
		return nil, err
	}
	cand, err := searcher.NewConjunctionSearcher(i, ss, similarity.NewCompositeSumScorer(), o)
	if err != nil {
		return nil, err
	}
	n := len(q.words)
	s := &phraseSearcher{cand: cand, at: make([]uint64, n), has: make([]bool, n), pos: make([][]int, n), next: make([]int, n)}
	for _, w := range q.words {
		it, err := i.PostingsIterator([]byte(w), q.field, true, true, true)
		if err != nil {
			_ = s.Close()
			return nil, err
		}
		s.its = append(s.its, it)
	}
	return s, nil
}

type phraseSearcher struct {
	cand search.Searcher
	its  []segment.PostingsIterator // one per word, with positions
	at   []uint64                   // document each iterator is on
	has  []bool                     // whether it is on one
	pos  [][]int                    // positions of word i in the candidate
	next []int                      // scratch for verify
}

func (s *phraseSearcher) Next(ctx *search.Context) (*search.DocumentMatch, error) {
	for {
		dm, err := s.cand.Next(ctx)
		if dm == nil || err != nil {
			return nil, err
		}
		ok, err := s.verify(dm.Number)
		if err != nil {
			return nil, err
		}
		if ok {
			return dm, nil
		}
		ctx.DocumentMatchPool.Put(dm)
	}
}

func (s *phraseSearcher) Advance(ctx *search.Context, n uint64) (*search.DocumentMatch, error) {
	dm, err := s.cand.Advance(ctx, n)
	if dm == nil || err != nil {
		return nil, err
	}
	ok, err := s.verify(dm.Number)
	if err != nil {
		return nil, err
	}
	if ok {
		return dm, nil
	}
	ctx.DocumentMatchPool.Put(dm)
	return s.Next(ctx)
}

// verify reports whether document n holds the words at consecutive
// positions.
func (s *phraseSearcher) verify(n uint64) (bool, error) {
	for i, it := range s.its {
		if !s.has[i] || s.at[i] < n {
			p, err := it.Advance(n) // Bluge's iterators must only move forward
			if err != nil {
				return false, err
			}
			if p == nil {
				return false, nil
			}
			s.has[i], s.at[i] = true, p.Number()
			if s.at[i] != n {
				return false, nil
			}
			s.pos[i] = s.pos[i][:0]
			for _, l := range p.Locations() {
				s.pos[i] = append(s.pos[i], l.Pos())
			}
		}
		if s.at[i] != n {
			return false, nil
		}
	}
	// Positions come in increasing order; walk the first word's and look
	// for the others after it.
	next := s.next
	clear(next)
outer:
	for _, p0 := range s.pos[0] {
		for i := 1; i < len(s.pos); i++ {
			want := p0 + i
			ps := s.pos[i]
			for next[i] < len(ps) && ps[next[i]] < want {
				next[i]++
			}
			if next[i] == len(ps) {
				return false, nil
			}
			if ps[next[i]] != want {
				continue outer
			}
		}
		return true, nil
	}
	return false, nil
}

func (s *phraseSearcher) Close() error {
	err := s.cand.Close()
	for _, it := range s.its {
		if cerr := it.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

func (s *phraseSearcher) Count() uint64              { return s.cand.Count() }
func (s *phraseSearcher) Min() int                   { return 0 }
func (s *phraseSearcher) Size() int                  { return s.cand.Size() }
func (s *phraseSearcher) DocumentMatchPoolSize() int { return s.cand.DocumentMatchPoolSize() }
