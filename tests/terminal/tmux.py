"""Driving the real `maca` command in tmux, as a person at a terminal would."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

MACA = str(Path(sys.executable).with_name("maca"))


def need_tmux() -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (make test installs it)")


class Terminal:
    """One tmux session running one command at a fixed size."""

    def __init__(self, command: list[str], env: dict[str, str], *, width: int = 120, height: int = 40) -> None:
        need_tmux()
        self.name = f"maca-test-{uuid.uuid4().hex[:8]}"
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        line = f"env {exports} {' '.join(shlex.quote(c) for c in command)}; echo MACA-EXITED $?; sleep 30"
        subprocess.run(
            ["tmux", "new-session", "-d", "-x", str(width), "-y", str(height), "-s", self.name, line],
            check=True,
            env={**os.environ, "TERM": "xterm-256color"},
        )

    def screen(self) -> str:
        out = subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True)
        return out.stdout

    def keys(self, *keys: str, literal: bool = False, settle: float = 1.0) -> str:
        """Type keys, then wait until the screen shows their effect (or `settle` seconds
        pass, for a key that changes nothing), so the next key is not typed ahead of the
        app: an escape read together with the next key would arrive as alt+key."""
        before = self.screen()
        args = ["tmux", "send-keys", "-t", self.name]
        if literal:
            args.append("-l")
        subprocess.run([*args, *keys], check=True)
        return self._changed(before, settle)

    def _changed(self, before: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        screen = self.screen()
        while screen == before and time.monotonic() < deadline:
            time.sleep(0.02)
            screen = self.screen()
        return screen

    def wait_for(self, predicate: str | Callable[[str], bool], timeout: float = 15.0) -> str:
        test = (lambda s: predicate in s) if isinstance(predicate, str) else predicate
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if test(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {predicate!r}; the screen shows:\n{screen}")

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def isolated_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "term-home"
    home.mkdir(exist_ok=True)
    return {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "MACA_DB": str(tmp_path / "default.json"),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }
