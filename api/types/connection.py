"""Cursor connections: `XConnection { totalCount edges { cursor node } pageInfo }`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from api.pagination import encode_cursor
from graph.domain.model import Entity
from graph.stores.contract import Page

T = TypeVar("T")


@strawberry.type(description="Where a page lies in its list (Relay's PageInfo).")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="More items follow: ask again with `after: endCursor`."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor to go on from (the last edge's, or past the items looked at)."
    )
    has_previous_page: bool = strawberry.field(
        default=False, description="The page was asked for after a cursor: items come before it."
    )
    start_cursor: str | None = strawberry.field(
        default=None, description="The first edge's cursor; null on an empty page."
    )

    @classmethod
    def of(
        cls, cursors: list[str], has_next: bool, after: str | None, end: str | None = None
    ) -> PageInfo:
        """The page info of a page whose edges have `cursors`, asked for `after` a cursor;
        `end`: where to go on from when not the last edge (a scan stopped early)."""
        return cls(
            has_next_page=has_next,
            end_cursor=end or (cursors[-1] if cursors else None),
            has_previous_page=after is not None,
            start_cursor=cursors[0] if cursors else None,
        )


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    total_count: int
    edges: list[Edge[T]]
    page_info: PageInfo


def connection(
    page: Page, as_of: dt.date, make: Callable[[Entity, dt.date], T], after: str | None = None
) -> Connection[T]:
    edges = [Edge(cursor=encode_cursor(e.code), node=make(e, as_of)) for e in page.items]
    return Connection(
        total_count=page.total_count,
        edges=edges,
        page_info=PageInfo.of([e.cursor for e in edges], page.has_next, after),
    )
