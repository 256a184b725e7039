package search

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/matryer/is"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, q, want string
	}{
		{"empty", "", `(all)`},
		{"blank", " \t\n", `(all)`},
		{"word", "deck", `(term "deck")`},
		{"word as typed", "Decks,", `(term "Decks,")`},
		{"adjacent words mean AND", "pricing deck", `(and (term "pricing") (term "deck"))`},
		{"AND", "pricing AND deck", `(and (term "pricing") (term "deck"))`},
		{"OR", "pricing OR deck", `(or (term "pricing") (term "deck"))`},
		{"NOT alone", "NOT deck", `(not (term "deck"))`},
		{"lower-case operators are words", "sales and not marketing or", `(and (term "sales") (term "and") (term "not") (term "marketing") (term "or"))`},
		{"phrase", `"case study"`, `(phrase "case study")`},
		{"phrase as typed", `" Case  Study "`, `(phrase " Case  Study ")`},
		{"phrase next to a word", `deck"case study"`, `(and (term "deck") (phrase "case study"))`},
		{"minus word", "deck -draft", `(and (term "deck") (not (term "draft")))`},
		{"minus phrase", `deck -"old pricing"`, `(and (term "deck") (not (phrase "old pricing")))`},
		{"minus group", "deck -(old OR draft)", `(and (term "deck") (not (or (term "old") (term "draft"))))`},
		{"minus scope", "deck -title:draft", `(and (term "deck") (not (term title "draft")))`},
		{"minus alone is punctuation", "deck - draft", `(and (term "deck") (term "draft"))`},
		{"minus before ) is punctuation", "(deck -)", `(term "deck")`},
		{"minus inside a word", "e-mail follow-up", `(and (term "e-mail") (term "follow-up"))`},
		{"double negation stays", "NOT NOT deck", `(not (not (term "deck")))`},
		{"double minus", "--deck", `(not (not (term "deck")))`},
		{"NOT then minus", "NOT -deck", `(not (not (term "deck")))`},
		{"OR binds loosest", "a OR b c", `(or (term "a") (and (term "b") (term "c")))`},
		{"AND binds tighter than OR", "a AND b OR c", `(or (and (term "a") (term "b")) (term "c"))`},
		{"NOT binds tightest", "NOT a b", `(and (not (term "a")) (term "b"))`},
		{"NOT binds tighter than OR", "NOT a OR b", `(or (not (term "a")) (term "b"))`},
		{"parentheses", "(a OR b) c", `(and (or (term "a") (term "b")) (term "c"))`},
		{"nested same operator is flattened", "(a AND b) AND c", `(and (term "a") (term "b") (term "c"))`},
		{"or flattened", "a OR (b OR c)", `(or (term "a") (term "b") (term "c"))`},
		{"single clause group collapses", "((deck))", `(term "deck")`},
		{"scope term", "title:deck", `(term title "deck")`},
		{"scope phrase", `title:"case study"`, `(phrase title "case study")`},
		{"scope name any case", "Title:Deck SPOT:emea", `(and (term title "Deck") (term spot "emea"))`},
		{"every scope", "title:a spot:b list:c label:d type:pdf audience:external author:e owner:f",
			`(and (term title "a") (term spot "b") (term list "c") (term label "d") (term type "pdf") (term audience "external") (term author "e") (term owner "f"))`},
		{"type any case", "type:PDF", `(term type "PDF")`},
		{"type phrase", `type:"video"`, `(phrase type "video")`},
		{"audience", "audience:Internal", `(term audience "Internal")`},
		{"scope value keeps later colons", "title:q3:emea", `(term title "q3:emea")`},
		{"scope value may be an operator word", "title:AND", `(term title "AND")`},
		{"time is text", "10:30 call", `(and (term "10:30") (term "call"))`},
		{"url is text", "https://example.com/deck", `(term "https://example.com/deck")`},
		{"colon ending a word is text", "agenda: pricing", `(and (term "agenda:") (term "pricing"))`},
		{"colon ending a word before )", "(pricing agenda:)", `(and (term "pricing") (term "agenda:"))`},
		{"leading colon is text", ":deck", `(term ":deck")`},
		{"punctuation dropped", "deck !!! ...", `(term "deck")`},
		{"only punctuation", "-- !!! ,", `(all)`},
		{"empty phrase dropped", `"" deck`, `(term "deck")`},
		{"punctuation group dropped", "deck (!!)", `(term "deck")`},
		{"negated punctuation dropped", "deck -!!", `(term "deck")`},
		{"punctuation scope value dropped", "title:!! deck", `(term "deck")`},
		{"operand of OR dropped", "deck OR !!", `(term "deck")`},
		{"question mark inside is text", "what? deck", `(and (term "what?") (term "deck"))`},
		{"quoted question is no question", `"why?"`, `(phrase "why?")`},
		{"non-ASCII words", "präsentation Übersicht", `(and (term "präsentation") (term "Übersicht"))`},
		{"unicode space separates", "deck\u00a0pricing", `(and (term "deck") (term "pricing"))`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			q, err := Parse(tt.q)
			is.NoErr(err)
			is.Equal(q.Root.String(), tt.want)
			is.True(!q.Question)
			is.Equal(q.Raw, tt.q)
		})
	}
}

func TestParseQuestion(t *testing.T) {
	tests := []struct {
		name, q, want string
	}{
		{"stop words dropped", "how do we price the enterprise tier?", `(or (term "price") (term "enterprise") (term "tier"))`},
		{"one content word", "pricing?", `(term "pricing")`},
		{"trailing space", "  pricing ?  ", `(term "pricing")`},
		{"several marks", "pricing??", `(term "pricing")`},
		{"possessive stop word", "what's our pricing?", `(term "pricing")`},
		{"operators are words", "pricing AND NOT discount OR deck?", `(or (term "pricing") (term "discount") (term "deck"))`},
		{"minus and parentheses ignored", "what about -(pricing deck)?", `(or (term "pricing") (term "deck"))`},
		{"phrases and scopes kept", `what is "case study" in title:pricing for author:the?`, `(or (phrase "case study") (term title "pricing") (term author "the"))`},
		{"phrase of stop words kept", `what is "the"?`, `(phrase "the")`},
		{"scoped last word", "which type:pdf?", `(term type "pdf")`},
		{"only stop words are kept", "who are you?", `(or (term "who") (term "are") (term "you"))`},
		{"only operators are kept", "AND OR?", `(or (term "AND") (term "OR"))`},
		{"punctuation dropped", "what ... pricing -- ?", `(term "pricing")`},
		{"only a question mark", "?", `(all)`},
		{"unbalanced parentheses are no error", "(pricing deck?", `(or (term "pricing") (term "deck"))`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			q, err := Parse(tt.q)
			is.NoErr(err)
			is.Equal(q.Root.String(), tt.want)
			is.True(q.Question)
			is.Equal(q.Raw, tt.q)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, q string
		pos     int
		msg     string
	}{
		{"unclosed quote", `deck "case study`, 5, "unclosed quote"},
		{"unclosed scoped quote", `title:"case study`, 6, "unclosed quote"},
		{"unclosed quote in a question", `what is "roi?`, 8, "unclosed quote"},
		{"unclosed parenthesis", "(a OR b", 0, "unclosed parenthesis"},
		{"unclosed inner parenthesis", "(a (b c)", 0, "unclosed parenthesis"},
		{"unexpected )", "a OR b)", 6, "unexpected )"},
		{"leading )", ") a", 0, "unexpected )"},
		{"empty parentheses", "deck ()", 5, "empty parentheses"},
		{"empty parentheses with space", "deck ( )", 5, "empty parentheses"},
		{"AND at the end", "a AND", 2, "missing term after AND"},
		{"AND at the start", "AND a", 0, "missing term before AND"},
		{"OR at the start", "OR b", 0, "missing term before OR"},
		{"OR at the end", "a OR", 2, "missing term after OR"},
		{"NOT alone", "NOT", 0, "missing term after NOT"},
		{"NOT at the end", "a NOT", 2, "missing term after NOT"},
		{"AND OR", "a AND OR b", 2, "missing term after AND"},
		{"OR AND", "a OR AND b", 2, "missing term after OR"},
		{"OR OR", "a OR OR b", 2, "missing term after OR"},
		{"NOT OR", "NOT OR b", 0, "missing term after NOT"},
		{"minus before an operator", "a -AND b", 2, "missing term after -"},
		{"OR before )", "(a OR) b", 3, "missing term after OR"},
		{"AND after (", "(AND a)", 1, "missing term before AND"},
		{"empty scope", "title:", 0, "empty scope title"},
		{"empty scope before word", "deck title: x", 5, "empty scope title"},
		{"empty scope before )", "(title:)", 1, "empty scope title"},
		{"empty scope typed case", "Spot:", 0, "empty scope Spot"},
		{"scope of a group", "title:(a b)", 6, "scope title takes one word or a quoted phrase, not a group"},
		{"unknown scope", "deck foo:bar", 5, "unknown scope foo"},
		{"unknown scope phrase", `foo:"bar"`, 0, "unknown scope foo"},
		{"unknown scope group", `foo:(bar)`, 0, "unknown scope foo"},
		{"unknown scope in a question", "what is foo:bar?", 8, "unknown scope foo"},
		{"unknown type", "deck type:pfd", 10, `unknown type "pfd" (want one of document, presentation, pdf, video, image, spreadsheet, link, page, track, remix)`},
		{"plural type", "type:pdfs", 5, `unknown type "pdfs" (want one of document, presentation, pdf, video, image, spreadsheet, link, page, track, remix)`},
		{"unknown type phrase", `type:"slide deck"`, 5, `unknown type "slide deck" (want one of document, presentation, pdf, video, image, spreadsheet, link, page, track, remix)`},
		{"unknown audience", "audience:public", 9, `unknown audience "public" (want internal or external)`},
		{"unknown type in a question", "which type:slides?", 11, `unknown type "slides" (want one of document, presentation, pdf, video, image, spreadsheet, link, page, track, remix)`},
		{"first error from the left", `a) "b`, 1, "unexpected )"},
		{"too long", strings.Repeat("a ", 501), 1000, "query longer than 1000 bytes"},
		{"too deep", strings.Repeat("(", 33) + "a" + strings.Repeat(")", 33), 32, "query nested deeper than 32 levels"},
		{"too many negations", strings.Repeat("-", 33) + "a", 32, "query nested deeper than 32 levels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			q, err := Parse(tt.q)
			is.True(q == nil)
			is.True(errors.Is(err, ErrSyntax))
			var se *SyntaxError
			is.True(errors.As(err, &se))
			is.Equal(se.Msg, tt.msg)
			is.Equal(se.Pos, tt.pos)
		})
	}
}

func TestParseLimits(t *testing.T) {
	is := is.New(t)
	_, err := Parse(strings.Repeat("a", MaxQueryBytes))
	is.NoErr(err) // exactly the limit is fine
	deep := strings.Repeat("(", MaxQueryDepth) + "a" + strings.Repeat(")", MaxQueryDepth)
	q, err := Parse(deep)
	is.NoErr(err)
	is.Equal(q.Root.String(), `(term "a")`)
	q, err = Parse(strings.Repeat("(a ", 20) + strings.Repeat(")", 20)) // depth resets when groups close
	is.NoErr(err)
	q, err = Parse(strings.Repeat("(a) ", 100))
	is.NoErr(err)
	is.Equal(len(q.Root.(*And).Clauses), 100)
}

func TestParsePositions(t *testing.T) {
	is := is.New(t)
	q, err := Parse(`deck -title:"case study" (x OR "y z")`)
	is.NoErr(err)
	and := q.Root.(*And)
	is.Equal(and.Clauses[0].(*Term).Pos, 0)
	is.Equal(and.Clauses[1].(*Not).Clause.(*Phrase).Pos, 6) // the scope, after the minus
	or := and.Clauses[2].(*Or)
	is.Equal(or.Clauses[0].(*Term).Pos, 26)
	is.Equal(or.Clauses[1].(*Phrase).Pos, 31)
}

func TestFormat(t *testing.T) {
	tests := []struct{ q, want string }{
		{"", ""},
		{"deck", "deck"},
		{"pricing AND deck", "pricing deck"},
		{"NOT a b", "-a b"},
		{"NOT (a b)", "-(a b)"},
		{"a OR b c", "a OR b c"},
		{"(a OR b) AND c", "(a OR b) c"},
		{"NOT (a OR b)", "-(a OR b)"},
		{"NOT NOT a", "--a"},
		{`TITLE:"case study" Type:PDF`, `title:"case study" type:PDF`},
		{"(b a?)", "(b a?)"},
		{"(-x?)", "(-x?)"},
		{"how do we price the tier?", "price tier?"},
		{"who?", "who?"},
		{"?", "?"},
		{"0? A ?", "0? ?"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			is := is.New(t)
			q, err := Parse(tt.q)
			is.NoErr(err)
			is.Equal(q.Format(), tt.want)
			again, err := Parse(q.Format())
			is.NoErr(err)
			is.Equal(again.Root.String(), q.Root.String())
			is.Equal(again.Question, q.Question)
		})
	}
}

func TestPositiveTerms(t *testing.T) {
	tests := []struct {
		q    string
		want []string
	}{
		{"", nil},
		{"Decks", []string{"deck"}},
		{`pricing "Case Studies" -draft`, []string{"pricing", "case", "study"}},
		{"deck OR decks deck's", []string{"deck"}},
		{"-(a b) NOT c d", []string{"d"}},
		{"NOT NOT deck", nil},
		{"title:Roadmap spot:EMEA type:pdf audience:external author:ada", []string{"roadmap", "emea", "ada"}},
		{"follow-up (q3 OR q4)", []string{"follow", "up", "q3", "q4"}},
		{"how do we price the enterprise tier?", []string{"price", "enterprise", "tier"}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			is := is.New(t)
			q, err := Parse(tt.q)
			is.NoErr(err)
			is.Equal(PositiveTerms(q.Root), tt.want)
		})
	}
	is := is.New(t)
	is.Equal(PositiveTerms(nil), nil)
}

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// TestParseGolden checks the parse trees in testdata/parse/*.txt. Each case
// there is a "query:" line (the query is the rest of the line, as is) or a
// "quoted:" line (a Go string literal), followed by result lines: "tree:"
// or "question:" with Node.String and "format:" with Query.Format, or
// "error:". Run with -update to rewrite the results after adding cases.
func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "parse", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cases := 0
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
			var out []string
			for i := 0; i < len(lines); {
				line, at := lines[i], i+1
				i++
				out = append(out, line)
				q, ok := goldenQuery(t, file, at, line)
				if !ok {
					continue
				}
				cases++
				var want []string
				for i < len(lines) && isGoldenResult(lines[i]) {
					want = append(want, lines[i])
					i++
				}
				got := goldenResult(t, q)
				out = append(out, got...)
				if !*update && !slices.Equal(got, want) {
					t.Errorf("%s:%d: %q\ngot:\n\t%s\nwant:\n\t%s", file, at, q,
						strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
				}
			}
			if *update {
				if err := os.WriteFile(file, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	if cases < 40 {
		t.Errorf("%d golden cases; the grammar deserves at least 40", cases)
	}
}

func goldenQuery(t *testing.T, file string, n int, line string) (string, bool) {
	if q, ok := strings.CutPrefix(line, "query:"); ok {
		return strings.TrimPrefix(q, " "), true
	}
	if lit, ok := strings.CutPrefix(line, "quoted: "); ok {
		q, err := strconv.Unquote(lit)
		if err != nil {
			t.Fatalf("%s:%d: %v", file, n, err)
		}
		return q, true
	}
	return "", false
}

func isGoldenResult(line string) bool {
	for _, p := range []string{"tree:", "question:", "format:", "error:"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// goldenResult parses q into its result lines, checking on the way that
// Format round-trips.
func goldenResult(t *testing.T, s string) []string {
	q, err := Parse(s)
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	kind := "tree"
	if q.Question {
		kind = "question"
	}
	f := q.Format()
	if again, err := Parse(f); err != nil || again.Root.String() != q.Root.String() || again.Question != q.Question {
		t.Errorf("%q formats to %q, which does not parse back the same (%v)", s, f, err)
	}
	return []string{fmt.Sprintf("%s: %s", kind, q.Root), strings.TrimSpace("format: " + f)}
}
