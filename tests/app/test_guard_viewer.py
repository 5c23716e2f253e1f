"""Viewers never see identifiers in the app (issue 16 item 5): the board, the report
preview and the palette show them masked; a lead sees what was typed."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import OptionList

from screens.report.view import ReportView
from screens.board.section import BoardSection
from tests.app.helpers import app_for, open_as, open_audit, until
from tests.app.test_board import card
from tests.app.test_report_section import all_lines, open_report
from tests.storage.test_viewer import workspace


async def open_board(pilot) -> BoardSection:
    await open_audit(pilot)
    await pilot.press("5")
    await until(pilot, lambda: pilot.app.screen.query(BoardSection))
    section = pilot.app.screen.query_one(BoardSection)
    await until(pilot, lambda: any("F1" in listing.ids for listing in section.lists))
    return section


async def test_a_viewer_sees_identifiers_masked_on_the_board_in_the_report_and_the_palette(tmp_path: Path) -> None:
    path = workspace(tmp_path).path
    app = app_for(open_as(path, "panel.vic"))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_board(pilot)
        text = card(section, "F1")
        assert "‹name› was not seen" in text and "Kingswear" not in text
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Finding F1")
        options = app.screen.query_one(OptionList)
        await until(pilot, lambda: any("F1" in str(options.get_option_at_index(i).prompt)
                                       for i in range(options.option_count)))
        entries = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("‹name› was not seen" in e for e in entries) and not any("Kingswear" in e for e in entries)
        await pilot.press("escape")
        report = await open_report(pilot)
        lines = "\n".join(all_lines(report.query_one(ReportView)))
        assert "Kingswear" not in lines and "30/08/2016" not in lines


async def test_a_lead_sees_what_was_typed(tmp_path: Path) -> None:
    path = workspace(tmp_path).path
    app = app_for(open_as(path, "lead1"))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_board(pilot)
        assert "Kingswear was not seen" in card(section, "F1")
