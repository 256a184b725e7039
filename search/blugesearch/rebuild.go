package blugesearch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/briefcasehq/briefcase/search"
)

// Build is a replacement index filling a new generation directory next to
// the live one. Until Commit, the live index serves searches and takes
// Index calls; a crash leaves the new directory behind, and Open removes
// it.
type Build struct {
	ix *Index
	g  *generation

	mu   sync.Mutex // serializes Add, Commit and Abort
	done bool       // committed or aborted
}

var _ search.Build = (*Build)(nil)

// Rebuild starts a replacement in the next generation directory.
func (ix *Index) Rebuild(ctx context.Context) (search.Build, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ix.mu.Lock()
	if ix.closed {
		ix.mu.Unlock()
		return nil, fmt.Errorf("blugesearch: rebuild: %w", search.ErrClosed)
	}
	name := genName(ix.nextGen)
	ix.nextGen++
	ix.mu.Unlock()

	path := filepath.Join(ix.dir, name)
	if err := os.RemoveAll(path); err != nil {
		return nil, fmt.Errorf("blugesearch: rebuild: %w", err)
	}
	g, err := openGeneration(path, name, ix.log)
	if err != nil {
		return nil, fmt.Errorf("blugesearch: rebuild: %w", err)
	}
	b := &Build{ix: ix, g: g}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		_ = g.close()
		_ = os.RemoveAll(path)
		return nil, fmt.Errorf("blugesearch: rebuild: %w", search.ErrClosed)
	}
	ix.builds[b] = true
	return b, nil
}

// Add indexes docs into the replacement, in Bluge batches of
// Options.BatchSize, replacing documents by ID.
func (b *Build) Add(ctx context.Context, docs []search.Document) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validateDocs(docs); err != nil {
		return fmt.Errorf("blugesearch: build add: %w", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.usable(); err != nil {
		return fmt.Errorf("blugesearch: build add: %w", err)
	}
	size := b.ix.opts.BatchSize
	for start := 0; start < len(docs); start += size {
		if err := ctx.Err(); err != nil {
			return err
		}
		chunk := docs[start:min(start+size, len(docs))]
		b.g.writeMu.Lock()
		err := b.g.write(chunk, nil, 0, false, false)
		b.g.writeMu.Unlock()
		if err != nil {
			return fmt.Errorf("blugesearch: build add: %w", err)
		}
	}
	return nil
}

// usable says why a finished build cannot be used: its index was closed
// (which aborts it), or it was committed or aborted. The caller holds b.mu.
func (b *Build) usable() error {
	if !b.done {
		return nil
	}
	b.ix.mu.RLock()
	defer b.ix.mu.RUnlock()
	if b.ix.closed {
		return search.ErrClosed
	}
	return fmt.Errorf("the build is committed or aborted: %w", search.ErrInvalid)
}

// Commit records seq in the replacement, points CURRENT at it and swaps it
// in: searches see the old index or the whole new one. The old generation
// is closed and removed.
func (b *Build) Commit(ctx context.Context, seq int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.usable(); err != nil {
		return fmt.Errorf("blugesearch: build commit: %w", err)
	}
	g := b.g
	g.writeMu.Lock()
	err := g.write(nil, nil, seq, true, true)
	if err == nil {
		err = g.refresh()
	}
	g.writeMu.Unlock()
	if err != nil {
		return fmt.Errorf("blugesearch: build commit: %w", err)
	}

	ix := b.ix
	ix.mu.Lock()
	if ix.closed {
		ix.mu.Unlock()
		return fmt.Errorf("blugesearch: build commit: %w", search.ErrClosed)
	}
	if err := writeCurrent(ix.dir, g.name); err != nil {
		ix.mu.Unlock()
		return fmt.Errorf("blugesearch: build commit: %w", err)
	}
	old := ix.cur
	ix.cur = g
	delete(ix.builds, b)
	b.done = true
	ix.mu.Unlock()

	// Searches still running on the old generation hold their views; its
	// files are unlinked under them, which they do not notice.
	if err := errors.Join(old.close(), os.RemoveAll(old.path)); err != nil {
		ix.log.Warn("blugesearch: removing the replaced generation", "path", old.path, "err", err)
	}
	return nil
}

// Abort discards the replacement. After Commit it does nothing.
func (b *Build) Abort() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return nil
	}
	b.done = true
	b.ix.mu.Lock()
	delete(b.ix.builds, b)
	b.ix.mu.Unlock()
	if err := errors.Join(b.g.close(), os.RemoveAll(b.g.path)); err != nil {
		return fmt.Errorf("blugesearch: build abort: %w", err)
	}
	return nil
}
