package blugesearch

import (
	"github.com/blugelabs/bluge/search"
	"github.com/blugelabs/bluge/search/searcher"
	segment "github.com/blugelabs/bluge_segment_api"
)

// fieldsTermQuery matches one word in several fields; the score is the sum
// over the fields that hold it of BM25 times the field's boost. It is what
// a disjunction of Bluge term queries computes, without a searcher, a
// document match and a disjunction step per field and posting: the most
// common query (a bare word, in the default fields) walks the fields'
// postings directly.
type fieldsTermQuery struct {
	term   string
	fields []string
	boosts []float64
	labels []string // what each field's part of an explanation says
}

func (q fieldsTermQuery) Searcher(i search.Reader, o search.SearcherOptions) (search.Searcher, error) {
	s := &unionSearcher{explain: o.Explain}
	for k, f := range q.fields {
		it, err := i.PostingsIterator([]byte(q.term), f, true, true, false)
		if err != nil {
			_ = s.Close()
			return nil, err
		}
		if it.Count() == 0 {
			_ = it.Close()
			continue
		}
		stats, err := i.CollectionStats(f)
		if err != nil {
			_ = it.Close()
			_ = s.Close()
			return nil, err
		}
		scorer := o.SimilarityForField(f).Scorer(q.boosts[k], stats, termStats(it.Count()))
		s.subs = append(s.subs, &unionSub{it: it, scorer: scorer, label: q.labels[k]})
	}
	if len(s.subs) == 0 {
		return searcher.NewMatchNoneSearcher(i, o)
	}
	return s, nil
}

type unionSub struct {
	it      segment.PostingsIterator
	scorer  search.Scorer
	label   string
	cur     segment.Posting // nil before the start and at the end
	started bool
}

type unionSearcher struct {
	subs    []*unionSub
	explain bool
}

func (s *unionSearcher) Next(ctx *search.Context) (*search.DocumentMatch, error) {
	for _, u := range s.subs {
		if !u.started {
			p, err := u.it.Next()
			if err != nil {
				return nil, err
			}
			u.cur, u.started = p, true
		}
	}
	return s.emit(ctx)
}

func (s *unionSearcher) Advance(ctx *search.Context, n uint64) (*search.DocumentMatch, error) {
	for _, u := range s.subs {
		// Bluge's iterators restart from the beginning when asked to go
		// back: only move forward.
		if !u.started || (u.cur != nil && u.cur.Number() < n) {
			p, err := u.it.Advance(n)
			if err != nil {
				return nil, err
			}
			u.cur, u.started = p, true
		}
	}
	return s.emit(ctx)
}

// emit returns the lowest document any field is on, scored by the fields
// on it, and moves those fields on.
func (s *unionSearcher) emit(ctx *search.Context) (*search.DocumentMatch, error) {
	var n uint64
	found := false
	for _, u := range s.subs {
		if u.cur != nil && (!found || u.cur.Number() < n) {
			n, found = u.cur.Number(), true
		}
	}
	if !found {
		return nil, nil
	}
	dm := ctx.DocumentMatchPool.Get()
	dm.Number = n
	var sum float64
	var parts []*search.Explanation
	for _, u := range s.subs {
		if u.cur == nil || u.cur.Number() != n {
			continue
		}
		if s.explain {
			e := u.scorer.Explain(u.cur.Frequency(), u.cur.Norm())
			parts = append(parts, search.NewExplanation(e.Value, u.label, e))
			sum += e.Value
		} else {
			sum += u.scorer.Score(u.cur.Frequency(), u.cur.Norm())
		}
		p, err := u.it.Next()
		if err != nil {
			return nil, err
		}
		u.cur = p
	}
	dm.Score = sum
	if s.explain {
		dm.Explanation = search.NewExplanation(sum, "sum of the matching fields:", parts...)
	}
	return dm, nil
}

func (s *unionSearcher) Close() error {
	var err error
	for _, u := range s.subs {
		if cerr := u.it.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

func (s *unionSearcher) Count() uint64 {
	var n uint64
	for _, u := range s.subs {
		n += u.it.Count()
	}
	return n
}

func (s *unionSearcher) Min() int                   { return 0 }
func (s *unionSearcher) Size() int                  { return 64 * len(s.subs) }
func (s *unionSearcher) DocumentMatchPoolSize() int { return 1 }
