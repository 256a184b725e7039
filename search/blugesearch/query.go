package blugesearch

import (
	"fmt"
	"strings"

	"github.com/blugelabs/bluge"
	"github.com/blugelabs/bluge/search"
	"github.com/blugelabs/bluge/search/searcher"
	"github.com/blugelabs/bluge/search/similarity"

	bsearch "github.com/briefcasehq/briefcase/search"
)

// compiler turns a query tree into a Bluge query that matches and scores
// text only: filters, facets and sorting happen over the document table.
type compiler struct {
	boosts bsearch.Boosts
	common commonSet // the generation's common words (see common.go)
}

// knownFields are the fields a Term or Phrase may name.
var knownFields = map[bsearch.Field]bool{
	bsearch.FieldDefault: true, bsearch.FieldTitle: true, bsearch.FieldDescription: true, bsearch.FieldBody: true,
	bsearch.FieldSpot: true, bsearch.FieldList: true, bsearch.FieldLabel: true, bsearch.FieldAuthor: true,
	bsearch.FieldOwner: true, bsearch.FieldType: true, bsearch.FieldAudience: true,
}

// validate rejects node types and fields the engine does not know.
func validate(n bsearch.Node) error {
	switch n := n.(type) {
	case nil, *bsearch.All:
	case *bsearch.Term:
		if !knownFields[n.Field] {
			return fmt.Errorf("unknown field %q: %w", n.Field, bsearch.ErrInvalid)
		}
	case *bsearch.Phrase:
		if !knownFields[n.Field] {
			return fmt.Errorf("unknown field %q: %w", n.Field, bsearch.ErrInvalid)
		}
	case *bsearch.And:
		for _, c := range n.Clauses {
			if err := validate(c); err != nil {
				return err
			}
		}
	case *bsearch.Or:
		for _, c := range n.Clauses {
			if err := validate(c); err != nil {
				return err
			}
		}
	case *bsearch.Not:
		if n.Clause == nil {
			return fmt.Errorf("not without a clause: %w", bsearch.ErrInvalid)
		}
		return validate(n.Clause)
	default:
		return fmt.Errorf("unknown query node %T: %w", n, bsearch.ErrInvalid)
	}
	return nil
}

// matchesAll reports whether n matches every document with score 0.
func matchesAll(n bsearch.Node) bool {
	switch n.(type) {
	case nil, *bsearch.All:
		return true
	}
	return false
}

// compile translates a validated node.
func (c compiler) compile(n bsearch.Node) bluge.Query {
	switch n := n.(type) {
	case nil, *bsearch.All:
		return allQuery{}
	case *bsearch.Term:
		return c.text(n.Field, n.Text, "term")
	case *bsearch.Phrase:
		return c.text(n.Field, n.Text, "phrase")
	case *bsearch.And:
		var must, not []bluge.Query
		for _, cl := range n.Clauses {
			if nt, ok := cl.(*bsearch.Not); ok {
				not = append(not, c.compile(nt.Clause))
				continue
			}
			must = append(must, c.compile(cl))
		}
		if len(must) == 0 {
			must = append(must, allQuery{})
		}
		var q bluge.Query = conjunction(must)
		if len(not) > 0 {
			q = excludeQuery{must: q, not: disjunction(not)}
		}
		return labeled(q, "and: every clause matches; sum of the scoring clauses")
	case *bsearch.Or:
		qs := make([]bluge.Query, len(n.Clauses))
		for i, cl := range n.Clauses {
			qs[i] = c.compile(cl)
		}
		return labeled(disjunction(qs), "or: at least one clause matches; sum of the matching clauses")
	case *bsearch.Not:
		return labeled(excludeQuery{must: allQuery{}, not: c.compile(n.Clause)}, "not: the clause does not match; score 0")
	}
	panic(fmt.Sprintf("blugesearch: unexpected query node %T", n)) // validate rejected it
}

// text compiles a Term or Phrase: Text analyzed like the index, one word a
// term, several words a phrase; in FieldDefault, the sum over the default
// fields that match.
func (c compiler) text(f bsearch.Field, text, kind string) bluge.Query {
	if f.Exact() {
		want := strings.ToLower(text)
		name := fieldType
		if f == bsearch.FieldAudience {
			name = fieldAudience
		}
		q := bluge.NewTermQuery(want).SetField(name).SetBoost(0)
		return labeled(q, fmt.Sprintf("%s %s:%q: exact match, no score", kind, f, want))
	}
	terms := bsearch.Terms(text)
	if len(terms) == 0 {
		return bluge.NewMatchNoneQuery()
	}
	if len(terms) > 1 {
		kind = "phrase"
	}
	if f != bsearch.FieldDefault {
		return c.field(f, terms, kind)
	}
	if len(terms) == 1 {
		q := fieldsTermQuery{term: terms[0]}
		for _, df := range bsearch.DefaultFields {
			words, _ := textField(df)
			q.fields = append(q.fields, words)
			q.boosts = append(q.boosts, c.boosts.Field(df))
			q.labels = append(q.labels, fmt.Sprintf("%s %s:%q: boost × BM25", kind, df, terms[0]))
		}
		return labeled(q, fmt.Sprintf("%s %q in the default fields: sum of the matching fields", kind, terms[0]))
	}
	qs := make([]bluge.Query, len(bsearch.DefaultFields))
	for i, df := range bsearch.DefaultFields {
		qs[i] = c.field(df, terms, kind)
	}
	return labeled(disjunction(qs), fmt.Sprintf("%s %q in the default fields: sum of the matching fields", kind, strings.Join(terms, " ")))
}

// field matches terms (a word, or a phrase) in one field, scored by BM25
// times the field's boost. In title, description and body, a phrase of two
// common words is the one pair term that indexes them; any other phrase is
// a phraseQuery, whose candidates the indexed pairs it contains narrow.
func (c compiler) field(f bsearch.Field, terms []string, kind string) bluge.Query {
	words, pairsField := textField(f)
	boost := c.boosts.Field(f)
	label := fmt.Sprintf("%s %s:%q", kind, f, strings.Join(terms, " "))
	if len(terms) == 1 {
		return labeled(bluge.NewTermQuery(terms[0]).SetField(words).SetBoost(boost), label+": boost × BM25")
	}
	var pairs []string
	if pairsField != "" {
		for i := 0; i+1 < len(terms); i++ {
			if c.common[terms[i]] && c.common[terms[i+1]] {
				pairs = append(pairs, string(pairTerm(terms[i], terms[i+1])))
			}
		}
	}
	switch {
	case len(terms) == 2 && len(pairs) == 1:
		q := bluge.NewTermQuery(pairs[0]).SetField(pairsField).SetBoost(boost)
		return labeled(q, label+": the indexed word pair; boost × BM25")
	case len(pairs) == len(terms)-1:
		// Common words only: consecutive pairs, far sparser than
		// the words.
		q := phraseQuery{field: pairsField, words: pairs}
		return scaled(q, boost, label+": consecutive indexed word pairs; boost × sum of their BM25")
	}
	q := phraseQuery{field: words, words: terms, pairs: pairs, pairsField: pairsField}
	return scaled(q, boost, label+": consecutive words; boost × sum of their BM25")
}

func conjunction(qs []bluge.Query) bluge.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return conjunctionQuery(qs)
}

func disjunction(qs []bluge.Query) bluge.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return disjunctionQuery(qs)
}

// Bluge query types with the exact semantics of the query tree (Bluge's
// BooleanQuery turns a must clause that matches nothing into "match
// everything" when a must-not clause is present, and MatchAllQuery scores
// 1).

// allQuery matches every document with score 0.
type allQuery struct{}

func (allQuery) Searcher(i search.Reader, o search.SearcherOptions) (search.Searcher, error) {
	s, err := searcher.NewMatchAllSearcher(i, 1, similarity.ConstantScorer(0), o)
	if err != nil {
		return nil, err
	}
	if !o.Explain {
		return s, nil
	}
	return &wrapSearcher{Searcher: s, boost: 1, label: "all: every document matches; score 0", explain: o.Explain}, nil
}

// conjunctionQuery matches documents matching every query; the score is
// the sum.
type conjunctionQuery []bluge.Query

func (q conjunctionQuery) Searcher(i search.Reader, o search.SearcherOptions) (search.Searcher, error) {
	ss, err := searchers(q, i, o)
	if err != nil {
		return nil, err
	}
	return searcher.NewConjunctionSearcher(i, ss, similarity.NewCompositeSumScorer(), o)
}

// disjunctionQuery matches documents matching at least one query; the
// score is the sum over those that match.
type disjunctionQuery []bluge.Query

func (q disjunctionQuery) Searcher(i search.Reader, o search.SearcherOptions) (search.Searcher, error) {
	ss, err := searchers(q, i, o)
	if err != nil {
		return nil, err
	}
	return searcher.NewDisjunctionSearcher(i, ss, 1, similarity.NewCompositeSumScorer(), o)
}

// excludeQuery matches must minus not, scored by must alone.
type excludeQuery struct{ must, not bluge.Query }

func (q excludeQuery) Searcher(i search.Reader, o search.SearcherOptions) (search.Searcher, error) {
	ss, err := searchers([]bluge.Query{q.must, q.not}, i, o)
	if err != nil {
		return nil, err
	}
	return searcher.NewBooleanSearcher(ss[0], nil, ss[1], similarity.NewCompositeSumScorer(), o)
}

func searchers(qs []bluge.Query, i search.Reader, o search.SearcherOptions) ([]search.Searcher, error) {
	out := make([]search.Searcher, 0, len(qs))
	for _, q := range qs {
		s, err := q.Searcher(i, o)
		if err != nil {
			for _, s := range out {
				_ = s.Close()
			}
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// wrapQuery multiplies the score of q by boost (Bluge's phrase queries
// ignore their own boost) and, when explaining, names what q matched.
type wrapQuery struct {
	q     bluge.Query
	boost float64
	label string
}

func labeled(q bluge.Query, label string) bluge.Query { return wrapQuery{q: q, boost: 1, label: label} }

func scaled(q bluge.Query, boost float64, label string) bluge.Query {
	return wrapQuery{q: q, boost: boost, label: label}
}

func (q wrapQuery) Searcher(i search.Reader, o search.SearcherOptions) (search.Searcher, error) {
	s, err := q.q.Searcher(i, o)
	if err != nil {
		return nil, err
	}
	if q.boost == 1 && !o.Explain {
		return s, nil // nothing to do: keep Bluge's searcher (and its optimizations)
	}
	return &wrapSearcher{Searcher: s, boost: q.boost, label: q.label, explain: o.Explain}, nil
}

type wrapSearcher struct {
	search.Searcher
	boost   float64
	label   string
	explain bool
}

func (s *wrapSearcher) Next(ctx *search.Context) (*search.DocumentMatch, error) {
	dm, err := s.Searcher.Next(ctx)
	return s.fix(dm), err
}

func (s *wrapSearcher) Advance(ctx *search.Context, n uint64) (*search.DocumentMatch, error) {
	dm, err := s.Searcher.Advance(ctx, n)
	return s.fix(dm), err
}

func (s *wrapSearcher) fix(dm *search.DocumentMatch) *search.DocumentMatch {
	if dm == nil {
		return nil
	}
	if s.boost != 1 {
		dm.Score *= s.boost
	}
	if s.explain {
		var children []*search.Explanation
		if s.boost != 1 {
			children = append(children, search.NewExplanation(s.boost, "boost"))
		}
		if dm.Explanation != nil {
			children = append(children, dm.Explanation)
		}
		dm.Explanation = search.NewExplanation(dm.Score, s.label, children...)
	}
	return dm
}

// searcherOptions are the options of every search: BM25 everywhere.
func searcherOptions(explain bool) search.SearcherOptions {
	return search.SearcherOptions{
		SimilarityForField: func(string) search.Similarity { return bm25 },
		Explain:            explain,
	}
}
