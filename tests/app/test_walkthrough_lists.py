"""What the new-user walk-through of issue 18 tripped over in the journal and users
screens at 80x24: a key column one character wide, an enter and a space that did
nothing, and an entry opened in full that was cut at its box's border."""

from __future__ import annotations

from pathlib import Path

from textual.containers import VerticalScroll

from screens.dialogs.details import InfoScreen
from screens.journal.screen import JournalScreen
from screens.users.screen import UsersScreen
from screens.widgets.virtual_table import VirtualTable
from tests.app.helpers import app_for, demo_workspace, open_as, until


def footer_keys(app) -> set[str]:
    return {binding.key for _, binding, enabled, _ in app.active_bindings.values() if binding.show and enabled}


async def test_the_journal_at_80x24_shows_keys_and_opens_an_entry(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(open_as(ws.path, "rlead"))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.focused is not None)
        await pilot.press("J")
        await until(pilot, lambda: isinstance(app.screen, JournalScreen) and app.screen.entries)
        table = app.screen.query_one(VirtualTable)
        newest = table.cursor_row
        await until(pilot, lambda: newest.key in table.render_line(1).text)  # the whole key, not "M"
        assert "space" not in footer_keys(app)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, InfoScreen))
        info = app.screen
        keys = info.query_one("#info-keys")
        await until(pilot, lambda: keys.region.height > 0)
        assert keys.region.bottom <= keys.parent.region.bottom - 1, "esc closes is inside the box"
        assert newest.summary in str(info.query_one(VerticalScroll).query_one("Static").render())
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, JournalScreen))


async def test_the_users_list_offers_no_toggle(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(open_as(ws.path, "rlead"))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.focused is not None)
        await pilot.press("U")
        await until(pilot, lambda: isinstance(app.screen, UsersScreen) and isinstance(app.focused, VirtualTable))
        assert "space" not in footer_keys(app)
        assert "a" in footer_keys(app)
