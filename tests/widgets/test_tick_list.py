"""Tick boxes read without colour (issue 18 item 10): ticked ``▐✓▌``, unticked ``▐ ▌``."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from screens.dialogs.form import FormField, FormScreen
from textual.widgets import SelectionList

OPTIONS = [("Children's services (CSC)", "CSC"), ("Police (POL)", "POL"), ("Health visiting (HV)", "HV")]


class FormApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(FormScreen("Cite agencies", [FormField("agencies", "Agencies", "multi", ["POL"], OPTIONS)]))


def lines(ticks: SelectionList) -> list[str]:
    return [ticks.render_line(y).text for y in range(len(OPTIONS))]


@pytest.mark.parametrize("no_color", [False, True])
async def test_ticked_and_unticked_boxes_differ_in_text_not_only_colour(monkeypatch, no_color: bool) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = FormApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        ticks = app.screen.query_one(SelectionList)
        shown = lines(ticks)
        assert shown[0].startswith("▐ ▌ Children's services")
        assert shown[1].startswith("▐✓▌ Police")
        ticks.focus()
        await pilot.press("space")  # ticks the highlighted first option
        await pilot.pause()
        assert lines(ticks)[0].startswith("▐✓▌ Children's services")
        assert sorted(ticks.selected) == ["CSC", "POL"]


def test_snapshot_no_color(snap_compare, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(FormApp(), terminal_size=(100, 24))
