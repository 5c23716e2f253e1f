"""Report approval: draft until approved, the approved version frozen and exported identically
later, a later change making the next draft, and every export marked."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from audit.approval import ReportStatus, framed
from storage import approval as ops
from storage import tracker
from storage.demo import DEMO_AUDIT, build_demo
from storage.errors import AccessDenied
from storage.export import built_report, export_report, report_for
from storage.findings import edit_finding
from storage.lock import os_login
from storage.workspace import Workspace

REF = DEMO_AUDIT
APPROVED = date(2021, 5, 12)
HOSTILE = "[b]x[/b] | # <script>y</script> \x1b[31m"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return build_demo(tmp_path / "w.json", os_login(), in_progress=True).path


def lead(path: Path) -> Workspace:
    return Workspace.open(path, os_login())


def test_framed_keeps_the_title_first_and_marks_top_and_bottom() -> None:
    text = framed("# Title\n\nBody\n", "OFFICIAL-SENSITIVE", ReportStatus(1, False, None))
    assert text == ("# Title\n\n**OFFICIAL-SENSITIVE** · Draft, version 1\n\nBody\n\n"
                    "**OFFICIAL-SENSITIVE** · Draft, version 1\n")
    assert framed("# T\n\nB", "", ReportStatus(3, False, None)).splitlines()[2] == "Draft, version 3"


def test_a_report_is_a_draft_until_approved_then_final_and_identical_later(path: Path, tmp_path: Path) -> None:
    ws = lead(path)
    first = report_for(ws, REF, date(2021, 5, 1)).markdown
    assert first.splitlines()[2] == "**OFFICIAL-SENSITIVE** · Draft, version 1"
    approval = ops.approve(ws, REF, "Business Group", APPROVED, date(2021, 5, 13), built_report)
    assert approval.version == 1 and approval.recorded_by == os_login()
    assert approval.markdown == built_report(ws, REF, APPROVED).markdown
    line = "**OFFICIAL-SENSITIVE** · Final, version 1: approved by Business Group on 12/05/2021"
    later = report_for(lead(path), REF, date(2021, 9, 30)).markdown
    assert later.splitlines()[2] == line and later.rstrip().splitlines()[-1] == line
    a = export_report(lead(path), REF, tmp_path / "a.md", "md", date(2021, 6, 1)).path.read_bytes()
    b = export_report(lead(path), REF, tmp_path / "b.md", "md", date(2022, 1, 1)).path.read_bytes()
    assert a == b
    h1 = export_report(lead(path), REF, tmp_path / "a.html", "html", date(2021, 6, 1)).path.read_bytes()
    h2 = export_report(lead(path), REF, tmp_path / "b.html", "html", date(2023, 1, 1)).path.read_bytes()
    assert h1 == h2 and b"Final, version 1" in h1
    entries = [e.summary for e in lead(path).journal()]
    assert "recorded approval of the MACA-C86 report, version 1, by Business Group on 12/05/2021" in entries


def test_agencies_progress_on_the_tracker_keeps_it_final_but_an_edit_makes_version_2(path: Path) -> None:
    ops.approve(lead(path), REF, "Business Group", APPROVED, APPROVED, built_report)
    csc = Workspace.open(path, "csc.coord")
    tracker.record_progress(csc, csc.get("actions", f"{REF}/A1"), on=None, note="Template changed",
                            status=tracker.ActionStatus.IN_PROGRESS)
    assert ops.report_status(lead(path), REF, built_report)[0].final
    ws = lead(path)
    finding = ws.findings(REF)[0]
    edit_finding(ws, dataclasses.replace(finding, title=finding.title + " (revised)"))
    now, _ = ops.report_status(lead(path), REF, built_report)
    assert (now.final, now.version) == (False, 2)
    text = report_for(lead(path), REF, date(2021, 6, 1)).markdown
    assert text.splitlines()[2] == "**OFFICIAL-SENSITIVE** · Draft, version 2 (changed since version 1 was approved)"
    second = ops.approve(lead(path), REF, "Executive", date(2021, 6, 1), date(2021, 6, 1), built_report)
    assert second.version == 2
    with pytest.raises(ops.ApprovalError, match="already approved"):
        ops.approve(lead(path), REF, "Executive", date(2021, 6, 1), date(2021, 6, 1), built_report)


def test_only_a_lead_approves_and_the_input_is_checked(path: Path) -> None:
    with pytest.raises(AccessDenied, match="Only a lead auditor can record the report's approval"):
        ops.approve(Workspace.open(path, "csc.coord"), REF, "Business Group", APPROVED, APPROVED, built_report)
    with pytest.raises(ops.ApprovalError, match="cannot be dated after today"):
        ops.approve(lead(path), REF, "Business Group", date(2021, 6, 2), date(2021, 6, 1), built_report)
    with pytest.raises(ops.ApprovalError, match="Say who approved"):
        ops.approve(lead(path), REF, "  ", APPROVED, APPROVED, built_report)
    assert ops.approvals(lead(path), REF) == []


def test_hostile_text_in_the_approver_and_marking_stays_text(path: Path, tmp_path: Path) -> None:
    ws = lead(path)
    assert ops.set_marking(ws, f"OFFICIAL {HOSTILE}") == "OFFICIAL [b]x[/b] | # <script>y</script>"
    ops.approve(lead(path), REF, f"Group {HOSTILE}", APPROVED, APPROVED, built_report)
    text = report_for(lead(path), REF, APPROVED).markdown
    line = text.splitlines()[2]
    assert line == (r"**OFFICIAL \[b\]x\[/b\] \| \# \<script\>y\</script\>** · Final, version 1: approved by "
                    r"Group \[b\]x\[/b\] \| \# \<script\>y\</script\> on 12/05/2021")
    page = export_report(lead(path), REF, tmp_path / "r.html", "html", APPROVED).path.read_text()
    assert "<script>" not in page and "\x1b" not in page
    with pytest.raises(AccessDenied):
        ops.set_marking(Workspace.open(path, "csc.coord"), "NONE")


def test_an_identifier_in_the_approver_refuses_the_export(path: Path, tmp_path: Path) -> None:
    from storage.export import IdentifierLeak

    ws = lead(path)
    name = next(c.family_name for c in ws.cases(REF) if c.family_name)
    ops.approve(ws, REF, f"the {name} panel", APPROVED, APPROVED, built_report)
    with pytest.raises(IdentifierLeak) as caught:
        export_report(lead(path), REF, tmp_path / "r.md", "md", APPROVED)
    assert any(leak.place.label == "report approval, version 1, approved by" for leak in caught.value.leaks)


def test_no_marking_gives_the_status_alone(path: Path) -> None:
    ops.set_marking(lead(path), "")
    assert report_for(lead(path), REF, APPROVED).markdown.splitlines()[2] == "Draft, version 1"
