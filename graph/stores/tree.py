"""Trees of reads: what one GraphQL request will walk from one entity, fetched at once.

An explorer page asks for a feeder, a page of its areas, each area's gate meters and a page of
its meters, and each meter's customer. Read level by level that is one round trip per level;
a `Step` tree names the whole walk, so that a store can answer it in one query (Neo4j: one
Cypher with a subquery per step) and the API can hand each level's answers to its loaders.

Every step reads on one `as_of` day with the semantics of the batched reads it stands for:
`neighbors` (a whole list, by code) or `child_pages` (a page by code with its total). A store
without a query of its own answers a tree with those batched reads, one per step and level
(`fetch_tree_by_levels`): the same answers, whichever store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from graph.domain.model import REL_SPECS, Entity, Kind, Rel
from graph.stores.contract import Direction, Page, Store


@dataclass(frozen=True)
class PageSpec:
    """A page as `child_pages` reads it: `first` items after code `after`, meters of `role`."""

    first: int
    after: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class Step:
    """One relationship walked from every node of a level, then `then` from what it reached.

    `page` None: the whole list of neighbours (as `neighbors`); else a page of children
    (as `child_pages`, direction down only)."""

    rel: Rel
    direction: Direction
    page: PageSpec | None = None
    then: tuple[Step, ...] = ()

    def __post_init__(self) -> None:
        if self.page is not None and self.direction != "down":
            raise ValueError("pages are read down a relationship")

    def reached_kind(self) -> Kind:
        spec = REL_SPECS[self.rel]
        return spec.child if self.direction == "down" else spec.parent


@dataclass(slots=True)
class Tree:
    """An entity and, for each step walked from it (in the steps' order), what it reached:
    Reached: the Trees of a page (with its total) or of a list of neighbours."""

    entity: Entity
    reached: list[Reached] = field(default_factory=list)


@dataclass(slots=True)
class Reached:
    trees: list[Tree]
    total_count: int = 0  # page steps: all children, not only the page's
    has_next: bool = False


def page_of(reached: Reached) -> Page:
    return Page([t.entity for t in reached.trees], reached.total_count, reached.has_next)


def fetch_tree_by_levels(
    store: Store, kind: Kind, code: str, as_of: dt.date, steps: tuple[Step, ...]
) -> Tree | None:
    """The tree from `kind` `code` with the store's batched reads: one per step and level."""
    root = store.entities(kind, [code]).get(code)
    if root is None:
        return None
    tree = Tree(root)
    _walk(store, [tree], as_of, steps)
    return tree


def _walk(store: Store, level: list[Tree], as_of: dt.date, steps: tuple[Step, ...]) -> None:
    codes = [t.entity.code for t in level]
    for step in steps:
        if not codes:
            break
        found: dict[str, Page]
        if step.page is None:
            lists = store.neighbors(step.rel, codes, as_of, step.direction)
            found = {c: Page(lists.get(c, []), 0, False) for c in codes}
        else:
            spec = step.page
            found = store.child_pages(step.rel, codes, as_of, spec.first, spec.after, spec.role)
        reached_level: list[Tree] = []
        for t in level:
            # A parent seen twice at a level (two meters of one customer) shares nothing:
            # each gets trees of its own, walked on below.
            page = found[t.entity.code]
            mine = Reached([Tree(e) for e in page.items], page.total_count, page.has_next)
            t.reached.append(mine)
            reached_level.extend(mine.trees)
        if step.then:
            _walk(store, reached_level, as_of, step.then)
