"""Neo4jStore: the topology in Neo4j 5.26 over Bolt, through the official driver.

One Driver per process (owned by the app's lifespan or the CLI command), `database_` passed on
every call, batched `UNWIND` writes in managed transactions, constraints created idempotently at
start-up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from neo4j import (
    READ_ACCESS,
    Driver,
    GraphDatabase,
    ManagedTransaction,
    NotificationDisabledClassification,
    Query,
)
from neo4j.exceptions import ConstraintError, ServiceUnavailable, SessionExpired, TransientError

from graph.domain import clock, deadline
from graph.domain.access import Principal, principal_from_json, principal_to_json, revoked
from graph.domain.changes import ChangeSet, ChangesetRecord
from graph.domain.errors import DeadlineExceeded, InputError, StalePlan, StoreError
from graph.domain.model import (
    ATTRIBUTES,
    BEGINNING,
    FOREVER,
    REL_SPECS,
    AttrInterval,
    Entity,
    Kind,
    Link,
    Rel,
)
from graph.domain.search_key import SEP, rank_hits
from graph.domain.stamped import Stamped, StampedValues
from graph.domain.targets import Target
from graph.stores.contract import Direction, Page, Progress, ReadDisagreement
from graph.stores.neo4j import queries as cy
from graph.stores.neo4j.tree_query import compile_tree, decode_tree
from graph.stores.neo4j.writes import Statement, disjoint_parts, write_statements
from graph.stores.tree import Step, Tree

READ_CHUNK = 10_000  # codes per UNWIND lookup
BULK_LOOKUP = 20_000  # above this many codes, scan the relationship instead of UNWIND lookups
SCAN_PAGE = 50_000  # children per page of a scan (one list in one record)
#: Change sets up to this many rows are written in one transaction (all or nothing). Larger
#: ones (a first bulk load) commit batch by batch in dependency order; the load is idempotent,
#: so re-running an interrupted one completes it.
SINGLE_TX_MAX_ROWS = 200_000


BULK_WRITERS = 2  # concurrent write transactions for a bulk load (the machines have 2 cores)
INDEX_WAIT_S = 1800  # how long a bulk load waits for its search indexes to come online


def _native(value: Any) -> Any:
    return value.to_native() if hasattr(value, "to_native") else value


def _entity(kind: Kind, props: Mapping[str, Any]) -> Entity:
    attrs = {name: props.get(name) for name in ATTRIBUTES[kind]}
    start = props.get("attrs_from")  # absent: written before attributes were dated
    return Entity(kind, props["code"], attrs, BEGINNING if start is None else _native(start))


def _interval(kind: Kind, code: str, props: Mapping[str, Any]) -> AttrInterval:
    """One interval of values: a PastAttrs node's properties, or the entity's (open)."""
    start, end = props.get("attrs_from"), props.get("attrs_to")
    return AttrInterval(
        kind,
        code,
        {name: props.get(name) for name in ATTRIBUTES[kind]},
        BEGINNING if start is None else _native(start),
        FOREVER if end is None else _native(end),
        props.get("attrs_opened_by"),
        props.get("closed_by"),
    )


def _within_deadline(text: str) -> Query:
    """The query with the request's remaining time as its transaction timeout (none outside a
    request); a request already past its limit runs nothing."""
    left = deadline.remaining_seconds()
    if left is None:
        return Query(text)
    if left <= 0:
        raise DeadlineExceeded("the request's time limit passed")
    return Query(text, timeout=max(left, 0.001))


def _refuse_values_begun_after(tx: ManagedTransaction, changes: ChangeSet) -> None:
    """Values cannot change before their current interval began, nor end on or before it
    (graph/domain/intervals.py; the planners refuse it with the row, this keeps the store
    whole whatever calls it)."""
    checks = [
        (kind, [e.code for e in updated], changes.update_day(), False, "change")
        for kind, updated in changes.updated.items()
    ]
    checks += [
        (kind, codes, changes.end_day(), True, "end") for kind, codes in changes.ended.items()
    ]
    for kind, codes, day, inclusive, action in checks:
        rows = [{"code": code, "day": day} for code in codes]
        query = cy.values_begun_after(kind, inclusive)
        found = tx.run(query, rows=rows, beginning=BEGINNING).data()
        if found:
            named = ", ".join(f"{r['code']} (from {_native(r['attrs_from'])})" for r in found)
            raise StoreError(
                f"{kind.value} values cannot {action} on {day}: {named}; nothing was written"
            )


def _link(rel: Rel, r: Mapping[str, Any]) -> Link:
    """An interval of `rel` as a read returns it (the child's code as `code`)."""
    return Link(
        rel,
        r["parent"],
        r["code"],
        _native(r["valid_from"]),
        _native(r["valid_to"]),
        r["opened_by"],
        r["closed_by"],
        r["detail"],
    )


def _oldest_first(kind: Kind, code: str, intervals: list[Mapping[str, Any]]) -> list[AttrInterval]:
    """The intervals by start; an ended entity's own node holds none (attrs_from = FOREVER)."""
    found = (_interval(kind, code, p) for p in intervals)
    return sorted((i for i in found if i.valid_from < i.valid_to), key=lambda i: i.valid_from)


class Neo4jStore:
    in_process = False  # reads are round trips to a server

    def __init__(
        self, uri: str, user: str | None, password: str | None, database: str = "neo4j"
    ) -> None:
        auth = (user, password or "") if user else None
        # UNRECOGNIZED: "property key does not exist" for `r.detail` on every read until some
        # interval carries one (a graph without collection evidence); our queries are fixed
        # and tested, so the warning on each of them is only noise in the log.
        self.driver: Driver = GraphDatabase.driver(
            uri,
            auth=auth,
            notifications_disabled_classifications=[
                NotificationDisabledClassification.UNRECOGNIZED
            ],
        )
        self.database = database
        try:
            self.driver.verify_connectivity()
            for stmt in cy.schema_statements():
                self._write_schema(stmt)
        except Exception as exc:
            self.driver.close()
            raise StoreError(f"cannot use Neo4j at {uri}: {exc}") from exc

    def close(self) -> None:
        self.driver.close()

    def _read(self, query: str, **params: Any) -> list[Any]:
        """One auto-commit read: a single round trip (RUN+PULL), where a managed transaction
        needs two (BEGIN+RUN+PULL, COMMIT) - half the latency of a small explorer query.
        Reads are idempotent, so a transient failure is simply tried once more. Within a
        request's time limit, the server stops the read when the limit passes."""
        for attempt in (1, 2):
            try:
                with self.driver.session(
                    database=self.database, default_access_mode=READ_ACCESS
                ) as session:
                    return list(session.run(_within_deadline(query), params))
            except (TransientError, SessionExpired, ServiceUnavailable):
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def ping(self) -> None:
        self._read(cy.PING)

    def check(self, deep: bool = False) -> list[str]:
        """A ping: the server keeps its own store consistent (neo4j-admin checks it offline)."""
        self.ping()
        return []

    # --- reads ---------------------------------------------------------------------------
    def _read_chunked(self, query: str, codes: Sequence[str], **params: Any) -> list[Any]:
        """Run `query` over $codes in chunks, so a million codes never go in one message."""
        unique = list(dict.fromkeys(codes))
        rows: list[Any] = []
        for i in range(0, len(unique), READ_CHUNK):
            rows.extend(self._read(query, codes=unique[i : i + READ_CHUNK], **params))
        return rows

    def entities(self, kind: Kind, codes: Sequence[str]) -> dict[str, Entity]:
        rows = self._read_chunked(cy.ENTITIES[kind], codes)
        return {r["code"]: _entity(kind, r["props"]) for r in rows}

    def existing_codes(self, kind: Kind, codes: Sequence[str]) -> set[str]:
        return {r["code"] for r in self._read_chunked(cy.EXISTING_CODES[kind], codes)}

    def all_codes(self, kind: Kind) -> set[str]:
        return {r["code"] for r in self._read(cy.ALL_CODES[kind])}

    def neighbors(
        self, rel: Rel, codes: Sequence[str], as_of: dt.date, direction: Direction
    ) -> dict[str, list[Entity]]:
        spec = REL_SPECS[rel]
        other = spec.child if direction == "down" else spec.parent
        unique = list(dict.fromkeys(codes))
        rows = self._read(cy.neighbors(rel, direction), codes=unique, as_of=as_of)
        found = {r["code"]: [_entity(other, p) for p in r["items"]] for r in rows}
        return {code: found.get(code, []) for code in unique}

    def _pages(self, rows: list[Any], kind: Kind, codes: list[str], first: int) -> dict[str, Page]:
        found = {}
        for r in rows:
            items = r["items"]
            found[r["code"]] = Page(
                [_entity(kind, p) for p in items[:first]], r["total"], len(items) > first
            )
        return {code: found.get(code, Page([], 0, False)) for code in codes}

    def child_pages(
        self,
        rel: Rel,
        parents: Sequence[str],
        as_of: dt.date,
        first: int,
        after: str | None,
        role: str | None = None,
    ) -> dict[str, Page]:
        unique = list(dict.fromkeys(parents))
        rows = self._read(
            cy.child_pages(rel),
            codes=unique,
            as_of=as_of,
            after=after or "",
            limit=first + 1,
            role=role,
        )
        return self._pages(rows, REL_SPECS[rel].child, unique, first)

    def org_transformer_pages(
        self, orgs: Sequence[str], as_of: dt.date, first: int, after: str | None
    ) -> dict[str, Page]:
        unique = list(dict.fromkeys(orgs))
        rows = self._read(
            cy.ORG_TRANSFORMER_PAGES,
            codes=unique,
            as_of=as_of,
            after=after or "",
            limit=first + 1,
        )
        return self._pages(rows, Kind.TRANSFORMER, unique, first)

    def fetch_tree(
        self,
        kind: Kind,
        code: str,
        as_of: dt.date,
        steps: tuple[Step, ...],
        within: frozenset[str] | None = None,
    ) -> Tree | None:
        query, params = compile_tree(kind, steps, scoped=within is not None)
        if within is not None:
            params["within"] = sorted(within)
        rows = self._read(query, code=code, as_of=as_of, **params)
        return decode_tree(kind, steps, rows[0]["tree"]) if rows else None

    def entity_page(self, kind: Kind, as_of: dt.date, first: int, after: str | None) -> Page:
        on = {"day": as_of, "beginning": BEGINNING}
        total = self._read(cy.entity_count(kind), **on)[0]["n"]
        rows = self._read(cy.entity_page(kind), after=after or "", limit=first + 1, **on)
        items = [_entity(kind, r["props"]) for r in rows]
        return Page(items[:first], total, len(items) > first)

    def search(
        self,
        text: str,
        kinds: Sequence[Kind],
        limit: int,
        within: frozenset[str] | None = None,
        as_of: dt.date | None = None,
    ) -> list[Entity]:
        needle = text.lower()
        hits: list[Entity] = []
        scope: dict[str, Any] = {}
        if within is not None:
            scope = {"within": sorted(within), "as_of": as_of or clock.today()}
        for kind in kinds:
            rows = self._read(
                cy.search(kind, within is not None), needle=needle, sep=SEP, limit=limit, **scope
            )
            hits.extend(_entity(kind, r["props"]) for r in rows)
        return rank_hits(hits, needle, limit)

    def _scan_pages(self, query: str, **params: Any) -> Iterator[list[Any]]:
        """The rows of a paged scan (see queries._child_page), page after page."""
        after = ""
        while True:
            rows = self._read(query, after=after, page=SCAN_PAGE, **params)[0]["rows"]
            yield from rows
            if len(rows) < SCAN_PAGE:
                return
            after = max(row[0] for row in rows)

    def open_links(self, rel: Rel, children: Sequence[str]) -> dict[str, Link]:
        if len(children) > BULK_LOOKUP:  # most of a relationship: scan it in pages
            wanted = set(children)
            return {
                code: Link(rel, parent, code, _native(start), FOREVER, detail=detail)
                for code, parent, start, detail in self._scan_pages(
                    cy.open_links_all(rel), forever=FOREVER
                )
                if parent is not None and code in wanted
            }
        rows = self._read_chunked(cy.open_links(rel), children, forever=FOREVER)
        return {
            r["code"]: Link(
                rel, r["parent"], r["code"], _native(r["valid_from"]), FOREVER, detail=r["detail"]
            )
            for r in rows
        }

    def open_parents(self, rel: Rel, children: Sequence[str]) -> dict[str, str]:
        if len(children) <= BULK_LOOKUP:
            return {c: lk.parent for c, lk in self.open_links(rel, children).items()}
        wanted = set(children)
        rows = self._scan_pages(cy.open_parents_all(rel), forever=FOREVER)
        return {code: parent for code, parent in rows if parent is not None and code in wanted}

    def last_ends(self, rel: Rel, children: Sequence[str]) -> dict[str, dt.date]:
        rows = self._read_chunked(cy.last_ends(rel), children)
        return {r["code"]: _native(r["last_end"]) for r in rows}

    def attrs_as_of(self, kind: Kind, codes: Sequence[str], day: dt.date) -> dict[str, Entity]:
        rows = self._read_chunked(cy.attrs_as_of(kind), codes, day=day, beginning=BEGINNING)
        return {r["code"]: _entity(kind, {**r["props"], "code": r["code"]}) for r in rows}

    def attr_histories(self, kind: Kind, codes: Sequence[str]) -> dict[str, list[AttrInterval]]:
        found: dict[str, list[AttrInterval]] = {code: [] for code in codes}
        for r in self._read_chunked(cy.attr_histories(kind), codes):
            found[r["code"]] = _oldest_first(kind, r["code"], r["intervals"])
        return found

    def scan_attr_intervals(self, kind: Kind) -> Iterator[AttrInterval]:
        for code, intervals in self._scan_pages(cy.scan_attr_intervals(kind)):
            yield from _oldest_first(kind, code, intervals)

    def histories(self, rel: Rel, children: Sequence[str]) -> dict[str, list[Link]]:
        found: dict[str, list[Link]] = {child: [] for child in children}
        for r in self._read_chunked(cy.histories(rel), children):
            found[r["code"]].append(_link(rel, r))
        return found

    def links_of(self, rel: Rel, child: str) -> list[Link]:
        return self.histories(rel, [child])[child]

    def version(self) -> int:
        return int(self._read(cy.VERSION)[0]["v"])

    def changesets(self, first: int, after: str | None) -> list[ChangesetRecord]:
        rows = (
            self._read(cy.CHANGESETS_AFTER, after=after, first=first)
            if after
            else self._read(cy.CHANGESETS_FIRST, first=first)
        )
        return [ChangesetRecord.from_json(r["record"]) for r in rows]

    def changesets_since(self, version: int, first: int) -> list[ChangesetRecord]:
        rows = self._read(cy.CHANGESETS_SINCE, since=version, first=first)
        return [ChangesetRecord.from_json(r["record"]) for r in rows]

    def stamped(self, changeset_id: str) -> Stamped:
        found = Stamped()
        for rel in Rel:
            for prop, into in (("opened_by", found.opened), ("closed_by", found.closed)):
                into += (
                    _link(rel, r)
                    for r in self._read(cy.links_stamped_by(rel, prop), id=changeset_id)
                )
        for kind in Kind:
            for r in self._read(cy.values_opened_by(kind), id=changeset_id):
                entity = _entity(kind, r["props"])
                found.values_opened.append(
                    StampedValues(kind, r["code"], dict(entity.attrs), entity.attrs_from)
                )
            for r in self._read(cy.values_closed_by(kind), id=changeset_id):
                attrs = dict(_entity(kind, {**r["props"], "code": r["code"]}).attrs)
                found.values_closed.append(StampedValues(kind, r["code"], attrs))
        return found

    def changeset(self, changeset_id: str) -> ChangesetRecord | None:
        rows = self._read(cy.CHANGESET, id=changeset_id)
        return ChangesetRecord.from_json(rows[0]["record"]) if rows else None

    # --- principals ----------------------------------------------------------------------
    def add_principal(self, principal: Principal) -> None:
        params = {
            "name": principal.name,
            "key_hash": principal.key_hash,
            "record": principal_to_json(principal),
        }
        try:
            self.driver.execute_query(cy.ADD_PRINCIPAL, params, database_=self.database)
        except ConstraintError as exc:
            raise InputError(f"a principal named {principal.name!r} exists already") from exc

    def principals(self) -> list[Principal]:
        return [principal_from_json(r["record"]) for r in self._read(cy.PRINCIPALS)]

    def principal_by_key(self, key_hash: str) -> Principal | None:
        rows = self._read(cy.PRINCIPAL_BY_KEY, key_hash=key_hash)
        return principal_from_json(rows[0]["record"]) if rows else None

    def revoke_principal(self, name: str, at: dt.datetime) -> bool:
        def run(tx: ManagedTransaction) -> bool:
            row = tx.run(cy.PRINCIPAL_BY_NAME, name=name).single()
            done = revoked(principal_from_json(row["record"]) if row else None, at)
            if done is None:
                return False
            tx.run(cy.UPDATE_PRINCIPAL, name=name, record=principal_to_json(done)).consume()
            return True

        with self.driver.session(database=self.database) as session:
            return session.execute_write(run)

    def counts(self) -> dict[Kind, int]:
        return {kind: self._read(cy.COUNTS[kind])[0]["n"] for kind in Kind}

    def _stream(self, query: str) -> Iterator[Any]:
        """A long read streamed record by record (a million meters never sit in one list)."""
        with self.driver.session(database=self.database, default_access_mode=READ_ACCESS) as s:
            yield from s.run(_within_deadline(query))

    # --- targets -------------------------------------------------------------------------
    def add_targets(self, targets: Sequence[Target]) -> None:
        rows = [
            {
                "org": t.org,
                "period": t.period,
                "indicator": t.indicator,
                "target": t.target,
                "recorded_at": t.recorded_at.isoformat(),
                "source": t.source,
            }
            for t in targets
        ]

        def run(tx: ManagedTransaction) -> None:
            tx.run(cy.ADD_TARGETS, rows=rows).consume()
            tx.run(cy.BUMP_TARGETS_VERSION).consume()

        with self.driver.session(database=self.database) as session:
            session.execute_write(run)

    def target_versions(self, periods: Sequence[str]) -> list[Target]:
        rows = self._read(cy.TARGETS_OF_PERIODS, periods=list(dict.fromkeys(periods)))
        return [
            Target(
                r["org"],
                r["period"],
                r["indicator"],
                float(r["target"]),
                dt.datetime.fromisoformat(r["recorded_at"]),
                r["source"],
            )
            for r in rows
        ]

    def versions(self) -> tuple[int, int]:
        row = self._read(cy.VERSIONS)[0]
        return int(row["graph"]), int(row["targets"])

    def disagreeing_reads(self, as_of: dt.date) -> list[ReadDisagreement]:
        return [
            ReadDisagreement(
                r["meter"],
                r["read_in"],
                r["terminal"],
                _native(r["read_since"]),
                r["placed_in"],
                _native(r["placed_since"]) if r["placed_since"] is not None else None,
            )
            for r in self._read(cy.DISAGREEING_READS, as_of=as_of)
        ]

    def scan_entities(self, kind: Kind) -> Iterator[Entity]:
        names = list(ATTRIBUTES[kind])
        for code, start, *values in self._scan_pages(cy.scan_entities(kind)):
            attrs = dict(zip(names, values, strict=True))
            yield Entity(kind, code, attrs, BEGINNING if start is None else _native(start))

    def scan_links(self, rel: Rel) -> Iterator[Link]:
        for r in self._stream(cy.scan_links(rel)):
            yield Link(
                rel,
                r["parent"],
                r["child"],
                _native(r["valid_from"]),
                _native(r["valid_to"]),
                detail=r["detail"],
            )

    # --- writes --------------------------------------------------------------------------
    def _write_batches(self, stmt: Statement) -> None:
        """One managed transaction per batch (retried by the driver on transient errors)."""
        with self.driver.session(database=self.database) as session:
            for batch in stmt.batches():
                session.execute_write(batch.run)

    def _bump_version(self, tx: ManagedTransaction, changes: ChangeSet, expect: int | None) -> None:
        """Take the version lock, refuse a stale plan, and write the changeset's record."""
        version = tx.run(cy.BUMP_VERSION).single(strict=True)["v"]
        if expect is not None and version - 1 != expect:
            raise StalePlan.versions(version - 1, expect)
        record = changes.record
        if record is not None:
            stamped = replace(record, graph_version=version)
            tx.run(cy.CREATE_CHANGESET, id=record.id, seq=version, record=stamped.to_json())

    def remove_empty_intervals(self, record: ChangesetRecord) -> int:
        def run(tx: ManagedTransaction) -> int:
            removed = sum(
                tx.run(cy.remove_empty_links(rel)).single(strict=True)["removed"] for rel in Rel
            )
            if removed:
                for rel in Rel:
                    tx.run(cy.unstamp_open_links(rel), forever=FOREVER).consume()
                counted = replace(record, counts={**record.counts, "removed": removed})
                self._bump_version(tx, ChangeSet(record=counted), None)
            return removed

        with self.driver.session(database=self.database) as session:
            return session.execute_write(run)

    def apply(
        self,
        changes: ChangeSet,
        progress: Progress | None = None,
        expect_version: int | None = None,
    ) -> None:
        if changes.is_empty():
            return
        statements = write_statements(changes)
        if changes.row_count() <= SINGLE_TX_MAX_ROWS:

            def run_all(tx: ManagedTransaction) -> None:
                self._bump_version(tx, changes, expect_version)
                _refuse_values_begun_after(tx, changes)
                for stmt in statements:
                    for batch in stmt.batches():
                        batch.run(tx)

            with self.driver.session(database=self.database) as session:
                session.execute_write(run_all)
            return
        if expect_version is not None:
            version = self.version()
            if version != expect_version:
                raise StalePlan.versions(version, expect_version)
        # Bulk: statements in dependency order, each split over writers that touch disjoint
        # nodes, so the server uses every core without lock waits (2.3x for links here).
        # A label that is empty before the load gets its search index built once afterwards
        # (1M meters, warm: 96 s of writing against 112 s with the index kept); the index is
        # rebuilt whatever happens, and a crash in between is healed at start-up.
        if changes.updated or changes.ended:
            with self.driver.session(database=self.database) as session:
                session.execute_read(_refuse_values_begun_after, changes)
        counts = self.counts()
        rebuilt = [kind for kind in changes.created if counts[kind] == 0]
        for kind in rebuilt:
            self._write_schema(cy.drop_search_index(kind))
        try:
            with ThreadPoolExecutor(BULK_WRITERS) as pool:
                written, total = 0, changes.row_count()
                for stmt in statements:
                    parts = [stmt.part(rows) for rows in disjoint_parts(stmt.rows, BULK_WRITERS)]
                    list(pool.map(self._write_batches, parts))
                    written += len(stmt.rows)
                    if progress:
                        progress(f"written {written:,} of {total:,} changes")
            with self.driver.session(database=self.database) as session:
                session.execute_write(self._bump_version, changes, None)
        finally:
            if rebuilt and progress:
                progress("building search indexes")
            for kind in rebuilt:
                self._write_schema(cy.create_search_index(kind))
            if rebuilt:
                self.driver.execute_query(
                    cy.AWAIT_INDEXES, timeout_s=INDEX_WAIT_S, database_=self.database
                )

    def _write_schema(self, statement: str) -> None:
        self.driver.execute_query(statement, database_=self.database)

    def clear(self) -> None:
        """Delete everything (tests and benchmarks only): relationships, then nodes, in
        batches, so that clearing a million-meter graph fits in a small heap."""
        with self.driver.session(database=self.database) as session:
            for statement in (
                "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS",
                "MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 20000 ROWS",
                # Plans cached on the last test's tiny graph are wrong for the next one's.
                "CALL db.clearQueryCaches()",
            ):
                session.run(statement).consume()
