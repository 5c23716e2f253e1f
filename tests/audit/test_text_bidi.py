"""Bidi overrides and isolates are removed like other control characters (issue 15 item 8):
U+202E would make `Smith` show as `htimS` and a date or an amount read backwards."""

from __future__ import annotations

import pytest

from audit.csv_import import parse_candidates
from audit.text import clean_text, has_control, quote, strip_control

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("char", BIDI, ids=[f"U+{ord(c):04X}" for c in BIDI])
def test_each_bidi_control_is_removed(char: str) -> None:
    text = f"Smith{char}htimS 12/03{char}/2020"
    assert has_control(text)
    assert strip_control(text) == "SmithhtimS 12/03/2020"
    assert clean_text(text) == "SmithhtimS 12/03/2020"
    assert char not in quote(text)


def test_other_right_to_left_text_is_kept() -> None:
    arabic = "\u0633\u0645\u064a\u062b and \u05e9\u05dc\u05d5\u05dd, \u200f marks too"
    assert strip_control(arabic) == arabic


def test_an_imported_value_loses_them() -> None:
    data = "case_ref,unborn,family_name,notes\nRB-1,yes,Sm\u202eith,note \u2066x\u2069\n".encode()
    result = parse_candidates(data, audit="A", agency_codes=["CSC"], existing_refs=set())
    assert not result.problems
    case = result.cases[0]
    assert (case.family_name, case.notes) == ("Smith", "note x")
