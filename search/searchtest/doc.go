// Package searchtest is the conformance suite for search.Indexer engines,
// and the guide for writing one.
//
// The search service parses queries, decides what a principal may see and
// re-ranks; an engine holds documents and answers search.EngineQuery
// exactly as the search package documents it. If your engine passes this
// suite, the service, the index follower and the reference server work on
// it. search/memsearch is a short, complete reference engine; the default
// engine is search/blugesearch.
//
// # Running the suite
//
// Call Run from a test in your engine's package, with a function that
// returns a new, empty indexer and registers its own cleanup:
//
//	package myengine_test
//
//	import (
//		"errors"
//		"testing"
//
//		"github.com/briefcasehq/briefcase/search"
//		"github.com/briefcasehq/briefcase/search/searchtest"
//		"example.com/myengine"
//	)
//
//	func TestConformance(t *testing.T) {
//		searchtest.Run(t, func(t *testing.T) search.Indexer {
//			ix, err := myengine.Open(t.TempDir())
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() {
//				// Some subtests close the index themselves.
//				if err := ix.Close(); err != nil && !errors.Is(err, search.ErrClosed) {
//					t.Errorf("Close: %v", err)
//				}
//			})
//			return ix
//		})
//	}
//
// Run calls the factory once per subtest. Run it with the race detector,
// and one area at a time while you work on it:
//
//	go test -race -run 'TestConformance/Filter' ./myengine
//
// Failure messages name the call, the query (as an S-expression) and the
// rule, for example
//
//	AnyStatusHomeIDs does not widen SpotIDs: ...: Search(Match nil, Filter {Access{SpotIDs [spot-emea], ...}}):
//		got  6 [...]
//		want 5 [...]
//		unexpected: [q3-pricing-draft]
//
// Areas and subtests:
//
//	Match        All Terms NoWords MultiTokenTerms Phrases PhraseWithinOneValue Normalization FieldScopes ExactFields Boolean
//	Filter       NilAccess AccessAll Access HiddenStatuses Parts ListGroups EmptyMeansNoRestriction WithMatch
//	Ranking      TitleOverDescriptionOverBody MoreOccurrences RarerTerms Boosts ZeroBoostsAreDefaults ScoresAddUp Deterministic
//	Sort         Relevance EmptyIsRelevance Newest Title Trending Popular FlaggedLastWhateverTheScore WithFilter Invalid
//	Paging       After AfterWithFilterAndMatch AfterADeletedHit AfterIgnoredForRelevance Offset OffsetAfterAfter LimitZero Total
//	Facets       Values OverAllMatches RespectFilter OnlyRequested NoMatches
//	Index        Empty Replace Delete Seq LowerSeqAppliesNothing EmptyIDAppliesNothing Copies Summary
//	Rebuild      OldIndexServesDuringBuild IndexDuringBuildGoesToOld CommitSwaps IndexAfterCommitGoesToNew Abort AbortAfterCommit AddReplacesByID AddValidates EmptyBuild
//	Explain      NotIndexed FilteredOut NotMatched ScoreIsTheSearchScore DetailNamesFieldsAndTerms
//	Lifecycle    Close CommitAfterClose CancelledContext
//	Concurrency  IndexWhileSearching CommitWhileSearching ConcurrentWriters
//
// Most subtests search the same fourteen documents of a sales team (decks,
// battlecards, case studies, a draft, two expired and flagged items), laid
// out in a table in library.go; the expected results are written out by
// hand from that table. The rest of this page is the contract, method by
// method, and the places where engines go wrong.
//
// # Analysis
//
// Index every text field through search.Analyze and analyze query text
// through search.Terms, never with your engine's own analyzer: the service
// highlights and parses with the same functions, and engines must agree
// on what a word is ("Customers'" and "customer's" are both "customer",
// "decks" is "deck", "pricing" is not "price").
//
// A Term's Text may analyze to
//   - no terms ("--", ""): the Term matches nothing (inside an Or it simply
//     adds nothing; Not of it matches everything);
//   - one term: a term query;
//   - several terms ("e-mail", "Q3-2026"): a phrase of those terms, in
//     order. So "e-mail" does not match "email", nor "mail ... e".
//
// A Phrase's Text likewise is its terms at consecutive positions, in one
// value of one field. A one-word phrase is a term.
//
// Multi-valued fields (Pages, SpotNames, ListNames, Labels, Owners, and the
// pairs Title+ExternalTitle and Description+ExternalDescription) are
// indexed as one field each, but a phrase never spans two values: with
// labels "pricing" and "update", the phrase "pricing update" does not
// match. Leave a gap of at least 100 positions between values (Bluge:
// analyze each value and offset its token positions), or index values
// separately. Phrases never span two fields either.
//
// # Fields
//
//	search.Field      document fields                    matched as
//	FieldTitle        Title, ExternalTitle               analyzed text
//	FieldDescription  Description, ExternalDescription   analyzed text
//	FieldBody         Pages                              analyzed text
//	FieldSpot         SpotNames (not SpotIDs)            analyzed text
//	FieldList         ListNames (not ListIDs)            analyzed text
//	FieldLabel        Labels                             analyzed text
//	FieldAuthor       Author                             analyzed text
//	FieldOwner        Owners                             analyzed text
//	FieldType         Kind                               strings.ToLower(Text) == Kind
//	FieldAudience     Audience                           strings.ToLower(Text) == Audience
//	FieldDefault      any of search.DefaultFields        see below
//
// FieldDefault matches when any field of search.DefaultFields matches
// (title, description, body, spot, list, label, author: not owner, type or
// audience), and scores the sum over the matching fields of that field's
// relevance times Boosts.Field(field). FieldType and FieldAudience are
// exact for a Phrase too. How much an exact match scores is up to the
// engine (memsearch: 0); the suite only requires it to be >= 0.
//
// # Boolean nodes
//
//   - And matches when every clause does; its score is the sum of the
//     clauses' scores. An And of one clause is that clause.
//   - Or matches when at least one clause does; its score is the sum of the
//     matching clauses' scores (so more matching clauses score higher).
//   - Not matches every document that passes the Filter and does not match
//     its clause, and scores 0. Alone it means "everything except"; inside
//     an And it excludes; inside an Or it adds documents. In Bluge terms,
//     a Not alone or inside an Or is a boolean query with a match-all must
//     clause and the clause as must-not, with boost 0.
//   - nil Match and *search.All match every document with score 0.
//
// # Filter and access
//
// The filter restricts without scoring. It is the principal's permissions,
// so it is the one part where a bug leaks content:
//   - Access nil matches nothing, whatever else the query says. Fail closed:
//     a zero EngineQuery finds nothing.
//   - Access.All lets every document through; the other Access fields are
//     then ignored (the other Filter parts still apply).
//   - Otherwise a document passes when one of its SpotIDs is in
//     Access.SpotIDs, and its Status is in Access.Statuses or its
//     HomeSpotID is in Access.AnyStatusHomeIDs. AnyStatusHomeIDs never
//     widens SpotIDs, and looks at the home spot only: a draft placed in a
//     spot whose hidden statuses the principal sees, but homed elsewhere,
//     stays hidden. No spots, or no statuses and no AnyStatusHomeIDs, sees
//     nothing.
//   - The optional parts (SpotIDs, ListGroups, Kinds, Audiences, Statuses)
//     restrict only when they have elements: a nil slice and an empty
//     non-nil slice both mean "no restriction". SpotIDs keeps documents in
//     any of the spots; Kinds, Audiences and Statuses keep documents whose
//     value is in the set.
//   - ListGroups: for every non-empty inner group, the document is in at
//     least one of its lists (OR within a group, AND across groups); an
//     empty inner group is ignored.
//
// Hits, Total, Facets and Explain all see only documents that pass: a
// hidden document is never counted, and Explain says ErrNotFound for it
// exactly as for a document that does not exist.
//
// # Scores and ranking
//
// Scores are finite, >= 0, and deterministic: the same query on the same
// index gives the same scores, and identical documents score the same.
// BM25 or TF-IDF, your choice; engines need not agree on values. The suite
// checks the properties the service relies on, with the default boosts:
// for the same term, a title match outscores a description-only match,
// which outscores a body-only match; more occurrences in a field of the
// same length score higher; a rarer term scores higher than a common one.
// Boosts multiply the field's relevance (a zero boost means the default,
// Boosts.Field), so Boosts{Title: 1, Description: 20, Body: 400} turns
// the order around, and Boosts{} scores exactly like DefaultBoosts().
//
// # Sorts and paging
//
// Whatever the sort, every unflagged document comes before every flagged
// one (Summary.Flagged); only then does the sort apply:
//
//	SortRelevance (and "")  score descending, then ID ascending
//	SortNewest              CreatedAt descending, then ID descending
//	SortTitle               strings.ToLower(Title) ascending (byte order), then ID ascending
//	SortTrending            Trending descending, then ID descending
//	SortPopular             Popular descending, then ID descending
//
// An unknown sort, a negative Limit or a negative Offset is an error
// wrapping search.ErrInvalid. Return ErrInvalid too for an After key your
// engine cannot decode (the suite does not forge keys).
//
// Every hit carries a SortKey, an opaque []string that your engine can
// decode back into its position in the order: with After set to a hit's
// SortKey, a non-relevance sort continues strictly after that position.
// Paging through a whole result with After must return every document
// once, in order, for any page size, even when the document the key came
// from was deleted in between (so the key holds the sort values, not just
// the ID). With Bluge, the SortKey is the hit's sort values, in a form
// your engine can turn back into SearchAfter values (fixed-width decimal
// strings; no byte 0xff). Relevance ignores After and pages with Offset.
// Offset and After combine: Offset skips hits after the After position.
// Limit 0 returns no hits, but Total and Facets as usual.
//
// Total is the exact number of documents that match q.Match and q.Filter,
// whatever Offset, Limit and After say.
//
// # Facets
//
// For each facet in q.Facets, and only those, EngineResult.Facets holds
// every value with the number of matching documents that have it (over all
// matching documents, not the page), most frequent first, then by value
// (byte order). FacetSpot counts a document once for each of its SpotIDs
// (home and placements), FacetList once for each ListID; FacetType,
// FacetAudience and FacetStatus count the Kind, Audience and Status. A
// facet without values may be absent or empty. Facets are computed after
// the filter: a hidden document never shows up in a count.
//
// # Summary
//
// Each hit carries Summary: Title, CreatedAt, UpdatedAt, Promoted,
// PromotedKeywords, Flagged, Trending and Popular, as indexed. Times come
// back in UTC (Location() == time.UTC), equal to the indexed instant to the
// microsecond (the suite indexes microsecond times in a non-UTC zone, and
// dates back to 1999); a zero time comes back zero. Floats come back
// exactly.
//
// # Index
//
// Index(ctx, docs, deletes, seq) is one atomic batch: adds or replaces each
// document by ID (a replacement leaves nothing of the old document: no old
// word, spot, status or signal), removes the deletes (IDs not indexed are
// ignored), and records seq. Searches see the whole batch or none of it,
// and never a seq without its documents.
//
// Validate everything before applying anything. A seq lower than the
// recorded one, or a document with an empty ID, fails with an error
// wrapping search.ErrInvalid and applies nothing: no document, no delete,
// no seq. A seq equal to the recorded one is allowed (the follower replays
// after a crash), and so is a batch with no documents and no deletes,
// which only records seq. AppliedSeq is 0 for a new index. Count is the
// number of documents held.
//
// What happens when a batch both indexes and deletes the same ID is not
// specified; the follower never does it.
//
// In-memory engines: copy what you are given (the caller reuses its
// slices) and what you give out (Summary.PromotedKeywords).
//
// # Rebuild
//
// Rebuild returns a Build, an empty replacement index. While it fills
// (Add, which replaces by ID and validates IDs like Index), the current
// index keeps answering searches and taking Index calls, and nothing of
// the build is visible. Commit(seq) swaps it in atomically: a search sees
// either the whole old index or the whole new one, never a mix; afterwards
// AppliedSeq is seq, Count is the build's, and Index calls write to the new
// index. The new index replaces the old one whole: documents indexed into
// the old index during the build are not carried over (the follower replays
// them from the change feed after seq). Abort discards the build and
// leaves the current index untouched; Abort after Commit is a no-op
// returning nil. Commit after the index was closed fails with ErrClosed.
//
// With Bluge: build into a new directory, and swap the writer and reader
// under a lock that searches take for reading.
//
// # Explain
//
// Explain(ctx, q, id) returns ErrNotFound (wrapped) when id is not
// indexed or does not pass q.Filter. Otherwise it returns an Explanation
// with that ID, and Matched says whether the document matches q.Match. When
// it matches, Score equals the score Search gives the document under the
// same q (relative error below 1e-6; Explain ignores Sort, After, Offset,
// Limit and Facets) and Detail is a non-nil tree whose messages name the
// fields and the terms that matched, with the search.Field names ("title",
// "description", "body", "spot", "list", "label", "author", "owner") and
// the analyzed terms ("landmine" for "landmines"). When it does not match,
// Score is 0.
//
// # Errors, context and concurrency
//
// After Close, every method returns an error wrapping search.ErrClosed; a
// second Close returns nil or ErrClosed. A call whose context is already
// done returns an error wrapping ctx.Err() and changes nothing; long
// searches check the context as they go.
//
// Engines are safe for concurrent use: one writer (the follower) indexes
// while many goroutines search, explain, count and facet. The suite runs
// readers against a writer replacing the same ten documents forty times,
// and fails when a search sees two generations at once, an older generation
// than it saw before, or a generation older than AppliedSeq reported.
// Index called from several goroutines at once must be safe too.
//
// # Where the contract is read, not quoted
//
// The suite takes these positions where the doc comments in the search
// package are silent or loose; an engine that passes agrees with them.
//   - Filter says "a document passes when every non-nil part holds"; the
//     suite reads "every non-empty part": an empty non-nil SpotIDs, Kinds,
//     Audiences, Statuses or ListGroups restricts nothing, as nil does.
//     The mandatory Access is the exception: nil matches nothing.
//   - Engines validate what they are given: an unknown Sort, a negative
//     Limit or Offset is ErrInvalid (the search.ErrInvalid doc lists them),
//     and so is a document without an ID, in Index and in Build.Add.
//   - Total counts every match, also when After skips some (Bluge's
//     collector counts before it applies search-after, too).
//   - Explain of a document that passes the filter but does not match
//     returns Matched false and Score 0.
//   - After Close, Build.Commit of a build started before fails with
//     ErrClosed; Build.Abort then returns nil or ErrClosed; a second Close
//     returns nil or ErrClosed.
//   - A zero CreatedAt or UpdatedAt comes back zero.
//   - Explain's messages use the search.Field names, so "body" for Pages.
//
// Left open, and not checked: an And or Or with no clauses, a Term with a
// Field the engine does not know (memsearch: ErrInvalid), the score of an
// exact match, a batch that indexes and deletes the same ID or holds an ID
// twice, facet values that are empty strings, the seq of a build committed
// below the current one (memsearch accepts it: the build replaces the
// index), Build.Add after Commit or Abort (memsearch: ErrInvalid), and two
// builds at once.
//
// # Checklist
//
//   - var _ search.Indexer = (*YourIndex)(nil)
//   - analyze with search.Analyze and search.Terms; no term → no match;
//     several terms → phrase; no phrase across values or fields
//   - nil Access matches nothing; AnyStatusHomeIDs looks at the home only;
//     empty optional filter parts restrict nothing
//   - flagged last in every sort; the documented tie-breaks; After pages
//     without gaps or duplicates; Offset after After; Limit 0
//   - Total and Facets over all matches that pass the filter
//   - Index atomic, validated first, seq never goes back
//   - Rebuild: old serves until Commit; Commit atomic; Abort after Commit
//     a no-op
//   - Explain score equals Search score; hidden documents are not found
//   - ErrClosed after Close, ctx.Err() on a done context, go test -race
package searchtest
