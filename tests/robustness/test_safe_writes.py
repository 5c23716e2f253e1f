"""Files a person chooses (exports, chase lists) never land on the workspace's own files
(issue 15 item 3): not by name, not through a symlinked folder, not through a hard link,
not through a destination that is a symlink, for a workspace that is one file or a folder.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Input

from audit.access import Act
from audit.partnership import Role, User
from screens.dialogs.form import FormScreen
from screens.returns.chase import ChaseScreen
from storage.demo import DEMO_AUDIT, build_demo
from storage.demo_returns import add_demo_returns
from storage.errors import NotFound, WorkspaceError
from storage.export import export_report
from storage.lock import os_login
from storage.returns import chase_list
from storage.user_files import UnsafeDestination, write_user_file
from storage.workspace import Workspace
from tests.app.helpers import notes, until
from tests.app.test_returns_section import LATE, open_grid
from tui.app import build_app
from tui.cli import main

LOGIN = os_login()
TODAY = date(2021, 5, 3)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    folder = tmp_path / "srv"
    folder.mkdir()
    return build_demo(folder / "partnership", LOGIN)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in the folder and below it (the workspace folder, and what is beside it)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", ["partnership", "partnership/partnership.json", "partnership/partnership.json.lock",
                                  "partnership/partnership.json.lock.who", f"partnership/audits/{DEMO_AUDIT}.json",
                                  "partnership/journal/2021-03.jsonl", "partnership/new.md",
                                  "partnership/.partnership.json.x1.tmp", "partnership.lock"])
def test_no_write_lands_on_a_file_of_the_workspace(ws: Workspace, name: str) -> None:
    ws.save(dataclasses.replace(ws.partnership(), name="Once more"), act=Act.MANAGE_USERS)  # makes a backup
    before = snapshot(ws.path.parent)
    with pytest.raises(UnsafeDestination, match="one of the workspace's own files; nothing was written"):
        write_user_file(ws.path, ws.path.parent / name, b"chase list text")
    assert snapshot(ws.path.parent) == before


def test_through_a_symlinked_folder(ws: Workspace, tmp_path: Path) -> None:
    link = tmp_path / "innocent"
    link.symlink_to(ws.path.parent)
    before = snapshot(ws.path.parent)
    for name in ("partnership", "partnership/partnership.json", "partnership/partnership.json.lock"):
        with pytest.raises(UnsafeDestination):
            write_user_file(ws.path, link / name, b"x")
    assert snapshot(ws.path.parent) == before


def test_through_a_hard_link(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    os.link(ws.path / "partnership.json", out / "report.md")
    before = (ws.path / "partnership.json").read_bytes()
    with pytest.raises(UnsafeDestination):
        write_user_file(ws.path, out / "report.md", b"x")
    assert (ws.path / "partnership.json").read_bytes() == before


def test_a_destination_that_is_a_symlink_is_refused(ws: Workspace, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep me")
    (tmp_path / "report.md").symlink_to(elsewhere)
    with pytest.raises(UnsafeDestination, match="is a symbolic link"):
        write_user_file(ws.path, tmp_path / "report.md", b"x")
    assert elsewhere.read_text() == "keep me"
    assert (tmp_path / "report.md").is_symlink()


def test_a_workspace_folder_and_everything_in_it(tmp_path: Path) -> None:
    """The layout the storage engineer is moving to: `--db` names a folder."""
    folder = tmp_path / "riverbay"
    (folder / "journal").mkdir(parents=True)
    (folder / "partnership.json").write_text("{}")
    (folder / "journal" / "2026-12.jsonl").write_text("")
    for target in (folder / "partnership.json", folder / "journal" / "2026-12.jsonl", folder / "new.md",
                   tmp_path / "riverbay.lock"):
        with pytest.raises(UnsafeDestination):
            write_user_file(folder, target, b"x")
    assert (folder / "partnership.json").read_text() == "{}"
    assert not (folder / "new.md").exists() and not (tmp_path / "riverbay.lock").exists()
    written = write_user_file(folder, tmp_path / "report.md", b"ok")
    assert written.read_bytes() == b"ok"


def test_new_files_are_private_and_replaced_whole(ws: Workspace, tmp_path: Path) -> None:
    target = tmp_path / "chase.txt"
    write_user_file(ws.path, target, b"first")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    target.chmod(0o640)
    inode = target.stat().st_ino
    write_user_file(ws.path, target, b"second")
    assert target.read_bytes() == b"second"
    assert target.stat().st_ino != inode  # a new file renamed into place, not written through
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert not list(tmp_path.glob(".*.tmp"))  # no temp file left behind


def test_missing_folder_and_a_folder_as_the_file(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="does not exist"):
        write_user_file(ws.path, tmp_path / "nope" / "x.txt", b"x")
    with pytest.raises(WorkspaceError, match="is a folder"):
        write_user_file(ws.path, tmp_path / "srv", b"x")


def test_export_refuses_the_backup_and_the_workspace(ws: Workspace, capsys) -> None:
    """The attack of the issue, by the CLI: export onto a backup, then the workspace."""
    ws.save(dataclasses.replace(ws.partnership(), name="Once more"), act=Act.MANAGE_USERS)
    backup = sorted((ws.path / "backups" / "partnership.json").iterdir())[-1]
    before = snapshot(ws.path.parent)
    for target in (backup, ws.path / "partnership.json", ws.path):
        code = main(["export", "--db", str(ws.path), "--audit", DEMO_AUDIT, "-o", str(target)])
        assert code == 3
        assert "one of the workspace's own files; nothing was written" in capsys.readouterr().err
    with pytest.raises(UnsafeDestination):
        export_report(ws, DEMO_AUDIT, ws.path / "partnership.json.lock", "md", TODAY)
    assert snapshot(ws.path.parent) == before
    assert main(["check", "--db", str(ws.path)]) == 0


def test_a_coordinators_chase_list_covers_their_agencies_only(ws: Workspace) -> None:
    add_demo_returns(ws)
    ws.insert(User("casey", Role.COORDINATOR, agencies=["POL", "GP"]), act=Act.MANAGE_USERS)
    ws.insert(User("vic", Role.VIEWER), act=Act.MANAGE_USERS)
    lead = chase_list(ws, DEMO_AUDIT, LATE)
    casey = chase_list(Workspace.open(ws.path, "casey"), DEMO_AUDIT, LATE)
    assert casey and all(line.startswith(("POL (", "GP (")) for line in casey)
    assert casey == [line for line in lead if line.startswith(("POL (", "GP ("))]
    assert chase_list(Workspace.open(ws.path, "vic"), DEMO_AUDIT, LATE) == lead


@pytest.mark.slow
async def test_a_viewer_cannot_export_the_chase_list_over_the_workspace(ws: Workspace) -> None:
    """The attack of the issue, in the app: Returns, `c`, `x`, the backup's path."""
    add_demo_returns(ws)
    ws.insert(User("vic", Role.VIEWER), act=Act.MANAGE_USERS)
    before = snapshot(ws.path.parent)
    app = build_app(Workspace.open(ws.path, "vic"), today=LATE, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_grid(app, pilot)
        for name in ("partnership.json.bak", "partnership.json"):
            await pilot.press("c")
            assert await until(pilot, lambda: isinstance(app.screen, ChaseScreen))
            await pilot.press("x")
            assert await until(pilot, lambda: isinstance(app.screen, FormScreen))
            app.screen.query_one(Input).value = str(ws.path.parent / name)
            await pilot.press("ctrl+s")
            assert await until(pilot, lambda: any(
                f"{ws.path.parent / name} is one of the workspace's own files; nothing was written." in n
                for n in notes(app)))
            await pilot.press("escape")
            assert await until(pilot, lambda: not isinstance(app.screen, ChaseScreen))
    assert snapshot(ws.path.parent) == before
