package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"

	"github.com/briefcasehq/briefcase/store"
)

// Options configure Open. The zero value is what the reference server uses.
type Options struct {
	// SkipMigrate opens the database without applying pending migrations.
	// `briefcase migrate` sets it and calls Migrate itself; a store whose
	// schema is behind fails Ping and most calls.
	SkipMigrate bool
	// BusyTimeout is how long a connection waits for a lock held by another
	// process (a backup, a second binary on the same file); 5 s by default.
	// Writers inside one process never wait on SQLite's lock: they queue for
	// the single writer connection.
	BusyTimeout time.Duration
	// ReadConns is the size of the read pool; max(4, GOMAXPROCS) by default.
	ReadConns int
}

// DB is a Briefcase store on one SQLite file. It is safe for concurrent use.
//
// It holds two pools over the same file: one writer connection, on which
// every write runs in a BEGIN IMMEDIATE transaction, and a pool of query-only
// connections for reads outside transactions. WAL lets those readers run
// while the writer commits, and funnelling all writes through one connection
// means that writers of this process queue in Go instead of failing with
// "database is locked".
type DB struct {
	engine
	path string
	// ckpt checkpoints the WAL in the background (see checkpointer).
	ckpt     *sqlx.DB
	stopCkpt chan struct{}
	ckptDone chan struct{}
}

var _ store.Store = (*DB)(nil)

// engine implements store.Store; DB is its root and txStore the view inside
// Atomic.
type engine struct {
	w  *sqlx.DB // the writer: exactly one connection
	r  *sqlx.DB // the read pool
	tx *sqlx.Tx // set inside Atomic: every call goes through it
}

// txStore is the store.Store that Atomic hands to its function. It is meant
// for the goroutine running that function.
type txStore struct{ engine }

var _ store.Store = (*txStore)(nil)

// Close is a no-op: the transaction ends when Atomic's function returns.
func (*txStore) Close() error { return nil }

// Open opens (creating it if needed) the SQLite database at path and,
// unless opts.SkipMigrate is set, brings its schema up to date. Every
// connection gets its settings (WAL, busy timeout, foreign keys,
// synchronous=NORMAL) from the DSN, so no pooled connection can miss them.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlitestore: open %q: want the path of a database file (for tests, one under t.TempDir())", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = max(4, runtime.GOMAXPROCS(0))
	}
	busy := strconv.FormatInt(opts.BusyTimeout.Milliseconds(), 10)

	w, err := sqlx.Open("sqlite3", dsn(abs, url.Values{
		"_journal_mode": {"WAL"},
		"_busy_timeout": {busy},
		"_foreign_keys": {"on"},
		"_synchronous":  {"NORMAL"},
		// BEGIN IMMEDIATE takes the write lock up front, so a transaction
		// never has to upgrade a read lock halfway (the classic source of
		// SQLITE_BUSY that no busy timeout can fix).
		"_txlock":          {"immediate"},
		"_stmt_cache_size": {"128"},
	}))
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// The writer connects first: it switches the file to WAL (a property of
	// the file, kept across connections) before any reader opens it.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}

	r, err := sqlx.Open("sqlite3", dsn(abs, url.Values{
		"_busy_timeout":    {busy},
		"_foreign_keys":    {"on"},
		"_synchronous":     {"NORMAL"},
		"_query_only":      {"on"},
		"_txlock":          {"deferred"},
		"_stmt_cache_size": {"64"},
	}))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(opts.ReadConns)
	r.SetMaxIdleConns(opts.ReadConns)
	r.SetConnMaxLifetime(0)
	r.SetConnMaxIdleTime(0)

	// Checkpoints move off the writer: a commit that crosses the WAL's
	// auto-checkpoint threshold would otherwise copy pages into the database
	// file and sync it while every other writer waits. The pool's one
	// connection lives as long as the DB, so these settings stay; should
	// the driver ever reconnect, SQLite's defaults (auto-checkpoint at 1000
	// pages, temp files on disk) apply again, which is slower, not wrong.
	// The writer's page cache is 64 MiB (SQLite's default is 2 MiB): a
	// large transaction (a governance sweep recording tens of thousands of
	// notices, a bulk import) dirties pages of several indexes at random
	// places, and once they outgrow the cache SQLite spills them to the WAL
	// mid-transaction and writes them again; measured 3x slower inserts.
	// The cache fills only as large writes need it.
	for _, pragma := range []string{"PRAGMA wal_autocheckpoint=0", "PRAGMA temp_store=MEMORY", "PRAGMA cache_size=-65536"} {
		if _, err := w.ExecContext(ctx, pragma); err != nil {
			w.Close()
			r.Close()
			return nil, fmt.Errorf("sqlitestore: open %s: %s: %w", path, pragma, err)
		}
	}
	ckpt, err := sqlx.Open("sqlite3", dsn(abs, url.Values{"_busy_timeout": {busy}}))
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	ckpt.SetMaxOpenConns(1)
	db := &DB{engine: engine{w: w, r: r}, path: abs, ckpt: ckpt, stopCkpt: make(chan struct{}), ckptDone: make(chan struct{})}
	go db.checkpointer(checkpointEvery)
	if !opts.SkipMigrate {
		if err := db.Migrate(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	if err := r.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	return db, nil
}

// dsn builds a go-sqlite3 URI DSN for the file at abs. Readers leave out
// _journal_mode: setting it would need a write lock, and WAL is already
// recorded in the file by the writer.
func dsn(abs string, params url.Values) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: params.Encode()}
	return u.String()
}

// Path returns the database file's absolute path.
func (db *DB) Path() string { return db.path }

// checkpointEvery is how often the background checkpointer copies the
// WAL into the database file.
const checkpointEvery = 500 * time.Millisecond

// checkpointer runs passive checkpoints on a connection of its own until
// Close: they never block the writer or readers, and once a checkpoint has
// copied the whole WAL the next write starts it over, which keeps the file
// from growing.
func (db *DB) checkpointer(every time.Duration) {
	defer close(db.ckptDone)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-db.stopCkpt:
			return
		case <-t.C:
		}
		// Errors (a busy database) are retried at the next tick.
		_, _ = db.ckpt.Exec("PRAGMA wal_checkpoint(PASSIVE)")
	}
}

// Close stops the checkpointer and closes the pools. The last connection
// to close checkpoints the WAL into the database file. Close is safe to
// call more than once.
func (db *DB) Close() error {
	select {
	case <-db.stopCkpt:
	default:
		close(db.stopCkpt)
	}
	<-db.ckptDone
	return errors.Join(db.ckpt.Close(), db.r.Close(), db.w.Close())
}

// Ping reports whether the store is ready: the file is readable and its
// schema is current. It uses the read pool only, so a long write
// transaction does not make the store look unready.
func (db *DB) Ping(ctx context.Context) error {
	v, err := schemaVersion(ctx, db.r)
	if err != nil {
		return fmt.Errorf("sqlitestore: ping: %w", err)
	}
	if latest := latestVersion(); v < latest {
		return fmt.Errorf("sqlitestore: ping: schema at version %d, want %d: run briefcase migrate", v, latest)
	}
	return nil
}

// Atomic runs fn in one transaction on the writer connection, committing
// when fn returns nil and rolling back when it returns an error or panics
// (the panic is passed on). Reads through tx see fn's writes. Called on tx,
// Atomic runs fn in a savepoint of the same transaction, so a failed inner
// fn leaves none of its own writes behind.
//
// fn must do all its work through tx: a write on the root store inside fn
// waits for the writer connection that fn itself holds.
func (e *engine) Atomic(ctx context.Context, fn func(tx store.Store) error) error {
	if e.tx != nil {
		return savepoint(ctx, e.tx, func(*sqlx.Tx) error { return fn(&txStore{*e}) })
	}
	return runTx(ctx, e.w, func(tx *sqlx.Tx) error {
		return fn(&txStore{engine{w: e.w, r: e.r, tx: tx}})
	})
}

// runTx runs fn in a transaction on db, rolling back on error or panic.
func runTx(ctx context.Context, db *sqlx.DB, fn func(*sqlx.Tx) error) (err error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlitestore: begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlitestore: commit: %w", err)
	}
	committed = true
	return nil
}

// savepoint runs fn inside a savepoint of tx, undoing fn's writes when it
// fails or panics. Savepoints nest; they all share one name, which SQLite
// resolves to the innermost.
func savepoint(ctx context.Context, tx *sqlx.Tx, fn func(*sqlx.Tx) error) (err error) {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT briefcase"); err != nil {
		return fmt.Errorf("sqlitestore: savepoint: %w", err)
	}
	done := false
	defer func() {
		if !done {
			// ROLLBACK TO keeps the savepoint on the stack; RELEASE pops it.
			// Run even when ctx is cancelled, so the stack stays balanced.
			_, _ = tx.ExecContext(context.WithoutCancel(ctx), "ROLLBACK TO briefcase; RELEASE briefcase")
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "RELEASE briefcase"); err != nil {
		return fmt.Errorf("sqlitestore: release savepoint: %w", err)
	}
	done = true
	return nil
}

// write runs fn, a store method's writes, atomically: in a transaction of
// its own on the writer, or inside Atomic in a savepoint of the caller's
// transaction, so a method that fails halfway leaves nothing behind either
// way.
func (e *engine) write(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	if e.tx != nil {
		return savepoint(ctx, e.tx, fn)
	}
	return runTx(ctx, e.w, fn)
}

// exec runs one write statement. A statement is atomic by itself, so
// inside Atomic it needs no savepoint; outside, it still runs in a BEGIN
// IMMEDIATE transaction, because an autocommit statement that reads before
// it writes can fail with SQLITE_BUSY_SNAPSHOT when another process
// commits in between, which no busy timeout retries.
func (e *engine) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if e.tx != nil {
		return e.tx.ExecContext(ctx, query, args...)
	}
	var res sql.Result
	err := runTx(ctx, e.w, func(tx *sqlx.Tx) error {
		var err error
		res, err = tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// queryer is what reads need: a pool, a read snapshot or the write
// transaction.
type queryer interface {
	sqlx.QueryerContext
}

// read runs a single-statement read on the transaction inside Atomic
// (read-your-writes), or on the read pool.
func (e *engine) read() queryer {
	if e.tx != nil {
		return e.tx
	}
	return e.r
}

// snapshot runs several reads against one consistent snapshot: the caller's
// transaction inside Atomic, or a read transaction on the read pool.
func (e *engine) snapshot(ctx context.Context, fn func(q queryer) error) error {
	if e.tx != nil {
		return fn(e.tx)
	}
	tx, err := e.r.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlitestore: begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// isUnique reports a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) &&
		(se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

// isForeignKey reports a FOREIGN KEY violation: a missing parent row.
func isForeignKey(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintForeignKey
}

// affected returns the rows a statement changed.
func affected(res sql.Result) (int64, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: rows affected: %w", err)
	}
	return n, nil
}
