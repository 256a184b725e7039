package search

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/briefcasehq/briefcase/items"
)

// Limits of one query: they bound the work and the tree depth a request
// can cause, whatever engine runs it.
const (
	// MaxQueryBytes is the longest query Parse accepts.
	MaxQueryBytes = 1000
	// MaxQueryDepth is how deeply parentheses and negations may nest.
	MaxQueryDepth = 32
)

// Parse parses a query in the grammar described in the package
// documentation. The empty query (or one of punctuation only) gives *All.
// Every error is a *SyntaxError (errors.Is(err, ErrSyntax)) whose Pos is the
// byte offset of the problem in s.
func Parse(s string) (*Query, error) {
	return parse(s, MaxQueryBytes, MaxQueryDepth)
}

// parse is Parse with explicit limits, so tests can check that the grammar
// round-trips independently of them.
func parse(s string, maxBytes, maxDepth int) (*Query, error) {
	if len(s) > maxBytes {
		return nil, syntaxErr(maxBytes, "query longer than %d bytes", maxBytes)
	}
	q := &Query{Raw: s}
	var root Node
	var err error
	if body, ok := questionBody(s); ok {
		q.Question = true
		root, err = parseQuestion(body)
	} else {
		p := &parser{lex: lexer{s: s}, maxDepth: maxDepth}
		root, err = p.parse()
	}
	if err != nil {
		return nil, err
	}
	if root == nil {
		root = &All{}
	}
	q.Root = root
	return q, nil
}

// questionBody reports whether s is a question (its trimmed text ends in
// '?') and returns it without the trailing question marks, which are not
// part of its last word ("pricing?" searches pricing; "type:pdf?" is valid).
// Only the end is cut, so byte offsets stay those of s.
func questionBody(s string) (string, bool) {
	t := strings.TrimRightFunc(s, unicode.IsSpace)
	if !strings.HasSuffix(t, "?") {
		return "", false
	}
	return strings.TrimRight(t, "?"), true
}

func syntaxErr(pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

type tokenKind int

const (
	tokEOF    tokenKind = iota
	tokWord             // a bare word, or a scope with its word
	tokPhrase           // a quoted phrase, or a scope with its phrase
	tokLParen
	tokRParen
	tokAnd
	tokOr
	tokNot   // the NOT operator
	tokMinus // '-' directly before an operand
)

type token struct {
	kind tokenKind
	// pos is the byte offset of the token, of its scope when scoped.
	pos   int
	field Field
	// text is the word as typed, or the phrase between its quotes; for
	// operators, the operator.
	text string
}

// lexer splits a query into tokens on demand, so the parser reports the
// first problem from the left.
type lexer struct {
	s   string
	pos int
}

// isBreak reports whether r ends a word.
func isBreak(r rune) bool { return unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' }

// runeAt decodes the rune at byte offset i; utf8.RuneError and 0 at the end.
func (l *lexer) runeAt(i int) (rune, int) {
	if i >= len(l.s) {
		return utf8.RuneError, 0
	}
	return utf8.DecodeRuneInString(l.s[i:])
}

func (l *lexer) next() (token, error) {
	for l.pos < len(l.s) {
		r, n := l.runeAt(l.pos)
		if !unicode.IsSpace(r) {
			break
		}
		l.pos += n
	}
	start := l.pos
	if start >= len(l.s) {
		return token{kind: tokEOF, pos: start}, nil
	}
	switch l.s[start] {
	case '(':
		l.pos++
		return token{kind: tokLParen, pos: start, text: "("}, nil
	case ')':
		l.pos++
		return token{kind: tokRParen, pos: start, text: ")"}, nil
	case '"':
		text, err := l.quoted()
		return token{kind: tokPhrase, pos: start, text: text}, err
	case '-':
		// A minus negates what follows it directly; alone ("a - b") it is
		// punctuation, and inside a word ("e-mail") it is part of it.
		if r, n := l.runeAt(start + 1); n > 0 && !unicode.IsSpace(r) && r != ')' {
			l.pos++
			return token{kind: tokMinus, pos: start, text: "-"}, nil
		}
	}
	for l.pos < len(l.s) {
		r, n := l.runeAt(l.pos)
		if isBreak(r) {
			break
		}
		l.pos += n
	}
	w := l.s[start:l.pos]
	switch w {
	case "AND":
		return token{kind: tokAnd, pos: start, text: w}, nil
	case "OR":
		return token{kind: tokOr, pos: start, text: w}, nil
	case "NOT":
		return token{kind: tokNot, pos: start, text: w}, nil
	}
	colon := strings.IndexByte(w, ':')
	if colon < 0 {
		return token{kind: tokWord, pos: start, text: w}, nil
	}
	return l.scoped(start, w[:colon], w[colon+1:])
}

// quoted reads a phrase starting at the quote under l.pos and returns the
// text between the quotes.
func (l *lexer) quoted() (string, error) {
	open := l.pos
	end := strings.IndexByte(l.s[open+1:], '"')
	if end < 0 {
		return "", syntaxErr(open, "unclosed quote")
	}
	l.pos = open + 1 + end + 1
	return l.s[open+1 : open+1+end], nil
}

// scoped finishes a word that holds a colon: name is what comes before the
// first colon, value what follows it up to the end of the word (l.pos).
func (l *lexer) scoped(start int, name, value string) (token, error) {
	next := byte(0)
	if l.pos < len(l.s) {
		next = l.s[l.pos]
	}
	field, ok := scopeNamed(name)
	if !ok {
		// Only a word that reads like an attempt at a scope is refused, so
		// users learn the grammar; times (10:30), URLs (https://…) and a
		// colon closing a word ("agenda: pricing") are text.
		attempt := isScopeName(name) && !strings.HasPrefix(value, "//") &&
			(value != "" || next == '"' || next == '(')
		if attempt {
			return token{}, syntaxErr(start, "unknown scope %s", name)
		}
		return token{kind: tokWord, pos: start, text: l.s[start:l.pos]}, nil
	}
	valuePos := start + len(name) + 1
	t := token{kind: tokWord, pos: start, field: field, text: value}
	switch {
	case value != "":
	case next == '"':
		text, err := l.quoted()
		if err != nil {
			return token{}, err
		}
		t.kind, t.text = tokPhrase, text
	case next == '(':
		return token{}, syntaxErr(valuePos, "scope %s takes one word or a quoted phrase, not a group", name)
	default:
		return token{}, syntaxErr(start, "empty scope %s", name)
	}
	return t, validateExact(field, t.text, valuePos)
}

// scopeNamed returns the scope called name, in any case.
func scopeNamed(name string) (Field, bool) {
	for _, f := range Scopes {
		if strings.EqualFold(name, string(f)) {
			return f, true
		}
	}
	return "", false
}

// isScopeName reports whether name could be meant as a scope: letters only.
func isScopeName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// validateExact checks the values of the scopes matched exactly, so a
// typo (type:pfd) is an error rather than a search that finds nothing.
func validateExact(f Field, value string, pos int) error {
	v := strings.ToLower(value)
	switch f {
	case FieldType:
		if !items.Kind(v).Valid() {
			names := make([]string, len(items.Kinds))
			for i, k := range items.Kinds {
				names[i] = string(k)
			}
			return syntaxErr(pos, "unknown type %q (want one of %s)", value, strings.Join(names, ", "))
		}
	case FieldAudience:
		if !items.Audience(v).Valid() {
			return syntaxErr(pos, "unknown audience %q (want internal or external)", value)
		}
	}
	return nil
}

// leaf turns a word or phrase token into a node; nil when its text has no
// word at all (punctuation), which the query then ignores.
func leaf(t token) Node {
	if len(Analyze(t.text)) == 0 {
		return nil
	}
	if t.kind == tokPhrase {
		return &Phrase{Field: t.field, Text: t.text, Pos: t.pos}
	}
	return &Term{Field: t.field, Text: t.text, Pos: t.pos}
}

// parser is a recursive-descent parser over the grammar
//
//	query   = [ or ] EOF
//	or      = and { "OR" and }
//	and     = unary { [ "AND" ] unary }
//	unary   = ( "NOT" | "-" ) unary | primary
//	primary = "(" or ")" | word | phrase
//
// Every rule returns nil for a part that holds no word (punctuation), which
// the enclosing rule drops.
type parser struct {
	lex      lexer
	tok      token // the next token, not yet consumed
	depth    int
	maxDepth int
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) parse() (Node, error) {
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokEOF {
		return nil, nil
	}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		// parseOr stops only at ')' or the end.
		return nil, syntaxErr(p.tok.pos, "unexpected %s", p.tok.text)
	}
	return n, nil
}

// atOperand reports whether the next token can start a unary.
func (p *parser) atOperand() bool {
	switch p.tok.kind {
	case tokWord, tokPhrase, tokLParen, tokNot, tokMinus:
		return true
	}
	return false
}

func (p *parser) parseOr() (Node, error) {
	n, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	clauses := []Node{n}
	for p.tok.kind == tokOr {
		or := p.tok
		if err := p.advance(); err != nil {
			return nil, err
		}
		if !p.atOperand() {
			return nil, syntaxErr(or.pos, "missing term after OR")
		}
		n, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		clauses = append(clauses, n)
	}
	return join(false, clauses), nil
}

func (p *parser) parseAnd() (Node, error) {
	if !p.atOperand() {
		switch p.tok.kind {
		case tokAnd, tokOr:
			return nil, syntaxErr(p.tok.pos, "missing term before %s", p.tok.text)
		case tokRParen:
			return nil, syntaxErr(p.tok.pos, "unexpected )")
		}
		return nil, syntaxErr(p.tok.pos, "missing term")
	}
	var clauses []Node
	for {
		n, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		clauses = append(clauses, n)
		switch {
		case p.tok.kind == tokAnd:
			and := p.tok
			if err := p.advance(); err != nil {
				return nil, err
			}
			if !p.atOperand() {
				return nil, syntaxErr(and.pos, "missing term after AND")
			}
		case p.atOperand():
			// Adjacent terms mean AND.
		default:
			return join(true, clauses), nil
		}
	}
}

// enter goes one level deeper at pos, refusing queries nested too deeply
// for engines that walk the tree recursively.
func (p *parser) enter(pos int) error {
	p.depth++
	if p.depth > p.maxDepth {
		return syntaxErr(pos, "query nested deeper than %d levels", p.maxDepth)
	}
	return nil
}

func (p *parser) parseUnary() (Node, error) {
	switch t := p.tok; t.kind {
	case tokNot, tokMinus:
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		if err := p.advance(); err != nil {
			return nil, err
		}
		if !p.atOperand() {
			return nil, syntaxErr(t.pos, "missing term after %s", t.text)
		}
		n, err := p.parseUnary()
		if err != nil || n == nil {
			return nil, err
		}
		return &Not{Clause: n}, nil
	case tokLParen:
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		if err := p.advance(); err != nil {
			return nil, err
		}
		switch p.tok.kind {
		case tokRParen:
			return nil, syntaxErr(t.pos, "empty parentheses")
		case tokEOF:
			return nil, syntaxErr(t.pos, "unclosed parenthesis")
		}
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRParen {
			return nil, syntaxErr(t.pos, "unclosed parenthesis")
		}
		return n, p.advance()
	case tokWord, tokPhrase:
		return leaf(t), p.advance()
	}
	// Callers check atOperand first.
	return nil, syntaxErr(p.tok.pos, "missing term")
}

// join builds an And (and is true) or an Or of clauses: nil clauses are
// dropped, nested nodes of the same operator flattened, and a single clause
// stands for itself. nil when no clause is left.
func join(and bool, clauses []Node) Node {
	var out []Node
	for _, c := range clauses {
		switch c := c.(type) {
		case nil:
		case *And:
			if and {
				out = append(out, c.Clauses...)
			} else {
				out = append(out, c)
			}
		case *Or:
			if !and {
				out = append(out, c.Clauses...)
			} else {
				out = append(out, c)
			}
		default:
			out = append(out, c)
		}
	}
	switch {
	case len(out) == 0:
		return nil
	case len(out) == 1:
		return out[0]
	case and:
		return &And{Clauses: out}
	}
	return &Or{Clauses: out}
}

// parseQuestion reads a question: its words, phrases and scoped terms,
// ORed, with stop words dropped. Operators and parentheses are not
// grammar in a question: AND, OR and NOT are words (stop words), and
// parentheses and minus signs are ignored.
func parseQuestion(s string) (Node, error) {
	lex := lexer{s: s}
	var content, all []Node
	for {
		t, err := lex.next()
		if err != nil {
			return nil, err
		}
		switch t.kind {
		case tokEOF:
			if len(content) == 0 {
				// Only stop words: searching for them beats finding everything.
				content = all
			}
			return join(false, content), nil
		case tokAnd, tokOr, tokNot:
			t.kind = tokWord
		case tokWord, tokPhrase:
		default:
			continue
		}
		n := leaf(t)
		if n == nil {
			continue
		}
		all = append(all, n)
		if t.kind == tokWord && t.field == FieldDefault && stopWordsOnly(t.text) {
			continue
		}
		content = append(content, n)
	}
}

// stopWordsOnly reports whether every word of text is a stop word.
func stopWordsOnly(text string) bool {
	for _, t := range Terms(text) {
		if !IsStopWord(t) {
			return false
		}
	}
	return true
}

// Format renders q back in the grammar: Parse(q.Format()) gives the same
// tree and Question for every query Parse returns (a query near
// MaxQueryBytes or MaxQueryDepth may format to one slightly over them).
// Operators are written canonically: adjacency for AND, " OR ", '-' for
// NOT, lower-case scope names, parentheses only where precedence needs
// them.
func (q *Query) Format() string {
	if q == nil || q.Root == nil {
		return ""
	}
	if q.Question {
		// A question ORs its clauses by itself.
		clauses := []Node{q.Root}
		if or, ok := q.Root.(*Or); ok {
			clauses = or.Clauses
		}
		var parts []string
		for _, c := range clauses {
			if s := format(c, precOr); s != "" {
				parts = append(parts, s)
			}
		}
		s := strings.Join(parts, " ")
		if strings.HasSuffix(s, "?") {
			// The question's own marks would run into the last word's.
			s += " "
		}
		return s + "?"
	}
	s := format(q.Root, precOr)
	if strings.HasSuffix(s, "?") {
		// A last word ending in '?' would make it a question.
		s = "(" + s + ")"
	}
	return s
}

// Binding strength of the context a node is formatted in.
const (
	precOr = iota
	precAnd
	precUnary
)

func format(n Node, prec int) string {
	switch n := n.(type) {
	case *Term:
		return scopePrefix(n.Field) + n.Text
	case *Phrase:
		return scopePrefix(n.Field) + `"` + n.Text + `"`
	case *Not:
		return "-" + format(n.Clause, precUnary)
	case *And:
		return group(n.Clauses, " ", precAnd, prec)
	case *Or:
		return group(n.Clauses, " OR ", precOr, prec)
	}
	return ""
}

func group(clauses []Node, sep string, own, prec int) string {
	parts := make([]string, 0, len(clauses))
	for _, c := range clauses {
		if s := format(c, own+1); s != "" {
			parts = append(parts, s)
		}
	}
	s := strings.Join(parts, sep)
	if prec > own && len(parts) > 1 {
		s = "(" + s + ")"
	}
	return s
}

func scopePrefix(f Field) string {
	if f == FieldDefault {
		return ""
	}
	return string(f) + ":"
}

// PositiveTerms returns the normalized terms (see Terms) of every Term and
// Phrase of n that is not under a Not, in order of appearance and without
// duplicates: the words a hit is highlighted with and promoted keywords are
// matched against. Scopes matched exactly (type:, audience:) are left out:
// they filter rather than describe. nil when there are none.
func PositiveTerms(n Node) []string {
	var out []string
	var walk func(Node)
	walk = func(n Node) {
		var f Field
		var text string
		switch n := n.(type) {
		case *Term:
			f, text = n.Field, n.Text
		case *Phrase:
			f, text = n.Field, n.Text
		case *And:
			for _, c := range n.Clauses {
				walk(c)
			}
			return
		case *Or:
			for _, c := range n.Clauses {
				walk(c)
			}
			return
		default: // *Not, *All, nil
			return
		}
		if f.Exact() {
			return
		}
		for _, t := range Terms(text) {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	walk(n)
	return out
}
