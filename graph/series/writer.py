"""Writes to the series folder: the topology copy that loss needs, readings, balances.

Every write happens under the folder's writer lock, computes new Parquet files, then publishes
one new manifest (see `graph.series.files`). Balances are recomputed for exactly the days (and,
after a topology change, the areas) that a write touched, never for the whole history.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from graph.domain.changes import ChangeSet
from graph.domain.model import FOREVER, Kind, Rel
from graph.series import sql
from graph.series.files import Manifest, SeriesFolder, next_generation
from graph.series.technical.materialize import technical_rows, with_tied_areas
from graph.series.technical.network import LvLine
from graph.stores.contract import Progress, Store

# Relationships that place an area in the network and org trees (roll-ups walk them).
PLACEMENT_RELS = (Rel.SUPPLIES, Rel.FEEDS, Rel.TRANSFORMER_OWNER, Rel.ORG_PARENT)


def connect(folder: SeriesFolder) -> duckdb.DuckDBPyConnection:
    """A working in-memory database that may spill to the series folder's tmp/."""
    con = duckdb.connect()
    tmp = folder.root / "tmp"
    tmp.mkdir(exist_ok=True)
    for setting in sql.SETTINGS:
        con.execute(setting, {"tmp": str(tmp)} if "$tmp" in setting else None)
    return con


def table_of(
    con: duckdb.DuckDBPyConnection, folder: SeriesFolder, files: list[str], empty: str, name: str
) -> None:
    """Create view `name` over `files` (or an empty table of the same shape)."""
    if files:
        con.execute(sql.view_over(name, [folder.path(f) for f in files]))
    else:
        con.execute(sql.empty_view(name, empty))


def write_csv(path: Path, header: tuple[str, ...], rows: Iterable[tuple[object, ...]]) -> None:
    """Rows from Python into a CSV file that `table_from_csv` reads back (the DuckDB package
    here ingests no Python lists quickly; a file of a million rows takes well under a second)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def table_from_csv(
    con: duckdb.DuckDBPyConnection, name: str, path: Path, columns: dict[str, str]
) -> None:
    """Temp table `name` (a fixed name of ours) from a CSV file with a header, typed."""
    con.execute(sql.table_from_csv(name), {"path": str(path), "columns": columns})


@dataclass(frozen=True)
class SyncReport:
    changed_areas: int
    recomputed_days: int
    published: bool


def _table(
    con: duckdb.DuckDBPyConnection,
    tmp: Path,
    name: str,
    columns: dict[str, str],
    rows: Iterable[tuple[object, ...]],
) -> None:
    """Temp table `name` (a fixed name of ours) of `rows`, typed by `columns` (in order),
    through a CSV file in `tmp`."""
    path = tmp / f"{name}.csv"
    write_csv(path, tuple(columns), rows)
    table_from_csv(con, name, path, columns)


_DATES = {"valid_from": "DATE", "valid_to": "DATE"}


def _dump_store(con: duckdb.DuckDBPyConnection, store: Store, tmp: Path) -> None:
    """Copy what loss needs from the topology store into working tables."""
    # Every interval of every meter's values, in one pass; DuckDB merges the adjacent ones
    # that agree on role and multiplier and takes the current values from the open ones.
    values = (
        (i.code, a.get("role"), a.get("multiplier") or 1, a.get("node"), i.valid_from, i.valid_to)
        for i in store.scan_attr_intervals(Kind.METER)
        for a in (i.attrs,)
    )
    meter_columns = {"code": "VARCHAR", "role": "VARCHAR", "multiplier": sql.MULTIPLIER}
    _table(con, tmp, "raw_meter_values", meter_columns | {"node": "VARCHAR"} | _DATES, values)
    con.execute(sql.STORE_METER_VALUES)
    con.execute(sql.STORE_METERS, {"forever": FOREVER})
    memberships = (
        (k.child, k.parent, k.valid_from, k.valid_to) for k in store.scan_links(Rel.HAS_METER)
    )
    membership_columns = {"meter_code": "VARCHAR", "area": "VARCHAR"} | _DATES
    _table(con, tmp, "store_memberships", membership_columns, memberships)

    def links() -> Iterator[tuple[object, ...]]:
        for rel in PLACEMENT_RELS:
            for k in store.scan_links(rel):
                yield (rel.value, k.parent, k.child, k.valid_from, k.valid_to)

    link_columns = {"rel": "VARCHAR", "parent": "VARCHAR", "child": "VARCHAR"} | _DATES
    _table(con, tmp, "new_links", link_columns, links())
    transformers = ((e.code,) for e in store.scan_entities(Kind.TRANSFORMER))
    _table(con, tmp, "new_transformers", {"code": "VARCHAR"}, transformers)
    _dump_technical(con, store, tmp)


def _dump_technical(con: duckdb.DuckDBPyConnection, store: Store, tmp: Path) -> None:
    """What technical loss needs beyond the meters: each area's lines and its capacity and
    supply radius, over time (the meters' nodes come with their values)."""
    links = ((k.parent, k.child, k.valid_from, k.valid_to) for k in store.scan_links(Rel.HAS_LINE))
    _table(con, tmp, "raw_line_links", {"area": "VARCHAR", "line": "VARCHAR"} | _DATES, links)
    lines = (
        (line.code, line.from_node, line.to_node, line.r_ohm, line.x_ohm, i.valid_from, i.valid_to)
        for i in store.scan_attr_intervals(Kind.LV_LINE)
        for line in (LvLine.of(i.code, i.attrs),)
    )
    ends = {"line": "VARCHAR", "from_node": "VARCHAR", "to_node": "VARCHAR"}
    ohms = {"r_ohm": "DOUBLE", "x_ohm": "DOUBLE"}
    _table(con, tmp, "raw_line_values", ends | ohms | _DATES, lines)
    con.execute(sql.LV_LINES)
    params = (
        (i.code, i.attrs.get("capacity_kva"), i.attrs.get("supply_radius_km"), i.valid_from,
         i.valid_to)
        for i in store.scan_attr_intervals(Kind.TRANSFORMER)
    )  # fmt: skip
    param_columns = {"area": "VARCHAR", "capacity_kva": "DOUBLE", "supply_radius_km": "DOUBLE"}
    _table(con, tmp, "raw_area_params", param_columns | _DATES, params)
    con.execute(sql.AREA_PARAMS)


def _differs(con: duckdb.DuckDBPyConnection, a: str, b: str) -> bool:
    row = con.execute(sql.differs(a, b)).fetchone()
    return bool(row and row[0])


def sync_topology(
    folder: SeriesFolder,
    store: Store,
    progress: Progress | None = None,
    only_if_behind: bool = False,
) -> SyncReport:
    """Bring the series folder's copy of the topology in step with `store` and recompute the
    balances of the areas whose meters changed, from the first day they changed. With
    `only_if_behind`, nothing when the copy is in step once the writer lock is held (another
    process synced while this one waited for it)."""
    with folder.writing() as current, tempfile.TemporaryDirectory(dir=folder.root) as tmp:
        if only_if_behind and not behind(current, store):
            return SyncReport(0, 0, False)
        con = connect(folder)
        try:
            return _sync(folder, store, current, con, Path(tmp), progress or (lambda _: None))
        finally:
            con.close()


def _sync(
    folder: SeriesFolder,
    store: Store,
    current: Manifest,
    con: duckdb.DuckDBPyConnection,
    tmp: Path,
    say: Progress,
) -> SyncReport:
    """sync_topology's work, under the writer lock."""
    # Read first: a write landing during the dump leaves the copy marked behind, not ahead.
    version = store.version()
    _dump_store(con, store, tmp)
    topo = current.topology
    for name in ("meters", "meter_values", "memberships"):
        table_of(con, folder, [topo[name]] if name in topo else [], name, f"old_{name}")
    for name in ("links", "transformers"):
        if name in topo:
            con.execute(sql.view_over(f"old_{name}", [folder.path(topo[name])]))
        else:
            con.execute(sql.view_like(f"old_{name}", f"new_{name}"))
    con.execute(sql.METER_IDS)
    con.execute(sql.METER_VALUES)
    con.execute(sql.MEMBERSHIPS)
    con.execute(sql.METER_NODES)
    # A copy made before technical loss was kept: every balance is recomputed once.
    technical_copy = all(name in topo for name in sql.TECHNICAL_TABLES)
    for name in sql.TECHNICAL_TABLES:
        table_of(con, folder, [topo[name]] if technical_copy else [], name, f"old_{name}")
    changes = con.execute(sql.MEMBERSHIP_CHANGES).fetchall()
    changes += con.execute(sql.TECHNICAL_CHANGES).fetchall()
    unchanged = (
        not changes
        and topo
        and technical_copy
        and "meter_values" in topo  # a copy made before attributes were dated: rewrite it
        and not _differs(con, "meters", "old_meters")
        and not _differs(con, "meter_values", "old_meter_values")
        and not _differs(con, "new_links", "old_links")
        and not _differs(con, "new_transformers", "old_transformers")
    )
    if unchanged:
        moved = current.topology_stale or current.graph_version != version
        if moved:
            done = next_generation(current, topology_stale=False, graph_version=version)
            folder.publish(current, done)
        return SyncReport(0, 0, moved)
    areas: list[str] | None = sorted({area for area, _ in changes})
    since = min((day for _, day in changes), default=FOREVER)
    if not technical_copy:
        areas, since = None, dt.date.min
    days = sorted(d for d in current.readings if dt.date.fromisoformat(d) >= since)
    gen = current.generation + 1
    topology: dict[str, str] = {}
    for name, query in sql.TOPOLOGY_FILES.items():
        topology[name] = folder.new_name(gen, "topology", name)
        con.execute(sql.copy_to(query, folder.path(topology[name])))
    topology["spans"] = folder.new_name(gen, "topology", "spans")
    con.execute(sql.copy_to(sql.SPANS, folder.path(topology["spans"])), {"forever": FOREVER})
    balances = dict(current.balances)
    if days and (areas is None or areas):
        which = "every area" if areas is None else f"{len(areas):,} areas"
        say(f"recomputing balances of {which} over {len(days):,} days")
        reading_files = [current.readings[d] for d in days]
        balances = recompute_balances(con, folder, current, gen, days, reading_files, areas, say)
    folder.publish(
        current,
        next_generation(
            current,
            topology=topology,
            balances=balances,
            topology_stale=False,
            graph_version=version,
        ),
    )
    if areas is None:
        row = con.execute(sql.AREA_COUNT).fetchone()
        return SyncReport(int(row[0]) if row else 0, len(days), True)
    return SyncReport(len(areas), len(days), True)


def behind(manifest: Manifest, store: Store) -> bool:
    """Whether the copy may not be the store's topology: missing, marked stale by a write
    that has not synced (a crash, a full disk), or of another graph version."""
    return (
        not manifest.topology
        or "meter_values" not in manifest.topology  # made before attributes were dated
        or manifest.topology_stale
        or manifest.graph_version != store.version()
    )


def ensure_synced(folder: SeriesFolder, store: Store, progress: Progress | None = None) -> bool:
    """Sync the series copy of the topology when it is behind the store. True when it
    synced."""
    if not behind(folder.read(), store):
        return False
    if progress:
        progress("syncing the series copy of the topology")
    return sync_topology(folder, store, progress, only_if_behind=True).published


def advance_version(folder: SeriesFolder, before: int, after: int) -> None:
    """After a write loss does not read (version `before` -> `after`): a copy that mirrored
    `before` mirrors `after` too, without a sync. Any other copy is left to be synced."""
    with folder.writing() as current:
        if not current.topology_stale and current.graph_version == before:
            folder.publish(current, next_generation(current, graph_version=after))


def mark_topology_stale(folder: SeriesFolder) -> None:
    """Record, before a topology write, that the copy will need a sync (survives a crash)."""
    with folder.writing() as current:
        if not current.topology_stale:
            folder.publish(current, next_generation(current, topology_stale=True))


# What the copy holds: meters (code, role, multiplier, node), their areas, the placement links,
# the transformers (code, capacity, supply radius) and the areas' lines. A change to anything
# else (customers, names, collection evidence) leaves loss as it was.
_LOSS_RELS = frozenset({Rel.HAS_METER, Rel.HAS_LINE, *PLACEMENT_RELS})
_LOSS_KINDS = (Kind.METER, Kind.TRANSFORMER, Kind.LV_LINE)


def touches_loss(changes: ChangeSet) -> bool:
    """Whether writing `changes` changes what loss reads (and so needs a sync)."""
    return (
        any(link.rel in _LOSS_RELS for link in changes.opened)
        or any(close.rel in _LOSS_RELS for close in changes.closed)
        or any(changes.created.get(kind) for kind in _LOSS_KINDS)
        or any(changes.updated.get(kind) for kind in _LOSS_KINDS)
    )


def first_day_changed(changes: ChangeSet) -> dt.date | None:
    """The first day whose loss answers `changes` can change (None: none can): the earliest
    date of a loss-relevant interval it opens or closes, or of new values of a meter, a
    transformer or a line."""
    days = [link.valid_from for link in changes.opened if link.rel in _LOSS_RELS]
    days += [close.valid_to for close in changes.closed if close.rel in _LOSS_RELS]
    if any(changes.updated.get(kind) for kind in _LOSS_KINDS):
        days.append(changes.update_day())
    return min(days, default=None)


def corrected_days(changes: ChangeSet, manifest: Manifest) -> list[str]:
    """The days with readings whose loss `changes` recomputes: a write dated on or before
    the last day read corrects figures that may have been reported."""
    since = first_day_changed(changes)
    if since is None:
        return []
    return sorted(d for d in manifest.readings if d >= since.isoformat())


def technical_views(
    con: duckdb.DuckDBPyConnection, folder: SeriesFolder, current: Manifest
) -> None:
    """Views over the copy's technical tables (empty ones for a copy made before them)."""
    topo = current.topology
    for name in sql.TECHNICAL_TABLES:
        table_of(con, folder, [topo[name]] if name in topo else [], name, name)


def _fresh_technical(
    con: duckdb.DuckDBPyConnection,
    folder: SeriesFolder,
    day_files: dict[dt.date, str],
    curve_files: dict[dt.date, str],
    areas: list[str] | None,
    say: Progress | None,
) -> None:
    """Table fresh_technical: the technical loss of each recomputed area-day."""
    rows = technical_rows(
        con,
        {day: folder.path(f) for day, f in day_files.items()},
        {day: folder.path(f) for day, f in curve_files.items()},
        areas,
        folder.assumptions,
        say or (lambda _: None),
    )
    with tempfile.TemporaryDirectory(dir=folder.root) as tmp:
        con.execute(sql.DROP_FRESH_TECHNICAL)
        values = ((r.area, r.day, f"{r.loss_kwh:.4f}", r.method) for r in rows)
        _table(con, Path(tmp), "fresh_technical", sql.TECHNICAL_COLUMNS, values)


def recompute_balances(
    con: duckdb.DuckDBPyConnection,
    folder: SeriesFolder,
    current: Manifest,
    generation: int,
    days: list[str],
    reading_files: list[str],
    areas: list[str] | None,
    say: Progress | None = None,
    curve_files: dict[str, str] | None = None,
) -> dict[str, str]:
    """New month files in which the balances of `days` (of `areas` and those tied to them,
    or all) are recomputed from `reading_files` with the memberships in table `memberships`
    and, for technical loss, the tables of sql.TECHNICAL_TABLES; returns the new map."""
    if areas is not None:
        areas = with_tied_areas(con, areas)
    dates = [dt.date.fromisoformat(d) for d in days]
    params: dict[str, object] = {"files": [folder.path(f) for f in reading_files], "days": dates}
    area_filter = ""
    if areas is not None:
        area_filter = sql.AREA_FILTER
        params["areas"] = areas
    con.execute(sql.DROP_FRESH_BALANCES)
    con.execute(sql.FRESH_BALANCES.format(area_filter=area_filter), params)
    curves = current.curves if curve_files is None else curve_files
    _fresh_technical(
        con,
        folder,
        dict(zip(dates, reading_files, strict=True)),
        {d: curves[d.isoformat()] for d in dates if d.isoformat() in curves},
        areas,
        say,
    )
    balances = dict(current.balances)
    for month in sorted({d[:7] for d in days}):
        month_days = [dt.date.fromisoformat(d) for d in days if d[:7] == month]
        name = folder.new_name(generation, "balances", month)
        keep_old = month in current.balances
        month_params: dict[str, object] = {"days": month_days}
        if keep_old:
            month_params["old"] = folder.path(current.balances[month])
            if areas:
                month_params["areas"] = areas
        query = sql.month_balances(keep_old, bool(areas))
        con.execute(sql.copy_to(query, folder.path(name)), month_params)
        balances[month] = name
    return balances
