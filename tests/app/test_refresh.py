"""Nothing blocks the UI (issue 14 item 4): other sessions' saves are read and decoded in
a thread worker, this session's saves run off the event loop, and every commit, its own
or another's, reaches the screens as one WorkspaceChanged."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, OptionList

from audit.access import Act
from screens.audit.screen import AuditScreen
from screens.context import WorkspaceChanged
from screens.dialogs.form import FormScreen
from screens.home.screen import HomeScreen
from screens.scope.section import ScopeSection
from storage.workspace import Workspace
from tests.app.helpers import app_for, demo_workspace, idle, open_as, open_audit, until
from tests.conftest import TODAY
from tui.app import build_app

REF = "MACA-C86"


def home_titles(app: Any) -> str:
    """Every cell of home's programme table, as one text."""
    table = app.screen.query_one(DataTable)
    return " | ".join(str(cell) for i in range(table.row_count) for cell in table.get_row_at(i))


def retitle(ws: Workspace, title: str) -> None:
    ws.save(dataclasses.replace(ws.audit(REF), title=title), act=Act.EDIT_SCOPE)


def record_threads(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    """Wrap ``module.name`` so that each call records the thread it ran in."""
    threads: list[int] = []
    original = getattr(module, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapped)
    return threads


def messages_to_home(monkeypatch: pytest.MonkeyPatch) -> list[WorkspaceChanged]:
    """The WorkspaceChanged messages home handles (Textual finds handlers on the class)."""
    seen: list[WorkspaceChanged] = []
    original = HomeScreen.on_workspace_changed

    def handler(self: HomeScreen, message: WorkspaceChanged) -> None:
        seen.append(message)
        original(self, message)

    monkeypatch.setattr(HomeScreen, "on_workspace_changed", handler)
    return seen


async def test_another_sessions_save_is_read_and_decoded_off_the_ui_thread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import storage.workspace
    import storage.workspace_file

    ws = demo_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.query_one(DataTable).row_count)
        ui = threading.get_ident()
        retitle(open_as(ws.path, "rlead"), "Retitled by another session")
        parsed = record_threads(monkeypatch, storage.workspace_file, "parse_workspace")
        decoded = record_threads(monkeypatch, storage.store, "from_doc")
        app.poll_workspace()
        assert await until(pilot, lambda: "Retitled by another session" in home_titles(app))
        assert parsed and decoded  # the file was read again and its audits decoded ...
        assert ui not in parsed and ui not in decoded  # ... but never on the UI thread


async def test_a_second_session_shows_a_save_through_the_message_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No manual refresh and no poll called by the test: the app's own watch finds the
    change, and the screens redraw from the one WorkspaceChanged it posts."""
    ws = demo_workspace(tmp_path)
    app = build_app(Workspace.open(ws.path, "qa.tamsin"), today=TODAY, watch_interval=0.05)
    seen = messages_to_home(monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        home = app.screen
        assert isinstance(home, HomeScreen)
        await until(pilot, lambda: home.query_one(DataTable).row_count > 0)
        retitle(open_as(ws.path, "rlead"), "Seen by the second session")
        assert await until(pilot, lambda: "Seen by the second session" in home_titles(app))
        assert len(seen) == 1
        assert seen[0].changes.partnership and not seen[0].changes.own


async def test_own_save_runs_off_the_event_loop_and_is_announced_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Edit the title in Scope: the save runs in a thread, the commit reaches every screen as
    one WorkspaceChanged (a covered one when it is shown again), and home shows the new
    title on esc (issue 18 item 5)."""
    ws = demo_workspace(tmp_path)
    app = app_for(ws)
    seen = messages_to_home(monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_audit(pilot)
        saves = record_threads(monkeypatch, Workspace, "save")
        section = app.screen.query_one(ScopeSection)
        options = section.query_one(OptionList)
        options.highlighted = [r.id for r in section.rows].index("title")
        await pilot.pause()
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-title", Input).value = "Unborn babies: retitled here"
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: isinstance(app.screen, AuditScreen) and idle(app) and saves)
        assert threading.get_ident() not in saves
        assert not seen  # home is covered: it gets the message when shown again
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, HomeScreen)
                           and "Unborn babies: retitled here" in home_titles(app))
        assert len(seen) == 1 and seen[0].changes.own and seen[0].changes.partnership



async def test_an_audit_left_is_let_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the files a session's screens show are looked at on each poll: leaving an
    audit lets its file go (storage: tests/storage/test_workspace.py)."""
    released: list[str] = []
    original = Workspace.release
    monkeypatch.setattr(Workspace, "release", lambda ws, ref: (released.append(ref), original(ws, ref))[1])
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_audit(pilot)
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, HomeScreen) and released == [REF])
