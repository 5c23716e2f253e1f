"""The identifier guard finds every stored identifier in people's text, says where in
the user's terms, and never repeats it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from audit.cases import CandidateCase
from audit.guard import (DATE_OF_BIRTH, FAMILY_NAME, SYSTEM_ID, Leak, Matcher, Place, Quoted, check_pieces,
                         text_hash)

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
    return {(m.kind, ref) for m in Matcher(cases).scan(text) for ref in m.case_refs}


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
        ("Neill alone", set()),
        ("the Smith-Jones household", {(FAMILY_NAME, "RB-4")}),
        ("the Smith Jones household", {(FAMILY_NAME, "RB-4")}),
        ("Smith and Jones", set()),
        ("Mr Van Der Berg", {(FAMILY_NAME, "RB-5")}),
        ("Mr van der\nBerg", {(FAMILY_NAME, "RB-5")}),  # a line break inside a paragraph is a space
        ("Mr van der.\nBerg", set()),
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
        ("lcs 1002", {(SYSTEM_ID, "RB-3")}),
        ("12 cases", set()),  # ids under three characters are ignored
        ("RB-7 and RB-1 are case references, which are safe.", set()),
        ("", set()),
    ],
)
def test_what_is_found(text: str, expected: set[tuple[str, str]]) -> None:
    assert found(text) == expected


def piece(text: str, label: str = "finding F3, text") -> Quoted:
    return Quoted(text, Place(label, "board", "MACA-T/F3", "text"))


def test_each_leak_names_the_place_and_never_repeats_the_identifier() -> None:
    text = "The Drummersby family was seen on 30/08/2016 with NHS 485 777 3456."
    leaks = check_pieces([piece("Nothing here."), piece(text), piece("Seen with Lee's partner", "scope, background")], CASES)
    where = Place("finding F3, text", "board", "MACA-T/F3", "text")
    assert [(leak.kind, leak.case_ref, leak.place, leak.certain) for leak in leaks] == [
        (FAMILY_NAME, "RB-1", where, True),
        (DATE_OF_BIRTH, "RB-1", where, True),
        (SYSTEM_ID, "RB-2", where, True),
        (FAMILY_NAME, "RB-2", Place("scope, background", "board", "MACA-T/F3", "text"), True),
        (FAMILY_NAME, "RB-6", Place("scope, background", "board", "MACA-T/F3", "text"), True),
    ]
    assert leaks[0].describe() == "finding F3, text: the family name of case RB-1"
    assert leaks[1].context == "The ‹name› family was seen on ‹date of birth› with NHS ‹system id›."
    assert leaks[0].text_hash == text_hash(text) and leaks[0].start == 4
    for leak in leaks:
        shown = (leak.describe() + leak.context).lower()
        for word in ("drummersby", "lee", "30/08/2016", "485", "3456"):
            assert word not in shown


def test_the_context_is_cut_around_the_match_and_masks_what_it_cuts() -> None:
    text = "x " * 40 + "seen with Drummersby" + " y" * 40
    (leak,) = check_pieces([piece(text)], CASES)
    assert leak.context.startswith("…") and leak.context.endswith("…") and "‹name›" in leak.context
    cut = "Drummersby " + "z" * 30 + " Lee"  # the window starts inside the first name
    contexts = [leak.context for leak in check_pieces([piece(cut)], CASES)]
    assert all("rsby" not in c and "Lee" not in c for c in contexts)


def test_masking_replaces_every_identifier_and_keeps_the_rest() -> None:
    matcher = Matcher(CASES)
    assert matcher.mask("Ms Drümmersby (DOB 30/08/2016) and Mr LEE's NHS 485 777 3456.") == \
        "Ms ‹name› (DOB ‹date of birth›) and Mr ‹name›'s NHS ‹system id›."
    assert matcher.mask("Nothing to hide.") == "Nothing to hide."
    assert matcher.mask("Drum\u200bmersby visited") == "‹name› visited"  # offsets of the text as given


def test_no_cases_or_no_identifiers_find_nothing() -> None:
    assert check_pieces([piece("Drummersby")], []) == []
    assert check_pieces([piece("anything at all 2016-08-30")], [case("X")]) == []
    assert not Matcher([case("X")])


def test_the_demo_report_pieces_are_clean_and_every_kind_is_caught_once_typed() -> None:
    from tests.audit.test_report import build_fixture

    fx = build_fixture()
    report = fx.build()
    assert len(report.quoted) > 50 and check_pieces(report.quoted, fx.cases) == []
    victim = next(c for c in fx.cases if c.family_name and c.child_dob and c.system_ids)
    typed = f"{victim.family_name} and {victim.child_dob:%d/%m/%Y} and {victim.system_ids.split(';')[0]}"
    assert {(leak.kind, leak.case_ref) for leak in check_pieces([piece(typed)], fx.cases)} == {
        (FAMILY_NAME, victim.case_ref), (DATE_OF_BIRTH, victim.case_ref), (SYSTEM_ID, victim.case_ref)}


def test_many_cases_find_only_their_own() -> None:
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
    matcher = Matcher(cases)
    assert matcher.scan(text) == []
    typed = text + f"\n{letters(16).upper()} NHS 0000019999\n"
    assert {ref for m in matcher.scan(typed) for ref in m.case_refs} == {"C16", "C19999"}
