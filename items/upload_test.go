package items_test

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store/memstore"
	"github.com/matryer/is"
)

// TestAddVersionRefusalsStoreNothing checks that an upload refused for its
// size (too large, or empty) leaves neither a version nor a blob behind.
func TestAddVersionRefusalsStoreNothing(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	dir := t.TempDir()
	blobs, err := localblobs.New(dir)
	is.NoErr(err)
	lib, err := briefcase.New(ctx, briefcase.Config{Store: memstore.New(), Blobs: blobs, MaxUploadBytes: 16})
	is.NoErr(err)
	sys := briefcase.SystemContext(ctx)
	_, err = lib.Spots.SavePrincipal(sys, spots.Principal{ID: "alice", Name: "Alice"})
	is.NoErr(err)
	_, err = lib.Spots.RecordTraining(sys, "alice", spots.TrainingContentContributor)
	is.NoErr(err)
	spot, err := lib.Spots.Create(sys, spots.NewSpot{Name: "Deal Desk", OwnerID: "alice"})
	is.NoErr(err)
	it, err := lib.Items.Create(sys, items.NewItem{SpotID: spot.ID, Kind: items.KindDocument, Title: "Notes"})
	is.NoErr(err)

	blobFiles := func() int {
		n := 0
		is.NoErr(filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				n++
			}
			return err
		}))
		return n
	}
	for _, body := range []string{strings.Repeat("x", 17), strings.Repeat("x", 1000), ""} {
		_, err := lib.Items.AddVersion(sys, it.ID, items.NewVersion{Filename: "a.txt", Body: strings.NewReader(body)})
		is.Equal(errcode.Of(err), errcode.Invalid)
		is.True(errcode.FieldsOf(err)["file"] != "")
		is.Equal(blobFiles(), 0) // no orphan blob
	}
	vs, err := lib.Items.Versions(sys, it.ID)
	is.NoErr(err)
	is.Equal(len(vs), 0)

	v, err := lib.Items.AddVersion(sys, it.ID, items.NewVersion{Filename: "a.txt", Body: strings.NewReader(strings.Repeat("x", 16))})
	is.NoErr(err)
	is.Equal(v.Size, int64(16))
	is.Equal(blobFiles(), 1)
}
