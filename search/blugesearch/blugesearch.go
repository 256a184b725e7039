package blugesearch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/blugelabs/bluge/index/lock"
	bsearch "github.com/blugelabs/bluge/search"

	"github.com/briefcasehq/briefcase/search"
)

var _ search.Indexer = (*Index)(nil)

// Options configure an Index. The zero value is ready to use.
type Options struct {
	// Logger receives background errors (Bluge's merges and persistence)
	// and recoveries on Open. Nil discards them.
	Logger *slog.Logger
	// BatchSize is the number of documents per Bluge batch when a Build
	// adds many at once (default 500). Batches of 500 to 1,000 keep
	// indexing memory bounded; Index applies its documents as one batch
	// whatever their number, because it is atomic.
	BatchSize int
}

// Files in the index directory.
const (
	currentFile = "CURRENT" // names the live generation
	lockFile    = "LOCK"    // held while the index is open
	genPrefix   = "gen-"
)

// Index is the Bluge search engine, stored in one directory. It is safe
// for concurrent use: one writer (the follower) and many searches.
type Index struct {
	dir  string
	opts Options
	log  *slog.Logger
	lock lock.LockedFile

	mu      sync.RWMutex
	cur     *generation
	closed  bool
	nextGen int
	builds  map[*Build]bool
}

// Open opens the index in dir, creating it if needed. It removes what a
// crash may have left behind: generations that CURRENT does not name (an
// unfinished or superseded Rebuild) and segment files that no snapshot
// references. A directory is opened by one Index at a time.
func Open(dir string, opts Options) (*Index, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 500
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("blugesearch: open %s: %w", dir, err)
	}
	lk, err := lock.OpenExclusive(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("blugesearch: open %s: the index is in use: %w", dir, err)
	}
	ix := &Index{dir: dir, opts: opts, log: opts.Logger, lock: lk, builds: map[*Build]bool{}}
	if err := ix.open(); err != nil {
		_ = lk.Close()
		return nil, fmt.Errorf("blugesearch: open %s: %w", dir, err)
	}
	return ix, nil
}

func (ix *Index) open() error {
	current, err := os.ReadFile(filepath.Join(ix.dir, currentFile))
	name := strings.TrimSpace(string(current))
	switch {
	case errors.Is(err, os.ErrNotExist):
		name = ""
	case err != nil:
		return err
	case genNumber(name) <= 0:
		return fmt.Errorf("%s names no generation: %q", currentFile, name)
	}
	entries, err := os.ReadDir(ix.dir)
	if err != nil {
		return err
	}
	highest := genNumber(name)
	for _, e := range entries {
		n := e.Name()
		highest = max(highest, genNumber(n))
		if n == name || (!strings.HasPrefix(n, genPrefix) && n != currentFile+".tmp") {
			continue
		}
		ix.log.Info("blugesearch: removing a leftover generation", "path", filepath.Join(ix.dir, n))
		if err := os.RemoveAll(filepath.Join(ix.dir, n)); err != nil {
			return err
		}
	}
	ix.nextGen = highest + 1
	if name == "" {
		// A new index: create the first generation, then name it.
		name = genName(ix.nextGen)
		ix.nextGen++
		g, err := openGeneration(filepath.Join(ix.dir, name), name, ix.log)
		if err != nil {
			return err
		}
		if err := writeCurrent(ix.dir, name); err != nil {
			_ = g.close()
			return err
		}
		ix.cur = g
		return nil
	}
	if _, err := os.Stat(filepath.Join(ix.dir, name)); err != nil {
		ix.log.Warn("blugesearch: the current generation is missing; starting empty", "path", filepath.Join(ix.dir, name), "err", err)
	}
	g, err := openGeneration(filepath.Join(ix.dir, name), name, ix.log)
	if err != nil {
		return err
	}
	ix.cur = g
	return nil
}

func genName(n int) string { return fmt.Sprintf("%s%06d", genPrefix, n) }

// genNumber returns n for "gen-00000n", else 0.
func genNumber(name string) int {
	if !strings.HasPrefix(name, genPrefix) {
		return 0
	}
	n, err := strconv.Atoi(name[len(genPrefix):])
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// writeCurrent atomically points CURRENT at generation name.
func writeCurrent(dir, name string) error {
	return writeFileSync(dir, currentFile, []byte(name+"\n"))
}

// validateDocs refuses documents without an ID (and IDs starting with NUL,
// which the engine keeps for itself).
func validateDocs(docs []search.Document) error {
	for i := range docs {
		if docs[i].ID == "" {
			return fmt.Errorf("document %d has an empty ID: %w", i, search.ErrInvalid)
		}
		if docs[i].ID[0] == 0 {
			return fmt.Errorf("document %d: ID %q starts with a NUL byte: %w", i, docs[i].ID, search.ErrInvalid)
		}
	}
	return nil
}

// Index adds or replaces docs, removes deletes and records seq in one
// Bluge batch, which Bluge persists before Index returns: after a crash
// the index holds either the whole batch with its seq or none of it. A
// document ID that is also in deletes is deleted.
func (ix *Index) Index(ctx context.Context, docs []search.Document, deletes []string, seq int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validateDocs(docs); err != nil {
		return fmt.Errorf("blugesearch: index: %w", err)
	}
	dels := make([]string, 0, len(deletes))
	for _, id := range deletes {
		if id != "" && id[0] != 0 {
			dels = append(dels, id)
		}
	}
	// The read lock keeps a Build from swapping generations under the
	// write; writes to one generation serialize on its writeMu.
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return fmt.Errorf("blugesearch: index: %w", search.ErrClosed)
	}
	g := ix.cur
	g.writeMu.Lock()
	defer g.writeMu.Unlock()
	if seq < g.seq {
		return fmt.Errorf("blugesearch: index: seq %d is lower than the applied seq %d: %w", seq, g.seq, search.ErrInvalid)
	}
	if err := g.write(docs, dels, seq, true, true); err != nil {
		return fmt.Errorf("blugesearch: index: %w", err)
	}
	if err := g.refresh(); err != nil {
		return fmt.Errorf("blugesearch: index: %w", err)
	}
	return nil
}

// acquire returns the live generation and a view of it to read; the caller
// releases the view.
func (ix *Index) acquire(ctx context.Context, op string) (*generation, *view, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return nil, nil, fmt.Errorf("blugesearch: %s: %w", op, search.ErrClosed)
	}
	return ix.cur, ix.cur.acquire(), nil
}

// AppliedSeq returns the sequence recorded with the last Index call or
// Build commit.
func (ix *Index) AppliedSeq(ctx context.Context) (int64, error) {
	_, v, err := ix.acquire(ctx, "applied seq")
	if err != nil {
		return 0, err
	}
	defer v.release()
	return v.seq, nil
}

// Count returns the number of documents held.
func (ix *Index) Count(ctx context.Context) (int, error) {
	_, v, err := ix.acquire(ctx, "count")
	if err != nil {
		return 0, err
	}
	defer v.release()
	return v.count, nil
}

// Search runs q: Bluge matches and scores the text; the filter, the facets
// and the order are computed over the in-memory document table.
func (ix *Index) Search(ctx context.Context, q search.EngineQuery) (search.EngineResult, error) {
	sortBy, after, err := checkQuery(q)
	if err != nil {
		return search.EngineResult{}, fmt.Errorf("blugesearch: search: %w", err)
	}
	g, v, err := ix.acquire(ctx, "search")
	if err != nil {
		return search.EngineResult{}, err
	}
	defer v.release()
	c := newCollector(q, sortBy, after, compileFilter(q.Filter, g.dicts), g.dicts)
	if !c.filter.none {
		if err := c.collect(ctx, v, q); err != nil {
			return search.EngineResult{}, fmt.Errorf("blugesearch: search: %w", err)
		}
	}
	return c.result(q.Offset), nil
}

// checkEvery is how many documents a search looks at between checks of
// its context.
const checkEvery = 1024

// collect feeds c every document matching q.Match.
func (c *collector) collect(ctx context.Context, v *view, q search.EngineQuery) error {
	if matchesAll(q.Match) {
		// Browsing: walk the table instead of Bluge's postings.
		n := 0
		for _, s := range v.segs {
			for local := range s.data.docs {
				if n++; n%checkEvery == 0 {
					if err := ctx.Err(); err != nil {
						return err
					}
				}
				if !isDeleted(s.deleted, uint64(local)) {
					c.add(s.data, uint64(local), 0)
				}
			}
		}
		return nil
	}
	s, err := compiler{boosts: q.Boosts, common: v.common}.compile(q.Match).Searcher(v.snap, searcherOptions(false))
	if err != nil {
		return err
	}
	defer s.Close()
	sctx := bsearch.NewSearchContext(s.DocumentMatchPoolSize()+1, 0)
	hint := 0
	for n := 1; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		dm, err := s.Next(sctx)
		if err != nil {
			return err
		}
		if dm == nil {
			return nil
		}
		seg, local := v.locate(dm.Number, &hint)
		c.add(seg, local, dm.Score)
		sctx.DocumentMatchPool.Put(dm)
	}
}

// checkQuery validates q and returns its sort and decoded After key.
func checkQuery(q search.EngineQuery) (search.Sort, *hit, error) {
	if err := validate(q.Match); err != nil {
		return "", nil, err
	}
	if q.Limit < 0 || q.Offset < 0 {
		return "", nil, fmt.Errorf("negative limit or offset: %w", search.ErrInvalid)
	}
	for _, f := range q.Facets {
		switch f {
		case search.FacetSpot, search.FacetList, search.FacetType, search.FacetAudience, search.FacetStatus:
		default:
			return "", nil, fmt.Errorf("unknown facet %q: %w", f, search.ErrInvalid)
		}
	}
	sortBy := q.Sort
	switch sortBy {
	case "":
		sortBy = search.SortRelevance
	case search.SortRelevance, search.SortNewest, search.SortTitle, search.SortTrending, search.SortPopular:
	default:
		return "", nil, fmt.Errorf("unknown sort %q: %w", q.Sort, search.ErrInvalid)
	}
	if q.After == nil || sortBy == search.SortRelevance {
		return sortBy, nil, nil
	}
	h, err := decodeKey(sortBy, q.After)
	if err != nil {
		return "", nil, err
	}
	return sortBy, &h, nil
}

// Explain scores document id under q with Bluge's explanation, run on the
// same searcher Search uses, so the scores agree.
func (ix *Index) Explain(ctx context.Context, q search.EngineQuery, id string) (search.Explanation, error) {
	if err := validate(q.Match); err != nil {
		return search.Explanation{}, fmt.Errorf("blugesearch: explain: %w", err)
	}
	g, v, err := ix.acquire(ctx, "explain")
	if err != nil {
		return search.Explanation{}, err
	}
	defer v.release()
	number, d, err := v.lookup(id)
	if err != nil {
		return search.Explanation{}, fmt.Errorf("blugesearch: explain %s: %w", id, err)
	}
	if d == nil {
		return search.Explanation{}, fmt.Errorf("blugesearch: explain %s: not indexed: %w", id, search.ErrNotFound)
	}
	seg, local := v.locate(number, new(int))
	if !compileFilter(q.Filter, g.dicts).pass(&seg.rows[local], seg.pool) {
		return search.Explanation{}, fmt.Errorf("blugesearch: explain %s: filtered out: %w", id, search.ErrNotFound)
	}
	if matchesAll(q.Match) {
		return search.Explanation{ID: id, Matched: true, Detail: &search.ScoreNode{Message: "all: every document matches; score 0"},
			Summary: d.summary()}, nil
	}
	s, err := compiler{boosts: q.Boosts, common: v.common}.compile(q.Match).Searcher(v.snap, searcherOptions(true))
	if err != nil {
		return search.Explanation{}, fmt.Errorf("blugesearch: explain %s: %w", id, err)
	}
	defer s.Close()
	sctx := bsearch.NewSearchContext(s.DocumentMatchPoolSize()+1, 0)
	dm, err := s.Advance(sctx, number)
	if err != nil {
		return search.Explanation{}, fmt.Errorf("blugesearch: explain %s: %w", id, err)
	}
	if dm == nil || dm.Number != number {
		return search.Explanation{ID: id, Detail: &search.ScoreNode{Message: "no match: " + q.Match.String()},
			Summary: d.summary()}, nil
	}
	return search.Explanation{ID: id, Matched: true, Score: dm.Score, Detail: scoreTree(dm.Explanation),
		Summary: d.summary()}, nil
}

func scoreTree(e *bsearch.Explanation) *search.ScoreNode {
	if e == nil {
		return nil
	}
	n := &search.ScoreNode{Value: e.Value, Message: e.Message}
	for _, c := range e.Children {
		if cn := scoreTree(c); cn != nil {
			n.Children = append(n.Children, cn)
		}
	}
	return n
}

// lookup finds the live document id: its number in the view's snapshot
// and its docInfo (nil when it is not indexed).
func (v *view) lookup(id string) (uint64, *docInfo, error) {
	if id == "" || id[0] == 0 {
		return 0, nil, nil
	}
	it, err := v.snap.PostingsIterator([]byte(id), fieldID, false, false, false)
	if err != nil {
		return 0, nil, err
	}
	defer it.Close()
	p, err := it.Next()
	if err != nil || p == nil {
		return 0, nil, err
	}
	n := p.Number()
	seg, local := v.locate(n, new(int))
	if local >= uint64(len(seg.docs)) {
		return n, nil, nil
	}
	return n, seg.docs[local], nil
}

// Close closes the index and aborts unfinished builds. Later calls return
// search.ErrClosed; a second Close returns nil.
func (ix *Index) Close() error {
	ix.mu.Lock()
	if ix.closed {
		ix.mu.Unlock()
		return nil
	}
	ix.closed = true
	builds := ix.builds
	ix.builds = nil
	g := ix.cur
	ix.mu.Unlock()
	var errs []error
	for b := range builds {
		errs = append(errs, b.Abort())
	}
	errs = append(errs, g.close(), ix.lock.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("blugesearch: close: %w", err)
	}
	return nil
}
