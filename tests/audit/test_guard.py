"""The export guard finds every stored identifier, says where, and never repeats it."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from audit.cases import CandidateCase
from audit.guard import DATE_OF_BIRTH, FAMILY_NAME, SYSTEM_ID, Leak, find_identifiers

GOLDEN = Path(__file__).parent / "golden" / "demo_report.md"


def case(ref: str, name: str = "", dob: date | None = None, ids: str = "") -> CandidateCase:
    return CandidateCase(audit="MACA-T", case_ref=ref, family_name=name, child_dob=dob, system_ids=ids)


CASES = [
    case("RB-1", "Drummersby", date(2016, 8, 30), "NHS-FAKE-000 142 3389; LCS-F-10577"),
    case("RB-2", "Lee", date(2018, 6, 23), "4857773456"),
    case("RB-3", "O'Neill", None, "LCS_1002"),
    case("RB-4", "Smith-Jones", date(2019, 1, 7), "12"),
    case("RB-5", "van der Berg"),
    case("RB-6", "Lee"),  # a second family of the same name
    case("RB-7"),  # no identifiers at all
]


def found(text: str, cases: list[CandidateCase] = CASES) -> set[tuple[str, str]]:
    return {(leak.kind, leak.case_ref) for leak in find_identifiers(text, cases)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mother Drummersby was seen.", {(FAMILY_NAME, "RB-1")}),
        ("THE DRUMMERSBY FAMILY", {(FAMILY_NAME, "RB-1")}),
        ("drummersby's partner", {(FAMILY_NAME, "RB-1")}),
        ("Mr Lee attended.", {(FAMILY_NAME, "RB-2"), (FAMILY_NAME, "RB-6")}),
        ("Lee's partner", {(FAMILY_NAME, "RB-2"), (FAMILY_NAME, "RB-6")}),
        ("The family moved to Leeds, fleeing abuse.", set()),  # "Lee" is not a word there
        ("Sleepless nights; a leek soup.", set()),
        ("Mrs O'Neill", {(FAMILY_NAME, "RB-3")}),
        ("Mrs O\u2019Neill", {(FAMILY_NAME, "RB-3")}),  # typographic apostrophe
        ("Mrs O&#x27;Neill", {(FAMILY_NAME, "RB-3")}),  # as HTML writes it
        ("Neill alone", set()),
        ("the Smith-Jones household", {(FAMILY_NAME, "RB-4")}),
        ("the Smith Jones household", {(FAMILY_NAME, "RB-4")}),
        ("Smith and Jones", set()),
        ("Mr Van Der Berg", {(FAMILY_NAME, "RB-5")}),
        ("Mr van der\nBerg", set()),  # split over two lines: each line alone holds no name
        ("Drum\u200bmersby", {(FAMILY_NAME, "RB-1")}),  # a zero-width space hides nothing
        ("Drum\u00admersby", {(FAMILY_NAME, "RB-1")}),  # nor does a soft hyphen
        ("\uff24\uff52\uff55\uff4d\uff4d\uff45\uff52\uff53\uff42\uff59", {(FAMILY_NAME, "RB-1")}),  # fullwidth
        ("Drümmersby", {(FAMILY_NAME, "RB-1")}),  # an accent added
        ("\uff14\uff18\uff15\uff17\uff17\uff17\uff13\uff14\uff15\uff16", {(SYSTEM_ID, "RB-2")}),
        ("Born 2016-08-30.", {(DATE_OF_BIRTH, "RB-1")}),
        ("Born 30/08/2016.", {(DATE_OF_BIRTH, "RB-1")}),
        ("Born 7/1/2019.", {(DATE_OF_BIRTH, "RB-4")}),
        ("Born 07/01/2019.", {(DATE_OF_BIRTH, "RB-4")}),
        ("Born 07-01-2019 or 07.01.2019", {(DATE_OF_BIRTH, "RB-4")}),
        ("Born 7 January 2019.", {(DATE_OF_BIRTH, "RB-4")}),
        ("Born 7th Jan 2019.", {(DATE_OF_BIRTH, "RB-4")}),
        ("born 23 june 2018", {(DATE_OF_BIRTH, "RB-2")}),
        ("Born 01/07/2019.", set()),  # the American reading of RB-4's date is another day
        ("Seen 30/08/2020 and 2016-08-31.", set()),
        ("Ref 12016-08-30", set()),  # part of a longer number
        ("NHS-FAKE-000 142 3389", {(SYSTEM_ID, "RB-1")}),
        ("nhs fake 0001423389", {(SYSTEM_ID, "RB-1")}),
        ("NHSFAKE0001423389", {(SYSTEM_ID, "RB-1")}),
        ("see LCS-F-10577.", {(SYSTEM_ID, "RB-1")}),  # one id of a cell holding two
        ("NHS 485 777 3456", {(SYSTEM_ID, "RB-2")}),
        ("4857773456", {(SYSTEM_ID, "RB-2")}),
        ("14857773456", set()),  # a longer number is another number
        ("LCS_1002", {(SYSTEM_ID, "RB-3")}),
        ("LCS\\_1002", {(SYSTEM_ID, "RB-3")}),  # as Markdown escapes it
        ("lcs 1002", {(SYSTEM_ID, "RB-3")}),
        ("12 cases", set()),  # ids under three characters are ignored
        ("RB-7 and RB-1 are case references, which are safe.", set()),
        ("", set()),
    ],
)
def test_what_is_found(text: str, expected: set[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_where_it_is_found_and_the_message_never_repeats_it() -> None:
    text = "\n".join([
        "# MACA-T: report",  # 1
        "",
        "## Good practice",  # 3
        "",
        "The Drummersby family was seen on 30/08/2016.",  # 5
        "",
        "## Cases: Lee",  # 7: a heading holding a name
        "",
        "Seen with NHS 485 777 3456.",  # 9
    ])
    leaks = find_identifiers(text, CASES)
    assert leaks == [
        Leak(FAMILY_NAME, "RB-1", 5, "Good practice"),
        Leak(DATE_OF_BIRTH, "RB-1", 5, "Good practice"),
        Leak(FAMILY_NAME, "RB-2", 7, "the heading on line 7"),
        Leak(FAMILY_NAME, "RB-6", 7, "the heading on line 7"),
        Leak(SYSTEM_ID, "RB-2", 9, "the heading on line 7"),
    ]
    assert leaks[0].describe() == "line 5 (under 'Good practice'): the family name of case RB-1"
    for leak in leaks:
        message = leak.describe().lower()
        for word in ("drummersby", "lee ", "lee'", "30/08/2016", "485", "3456"):
            assert word not in message


def test_html_headings_and_lines_before_any_heading() -> None:
    html = "<p>Drummersby</p>\n<h2>Background &amp; purpose</h2>\n<td>2016-08-30</td>"
    leaks = find_identifiers(html, CASES)
    assert leaks == [Leak(FAMILY_NAME, "RB-1", 1, ""), Leak(DATE_OF_BIRTH, "RB-1", 3, "Background & purpose")]
    assert leaks[0].describe() == "line 1: the family name of case RB-1"


def test_each_identifier_is_reported_once_per_line() -> None:
    leaks = find_identifiers("Drummersby, DRUMMERSBY and drummersby", CASES)
    assert leaks == [Leak(FAMILY_NAME, "RB-1", 1, "")]


def test_no_cases_or_no_identifiers_find_nothing() -> None:
    assert find_identifiers("Drummersby", []) == []
    assert find_identifiers("anything at all 2016-08-30", [case("X")]) == []


def test_the_demo_report_is_clean_and_checked_quickly() -> None:
    from tests.audit.test_report import build_fixture

    fx = build_fixture()
    text = GOLDEN.read_text(encoding="utf-8")
    assert find_identifiers(text, fx.cases) == []
    # ... and every kind of identifier of a demo case is caught once typed into it.
    victim = next(c for c in fx.cases if c.family_name and c.child_dob and c.system_ids)
    typed = text.replace("Professionals disagreed", f"{victim.family_name} and {victim.child_dob:%d/%m/%Y} "
                         f"and {victim.system_ids.split(';')[0]}: professionals disagreed")
    assert {(leak.kind, leak.case_ref) for leak in find_identifiers(typed, fx.cases)} == {
        (FAMILY_NAME, victim.case_ref), (DATE_OF_BIRTH, victim.case_ref), (SYSTEM_ID, victim.case_ref)}
    start = time.perf_counter()
    for _ in range(5):
        find_identifiers(text, fx.cases)
    assert (time.perf_counter() - start) / 5 < 0.1


def test_many_cases_stay_fast() -> None:
    def letters(n: int) -> str:  # a distinct made-up surname per case: Zab, Zac, ...
        out = ""
        while True:
            n, r = divmod(n, 26)
            out += chr(97 + r)
            if n == 0:
                return "Zq" + out

    cases = [case(f"C{n}", letters(n), date(1990 + n % 20, 1 + n % 12, 1 + n % 28), f"NHS {n:010d}")
             for n in range(20_000)]
    text = GOLDEN.read_text(encoding="utf-8")
    start = time.perf_counter()
    assert find_identifiers(text, cases) == []
    assert time.perf_counter() - start < 2.0
    typed = text + f"\n{letters(16).upper()} NHS 0000019999\n"
    assert {leak.case_ref for leak in find_identifiers(typed, cases)} == {"C16", "C19999"}
