"""Identical refusals by one login within a minute become one counted entry (issue 15
item 7): 100 refused `J` presses by a viewer grew the workspace by 22 KB."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.access import Act
from storage.demo import build_demo
from storage.errors import AccessDenied
from storage.lock import os_login
from storage.refusals import RefusalLog
from storage.workspace import Workspace
from tests.app.helpers import until
from tui.app import build_app
from tests.conftest import TODAY


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return build_demo(tmp_path / "w.json", os_login()).path


def refusals(path: Path) -> list[str]:
    return [e.summary for e in Workspace.open(path, os_login()).journal() if e.action == "refused"]


def test_a_burst_is_one_entry_and_then_its_count(path: Path) -> None:
    viewer = Workspace.open(path, "panel.vic")
    clock = Clock()
    viewer.refusals = RefusalLog(clock)
    size = path.stat().st_size
    for _ in range(100):
        with pytest.raises(AccessDenied):
            viewer.require(Act.READ_JOURNAL)
        clock.now += 0.5  # 100 presses in 50 seconds
    reason = "panel.vic is a viewer and can only read; ask a lead auditor to read the journal."
    assert refusals(path) == [reason]
    assert path.stat().st_size - size < 1_000
    clock.now += 15  # the minute is over: the count is journaled once
    viewer.refusals.flush(viewer)
    assert refusals(path) == [reason, reason + " (refused 99 more times within a minute)"]
    with pytest.raises(AccessDenied):  # a new minute, a new entry
        viewer.require(Act.READ_JOURNAL)
    assert len(refusals(path)) == 3


def test_different_refusals_are_each_journaled(path: Path) -> None:
    viewer = Workspace.open(path, "panel.vic")
    for act in (Act.READ_JOURNAL, Act.EXPORT_REPORT, Act.READ_JOURNAL, Act.MANAGE_USERS):
        with pytest.raises(AccessDenied):
            viewer.require(act)
    assert len(refusals(path)) == 3


async def test_a_viewer_pressing_j_100_times_in_the_app(path: Path) -> None:
    app = build_app(Workspace.open(path, "panel.vic"), today=TODAY, watch_interval=0)
    size = path.stat().st_size
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.focused is not None)
        for _ in range(100):
            await pilot.press("J")
        await pilot.pause(0.1)
    app.ws.refusals.flush(app.ws, everything=True)  # what run_app does when the app ends
    assert len(refusals(path)) == 2
    assert refusals(path)[-1].endswith("(refused 99 more times within a minute)")
    assert path.stat().st_size - size < 2_000
