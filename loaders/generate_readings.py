"""Deterministic synthetic daily readings for a generated network folder (demo and benchmarks).

Written by DuckDB straight from the folder's meters.csv, so 31 days of a million meters take
seconds, not the minutes a Python loop would. Every value derives from md5(seed, meter, day):
the same folder, start, days and seed always give the same file.

What the areas look like, so that every loss status shows up:
- customer meters read 1-13 kWh a day (large customers behind CTs far more), PV meters export
  up to 15 kWh; about 0.5 % of customer meter-days are unread;
- each area has a true loss rate of 2-8 %; the gate meter measures sales plus that loss;
- about 3 % of areas lose 12-25 % (HIGH), 2 % have a gate multiplier that is twice the real
  one in the archive (NEGATIVE), 2 % miss one day of gate readings and 1 % have about 6 % of
  their customer meter-days unread (both UNCOMPUTABLE).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from graph.series.sql import GATE, literal

_SQL = """
COPY (
WITH meters AS (
    SELECT meter_code, transformer_code AS area, role, coalesce(multiplier, 1)::DOUBLE AS mult
    FROM read_csv($meters, header = true, all_varchar = false)
),
days AS (
    SELECT unnest(generate_series($start::DATE, $end::DATE, INTERVAL 1 DAY))::DATE AS day
),
areas AS (
    SELECT area,
           (md5_number($seed || area || 'kind') % 1000)::INTEGER AS kind,
           0.02 + (md5_number($seed || area || 'rate') % 1000) / 1000.0 * 0.06 AS normal_rate,
           0.12 + (md5_number($seed || area || 'high') % 1000) / 1000.0 * 0.13 AS high_rate,
           (md5_number($seed || area || 'gap') % $days)::INTEGER AS gap_day
    FROM (SELECT DISTINCT area FROM meters)
),
usage AS (
    SELECT m.meter_code, m.area, m.role, m.mult, d.day,
           (md5_number($seed || m.meter_code || d.day || 'u') % 1000000) / 1000000.0 AS u,
           (md5_number($seed || m.meter_code || d.day || 'r') % 1000000) / 1000000.0 AS r
    FROM meters m, days d WHERE m.role <> {gate}
),
customer AS (
    SELECT u.meter_code, u.area, u.day, u.mult,
           CASE WHEN u.role = 'pv' THEN round(u.u * 0.5, 2)
                WHEN u.mult > 1 THEN round((200 + u.u * 1800) / u.mult, 2)
                ELSE round(1 + u.u * 12, 2) END AS import_raw,
           CASE WHEN u.role = 'pv' THEN round(3 + u.u * 12, 2) ELSE 0 END AS export_raw,
           u.r < 0.005 OR (a.kind BETWEEN 70 AND 79 AND u.r < 0.06) AS unread
    FROM usage u JOIN areas a USING (area)
),
area_day AS (
    SELECT area, day, sum(import_raw * mult) AS sales, sum(export_raw * mult) AS pv_export
    FROM customer GROUP BY area, day
),
gate AS (
    SELECT m.meter_code, m.area, d.day,
           m.mult * CASE WHEN a.kind BETWEEN 30 AND 49 THEN 2 ELSE 1 END AS archive_mult,
           coalesce(s.sales, 0)
             / (1 - CASE WHEN a.kind < 30 THEN a.high_rate ELSE a.normal_rate END)
             - coalesce(s.pv_export, 0) AS net,
           a.kind BETWEEN 50 AND 69 AND d.day = $start::DATE + a.gap_day AS unread
    FROM meters m JOIN areas a USING (area) CROSS JOIN days d
    LEFT JOIN area_day s ON s.area = m.area AND s.day = d.day
    WHERE m.role = {gate}
)
SELECT meter_code, day AS date, import_kwh, export_kwh FROM (
    SELECT meter_code, day, round(greatest(net, 0) / archive_mult, 2)::DECIMAL(18, 2)::VARCHAR
               AS import_kwh,
           CASE WHEN net < 0 THEN round(-net / archive_mult, 2)::DECIMAL(18, 2)::VARCHAR
                ELSE '' END AS export_kwh
    FROM gate WHERE NOT unread
    UNION ALL
    SELECT meter_code, day, import_raw::DECIMAL(18, 2)::VARCHAR,
           CASE WHEN export_raw > 0 THEN export_raw::DECIMAL(18, 2)::VARCHAR ELSE '' END
    FROM customer WHERE NOT unread
) ORDER BY day, meter_code
) TO {target} (HEADER, DELIMITER ',', QUOTE '')
"""


def write_readings(folder: Path, start: dt.date, days: int, seed: int = 1) -> int:
    """Write `folder`/readings.csv for `days` days from `start`; returns the number of rows."""
    target = Path(folder) / "readings.csv"
    con = duckdb.connect()
    params = {
        "meters": str(Path(folder) / "meters.csv"),
        "start": start,
        "end": start + dt.timedelta(days=days - 1),
        "days": days,
        "seed": str(seed),
    }
    con.execute(_SQL.format(target=literal(str(target)), gate=GATE), params)
    row = con.execute(
        "SELECT count(*) FROM read_csv($p, header = true, all_varchar = true)", {"p": str(target)}
    ).fetchone()
    con.close()
    return int(row[0]) if row else 0
