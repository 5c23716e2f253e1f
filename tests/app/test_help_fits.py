"""The help fits a short terminal (issue 18's walk-through): at 80x24 the list of keys
took the whole box, so "Everywhere" (ctrl+q), the palette note and "esc closes this
help" were cut off below it, and j/k could not scroll to them."""

from __future__ import annotations

from pathlib import Path

from textual.containers import VerticalScroll
from textual.widgets import Static

from screens.dialogs.help import HelpScreen
from tests.app.helpers import app_for, demo_workspace, until


async def test_the_help_scrolls_inside_its_box_at_80x24(tmp_path: Path) -> None:
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.focused is not None)
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        foot = help_screen.query_one("#help-foot", Static)
        keys = help_screen.query_one("#help-keys", VerticalScroll)
        await until(pilot, lambda: foot.region.height > 0)
        box = foot.parent.region
        assert foot.region.bottom <= box.bottom - 1, "the closing line is inside the box, above its border"
        assert keys.max_scroll_y > 0
        everywhere = next(s for s in help_screen.query(".help-group") if "Everywhere" in str(s.render()))
        assert everywhere.region.y >= keys.region.bottom  # below the fold at first
        for _ in range(30):
            await pilot.press("j")
        await until(pilot, lambda: keys.scroll_y == keys.max_scroll_y)
        await until(pilot, lambda: keys.region.y <= everywhere.region.y < keys.region.bottom)
