"""A report is checked by a matcher over only the cases whose identifiers may be in its
text (issue 14 item 7.8): the answer must be exactly the one of the matcher over every
case, leak for leak, with the same cases named."""

from __future__ import annotations

from datetime import date

import pytest

from audit.cases import CandidateCase
from audit.guard import Matcher, Place, Quoted, check_pieces
from audit.guard_prefilter import cases_that_may_match
from tests.audit.test_guard import CASES
from tests.audit.test_guard_corpus import COMMON_NAMES, LEAKS, VICTIMS


def case(ref: str, name: str = "", dob: date | None = None, ids: str = "") -> CandidateCase:
    return CandidateCase(audit="MACA-T", case_ref=ref, family_name=name, child_dob=dob, system_ids=ids)


# Cells of every shape id_keys reads: labels, several ids and separators, letters only,
# accents and fullwidth digits, ids inside words, a NUL, and a crowd that never matches.
ODD = [
    case("OD-1", "Ashcombe", date(2016, 8, 30), "NHS 485 777 3456; LCS-F-10577"),
    case("OD-2", "Zoë", None, "ÉCOLE 123456, ref\tAB12 CD9|lcs f 10577"),
    case("OD-3", "", None, "PIN ABCDEF"),  # an id of letters only
    case("OD-4", "Peña-Ruiz", None, "\uff14\uff18\uff15 777 3456"),
    case("OD-5", "", None, "X1\x00Y2 3456789"),
    case("OD-6", "Smith Jones", None, "GP G-00991 2"),
    case("OD-7", "", None, "  --  ;; 12 ;"),
    case("OD-8", "O'Neill", date(2001, 2, 3), "MOSAIC 77 12 9"),
    case("OD-9", "", None, "QWERTYUIOPASDFGHJKLZXCVBNM99"),  # the longest key, without a label
    *[case(f"CR-{n}", f"Zq{n:05d}ington", date(2000 + n % 20, 1 + n % 12, 1 + n % 28), f"NHS {n:010d}; LCS-{n:06d}")
      for n in range(400)],
    *[case(f"CW-{n}", name) for n, name in enumerate(COMMON_NAMES)],
]

TEXTS = [text for text, _, _ in LEAKS] + [
    "Seen 30.8.16 and again 3/2/01; PIN abcdef was read out.",
    "École 123 456 and ab12cd9 and AB12 CD9 written down.",
    "Mr O'Neill (Mosaic 77129) and mosaic 77 12 9 and 77129.",
    "Refs: LCS 000017, nhs 0000000017, Zq00017ington, Zq00399Ingtons' home.",
    "Y2 3456789 and X1 and 3456789 and gp g 00991 2 and G009912.",
    "The Young people of Green Lane met the Hall family; GREEN and HALL were there.",
    "Nothing at all in this one.",
    "Filed under QwertyuiopasdfghjklzxcvbnM99.",
    "",
]


def pieces(texts: list[str]) -> list[Quoted]:
    return [Quoted(text, Place(f"piece {n}", "scope", f"K{n}", "text")) for n, text in enumerate(texts)]


@pytest.mark.parametrize("cases", [CASES, VICTIMS, ODD, CASES + VICTIMS + ODD], ids=["unit", "victims", "odd", "all"])
def test_the_same_leaks_as_the_matcher_over_every_case(cases: list[CandidateCase]) -> None:
    every = pieces(TEXTS)
    assert check_pieces(every, cases) == Matcher(cases).check(every)
    for one in every:  # each piece on its own, as a text with few identifiers
        assert check_pieces([one], cases) == Matcher(cases).check([one])


def test_only_the_cases_that_may_match_are_indexed() -> None:
    assert cases_that_may_match(["Nothing at all in this one."], ODD) == []
    chosen = cases_that_may_match(["Seen with Zq00017ington; LCS 000018; born 1 March 2003."], ODD)
    refs = {c.case_ref for c in chosen}
    assert {"CR-17", "CR-18"} <= refs and len(refs) < 20
