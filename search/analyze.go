package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token is one indexed word of a text.
type Token struct {
	// Term is the normalized word: lower case, possessive and plural ending
	// removed ("Customers'" and "customer's" both give "customer").
	Term string
	// Position counts tokens from 0; a phrase matches consecutive positions.
	Position int
	// Start and End are the byte offsets of the word in the text.
	Start, End int
}

// Analyze splits text into tokens: runs of letters and digits (an
// apostrophe inside a word is kept, then a possessive dropped), lower-cased
// and lightly stemmed (English plurals). Every engine indexes and queries
// through Analyze, so engines agree on what a word is, and highlighting
// finds the same words the engine matched.
func Analyze(text string) []Token {
	var out []Token
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		word := strings.Trim(text[start:end], "'’")
		if word != "" {
			out = append(out, Token{Term: Normalize(word), Position: len(out), Start: start, End: end})
		}
		start = -1
	}
	for i, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if start < 0 {
				start = i
			}
		case (r == '\'' || r == '’') && start >= 0:
			// kept inside a word: "customer's", "don't"
		default:
			flush(i)
		}
	}
	flush(len(text))
	return out
}

// Terms returns the terms of text, in order, as Analyze finds them.
func Terms(text string) []string {
	toks := Analyze(text)
	terms := make([]string, len(toks))
	for i, t := range toks {
		terms[i] = t.Term
	}
	return terms
}

// Normalize lower-cases one word and removes a possessive and an English
// plural ending. It is deliberately light (no Porter stemming): "deck" and
// "decks" meet, "pricing" and "price" stay apart.
func Normalize(word string) string {
	w := strings.ToLower(word)
	w = strings.ReplaceAll(w, "’", "'")
	for _, suffix := range []string{"'s", "'"} {
		if strings.HasSuffix(w, suffix) && len(w) > len(suffix) {
			w = w[:len(w)-len(suffix)]
			break
		}
	}
	w = strings.ReplaceAll(w, "'", "")
	return singular(w)
}

// singular strips a regular English plural from a lower-case word.
func singular(w string) string {
	n := utf8.RuneCountInString(w)
	if n <= 3 || !strings.HasSuffix(w, "s") {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ies") && n > 4:
		return w[:len(w)-3] + "y" // case studies → case study
	case strings.HasSuffix(w, "sses"), strings.HasSuffix(w, "shes"), strings.HasSuffix(w, "ches"),
		strings.HasSuffix(w, "xes"), strings.HasSuffix(w, "zzes"):
		return w[:len(w)-2] // businesses → business, batches → batch
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"),
		strings.HasSuffix(w, "ous"):
		return w // business, status, analysis
	}
	return w[:len(w)-1]
}

// stopWords are dropped from questions ("how do we price the enterprise
// tier?" searches price, enterprise, tier).
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all am an and any are as at be because
	been before being below between both but by can could did do does doing down during each few for from
	further had has have having he her here hers herself him himself his how i if in into is it its itself
	just let me more most my myself no nor not now of off on once only or other our ours ourselves out over
	own same she should so some such than that the their theirs them themselves then there these they this
	those through to too under until up very was we were what when where which while who whom why will with
	would you your yours yourself yourselves get got use using need want find show tell give`) {
		m[Normalize(w)] = true
	}
	return m
}()

// IsStopWord reports whether a normalized term is dropped from questions.
func IsStopWord(term string) bool { return stopWords[term] }
