// Package memstore is an in-memory store.Store for unit tests.
//
// It keeps everything in maps behind one sync.RWMutex, passes the
// storetest conformance suite, and behaves like the SQL adapters where
// tests can tell: errors wrap the domain sentinels, times come back in UTC
// truncated to microseconds, returned values are copies, and Atomic is all
// or nothing.
//
//	st := memstore.New()
//	lib, err := briefcase.New(ctx, briefcase.Config{Store: st, ...})
//
// Transactions serialize: Atomic holds the write lock while fn runs, so fn
// must use the tx it is given, never the outer store (that would deadlock),
// and must not hand tx to other goroutines. A tx used after its Atomic
// returned reports an error instead of silently writing nowhere.
//
// Nothing is persisted; Close is a no-op and the store stays usable.
package memstore

import (
	"context"
	"errors"
	"sync"

	"github.com/briefcasehq/briefcase/store"
)

var _ store.Store = (*Store)(nil)

// errTxDone is returned by calls on a tx after its Atomic returned.
var errTxDone = errors.New("memstore: transaction already finished")

// Store is an in-memory store.Store. The zero value is not usable; call New.
type Store struct {
	db *db
	// tx is set on the Store that Atomic hands to fn: calls then work on the
	// transaction's private copy of the state, without locking (Atomic
	// already holds the write lock).
	tx *txState
}

// db is the shared, committed state.
type db struct {
	mu sync.RWMutex
	st *state
}

type txState struct {
	st   *state
	done bool
}

// New returns an empty store.
func New() *Store {
	return &Store{db: &db{st: newState()}}
}

// Atomic runs fn in one transaction. It clones the state under the write
// lock, runs fn against the clone, and swaps the clone in when fn returns
// nil. When fn returns an error or panics, the clone is dropped. Atomic on
// a tx runs fn in that same transaction.
func (s *Store) Atomic(ctx context.Context, fn func(tx store.Store) error) error {
	if s.tx != nil {
		if s.tx.done {
			return errTxDone
		}
		return fn(s)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	tx := &txState{st: s.db.st.clone()}
	defer func() { tx.done = true }()
	if err := fn(&Store{db: s.db, tx: tx}); err != nil {
		return err
	}
	s.db.st = tx.st
	return nil
}

// Close does nothing: there is nothing to release.
func (s *Store) Close() error { return nil }

// read runs fn on the current state under the read lock (or on the
// transaction's state).
func (s *Store) read(ctx context.Context, fn func(st *state) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.tx != nil {
		if s.tx.done {
			return errTxDone
		}
		return fn(s.tx.st)
	}
	s.db.mu.RLock()
	defer s.db.mu.RUnlock()
	return fn(s.db.st)
}

// write runs fn on the current state under the write lock (or on the
// transaction's state). State methods check everything before they change
// anything, so a write that fails leaves the state as it was.
func (s *Store) write(ctx context.Context, fn func(st *state) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.tx != nil {
		if s.tx.done {
			return errTxDone
		}
		return fn(s.tx.st)
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	return fn(s.db.st)
}

// query runs a read that returns a value.
func query[T any](ctx context.Context, s *Store, fn func(st *state) (T, error)) (T, error) {
	var out T
	err := s.read(ctx, func(st *state) error {
		var err error
		out, err = fn(st)
		return err
	})
	return out, err
}
