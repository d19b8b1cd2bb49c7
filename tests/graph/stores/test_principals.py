"""Principals in both stores: kept with their key's hash only, found by it, revoked."""

from __future__ import annotations

import datetime as dt

import pytest

from graph.domain.access import Principal, Role, mask_name, name_problem, new_token, token_hash
from graph.domain.errors import InputError
from graph.stores.contract import Store

NOW = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)


def _principal(name: str, token: str, role: Role = Role.VIEWER) -> Principal:
    return Principal(name, role, "Z1", NOW, dt.date(2027, 1, 31), False, None, token_hash(token))


def test_a_principal_is_found_by_its_key_and_never_keeps_the_key(store: Store) -> None:
    token = new_token()
    kept = _principal("wang.gong", token, Role.SUPPLY_STATION)
    store.add_principal(kept)
    assert store.principal_by_key(token_hash(token)) == kept
    assert store.principal_by_key(token_hash(new_token())) is None
    assert store.principals() == [kept]
    assert token not in repr(store.principals())
    assert kept.holds(token) and not kept.holds(token + "x")


def test_names_are_unique_and_revocation_is_kept(store: Store) -> None:
    store.add_principal(_principal("b-system", new_token(), Role.INTEGRATION))
    store.add_principal(_principal("a.li", new_token()))
    with pytest.raises(InputError, match="exists already"):
        store.add_principal(_principal("a.li", new_token()))
    later = NOW + dt.timedelta(hours=1)
    assert store.revoke_principal("a.li", later)
    assert not store.revoke_principal("a.li", later)  # revoked already
    assert not store.revoke_principal("nobody", later)
    names = [(p.name, p.revoked_at) for p in store.principals()]
    assert names == [("a.li", later), ("b-system", None)]
    assert not store.principals()[0].active_on(dt.date(2026, 12, 3))


def test_a_key_is_good_up_to_its_expiry_day() -> None:
    p = _principal("x", new_token())
    assert p.active_on(dt.date(2027, 1, 31)) and not p.active_on(dt.date(2027, 2, 1))


def test_duties_and_personal_data_by_role() -> None:
    station = _principal("s", "t", Role.SUPPLY_STATION)
    operations = _principal("o", "t", Role.OPERATIONS)
    service = _principal("c", "t", Role.CUSTOMER_SERVICE)
    events = ["areaMove", "areaRetire", "transformerReplace", "meterMove", "meterReplace"]
    assert [e for e in events if station.may_send(e)] == events
    assert [e for e in events if operations.may_send(e)] == events[:3]
    assert [e for e in events if service.may_send(e)] == events[3:]
    for role in (Role.MARKETING, Role.VIEWER, Role.INTEGRATION):
        assert not any(_principal("r", "t", role).may_send(e) for e in events)
    assert station.sees_personal_data() and service.sees_personal_data()
    assert not operations.sees_personal_data()
    allowed = Principal("v", Role.VIEWER, "P", NOW, personal_data=True)
    assert allowed.sees_personal_data()


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("王小伟", "王*伟"),
        ("王伟", "王*"),
        ("欧阳娜娜", "欧**娜"),
        ("Li", "L*"),
        ("张", "*"),
        ("", ""),
    ],
)
def test_names_are_masked_but_first_and_last_character(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_principal_names() -> None:
    assert name_problem("wang.gong@z1") is None
    assert name_problem("") and name_problem("a b") and name_problem("x" * 65)
