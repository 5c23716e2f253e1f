"""The audit tool's one way of editing (issue 18 item 6): every field opens its editor
right under the item's text, keeps what is there, and ends the same way (enter in a
one-line field or a date, esc in any); a typed date is checked, never dropped."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Label, Static, TextArea

from screens.dialogs.form import FormScreen
from storage.workspace import Workspace
from tests.app.helpers import app_for, demo_workspace
from tests.app.test_tool import go_to, open_tool, stored, until, wait_saved


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return demo_workspace(tmp_path).path


@pytest.mark.slow  # seconds of CPU (a long flow); make test runs it
async def test_a_date_is_typed_in_place_and_a_wrong_one_is_kept_with_the_reason(path: Path) -> None:
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        await go_to(pilot, tool, "header.completed_on")
        await pilot.press("e")
        assert not isinstance(app.screen, FormScreen)  # no dialog: the same editor as the others
        line = tool.query_one("#tool-line", Input)
        assert line.has_focus and line.value == ""
        await pilot.press(*"31/02/2021", "escape")
        assert tool.editing is not None and line.value == "31/02/2021"  # kept, not dropped
        problem = str(tool.query_one("#tool-editor-problem", Static).render())
        assert '"31/02/2021" is not a real date' in problem
        for _ in range(10):
            await pilot.press("backspace")
        await pilot.press(*"28/02/2021", "enter")
        assert tool.editing is None
        await wait_saved(pilot, tool)
        assert stored(path)["completed_on"] == "2021-02-28"
        assert "Date completed: 28/02/2021" in str(tool.current_row().label)
        await pilot.press("e", *"x", "escape")  # a date typed into cannot be half-saved
        assert tool.editing is not None
        await pilot.press("backspace", "escape")
        assert tool.editing is None and stored(path)["completed_on"] == "2021-02-28"


@pytest.mark.slow  # seconds of CPU (a long flow); make test runs it
async def test_e_keeps_the_existing_text_and_adds_to_it(path: Path) -> None:
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        await go_to(pilot, tool, "header.auditor_name")
        await pilot.press("e", *"Mira", "enter")
        await pilot.press("e", *" Midwell", "escape")  # esc ends a one-line field as enter does
        await wait_saved(pilot, tool)
        assert stored(path)["auditor_name"] == "Mira Midwell"
        await go_to(pilot, tool, "overall.good_practice")
        await pilot.press("e", *"Seen weekly", "enter", *"by the same midwife", "escape")
        await wait_saved(pilot, tool)
        assert stored(path)["good_practice"] == "Seen weekly\nby the same midwife"


@pytest.mark.parametrize("size", [(80, 24), pytest.param((120, 40), marks=pytest.mark.slow)])  # one size in the edit loop
async def test_the_editor_sits_under_the_item_with_a_whole_hint(path: Path, size: tuple[int, int]) -> None:
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=size) as pilot:
        tool = await open_tool(app, pilot)
        for row, words in [("header.auditor_name", "enter or esc: done"),
                           ("question:mid-curiosity-1", "enter: new line · esc: done"),
                           ("header.completed_on", "DD/MM/YYYY · enter or esc: done")]:
            await go_to(pilot, tool, row)
            await pilot.press("e")
            await pilot.pause()
            detail = tool.query_one("#tool-detail-scroll")
            label = tool.query_one("#tool-editor-label", Label)
            # Right under the item's text, not at the foot of the pane.
            assert label.region.y == detail.region.bottom, row
            shown = " ".join(label.render_line(y).text.strip() for y in range(label.region.height))
            assert words in shown, (row, shown)
            editor = tool.query_one("#tool-text", TextArea) if "new line" in words else tool.query_one("#tool-line")
            assert editor.region.bottom <= tool.query_one("#tool-side").region.bottom, row
            await pilot.press("escape")
            assert tool.editing is None


@pytest.mark.parametrize("width", [120, 200])
async def test_questions_wrap_where_the_list_has_room_and_are_cut_with_an_ellipsis_where_not(
        path: Path, width: int) -> None:
    """Issue 18 item 7: questions were cut at 200 columns too."""
    from textual.widgets import OptionList

    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(width, 40)) as pilot:
        tool = await open_tool(app, pilot)
        await pilot.pause()
        options = tool.query_one("#tool-list", OptionList)
        painted = " ".join(options.render_line(y).text.strip() for y in range(options.size.height))
        question = "Where booking was late or appointments were missed, was the reason explored with the woman?"
        if width >= 200:
            assert question in " ".join(painted.split())
        else:
            assert question not in painted, painted
            assert "Where booking was late or appointments w…" in painted
            assert "…" in painted


async def test_at_80_columns_the_title_keeps_the_status_and_progress(path: Path) -> None:
    """Found walking the tool at 80×24: the "saved …" label cut the title before its
    status and progress."""
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(80, 24)) as pilot:
        tool = await open_tool(app, pilot)
        await pilot.press("y")  # involved: yes, which makes a saved draft
        await wait_saved(pilot, tool)
        await pilot.pause()
        title = tool.query_one("#tool-title", Static)
        painted = " ".join(title.render_line(y).text.strip() for y in range(title.size.height))
        assert "Draft" in painted and "answered" in painted and "graded" in painted, painted
        assert "saved" in str(tool.query_one("#tool-saved", Static).render())
