-- Briefcase schema, version 1.
--
-- Public IDs (UUID v7 made by the services) stay TEXT with a UNIQUE index,
-- but the hot tables (spots, items, lists) also carry an INTEGER PRIMARY KEY
-- (the rowid) that every join and secondary index uses: integer keys keep
-- those indexes small and inserts fast, where secondary indexes on UUID text
-- cut insert throughput several-fold.
--
-- Times are INTEGER microseconds since the Unix epoch, NULL for the zero
-- time. Slices the store never filters on are JSON text. Booleans are 0/1.

CREATE TABLE briefcase_principals (
	id         TEXT PRIMARY KEY,
	email      TEXT NOT NULL DEFAULT '',
	name       TEXT NOT NULL DEFAULT '',
	group_names TEXT NOT NULL DEFAULT 'null', -- JSON []string
	roles      TEXT NOT NULL DEFAULT 'null', -- JSON []PlatformRole
	trainings  TEXT NOT NULL DEFAULT 'null', -- JSON []Training
	created_at INTEGER,
	updated_at INTEGER
);

CREATE TABLE briefcase_spots (
	pk          INTEGER PRIMARY KEY,
	id          TEXT NOT NULL UNIQUE,
	name        TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	kind        TEXT NOT NULL,
	official    INTEGER NOT NULL DEFAULT 0,
	visibility  TEXT NOT NULL,
	region      TEXT NOT NULL DEFAULT '',
	owner_id    TEXT NOT NULL DEFAULT '',
	created_at  INTEGER,
	updated_at  INTEGER,
	policy      BLOB
);
CREATE INDEX briefcase_spots_name ON briefcase_spots (name, id);
-- Every principal has at most one personal spot.
CREATE UNIQUE INDEX briefcase_spots_personal ON briefcase_spots (owner_id) WHERE kind = 'personal';

CREATE TABLE briefcase_grants (
	spot_pk      INTEGER NOT NULL REFERENCES briefcase_spots (pk) ON DELETE CASCADE,
	subject_kind TEXT NOT NULL,
	subject_id   TEXT NOT NULL,
	role         TEXT NOT NULL,
	granted_by   TEXT NOT NULL DEFAULT '',
	granted_at   INTEGER,
	PRIMARY KEY (spot_pk, subject_kind, subject_id)
) WITHOUT ROWID;
CREATE INDEX briefcase_grants_subject ON briefcase_grants (subject_kind, subject_id);

CREATE TABLE briefcase_items (
	pk                   INTEGER PRIMARY KEY,
	id                   TEXT NOT NULL UNIQUE,
	spot_pk              INTEGER NOT NULL REFERENCES briefcase_spots (pk) ON DELETE CASCADE,
	kind                 TEXT NOT NULL,
	title                TEXT NOT NULL DEFAULT '',
	description          TEXT NOT NULL DEFAULT '',
	external_title       TEXT NOT NULL DEFAULT '',
	external_description TEXT NOT NULL DEFAULT '',
	audience             TEXT NOT NULL,
	downloadable         INTEGER NOT NULL DEFAULT 0,
	author               TEXT NOT NULL DEFAULT '',
	feedback_owner       TEXT NOT NULL DEFAULT '',
	owners               TEXT NOT NULL DEFAULT 'null', -- JSON []spots.Subject
	labels               TEXT NOT NULL DEFAULT 'null', -- JSON []string
	available_at         INTEGER,
	expires_at           INTEGER,
	verified_at          INTEGER,
	verify_by            INTEGER,
	promoted             INTEGER NOT NULL DEFAULT 0,
	promoted_keywords    TEXT NOT NULL DEFAULT 'null', -- JSON []string
	source_type          TEXT NOT NULL DEFAULT '',
	source_url           TEXT NOT NULL DEFAULT '',
	source_connector     TEXT NOT NULL DEFAULT '',
	source_external_id   TEXT NOT NULL DEFAULT '',
	status               TEXT NOT NULL,
	current_version_id   TEXT NOT NULL DEFAULT '',
	created_by           TEXT NOT NULL DEFAULT '',
	created_at           INTEGER,
	updated_at           INTEGER
);
-- Items of one home spot, newest first (ListItems with a few spots).
CREATE INDEX briefcase_items_spot ON briefcase_items (spot_pk, id);

-- Placements of an item in spots other than its home.
CREATE TABLE briefcase_placements (
	item_pk   INTEGER NOT NULL REFERENCES briefcase_items (pk) ON DELETE CASCADE,
	spot_pk   INTEGER NOT NULL REFERENCES briefcase_spots (pk) ON DELETE CASCADE,
	placed_at INTEGER,
	PRIMARY KEY (item_pk, spot_pk)
) WITHOUT ROWID;
CREATE INDEX briefcase_placements_spot ON briefcase_placements (spot_pk, item_pk);

CREATE TABLE briefcase_versions (
	pk         INTEGER PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	item_pk    INTEGER NOT NULL REFERENCES briefcase_items (pk) ON DELETE CASCADE,
	number     INTEGER NOT NULL,
	blob_key   TEXT NOT NULL DEFAULT '',
	sha256     TEXT NOT NULL DEFAULT '',
	mime_type  TEXT NOT NULL DEFAULT '',
	size       INTEGER NOT NULL DEFAULT 0,
	filename   TEXT NOT NULL DEFAULT '',
	page_count INTEGER NOT NULL DEFAULT 0,
	pages      TEXT NOT NULL DEFAULT 'null', -- JSON []string, extracted text
	created_by TEXT NOT NULL DEFAULT '',
	created_at INTEGER,
	UNIQUE (item_pk, number)
);

-- name_key is the name under Unicode simple case folding, computed by the
-- adapter, so uniqueness ignores case the way strings.EqualFold does.
CREATE TABLE briefcase_list_groups (
	pk         INTEGER PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	name_key   TEXT NOT NULL UNIQUE,
	created_at INTEGER,
	updated_at INTEGER
);

CREATE TABLE briefcase_lists (
	pk         INTEGER PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	group_pk   INTEGER NOT NULL REFERENCES briefcase_list_groups (pk) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	name_key   TEXT NOT NULL,
	created_at INTEGER,
	updated_at INTEGER,
	UNIQUE (group_pk, name_key)
);

CREATE TABLE briefcase_list_items (
	list_pk INTEGER NOT NULL REFERENCES briefcase_lists (pk) ON DELETE CASCADE,
	item_pk INTEGER NOT NULL REFERENCES briefcase_items (pk) ON DELETE CASCADE,
	PRIMARY KEY (list_pk, item_pk)
) WITHOUT ROWID;
CREATE INDEX briefcase_list_items_item ON briefcase_list_items (item_pk, list_pk);

CREATE TABLE briefcase_bookmarks (
	principal_id TEXT NOT NULL,
	item_pk      INTEGER NOT NULL REFERENCES briefcase_items (pk) ON DELETE CASCADE,
	created_at   INTEGER,
	PRIMARY KEY (principal_id, item_pk)
) WITHOUT ROWID;
CREATE INDEX briefcase_bookmarks_item ON briefcase_bookmarks (item_pk);

CREATE TABLE briefcase_tokens (
	id           TEXT PRIMARY KEY,
	principal_id TEXT NOT NULL,
	name         TEXT NOT NULL DEFAULT '',
	hash         TEXT NOT NULL UNIQUE,
	created_at   INTEGER,
	expires_at   INTEGER
);
CREATE INDEX briefcase_tokens_principal ON briefcase_tokens (principal_id, created_at);

CREATE TABLE briefcase_audit (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	at          INTEGER,
	actor       TEXT NOT NULL DEFAULT '',
	action      TEXT NOT NULL DEFAULT '',
	target_kind TEXT NOT NULL DEFAULT '',
	target_id   TEXT NOT NULL DEFAULT '',
	spot_id     TEXT NOT NULL DEFAULT '',
	override    INTEGER NOT NULL DEFAULT 0,
	reason      TEXT NOT NULL DEFAULT '',
	before_json BLOB,
	after_json  BLOB
);
CREATE INDEX briefcase_audit_target ON briefcase_audit (target_id, target_kind);
CREATE INDEX briefcase_audit_actor ON briefcase_audit (actor);
CREATE INDEX briefcase_audit_spot ON briefcase_audit (spot_id);

-- The change feed the search index follows (see store.ChangeFeed).
CREATE TABLE briefcase_changes (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	entity    TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	op        TEXT NOT NULL
);
