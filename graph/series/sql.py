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


# One query for all the meters a GraphQL list asks (an area's page of meters, say).
METER_READINGS = """
WITH keys AS (
    SELECT code, meter_id, multiplier FROM read_parquet($meters)
    WHERE code IN (SELECT unnest($codes::VARCHAR[]))
)
SELECT k.code, r.day, r.import_kwh, r.export_kwh, k.multiplier
FROM read_parquet($files) r JOIN keys k ON k.meter_id = r.meter_id
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
