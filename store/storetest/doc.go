// Package storetest is the conformance suite for store.Store adapters, and
// the guide for writing one.
//
// Briefcase keeps everything it persists behind one interface, store.Store:
// the spots, items, audit, auth, share and governance stores, a change
// feed, and transactions.
// The services hold every rule; a store holds data. If your adapter passes
// this suite, the services, the search index follower and the reference
// server work on it.
//
// # Running the suite
//
// Call Run from a test in your adapter's package, with a function that
// returns a new, empty store:
//
//	package mystore_test
//
//	import (
//		"path/filepath"
//		"testing"
//
//		"github.com/briefcasehq/briefcase/store"
//		"github.com/briefcasehq/briefcase/store/storetest"
//		"example.com/mystore"
//	)
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			s, err := mystore.Open(t.Context(), filepath.Join(t.TempDir(), "briefcase.db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// Run calls newStore once per subtest and closes each store when its
// subtest ends, so do not close it yourself; put files under t.TempDir. A
// server-backed adapter (PostgreSQL) can create a fresh schema or database
// per call and drop it in a t.Cleanup.
//
// Run it with the race detector, and run one area at a time while you
// work on it:
//
//	go test -race -run 'TestConformance/ChangeFeed' ./mystore
//
// Failure messages name the method, the input and the contract clause, for
// example "ListItems(SpotIDs A, B, C: i3 once although it is in all
// three) ... duplicate: <id>" or "Spot.CreatedAt: got ... in location
// "Local", want the same instant in UTC". Areas and subtests:
//
//	Spots         RoundTrip NotFound Conflict Update PersonalSpot ListSpots Copies
//	Grants        RoundTrip NotFound Order GrantsForSubjects
//	Principals    RoundTrip NotFound List Copies
//	Items         RoundTrip NotFound Conflict Update Copies
//	Placements    PutDelete Errors
//	Versions      RoundTrip NotFound Conflict Copies
//	Lists         GroupRoundTrip GroupConflict ListRoundTrip ListConflict NotFound Membership DeleteList DeleteListGroup
//	Bookmarks     RoundTrip SpotFilter
//	ListItems     Filters DefaultLimit Pagination
//	Cascade       DeleteSpot DeleteItem
//	Audit         RoundTrip Seq Filters DefaultLimit Copies
//	Tokens        RoundTrip Conflict NotFound
//	Shares        RoundTrip NotFound Conflict Update Filters LiveAt Pagination DefaultLimit Copies
//	Links         RoundTrip NotFound Conflict Update Copies
//	GateCodes     RoundTrip NotFound
//	Views         RoundTrip NotFound Conflict Update List NoBeaconBefore DefaultLimit
//	PageEvents    RoundTrip Duplicates UnknownView Stats StatsUnknownView ConcurrentDuplicates
//	ShareEvents   RoundTrip NotFound
//	Secrets       FirstWriterWins Copies Concurrent
//	ShareAtomic   Commit Rollback RefusedWriteInside ViewReadModifyWrite NotContent
//	Sweep         ItemFields HideHidden DueItems DueItemsDefaultLimit SetSweepAt ResetSweep
//	Notices       RoundTrip Dedup Pending MarkSent MarkFailed List ListBefore DefaultLimit
//	GovernanceAtomic Rollback Commit
//	ChangeFeed    Empty ContentWrites CascadingDeletes NotContent FailedWrites CommitOrder Paging DefaultLimit Rollback
//	Atomic        Commit RollbackOnError RollbackOnPanic ReadsOwnWrites Nested RefusedWriteInside Isolation CloseOnTx
//	Concurrency   WritersAndReaders ReadModifyWrite
//
// The rest of this page is the contract, topic by topic: what the suite
// checks and why. The interface doc comments in store, spots, items,
// audit, auth, share and governance are the source; this is the long form. The memstore package is a
// short, complete reference implementation.
//
// # Errors
//
// Missing records and conflicts are errors that wrap the domain sentinel
// with %w, so errors.Is works: spots.ErrNotFound and spots.ErrConflict for
// spots, grants and principals; items.ErrNotFound and items.ErrConflict for
// items, placements, versions, lists and bookmarks; auth.ErrNotFound and
// auth.ErrConflict for tokens; share.ErrNotFound and share.ErrConflict for
// shares, links, gate codes, views, page events and stats, share events
// and secrets. Add context, never replace the sentinel:
//
//	return fmt.Errorf("mystore: get item %s: %w", id, items.ErrNotFound)
//
// Never return a zero value with a nil error for something that does not
// exist. That covers Get*, Update* and Delete* of a missing record,
// DeleteGrant, DeletePlacement, DeleteListItem and DeleteBookmark of a link
// that is not there, and writes that refer to a missing parent (CreateItem
// or UpdateItem with a missing home spot, PutPlacement, CreateVersion,
// CreateList, UpdateList to a missing group, PutListItem, PutBookmark,
// PutGrant; CreateLink and AddEvent with a missing share, PutGateCode and
// CreateView with a missing link, AddPageEvents and AddPageStats with any
// missing view). A domain sentinel in the wrong package counts as a miss: a
// missing home spot in CreateItem is items.ErrNotFound, because it is the
// items store that answers.
//
// Conflicts: a duplicate ID on every Create*; a second personal spot for
// the same OwnerID; a list group name taken by another group, compared
// without regard to case ("Industry" and "INDUSTRY" collide, also on
// rename, but renaming a group to a new case of its own name is fine); a
// list name taken in the same group (also on UpdateList); a version whose
// (ItemID, Number) exists; PutPlacement into the item's own home spot; a
// token whose Hash exists; a link whose TokenHash exists (on any share); a
// share that holds one item twice, in one section or in two (CreateShare
// and UpdateShare). ListViews with none of ShareID, LinkID and
// NoBeaconBefore is share.ErrInvalid.
//
// Map database errors to these yourself. With SQL that usually means
// catching the unique and foreign key violations of your driver, or
// checking first inside the same transaction. A write that fails must
// change nothing, including the change feed.
//
// Listing methods answer with an empty result, not an error, when nothing
// matches. ListGrants, ListVersions and ListLists of a parent that does not
// exist may return either an empty list or the not-found error; ListLinks,
// ListPageStats and ListEvents of a missing share, and ListPageEvents of a
// missing view, return an empty list.
//
// # Copies
//
// Values go in and out by copy. After CreateItem returns, the caller may
// change the Labels slice it passed, and the stored item must not change;
// after GetItem returns, the caller may change the slices of the returned
// item. This matters for in-memory and caching adapters: clone every slice
// (Spot.Policy, Principal.Groups, Roles and Trainings, Item.Owners, Labels,
// PromotedKeywords, Placements and ListIDs, Version.Pages, audit Before and
// After, Share.Sections with their Items, Share.Contributors, the allow and
// deny lists of LinkSettings on shares and links, Secret's value) on the
// way in and on the way out. The domain types have Clone
// methods for this. SQL adapters get it for free.
//
// # Time
//
// Times are kept to at least microsecond precision and come back in UTC:
// convert with t.UTC() before storing and return t.UTC() after reading
// (the suite checks Location() == time.UTC, because callers compare and
// format them). The services truncate their clock to microseconds, so
// microseconds are all you need; the suite only uses microsecond times, in
// a non-UTC zone, including dates in 1999 and 2199.
//
// A zero time.Time means "not set" (an item without ExpiresAt, a token that
// never expires) and must come back zero (IsZero). Store it as NULL, or map
// the zero instant back to time.Time{}; do not store it as a Unix epoch 0 or
// as a time in another zone, which are not zero.
//
// Audit filters (Since, Until) compare instants, whatever the zone of the
// filter value.
//
// # Every field, and the few that are special
//
// Every exported field round-trips: the suite builds fully populated values
// (and fails with a "storetest fixture bug" if a field added to a domain
// type later is left out of them, so new fields cannot slip past). Empty
// and nil slices are the same to the suite. Audit Before and After are
// compared as JSON documents, so a jsonb column that reformats them is fine.
//
// Fields that are not plain data:
//   - Principal.System is never stored and comes back false.
//   - Item.Placements and Item.ListIDs are ignored on CreateItem and
//     UpdateItem; they are written by PutPlacement and PutListItem, and
//     filled on every read (GetItem and ListItems alike), sorted.
//   - audit.Entry.Seq is assigned by AppendAudit (strictly increasing in
//     append order); the caller's value is ignored.
//   - UpdateSpot keeps CreatedAt, Kind and OwnerID; UpdateItem keeps
//     CreatedAt and CreatedBy; UpdateListGroup and UpdateList keep
//     CreatedAt. Every other field is replaced, including with zero values.
//   - UpdateItem that moves the home to a spot the item is placed in removes
//     that placement (an item is never placed in its own home).
//   - PutGrant replaces the grant of the same (SpotID, Subject); a user and
//     a group with the same ID are different subjects.
//   - PutBookmark of an existing bookmark keeps the first one (and its
//     CreatedAt). PutPlacement and PutListItem of an existing link are
//     no-ops.
//   - PersonalSpot looks only at personal spots: PersonalSpot("") must not
//     find a team spot whose OwnerID is empty.
//   - LinkSettings.Passcode is input only: never stored (not even on a
//     share's default settings), always given back empty. HasPasscode and
//     Link.PasscodeHash are plain data.
//   - Share.Contributors come back sorted, each once, whatever the order
//     and repeats they went in with. Sections keep their order and items
//     theirs within each section; neither is sorted.
//   - UpdateShare keeps CreatedAt, OwnerID and Kind and replaces everything
//     else, sections, items and contributors included: a reordered,
//     shortened or emptied list is stored as given, and ListShares(Member,
//     ItemID) follows at once. UpdateLink keeps ShareID, Recipient,
//     TokenHash and CreatedAt; UpdateView keeps ShareID, LinkID, UserAgent,
//     Client and StartedAt.
//   - A view's ShareID is its link's share (the suite always passes that).
//   - Share Event.Seq is assigned by AddEvent, strictly increasing in
//     append order across shares; the caller's value is ignored.
//   - PutGateCode replaces the code of the same (LinkID, Email), every
//     field of it; addresses are compared exactly.
//
// # Deletes cascade
//
// DeleteSpot removes, in the same transaction, the spot's grants, every
// placement into it, and every item homed in it, with those items'
// versions, placements elsewhere, list memberships and bookmarks. Items
// homed elsewhere and placed in the spot survive without that placement.
// DeleteItem removes the item's versions, placements, list memberships and
// bookmarks. DeleteList removes its memberships; DeleteListGroup removes
// its lists and their memberships.
//
// "Removed" means gone, not hidden: the suite re-creates records with the
// IDs of deleted ones and checks that no old placement, membership,
// version, grant or bookmark comes back. With SQL, ON DELETE CASCADE
// foreign keys do most of this, but you still need to record the change
// feed entries (see below), so you will usually select the affected IDs
// first.
//
// # Filters and order
//
// Filters are pushed down by the services, which have already decided what
// the caller may see; the store applies them exactly. The one that matters
// most is items.ItemFilter, because it is an access filter: an item
// matches when
//   - its home spot or one of its placements is in SpotIDs, or AllSpots is
//     set (a nil or empty SpotIDs without AllSpots matches nothing: an
//     adapter that treats "no spots" as "no filter" leaks every item);
//   - Statuses is empty, or its status is in Statuses, or its home spot
//     (not a placement) is in AnyStatusHomeIDs; AnyStatusHomeIDs never
//     widens SpotIDs;
//   - ListIDs is empty or it is in at least one of them, Kinds is empty or
//     its kind is one of them, and Audience is empty or equal;
//   - BeforeID is empty or its ID is lower.
//
// Results are newest first by ID (IDs are uuid v7 strings, so byte order is
// time order), at most Limit (zero means 100), with the limit applied after
// filtering. An item in several matching spots or lists appears once: with
// SQL, use EXISTS sub-queries rather than joins, or DISTINCT.
//
// BeforeID is a keyset cursor: walking pages by passing the last ID of a
// page as the next BeforeID must yield every matching item exactly once and
// in order, even while other writers insert newer items (which never appear
// on later pages) or delete older ones (which simply do not appear). Never
// page by OFFSET.
//
// The other orders and filters, as documented on each method:
//   - ListSpots: by name then ID. SpotFilter.IDs nil does not filter, an
//     empty non-nil slice matches nothing.
//   - ListGrants: strongest role first (spots.Role.Rank), then
//     Subject.String(). GrantsForSubjects: by spot ID, then
//     Subject.String().
//   - ListPrincipals: by ID, after AfterID, at most Limit (zero: all).
//   - ListVersions: by Number. ListTokens: oldest CreatedAt first.
//   - ListListGroups: by name. ListLists: by group, then name.
//   - ListBookmarks: one principal's, of items homed or placed in SpotIDs
//     (nil or empty matches nothing), newest CreatedAt first.
//   - ListAudit: increasing Seq; Actor, TargetKind, TargetID and SpotIDs
//     match exactly, Since is inclusive and Until exclusive, AfterSeq is a
//     cursor, Limit defaults to 100.
//   - ListShares: newest first by ID, at most Limit (zero: 100) after
//     filtering, BeforeID a keyset cursor as for ListItems. Member keeps the
//     shares the principal owns or contributes to (once, even when both);
//     ItemID the shares holding the item in any section; Kind matches
//     exactly. LiveAt keeps the shares whose RevokedAt is zero and that
//     have at least one link whose RevokedAt is zero and whose
//     Settings.ExpiresAt is zero or after LiveAt (a link expiring exactly
//     at LiveAt is dead); a link's lock-out does not count, nor do the
//     share's own default Settings. Filters combine with AND.
//   - ListLinks: oldest CreatedAt first, ties by ID.
//   - ListViews: oldest StartedAt first, ties by ID, at most Limit (zero:
//     1000). ShareID and LinkID match exactly; NoBeaconBefore keeps views
//     with StartedAt strictly before it, Beacons 0 and SuspectedBot false,
//     so a first beacon or a bot mark takes a view out and clearing the
//     mark brings it back.
//   - ListPageEvents: one view's events by Seq, whatever their arrival
//     order. ListPageStats: every view of one share, by ViewID, then
//     ItemID, then Page as a number. ListEvents: one share's, by Seq.
//   - ItemFilter.HideHidden drops items whose Hidden is set unless their
//     home spot (not a placement) is in AnyStatusHomeIDs, with or without
//     Statuses; it never widens SpotIDs either.
//   - DueItems, PendingNotices and ListNotices: see Governance below.
//
// Where the contract leaves the collation open (names), the suite uses
// names on which byte order and case-insensitive order agree. Prefer byte
// order (SQLite's default BINARY collation) so results are the same
// everywhere.
//
// # Engagement
//
// Beacons are the one write path that runs at volume, and the share
// service leans on three promises.
//
// AddPageEvents de-duplicates by (ViewID, Seq): it returns one bool per
// event, true when stored, false when that (ViewID, Seq) was stored already
// or earlier in the same batch (the first of a batch wins), and never
// overwrites a stored event. It is all or nothing: when any event names a
// view that does not exist, it returns share.ErrNotFound and stores none
// of the batch. Under concurrent calls each (ViewID, Seq) is stored, and
// reported stored, exactly once. AddPageStats adds onto the row of the
// same (ViewID, ItemID, Page): ActiveMS and Beacons summed, FirstAt the
// earlier, LastAt the later, a missing row created, a key repeated in one
// batch added twice; a missing view refuses the whole batch.
//
// GetView inside Atomic holds the view until commit, so two transactions
// that each read a view and write it back are serialized (no lost beacon
// counts). SQLite's single writer gives this for free; on PostgreSQL use
// SELECT ... FOR UPDATE in GetView when it runs in a transaction.
//
// Secret(name, value) stores value when name has no secret yet and
// returns what is stored: the first writer wins, and concurrent first
// callers all get the same bytes. INSERT ... ON CONFLICT DO NOTHING
// followed by a read of the row, in one transaction, does it.
//
// The design target is 50,000 beacon events a second through the store on
// SQLite (sqlitestore's BenchmarkAddPageEvents measures it). What got the
// SQLite adapter there: an INTEGER key for views that page events and
// stats use instead of the view's UUID (secondary indexes on random UUID
// text cut insert throughput several-fold); the batch's view IDs resolved
// in one query, then one prepared statement run in a loop inside the
// transaction; INSERT ... ON CONFLICT DO NOTHING with the rows affected as
// the de-duplication answer; an upsert for stats; and no per-row foreign
// key checks on those two tables, since the store checks the batch's views
// in the same transaction and views are never deleted.
//
// # The change feed
//
// The search index is derived data: it follows the change feed and
// re-reads what changed. A change is (Entity, EntityID, Op) with a Seq. In
// the same transaction as the write:
//
//	CreateSpot, UpdateSpot                       spot  upsert
//	DeleteSpot                                   spot  delete
//	  + every item homed in it                   item  delete
//	  + every other item placed in it            item  upsert
//	CreateItem, UpdateItem                       item  upsert
//	DeleteItem                                   item  delete
//	PutPlacement, DeletePlacement                item  upsert (the item)
//	CreateVersion                                item  upsert (the version's item)
//	PutListItem, DeleteListItem                  item  upsert (the item)
//	CreateListGroup, UpdateListGroup             list_group upsert
//	DeleteListGroup                              list_group delete
//	  + each of its lists                        list  delete
//	  + every item that was in one of them       item  upsert
//	CreateList, UpdateList                       list  upsert
//	DeleteList                                   list  delete
//	  + every item that was in it                item  upsert
//
// Grants, principals, bookmarks, tokens, audit entries and everything of
// the share store are not content and record nothing; a write that fails records nothing; a no-op
// (PutPlacement of an existing placement) may record or not. The suite
// compares the set of changes a write made, so recording the same entity
// twice in one transaction is tolerated, but a missing or an extra entity
// is not.
//
// Seq is strictly increasing and assigned in commit order. The second half
// matters and is the hard part: a follower that has read up to Seq n never
// looks below n again, so a transaction that commits a change with Seq 5
// after another transaction's Seq 6 became visible loses that change
// forever. The suite runs a follower against concurrent writers to catch
// this. With SQLite and a single writer connection, an INTEGER PRIMARY KEY
// AUTOINCREMENT outbox table is enough, because writes are serialized. With
// PostgreSQL, sequence values are handed out at insert time, not at commit,
// so a plain bigserial is not: serialize the outbox inserts (for example
// take a transaction-level advisory lock before inserting changes, held
// until commit) or hide rows until every lower Seq has committed.
//
// Changes(after, limit) returns at most limit changes (zero: 1000) with Seq
// greater than after; LastChangeSeq returns the highest committed Seq (0
// for an empty feed). Changes of a rolled-back transaction never appear.
//
// # Governance
//
// governance.Store holds the sweep's schedule and the notices; the rules
// (what is due, who is told, when to retry) stay in the governance
// service, which passes an explicit now.
//
// Item.Hidden, SubmittedAt and SweepAt are plain fields: CreateItem stores
// them, every read returns them and UpdateItem replaces them (the items
// service zeroes SweepAt on every write). A zero SweepAt means "at the next
// sweep" and sorts before every other time; a store may keep it as a
// sentinel (sqlitestore uses 0, so that "zero or not after now" is one
// index range), and the suite only uses SweepAt times after 1970.
//
//   - DueItems(now, limit): items whose SweepAt is zero or not after now
//     (inclusive), of every spot, status and Hidden, by SweepAt (ties in
//     an order of the adapter's choosing; the suite compares them by ID),
//     at most limit (zero: 1000). Placements and ListIDs may be left empty;
//     every other field is returned. Index SweepAt and stop at the limit:
//     the sweep pages through a million items this way.
//   - SetSweepAt: only SweepAt changes; UpdatedAt does not, unknown IDs
//     are skipped without an error, the zero time is stored as zero, and
//     nothing is recorded in the change feed. Batches hold up to about
//     1000 IDs; inside Atomic, write through the caller's transaction.
//   - ResetSweep(spotID): zeroes SweepAt on every item homed (not placed)
//     in the spot and returns how many items that is, counting those whose
//     SweepAt was zero already; 0 and no error for a spot without items or
//     one that does not exist. Nothing else changes, nothing is recorded.
//   - AddNotices: stores, in order, the notices whose Key is not stored
//     yet and returns exactly those, as a read would return them (times in
//     UTC). A Key repeated within the batch keeps its first notice. A
//     notice whose Key exists is skipped and the stored one is left as it
//     is, whether it was sent, failed or pending: a notice is recorded,
//     and so sent, once. INSERT ... ON CONFLICT (key) DO NOTHING, one row
//     at a time, with the rows affected as the answer, does it. Notices
//     are records, not content: they keep ItemID and SpotID as plain text
//     (no foreign keys: they outlive the item) and record no change.
//   - PendingNotices(now, maxAttempts, limit): SentAt zero, Attempts below
//     maxAttempts, NextAttemptAt zero or not after now (inclusive); by
//     Recipient, Digest, CreatedAt, ID (byte order for the strings, so the
//     empty Digest of personal messages comes first); at most limit (zero:
//     1000).
//   - ClaimNotices(now, until, maxAttempts, limit): returns what
//     PendingNotices(now, maxAttempts, limit) would, as they are after the
//     claim, and sets NextAttemptAt to until on exactly those (in UTC);
//     Attempts, LastError and every other notice stay as they are. Until
//     then no claim returns them again; a claim at until (inclusive) does.
//     Sent notices are never claimed, also when sent after their claim.
//     The select and the update are one atomic step against every other
//     claim, of this process or another: the suite runs 8 goroutines
//     claiming 5 at a time from 40 notices and wants each notice handed
//     out exactly once. SQLite: both in one write transaction (BEGIN
//     IMMEDIATE); PostgreSQL: UPDATE ... WHERE id IN (SELECT ... FOR
//     UPDATE SKIP LOCKED) RETURNING. Inside Atomic a claim rolls back with
//     the transaction.
//   - MarkNoticesSent(ids, at): sets SentAt on each notice named, sent
//     already or not; nothing else changes; unknown IDs are skipped.
//   - MarkNoticesFailed(ids, next, lastErr): on each unsent notice named,
//     Attempts one more (once per call, however often its ID is repeated),
//     NextAttemptAt next (zero: retry at once) and LastError lastErr. Sent
//     notices and unknown IDs are left alone.
//   - ListNotices(f): Recipient and ItemID match exactly when set, Unsent
//     keeps SentAt zero; newest first: CreatedAt descending, then ID
//     descending (byte order), a zero CreatedAt the oldest; at most Limit
//     (zero: 1000). Before is a cursor, the last ID of the previous page:
//     only notices strictly after it in that order are returned, whether
//     or not the cursor notice itself matches the filter; an ID that names
//     no notice gives an empty result and no error. The suite pages a
//     recipient's notices 1, 2, 3 and 7 at a time, with pages ending
//     inside a run of notices of the same CreatedAt and among notices with
//     a zero CreatedAt, and wants every notice once. By recipient, walk an
//     index on (recipient, created_at, id) backwards from the cursor:
//     sqlitestore compares the row value (created_at, id) with the
//     cursor's, and, since it keeps a zero time as NULL (which compares as
//     unknown), merges in a second arm for those notices.
//
// Every one of these works through the tx of Atomic, reads its own
// writes there, and rolls back with it.
//
// # Transactions
//
// Atomic(ctx, fn) runs fn in one transaction and hands it tx, a store.Store
// bound to that transaction:
//   - fn returns nil: everything fn wrote through tx commits together.
//   - fn returns an error: nothing does, and Atomic returns that error
//     (wrapped or not, errors.Is must find it).
//   - fn panics: nothing commits, and the panic continues with the same
//     value; the store must stay usable (no lock, connection or
//     transaction left behind).
//   - Reads through tx see fn's own writes; other goroutines see none of
//     them until commit.
//   - tx.Atomic runs in the same transaction (no savepoint semantics are
//     required or tested): nested writes commit or roll back with the
//     outermost call.
//   - A call through tx that is refused (a conflict, a missing record) does
//     not abort the transaction: fn may carry on and commit. On PostgreSQL,
//     where any failed statement aborts the transaction, wrap each write in
//     a savepoint or check before writing.
//   - Transactions must not lose updates: two Atomic calls that each read a
//     record and write it back are serialized. The services count on it
//     (exactly one owner per spot, version numbers). SQLite gives this with
//     one writer connection and BEGIN IMMEDIATE; PostgreSQL needs
//     SERIALIZABLE with retries of fn on serialization failures, or
//     SELECT ... FOR UPDATE.
//   - tx.Close is a no-op.
//
// fn must use tx, not the outer store: on an adapter with one writer
// connection (or a store-wide lock, like memstore), a write through the
// outer store inside fn waits for fn forever.
//
// # Concurrency
//
// Every method is safe for concurrent use, and under load every call
// succeeds. The suite runs 8 goroutines writing 50 times each (items,
// grants and audit entries, through Atomic and through plain calls) next to
// readers and a change feed follower, and accepts zero errors. On SQLite
// that rules out "database is locked": use WAL, a busy_timeout, one writer
// connection for every write and transaction (BEGIN IMMEDIATE, so a
// transaction never tries to upgrade a read lock), and a separate pool for
// plain reads; set pragmas in the DSN so every pooled connection gets them.
//
// # Checklist
//
//   - var _ store.Store = (*YourStore)(nil)
//   - errors wrap the right package's sentinel, for every missing record
//     and every conflict listed above
//   - times in UTC, zero times zero, microseconds kept
//   - slices copied in and out (in-memory and caching adapters)
//   - Placements and ListIDs filled on read, ignored on write, sorted
//   - cascades delete, not hide
//   - ItemFilter: nil SpotIDs matches nothing; each item once; limit after
//     filtering; keyset paging
//   - change feed: every content write and cascade, nothing else, Seq in
//     commit order, nothing from rolled-back transactions
//   - Atomic: rollback on error and panic, nested joins, refused calls do
//     not poison the transaction, no lost updates
//   - governance: Hidden, SubmittedAt and SweepAt round-trip; HideHidden;
//     DueItems inclusive and ordered; SetSweepAt and ResetSweep change
//     SweepAt only and record nothing; AddNotices first Key wins;
//     PendingNotices' filters and order; ListNotices newest first with
//     the Before cursor; MarkNoticesFailed skips sent notices
//   - shares: Passcode never stored, contributors sorted and unique, an
//     item once per share, UpdateShare replaces contents completely
//   - ListShares: Member (owner or contributor, once), ItemID, Kind,
//     LiveAt, keyset paging; ListViews: NoBeaconBefore, ErrInvalid without
//     a filter
//   - AddPageEvents and AddPageStats: de-duplicated, summed, all or
//     nothing on a missing view; GetView holds the view inside Atomic;
//     Secret is first writer wins
//   - go test -race passes with zero errors under concurrent writers
package storetest
