"""All DuckDB SQL of the time-series side, in one place. Parameters only; the few fragments that
vary (which scope, summary or series) are chosen from fixed strings below, never from input.

Energy is DECIMAL throughout, so sums are exact: a reading has at most 4 decimals
(DECIMAL(18,4)), a multiplier too (DECIMAL(12,4)), their products 8 (kept as DECIMAL(38,8)).
"""

from __future__ import annotations

KWH = "DECIMAL(18,4)"
MULTIPLIER = "DECIMAL(12,4)"
SUM_KWH = "DECIMAL(38,8)"
PARQUET = "(FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION V2)"

# --- topology copies (written by the sync) ------------------------------------------------
MEMBERSHIPS = """
SELECT m.meter_id, l.area, m.role, m.multiplier, l.valid_from, l.valid_to
FROM store_memberships l JOIN meters m ON m.code = l.meter_code
"""

# Piecewise-constant count of gate and customer/pv meters per area: +1 where an interval opens,
# -1 where it closes, running sums between consecutive change days.
SPANS = """
WITH ev AS (
    SELECT area, valid_from AS day, (role = 'gate')::INTEGER AS g, (role <> 'gate')::INTEGER AS m
    FROM memberships
    UNION ALL
    SELECT area, valid_to, -(role = 'gate')::INTEGER, -(role <> 'gate')::INTEGER
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
BALANCES = f"""
SELECT m.area, r.day,
       count(*) FILTER (WHERE m.role = 'gate')::INTEGER AS gate_read,
       count(*) FILTER (WHERE m.role <> 'gate')::INTEGER AS meter_read,
       coalesce(sum((r.import_kwh - r.export_kwh) * m.multiplier)
                FILTER (WHERE m.role = 'gate'), 0)::{SUM_KWH} AS gate_net_kwh,
       coalesce(sum(r.export_kwh * m.multiplier)
                FILTER (WHERE m.role <> 'gate'), 0)::{SUM_KWH} AS export_kwh,
       coalesce(sum(r.import_kwh * m.multiplier)
                FILTER (WHERE m.role <> 'gate'), 0)::{SUM_KWH} AS sales_kwh
FROM read_parquet($files) r
JOIN memberships m ON m.meter_id = r.meter_id AND m.valid_from <= r.day AND r.day < m.valid_to
WHERE r.day IN (SELECT unnest($days::DATE[])) {{area_filter}}
GROUP BY m.area, r.day
"""
AREA_FILTER = "AND m.area IN (SELECT unnest($areas::VARCHAR[]))"

EMPTY_BALANCES = f"""
CREATE TEMP TABLE {{name}} (area VARCHAR, day DATE, gate_read INTEGER, meter_read INTEGER,
    gate_net_kwh {SUM_KWH}, export_kwh {SUM_KWH}, sales_kwh {SUM_KWH})
"""

# --- loss queries (reader) ------------------------------------------------------------------
# Areas under each root on `on_day`: (root, area, on_day). $roots is a list of codes.
SCOPES = {
    "network": "SELECT '' AS root, t.code AS area, o.on_day FROM transformers t, on_days o",
    "transformer": """
        SELECT t.code AS root, t.code AS area, o.on_day FROM transformers t, on_days o
        WHERE t.code IN (SELECT unnest($roots::VARCHAR[]))""",
    "feeder": """
        SELECT l.parent AS root, l.child AS area, o.on_day FROM links l, on_days o
        WHERE l.rel = 'SUPPLIES' AND l.parent IN (SELECT unnest($roots::VARCHAR[]))
          AND l.valid_from <= o.on_day AND o.on_day < l.valid_to""",
    "substation": """
        SELECT f.parent AS root, t.child AS area, o.on_day FROM links f, links t, on_days o
        WHERE f.rel = 'FEEDS' AND f.parent IN (SELECT unnest($roots::VARCHAR[]))
          AND f.valid_from <= o.on_day AND o.on_day < f.valid_to
          AND t.rel = 'SUPPLIES' AND t.parent = f.child
          AND t.valid_from <= o.on_day AND o.on_day < t.valid_to""",
    # Units under a unit on each day, then the transformers they own on that day.
    "org": """
        SELECT u.root, l.child AS area, u.on_day FROM (
            WITH RECURSIVE units(root, unit, on_day) AS (
                SELECT r, r, o.on_day FROM (SELECT unnest($roots::VARCHAR[]) AS r), on_days o
                UNION
                SELECT u.root, l.child, u.on_day FROM units u JOIN links l
                  ON l.rel = 'PARENT_OF' AND l.parent = u.unit
                 AND l.valid_from <= u.on_day AND u.on_day < l.valid_to
            ) SELECT * FROM units
        ) u JOIN links l ON l.rel = 'OWNS_TRANSFORMER' AND l.parent = u.unit
                        AND l.valid_from <= u.on_day AND u.on_day < l.valid_to""",
}

# A summary judges the period by the subtree on its last day; a series judges each day by
# that day's subtree.
ON_DAYS = {
    "summary": "SELECT $to::DATE AS on_day",
    "series": "SELECT day AS on_day FROM days",
}
GRID = {
    "summary": "SELECT s.root, s.area, d.day, s.on_day AS bucket FROM scope s, days d",
    "series": "SELECT s.root, s.area, s.on_day AS day, s.on_day AS bucket FROM scope s",
}

# Every area of the grid judged over its bucket (the whole period, or one day).
CLASSIFIED = f"""
WITH days AS (
    SELECT unnest(generate_series($from::DATE, $to::DATE, INTERVAL 1 DAY))::DATE AS day
), on_days AS ({{on_days}}),
scope AS ({{scope}}),
grid AS ({{grid}}),
areas AS (SELECT DISTINCT area FROM grid),
bal AS (
    SELECT b.* FROM {{balances}} b
    WHERE b.day BETWEEN $from AND $to AND b.area IN (SELECT area FROM areas)
),
cnt AS (
    SELECT s.area, d.day, s.gates, s.meters FROM spans s JOIN days d
      ON s.valid_from <= d.day AND d.day < s.valid_to
    WHERE s.area IN (SELECT area FROM areas)
),
per_area AS (
    SELECT g.root, g.bucket, g.area,
           count(*)::INTEGER AS days,
           (count(*) FILTER (WHERE coalesce(c.gates, 0) > 0))::INTEGER AS gate_days,
           coalesce(sum(c.gates), 0)::BIGINT AS gate_expected,
           coalesce(sum(b.gate_read), 0)::BIGINT AS gate_read,
           coalesce(sum(c.meters), 0)::BIGINT AS meter_expected,
           coalesce(sum(b.meter_read), 0)::BIGINT AS meter_read,
           (coalesce(sum(b.gate_net_kwh), 0) + coalesce(sum(b.export_kwh), 0))::{SUM_KWH}
               AS supply_kwh,
           coalesce(sum(b.sales_kwh), 0)::{SUM_KWH} AS sales_kwh
    FROM grid g
    LEFT JOIN cnt c ON c.area = g.area AND c.day = g.day
    LEFT JOIN bal b ON b.area = g.area AND b.day = g.day
    GROUP BY g.root, g.bucket, g.area
),
flagged AS (
    SELECT *, (supply_kwh - sales_kwh)::{SUM_KWH} AS loss_kwh,
           gate_days < days AS no_gate,
           gate_read < gate_expected AS gate_missing,
           supply_kwh <= 0 AS no_supply,
           meter_read < $min_coverage::DECIMAL(9,6) * meter_expected AS low_coverage
    FROM per_area
)
SELECT *,
       CASE WHEN no_gate OR gate_missing OR no_supply OR low_coverage THEN 'UNCOMPUTABLE'
            WHEN loss_kwh < 0 THEN 'NEGATIVE'
            WHEN loss_kwh > $high_rate::DECIMAL(9,6) * supply_kwh THEN 'HIGH'
            ELSE 'NORMAL' END AS status,
       CASE WHEN supply_kwh > 0 THEN loss_kwh::DOUBLE / supply_kwh::DOUBLE END AS rate_order
FROM flagged
"""

ROLLUP = f"""
SELECT root, bucket,
       count(*)::INTEGER AS transformer_count,
       (count(*) FILTER (WHERE status = 'NORMAL'))::INTEGER AS normal_count,
       (count(*) FILTER (WHERE status = 'HIGH'))::INTEGER AS high_count,
       (count(*) FILTER (WHERE status = 'NEGATIVE'))::INTEGER AS negative_count,
       (count(*) FILTER (WHERE status = 'UNCOMPUTABLE'))::INTEGER AS uncomputable_count,
       coalesce(sum(supply_kwh) FILTER (WHERE status <> 'UNCOMPUTABLE'), 0)::{SUM_KWH}
           AS supply_kwh,
       coalesce(sum(sales_kwh) FILTER (WHERE status <> 'UNCOMPUTABLE'), 0)::{SUM_KWH}
           AS sales_kwh,
       coalesce(sum(loss_kwh) FILTER (WHERE status <> 'UNCOMPUTABLE'), 0)::{SUM_KWH} AS loss_kwh,
       sum(meter_read)::BIGINT AS meter_read,
       sum(meter_expected)::BIGINT AS meter_expected
FROM classified GROUP BY root, bucket
"""

AREA_COLUMNS = (
    "root, area, days, gate_days, gate_expected, gate_read, meter_expected, meter_read, "
    "supply_kwh, sales_kwh, loss_kwh, no_gate, gate_missing, no_supply, low_coverage, status"
)
RANKING_ORDER = {
    "LOSS_RATE_DESC": "rate_order DESC NULLS LAST, area",
    "LOSS_RATE_ASC": "rate_order ASC NULLS LAST, area",
    "LOSS_KWH_DESC": "loss_kwh DESC, area",
}
RANKING = f"""
SELECT {AREA_COLUMNS}, count(*) OVER () AS total
FROM classified WHERE status IN (SELECT unnest($statuses::VARCHAR[]))
ORDER BY {{order}} LIMIT $limit OFFSET $offset
"""
AREAS = f"SELECT {AREA_COLUMNS} FROM classified"
BALANCE_SOURCES = {"files": "read_parquet($balances)", "none": "no_balances"}

METER_READINGS = """
SELECT r.day, r.import_kwh, r.export_kwh
FROM read_parquet($files) r WHERE r.meter_id = $meter_id AND r.day BETWEEN $from AND $to
ORDER BY r.day
"""
METER_KEYS = """
SELECT code, meter_id, multiplier FROM read_parquet($file)
WHERE code IN (SELECT unnest($codes::VARCHAR[]))
"""
CORRECTIONS = """
SELECT meter_code, day, replaced_at, source, old_import_kwh, old_export_kwh, new_import_kwh,
       new_export_kwh
FROM read_parquet($files)
WHERE meter_code IN (SELECT unnest($codes::VARCHAR[])) AND day BETWEEN $from AND $to
ORDER BY meter_code, day, replaced_at
"""
