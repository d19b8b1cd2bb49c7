"""Turn a domain Entity into the GraphQL type of its kind."""

from __future__ import annotations

import datetime as dt

from api.types.customer import Customer
from api.types.feeder import Feeder
from api.types.meter import Meter
from api.types.node import Node
from api.types.org_unit import OrgUnit
from api.types.substation import Substation
from api.types.transformer import Transformer
from graph.domain.model import Entity, Kind

#: The GraphQL type of each kind of entity.
NODE_TYPES: dict[Kind, type[Node]] = {
    Kind.ORG_UNIT: OrgUnit,
    Kind.SUBSTATION: Substation,
    Kind.FEEDER: Feeder,
    Kind.TRANSFORMER: Transformer,
    Kind.METER: Meter,
    Kind.CUSTOMER: Customer,
}


def wrap(entity: Entity, as_of: dt.date) -> Node:
    return NODE_TYPES[entity.kind](entity=entity, as_of=as_of)
