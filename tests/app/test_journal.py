"""The journal viewer: leads read and filter it; nobody else opens it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from audit.access import Act
from screens.home.screen import HomeScreen
from screens.journal.screen import JournalScreen
from screens.widgets.virtual_table import VirtualTable
from tests.app.helpers import app_for, demo_workspace, idle, open_as, until


def shown(app) -> list:
    return list(app.screen.query_one(VirtualTable).visible_rows)


async def test_lead_reads_and_filters_the_journal(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    other = open_as(ws.path, "qa.tamsin")
    other.save(dataclasses.replace(other.audit("MACA-C86"), title="New [b]title[/b]"), act=Act.EDIT_SCOPE,
               summary="changed the title")
    app = app_for(open_as(ws.path, "rlead"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("J")
        await until(pilot, lambda: isinstance(app.screen, JournalScreen) and app.screen.entries)
        everything = shown(app)
        assert len(everything) == len(open_as(ws.path, "rlead").journal())
        # Newest first: the title change by qa.tamsin is at the top, with before and after.
        assert everything[0].summary == "changed the title"
        detail = str(app.screen.query_one("#journal-detail-text").render())
        assert "qa.tamsin" in detail
        assert "before: Unborn babies, older siblings and multiple adversity" in detail
        assert "after:  New [b]title[/b]" in detail
        app.screen.flt.who = "qa.tamsin"
        app.screen.apply_filter()
        assert [e.who for e in shown(app)] == ["qa.tamsin"]
        await pilot.press("c")
        await pilot.press("slash")
        await pilot.press(*"the title")
        await until(pilot, lambda: app.screen.flt.text == "the title")
        assert [e.summary for e in shown(app)] == ["changed the title"]
        app.screen.flt.text = ""
        app.screen.flt.action = "import"
        app.screen.apply_filter()
        assert [e.summary for e in shown(app)] == ["imported 52 candidate cases from the demo extract"]


async def test_viewer_is_refused_the_journal(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(open_as(ws.path, "panel2"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("J")
        await until(pilot, lambda: bool(app._notifications))
        assert isinstance(app.screen, HomeScreen)
        assert any("read the journal" in n.message for n in app._notifications)
    assert open_as(ws.path, "rlead").journal()[-1].action == "refused"
