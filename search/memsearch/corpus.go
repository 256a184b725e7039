package memsearch

import (
	"slices"
	"time"

	"github.com/briefcasehq/briefcase/search"
)

// valueGap separates the positions of two values of one field, so a phrase
// never matches across them ("pricing" ending one label and "update"
// starting the next are not the phrase "pricing update").
const valueGap = 100

// corpus is one generation of the index: the documents and the statistics
// BM25 needs.
type corpus struct {
	docs  map[string]*entry
	stats map[search.Field]*fieldStats
	seq   int64
}

// fieldStats are one field's collection statistics.
type fieldStats struct {
	df     map[string]int // documents holding the term in this field
	tokens int            // total field length over all documents
}

// entry is an indexed document: a private copy and its analyzed fields.
type entry struct {
	doc    search.Document
	fields map[search.Field]*postings
}

// postings is one analyzed field of one document.
type postings struct {
	positions map[string][]int // term -> increasing positions
	length    int              // number of tokens
}

func newCorpus() *corpus {
	return &corpus{docs: map[string]*entry{}, stats: map[search.Field]*fieldStats{}}
}

// textFields maps every analyzed field to its values in a document.
func textFields(d *search.Document) map[search.Field][]string {
	return map[search.Field][]string{
		search.FieldTitle:       {d.Title, d.ExternalTitle},
		search.FieldDescription: {d.Description, d.ExternalDescription},
		search.FieldBody:        d.Pages,
		search.FieldSpot:        d.SpotNames,
		search.FieldList:        d.ListNames,
		search.FieldLabel:       d.Labels,
		search.FieldAuthor:      {d.Author},
		search.FieldOwner:       d.Owners,
	}
}

func newEntry(d search.Document) *entry {
	e := &entry{doc: cloneDoc(d), fields: map[search.Field]*postings{}}
	for f, values := range textFields(&e.doc) {
		if p := analyzeValues(values); p.length > 0 {
			e.fields[f] = p
		}
	}
	return e
}

// analyzeValues analyzes the values of one field as one token stream, with
// a gap of valueGap positions between values.
func analyzeValues(values []string) *postings {
	p := &postings{positions: map[string][]int{}}
	base := 0
	for _, v := range values {
		toks := search.Analyze(v)
		for _, t := range toks {
			p.positions[t.Term] = append(p.positions[t.Term], base+t.Position)
		}
		p.length += len(toks)
		if len(toks) > 0 {
			base += len(toks) + valueGap
		}
	}
	return p
}

func (c *corpus) put(e *entry) {
	c.remove(e.doc.ID)
	c.docs[e.doc.ID] = e
	for f, p := range e.fields {
		s := c.stats[f]
		if s == nil {
			s = &fieldStats{df: map[string]int{}}
			c.stats[f] = s
		}
		s.tokens += p.length
		for term := range p.positions {
			s.df[term]++
		}
	}
}

func (c *corpus) remove(id string) {
	e, ok := c.docs[id]
	if !ok {
		return
	}
	delete(c.docs, id)
	for f, p := range e.fields {
		s := c.stats[f]
		s.tokens -= p.length
		for term := range p.positions {
			if s.df[term]--; s.df[term] == 0 {
				delete(s.df, term)
			}
		}
	}
}

// cloneDoc copies d deeply and keeps times to microseconds in UTC, as a
// persistent engine would return them.
func cloneDoc(d search.Document) search.Document {
	d.Pages = slices.Clone(d.Pages)
	d.SpotIDs = slices.Clone(d.SpotIDs)
	d.SpotNames = slices.Clone(d.SpotNames)
	d.ListIDs = slices.Clone(d.ListIDs)
	d.ListNames = slices.Clone(d.ListNames)
	d.Labels = slices.Clone(d.Labels)
	d.Owners = slices.Clone(d.Owners)
	d.PromotedKeywords = slices.Clone(d.PromotedKeywords)
	d.CreatedAt = micro(d.CreatedAt)
	d.UpdatedAt = micro(d.UpdatedAt)
	d.ExpiresAt = micro(d.ExpiresAt)
	return d
}

func micro(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.Truncate(time.Microsecond).UTC()
}
