CREATE TABLE revisions (
	id TEXT NOT NULL,
	kind TEXT NOT NULL,
	org TEXT NOT NULL,
	level TEXT NOT NULL,
	rev INTEGER NOT NULL,
	time TEXT NOT NULL,
	actor TEXT NOT NULL,
	actor_org TEXT NOT NULL,
	tombstone BOOLEAN NOT NULL,
	note TEXT NOT NULL,
	body TEXT NOT NULL,
	hash TEXT NOT NULL,
	PRIMARY KEY (id, rev)
) WITHOUT ROWID;
CREATE TABLE records (
	id TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	org TEXT NOT NULL,
	level TEXT NOT NULL,
	rev INTEGER NOT NULL,
	deleted BOOLEAN NOT NULL,
	label TEXT NOT NULL,
	created TEXT NOT NULL,
	created_by TEXT NOT NULL,
	updated TEXT NOT NULL,
	updated_by TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX records_kind ON records (kind, id);
CREATE TABLE refs (
	from_id TEXT NOT NULL,
	field TEXT NOT NULL,
	to_id TEXT NOT NULL,
	PRIMARY KEY (from_id, field, to_id)
) WITHOUT ROWID;
CREATE INDEX refs_to ON refs (to_id, from_id);
CREATE TABLE attrs (
	record_id TEXT NOT NULL,
	key TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (key, value, record_id)
) WITHOUT ROWID;
