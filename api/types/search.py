"""Search hits over codes and names."""

from __future__ import annotations

import strawberry

from api.types.enums import EntityKind
from api.types.node import Node


@strawberry.type(description="One search result; `node` is the entity itself.")
class SearchHit:
    kind: EntityKind
    code: str
    name: str | None
    node: Node
