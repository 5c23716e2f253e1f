"""The first `make` on a fresh checkout, as a new user sees it in a terminal (issue 18
item 15): one line saying what is happening, no pip chatter, no setuptools warning box."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.terminal.tmux import Terminal

REPO = Path(__file__).resolve().parents[2]
_REAL_CACHE = os.environ.get("XDG_CACHE_HOME")  # read before the fixtures isolate HOME


def test_first_make_says_what_it_is_doing_and_nothing_else(tmp_path: Path) -> None:
    checkout = tmp_path / "maca"
    shutil.copytree(REPO, checkout, ignore=shutil.ignore_patterns(
        ".venv", ".git", "*.egg-info", "__pycache__", "__snapshots__", "tests", "benchmarks"))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", str(tmp_path)),
           "TERM": "xterm-256color"}
    if _REAL_CACHE:
        env["XDG_CACHE_HOME"] = _REAL_CACHE  # the warm pip cache, as on a developer's machine
    term = Terminal(["make", "-C", str(checkout), "--no-print-directory", ".venv/.installed"], env, width=100, height=30)
    try:
        screen = term.wait_for("MACA-EXITED", timeout=240)
    finally:
        term.close()
    shown = [line for line in screen.splitlines() if line.strip()]
    assert shown == ["maca: setting up (first run only, about 30 s)…", "maca: ready.", "MACA-EXITED 0"], screen
    assert (checkout / ".venv" / ".installed").exists()
