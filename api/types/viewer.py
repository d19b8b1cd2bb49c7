"""Viewer: who asks — what a client (the explorer) needs to shape its pages to the principal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from graph.domain.access import DUTIES, Principal
from graph.domain.model import Kind

if TYPE_CHECKING:
    from api.types.org_unit import OrgUnit


@strawberry.type(description="The principal the request's key names: its role, unit and duties.")
class Viewer:
    principal: strawberry.Private[Principal]

    @strawberry.field(description="The principal's name (written into the changesets it makes).")
    def name(self) -> str:
        return self.principal.name

    @strawberry.field(
        description="marketing, operations, customer_service, supply_station, viewer or "
        "integration (docs/access.md)."
    )
    def role(self) -> str:
        return self.principal.role.value

    @strawberry.field(description="The code of the org unit whose subtree it works in.")
    def org_code(self) -> str:
        return self.principal.org

    @strawberry.field(description="That org unit as of today; null if it no longer exists.")
    async def org_unit(
        self, info: Info
    ) -> Annotated[OrgUnit, strawberry.lazy("api.types.org_unit")] | None:
        from api.query import resolve_node

        return await resolve_node(info, Kind.ORG_UNIT, self.principal.org, None)  # type: ignore[return-value]

    @strawberry.field(description="Whether customer names are shown as they are (else masked).")
    def sees_personal_data(self) -> bool:
        return self.principal.sees_personal_data()

    @strawberry.field(
        description="The change events (mutation names) its role may send, in a fixed order."
    )
    def change_events(self) -> list[str]:
        return [event for event in DUTIES if self.principal.may_send(event)]
