"""The `maca` command runs Python isolated from `PYTHON*` variables (issue 15 item 4).

The attack: `PYTHONINSPECT=1` reached a lead's session (through `~/.pam_environment`),
and `ctrl+q` left them at a Python prompt.  Run on a real terminal (a pty), as sshd would.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.terminal.tmux import MACA

TYPED = b'print("PWN" + "ED")\nexit()\n'


def on_a_pty(command: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run ``command`` with a pty as its terminal, type a line of Python, return what showed."""
    master, slave = os.openpty()
    proc = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    os.write(master, TYPED)
    out = b""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(timeout=30), out.decode("utf-8", "replace")


def hostile_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONINSPECT": "1", "PYTHONSTARTUP": str(tmp_path / "nope.py"),
            "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}


def test_pythoninspect_gives_no_prompt_after_maca(tmp_path: Path) -> None:
    code, shown = on_a_pty([str(MACA), "check", "--db", str(tmp_path / "none")], hostile_env(tmp_path))
    assert code == 2
    assert "maca: There is no workspace at" in shown
    assert "PWNED" not in shown and ">>>" not in shown


def test_the_same_without_the_guard_would_give_a_prompt(tmp_path: Path) -> None:
    """The control: the attack is real, so the test above would catch its return."""
    code, shown = on_a_pty([sys.executable, "-c", "from tui.cli import main; raise SystemExit(main(['check', "
                            f"'--db', {str(tmp_path / 'none')!r}]))"], hostile_env(tmp_path))
    assert "PWNED" in shown


def test_arguments_pass_intact_through_the_new_start(tmp_path: Path) -> None:
    odd = tmp_path / "a folder ü" / "w s.json"
    code, shown = on_a_pty([str(MACA), "check", "--db", str(odd)], hostile_env(tmp_path))
    assert code == 2
    assert f"There is no workspace at {odd}; nothing was checked." in shown
