"""A change picked up from another session costs the audit tool what it changes (issue 14
item 7, ten sessions): nothing when the return shown did not change, one row's repaint
when one field did; the footer is laid out again only when its keys changed; and the
screens under the tool are not woken by the pick-up (they catch up when shown again)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from audit.return_transitions import edit
from screens.audit.screen import AuditScreen
from screens.context import WorkspaceChanged
from screens.tool.rowlist import ToolList
from screens.tool.screen import ToolScreen
from screens.widgets.footer import Footer
from storage.returns import open_return, save_draft
from storage.workspace import Workspace
from tests.app.helpers import app_for, demo_workspace, until
from tests.app.test_tool import REF, first_case, go_to, open_tool

AT = datetime(2021, 4, 20, 9, 0)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return demo_workspace(tmp_path).path


class Counts:
    """How often the costly parts of a redraw ran."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.rows: list[int] = []
        self.footer = 0
        self.audit_screen = 0
        prompt, recompose = ToolList.replace_prompt, Footer.recompose
        handler = AuditScreen.on_workspace_changed

        def counted_prompt(widget: ToolList, index: int, text: Any) -> None:
            self.rows.append(index)
            prompt(widget, index, text)

        def counted_recompose(widget: Footer) -> Any:
            self.footer += 1
            return recompose(widget)

        def counted_handler(screen: AuditScreen, message: WorkspaceChanged) -> None:
            self.audit_screen += 1
            handler(screen, message)

        monkeypatch.setattr(ToolList, "replace_prompt", counted_prompt)
        monkeypatch.setattr(Footer, "recompose", counted_recompose)
        monkeypatch.setattr(AuditScreen, "on_workspace_changed", counted_handler)


async def pick_up(pilot, app, monkeypatch: pytest.MonkeyPatch, shown: Any) -> None:
    """Poll as the app's timer does, and wait until the tool has handled the change."""
    handled: list[WorkspaceChanged] = []
    original = ToolScreen.on_workspace_changed

    def spy(screen: ToolScreen, message: WorkspaceChanged) -> None:  # Textual finds handlers on the class
        handled.append(message)
        original(screen, message)

    monkeypatch.setattr(ToolScreen, "on_workspace_changed", spy)
    app.poll_workspace()
    await until(pilot, lambda: bool(handled) and shown())
    await pilot.pause()


async def test_a_foreign_change_redraws_only_what_it_changed(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = Workspace.open(path, "health_named-nurse")
    case = first_case(path)
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        await go_to(pilot, tool, "header.involvement_nature")
        await pilot.pause()
        counts = Counts(monkeypatch)
        # Another agency's return of the same audit: the return shown did not change.
        hv = open_return(other, REF, case, "HV")
        save_draft(other, edit(hv, other.login, AT, involvement_nature="Health visiting, weekly."))
        await pick_up(pilot, app, monkeypatch, lambda: True)
        assert counts.rows == [] and counts.footer == 0
        # The return shown: one field, one row repainted; its keys are the same.
        mid = open_return(other, REF, case, "MID")
        save_draft(other, edit(mid, other.login, AT, involvement_nature="Booked at 12 weeks."))
        await pick_up(pilot, app, monkeypatch, lambda: tool.ret.involvement_nature == "Booked at 12 weeks.")
        index = [r.id for r in tool.rows].index("header.involvement_nature")
        assert counts.rows == [index] and counts.footer == 0
        assert "Booked at 12 weeks." in str(tool.current_row().label)
        assert counts.audit_screen == 0  # under the tool: not woken by either pick-up
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, AuditScreen))
        assert await until(pilot, lambda: counts.audit_screen == 1)  # both, in one message, shown again
