// Package share sends external content to buyers through tracked pitches and
// digital rooms, and records honest, per-page engagement.
//
// # Shares
//
// One primitive, [Share], has two presets. A pitch is a fixed set of
// external items sent to one or a few recipients, with one [Link] per
// recipient so that engagement is per person. A room is a persistent
// microsite: a welcome message, ordered [Section]s of items, contributors
// who add, remove and reorder content over time, and an optional CRM
// account and opportunity. A room may have one link per recipient, an open
// link behind an e-mail gate, or both.
//
// Every link has [LinkSettings]: an expiry, revocation, an optional e-mail
// gate with a one-time code, an optional passcode, allow and deny lists of
// e-mails and domains, whether downloads are allowed (only ever for items
// that are downloadable themselves), and whether the versions current at
// sharing time are pinned. Link tokens carry 128 bits from crypto/rand and
// only their SHA-256 is stored.
//
// # Rules
//
// Internal items can never be added to a share, whoever asks. Every request
// on every serving path (the page, an item, a page image, a file, a
// download, a beacon) re-reads the link and re-checks it: it exists, neither
// it nor its share is revoked, it has not expired, its gate was passed by a
// session that is still allowed in, and the item asked for is in the share,
// still external, and still published or expiring. Content that stopped
// being shareable after it was sent is not served; the share page says so.
//
// # Tracking
//
// A visit starts when a link is opened: [Service.Open] records a [View]
// (recipient, user agent, coarse client, a suspected-bot flag with its
// reason) and returns a signed beacon token bound to it, valid for
// [BeaconTokenTTL] and refreshed by every accepted beacon. The viewer page
// reports {seq, item_id, page, active_ms} deltas every 10 s while the
// reader is active, on a page change, when the tab is hidden and on unload.
// [Service.Beacon] verifies the token, drops a (view, seq) it has seen,
// caps each delta at the wall time since the view's previous beacon plus
// [BeaconSlack], and stores the raw [PageEvent] and the per (view, item,
// page) [PageStat] in one transaction. Beacons from many views are committed
// together in batches, so ingestion keeps up with many concurrent readers.
//
// Link scanners and bots are marked, never dropped: known scanner user
// agents, HEAD and prefetch requests, and visits that never sent a beacon
// ([SilentViewAfter]) carry a BotReason. The share's owner is told once per
// real visit, on its first beacon, never for a suspected bot.
package share
