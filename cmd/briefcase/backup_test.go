package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/search"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store/sqlitestore"
	"github.com/matryer/is"
)

var backupSummaryLine = regexp.MustCompile(`^backed up .+ to .+: database [0-9.]+ [KMG]?i?B, 1 blob\(s\) [0-9.]+ [KMG]?i?B, in [0-9.]+[µnm]?s\n$`)

// TestBackupCommand: `briefcase backup`, taken while the store is open,
// copies the database and the blobs but neither upload leftovers nor the
// index; opened as a data directory, the copy has the item and its file,
// and its new index catches up from the change feed as the server's does.
func TestBackupCommand(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	data := t.TempDir()
	db, err := sqlitestore.Open(ctx, filepath.Join(data, "briefcase.db"), sqlitestore.Options{})
	is.NoErr(err)
	defer db.Close()
	blobs, err := localblobs.New(filepath.Join(data, "blobs"))
	is.NoErr(err)
	lib, err := briefcase.New(ctx, briefcase.Config{Store: db, Blobs: blobs})
	is.NoErr(err)
	defer lib.Close()
	sys := briefcase.SystemContext(ctx)
	olivia, err := lib.Spots.SavePrincipal(sys, spots.Principal{ID: "olivia", Name: "Olivia",
		Trainings: []spots.Training{{Name: spots.TrainingContentContributor}}})
	is.NoErr(err)
	as := briefcase.WithPrincipal(ctx, olivia)
	sp, err := lib.Spots.Create(as, spots.NewSpot{Name: "Product", Kind: spots.KindProduct})
	is.NoErr(err)
	it, err := lib.Items.Create(as, items.NewItem{SpotID: sp.ID, Kind: items.KindDocument, Title: "Acme battlecard"})
	is.NoErr(err)
	content := "Why we win against Acme: onboarding in a day."
	_, err = lib.Items.AddVersion(as, it.ID, items.NewVersion{Filename: "battlecard.txt", Body: strings.NewReader(content)})
	is.NoErr(err)
	// An upload in progress, and an index: neither belongs in a backup.
	is.NoErr(os.WriteFile(filepath.Join(data, "blobs", "tmp", "upload-123"), []byte("half an upl"), 0o600))
	is.NoErr(os.MkdirAll(filepath.Join(data, "index"), 0o750))
	is.NoErr(os.WriteFile(filepath.Join(data, "index", "segment"), []byte("derived"), 0o600))

	// The store stays open, as a server's would.
	out := filepath.Join(t.TempDir(), "backup")
	stdout, stderr, code := runInProcess("backup", "-data", data, "-out", out)
	is.Equal(code, 0)
	is.Equal(stderr, "")
	is.True(backupSummaryLine.MatchString(stdout)) // one line: database, blobs, duration
	is.NoErr(lib.Close())
	is.NoErr(db.Close())

	_, err = os.Stat(filepath.Join(out, "blobs", "tmp", "upload-123"))
	is.True(os.IsNotExist(err)) // upload leftovers are not blobs
	_, err = os.Stat(filepath.Join(out, "index"))
	is.True(os.IsNotExist(err)) // the index is rebuilt, not copied

	// Restored: the backup directory is the data directory.
	dd, err := openDataDir(ctx, out, slog.New(slog.DiscardHandler), true)
	is.NoErr(err)
	defer dd.Close()
	n, err := dd.lib.CatchUp(sys) // what a starting server does with no index
	is.NoErr(err)
	is.True(n > 0)
	got, err := dd.lib.Items.Get(as, it.ID)
	is.NoErr(err)
	is.Equal(got.Title, "Acme battlecard")
	_, rc, err := dd.lib.Items.Content(as, it.ID)
	is.NoErr(err)
	body, err := io.ReadAll(rc)
	is.NoErr(err)
	is.NoErr(rc.Close())
	is.Equal(string(body), content) // the file came along
	res, err := dd.lib.Search.Search(as, search.Request{Query: "onboarding"})
	is.NoErr(err)
	is.Equal(res.Total, 1) // found by its file's text
	is.Equal(res.Hits[0].Item.ID, it.ID)
	is.NoErr(dd.Close())

	// A second backup into the same directory is refused.
	_, stderr, code = runInProcess("backup", "-data", data, "-out", out)
	is.Equal(code, 2)
	is.True(strings.Contains(stderr, "is not empty"))
}

func TestBackupUsage(t *testing.T) {
	data := t.TempDir()
	db, err := sqlitestore.Open(context.Background(), filepath.Join(data, "briefcase.db"), sqlitestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "keep"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"no out", []string{"backup", "-data", data}, 2, "-out is required"},
		{"out not empty", []string{"backup", "-data", data, "-out", full}, 2, "is not empty"},
		{"out a file", []string{"backup", "-data", data, "-out", file}, 2, "want a new or empty directory"},
		{"out the data dir", []string{"backup", "-data", data, "-out", data}, 2, "is the data directory"},
		{"out in the blobs", []string{"backup", "-data", data, "-out", filepath.Join(data, "blobs", "b")}, 2, "inside its blobs"},
		{"no database", []string{"backup", "-data", t.TempDir(), "-out", filepath.Join(t.TempDir(), "b")}, 1, "no database"},
		{"help", []string{"backup", "-h"}, 0, "To restore: stop the server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			stdout, stderr, code := runInProcess(tt.args...)
			is.Equal(code, tt.code)
			is.Equal(stdout, "")
			is.True(strings.Contains(stderr, tt.inStderr))
		})
	}
	is := is.New(t)
	kept, err := os.ReadFile(filepath.Join(full, "keep"))
	is.NoErr(err)
	is.Equal(string(kept), "mine") // a refused -out is left alone
	_, err = os.Stat(filepath.Join(data, "blobs", "b"))
	is.True(os.IsNotExist(err))
}
