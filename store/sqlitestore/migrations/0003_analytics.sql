-- Briefcase schema, version 3: the analytics event log and its roll-ups
-- (analytics.Store).
--
-- Days are INTEGER day numbers (days since 1970-01-01 UTC); times are
-- INTEGER microseconds. The roll-up tables are hot (every batch of events
-- upserts into them) and large (the item-day table of 10 million events
-- holds millions of rows), so they key items, spots, shares and views by
-- an INTEGER interned in briefcase_analytics_ids instead of their UUIDs,
-- and cluster on the day first, so a batch of today's events writes at
-- the tail of the tables and a date range is one contiguous range.
-- Recipients (e-mail addresses) are not interned: erasing an address must
-- leave no copy of it behind.

-- Interned IDs (items, spots, shares, views) and their integer keys.
-- Never deleted; ResetRollups keeps them.
CREATE TABLE briefcase_analytics_ids (
	no INTEGER PRIMARY KEY,
	id TEXT NOT NULL UNIQUE
);

-- The raw event log. AUTOINCREMENT: an ID is never reused, even after the
-- newest events are deleted, so a reader following the log by ID never
-- misses one. The only secondary index is on at, for retention; it grows
-- at its tail. An index on recipient, for erasure, was measured here at a
-- third of the cost of appending events (each batch touches one page per
-- buyer reading): erasure, a rare administrative act, reads the log once
-- instead.
CREATE TABLE briefcase_analytics_events (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	type        TEXT NOT NULL,
	at          INTEGER NOT NULL,
	actor       TEXT NOT NULL DEFAULT '',
	recipient   TEXT NOT NULL DEFAULT '',
	item_id     TEXT NOT NULL DEFAULT '',
	spot_id     TEXT NOT NULL DEFAULT '',
	share_id    TEXT NOT NULL DEFAULT '',
	share_owner TEXT NOT NULL DEFAULT '',
	view_id     TEXT NOT NULL DEFAULT '',
	page        INTEGER NOT NULL DEFAULT 0,
	active_ms   INTEGER NOT NULL DEFAULT 0,
	query       TEXT NOT NULL DEFAULT '',
	hits        INTEGER NOT NULL DEFAULT 0,
	bot         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX briefcase_analytics_events_at ON briefcase_analytics_events (at);

-- ItemDay rows, clustered by (day, bot, item): reports over a date range
-- and trending read contiguous ranges, and today's upserts land together.
-- spot_no is the spot of the delta that created the row.
CREATE TABLE briefcase_analytics_item_days (
	day                INTEGER NOT NULL,
	bot                INTEGER NOT NULL,
	item_no            INTEGER NOT NULL,
	spot_no            INTEGER NOT NULL,
	views              INTEGER NOT NULL DEFAULT 0,
	downloads          INTEGER NOT NULL DEFAULT 0,
	bookmarks          INTEGER NOT NULL DEFAULT 0,
	pitches            INTEGER NOT NULL DEFAULT 0,
	page_views         INTEGER NOT NULL DEFAULT 0,
	active_ms          INTEGER NOT NULL DEFAULT 0,
	external_downloads INTEGER NOT NULL DEFAULT 0,
	external_clicks    INTEGER NOT NULL DEFAULT 0,
	score              REAL NOT NULL DEFAULT 0,
	PRIMARY KEY (day, bot, item_no)
) WITHOUT ROWID;
-- One item's days (the item report, Top with ItemIDs, trending candidates).
CREATE INDEX briefcase_analytics_item_days_item ON briefcase_analytics_item_days (item_no, day);
-- Each day's rows by score, highest first: trending reads only the head of
-- each day of its window to find its candidates (see Top).
CREATE INDEX briefcase_analytics_item_days_score ON briefcase_analytics_item_days (day, bot, score DESC);

-- Each item's all-time score per spot and bot flag, kept by the triggers
-- below in the same statement as the item-day row, so that popular reads
-- one row per item instead of all its days. last_day is the latest day of
-- the rows summed (the SpotID Top reports).
CREATE TABLE briefcase_analytics_item_totals (
	item_no  INTEGER NOT NULL,
	spot_no  INTEGER NOT NULL,
	bot      INTEGER NOT NULL,
	score    REAL NOT NULL DEFAULT 0,
	last_day INTEGER NOT NULL,
	PRIMARY KEY (item_no, spot_no, bot)
) WITHOUT ROWID;
-- The rows by score, highest first: popular reads the head (see Top).
CREATE INDEX briefcase_analytics_item_totals_score ON briefcase_analytics_item_totals (bot, score DESC);

-- Items with all-time rows in more than one spot (for the same bot flag):
-- they moved. Popular counts them among its candidates whatever their
-- rows' scores, since only an item with a single row is bounded by the
-- row at the cut.
CREATE TABLE briefcase_analytics_moved_items (
	item_no INTEGER PRIMARY KEY
);

-- The unary + keeps the planner on the primary key: with the score index
-- it once chose to read every row of the bot flag instead (a full scan per
-- new row, measured here as five times the cost of the whole upsert).
CREATE TRIGGER briefcase_analytics_item_totals_moved AFTER INSERT ON briefcase_analytics_item_totals
WHEN EXISTS (SELECT 1 FROM briefcase_analytics_item_totals
	WHERE item_no = NEW.item_no AND +bot = NEW.bot AND spot_no <> NEW.spot_no)
BEGIN
	INSERT INTO briefcase_analytics_moved_items (item_no) VALUES (NEW.item_no) ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER briefcase_analytics_item_days_insert AFTER INSERT ON briefcase_analytics_item_days
BEGIN
	INSERT INTO briefcase_analytics_item_totals (item_no, spot_no, bot, score, last_day)
		VALUES (NEW.item_no, NEW.spot_no, NEW.bot, NEW.score, NEW.day)
		ON CONFLICT DO UPDATE SET score = score + excluded.score, last_day = max(last_day, excluded.last_day);
END;

CREATE TRIGGER briefcase_analytics_item_days_score AFTER UPDATE OF score ON briefcase_analytics_item_days
BEGIN
	UPDATE briefcase_analytics_item_totals SET score = score + NEW.score - OLD.score
		WHERE item_no = NEW.item_no AND spot_no = NEW.spot_no AND bot = NEW.bot;
END;

-- ItemViewer rows: a set.
CREATE TABLE briefcase_analytics_item_viewers (
	day     INTEGER NOT NULL,
	item_no INTEGER NOT NULL,
	viewer  TEXT NOT NULL,
	spot_no INTEGER NOT NULL,
	PRIMARY KEY (day, item_no, viewer)
) WITHOUT ROWID;
CREATE INDEX briefcase_analytics_item_viewers_item ON briefcase_analytics_item_viewers (item_no, day);

-- VisitPage rows, keyed by the view first: view numbers grow with time, so
-- the visits still reading sit at the tail, and so do new rows in the day
-- index. The item and share indexes serve completion and per-page
-- reports; erasure reads the table once rather than keep an index on
-- recipient.
CREATE TABLE briefcase_analytics_visit_pages (
	view_no   INTEGER NOT NULL,
	item_no   INTEGER NOT NULL,
	page      INTEGER NOT NULL,
	spot_no   INTEGER NOT NULL,
	share_no  INTEGER NOT NULL,
	recipient TEXT NOT NULL,
	day       INTEGER NOT NULL,
	bot       INTEGER NOT NULL,
	active_ms INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (view_no, item_no, page)
) WITHOUT ROWID;
CREATE INDEX briefcase_analytics_visit_pages_item ON briefcase_analytics_visit_pages (item_no, day);
CREATE INDEX briefcase_analytics_visit_pages_day ON briefcase_analytics_visit_pages (day);
CREATE INDEX briefcase_analytics_visit_pages_share ON briefcase_analytics_visit_pages (share_no);

-- RecipientTotal rows; a row is created once per share and recipient, so
-- the index on recipient (erasure, the influence report) costs little.
CREATE TABLE briefcase_analytics_recipients (
	share_no    INTEGER NOT NULL,
	recipient   TEXT NOT NULL,
	bot         INTEGER NOT NULL,
	share_owner TEXT NOT NULL,
	opens       INTEGER NOT NULL DEFAULT 0,
	page_views  INTEGER NOT NULL DEFAULT 0,
	active_ms   INTEGER NOT NULL DEFAULT 0,
	downloads   INTEGER NOT NULL DEFAULT 0,
	clicks      INTEGER NOT NULL DEFAULT 0,
	first_at    INTEGER,
	last_at     INTEGER,
	PRIMARY KEY (share_no, recipient, bot)
) WITHOUT ROWID;
CREATE INDEX briefcase_analytics_recipients_owner ON briefcase_analytics_recipients (share_owner);
CREATE INDEX briefcase_analytics_recipients_recipient ON briefcase_analytics_recipients (recipient);

-- QueryDay rows.
CREATE TABLE briefcase_analytics_query_days (
	day        INTEGER NOT NULL,
	query      TEXT NOT NULL,
	searches   INTEGER NOT NULL DEFAULT 0,
	zero_hits  INTEGER NOT NULL DEFAULT 0,
	hits_total INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (day, query)
) WITHOUT ROWID;

-- ActorDay rows; the second index serves one seller's activity.
CREATE TABLE briefcase_analytics_actor_days (
	day   INTEGER NOT NULL,
	actor TEXT NOT NULL,
	type  TEXT NOT NULL,
	count INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (day, actor, type)
) WITHOUT ROWID;
CREATE INDEX briefcase_analytics_actor_days_actor ON briefcase_analytics_actor_days (actor, day);
