"""Who may do what: principals, the roles of the management measures, their duties, and
the masking of personal data.

A principal is a department's user or another system, bound to one org unit: it works inside
that unit's subtree. Its API key is shown once when it is made; only a SHA-256 of it is kept
(the key is 256 random bits, so a fast hash is enough: nothing to brute-force).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field, replace
from enum import StrEnum

from graph.domain.model import Kind


class Role(StrEnum):
    """The departments of the line-loss management measures, and other systems."""

    MARKETING = "marketing"  # management loss, the archives, targets
    OPERATIONS = "operations"  # 运检: technical loss, equipment changes (异动)
    CUSTOMER_SERVICE = "customer_service"  # metering, reading, 户变对应, anti-theft
    SUPPLY_STATION = "supply_station"  # 供电所 (营配合一): both, inside its station
    VIEWER = "viewer"
    INTEGRATION = "integration"  # another system reading over GraphQL


#: The change events (GraphQL mutations) each role may send: its duties.
DUTIES: dict[str, frozenset[Role]] = {
    "areaMove": frozenset({Role.OPERATIONS, Role.SUPPLY_STATION}),
    "areaRetire": frozenset({Role.OPERATIONS, Role.SUPPLY_STATION}),
    "transformerReplace": frozenset({Role.OPERATIONS, Role.SUPPLY_STATION}),
    "meterMove": frozenset({Role.CUSTOMER_SERVICE, Role.SUPPLY_STATION}),
    "meterReplace": frozenset({Role.CUSTOMER_SERVICE, Role.SUPPLY_STATION}),
}

#: Roles that see personal data (customer names) as they are; the others see them masked
#: unless the principal was made with personal data allowed.
SEES_PERSONAL_DATA = frozenset({Role.MARKETING, Role.CUSTOMER_SERVICE, Role.SUPPLY_STATION})

#: Attributes that describe a person: masked (mask_name) for whoever does not see personal data.
PERSONAL_ATTRIBUTES: dict[Kind, frozenset[str]] = {Kind.CUSTOMER: frozenset({"name"})}

TOKEN_PREFIX = "tq_"  # noqa: S105 - a prefix, not a secret: makes a leaked key recognizable
MAX_NAME_LENGTH = 64


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """A holder of an API key: `name` (unique; written into the changesets it makes), its
    `role`, the org unit whose subtree it works in, and until when the key is good."""

    name: str
    role: Role
    org: str
    created_at: dt.datetime  # UTC
    expires: dt.date | None = None  # the key is good up to and including this day
    personal_data: bool = False  # sees customer names even when its role does not
    revoked_at: dt.datetime | None = None
    key_hash: str = field(default="", repr=False)

    def active_on(self, day: dt.date) -> bool:
        return self.revoked_at is None and (self.expires is None or day <= self.expires)

    def may_send(self, event: str) -> bool:
        return self.role in DUTIES.get(event, frozenset())

    def sees_personal_data(self) -> bool:
        return self.personal_data or self.role in SEES_PERSONAL_DATA

    def holds(self, token: str) -> bool:
        return hmac.compare_digest(self.key_hash, token_hash(token))


def revoked(found: Principal | None, at: dt.datetime) -> Principal | None:
    """`found` with its key revoked from `at`; None when there is nothing to revoke (no such
    principal, or revoked already). Both stores write what this answers."""
    if found is None or found.revoked_at is not None:
        return None
    return replace(found, revoked_at=at)


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a principal (None: it can)."""
    if not name or len(name) > MAX_NAME_LENGTH:
        return f"a principal's name has 1 to {MAX_NAME_LENGTH} characters"
    if not all(c.isalnum() or c in "-_.@" for c in name):
        return "a principal's name holds letters, digits and - _ . @ only"
    return None


def shown(kind: Kind, attr: str, value: object, sees_personal_data: bool) -> object:
    """An attribute's value as a reader may see it: a personal one masked unless allowed."""
    if sees_personal_data or attr not in PERSONAL_ATTRIBUTES.get(kind, ()):
        return value
    return mask_name(None if value is None else str(value))


def mask_name(name: str | None) -> str | None:
    """A person's name with all but its first and last character hidden: 王小伟 -> 王*伟,
    王伟 -> 王*, a single character -> *."""
    if name is None:
        return None
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def principal_to_json(p: Principal) -> str:
    """What a store keeps of a principal (its key's hash included, never the key)."""
    return json.dumps(
        {
            "name": p.name,
            "role": p.role.value,
            "org": p.org,
            "created_at": p.created_at.isoformat(),
            "expires": p.expires.isoformat() if p.expires else None,
            "personal_data": p.personal_data,
            "revoked_at": p.revoked_at.isoformat() if p.revoked_at else None,
            "key_hash": p.key_hash,
        },
        ensure_ascii=False,
    )


def principal_from_json(text: str) -> Principal:
    raw = json.loads(text)
    return Principal(
        name=raw["name"],
        role=Role(raw["role"]),
        org=raw["org"],
        created_at=dt.datetime.fromisoformat(raw["created_at"]),
        expires=dt.date.fromisoformat(raw["expires"]) if raw["expires"] else None,
        personal_data=bool(raw["personal_data"]),
        revoked_at=dt.datetime.fromisoformat(raw["revoked_at"]) if raw["revoked_at"] else None,
        key_hash=raw["key_hash"],
    )
