"""The audit's numbers on the demo audit, checked against values worked out by hand,
and the RAG rating of actions.

The fixture is the demo scope and its 52 candidate cases (sample_data), with the
cohort the demo picks (the first 15 eligible cases in file order) and a handful of
returns and discussions written below.  Every expected number is written out as a
literal; the comment beside it says how it was counted.
"""

from __future__ import annotations

import dataclasses
import functools
from datetime import date, timedelta

import pytest

from audit.analysis import GradeCell, analyse
from audit.cases import CandidateCase
from audit.screening import screen_cases
from audit.csv_import import parse_candidates
from audit.findings import Action, ActionStatus, Discussion, Rag, rag
from audit.grades import Grade
from audit.returns import Return, SectionReturn, Status
from audit.scope import Audit, Draw
from storage.demo import DEMO_AUDIT, demo_audit, demo_partnership, sample_path

TODAY = date(2021, 4, 20)
O, G, R, I = Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE
COHORT = ["RB-2020-001", "RB-2020-005", "RB-2020-006", "RB-2020-007", "RB-2020-008", "RB-2020-010",
          "RB-2020-012", "RB-2020-013", "RB-2020-014", "RB-2020-017", "RB-2020-024", "RB-2020-025",
          "RB-2020-026", "RB-2020-027", "RB-2020-028"]


@functools.cache
def _demo() -> tuple[Audit, tuple[CandidateCase, ...]]:
    partnership, _ = demo_partnership()
    audit = demo_audit(partnership.agency_codes())
    imported = parse_candidates(sample_path(f"{DEMO_AUDIT}-cases.csv").read_bytes(), audit=audit.ref,
                                agency_codes=partnership.agency_codes(), existing_refs=set())
    screened = screen_cases(audit, imported.cases, date(2021, 3, 19))
    chosen = {s.case.case_ref for s in screened if s.eligible}
    chosen = set(sorted(chosen, key=[c.case_ref for c in imported.cases].index)[:15])
    return audit, tuple(dataclasses.replace(c, in_cohort=c.case_ref in chosen) for c in imported.cases)


def demo() -> tuple[Audit, list[CandidateCase]]:
    audit, cases = _demo()
    return dataclasses.replace(audit), list(cases)


def ret(case_ref: str, agency: str, status: Status, **grades: Grade) -> Return:
    return Return(DEMO_AUDIT, case_ref, agency, status=status,
                  sections={k: SectionReturn(g, "why") for k, g in grades.items()})


RETURNS = [
    ret("RB-2020-001", "CSC", Status.SUBMITTED, curiosity=R, fathers=I),
    ret("RB-2020-001", "MID", Status.SUBMITTED, curiosity=G, fathers=R),
    ret("RB-2020-001", "HV", Status.RESUBMITTED, curiosity=G),
    ret("RB-2020-001", "GP", Status.NOT_INVOLVED, curiosity=O),  # typed before "not involved": ignored
    ret("RB-2020-001", "POL", Status.DRAFT, curiosity=O),  # a draft: ignored
    ret("RB-2020-005", "CSC", Status.RETURNED, curiosity=I),  # back with the agency: ignored
    ret("RB-2020-005", "MID", Status.SUBMITTED, curiosity=R, fathers=R),
    ret("RB-2020-006", "CSC", Status.SUBMITTED, curiosity=G, unborn=O, nonsense=I),
    ret("RB-2020-002", "CSC", Status.SUBMITTED, curiosity=O),  # not in the cohort: ignored
    ret("RB-2020-001", "XYZ", Status.SUBMITTED, curiosity=O),  # not a participating agency: ignored
    dataclasses.replace(ret("RB-2020-001", "EY", Status.SUBMITTED, curiosity=O), audit="OTHER"),  # other audit
]

DISCUSSIONS = [
    Discussion(DEMO_AUDIT, "RB-2020-001", held_on=date(2021, 4, 12),
               agreed_grades={"curiosity": R, "fathers": I, "no_such_objective": G}),
    Discussion(DEMO_AUDIT, "RB-2020-005", agreed_grades={"curiosity": G}),  # planned, grades pencilled in
    Discussion(DEMO_AUDIT, "RB-2020-002", held_on=date(2021, 4, 13), agreed_grades={"curiosity": O}),
    Discussion(DEMO_AUDIT, "Health visitors", session_kind="focus group", held_on=date(2021, 4, 14)),
]


def analysed(today: date = TODAY):
    audit, cases = demo()
    return analyse(audit, cases, RETURNS, DISCUSSIONS, today)


def test_screening_counts_match_the_demo_extract() -> None:
    s = analysed().screening
    # sample_data/README.md: 52 candidates, 23 meet every criterion, 16 fail one, 13 undecided.
    assert (s.screened, s.eligible, s.not_eligible, s.unknown) == (52, 23, 16, 13)
    assert (s.selected, s.target, s.selected_not_eligible, s.drawn, s.draw) == (15, 15, 0, 0, None)


def test_a_picked_case_that_is_not_eligible_and_a_draw_are_counted() -> None:
    audit, cases = demo()
    audit.draw = Draw(seed=123456, size=15, balance_by="older_siblings")
    # RB-2020-002 has maternal mental health blank: eligibility unknown.
    cases = [dataclasses.replace(c, in_cohort=True) if c.case_ref == "RB-2020-002" else
             dataclasses.replace(c, drawn=c.in_cohort) for c in cases]
    s = analyse(audit, cases, [], [], TODAY).screening
    assert (s.selected, s.selected_not_eligible, s.drawn) == (16, 1, 15)
    assert s.draw is not None and s.draw.seed == 123456


def test_cohort_and_its_features() -> None:
    a = analysed()
    assert a.cohort == COHORT
    assert a.objectives == ["curiosity", "fathers", "unborn", "escalation", "maternal_mh", "covid"]
    assert a.agencies == ["CSC", "MID", "HV", "GP", "ASM", "AMH", "EY", "POL"]
    # Counted from the CSV rows of the 15 cohort cases: (yes, no, blank).
    assert a.features == {
        "unborn": (15, 0, 0),
        "domestic_abuse": (10, 5, 0),  # no: 006, 007, 012, 025, 027
        "substance_misuse": (8, 6, 1),  # blank: 026
        "maternal_mental_health": (15, 0, 0),
    }


def test_returns_by_status() -> None:
    r = analysed().returns
    assert r.expected == 120  # 15 cases x 8 agencies
    assert r.by_status == {
        Status.NOT_STARTED: 112,  # 120 less the 8 stored returns that count
        Status.DRAFT: 1,
        Status.SUBMITTED: 4,  # 001 CSC, 001 MID, 005 MID, 006 CSC
        Status.RETURNED: 1,
        Status.RESUBMITTED: 1,
        Status.NOT_INVOLVED: 1,
    }
    # Received means a completed audit tool; "not involved" is neither received nor outstanding.
    assert (r.received, r.completed, r.not_involved, r.outstanding) == (5, 5, 1, 114)
    assert r.due == date(2021, 4, 30) and r.overdue == 0
    assert r.by_agency["CSC"][Status.SUBMITTED] == 2 and r.by_agency["CSC"][Status.RETURNED] == 1
    assert r.by_agency["CSC"][Status.NOT_STARTED] == 12
    assert sum(r.by_agency["EY"].values()) == 15 and r.by_agency["EY"][Status.NOT_STARTED] == 15


def test_outstanding_returns_are_overdue_once_the_milestone_has_passed() -> None:
    assert analysed(date(2021, 4, 30)).returns.overdue == 0  # due that day: not yet late
    assert analysed(date(2021, 5, 1)).returns.overdue == 114


def test_return_status_grid() -> None:
    a = analysed()
    assert a.return_status["RB-2020-001"] == {
        "CSC": Status.SUBMITTED, "MID": Status.SUBMITTED, "HV": Status.RESUBMITTED, "GP": Status.NOT_INVOLVED,
        "ASM": Status.NOT_STARTED, "AMH": Status.NOT_STARTED, "EY": Status.NOT_STARTED, "POL": Status.DRAFT,
    }
    assert set(a.return_status) == set(COHORT)
    assert a.contributing["RB-2020-001"] == ["CSC", "MID", "HV"]
    assert a.contributing["RB-2020-005"] == ["MID"]
    assert a.contributing["RB-2020-006"] == ["CSC"]
    assert a.contributing["RB-2020-007"] == []


def cell(**counts: int) -> dict[Grade, int]:
    return {g: counts.get(g.name, 0) for g in (O, G, R, I)}


def test_grades_by_objective_and_agency() -> None:
    a = analysed()
    curiosity = a.agency_grid["curiosity"]
    assert curiosity["CSC"] == GradeCell(cell(GOOD=1, REQUIRES_IMPROVEMENT=1), None)  # 001 R, 006 G: a tie
    assert curiosity["MID"] == GradeCell(cell(GOOD=1, REQUIRES_IMPROVEMENT=1), None)  # 001 G, 005 R
    assert curiosity["MID"].tied and not curiosity["HV"].tied and not curiosity["GP"].tied
    assert curiosity["HV"] == GradeCell(cell(GOOD=1), G)
    assert curiosity["GP"] == GradeCell(cell(), None)  # not involved: its stray grade is ignored
    assert curiosity["POL"] == GradeCell(cell(), None)  # draft
    assert a.objective_totals["curiosity"] == GradeCell(cell(GOOD=3, REQUIRES_IMPROVEMENT=2), G)
    assert a.objective_totals["curiosity"].total == 5
    assert a.agency_grid["fathers"]["MID"] == GradeCell(cell(REQUIRES_IMPROVEMENT=2), R)
    assert a.objective_totals["fathers"] == GradeCell(cell(REQUIRES_IMPROVEMENT=2, INADEQUATE=1), R)
    assert a.objective_totals["unborn"] == GradeCell(cell(OUTSTANDING=1), O)
    assert a.objective_totals["covid"] == GradeCell(cell(), None)
    assert "nonsense" not in a.agency_grid


def test_agreed_grades_by_case_and_objective() -> None:
    a = analysed()
    assert a.case_grid["RB-2020-001"] == {"curiosity": R, "fathers": I, "unborn": None, "escalation": None,
                                          "maternal_mh": None, "covid": None}
    assert a.case_grid["RB-2020-005"]["curiosity"] is G
    assert "RB-2020-002" not in a.case_grid
    assert a.discussed == ["RB-2020-001"]  # 005's discussion has not been held yet
    assert a.agreed_totals["curiosity"] == GradeCell(cell(GOOD=1, REQUIRES_IMPROVEMENT=1), None)
    assert a.agreed_totals["fathers"] == GradeCell(cell(INADEQUATE=1), I)
    assert a.agreed_totals["covid"].total == 0


def test_an_audit_without_lookback_counts_every_candidate_as_unknown() -> None:
    audit, cases = demo()
    audit.lookback_start = None
    s = analyse(audit, cases, [], [], TODAY).screening
    assert (s.screened, s.eligible, s.not_eligible, s.unknown) == (52, 0, 0, 52)


def test_analysis_is_quick_enough_to_run_on_every_refresh() -> None:
    import time

    audit, cases = demo()
    start = time.perf_counter()
    for _ in range(10):
        analyse(audit, cases, RETURNS, DISCUSSIONS, TODAY)
    assert (time.perf_counter() - start) / 10 < 0.05


# ---------------------------------------------------------------------------- RAG


def action(status: ActionStatus = ActionStatus.AGREED, due: date | None = TODAY) -> Action:
    return Action(DEMO_AUDIT, "A1", "F1", "Do it.", "CSC", due, status)


@pytest.mark.parametrize(
    ("status", "due", "expected"),
    [
        (ActionStatus.AGREED, TODAY, Rag.AMBER),  # due today: at risk, not yet late
        (ActionStatus.IN_PROGRESS, TODAY - timedelta(days=1), Rag.RED),  # past due
        (ActionStatus.AGREED, date(2020, 1, 1), Rag.RED),
        (ActionStatus.COMPLETE, TODAY - timedelta(days=100), Rag.COMPLETE),  # complete beats the date
        (ActionStatus.COMPLETE, None, Rag.COMPLETE),
        (ActionStatus.AGREED, None, Rag.AMBER),  # no date: not SMART yet
        (ActionStatus.PROPOSED, None, Rag.AMBER),
        (ActionStatus.AGREED, TODAY + timedelta(days=14), Rag.AMBER),  # within two weeks
        (ActionStatus.PROPOSED, TODAY + timedelta(days=7), Rag.AMBER),
        (ActionStatus.AGREED, TODAY + timedelta(days=15), Rag.GREEN),
        (ActionStatus.IN_PROGRESS, date(2030, 1, 1), Rag.GREEN),  # far future
    ],
)
def test_rag(status: ActionStatus, due: date | None, expected: Rag) -> None:
    assert rag(action(status, due), TODAY) is expected


def test_rag_labels_and_symbols_differ() -> None:
    assert len({r.label for r in Rag}) == len({r.symbol for r in Rag}) == 4


def test_a_tie_shows_the_spread_not_a_grade() -> None:
    from audit.report_sections import most_common_name, most_common_text

    tie = GradeCell.of([O, G, I])
    assert most_common_text(tie) == "no single most common grade (1 outstanding, 1 good, 1 inadequate)"
    assert most_common_name(tie) == "no single grade"
    assert most_common_text(GradeCell.of([G, G, I])) == "Good (2 of 3)"
    assert most_common_text(GradeCell.of([])) == "not graded yet"
