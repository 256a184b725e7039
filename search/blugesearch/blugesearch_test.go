package blugesearch_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase/search"
	"github.com/briefcasehq/briefcase/search/blugesearch"
	"github.com/briefcasehq/briefcase/search/memsearch"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(crashModeEnv); mode != "" {
		crashChild(mode, os.Getenv(crashDirEnv))
	}
	code := m.Run()
	if benchRoot != "" {
		_ = os.RemoveAll(benchRoot)
	}
	os.Exit(code)
}

// open opens an index in dir, closing it when the test ends.
func open(t *testing.T, dir string) *blugesearch.Index {
	t.Helper()
	ix, err := blugesearch.Open(dir, blugesearch.Options{})
	is.New(t).NoErr(err)
	t.Cleanup(func() { _ = ix.Close() })
	return ix
}

func doc(id, title string) search.Document {
	return search.Document{
		ID: id, Title: title, Pages: []string{"A page about " + title},
		HomeSpotID: "spot-1", SpotIDs: []string{"spot-1"}, SpotNames: []string{"Sales"},
		Kind: "pdf", Audience: "external", Status: "published",
		CreatedAt: time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.FixedZone("X", 3600)),
	}
}

var everything = search.Filter{Access: &search.Access{All: true}}

// titles returns every document's title by ID.
func titles(t *testing.T, ix search.Indexer) map[string]string {
	t.Helper()
	res, err := ix.Search(context.Background(), search.EngineQuery{Filter: everything, Limit: 10000})
	is.New(t).NoErr(err)
	out := map[string]string{}
	for _, h := range res.Hits {
		out[h.ID] = h.Summary.Title
	}
	is.New(t).Equal(res.Total, len(out))
	return out
}

func TestReopenKeepsDocumentsAndSeq(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	dir := t.TempDir()
	ix, err := blugesearch.Open(dir, blugesearch.Options{})
	is.NoErr(err)
	is.NoErr(ix.Index(ctx, []search.Document{doc("a", "Alpha deck"), doc("b", "Beta deck"), doc("c", "Gamma deck")}, nil, 7))
	is.NoErr(ix.Index(ctx, []search.Document{doc("a", "Alpha case study")}, []string{"b"}, 9))
	is.NoErr(ix.Close())

	ix = open(t, dir)
	seq, err := ix.AppliedSeq(ctx)
	is.NoErr(err)
	is.Equal(seq, int64(9))
	n, err := ix.Count(ctx)
	is.NoErr(err)
	is.Equal(n, 2)
	is.Equal(titles(t, ix), map[string]string{"a": "Alpha case study", "c": "Gamma deck"})

	res, err := ix.Search(ctx, search.EngineQuery{Match: &search.Phrase{Text: "case study"}, Filter: everything, Limit: 10})
	is.NoErr(err)
	is.Equal(len(res.Hits), 1)
	is.Equal(res.Hits[0].ID, "a")
	is.Equal(res.Hits[0].Summary.CreatedAt, time.Date(2026, 3, 4, 4, 6, 7, 123456000, time.UTC)) // UTC, microseconds

	// The reopened index takes writes; a lower seq is refused.
	is.NoErr(ix.Index(ctx, []search.Document{doc("d", "Delta")}, nil, 9))
	is.True(ix.Index(ctx, []search.Document{doc("e", "Epsilon")}, nil, 8) != nil)
}

func TestRebuildSurvivesReopen(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	dir := t.TempDir()
	ix, err := blugesearch.Open(dir, blugesearch.Options{BatchSize: 3})
	is.NoErr(err)
	is.NoErr(ix.Index(ctx, []search.Document{doc("old-1", "Old"), doc("old-2", "Old")}, nil, 5))
	b, err := ix.Rebuild(ctx)
	is.NoErr(err)
	var docs []search.Document
	for i := range 10 {
		docs = append(docs, doc(fmt.Sprint("new-", i), "New"))
	}
	is.NoErr(b.Add(ctx, docs))                                         // several Bluge batches
	is.NoErr(b.Add(ctx, []search.Document{doc("new-3", "New again")})) // replaces by ID
	is.NoErr(b.Commit(ctx, 12))
	is.NoErr(ix.Close())

	ix = open(t, dir)
	seq, err := ix.AppliedSeq(ctx)
	is.NoErr(err)
	is.Equal(seq, int64(12))
	got := titles(t, ix)
	is.Equal(len(got), 10)
	is.Equal(got["new-3"], "New again")
	is.Equal(generations(t, dir), []string{"gen-000002"}) // the old generation is gone
}

// generations lists the generation directories in dir.
func generations(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	is.New(t).NoErr(err)
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "gen-") {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestOpenRemovesLeftovers(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	dir := t.TempDir()
	ix, err := blugesearch.Open(dir, blugesearch.Options{})
	is.NoErr(err)
	is.NoErr(ix.Index(ctx, []search.Document{doc("a", "Alpha")}, nil, 1))
	is.NoErr(ix.Close())

	// What a crash can leave: an unfinished generation, a half-written
	// CURRENT.tmp, and a segment file no snapshot references.
	is.NoErr(os.MkdirAll(filepath.Join(dir, "gen-000007"), 0o700))
	is.NoErr(os.WriteFile(filepath.Join(dir, "gen-000007", "000000000001.seg"), []byte("partial"), 0o600))
	is.NoErr(os.WriteFile(filepath.Join(dir, "CURRENT.tmp"), []byte("gen-0000"), 0o600))
	stray := filepath.Join(dir, "gen-000001", "0000000fffff.seg")
	is.NoErr(os.WriteFile(stray, []byte("partial merge"), 0o600))

	ix = open(t, dir)
	is.Equal(generations(t, dir), []string{"gen-000001"})
	_, err = os.Stat(filepath.Join(dir, "CURRENT.tmp"))
	is.True(os.IsNotExist(err))
	_, err = os.Stat(stray)
	is.True(os.IsNotExist(err))
	is.Equal(titles(t, ix), map[string]string{"a": "Alpha"})

	// A new rebuild does not reuse the leftover's number.
	b, err := ix.Rebuild(ctx)
	is.NoErr(err)
	is.NoErr(b.Commit(ctx, 2))
	is.Equal(generations(t, dir), []string{"gen-000008"})
}

func TestOpenTwice(t *testing.T) {
	dir := t.TempDir()
	open(t, dir)
	_, err := blugesearch.Open(dir, blugesearch.Options{})
	is.New(t).True(err != nil) // one Index per directory
}

// TestSearchesDuringRebuild searches without pause while a Rebuild fills
// and commits: every search sees the whole old index or the whole new one.
func TestSearchesDuringRebuild(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	ix := open(t, t.TempDir())
	var old, fresh []search.Document
	for i := range 50 {
		old = append(old, doc(fmt.Sprint("old-", i), "Old deck"))
	}
	for i := range 60 {
		fresh = append(fresh, doc(fmt.Sprint("new-", i), "New deck"))
	}
	is.NoErr(ix.Index(ctx, old, nil, 3))

	var stop atomic.Bool
	var sawNew atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				res, err := ix.Search(ctx, search.EngineQuery{Match: &search.Term{Text: "deck"}, Filter: everything, Limit: 100,
					Facets: []search.Facet{search.FacetType}})
				if err != nil {
					errs <- err
					return
				}
				want := "Old deck"
				if res.Total == 60 {
					want = "New deck"
					sawNew.Store(true)
				} else if res.Total != 50 {
					errs <- fmt.Errorf("a search saw %d documents, neither the old index (50) nor the new (60)", res.Total)
					return
				}
				for _, h := range res.Hits {
					if h.Summary.Title != want {
						errs <- fmt.Errorf("a search mixed generations: %d hits with %q among them", res.Total, h.Summary.Title)
						return
					}
				}
				if len(res.Hits) != res.Total || res.Facets[search.FacetType][0].Count != res.Total {
					errs <- fmt.Errorf("hits %d, facet count %v and total %d disagree", len(res.Hits), res.Facets, res.Total)
					return
				}
			}
		})
	}
	b, err := ix.Rebuild(ctx)
	is.NoErr(err)
	for i := 0; i < len(fresh); i += 7 {
		is.NoErr(b.Add(ctx, fresh[i:min(i+7, len(fresh))]))
	}
	is.NoErr(b.Commit(ctx, 4))
	for !sawNew.Load() && len(errs) == 0 {
		time.Sleep(time.Millisecond) // let the searchers see the new index
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	seq, err := ix.AppliedSeq(ctx)
	is.NoErr(err)
	is.Equal(seq, int64(4))
}

// Crash tests re-run the test binary as a child process that writes to an
// index and dies without Close (see crashChild, started from TestMain).
const (
	crashModeEnv = "BLUGESEARCH_CRASH_MODE"
	crashDirEnv  = "BLUGESEARCH_CRASH_DIR"
)

// crashBatch is batch seq of the crash tests: it rewrites d0..d9 with the
// title "batch <seq>", adds new-<seq> and deletes new-<seq-2>. A state
// where the titles disagree, or the new-* documents are not exactly
// new-<seq> and new-<seq-1>, is a half-applied batch.
func crashBatch(seq int64) ([]search.Document, []string) {
	var docs []search.Document
	for i := range 10 {
		docs = append(docs, doc(fmt.Sprint("d", i), fmt.Sprint("batch ", seq)))
	}
	docs = append(docs, doc(fmt.Sprint("new-", seq), fmt.Sprint("batch ", seq)))
	return docs, []string{fmt.Sprint("new-", seq-2)}
}

// crashChild runs in the child process and never returns.
func crashChild(mode, dir string) {
	ctx := context.Background()
	ix, err := blugesearch.Open(dir, blugesearch.Options{BatchSize: 100})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open:", err)
		os.Exit(2)
	}
	switch mode {
	case "index": // index batches until killed, reporting each applied one
		seq, err := ix.AppliedSeq(ctx)
		if err != nil {
			os.Exit(2)
		}
		for {
			seq++
			docs, dels := crashBatch(seq)
			if err := ix.Index(ctx, docs, dels, seq); err != nil {
				fmt.Fprintln(os.Stderr, "child: index:", err)
				os.Exit(2)
			}
			fmt.Printf("applied %d\n", seq)
		}
	case "exit": // one more batch, then exit without Close
		seq, _ := ix.AppliedSeq(ctx)
		docs, dels := crashBatch(seq + 1)
		if err := ix.Index(ctx, docs, dels, seq+1); err != nil {
			os.Exit(2)
		}
		os.Exit(0)
	case "rebuild": // fill a rebuild, then exit without Commit or Close
		b, err := ix.Rebuild(ctx)
		if err != nil {
			os.Exit(2)
		}
		var docs []search.Document
		for i := range 500 {
			docs = append(docs, doc(fmt.Sprint("rebuilt-", i), "rebuilt"))
		}
		if err := b.Add(ctx, docs); err != nil {
			os.Exit(2)
		}
		fmt.Println("added")
		os.Exit(0)
	}
	os.Exit(2)
}

// startChild starts the test binary as a crash child in mode.
func startChild(t *testing.T, mode, dir string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashModeEnv+"="+mode, crashDirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	is.New(t).NoErr(err)
	is.New(t).NoErr(cmd.Start())
	t.Cleanup(func() { // a failed test must not leave the child running
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd, bufio.NewScanner(out)
}

// checkWholeBatches asserts the index holds batches 1..seq exactly.
func checkWholeBatches(t *testing.T, ix search.Indexer) int64 {
	t.Helper()
	is := is.New(t)
	seq, err := ix.AppliedSeq(context.Background())
	is.NoErr(err)
	want := map[string]string{}
	if seq > 0 {
		for i := range 10 {
			want[fmt.Sprint("d", i)] = fmt.Sprint("batch ", seq)
		}
		for s := max(1, seq-1); s <= seq; s++ {
			want[fmt.Sprint("new-", s)] = fmt.Sprint("batch ", s)
		}
	}
	is.Equal(titles(t, ix), want) // every document of batch seq, nothing of seq+1
	n, err := ix.Count(context.Background())
	is.NoErr(err)
	is.Equal(n, len(want))
	return seq
}

// TestCrashDuringIndex kills a child process that indexes batch after
// batch, three times, and checks after each crash that the index holds
// exactly the batches up to its applied seq, at least those the child saw
// applied.
func TestCrashDuringIndex(t *testing.T) {
	dir := t.TempDir()
	var last int64
	for round := range 3 {
		cmd, out := startChild(t, "index", dir)
		var acked int64
		for out.Scan() {
			n, err := strconv.ParseInt(strings.TrimPrefix(out.Text(), "applied "), 10, 64)
			is.New(t).NoErr(err)
			acked = n
			if acked >= last+5+int64(round) { // kill at a different point each round
				break
			}
		}
		is.New(t).NoErr(cmd.Process.Kill())
		_ = cmd.Wait()

		ix, err := blugesearch.Open(dir, blugesearch.Options{})
		is.New(t).NoErr(err)
		seq := checkWholeBatches(t, ix)
		is.New(t).True(seq >= acked) // an acknowledged batch survives the crash
		is.New(t).NoErr(ix.Close())
		last = seq
	}
}

// TestExitWithoutClose indexes in a child that exits without Close.
func TestExitWithoutClose(t *testing.T) {
	is := is.New(t)
	dir := t.TempDir()
	for range 3 {
		cmd, _ := startChild(t, "exit", dir)
		is.NoErr(cmd.Wait())
	}
	ix := open(t, dir)
	is.Equal(checkWholeBatches(t, ix), int64(3))
}

// TestRebuildCrash: a child fills a Rebuild and dies before Commit; Open
// discards the unfinished generation and serves the old one.
func TestRebuildCrash(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	dir := t.TempDir()
	ix, err := blugesearch.Open(dir, blugesearch.Options{})
	is.NoErr(err)
	docs, dels := crashBatch(1)
	is.NoErr(ix.Index(ctx, docs, dels, 1))
	is.NoErr(ix.Close())

	cmd, out := startChild(t, "rebuild", dir)
	is.True(out.Scan())
	is.Equal(out.Text(), "added")
	is.NoErr(cmd.Wait())
	is.Equal(generations(t, dir), []string{"gen-000001", "gen-000002"}) // the unfinished build is there

	ix = open(t, dir)
	is.Equal(generations(t, dir), []string{"gen-000001"})
	is.Equal(checkWholeBatches(t, ix), int64(1)) // none of the 500 rebuilt documents
}

// TestPhrasesAgreeWithMemsearch compares the documents phrases match in
// blugesearch (pairs of common words, verified positions) with the
// in-memory engine, on text made mostly of common words split over
// several values, where pairs, positions and value gaps all matter.
func TestPhrasesAgreeWithMemsearch(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 7))
	vocab := []string{"the", "of", "a", "in", "the", "the", "to", "deck", "case", "study", "pricing", "of"}
	text := func(n int) string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = vocab[r.IntN(len(vocab))]
		}
		return strings.Join(ws, " ")
	}
	var docs []search.Document
	for i := range 300 {
		d := search.Document{ID: fmt.Sprintf("doc-%03d", i), Title: text(1 + r.IntN(4)), Description: text(r.IntN(6)),
			SpotNames: []string{text(2), text(2)}}
		for range 1 + r.IntN(3) {
			d.Pages = append(d.Pages, text(1+r.IntN(12)))
		}
		docs = append(docs, d)
	}
	ours := open(t, t.TempDir())
	mem := memsearch.New()
	is.NoErr(ours.Index(ctx, docs, nil, 1))
	is.NoErr(mem.Index(ctx, docs, nil, 1))
	ids := func(ix search.Indexer, n search.Node) []string {
		res, err := ix.Search(ctx, search.EngineQuery{Match: n, Filter: everything, Limit: 1000})
		is.NoErr(err)
		var out []string
		for _, h := range res.Hits {
			out = append(out, h.ID)
		}
		slices.Sort(out)
		return out
	}
	for range 300 {
		p := text(2 + r.IntN(3))
		for _, f := range []search.Field{search.FieldDefault, search.FieldBody, search.FieldTitle, search.FieldSpot} {
			n := &search.Phrase{Field: f, Text: p}
			if got, want := ids(ours, n), ids(mem, n); !slices.Equal(got, want) {
				t.Fatalf("%s: blugesearch matches %v, memsearch %v", n, got, want)
			}
		}
	}
}
