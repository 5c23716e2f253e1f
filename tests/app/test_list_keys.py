"""j/k/g/G on home's programme and in the audit tool's list come from the one list widget
(screens/widgets/lists.py, issue 17 item 2): they move as before, the help lists them
with the same ids, and keymap.toml still remaps them."""

from __future__ import annotations

import os
from pathlib import Path

from textual.widgets import DataTable, OptionList

from audit.programme import PlannedAudit
from screens.audit.screen import AuditScreen
from screens.dialogs.help import HelpScreen
from screens.home.screen import HomeScreen
from screens.tool.screen import ToolScreen
from screens.widgets.lists import PickList, RowTable
from storage.demo import DEMO_AUDIT
from storage.programme import add_plan
from tests.app.helpers import app_for, demo_workspace, until
from tui.keymap import keymap_path

MOVE = [("j", "Down", "move.down"), ("k", "Up", "move.up"), ("g", "First", "move.first"),
        ("G", "Last", "move.last")]


def move_rows(app) -> list[tuple[str, str, str]]:
    assert isinstance(app.screen, HelpScreen)
    return [row for group, rows in app.screen.groups if group == "Move" for row in rows]


async def test_home_moves_with_the_list_keys_and_skips_headings(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    add_plan(ws, PlannedAudit("", 2022, "Neglect of teenagers", quarter=1))
    add_plan(ws, PlannedAudit("", 2022, "Domestic abuse", quarter=2))
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
        home = app.screen
        table = home.query_one(DataTable)
        assert isinstance(table, RowTable) and app.focused is table
        keys = [str(k.value) for k in table.rows]
        assert keys == ["head:2022:planned", "plan:P1", "plan:P2", "head:2021:in progress", f"audit:{DEMO_AUDIT}"]
        assert home.selected_key() == "plan:P1"
        for key, expected in [("j", "plan:P2"), ("j", f"audit:{DEMO_AUDIT}"), ("k", "plan:P2"), ("k", "plan:P1"),
                              ("G", f"audit:{DEMO_AUDIT}"), ("g", "plan:P1")]:
            await pilot.press(key)
            await until(pilot, lambda: home.selected_key() == expected)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert move_rows(app) == MOVE


async def test_the_tool_moves_with_the_list_keys(tmp_path: Path) -> None:
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.focused is not None)
        await app.push_screen(AuditScreen(DEMO_AUDIT, "returns"))
        await until(pilot, lambda: app.focused is not None and app.screen.current == "returns")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ToolScreen) and bool(app.screen.rows))
        tool = app.screen
        options = tool.query_one(OptionList)
        assert isinstance(options, PickList) and app.focused is options
        enabled = [r.id for r in tool.rows if not r.heading]
        assert tool.current_row().id == enabled[0]
        for key, expected in [("j", enabled[1]), ("j", enabled[2]), ("k", enabled[1]), ("G", enabled[-1]),
                              ("g", enabled[0])]:
            await pilot.press(key)
            await until(pilot, lambda: tool.current_row().id == expected)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert move_rows(app) == MOVE


async def test_a_keymap_still_remaps_the_list_keys_on_home(tmp_path: Path) -> None:
    path = keymap_path()
    assert str(path).startswith(os.environ["XDG_CONFIG_HOME"])  # never the real user's
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('"move.down" = "z"\n', encoding="utf-8")
    ws = demo_workspace(tmp_path)
    add_plan(ws, PlannedAudit("", 2022, "Neglect of teenagers", quarter=1))
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
        home = app.screen
        assert home.selected_key() == "plan:P1"
        await pilot.press("z")
        await until(pilot, lambda: home.selected_key() == f"audit:{DEMO_AUDIT}")
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert ("z", "Down", "move.down") in move_rows(app), move_rows(app)


async def test_the_briefings_list_of_learning_shared_moves_with_the_list_keys(tmp_path: Path) -> None:
    """The one list that had no j/k/g/G at all (its DataTable was the stock one)."""
    from datetime import date

    from audit.briefing import Dissemination
    from screens.briefing.screen import BriefingScreen
    from storage.briefing import add_dissemination
    from storage.demo import build_demo
    from storage.lock import os_login

    ws = build_demo(tmp_path / "demo.json", os_login(), in_progress=True)
    for day in (1, 2, 3):
        add_dissemination(ws, Dissemination(DEMO_AUDIT, "", held_on=date(2021, 5, day), agencies=["CSC"]))
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
        await app.push_screen(BriefingScreen(DEMO_AUDIT))
        await until(pilot, lambda: isinstance(app.screen, BriefingScreen)
                    and app.screen.query_one(DataTable).row_count == 3)
        table = app.screen.query_one(DataTable)
        assert isinstance(table, RowTable)
        table.focus()
        for key, row in [("j", 1), ("j", 2), ("k", 1), ("G", 2), ("g", 0)]:
            await pilot.press(key)
            await until(pilot, lambda: table.cursor_row == row)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert move_rows(app) == MOVE
