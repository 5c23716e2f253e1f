"""Enter in a one-line field submits the form (issue 18 item 2): a missing value is said at
once, focus stays in the field, and what is typed next lands there, never in a button."""

from __future__ import annotations

from pathlib import Path

from storage.demo import build_demo
from storage.lock import os_login
from storage.workspace import Workspace
from tests.terminal.tmux import MACA, Terminal, isolated_env

REF = "MACA-C86"


def test_enter_in_the_cohort_reason_submits_and_keeps_typing_in_the_field(tmp_path: Path) -> None:
    db = tmp_path / "w.json"
    build_demo(db, os_login())
    term = Terminal([MACA, "--db", str(db)], isolated_env(tmp_path))
    try:
        term.wait_for("MACA-C86")
        term.keys("Enter")
        term.wait_for("▸1 Scope")
        term.keys("2")
        term.wait_for("In cohort 15/15")
        term.keys("/")
        term.keys("RB-2020-004", literal=True)
        term.keys("Enter")
        term.wait_for("showing 1 of 52")
        term.keys("Space")
        term.wait_for("Add RB-2020-004 to the cohort")
        term.keys("Enter")  # nothing typed yet: said at once, not on a second Enter
        term.wait_for("this is required")
        term.keys("chosen in tmux by Enter", literal=True)
        term.keys("Enter")
        screen = term.wait_for("In cohort 16/15")
        assert "Reason: chosen in tmux by Enter" in screen
        term.keys("C-q")
        term.wait_for("MACA-EXITED 0")
    finally:
        term.close()
    case = Workspace.open(db, os_login()).case(REF, "RB-2020-004")
    assert case is not None and case.in_cohort and case.decision_reason == "chosen in tmux by Enter"


def test_enter_after_a_date_in_the_audit_tool_saves_it_and_keys_work_at_once(tmp_path: Path) -> None:
    db = tmp_path / "w.json"
    build_demo(db, os_login())
    term = Terminal([MACA, "--db", str(db)], isolated_env(tmp_path))
    try:
        term.wait_for("MACA-C86")
        term.keys("Enter")
        term.wait_for("▸1 Scope")
        term.keys("3")
        term.wait_for("Returns due")
        term.keys("l")
        term.keys("Enter")  # MID, the first case
        term.wait_for("Date completed")
        for _ in range(6):
            term.keys("j")
        term.keys("e")
        term.wait_for("enter or esc: done")
        term.keys("28/02/2021", literal=True)
        term.keys("Enter")
        term.wait_for("Date completed: 28/02/2021")
        term.keys("k")  # the list has the keys again: up to the auditor's role
        term.keys("e")
        term.keys("Named midwife", literal=True)
        term.keys("Enter")
        term.wait_for("Auditor's role: Named midwife")
        term.keys("Escape")
        term.wait_for("Returns due")
        term.keys("C-q")
        term.wait_for("MACA-EXITED 0")
    finally:
        term.close()
    ret = Workspace.open(db, os_login()).get_return(REF, "RB-2020-001", "MID")
    assert ret is not None and str(ret.completed_on) == "2021-02-28" and ret.auditor_role == "Named midwife"
