package search

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that its errors are
// positioned SyntaxErrors, that its trees keep their invariants, and that
// Format renders a tree Parse reads back the same. The seeds are the golden
// queries plus the corner cases below; regressions live in
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "deck", "a OR b c", "NOT a b", "(a AND b) AND c", `"case study"`, `-"x y"`,
		"-(a OR b)", "--a", "- a", "a -", "(a -)", "title:deck", `title:"case study"`,
		"type:pdf", "audience:internal", "TITLE:x", "foo:bar", `foo:"x"`, "foo:(x)", "foo:",
		"https://x.y/z", "10:30", "title:", "title:(x)", "()", "(", ")", `"`, `""`, "a AND",
		"OR b", "NOT", "a AND OR b", "how do we price the tier?", "?", "??", "the?", "AND?",
		"(b a?)", "a?)", "x? (y)", "-x?", "(((a)))", "a\u00a0b", "\xff\xfe", "a\x00b",
		"title:a:b", "-title:x", "-type:x", `type:"pdf"`, `"a""b"`, `a"b"c`, "!!! ...",
		strings.Repeat("(", 40) + "a", strings.Repeat("-", 40) + "a", strings.Repeat("a ", 600),
	} {
		f.Add(s)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "parse", "*.txt"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for line := range strings.SplitSeq(string(data), "\n") {
			if q, ok := strings.CutPrefix(line, "query:"); ok {
				f.Add(strings.TrimPrefix(q, " "))
			} else if lit, ok := strings.CutPrefix(line, "quoted: "); ok {
				if q, err := strconv.Unquote(lit); err == nil {
					f.Add(q)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, ErrSyntax) {
				t.Fatalf("Parse(%q): %v is not a *SyntaxError", s, err)
			}
			if se.Pos < 0 || se.Pos > len(s) {
				t.Fatalf("Parse(%q): position %d out of [0, %d]", s, se.Pos, len(s))
			}
			if q != nil || se.Msg == "" {
				t.Fatalf("Parse(%q): query %v, message %q with an error", s, q, se.Msg)
			}
			return
		}
		if q.Raw != s {
			t.Fatalf("Parse(%q): Raw is %q", s, q.Raw)
		}
		checkTree(t, s, q, q.Root, true)
		_ = PositiveTerms(q.Root)

		// Round trip, without the limits: they bound requests, not the
		// grammar, and a rendering may be a little longer than the query.
		text := q.Format()
		again, err := parse(text, 1<<20, 1<<20)
		if err != nil {
			t.Fatalf("Parse(%q) formats to %q: %v", s, text, err)
		}
		if again.Root.String() != q.Root.String() || again.Question != q.Question {
			t.Fatalf("Parse(%q) = %v (question %v), formats to %q = %v (question %v)",
				s, q.Root, q.Question, text, again.Root, again.Question)
		}
		if again.Format() != text {
			t.Fatalf("Format unstable: %q, then %q", text, again.Format())
		}
	})
}

// checkTree checks the invariants of a tree Parse returned for s.
func checkTree(t *testing.T, s string, q *Query, n Node, root bool) {
	t.Helper()
	leafAt := func(f Field, text string, pos int, phrase bool) {
		if len(Analyze(text)) == 0 {
			t.Fatalf("Parse(%q): %v has no word", s, n)
		}
		if pos < 0 || pos >= len(s) {
			t.Fatalf("Parse(%q): %v at %d, out of the query", s, n, pos)
		}
		at := s[pos:]
		if f != FieldDefault {
			name, rest, ok := strings.Cut(at, ":")
			if !ok || !strings.EqualFold(name, string(f)) {
				t.Fatalf("Parse(%q): %v at %d, not at its scope", s, n, pos)
			}
			at = rest
		}
		if phrase {
			at = strings.TrimPrefix(at, `"`)
		}
		if !strings.HasPrefix(at, text) {
			t.Fatalf("Parse(%q): %v at %d, not at its text", s, n, pos)
		}
	}
	switch n := n.(type) {
	case *All:
		if !root {
			t.Fatalf("Parse(%q): (all) inside %v", s, q.Root)
		}
	case *Term:
		leafAt(n.Field, n.Text, n.Pos, false)
		if !q.Question && n.Field == FieldDefault && (n.Text == "AND" || n.Text == "OR" || n.Text == "NOT") {
			t.Fatalf("Parse(%q): operator %v as a term", s, n)
		}
	case *Phrase:
		leafAt(n.Field, n.Text, n.Pos, true)
	case *Not:
		if q.Question || n.Clause == nil {
			t.Fatalf("Parse(%q): bad %v", s, q.Root)
		}
		checkTree(t, s, q, n.Clause, false)
	case *And:
		if q.Question || len(n.Clauses) < 2 {
			t.Fatalf("Parse(%q): bad %v", s, n)
		}
		for _, c := range n.Clauses {
			if _, nested := c.(*And); nested {
				t.Fatalf("Parse(%q): nested and in %v", s, n)
			}
			checkTree(t, s, q, c, false)
		}
	case *Or:
		if len(n.Clauses) < 2 || (q.Question && !root) {
			t.Fatalf("Parse(%q): bad %v", s, n)
		}
		for _, c := range n.Clauses {
			if _, nested := c.(*Or); nested {
				t.Fatalf("Parse(%q): nested or in %v", s, n)
			}
			checkTree(t, s, q, c, false)
		}
	default:
		t.Fatalf("Parse(%q): unexpected node %#v", s, n)
	}
}
