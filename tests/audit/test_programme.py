"""The programme (issue 19 item 1): planned audits, grouping by year, proposed stages."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from audit.programme import (
    Group,
    PlannedAudit,
    parse_quarter,
    plan_problems,
    programme,
    proposed_stage,
)
from audit.scope import Audit, Kind, Milestone, Stage
from audit.scope_file import parse_scope

HOSTILE = "[bold]x[/] | # <html>\x1b[31m"


def _audit(ref: str, stage: Stage = Stage.SCOPING, due: date | None = date(2021, 4, 30)) -> Audit:
    return Audit(ref=ref, title=ref, stage=stage, milestones=[Milestone("m", due)] if due else [],
                 created_at=datetime(2020, 12, 1))


def test_old_stage_values_still_read_and_new_ones_sit_before_closed() -> None:
    assert [s.value for s in Stage][-3:] == ["report approved", "learning shared", "closed"]
    for old in ("scoping", "cohort", "fieldwork", "discussion", "reporting", "closed"):
        assert Stage(old).value == old
    text = 'ref = "X1"\ntitle = "t"\nstage = "learning shared"\ncohort_target = 1\n' \
           'lookback = { start = 2020-01-01, end = 2020-12-31 }\n'
    assert parse_scope(text, source="s", agency_codes=[]).audit.stage is Stage.LEARNING_SHARED


def test_maca_proposes_only_forwards_and_the_furthest_stage() -> None:
    audit = _audit("A", Stage.COHORT)
    assert proposed_stage(audit, {"received": 0, "picked": 3, "discussed": 0}) is None
    first = proposed_stage(audit, {"received": 1, "picked": 3, "discussed": 0})
    assert first is not None and first.stage is Stage.FIELDWORK and "first return" in first.because
    both = proposed_stage(audit, {"received": 5, "picked": 3, "discussed": 3})
    assert both is not None and both.stage is Stage.REPORTING
    approved = proposed_stage(_audit("A", Stage.REPORTING), {"picked": 3, "discussed": 3, "approvals": 1})
    assert approved is not None and approved.stage is Stage.REPORT_APPROVED
    shared = proposed_stage(_audit("A", Stage.REPORT_APPROVED), {"approvals": 1, "disseminations": 2})
    assert shared is not None and shared.stage is Stage.LEARNING_SHARED
    # Never backwards, never past a stage the lead set by hand, never out of closed.
    assert proposed_stage(_audit("A", Stage.REPORTING), {"received": 9, "picked": 3, "discussed": 1}) is None
    assert proposed_stage(_audit("A", Stage.CLOSED), {"approvals": 1, "disseminations": 1}) is None
    # No cohort yet: "all discussed" is not true of nothing.
    assert proposed_stage(_audit("A"), {"picked": 0, "discussed": 0}) is None


def test_programme_groups_audits_and_plans_by_year() -> None:
    plans = [
        PlannedAudit("P1", 2022, "Neglect", Kind.MATA, quarter=2),
        PlannedAudit("P2", 2021, "Hidden men", promoted_to="B"),
        PlannedAudit("P3", 2021, "Gone", promoted_to="DELETED"),  # its audit went: planned again
    ]
    audits = [_audit("A", Stage.FIELDWORK), _audit("B", Stage.REPORT_APPROVED, due=date(2020, 5, 1)),
              _audit("C", Stage.CLOSED), _audit("D", due=None)]
    years = programme(audits, plans)
    assert [y.year for y in years] == [2022, 2021, 2020]
    assert {g: [e.key for e in es] for g, es in years[0].groups.items()} == {Group.PLANNED: ["plan:P1"]}
    in_2021 = {g: [e.key for e in es] for g, es in years[1].groups.items()}
    # B's plan says 2021 although its first milestone is in 2020; D has no milestone: created 2020.
    assert in_2021 == {Group.PLANNED: ["plan:P3"], Group.IN_PROGRESS: ["audit:A"],
                       Group.REPORTED: ["audit:B"], Group.CLOSED: ["audit:C"]}
    assert [e.key for es in years[2].groups.values() for e in es] == ["audit:D"]


def test_a_plan_says_when_and_its_problems() -> None:
    assert PlannedAudit("P1", 2022, "t", quarter=3).when() == "Q3 2022"
    assert PlannedAudit("P1", 2022, "t").when() == "2022"
    assert "01/04/2022" in PlannedAudit("P1", 2022, "t", starts=date(2022, 4, 1), ends=date(2022, 6, 30)).when()
    assert plan_problems(PlannedAudit("P1", 2022, HOSTILE, quarter=1)) == []
    problems = plan_problems(PlannedAudit("P1", 1800, " ", quarter=2, starts=date(2022, 5, 1),
                                          ends=date(2022, 4, 1)))
    assert problems == ["The year must be from 2000 to 2100.", "The planned audit needs a theme.",
                        "Give a quarter or dates, not both.", "The planned audit starts after it ends."]


@pytest.mark.parametrize("text, quarter", [("Q2", 2), ("q4", 4), (" 1 ", 1), ("", 0)])
def test_quarters(text: str, quarter: int) -> None:
    assert parse_quarter(text) == quarter


def test_a_bad_quarter_is_one_sentence() -> None:
    with pytest.raises(ValueError, match=r"^The quarter 'Q5' is not one of Q1, Q2, Q3 or Q4\.$"):
        parse_quarter("Q5")
