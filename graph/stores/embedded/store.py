"""EmbeddedStore: the default store, in-process, persisted under TAIQU_HOME.

Topology lives in one SQLite file (`topology.sqlite3`): every write is one transaction, so a
crash mid-write leaves the previous state intact, and WAL mode lets a `taiqu load` process
write while `taiqu serve` reads. Tree walks over the org hierarchy use networkx.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import networkx as nx
import orjson

from graph.domain import clock, deadline
from graph.domain.access import Principal, principal_from_json, principal_to_json, revoked
from graph.domain.changes import ChangeSet, ChangesetRecord
from graph.domain.errors import InputError, StalePlan, StoreError
from graph.domain.intervals import can_change_values_on, can_end_on
from graph.domain.model import (
    BEGINNING,
    FOREVER,
    REL_SPECS,
    AttrInterval,
    Entity,
    Kind,
    Link,
    Rel,
)
from graph.domain.search_key import search_key
from graph.domain.stamped import Stamped, StampedValues
from graph.domain.targets import Target
from graph.stores.contract import Direction, Page, Progress, ReadDisagreement
from graph.stores.embedded import sql as q
from graph.stores.tree import Step, Tree, fetch_tree_by_levels
from graph.stores.within import within_units

DB_FILE = "topology.sqlite3"
_CHUNK = 500  # codes per IN-list / executemany batch
_DEADLINE_CHECK_EVERY = 20_000  # SQLite VM steps between checks of a request's time limit
_BEGINNING = BEGINNING.isoformat()
BULK_LOOKUP = 20_000  # above this many codes, scan the relationship instead of IN-lists


@functools.lru_cache(maxsize=8192)
def _day(value: str) -> dt.date:
    # Cached: a million intervals share a few hundred dates, and parsing each costs 1.5 us.
    return dt.date.fromisoformat(value)


def _entity(kind: Kind, code: str, attrs_json: str, attrs_from: str = _BEGINNING) -> Entity:
    attrs = orjson.loads(attrs_json)  # 4x json.loads: scans decode millions
    if attrs_from == _BEGINNING:  # nearly every entity: no date to parse
        return Entity(kind, code, attrs)
    return Entity(kind, code, attrs, _day(attrs_from))


def _interval(kind: Kind, row: tuple[str, str, str, str, str | None, str | None]) -> AttrInterval:
    code, attrs, start, end, opened_by, closed_by = row
    return AttrInterval(
        kind, code, orjson.loads(attrs), _day(start), _day(end), opened_by, closed_by
    )


class EmbeddedStore:
    """SQLite-backed store; one connection per thread (the API reads from worker threads)."""

    in_process = True  # reads are local SQLite calls

    def __init__(self, home: Path, read_only: bool = False) -> None:
        """`read_only`: a home that cannot be written (a read-only mount, a copy for reports):
        the file is opened immutable, nothing is created or migrated, every write refused."""
        self.home = Path(home)
        self.read_only = read_only
        if not read_only:
            self.home.mkdir(parents=True, exist_ok=True)
        self.path = self.home / DB_FILE
        if read_only and not self.path.is_file():
            raise StoreError(f"{self.path} does not exist (the home is read-only)")
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._opened: list[sqlite3.Connection] = []  # every thread's, so close() closes all
        self._opened_lock = threading.Lock()  # not _write_lock: apply may open a connection
        conn = self._connection()
        if not read_only:
            conn.executescript(q.SCHEMA)
        try:
            version = conn.execute(q.SCHEMA_VERSION_OF).fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a Taiqu topology: {exc}") from exc
        if read_only and version != q.SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}, this Taiqu needs "
                f"{q.SCHEMA_VERSION}, and a read-only home cannot be migrated"
            )
        if version == "2":
            conn.executescript(q.MIGRATE_2_TO_3)
            version = "3"
        if version == "3":
            conn.executescript(q.MIGRATE_3_TO_4)
            version = "4"
        if version == "4":
            conn.executescript(q.MIGRATE_4_TO_5)
            version = q.SCHEMA_VERSION
        if version != q.SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}, this Taiqu needs "
                f"{q.SCHEMA_VERSION}: move it away and load the network again"
            )
        if not read_only:
            conn.executescript(q.STAMP_INDEXES)

    # --- connections ---------------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self.read_only:  # immutable: no lock, no -wal or -shm file to create
                uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
                conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            else:
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("PRAGMA cache_size=-65536")  # 64 MiB per connection
            # A request past its time limit: SQLite aborts the statement ("interrupted").
            conn.set_progress_handler(deadline.passed, _DEADLINE_CHECK_EVERY)
            self._local.conn = conn
            with self._opened_lock:
                self._opened.append(conn)
        return conn

    def close(self) -> None:
        with self._opened_lock:
            for conn in self._opened:
                conn.close()
            self._opened.clear()
        self._local = threading.local()

    def ping(self) -> None:
        self._connection().execute("SELECT 1 FROM meta LIMIT 1").fetchone()

    def check(self, deep: bool = False) -> list[str]:
        """SQLite's own check of every page (`quick_check`) when `deep`, else a ping."""
        if not deep:
            self.ping()
            return []
        try:
            rows = [r[0] for r in self._connection().execute("PRAGMA quick_check")]
        except sqlite3.DatabaseError as exc:
            return [f"{self.path}: {exc}"]
        return [] if rows == ["ok"] else [f"{self.path}: {row}" for row in rows[:10]]

    # --- reads ---------------------------------------------------------------------------
    def _chunks(self, codes: Sequence[str]) -> Iterator[tuple[str, list[str]]]:
        """IN-list placeholders and the codes for each chunk of distinct `codes`."""
        unique = list(dict.fromkeys(codes))
        for i in range(0, len(unique), _CHUNK):
            chunk = unique[i : i + _CHUNK]
            yield ",".join("?" * len(chunk)), chunk

    def entities(self, kind: Kind, codes: Sequence[str]) -> dict[str, Entity]:
        conn = self._connection()
        found: dict[str, Entity] = {}
        for marks, chunk in self._chunks(codes):
            rows = conn.execute(q.ENTITIES.format(marks=marks), (kind.value, *chunk))
            found.update((c, _entity(kind, c, a, f)) for c, a, f in rows)
        return found

    def existing_codes(self, kind: Kind, codes: Sequence[str]) -> set[str]:
        conn = self._connection()
        found: set[str] = set()
        for marks, chunk in self._chunks(codes):
            rows = conn.execute(q.EXISTING_CODES.format(marks=marks), (kind.value, *chunk))
            found.update(r[0] for r in rows)
        return found

    def all_codes(self, kind: Kind) -> set[str]:
        return {r[0] for r in self._connection().execute(q.ALL_CODES, (kind.value,))}

    def neighbors(
        self, rel: Rel, codes: Sequence[str], as_of: dt.date, direction: Direction
    ) -> dict[str, list[Entity]]:
        spec = REL_SPECS[rel]
        other = spec.child if direction == "down" else spec.parent
        sql = q.NEIGHBORS_DOWN if direction == "down" else q.NEIGHBORS_UP
        day = as_of.isoformat()
        conn = self._connection()
        found: dict[str, list[Entity]] = {code: [] for code in codes}
        for marks, chunk in self._chunks(codes):
            args = (other.value, rel.value, *chunk, day, day)
            for code, c, a, f in conn.execute(sql.format(marks=marks), args):
                found[code].append(_entity(other, c, a, f))
        return found

    def child_pages(
        self,
        rel: Rel,
        parents: Sequence[str],
        as_of: dt.date,
        first: int,
        after: str | None,
        role: str | None = None,
    ) -> dict[str, Page]:
        child_kind = REL_SPECS[rel].child
        role_filter = q.ROLE_FILTER if role is not None else q.NO_FILTER
        count_sql = q.CHILD_PAGES_COUNT.format(role_filter=role_filter)
        page_sql = q.CHILD_PAGES.format(role_filter=role_filter)
        day = as_of.isoformat()
        extra = (role,) if role is not None else ()
        conn = self._connection()
        pages: dict[str, Page] = {}
        for parent in dict.fromkeys(parents):
            base = (child_kind.value, rel.value, parent, day, day)
            total = conn.execute(count_sql, base + extra).fetchone()[0]
            rows = conn.execute(page_sql, (*base, after or "", *extra, first + 1)).fetchall()
            items = [_entity(child_kind, c, a, f) for c, a, f in rows[:first]]
            pages[parent] = Page(items, total, len(rows) > first)
        return pages

    def _org_tree(self, conn: sqlite3.Connection, day: str) -> nx.DiGraph:
        """The org tree on `day` (a few hundred units: read whole, walked with networkx)."""
        tree = nx.DiGraph()
        tree.add_edges_from(conn.execute(q.ORG_TREE, (day, day)))
        return tree

    def org_transformer_pages(
        self, orgs: Sequence[str], as_of: dt.date, first: int, after: str | None
    ) -> dict[str, Page]:
        conn = self._connection()
        day = as_of.isoformat()
        pages: dict[str, Page] = {}
        tree = self._org_tree(conn, day)
        for org in dict.fromkeys(orgs):
            units = [org, *nx.descendants(tree, org)] if org in tree else [org]
            marks = ",".join("?" * len(units))
            args = (Rel.TRANSFORMER_OWNER.value, *units, day, day)
            count_sql = q.ORG_TRANSFORMER_PAGES_COUNT.format(marks=marks)
            total = conn.execute(count_sql, args).fetchone()[0]
            rows = conn.execute(
                q.ORG_TRANSFORMER_PAGES.format(marks=marks),
                (Kind.TRANSFORMER.value, *args, after or "", first + 1),
            ).fetchall()
            items = [_entity(Kind.TRANSFORMER, c, a, f) for c, a, f in rows[:first]]
            pages[org] = Page(items, total, len(rows) > first)
        return pages

    def fetch_tree(
        self,
        kind: Kind,
        code: str,
        as_of: dt.date,
        steps: tuple[Step, ...],
        within: frozenset[str] | None = None,
    ) -> Tree | None:
        # Local reads: a query per step and level costs no round trip.
        if within is not None and not within_units(self, kind, [code], as_of, within):
            return None
        return fetch_tree_by_levels(self, kind, code, as_of, steps)

    def entity_page(self, kind: Kind, as_of: dt.date, first: int, after: str | None) -> Page:
        conn = self._connection()
        args = {
            "kind": kind.value,
            "day": as_of.isoformat(),
            "after": after or "",
            "limit": first + 1,
        }
        total = conn.execute(q.ENTITY_PAGE_COUNT, args).fetchone()[0]
        rows = conn.execute(q.ENTITY_PAGE, args).fetchall()
        items = [_entity(kind, c, a, f) for c, a, f in rows[:first]]
        return Page(items, total, len(rows) > first)

    def search(
        self,
        text: str,
        kinds: Sequence[Kind],
        limit: int,
        within: frozenset[str] | None = None,
        as_of: dt.date | None = None,
    ) -> list[Entity]:
        needle = text.lower()
        wanted = list(dict.fromkeys(kinds))
        if not wanted:
            return []
        indexed = len(needle) >= q.TRIGRAM_MIN_CHARS
        sql = q.search(len(wanted), indexed, within is not None)
        params: dict[str, object] = {
            "needle": needle,
            "phrase": '"' + needle.replace('"', '""') + '"',
            "limit": limit,
        }
        if within is not None:
            params["units"] = json.dumps(sorted(within))
            params["as_of"] = (as_of or clock.today()).isoformat()
        params.update({f"k{i}": kind.value for i, kind in enumerate(wanted)})
        rows = self._connection().execute(sql, params)
        return [_entity(Kind(k), c, a, f) for k, c, a, f in rows]

    def open_links(self, rel: Rel, children: Sequence[str]) -> dict[str, Link]:
        conn = self._connection()
        found: dict[str, Link] = {}
        if len(children) > BULK_LOOKUP:
            # Most of a relationship: one scan beats thousands of IN-lists (1M meters: 2 s
            # instead of 12 s).
            wanted = set(children)
            rows = conn.execute(q.OPEN_LINKS_ALL, (rel.value, FOREVER.isoformat()))
            return {
                c: Link(rel, p, c, _day(f), FOREVER, detail=d) for c, p, f, d in rows if c in wanted
            }
        for marks, chunk in self._chunks(children):
            rows = conn.execute(
                q.OPEN_LINKS.format(marks=marks), (rel.value, FOREVER.isoformat(), *chunk)
            )
            found.update((c, Link(rel, p, c, _day(f), FOREVER, detail=d)) for c, p, f, d in rows)
        return found

    def open_parents(self, rel: Rel, children: Sequence[str]) -> dict[str, str]:
        if len(children) <= BULK_LOOKUP:
            return {c: lk.parent for c, lk in self.open_links(rel, children).items()}
        wanted = set(children)
        rows = self._connection().execute(q.OPEN_PARENTS_ALL, (rel.value, FOREVER.isoformat()))
        return {c: p for c, p in rows if c in wanted}

    def last_ends(self, rel: Rel, children: Sequence[str]) -> dict[str, dt.date]:
        conn = self._connection()
        found: dict[str, dt.date] = {}
        for marks, chunk in self._chunks(children):
            rows = conn.execute(q.LAST_ENDS.format(marks=marks), (rel.value, *chunk))
            found.update((c, _day(end)) for c, end in rows)
        return found

    def histories(self, rel: Rel, children: Sequence[str]) -> dict[str, list[Link]]:
        conn = self._connection()
        found: dict[str, list[Link]] = {child: [] for child in children}
        for marks, chunk in self._chunks(children):
            rows = conn.execute(q.HISTORIES.format(marks=marks), (rel.value, *chunk))
            for c, p, f, t, by, end, d in rows:
                found[c].append(Link(rel, p, c, _day(f), _day(t), by, end, d))
        return found

    def attrs_as_of(self, kind: Kind, codes: Sequence[str], day: dt.date) -> dict[str, Entity]:
        conn = self._connection()
        found: dict[str, Entity] = {}
        on = day.isoformat()
        for marks, chunk in self._chunks(codes):
            rows = conn.execute(q.PAST_ATTRS_ON.format(marks=marks), (kind.value, *chunk, on, on))
            found.update((c, _entity(kind, c, a, f)) for c, a, f in rows)
        return found

    def attr_histories(self, kind: Kind, codes: Sequence[str]) -> dict[str, list[AttrInterval]]:
        conn = self._connection()
        found: dict[str, list[AttrInterval]] = {code: [] for code in codes}
        forever = FOREVER.isoformat()
        for marks, chunk in self._chunks(codes):
            sql = q.ATTR_HISTORIES.format(marks=marks)
            args = (kind.value, *chunk, forever, kind.value, *chunk, forever)
            for row in conn.execute(sql, args):
                found[row[0]].append(_interval(kind, row))
        return found

    def scan_attr_intervals(self, kind: Kind) -> Iterator[AttrInterval]:
        forever = FOREVER.isoformat()
        args = (kind.value, forever, kind.value, forever)
        for row in self._connection().execute(q.SCAN_ATTR_INTERVALS, args):
            yield _interval(kind, row)

    def links_of(self, rel: Rel, child: str) -> list[Link]:
        return self.histories(rel, [child])[child]

    def version(self) -> int:
        return int(self._connection().execute(q.VERSION).fetchone()[0])

    def changesets(self, first: int, after: str | None) -> list[ChangesetRecord]:
        conn = self._connection()
        rows = (
            conn.execute(q.CHANGESETS_AFTER, (after, first))
            if after
            else conn.execute(q.CHANGESETS_FIRST, (first,))
        )
        return [ChangesetRecord.from_json(r) for (r,) in rows]

    def changesets_since(self, version: int, first: int) -> list[ChangesetRecord]:
        rows = self._connection().execute(q.CHANGESETS_SINCE, (version, first))
        return [ChangesetRecord.from_json(r) for (r,) in rows]

    def stamped(self, changeset_id: str) -> Stamped:
        conn = self._connection()

        def links(sql: str) -> list[Link]:
            rows = conn.execute(sql, (changeset_id,))
            return [
                Link(Rel(r), p, c, _day(f), _day(t), by, end, d)
                for r, p, c, f, t, by, end, d in rows
            ]

        opened = conn.execute(q.VALUES_OPENED_BY, (changeset_id, changeset_id))
        closed = conn.execute(q.VALUES_CLOSED_BY, (changeset_id,))
        return Stamped(
            opened=links(q.LINKS_OPENED_BY),
            closed=links(q.LINKS_CLOSED_BY),
            values_opened=[
                StampedValues(Kind(k), c, orjson.loads(a), _day(f)) for k, c, a, f in opened
            ],
            values_closed=[StampedValues(Kind(k), c, orjson.loads(a)) for k, c, a in closed],
        )

    def changeset(self, changeset_id: str) -> ChangesetRecord | None:
        row = self._connection().execute(q.CHANGESET, (changeset_id,)).fetchone()
        return ChangesetRecord.from_json(row[0]) if row else None

    # --- principals ----------------------------------------------------------------------
    def add_principal(self, principal: Principal) -> None:
        self._refuse_if_read_only()
        with self._write_lock:
            try:
                self._connection().execute(
                    q.ADD_PRINCIPAL,
                    (principal.name, principal.key_hash, principal_to_json(principal)),
                )
            except sqlite3.IntegrityError as exc:
                raise InputError(f"a principal named {principal.name!r} exists already") from exc

    def principals(self) -> list[Principal]:
        try:
            rows = self._connection().execute(q.PRINCIPALS).fetchall()
        except sqlite3.OperationalError:  # a read-only home made before principals existed
            return []
        return [principal_from_json(r) for (r,) in rows]

    def principal_by_key(self, key_hash: str) -> Principal | None:
        try:
            row = self._connection().execute(q.PRINCIPAL_BY_KEY, (key_hash,)).fetchone()
        except sqlite3.OperationalError:
            return None
        return principal_from_json(row[0]) if row else None

    def revoke_principal(self, name: str, at: dt.datetime) -> bool:
        self._refuse_if_read_only()
        with self._write_lock:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(q.PRINCIPAL_BY_NAME, (name,)).fetchone()
                done = revoked(principal_from_json(row[0]) if row else None, at)
                if done is None:
                    conn.execute("ROLLBACK")
                    return False
                conn.execute(q.UPDATE_PRINCIPAL, (principal_to_json(done), name))
                conn.execute("COMMIT")
                return True
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.home} is read-only: nothing can be written to it")

    def counts(self) -> dict[Kind, int]:
        found = dict(self._connection().execute(q.COUNTS).fetchall())
        return {kind: found.get(kind.value, 0) for kind in Kind}

    # --- targets -------------------------------------------------------------------------
    def add_targets(self, targets: Sequence[Target]) -> None:
        self._refuse_if_read_only()
        rows = [
            (t.org, t.period, t.indicator, t.target, t.recorded_at.isoformat(), t.source)
            for t in targets
        ]
        with self._write_lock:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(q.ADD_TARGET, rows)
                conn.execute(q.BUMP_TARGETS_VERSION)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def target_versions(self, periods: Sequence[str]) -> list[Target]:
        wanted = list(dict.fromkeys(periods))
        try:
            rows = self._connection().execute(q.targets_of_periods(len(wanted)), wanted).fetchall()
        except sqlite3.OperationalError:  # a read-only home made before targets existed
            return []
        return [
            Target(org, period, name, value, dt.datetime.fromisoformat(at), source)
            for org, period, name, value, at, source in rows
        ]

    def versions(self) -> tuple[int, int]:
        found = dict(self._connection().execute(q.VERSIONS).fetchall())
        return int(found.get("graph_version", 0)), int(found.get("targets_version", 0))

    def disagreeing_reads(self, as_of: dt.date) -> list[ReadDisagreement]:
        day = as_of.isoformat()
        rows = self._connection().execute(q.DISAGREEING_READS, (day, day, day, day))
        return [
            ReadDisagreement(m, a, t, _day(f), p, _day(pf) if pf else None)
            for m, a, t, f, p, pf in rows
        ]

    def scan_entities(self, kind: Kind) -> Iterator[Entity]:
        for code, attrs, start in self._connection().execute(q.SCAN_ENTITIES, (kind.value,)):
            yield _entity(kind, code, attrs, start)

    def scan_links(self, rel: Rel) -> Iterator[Link]:
        rows = self._connection().execute(q.SCAN_LINKS, (rel.value,))
        for parent, child, start, end, detail in rows:
            yield Link(rel, parent, child, _day(start), _day(end), detail=detail)

    def _check_endpoints(self, changes: ChangeSet) -> None:
        """Every new link joins two stored entities (inside the write transaction)."""
        for rel in {lk.rel for lk in changes.opened}:
            spec = REL_SPECS[rel]
            links = [lk for lk in changes.opened if lk.rel == rel]
            for kind, codes in (
                (spec.parent, {lk.parent for lk in links}),
                (spec.child, {lk.child for lk in links}),
            ):
                missing = codes - self.existing_codes(kind, sorted(codes))
                if missing:
                    raise StoreError(
                        f"{rel.value} link(s) to unknown {kind.value} "
                        f"{sorted(missing)[:5]}; nothing was written"
                    )

    # --- writes --------------------------------------------------------------------------
    def remove_empty_intervals(self, record: ChangesetRecord) -> int:
        self._refuse_if_read_only()
        with self._write_lock:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                removed = conn.execute(q.REMOVE_EMPTY_LINKS).rowcount
                if removed:
                    conn.execute(q.UNSTAMP_OPEN_LINKS, (FOREVER.isoformat(),))
                    version = int(conn.execute(q.VERSION).fetchone()[0]) + 1
                    stamped = replace(
                        record, graph_version=version, counts={**record.counts, "removed": removed}
                    )
                    conn.execute(q.BUMP_VERSION, (str(version),))
                    conn.execute(q.CREATE_CHANGESET, (version, record.id, stamped.to_json()))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return removed

    def _update_attrs(
        self, conn: sqlite3.Connection, kind: Kind, rows: list[Entity], day: dt.date, by: str | None
    ) -> None:
        """New values from `day`; the ones before kept as a past interval (inside apply's
        transaction). Values that began after `day` cannot be closed on it (checked before)."""
        self._refuse_values_begun_after(conn, kind, [e.code for e in rows], day, "change")
        keys = [
            {"kind": kind.value, "code": e.code, "day": day.isoformat(), "by": by} for e in rows
        ]
        conn.executemany(q.CLOSE_ATTRS, keys)
        conn.executemany(
            q.OPEN_ATTRS,
            (
                {
                    **key,
                    "attrs": json.dumps(e.attrs, ensure_ascii=False),
                    "search_key": search_key(e.code, e.attrs.get("name")),
                }
                for key, e in zip(keys, rows, strict=True)
            ),
        )

    def _refuse_values_begun_after(
        self, conn: sqlite3.Connection, kind: Kind, codes: list[str], day: dt.date, action: str
    ) -> None:
        """Values cannot change before their current interval began, nor end on or before it
        (graph/domain/intervals.py; checked before, this keeps the store whole)."""
        allowed = can_change_values_on if action == "change" else can_end_on
        for marks, chunk in self._chunks(codes):
            for code, start in conn.execute(q.ATTRS_FROM.format(marks=marks), (kind.value, *chunk)):
                if not allowed(_day(start), day):
                    raise StoreError(
                        f"{kind.value} {code}: its values hold from {start}; they cannot "
                        f"{action} on {day}; nothing was written"
                    )

    def _end_attrs(
        self, conn: sqlite3.Connection, kind: Kind, codes: list[str], day: dt.date, by: str | None
    ) -> None:
        """The entities' values close on `day` and they exist no more from it."""
        self._refuse_values_begun_after(conn, kind, codes, day, "end")
        on, forever = day.isoformat(), FOREVER.isoformat()
        keys = [{"kind": kind.value, "code": c, "day": on, "by": by} for c in codes]
        conn.executemany(q.CLOSE_ATTRS, keys)
        conn.executemany(q.END_ATTRS, ({**k, "forever": forever} for k in keys))

    def apply(
        self,
        changes: ChangeSet,
        progress: Progress | None = None,
        expect_version: int | None = None,
    ) -> None:
        """Write everything in one transaction: all of it lands, or none of it."""
        if changes.is_empty():
            return
        self._refuse_if_read_only()
        forever = FOREVER.isoformat()
        record = changes.record
        by = record.id if record else None
        created_from = (changes.created_on or BEGINNING).isoformat()
        with self._write_lock:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                version = int(conn.execute(q.VERSION).fetchone()[0])
                if expect_version is not None and version != expect_version:
                    raise StalePlan.versions(version, expect_version)
                for kind, rows in changes.created.items():
                    conn.executemany(
                        q.CREATE_ENTITIES,
                        (
                            (
                                kind.value,
                                e.code,
                                json.dumps(e.attrs, ensure_ascii=False),
                                search_key(e.code, e.attrs.get("name")),
                                created_from,
                                by,
                            )
                            for e in rows
                        ),
                    )
                for kind, rows in changes.updated.items():
                    self._update_attrs(conn, kind, rows, changes.update_day(), by)
                for kind, codes in changes.ended.items():
                    self._end_attrs(conn, kind, codes, changes.end_day(), by)
                closed = conn.executemany(
                    q.CLOSE_LINKS,
                    (
                        (c.valid_to.isoformat(), by, c.rel.value, c.child, forever)
                        for c in changes.closed
                    ),
                )
                conn.executemany(
                    q.CREATE_LINKS,
                    (
                        (
                            lk.rel.value,
                            lk.parent,
                            lk.child,
                            lk.valid_from.isoformat(),
                            lk.valid_to.isoformat(),
                            by,
                            lk.detail,
                        )
                        for lk in changes.opened
                    ),
                )
                if closed.rowcount != len(changes.closed):
                    raise StoreError(
                        f"{len(changes.closed) - closed.rowcount} link(s) to close "
                        "are not open; nothing was written"
                    )
                self._check_endpoints(changes)
                conn.execute(q.BUMP_VERSION, (str(version + 1),))
                if record:
                    stamped = replace(record, graph_version=version + 1)
                    conn.execute(q.CREATE_CHANGESET, (version + 1, record.id, stamped.to_json()))
                if progress:
                    progress(f"committing {changes.row_count():,} changes")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
