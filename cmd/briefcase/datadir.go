package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/search/blugesearch"
	"github.com/briefcasehq/briefcase/store/sqlitestore"
)

// defaultDataDir is where the server keeps its database and blobs unless
// -data or BRIEFCASE_DATA says otherwise.
const defaultDataDir = "./briefcase-data"

// dataDir is an opened data directory: the SQLite database at
// DIR/briefcase.db, the blobs under DIR/blobs, the search index under
// DIR/index, and the Library over them.
type dataDir struct {
	path string
	db   *sqlitestore.DB
	idx  *blugesearch.Index
	lib  *briefcase.Library

	closed bool
}

// openDB creates dir if needed and opens its database. Unless
// opts.SkipMigrate is set, pending migrations are applied: every command
// does so, and a fresh directory just works.
func openDB(ctx context.Context, dir string, opts sqlitestore.Options) (*sqlitestore.DB, error) {
	if dir == "" {
		return nil, usagef("-data must not be empty")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	return sqlitestore.Open(ctx, filepath.Join(dir, "briefcase.db"), opts)
}

// openDataDir opens dir's database (migrating it) and blobs, and assembles
// the Library over them. With withIndex, it opens the on-disk search index
// too (one process at a time may: the server, or reindex while the server
// is stopped); commands that never search leave it to the server.
func openDataDir(ctx context.Context, dir string, log *slog.Logger, withIndex bool, opts ...func(*briefcase.Config)) (*dataDir, error) {
	db, err := openDB(ctx, dir, sqlitestore.Options{})
	if err != nil {
		return nil, err
	}
	blobs, err := localblobs.New(filepath.Join(dir, "blobs"))
	if err != nil {
		db.Close()
		return nil, err
	}
	cfg := briefcase.Config{Store: db, Blobs: blobs, Logger: log}
	d := &dataDir{path: dir, db: db}
	if withIndex {
		d.idx, err = blugesearch.Open(filepath.Join(dir, "index"), blugesearch.Options{Logger: log})
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("search index %s (is a server already using this data directory? "+
				"a running server rebuilds its index with POST /api/v1/search/reindex): %w",
				filepath.Join(dir, "index"), err)
		}
		cfg.Indexer = d.idx
	}
	for _, o := range opts {
		o(&cfg)
	}
	d.lib, err = briefcase.New(ctx, cfg)
	if err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// Close closes the Library, then the database it used. Later calls do
// nothing, so commands can defer Close and still check the first one.
func (d *dataDir) Close() error {
	if d.closed {
		return nil
	}
	d.closed = true
	var errs []error
	if d.lib != nil {
		errs = append(errs, d.lib.Close())
	}
	if d.idx != nil {
		errs = append(errs, d.idx.Close())
	}
	return errors.Join(append(errs, d.db.Close())...)
}
