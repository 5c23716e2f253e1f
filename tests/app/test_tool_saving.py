"""The audit tool saves off the event loop (issue 14 item 4): an autosave whose storage
call is held up (the workspace lock, a slow disk) does not stop the app answering keys,
and what is typed meanwhile is saved by the next autosave, or on the way out."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

import storage.returns
from storage.demo import DEMO_AUDIT
from storage.workspace import Workspace
from tests.app.helpers import app_for, demo_workspace, notes, until
from tests.app.test_tool import go_to, open_tool, stored, wait_saved


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return demo_workspace(tmp_path).path


class HeldSaves:
    """`storage.returns.save_draft`, held until released (at most `hold` seconds)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, hold: float = 10.0) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.finished = threading.Event()
        self.threads: list[int] = []
        self.hold = hold
        self.original = storage.returns.save_draft
        monkeypatch.setattr("storage.returns.save_draft", self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.threads.append(threading.get_ident())
        self.entered.set()
        self.release.wait(self.hold)
        try:
            return self.original(*args, **kwargs)
        finally:
            self.finished.set()


async def test_a_held_up_autosave_does_not_stop_the_tool_answering_keys(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        await go_to(pilot, tool, "question:mid-curiosity-1")
        held = HeldSaves(monkeypatch)
        await pilot.press("y")
        assert await until(pilot, held.entered.is_set)  # the autosave is under way, held
        await pilot.press("j")
        assert await until(pilot, lambda: tool.current_row().id == "question:mid-curiosity-2")
        await pilot.press("n")  # answered while the first save is still held
        assert await until(pilot, lambda: "mid-curiosity-2" in tool.ret.answers)
        answered_while_held = not held.finished.is_set()
        held.release.set()
        await wait_saved(pilot, tool)
    assert answered_while_held, "the keys waited for the save: it ran on the event loop"
    assert threading.main_thread().ident not in held.threads
    answers = stored(path)["answers"]
    assert answers["mid-curiosity-1"]["answer"] == "yes" and answers["mid-curiosity-2"]["answer"] == "no"


async def test_quitting_while_an_autosave_is_held_up_saves_everything(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        await go_to(pilot, tool, "overall.good_practice")
        held = HeldSaves(monkeypatch)
        await pilot.press("e", *"Begun")
        assert await until(pilot, held.entered.is_set)
        await pilot.press(*", and finished before ctrl+q")
        assert not held.finished.is_set() and tool.autosave.pending
        threading.Timer(0.5, held.release.set).start()  # the lock comes free while quitting waits
        await pilot.press("ctrl+q")
        await until(pilot, lambda: not app.is_running)
    assert stored(path)["good_practice"] == "Begun, and finished before ctrl+q"


async def test_an_identifier_is_told_by_the_save_that_brought_it_while_typing_goes_on(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = Workspace.open(path, "mid.coord")
    victim = next(c for c in ws.cases(DEMO_AUDIT) if c.child_dob is not None)
    warning = "This looks like the date of birth of a case: reports will refuse it until it is taken out."
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        await go_to(pilot, tool, "header.summary")
        held = HeldSaves(monkeypatch)
        await pilot.press("e", *f"Born {victim.child_dob:%d/%m/%Y}.")
        assert await until(pilot, held.entered.is_set)
        await pilot.press(*" Seen at booking.")  # typed while that save is held: the next one saves it
        held.release.set()
        await wait_saved(pilot, tool)
        assert await until(pilot, lambda: warning in notes(app))
        assert notes(app).count(warning) == 1
