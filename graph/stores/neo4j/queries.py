"""All Cypher of the Neo4j store, in one place.

Values always travel as parameters. Labels and relationship types cannot be parameters in
Cypher, so the builders below take them only from the `Kind` and `Rel` enums (a fixed
allow-list) and refuse anything else.
"""

from __future__ import annotations

from graph.domain.model import ATTRIBUTES, REL_SPECS, Kind, Rel


def _label(kind: Kind) -> str:
    if not isinstance(kind, Kind):
        raise TypeError(f"label must come from Kind, got {kind!r}")
    return kind.value


def _type(rel: Rel) -> str:
    if not isinstance(rel, Rel):
        raise TypeError(f"relationship type must come from Rel, got {rel!r}")
    return rel.value


def _rel_parts(rel: Rel) -> tuple[str, str, str]:
    """Parent label, child label and relationship type of `rel`, all from the allow-lists."""
    spec = REL_SPECS[rel]
    return _label(spec.parent), _label(spec.child), _type(rel)


def _seek(var: str, kind_label: str) -> str:
    """Pin the lookup of `var` to the code index. Plans made on stale statistics (right
    after a bulk load Neo4j may still think a label is empty) otherwise scan a label once per
    UNWIND row: 55 s instead of under 1 s for 40k lookups, measured. Patterns also leave the
    other end unlabelled (the relationship type fixes its kind) so that the only way to run
    them is to expand from the node found by its code."""
    return f" USING INDEX {var}:{kind_label}(code) "


def schema_statements() -> list[str]:
    """Idempotent constraints and indexes: `code` unique per kind (its index anchors every
    read and write), and a TEXT index on `search_key` for substring search. Relationship
    validity needs no index: reads start from an anchored node and filter its few links."""
    stmts = []
    for kind in Kind:
        label = _label(kind)
        stmts.append(
            f"CREATE CONSTRAINT {label.lower()}_code IF NOT EXISTS "
            f"FOR (n:{label}) REQUIRE n.code IS UNIQUE"
        )
        stmts.append(create_search_index(kind))
    stmts.append(
        "CREATE CONSTRAINT changeset_id IF NOT EXISTS FOR (c:Changeset) REQUIRE c.id IS UNIQUE"
    )
    stmts.append("CREATE INDEX changeset_seq IF NOT EXISTS FOR (c:Changeset) ON (c.seq)")
    stmts.append(
        "CREATE CONSTRAINT principal_name IF NOT EXISTS FOR (p:Principal) REQUIRE p.name IS UNIQUE"
    )
    stmts.append(
        "CREATE CONSTRAINT principal_key IF NOT EXISTS FOR (p:Principal) "
        "REQUIRE p.key_hash IS UNIQUE"
    )
    stmts.append("CREATE INDEX target_period IF NOT EXISTS FOR (t:Target) ON (t.period)")
    stmts += stamp_indexes()
    return stmts


def stamp_indexes() -> list[str]:
    """What a changeset opened and closed, found by its id (Changeset.changes): indexes on
    past values only (few); the intervals and values it opened are found by a scan, as in the
    embedded store (an index on every link's opener slows every load down)."""
    return [
        f"CREATE INDEX past_attrs_{prop} IF NOT EXISTS FOR (s:PastAttrs) ON (s.{prop})"
        for prop in ("attrs_opened_by", "closed_by")
    ]


def values_opened_by(kind: Kind) -> str:
    """The values a changeset set on entities of `kind`: current ones, and past ones it opened."""
    label = _label(kind)
    return (
        f"MATCH (n:{label}) WHERE n.attrs_opened_by = $id "
        "RETURN n.code AS code, properties(n) AS props "
        f"UNION ALL MATCH (n:{label})-[:HAD_ATTRS]->(s:PastAttrs) WHERE s.attrs_opened_by = $id "
        "RETURN n.code AS code, properties(s) AS props"
    )


def values_closed_by(kind: Kind) -> str:
    label = _label(kind)
    return (
        f"MATCH (n:{label})-[:HAD_ATTRS]->(s:PastAttrs) WHERE s.closed_by = $id "
        "RETURN n.code AS code, properties(s) AS props"
    )


def links_stamped_by(rel: Rel, prop: str) -> str:
    """The intervals of `rel` a changeset opened (`prop` opened_by) or closed (closed_by)."""
    if prop not in ("opened_by", "closed_by"):
        raise ValueError(f"not a stamp: {prop!r}")
    parent, child, rel_type = _rel_parts(rel)
    return (
        f"MATCH (p:{parent})-[r:{rel_type}]->(c:{child}) WHERE r.{prop} = $id "
        "RETURN p.code AS parent, c.code AS code, r.valid_from AS valid_from, "
        "r.valid_to AS valid_to, r.opened_by AS opened_by, r.closed_by AS closed_by, "
        "r.detail AS detail"
    )


def create_search_index(kind: Kind) -> str:
    label = _label(kind)
    return (
        f"CREATE TEXT INDEX {label.lower()}_search IF NOT EXISTS FOR (n:{label}) ON (n.search_key)"
    )


def drop_search_index(kind: Kind) -> str:
    return f"DROP INDEX {_label(kind).lower()}_search IF EXISTS"


AWAIT_INDEXES = "CALL db.awaitIndexes($timeout_s)"


PING = "RETURN 1 AS ok"

ENTITIES = {
    kind: f"UNWIND $codes AS code MATCH (n:{_label(kind)} {{code: code}})"
    + _seek("n", _label(kind))
    + "RETURN n.code AS code, properties(n) AS props"
    for kind in Kind
}
EXISTING_CODES = {
    kind: f"UNWIND $codes AS code MATCH (n:{_label(kind)} {{code: code}})"
    + _seek("n", _label(kind))
    + "RETURN n.code AS code"
    for kind in Kind
}
ALL_CODES = {kind: f"MATCH (n:{_label(kind)}) RETURN n.code AS code" for kind in Kind}
COUNTS = {kind: f"MATCH (n:{_label(kind)}) RETURN count(n) AS n" for kind in Kind}


def neighbors(rel: Rel, direction: str) -> str:
    """Children (down) or parents (up) of each code in `rel` on $as_of, ordered by code."""
    p, c, t = _rel_parts(rel)
    if direction == "down":
        pattern = f"(x:{p} {{code: code}})-[r:{t}]->(o)" + _seek("x", p)
    else:
        pattern = f"(o)-[r:{t}]->(x:{c} {{code: code}})" + _seek("x", c)
    return (
        f"UNWIND $codes AS code MATCH {pattern}"
        "WHERE r.valid_from <= $as_of AND r.valid_to > $as_of "
        "WITH code, o ORDER BY o.code "
        "RETURN code, collect(properties(o)) AS items"
    )


def child_pages(rel: Rel) -> str:
    """A code-ordered page of each parent's children on $as_of, with the total count.

    $role filters meters (null = all); $after is the last code of the previous page ('' = start).
    """
    p, c, t = _rel_parts(rel)
    return (
        f"UNWIND $codes AS code MATCH (x:{p} {{code: code}})" + _seek("x", p) + "CALL (x) { "
        f"  MATCH (x)-[r:{t}]->(o:{c}) "
        "  WHERE r.valid_from <= $as_of AND r.valid_to > $as_of "
        "    AND ($role IS NULL OR o.role = $role) "
        "  WITH o ORDER BY o.code "
        "  WITH collect(o) AS found "
        "  RETURN size(found) AS total, "
        "    [n IN found WHERE n.code > $after | properties(n)][..$limit] AS items "
        "} "
        "RETURN code, total, items"
    )


# The org subtree on $as_of (every PARENT_OF link on the path valid then), and its transformers.
ORG_TRANSFORMER_PAGES = (
    "UNWIND $codes AS code MATCH (root:OrgUnit {code: code})"
    + _seek("root", "OrgUnit")
    + "CALL (root) { "
    "  MATCH (root)-[links:PARENT_OF*0..]->(u:OrgUnit) "
    "  WHERE all(l IN links WHERE l.valid_from <= $as_of AND l.valid_to > $as_of) "
    "  MATCH (u)-[r:OWNS_TRANSFORMER]->(t:Transformer) "
    "  WHERE r.valid_from <= $as_of AND r.valid_to > $as_of "
    "  WITH DISTINCT t ORDER BY t.code "
    "  WITH collect(t) AS found "
    "  RETURN size(found) AS total, "
    "    [n IN found WHERE n.code > $after | properties(n)][..$limit] AS items "
    "} "
    "RETURN code, total, items"
)


# Nodes that exist on $day: their current values or a past interval hold then.
_EXISTS_ON = (
    "(coalesce(n.attrs_from, $beginning) <= $day OR EXISTS { MATCH (n)-[:HAD_ATTRS]->(s) "
    "WHERE s.attrs_from <= $day AND $day < s.attrs_to }) "
)


def entity_page(kind: Kind) -> str:
    return (
        f"MATCH (n:{_label(kind)}) WHERE n.code > $after AND "
        + _EXISTS_ON
        + "RETURN properties(n) AS props ORDER BY n.code LIMIT $limit"
    )


def entity_count(kind: Kind) -> str:
    return f"MATCH (n:{_label(kind)}) WHERE " + _EXISTS_ON + "RETURN count(n) AS n"


_ON_DAY = "{r}.valid_from <= $as_of AND {r}.valid_to > $as_of"
_OWNED = "(o:OrgUnit)-[w:{rel}]->"
#: A node lies within the org units $within on $as_of (graph/stores/within.py): the chain
#: from an owning unit down to it ({v}), every link valid that day. Types from the allow-list.
_WITHIN = {
    Kind.SUBSTATION: (_OWNED.format(rel="OWNS_SUBSTATION") + "({v})", ("w",)),
    Kind.FEEDER: (_OWNED.format(rel="OWNS_FEEDER") + "({v})", ("w",)),
    Kind.TRANSFORMER: (_OWNED.format(rel="OWNS_TRANSFORMER") + "({v})", ("w",)),
    Kind.METER: (
        _OWNED.format(rel="OWNS_TRANSFORMER") + "(:Transformer)-[h:HAS_METER]->({v})",
        ("w", "h"),
    ),
    Kind.CUSTOMER: (
        _OWNED.format(rel="OWNS_TRANSFORMER")
        + "(:Transformer)-[h:HAS_METER]->(:Meter)<-[u:USES_METER]-({v})",
        ("w", "h", "u"),
    ),
    Kind.LV_LINE: (
        _OWNED.format(rel="OWNS_TRANSFORMER") + "(:Transformer)-[h:HAS_LINE]->({v})",
        ("w", "h"),
    ),
}


def within(kind: Kind, var: str) -> str:
    """` WHERE` the node `var` (of `kind`) lies within the org units $within on $as_of."""
    if kind is Kind.ORG_UNIT:
        return f" WHERE {var}.code IN $within"
    pattern, rels = _WITHIN[kind]
    valid = " AND ".join(_ON_DAY.format(r=r) for r in rels)
    return f" WHERE EXISTS {{ MATCH {pattern.format(v=var)} WHERE {valid} AND o.code IN $within }}"


def search(kind: Kind, scoped: bool = False) -> str:
    """Substring search on the lowercased `search_key` (served by the TEXT index), ranked as
    graph.domain.search_key.hit_rank; `scoped`: only nodes within the org units $within on
    $as_of."""
    scope = f" WITH n{within(kind, 'n')}" if scoped else ""
    return (
        f"MATCH (n:{_label(kind)}) WHERE n.search_key CONTAINS $needle{scope} "
        "WITH n, CASE "
        "  WHEN n.search_key STARTS WITH $needle + $sep THEN 0 "
        "  WHEN n.search_key STARTS WITH $needle OR n.search_key CONTAINS $sep + $needle THEN 1 "
        "  ELSE 2 END AS rank "
        "RETURN properties(n) AS props ORDER BY rank, n.code LIMIT $limit"
    )


def open_links(rel: Rel) -> str:
    _p, c, t = _rel_parts(rel)
    return (
        f"UNWIND $codes AS code MATCH (p)-[r:{t}]->(x:{c} {{code: code}})"
        + _seek("x", c)
        + "WHERE r.valid_to = $forever "
        "RETURN code, p.code AS parent, r.valid_from AS valid_from, r.detail AS detail"
    )


# Scans of a million rows come back as pages: one record holding a list per page of children
# by code ($after: the last code of the previous page). The driver turns a record into Python
# objects at ~15 us each (26 s for 1M meters) but decodes one list of lists in its Rust codec
# (~3x faster); the code index gives the order, so each page is a seek.
def _child_page(label: str) -> str:
    return f"MATCH (x:{label}) WHERE x.code > $after WITH x ORDER BY x.code LIMIT $page "


def open_links_all(rel: Rel) -> str:
    """Children of `rel`'s child kind by code, each with its open interval (or nulls)."""
    _p, c, t = _rel_parts(rel)
    return (
        _child_page(c) + f"OPTIONAL MATCH (p)-[r:{t}]->(x) WHERE r.valid_to = $forever "
        "RETURN collect([x.code, p.code, r.valid_from, r.detail]) AS rows"
    )


def open_parents_all(rel: Rel) -> str:
    """Children by code with the parent of their open interval (or null): no dates, whose
    decoding costs twice the rest (100k meters: 0.4 s against 1.2 s with them)."""
    _p, c, t = _rel_parts(rel)
    return (
        _child_page(c) + f"OPTIONAL MATCH (p)-[r:{t}]->(x) WHERE r.valid_to = $forever "
        "RETURN collect([x.code, p.code]) AS rows"
    )


def scan_entities(kind: Kind) -> str:
    """Entities of `kind` by code: [code, attrs_from, attribute values in ATTRIBUTES order]."""
    values = "".join(f", x.{name}" for name in ATTRIBUTES[kind])  # names from the allow-list
    return _child_page(_label(kind)) + f"RETURN collect([x.code, x.attrs_from{values}]) AS rows"


def last_ends(rel: Rel) -> str:
    _p, c, t = _rel_parts(rel)
    return (
        f"UNWIND $codes AS code MATCH ()-[r:{t}]->(x:{c} {{code: code}})"
        + _seek("x", c)
        + "RETURN code, max(r.valid_to) AS last_end"
    )


def histories(rel: Rel) -> str:
    """Every interval of each child in $codes, oldest first."""
    _p, c, t = _rel_parts(rel)
    return (
        f"UNWIND $codes AS code MATCH (p)-[r:{t}]->(x:{c} {{code: code}})"
        + _seek("x", c)
        + "RETURN code, p.code AS parent, r.valid_from AS valid_from, r.valid_to AS valid_to, "
        "r.opened_by AS opened_by, r.closed_by AS closed_by, r.detail AS detail "
        "ORDER BY code, valid_from, valid_to"
    )


# The graph's version lives on one node; bumping it first in a write transaction takes its
# lock, so concurrent writes serialize and a stale plan is caught before anything is written.
VERSION = "OPTIONAL MATCH (m:TaiquMeta {key: 'graph'}) RETURN coalesce(m.version, 0) AS v"
BUMP_VERSION = (
    "MERGE (m:TaiquMeta {key: 'graph'}) ON CREATE SET m.version = 0 "
    "WITH m SET m.version = m.version + 1 RETURN m.version AS v"
)
CREATE_CHANGESET = "CREATE (:Changeset {id: $id, seq: $seq, record: $record})"
CHANGESET = "MATCH (c:Changeset {id: $id}) RETURN c.record AS record"
CHANGESETS_FIRST = "MATCH (c:Changeset) RETURN c.record AS record ORDER BY c.seq DESC LIMIT $first"
CHANGESETS_SINCE = (
    "MATCH (c:Changeset) WHERE c.seq > $since RETURN c.record AS record ORDER BY c.seq LIMIT $first"
)
CHANGESETS_AFTER = (
    "MATCH (a:Changeset {id: $after}) MATCH (c:Changeset) WHERE c.seq < a.seq "
    "RETURN c.record AS record ORDER BY c.seq DESC LIMIT $first"
)

# Principals (graph/domain/access.py): beside the graph, not versioned with it.
ADD_PRINCIPAL = "CREATE (:Principal {name: $name, key_hash: $key_hash, record: $record})"
PRINCIPALS = "MATCH (p:Principal) RETURN p.record AS record ORDER BY p.name"
PRINCIPAL_BY_KEY = "MATCH (p:Principal {key_hash: $key_hash}) RETURN p.record AS record"
PRINCIPAL_BY_NAME = "MATCH (p:Principal {name: $name}) RETURN p.record AS record"
UPDATE_PRINCIPAL = "MATCH (p:Principal {name: $name}) SET p.record = $record"

# Targets (graph/domain/targets.py): beside the graph, every version a node of its own.
ADD_TARGETS = """
UNWIND $rows AS r
CREATE (:Target {org: r.org, period: r.period, indicator: r.indicator, target: r.target,
                 recorded_at: r.recorded_at, source: r.source})
"""
TARGETS_OF_PERIODS = """
MATCH (t:Target) WHERE t.period IN $periods
RETURN t.org AS org, t.period AS period, t.indicator AS indicator, t.target AS target,
       t.recorded_at AS recorded_at, t.source AS source
"""
VERSIONS = (
    "OPTIONAL MATCH (g:TaiquMeta {key: 'graph'}) OPTIONAL MATCH (t:TaiquMeta {key: 'targets'}) "
    "RETURN coalesce(g.version, 0) AS graph, coalesce(t.version, 0) AS targets"
)
BUMP_TARGETS_VERSION = (
    "MERGE (m:TaiquMeta {key: 'targets'}) ON CREATE SET m.version = 0 "
    "WITH m SET m.version = m.version + 1"
)


# Evidence against placement on $as_of (a relationship-type scan: READS is one per meter).
DISAGREEING_READS = (
    "MATCH (a)-[r:READS]->(m:Meter) WHERE r.valid_from <= $as_of AND r.valid_to > $as_of "
    "OPTIONAL MATCH (g)-[h:HAS_METER]->(m) WHERE h.valid_from <= $as_of AND h.valid_to > $as_of "
    "WITH m, a, r, g, h WHERE g IS NULL OR g.code <> a.code "
    "RETURN m.code AS meter, a.code AS read_in, r.detail AS terminal, "
    "r.valid_from AS read_since, g.code AS placed_in, h.valid_from AS placed_since "
    "ORDER BY meter"
)


def scan_links(rel: Rel) -> str:
    p, c, t = _rel_parts(rel)
    return (
        f"MATCH (p:{p})-[r:{t}]->(x:{c}) RETURN p.code AS parent, x.code AS child, "
        "r.valid_from AS valid_from, r.valid_to AS valid_to, r.detail AS detail"
    )


# --- writes (each one UNWIND batch) ------------------------------------------------------
def remove_empty_links(rel: Rel) -> str:
    """Intervals that hold on no day ([from, to) with from >= to: an event dated on the
    open-interval sentinel); the interval it closed gets its open end back unstamped."""
    p, c, t = _rel_parts(rel)
    return (
        f"MATCH (:{p})-[r:{t}]->(:{c}) WHERE r.valid_from >= r.valid_to "
        "WITH collect(r) AS empty UNWIND empty AS r DELETE r RETURN count(*) AS removed"
    )


def unstamp_open_links(rel: Rel) -> str:
    p, c, t = _rel_parts(rel)
    return (
        f"MATCH (:{p})-[r:{t}]->(:{c}) WHERE r.valid_to = $forever AND r.closed_by IS NOT NULL "
        "SET r.closed_by = null RETURN count(r) AS unstamped"
    )


def create_entities(kind: Kind) -> str:
    return f"UNWIND $rows AS row CREATE (n:{_label(kind)}) SET n = row"


def _match_row(label: str) -> str:
    return f"UNWIND $rows AS row MATCH (n:{label} {{code: row.code}}){_seek('n', label)}"


# The node's values as they were become a PastAttrs node, closed on row.day by row.by.
_CLOSE_VALUES = (
    "CREATE (n)-[:HAD_ATTRS]->(s:PastAttrs) "
    "SET s = properties(n), s.attrs_from = coalesce(n.attrs_from, $beginning), "
    "s.attrs_to = row.day, s.closed_by = row.by "
)


def update_entities(kind: Kind) -> str:
    """New values (row.props) from row.day: the values before are closed there unless their
    interval began that day; then the node takes the new ones."""
    return (
        _match_row(_label(kind))
        + "CALL (n, row) { WITH n, row WHERE coalesce(n.attrs_from, $beginning) < row.day "
        + _CLOSE_VALUES
        + "} SET n = row.props"
    )


def end_entities(kind: Kind) -> str:
    """The node's values close on row.day; the node keeps them with attrs_from = $forever:
    it exists no more."""
    return (
        _match_row(_label(kind))
        + _CLOSE_VALUES
        + "SET n.attrs_from = $forever, n.attrs_opened_by = row.by"
    )


def values_begun_after(kind: Kind, inclusive: bool) -> str:
    """Codes among $rows whose current values began after row.day (`inclusive`: on it too):
    values that cannot change (end) on that day."""
    after = ">=" if inclusive else ">"  # one of two fixed operators, never input
    return (
        _match_row(_label(kind)) + f"WHERE coalesce(n.attrs_from, $beginning) {after} row.day "
        "RETURN n.code AS code, n.attrs_from AS attrs_from LIMIT 5"
    )


# An entity's values on a day before its current ones began; every interval of its values.
def attrs_as_of(kind: Kind) -> str:
    label = _label(kind)
    return (
        f"UNWIND $codes AS code MATCH (n:{label} {{code: code}})"
        + _seek("n", label)
        + "WHERE coalesce(n.attrs_from, $beginning) > $day "
        "MATCH (n)-[:HAD_ATTRS]->(s) WHERE s.attrs_from <= $day AND $day < s.attrs_to "
        "RETURN code, properties(s) AS props"
    )


def attr_histories(kind: Kind) -> str:
    label = _label(kind)
    return (
        f"UNWIND $codes AS code MATCH (n:{label} {{code: code}})"
        + _seek("n", label)
        + "OPTIONAL MATCH (n)-[:HAD_ATTRS]->(s) "
        "WITH code, n, collect(properties(s)) AS past "
        "RETURN code, past + [properties(n)] AS intervals"
    )


def scan_attr_intervals(kind: Kind) -> str:
    """Pages of [code, properties] of the values of each entity: past ones, then current."""
    return (
        _child_page(_label(kind)) + "OPTIONAL MATCH (x)-[:HAD_ATTRS]->(s) "
        "WITH x, collect(properties(s)) AS past "
        "RETURN collect([x.code, past + [properties(x)]]) AS rows"
    )


def close_links(rel: Rel, stamped: bool) -> str:
    """Close open intervals; `stamped` also records the changeset (row.by) that closed them.
    Two texts rather than setting null: how Neo4j counts a null SET varies by plan."""
    _p, c, t = _rel_parts(rel)
    stamp = ", r.closed_by = row.by" if stamped else ""
    return (
        f"UNWIND $rows AS row MATCH ()-[r:{t}]->(x:{c} {{code: row.child}})"
        + _seek("x", c)
        + f"WHERE r.valid_to = $forever SET r.valid_to = row.valid_to{stamp}"
    )


def create_links(rel: Rel) -> str:
    p, c, t = _rel_parts(rel)
    return (
        f"UNWIND $rows AS row MATCH (p:{p} {{code: row.parent}}){_seek('p', p)}"
        f"MATCH (x:{c} {{code: row.child}}){_seek('x', c)}"
        f"CREATE (p)-[:{t} {{valid_from: row.valid_from, valid_to: row.valid_to, "
        "opened_by: row.by, detail: row.detail}]->(x)"
    )
