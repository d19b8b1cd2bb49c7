"""What day it is for the utility: "today" in its time zone (TAIQU_TIMEZONE, default
Asia/Shanghai), never the server's. A server runs in UTC in its image; between 00:00 and
08:00 in Beijing the UTC date is still yesterday, and the default as-of day, an event's
effective date or the last day of readings would be a day behind.

Set once at start-up from the settings (taiqu/settings.py); every "today" comes from here.
Instants are stored in UTC.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Shanghai"

_zone = ZoneInfo(DEFAULT_ZONE)


def zone_problem(name: str) -> str | None:
    """Why `name` is no IANA time zone this machine knows; None when it is one."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"{name!r} is not an IANA time zone (Asia/Shanghai, UTC, Asia/Urumqi)"
    return None


def set_zone(name: str) -> None:
    """The utility's time zone for this process (checked by the settings before)."""
    global _zone
    _zone = ZoneInfo(name)


def zone() -> ZoneInfo:
    return _zone


def today(at: dt.datetime | None = None) -> dt.date:
    """The date in the utility's time zone now (or at the instant `at`)."""
    return (at or dt.datetime.now(dt.UTC)).astimezone(_zone).date()
