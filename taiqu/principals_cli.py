"""`taiqu principals add|list|revoke`: who may use the API (an operator's commands)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from graph.domain import clock
from graph.domain.access import Principal, Role
from graph.services.principals import create_principal, revoke
from taiqu.arguments import date_arg
from taiqu.settings import Settings


def _public(p: Principal, day: dt.date) -> dict[str, Any]:
    """What may be shown of a principal: everything but its key's hash."""
    return {
        "name": p.name,
        "role": p.role.value,
        "org": p.org,
        "personalData": p.personal_data,
        "createdAt": p.created_at.isoformat(),
        "expires": p.expires.isoformat() if p.expires else None,
        "revokedAt": p.revoked_at.isoformat() if p.revoked_at else None,
        "active": p.active_on(day),
    }


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    store = settings.open_store()
    try:
        principal, token = create_principal(
            store,
            args.name,
            args.role,
            args.org,
            expires=args.expires,
            personal_data=args.personal_data,
        )
    finally:
        store.close()
    if args.json:
        body = {"name": principal.name, "role": principal.role.value, "org": principal.org}
        print(json.dumps({**body, "token": token}, ensure_ascii=False))
        return 0
    print(
        f"principal {principal.name}: {principal.role.value} in {principal.org}"
        + (f", until {principal.expires}" if principal.expires else "")
        + (", sees personal data" if principal.sees_personal_data() else "")
        + f"\nAPI key (shown this once; send it as 'Authorization: Bearer <key>'):\n{token}"
    )
    return 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    store = settings.open_store(read_only=settings.home_is_read_only())
    try:
        found = store.principals()
    finally:
        store.close()
    today = clock.today()
    if args.json:
        print(json.dumps([_public(p, today) for p in found], ensure_ascii=False, indent=2))
        return 0
    for p in found:
        state = "active" if p.active_on(today) else ("revoked" if p.revoked_at else "expired")
        until = f" until {p.expires}" if p.expires else ""
        print(f"{p.name}\t{p.role.value}\t{p.org}\t{state}{until}")
    if not found:
        print("no principals: `taiqu principals add NAME --role ROLE --org ORG`", file=sys.stderr)
    return 0


def cmd_revoke(args: argparse.Namespace, settings: Settings) -> int:
    store = settings.open_store()
    try:
        revoke(store, args.name)
    finally:
        store.close()
    print(f"revoked {args.name}: its key is refused from now on (by running servers within "
          "seconds)")  # fmt: skip
    return 0


def add_commands(sub: Any) -> None:
    """The `principals` command group on the main parser's subparsers."""
    group = sub.add_parser("principals", help="who may use the API: add, list, revoke")
    steps = group.add_subparsers(dest="step", required=True)
    add = steps.add_parser("add", help="make a principal and print its API key once")
    add.add_argument("name", help="unique; written into every changeset it makes")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--org", required=True, help="the org unit whose subtree it works in")
    add.add_argument("--expires", type=date_arg, default=None, help="last day the key is good")
    add.add_argument(
        "--personal-data",
        action="store_true",
        help="see customer names unmasked (marketing, customer service, stations always do)",
    )
    add.add_argument("--json", action="store_true", help="print name, role, org and token")
    add.set_defaults(run=cmd_add)
    listing = steps.add_parser("list", help="every principal (keys are never shown again)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_list)
    gone = steps.add_parser("revoke", help="refuse a principal's key from now on")
    gone.add_argument("name")
    gone.set_defaults(run=cmd_revoke)
