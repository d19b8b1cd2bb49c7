"""All DuckDB SQL of the time-series side, in one place: the series copy of the topology,
readings (staged from readings.csv, then merged), balances and the reads behind loss.
Parameters only; the few fragments that vary (a column list, a file path of ours, a filter)
are assembled by the small builders below from fixed strings, never from input.

Energy is DECIMAL throughout, so sums are exact: a reading has at most 4 decimals
(DECIMAL(18,4)), a multiplier too (DECIMAL(12,4)), their products 8 (kept as DECIMAL(38,8)).
"""

from __future__ import annotations

from graph.domain.model import MeterRole

KWH = "DECIMAL(18,4)"
MULTIPLIER = "DECIMAL(12,4)"
SUM_KWH = "DECIMAL(38,8)"
PARQUET = "(FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION V2)"
GATE = f"'{MeterRole.GATE.value}'"  # as an SQL literal
CUSTOMER = f"'{MeterRole.CUSTOMER.value}'"


def literal(path: str) -> str:
    """A file path as an SQL string literal (COPY TO and views take no parameter); the paths
    are the series folder's own."""
    return "'" + path.replace("'", "''") + "'"


def copy_to(query: str, path: str) -> str:
    """COPY the rows of `query` to a Parquet file of ours."""
    return f"COPY ({query}) TO {literal(path)} {PARQUET}"


# --- working connections and tables ---------------------------------------------------------
SETTINGS = (
    "SET temp_directory = $tmp",
    "SET preserve_insertion_order = true",
    # Beyond this, working tables spill to tmp/ instead of taking the machine's memory.
    "SET memory_limit = '3GB'",
)

#: Empty tables of the shapes a view over files would have, for when there is no file yet.
EMPTY = {
    "meters": "SELECT NULL::INTEGER AS meter_id, NULL::VARCHAR AS code, NULL::VARCHAR AS role, "
    f"NULL::{MULTIPLIER} AS multiplier WHERE false",
    "meter_values": "SELECT NULL::INTEGER AS meter_id, NULL::VARCHAR AS role, "
    f"NULL::{MULTIPLIER} AS multiplier, NULL::DATE AS valid_from, NULL::DATE AS valid_to "
    "WHERE false",
    "memberships": "SELECT NULL::INTEGER AS meter_id, NULL::VARCHAR AS area, NULL::VARCHAR AS "
    f"role, NULL::{MULTIPLIER} AS multiplier, NULL::DATE AS valid_from, NULL::DATE AS "
    "valid_to WHERE false",
    "readings": f"SELECT NULL::INTEGER AS meter_id, NULL::DATE AS day, NULL::{KWH} AS "
    f"import_kwh, NULL::{KWH} AS export_kwh WHERE false",
}


def view_over(name: str, paths: list[str]) -> str:
    """Temp view `name` (a fixed name of ours) over Parquet files of ours."""
    listed = ", ".join(literal(p) for p in paths)
    return f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM read_parquet([{listed}])"


def empty_view(name: str, shape: str) -> str:
    """Temp view `name` with no rows, shaped like EMPTY[shape]."""
    return f"CREATE OR REPLACE TEMP VIEW {name} AS {EMPTY[shape]}"


def view_like(name: str, other: str) -> str:
    """Temp view `name` with no rows, shaped like table `other`."""
    return f"CREATE TEMP VIEW {name} AS SELECT * FROM {other} WHERE false"


def table_from_csv(name: str) -> str:
    """Temp table `name` from a CSV file with a header ($path), typed by $columns."""
    return (
        f"CREATE TEMP TABLE {name} AS SELECT * FROM read_csv($path, header = true, "
        "auto_detect = false, quote = '\"', escape = '\"', delim = ',', columns = $columns)"
    )


def differs(a: str, b: str) -> str:
    """One row, one count: the rows of table `a` not in `b` plus those of `b` not in `a`."""
    return (
        f"SELECT (SELECT count(*) FROM (SELECT * FROM {a} EXCEPT SELECT * FROM {b})) + "
        f"(SELECT count(*) FROM (SELECT * FROM {b} EXCEPT SELECT * FROM {a}))"
    )


# --- topology copies (written by the sync) ------------------------------------------------
# Meter ids are stable across syncs: a known code keeps its id, a new one gets the next.
METER_IDS = """
CREATE TEMP TABLE meters AS
SELECT o.meter_id, n.code, n.role, n.multiplier FROM store_meters n JOIN old_meters o USING (code)
UNION ALL
SELECT o.meter_id, o.code, o.role, o.multiplier FROM old_meters o ANTI JOIN store_meters n
    USING (code)
UNION ALL
SELECT ((SELECT coalesce(max(meter_id), 0) FROM old_meters)
        + row_number() OVER (ORDER BY n.code))::INTEGER, n.code, n.role, n.multiplier
FROM store_meters n ANTI JOIN old_meters o USING (code)
"""


# Adjacent intervals that agree on the values loss reads are merged: a change of another
# attribute must not look like a change that loss sees.
def merged_intervals(source: str, key: str, values: tuple[str, ...]) -> str:
    """The intervals of table `source` (fixed names of ours), per `key`, with adjacent ones
    equal in `values` merged."""
    same = " AND ".join(f"lag({v}) OVER w IS NOT DISTINCT FROM {v}" for v in values)
    kept = ", ".join(f"any_value({v}) AS {v}" for v in values)
    return f"""
WITH marked AS (
    SELECT *, CASE WHEN {same} AND lag(valid_to) OVER w = valid_from THEN 0 ELSE 1 END AS starts
    FROM {source} WINDOW w AS (PARTITION BY {key} ORDER BY valid_from)
), runs AS (
    SELECT *, sum(starts) OVER (PARTITION BY {key} ORDER BY valid_from) AS run FROM marked
)
SELECT {key}, {kept}, min(valid_from) AS valid_from, max(valid_to) AS valid_to
FROM runs GROUP BY {key}, run
"""


# A meter's role and multiplier over time (attributes are dated), adjacent intervals that
# agree on both merged: a change of another attribute (the phase) must not cut memberships, or
# a sync would recompute days whose balances cannot change.
STORE_METER_VALUES = "CREATE TEMP TABLE store_meter_values AS " + merged_intervals(
    "raw_meter_values", "code", ("role", "multiplier")
)
# Each meter's current values: those of its open interval.
STORE_METERS = """
CREATE TEMP TABLE store_meters AS
SELECT code, role, multiplier FROM store_meter_values WHERE valid_to = $forever
"""
# One row per interval of a meter's values, keyed by its id.
METER_VALUES = """
CREATE TEMP TABLE meter_values AS
SELECT m.meter_id, v.role, v.multiplier, v.valid_from, v.valid_to
FROM store_meter_values v JOIN meters m ON m.code = v.code
"""
# Each interval a meter belongs to an area, cut where its role or multiplier changed: a day
# counts with the values of that day.
MEMBERSHIPS = """
CREATE TEMP TABLE memberships AS
SELECT m.meter_id, l.area, v.role, v.multiplier,
       greatest(l.valid_from, v.valid_from) AS valid_from,
       least(l.valid_to, v.valid_to) AS valid_to
FROM store_memberships l JOIN meters m ON m.code = l.meter_code
JOIN meter_values v ON v.meter_id = m.meter_id
 AND v.valid_from < l.valid_to AND l.valid_from < v.valid_to
"""

# Piecewise-constant count of gate and customer/pv meters per area: +1 where an interval opens,
# -1 where it closes, running sums between consecutive change days.
SPANS = f"""
WITH ev AS (
    SELECT area, valid_from AS day, (role = {GATE})::INTEGER AS g, (role <> {GATE})::INTEGER AS m
    FROM memberships
    UNION ALL
    SELECT area, valid_to, -(role = {GATE})::INTEGER, -(role <> {GATE})::INTEGER
    FROM memberships WHERE valid_to < $forever
), per_day AS (
    SELECT area, day, sum(g) AS g, sum(m) AS m FROM ev GROUP BY area, day
), running AS (
    SELECT area, day AS valid_from,
           lead(day, 1, $forever) OVER (PARTITION BY area ORDER BY day) AS valid_to,
           sum(g) OVER (PARTITION BY area ORDER BY day) AS gates,
           sum(m) OVER (PARTITION BY area ORDER BY day) AS meters
    FROM per_day
)
SELECT area, valid_from, valid_to, gates::INTEGER AS gates, meters::INTEGER AS meters
FROM running WHERE gates > 0 OR meters > 0
ORDER BY area, valid_from
"""


# --- what technical loss reads of the topology (copied by the sync) -------------------------
# The node each meter's service connects to, over time (a meter without one has no row).
METER_NODES = f"""
CREATE TEMP TABLE meter_nodes AS
SELECT m.meter_id, n.node, n.valid_from, n.valid_to
FROM ({merged_intervals("raw_meter_values", "code", ("node",))}) n
JOIN meters m ON m.code = n.code WHERE n.node IS NOT NULL
"""
# An area's lines: each interval a line belongs to the area, cut where its values changed.
LV_LINES = f"""
CREATE TEMP TABLE lv_lines AS
SELECT l.area, l.line, v.from_node, v.to_node, v.r_ohm, v.x_ohm,
       greatest(l.valid_from, v.valid_from) AS valid_from,
       least(l.valid_to, v.valid_to) AS valid_to
FROM raw_line_links l
JOIN ({merged_intervals("raw_line_values", "line", ("from_node", "to_node", "r_ohm", "x_ohm"))}) v
  ON v.line = l.line AND v.valid_from < l.valid_to AND l.valid_from < v.valid_to
"""
# What the equivalent-resistance estimate needs of an area, over time.
AREA_PARAMS = f"""
CREATE TEMP TABLE area_params AS
{merged_intervals("raw_area_params", "area", ("capacity_kva", "supply_radius_km"))}
"""
TECHNICAL_TABLES = ("meter_nodes", "lv_lines", "area_params")
AREA_COUNT = "SELECT count(DISTINCT area) FROM memberships"
EMPTY.update(
    {
        "meter_nodes": "SELECT NULL::INTEGER AS meter_id, NULL::VARCHAR AS node, "
        "NULL::DATE AS valid_from, NULL::DATE AS valid_to WHERE false",
        "lv_lines": "SELECT NULL::VARCHAR AS area, NULL::VARCHAR AS line, NULL::VARCHAR AS "
        "from_node, NULL::VARCHAR AS to_node, NULL::DOUBLE AS r_ohm, NULL::DOUBLE AS x_ohm, "
        "NULL::DATE AS valid_from, NULL::DATE AS valid_to WHERE false",
        "area_params": "SELECT NULL::VARCHAR AS area, NULL::DOUBLE AS capacity_kva, "
        "NULL::DOUBLE AS supply_radius_km, NULL::DATE AS valid_from, NULL::DATE AS valid_to "
        "WHERE false",
    }
)


def interval_changes(table: str, keys: tuple[str, ...], area: str) -> str:
    """(area, since) for each row of `table` that differs between old_`table` and `table`
    (`keys`: every column but the dates): an interval whose end moved differs from the
    earlier end, any other from its start."""
    same = " AND ".join(f"g.{k} IS NOT DISTINCT FROM c.{k}" for k in keys)
    return f"""
WITH gone AS (SELECT * FROM old_{table} EXCEPT SELECT * FROM {table}),
     came AS (SELECT * FROM {table} EXCEPT SELECT * FROM old_{table})
SELECT coalesce(g.{area}, c.{area}) AS area,
       CASE WHEN g.valid_from IS NOT NULL AND c.valid_from IS NOT NULL
            THEN least(g.valid_to, c.valid_to)
            ELSE coalesce(g.valid_from, c.valid_from) END AS since
FROM gone g FULL JOIN came c ON {same} AND g.valid_from = c.valid_from
"""


# Each node of an area's lines, over time: joins on a node are equi-joins on this (an OR of
# the two ends would be a nested loop).
LINE_NODES = """
SELECT area, from_node AS node, valid_from, valid_to FROM lv_lines
UNION ALL
SELECT area, to_node, valid_from, valid_to FROM lv_lines
"""
# Areas whose technical loss a changed meter node moves, from when: the meter's own areas and
# those whose lines hold the old or the new node.
NODE_CHANGES = f"""
WITH line_nodes AS ({LINE_NODES}),
     gone AS (SELECT * FROM old_meter_nodes EXCEPT SELECT * FROM meter_nodes),
     came AS (SELECT * FROM meter_nodes EXCEPT SELECT * FROM old_meter_nodes),
     changed AS (
    SELECT coalesce(g.meter_id, c.meter_id) AS meter_id, coalesce(g.node, c.node) AS node,
           CASE WHEN g.valid_from IS NOT NULL AND c.valid_from IS NOT NULL
                THEN least(g.valid_to, c.valid_to)
                ELSE coalesce(g.valid_from, c.valid_from) END AS since
    FROM gone g FULL JOIN came c
      ON g.meter_id = c.meter_id AND g.node = c.node AND g.valid_from = c.valid_from
)
SELECT m.area, greatest(ch.since, m.valid_from) AS since
FROM changed ch JOIN memberships m ON m.meter_id = ch.meter_id AND ch.since < m.valid_to
UNION ALL
SELECT l.area, greatest(ch.since, l.valid_from)
FROM changed ch JOIN line_nodes l ON l.node = ch.node AND ch.since < l.valid_to
"""
TECHNICAL_CHANGES = " UNION ALL ".join(
    f"SELECT * FROM ({query})"
    for query in (
        interval_changes(
            "lv_lines", ("area", "line", "from_node", "to_node", "r_ohm", "x_ohm"), "area"
        ),
        interval_changes("area_params", ("area", "capacity_kva", "supply_radius_km"), "area"),
        NODE_CHANGES,
    )
)
# Pairs of areas tied by a meter archived under one and connected to the other's lines: the
# load of one is carried by the other's network, so both are recomputed together.
TIED_AREAS = f"""
WITH line_nodes AS ({LINE_NODES}),
wanted AS (SELECT unnest($areas::VARCHAR[]) AS area),
mine AS (SELECT * FROM memberships WHERE area IN (SELECT area FROM wanted)),
my_nodes AS (SELECT * FROM line_nodes WHERE area IN (SELECT area FROM wanted))
SELECT m.area, l.area
FROM mine m
JOIN meter_nodes n
  ON n.meter_id = m.meter_id AND m.valid_from < n.valid_to AND n.valid_from < m.valid_to
JOIN line_nodes l
  ON l.node = n.node AND l.valid_from < n.valid_to AND n.valid_from < l.valid_to
WHERE l.area <> m.area
UNION
SELECT m.area, l.area
FROM my_nodes l
JOIN meter_nodes n
  ON n.node = l.node AND l.valid_from < n.valid_to AND n.valid_from < l.valid_to
JOIN memberships m
  ON m.meter_id = n.meter_id AND m.valid_from < n.valid_to AND n.valid_from < m.valid_to
WHERE l.area <> m.area
"""

# What a technical-loss run (graph.series.technical.materialize) reads of the copy, on its
# first day.
RUN_METERS = """
SELECT m.meter_id, m.area, m.role, m.multiplier::DOUBLE AS multiplier, n.node
FROM memberships m LEFT JOIN meter_nodes n
  ON n.meter_id = m.meter_id AND n.valid_from <= $day AND $day < n.valid_to
WHERE m.valid_from <= $day AND $day < m.valid_to
ORDER BY m.meter_id
"""
# The same for some areas only: their meters and those on their lines' nodes. Their ids
# first (two filtered scans), then their rows: joining the whole tables and filtering after
# took six times as long at 1M meters.
RUN_METERS_OF = f"""
WITH line_nodes AS ({LINE_NODES}),
wanted_nodes AS (
    SELECT DISTINCT node FROM line_nodes
    WHERE area IN (SELECT unnest($areas::VARCHAR[])) AND valid_from <= $day AND $day < valid_to
),
ids AS (
    SELECT meter_id FROM memberships
    WHERE area IN (SELECT unnest($areas::VARCHAR[])) AND valid_from <= $day AND $day < valid_to
    UNION
    SELECT meter_id FROM meter_nodes
    WHERE node IN (SELECT node FROM wanted_nodes) AND valid_from <= $day AND $day < valid_to
),
m AS (
    SELECT * FROM memberships
    WHERE meter_id IN (SELECT meter_id FROM ids) AND valid_from <= $day AND $day < valid_to
),
n AS (
    SELECT * FROM meter_nodes
    WHERE meter_id IN (SELECT meter_id FROM ids) AND valid_from <= $day AND $day < valid_to
)
SELECT m.meter_id, m.area, m.role, m.multiplier::DOUBLE AS multiplier, n.node
FROM m LEFT JOIN n ON n.meter_id = m.meter_id
ORDER BY m.meter_id
"""
RUN_LINES = """
SELECT area, line, from_node, to_node, r_ohm, x_ohm FROM lv_lines
WHERE valid_from <= $day AND $day < valid_to ORDER BY area, line
"""
RUN_PARAMS = """
SELECT area, capacity_kva, supply_radius_km FROM area_params
WHERE valid_from <= $day AND $day < valid_to
"""
_OF_AREAS = " AND area IN (SELECT unnest($areas::VARCHAR[]))"
RUN_LINES_OF = RUN_LINES.replace(" ORDER BY", _OF_AREAS + " ORDER BY")
RUN_PARAMS_OF = RUN_PARAMS.rstrip() + _OF_AREAS + "\n"
# The days inside a range on which something a run holds changes.
RUN_CUTS = """
SELECT DISTINCT day FROM (
    SELECT valid_from AS day FROM memberships UNION ALL SELECT valid_to FROM memberships
    UNION ALL SELECT valid_from FROM meter_nodes UNION ALL SELECT valid_to FROM meter_nodes
    UNION ALL SELECT valid_from FROM lv_lines UNION ALL SELECT valid_to FROM lv_lines
    UNION ALL SELECT valid_from FROM area_params UNION ALL SELECT valid_to FROM area_params
) WHERE day > $first AND day <= $last ORDER BY day
"""
DAY_ENERGY = """
SELECT meter_id, import_kwh::DOUBLE AS import_kwh, export_kwh::DOUBLE AS export_kwh
FROM read_parquet($file)
"""
# Some meters over a run's days in one read (one area's month: one query, not 31).
# The range first: day files are sorted by meter id, so their row groups' statistics skip
# most of a large file.
RUN_ENERGY_OF = """
SELECT meter_id, day, import_kwh::DOUBLE AS import_kwh, export_kwh::DOUBLE AS export_kwh
FROM read_parquet($files)
WHERE meter_id BETWEEN $lo AND $hi AND meter_id IN (SELECT unnest($ids::INTEGER[]))
"""
RUN_CURVES_OF = """
SELECT * FROM read_parquet($files, filename = true)
WHERE meter_id BETWEEN $lo AND $hi AND meter_id IN (SELECT unnest($ids::INTEGER[]))
"""
#: What each topology file of a sync holds, in a stable order.
TOPOLOGY_FILES = {
    "meters": "SELECT * FROM meters ORDER BY code",
    "meter_values": "SELECT * FROM meter_values ORDER BY meter_id, valid_from",
    "memberships": "SELECT * FROM memberships ORDER BY meter_id, valid_from",
    "links": "SELECT * FROM new_links ORDER BY rel, parent, child, valid_from",
    "transformers": "SELECT * FROM new_transformers ORDER BY code",
    "meter_nodes": "SELECT * FROM meter_nodes ORDER BY meter_id, valid_from",
    "lv_lines": "SELECT * FROM lv_lines ORDER BY area, line, valid_from",
    "area_params": "SELECT * FROM area_params ORDER BY area, valid_from",
}

#: What the reader loads of the topology copy to place areas in the trees.
PLACEMENT_FILES = {
    "transformers": "SELECT code FROM read_parquet($file)",
    "links": "SELECT rel, parent, child, valid_from, valid_to FROM read_parquet($file)",
    "spans": "SELECT area, valid_from, valid_to, gates, meters FROM read_parquet($file)",
}

# Customer meters in service per area on a day (the consistency indicator's denominator).
CUSTOMER_METERS_ON = f"""
SELECT area, count(*)::INTEGER FROM read_parquet($file)
WHERE role = {CUSTOMER} AND valid_from <= $day AND $day < valid_to GROUP BY area
"""

# Memberships that differ between two syncs, and from which day each one differs: the same
# interval with another end differs from the earlier end, anything else from its start.
MEMBERSHIP_CHANGES = """
WITH gone AS (SELECT * FROM old_memberships EXCEPT SELECT * FROM memberships),
     came AS (SELECT * FROM memberships EXCEPT SELECT * FROM old_memberships)
SELECT coalesce(g.area, c.area) AS area,
       CASE WHEN g.area IS NOT NULL AND c.area IS NOT NULL THEN least(g.valid_to, c.valid_to)
            ELSE coalesce(g.valid_from, c.valid_from) END AS since
FROM gone g FULL JOIN came c
  ON g.meter_id = c.meter_id AND g.area = c.area AND g.valid_from = c.valid_from
 AND g.role = c.role AND g.multiplier = c.multiplier
"""

# --- balances -----------------------------------------------------------------------------
# Per area per day: a reading counts toward the area its meter belonged to on that day.
# readings_hash: a checksum of the area-day's readings, so that a later reader (the kept
# findings) can tell an area whose readings changed although its sums did not.
BALANCES = f"""
SELECT m.area, r.day,
       count(*) FILTER (WHERE m.role = {GATE})::INTEGER AS gate_read,
       count(*) FILTER (WHERE m.role <> {GATE})::INTEGER AS meter_read,
       coalesce(sum((r.import_kwh - r.export_kwh) * m.multiplier)
                FILTER (WHERE m.role = {GATE}), 0)::{SUM_KWH} AS gate_net_kwh,
       coalesce(sum(r.export_kwh * m.multiplier)
                FILTER (WHERE m.role <> {GATE}), 0)::{SUM_KWH} AS export_kwh,
       coalesce(sum(r.import_kwh * m.multiplier)
                FILTER (WHERE m.role <> {GATE}), 0)::{SUM_KWH} AS sales_kwh,
       bit_xor(hash(r.meter_id, r.import_kwh, r.export_kwh, m.role, m.multiplier))
           AS readings_hash
FROM read_parquet($files) r
JOIN memberships m ON m.meter_id = r.meter_id AND m.valid_from <= r.day AND r.day < m.valid_to
WHERE r.day IN (SELECT unnest($days::DATE[])) {{area_filter}}
GROUP BY m.area, r.day
"""
AREA_FILTER = "AND m.area IN (SELECT unnest($areas::VARCHAR[]))"
# Each recomputed area-day's technical loss (graph.series.technical.materialize), rounded to
# the balances' 4 decimals; the method as columns.POWER_FLOW, EQUIVALENT_RESISTANCE or NONE.
TECHNICAL_COLUMNS = {
    "area": "VARCHAR",
    "day": "DATE",
    "technical_kwh": KWH,
    "technical_method": "UTINYINT",
}
DROP_FRESH_TECHNICAL = "DROP TABLE IF EXISTS fresh_technical"
FRESH_BALANCES = "CREATE TEMP TABLE fresh_balances AS " + BALANCES
DROP_FRESH_BALANCES = "DROP TABLE IF EXISTS fresh_balances"


def month_balances(keep_old: bool, areas: bool) -> str:
    """The rows of one month file: the recomputed days from fresh_balances and, with
    `keep_old`, every other row of the old file ($old) — with `areas`, only the recomputed
    areas' rows of those days are replaced."""
    fresh = (
        "SELECT b.*, t.technical_kwh, t.technical_method FROM fresh_balances b "
        "LEFT JOIN fresh_technical t USING (area, day) "
        "WHERE b.day IN (SELECT unnest($days::DATE[])) ORDER BY b.day, b.area"
    )
    if not keep_old:
        return fresh
    replaced = "day IN (SELECT unnest($days::DATE[]))"
    if areas:
        replaced += " AND area IN (SELECT unnest($areas::VARCHAR[]))"
    # BY NAME: a month written before technical loss was kept has no such columns (NULL).
    return f"SELECT * FROM read_parquet($old) WHERE NOT ({replaced}) UNION ALL BY NAME ({fresh})"


def month_units(scale: int, technical: bool, days: tuple[int, int, int]) -> str:
    """One month of balances as the reader caches it: exact integer units of 1/SCALE kWh;
    technical loss in the same units and its day counts packed in one integer (`days`: the
    weight of a day with a value, of one by power flow, of one by equivalent resistance).
    Without `technical` (a month written before it was kept) those two are 0."""
    known, power_flow, equivalent = days
    kept = (
        f"coalesce((technical_kwh * {scale})::BIGINT, 0), "
        f"CASE WHEN technical_kwh IS NULL THEN 0 ELSE {known} "
        f"+ (technical_method = 0)::BIGINT * {power_flow} "
        f"+ (technical_method = 1)::BIGINT * {equivalent} END"
        if technical
        else "0::BIGINT, 0::BIGINT"
    )
    return f"""
SELECT area, day, gate_read, meter_read,
       ((gate_net_kwh + export_kwh) * {scale})::BIGINT, (sales_kwh * {scale})::BIGINT, {kept}
FROM read_parquet($file) ORDER BY area, day
"""


MONTH_COLUMNS = "SELECT name FROM parquet_schema($file)"


# One query for all the meters a GraphQL list asks (an area's page of meters, say), each day
# with the multiplier of that day.
METER_READINGS = """
WITH keys AS (
    SELECT code, meter_id FROM read_parquet($meters)
    WHERE code IN (SELECT unnest($codes::VARCHAR[]))
)
SELECT k.code, r.day, r.import_kwh, r.export_kwh, coalesce(v.multiplier, 1)
FROM read_parquet($files) r JOIN keys k ON k.meter_id = r.meter_id
LEFT JOIN read_parquet($values) v
  ON v.meter_id = r.meter_id AND v.valid_from <= r.day AND r.day < v.valid_to
WHERE r.day BETWEEN $first_day AND $last_day
ORDER BY k.code, r.day
"""
CORRECTIONS = """
SELECT meter_code, day, replaced_at, source, old_import_kwh, old_export_kwh, new_import_kwh,
       new_export_kwh
FROM read_parquet($files)
WHERE meter_code IN (SELECT unnest($codes::VARCHAR[])) AND day BETWEEN $first_day AND $last_day
ORDER BY meter_code, day, replaced_at
"""


# --- readings.csv, staged and checked before anything is written -------------------------------
def raw_plain() -> str:
    """Table raw: every line of a plain file (no quotes) as text columns c1..cN ($columns)."""
    return (
        "CREATE TEMP TABLE raw AS SELECT * FROM read_csv($path, header = true, "
        "auto_detect = false, delim = ',', quote = '', escape = '', strict_mode = true, "
        "columns = $columns)"
    )


# A view, not a copy: a month of a million meters is 31M rows.
LINED_VIEW = "CREATE TEMP VIEW lined AS SELECT rowid + 2 AS line, * FROM raw"
DROP_LINED_VIEW = "DROP VIEW lined; DROP TABLE raw"
DROP_LINED_TABLE = "DROP TABLE lined"
KNOWN_FROM_METERS = "INSERT INTO known SELECT code FROM read_parquet($f)"
STAGED_COLUMNS = ("meter_code", "date", "import_kwh", "export_kwh")


def typed_text(columns: dict[str, str]) -> str:
    """Table typed_text: the trimmed text of each named column (`columns`: name -> c<i>, or
    missing), blank lines left out."""

    def col(name: str) -> str:
        return f"nullif(trim({columns[name]}), '')" if name in columns else "NULL"

    selected = ", ".join(f"{col(name)} AS {name}" for name in STAGED_COLUMNS)
    blank = " AND ".join(f"{col(name)} IS NULL" for name in columns)
    return f"CREATE TEMP TABLE typed_text AS SELECT line, {selected} FROM lined WHERE NOT ({blank})"


def failed_checks(checks: list[tuple[str, str]], limit: int) -> str:
    """(line, check number, how many in all) of the first `limit` failed checks, by line.
    `checks` are (column, condition on its text `v`); number -1 is an unknown meter."""
    parts = [
        f"SELECT line, {i} AS check_no FROM (SELECT line, {column} AS v FROM typed_text) "
        f"WHERE {condition}"
        for i, (column, condition) in enumerate(checks)
    ]
    parts.append(
        "SELECT s.line, -1 FROM typed_text s ANTI JOIN known k ON k.code = s.meter_code "
        "WHERE s.meter_code IS NOT NULL"
    )
    union = " UNION ALL ".join(parts)
    return (
        f"SELECT line, check_no, count(*) OVER () FROM ({union}) "
        f"ORDER BY line, check_no LIMIT {int(limit)}"
    )


TYPED = f"""
CREATE TEMP TABLE typed AS SELECT line, meter_code, date::DATE AS day,
       replace(import_kwh, ' ', '')::{KWH} AS import_kwh,
       coalesce(replace(export_kwh, ' ', '')::{KWH}, 0) AS export_kwh
FROM typed_text
"""
DROP_TYPED_TEXT = "DROP TABLE typed_text"


def conflicting_duplicates(limit: int) -> str:
    """Rows that repeat a meter-day with other values: line, meter, day, the first line."""
    return f"""
SELECT line, meter_code, day, first_line, count(*) OVER () FROM (
    SELECT *, first_value(line) OVER w AS first_line,
           first_value(import_kwh) OVER w AS i0, first_value(export_kwh) OVER w AS e0
    FROM typed WINDOW w AS (PARTITION BY meter_code, day ORDER BY line))
WHERE import_kwh <> i0 OR export_kwh <> e0
ORDER BY line LIMIT {int(limit)}
"""


def staged(table: str) -> str:
    """The staged readings: one row per meter and day (identical repeats folded)."""
    return (
        f"CREATE TEMP TABLE {table} AS SELECT DISTINCT meter_code, day, import_kwh, export_kwh "
        "FROM typed"
    )


DROP_TYPED = "DROP TABLE typed"


def staged_count(table: str) -> str:
    return f"SELECT count(*) FROM {table}"


def staged_days(table: str) -> str:
    return f"SELECT DISTINCT day FROM {table} ORDER BY day"


# --- readings merged into the day files ----------------------------------------------------------
def merge_staged(table: str) -> str:
    """Table inc: the staged readings with their meters' ids."""
    return f"""
CREATE TEMP TABLE inc AS
SELECT m.meter_id, i.meter_code, i.day, i.import_kwh::{KWH} AS import_kwh,
       i.export_kwh::{KWH} AS export_kwh
FROM {table} i JOIN cur_meters m ON m.code = i.meter_code
"""


def staged_unknown(table: str) -> str:
    """How many staged readings name a meter the series copy does not know."""
    return f"SELECT count(*) FROM {table} i ANTI JOIN cur_meters m ON m.code = i.meter_code"


def drop_staged(table: str) -> str:
    return f"DROP TABLE {table}"


INCOMING_DAYS = "SELECT DISTINCT day FROM inc ORDER BY day"
REPLACED = """
CREATE TEMP TABLE replaced AS
SELECT i.meter_code, i.day, o.import_kwh AS old_import_kwh, o.export_kwh AS old_export_kwh,
       i.import_kwh AS new_import_kwh, i.export_kwh AS new_export_kwh,
       $at::TIMESTAMP AS replaced_at, $source AS source
FROM inc i JOIN old_readings o ON o.meter_id = i.meter_id AND o.day = i.day
WHERE i.import_kwh <> o.import_kwh OR i.export_kwh <> o.export_kwh
"""
REPLACED_COUNT = "SELECT count(*) FROM replaced"
INCOMING_COUNT = "SELECT count(*) FROM inc"
ADDED_COUNT = """
SELECT count(*) FROM inc i ANTI JOIN old_readings o ON o.meter_id = i.meter_id AND o.day = i.day
"""
TOUCHED_DAYS = """
SELECT DISTINCT day FROM (
    SELECT day FROM replaced
    UNION ALL
    SELECT i.day FROM inc i ANTI JOIN old_readings o ON o.meter_id = i.meter_id AND o.day = i.day
) ORDER BY day
"""
MERGED = """
CREATE TEMP TABLE merged AS
SELECT * FROM (
    SELECT o.meter_id, o.day, o.import_kwh, o.export_kwh FROM old_readings o
    ANTI JOIN inc i ON o.meter_id = i.meter_id AND o.day = i.day
    WHERE o.day IN (SELECT unnest($days::DATE[]))
    UNION ALL
    SELECT meter_id, day, import_kwh, export_kwh FROM inc
    WHERE day IN (SELECT unnest($days::DATE[]))
) ORDER BY day, meter_id
"""
MERGED_DAY = "SELECT * FROM merged WHERE day = $day"
REPLACED_ROWS = "SELECT * FROM replaced ORDER BY day, meter_code"

# --- curves.csv: one file per day, meter_id and p1..p96 (kW as registered) ------------------
CURVE_POINTS = tuple(f"p{i}" for i in range(1, 97))  # a day's 96 quarter hours
CURVE_COLUMNS = {"meter_id": "INTEGER"} | {p: "DOUBLE" for p in CURVE_POINTS}
METER_CODES = "SELECT code FROM read_parquet($file)"
METER_IDS_OF = "SELECT code, meter_id FROM read_parquet($file)"
CURVES_OF_DAY = "SELECT * FROM read_parquet($file) ORDER BY meter_id"
DAY_CURVES = "SELECT * FROM day_curves ORDER BY meter_id"
DROP_DAY_CURVES = "DROP TABLE IF EXISTS day_curves"

# A file's Parquet footer (schema and row groups): read without its data, to prove it readable.
PARQUET_FOOTER = "SELECT count(*) FROM parquet_metadata($file)"


# --- findings (graph.series.findings) ----------------------------------------------------------
# The areas analysed, each with its row in the analysis's arrays.
FINDING_AREAS = """
CREATE OR REPLACE TEMP TABLE finding_areas AS
SELECT unnest($areas::VARCHAR[]) AS area,
       (generate_subscripts($areas::VARCHAR[], 1) - 1)::INTEGER AS a
"""
# Their meters' intervals in the period [$first, $after), clipped to it.
FINDING_SERVICE = """
CREATE OR REPLACE TEMP TABLE finding_service AS
SELECT m.meter_id, a.a, m.role, m.multiplier::DOUBLE AS multiplier,
       greatest(m.valid_from, $first::DATE) AS from_day,
       least(m.valid_to, $after::DATE) AS to_day
FROM read_parquet($memberships) m JOIN finding_areas a USING (area)
WHERE m.valid_from < $after::DATE AND $first::DATE < m.valid_to
"""
# Each meter met once, with its row (by id) and code.
FINDING_METERS = """
CREATE OR REPLACE TEMP TABLE finding_meters AS
SELECT s.meter_id, k.code, (row_number() OVER (ORDER BY s.meter_id) - 1)::INTEGER AS i
FROM (SELECT DISTINCT meter_id FROM finding_service) s
JOIN read_parquet($meters) k USING (meter_id)
"""
FINDING_METER_CODES = "SELECT code FROM finding_meters ORDER BY i"
FINDING_INTERVALS = f"""
SELECT f.i, s.a, (s.role = {GATE})::INTEGER + 2 * (s.role = 'pv')::INTEGER AS role,
       s.multiplier, (s.from_day - $first::DATE)::INTEGER AS lo,
       (s.to_day - $first::DATE)::INTEGER AS hi
FROM finding_service s JOIN finding_meters f USING (meter_id)
"""
# One day's registers of the analysed meters (before their multipliers).
FINDING_DAY = """
SELECT f.i, r.import_kwh::DOUBLE AS import_kwh, r.export_kwh::DOUBLE AS export_kwh
FROM read_parquet($file) r JOIN finding_meters f USING (meter_id)
"""
# The feeder of each area on a day (SUPPLIES: feeder -> transformer).
FINDING_FEEDERS = """
SELECT child, parent FROM read_parquet($links)
WHERE rel = 'SUPPLIES' AND valid_from <= $day AND $day < valid_to
"""
# What an area's findings over [$first, $after) depend on, as checksums (graph.series.findings
# .kept): its meters' intervals in the period, and each day's balance with the checksum of
# its readings (NULL in a month file written before checksums were kept: never reused).
FINDING_PRINT_SERVICE = """
SELECT area, bit_xor(hash(meter_id, role, multiplier, greatest(valid_from, $first::DATE),
                          least(valid_to, $after::DATE))), count(*)
FROM read_parquet($memberships)
WHERE area IN (SELECT unnest($areas::VARCHAR[]))
  AND valid_from < $after::DATE AND $first::DATE < valid_to
GROUP BY area
"""
FINDING_PRINT_CHECKSUMS = """
SELECT count(DISTINCT file_name) FROM parquet_schema($files) WHERE name = 'readings_hash'
"""
FINDING_PRINT_BALANCES = """
SELECT area, bit_xor(hash(day, gate_read, meter_read, gate_net_kwh, export_kwh, sales_kwh,
                          readings_hash)),
       count(*), count(*) FILTER (WHERE readings_hash IS NULL)
FROM read_parquet($files, union_by_name = true)
WHERE area IN (SELECT unnest($areas::VARCHAR[])) AND $first::DATE <= day AND day < $after::DATE
GROUP BY area
"""
