"""The Neo4j store's writes: a change set as UNWIND statements over batches of rows, each
checked against the server's counters, and the split of a bulk load over writers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from neo4j import ManagedTransaction

from graph.domain.changes import ChangeSet
from graph.domain.errors import StoreError
from graph.domain.model import ATTRIBUTES, BEGINNING, FOREVER, Entity, Rel
from graph.domain.search_key import search_key
from graph.stores.neo4j import queries as cy

BATCH_ROWS = 10_000  # rows per UNWIND statement


def disjoint_parts(rows: list[dict[str, Any]], parts: int) -> list[list[dict[str, Any]]]:
    """Split write rows into `parts` runs that share no node.

    Link rows are grouped by parent (each child appears once per relationship), so two runs
    never lock the same parent or child; node rows have distinct codes already.

    >>> [len(p) for p in disjoint_parts([{"parent": x} for x in "aabbbc"], 2)]
    [5, 1]
    """
    if "parent" in (rows[0] if rows else {}):
        rows = sorted(rows, key=lambda r: r["parent"])
    out: list[list[dict[str, Any]]] = []
    start = 0
    for k in range(1, parts + 1):
        end = len(rows) if k == parts else max(start, len(rows) * k // parts)
        while (
            0 < end < len(rows)
            and "parent" in rows[end]
            and (rows[end]["parent"] == rows[end - 1]["parent"])
        ):
            end += 1  # never split one parent's rows
        if end > start:
            out.append(rows[start:end])
        start = end
    return out


@dataclass(frozen=True)
class Statement:
    """One write query over rows, and the counter that must equal the rows it was given.

    MATCH ... CREATE creates nothing when a node is missing; checking the counter turns that
    silent loss into an error that rolls the transaction back.
    """

    query: str
    rows: list[dict[str, Any]]
    counter: str | None  # a neo4j SummaryCounters attribute, or None (updates: not countable)
    per_row: int = 1  # the counter's expected increase per row

    def part(self, rows: list[dict[str, Any]]) -> Statement:
        return Statement(self.query, rows, self.counter, self.per_row)

    def batches(self) -> list[Statement]:
        size = BATCH_ROWS
        return [self.part(self.rows[i : i + size]) for i in range(0, len(self.rows), size)]

    def run(self, tx: ManagedTransaction) -> None:
        params = {"rows": self.rows, "forever": FOREVER, "beginning": BEGINNING}
        counters = tx.run(self.query, params).consume().counters
        expected = len(self.rows) * self.per_row
        if self.counter is not None and getattr(counters, self.counter) != expected:
            raise StoreError(
                f"write did not land whole ({self.counter} {getattr(counters, self.counter)} "
                f"of {expected}); rolled back: {self.query[:80]}"
            )


def _props(entity: Entity, valid_from: dt.date, by: str | None) -> dict[str, Any]:
    """A node's properties: its values, valid from `valid_from`, set by changeset `by`."""
    row: dict[str, Any] = {name: entity.attrs.get(name) for name in ATTRIBUTES[entity.kind]}
    row["code"] = entity.code
    row["search_key"] = search_key(entity.code, entity.attrs.get("name"))
    row["attrs_from"] = valid_from
    row["attrs_opened_by"] = by
    return row


def write_statements(changes: ChangeSet) -> list[Statement]:
    """Statements in dependency order: nodes first, then closes, then new links."""
    out: list[Statement] = []
    by = changes.record.id if changes.record else None
    born, day = changes.created_on or BEGINNING, changes.update_day()
    for kind, created in changes.created.items():
        rows = [_props(e, born, by) for e in created]
        out.append(Statement(cy.create_entities(kind), rows, "nodes_created"))
    for kind, updated in changes.updated.items():
        rows = [
            {"code": e.code, "day": day, "by": by, "props": _props(e, day, by)} for e in updated
        ]
        out.append(Statement(cy.update_entities(kind), rows, None))
    end = changes.end_day()
    for kind, codes in changes.ended.items():
        rows = [{"code": code, "day": end, "by": by} for code in codes]
        out.append(Statement(cy.end_entities(kind), rows, "nodes_created"))
    for rel in Rel:
        closes = [
            {"child": c.child, "valid_to": c.valid_to, "by": by}
            for c in changes.closed
            if c.rel == rel
        ]
        stamped = by is not None
        out.append(
            Statement(cy.close_links(rel, stamped), closes, "properties_set", 2 if stamped else 1)
        )
    for rel in Rel:
        opens = [
            {
                "parent": lk.parent,
                "child": lk.child,
                "valid_from": lk.valid_from,
                "valid_to": lk.valid_to,
                "by": by,
                "detail": lk.detail,
            }
            for lk in changes.opened
            if lk.rel == rel
        ]
        out.append(Statement(cy.create_links(rel), opens, "relationships_created"))
    return [stmt for stmt in out if stmt.rows]
