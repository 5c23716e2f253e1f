"""A dropped SSH connection (SIGHUP) while evidence is being typed loses nothing.

The app autosaves a draft half a second after the first unsaved change, and on SIGHUP
(or TERM) saves what each screen has before it ends. These tests type into a return,
hang up the terminal as a dropped connection would (after a pause, and at once, before
any autosave), and reopen the return in a new session.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from storage.demo import DEMO_AUDIT, build_demo
from storage.lock import os_login
from storage.returns import cohort_refs
from storage.workspace import Workspace
from tests.terminal.tmux import MACA, Terminal, isolated_env

EDITING = "▊ ✎ "
TYPED = "Seen at home on 3 March | [b]father[/b] present #2"


def _maca_pid(term: Terminal) -> int:
    pane_pid = subprocess.run(["tmux", "display", "-p", "-t", term.name, "#{pane_pid}"],
                              capture_output=True, text=True, check=True).stdout.strip()
    out = subprocess.run(["pgrep", "-f", "-P", pane_pid, "maca"], capture_output=True, text=True).stdout.split()
    if not out:  # the pane's shell may have exec'd env, which exec'd python
        out = subprocess.run(["pgrep", "-f", f"{MACA} --db"], capture_output=True, text=True).stdout.split()
    return int(out[0])


def _type_then_hang_up(tmp_path: Path, pause: float) -> tuple[Path, str]:
    """Type TYPED into the MID return of the first cohort case, wait `pause`, send SIGHUP;
    the workspace and the case's ref."""
    ws = build_demo(tmp_path / "w.json", os_login())
    case = cohort_refs(ws, DEMO_AUDIT)[0]
    env = isolated_env(tmp_path)
    term = Terminal([MACA, "--db", str(ws.path)], env)
    try:
        term.wait_for("MACA-C86")
        term.keys("Enter")
        term.wait_for("▸1 Scope")
        term.keys("3")
        term.wait_for("Returns due 30/04/2021")
        term.keys("l")
        term.keys("Enter")  # the first case's MID return
        term.wait_for(f"Case {case} · Midwifery (MID)")
        term.keys("y")
        term.wait_for("Involved with the child or family?: Yes")
        term.keys("G")  # the last row is the concern flag; just above it, the overall fields
        term.keys("k")
        term.wait_for("▊ Recommendations for the agency")
        term.keys("e")
        term.wait_for(EDITING)
        term.keys(TYPED, literal=True)
        term.wait_for("present #2")  # the last words typed are on screen
        time.sleep(pause)
        os.kill(_maca_pid(term), signal.SIGHUP)
        term.wait_for("MACA-EXITED", timeout=10)
    finally:
        term.close()
    return ws.path, case


def test_sighup_while_typing_evidence_keeps_the_draft(tmp_path: Path) -> None:
    path, case = _type_then_hang_up(tmp_path, pause=1.0)  # a person pausing for thought
    stored = Workspace.open(path, os_login()).get_return(DEMO_AUDIT, case, "MID")
    assert stored is not None and stored.status.value == "draft"
    assert stored.recommendations == TYPED


def test_sighup_before_the_autosave_saves_what_was_typed(tmp_path: Path) -> None:
    path, case = _type_then_hang_up(tmp_path, pause=0.0)  # the line drops mid-sentence
    stored = Workspace.open(path, os_login()).get_return(DEMO_AUDIT, case, "MID")
    assert stored is not None and stored.recommendations == TYPED
