// Package memsearch is an in-memory search.Indexer for unit tests.
//
// It keeps every document, with its analyzed fields (terms and positions
// from search.Analyze), in maps behind one sync.RWMutex, scores with BM25
// and the field boosts of the query, and passes the searchtest conformance
// suite. It is meant for tests and small embeddings (up to about 10,000
// documents): every search looks at every document.
//
//	ix := memsearch.New()
//	lib, err := briefcase.New(ctx, briefcase.Config{Store: memstore.New(), Indexer: ix, ...})
//
// Documents go in and come out by copy, with times in UTC truncated to
// microseconds. Nothing is persisted, and New starts no goroutine.
//
// Where the contract leaves a choice to the engine: a document scores the
// BM25 of each matching field (k1 1.2, b 0.75, per-field statistics) times
// the field's boost; exact fields (type:, audience:) and Not score 0; an
// And of no clauses matches every document and an Or of none matches
// nothing; a Term with an unknown Field, an unknown facet, sort or node
// type is search.ErrInvalid; a batch applies its documents, then its
// deletes, and a later document with the same ID wins. A Build is a fresh,
// independent index: Commit swaps it in whole under the write lock, with
// whatever seq it is given.
package memsearch

import (
	"context"
	"fmt"
	"sync"

	"github.com/briefcasehq/briefcase/search"
)

var _ search.Indexer = (*Index)(nil)

// Index is an in-memory search.Indexer. The zero value is not usable; call
// New.
type Index struct {
	mu     sync.RWMutex
	cur    *corpus // replaced whole by a Build's Commit
	closed bool
}

// New returns an empty index.
func New() *Index { return &Index{cur: newCorpus()} }

// Index adds or replaces docs, removes deletes and records seq, atomically:
// it validates everything before it changes anything.
func (ix *Index) Index(ctx context.Context, docs []search.Document, deletes []string, seq int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	entries, err := analyzeAll(docs)
	if err != nil {
		return fmt.Errorf("memsearch: index: %w", err)
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return fmt.Errorf("memsearch: index: %w", search.ErrClosed)
	}
	if seq < ix.cur.seq {
		return fmt.Errorf("memsearch: index: seq %d is lower than the applied seq %d: %w", seq, ix.cur.seq, search.ErrInvalid)
	}
	for _, e := range entries {
		ix.cur.put(e)
	}
	for _, id := range deletes {
		ix.cur.remove(id)
	}
	ix.cur.seq = seq
	return nil
}

// AppliedSeq returns the seq of the last Index call or Build commit.
func (ix *Index) AppliedSeq(ctx context.Context) (int64, error) {
	c, unlock, err := ix.read(ctx, "applied seq")
	if err != nil {
		return 0, err
	}
	defer unlock()
	return c.seq, nil
}

// Count returns the number of documents held.
func (ix *Index) Count(ctx context.Context) (int, error) {
	c, unlock, err := ix.read(ctx, "count")
	if err != nil {
		return 0, err
	}
	defer unlock()
	return len(c.docs), nil
}

// Search runs q over every document.
func (ix *Index) Search(ctx context.Context, q search.EngineQuery) (search.EngineResult, error) {
	c, unlock, err := ix.read(ctx, "search")
	if err != nil {
		return search.EngineResult{}, err
	}
	defer unlock()
	res, err := c.search(ctx, q)
	if err != nil {
		return search.EngineResult{}, fmt.Errorf("memsearch: search: %w", err)
	}
	return res, nil
}

// Explain scores document id under q, with the tree of how.
func (ix *Index) Explain(ctx context.Context, q search.EngineQuery, id string) (search.Explanation, error) {
	c, unlock, err := ix.read(ctx, "explain")
	if err != nil {
		return search.Explanation{}, err
	}
	defer unlock()
	ex, err := c.explain(q, id)
	if err != nil {
		return search.Explanation{}, fmt.Errorf("memsearch: explain %s: %w", id, err)
	}
	return ex, nil
}

// Rebuild starts an empty replacement; see Build.
func (ix *Index) Rebuild(ctx context.Context) (search.Build, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return nil, fmt.Errorf("memsearch: rebuild: %w", search.ErrClosed)
	}
	return &Build{ix: ix, c: newCorpus()}, nil
}

// Close drops the documents. Later calls return search.ErrClosed; a second
// Close returns nil.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.closed = true
	ix.cur = newCorpus()
	return nil
}

// read takes the read lock for a call that only reads; the caller runs
// unlock when done with c.
func (ix *Index) read(ctx context.Context, op string) (c *corpus, unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	ix.mu.RLock()
	if ix.closed {
		ix.mu.RUnlock()
		return nil, nil, fmt.Errorf("memsearch: %s: %w", op, search.ErrClosed)
	}
	return ix.cur, ix.mu.RUnlock, nil
}

// Build is a replacement index being filled. It is independent of the
// Index until Commit, which swaps it in under the Index's write lock.
type Build struct {
	ix *Index

	mu   sync.Mutex
	c    *corpus
	done bool // committed or aborted
}

var _ search.Build = (*Build)(nil)

// Add indexes docs into the replacement (replacing by ID).
func (b *Build) Add(ctx context.Context, docs []search.Document) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	entries, err := analyzeAll(docs)
	if err != nil {
		return fmt.Errorf("memsearch: build add: %w", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return fmt.Errorf("memsearch: build add: build already committed or aborted: %w", search.ErrInvalid)
	}
	for _, e := range entries {
		b.c.put(e)
	}
	return nil
}

// Commit records seq and makes the replacement the index.
func (b *Build) Commit(ctx context.Context, seq int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return fmt.Errorf("memsearch: build commit: build already committed or aborted: %w", search.ErrInvalid)
	}
	b.ix.mu.Lock()
	defer b.ix.mu.Unlock()
	if b.ix.closed {
		return fmt.Errorf("memsearch: build commit: %w", search.ErrClosed)
	}
	b.c.seq = seq
	b.ix.cur = b.c
	b.done = true
	b.c = nil
	return nil
}

// Abort drops the replacement; after Commit it does nothing.
func (b *Build) Abort() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = true
	b.c = nil
	return nil
}

// analyzeAll validates and analyzes docs; an invalid document fails the
// whole batch.
func analyzeAll(docs []search.Document) ([]*entry, error) {
	entries := make([]*entry, len(docs))
	for i, d := range docs {
		if d.ID == "" {
			return nil, fmt.Errorf("document %d has an empty ID: %w", i, search.ErrInvalid)
		}
		entries[i] = newEntry(d)
	}
	return entries, nil
}
