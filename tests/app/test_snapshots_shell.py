"""Snapshots of the shell's screens at the smallest supported size and a roomy one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.helpers import app_for, demo_workspace, open_audit, until

SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_home(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(app_for(demo_workspace(tmp_path)), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_scope(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot) -> None:
        await open_audit(pilot)
        await pilot.press("j", "j")

    assert snap_compare(app_for(demo_workspace(tmp_path)), terminal_size=size, run_before=run_before)


@pytest.mark.slow
def test_scope_objective_form(snap_compare, tmp_path: Path) -> None:
    from screens.dialogs.form import FormScreen

    async def run_before(pilot) -> None:
        await open_audit(pilot)
        await pilot.press(*["j"] * 10, "e")
        await until(pilot, lambda: isinstance(pilot.app.screen, FormScreen))

    assert snap_compare(app_for(demo_workspace(tmp_path)), terminal_size=(120, 40), run_before=run_before)


def test_help(snap_compare, tmp_path: Path) -> None:
    from screens.dialogs.help import HelpScreen

    async def run_before(pilot) -> None:
        await open_audit(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))

    assert snap_compare(app_for(demo_workspace(tmp_path)), terminal_size=(120, 40), run_before=run_before)


def test_too_small(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(app_for(demo_workspace(tmp_path)), terminal_size=(60, 20))
