"""All SQL of the embedded store, in one place. Parameters only; no value is pasted in."""

from __future__ import annotations

from graph.domain.model import Kind

SCHEMA_VERSION = "5"

SCHEMA = """
CREATE TABLE IF NOT EXISTS entity (
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    attrs TEXT NOT NULL,          -- JSON object of the kind's attributes
    attrs_from TEXT NOT NULL DEFAULT '0001-01-01',  -- ...valid from this day (ISO)
    attrs_opened_by TEXT,         -- the changeset that set them (NULL: before version 5)
    search_key TEXT NOT NULL,     -- lower(code || SEP || name), see graph.domain.search_key
    UNIQUE (kind, code)
);
-- Substring search: a trigram index over search_key, kept in step by the triggers below.
CREATE VIRTUAL TABLE IF NOT EXISTS entity_search USING fts5(
    search_key, content='entity', content_rowid='rowid', tokenize='trigram'
);
CREATE TRIGGER IF NOT EXISTS entity_search_insert AFTER INSERT ON entity BEGIN
    INSERT INTO entity_search (rowid, search_key) VALUES (new.rowid, new.search_key);
END;
CREATE TRIGGER IF NOT EXISTS entity_search_update AFTER UPDATE OF search_key ON entity BEGIN
    INSERT INTO entity_search (entity_search, rowid, search_key)
        VALUES ('delete', old.rowid, old.search_key);
    INSERT INTO entity_search (rowid, search_key) VALUES (new.rowid, new.search_key);
END;
CREATE TABLE IF NOT EXISTS link (
    rel TEXT NOT NULL,
    parent TEXT NOT NULL,
    child TEXT NOT NULL,
    valid_from TEXT NOT NULL,     -- ISO dates; half-open [valid_from, valid_to)
    valid_to TEXT NOT NULL,
    opened_by TEXT,               -- changeset ids (NULL: written before changesets existed)
    closed_by TEXT,
    detail TEXT                   -- what else the interval says (READS: the terminal code)
);
CREATE INDEX IF NOT EXISTS link_down ON link (rel, parent, child);
CREATE INDEX IF NOT EXISTS link_up ON link (rel, child, valid_to);
-- Values an entity's attributes had before a change: [attrs_from, attrs_to).
CREATE TABLE IF NOT EXISTS past_attrs (
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    attrs TEXT NOT NULL,
    attrs_from TEXT NOT NULL,
    attrs_to TEXT NOT NULL,
    opened_by TEXT,
    closed_by TEXT,
    PRIMARY KEY (kind, code, attrs_from)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS changeset (
    seq INTEGER PRIMARY KEY,      -- the graph version the write produced
    id TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL          -- ChangesetRecord as JSON
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Who may use the API (graph/domain/access.py): beside the graph, no version of their own.
CREATE TABLE IF NOT EXISTS principal (
    name TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,  -- SHA-256 of the API key; the key itself is never kept
    record TEXT NOT NULL            -- the Principal as JSON
);
-- Targets of the indicators (graph/domain/targets.py): every version kept, none changed.
CREATE TABLE IF NOT EXISTS target (
    org TEXT NOT NULL,
    period TEXT NOT NULL,           -- 2026 or 2026-06
    indicator TEXT NOT NULL,
    target REAL NOT NULL,
    recorded_at TEXT NOT NULL,      -- UTC ISO 8601, to the second
    source TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS target_period ON target (period);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '5');
INSERT OR IGNORE INTO meta (key, value) VALUES ('targets_version', '0');
INSERT OR IGNORE INTO meta (key, value) VALUES ('graph_version', '0');
"""
# Version 2 -> 3: intervals learn which changeset opened and closed them.
MIGRATE_2_TO_3 = """
ALTER TABLE link ADD COLUMN opened_by TEXT;
ALTER TABLE link ADD COLUMN closed_by TEXT;
UPDATE meta SET value = '3' WHERE key = 'schema_version';
"""
# Version 3 -> 4: an interval may carry a detail (the collection system's terminal).
MIGRATE_3_TO_4 = """
ALTER TABLE link ADD COLUMN detail TEXT;
UPDATE meta SET value = '4' WHERE key = 'schema_version';
"""
# Version 4 -> 5: attributes are dated. Today's values hold from the unbounded past (adding a
# column with a constant default rewrites no row: instant at any size).
MIGRATE_4_TO_5 = """
ALTER TABLE entity ADD COLUMN attrs_from TEXT NOT NULL DEFAULT '0001-01-01';
ALTER TABLE entity ADD COLUMN attrs_opened_by TEXT;
UPDATE meta SET value = '5' WHERE key = 'schema_version';
"""
VERSION = "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'graph_version'"
BUMP_VERSION = "UPDATE meta SET value = ? WHERE key = 'graph_version'"
# Intervals that hold on no day (an event dated on the open-interval sentinel), and the open
# end they left stamped as closed on the interval before them.
REMOVE_EMPTY_LINKS = "DELETE FROM link WHERE valid_from >= valid_to"
UNSTAMP_OPEN_LINKS = "UPDATE link SET closed_by = NULL WHERE valid_to = ? AND closed_by IS NOT NULL"
CREATE_CHANGESET = "INSERT INTO changeset (seq, id, record) VALUES (?, ?, ?)"
CHANGESET = "SELECT record FROM changeset WHERE id = ?"
CHANGESETS_FIRST = "SELECT record FROM changeset ORDER BY seq DESC LIMIT ?"
# What a changeset opened and closed (Changeset.changes), by its id. Only the indexes that
# cost a load nothing: closes and past values are few; the intervals and values a changeset
# opened are found by a scan (an index on every link's opener made a first load 16 % slower,
# measured at 200k meters). Created after the migrations; a read-only home scans.
STAMP_INDEXES = """
CREATE INDEX IF NOT EXISTS link_closed_by ON link (closed_by) WHERE closed_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS past_attrs_opened_by ON past_attrs (opened_by);
CREATE INDEX IF NOT EXISTS past_attrs_closed_by ON past_attrs (closed_by);
"""
_LINK_COLUMNS = "rel, parent, child, valid_from, valid_to, opened_by, closed_by, detail"
LINKS_OPENED_BY = f"SELECT {_LINK_COLUMNS} FROM link WHERE opened_by = ?"
LINKS_CLOSED_BY = f"SELECT {_LINK_COLUMNS} FROM link WHERE closed_by = ? AND closed_by IS NOT NULL"
VALUES_OPENED_BY = """
SELECT kind, code, attrs, attrs_from FROM entity WHERE attrs_opened_by = ?
UNION ALL SELECT kind, code, attrs, attrs_from FROM past_attrs WHERE opened_by = ?
"""
VALUES_CLOSED_BY = "SELECT kind, code, attrs FROM past_attrs WHERE closed_by = ?"
CHANGESETS_SINCE = "SELECT record FROM changeset WHERE seq > ? ORDER BY seq LIMIT ?"
CHANGESETS_AFTER = """
SELECT record FROM changeset WHERE seq < (SELECT seq FROM changeset WHERE id = ?)
ORDER BY seq DESC LIMIT ?
"""
ADD_PRINCIPAL = "INSERT INTO principal (name, key_hash, record) VALUES (?, ?, ?)"
PRINCIPALS = "SELECT record FROM principal ORDER BY name"
PRINCIPAL_BY_KEY = "SELECT record FROM principal WHERE key_hash = ?"
PRINCIPAL_BY_NAME = "SELECT record FROM principal WHERE name = ?"
UPDATE_PRINCIPAL = "UPDATE principal SET record = ? WHERE name = ?"
ADD_TARGET = (
    "INSERT INTO target (org, period, indicator, target, recorded_at, source) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


def targets_of_periods(count: int) -> str:
    """The versions of the targets of `count` periods (as many ? as periods)."""
    marks = ", ".join("?" * count)
    return (
        "SELECT org, period, indicator, target, recorded_at, source FROM target "
        f"WHERE period IN ({marks})"
    )


VERSIONS = (
    "SELECT key, CAST(value AS INTEGER) FROM meta WHERE key IN ('graph_version', 'targets_version')"
)
BUMP_TARGETS_VERSION = (
    "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'targets_version'"
)
SCHEMA_VERSION_OF = "SELECT value FROM meta WHERE key = 'schema_version'"

ALL_CODES = "SELECT code FROM entity WHERE kind = ?"
COUNTS = "SELECT kind, count(*) FROM entity GROUP BY kind"
CREATE_ENTITIES = (
    "INSERT INTO entity (kind, code, attrs, search_key, attrs_from, attrs_opened_by) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
# A dated update: the values before close on the new day (kept in past_attrs) unless their
# interval began that day, then the entity takes the new ones. Both: (day, by, kind, code).
CLOSE_ATTRS = """
INSERT INTO past_attrs (kind, code, attrs, attrs_from, attrs_to, opened_by, closed_by)
SELECT kind, code, attrs, attrs_from, :day, attrs_opened_by, :by FROM entity
WHERE kind = :kind AND code = :code AND attrs_from < :day
"""
OPEN_ATTRS = """
UPDATE entity SET attrs = :attrs, search_key = :search_key, attrs_from = :day,
       attrs_opened_by = :by
WHERE kind = :kind AND code = :code
"""
# An entity that ends: no current values from the day (attrs_from = the open sentinel).
END_ATTRS = """
UPDATE entity SET attrs_from = :forever, attrs_opened_by = :by WHERE kind = :kind AND code = :code
"""
ATTRS_FROM = "SELECT code, attrs_from FROM entity WHERE kind = ? AND code IN ({marks})"
# The values of each code on a day before its current ones began.
PAST_ATTRS_ON = """
SELECT code, attrs, attrs_from FROM past_attrs
WHERE kind = ? AND code IN ({marks}) AND attrs_from <= ? AND ? < attrs_to
"""
ATTR_HISTORIES = """
SELECT code, attrs, attrs_from, attrs_to, opened_by, closed_by FROM past_attrs
WHERE kind = ? AND code IN ({marks})
UNION ALL
SELECT code, attrs, attrs_from, ?, attrs_opened_by, NULL FROM entity
WHERE kind = ? AND code IN ({marks}) AND attrs_from < ?
ORDER BY code, attrs_from
"""
SCAN_ATTR_INTERVALS = """
SELECT code, attrs, attrs_from, attrs_to, opened_by, closed_by FROM past_attrs WHERE kind = ?
UNION ALL
SELECT code, attrs, attrs_from, ?, attrs_opened_by, NULL FROM entity
WHERE kind = ? AND attrs_from < ?
"""

# Links seen on a day: valid_from <= day < valid_to.
# One statement per chunk of codes ({marks}: placeholders); rows: (code asked, other, attrs,
# attrs_from).
NEIGHBORS_DOWN = """
SELECT l.parent, l.child, e.attrs, e.attrs_from
FROM link l JOIN entity e ON e.kind = ? AND e.code = l.child
WHERE l.rel = ? AND l.parent IN ({marks}) AND l.valid_from <= ? AND l.valid_to > ?
ORDER BY l.parent, l.child
"""
NEIGHBORS_UP = """
SELECT l.child, l.parent, e.attrs, e.attrs_from
FROM link l JOIN entity e ON e.kind = ? AND e.code = l.parent
WHERE l.rel = ? AND l.child IN ({marks}) AND l.valid_from <= ? AND l.valid_to > ?
ORDER BY l.child, l.parent
"""
# {role_filter} is one of two fixed fragments below, never input.
CHILD_PAGES_COUNT = """
SELECT count(*) FROM link l JOIN entity e ON e.kind = ? AND e.code = l.child
WHERE l.rel = ? AND l.parent = ? AND l.valid_from <= ? AND l.valid_to > ? {role_filter}
"""
CHILD_PAGES = """
SELECT l.child, e.attrs, e.attrs_from FROM link l JOIN entity e ON e.kind = ? AND e.code = l.child
WHERE l.rel = ? AND l.parent = ? AND l.valid_from <= ? AND l.valid_to > ? AND l.child > ?
{role_filter}
ORDER BY l.child LIMIT ?
"""
ROLE_FILTER = "AND json_extract(e.attrs, '$.role') = ?"
NO_FILTER = ""

# IN-list statements: {marks} is only ever "?,?,...,?" (see EmbeddedStore._chunks).
ENTITIES = "SELECT code, attrs, attrs_from FROM entity WHERE kind = ? AND code IN ({marks})"
EXISTING_CODES = "SELECT code FROM entity WHERE kind = ? AND code IN ({marks})"
OPEN_LINKS = (
    "SELECT child, parent, valid_from, detail FROM link "
    "WHERE rel = ? AND valid_to = ? AND child IN ({marks})"
)
OPEN_LINKS_ALL = "SELECT child, parent, valid_from, detail FROM link WHERE rel = ? AND valid_to = ?"
OPEN_PARENTS_ALL = "SELECT child, parent FROM link WHERE rel = ? AND valid_to = ?"
LAST_ENDS = (
    "SELECT child, max(valid_to) FROM link WHERE rel = ? AND child IN ({marks}) GROUP BY child"
)
_OWNED_ON = "l.rel = ? AND l.parent IN ({marks}) AND l.valid_from <= ? AND l.valid_to > ?"
ORG_TRANSFORMER_PAGES_COUNT = "SELECT count(*) FROM link l WHERE " + _OWNED_ON
ORG_TRANSFORMER_PAGES = (
    "SELECT l.child, e.attrs, e.attrs_from "
    "FROM link l JOIN entity e ON e.kind = ? AND e.code = l.child "
    "WHERE " + _OWNED_ON + " AND l.child > ? ORDER BY l.child LIMIT ?"
)

ORG_TREE = """
SELECT parent, child FROM link
WHERE rel = 'PARENT_OF' AND valid_from <= ? AND valid_to > ?
"""

HISTORIES = """
SELECT child, parent, valid_from, valid_to, opened_by, closed_by, detail FROM link
WHERE rel = ? AND child IN ({marks})
ORDER BY child, valid_from, valid_to
"""
# Evidence against placement on a day: ? = the day, four times.
DISAGREEING_READS = """
SELECT r.child, r.parent, r.detail, r.valid_from, h.parent, h.valid_from
FROM link r
LEFT JOIN link h ON h.rel = 'HAS_METER' AND h.child = r.child
    AND h.valid_from <= ? AND h.valid_to > ?
WHERE r.rel = 'READS' AND r.valid_from <= ? AND r.valid_to > ?
    AND (h.parent IS NULL OR h.parent <> r.parent)
ORDER BY r.child
"""
SCAN_ENTITIES = "SELECT code, attrs, attrs_from FROM entity WHERE kind = ?"
SCAN_LINKS = "SELECT parent, child, valid_from, valid_to, detail FROM link WHERE rel = ?"
CLOSE_LINKS = (
    "UPDATE link SET valid_to = ?, closed_by = ? WHERE rel = ? AND child = ? AND valid_to = ?"
)
CREATE_LINKS = (
    "INSERT INTO link (rel, parent, child, valid_from, valid_to, opened_by, detail) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)

# Entities that exist on a day (:day): their current values or a past interval hold then.
_EXISTS_ON = """(e.attrs_from <= :day OR EXISTS (SELECT 1 FROM past_attrs p
    WHERE p.kind = e.kind AND p.code = e.code AND p.attrs_from <= :day AND :day < p.attrs_to))"""
ENTITY_PAGE = (
    "SELECT code, attrs, attrs_from FROM entity e WHERE kind = :kind AND code > :after AND "
    + _EXISTS_ON
    + " ORDER BY code LIMIT :limit"
)
ENTITY_PAGE_COUNT = "SELECT count(*) FROM entity e WHERE kind = :kind AND " + _EXISTS_ON

# Rank as graph.domain.search_key.hit_rank: 0 exact code, 1 code or name prefix, 2 elsewhere.
_RANK = """CASE
    WHEN substr(e.search_key, 1, length(:needle) + 1) = :needle || char(1) THEN 0
    WHEN substr(e.search_key, 1, length(:needle)) = :needle
      OR instr(e.search_key, char(1) || :needle) > 0 THEN 1
    ELSE 2 END"""
TRIGRAM_MIN_CHARS = 3  # shorter text cannot use the trigram index
# Kind order of graph.domain.search_key.KIND_ORDER (top of the network first), from the fixed enum.
_KIND_ORDER = (
    "CASE e.kind "
    + " ".join(f"WHEN '{kind.value}' THEN {i}" for i, kind in enumerate(Kind))
    + " END"
)


_ON = "{r}.valid_from <= :as_of AND {r}.valid_to > :as_of"
_UNITS = "(SELECT value FROM json_each(:units))"
_OWNED_BY_UNITS = (
    "EXISTS (SELECT 1 FROM link o WHERE o.rel = {rel} AND o.child = {child} AND "
    + _ON.format(r="o")
    + f" AND o.parent IN {_UNITS})"
)
_OWNER_OF_KIND = (
    "CASE e.kind WHEN 'Substation' THEN 'OWNS_SUBSTATION' WHEN 'Feeder' THEN 'OWNS_FEEDER' "
    "ELSE 'OWNS_TRANSFORMER' END"
)
#: An entity `e` lies within the org units :units on :as_of (graph/stores/within.py): its
#: ownership chain, every link valid that day.
SEARCH_WITHIN = (
    f" AND (CASE e.kind WHEN 'OrgUnit' THEN e.code IN {_UNITS}"
    " WHEN 'Meter' THEN EXISTS (SELECT 1 FROM link h WHERE h.rel = 'HAS_METER' AND "
    f"h.child = e.code AND {_ON.format(r='h')} AND "
    + _OWNED_BY_UNITS.format(rel="'OWNS_TRANSFORMER'", child="h.parent")
    + ") WHEN 'LvLine' THEN EXISTS (SELECT 1 FROM link h WHERE h.rel = 'HAS_LINE' AND "
    f"h.child = e.code AND {_ON.format(r='h')} AND "
    + _OWNED_BY_UNITS.format(rel="'OWNS_TRANSFORMER'", child="h.parent")
    + ") WHEN 'Customer' THEN EXISTS (SELECT 1 FROM link u JOIN link h ON h.rel = 'HAS_METER'"
    f" AND h.child = u.child AND {_ON.format(r='h')} WHERE u.rel = 'USES_METER' AND "
    f"u.parent = e.code AND {_ON.format(r='u')} AND "
    + _OWNED_BY_UNITS.format(rel="'OWNS_TRANSFORMER'", child="h.parent")
    + ") ELSE "
    + _OWNED_BY_UNITS.format(rel=_OWNER_OF_KIND, child="e.code")
    + " END)"
)


def search(kind_count: int, indexed: bool, within: bool = False) -> str:
    """One query over all wanted kinds (:k0, :k1, ...), best hits first; `within`: only
    those within the org units :units (a JSON list) on :as_of.

    indexed: the trigram index finds the rows (:phrase is the text as one FTS5 phrase);
    otherwise one sequential pass (NOT INDEXED: walking the (kind, code) index would cost a
    random row read per entry) for text too short for trigrams.
    """
    kinds = ", ".join(f":k{i}" for i in range(kind_count))
    source = (
        "entity_search s JOIN entity e ON e.rowid = s.rowid WHERE entity_search MATCH :phrase"
        if indexed
        else "entity e NOT INDEXED WHERE instr(e.search_key, :needle) > 0"
    )
    return (
        f"SELECT e.kind, e.code, e.attrs, e.attrs_from FROM {source} AND e.kind IN ({kinds})"
        f"{SEARCH_WITHIN if within else ''} ORDER BY {_RANK}, {_KIND_ORDER}, e.code LIMIT :limit"
    )
