"""Changeset: the audit record of one write to the topology (a load, a reconciliation plan
applied, a change event)."""

from __future__ import annotations

import datetime as dt

import strawberry

from api.types.connection import PageInfo
from graph.domain.changes import ChangesetRecord


@strawberry.type(description="How many of one kind of change a changeset made.")
class ChangeCount:
    kind: str
    count: int


@strawberry.type(description="One named value of a change event's record.")
class ChangeDetail:
    name: str
    value: str


@strawberry.type(description="One write to the topology: who, when, from where, what it did.")
class Changeset:
    record: strawberry.Private[ChangesetRecord]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="load, equipment, marketing, collection, or an event kind.")
    def source(self) -> str:
        return self.record.source

    @strawberry.field(description="Who made it (the operating-system user of a CLI command).")
    def actor(self) -> str:
        return self.record.actor

    @strawberry.field(description="When it was written (UTC).")
    def created_at(self) -> dt.datetime:
        return self.record.created_at

    @strawberry.field(description="The date its moves took effect; null: from the start.")
    def effective(self) -> dt.date | None:
        return self.record.effective

    @strawberry.field(description="The graph version it produced (each write adds one).")
    def graph_version(self) -> int:
        return self.record.graph_version

    @strawberry.field(description="The folder or plan it came from.")
    def note(self) -> str:
        return self.record.note

    @strawberry.field(
        description="What a change event said: the codes it touched, values before and after, "
        "a replaced meter's final and initial registers. Empty for loads and plans."
    )
    def details(self) -> list[ChangeDetail]:
        return [ChangeDetail(name=k, value=v) for k, v in sorted(self.record.details.items())]

    @strawberry.field
    def counts(self) -> list[ChangeCount]:
        return [ChangeCount(kind=k, count=v) for k, v in sorted(self.record.counts.items())]


@strawberry.type
class ChangesetEdge:
    cursor: str
    node: Changeset


@strawberry.type(description="Changesets, newest first.")
class ChangesetConnection:
    edges: list[ChangesetEdge]
    page_info: PageInfo
