//go:build unix

package render_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase/render"
	"github.com/briefcasehq/briefcase/share"
	"github.com/matryer/is"
)

// The tests here run shell scripts in place of pdftoppm, to see what the
// renderer does with a command that hangs, fails or is called too often.

// fake is a pdftoppm stand-in: a shell script, with $in and $out set to
// its last two arguments (the PDF and the output prefix), $state to a
// directory it may write in, and $fixture to a small PNG.
type fake struct {
	path, state string
}

func newFake(t *testing.T, body string) fake {
	t.Helper()
	dir := t.TempDir()
	f := fake{path: filepath.Join(dir, "fake-pdftoppm"), state: filepath.Join(dir, "state")}
	fixture := filepath.Join(dir, "fixture.png")
	if err := os.WriteFile(fixture, pngOf(t, 40, 60), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(f.state, 0o700); err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf("#!/bin/sh\nstate=%q\nfixture=%q\nfor a; do in=$out; out=$a; done\n%s\n", f.state, fixture, body)
	if err := os.WriteFile(f.path, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return f
}

// lines returns the lines the script appended to the state file name.
func (f fake) lines(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(f.state, name))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b))
}

func (f fake) renderer(t *testing.T, opt render.Options) *render.PDF {
	t.Helper()
	opt.Path = f.path
	r, err := render.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var doc = []byte("%PDF-1.7 whatever the fake is given\n")

func TestCommandTimeout(t *testing.T) {
	f := newFake(t, `exec sleep 30`)
	dir := t.TempDir()

	t.Run("Timeout", func(t *testing.T) {
		is := is.New(t)
		r := f.renderer(t, render.Options{Timeout: 300 * time.Millisecond, TempDir: dir})
		start := time.Now()
		_, err := renderPage(r, doc, 1)
		is.True(errors.Is(err, render.ErrTimeout)) // the command was killed
		is.True(time.Since(start) < 10*time.Second)
	})
	t.Run("the caller's deadline", func(t *testing.T) {
		is := is.New(t)
		r := f.renderer(t, render.Options{TempDir: dir})
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, _, err := r.RenderPage(ctx, bytes.NewReader(doc), "application/pdf", 1)
		is.True(errors.Is(err, context.DeadlineExceeded))
		is.True(!errors.Is(err, render.ErrTimeout)) // the caller gave up, not us
		is.True(time.Since(start) < 10*time.Second)
	})
	left, err := os.ReadDir(dir)
	if err != nil || len(left) != 0 {
		t.Fatalf("left behind: %v %v", left, err)
	}
}

func TestCommandFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		script string
		page   int
		want   error
	}{
		{"page past the end", `echo "Wrong page range given: the first page (5) can not be after the last page (3)." >&2; exit 99`, 5, share.ErrItemUnavailable},
		{"no output from an older poppler", `exit 0`, 5, share.ErrItemUnavailable},
		{"no pages at all", `echo "Wrong page range given: the first page (1) can not be after the last page (0)." >&2; exit 99`, 1, render.ErrMalformed},
		{"cannot read the file", `echo "Syntax Error: Couldn't find trailer dictionary" >&2; exit 1`, 2, render.ErrMalformed},
		{"other failures", `echo "Internal Error: something" >&2; exit 99`, 2, render.ErrMalformed},
		{"crashed", `cp "$fixture" "$out.png"; kill -SEGV $$`, 2, render.ErrMalformed},
		{"not a PNG", `echo hello > "$out.png"`, 2, render.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			r := newFake(t, tc.script).renderer(t, render.Options{})
			_, err := renderPage(r, doc, tc.page)
			is.True(errors.Is(err, tc.want)) // err
			if strings.Contains(tc.script, "Syntax Error") {
				is.True(strings.Contains(err.Error(), "Couldn't find trailer dictionary")) // pdftoppm's words, for the log
			}
		})
	}
}

// TestCommandLine checks what pdftoppm is given: a private copy of the
// file, made-up names only, and the size options.
func TestCommandLine(t *testing.T) {
	is := is.New(t)
	tmp := t.TempDir()
	f := newFake(t, `echo "$@" >> "$state/args"
ls -ln "$in" | cut -c1-10 >> "$state/modes"
ls -lnd "$(dirname "$in")" | cut -c1-10 >> "$state/modes"
cmp -s "$in" "$state/../want.pdf" && echo same >> "$state/contents"
cp "$fixture" "$out.png"`)
	is.NoErr(os.WriteFile(filepath.Join(f.state, "..", "want.pdf"), doc, 0o600))
	r := f.renderer(t, render.Options{TempDir: tmp, DPI: 96, MaxSize: 1200, CacheBytes: -1})
	img, err := renderPage(r, doc, 7)
	is.NoErr(err)
	is.Equal(img, pngOf(t, 40, 60))

	args := f.lines(t, "args")
	n := len(args)
	is.True(n > 2)
	in, out := args[n-2], args[n-1]
	is.True(filepath.IsAbs(in) && strings.HasPrefix(in, tmp)) // a name made up here, in TempDir
	is.Equal(filepath.Dir(out), filepath.Dir(in))
	joined := strings.Join(args, " ")
	for _, want := range []string{"-f 7 -l 7", "-r 96", "-W 1200 -H 1200", "-png", "-singlefile", "-cropbox"} {
		is.True(strings.Contains(joined, want)) // want
	}
	is.Equal(f.lines(t, "modes"), []string{"-rw-------", "drwx------"}) // private
	is.Equal(f.lines(t, "contents"), []string{"same"})                  // the whole file
	left, err := os.ReadDir(tmp)
	is.NoErr(err)
	is.Equal(len(left), 0) // removed afterwards
}

// TestCommandScalesLargePages: a page drawn as large as MaxSize may have
// been cropped, so it is drawn again scaled to fit.
func TestCommandScalesLargePages(t *testing.T) {
	is := is.New(t)
	f := newFake(t, `echo "$@" >> "$state/args"
case "$*" in
*-scale-to*) cp "$fixture" "$out.png" ;;
*) cp "$state/../large.png" "$out.png" ;;
esac`)
	is.NoErr(os.WriteFile(filepath.Join(f.state, "..", "large.png"), pngOf(t, 100, 30), 0o600))
	r := f.renderer(t, render.Options{MaxSize: 100, CacheBytes: -1})
	img, err := renderPage(r, doc, 1)
	is.NoErr(err)
	is.Equal(img, pngOf(t, 40, 60)) // the second drawing
	b, err := os.ReadFile(filepath.Join(f.state, "args"))
	is.NoErr(err)
	runs := strings.Split(strings.TrimSpace(string(b)), "\n")
	is.Equal(len(runs), 2)
	is.True(strings.Contains(runs[1], "-scale-to 100"))
	is.True(!strings.Contains(runs[1], "-r ")) // -scale-to sets the resolution

	// Smaller pages are drawn once.
	r = f.renderer(t, render.Options{MaxSize: 101, CacheBytes: -1})
	_, err = renderPage(r, doc, 1)
	is.NoErr(err)
	b, err = os.ReadFile(filepath.Join(f.state, "args"))
	is.NoErr(err)
	is.Equal(len(strings.Split(strings.TrimSpace(string(b)), "\n")), 3)
}

// TestCommandConcurrency: at most Concurrency commands run at once; the
// script records how many were running when each started.
func TestCommandConcurrency(t *testing.T) {
	for _, tc := range []struct {
		limit  int
		within func(max int) bool
	}{
		{1, func(max int) bool { return max == 1 }},
		{2, func(max int) bool { return max == 2 }},
		// The control: without the cap more run at once, so the
		// recording does see overlaps.
		{8, func(max int) bool { return max > 2 }},
	} {
		t.Run(strconv.Itoa(tc.limit), func(t *testing.T) {
			is := is.New(t)
			f := newFake(t, `mkdir -p "$state/running"
touch "$state/running/$$"
ls "$state/running" | wc -l >> "$state/counts"
sleep 0.2
rm "$state/running/$$"
cp "$fixture" "$out.png"`)
			r := f.renderer(t, render.Options{Concurrency: tc.limit, CacheBytes: -1})
			var wg sync.WaitGroup
			for page := 1; page <= 6; page++ {
				wg.Go(func() {
					if _, err := renderPage(r, doc, page); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			var counts []int
			for _, c := range f.lines(t, "counts") {
				n, err := strconv.Atoi(c)
				is.NoErr(err)
				counts = append(counts, n)
			}
			is.Equal(len(counts), 6)               // every page drawn
			is.True(tc.within(slices.Max(counts))) // how many ran at once
		})
	}
}

// TestCommandWaitsForASlot: a request waiting for a free slot gives up
// when its context ends, without running anything.
func TestCommandWaitsForASlot(t *testing.T) {
	is := is.New(t)
	f := newFake(t, `touch "$state/started"
while [ ! -e "$state/release" ]; do sleep 0.02; done
cp "$fixture" "$out.png"`)
	r := f.renderer(t, render.Options{Concurrency: 1, CacheBytes: -1})
	first := make(chan error, 1)
	go func() {
		_, err := renderPage(r, doc, 1)
		first <- err
	}()
	started := filepath.Join(f.state, "started")
	for deadline := time.Now().Add(10 * time.Second); ; {
		if _, err := os.Stat(started); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first command never started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	is.NoErr(os.Remove(started))

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, _, err := r.RenderPage(ctx, bytes.NewReader(doc), "application/pdf", 2)
	is.True(errors.Is(err, context.DeadlineExceeded)) // gave up waiting
	_, err = os.Stat(started)
	is.True(errors.Is(err, os.ErrNotExist)) // and never ran

	is.NoErr(os.WriteFile(filepath.Join(f.state, "release"), nil, 0o600))
	is.NoErr(<-first) // the first one finishes
}

// TestCommandCache: a page drawn once is served from memory, for the same
// file content and page only, and the cache keeps to its size.
func TestCommandCache(t *testing.T) {
	is := is.New(t)
	f := newFake(t, `echo run >> "$state/runs"
cp "$fixture" "$out.png"`)
	runs := func() int { return len(f.lines(t, "runs")) }
	size := int64(len(pngOf(t, 40, 60)))
	r := f.renderer(t, render.Options{CacheBytes: 2 * size})

	first, err := renderPage(r, doc, 1)
	is.NoErr(err)
	first[0] = 'x' // callers may change what they get
	again, err := renderPage(r, doc, 1)
	is.NoErr(err)
	is.Equal(runs(), 1) // served from memory
	is.Equal(again, pngOf(t, 40, 60))

	_, err = renderPage(r, doc, 2)
	is.NoErr(err)
	is.Equal(runs(), 2) // another page
	other := append(slices.Clone(doc), '\n')
	_, err = renderPage(r, other, 1)
	is.NoErr(err)
	is.Equal(runs(), 3) // another file

	// Two images fit: the least recently used one went.
	_, err = renderPage(r, other, 1)
	is.NoErr(err)
	_, err = renderPage(r, doc, 2)
	is.NoErr(err)
	is.Equal(runs(), 3)
	_, err = renderPage(r, doc, 1)
	is.NoErr(err)
	is.Equal(runs(), 4)

	// Without a cache every request runs the command.
	r = f.renderer(t, render.Options{CacheBytes: -1})
	for range 2 {
		_, err = renderPage(r, doc, 1)
		is.NoErr(err)
	}
	is.Equal(runs(), 6)
}
