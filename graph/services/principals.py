"""Make and revoke principals: the checks both the command line and the demo go through."""

from __future__ import annotations

import datetime as dt

from graph.domain import clock
from graph.domain.access import Principal, Role, name_problem, new_token, token_hash
from graph.domain.errors import InputError, NotFound
from graph.domain.model import Kind, Rel
from graph.stores.contract import Store


def create_principal(
    store: Store,
    name: str,
    role: str,
    org: str,
    *,
    expires: dt.date | None = None,
    personal_data: bool = False,
    today: dt.date | None = None,
) -> tuple[Principal, str]:
    """A new principal and its API key (shown once, never kept). InputError names what is
    wrong: the name, the role, an org unit the graph does not hold, an expiry already past."""
    day = today or clock.today()
    problem = name_problem(name)
    if problem:
        raise InputError(problem)
    try:
        checked_role = Role(role)
    except ValueError as exc:
        roles = ", ".join(r.value for r in Role)
        raise InputError(f"unknown role {role!r}: expected one of {roles}") from exc
    if not store.existing_codes(Kind.ORG_UNIT, [org]):
        raise NotFound(f"unknown org unit {org!r}: a principal works inside a stored unit")
    if expires is not None and expires < day:
        raise InputError(f"--expires {expires} is in the past")
    token = new_token()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    principal = Principal(
        name, checked_role, org, now, expires, personal_data, None, token_hash(token)
    )
    store.add_principal(principal)
    return principal, token


def top_unit(store: Store) -> str | None:
    """The first org unit (by code) with no parent today: where a principal sees everything."""
    orgs = sorted(store.all_codes(Kind.ORG_UNIT))
    parents = store.open_links(Rel.ORG_PARENT, orgs) if orgs else {}
    return next((o for o in orgs if o not in parents), None)


def revoke(store: Store, name: str) -> None:
    """Revoke `name`'s key now (InputError when there is no active principal of that name)."""
    if not store.revoke_principal(name, dt.datetime.now(dt.UTC).replace(microsecond=0)):
        raise NotFound(f"no active principal named {name!r}")
