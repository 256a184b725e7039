-- Briefcase schema, version 4: governance (governance.Store). Items carry
-- their lifecycle state (hidden, when they entered review) and the sweep's
-- schedule; notices are recorded before they are sent.

ALTER TABLE briefcase_items ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE briefcase_items ADD COLUMN submitted_at INTEGER;
-- When the sweep next looks at each item (Item.SweepAt), in microseconds; 0
-- stands for the zero time (due at the next sweep), which existing items
-- get. Unlike the other times it is never NULL, so "zero or not after now"
-- is one range, sweep_at <= now, and the sweep reads the index below from
-- its start, stopping at the limit however many items wait further ahead.
-- It lives in a narrow table of its own: a sweep reschedules tens of
-- thousands of items at a time, and rewriting a 20-byte row here dirties
-- far fewer pages than rewriting the items' wide rows.
CREATE TABLE briefcase_item_sweep (
	item_pk  INTEGER PRIMARY KEY REFERENCES briefcase_items (pk) ON DELETE CASCADE,
	sweep_at INTEGER NOT NULL
);
CREATE INDEX briefcase_item_sweep_due ON briefcase_item_sweep (sweep_at, item_pk);
INSERT INTO briefcase_item_sweep (item_pk, sweep_at) SELECT pk, 0 FROM briefcase_items;

-- Notices are a record, not content: they keep their item and spot IDs as
-- plain text and outlive both. key is the de-duplication key (one notice
-- per item, deadline, window and recipient): AddNotices inserts with ON
-- CONFLICT (key) DO NOTHING. window_days is Notice.Window (-1 when the
-- notice is about no window); "window" is an SQL keyword.
CREATE TABLE briefcase_notices (
	pk              INTEGER PRIMARY KEY,
	id              TEXT NOT NULL UNIQUE,
	key             TEXT NOT NULL UNIQUE,
	recipient       TEXT NOT NULL,
	digest          TEXT NOT NULL DEFAULT '',
	kind            TEXT NOT NULL,
	item_id         TEXT NOT NULL DEFAULT '',
	spot_id         TEXT NOT NULL DEFAULT '',
	subject_id      TEXT NOT NULL DEFAULT '',
	title           TEXT NOT NULL DEFAULT '',
	window_days     INTEGER NOT NULL DEFAULT -1,
	due             INTEGER,
	detail          TEXT NOT NULL DEFAULT '',
	created_at      INTEGER,
	sent_at         INTEGER, -- NULL until delivered
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER,
	last_error      TEXT NOT NULL DEFAULT ''
);
-- PendingNotices walks the unsent notices in delivery order (recipient,
-- digest, created_at, id) and stops at the limit. Partial: sent notices,
-- nearly all of them once the sweeps have run a while, stay out of it.
CREATE INDEX briefcase_notices_pending ON briefcase_notices (recipient, digest, created_at, id)
	WHERE sent_at IS NULL;
-- ListNotices by recipient, in (created_at, id) order. ListNotices by item
-- alone (an admin's question) scans: an index on item IDs, which arrive in
-- random order, cost every sweep a random page write per notice.
CREATE INDEX briefcase_notices_recipient ON briefcase_notices (recipient, created_at, id);
