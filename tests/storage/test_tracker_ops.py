"""The action tracker against a workspace: progress by the owning agency, sign-off by a lead
or panel member, the journal, and the export for the sub-committee."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from audit.findings import ActionStatus, UpdateKind
from audit.partnership import Role, User
from audit.tracker import TrackerFilter
from storage import tracker as ops
from storage.demo import DEMO_AUDIT, build_demo
from storage.errors import AccessDenied
from storage.export import IdentifierLeak
from storage.lock import os_login
from storage.workspace import Workspace

TODAY = date(2021, 4, 20)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    ws = build_demo(tmp_path / "ws.json", os_login(), in_progress=True)
    with ws.transaction() as tx:
        tx.insert(User("chair", Role.PANEL), summary="added chair")
    return ws.path


def _as(path: Path, login: str) -> Workspace:
    return Workspace.open(path, login)


def _action(ws: Workspace, ident: str):  # noqa: ANN202
    return ws.get("actions", f"{DEMO_AUDIT}/{ident}")


def _journal(ws: Workspace) -> list[str]:
    return [f"{e.who} {e.action} {e.summary}" for e in ws.journal()]


def test_rows_read_every_audit_through_one_workspace_method(path: Path) -> None:
    ws = _as(path, "chair")
    rows = ops.rows(ws, TODAY)
    assert [r.action.id for r in rows] == ["A1", "A2"]
    assert rows[0].audit_title == ws.audit(DEMO_AUDIT).title
    assert ops.rows(ws, TODAY, TrackerFilter(agency="MID"))[0].action.id == "A2"


def test_the_owning_agency_records_progress_and_asks_to_close(path: Path) -> None:
    ws = _as(path, "csc.coord")
    a1 = _action(ws, "A1")
    saved = ops.record_progress(ws, a1, on=date(2021, 4, 18), note="Template <b>changed</b> | #1",
                                evidence="Template v2", impact="", status=ActionStatus.IN_PROGRESS)
    assert saved.status is ActionStatus.IN_PROGRESS and not saved.close_requested
    asked = ops.record_progress(ws, saved, on=None, note="", evidence="Briefing slides", request_close=True)
    stored = _action(_as(path, "rlead"), "A1")
    assert stored.close_requested and [u.kind for u in stored.updates] == [UpdateKind.PROGRESS,
                                                                          UpdateKind.CLOSE_REQUESTED]
    assert stored.updates[0].note == "Template <b>changed</b> | #1" and stored.updates[0].by == "csc.coord"
    assert stored.updates[0].on == date(2021, 4, 18) and asked.rev == stored.rev
    entries = _journal(ws)
    assert "csc.coord update recorded progress on action A1 of MACA-C86 for CSC" in entries
    assert "csc.coord update asked to close action A1 of MACA-C86 for CSC" in entries


def test_another_agency_cannot_update_and_the_refusal_is_journaled(path: Path) -> None:
    ws = _as(path, "mid.coord")
    before = _action(ws, "A1")
    with pytest.raises(AccessDenied, match="mid.coord co-ordinates MID and cannot update CSC's actions"):
        ops.record_progress(ws, before, on=None, note="not mine")
    assert _action(_as(path, "rlead"), "A1") == before
    assert _journal(ws)[-1].startswith("mid.coord refused mid.coord co-ordinates MID")
    for login in ("chair",):
        with pytest.raises(AccessDenied, match="panel member"):
            ops.record_progress(_as(path, login), before, on=None, note="x")


def test_an_owner_cannot_complete_it_nor_save_an_empty_update(path: Path) -> None:
    ws = _as(path, "csc.coord")
    a1 = _action(ws, "A1")
    with pytest.raises(ops.TrackerError, match="signs it off as complete"):
        ops.record_progress(ws, a1, on=None, note="done", status=ActionStatus.COMPLETE)
    with pytest.raises(ops.TrackerError, match="Write a progress note"):
        ops.record_progress(ws, a1, on=None, note="  ", evidence="", impact="")
    with pytest.raises(AccessDenied, match="can ask for it to be closed"):
        ops.sign_off(ws, a1, "")
    assert _action(ws, "A1") == a1


def test_two_agencies_notes_both_land_without_a_conflict(path: Path) -> None:
    first, second = _as(path, "csc.coord"), _as(path, "rlead")
    stale = _action(second, "A1")
    ops.record_progress(first, _action(first, "A1"), on=None, note="from CSC")
    ops.record_progress(second, stale, on=None, note="from the lead")
    assert [u.note for u in _action(_as(path, "chair"), "A1").updates] == ["from CSC", "from the lead"]


def test_panel_signs_off_and_nothing_more_is_recorded(path: Path) -> None:
    ops.record_progress(_as(path, "mid.coord"), _action(_as(path, "mid.coord"), "A2"), on=None, note="",
                        evidence="Audit of 20 bookings", request_close=True)
    panel = _as(path, "chair")
    done = ops.sign_off(panel, _action(panel, "A2"), "Evidence seen at the sub-committee")
    assert done.status is ActionStatus.COMPLETE and not done.close_requested
    assert done.signed_off_by == "chair" and done.signed_off_at is not None
    assert done.updates[-1].kind is UpdateKind.SIGNED_OFF
    with pytest.raises(ops.TrackerError, match="already complete"):
        ops.record_progress(_as(path, "mid.coord"), done, on=None, note="more")
    with pytest.raises(ops.TrackerError, match="already complete"):
        ops.sign_off(panel, done, "")
    assert "chair update signed off action A2 of MACA-C86 as complete" in _journal(panel)


def test_a_lead_sends_a_close_request_back_with_a_reason(path: Path) -> None:
    lead = _as(path, "rlead")
    with pytest.raises(ops.TrackerError, match="no close request"):
        ops.send_back(lead, _action(lead, "A1"), "why")
    ops.record_progress(_as(path, "csc.coord"), _action(lead, "A1"), on=None, note="done", request_close=True)
    lead.refresh()
    with pytest.raises(ops.TrackerError, match="Say what is still needed"):
        ops.send_back(lead, _action(lead, "A1"), " ")
    back = ops.send_back(lead, _action(lead, "A1"), "Show the briefing attendance")
    assert not back.close_requested and back.status is not ActionStatus.COMPLETE
    assert back.updates[-1].kind is UpdateKind.SENT_BACK and back.updates[-1].note == "Show the briefing attendance"


def test_export_markdown_and_html_for_the_sub_committee(path: Path, tmp_path: Path) -> None:
    panel = _as(path, "chair")
    written, size = ops.export_tracker(panel, tmp_path / "t.md", "md", TODAY)
    text = written.read_text()
    assert size == len(text.encode()) and "# Riverbay Safeguarding Children Partnership: action tracker" in text
    assert "| MACA-C86 | A1 | CSC | 16/04/2021 | ✗ overdue | agreed |" in text
    html_path, _ = ops.export_tracker(panel, tmp_path / "t.html", "html", TODAY, TrackerFilter(agency="MID"))
    page = html_path.read_text()
    assert page.startswith("<!DOCTYPE html>") and "A2" in page and "| MACA-C86 | A1" not in page
    assert (written.stat().st_mode & 0o777) == 0o600
    assert any("exported the action tracker" in e for e in _journal(panel))
    with pytest.raises(AccessDenied, match="Only a lead auditor or a panel member can export"):
        ops.export_tracker(_as(path, "csc.coord"), tmp_path / "x.md", "md", TODAY)
    with pytest.raises(Exception, match="one of the workspace.s own files"):
        ops.export_tracker(panel, path, "md", TODAY)


def test_export_refuses_an_identifier_typed_into_progress(path: Path, tmp_path: Path) -> None:
    lead = _as(path, "rlead")
    case = next(c for c in lead.cases(DEMO_AUDIT) if c.family_name)
    ops.record_progress(lead, _action(lead, "A1"), on=None, note=f"Seen the {case.family_name} family again")
    with pytest.raises(IdentifierLeak) as caught:
        ops.export_tracker(lead, tmp_path / "t.md", "md", TODAY)
    assert case.family_name not in str(caught.value)
    assert [leak.describe() for leak in caught.value.leaks] == [
        f"action A1 of MACA-C86, update 1, note: the family name of case {case.case_ref}"]
    assert not (tmp_path / "t.md").exists()


def test_an_action_stored_before_the_tracker_still_loads() -> None:
    from audit.codec import from_doc
    from audit.findings import Action

    old = {"audit": "A", "id": "A1", "finding_id": "F1", "description": "d", "owner": "CSC", "due": "2021-01-01",
           "status": "agreed", "progress_note": "", "rev": 3}
    a1 = from_doc(Action, old)
    assert a1.updates == [] and not a1.close_requested and a1.signed_off_at is None and a1.last_update is None
