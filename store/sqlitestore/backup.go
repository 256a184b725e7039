package sqlitestore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/mattn/go-sqlite3"
)

// backupPagesPerStep is how many pages one step of the online backup copies
// (16 MiB at the default 4 KiB page): large enough that a big database takes
// few steps, small enough that a cancelled context is noticed soon.
const backupPagesPerStep = 4096

// Backup writes a consistent copy of the database to the file dst, which
// must not exist (the error then wraps fs.ErrExist and dst is left alone).
// The copy is the database as of the moment Backup starts: it holds every
// transaction committed before, and none of those committed while it runs.
//
// It uses SQLite's online backup API on connections of its own: a read
// connection of the source, holding one read transaction for the whole
// copy, and a fresh connection to dst. In WAL mode that read transaction
// blocks no writer, so Backup is safe to run while the store is in use
// (by this process or another); and because the snapshot never moves, the
// backup never has to restart however busy the writers are. A plain file
// copy could not promise that: it would race the writer and the checkpointer
// and could copy a database and a WAL from different moments.
//
// ctx is checked between steps. On any error, including a cancelled ctx,
// the partial file is removed. Before returning nil, Backup opens the copy
// afresh and checks it with PRAGMA integrity_check.
func (db *DB) Backup(ctx context.Context, dst string) error {
	return db.backup(ctx, dst, backupPagesPerStep, nil)
}

// backup is Backup with the step size and a hook run after every step
// that did not finish the copy, for tests.
func (db *DB) backup(ctx context.Context, dst string, pagesPerStep int, afterStep func()) (err error) {
	if dst == "" {
		return errors.New("sqlitestore: backup: empty destination path")
	}
	abs, err := filepath.Abs(dst)
	if err != nil {
		return fmt.Errorf("sqlitestore: backup to %s: %w", dst, err)
	}
	// Claim dst first, atomically: never overwrite anything, even a file
	// created between a check and the copy.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o640)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("sqlitestore: backup to %s: the file exists; refusing to overwrite it: %w", dst, err)
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: backup to %s: %w", dst, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(abs)
		return fmt.Errorf("sqlitestore: backup to %s: %w", dst, err)
	}
	defer func() {
		if err != nil {
			for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
				os.Remove(abs + suffix)
			}
		}
	}()
	if err := db.copyTo(ctx, abs, pagesPerStep, afterStep); err != nil {
		return fmt.Errorf("sqlitestore: backup to %s: %w", dst, err)
	}
	if err := checkIntegrity(ctx, abs); err != nil {
		return fmt.Errorf("sqlitestore: backup to %s: the copy: %w", dst, err)
	}
	if d, err := os.Open(filepath.Dir(abs)); err == nil {
		d.Sync() // make the new file's name durable; best effort where unsupported
		d.Close()
	}
	return nil
}

// copyTo runs the online backup from a read connection of db into the
// (empty) database file at abs.
func (db *DB) copyTo(ctx context.Context, abs string, pagesPerStep int, afterStep func()) error {
	// The destination keeps SQLite's default rollback journal and
	// synchronous=FULL: the backup's final commit is durable once it
	// returns, with no WAL left to checkpoint.
	dstDB, err := sql.Open("sqlite3", dsn(abs, url.Values{"_busy_timeout": {"5000"}}))
	if err != nil {
		return err
	}
	defer dstDB.Close()
	dstConn, err := dstDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer dstConn.Close()
	srcConn, err := db.r.Conn(ctx)
	if err != nil {
		return err
	}
	defer srcConn.Close()

	return dstConn.Raw(func(dc any) error {
		dst, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("destination connection is a %T, not a go-sqlite3 connection", dc)
		}
		return srcConn.Raw(func(sc any) (err error) {
			src, ok := sc.(*sqlite3.SQLiteConn)
			if !ok {
				return fmt.Errorf("source connection is a %T, not a go-sqlite3 connection", sc)
			}
			if err := beginSnapshot(src); err != nil {
				return err
			}
			defer func() {
				if _, rerr := src.Exec("ROLLBACK", nil); rerr != nil {
					// Never hand a connection with an open transaction back
					// to the pool.
					err = errors.Join(err, fmt.Errorf("end read transaction: %w", rerr), driver.ErrBadConn)
				}
			}()
			return step(ctx, dst, src, pagesPerStep, afterStep)
		})
	})
}

// beginSnapshot opens a read transaction on src and pins its snapshot: a
// deferred BEGIN takes none until the first read.
func beginSnapshot(src *sqlite3.SQLiteConn) error {
	if _, err := src.Exec("BEGIN", nil); err != nil {
		return fmt.Errorf("begin read transaction: %w", err)
	}
	rows, err := src.Query("SELECT count(*) FROM sqlite_schema", nil)
	if err == nil {
		vals := make([]driver.Value, 1)
		err = rows.Next(vals)
		err = errors.Join(err, rows.Close())
	}
	if err != nil {
		_, _ = src.Exec("ROLLBACK", nil)
		return fmt.Errorf("begin read transaction: %w", err)
	}
	return nil
}

// step copies the pages, pagesPerStep at a time, until the backup is done
// or ctx ends, then finishes it.
func step(ctx context.Context, dst, src *sqlite3.SQLiteConn, pagesPerStep int, afterStep func()) (err error) {
	b, err := dst.Backup("main", src, "main")
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	defer func() {
		// Finish reports the error of the last step too, if any.
		if ferr := b.Finish(); ferr != nil && err == nil {
			err = fmt.Errorf("finish: %w", ferr)
		}
	}()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		before := b.Remaining()
		done, err := b.Step(pagesPerStep)
		if err != nil {
			return fmt.Errorf("step: %w", err)
		}
		if done {
			return nil
		}
		if afterStep != nil {
			afterStep()
		}
		// Step reports SQLITE_BUSY and SQLITE_LOCKED as "not done": wait a
		// little before trying again rather than spin.
		if b.Remaining() == before && before > 0 {
			t := time.NewTimer(10 * time.Millisecond)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
	}
}

// checkIntegrity opens the database file at abs on a connection of its own
// and runs PRAGMA integrity_check.
func checkIntegrity(ctx context.Context, abs string) error {
	check, err := sql.Open("sqlite3", dsn(abs, url.Values{"_busy_timeout": {"5000"}}))
	if err != nil {
		return err
	}
	defer check.Close()
	rows, err := check.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("integrity check: %w", err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("integrity check failed: %v", problems)
	}
	return nil
}
