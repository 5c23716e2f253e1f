"""The command palette holds only what serves an auditor (issue 18 item 17): Textual's own
Keys, Maximize and Screenshot entries are gone; the theme stays, in maca's words."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import OptionList

from tests.app.helpers import app_for, demo_workspace, open_audit, until


async def test_palette_lists_no_textual_entries(tmp_path: Path) -> None:
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_audit(pilot)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        options = app.screen.query_one(OptionList)
        await until(pilot, lambda: options.option_count > 5)
        await pilot.pause(0.2)  # every provider's discovery hits in
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any(text.startswith("Colours") for text in shown), shown
        assert any(text.startswith("Quit maca") for text in shown), shown
        for textual_own in ("Keys", "Maximize", "Minimize", "Screenshot", "Theme"):
            assert not any(text.split("\n")[0].strip() == textual_own or text.startswith(textual_own + "\n")
                           for text in shown), (textual_own, shown)
        assert not any("screenshot" in text.lower() for text in shown)


async def test_no_screenshot_is_ever_delivered(tmp_path: Path) -> None:
    app = app_for(demo_workspace(tmp_path))
    delivered: list[object] = []
    app.deliver_text = lambda *args, **kwargs: delivered.append(args)  # type: ignore[method-assign]
    app.deliver_binary = lambda *args, **kwargs: delivered.append(args)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.focused is not None)
        app.action_screenshot()
        await pilot.pause(0.2)
    assert delivered == []
