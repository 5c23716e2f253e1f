"""The 7-minute briefing screen (issue 19 item 4): B in the Report section opens it; the
lead edits the seven headings and records the learning shared; hostile text stays text."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, TextArea

from screens.briefing.screen import BriefingScreen
from screens.dialogs.form import FormScreen
from storage.demo import DEMO_AUDIT, build_demo
from storage.lock import os_login
from tests.app.helpers import app_for, idle, notes, open_as, until
from tests.app.test_report_section import open_report

HOSTILE = "[bold]x[/] | # <html>\x1b[31mred"
SHOWN = "[bold]x[/] | # <html>red"


def _page(app) -> str:
    return app.screen.markdown


async def _open(pilot) -> None:
    await open_report(pilot)
    await pilot.press("B")
    await until(pilot, lambda: isinstance(pilot.app.screen, BriefingScreen))


async def test_the_lead_edits_the_briefing_and_records_a_delivery(tmp_path: Path) -> None:
    ws = build_demo(tmp_path / "demo.json", os_login(), in_progress=True)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(pilot)
        assert "pre-filled from the findings" in str(app.screen.query_one("#briefing-heading").render())
        assert "## 7. Where to find more" in _page(app)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FormScreen) and bool(app.screen.query("#field-why")))
        app.screen.query_one("#field-why", TextArea).text = f"{HOSTILE}\n- {HOSTILE}"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, BriefingScreen) and idle(app))
        page = _page(app)
        assert "\x1b" not in page and "red" in page and "\\[bold\\]" in page  # escaped, not markup
        assert "the lead's words" in str(app.screen.query_one("#briefing-heading").render())
        assert ws.get("briefings", DEMO_AUDIT).sections["why"].startswith(SHOWN)
        # A delivery: a seminar reaching two agencies.
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, FormScreen) and bool(app.screen.query("#field-note")))
        form = app.screen
        form.query_one("#field-note").value = HOSTILE
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "shown" in form.query_one("#form-errors").classes)
        assert "Agencies reached" in str(form.query_one("#form-errors").render())
        from screens.widgets.tick_list import TickList

        ticks = form.query_one("#field-agencies", TickList)
        ticks.focus()
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, BriefingScreen) and idle(app)
                    and app.screen.query_one(DataTable).row_count == 1)
        row = [str(c) for c in app.screen.query_one(DataTable).get_row_at(0)]
        assert row[1] == "7-minute briefing" and row[4] == SHOWN
        assert len(ws.disseminations(DEMO_AUDIT)) == 1


async def test_a_coordinator_reads_it_but_cannot_edit(tmp_path: Path) -> None:
    lead = build_demo(tmp_path / "demo.json", os_login(), in_progress=True)
    app = app_for(open_as(lead.path, "gp.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(pilot)
        await pilot.press("e")
        await until(pilot, lambda: bool(notes(app, "error")) and idle(app))
        assert isinstance(app.screen, BriefingScreen)
        assert any("Only a lead auditor can write the report" in n for n in notes(app, "error"))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, BriefingScreen))


def test_snapshot_briefing(snap_compare, tmp_path: Path) -> None:
    ws = build_demo(tmp_path / "demo.json", os_login(), in_progress=True)

    async def run_before(pilot) -> None:
        await _open(pilot)
        await until(pilot, lambda: "Background" in _page(pilot.app))

    assert snap_compare(app_for(ws), terminal_size=(80, 24), run_before=run_before)
