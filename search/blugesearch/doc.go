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
// times the field boosts). Everything else a search needs, the filter, the
// facets, the order and the hit summaries, comes from a table kept in
// memory next to the index: one small record per document with its spot,
// list, kind, audience and status (interned as integers), its sort values
// and its summary. A search walks the documents Bluge matches, looks each
// up by its Bluge document number (a per-segment array, built once per
// segment), applies the filter, counts the facets and keeps the best
// hits in a heap. Bluge never loads a document value or a stored field
// during a search.
//
// Measured on 100,000 documents (see blugesearch_bench_test.go and
// BENCHMARKS.md), this is what makes facets over a broad query cheap:
// Bluge's terms aggregation reads the facet fields' document values for
// every match, which is most of its cost, where counting integers from the
// table is not. A query with no text (browsing a spot) does not touch
// Bluge at all. Sorting by date, title or a signal compares table values
// instead of Bluge sort fields.
//
// The table is rebuilt from the index on Open: every document stores its
// record (field _info). Memory is about a few hundred bytes per document.
//
// # Analysis and fields
//
// Text is indexed and queried through search.Analyze, the analyzer every
// engine shares. Each value of a multi-valued field (pages, spot names,
// title and external title, ...) is a separate Bluge field instance, and
// Bluge leaves 100 positions between instances, so a phrase never spans
// two values.
//
// Title, description and body are indexed twice: as words (frequencies
// only, no positions) and as word pairs ("case study") with positions, in
// the fields title.2, description.2 and body.2. A two-word phrase is then
// one term query on the pairs field, and a longer phrase a phrase query
// over consecutive pairs, whose postings are far shorter than those of
// the words: Bluge's naive phrase search, which intersects the positions
// of two frequent words over most of the index, never runs. The shorter
// fields (spot, list, label, author, owner) keep positions on their words
// and use Bluge's phrase search, which is cheap there. Kind and audience
// are keywords, matched exactly and scored 0.
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
