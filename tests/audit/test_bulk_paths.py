"""The bulk paths an import takes agree with the one-at-a-time paths they replace.

An import goes through a few shortcuts (engagement periods read by one regular
expression, values parsed once per distinct value, documents encoded in one pass,
reasons worded when read).  Each is checked here against the slow path that says
exactly what the design means, on data made to hit both.
"""

from __future__ import annotations

import gc
import random
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

import pytest

from audit.cases import CandidateCase, Engagement, paused_gc
from audit.codec import from_doc, to_doc, to_docs
from audit.criteria import Criterion, Outcome, Result
from audit.csv_import import COLUMNS, parse_candidates
from audit.csv_values import Values, yes_no
from audit.journal import JournalEntry
from audit.scope import Audit
from audit.screening import screen_cases

CODES = ["CSC", "MID", "HV", "GP", "ASM", "AMH", "EY", "POL"]
HEADER = ",".join(COLUMNS)

# Engagement values the quick path takes, the explaining parser takes, or nobody takes.
ENGAGEMENTS = [
    "", "  ", "none", " NONE ", "CSC:2020-02-01..2020-11-30", "csc:2020-02-01..",
    "CSC:2020-02-01..2020-11-30; POL:03/05/2020..", " HV : 2019-01-01 .. 2019-12-31 ",
    "CSC:2020-02-01..2020-11-30;", ";CSC:2020-02-01..", "CSC:2020-02-01..;;POL:2020-01-01..",
    "XYZ:2020-01-01..", "CSC:2020-13-01..", "CSC:2020-05-01..2020-04-01", "CSC 2020-01-01",
    "none; CSC:2020-01-01..", "CSC:..2020-01-01", "CSC:2020-01-01..2020-02-01..2020-03-01",
    "CSC:2020-01-01..2020-02-01 junk", "junk CSC:2020-01-01..", "C SC:2020-01-01..",
    "CSC:2020.01.01..", "[b]CSC[/b]:2020-01-01..", "CSC:31/02/2020..", "EY:29/02/2020..01/03/2020",
    "CSC:2020-01-01..\x00POL:2020-01-01..", "A:1..", "CSC:", "CSC:2020-01-01..2020:02:01", "none ",
    "CSC:2020-01-01..; junk", "none; none", "CSC:2020:01:01..",
]


def _screen(cases: list[CandidateCase], criteria: list[Criterion], *, lookback_start: date, lookback_end: date,
            participating: list[str], today: date) -> list[dict[str, Result]]:
    """Each case's results by criterion id, screened through the one entry point."""
    audit = Audit(ref="A", title="T", criteria=criteria, agencies=participating,
                  lookback_start=lookback_start, lookback_end=lookback_end)
    return [s.results for s in screen_cases(audit, cases, today)]


def _explained(value: str) -> tuple[object, list[str]]:
    """What the explaining parser alone makes of one engagement value."""
    values, bad = Values(CODES), []
    trimmed = value.strip()
    return (values.engagement(trimmed, bad) if trimmed else None), bad


def test_the_engagement_column_agrees_with_the_explaining_parser_row_by_row() -> None:
    rng = random.Random(5)
    col = [rng.choice(ENGAGEMENTS) for _ in range(600)] + ENGAGEMENTS
    reported: dict[int, list[str]] = {}
    out = Values(CODES).engagement_column(col, lambda k, m: reported.setdefault(k, []).append(m))
    for k, value in enumerate(col):
        expected, bad = _explained(value)
        assert reported.get(k, []) == bad, value
        if not bad:
            assert out[k] == expected, value


def test_many_good_rows_and_a_few_odd_ones_agree_with_the_explaining_parser() -> None:
    # Most rows take the one-expression path; the odd ones (a NUL, a trailing ";", junk
    # after a period) must come out exactly as the explaining parser says.
    rng = random.Random(7)
    good = ENGAGEMENTS[4:8] + ["none", ""]
    col = [rng.choice(good) for _ in range(3000)]
    odd = {300: "CSC:2020-01-01..; junk", 400: "none; none", 700: "CSC:2020-02-01..;", 1500: "CSC:2020-01-01..\x00POL:2020-01-01..",
           2200: "CSC:2020-01-01..\x00junk", 2999: "XYZ:2020-01-01.."}
    for k, value in odd.items():
        col[k] = value
    reported: dict[int, list[str]] = {}
    out = Values(CODES).engagement_column(col, lambda k, m: reported.setdefault(k, []).append(m))
    for k, value in enumerate(col):
        expected, bad = _explained(value)
        assert reported.get(k, []) == bad, (k, value)
        if not bad:
            assert out[k] == expected, (k, value)
    assert sorted(reported) == [300, 400, 1500, 2200, 2999]  # a trailing ";" is allowed


def test_yes_no_and_dates_parsed_once_per_value_agree_with_the_explaining_parsers() -> None:
    header = "case_ref,unborn,child_dob"
    spellings = ["yes", "Yes", "YES", "y", "N", "no", "True", "false", "1", "0", "", " yes", "Nope", "yES"]
    dates = ["2015-02-03", "03/02/2015", "", " 2015-02-03 ", "2015-02-30", "3/2/2015"]
    rows = [f"C{n},{spellings[n % len(spellings)]},{dates[n % len(dates)]}" for n in range(84)]
    result = parse_candidates(("\n".join([header, *rows]) + "\n").encode(), audit="A",
                              agency_codes=CODES, existing_refs=set())
    explained: list[str] = []
    for n in range(84):
        for name, value, explain in (("unborn", spellings[n % len(spellings)], yes_no),
                                     ("child_dob", dates[n % len(dates)], Values(CODES).dob)):
            bad: list[str] = []
            if value.strip():
                explain(value.strip(), bad)
            explained += [f"line {n + 2}, column \"{name}\": {message}" for message in bad]
    assert [str(p) for p in result.problems] == explained
    good = "\n".join([header, *(f"C{n},{s},{d}" for n, (s, d) in enumerate(zip(spellings[:11], dates[:4] * 3)))])
    cases = parse_candidates((good + "\n").encode(), audit="A", agency_codes=CODES, existing_refs=set()).cases
    assert [c.unborn for c in cases] == [True, True, True, True, False, False, True, False, True, False, None]
    assert [c.child_dob for c in cases[:4]] == [date(2015, 2, 3), date(2015, 2, 3), None, date(2015, 2, 3)]


def test_rows_do_not_share_engagement_lists() -> None:
    out = Values(CODES).engagement_column(["CSC:2020-01-01..", "CSC:2020-01-01..", "none", "none"], print)
    assert out[0] == out[1] and out[0] is not out[1]
    assert out[2] == out[3] == [] and out[2] is not out[3]


def test_a_large_file_with_a_few_bad_values_names_each_one_on_its_line() -> None:
    rows = [f"C{n},yes,1,no,no,no,0,CSC:2020-01-01..2020-06-30,Name,01/01/2015,,,female,White British,CIN"
            for n in range(3000)]
    rows[1200] = rows[1200].replace("CSC:2020-01-01..2020-06-30", "CSC:2020-06-30..2020-01-01")
    rows[2500] = rows[2500].replace(",yes,", ",perhaps,").replace("01/01/2015", "2015-02-30")
    result = parse_candidates(("\n".join([HEADER, *rows]) + "\n").encode(), audit="A",
                              agency_codes=CODES, existing_refs=set())
    assert [str(p) for p in result.problems] == [
        'line 1202, column "engagement": "CSC:2020-06-30..2020-01-01" starts on 30/06/2020, after '
        "it ends on 01/01/2020",
        'line 2502, column "unborn": "perhaps" is not yes or no; use yes, no, y, n, true, false, '
        "1 or 0, or leave it blank",
        'line 2502, column "child_dob": "2015-02-30" is not a real date',
    ]


def _case(n: int, rng: random.Random) -> CandidateCase:
    pick = rng.choice
    return CandidateCase(
        audit="A", case_ref=f"C{n}", unborn=pick([None, True, False]),
        older_siblings=pick([None, 0, 1, 5]), domestic_abuse=pick([None, True, False]),
        substance_misuse=pick([None, True, False]), maternal_mental_health=pick([None, True]),
        males_in_household=pick([None, 0, 2]),
        engagement=pick([None, [], [Engagement("CSC", date(2020, 1, n % 28 + 1))],
                         [Engagement("POL", None, date(2021, 2, 3)), Engagement("EY", date(2019, 5, 6))]]),
        family_name=pick(["", "Smith", 'a "quoted" [b]name[/b]']), child_dob=pick([None, date(2016, 4, 9)]),
        system_ids=pick(["", "NHS 1"]), notes=pick(["", "note\nwith a line break"]),
        in_cohort=pick([False, True]), decision_reason=pick(["", "why"]), decided_by=pick(["", "alice"]),
        decided_at=pick([None, datetime(2021, 3, 19, 10, 4, 5)]), drawn=pick([False, True]), rev=n % 3,
    )


def test_bulk_encoding_makes_the_same_documents_as_one_at_a_time() -> None:
    rng = random.Random(9)
    cases = [_case(n, rng) for n in range(300)]
    docs = to_docs(cases)
    assert docs == [to_doc(c) for c in cases]
    assert [list(d) for d in docs] == [list(to_doc(c)) for c in cases]  # same key order
    assert [from_doc(CandidateCase, d) for d in docs] == cases
    entries = [JournalEntry(at=datetime(2021, 1, 2, 3, 4, 5), who="a", action="update", entity="cases",
                            key=f"A/C{n}", summary="s", before={"x": n}, after=None, audit="A")
               for n in range(3)]
    assert to_docs(entries) == [to_doc(e) for e in entries]
    assert to_docs([]) == []


def test_a_worded_result_reads_and_compares_like_a_plain_one() -> None:
    calls: list[str] = []

    def word(a: str, b: str) -> str:
        calls.append(a)
        return f"{a} and {b}"

    lazy = Result.worded(Outcome.MET, word, "one", "two")
    assert calls == []  # nothing worded until read
    assert lazy == Result(Outcome.MET, "one and two") and hash(lazy) == hash(Result(Outcome.MET, "one and two"))
    assert lazy.reason == "one and two" and lazy.reason == "one and two"
    assert calls == ["one"]  # worded once
    assert lazy != Result(Outcome.UNMET, "one and two")
    assert "one and two" in repr(lazy)


def test_screening_many_agrees_with_one_at_a_time_on_random_cases() -> None:
    rng = random.Random(3)
    criteria = [
        Criterion(id="both", label="B", kind="all", predicates=["unborn", "older_sibling"]),
        Criterion(id="either", label="E", kind="any", predicates=["domestic_abuse", "substance_misuse"]),
        Criterion(id="sib", label="S", kind="all", predicates=["older_sibling"]),  # shares a field
        Criterion(id="mix", label="M", kind="any", predicates=["males_in_household", "substance_misuse", "unborn"]),
        Criterion(id="eng", label="G", kind="engaged_with"),
        Criterion(id="pol", label="P", kind="engaged_with", agencies=["POL"]),
    ]
    settings = dict(lookback_start=date(2020, 1, 1), lookback_end=date(2020, 12, 31),
                    participating=["CSC", "EY"], today=date(2021, 3, 1))
    cases = [_case(n, rng) for n in range(400)]
    for case, results in zip(cases, _screen(cases, criteria, **settings)):
        for criterion in criteria:
            [alone] = _screen([case], [criterion], **settings)
            expected = alone[criterion.id]
            got = results[criterion.id]
            assert (got.outcome, got.reason) == (expected.outcome, expected.reason)


@pytest.mark.skipif(not gc.isenabled(), reason="needs the collector running")
def test_objects_promoted_after_a_bulk_build_are_still_collected() -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self  # a cycle: only the cyclic collector can free it

    gc.collect()
    with paused_gc():
        nodes = [Node() for _ in range(30_000)]
    assert gc.isenabled()
    del nodes
    assert gc.collect() >= 30_000  # promoted to the oldest generation, not leaked


@pytest.mark.parametrize(("change", "existing", "expected"), [
    ({}, set(), []),
    ({}, {"rb-000007"}, ['line 9, column "case_ref": case reference "RB-000007" differs only in letter case '
                         'from "rb-000007", already in the audit']),
    ({100: "rb-000005"}, set(), ['line 102, column "case_ref": case reference "rb-000005" differs only in '
                                 'letter case from "RB-000005" on line 7']),
    ({100: "RB-000005"}, set(), ['line 102, column "case_ref": duplicate case reference "RB-000005" (also '
                                 'on line 7)']),
    ({3: "RB 3"}, set(), ['line 5, column "case_ref": "RB 3" is not a valid case reference; use 1 to 40 '
                          'letters, digits, -, _ or /']),
])
def test_many_references_checked_at_once_say_what_one_at_a_time_would(
        change: dict[int, str], existing: set[str], expected: list[str]) -> None:
    refs = [f"RB-{n:06d}" for n in range(2000)]
    for k, ref in change.items():
        refs[k] = ref
    text = "\n".join(["case_ref", *refs]) + "\n"
    result = parse_candidates(text.encode(), audit="A", agency_codes=CODES, existing_refs=existing)
    assert [str(p) for p in result.problems] == expected


@pytest.mark.parametrize("wrong", [False, True])
def test_an_import_leaves_no_reference_cycles(wrong: bool) -> None:
    # paused_gc defers collections, and what it leaves is promoted to the oldest
    # generation: a cycle made here (a cache holding a bound method of its owner, say)
    # would keep the whole parse alive until a full collection.
    rows = [f"C{n},yes,1,no,no,no,0,CSC:2020-01-01..2020-06-30; POL:01/02/2020..,Name,01/01/2015,,,m,Mixed,"
            for n in range(500)]
    if wrong:
        rows[7] = rows[7].replace("yes", "perhaps").replace("CSC:", "XYZ:")
    data = ("\n".join([HEADER, *rows]) + "\n").encode()
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        result = parse_candidates(data, audit="A", agency_codes=CODES, existing_refs=set())
        assert bool(result.problems) is wrong
        del result
        assert gc.collect() == 0
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class _Defaults:
    CODEC_OMIT_DEFAULTS: ClassVar[bool] = True

    text: str = ""
    count: int = 0
    ratio: float = 0.0
    flag: bool = False
    maybe: bool | None = False  # None is not the default here, so it must be stored
    label: str = "x"


@pytest.mark.parametrize("obj", [
    _Defaults(), _Defaults("a", 1, 0.5, True, None, ""), _Defaults(maybe=None), _Defaults(maybe=True, label="x"),
])
def test_fields_at_their_default_are_left_out_and_nothing_else(obj: _Defaults) -> None:
    doc = to_doc(obj)
    assert to_docs([obj]) == [doc]
    assert from_doc(_Defaults, doc) == obj
    defaults = _Defaults()
    assert sorted(doc) == sorted(k for k in ("text", "count", "ratio", "flag", "maybe", "label")
                                 if getattr(obj, k) != getattr(defaults, k))


def test_a_repeated_criterion_id_takes_the_last_criterion_as_before() -> None:
    case = CandidateCase(audit="A", case_ref="C", unborn=True, engagement=[])
    settings = dict(lookback_start=date(2020, 1, 1), lookback_end=date(2020, 12, 31),
                    participating=["CSC"], today=date(2021, 3, 1))
    first = [Criterion(id="x", label="U", kind="all", predicates=["unborn"]),
             Criterion(id="x", label="E", kind="engaged_with")]
    [results] = _screen([case], first, **settings)
    assert results["x"].outcome is Outcome.UNMET  # the engagement criterion, last
    [results] = _screen([case], first[::-1], **settings)
    assert results["x"].outcome is Outcome.MET  # the unborn criterion, last
