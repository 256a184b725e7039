package items_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
	"github.com/briefcasehq/briefcase/store/memstore"
	"github.com/matryer/is"
)

// extractorFunc adapts a function to items.Extractor.
type extractorFunc func(ctx context.Context, r io.ReaderAt, size int64, mimeType, filename string) ([]string, error)

func (f extractorFunc) Extract(ctx context.Context, r io.ReaderAt, size int64, mimeType, filename string) ([]string, error) {
	return f(ctx, r, size, mimeType, filename)
}

// memBlobs keeps blobs in memory. Its readers have no ReadAt, so the
// service has to get random access another way.
type memBlobs struct {
	mu    sync.Mutex
	blobs map[string][]byte
}

// seekOnly has Read, Seek and Close only: it hides bytes.Reader's ReadAt.
type seekOnly struct{ io.ReadSeeker }

func (seekOnly) Close() error { return nil }

func (b *memBlobs) Put(ctx context.Context, r io.Reader) (items.BlobInfo, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return items.BlobInfo{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	key := fmt.Sprintf("blob-%d", len(b.blobs)+1)
	b.blobs[key] = data
	return items.BlobInfo{Key: key, SHA256: key, Size: int64(len(data))}, nil
}

func (b *memBlobs) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, ok := b.blobs[key]
	if !ok {
		return nil, items.ErrNotFound
	}
	return seekOnly{bytes.NewReader(data)}, nil
}

// extractEnv is an items service on memstore with an item ready for
// uploads, and the log it writes.
type extractEnv struct {
	svc  *items.Service
	ctx  context.Context
	item items.Item
	log  *bytes.Buffer
}

func newExtractEnv(t *testing.T, blobs items.Blobs, opt items.Options) extractEnv {
	t.Helper()
	is := is.New(t)
	st := memstore.New()
	sp := spots.NewService(st, func(ctx context.Context, fn func(spots.Stores) error) error {
		return st.Atomic(ctx, func(tx store.Store) error { return fn(tx) })
	}, spots.Options{})
	var log bytes.Buffer
	opt.Logger = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc := items.NewService(st, func(ctx context.Context, fn func(items.Stores) error) error {
		return st.Atomic(ctx, func(tx store.Store) error { return fn(tx) })
	}, sp, blobs, opt)
	ctx := spots.WithPrincipal(context.Background(), spots.SystemPrincipal())
	_, err := sp.SavePrincipal(ctx, spots.Principal{ID: "alice", Name: "Alice"})
	is.NoErr(err)
	_, err = sp.RecordTraining(ctx, "alice", spots.TrainingContentContributor)
	is.NoErr(err)
	spot, err := sp.Create(ctx, spots.NewSpot{Name: "Deal Desk", OwnerID: "alice"})
	is.NoErr(err)
	it, err := svc.Create(ctx, items.NewItem{SpotID: spot.ID, Kind: items.KindDocument, Title: "Notes"})
	is.NoErr(err)
	return extractEnv{svc: svc, ctx: ctx, item: it, log: &log}
}

// upload adds a version and checks that the stored version is the one
// returned.
func (e extractEnv) upload(t *testing.T, filename, mimeType, body string) items.Version {
	t.Helper()
	is := is.New(t)
	v, err := e.svc.AddVersion(e.ctx, e.item.ID, items.NewVersion{Filename: filename, MIMEType: mimeType, Body: strings.NewReader(body)})
	is.NoErr(err) // extraction never fails an upload
	vs, err := e.svc.Versions(e.ctx, e.item.ID)
	is.NoErr(err)
	is.Equal(vs[len(vs)-1].ID, v.ID)
	is.Equal(vs[len(vs)-1].Pages, v.Pages)         // the store kept the pages
	is.Equal(vs[len(vs)-1].PageCount, v.PageCount) // and the count
	got, err := e.svc.Get(e.ctx, e.item.ID)
	is.NoErr(err)
	is.Equal(got.CurrentVersionID, v.ID)
	return v
}

func TestAddVersionStoresExtractedPages(t *testing.T) {
	blobStores := map[string]func(t *testing.T) items.Blobs{
		"localblobs (os.File has ReadAt)": func(t *testing.T) items.Blobs {
			b, err := localblobs.New(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return b
		},
		"readers without ReadAt": func(t *testing.T) items.Blobs { return &memBlobs{blobs: map[string][]byte{}} },
	}
	for name, newBlobs := range blobStores {
		t.Run(name, func(t *testing.T) {
			is := is.New(t)
			body := "first page\fsecond page"
			var got struct {
				content            string
				size               int64
				mimeType, filename string
				deadline           bool
			}
			ex := extractorFunc(func(ctx context.Context, r io.ReaderAt, size int64, mimeType, filename string) ([]string, error) {
				b, err := io.ReadAll(io.NewSectionReader(r, 0, size))
				if err != nil {
					return nil, err
				}
				got.content, got.size, got.mimeType, got.filename = string(b), size, mimeType, filename
				_, got.deadline = ctx.Deadline()
				return strings.Split(string(b), "\f"), nil
			})
			e := newExtractEnv(t, newBlobs(t), items.Options{Extractor: ex})
			v := e.upload(t, "notes.txt", "", body)
			is.Equal(got.content, body) // the extractor reads the stored bytes
			is.Equal(got.size, int64(len(body)))
			is.Equal(got.mimeType, "text/plain; charset=utf-8") // the version's media type
			is.Equal(got.filename, "notes.txt")
			is.True(got.deadline) // extraction runs under a timeout
			is.Equal(v.Pages, []string{"first page", "second page"})
			is.Equal(v.PageCount, 2)
		})
	}
}

func TestAddVersionSurvivesExtractionFailure(t *testing.T) {
	for _, tc := range []struct {
		name    string
		extract extractorFunc
		logged  string
	}{
		{"error", func(context.Context, io.ReaderAt, int64, string, string) ([]string, error) {
			return []string{"partial"}, errors.New("pdf: malformed xref table")
		}, "malformed xref table"},
		{"panic", func(context.Context, io.ReaderAt, int64, string, string) ([]string, error) {
			panic("index out of range")
		}, "extractor panicked: index out of range"},
		{"timeout", func(ctx context.Context, _ io.ReaderAt, _ int64, _, _ string) ([]string, error) {
			<-ctx.Done() // the service's deadline ends a stuck extraction
			return nil, ctx.Err()
		}, "deadline exceeded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			e := newExtractEnv(t, &memBlobs{blobs: map[string][]byte{}}, items.Options{Extractor: tc.extract, ExtractTimeout: 1})
			v := e.upload(t, "deck.pdf", "", "%PDF-1.7 not really")
			is.Equal(v.Pages, nil) // stored without text
			is.Equal(v.PageCount, 0)
			is.Equal(v.Size, int64(19))
			is.True(strings.Contains(e.log.String(), "level=WARN"))
			is.True(strings.Contains(e.log.String(), tc.logged)) // the failure is logged
		})
	}
}

func TestAddVersionUnsupportedOrNoExtractor(t *testing.T) {
	is := is.New(t)
	unsupported := extractorFunc(func(_ context.Context, _ io.ReaderAt, _ int64, mimeType, _ string) ([]string, error) {
		return nil, fmt.Errorf("extract: %s: %w", mimeType, items.ErrUnsupported)
	})
	e := newExtractEnv(t, &memBlobs{blobs: map[string][]byte{}}, items.Options{Extractor: unsupported})
	v := e.upload(t, "logo.png", "image/png", "\x89PNG\r\n\x1a\n")
	is.Equal(v.Pages, nil)
	is.Equal(v.PageCount, 0)
	is.True(!strings.Contains(e.log.String(), "level=WARN")) // an answer, not a failure

	e = newExtractEnv(t, &memBlobs{blobs: map[string][]byte{}}, items.Options{})
	v = e.upload(t, "notes.txt", "", "some text")
	is.Equal(v.Pages, nil)
	is.Equal(v.PageCount, 0)
}

func TestAddVersionCapsExtractedText(t *testing.T) {
	is := is.New(t)
	pages := []string{"0123456789", "abcdé", "never kept", "", "nor this"}
	ex := extractorFunc(func(context.Context, io.ReaderAt, int64, string, string) ([]string, error) {
		return pages, nil
	})
	e := newExtractEnv(t, &memBlobs{blobs: map[string][]byte{}}, items.Options{Extractor: ex, MaxTextBytes: 15})
	v := e.upload(t, "notes.txt", "", "x")
	// 10 bytes, then "abcd" and not half of the two-byte é; the rest empty.
	is.Equal(v.Pages, []string{"0123456789", "abcd", "", "", ""})
	is.Equal(v.PageCount, 5) // the count stays true

	// Invalid UTF-8 is replaced and NUL bytes dropped.
	pages = []string{"bad \xff byte\x00"}
	v = e.upload(t, "notes.txt", "", "y")
	is.Equal(v.Pages, []string{"bad \uFFFD byte"})

	// At most MaxPages page texts are kept.
	pages = make([]string, items.MaxPages+5)
	v = e.upload(t, "notes.txt", "", "z")
	is.Equal(len(v.Pages), items.MaxPages)
	is.Equal(v.PageCount, items.MaxPages+5)
}

func TestAddVersionDefaultTextCap(t *testing.T) {
	is := is.New(t)
	big := strings.Repeat("word ", 300<<10) // 1.5 MiB a page
	ex := extractorFunc(func(context.Context, io.ReaderAt, int64, string, string) ([]string, error) {
		return []string{big, big, big}, nil
	})
	e := newExtractEnv(t, &memBlobs{blobs: map[string][]byte{}}, items.Options{Extractor: ex})
	v := e.upload(t, "notes.txt", "", "x")
	total := 0
	for _, p := range v.Pages {
		total += len(p)
	}
	is.Equal(total, 2<<20) // 2 MiB by default
	is.Equal(v.Pages[0], big)
	is.Equal(v.Pages[2], "")
}
