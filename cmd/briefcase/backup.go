package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/briefcasehq/briefcase/store/sqlitestore"
)

const backupSynopsis = `backup [-data DIR] -out BACKUP

Copies the data directory DIR to BACKUP, a new directory (or an empty one):
BACKUP/briefcase.db, a consistent copy of the database taken with SQLite's
online backup API, and BACKUP/blobs, the uploaded files. It is safe to run
while a server runs on DIR. The search index is not copied: it is derived
from the database and rebuilt after a restore.

To restore: stop the server; move BACKUP into place as the data directory
(or point -data at it); start the server, which rebuilds the search index
from the database as it starts (or run "briefcase reindex -data BACKUP"
first).`

// backup copies a data directory to a new one: the database through
// sqlitestore's online backup, as of the moment the command starts, then
// the blobs. It is safe to run while a server runs on the directory: the
// backup reads the database on connections of its own, in one read
// transaction that blocks no writer (the database is in WAL mode), and
// blobs are immutable files named by their content. Copying the database
// first makes the copy complete: a blob is stored before the version that
// names it is committed, and blobs are never deleted, so every blob the
// copied database names is on disk by the time the blobs are copied. Blobs
// uploaded after the database snapshot are copied too, unreferenced, which
// is harmless. The search index is not copied: it is derived data.
//
// Restore: stop the server, move the backup directory into place as the
// data directory (or point -data at it), and start the server. With no
// index on disk, it replays the whole change feed into a new index as it
// starts, so searches are complete once that catch-up ends; `briefcase
// reindex -data DIR` before starting does the same rebuild up front.
//
// The output directory must not exist or be empty; on any error,
// including SIGINT, what the command wrote is removed.
func (e *cmdEnv) backup(ctx context.Context, args []string) error {
	fs := e.flagSet("backup", backupSynopsis)
	data := e.dataFlag(fs)
	out := fs.String("out", "", "directory to write the backup to; it must not exist or be empty (required)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*out) == "" {
		fs.Usage()
		return usagef("backup: -out is required")
	}
	if *data == "" {
		return usagef("backup: -data must not be empty")
	}
	src, err := filepath.Abs(*data)
	if err != nil {
		return err
	}
	dst, err := filepath.Abs(*out)
	if err != nil {
		return err
	}
	if dst == src || strings.HasPrefix(dst, filepath.Join(src, "blobs")+string(filepath.Separator)) {
		return usagef("backup: -out %s is the data directory or inside its blobs", *out)
	}
	dbPath := filepath.Join(src, "briefcase.db")
	if _, err := os.Stat(dbPath); err != nil {
		return fmt.Errorf("backup: no database in %s: %w", *data, err)
	}
	created, err := makeEmptyDir(dst)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	sum, err := writeBackup(ctx, src, dst)
	if err != nil {
		// Leave -out as it was found: gone, or empty.
		os.Remove(filepath.Join(dst, "briefcase.db"))
		os.RemoveAll(filepath.Join(dst, "blobs"))
		if created {
			os.Remove(dst)
		}
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s: database %s, %d blob(s) %s, in %s\n",
		*data, *out, byteSize(sum.dbBytes), sum.blobs, byteSize(sum.blobBytes),
		time.Since(start).Round(time.Millisecond))
	return nil
}

// makeEmptyDir creates dir, or accepts it when it is an empty directory,
// and reports whether it created it. Anything else is a usage error.
func makeEmptyDir(dir string) (created bool, err error) {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return false, fmt.Errorf("backup: %w", err)
		}
		return true, nil
	case err != nil:
		return false, usagef("backup: -out %s: want a new or empty directory: %v", dir, err)
	case len(entries) > 0:
		return false, usagef("backup: -out %s is not empty: want a new or empty directory", dir)
	}
	return false, nil
}

// backupSummary is what a backup wrote.
type backupSummary struct {
	dbBytes          int64
	blobs, blobBytes int64
}

// writeBackup copies the database of the data directory src, then its
// blobs, into dst.
func writeBackup(ctx context.Context, src, dst string) (backupSummary, error) {
	var sum backupSummary
	// No migration: a backup is of the database as it is (one taken before
	// an upgrade must keep the old schema).
	db, err := sqlitestore.Open(ctx, filepath.Join(src, "briefcase.db"), sqlitestore.Options{SkipMigrate: true})
	if err != nil {
		return sum, err
	}
	dbCopy := filepath.Join(dst, "briefcase.db")
	err = db.Backup(ctx, dbCopy)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return sum, err
	}
	fi, err := os.Stat(dbCopy)
	if err != nil {
		return sum, err
	}
	sum.dbBytes = fi.Size()
	sum.blobs, sum.blobBytes, err = copyBlobs(ctx, filepath.Join(src, "blobs"), filepath.Join(dst, "blobs"))
	return sum, err
}

// copyBlobs copies the blob files under from (localblobs' layout:
// <from>/<first two hex digits>/<digest>) to the same paths under to. The
// tmp directory, where localblobs writes uploads before renaming them into
// place, is skipped: what is in it is not a blob yet. A data directory
// without blobs copies nothing.
func copyBlobs(ctx context.Context, from, to string) (n, size int64, err error) {
	if _, err := os.Stat(from); errors.Is(err, fs.ErrNotExist) {
		return 0, 0, nil
	}
	err = filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() && rel == "tmp":
			return fs.SkipDir
		case d.IsDir():
			return os.MkdirAll(filepath.Join(to, rel), 0o750)
		case !d.Type().IsRegular():
			return nil // localblobs writes regular files only
		}
		written, err := copyFile(ctx, path, filepath.Join(to, rel))
		if err != nil {
			return fmt.Errorf("blob %s: %w", rel, err)
		}
		n++
		size += written
		return nil
	})
	return n, size, err
}

// copyFile copies the file from to a new file to and syncs it.
func copyFile(ctx context.Context, from, to string) (int64, error) {
	in, err := os.Open(from)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return 0, err
	}
	written, err := io.Copy(out, ctxReader{ctx, in})
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return written, err
}

// ctxReader stops a copy once ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// byteSize formats n bytes for people: 512 B, 1.5 KiB, 3.2 MiB.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
