"""Viewers never see identifiers (issue 16 item 5): the workspace the app hands to screens
masks them in every record it reads out for a viewer, free text included."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from audit.access import Act
from audit.cases import CandidateCase
from audit.findings import Column, Discussion, Finding
from audit.returns import Return
from storage.demo import DEMO_AUDIT, build_demo
from storage.viewer import ViewerSafeWorkspace, viewer_safe
from storage.workspace import Workspace
from tests.workspace_files import data_bytes

TYPED = "Ms Kingswear (DOB 30/08/2016, see file) was seen; NHS 485 777 3456 checked."
MASKED = "Ms ‹name› (DOB ‹date of birth›, see file) was seen; NHS ‹system id› checked."


def workspace(tmp_path: Path) -> Workspace:
    ws = build_demo(tmp_path / "w.json", "lead1")
    ws.insert(CandidateCase(audit=DEMO_AUDIT, case_ref="RB-2020-950", family_name="Kingswear",
                            child_dob=date(2016, 8, 30), system_ids="4857773456", notes=TYPED),
              act=Act.IMPORT_CASES)
    ws.save(dataclasses.replace(ws.audit(DEMO_AUDIT), background=TYPED), act=Act.EDIT_SCOPE)
    ws.insert(Finding(DEMO_AUDIT, "F1", Column.DEVELOPMENT, "Kingswear was not seen", TYPED), act=Act.EDIT_BOARD)
    ws.insert(Return(DEMO_AUDIT, "RB-2020-950", "CSC", summary=TYPED), act=Act.EDIT_RETURN)
    ws.insert(Discussion(DEMO_AUDIT, "RB-2020-950", worked_well=[TYPED]), act=Act.EDIT_DISCUSSION)
    return ws


def test_a_viewer_reads_every_record_masked(tmp_path: Path) -> None:
    path = workspace(tmp_path).path
    before = data_bytes(path)
    viewer = viewer_safe(Workspace.open(path, "panel.vic"))
    assert isinstance(viewer, ViewerSafeWorkspace)
    assert viewer.audit(DEMO_AUDIT).background == MASKED
    assert [a.background for a in viewer.audits() if a.ref == DEMO_AUDIT] == [MASKED]
    finding = viewer.get("findings", f"{DEMO_AUDIT}/F1")
    assert (finding.title, finding.text) == ("‹name› was not seen", MASKED)
    assert [f.text for f in viewer.findings(DEMO_AUDIT)] == [MASKED]
    assert viewer.get_return(DEMO_AUDIT, "RB-2020-950", "CSC").summary == MASKED
    assert [r.summary for r in viewer.returns(DEMO_AUDIT) if r.case_ref == "RB-2020-950"] == [MASKED]
    assert viewer.discussions(DEMO_AUDIT)[-1].worked_well == [MASKED]
    case = viewer.case(DEMO_AUDIT, "RB-2020-950")
    assert (case.family_name, case.child_dob, case.system_ids, case.notes) == ("", None, "", MASKED)
    assert all(not c.family_name for c in viewer.cases(DEMO_AUDIT))
    # The journal too, its before and after included (a lead's screen, but never a leak).
    shown = repr([(e.summary, e.before, e.after) for e in viewer.journal()])
    assert "Kingswear" not in shown and "4857773456" not in shown and "‹hidden›" in shown
    # The same object is handed back while the record is unchanged; nothing is written.
    assert viewer.get("findings", f"{DEMO_AUDIT}/F1") is finding
    assert data_bytes(path) == before


def test_leads_and_coordinators_read_what_was_typed(tmp_path: Path) -> None:
    path = workspace(tmp_path).path
    for login in ("lead1", "csc.coord"):
        ws = viewer_safe(Workspace.open(path, login))
        assert ws.audit(DEMO_AUDIT).background == TYPED
        assert ws.get_return(DEMO_AUDIT, "RB-2020-950", "CSC").summary == TYPED
        assert ws.case(DEMO_AUDIT, "RB-2020-950").family_name == "Kingswear"


def test_a_viewer_demoted_mid_session_and_a_new_case_are_masked_at_once(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    coordinator = viewer_safe(Workspace.open(ws.path, "csc.coord"))
    assert coordinator.audit(DEMO_AUDIT).background == TYPED
    ws.save(dataclasses.replace(ws.get("users", "csc.coord"), role=type(ws.user.role)("viewer"), agencies=[]),
            act=Act.MANAGE_USERS)
    ws.insert(CandidateCase(audit=DEMO_AUDIT, case_ref="RB-2020-951", family_name="Ottery"), act=Act.IMPORT_CASES)
    ws.save(dataclasses.replace(ws.audit(DEMO_AUDIT), background="The Ottery family moved."), act=Act.EDIT_SCOPE)
    coordinator.refresh()
    assert coordinator.audit(DEMO_AUDIT).background == "The ‹name› family moved."
