package search

import (
	"html"
	"strings"
)

// Highlight marks the query's terms in text. It returns up to max
// fragments of about width bytes around the matches, HTML-escaped, with
// each matching word wrapped in <mark>…</mark>, so a page can insert them
// as HTML safely. terms are normalized terms (see Terms); words match when
// they analyze to one of them. Text without a match gives no fragments.
func Highlight(text string, terms []string, max, width int) []string {
	if len(terms) == 0 || text == "" || max <= 0 {
		return nil
	}
	want := make(map[string]bool, len(terms))
	for _, t := range terms {
		want[t] = true
	}
	var hits []Token
	for _, tok := range Analyze(text) {
		if want[tok.Term] {
			hits = append(hits, tok)
		}
	}
	if len(hits) == 0 {
		return nil
	}
	var out []string
	for i := 0; i < len(hits) && len(out) < max; {
		start, end := window(text, hits[i].Start, hits[i].End, width)
		var b strings.Builder
		if start > 0 {
			b.WriteString("…")
		}
		pos := start
		for ; i < len(hits) && hits[i].End <= end; i++ {
			b.WriteString(html.EscapeString(text[pos:hits[i].Start]))
			b.WriteString("<mark>" + html.EscapeString(text[hits[i].Start:hits[i].End]) + "</mark>")
			pos = hits[i].End
		}
		b.WriteString(html.EscapeString(text[pos:end]))
		if end < len(text) {
			b.WriteString("…")
		}
		out = append(out, strings.Join(strings.Fields(b.String()), " "))
	}
	return out
}

// window returns a stretch of text of about width bytes around [s, e),
// widened to word boundaries.
func window(text string, s, e, width int) (int, int) {
	if len(text) <= width {
		return 0, len(text)
	}
	pad := max((width-(e-s))/2, 0)
	start, end := max(s-pad, 0), min(e+pad, len(text))
	for start > 0 && !isSpace(text[start-1]) {
		start--
	}
	for end < len(text) && !isSpace(text[end]) {
		end++
	}
	return start, end
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// BestPassage finds the stretch of about 50 words, on one page, that holds
// the most distinct query terms (then the most occurrences), for answering
// questions. It returns the 1-based page and the passage text; page 0 and
// "" when no page holds a term.
func BestPassage(pages []string, terms []string) (int, string) {
	const span = 50
	want := make(map[string]bool, len(terms))
	for _, t := range terms {
		want[t] = true
	}
	bestPage, bestText := 0, ""
	bestDistinct, bestCount := 0, 0
	for p, text := range pages {
		toks := Analyze(text)
		for i := range toks {
			if !want[toks[i].Term] {
				continue
			}
			end := min(i+span, len(toks))
			seen := map[string]bool{}
			count := 0
			for _, t := range toks[i:end] {
				if want[t.Term] {
					seen[t.Term] = true
					count++
				}
			}
			if len(seen) > bestDistinct || len(seen) == bestDistinct && count > bestCount {
				bestDistinct, bestCount = len(seen), count
				// Start a few words before the first match, at a sentence
				// start when one is close.
				from := max(i-5, 0)
				s, e := toks[from].Start, toks[end-1].End
				if k := strings.LastIndexAny(text[s:toks[i].Start], ".!?\n"); k >= 0 {
					s += k + 1
				}
				bestPage, bestText = p+1, strings.Join(strings.Fields(text[s:e]), " ")
			}
		}
	}
	return bestPage, bestText
}
