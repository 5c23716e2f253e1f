"""Role × action over the app's actions, as served (issue 15 item 9): for a lead, a
co-ordinator and a viewer, each action either opens what it should (never a field that
takes a server path) or is refused with one sentence, and a refusal changes nothing but
the journal.  The `serve` commands' matrix is in tests/robustness/test_ssh.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.screen import Screen

from screens.dialogs.form import FormScreen
from screens.dialogs.ssh_command import SshCommandScreen
from screens.journal.screen import JournalScreen
from screens.returns.chase import ChaseScreen
from screens.served import Served
from screens.users.screen import UsersScreen
from storage.demo import build_demo
from storage.demo_returns import add_demo_returns
from storage.lock import os_login
from storage.workspace import Workspace
from tests.app.helpers import notes, open_audit, until
from tests.conftest import TODAY
from tui.app import build_app
from tests.workspace_files import copy_workspace, on_disk

LEAD, COORD, VIEWER = "qa.tamsin", "pol.coord", "panel.vic"
REFUSED = "refused"

# (name, where: None for home or an audit section's number, keys, what opens per role)
ACTIONS: list[tuple[str, str | None, list[str], dict[str, type[Screen] | str]]] = [
    ("new audit", None, ["n"], {LEAD: SshCommandScreen, COORD: REFUSED, VIEWER: REFUSED}),
    ("journal", None, ["J"], {LEAD: JournalScreen, COORD: REFUSED, VIEWER: REFUSED}),
    ("users", None, ["U"], {LEAD: UsersScreen, COORD: REFUSED, VIEWER: REFUSED}),
    ("edit the scope", "1", ["e"], {LEAD: FormScreen, COORD: REFUSED, VIEWER: REFUSED}),
    ("import cases", "2", ["i"], {LEAD: SshCommandScreen, COORD: REFUSED, VIEWER: REFUSED}),
    ("random draw", "2", ["r"], {LEAD: FormScreen, COORD: REFUSED, VIEWER: REFUSED}),
    ("chase list", "3", ["c"], {LEAD: ChaseScreen, COORD: ChaseScreen, VIEWER: ChaseScreen}),
    ("export the chase list", "3", ["c", "x"],
     {LEAD: SshCommandScreen, COORD: SshCommandScreen, VIEWER: SshCommandScreen}),
    ("add a finding", "5", ["a"], {LEAD: FormScreen, COORD: FormScreen, VIEWER: REFUSED}),
    ("export the report", "7", ["e"], {LEAD: SshCommandScreen, COORD: REFUSED, VIEWER: REFUSED}),
]
ROLES = (LEAD, COORD, VIEWER)
# Thirty app runs: the edit loop (`make test-fast`) takes one role per action, turn about,
# so every action and every role is tried there; `make test` runs the whole matrix.
CASES = [pytest.param(name, where, keys, role, expected[role],
                      id=f"{role}-{name.replace(' ', '-')}",
                      marks=() if role == ROLES[n % len(ROLES)] else pytest.mark.slow)
         for n, (name, where, keys, expected) in enumerate(ACTIONS) for role in ROLES]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = build_demo(tmp_path_factory.mktemp("demo") / "w.json", os_login())
    add_demo_returns(ws)
    return ws.path


def without_journal(path: Path) -> dict:
    data = on_disk(path)
    data.pop("journal", None)
    return data


@pytest.mark.parametrize(("name", "where", "keys", "role", "expected"), CASES)
async def test_role_action_matrix(template: Path, tmp_path: Path, name: str, where: str | None,
                                  keys: list[str], role: str, expected: type[Screen] | str) -> None:
    path = tmp_path / "w.json"
    copy_workspace(template, path)
    before = without_journal(path)
    app = build_app(Workspace.open(path, role), today=TODAY, watch_interval=0,
                    served=Served("maca", "audit.example.org", 2222))
    async with app.run_test(size=(120, 40)) as pilot:
        if where is None:
            await until(pilot, lambda: app.focused is not None)
        else:
            await open_audit(pilot)
            await pilot.press(where)
            await pilot.pause(0.2)
        start = app.screen
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.1)
        if expected == REFUSED:
            await until(pilot, lambda: bool(notes(app, "error")))
            message = notes(app, "error")[0]
            assert role in message and message.endswith(".")
            assert app.screen is start
        else:
            await until(pilot, lambda: isinstance(app.screen, expected))  # type: ignore[arg-type]
            if expected is SshCommandScreen:
                commands = [c for _, c in app.screen.commands]
                assert all(c.startswith("ssh -p 2222 maca@audit.example.org ") for c in commands)
            assert not app.screen.query("Input#field-path")  # no field takes a server path
    assert without_journal(path) == before
