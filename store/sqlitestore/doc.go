// Package sqlitestore is Briefcase's default store: every store.Store
// interface on one SQLite file, through sqlx and mattn/go-sqlite3.
//
// It is the only package in Briefcase that needs cgo. Open it on a path and
// hand it to the library:
//
//	db, err := sqlitestore.Open(ctx, filepath.Join(dataDir, "briefcase.db"), sqlitestore.Options{})
//	if err != nil {
//		return err
//	}
//	defer db.Close()
//
// # Connections
//
// The file runs in WAL mode with a busy timeout, foreign keys on and
// synchronous=NORMAL, all set in the DSN so that every pooled connection
// gets them. All writes of the process go through a single writer
// connection in BEGIN IMMEDIATE transactions, so concurrent writers queue
// instead of failing with "database is locked"; reads outside Atomic use a
// separate pool of query-only connections and never wait for writers.
// Inside Atomic every read and write goes through the transaction, so reads
// see the transaction's own writes. A store method that writes several rows
// (a cascade, a row plus its change-feed entry) is atomic on its own: a
// transaction of its own, or a savepoint inside Atomic.
//
// # Schema
//
// The schema is created by numbered migrations embedded in the binary
// (migrations/0001_init.sql, ...), each applied in one transaction and
// recorded in briefcase_migrations; every table is prefixed briefcase_.
// Open migrates unless Options.SkipMigrate is set; `briefcase migrate`
// calls Migrate. Public IDs are TEXT; spots, items, lists and list groups
// also carry an integer surrogate key that the join tables (placements,
// list memberships, grants, bookmarks) and secondary indexes use. Times
// are integer microseconds since the Unix epoch, returned in UTC.
package sqlitestore
