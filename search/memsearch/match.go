package memsearch

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/briefcasehq/briefcase/search"
)

// BM25 parameters, Lucene's defaults.
const (
	k1 = 1.2
	b  = 0.75
)

// scorer matches and scores query nodes against documents of one corpus.
// With explain set it also builds the score tree; without, nodes are nil.
// Search and Explain run the same code, so their scores are identical.
type scorer struct {
	c       *corpus
	boosts  search.Boosts
	explain bool
	terms   map[string][]string // query text -> its terms, analyzed once per search
}

// analyze returns the terms of query text, analyzing each text once.
func (s *scorer) analyze(text string) []string {
	if t, ok := s.terms[text]; ok {
		return t
	}
	if s.terms == nil {
		s.terms = map[string][]string{}
	}
	t := search.Terms(text)
	s.terms[text] = t
	return t
}

// match reports whether e matches n, with its score (and tree).
func (s *scorer) match(n search.Node, e *entry) (bool, float64, *search.ScoreNode) {
	switch n := n.(type) {
	case nil, *search.All:
		return true, 0, s.node(0, "all: every document matches, score 0")
	case *search.Term:
		return s.text(n.Field, n.Text, "term", e)
	case *search.Phrase:
		return s.text(n.Field, n.Text, "phrase", e)
	case *search.And:
		ok, score, node := true, 0.0, s.node(0, "and: every clause must match; sum of")
		for _, cl := range n.Clauses {
			m, sc, child := s.match(cl, e)
			s.add(node, child)
			if !m {
				ok = false
				if !s.explain {
					break
				}
				continue
			}
			score += sc
		}
		if !ok {
			return false, 0, s.fail(node, "and: a clause does not match")
		}
		return true, score, s.set(node, score)
	case *search.Or:
		ok, score, node := false, 0.0, s.node(0, "or: at least one clause must match; sum of the matching")
		for _, cl := range n.Clauses {
			m, sc, child := s.match(cl, e)
			s.add(node, child)
			if m {
				ok = true
				score += sc
			}
		}
		if !ok {
			return false, 0, s.fail(node, "or: no clause matches")
		}
		return true, score, s.set(node, score)
	case *search.Not:
		m, _, child := s.match(n.Clause, e)
		if m {
			node := s.node(0, "not: excluded, the clause matches")
			s.add(node, child)
			return false, 0, node
		}
		node := s.node(0, "not: the clause does not match; no score")
		s.add(node, child)
		return true, 0, node
	}
	// validate rejected every other node type.
	panic(fmt.Sprintf("memsearch: unexpected node %T", n))
}

// text matches a Term or Phrase.
func (s *scorer) text(f search.Field, text, kind string, e *entry) (bool, float64, *search.ScoreNode) {
	if f.Exact() {
		want := strings.ToLower(text)
		got := e.doc.Kind
		if f == search.FieldAudience {
			got = e.doc.Audience
		}
		if got != want {
			if !s.explain {
				return false, 0, nil
			}
			return false, 0, s.nodef(0, "%s %s:%q: no match (the document's %s is %q)", kind, f, text, f, got)
		}
		return true, 0, s.nodef(0, "%s %s:%q: exact match, no score", kind, f, text)
	}
	terms := s.analyze(text)
	if len(terms) == 0 {
		return false, 0, s.nodef(0, "%s %q: no words, matches nothing", kind, text)
	}
	if len(terms) > 1 {
		kind = "phrase"
	}
	if f != search.FieldDefault {
		return s.field(f, terms, kind, e)
	}
	ok, score := false, 0.0
	var node *search.ScoreNode
	if s.explain {
		node = s.nodef(0, "%s %q in the default fields: sum of the matching fields", kind, strings.Join(terms, " "))
	}
	for _, df := range search.DefaultFields {
		m, sc, child := s.field(df, terms, kind, e)
		if m {
			ok = true
			score += sc
			s.add(node, child)
		}
	}
	if !ok {
		if s.explain {
			s.fail(node, fmt.Sprintf("%s %q: no match in any default field", kind, strings.Join(terms, " ")))
		}
		return false, 0, node
	}
	return true, score, s.set(node, score)
}

// field scores terms (one term, or a phrase) in one field with BM25 times
// the field's boost.
func (s *scorer) field(f search.Field, terms []string, kind string, e *entry) (bool, float64, *search.ScoreNode) {
	p := e.fields[f]
	freq := 0
	if p != nil {
		freq = occurrences(p, terms)
	}
	if freq == 0 {
		if !s.explain {
			return false, 0, nil
		}
		return false, 0, s.nodef(0, "%s %s:%q: no match", kind, f, strings.Join(terms, " "))
	}
	st := s.c.stats[f]
	n := float64(len(s.c.docs))
	idf := 0.0
	var idfNodes []*search.ScoreNode
	for _, t := range terms {
		df := float64(st.df[t])
		v := math.Log(1 + (n-df+0.5)/(df+0.5))
		idf += v
		if s.explain {
			idfNodes = append(idfNodes, s.nodef(v, "idf of %q in %s: ln(1 + (N - df + 0.5) / (df + 0.5)) with N %d documents, df %d", t, f, int(n), int(df)))
		}
	}
	avg := float64(st.tokens) / n
	tf := float64(freq)
	norm := tf * (k1 + 1) / (tf + k1*(1-b+b*float64(p.length)/avg))
	boost := s.boosts.Field(f)
	score := boost * idf * norm
	if !s.explain {
		return true, score, nil
	}
	node := s.nodef(score, "%s %s:%q: boost × idf × tf", kind, f, strings.Join(terms, " "))
	s.add(node, s.node(boost, "boost of "+string(f)))
	idfNode := s.node(idf, "idf: sum over the words")
	idfNode.Children = idfNodes
	s.add(node, idfNode)
	s.add(node, s.node(norm, fmt.Sprintf("tf: freq × (k1 + 1) / (freq + k1 × (1 - b + b × length / average length)) with freq %d, length %d, average length %.2f, k1 %g, b %g",
		freq, p.length, avg, k1, b)))
	return true, score, node
}

// occurrences counts where terms appear at consecutive positions.
func occurrences(p *postings, terms []string) int {
	first := p.positions[terms[0]]
	if len(terms) == 1 {
		return len(first)
	}
	n := 0
next:
	for _, pos := range first {
		for i, t := range terms[1:] {
			if _, ok := slices.BinarySearch(p.positions[t], pos+1+i); !ok {
				continue next
			}
		}
		n++
	}
	return n
}

func (s *scorer) node(v float64, msg string) *search.ScoreNode {
	if !s.explain {
		return nil
	}
	return &search.ScoreNode{Value: v, Message: msg}
}

// nodef is node with a formatted message, formatted only when explaining.
func (s *scorer) nodef(v float64, format string, args ...any) *search.ScoreNode {
	if !s.explain {
		return nil
	}
	return &search.ScoreNode{Value: v, Message: fmt.Sprintf(format, args...)}
}

func (s *scorer) add(parent, child *search.ScoreNode) {
	if parent != nil && child != nil {
		parent.Children = append(parent.Children, child)
	}
}

func (s *scorer) set(n *search.ScoreNode, v float64) *search.ScoreNode {
	if n != nil {
		n.Value = v
	}
	return n
}

func (s *scorer) fail(n *search.ScoreNode, msg string) *search.ScoreNode {
	if n != nil {
		n.Value, n.Message = 0, msg
	}
	return n
}

var knownFields = []search.Field{
	search.FieldDefault, search.FieldTitle, search.FieldDescription, search.FieldBody, search.FieldSpot,
	search.FieldList, search.FieldLabel, search.FieldAuthor, search.FieldOwner, search.FieldType, search.FieldAudience,
}

// validate rejects node types and fields the engine does not know.
func validate(n search.Node) error {
	switch n := n.(type) {
	case nil, *search.All:
	case *search.Term:
		if !slices.Contains(knownFields, n.Field) {
			return fmt.Errorf("unknown field %q: %w", n.Field, search.ErrInvalid)
		}
	case *search.Phrase:
		if !slices.Contains(knownFields, n.Field) {
			return fmt.Errorf("unknown field %q: %w", n.Field, search.ErrInvalid)
		}
	case *search.And:
		for _, c := range n.Clauses {
			if err := validate(c); err != nil {
				return err
			}
		}
	case *search.Or:
		for _, c := range n.Clauses {
			if err := validate(c); err != nil {
				return err
			}
		}
	case *search.Not:
		return validate(n.Clause)
	default:
		return fmt.Errorf("unknown query node %T: %w", n, search.ErrInvalid)
	}
	return nil
}

// passes applies the filter. A nil Access lets nothing through.
func passes(f *search.Filter, d *search.Document) bool {
	a := f.Access
	if a == nil {
		return false
	}
	if !a.All {
		if !intersects(a.SpotIDs, d.SpotIDs) {
			return false
		}
		if !slices.Contains(a.Statuses, d.Status) && !slices.Contains(a.AnyStatusHomeIDs, d.HomeSpotID) {
			return false
		}
	}
	if len(f.SpotIDs) > 0 && !intersects(f.SpotIDs, d.SpotIDs) {
		return false
	}
	for _, g := range f.ListGroups {
		if len(g) > 0 && !intersects(g, d.ListIDs) {
			return false
		}
	}
	return within(f.Kinds, d.Kind) && within(f.Audiences, d.Audience) && within(f.Statuses, d.Status)
}

func intersects(a, b []string) bool {
	for _, v := range a {
		if slices.Contains(b, v) {
			return true
		}
	}
	return false
}

// within reports whether v is in set; an empty set does not restrict.
func within(set []string, v string) bool { return len(set) == 0 || slices.Contains(set, v) }
