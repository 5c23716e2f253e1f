"""The briefing in a workspace: saved and journaled, guarded for identifiers like the
report, exported; the learning shared recorded and proposed as a stage."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from audit.access import Act
from audit.briefing import HEADINGS, Delivery, Dissemination
from audit.scope import Stage
from storage import briefing as ops
from storage.demo import DEMO_AUDIT, build_demo
from storage.errors import AccessDenied, WorkspaceError
from storage.export import IdentifierLeak
from storage.lock import os_login
from storage.programme import proposal_for
from storage.workspace import Workspace
from tests.workspace_files import journal_on_disk

TODAY = date(2021, 6, 1)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return build_demo(tmp_path / "ws.json", os_login(), in_progress=True)


def test_the_lead_saves_the_briefing_and_it_is_journaled(ws: Workspace) -> None:
    texts = ops.briefing_texts(ws, DEMO_AUDIT)
    assert texts["found"].startswith("- ")  # the demo's findings pre-fill it
    ops.save_briefing(ws, DEMO_AUDIT, {**texts, "why": "Because \x1b[31mit matters"})
    assert ops.briefing_texts(ws, DEMO_AUDIT)["why"] == "Because it matters"
    assert journal_on_disk(ws.path)[-1]["summary"] == f"wrote the {DEMO_AUDIT} briefing"
    ops.save_briefing(ws, DEMO_AUDIT, {**texts, "why": "Again"})
    assert journal_on_disk(ws.path)[-1]["summary"] == f"edited the {DEMO_AUDIT} briefing"
    with pytest.raises(WorkspaceError, match="Why it matters is longer than 1,500 characters."):
        ops.save_briefing(ws, DEMO_AUDIT, {**texts, "why": "x" * 1501})
    assert ops.briefing_texts(ws, DEMO_AUDIT)["why"] == "Again"


def test_a_coordinator_cannot_write_or_export_it(ws: Workspace) -> None:
    coord = Workspace.open(ws.path, "gp.coord")
    with pytest.raises(AccessDenied):
        ops.save_briefing(coord, DEMO_AUDIT, {"why": "x"})
    with pytest.raises(AccessDenied):
        ops.export_briefing_bytes(coord, DEMO_AUDIT, "md", TODAY)


def test_an_identifier_typed_in_the_briefing_stops_its_export(ws: Workspace, tmp_path: Path) -> None:
    texts = ops.briefing_texts(ws, DEMO_AUDIT)
    ops.save_briefing(ws, DEMO_AUDIT, {**texts, "found": "- The Drummersby family was not seen"})
    target = tmp_path / "b.md"
    with pytest.raises(IdentifierLeak) as caught:
        ops.export_briefing(ws, DEMO_AUDIT, target, "md", TODAY)
    assert "briefing was not exported" in str(caught.value) and "Drummersby" not in str(caught.value)
    assert [leak.place.label for leak in caught.value.leaks] == ["briefing, what we found"]
    assert not target.exists()
    assert journal_on_disk(ws.path)[-1]["action"] == "refused"


def test_it_exports_as_markdown_and_html(ws: Workspace, tmp_path: Path) -> None:
    md = ops.export_briefing(ws, DEMO_AUDIT, tmp_path / "b.md", "md", TODAY)
    html = ops.export_briefing(ws, DEMO_AUDIT, tmp_path / "b.html", "html", TODAY)
    text = md.path.read_text()
    assert all(f"## {n}. {title}" in text for n, (_, title) in enumerate(HEADINGS, start=1))
    assert "<h2>1. Background</h2>" in html.path.read_text()
    assert journal_on_disk(ws.path)[-1]["summary"].startswith(f"exported the {DEMO_AUDIT} briefing to")


def test_learning_shared_is_recorded_and_proposed(ws: Workspace) -> None:
    ws.save(dataclasses.replace(ws.audit(DEMO_AUDIT), stage=Stage.REPORT_APPROVED), act=Act.EDIT_SCOPE)
    assert proposal_for(ws, ws.audit(DEMO_AUDIT)) is None
    with pytest.raises(WorkspaceError, match="Name at least one agency reached."):
        ops.add_dissemination(ws, Dissemination(DEMO_AUDIT, "", held_on=TODAY))
    saved = ops.add_dissemination(ws, Dissemination(DEMO_AUDIT, "", Delivery.SEMINAR, TODAY, ["CSC", "HV"], 40,
                                                    "[b]forum[/] | # <i>"))
    assert saved.id == "L1" and ws.summary(DEMO_AUDIT)["disseminations"] == 1
    assert journal_on_disk(ws.path)[-1]["summary"] == "recorded seminar or learning event L1 on 2021-06-01 reaching CSC, HV"
    proposal = proposal_for(ws, ws.audit(DEMO_AUDIT))
    assert proposal is not None and proposal.stage is Stage.LEARNING_SHARED
    ops.delete_dissemination(ws, saved)
    assert ws.disseminations(DEMO_AUDIT) == [] and ws.summary(DEMO_AUDIT)["disseminations"] == 0
