package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/store"
)

// writePair creates two items in one transaction, titled prefix-a and
// prefix-b: a copy holding one without the other holds half a transaction.
func writePair(ctx context.Context, db *DB, spotID, prefix string) error {
	return db.Atomic(ctx, func(tx store.Store) error {
		if err := tx.CreateItem(ctx, testItem(spotID, prefix+"-a")); err != nil {
			return err
		}
		return tx.CreateItem(ctx, testItem(spotID, prefix+"-b"))
	})
}

// itemTitles returns the titles of every item in the database file at path.
func itemTitles(t *testing.T, path string) map[string]bool {
	t.Helper()
	is := is.New(t)
	db, err := Open(t.Context(), path, Options{})
	is.NoErr(err)
	defer db.Close()
	var check []string
	is.NoErr(db.r.SelectContext(t.Context(), &check, "PRAGMA integrity_check"))
	is.Equal(check, []string{"ok"}) // the copy is a sound database
	is.NoErr(db.Ping(t.Context()))  // with the current schema
	var titles []string
	is.NoErr(db.r.SelectContext(t.Context(), &titles, "SELECT title FROM briefcase_items"))
	set := map[string]bool{}
	for _, title := range titles {
		set[title] = true
	}
	return set
}

// TestBackupWhileWriting: a backup taken one page per step while a
// goroutine keeps committing, and while commits land between the steps,
// is the database as it was when Backup started: everything committed
// before, nothing committed during, and no half transaction.
func TestBackupWhileWriting(t *testing.T) {
	is := is.New(t)
	ctx := t.Context()
	db := openTest(t, Options{})
	sp := testSpot("Backed up")
	is.NoErr(db.CreateSpot(ctx, sp))
	for i := range 200 {
		is.NoErr(writePair(ctx, db, sp.ID, fmt.Sprintf("seed-%d", i)))
	}

	stop := make(chan struct{})
	firstCommit := make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := writePair(ctx, db, sp.ID, fmt.Sprintf("bg-%d", i)); err != nil {
				writeErr = err
				return
			}
			if i == 0 {
				close(firstCommit)
			}
		}
	})
	<-firstCommit

	var before []string // committed before Backup starts
	is.NoErr(db.r.SelectContext(ctx, &before, "SELECT title FROM briefcase_items"))
	var during []string // committed while it runs
	steps := 0
	dst := filepath.Join(t.TempDir(), "copy.db")
	err := db.backup(ctx, dst, 1, func() {
		steps++
		if steps <= 5 {
			title := fmt.Sprintf("during-%d", steps)
			if err := writePair(ctx, db, sp.ID, title); err != nil {
				t.Errorf("write during the backup: %v", err)
			}
			during = append(during, title+"-a", title+"-b")
		}
	})
	close(stop)
	wg.Wait()
	is.NoErr(err)
	is.NoErr(writeErr)
	is.True(steps > 5) // the copy took many steps, with commits in between

	got := itemTitles(t, dst)
	for _, title := range before {
		if !got[title] {
			t.Errorf("the copy lacks %q, committed before the backup started", title)
		}
	}
	for _, title := range during {
		if got[title] {
			t.Errorf("the copy holds %q, committed after the backup started", title)
		}
	}
	for title := range got {
		prefix, ok := strings.CutSuffix(title, "-a")
		if !ok {
			prefix, _ = strings.CutSuffix(title, "-b")
		}
		if !got[prefix+"-a"] || !got[prefix+"-b"] {
			t.Errorf("the copy holds half of transaction %q", prefix)
		}
	}
	// The source is still in use: its writer and readers work on.
	is.NoErr(writePair(ctx, db, sp.ID, "after"))
	_, err = db.ListItems(ctx, items.ItemFilter{AllSpots: true, Limit: 1})
	is.NoErr(err)
}

// TestBackupRefusesExistingFile: Backup never overwrites; the file is left
// as it was.
func TestBackupRefusesExistingFile(t *testing.T) {
	is := is.New(t)
	db := openTest(t, Options{})
	dst := filepath.Join(t.TempDir(), "precious.db")
	is.NoErr(os.WriteFile(dst, []byte("not yours"), 0o600))
	err := db.Backup(t.Context(), dst)
	is.True(errors.Is(err, fs.ErrExist)) // refused
	got, err := os.ReadFile(dst)
	is.NoErr(err)
	is.Equal(string(got), "not yours") // untouched
}

// TestBackupCancelled: a backup whose context ends halfway, or before it
// starts, leaves no file behind; the path is free for the next backup.
func TestBackupCancelled(t *testing.T) {
	is := is.New(t)
	db := openTest(t, Options{})
	sp := testSpot("Cancelled")
	is.NoErr(db.CreateSpot(t.Context(), sp))
	for i := range 50 {
		is.NoErr(writePair(t.Context(), db, sp.ID, fmt.Sprintf("seed-%d", i)))
	}
	dir := t.TempDir()
	dst := filepath.Join(dir, "copy.db")
	noFiles := func() {
		t.Helper()
		entries, err := os.ReadDir(dir)
		is.NoErr(err)
		is.Equal(len(entries), 0) // no partial copy, journal or WAL left
	}

	ctx, cancel := context.WithCancel(t.Context())
	steps := 0
	err := db.backup(ctx, dst, 1, func() {
		steps++
		if steps == 3 {
			cancel()
		}
	})
	is.True(errors.Is(err, context.Canceled))
	is.Equal(steps, 3) // stopped at the first step after the cancellation
	noFiles()

	err = db.Backup(ctx, dst) // already cancelled
	is.True(errors.Is(err, context.Canceled))
	noFiles()

	is.NoErr(db.Backup(t.Context(), dst))
	got := itemTitles(t, dst)
	is.Equal(len(got), 100)
}
