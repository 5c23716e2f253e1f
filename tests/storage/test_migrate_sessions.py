"""Old MATA evidence sessions become evidence activities when an old workspace is moved
into the folder layout (issue 20, after item 1): nothing they said is lost."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from audit.activities import Activity, ActivityKind, Participant
from audit.codec import to_doc
from audit.findings import Attendee, Discussion
from audit.grades import Grade
from audit.scope import Audit, Kind, Objective
from audit.sessions import SOURCE_NOT_RECORDED, activity_from_session
from storage.demo import build_demo
from storage.lock import os_login
from storage.workspace import Workspace
from tests.storage.test_migrate import old_file
from tests.workspace_files import on_disk

LOGIN = os_login()
REF = "MATA-OLD"
AT = datetime(2020, 11, 2, 9, 30)
FOCUS = Discussion(REF, "HV focus group | May", session_kind="focus group", held_on=date(2020, 5, 14),
                   attendees=[Attendee("HV", "health visitor", "Ann Example"), Attendee("HV", "health visitor", ""),
                              Attendee("HV", " team  leader ", "Bo Example"), Attendee("", "", "Guest Name")],
                   agreed_grades={"neglect": Grade.GOOD},
                   worked_well=["Chronologies [b]kept[/b]", "# shared"],
                   worked_less_well=["No escalation <b>used</b>"], notes="Met online \u202e.",
                   updated_by="rlead", updated_at=AT, rev=3)
POLICY = Discussion(REF, "Neglect strategy", session_kind="policy review", held_on=date(2020, 6, 1))
FIGURES = Discussion(REF, "Plans data", session_kind="aggregated data")
CASE = Discussion("MACA-C86", "RB-2020-001", held_on=date(2021, 4, 12))


def test_a_session_becomes_an_activity_with_everything_it_said_but_names() -> None:
    activity = activity_from_session(FOCUS, "E3", {"neglect": "Recognising neglect"})
    assert activity == Activity(
        audit=REF, id="E3", kind=ActivityKind.FOCUS_GROUP, title="HV focus group | May", held_on=date(2020, 5, 14),
        participants=[Participant("health visitor", "HV", 2), Participant("team leader", "HV", 1),
                      Participant("attendee", "", 1)],
        objectives=["neglect"],
        key_points=["Worked well: Chronologies [b]kept[/b]", "Worked well: # shared",
                    "Worked less well: No escalation <b>used</b>", "Notes: Met online \u202e.",
                    "Agreed grade for Recognising neglect: Good"],
        updated_by="rlead", updated_at=AT)
    assert "Example" not in json.dumps(to_doc(activity), default=str)
    policy = activity_from_session(POLICY, "E1", {})
    assert (policy.kind, policy.document) == (ActivityKind.POLICY_REVIEW, "Neglect strategy")
    figures = activity_from_session(FIGURES, "E2", {})
    assert (figures.kind, figures.source) == (ActivityKind.AGGREGATED_DATA, SOURCE_NOT_RECORDED)


def test_an_old_workspaces_sessions_are_activities_after_the_move_and_the_journal_keeps_them(tmp_path: Path) -> None:
    demo = build_demo(tmp_path / "built", LOGIN, in_progress=True)
    tables = on_disk(demo.path)
    audit = Audit(REF, "Neglect", Kind.MATA, objectives=[Objective("neglect", "Recognising neglect")],
                  agencies=["CSC", "HV"])
    tables["audits"][str(len(tables["audits"]) + 1)] = to_doc(audit)
    sessions = [to_doc(d) for d in (FOCUS, POLICY, FIGURES)]
    discussions = tables["discussions"]
    for doc in sessions:
        discussions[str(max(map(int, discussions)) + 1)] = doc
    case_discussions = {k: v for k, v in discussions.items() if v.get("session_kind") == "case"}
    tables.setdefault("activities", {})["1"] = to_doc(Activity(REF, "E1", ActivityKind.FAMILY_VOICE, "Parents"))
    path = old_file(tmp_path / "ws.json", tables)
    original = path.read_bytes()

    ws = Workspace.open(path, LOGIN)
    assert path.read_bytes() == original  # the old file, names and all, is kept as it was
    assert [d.subject for d in ws.discussions(REF)] == []
    assert sorted(d.subject for d in ws.discussions("MACA-C86")) == sorted(v["subject"]
                                                                         for v in case_discussions.values())
    activities = {a.id: a for a in ws.activities(REF)}
    assert {i: (a.kind, a.title) for i, a in activities.items()} == {
        "E1": (ActivityKind.FAMILY_VOICE, "Parents"),
        "E2": (ActivityKind.FOCUS_GROUP, "HV focus group | May"),
        "E3": (ActivityKind.POLICY_REVIEW, "Neglect strategy"),
        "E4": (ActivityKind.AGGREGATED_DATA, "Plans data")}
    assert activities["E2"] == activity_from_session(FOCUS, "E2", {"neglect": "Recognising neglect"})
    entries = [e for e in ws.journal() if e.entity == "activities"]
    assert [e.key for e in entries] == [f"{REF}/E2", f"{REF}/E3", f"{REF}/E4"]
    assert entries[0].before == sessions[0]  # the session as it was, attendees' names included
    assert entries[0].summary == ("turned the focus group session 'HV focus group | May' into evidence activity "
                                  "E2 (attendees by role and agency; their names stay in this entry)")
