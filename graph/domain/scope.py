"""Scopes: the subtrees that loss and the mismatch report roll up over."""

from __future__ import annotations

from enum import StrEnum

from graph.domain.model import Kind


class Scope(StrEnum):
    """Which subtree a roll-up covers: the network, or everything under one node."""

    NETWORK = "network"
    ORG = "org"  # an org unit and all its descendant units
    SUBSTATION = "substation"
    FEEDER = "feeder"
    TRANSFORMER = "transformer"  # one area

    @classmethod
    def of(cls, kind: Kind) -> Scope:
        """The scope of a node of `kind` (KeyError: a meter or customer has no areas under
        it)."""
        return _OF_KIND[kind]


_OF_KIND = {
    Kind.ORG_UNIT: Scope.ORG,
    Kind.SUBSTATION: Scope.SUBSTATION,
    Kind.FEEDER: Scope.FEEDER,
    Kind.TRANSFORMER: Scope.TRANSFORMER,
}
