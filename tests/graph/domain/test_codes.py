"""What a code may hold: everything a utility writes, nothing that hides another code."""

from __future__ import annotations

import pytest

from graph.domain.codes import code_problem, new_code_problem


@pytest.mark.parametrize("code", ["M1", "G000000001", "T1-2026", "台区01", "M1.a_b/c", "电表#7"])
def test_ordinary_codes_are_accepted(code: str) -> None:
    assert code_problem(code) is None and new_code_problem(code) is None


@pytest.mark.parametrize(
    ("code", "char", "position"),
    [
        ("M\x001", "0000", 2),  # NUL
        ("M\x011", "0001", 2),  # the search key's own separator
        ("M1\u202e99", "202E", 3),  # right-to-left override: shows as M199
        ("\ufeffM1", "FEFF", 1),  # byte-order mark
        ("M\u200b1", "200B", 2),  # zero-width space
        ("M\ud8001", "D800", 2),  # a lone surrogate: not text
        ('M"1', "0022", 2),
        ("M'1", "0027", 2),
        ("M\\1", "005C", 2),
        ("M1\x85", "0085", 3),  # C1 next line
    ],
)
def test_control_bidi_invisible_and_quote_characters_are_refused(
    code: str, char: str, position: int
) -> None:
    assert code_problem(code) == (
        f"has a control, invisible or quote character (U+{char}) at position {position}"
    )


def test_a_new_code_is_short_and_has_no_spaces() -> None:
    assert new_code_problem(" ") == "is empty"
    assert new_code_problem("M 1") == "must be 1-64 characters without spaces"
    assert new_code_problem("M" * 65) == "must be 1-64 characters without spaces"
    assert new_code_problem("M" * 64) is None
