-- Briefcase schema, version 4: governance (governance.Store). Items carry
-- their lifecycle state (hidden, when they entered review) and the sweep's
-- schedule; notices are recorded before they are sent.

ALTER TABLE briefcase_items ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE briefcase_items ADD COLUMN submitted_at INTEGER;
-- When the sweep next looks at the item, in microseconds; 0 stands for the
-- zero time (due at the next sweep), which existing items get. Unlike the
-- other times it is never NULL, so "zero or not after now" is one range,
-- sweep_at <= now, and the sweep reads the index below from its start.
ALTER TABLE briefcase_items ADD COLUMN sweep_at INTEGER NOT NULL DEFAULT 0;
-- DueItems: a range scan in (sweep_at, id) order that stops at the limit,
-- however many items wait further ahead.
CREATE INDEX briefcase_items_sweep ON briefcase_items (sweep_at, id);

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
-- ListNotices by recipient and by item, in (created_at, id) order.
CREATE INDEX briefcase_notices_recipient ON briefcase_notices (recipient, created_at, id);
CREATE INDEX briefcase_notices_item ON briefcase_notices (item_id, created_at, id);
