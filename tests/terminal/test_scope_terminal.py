"""`maca demo --fresh` in a real terminal: open the audit, edit an objective, find it on disk."""

from __future__ import annotations

import json
from pathlib import Path

from tests.terminal.tmux import MACA, Terminal, isolated_env


def test_edit_objective_by_keyboard_lands_on_disk(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    term = Terminal([MACA, "demo", "--fresh"], env)
    try:
        term.wait_for("MACA-C86")
        term.keys("Enter")
        term.wait_for("▸1 Scope")
        term.wait_for("1 curiosity: Professional curiosity")
        for _ in range(10):  # title, kind, linked, stage, background, purpose x4, objectives heading
            term.keys("j")
        term.keys("e")
        term.wait_for("What the audit will seek to understand")
        term.keys("Tab")
        term.keys("C-e", "C-u")  # clear the title input
        term.keys("Curiosity | [b]respectful[/b] uncertainty", literal=True)
        term.keys("C-s")
        screen = term.wait_for("Saved: edited objective curiosity")
        assert "Objective 1: Curiosity | [b]respectful[/b] uncertainty" in screen  # the detail pane
        term.keys("C-q")
        term.wait_for("MACA-EXITED 0")
    finally:
        term.close()
    data = json.loads((Path(env["XDG_DATA_HOME"]) / "maca" / "demo" / "partnership.json").read_text())
    audit = next(iter(data["audits"].values()))
    assert audit["objectives"][0]["title"] == "Curiosity | [b]respectful[/b] uncertainty"


def test_a_second_session_sees_the_change_live(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    first = Terminal([MACA, "demo", "--fresh"], env)
    second = None
    try:
        first.wait_for("MACA-C86")
        second = Terminal([MACA, "demo"], env)
        second.wait_for("MACA-C86")
        for term in (first, second):
            term.keys("Enter")
            term.wait_for("Title: Unborn babies")
        first.keys("e")
        first.wait_for("Save (ctrl+s)")
        first.keys("C-e", "C-u")
        first.keys("Babies before birth", literal=True)
        first.keys("C-s")
        first.wait_for("Saved: changed the title")
        # The second session notices the save by itself (it polls the file each second).
        second.wait_for("Title: Babies before birth", timeout=5)
    finally:
        first.close()
        if second is not None:
            second.close()
