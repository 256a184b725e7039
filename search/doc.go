// Package search finds content a principal may see: a query grammar,
// filters and facets, ranking and Explain, over an index that follows the
// store's change feed.
//
// [Parse] reads a query into a [Query], a tree of [Node]s that every engine
// runs the same way:
//
//	q, err := search.Parse(`pricing "case study" -draft`)
//	// q.Root: (and (term "pricing") (phrase "case study") (not (term "draft")))
//
// # Query grammar
//
//	construct         example                      tree
//	word              deck                         (term "deck")
//	words together    pricing deck                 (and (term "pricing") (term "deck"))
//	phrase            "case study"                 (phrase "case study")
//	AND               pricing AND deck             (and (term "pricing") (term "deck"))
//	OR                pricing OR deck              (or (term "pricing") (term "deck"))
//	NOT               NOT draft                    (not (term "draft"))
//	minus             -draft  -"old deck"          (not (term "draft"))  (not (phrase "old deck"))
//	                  -(old OR draft)  -type:pdf   (not (or …))  (not (term type "pdf"))
//	parentheses       (roadmap OR pricing) deck    (and (or (term "roadmap") (term "pricing")) (term "deck"))
//	scope             title:deck                   (term title "deck")
//	scoped phrase     title:"case study"           (phrase title "case study")
//	question          how do we price the tier?    (or (term "price") (term "tier"))
//
// A word runs up to a space, a parenthesis or a double quote. A term keeps
// the word as typed and engines analyze it (see [Analyze]), so punctuation
// inside a word is harmless: e-mail, Q3, and 10:30 are words. A word or
// phrase without a letter or digit ("--", "!!!", "") is dropped, and a
// query left with nothing is [All], which browses. Only upper-case AND, OR
// and NOT are operators: and, or and not are ordinary words. A phrase is
// delimited by ASCII double quotes and everything inside it is text.
//
// A minus directly before a word, phrase, scope or group negates it, like
// NOT; alone ("a - b", "(a -)") it is punctuation, and inside a word
// (follow-up) it is part of the word.
//
// # Precedence
//
// NOT and minus bind tightest, then AND (written or implied by words side
// by side), then OR:
//
//	a OR b c       (or (term "a") (and (term "b") (term "c")))
//	NOT a b        (and (not (term "a")) (term "b"))
//	NOT a OR b     (or (not (term "a")) (term "b"))
//
// An AND or OR of one clause is that clause, and nested ones are flattened:
// (a AND b) AND c is (and a b c). A double negation stays as written.
// [Query.Format] renders a query back in the grammar, and [PositiveTerms]
// lists the words of its non-negated terms, for highlighting.
//
// # Field scopes
//
// title:, spot:, list:, label:, type:, audience:, author: and owner: (see
// [Scopes]), in any case, restrict a term to one field. A scope takes the
// rest of its word (title:roadmap) or a quoted phrase right after the colon
// (title:"case study"); not a group. type: takes an item kind (document,
// presentation, pdf, video, image, spreadsheet, link, page, track, remix)
// and audience: internal or external, in any case; other values are
// errors, so a typo does not silently find nothing.
//
// A word whose part before its first colon is made of letters only and is
// not a scope (foo:bar, foo:"bar") is an error, "unknown scope foo", so
// that users learn the grammar. Other colons are text: times (10:30), URLs
// (https://…, where "//" follows the colon), and a colon ending a word
// (agenda: pricing).
//
// # Questions
//
// A query whose text ends in '?' is a question ([Query.Question]). Its
// clauses are ORed: every word, phrase and scoped term, except bare words
// that are stop words ([IsStopWord]). AND, OR and NOT are plain words in a
// question, and parentheses and minus signs are ignored; the closing
// question marks are not part of the last word. When every word is a stop
// word, the words are kept:
//
//	how do we price the enterprise tier?   (or (term "price") (term "enterprise") (term "tier"))
//	what is "case study" for type:pdf?     (or (phrase "case study") (term type "pdf"))
//	who are you?                           (or (term "who") (term "are") (term "you"))
//
// # Errors and limits
//
// Every error of Parse is a [*SyntaxError] (errors.Is(err, [ErrSyntax])),
// whose Pos is the byte offset of the problem, and whose message names it:
//
//	deck "case study    unclosed quote at 5
//	(a OR b             unclosed parenthesis at 0
//	a OR b)             unexpected ) at 6
//	deck ()             empty parentheses at 5
//	a AND               missing term after AND at 2 (also a AND OR b)
//	OR b                missing term before OR at 0
//	NOT                 missing term after NOT at 0
//	title:              empty scope title at 0
//	title:(a b)         scope title takes one word or a quoted phrase, not a group at 6
//	foo:bar             unknown scope foo at 0
//	type:pfd            unknown type "pfd" (want one of document, …) at 5
//
// A query longer than [MaxQueryBytes], or nesting parentheses and
// negations deeper than [MaxQueryDepth], is an error too: each query's
// work stays bounded.
//
// # Searching
//
// [Service.Search] runs a [Request] for the principal in the context. It
// pushes what the principal may see into the engine query ([Access]: the
// spots it can view, and the hidden statuses it may see where it edits), so
// hits, Total and every facet count only visible items; spot facets never
// name a spot the principal cannot view. Filters: spots, lists (OR within a
// list group, AND across groups), types, audience, statuses. An empty query
// browses everything visible that passes the filters, newest first. Sorts:
// relevance (the default), newest, trending, popular, title. Pages continue
// with the opaque NextCursor, which is tied to its search. A conjunction of
// words without hits is retried as a disjunction and the result says
// Relaxed. Questions carry their best passage.
//
// Relevance is the engine's text score with field boosts (title over
// description over body, see [Boosts]), re-ranked over the top
// [Ranking.Window] hits by promotion, trending and freshness, in three
// tiers: items whose promoted keywords the query names, then the rest, then
// expired items their spot keeps visible (flagged, and marked on the hit).
// [Service.Explain] says which fields hold which query words and every
// factor of the final score.
//
// # Engines and the index
//
// An [Indexer] holds one [Document] per item. search/blugesearch is the
// on-disk engine (Bluge), search/memsearch an in-memory one for tests and
// small embeddings, and search/searchtest the conformance suite both pass.
// The index is derived data: a [Follower] applies the store's change feed
// after the sequence the index records (written atomically with the
// documents), so after a crash it resumes where the index stopped, and
// [Follower.Reindex] builds a replacement while the current index serves.
package search

import "github.com/briefcasehq/briefcase/items"

// Sort orders search hits.
type Sort string

// Sorts.
const (
	SortRelevance Sort = "relevance"
	SortNewest    Sort = "newest"
	SortTrending  Sort = "trending"
	SortPopular   Sort = "popular"
	SortTitle     Sort = "title"
)

// Request is a search: a query in the grammar plus filters.
type Request struct {
	Query    string         `json:"q"`
	SpotIDs  []string       `json:"spot,omitempty"`
	ListIDs  []string       `json:"list,omitempty"`
	Kinds    []items.Kind   `json:"type,omitempty"`
	Audience items.Audience `json:"audience,omitempty"`
	Statuses []items.Status `json:"status,omitempty"`
	Sort     Sort           `json:"sort,omitempty"`
	Limit    int            `json:"limit,omitempty"`
	Cursor   string         `json:"cursor,omitempty"`
}

// Hit is one matching item.
type Hit struct {
	Item       items.Item          `json:"item"`
	Score      float64             `json:"score"`
	Highlights map[string][]string `json:"highlights,omitempty"`
	// Flagged marks an expired item kept visible by its spot's policy; it
	// ranks after every unflagged hit.
	Flagged bool `json:"flagged,omitempty"`
	// Passage is the best matching passage, for questions.
	Passage *Passage `json:"passage,omitempty"`
}

// Passage is a stretch of an item's text that best answers a question.
type Passage struct {
	// Page counts from 1; 0 when the passage is from the title or
	// description.
	Page int    `json:"page"`
	Text string `json:"text"`
}

// FacetValue is one value of a facet with the number of visible hits.
type FacetValue struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Result is the answer to a Request. Total and Facets count only items the
// principal may see.
type Result struct {
	Total int `json:"total"`
	// Relaxed says an AND query without hits was retried as OR.
	Relaxed    bool                    `json:"relaxed"`
	Hits       []Hit                   `json:"hits"`
	Facets     map[string][]FacetValue `json:"facets"`
	NextCursor string                  `json:"next_cursor,omitempty"`
}
