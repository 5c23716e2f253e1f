"""Snapshots of the screens served mode and quitting added (issue 15): the ssh command
shown in place of a path, and the question asked when ctrl+q would lose work."""

from __future__ import annotations

from pathlib import Path

from screens.dialogs.quit import QuitScreen
from screens.served import Served
from storage.workspace import Workspace
from tests.app.helpers import demo_workspace, open_audit, until
from tests.conftest import TODAY
from tui.app import build_app


def test_report_export_under_serve(snap_compare, tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)

    async def run_before(pilot) -> None:
        await open_audit(pilot)
        await pilot.press("7")
        await pilot.pause(0.3)
        await pilot.press("e")
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "SshCommandScreen")

    app = build_app(ws, today=TODAY, watch_interval=0, served=Served("maca", "audit.example.org"))
    assert snap_compare(app, terminal_size=(120, 30), run_before=run_before)


def test_quit_with_unsaved_work(snap_compare, tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)

    async def run_before(pilot) -> None:
        await until(pilot, lambda: pilot.app.focused is not None)
        pilot.app.push_screen(QuitScreen([
            "your changes to question 1.2 and good practice in MID's return for case RB-2020-005 "
            "(The disk is full; your change was not saved)"]))
        await until(pilot, lambda: isinstance(pilot.app.screen, QuitScreen))

    app = build_app(Workspace.open(ws.path, ws.login), today=TODAY, watch_interval=0)
    assert snap_compare(app, terminal_size=(100, 24), run_before=run_before)
