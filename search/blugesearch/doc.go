// Package blugesearch is the default search engine: a search.Indexer
// stored on disk with Bluge (github.com/blugelabs/bluge). It is the only
// package of Briefcase that imports Bluge.
//
//	ix, err := blugesearch.Open(filepath.Join(dataDir, "search"), blugesearch.Options{Logger: logger})
//	if err != nil { ... }
//	defer ix.Close()
//	lib, err := briefcase.New(ctx, briefcase.Config{Store: st, Indexer: ix, ...})
//
// # What Bluge does, and what it does not
//
// Bluge matches and scores text (BM25, summed over fields and clauses,
// times the field boosts; a bare word in the default fields and phrases
// walk Bluge's postings with the engine's own searchers, union.go and
// phrase.go). Everything else a search needs, the filter, the
// facets, the order and the hit summaries, comes from a table kept in
// memory next to the index: one small record per document with its spot,
// list, kind, audience and status (interned as integers), its sort values
// and its summary. A search walks the documents Bluge matches, looks each
// up by its Bluge document number (per-segment arrays, built once per
// segment, with the values every match needs stored contiguously),
// applies the filter, counts the facets and keeps the best hits in a heap.
// Bluge never loads a document value or a stored field during a search.
//
// Measured on 100,000 documents (see blugesearch_bench_test.go), this is
// what makes facets over a broad query cheap: Bluge's terms aggregation
// reads the facet fields' document values for every match, which is most
// of its cost, where counting integers from the table is not. A query with
// no text (browsing a spot) does not touch Bluge at all. The access filter
// tests a few bits per match instead of Bluge intersecting the postings of
// every visible spot and status. Sorting by date, title or a signal
// compares table values instead of loading Bluge sort fields; a hit's
// SortKey is [flagged "0"/"1", value, ID], numbers as fixed-width decimal
// strings of an order-preserving integer, and After continues any sort but
// relevance, which pages with Offset.
//
// The table is rebuilt from the index on Open: every document stores its
// record (field _info). It takes a few hundred bytes per document. A
// search sees the segments of the last write: segments Bluge merges in the
// background are mapped at the next Index call.
//
// # Analysis and fields
//
// Text is indexed and queried through search.Analyze, the analyzer every
// engine shares, with positions. Each value of a multi-valued field
// (pages, spot names, title and external title, ...) is a separate Bluge
// field instance, and Bluge leaves 100 positions between instances, so a
// phrase never spans two values. Kind and audience are keywords, matched
// exactly and scored 0.
//
// # Phrases
//
// Bluge's phrase search intersects the postings of the words with their
// positions and builds maps of every position of every candidate; for two
// frequent words that is most of the index (the 450 ms p99 measured in
// DESIGN.md). Two measures replace it:
//
//   - Title, description and body also index every pair of adjacent common
//     words ("of the", "in a") as one term, with the position of its first
//     word, in the fields title.2, description.2 and body.2. The common
//     words are the English function words (common.go), stored with each
//     generation. A phrase of two common words is then one term query, and
//     a longer phrase of common words a phrase over consecutive pairs.
//   - Any other phrase runs phraseQuery: one leapfrog over the postings of
//     its words (rarest first) and of the indexed pairs it contains, which
//     narrow the candidates, comparing positions in place only where every
//     word is present. Its score is the sum of the words' BM25, as in
//     Bluge's phrase search.
//
// Measured alternatives (blugesearch_bench_test.go, 5,000 to 100,000
// documents): indexing every word pair made bulk indexing four times
// slower than bare Bluge; adding the corpus's own frequent words (in 5% to
// 20% of documents) to the common words cut the p99 of two-word phrases by
// a fifth but slowed bulk indexing to 0.6-0.75 of bare Bluge.
//
// # Consistency and crashes
//
// Index applies its documents, deletions and the sequence in one Bluge
// batch; the sequence lives in a meta document of the same batch, so a
// crash leaves the index with the whole batch and its sequence or with
// neither. Bluge persists a batch before Index returns. Searches use an
// immutable view (a Bluge snapshot and its document records) replaced
// after each write, so a search sees a batch whole or not at all.
//
// # Generations
//
// The directory holds generations (gen-000001, gen-000002, ...), each a
// Bluge index, and CURRENT, which names the live one. Rebuild fills the
// next generation while the live one serves; Commit records the sequence
// in the new generation, rewrites CURRENT atomically (temporary file,
// sync, rename, sync of the directory) and swaps the generations under a
// lock. Open removes every generation CURRENT does not name (a build cut
// short by a crash) and the segment files no snapshot references (Bluge
// leaves those behind after a crash during a merge).
package blugesearch
