package search

import (
	"fmt"

	"github.com/briefcasehq/briefcase/errcode"
)

// ErrSyntax is the sentinel of every malformed query; the error is a
// *SyntaxError carrying the byte position.
var ErrSyntax = errcode.New(errcode.Invalid, "search: malformed query")

// ErrInvalid is returned for bad search requests other than query syntax
// (unknown sort, bad cursor, limit out of range); it names the field.
var ErrInvalid = errcode.New(errcode.Invalid, "search: invalid request")

// SyntaxError says what is wrong with a query and where. Pos is the byte
// offset in the query string (0-based) where the problem was found.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("search: %s at position %d", e.Msg, e.Pos) }

// Is makes errors.Is(err, ErrSyntax) true for every *SyntaxError.
func (e *SyntaxError) Is(target error) bool { return target == ErrSyntax }

// Unwrap exposes the sentinel, so errcode.Of reports invalid.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }

// Field names a searchable part of a document. The empty Field is the
// default set (DefaultFields); the others are the grammar's scopes.
type Field string

// Scopes of the grammar (`title:deck`), and the internal body field.
const (
	FieldDefault  Field = ""
	FieldTitle    Field = "title"    // title and external title
	FieldSpot     Field = "spot"     // names of the spots that hold the item
	FieldList     Field = "list"     // names of the lists the item is in
	FieldLabel    Field = "label"    // labels
	FieldType     Field = "type"     // the kind, matched exactly (type:pdf)
	FieldAudience Field = "audience" // internal or external, matched exactly
	FieldAuthor   Field = "author"   // the author's name
	FieldOwner    Field = "owner"    // owners: user/group IDs and user names

	// Not scopes, but parts of the default set.
	FieldDescription Field = "description" // description and external description
	FieldBody        Field = "body"        // extracted text of the current version
)

// Scopes lists the field scopes the grammar accepts, in documentation order.
var Scopes = []Field{FieldTitle, FieldSpot, FieldList, FieldLabel, FieldType, FieldAudience, FieldAuthor, FieldOwner}

// DefaultFields are the fields a bare term or phrase matches, in ranking
// order (see Ranking for their boosts).
var DefaultFields = []Field{FieldTitle, FieldDescription, FieldBody, FieldSpot, FieldList, FieldLabel, FieldAuthor}

// Exact reports whether a field is matched as one lower-cased keyword rather
// than as analyzed text.
func (f Field) Exact() bool { return f == FieldType || f == FieldAudience }

// Node is one node of a parsed query: *Term, *Phrase, *And, *Or, *Not or
// *All.
type Node interface {
	// String renders the node as an S-expression, the form the golden parse
	// trees use: (and (term "deck") (not (phrase title "case study"))).
	String() string
	node()
}

// Term matches a word in Field (FieldDefault: any default field). Text is
// the word as typed; engines analyze it (Analyze) before matching, so a
// term may analyze to several tokens, which then must all match (in
// order, as a phrase).
type Term struct {
	Field Field
	Text  string
	// Pos is the byte offset of the term (or of its scope) in the query.
	Pos int
}

// Phrase matches Text's words next to each other, in order, in Field.
type Phrase struct {
	Field Field
	Text  string
	Pos   int
}

// And matches when every clause does.
type And struct{ Clauses []Node }

// Or matches when at least one clause does.
type Or struct{ Clauses []Node }

// Not matches what Clause does not. Inside an And it excludes; alone it
// means "everything except".
type Not struct{ Clause Node }

// All matches every document (the empty query).
type All struct{}

func (*Term) node()   {}
func (*Phrase) node() {}
func (*And) node()    {}
func (*Or) node()     {}
func (*Not) node()    {}
func (*All) node()    {}

func (t *Term) String() string {
	if t.Field == FieldDefault {
		return fmt.Sprintf("(term %q)", t.Text)
	}
	return fmt.Sprintf("(term %s %q)", t.Field, t.Text)
}

func (p *Phrase) String() string {
	if p.Field == FieldDefault {
		return fmt.Sprintf("(phrase %q)", p.Text)
	}
	return fmt.Sprintf("(phrase %s %q)", p.Field, p.Text)
}

func (a *And) String() string { return list("and", a.Clauses) }
func (o *Or) String() string  { return list("or", o.Clauses) }
func (n *Not) String() string { return "(not " + n.Clause.String() + ")" }
func (*All) String() string   { return "(all)" }

func list(op string, nodes []Node) string {
	s := "(" + op
	for _, n := range nodes {
		s += " " + n.String()
	}
	return s + ")"
}

// Query is a parsed query string.
type Query struct {
	// Root is the query tree; *All for an empty query.
	Root Node
	// Question is set when the query ended in '?': Root is then an Or of the
	// question's content words (stop words dropped), and hits carry the best
	// matching passage.
	Question bool
	// Raw is the query as given.
	Raw string
}
