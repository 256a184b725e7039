// Package analytics records what content does: an append-only event log,
// roll-ups per item and day and per share and recipient, trending and
// popular signals for search, reports, and revenue influence from a CRM.
//
// # Events
//
// Services report what happened after it committed: an item viewed,
// downloaded, bookmarked or pitched, a search with its hit count, a room
// updated (internal); a link opened, a page read with its active time, a
// download or a click by a buyer (external). The root package converts
// each domain's events to [Event] and hands them to a [Recorder], which
// batches them in memory and writes them with their roll-up deltas to an
// analytics [Store] in one call per batch, so recording never slows a
// request. Suspected bots are recorded with SuspectedBot set, and left out
// of roll-ups that reports read by default (their own counters keep them).
//
// # Roll-ups
//
// [ItemDay] sums an item's engagement per UTC day and per bot flag;
// [ItemViewer] remembers who engaged with an item on a day (for unique
// counts); [RecipientTotal] sums a share's engagement per recipient;
// [QueryDay] counts searches per normalized query per day. They are
// maintained incrementally from each batch and can be rebuilt from the raw
// events ([Service.Rebuild]). Raw events older than the retention are
// deleted ([Service.Prune]); roll-ups stay. [Service.EraseRecipient]
// deletes everything recorded about one buyer's e-mail address.
//
// # Signals
//
// Engagement of one event is weighted by [Weights]. Trending is the sum of
// an item's daily engagement over the window (14 days by default), each
// day's weight halving every HalfLife (7 days); popular is the sum over all
// time. Both are per spot or global, and [Service] implements
// search.Signals.
package analytics
