-- Briefcase schema, version 2: shares (pitches and rooms), their links,
-- gate codes, views and engagement, and named secrets.
--
-- As in version 1, public IDs are TEXT and the tables others point at carry
-- an INTEGER PRIMARY KEY that references and secondary indexes use. Views
-- are the hot parent: every beacon writes a page event and a page stat keyed
-- by the view's integer view_no, never by its UUID. view_no grows with
-- time, so the views still sending beacons sit at the tail of those keys
-- and a batch of beacons dirties few pages however long the history is.
-- The two hot tables carry no FOREIGN KEY: the store checks, in the same
-- transaction, that every view of a batch exists (views are never
-- deleted), and a foreign key would look each one up again per row
-- (measured here: about 15% of the ingestion time).
--
-- The store deletes nothing here but gate codes, and a share's sections,
-- items and contributors, which UpdateShare replaces by deleting and
-- re-inserting them in one transaction.

-- Link settings appear twice, on the share (the defaults for new links) and
-- on each link, as the same columns. The passcode itself is never stored:
-- only has_passcode here and the hash on the link.
CREATE TABLE briefcase_shares (
	pk             INTEGER PRIMARY KEY,
	id             TEXT NOT NULL UNIQUE,
	kind           TEXT NOT NULL,
	owner_id       TEXT NOT NULL,
	title          TEXT NOT NULL DEFAULT '',
	message        TEXT NOT NULL DEFAULT '',
	account_id     TEXT NOT NULL DEFAULT '',
	opportunity_id TEXT NOT NULL DEFAULT '',
	expires_at     INTEGER,
	email_gate     INTEGER NOT NULL DEFAULT 0,
	has_passcode   INTEGER NOT NULL DEFAULT 0,
	allow_emails   TEXT NOT NULL DEFAULT 'null', -- JSON []string
	allow_domains  TEXT NOT NULL DEFAULT 'null', -- JSON []string
	deny_emails    TEXT NOT NULL DEFAULT 'null', -- JSON []string
	deny_domains   TEXT NOT NULL DEFAULT 'null', -- JSON []string
	allow_download INTEGER NOT NULL DEFAULT 0,
	pin_versions   INTEGER NOT NULL DEFAULT 0,
	revoked_at     INTEGER,
	created_at     INTEGER,
	updated_at     INTEGER
);
-- ListShares(Member): the shares a principal owns.
CREATE INDEX briefcase_shares_owner ON briefcase_shares (owner_id);

-- Sections in order (position 0, 1, ...).
CREATE TABLE briefcase_share_sections (
	share_pk INTEGER NOT NULL REFERENCES briefcase_shares (pk) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	id       TEXT NOT NULL DEFAULT '',
	title    TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (share_pk, position)
) WITHOUT ROWID;

-- Items in order within their section, with the state the owner last saw.
-- An item is in a share at most once; that unique key, item first, is also
-- the index ListShares(ItemID) uses. Items are not foreign keys: a shared
-- item may be deleted, and the share records that in seen_deleted.
CREATE TABLE briefcase_share_items (
	share_pk        INTEGER NOT NULL REFERENCES briefcase_shares (pk) ON DELETE CASCADE,
	section_pos     INTEGER NOT NULL,
	position        INTEGER NOT NULL,
	item_id         TEXT NOT NULL,
	version_id      TEXT NOT NULL DEFAULT '',
	added_by        TEXT NOT NULL DEFAULT '',
	added_at        INTEGER,
	seen_version_id TEXT NOT NULL DEFAULT '',
	seen_status     TEXT NOT NULL DEFAULT '',
	seen_audience   TEXT NOT NULL DEFAULT '',
	seen_deleted    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (share_pk, section_pos, position),
	UNIQUE (item_id, share_pk)
) WITHOUT ROWID;

CREATE TABLE briefcase_share_contributors (
	share_pk     INTEGER NOT NULL REFERENCES briefcase_shares (pk) ON DELETE CASCADE,
	principal_id TEXT NOT NULL,
	PRIMARY KEY (share_pk, principal_id)
) WITHOUT ROWID;
-- ListShares(Member): the shares a principal contributes to.
CREATE INDEX briefcase_share_contributors_principal ON briefcase_share_contributors (principal_id, share_pk);

CREATE TABLE briefcase_share_links (
	pk              INTEGER PRIMARY KEY,
	id              TEXT NOT NULL UNIQUE,
	share_pk        INTEGER NOT NULL REFERENCES briefcase_shares (pk),
	recipient       TEXT NOT NULL DEFAULT '',
	token_hash      TEXT NOT NULL UNIQUE,
	passcode_hash   TEXT NOT NULL DEFAULT '',
	expires_at      INTEGER,
	email_gate      INTEGER NOT NULL DEFAULT 0,
	has_passcode    INTEGER NOT NULL DEFAULT 0,
	allow_emails    TEXT NOT NULL DEFAULT 'null', -- JSON []string
	allow_domains   TEXT NOT NULL DEFAULT 'null', -- JSON []string
	deny_emails     TEXT NOT NULL DEFAULT 'null', -- JSON []string
	deny_domains    TEXT NOT NULL DEFAULT 'null', -- JSON []string
	allow_download  INTEGER NOT NULL DEFAULT 0,
	pin_versions    INTEGER NOT NULL DEFAULT 0,
	revoked_at      INTEGER,
	created_at      INTEGER,
	failed_attempts INTEGER NOT NULL DEFAULT 0,
	locked_until    INTEGER
);
-- ListLinks, oldest first, and the LiveAt test of ListShares.
CREATE INDEX briefcase_share_links_share ON briefcase_share_links (share_pk, created_at);

-- One pending one-time code per (link, e-mail address).
CREATE TABLE briefcase_share_gate_codes (
	link_pk    INTEGER NOT NULL REFERENCES briefcase_share_links (pk),
	email      TEXT NOT NULL,
	code_hash  TEXT NOT NULL DEFAULT '',
	expires_at INTEGER,
	attempts   INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER,
	PRIMARY KEY (link_pk, email)
) WITHOUT ROWID;

-- Visits. view_no is the integer key of the hot tables below; share_pk is
-- always the link's share.
CREATE TABLE briefcase_share_views (
	view_no        INTEGER PRIMARY KEY,
	id             TEXT NOT NULL UNIQUE,
	link_pk        INTEGER NOT NULL REFERENCES briefcase_share_links (pk),
	share_pk       INTEGER NOT NULL REFERENCES briefcase_shares (pk),
	recipient      TEXT NOT NULL DEFAULT '',
	user_agent     TEXT NOT NULL DEFAULT '',
	client         TEXT NOT NULL DEFAULT '',
	suspected_bot  INTEGER NOT NULL DEFAULT 0,
	bot_reason     TEXT NOT NULL DEFAULT '',
	started_at     INTEGER,
	last_beacon_at INTEGER,
	beacons        INTEGER NOT NULL DEFAULT 0,
	active_ms      INTEGER NOT NULL DEFAULT 0,
	notified_at    INTEGER
);
CREATE INDEX briefcase_share_views_share ON briefcase_share_views (share_pk, started_at);
CREATE INDEX briefcase_share_views_link ON briefcase_share_views (link_pk, started_at);
-- ListViews(NoBeaconBefore): only views still silent and unmarked are in
-- this index, and each leaves it with its first beacon or its bot mark.
CREATE INDEX briefcase_share_views_silent ON briefcase_share_views (started_at)
	WHERE beacons = 0 AND suspected_bot = 0;

-- Raw beacons, one row per accepted (view, seq). A rowid table appended in
-- arrival order with a small unique index for the dedupe was faster here
-- than a WITHOUT ROWID table clustered on (view_no, seq): about 90,000
-- against 75,000 events/s.
CREATE TABLE briefcase_share_page_events (
	event_no   INTEGER PRIMARY KEY,
	view_no    INTEGER NOT NULL,
	seq        INTEGER NOT NULL,
	item_id    TEXT NOT NULL DEFAULT '',
	page       INTEGER NOT NULL DEFAULT 0,
	claimed_ms INTEGER NOT NULL DEFAULT 0,
	active_ms  INTEGER NOT NULL DEFAULT 0,
	at         INTEGER,
	UNIQUE (view_no, seq)
);

-- Per (view, item, page) roll-ups, summed by AddPageStats.
CREATE TABLE briefcase_share_page_stats (
	view_no   INTEGER NOT NULL,
	item_id   TEXT NOT NULL,
	page      INTEGER NOT NULL,
	active_ms INTEGER NOT NULL DEFAULT 0,
	beacons   INTEGER NOT NULL DEFAULT 0,
	first_at  INTEGER,
	last_at   INTEGER,
	PRIMARY KEY (view_no, item_id, page)
) WITHOUT ROWID;

-- Opens, downloads and clicks, in append order.
CREATE TABLE briefcase_share_events (
	seq           INTEGER PRIMARY KEY AUTOINCREMENT,
	share_pk      INTEGER NOT NULL REFERENCES briefcase_shares (pk),
	type          TEXT NOT NULL,
	link_id       TEXT NOT NULL DEFAULT '',
	view_id       TEXT NOT NULL DEFAULT '',
	item_id       TEXT NOT NULL DEFAULT '',
	recipient     TEXT NOT NULL DEFAULT '',
	suspected_bot INTEGER NOT NULL DEFAULT 0,
	at            INTEGER
);
CREATE INDEX briefcase_share_events_share ON briefcase_share_events (share_pk, seq);

-- Named secrets (the beacon signing key), written once by the first caller.
CREATE TABLE briefcase_secrets (
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
) WITHOUT ROWID;
