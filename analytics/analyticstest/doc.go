// Package analyticstest is the conformance suite for analytics.Store
// implementations, and the guide for writing one.
//
// The analytics service keeps an append-only event log and roll-ups of it
// behind analytics.Store, apart from store.Store so that an embedder may
// keep events in another database. The service computes every roll-up
// delta and every filter; a store adds numbers onto keyed rows and sums
// them back. If your implementation passes this suite, the recorder,
// rebuild, retention, erasure, trending, popular and the reports work on
// it.
//
// # Running the suite
//
// Call Run from a test in your package with a function that returns a
// new, empty store:
//
//	func TestAnalyticsConformance(t *testing.T) {
//		analyticstest.Run(t, func(t *testing.T) analytics.Store {
//			s, err := mystore.Open(t.Context(), filepath.Join(t.TempDir(), "events.db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// Run calls newStore once per subtest and never closes a store itself
// (analytics.Store has no Close): register that with t.Cleanup. Run it
// with the race detector, one area at a time while you work on it:
//
//	go test -race -run 'TestAnalyticsConformance/Top' ./mystore
//
// Areas and subtests:
//
//	Events       RoundTrip IDs IDsNeverReused Paging DefaultLimit Recipient
//	Append       WithRollups Empty Invalid AllOrNothing
//	Retention    DeleteEvents KeepsRollups ZeroBefore
//	Erase        Recipient Empty
//	ItemDays     Sums Keys FirstSpotKept
//	Viewers      Set
//	VisitPages   Sums Order
//	Recipients   Sums Order
//	Queries      Sums
//	Actors       Sums
//	Reset        Reset
//	Reports      SumItems SumSpots VisitPages RecipientTotals RecipientTotalsOf SumQueries SumQueriesDefaultLimit
//	             SumActors InvalidDays
//	Top          Popular Trending Filters ItemIDs Ties Moved MovedCancels InvalidDay
//	Concurrency  ParallelAppends
//
// The rest of this page is the contract, area by area. The doc comments
// of analytics.Store and of the roll-up types are the source.
//
// # Events
//
// Append stores events and assigns their IDs: positive, increasing in the
// order given, and higher than every ID assigned before, even when the
// newest events have since been deleted (an ID is never reused, so a
// reader that follows the log by AfterID never misses an event; SQLite
// needs AUTOINCREMENT for that). The caller's ID is ignored. Every field
// round-trips; At keeps its microseconds and comes back in UTC, whatever
// zone it went in with.
//
// Events returns events with an ID above AfterID, in ID order, at most
// Limit (zero: 1000); Recipient, when set, keeps the events whose
// Recipient is exactly that string.
//
// # Append is one transaction
//
// Append writes its events and adds its deltas in one transaction: when
// it fails, none of them is stored. The suite makes it fail with a
// malformed delta placed last, so an implementation that writes in order
// has written everything else by then and must roll it back. The
// malformed inputs, which every writing method refuses with
// analytics.ErrInvalid before or instead of writing anything, are: an
// event without At; a Day that is not a well-formed "2006-01-02" (empty,
// "2025-3-11", "2025-02-30"); an ItemDay, ItemViewer or VisitPage without
// ItemID; an ItemViewer without Viewer; a QueryDay without Query; an
// ActorDay without Actor. Nothing else is checked: the store holds no
// rules (a VisitPage without ViewID or a RecipientTotal without ShareID
// is stored).
//
// # Roll-ups
//
// AddRollups (and Append) add each delta onto the row with the same key,
// creating it when missing; a key repeated in one call is added twice.
// Keys:
//
//	ItemDay         ItemID, Day, Bot          every number summed (Score too)
//	ItemViewer      ItemID, Day, Viewer       a set: adding again is a no-op
//	VisitPage       ViewID, ItemID, Page      ActiveMS summed
//	RecipientTotal  ShareID, Recipient, Bot   numbers summed; FirstAt earliest, LastAt latest
//	QueryDay        Query, Day                Searches, ZeroHits, HitsTotal summed
//	ActorDay        Actor, Day, Type          Count summed
//
// Deltas may be negative (erasure takes a recipient's part away); sums may
// go to zero or below and the row stays. The fields that are neither key
// nor summed keep the value of the delta that created the row: an
// ItemDay's SpotID (an item that moves during a day stays in its old spot
// for that day), a VisitPage's SpotID, ShareID, Recipient and Bot, a
// RecipientTotal's ShareOwner. Two exceptions: VisitPage.Day keeps the
// earliest day ("the day of the visit's first beacon"), and
// RecipientTotal.FirstAt and LastAt keep the earliest and the latest
// instant, a zero time counting as unset (a row whose times are all zero
// gives back zero times).
//
// ResetRollups deletes every roll-up row and keeps the events; roll-ups
// added afterwards start from zero.
//
// # Retention and erasure
//
// DeleteEvents(before) deletes the events whose At is strictly before
// before and returns how many; the zero time is ErrInvalid. Roll-ups stay.
//
// EraseRecipient(email) deletes the events whose Recipient is exactly
// email, and the VisitPage and RecipientTotal rows whose Recipient is
// email, and returns how many rows it deleted in all. Other roll-ups are
// left alone: the service has already taken the recipient's part out of
// them with negative deltas. An empty email is ErrInvalid (it would
// otherwise mean every event without a recipient).
//
// # Filters
//
// analytics.Filter is pushed down by the service, which has decided what
// the caller may see. The spot filter is an access filter: a row matches
// when AllSpots is set (SpotIDs are then ignored) or its own SpotID is in
// SpotIDs; a nil or empty SpotIDs without AllSpots matches nothing. From
// and To bound the row's Day, both included, each only when set; a
// malformed one is ErrInvalid. ItemIDs, ShareIDs and Owners filter when
// they are not empty. Bot rows count only with IncludeBots. Limit zero is
// no limit, except for SumQueries (100).
//
// Which fields each method reads:
//
//	SumItems, SumSpots  From, To, spots, ItemIDs, IncludeBots, Limit
//	VisitPages          From, To (the row's Day), spots, ItemIDs, ShareIDs, IncludeBots, Limit
//	RecipientTotals     ShareIDs or Owners (a row matches either; both empty: all), IncludeBots, Limit
//	SumQueries          From, To, Limit
//	SumActors           From, To, Owners (the actors), Limit
//
// # Reports
//
// SumItems returns one ItemSum per item with ItemDay rows matching f, by
// item ID. Its numbers are the sums of those rows; Day and SpotID are the
// latest day summed and that row's spot; Bot is false. UniqueViewers
// counts the distinct viewers of the item's ItemViewer rows matching the
// days, spots and items of f (over the whole range, not per day). Visits,
// UniqueRecipients and PagesRead count the distinct ViewIDs, non-empty
// Recipients and (ViewID, Page) pairs of the item's VisitPage rows
// matching the days (by VisitPage.Day), spots, items and bot flag of f.
//
// SumSpots returns one SpotSum per spot of the matching ItemDay rows, by
// spot ID: the sums, Day the latest day, ItemID empty, Bot false,
// UniqueViewers the distinct viewers of matching ItemViewer rows of that
// spot, ItemsEngaged the distinct items summed.
//
// VisitPages returns the matching rows by ItemID, then ViewID, then Page
// as a number (2 before 10). RecipientTotals returns rows by ShareID, then
// Recipient, then Bot (false first). RecipientTotalsOf, the optional
// analytics.RecipientTotalsOfStore capability the influence report uses
// when a store has it, returns the rows of the listed recipients (compared
// exactly; an empty string is the rows without a recipient) in the same
// order; the suite skips it for stores without it.
//
// SumQueries sums each query's rows in the range: Searches, ZeroHits, and
// AvgHits = ΣHitsTotal / ΣSearches; LastDay is the latest day summed.
// Queries with no searches (ΣSearches ≤ 0) are left out, and those whose
// AvgHits is above maxAvgHits (maxAvgHits 0 lists the searches that never
// found anything). Most searched first, ties by query (byte order).
// Queries are compared exactly: the service normalizes them.
//
// SumActors returns one ActorDay per (Actor, Type) of the rows in the
// range, Count summed and Day the latest, by actor then type.
//
// # Top
//
// Top scores each item Σ Score × weight over its ItemDay rows matching the
// spots, ItemIDs and bot flag of the filter, the weight being that of the
// row's day in DayWeights; a day missing from DayWeights weighs nothing,
// so an empty map scores nothing, and only a nil DayWeights means every
// day weighs 1 (popular, all time). Weights may be zero or negative. Items
// scoring zero or less are left out; the rest come highest first, ties by
// item ID, at most Limit (zero: all), except that with ItemIDs every
// listed item with a positive score comes back whatever Limit says.
// SpotID is the spot of the item's latest day counted. A malformed day in
// DayWeights is ErrInvalid.
//
// The suite checks ties at the Limit cut (30 items tied, Limit 20), so an
// implementation that prunes candidates must keep every item tied with
// the last one it returns until the item IDs have decided; and an item
// whose rows in two spots nearly cancel, so that pruning by the best rows
// must still sum an item's rows before ranking it.
//
// # Concurrency
//
// Every method is safe for concurrent use. The suite runs 8 goroutines
// appending batches whose deltas all land on the same rows while readers
// run, and then wants every event once, each batch's events in order, and
// every sum exact: no lost update, no "database is locked".
//
// # Performance
//
// The recorder writes batches of up to 1,000 events with their deltas in
// one Append, so Append is the hot path: the SQLite adapter runs one
// prepared statement per table in a loop inside one transaction, with
// integer keys in the roll-up tables, and upserts that add. Trending (Top
// with 14 day weights, Limit 20) must stay within 20 ms over the roll-ups
// of 10 million events; see store/sqlitestore for how its item-day table,
// its indexes and an item-total table get there, and its benchmarks.
package analyticstest
