"""The one Store interface that the loaders and the API talk to.

Two implementations pass the same contract suite (tests/graph/stores; every test that takes
the `store` fixture runs on both): `EmbeddedStore` (SQLite under TAIQU_HOME, networkx for tree
walks, graph/stores/embedded/) and `Neo4jStore` (Neo4j 5.26 over Bolt, graph/stores/neo4j/).
Each keeps its queries beside it, named after the method that runs them.

Every read of topology takes `as_of`: a relationship is seen when
valid_from <= as_of < valid_to. Entities themselves are not dated; their links are.
Reads are batched (many codes in, a dict out) so that DataLoaders make one round trip
per level of a GraphQL query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from graph.domain.access import Principal
from graph.domain.changes import ChangeSet, ChangesetRecord
from graph.domain.model import AttrInterval, Entity, Kind, Link, Rel
from graph.domain.stamped import Stamped
from graph.domain.targets import Target

if TYPE_CHECKING:  # tree.py reads Page from here
    from graph.stores.tree import Step, Tree

Direction = Literal["down", "up"]
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Page:
    """One page of children ordered by code, with the count of all of them."""

    items: list[Entity]
    total_count: int
    has_next: bool


@dataclass(frozen=True, slots=True)
class ReadDisagreement:
    """A meter the collection system reads in another area than the graph places it in.

    `placed_in` is its HAS_METER area (the archive's for customer/pv meters, the equipment
    system's for gate meters), None when the graph places it nowhere on that day.
    """

    meter: str
    read_in: str
    terminal: str | None
    read_since: dt.date
    placed_in: str | None
    placed_since: dt.date | None


class Store(Protocol):
    """What every store offers. Methods are synchronous; the API runs them off the event loop."""

    in_process: bool  # reads are local calls (no round trip to a server)

    def close(self) -> None: ...

    def ping(self) -> None:
        """Raise when the store cannot answer (used by /readyz)."""

    def check(self, deep: bool = False) -> list[str]:
        """Problems with the stored data (empty: none); `deep`: a full integrity check (at
        start-up), else as cheap as a ping. Raises when the store cannot answer."""

    # --- reads -------------------------------------------------------------------------
    def entities(self, kind: Kind, codes: Sequence[str]) -> dict[str, Entity]:
        """The stored entities among `codes` (unknown codes are absent)."""

    def existing_codes(self, kind: Kind, codes: Sequence[str]) -> set[str]:
        """The subset of `codes` stored for `kind`."""

    def all_codes(self, kind: Kind) -> set[str]:
        """Every stored code of `kind` (for 'missing from this load' warnings)."""

    def neighbors(
        self, rel: Rel, codes: Sequence[str], as_of: dt.date, direction: Direction
    ) -> dict[str, list[Entity]]:
        """For each code, its children (down) or parents (up) in `rel` on `as_of`, by code."""

    def child_pages(
        self,
        rel: Rel,
        parents: Sequence[str],
        as_of: dt.date,
        first: int,
        after: str | None,
        role: str | None = None,
    ) -> dict[str, Page]:
        """A page of each parent's children in `rel` on `as_of`, ordered by code.

        `after` is the last code of the previous page; `role` filters meters.
        """

    def org_transformer_pages(
        self, orgs: Sequence[str], as_of: dt.date, first: int, after: str | None
    ) -> dict[str, Page]:
        """A page of the transformers owned by each org unit or any of its descendants."""

    def fetch_tree(
        self,
        kind: Kind,
        code: str,
        as_of: dt.date,
        steps: tuple[Step, ...],
        within: frozenset[str] | None = None,
    ) -> Tree | None:
        """The entity `kind` `code` and what `steps` reach from it on `as_of`, answered as
        `neighbors` and `child_pages` would answer each step (graph/stores/tree.py); None
        when no such entity is stored, or (`within`: org unit codes) when it does not lie
        within those units on `as_of` (graph/stores/within.py)."""

    def entity_page(self, kind: Kind, as_of: dt.date, first: int, after: str | None) -> Page:
        """A page of the entities of `kind` that exist on `as_of` (some values of theirs hold
        then), ordered by code."""

    def search(
        self,
        text: str,
        kinds: Sequence[Kind],
        limit: int,
        within: frozenset[str] | None = None,
        as_of: dt.date | None = None,
    ) -> list[Entity]:
        """Entities whose code or name contains `text` (case-insensitive).

        Exact code matches come first, then codes or names that start with `text`, then the rest;
        ties by kind order then code. `within` (with `as_of`): only those lying within these
        org units on that day (graph/stores/within.py), filtered inside the query, before
        the limit.
        """

    def open_links(self, rel: Rel, children: Sequence[str]) -> dict[str, Link]:
        """The open (current, valid_to = FOREVER) link of each child in `rel`."""

    def open_parents(self, rel: Rel, children: Sequence[str]) -> dict[str, str]:
        """The parent of each child's open interval in `rel` (open_links without the Link
        objects: a reconciliation diff compares a million of them)."""

    def last_ends(self, rel: Rel, children: Sequence[str]) -> dict[str, dt.date]:
        """For each child that has any interval in `rel`, the latest valid_to."""

    def histories(self, rel: Rel, children: Sequence[str]) -> dict[str, list[Link]]:
        """Every interval of each child in `rel`, oldest first (one statement per batch)."""

    def attrs_as_of(self, kind: Kind, codes: Sequence[str], day: dt.date) -> dict[str, Entity]:
        """The codes whose values on `day` are not their current ones (these began after
        it), with those values; the others are absent (their current values hold, or no
        values are known that early)."""

    def attr_histories(self, kind: Kind, codes: Sequence[str]) -> dict[str, list[AttrInterval]]:
        """Every interval of each code's values, oldest first; the last one is open."""

    def scan_attr_intervals(self, kind: Kind) -> Iterator[AttrInterval]:
        """Every interval of the values of every entity of `kind` (any order)."""

    def links_of(self, rel: Rel, child: str) -> list[Link]:
        """Every interval of `child` in `rel`, oldest first (its history)."""

    def counts(self) -> Mapping[Kind, int]:
        """Number of stored entities per kind."""

    def version(self) -> int:
        """The graph's version: how many writes it has taken (a plan records the one it saw)."""

    def changesets(self, first: int, after: str | None) -> list[ChangesetRecord]:
        """Audit records, newest first; `after` is the id of the previous page's last one."""

    def changesets_since(self, version: int, first: int) -> list[ChangesetRecord]:
        """The first `first` audit records of writes after graph version `version`, oldest
        first (what a client that has seen `version` has not)."""

    def stamped(self, changeset_id: str) -> Stamped:
        """The intervals and values the changeset opened and closed (graph/domain/stamped.py)."""
        ...

    def changeset(self, changeset_id: str) -> ChangesetRecord | None:
        """One audit record by id."""

    # --- principals (graph/domain/access.py): who may use the API, beside the graph -----
    def add_principal(self, principal: Principal) -> None:
        """Keep a new principal; InputError when its name is taken (revoked ones too)."""
        ...

    def principals(self) -> list[Principal]:
        """Every principal, revoked ones too, by name."""
        ...

    def principal_by_key(self, key_hash: str) -> Principal | None:
        """The principal holding the key with this hash, revoked or not (the caller checks)."""
        ...

    def revoke_principal(self, name: str, at: dt.datetime) -> bool:
        """Revoke `name`'s key from `at`; False when no principal of that name is active."""
        ...

    # --- targets (graph/domain/targets.py): beside the graph, every version kept ------------
    def add_targets(self, targets: Sequence[Target]) -> None:
        """Record these target versions, all or none, and bump the targets' version."""
        ...

    def target_versions(self, periods: Sequence[str]) -> list[Target]:
        """Every recorded version of the targets of these periods (`2026`, `2026-06`)."""
        ...

    def versions(self) -> tuple[int, int]:
        """`version()` and how many target writes were recorded, in one read (before each
        request: an answer kept before either moved is stale)."""
        ...

    def disagreeing_reads(self, as_of: dt.date) -> list[ReadDisagreement]:
        """Meters whose READS area on `as_of` is not their HAS_METER area, by meter code."""

    def scan_entities(self, kind: Kind) -> Iterator[Entity]:
        """Every stored entity of `kind`, streamed (for materializing what loss needs)."""

    def scan_links(self, rel: Rel) -> Iterator[Link]:
        """Every interval of `rel`, open and closed, streamed."""

    # --- writes ------------------------------------------------------------------------
    def remove_empty_intervals(self, record: ChangesetRecord) -> int:
        """The repair of intervals that hold on no day (valid_from >= valid_to: written by an
        event dated on the open-interval sentinel before dates were bounded): remove them, and
        unstamp the open end of the interval each one followed. One transaction; with any
        removed, a new graph version and `record` (its counts with "removed"). Returns how many
        were removed."""

    def apply(
        self,
        changes: ChangeSet,
        progress: Progress | None = None,
        expect_version: int | None = None,
    ) -> None:
        """Write a validated change set (embedded: one atomic transaction), telling
        `progress` how far it got on large writes. Writes its record, stamps the intervals it
        opens and closes with the record's id, and adds one to the version. With
        `expect_version`, raises StalePlan (writing nothing) unless the version is that one."""
