package blugesearch

import (
	"github.com/blugelabs/bluge/analysis"

	"github.com/briefcasehq/briefcase/search"
)

// valueTokens analyzes one field value once (with search.Analyze) for the
// two Bluge fields that index it: the words and the word pairs. Bluge
// analyzes the fields of one document in order on one goroutine, so the
// words field computes the tokens and the pairs field reuses them.
type valueTokens struct {
	text string
	toks []search.Token
	done bool
}

func (v *valueTokens) tokens() []search.Token {
	if !v.done {
		v.toks = search.Analyze(v.text)
		v.done = true
	}
	return v.toks
}

// words is a Bluge analyzer producing the words of a value, as
// search.Analyze finds them, at consecutive positions.
type words struct{ v *valueTokens }

func (a words) Analyze([]byte) analysis.TokenStream {
	toks := a.v.tokens()
	backing := make([]analysis.Token, len(toks))
	out := make(analysis.TokenStream, len(toks))
	for i, t := range toks {
		backing[i] = analysis.Token{Start: t.Start, End: t.End, Term: []byte(t.Term), PositionIncr: 1, Type: analysis.AlphaNumeric}
		out[i] = &backing[i]
	}
	return out
}

// pairs is a Bluge analyzer producing the pairs of adjacent common words
// of a value ("of the", "in a"; see common.go), each at the position of
// its first word, so a phrase made only of common words is a phrase of
// consecutive pairs.
type pairs struct {
	v      *valueTokens
	common commonSet
}

func (a pairs) Analyze([]byte) analysis.TokenStream {
	toks := a.v.tokens()
	var out analysis.TokenStream
	last := -1 // word index of the last pair
	for i := 0; i+1 < len(toks); i++ {
		if a.common[toks[i].Term] && a.common[toks[i+1].Term] {
			out = append(out, &analysis.Token{
				Start: toks[i].Start, End: toks[i+1].End,
				Term:         pairTerm(toks[i].Term, toks[i+1].Term),
				PositionIncr: i - last, Type: analysis.Shingle,
			})
			last = i
		}
	}
	return out
}

// pairTerm is the indexed term of two consecutive words. A space never
// occurs inside a word (search.Analyze splits on it), so pairs cannot
// collide with words or with each other.
func pairTerm(a, b string) []byte {
	t := make([]byte, 0, len(a)+1+len(b))
	t = append(t, a...)
	t = append(t, ' ')
	return append(t, b...)
}
