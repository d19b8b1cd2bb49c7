"""Settings from the environment: writers and their tokens."""

from __future__ import annotations

import pytest

from graph.domain.errors import ConfigError
from taiqu.settings import Settings

TOKEN_A = "a" * 24
TOKEN_B = "b" * 30


def test_writers_are_read_and_matched_by_token() -> None:
    settings = Settings.from_env({"TAIQU_WRITERS": f" 李工={TOKEN_A} , 王工={TOKEN_B}"})
    assert settings.writer(TOKEN_A) == "李工"
    assert settings.writer(TOKEN_B) == "王工"
    assert settings.writer("a" * 23) is None
    assert settings.writer("") is None
    assert TOKEN_A not in repr(settings) and "writers=2" in repr(settings)


def test_no_writers_by_default() -> None:
    assert Settings.from_env({}).writers == ()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("李工", "name=token pairs"),
        (f"={TOKEN_A}", "name=token pairs"),
        ("李工=short", "shorter than 24 characters"),
    ],
)
def test_bad_writers_are_refused(raw: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({"TAIQU_WRITERS": raw})
