"""Cohort decisions in the workspace: picking, setting aside, drawing; rules, journal, disk."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from audit.scope import Draw
from storage.cohort import CohortError, OverTarget, record_draw, set_in_cohort
from storage.demo import build_demo
from storage.errors import AccessDenied, ConflictError
from storage.workspace import Workspace
from tests.workspace_files import data_bytes

REF = "MACA-C86"
TODAY = date(2021, 4, 20)
LEAD = "tester"
# From the demo extract, screened on TODAY:
ELIGIBLE_OUT = ["RB-2020-032", "RB-2020-035", "RB-2020-041", "RB-2020-043", "RB-2020-046",
                "RB-2020-047", "RB-2020-048", "RB-2020-050"]  # eligible, not in the cohort
NOT_ELIGIBLE = "RB-2020-004"
UNKNOWN = "RB-2020-002"
IN_COHORT = "RB-2020-001"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    build_demo(tmp_path / "w.json", LEAD)
    return tmp_path / "w.json"


@pytest.fixture
def ws(path: Path) -> Workspace:
    return Workspace.open(path, LEAD)


def on_disk(path: Path, case_ref: str):
    return Workspace.open(path, LEAD).case(REF, case_ref)


def summaries(path: Path) -> list[str]:
    return [e.summary for e in Workspace.open(path, LEAD).journal()]


def in_cohort(path: Path) -> int:
    return sum(c.in_cohort for c in Workspace.open(path, LEAD).cases(REF))


def test_adding_an_eligible_case_needs_no_reason(ws: Workspace, path: Path) -> None:
    saved = set_in_cohort(ws, REF, ELIGIBLE_OUT[0], True, "", today=TODAY)
    assert saved.in_cohort and saved.decided_by == LEAD and saved.decided_at is not None
    case = on_disk(path, ELIGIBLE_OUT[0])
    assert case.in_cohort and case.rev == saved.rev and not case.drawn
    assert summaries(path)[-1] == f"added {ELIGIBLE_OUT[0]} to the cohort"


def test_adding_a_case_that_is_not_eligible_needs_a_reason(ws: Workspace, path: Path) -> None:
    with pytest.raises(CohortError, match="A reason is required to add a case that is not eligible"):
        set_in_cohort(ws, REF, NOT_ELIGIBLE, True, "   ", today=TODAY)
    with pytest.raises(CohortError, match="whose eligibility is not known"):
        set_in_cohort(ws, REF, UNKNOWN, True, "", today=TODAY)
    assert not on_disk(path, NOT_ELIGIBLE).in_cohort
    set_in_cohort(ws, REF, NOT_ELIGIBLE, True, "Closest match to C86 despite late referral", today=TODAY)
    case = on_disk(path, NOT_ELIGIBLE)
    assert case.in_cohort and case.decision_reason == "Closest match to C86 despite late referral"
    assert summaries(path)[-1] == f"added {NOT_ELIGIBLE} to the cohort: Closest match to C86 despite late referral"


def test_removing_needs_a_reason_and_is_journaled(ws: Workspace, path: Path) -> None:
    with pytest.raises(CohortError, match="A reason is required to take a case out of the cohort"):
        set_in_cohort(ws, REF, IN_COHORT, False, "", today=TODAY)
    set_in_cohort(ws, REF, IN_COHORT, False, "Family moved out of area", today=TODAY)
    assert not on_disk(path, IN_COHORT).in_cohort
    entry = Workspace.open(path, LEAD).journal()[-1]
    assert entry.summary == f"removed {IN_COHORT} from the cohort: Family moved out of area"
    assert entry.who == LEAD and entry.key == f"{REF}/{IN_COHORT}"
    assert entry.before["in_cohort"] is True and entry.after["in_cohort"] is False


def test_no_change_is_refused(ws: Workspace) -> None:
    with pytest.raises(CohortError, match="is already in the cohort"):
        set_in_cohort(ws, REF, IN_COHORT, True, "again", today=TODAY)
    with pytest.raises(CohortError, match="is not in the cohort"):
        set_in_cohort(ws, REF, NOT_ELIGIBLE, False, "why", today=TODAY)


def test_reason_is_kept_as_typed_minus_control_bytes(ws: Workspace, path: Path) -> None:
    hostile = "[/b] a | b # c \x1b[31mred\x1b[0m [bold]x[/bold]"
    set_in_cohort(ws, REF, NOT_ELIGIBLE, True, hostile, today=TODAY)
    assert on_disk(path, NOT_ELIGIBLE).decision_reason == "[/b] a | b # c red [bold]x[/bold]"
    with pytest.raises(CohortError, match="The reason is too long"):
        set_in_cohort(ws, REF, IN_COHORT, False, "x" * 2_001, today=TODAY)


@pytest.mark.parametrize("login", ["panel.vic", "csc.coord"])
def test_viewers_and_coordinators_are_refused_and_it_is_journaled(path: Path, login: str) -> None:
    other = Workspace.open(path, login)
    with pytest.raises(AccessDenied) as refused:
        set_in_cohort(other, REF, ELIGIBLE_OUT[0], True, "", today=TODAY)
    assert "change the cohort" in str(refused.value) and login in str(refused.value)
    with pytest.raises(AccessDenied):
        record_draw(other, REF, ELIGIBLE_OUT[:1], Draw(seed=1, size=1), allow_over_target=True, today=TODAY)
    assert not on_disk(path, ELIGIBLE_OUT[0]).in_cohort
    refusals = [e for e in Workspace.open(path, LEAD).journal() if e.action == "refused"]
    assert len(refusals) == 2 and refusals[0].who == login


def test_a_stale_rev_is_a_conflict_with_both_versions(ws: Workspace, path: Path) -> None:
    seen = ws.case(REF, ELIGIBLE_OUT[0])
    other = Workspace.open(path, "qa.tamsin")  # the second lead, in another session
    set_in_cohort(other, REF, ELIGIBLE_OUT[0], True, "picked by Tamsin", today=TODAY)
    with pytest.raises(ConflictError) as conflict:
        set_in_cohort(ws, REF, ELIGIBLE_OUT[0], True, "mine", expected_rev=seen.rev, today=TODAY)
    assert conflict.value.theirs["decision_reason"] == "picked by Tamsin"
    assert conflict.value.mine["decision_reason"] == "mine"
    assert on_disk(path, ELIGIBLE_OUT[0]).decision_reason == "picked by Tamsin"


def test_record_draw_is_one_transaction(ws: Workspace, path: Path) -> None:
    for ref in ("RB-2020-005", "RB-2020-006", "RB-2020-007"):
        set_in_cohort(ws, REF, ref, False, "make room for a draw", today=TODAY)
    before = len(Workspace.open(path, LEAD).journal())
    picked = ELIGIBLE_OUT[2:5]
    saved = record_draw(ws, REF, picked, Draw(seed=424242, size=3, balance_by="older_siblings"), today=TODAY)
    assert [c.case_ref for c in saved] == picked
    reopened = Workspace.open(path, LEAD)
    for ref in picked:
        case = reopened.case(REF, ref)
        assert case.in_cohort and case.drawn and case.decision_reason == "random draw, seed 424242"
        assert case.decided_by == LEAD
    recorded = reopened.audit(REF).draw
    assert recorded is not None
    assert (recorded.seed, recorded.size, recorded.balance_by, recorded.picked) == (424242, 3, "older_siblings", picked)
    assert recorded.drawn_by == LEAD and recorded.drawn_at is not None
    entries = reopened.journal()[before:]
    assert [e.summary for e in entries] == [
        *(f"added {ref} to the cohort: random draw, seed 424242" for ref in picked),
        "drew 3 cases at random (seed 424242, balanced by older_siblings)",
    ]
    assert len({e.at for e in entries}) == 1  # one transaction, one moment
    assert in_cohort(path) == 15


def test_record_draw_over_target_needs_confirmation(ws: Workspace, path: Path) -> None:
    with pytest.raises(OverTarget, match="would make the cohort 17 of a target of 15"):
        record_draw(ws, REF, ELIGIBLE_OUT[:2], Draw(seed=1, size=2), today=TODAY)
    assert in_cohort(path) == 15 and Workspace.open(path, LEAD).audit(REF).draw is None
    record_draw(ws, REF, ELIGIBLE_OUT[:2], Draw(seed=1, size=2), allow_over_target=True, today=TODAY)
    assert in_cohort(path) == 17


def test_record_draw_saves_nothing_when_one_case_is_wrong(ws: Workspace, path: Path) -> None:
    with pytest.raises(CohortError, match=f"{NOT_ELIGIBLE} is not eligible"):
        record_draw(ws, REF, [ELIGIBLE_OUT[0], NOT_ELIGIBLE], Draw(seed=1, size=2), allow_over_target=True,
                    today=TODAY)
    with pytest.raises(CohortError, match="twice"):
        record_draw(ws, REF, [ELIGIBLE_OUT[0]] * 2, Draw(seed=1, size=2), allow_over_target=True, today=TODAY)
    # Someone else picked one of the drawn cases meanwhile: the whole draw is refused.
    other = Workspace.open(path, "qa.tamsin")
    set_in_cohort(other, REF, ELIGIBLE_OUT[1], True, "", today=TODAY)
    with pytest.raises(ConflictError, match="draw again"):
        record_draw(ws, REF, ELIGIBLE_OUT[:3], Draw(seed=1, size=3), allow_over_target=True, today=TODAY)
    reopened = Workspace.open(path, LEAD)
    assert not reopened.case(REF, ELIGIBLE_OUT[0]).in_cohort
    assert not reopened.case(REF, ELIGIBLE_OUT[2]).in_cohort
    assert reopened.audit(REF).draw is None


def test_models_handed_out_are_not_edited_in_place(ws: Workspace) -> None:
    shared = ws.case(REF, ELIGIBLE_OUT[0])
    snapshot = dataclasses.replace(shared)
    set_in_cohort(ws, REF, ELIGIBLE_OUT[0], True, "", today=TODAY)
    assert shared == snapshot  # a copy was saved; the old object is untouched
    assert ws.case(REF, ELIGIBLE_OUT[0]).in_cohort


def test_a_bulk_insert_with_a_taken_reference_saves_nothing(ws: Workspace, path: Path) -> None:
    from audit.cases import CandidateCase
    from storage.cohort import import_candidates

    before = data_bytes(path)
    audit = ws.audit(REF)
    fresh = [CandidateCase(audit=REF, case_ref=f"NEW-{n}") for n in range(3)]
    for batch, taken in (([*fresh, CandidateCase(audit=REF, case_ref="NEW-1")], "NEW-1"),
                         ([*fresh, CandidateCase(audit=REF, case_ref=IN_COHORT)], IN_COHORT)):
        with pytest.raises(ConflictError) as caught:
            import_candidates(ws, audit, batch, source="x.csv")
        assert caught.value.key == f"{REF}/{taken}"
        assert data_bytes(path) == before
    assert Workspace.open(path, LEAD).case(REF, "NEW-0") is None
    assert import_candidates(ws, audit, fresh, source="x.csv") == 3
    assert [on_disk(path, f"NEW-{n}").rev for n in range(3)] == [1, 1, 1]
