package extract_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/briefcasehq/briefcase/extract"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
	"github.com/briefcasehq/briefcase/store/memstore"
	"github.com/matryer/is"
)

// TestItemsService wires the Extractor into the items service, as the
// library does, and uploads a deck and a PDF.
func TestItemsService(t *testing.T) {
	is := is.New(t)
	st := memstore.New()
	blobs, err := localblobs.New(t.TempDir())
	is.NoErr(err)
	sp := spots.NewService(st, func(ctx context.Context, fn func(spots.Stores) error) error {
		return st.Atomic(ctx, func(tx store.Store) error { return fn(tx) })
	}, spots.Options{})
	svc := items.NewService(st, func(ctx context.Context, fn func(items.Stores) error) error {
		return st.Atomic(ctx, func(tx store.Store) error { return fn(tx) })
	}, sp, blobs, items.Options{Extractor: extract.New(extract.Options{})})
	ctx := spots.WithPrincipal(context.Background(), spots.SystemPrincipal())
	_, err = sp.SavePrincipal(ctx, spots.Principal{ID: "alice", Name: "Alice"})
	is.NoErr(err)
	_, err = sp.RecordTraining(ctx, "alice", spots.TrainingContentContributor)
	is.NoErr(err)
	spot, err := sp.Create(ctx, spots.NewSpot{Name: "Product", OwnerID: "alice"})
	is.NoErr(err)
	it, err := svc.Create(ctx, items.NewItem{SpotID: spot.ID, Kind: items.KindPresentation, Title: "Deck"})
	is.NoErr(err)

	deck := zipOf(t, pptxFiles(elevenSlides(), nil))
	v, err := svc.AddVersion(ctx, it.ID, items.NewVersion{Filename: "deck.pptx", Body: bytes.NewReader(deck)})
	is.NoErr(err)
	is.Equal(v.PageCount, 11)
	v, err = svc.AddVersion(ctx, it.ID, items.NewVersion{Filename: "deck.pdf", Body: bytes.NewReader(pdfOf(t))})
	is.NoErr(err)
	is.Equal(v.PageCount, 3)
	v, err = svc.AddVersion(ctx, it.ID, items.NewVersion{Filename: "photo.png", Body: bytes.NewReader([]byte("\x89PNG\r\n\x1a\n...."))})
	is.NoErr(err)
	is.Equal(v.PageCount, 0) // unsupported: no text, still stored

	vs, err := svc.Versions(ctx, it.ID)
	is.NoErr(err)
	is.Equal(len(vs), 3)
	is.Equal(vs[0].Pages, wantEleven([]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}))
	is.Equal(vs[1].Pages, wantPDF())
	is.Equal(vs[2].Pages, nil)
}
