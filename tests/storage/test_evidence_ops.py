"""Evidence activities and themes through the workspace (issue 20 item 1): checked,
refused with one sentence, journaled, and a theme made a finding once."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from audit.access import Act
from audit.activities import Activity, ActivityKind, Evidence, Participant, Theme
from audit.partnership import Role, User
from storage.audits import create_audit, scope_from_file
from storage.check import check_workspace
from storage.demo import build_demo, sample_path
from storage.errors import AccessDenied
from storage.evidence import EvidenceError, delete_activity, delete_theme, save_activity, save_theme, theme_to_finding
from storage.lock import os_login
from storage.workspace import Workspace
from tests.workspace_files import copy_workspace

REF = "MATA-N21"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "w.json"
    ws = build_demo(path, os_login())
    create_audit(ws, scope_from_file(ws, sample_path("MATA-N21.toml")), source="MATA-N21.toml")
    return path


@pytest.fixture
def ws(template: Path, tmp_path: Path) -> Workspace:
    target = tmp_path / "w.json"
    copy_workspace(template, target)
    return Workspace.open(target, os_login())


def test_an_activity_is_numbered_cleaned_and_journaled(ws: Workspace) -> None:
    saved = save_activity(ws, Activity(REF, "E0", ActivityKind.FOCUS_GROUP, " Police \x1b[2Jofficers ",
                                       participants=[Participant("officer \x07", "POL", 4)],
                                       objectives=["voice"], key_points=["  One.  ", "   "]))
    assert (saved.id, saved.title, saved.participants[0].role, saved.key_points) == (
        "E7", "Police officers", "officer", ["One."])
    assert ws.journal()[-1].summary == "recorded focus group E7"
    assert check_workspace(ws.path) == []


@pytest.mark.parametrize("change, message", [
    (dict(title=""), "Activity E1 needs a title; nothing was saved."),
    (dict(objectives=["nope"]), "Activity E1 names objective 'nope', which the audit does not have; nothing was saved."),
    (dict(participants=[Participant("x", "NOPE")]), "names agency 'NOPE', which the partnership does not have"),
    (dict(participants=[Participant("x", "CSC", 0)]), "a number of participants is a whole number from 1 to 10,000"),
    (dict(kind=ActivityKind.POLICY_REVIEW, document=""), "name the document reviewed"),
    (dict(key_points=["x" * 20_001]), "A key point: "),
])
def test_a_bad_activity_is_refused_and_nothing_changes(ws: Workspace, change: dict, message: str) -> None:
    before = ws.get("activities", f"{REF}/E1")
    with pytest.raises(EvidenceError, match=None) as exc:
        save_activity(ws, dataclasses.replace(before, **change))
    assert message in str(exc.value) and str(exc.value).endswith("nothing was saved.")
    assert Workspace.open(ws.path, ws.login).get("activities", f"{REF}/E1") == before


def test_themes_rest_on_real_evidence_and_become_findings_once(ws: Workspace) -> None:
    with pytest.raises(EvidenceError, match="rests on key point 7 of E1"):
        save_theme(ws, Theme(REF, "T0", "Fathers", evidence=[Evidence("E1", 7)]))
    theme = save_theme(ws, Theme(REF, "T0", "Fathers are not seen", evidence=[Evidence("E6", 1)]))
    assert theme.id == "T5"
    with pytest.raises(EvidenceError, match="has not been agreed"):
        theme_to_finding(ws, theme)
    from datetime import date
    agreed = save_theme(ws, dataclasses.replace(theme, agreed_on=date(2021, 10, 12)))
    linked = theme_to_finding(ws, agreed)
    finding = ws.get("findings", f"{REF}/{linked.finding_id}")
    assert (finding.title, finding.source, finding.objective, finding.agencies) == (
        "Fathers are not seen", "theme T5", "voice", [])
    with pytest.raises(EvidenceError, match="is already finding"):
        theme_to_finding(ws, linked)
    with pytest.raises(EvidenceError, match="Theme T2 rests on E6"):
        delete_activity(ws, ws.get("activities", f"{REF}/E6"))
    delete_theme(ws, linked)
    assert ws.get("findings", f"{REF}/{linked.finding_id}") is not None  # the finding stays


def test_only_leads_record_evidence(ws: Workspace) -> None:
    ws.insert(User("cora", Role.COORDINATOR, agencies=["CSC"]), act=Act.MANAGE_USERS)
    cora = Workspace.open(ws.path, "cora")
    with pytest.raises(AccessDenied, match="Only a lead auditor can record a discussion"):
        save_activity(cora, Activity(REF, "E0", title="Mine"))
