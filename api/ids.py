"""Global node ids: "Kind:code" (clients treat them as opaque)."""

from __future__ import annotations

from graph.domain.errors import InputError
from graph.domain.model import SEARCHABLE, Kind

# The kinds with a GraphQL type (a line is reached through its area, not by id yet).
_BY_NAME = {k.value: k for k in SEARCHABLE}


def global_id(kind: Kind, code: str) -> str:
    return f"{kind.value}:{code}"


def parse_global_id(node_id: str) -> tuple[Kind, str]:
    name, sep, code = node_id.partition(":")
    if not sep or name not in _BY_NAME or not code:
        raise InputError(f"id: not a node id of this API: {node_id!r}")
    return _BY_NAME[name], code
