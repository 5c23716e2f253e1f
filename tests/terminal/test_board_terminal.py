"""`maca` in a real terminal on the demo at the cohort stage: add a discussion point, promote it,
move its card, find it on disk."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from storage.demo import build_demo
from storage.lock import os_login
from tests.terminal.tmux import MACA, Terminal, isolated_env
from tests.workspace_files import on_disk

POINT = "Fathers | [b]unseen[/b] # at home. Nobody asked who lived there."


def test_promote_a_point_and_move_its_card_by_keyboard(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    db = tmp_path / "demo.json"
    build_demo(db, os_login())  # no discussion yet: the point added here is the first
    term = Terminal([MACA, "--db", str(db)], env)
    try:
        term.wait_for("MACA-C86")
        time.sleep(0.5)
        if "esc not now" in term.screen():  # a lead is shown open safeguarding concerns first
            term.keys("Escape")
        term.keys("Enter")
        term.wait_for("▸1 Scope")
        term.keys("4")
        term.wait_for("Worked less well, and why")
        time.sleep(0.5)  # the section's first draw settles; an 'l' read before it went to the case list
        term.keys("l")
        time.sleep(0.3)  # focus moves to the record, which no captured text shows; j must not reach the cases
        term.keys("j")  # the record's second objective: the promotion's default objective
        term.keys("W")
        term.wait_for("Save (ctrl+s)")
        term.keys(POINT, literal=True)
        term.keys("C-s")
        screen = term.wait_for("Saved: added a point")
        assert "• Fathers | [b]unseen[/b] # at home." in screen
        term.keys("p")
        term.wait_for("Promote to a finding")
        term.keys("C-s")
        screen = term.wait_for(lambda s: re.search(r"Promoted to F\d+ in Areas for", s) is not None)
        finding_id = re.search(r"Promoted to (F\d+)", screen)[1]  # type: ignore[index]
        term.keys("5")
        term.wait_for("▸5 Findings")
        term.keys("l", "G", "L")
        screen = term.wait_for(f"Moved {finding_id} to Recommendations")
        assert f"{finding_id} Fathers | [b]unseen[/b] # at" in screen  # the card, wrapped in its column
        term.keys("C-q")
        term.wait_for("MACA-EXITED 0")
    finally:
        term.close()
    data = on_disk(db)
    found = next(f for f in data["findings"].values() if f["id"] == finding_id)
    assert found["column"] == "recommendation"
    assert found["text"] == POINT and found["title"] == "Fathers | [b]unseen[/b] # at home."
    assert found["cases"] == ["RB-2020-001"] and found["objective"] == "fathers"
    discussion = data["discussions"]
    assert any(POINT in d["worked_less_well"] for d in discussion.values())
