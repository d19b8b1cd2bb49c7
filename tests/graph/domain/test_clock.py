"""'Today' is the utility's date, not the server's (TAIQU_TIMEZONE, default Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from graph.domain import clock
from graph.domain.errors import ConfigError
from taiqu.settings import Settings


@pytest.fixture(autouse=True)
def _default_zone_after() -> Iterator[None]:
    yield
    clock.set_zone(clock.DEFAULT_ZONE)


def test_beijing_morning_is_already_the_next_day() -> None:
    # 2026-12-04 20:30 UTC is 2026-12-05 04:30 in Beijing: the utility's "today" is the 5th.
    evening_utc = dt.datetime(2026, 12, 4, 20, 30, tzinfo=dt.UTC)
    assert clock.today(evening_utc) == dt.date(2026, 12, 5)
    assert clock.today(dt.datetime(2026, 12, 4, 15, 59, tzinfo=dt.UTC)) == dt.date(2026, 12, 4)
    assert clock.today(dt.datetime(2026, 12, 4, 16, 0, tzinfo=dt.UTC)) == dt.date(2026, 12, 5)
    clock.set_zone("UTC")
    assert clock.today(evening_utc) == dt.date(2026, 12, 4)


def test_the_zone_comes_from_the_settings() -> None:
    assert Settings.from_env({}).timezone == "Asia/Shanghai"
    assert Settings.from_env({"TAIQU_TIMEZONE": "Asia/Urumqi"}).timezone == "Asia/Urumqi"
    with pytest.raises(ConfigError, match="TAIQU_TIMEZONE: 'Beijing' is not an IANA time zone"):
        Settings.from_env({"TAIQU_TIMEZONE": "Beijing"})
