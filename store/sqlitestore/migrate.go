package sqlitestore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Migrations are numbered SQL files, applied in order, each in one
// transaction together with its row in briefcase_migrations. Files are
// never edited once released: a schema change is a new file.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in order. Their numbers run
// 1, 2, 3, ... without gaps; anything else is a build mistake and panics.
func migrations() []migration {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		panic(fmt.Sprintf("sqlitestore: read embedded migrations: %v", err))
	}
	var ms []migration
	for _, e := range entries { // ReadDir sorts by name
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v != len(ms)+1 || path.Ext(name) != ".sql" {
			panic(fmt.Sprintf("sqlitestore: migration %s: want NNNN_name.sql numbered %d", name, len(ms)+1))
		}
		b, err := migrationFS.ReadFile("migrations/" + name)
		if err != nil {
			panic(fmt.Sprintf("sqlitestore: read migration %s: %v", name, err))
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	return ms
}

// latestVersion is the schema version this build expects.
func latestVersion() int { return len(migrations()) }

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS briefcase_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at INTEGER NOT NULL
)`

// Migrate applies the migrations the database has not seen yet, each in its
// own transaction, and is a no-op on an up-to-date database. Several
// processes may run it at once: the immediate transactions serialize them
// and each migration is applied once. It refuses a database whose schema is
// newer than this build.
func (db *DB) Migrate(ctx context.Context) error {
	if _, err := db.w.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("sqlitestore: migrate: %w", err)
	}
	ms := migrations()
	current, err := schemaVersion(ctx, db.w)
	if err != nil {
		return fmt.Errorf("sqlitestore: migrate: %w", err)
	}
	if current > len(ms) {
		return fmt.Errorf("sqlitestore: migrate: database schema version %d is newer than this build's %d", current, len(ms))
	}
	for _, m := range ms[current:] {
		err := runTx(ctx, db.w, func(tx *sqlx.Tx) error {
			var n int
			if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM briefcase_migrations WHERE version = ?`, m.version); err != nil {
				return err
			}
			if n > 0 {
				return nil // another process applied it first
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO briefcase_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, time.Now().UnixMicro())
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlitestore: migrate %s: %w", m.name, err)
		}
	}
	return nil
}

// SchemaVersion returns the number of the last migration applied to the
// database (0 for a new file) and the one this build expects.
func (db *DB) SchemaVersion(ctx context.Context) (current, latest int, err error) {
	current, err = schemaVersion(ctx, db.r)
	if err != nil {
		return 0, 0, fmt.Errorf("sqlitestore: schema version: %w", err)
	}
	return current, latestVersion(), nil
}

func schemaVersion(ctx context.Context, q sqlx.QueryerContext) (int, error) {
	var exists int
	if err := sqlx.GetContext(ctx, q, &exists,
		`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'briefcase_migrations'`); err != nil {
		return 0, err
	}
	if exists == 0 {
		return 0, nil
	}
	var v int
	err := sqlx.GetContext(ctx, q, &v, `SELECT coalesce(max(version), 0) FROM briefcase_migrations`)
	return v, err
}
