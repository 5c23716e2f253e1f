"""Home's Title column takes the room the other columns leave (issue 18 item 7's
leftover): at 120 columns the demo's title was cut ("…multiple adversi…") with space to
spare, and after a resize the column kept the width of the wider terminal."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from screens.home.screen import HomeScreen
from tests.app.helpers import app_for, demo_workspace, until

TITLE = "Unborn babies, older siblings and multiple adversity"


def painted_row(table: DataTable) -> str:
    """The audit's row: under the column labels and its group's heading (2021, In progress)."""
    return table.render_line(2).text.rstrip()


async def test_the_title_uses_the_room_there_is(tmp_path: Path) -> None:
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.query_one(DataTable).row_count)
        table = app.screen.query_one(DataTable)
        assert TITLE in painted_row(table)
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: "…" in painted_row(table))
        row = painted_row(table)
        assert len(row) <= 80 and row.endswith("—"), row  # every other column still seen, Actions last
        shown = row.split("  ")[1].strip() if "  " in row else ""
        assert shown.endswith("…") and len(shown) >= 14, row  # all the room left, not 12
        await pilot.resize_terminal(120, 40)
        await until(pilot, lambda: TITLE in painted_row(table))


async def test_rows_are_drawn_again_only_for_a_new_width(tmp_path: Path, monkeypatch) -> None:
    """A start brings several resizes of one size; each redraw rebuilt the table and made it
    render every visible cell again (issue 14 item 7, start-up at ten years)."""
    drawn: list[int] = []
    real = HomeScreen.refresh_data
    monkeypatch.setattr(HomeScreen, "refresh_data", lambda self: drawn.append(self.size.width) or real(self))
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.query_one(DataTable).row_count)
        await pilot.pause()
        assert drawn == [120]
        await pilot.resize_terminal(120, 30)  # taller or shorter: the same rows
        await pilot.pause()
        assert drawn == [120]
        await pilot.resize_terminal(100, 30)
        await until(pilot, lambda: drawn == [120, 100])
