"""The Query root."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any

import strawberry

from api.context import Info
from api.dataloaders import (
    ChangesetKey,
    EntitiesKey,
    EntityPageKey,
    NeighborsKey,
    SearchKey,
)
from api.ids import parse_global_id
from api.pagination import decode_cursor, page_size
from api.prefetch import prefetch
from api.scope_guard import scope_on, units_seen, visible
from api.types.assessment import AssessmentRow, assessment
from api.types.changeset import (
    Changeset,
    ChangesetConnection,
    changeset_connection,
    scoped_details,
)
from api.types.connection import Connection, connection
from api.types.customer import Customer
from api.types.enums import EntityKind
from api.types.feeder import Feeder
from api.types.loss_fields import Network
from api.types.meter import Meter
from api.types.mismatch import MismatchConnection, mismatch_connection
from api.types.node import Node
from api.types.org_unit import OrgUnit
from api.types.resolve import context, page_of
from api.types.search import SearchHit
from api.types.substation import Substation
from api.types.transformer import Transformer
from api.types.values import entity_on
from api.types.viewer import Viewer
from api.types.wrap import wrap
from graph.domain.access import PERSONAL_ATTRIBUTES, shown
from graph.domain.errors import InputError
from graph.domain.model import OWNER_REL, SEARCHABLE, Kind

MAX_SEARCH_TEXT = 100
BY_CODE = "taiqu_by_code"  # metadata of a root field by code: the kind it answers
AS_OF_DOC = "Date to read the topology on (default: today). Nested fields inherit it."


async def resolve_node(info: Info, kind: Kind, code: str, as_of: dt.date | None) -> Node | None:
    """What the Node interface resolves: the entity of `kind` with `code`, as its type."""
    ctx = context(info)
    day = as_of or ctx.today
    if not await visible(ctx, kind, code, day):
        return None  # out of the principal's scope: as if it did not exist
    entity = await ctx.loaders.entities.load(EntitiesKey(kind, code))
    if entity is None:
        return None
    # No values on that day: it did not exist then.
    return None if await entity_on(info, entity, day) is None else wrap(entity, day)


def by_code_field(kind: Kind, node_type: type[Node]) -> Any:
    """A root field `(code, asOf)` answering one entity of `kind`: the Node resolver with the
    kind fixed (the global id of `node(id)` carries it instead)."""

    async def resolve(info: Info, code: str, as_of: dt.date | None = None) -> Node | None:
        ctx = context(info)
        if not ctx.narrowed:  # below the top unit nothing is read before the scope check
            await prefetch(info, kind, code, as_of or ctx.today)
        return await resolve_node(info, kind, code, as_of)

    # Real types, not the strings of `from __future__ import annotations`: strawberry reads
    # the field's return type from here, and `node_type` is only known in this closure.
    resolve.__annotations__ = {
        "info": Info,
        "code": str,
        "as_of": dt.date | None,
        "return": node_type | None,  # type: ignore[operator]
    }
    return strawberry.field(resolver=resolve, metadata={BY_CODE: kind})


def _as_of_arg() -> Any:
    return strawberry.argument(description=AS_OF_DOC)


@strawberry.type
class Query:
    @strawberry.field(description="Who asks: the principal the API key names (null without one).")
    def viewer(self, info: Info) -> Viewer | None:
        principal = context(info).principal
        return None if principal is None else Viewer(principal=principal)

    @strawberry.field(description="The whole network: loss over every area.")
    def network(self) -> Network:
        return Network()

    @strawberry.field(
        description="Meters the collection system reads in another area than the marketing "
        "archive (customer/pv meters) or the equipment system (gate meters) places them in "
        "(户变不一致), by meter code. `under`: any node's id (a unit, substation, feeder or area: "
        "mismatches involving an area under it; a meter; a customer); null: the whole network."
    )
    async def mismatches(
        self,
        info: Info,
        under: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
        as_of: Annotated[dt.date | None, _as_of_arg()] = None,
    ) -> MismatchConnection:
        return await mismatch_connection(info, under, first, after, as_of)

    assessment: list[AssessmentRow] = strawberry.field(
        resolver=assessment,
        description="One month's assessment (考核, docs/indicators.md): every unit of `level` "
        "(inside `under`'s subtree when given), else the units directly below `under` (default: "
        "your own unit's). Targets as recorded at `targetsAsOf` (default: now). Only the units "
        "you may see are answered; their ranks are among all their siblings.",
    )

    @strawberry.field(
        description="Audit records of the writes to the topology, newest first; with `since` "
        "(a graph version), those written after it, oldest first: how a system follows the "
        "changes (docs/integration.md)."
    )
    async def changesets(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        since: Annotated[
            int | None,
            strawberry.argument(description="A graph version: the changesets written after it."),
        ] = None,
    ) -> ChangesetConnection:
        return await changeset_connection(info, first, after, since)

    @strawberry.field(description="One audit record by id.")
    async def changeset(self, info: Info, id: strawberry.ID) -> Changeset | None:
        ctx = context(info)
        record = await ctx.loaders.changeset.load(ChangesetKey(str(id)))
        if record is None or (ctx.narrowed and await scoped_details(ctx, record) is None):
            return None  # below the top unit, one naming nothing of the scope does not exist
        return Changeset(record=record)

    @strawberry.field(description="Any entity by its global id.")
    async def node(
        self, info: Info, id: strawberry.ID, as_of: dt.date | None = None
    ) -> Node | None:
        kind, code = parse_global_id(str(id))
        return await resolve_node(info, kind, code, as_of)

    org_unit = by_code_field(Kind.ORG_UNIT, OrgUnit)
    substation = by_code_field(Kind.SUBSTATION, Substation)
    feeder = by_code_field(Kind.FEEDER, Feeder)
    transformer = by_code_field(Kind.TRANSFORMER, Transformer)
    meter = by_code_field(Kind.METER, Meter)
    customer = by_code_field(Kind.CUSTOMER, Customer)

    @strawberry.field(description="All substations, by code.")
    async def substations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        as_of: dt.date | None = None,
    ) -> Connection[Substation]:
        return await _entity_connection(info, Kind.SUBSTATION, first, after, as_of)  # type: ignore[return-value]

    @strawberry.field(description="All org units, by code (explorers start here or at `search`).")
    async def org_units(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        as_of: dt.date | None = None,
    ) -> Connection[OrgUnit]:
        return await _entity_connection(info, Kind.ORG_UNIT, first, after, as_of)  # type: ignore[return-value]

    @strawberry.field(
        description="Entities whose code or name contains `text` (case-insensitive; Chinese "
        "names included). Exact code first, then prefixes, then other matches. Names are "
        "matched as they are today; hits that did not exist on `asOf` are left out, and each "
        "hit's name is the one of that day."
    )
    async def search(
        self,
        info: Info,
        text: str,
        kinds: list[EntityKind] | None = None,
        first: int | None = None,
        as_of: dt.date | None = None,
    ) -> list[SearchHit]:
        ctx = context(info)
        needle = text.strip()
        if not 1 <= len(needle) <= MAX_SEARCH_TEXT:
            raise InputError(f"text must have 1 to {MAX_SEARCH_TEXT} characters")
        if not needle.isprintable():  # NUL broke the embedded store's full-text match
            raise InputError("text must not hold control or invisible characters")
        limit = page_size(first, 10, ctx.settings.max_search_hits)
        wanted = tuple(k.to_kind() for k in kinds) if kinds else SEARCHABLE
        day = as_of or ctx.today
        units = await units_seen(ctx, day)  # below the top unit: the store searches its scope
        key = SearchKey(needle, wanted, limit, units, None if units is None else day)
        hits = await ctx.loaders.search.load(key)
        found = []
        sees = ctx.sees_personal_data()
        if not sees:  # a person found by name would tell the name: by code only
            lowered = needle.lower()
            hits = [
                e for e in hits if e.kind not in PERSONAL_ATTRIBUTES or lowered in e.code.lower()
            ]
        on_day = await asyncio.gather(*(entity_on(info, e, day) for e in hits))
        for e, then in zip(hits, on_day, strict=True):
            if then is None:  # it did not exist on `day` (added later, or ended before)
                continue
            name = shown(e.kind, "name", then.get("name"), sees)
            found.append(
                SearchHit(
                    kind=EntityKind(e.kind.value),
                    code=e.code,
                    name=None if name is None else str(name),
                    node=wrap(e, day),
                )
            )
        return found


async def _entity_connection(
    info: Info, kind: Kind, first: int | None, after: str | None, as_of: dt.date | None
) -> Connection[Node]:
    ctx = context(info)
    size = page_size(first, ctx.settings.default_page_size, ctx.settings.max_page_size)
    day = as_of or ctx.today
    if ctx.narrowed:  # the units of the scope that day, or the substations they own
        units = sorted((await scope_on(ctx, day)).units)
        if kind is Kind.ORG_UNIT:
            keys = [EntitiesKey(kind, u) for u in units]
            found = [e for e in await ctx.loaders.entities.load_many(keys) if e is not None]
        else:
            owner = OWNER_REL[kind]
            keys_down = [NeighborsKey(owner, "down", day, u) for u in units]
            found = [e for owned in await ctx.loaders.neighbors.load_many(keys_down) for e in owned]
        return connection(page_of(found, size, decode_cursor(after)), day, wrap, after)
    page = await ctx.loaders.entity_page.load(EntityPageKey(kind, day, size, decode_cursor(after)))
    return connection(page, day, wrap, after)
