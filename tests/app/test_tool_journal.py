"""Typing in the audit tool is journaled as net changes, not autosave by autosave (issue 14
item 3): the autosaves made while an editor is open are written at once, and the journal
gets one entry of the net change when the editor closes, the return is left, the app
quits, or after 30 s without an autosave; a session that crashed leaves its typing to
the next.  Budget: 1,000 characters typed into five answers, an autosave each half
second, grow the workspace's data files by no more than 60 KB."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import TextArea

from audit.return_transitions import set_answer
from screens.tool.rows import value_of
from storage.demo import DEMO_AUDIT
from storage.drafts import PENDING
from storage.layout import Layout
from storage.returns import open_return, save_draft
from storage.workspace import Workspace
from storage.workspace_file import load_workspace
from tests.app.helpers import app_for, demo_workspace, until
from tests.app.test_tool import first_case, go_to, open_tool
from tests.workspace_files import data_bytes, journal_on_disk

SENTENCE = "The midwife saw mother and baby at home; the plan was reviewed at each visit. "


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return demo_workspace(tmp_path).path


def size(path: Path) -> int:
    return sum(len(b) for b in data_bytes(path).values())


def entries_for(path: Path, key: str) -> list[dict[str, Any]]:
    return [e for e in journal_on_disk(path) if e["key"] == key]


def pending(path: Path) -> list[dict[str, Any]]:
    """The autosaves waiting to be journaled, in every audit's file (storage.drafts)."""
    return [rec for file in Layout(path).audit_files().values()
            for rec in load_workspace(file)[0].get(PENDING, {}).values()]


def questions(tool) -> list[str]:
    return [r.id for r in tool.rows if r.kind == "question"]


async def type_in(pilot, tool, text: str, every: int = 3) -> int:
    """Type `text` into the open editor, an autosave (what the half-second timer calls)
    after every `every` characters; how many autosaves."""
    area = tool.query_one("#tool-text", TextArea)
    saves = 0
    for start in range(0, len(text), every):
        area.insert(text[start:start + every])
        # The change is taken (the half-second timer may even have saved it already).
        await until(pilot, lambda: value_of(tool.editing, tool.ret) == area.text)
        tool.autosave.flush()  # off the event loop: saved once nothing is pending
        await until(pilot, lambda: not tool.autosave.pending)
        assert not tool.autosave.save_failure, tool.save_state
        saves += 1
    return saves


@pytest.mark.slow  # 333 autosaves through the screen
async def test_typing_1000_characters_into_five_answers_grows_the_workspace_by_at_most_60_kb(path: Path) -> None:
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        start, journal = size(path), len(journal_on_disk(path))
        saves = 0
        for row in questions(tool)[:5]:  # 200 characters each
            await go_to(pilot, tool, row)
            await pilot.press("e")
            await until(pilot, lambda: tool.editing is not None)
            saves += await type_in(pilot, tool, (SENTENCE * 3)[:200])
            await pilot.press("escape")  # the editor closes: its net change is journaled
            await until(pilot, lambda: tool.editing is None)
        key = tool.ret.key
        grown = size(path) - start
    assert saves >= 330
    assert grown <= 60_000, f"{saves} autosaves grew the workspace by {grown:,} bytes"
    entries = journal_on_disk(path)[journal:]
    # The first autosave inserted the return; then one entry a field, not one an autosave.
    assert [e["action"] for e in entries] == ["create"] + ["update"] * 5 and {e["key"] for e in entries} == {key}
    assert not pending(path)
    stored = Workspace.open(path, "rlead").get_return(DEMO_AUDIT, first_case(path), "MID")
    assert stored is not None and sum(len(a.evidence) for a in stored.answers.values()) >= 1000


async def test_typing_is_journaled_once_when_the_editor_closes(path: Path) -> None:
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        row = questions(tool)[0]
        await go_to(pilot, tool, row)
        await pilot.press("e")
        await until(pilot, lambda: tool.editing is not None)
        await type_in(pilot, tool, "Seen at home twice.")
        key = tool.ret.key
        saved = Workspace.open(path, "rlead").get_return(DEMO_AUDIT, first_case(path), "MID")
        assert saved is not None and "Seen at home twice." in [a.evidence for a in saved.answers.values()]
        before = entries_for(path, key)  # the first autosave inserted the return: one entry
        await pilot.press("escape")
        await until(pilot, lambda: tool.editing is None)
        after = entries_for(path, key)
    assert len(after) == len(before) + 1
    assert [a["evidence"] for a in after[-1]["after"]["answers"].values()] == ["Seen at home twice."]
    assert not pending(path)


async def test_thirty_seconds_idle_journal_the_typing_with_the_editor_still_open(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        await go_to(pilot, tool, questions(tool)[1])
        await pilot.press("e")
        await until(pilot, lambda: tool.editing is not None)
        await type_in(pilot, tool, "First words.")  # inserts the return: journaled at once
        count = len(journal_on_disk(path))
        monkeypatch.setattr("screens.tool.saving.IDLE_SECONDS", 3)  # 30 s, shortened
        await type_in(pilot, tool, " More words.")
        assert len(journal_on_disk(path)) == count and pending(path)
        await until(pilot, lambda: not pending(path), timeout=20)
        assert tool.editing is not None
        entry = journal_on_disk(path)[-1]
    assert len(journal_on_disk(path)) == count + 1
    assert [a["evidence"] for a in entry["after"]["answers"].values()] == ["First words. More words."]


@pytest.mark.parametrize("how", ["ctrl+q", "connection lost"])
async def test_quitting_with_the_editor_open_journals_the_typing(path: Path, how: str) -> None:
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        await go_to(pilot, tool, questions(tool)[0])
        await pilot.press("e")
        await until(pilot, lambda: tool.editing is not None)
        await type_in(pilot, tool, "Start.")
        count = len(journal_on_disk(path))
        await type_in(pilot, tool, " Seen by the health visitor.")
        if how == "ctrl+q":
            await pilot.press("ctrl+q")
        else:
            app.exit()  # screens unmount as the app closes
        await until(pilot, lambda: not app.is_running, timeout=20)
    entries = journal_on_disk(path)[count:]
    assert len(entries) == 1 and not pending(path)
    assert [a["evidence"] for a in entries[0]["after"]["answers"].values()] == ["Start. Seen by the health visitor."]


async def test_typing_left_by_a_crashed_session_is_journaled_by_the_next(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    typist = Workspace.open(path, "mid.coord")
    ret = open_return(typist, DEMO_AUDIT, first_case(path), "MID")
    ret = save_draft(typist, set_answer(ret, "mid.coord", datetime(2021, 4, 20, 9), "mid-curiosity-1",
                                        evidence="Begun"))
    count = len(journal_on_disk(path))
    save_draft(typist, set_answer(ret, "mid.coord", datetime(2021, 4, 20, 9), "mid-curiosity-1",
                                  evidence="Begun, then the connection dropped."), settle=False)
    del typist  # never settled: the session is gone
    assert len(journal_on_disk(path)) == count and pending(path)
    app = app_for(Workspace.open(path, "rlead"))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_tool(app, pilot)  # any screen that reads the audit
        app.settle_drafts()  # what the app's timer calls every few seconds
        assert len(journal_on_disk(path)) == count  # not idle for 30 s yet
        monkeypatch.setattr("storage.drafts.IDLE_SECONDS", 0)
        app.settle_drafts()
    [entry] = journal_on_disk(path)[count:]
    assert entry["who"] == "mid.coord" and not pending(path)
    assert entry["after"]["answers"]["mid-curiosity-1"]["evidence"] == "Begun, then the connection dropped."
