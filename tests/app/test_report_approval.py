"""Report section: a lead records the approval (A) and the marking (M); the preview says
final, then draft again after a change; a co-ordinator is refused."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from screens.dialogs.form import FormScreen
from storage import approval as ops
from storage.workspace import Workspace
from tests.app.helpers import app_for, idle, open_as, until
from tests.app.test_report_section import all_lines, messages, open_report, ready, seeded
from tests.conftest import TODAY

HOSTILE = "[b]x[/b] | # <script>y</script> \x1b[31m"


def shown(section) -> str:
    """The preview's lines joined as one text (a long line wraps)."""
    return " ".join(all_lines(section.view))


async def test_a_lead_approves_the_report_and_sets_the_marking(tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_report(pilot)
        assert "OFFICIAL-SENSITIVE · Draft, version 1" in shown(section)
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert form.query_one("#field-body", Input).value == "Business Group"
        form.query_one("#field-body", Input).value = f"Business Group {HOSTILE}"
        await pilot.press("ctrl+s")
        final = ("OFFICIAL-SENSITIVE · Final, version 1: approved by Business Group [b]x[/b] | # <script>y</script> "
                 "on 20/04/2021")
        await until(pilot, lambda: idle(app) and ready(pilot) and final in shown(section))
        assert any(m.startswith("Recorded: version 1 approved by Business Group") for m in messages(app))
        await pilot.press("A")
        await until(pilot, lambda: any("already approved" in m for m in messages(app)))
        await pilot.press("M")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-marking", Input).value = "OFFICIAL"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: idle(app) and ready(pilot)
                    and final.replace("OFFICIAL-SENSITIVE", "OFFICIAL") in shown(section))
    approvals = ops.approvals(Workspace.open(ws.path, ws.login), "MACA-C86")
    assert [(a.version, a.approved_on) for a in approvals] == [(1, TODAY)]


async def test_a_coordinator_cannot_approve(tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    app = app_for(open_as(ws.path, "csc.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_report(pilot)
        await pilot.press("A")
        await until(pilot, lambda: any("Only a lead auditor can record the report's approval" in m
                                       for m in messages(app)))
        await pilot.press("M")
        await until(pilot, lambda: any("Only a lead auditor can change the partnership's settings" in m
                                       for m in messages(app)))
