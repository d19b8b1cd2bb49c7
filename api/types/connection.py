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


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    total_count: int
    edges: list[Edge[T]]
    page_info: PageInfo


def connection(page: Page, as_of: dt.date, make: Callable[[Entity, dt.date], T]) -> Connection[T]:
    edges = [Edge(cursor=encode_cursor(e.code), node=make(e, as_of)) for e in page.items]
    return Connection(
        total_count=page.total_count,
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None
        ),
    )
