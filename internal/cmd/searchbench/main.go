// Command searchbench measures search on a synthetic library, side by side
// with a bare Bluge index of the same documents, and prints the results as
// Markdown (see BENCHMARKS.md):
//
//	go run ./internal/cmd/searchbench -data /tmp/searchbench -items 100000
//
// It generates the corpus (internal/synthcorpus) into a SQLite data
// directory, unless the directory already holds it; rebuilds the Bluge
// index through Library.Reindex and reports items/s, next to Bluge's own
// batch indexing of the same documents; runs each kind of query through
// Library.Search as a restricted principal (permission filter and the
// facets every search computes) and the same query on the bare index
// (access filter and two terms aggregations), reporting p50 and p99;
// measures facets over everything (an admin browsing); measures how soon
// a write is visible while Library.Run follows the store; and reports the
// resident memory of a process that opened the directory as the server
// does and searched it.
//
// Progress goes to stderr, the tables to stdout.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/internal/synthcorpus"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/search"
	"github.com/briefcasehq/briefcase/search/blugesearch"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store/sqlitestore"
)

type config struct {
	data       string
	items      int
	seed       uint64
	queries    int
	passes     int
	as         string
	writes     int
	reuse      bool
	cpuprofile string
	rss        bool
}

func main() {
	var cfg config
	flag.StringVar(&cfg.data, "data", "./searchbench-data", "data directory: the corpus database, its index and the bare index")
	flag.IntVar(&cfg.items, "items", 100000, "number of items in the corpus")
	flag.Uint64Var(&cfg.seed, "seed", 1, "corpus seed")
	flag.IntVar(&cfg.queries, "queries", 200, "distinct queries per kind")
	flag.IntVar(&cfg.passes, "passes", 2, "times each query runs (after one warm-up pass)")
	flag.StringVar(&cfg.as, "as", synthcorpus.SellerID, "principal the searches run as")
	flag.IntVar(&cfg.writes, "writes", 50, "writes per write-to-visible measurement")
	flag.BoolVar(&cfg.reuse, "reuse", false, "reuse the indexes of an earlier run instead of rebuilding (no indexing numbers)")
	flag.StringVar(&cfg.cpuprofile, "cpuprofile", "", "write a CPU profile of Library.Search over every query kind to this file")
	flag.BoolVar(&cfg.rss, "rss", false, "internal: open the data directory as the server does, search, and print VmRSS")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	if cfg.rss {
		err = measureRSS(ctx, cfg, os.Stdout)
	} else {
		err = run(ctx, cfg, os.Stdout, os.Stderr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "searchbench:", err)
		os.Exit(1)
	}
}

// env is an opened data directory.
type env struct {
	db     *sqlitestore.DB
	idx    *blugesearch.Index
	lib    *briefcase.Library
	closed bool
}

// Close closes the Library, the index and the database; later calls do
// nothing.
func (e *env) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	var errs []error
	if e.lib != nil {
		errs = append(errs, e.lib.Close())
	}
	if e.idx != nil {
		errs = append(errs, e.idx.Close())
	}
	if e.db != nil {
		errs = append(errs, e.db.Close())
	}
	return errors.Join(errs...)
}

// open opens the data directory as `briefcase serve` does.
func open(ctx context.Context, dir string) (*env, error) {
	e := &env{}
	var err error
	if e.db, err = sqlitestore.Open(ctx, filepath.Join(dir, "briefcase.db"), sqlitestore.Options{}); err != nil {
		return nil, err
	}
	blobs, err := localblobs.New(filepath.Join(dir, "blobs"))
	if err != nil {
		e.Close()
		return nil, err
	}
	if e.idx, err = blugesearch.Open(filepath.Join(dir, "index"), blugesearch.Options{}); err != nil {
		e.Close()
		return nil, err
	}
	if e.lib, err = briefcase.New(ctx, briefcase.Config{Store: e.db, Blobs: blobs, Indexer: e.idx}); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

func logf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func run(ctx context.Context, cfg config, out, log io.Writer) error {
	rep := &report{cfg: cfg, cpus: runtime.NumCPU()}
	if err := generate(ctx, cfg, rep, log); err != nil {
		return err
	}
	c := synthcorpus.New(synthcorpus.Options{Items: cfg.items, Seed: cfg.seed})
	e, err := open(ctx, cfg.data)
	if err != nil {
		return err
	}
	defer e.Close()
	mark := markCPU()
	if err := buildIndexes(ctx, cfg, e, rep, log); err != nil {
		return err
	}
	bare, err := openBare(ctx, cfg, e, rep, log)
	if err != nil {
		return err
	}
	defer bare.Close()
	rep.othersBuild = othersSince(mark)
	settle(log)
	mark = markCPU()
	if err := measureQueries(ctx, cfg, c, e, bare, rep, log); err != nil {
		return err
	}
	rep.othersQueries = othersSince(mark)
	if cfg.cpuprofile != "" {
		if err := profileQueries(ctx, cfg, c, e, log); err != nil {
			return err
		}
	}
	if err := measureWrites(ctx, cfg, c, e, rep, log); err != nil {
		return err
	}
	if err := e.Close(); err != nil {
		return err
	}
	// Memory is measured in a fresh process, as a server would start.
	logf(log, "measuring resident memory in a fresh process")
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, exe, "-rss", "-data", cfg.data, "-items", fmt.Sprint(cfg.items),
		"-seed", fmt.Sprint(cfg.seed), "-as", cfg.as)
	cmd.Stderr = log
	b, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("memory measurement: %w", err)
	}
	rep.rss = strings.TrimSpace(string(b))
	rep.write(out)
	return nil
}

// generate loads the corpus into the data directory unless it is there.
func generate(ctx context.Context, cfg config, rep *report, log io.Writer) error {
	marker := filepath.Join(cfg.data, "corpus.txt")
	want := fmt.Sprintf("synthcorpus items=%d seed=%d\n", cfg.items, cfg.seed)
	if b, err := os.ReadFile(marker); err == nil {
		if string(b) != want {
			return fmt.Errorf("%s holds another corpus (%s); use another -data directory", cfg.data, strings.TrimSpace(string(b)))
		}
		logf(log, "corpus present in %s", cfg.data)
		return nil
	}
	if _, err := os.Stat(filepath.Join(cfg.data, "briefcase.db")); err == nil {
		return fmt.Errorf("%s has a database but no finished corpus; remove the directory", cfg.data)
	}
	if err := os.MkdirAll(cfg.data, 0o750); err != nil {
		return err
	}
	db, err := sqlitestore.Open(ctx, filepath.Join(cfg.data, "briefcase.db"), sqlitestore.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	logf(log, "generating %d items into %s", cfg.items, cfg.data)
	start := time.Now()
	c := synthcorpus.New(synthcorpus.Options{Items: cfg.items, Seed: cfg.seed, Progress: func(done int) {
		if done%20000 == 0 {
			logf(log, "  %d items", done)
		}
	}})
	if err := c.Load(ctx, db); err != nil {
		return err
	}
	rep.load = time.Since(start)
	logf(log, "loaded in %v", rep.load.Round(time.Millisecond))
	if err := db.Close(); err != nil {
		return err
	}
	return os.WriteFile(marker, []byte(want), 0o640)
}

// buildIndexes rebuilds the index through Library.Reindex, then times
// blugesearch's Build on prebuilt documents (the engine alone).
func buildIndexes(ctx context.Context, cfg config, e *env, rep *report, log io.Writer) error {
	sys := briefcase.SystemContext(ctx)
	if n, err := e.idx.Count(ctx); err == nil && cfg.reuse && n == cfg.items {
		logf(log, "reusing the index (%d documents)", n)
		return nil
	}
	logf(log, "Library.Reindex")
	start := time.Now()
	n, err := e.lib.Reindex(sys)
	if err != nil {
		return err
	}
	rep.reindex = time.Since(start)
	rep.reindexN = n
	logf(log, "reindexed %d items in %v", n, rep.reindex.Round(time.Millisecond))

	logf(log, "blugesearch Build, documents read from the store outside the timing")
	dir := filepath.Join(cfg.data, "engine-only")
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	ix, err := blugesearch.Open(dir, blugesearch.Options{})
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	defer ix.Close()
	b, err := ix.Rebuild(ctx)
	if err != nil {
		return err
	}
	bt, err := streamDocuments(ctx, e.db, 500, func(docs []search.Document) error { return b.Add(ctx, docs) })
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := b.Commit(ctx, 1); err != nil {
		return err
	}
	bt.engine += time.Since(t0)
	rep.oursEngine = bt
	logf(log, "blugesearch: %d documents, engine %v, reading %v", bt.n, bt.engine.Round(time.Millisecond), bt.read.Round(time.Millisecond))
	return nil
}

// access is what the service pushes into the engine for p (see
// search.Service): the visible spots, the viewer statuses, and the homes
// where p sees every status.
func access(ctx context.Context, lib *briefcase.Library) (*search.Access, error) {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return nil, err
	}
	vs, err := lib.Spots.List(ctx)
	if err != nil {
		return nil, err
	}
	a := &search.Access{SpotIDs: []string{}}
	for _, st := range items.ViewerStatuses {
		a.Statuses = append(a.Statuses, string(st))
	}
	for _, v := range vs {
		a.SpotIDs = append(a.SpotIDs, v.ID)
		if v.Role.AtLeast(spots.Editor) || p.IsAdmin() {
			a.AnyStatusHomeIDs = append(a.AnyStatusHomeIDs, v.ID)
		}
	}
	return a, nil
}

// profileQueries runs every kind of query through Library.Search under the
// CPU profiler.
func profileQueries(ctx context.Context, cfg config, c *synthcorpus.Corpus, e *env, log io.Writer) error {
	f, err := os.Create(cfg.cpuprofile)
	if err != nil {
		return err
	}
	defer f.Close()
	pctx := briefcase.WithPrincipal(ctx, c.Principal(cfg.as))
	logf(log, "profiling Library.Search into %s", cfg.cpuprofile)
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	for range 3 {
		for _, k := range synthcorpus.QueryKinds() {
			for _, q := range c.Queries(k, cfg.queries) {
				if _, err := e.lib.Search.Search(pctx, search.Request{Query: q}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
