"""The Users screen (issue 15 item 1): a lead adds someone with a pasted key, changes their
role and agencies, gives them a new key and removes them; the service account's
authorized_keys follows every change; anyone else is refused with a sentence."""

from __future__ import annotations

import base64
import struct
from pathlib import Path

import pytest
from textual.widgets import Input, Select, TextArea

from audit.partnership import Role
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import FormScreen
from screens.served import Served
from screens.users.screen import UsersScreen
from screens.widgets.tick_list import TickList
from screens.widgets.virtual_table import VirtualTable
from storage.demo import build_demo
from storage.lock import os_login
from storage.users import key_of
from storage.workspace import Workspace
from tests.app.helpers import notes, until
from tests.conftest import TODAY
from tui.app import build_app


def key(n: int) -> str:
    raw = struct.pack(">I", 11) + b"ssh-ed25519" + struct.pack(">I", 32) + bytes([n]) * 32
    return f"ssh-ed25519 {base64.b64encode(raw).decode()} them@laptop"


@pytest.fixture
def path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MACA_AUTHORIZED_KEYS", str(tmp_path / "authorized_keys"))
    monkeypatch.setattr("screens.users.screen.maca_command", lambda: "/opt/maca/bin/maca")
    return build_demo(tmp_path / "w.json", os_login()).path


def app_on(path: Path, login: str | None = None):
    return build_app(Workspace.open(path, login or os_login()), today=TODAY, watch_interval=0)


async def open_users(pilot) -> UsersScreen:
    await until(pilot, lambda: pilot.app.focused is not None)
    await pilot.press("U")
    await until(pilot, lambda: isinstance(pilot.app.screen, UsersScreen) and pilot.app.focused is not None)
    return pilot.app.screen


def select_user(screen: UsersScreen, login: str) -> None:
    table = screen.query_one(VirtualTable)
    rows = list(table.visible_rows)
    table.cursor_index = next(i for i, u in enumerate(rows) if u.login == login)


async def test_a_lead_adds_changes_rekeys_and_removes_a_user(path: Path, tmp_path: Path) -> None:
    app = app_on(path)
    keys_file = tmp_path / "authorized_keys"
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_users(pilot)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        form.query_one("#field-login", Input).value = "alice"
        form.query_one("#field-role", Select).value = "coordinator"
        form.query_one("#field-agencies", TickList).select("POL")
        form.query_one("#field-key", TextArea).text = key(1)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        await until(pilot, lambda: "Added alice · audit co-ordinator (POL) with their SSH key." in notes(app))
        ws = Workspace.open(path, os_login())
        assert ws.get("users", "alice").agencies == ["POL"]
        assert '--as alice" ' + " ".join(key(1).split()[:2]) in keys_file.read_text()

        select_user(screen, "alice")
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-role", Select).value = "viewer"
        app.screen.query_one("#field-agencies", TickList).deselect_all()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        await until(pilot, lambda: Workspace.open(path, os_login()).get("users", "alice").role is Role.VIEWER)

        select_user(screen, "alice")
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-key", TextArea).text = key(2)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        await until(pilot, lambda: key_of(Workspace.open(path, os_login()), "alice") == " ".join(key(2).split()[:2]))
        assert key(1).split()[1] not in keys_file.read_text()

        select_user(screen, "alice")
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: Workspace.open(path, os_login()).get("users", "alice") is None)
        assert "--as alice" not in keys_file.read_text()


async def test_a_pasted_private_key_or_option_is_refused_in_the_form(path: Path, tmp_path: Path) -> None:
    app = app_on(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_users(pilot)
        select_user(screen, "pol.coord")
        for bad, says in ((f'command="/bin/sh" {key(3)}', "not a public key maca accepts"),
                          ("-----BEGIN OPENSSH PRIVATE KEY-----\nx\n", "That is a private key")):
            await pilot.press("s")
            await until(pilot, lambda: isinstance(app.screen, FormScreen))
            app.screen.query_one("#field-key", TextArea).text = bad
            await pilot.press("ctrl+s")
            await pilot.pause(0.1)
            assert isinstance(app.screen, FormScreen)
            assert says in str(app.screen.query_one("#form-errors").render())
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is screen)
    assert key_of(Workspace.open(path, os_login()), "pol.coord") is None
    assert not (tmp_path / "authorized_keys").exists()


@pytest.mark.parametrize("login", ["pol.coord", "panel.vic"])
async def test_anyone_but_a_lead_is_refused(path: Path, login: str) -> None:
    app = app_on(path, login)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: pilot.app.focused is not None)
        await pilot.press("U")
        await until(pilot, lambda: any("manage users" in n for n in notes(app)))
        assert not isinstance(app.screen, UsersScreen)
    assert Workspace.open(path, os_login()).journal()[-1].action == "refused"


def test_users_screen_snapshot(snap_compare, path: Path) -> None:
    async def run_before(pilot) -> None:
        await open_users(pilot)

    app = build_app(Workspace.open(path, os_login()), today=TODAY, watch_interval=0,
                    served=Served("maca", "audit.example.org"))
    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)


async def test_a_removed_users_session_ends_at_once(path: Path) -> None:
    from storage.users import remove_user

    app = app_on(path, "panel.vic")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.focused is not None)
        remove_user(Workspace.open(path, os_login()), "panel.vic", None)
        app.poll_workspace()
        await until(pilot, lambda: not app.is_running)
    assert app.return_code == 1
