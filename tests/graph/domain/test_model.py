"""Meter roles and scopes: the enums that replace string literals."""

from __future__ import annotations

import pytest

from graph.domain.model import GATE_ROLE, METER_ROLES, Entity, Kind, MeterRole, is_gate
from graph.domain.scope import Scope
from graph.series import sql


def test_meter_roles_are_the_exchange_formats_words() -> None:
    assert METER_ROLES == ("gate", "customer", "pv")
    assert GATE_ROLE == "gate" and GATE_ROLE is MeterRole.GATE
    assert sql.GATE == "'gate'"  # the series SQL tests roles with the same word


def test_is_gate_reads_the_stored_role() -> None:
    assert is_gate(Entity(Kind.METER, "G1", {"role": "gate"}))
    assert not is_gate(Entity(Kind.METER, "M1", {"role": "customer"}))
    assert not is_gate(Entity(Kind.METER, "M2", {}))  # no role given


def test_every_node_with_areas_under_it_has_a_scope() -> None:
    assert Scope.of(Kind.ORG_UNIT) is Scope.ORG
    assert Scope.of(Kind.SUBSTATION) is Scope.SUBSTATION
    assert Scope.of(Kind.FEEDER) is Scope.FEEDER
    assert Scope.of(Kind.TRANSFORMER) is Scope.TRANSFORMER
    for kind in (Kind.METER, Kind.CUSTOMER):
        with pytest.raises(KeyError):
            Scope.of(kind)
