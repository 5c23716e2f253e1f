"""Return operations through the storage API: status flow, access matrix, conflicts, grid."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from audit.grades import Answer, Grade
from audit.return_transitions import edit, set_answer, set_grade
from audit.returns import Return, Status, TransitionError
from storage.demo import DEMO_AUDIT, build_demo
from storage.errors import AccessDenied, ConflictError, NotFound
from storage.lock import os_login
from storage.returns import (
    acknowledge_concern,
    chase_list,
    cohort_refs,
    open_concerns,
    open_return,
    raise_concern,
    return_for_clarification,
    returns_grid,
    save_draft,
    submit_return,
    tool_for,
)
from storage.workspace import Workspace
from tests.workspace_files import on_disk as tables_on_disk
from tests.workspace_files import copy_workspace, data_bytes

REF = DEMO_AUDIT
NOW = datetime(2021, 4, 20, 10, 0)
TODAY = date(2021, 4, 20)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built once; each test copies it (building it costs more than copying)."""
    path = tmp_path_factory.mktemp("demo") / "w.json"
    build_demo(path, os_login())
    return path


@pytest.fixture
def path(template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "w.json"
    copy_workspace(template, target)
    return target


def as_(path: Path, login: str) -> Workspace:
    return Workspace.open(path, login)


def lead(path: Path) -> Workspace:
    return as_(path, os_login())


def first_case(ws: Workspace) -> str:
    return cohort_refs(ws, REF)[0]


def complete(ws: Workspace, ret: Return) -> Return:
    """Fill every field submission needs, as a co-ordinator would."""
    by = ws.login
    ret = edit(ret, by, NOW, involved=True, auditor_name="Mira Midwell", auditor_role="Named midwife",
               involvement_period="Jan–Sep 2020", impact_on_child="The baby was safe at birth.")
    tool = tool_for(ws, ret.audit, ret.agency)
    for _, section, question in tool.numbered():
        ret = set_answer(ret, by, NOW, question.id, answer=Answer.YES, evidence=f"Record entry for {question.id}.")
    for section in tool.sections:
        if section.graded:
            ret = set_grade(ret, by, NOW, section.objective, grade=Grade.GOOD, rationale="Consistently good.")
    return ret


def on_disk(path: Path, key: str) -> dict:
    data = tables_on_disk(path)
    found = [doc for doc in data["returns"].values() if f"{doc['audit']}/{doc['case_ref']}/{doc['agency']}" == key]
    assert len(found) == 1, f"{key} is not on disk exactly once"
    return found[0]


def refusals(ws: Workspace) -> list[str]:
    return [e.key for e in ws.journal() if e.action == "refused"]


# ------------------------------------------------------------------------ status flow


def test_open_return_is_fresh_and_unsaved(path: Path) -> None:
    ws = as_(path, "mid.coord")
    case = first_case(ws)
    ret = open_return(ws, REF, case, "MID")
    assert (ret.status, ret.rev) == (Status.NOT_STARTED, 0)
    assert save_draft(ws, ret).rev == 0  # an untouched tool leaves no trace
    assert ws.get_return(REF, case, "MID") is None
    with pytest.raises(NotFound):
        open_return(ws, REF, "NOT-A-CASE", "MID")
    with pytest.raises(NotFound):
        open_return(ws, REF, case, "XYZ")


def test_draft_submit_return_resubmit_through_storage(path: Path) -> None:
    coord = as_(path, "mid.coord")
    case = first_case(coord)
    ret = open_return(coord, REF, case, "MID")
    ret = save_draft(coord, edit(ret, coord.login, NOW, auditor_name="Mira"))
    assert (ret.status, ret.rev) == (Status.DRAFT, 1)
    assert on_disk(path, ret.key)["status"] == "draft"

    with pytest.raises(TransitionError) as gaps:
        submit_return(coord, ret, now=NOW)
    wheres = [g.where for g in gaps.value.gaps]
    assert "header.involved" in wheres and "overall.impact_on_child" in wheres
    assert any(w.startswith("question:") for w in wheres) and any(w.startswith("section:") for w in wheres)
    assert on_disk(path, ret.key)["status"] == "draft"  # nothing was saved

    ret = save_draft(coord, complete(coord, ret))
    ret = submit_return(coord, ret, now=NOW)
    assert ret.status is Status.SUBMITTED
    doc = on_disk(path, ret.key)
    assert doc["status"] == "submitted" and doc["answers"]["mid-curiosity-1"]["answer"] == "yes"

    with pytest.raises(TransitionError):  # submitted returns are read-only
        save_draft(coord, edit(ret, coord.login, NOW, summary="late change"))

    boss = lead(path)
    back = return_for_clarification(boss, boss.get_return(REF, case, "MID"), "Say who the partner was.", now=NOW)
    assert back.status is Status.RETURNED and back.clarification == "Say who the partner was."
    assert on_disk(path, ret.key)["status"] == "returned for clarification"

    mine = coord.get_return(REF, case, "MID")
    mine = save_draft(coord, edit(mine, coord.login, NOW, summary="Partner named in record."))
    assert mine.status is Status.RETURNED
    assert submit_return(coord, mine, now=NOW).status is Status.RESUBMITTED
    assert on_disk(path, ret.key)["status"] == "resubmitted"


def test_not_involved_needs_a_reason_and_no_questions(path: Path) -> None:
    coord = as_(path, "pol.coord")
    ret = open_return(coord, REF, first_case(coord), "POL")
    ret = edit(ret, coord.login, NOW, involved=False, auditor_name="Pip", auditor_role="DS")
    with pytest.raises(TransitionError) as gaps:
        submit_return(coord, save_draft(coord, ret), now=NOW)
    assert [g.where for g in gaps.value.gaps] == ["header.not_involved_reason"]
    ret = edit(coord.get_return(REF, ret.case_ref, "POL"), coord.login, NOW, not_involved_reason="No record.")
    assert submit_return(coord, save_draft(coord, ret), now=NOW).status is Status.NOT_INVOLVED


# ------------------------------------------------------------------------ concerns


def test_concern_raised_then_acknowledged_and_journaled(path: Path) -> None:
    coord = as_(path, "mid.coord")
    case = first_case(coord)
    ret = raise_concern(coord, open_return(coord, REF, case, "MID"), "Baby seen with bruising.", now=NOW)
    assert ret.concern.open and ret.status is Status.NOT_STARTED
    boss = lead(path)
    assert [r.key for r in open_concerns(boss)] == [ret.key]
    assert [r.key for r in open_concerns(boss, REF)] == [ret.key]
    with pytest.raises(TransitionError):
        acknowledge_concern(boss, boss.get_return(REF, case, "MID"), "   ")
    done = acknowledge_concern(boss, boss.get_return(REF, case, "MID"), "Referred to MASH today.", now=NOW)
    assert not done.concern.open and done.concern.action_taken == "Referred to MASH today."
    assert open_concerns(boss) == []
    summaries = [e.summary for e in boss.journal() if e.key == ret.key]
    assert any("raised" in s for s in summaries) and any("acknowledged" in s for s in summaries)


# ------------------------------------------------------------------------ access matrix

ROLES = {
    "lead": None,  # the OS login
    "coordinator, own agency": "mid.coord",
    "coordinator, other agency": "pol.coord",
    "viewer": "panel.vic",
}


def _prepare(path: Path) -> str:
    """A submitted MID return with an open concern on the first case, and a draft on the second."""
    coord = as_(path, "mid.coord")
    cases = cohort_refs(coord, REF)
    ret = save_draft(coord, complete(coord, open_return(coord, REF, cases[0], "MID")))
    ret = submit_return(coord, ret, now=NOW)
    raise_concern(coord, ret, "Worried about the baby.", now=NOW)
    save_draft(coord, edit(open_return(coord, REF, cases[1], "MID"), coord.login, NOW, summary="started"))
    return cases[0]


def _ops(ws: Workspace, path: Path) -> dict[str, object]:
    cases = cohort_refs(ws, REF)
    submitted = ws.get_return(REF, cases[0], "MID")
    draft = ws.get_return(REF, cases[1], "MID")
    assert submitted is not None and draft is not None
    return {
        "save_draft": lambda: save_draft(ws, edit(draft, ws.login, NOW, summary="more")),
        "submit": lambda: submit_return(ws, draft, now=NOW),
        "return_for_clarification": lambda: return_for_clarification(ws, submitted, "Please clarify.", now=NOW),
        "raise_concern": lambda: raise_concern(ws, draft, "Another worry.", now=NOW),
        "acknowledge_concern": lambda: acknowledge_concern(ws, submitted, "Called the team.", now=NOW),
    }


# (role, op) -> allowed?  "submit" on an incomplete draft is allowed past access and then
# refused by the gap check, which proves access said yes.
MATRIX = {
    "lead": {"save_draft": True, "submit": True, "return_for_clarification": True,
             "raise_concern": True, "acknowledge_concern": True},
    "coordinator, own agency": {"save_draft": True, "submit": True, "return_for_clarification": False,
                                "raise_concern": True, "acknowledge_concern": False},
    "coordinator, other agency": {op: False for op in
                                  ("save_draft", "submit", "return_for_clarification", "raise_concern",
                                   "acknowledge_concern")},
    "viewer": {op: False for op in
               ("save_draft", "submit", "return_for_clarification", "raise_concern", "acknowledge_concern")},
}


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("op", ["save_draft", "submit", "return_for_clarification", "raise_concern",
                                "acknowledge_concern"])
def test_access_matrix(path: Path, role: str, op: str) -> None:
    _prepare(path)
    ws = as_(path, ROLES[role] or os_login())
    before = tables_on_disk(path)["returns"]
    allowed = MATRIX[role][op]
    action = _ops(ws, path)[op]
    if allowed:
        try:
            action()  # type: ignore[operator]
        except TransitionError as exc:
            assert op == "submit" and exc.gaps, f"{role} should pass access for {op}"
        assert not refusals(ws)
    else:
        with pytest.raises(AccessDenied) as refused:
            action()  # type: ignore[operator]
        assert str(refused.value).endswith(".")
        journal = ws.journal()
        assert journal[-1].action == "refused" and journal[-1].who == ws.login
        # Nothing but the journal changed: the returns on disk are as they were.
        assert tables_on_disk(path)["returns"] == before


def test_coordinator_of_two_agencies_edits_both(path: Path) -> None:
    nurse = as_(path, "health_named-nurse")
    case = first_case(nurse)
    for agency in ("HV", "MID"):
        saved = save_draft(nurse, edit(open_return(nurse, REF, case, agency), nurse.login, NOW, summary="x"))
        assert saved.rev == 1
    with pytest.raises(AccessDenied, match="cannot edit GP"):
        save_draft(nurse, edit(open_return(nurse, REF, case, "GP"), nurse.login, NOW, summary="x"))


# ------------------------------------------------------------------------ conflicts


def test_second_save_of_one_return_is_a_conflict_with_both_versions(path: Path) -> None:
    one = as_(path, "mid.coord")
    two = as_(path, "health_named-nurse")
    case = first_case(one)
    base = save_draft(one, edit(open_return(one, REF, case, "MID"), one.login, NOW, summary="base"))
    theirs = two.get_return(REF, case, "MID")
    assert theirs is not None and theirs.rev == base.rev
    save_draft(one, edit(base, one.login, NOW, summary="first writer"))
    with pytest.raises(ConflictError) as conflict:
        save_draft(two, edit(theirs, two.login, NOW, summary="second writer"))
    assert conflict.value.mine["summary"] == "second writer"
    assert conflict.value.theirs["summary"] == "first writer"
    assert on_disk(path, base.key)["summary"] == "first writer"  # nothing silently overwritten


def test_two_first_saves_conflict_too(path: Path) -> None:
    one = as_(path, "mid.coord")
    two = as_(path, "health_named-nurse")
    case = first_case(one)
    a = open_return(one, REF, case, "MID")
    b = open_return(two, REF, case, "MID")
    save_draft(one, edit(a, one.login, NOW, summary="one"))
    with pytest.raises(ConflictError) as conflict:
        save_draft(two, edit(b, two.login, NOW, summary="two"))
    assert conflict.value.theirs["summary"] == "one" and conflict.value.mine["summary"] == "two"


# ------------------------------------------------------------------------ grid and chase list


def test_grid_and_chase_list(path: Path) -> None:
    coord = as_(path, "mid.coord")
    cases = cohort_refs(coord, REF)
    assert len(cases) == 15
    ret = save_draft(coord, complete(coord, open_return(coord, REF, cases[0], "MID")))
    submit_return(coord, ret, now=NOW)
    save_draft(coord, set_answer(open_return(coord, REF, cases[1], "MID"), coord.login, NOW,
                                 "mid-curiosity-1", answer=Answer.NO))

    grid = returns_grid(coord, REF, date(2021, 5, 3))
    assert grid.due == date(2021, 4, 30)
    assert grid.agencies == ["CSC", "MID", "HV", "GP", "ASM", "AMH", "EY", "POL"]
    first, second = grid.cell(cases[0], "MID"), grid.cell(cases[1], "MID")
    assert first.status is Status.SUBMITTED and not first.overdue
    assert second.status is Status.DRAFT and second.overdue_days == 3 and second.overdue
    assert (second.answered, second.total) == (1, tool_for(coord, REF, "MID").question_ids().__len__())
    assert grid.received_for_agency("MID") == 1 and grid.overdue_for_agency("MID") == 14
    assert grid.received_for_case(cases[0]) == 1 and grid.overdue_for_case(cases[0]) == 7

    lines = chase_list(coord, REF, date(2021, 5, 3), agency="MID")
    assert len(lines) == 14
    assert lines[0] == f"MID (Midwifery) · case {cases[1]} · draft, 1/26 answered · 3 days overdue (due 30/04/2021)"
    assert all(line.startswith("MID ") for line in lines)
    # A co-ordinator chases only their own agency (issue 15): the same 14 lines unfiltered.
    assert chase_list(coord, REF, date(2021, 5, 3)) == lines
    early = chase_list(coord, REF, TODAY, agency="MID")
    assert "not yet overdue (due 30/04/2021)" in early[0]


def test_demo_returns_are_deterministic_and_added_once(path: Path) -> None:
    from audit.codec import to_doc
    from storage.demo_returns import add_demo_returns

    boss = lead(path)
    assert add_demo_returns(boss) == 12
    assert add_demo_returns(boss) == 0  # already there: nothing changes
    statuses = sorted(r.status.value for r in boss.returns(REF))
    assert statuses.count("submitted") == 5 and statuses.count("not involved") == 2
    assert statuses.count("draft") == 4 and statuses.count("returned for clarification") == 1
    assert open_concerns(boss) == []  # the demo's concern was acknowledged: no alert at start
    again = build_demo(path.parent / "again.json", os_login())
    add_demo_returns(again)
    docs = sorted((r.key, to_doc(r)) for r in boss.returns(REF))
    assert sorted((r.key, to_doc(r)) for r in again.returns(REF)) == docs
