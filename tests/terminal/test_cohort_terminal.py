"""`maca --db` in a real terminal: import a CSV into the cohort section, pick a case by
keyboard with a reason, quit, and find both on disk."""

from __future__ import annotations

from pathlib import Path

from storage.demo import build_demo
from storage.lock import os_login
from storage.workspace import Workspace
from tests.terminal.tmux import MACA, Terminal, isolated_env

REF = "MACA-C86"
CSV = (
    "case_ref,unborn,older_siblings,domestic_abuse,substance_misuse,maternal_mental_health,"
    "males_in_household,engagement,notes\n"
    "TERM-001,yes,1,yes,no,yes,1,CSC:2020-02-01..2020-11-30,imported in tmux\n"
    "TERM-002,no,0,no,no,no,0,none,\n"
)


def test_import_csv_and_pick_a_case_by_keyboard(tmp_path: Path) -> None:
    db = tmp_path / "w.json"
    build_demo(db, os_login())
    extract = tmp_path / "extract.csv"
    extract.write_text(CSV, encoding="utf-8")
    term = Terminal([MACA, "--db", str(db)], isolated_env(tmp_path))
    try:
        term.wait_for("MACA-C86")
        term.keys("Enter")
        term.wait_for("▸1 Scope")
        term.keys("2")
        term.wait_for("In cohort 15/15")
        term.wait_for("showing 52 of 52")

        term.keys("i")
        term.wait_for("CSV file on this server")
        term.keys(str(extract), literal=True)
        term.keys("C-s")
        screen = term.wait_for("Import 2 cases?")
        assert "2 cases, 1 eligible, 0 unknown, 1 not eligible." in screen
        term.keys("y")
        term.wait_for("showing 54 of 54")

        term.keys("/")
        term.keys("term-001", literal=True)
        term.keys("Enter")
        term.wait_for("showing 1 of 54")
        term.keys("Space")
        term.wait_for("Add TERM-001 to the cohort")
        term.keys("picked at the tmux test", literal=True)
        term.keys("C-s")
        screen = term.wait_for("In cohort 16/15")
        assert "Reason: picked at the tmux test" in screen  # the detail pane
        term.keys("C-q")
        term.wait_for("MACA-EXITED 0")
    finally:
        term.close()
    ws = Workspace.open(db, os_login())
    assert len(ws.cases(REF)) == 54
    case = ws.case(REF, "TERM-001")
    assert case is not None and case.in_cohort
    assert case.decision_reason == "picked at the tmux test"
    assert case.notes == "imported in tmux"
    assert not ws.case(REF, "TERM-002").in_cohort
