"""The journal viewer: leads read and filter it; nobody else opens it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from audit.access import Act
from screens.home.screen import HomeScreen
from screens.journal.screen import JournalScreen
from screens.widgets.virtual_table import VirtualTable
from tests.app.helpers import app_for, demo_workspace, idle, notes, open_as, until


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
        await until(pilot, lambda: bool(notes(app)))
        assert isinstance(app.screen, HomeScreen)
        assert any("read the journal" in n for n in notes(app))
    assert open_as(ws.path, "rlead").journal()[-1].action == "refused"


async def test_long_keys_keep_their_distinct_end_and_the_summary_stays_on_screen(tmp_path: Path) -> None:
    """Issue 18 item 7: keys were cut to "MACA-C86/RB-20" with no "…", so two entries
    about different returns looked the same, and the summary sat off the screen."""
    from storage.demo_returns import add_demo_returns

    ws = demo_workspace(tmp_path)
    add_demo_returns(ws)
    ws = open_as(ws.path, "rlead")
    ws.save(dataclasses.replace(ws.get_return("MACA-C86", "RB-2020-001", "HV"), summary="Seen weekly."),
            act=Act.EDIT_RETURN, summary="edited HV's return")
    ws.save(dataclasses.replace(ws.get_return("MACA-C86", "RB-2020-001", "MID"), summary="Seen at booking."),
            act=Act.EDIT_RETURN, summary="edited MID's return")
    app = app_for(open_as(ws.path, "rlead"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("J")
        await until(pilot, lambda: isinstance(app.screen, JournalScreen) and app.screen.entries)
        await pilot.pause()
        table = app.screen.query_one(VirtualTable)
        lines = [table.render_line(y).text for y in range(3)]
        assert "Summary" in lines[0]
        assert "…6/RB-2020-001/MID  edited MI…" in lines[1]  # the summary keeps room beside it
        assert "…86/RB-2020-001/HV  edited HV…" in lines[2]
