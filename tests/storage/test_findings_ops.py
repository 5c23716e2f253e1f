"""Discussion, board and action operations through the storage API: ids, access, moves, conflicts."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest

from audit.access import Act
from audit.findings import ActionStatus, Attendee, Column, Embedded, Rag, Retest, parse_attendees, rag, short_title
from audit.grades import Grade
from audit.returns import Return, SectionReturn, Status
from audit.scope import Audit, Kind, Objective
from storage.demo import DEMO_AUDIT, build_demo
from storage.errors import AccessDenied, ConflictError
from storage.findings import (
    FindingError,
    accept_finding,
    action_plan,
    add_action,
    add_finding,
    add_session,
    column_of,
    delete_action,
    delete_finding,
    edit_action,
    edit_finding,
    link_retest,
    move_finding,
    open_discussion,
    promote_point,
    received_agencies,
    save_discussion,
)
from storage.lock import os_login
from storage.workspace import Workspace
from tests.workspace_files import on_disk as tables_on_disk
from tests.workspace_files import copy_workspace

REF = DEMO_AUDIT
CASE = "RB-2020-001"
TODAY = date(2021, 4, 20)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built once with an empty board (whatever the demo seeds), copied per test."""
    path = tmp_path_factory.mktemp("demo") / "w.json"
    ws = build_demo(path, os_login())
    for action in ws.actions(REF):
        delete_action(ws, action)
    for f in ws.findings(REF):
        delete_finding(ws, f)
    for d in ws.discussions(REF):
        ws.delete(d, act=Act.EDIT_DISCUSSION)
    return path


@pytest.fixture
def path(template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "w.json"
    copy_workspace(template, target)
    return target


@pytest.fixture
def ws(path: Path) -> Workspace:
    return Workspace.open(path, os_login())


def seed_returns(ws: Workspace) -> None:
    for agency, status in (("CSC", Status.SUBMITTED), ("EY", Status.NOT_INVOLVED), ("HV", Status.DRAFT),
                           ("POL", Status.RESUBMITTED)):
        ws.insert(Return(audit=REF, case_ref=CASE, agency=agency, status=status,
                         sections={"curiosity": SectionReturn(Grade.GOOD, "Chronology used")}),
                  act=Act.EDIT_RETURN)


def on_disk(path: Path, table: str) -> list[dict]:
    return list(tables_on_disk(path)[table].values())


def test_promote_links_case_objective_and_received_agencies(ws: Workspace, path: Path) -> None:
    seed_returns(ws)
    assert received_agencies(ws, REF, CASE) == ["CSC", "EY", "POL"]
    f = promote_point(ws, REF, CASE, "Chronology was used well. Then more.", Column.STRENGTH, "curiosity")
    # EY was not involved: it has no practice with the case for the finding to be about.
    assert (f.id, f.cases, f.agencies, f.objective, f.proposed) == ("F1", [CASE], ["CSC", "POL"], "curiosity", False)
    assert f.title == "Chronology was used well."
    assert f.source == f"discussion of {CASE}"
    stored = on_disk(path, "findings")[0]
    assert stored["column"] == "strength" and stored["created_by"] == os_login()
    entry = Workspace.open(path, "rlead").journal()[-1]
    assert entry.action == "create" and entry.key == f"{REF}/F1"


def test_promote_into_an_existing_finding_adds_evidence(ws: Workspace) -> None:
    first = promote_point(ws, REF, CASE, "Fathers not seen", Column.DEVELOPMENT, "fathers", agencies=["CSC"])
    grown = promote_point(ws, REF, "RB-2020-005", "Fathers not seen", Column.DEVELOPMENT, "fathers",
                          agencies=["POL"], into=first.id)
    assert grown.id == "F1" and grown.cases == [CASE, "RB-2020-005"] and grown.agencies == ["CSC", "POL"]
    assert len(ws.findings(REF)) == 1


def test_ids_are_unique_in_the_audit(ws: Workspace) -> None:
    a = add_finding(ws, REF, column=Column.STRENGTH, title="One")
    b = add_finding(ws, REF, column=Column.STRENGTH, title="Two")
    c = add_finding(ws, REF, column=Column.STRENGTH, title="Three")
    delete_finding(ws, b)
    d = add_finding(ws, REF, column=Column.DEVELOPMENT, title="Four")
    assert (a.id, b.id, c.id, d.id) == ("F1", "F2", "F3", "F4")  # after the highest, not into the gap
    assert [f.position for f in column_of(ws, REF, Column.STRENGTH)] == [0, 2]


def test_coordinator_proposes_and_lead_accepts(path: Path, ws: Workspace) -> None:
    coord = Workspace.open(path, "csc.coord")
    f = promote_point(coord, REF, CASE, "Good use of escalation", Column.STRENGTH, "escalation")
    assert f.proposed and f.created_by == "csc.coord"
    with pytest.raises(AccessDenied, match="Only a lead auditor can edit the findings board"):
        move_finding(coord, f, column=Column.DEVELOPMENT)
    refused = Workspace.open(path, "rlead").journal()[-1]
    assert (refused.action, refused.who) == ("refused", "csc.coord")
    ws.refresh()
    accepted = accept_finding(ws, ws.findings(REF)[0])
    assert not accepted.proposed
    with pytest.raises(FindingError, match="already on the board"):
        accept_finding(ws, accepted)


def test_viewer_is_refused_everything(path: Path, ws: Workspace) -> None:
    f = add_finding(ws, REF, column=Column.STRENGTH, title="One")
    viewer = Workspace.open(path, "panel2")
    with pytest.raises(AccessDenied, match="panel2 is a viewer and can only read; ask a lead auditor to propose"):
        promote_point(viewer, REF, CASE, "x", Column.STRENGTH, "")
    for op in (lambda: delete_finding(viewer, f), lambda: edit_finding(viewer, f),
               lambda: save_discussion(viewer, open_discussion(viewer, REF, CASE))):
        with pytest.raises(AccessDenied):
            op()
    viewer.refusals.flush(viewer, everything=True)  # the two alike (edit the board) are one count
    data = tables_on_disk(path)
    assert len(data["findings"]) == 1 and not data.get("discussions")
    assert [e.action for e in Workspace.open(path, "rlead").journal()[-4:]] == ["refused"] * 4


def test_move_between_columns_and_within(ws: Workspace) -> None:
    a = add_finding(ws, REF, column=Column.STRENGTH, title="A")
    b = add_finding(ws, REF, column=Column.DEVELOPMENT, title="B")
    c = add_finding(ws, REF, column=Column.DEVELOPMENT, title="C")
    moved = move_finding(ws, a, column=Column.DEVELOPMENT)
    assert moved.column is Column.DEVELOPMENT
    assert [f.id for f in column_of(ws, REF, Column.DEVELOPMENT)] == ["F2", "F3", "F1"]
    move_finding(ws, ws.get(moved), position=0)
    assert [f.id for f in column_of(ws, REF, Column.DEVELOPMENT)] == ["F1", "F2", "F3"]
    assert [f.position for f in column_of(ws, REF, Column.DEVELOPMENT)] == [0, 1, 2]
    with pytest.raises(ConflictError):
        move_finding(ws, b, column=Column.STRENGTH)  # b's rev moved on with the renumbering
    assert c.rev == 1


def test_stale_edit_is_a_conflict(path: Path, ws: Workspace) -> None:
    f = add_finding(ws, REF, column=Column.STRENGTH, title="Mine")
    other = Workspace.open(path, "rlead")
    edit_finding(other, dataclasses.replace(other.get(f), title="Theirs"))
    with pytest.raises(ConflictError):
        edit_finding(ws, dataclasses.replace(f, title="Me"))
    ws.refresh()
    assert ws.get(f).title == "Theirs"


def test_actions_belong_to_recommendations(ws: Workspace, path: Path) -> None:
    rec = add_finding(ws, REF, column=Column.RECOMMENDATION, title="Use the escalation policy")
    dev = add_finding(ws, REF, column=Column.DEVELOPMENT, title="Dev")
    late = add_action(ws, REF, rec.id, description="Train staff", owner="CSC", due=date(2021, 4, 1))
    soon = add_action(ws, REF, rec.id, description="Audit again", owner="POL", due=date(2021, 9, 1),
                      status=ActionStatus.AGREED)
    assert (late.id, soon.id) == ("A1", "A2")
    assert rag(late, TODAY) is Rag.RED and rag(soon, TODAY) is Rag.GREEN
    with pytest.raises(FindingError, match="not a recommendation"):
        add_action(ws, REF, dev.id, description="x", owner="CSC", due=None)
    with pytest.raises(FindingError, match="not XYZ"):
        add_action(ws, REF, rec.id, description="x", owner="XYZ", due=None)
    with pytest.raises(FindingError, match="description is empty"):
        add_action(ws, REF, rec.id, description="  ", owner="CSC", due=None)
    with pytest.raises(FindingError, match="holds 2 SMART actions"):
        move_finding(ws, ws.get(rec), column=Column.STRENGTH)
    done = edit_action(ws, dataclasses.replace(late, status=ActionStatus.COMPLETE))
    assert rag(done, TODAY) is Rag.COMPLETE
    assert [a.id for a in action_plan(ws, REF)] == ["A1", "A2"]
    assert [a.id for a in action_plan(ws, REF, owner="POL")] == ["A2"]
    assert [a.id for a in action_plan(ws, REF, status=ActionStatus.COMPLETE)] == ["A1"]
    delete_action(ws, ws.get(soon))
    assert delete_finding(ws, ws.get(rec)) == 1
    assert not on_disk(path, "actions")


def test_retest_links_an_earlier_audits_finding(ws: Workspace) -> None:
    ws.insert(Audit(ref="MACA-B12", title="Earlier", agencies=["CSC"]), act=Act.CREATE_AUDIT)
    old = add_finding(ws, "MACA-B12", column=Column.RECOMMENDATION, title="Seek fathers' histories")
    f = add_finding(ws, REF, column=Column.DEVELOPMENT, title="Fathers still unseen")
    linked = link_retest(ws, f, Retest("MACA-B12", old.id, Embedded.PARTLY, "Two of five cases"))
    assert linked.retest == Retest("MACA-B12", "F1", Embedded.PARTLY, "Two of five cases")
    with pytest.raises(FindingError, match="earlier audit"):
        link_retest(ws, linked, Retest(REF, "F1"))
    with pytest.raises(Exception, match="no finding F9"):
        link_retest(ws, linked, Retest("MACA-B12", "F9"))
    assert link_retest(ws, linked, None).retest is None


def test_discussion_record_and_conflict(path: Path, ws: Workspace) -> None:
    d = open_discussion(ws, REF, CASE)
    d.held_on = date(2021, 5, 4)
    d.attendees = parse_attendees("csc Team manager (Ann)\nChair: QA lead\nPOL: DS", ["CSC", "POL"])
    d.agreed_grades = {"curiosity": Grade.GOOD}
    d.worked_well = ["Chronology [b]used[/b] | well\x1b[31m"]
    saved = save_discussion(ws, d)
    assert saved.rev == 1 and saved.updated_by == os_login()
    assert saved.attendees == [Attendee("CSC", "Team manager", "Ann"), Attendee("", "Chair: QA lead"),
                               Attendee("POL", "DS")]
    assert saved.worked_well == ["Chronology [b]used[/b] | well"]
    other = Workspace.open(path, "rlead")
    save_discussion(other, dataclasses.replace(other.get(saved), notes="theirs"))
    with pytest.raises(ConflictError):
        save_discussion(ws, dataclasses.replace(saved, notes="mine"))
    with pytest.raises(FindingError, match="no objective nope"):
        save_discussion(ws, dataclasses.replace(open_discussion(other, REF, CASE), agreed_grades={"nope": Grade.GOOD}))
    with pytest.raises(AccessDenied, match="Only a lead auditor can record a discussion"):
        save_discussion(Workspace.open(path, "csc.coord"), open_discussion(ws, REF, "RB-2020-005"))


def test_thematic_sessions(ws: Workspace) -> None:
    ws.insert(Audit(ref="MATA-1", title="Neglect", kind=Kind.MATA, agencies=["CSC", "HV"],
                    objectives=[Objective("voice", "Voice of the child")]), act=Act.CREATE_AUDIT)
    s = add_session(ws, "MATA-1", "Health visitors' focus group", "focus group")
    save_discussion(ws, dataclasses.replace(s, attendees=[Attendee("HV", "Team lead")]))
    with pytest.raises(FindingError, match="already a session"):
        add_session(ws, "MATA-1", "Health visitors' focus group", "focus group")
    with pytest.raises(FindingError, match="case audit"):
        add_session(ws, REF, "x", "focus group")
    f = promote_point(ws, "MATA-1", s.subject, "Voice recorded", Column.STRENGTH, "voice")
    assert f.cases == [] and f.agencies == ["HV"] and f.source == "focus group Health visitors' focus group"


def test_bad_input_is_one_sentence(ws: Workspace) -> None:
    with pytest.raises(FindingError, match="The title is empty; nothing was saved."):
        add_finding(ws, REF, column=Column.STRENGTH, title=" ")
    with pytest.raises(FindingError, match="no objective zzz"):
        add_finding(ws, REF, column=Column.STRENGTH, title="x", objective="zzz")
    with pytest.raises(FindingError, match="characters long"):
        add_finding(ws, REF, column=Column.STRENGTH, title="x" * 201)


def test_short_title() -> None:
    assert short_title("One.  Two.") == "One."
    assert short_title("x" * 100, 10) == "x" * 9 + "…"
