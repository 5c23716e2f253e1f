"""The cohort profile's CSV columns (issue 20 item 2): gender, ethnicity (ONS 2021) and
level of intervention, read in common spellings, refused in one sentence otherwise,
counted one way each, and available to balance a draw."""

from __future__ import annotations

import random
from datetime import date

import pytest

from audit.cases import CandidateCase
from audit.csv_import import parse_candidates
from audit.csv_values import Values, parse_column
from audit.draw import Lookback, balance_function, draw, strata_counts
from audit.profile import (
    ETHNIC_GROUPS,
    NOT_RECORDED,
    PARSERS,
    ethnic_group,
    ethnicity,
    gender,
    level_of_intervention,
    profile_counts,
)

CODES = ["CSC", "MID", "HV", "GP", "ASM", "AMH", "EY", "POL"]


def parse(text: str):  # type: ignore[no-untyped-def]
    return parse_candidates(text.encode(), audit="A", agency_codes=CODES, existing_refs=set())


def one(parser, value: str) -> str | None:  # type: ignore[no-untyped-def]
    bad: list[str] = []
    found = parser(value, bad)
    assert (found is None) == bool(bad)
    return found


@pytest.mark.parametrize("value, stored", [
    ("White British", "White: English, Welsh, Scottish, Northern Irish or British"),
    ("english", "White: English, Welsh, Scottish, Northern Irish or British"),
    ("WHITE - IRISH", "White: Irish"),
    ("Any other White background", "White: Other White"),
    ("Gypsy or Irish Traveller", "White: Gypsy or Irish Traveller"),
    ("Roma", "White: Roma"),
    ("Mixed", "Mixed or Multiple ethnic groups"),
    ("Mixed: White & Black Caribbean", "Mixed or Multiple ethnic groups: White and Black Caribbean"),
    ("mixed - other", "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups"),
    ("Asian or Asian British: Pakistani", "Asian, Asian British or Asian Welsh: Pakistani"),
    ("Indian", "Asian, Asian British or Asian Welsh: Indian"),
    ("black african", "Black, Black British, Black Welsh, Caribbean or African: African"),
    ("Black, Black British, Black Welsh, Caribbean or African", "Black, Black British, Black Welsh, Caribbean or African"),
    ("Arab", "Other ethnic group: Arab"),
    ("Other ethnic group", "Other ethnic group"),
    ("Not known", NOT_RECORDED), ("not recorded", NOT_RECORDED), ("Refused", NOT_RECORDED),
])
def test_ethnicity_reads_the_ons_2021_wording_and_common_spellings(value: str, stored: str) -> None:
    assert one(ethnicity, value) == stored


def test_every_one_of_the_19_ons_categories_and_5_groups_is_read_as_written() -> None:
    assert sum(len(c) for c in ETHNIC_GROUPS.values()) == 19 and len(ETHNIC_GROUPS) == 5
    for group, categories in ETHNIC_GROUPS.items():
        assert one(ethnicity, group) == group
        for category in categories:
            assert one(ethnicity, f"{group}: {category}") == f"{group}: {category}"
            assert ethnic_group(f"{group}: {category}") == group


@pytest.mark.parametrize("value", ["Other", "any other", "Gypsy/Roma", "WBRI", "Pakistan", "[b]White[/b]x",
                                   "White\x1b[31m", "Whi\u202ete"])
def test_an_ambiguous_or_unknown_ethnicity_is_refused(value: str) -> None:
    assert one(ethnicity, value) is None


@pytest.mark.parametrize("value, stored", [
    ("Female", "female"), ("f", "female"), ("GIRL", "female"), ("male", "male"), ("M", "male"), ("boy", "male"),
    ("non-binary", "another gender"), ("Another gender", "another gender"), ("unknown", NOT_RECORDED),
])
def test_gender(value: str, stored: str) -> None:
    assert one(gender, value) == stored


@pytest.mark.parametrize("value, stored", [
    ("Early help", "early help"), ("EH", "early help"), ("child in need", "child in need"), ("CIN", "child in need"),
    ("Child Protection", "child protection"), ("CP", "child protection"), ("cpp", "child protection"),
    ("Child protection plan", "child protection"), ("looked-after", "looked after"), ("LAC", "looked after"),
    ("CLA", "looked after"), ("Not recorded", NOT_RECORDED),
])
def test_level_of_intervention(value: str, stored: str) -> None:
    assert one(level_of_intervention, value) == stored


def test_a_bad_value_is_one_sentence_with_its_line_and_nothing_is_imported() -> None:
    result = parse("case_ref,gender,ethnicity,level_of_intervention\n"
                   "C1,female,White British,CIN\n"
                   "C2,unsure,White,CP\n"
                   "C3,male,Gypsy/Roma,early help\n"
                   "C4,male,White,section 47\n")
    assert result.cases == []
    assert [str(p) for p in result.problems] == [
        'line 3, column "gender": "unsure" is not a gender maca records; use female, male, another gender or '
        "not recorded, or leave it blank",
        'line 4, column "ethnicity": "Gypsy/Roma" is not one of the ONS 2021 ethnic groups; use a group (Asian, '
        "Black, Mixed, White, Other ethnic group), a category such as White: Irish or Black Caribbean, or not "
        "recorded, or leave it blank",
        'line 5, column "level_of_intervention": "section 47" is not a level of intervention; use early help, '
        "child in need, child protection, looked after or not recorded, or leave it blank",
    ]


def test_columns_are_optional_and_blank_is_kept_as_blank() -> None:
    result = parse("case_ref,Gender , ETHNICITY,level_of_intervention\nC1,,,\nC2, F ,  white british ,  LAC \n")
    assert result.ok
    c1, c2 = result.cases
    assert (c1.gender, c1.ethnicity, c1.level_of_intervention) == ("", "", "")
    assert (c2.gender, c2.ethnicity, c2.level_of_intervention) == (
        "female", "White: English, Welsh, Scottish, Northern Irish or British", "looked after")
    assert parse("case_ref\nC1\n").cases[0].gender == ""


VALUES = {
    "gender": ["", " ", "f", "Male", "girl", "x", "unknown", "[b]", "non-binary", "m\x1b[31m"],
    "ethnicity": ["", "White British", "indian", "Other", "mixed", "WBRI", "Black - African", "not known", "|#"],
    "level_of_intervention": ["", "CIN", "cp", "looked after", "LAC", "none", "Early Help", "<b>EH</b>"],
}


@pytest.mark.parametrize("column", list(VALUES))
def test_the_column_path_agrees_with_the_explaining_parser_row_by_row(column: str) -> None:
    """Values are parsed once per distinct value (``_by_distinct``); every row must get
    exactly what the explaining parser says of its own value."""
    rng = random.Random(7)
    col = [rng.choice(VALUES[column]) for _ in range(400)] + VALUES[column]
    reported: dict[int, list[str]] = {}
    out = parse_column(column, col, Values(CODES), lambda k, m: reported.setdefault(k, []).append(m))
    for k, value in enumerate(col):
        bad: list[str] = []
        trimmed = value.strip()
        expected = PARSERS[column](trimmed, bad) if trimmed else None
        assert reported.get(k, []) == bad, value
        if not bad:
            assert out[k] == (expected or ""), value


def test_counts_are_one_way_with_every_category_and_ethnicity_by_group() -> None:
    counts = profile_counts(["female", "male", "", "female"],
                            ["White: Irish", "White", "Asian, Asian British or Asian Welsh: Indian", "not recorded"],
                            ["child in need", "", "looked after", "child in need"])
    assert counts["gender"] == {"female": 2, "male": 1, "another gender": 0, "not recorded": 1}
    assert counts["ethnicity"] == {"Asian, Asian British or Asian Welsh": 1,
                                   "Black, Black British, Black Welsh, Caribbean or African": 0,
                                   "Mixed or Multiple ethnic groups": 0, "White": 2, "Other ethnic group": 0,
                                   "not recorded": 1}
    assert counts["level_of_intervention"] == {"early help": 0, "child in need": 2, "child protection": 0,
                                               "looked after": 1, "not recorded": 1}


def _cases() -> dict[str, CandidateCase]:
    levels = ["early help"] * 6 + ["child in need"] * 6 + ["child protection"] * 6 + ["looked after"] * 2
    genders = ["female", "male"] * 10
    groups = ["White"] * 14 + ["Mixed or Multiple ethnic groups"] * 3 + ["Asian, Asian British or Asian Welsh"] * 2 + [""]
    return {f"C{n:02}": CandidateCase("A", f"C{n:02}", gender=g, ethnicity=e, level_of_intervention=lv)
            for n, (g, e, lv) in enumerate(zip(genders, groups, levels), start=1)}


@pytest.mark.parametrize("field, expected", [
    ("level_of_intervention", {"child in need": 2, "child protection": 2, "early help": 2, "looked after": 2}),
    ("gender", {"female": 4, "male": 4}),
    # one case not recorded: it is taken in the first round, then the groups earliest by name
    ("ethnicity", {"Asian, Asian British or Asian Welsh": 2, "Mixed or Multiple ethnic groups": 3, "White": 2,
                   "not recorded": 1}),
])
def test_a_draw_balances_on_each_profile_column_and_a_seed_reproduces_it(field: str, expected: dict[str, int]) -> None:
    cases = _cases()
    lookback = Lookback(None, None, date(2021, 4, 1))
    by = balance_function(field, cases, lookback)
    picked = draw(list(cases), 8, seed=424242, balance_by=by)
    assert strata_counts(picked, by) == expected
    assert draw(list(reversed(cases)), 8, seed=424242, balance_by=by) == picked
