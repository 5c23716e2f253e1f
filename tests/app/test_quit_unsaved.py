"""ctrl+q with work not yet saved (issue 15 item 6): it says what would be lost and offers
to keep trying or to quit anyway; with nothing unsaved it quits at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from screens.dialogs.form import FormScreen
from screens.dialogs.quit import QuitScreen
from storage.errors import SaveFailed
from storage.workspace import Workspace
from tests.app.helpers import app_for, demo_workspace, notes, open_audit, until
from tests.app.test_tool import go_to, open_tool

DISK_FULL = "The disk is full; your change was not saved."


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return demo_workspace(tmp_path).path


def failing_saves(monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*_: object, **__: object) -> None:
        raise SaveFailed(DISK_FULL)

    monkeypatch.setattr("storage.returns.save_draft", full)


async def test_a_failing_draft_asks_keep_trying_or_quit(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        failing_saves(monkeypatch)
        await go_to(pilot, tool, "overall.good_practice")
        await pilot.press("e", *"Only here", "escape")
        await until(pilot, lambda: tool.autosave.pending and tool.autosave.save_failure)
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, QuitScreen))
        shown = str(app.screen.query_one("#quit-lost", Static).render())
        assert "your changes to good practice in MID's return for case" in shown
        assert "The disk is full; your change was not saved)" in shown
        await pilot.press("k")  # keep trying: still failing, so the app stays
        await until(pilot, lambda: not isinstance(app.screen, QuitScreen))
        assert app.is_running and tool.autosave.pending
        assert any(n.startswith("Still not saved: your changes to good practice") for n in notes(app))
        monkeypatch.undo()  # the disk has room again
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, QuitScreen) or not app.is_running)
    # ctrl+q saved it first, so nothing was left to ask about.
    assert not tool.autosave.pending


async def test_quit_anyway_leaves_without_saving(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        failing_saves(monkeypatch)
        await go_to(pilot, tool, "overall.good_practice")
        await pilot.press("e", *"Lost", "escape")
        await until(pilot, lambda: bool(tool.autosave.pending))
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, QuitScreen))
        await pilot.press("escape")  # stay
        await until(pilot, lambda: not isinstance(app.screen, QuitScreen))
        assert app.is_running
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, QuitScreen))
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running)


async def test_typing_in_a_form_asks_before_quitting(path: Path) -> None:
    app = app_for(Workspace.open(path, "rlead"))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_audit(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one(Input).value = "A new title, typed"
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, QuitScreen))
        assert "what you typed in" in str(app.screen.query_one("#quit-lost", Static).render())
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))


async def test_nothing_unsaved_quits_at_once(path: Path) -> None:
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_tool(app, pilot)
        await pilot.press("ctrl+q")
        await until(pilot, lambda: not app.is_running)
