"""Quitting gives the terminal back as it was: no mouse reporting, the cursor visible, the
main screen (not the app's alternate one), line wrapping and line editing on, and a
shell prompt that works.  Run in tmux, which reports the modes the app left set.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.terminal.tmux import MACA, Terminal, isolated_env

pytestmark = pytest.mark.terminal

PROMPT = "clean-test$ "
MODES = {
    "mouse_standard_flag": "0",
    "mouse_button_flag": "0",
    "mouse_any_flag": "0",
    "mouse_sgr_flag": "0",
    "cursor_flag": "1",
    "alternate_on": "0",
    "wrap_flag": "1",
}


def modes(term: Terminal) -> dict[str, str]:
    fmt = " ".join(f"#{{{name}}}" for name in MODES)
    out = subprocess.run(["tmux", "display", "-p", "-t", term.name, fmt], capture_output=True, text=True,
                         check=True).stdout.split()
    return dict(zip(MODES, out))


def _from_home(term: Terminal) -> None:
    pass


def _from_help_over_an_audit(term: Terminal) -> None:
    term.keys("Enter")
    term.wait_for("1 Scope")
    term.keys("?")
    term.wait_for("Keys in the Scope section")


def _from_the_command_palette(term: Terminal) -> None:
    term.keys("C-p")
    term.wait_for("Search")


@pytest.mark.parametrize("where", [_from_home, _from_help_over_an_audit, _from_the_command_palette],
                         ids=["home", "help-over-an-audit", "command-palette"])
def test_ctrl_q_leaves_the_terminal_clean(tmp_path: Path, where) -> None:  # noqa: ANN001
    env = {**isolated_env(tmp_path), "PS1": PROMPT}
    term = Terminal(["bash", "--norc", "--noprofile", "-i"], env, width=100, height=30)
    try:
        term.wait_for(PROMPT.strip())
        term.keys(f"{MACA} demo --fresh", literal=True)
        term.keys("Enter")
        term.wait_for("MACA-C86")
        running = modes(term)
        # The query sees what the app turned on, so the checks below can fail.
        assert (running["alternate_on"], running["mouse_any_flag"], running["cursor_flag"]) == ("1", "1", "0")
        where(term)
        term.keys("C-q")
        # Back at the prompt: the app's screen is gone and the shell waits for a command.
        term.wait_for(lambda s: "MACA-C86" not in s and s.rstrip().endswith(PROMPT.strip()))
        term.keys("echo back-to-$((6*7))", literal=True)
        term.keys("Enter")
        term.wait_for("back-to-42")
        assert modes(term) == MODES
        # Line editing, echo and signals are on again (bash adopts the modes a job that
        # exits successfully leaves behind, so a raw terminal would show here).
        term.keys("""echo "tty""=$(stty -a | grep -o -w -E -- '-?(echo|icanon|isig)' | sort | xargs)" """,
                  literal=True)
        term.keys("Enter")
        screen = term.wait_for(lambda s: re.search(r"^tty=", s, re.M) is not None)
        assert re.search(r"^tty=(.*)$", screen, re.M).group(1).strip() == "echo icanon isig"
    finally:
        term.close()

