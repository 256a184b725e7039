// Package briefcase is an embeddable sales-enablement library: the one place
// a go-to-market team finds, governs and shares its sales and marketing
// content, and learns what that content does for revenue.
//
// A Library composes the domain services over one storage adapter:
//
//   - spots: spots (where content lives), roles granted to users and groups,
//     platform roles, and the pure access decision spots.Evaluate;
//   - items: content items, immutable versions, lists and list groups,
//     placements and bookmarks;
//   - search, governance, share and analytics: finding content, keeping it
//     current and compliant, sharing it with buyers through tracked pitches
//     and digital rooms, and measuring what it does.
//
// Storage is an interface (store.Store) with a default SQLite adapter
// (store/sqlitestore), an in-memory fake for tests (store/memstore) and a
// conformance suite for anyone writing their own (store/storetest). The root
// and domain packages need no cgo: only adapters import drivers.
//
// Every service call acts as the principal carried by its context and fails
// closed without one:
//
//	st := memstore.New()
//	blobs, _ := localblobs.New(dir)
//	lib, err := briefcase.New(ctx, briefcase.Config{Store: st, Blobs: blobs})
//	...
//	ctx = briefcase.WithPrincipal(ctx, spots.Principal{ID: "alice", ...})
//	spot, err := lib.Spots.Create(ctx, spots.NewSpot{Name: "Sales Plays"})
//
// Errors carry one shared code (ErrorCode): invalid, unauthenticated,
// forbidden, not_found, conflict, failed_precondition, gone, unavailable or
// internal. Validation errors name each offending field.
//
// Library.Handler serves the JSON API under /api/v1; the reference server in
// cmd/briefcase runs it on SQLite with a local data directory.
package briefcase
