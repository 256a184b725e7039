package briefcase_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/search"
	"github.com/briefcasehq/briefcase/search/blugesearch"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
	"github.com/briefcasehq/briefcase/store/sqlitestore"
	"github.com/matryer/is"
)

// diskLib is a Library over SQLite and Bluge in dir, as the server runs it.
type diskLib struct {
	lib *briefcase.Library
	db  *sqlitestore.DB
	idx *blugesearch.Index
}

func openDisk(t testing.TB, dir string, cfg briefcase.Config) *diskLib {
	t.Helper()
	ctx := context.Background()
	db, err := sqlitestore.Open(ctx, filepath.Join(dir, "briefcase.db"), sqlitestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := localblobs.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	idx, err := blugesearch.Open(filepath.Join(dir, "index"), blugesearch.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Store, cfg.Blobs, cfg.Indexer = db, blobs, idx
	lib, err := briefcase.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &diskLib{lib: lib, db: db, idx: idx}
}

func (d *diskLib) Close() {
	d.lib.Close()
	d.idx.Close()
	d.db.Close()
}

// seedSpot creates an admin, a public spot and returns a context acting as
// the admin and the spot.
func seedSpot(t testing.TB, lib *briefcase.Library) (context.Context, spots.Spot) {
	t.Helper()
	ctx := briefcase.SystemContext(context.Background())
	admin, err := lib.Spots.SavePrincipal(ctx, spots.Principal{ID: "ada", Name: "Ada Admin", Email: "ada@example.com",
		Roles: []spots.PlatformRole{spots.Admin}, Trainings: contributor})
	if err != nil {
		t.Fatal(err)
	}
	actx := briefcase.WithPrincipal(context.Background(), admin)
	sp, err := lib.Spots.Create(actx, spots.NewSpot{Name: "Product Marketing", Kind: spots.KindProduct,
		Visibility: spots.Public, OwnerID: "ada"})
	if err != nil {
		t.Fatal(err)
	}
	return actx, sp
}

func createNumbered(t testing.TB, ctx context.Context, lib *briefcase.Library, spotID string, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if _, err := lib.Items.Create(ctx, items.NewItem{SpotID: spotID, Kind: items.KindDocument,
			Title: fmt.Sprintf("Playbook token%d", i), Audience: items.External}); err != nil {
			t.Fatal(err)
		}
	}
}

// crashingIndexer exits the process, without closing anything, after a
// number of Index calls: a crash in the middle of a catch-up round.
type crashingIndexer struct {
	search.Indexer
	mu    sync.Mutex
	calls int
	after int
}

func (c *crashingIndexer) Index(ctx context.Context, docs []search.Document, deletes []string, seq int64) error {
	if err := c.Indexer.Index(ctx, docs, deletes, seq); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.calls == c.after {
		os.Exit(3)
	}
	return nil
}

// TestMain lets the crash test re-run this binary as the process that
// crashes.
func TestMain(m *testing.M) {
	if dir := os.Getenv("BRIEFCASE_CRASH_DIR"); dir != "" {
		crashChild(dir)
		return
	}
	os.Exit(m.Run())
}

// crashChild indexes 30 items, writes 45 more, then crashes in the middle
// of the catch-up that indexes them (after its second batch of 10).
func crashChild(dir string) {
	t := exitTB{}
	d := openDisk(t, dir, briefcase.Config{})
	ctx, sp := seedSpot(t, d.lib)
	createNumbered(t, ctx, d.lib, sp.ID, 0, 30)
	if _, err := d.lib.CatchUp(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "catch up:", err)
		os.Exit(1)
	}
	createNumbered(t, ctx, d.lib, sp.ID, 30, 75)
	f := search.NewFollower(d.db, &crashingIndexer{Indexer: d.idx, after: 2}, search.FollowerOptions{BatchSize: 10})
	_, err := f.CatchUp(ctx)
	fmt.Fprintln(os.Stderr, "catch up returned instead of crashing:", err)
	os.Exit(1)
}

func TestSearchIndexRecoversFromACrash(t *testing.T) {
	is := is.New(t)
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "BRIEFCASE_CRASH_DIR="+dir)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("the child did not crash where planned: %v\n%s", err, out)
	}

	d := openDisk(t, dir, briefcase.Config{})
	defer d.Close()
	ctx := briefcase.SystemContext(context.Background())
	last, err := d.db.LastChangeSeq(ctx)
	is.NoErr(err)
	applied, err := d.idx.AppliedSeq(ctx)
	is.NoErr(err)
	is.True(applied < last) // the crash left changes unapplied
	n, err := d.idx.Count(ctx)
	is.NoErr(err)
	is.True(n > 30 && n < 75) // some of the crashed round's documents landed

	_, err = d.lib.CatchUp(ctx)
	is.NoErr(err)
	applied, err = d.idx.AppliedSeq(ctx)
	is.NoErr(err)
	is.Equal(applied, last)
	n, err = d.idx.Count(ctx)
	is.NoErr(err)
	is.Equal(n, 75) // nothing missed, nothing twice
	for i := range 75 {
		res, err := d.lib.Search.Search(ctx, search.Request{Query: "token" + strconv.Itoa(i)})
		is.NoErr(err)
		is.Equal(res.Total, 1) // each item exactly once
		is.Equal(res.Hits[0].Item.Title, fmt.Sprintf("Playbook token%d", i))
	}
}

// exitTB reports a failure of the crash child and exits with 1.
type exitTB struct{ testing.TB }

func (exitTB) Helper() {}
func (exitTB) Fatal(args ...any) {
	fmt.Fprintln(os.Stderr, args...)
	os.Exit(1)
}
func (exitTB) Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

// gate is a Signals provider that can pause whoever builds documents.
type gate struct {
	mu      sync.Mutex
	armed   bool
	reached chan struct{}
	release chan struct{}
}

func (g *gate) Signals(ctx context.Context, ids []string) (map[string]search.Signal, error) {
	g.mu.Lock()
	armed := g.armed
	g.armed = false
	g.mu.Unlock()
	if armed {
		close(g.reached)
		<-g.release
	}
	return nil, nil
}

func TestReindexServesTheOldIndexUntilTheSwap(t *testing.T) {
	is := is.New(t)
	g := &gate{reached: make(chan struct{}), release: make(chan struct{})}
	d := openDisk(t, t.TempDir(), briefcase.Config{Signals: g})
	defer d.Close()
	ctx, sp := seedSpot(t, d.lib)
	createNumbered(t, ctx, d.lib, sp.ID, 0, 20)
	_, err := d.lib.CatchUp(ctx)
	is.NoErr(err)

	// Only admins rebuild.
	_, err = d.lib.Reindex(briefcase.WithPrincipal(context.Background(), spots.Principal{ID: "vic"}))
	is.Equal(briefcase.ErrorCode(err), briefcase.Code("forbidden"))

	g.mu.Lock()
	g.armed = true
	g.mu.Unlock()
	done := make(chan error, 1)
	var indexed int
	go func() {
		var err error
		indexed, err = d.lib.Reindex(ctx)
		done <- err
	}()
	<-g.reached // the rebuild is in progress, paused

	res, err := d.lib.Search.Search(ctx, search.Request{Query: "playbook", Limit: 1})
	is.NoErr(err)
	is.Equal(res.Total, 20) // the old index still serves everything
	createNumbered(t, ctx, d.lib, sp.ID, 20, 21)
	_, err = d.lib.CatchUp(ctx) // and still follows writes
	is.NoErr(err)
	res, err = d.lib.Search.Search(ctx, search.Request{Query: "token20"})
	is.NoErr(err)
	is.Equal(res.Total, 1)

	close(g.release)
	is.NoErr(<-done)
	is.True(indexed >= 20)
	_, err = d.lib.CatchUp(ctx) // replays what changed during the rebuild
	is.NoErr(err)
	res, err = d.lib.Search.Search(ctx, search.Request{Query: "playbook", Limit: 1})
	is.NoErr(err)
	is.Equal(res.Total, 21)
	n, err := d.idx.Count(ctx)
	is.NoErr(err)
	is.Equal(n, 21)
}

func TestRenamingASpotOrListReindexesItsItems(t *testing.T) {
	is := is.New(t)
	d := openDisk(t, t.TempDir(), briefcase.Config{})
	defer d.Close()
	ctx, sp := seedSpot(t, d.lib)
	createNumbered(t, ctx, d.lib, sp.ID, 0, 3)
	g, err := d.lib.Items.CreateListGroup(ctx, "Industry")
	is.NoErr(err)
	l, err := d.lib.Items.CreateList(ctx, g.ID, "Finance")
	is.NoErr(err)
	page, err := d.lib.Items.List(ctx, items.Query{})
	is.NoErr(err)
	_, err = d.lib.Items.AddToList(ctx, l.ID, page.Items[0].ID)
	is.NoErr(err)
	_, err = d.lib.CatchUp(ctx)
	is.NoErr(err)

	count := func(q string) int {
		t.Helper()
		res, err := d.lib.Search.Search(ctx, search.Request{Query: q})
		is.NoErr(err)
		return res.Total
	}
	is.Equal(count(`spot:marketing`), 3)
	is.Equal(count(`list:finance`), 1)

	newName := "Field Enablement"
	_, err = d.lib.Spots.Update(ctx, sp.ID, spots.SpotPatch{Name: &newName})
	is.NoErr(err)
	banking := "Banking"
	_, err = d.lib.Items.UpdateList(ctx, l.ID, items.ListPatch{Name: &banking})
	is.NoErr(err)
	_, err = d.lib.CatchUp(ctx)
	is.NoErr(err)
	is.Equal(count(`spot:marketing`), 0)
	is.Equal(count(`spot:enablement`), 3)
	is.Equal(count(`list:finance`), 0)
	is.Equal(count(`list:banking`), 1)
}

func TestLibraryRunMakesWritesSearchableWithinASecond(t *testing.T) {
	is := is.New(t)
	d := openDisk(t, t.TempDir(), briefcase.Config{FollowInterval: 50 * time.Millisecond})
	defer d.Close()
	ctx, sp := seedSpot(t, d.lib)
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.lib.Run(runCtx) }()
	defer func() {
		cancel()
		is.NoErr(<-done)
	}()
	createNumbered(t, ctx, d.lib, sp.ID, 0, 1)
	// Poll, bounded by the 1 s promise: the write must become visible
	// without any explicit catch-up.
	deadline := time.Now().Add(time.Second)
	for {
		res, err := d.lib.Search.Search(ctx, search.Request{Query: "token0"})
		is.NoErr(err)
		if res.Total == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a write was not searchable within 1 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var _ store.Store = (*sqlitestore.DB)(nil)
