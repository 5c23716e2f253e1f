"""Keys a login may not use are dimmed in the footer, and still say why when pressed
(issue 17 item 2: `check_action` answers None through `screens.access.permitted`)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets._footer import FooterKey

from screens.dialogs.form import FormScreen
from screens.widgets.footer import Footer
from tests.app.helpers import app_for, demo_workspace, notes, open_as, open_audit, until


def footer_keys(app) -> dict[str, bool]:
    """{description: enabled} of the keys the screen's footer shows."""
    footer = app.screen.query_one(Footer)
    return {key.description: not key.has_class("-disabled") for key in footer.query(FooterKey)}


async def open_section(pilot, number: str, name: str, own_key: str) -> None:
    """Open section `number` and wait for its footer (which shows `own_key`)."""
    await open_audit(pilot)
    await pilot.press(number)
    await until(pilot, lambda: pilot.app.screen.current == name and own_key in footer_keys(pilot.app))


async def test_a_viewer_sees_the_scope_edit_keys_dimmed_and_is_told_why_on_pressing_one(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(open_as(ws.path, "panel2"))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_section(pilot, "1", "scope", "Edit")
        keys = footer_keys(app)
        assert (keys["Edit"], keys["Add"], keys["Delete"]) == (False, False, False), keys
        assert keys["Help"]  # reading keys stay as they were
        await pilot.press("e")
        await until(pilot, lambda: bool(notes(app)))
        assert not isinstance(app.screen, FormScreen)
        assert notes(app, "error") == ["panel2 is a viewer and can only read; ask a lead auditor to edit the scope."]
    assert open_as(ws.path, "rlead").journal()[-1].action == "refused"


async def test_a_lead_sees_them_active(tmp_path: Path) -> None:
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_section(pilot, "1", "scope", "Edit")
        keys = footer_keys(app)
        assert keys["Edit"] and keys["Add"] and keys["Delete"]


async def test_a_coordinator_proposes_on_the_board_but_does_not_edit_it(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(open_as(ws.path, "csc.coord"))
    async with app.run_test(size=(160, 40)) as pilot:
        await open_section(pilot, "5", "board", "Reorder")
        keys = footer_keys(app)
        assert keys["Add"] and not keys["Edit"], keys
