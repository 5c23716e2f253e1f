"""Shared fixtures: no test ever touches a real user's data folder."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

TODAY = date(2021, 4, 20)  # the demo audit's fieldwork month: some milestones due, some overdue


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("MACA_DB", str(tmp_path / "default.json"))


@pytest.fixture(autouse=True)
def _no_disk_flush(monkeypatch: pytest.MonkeyPatch) -> None:
    """fsync asks the disk to make a write survive a power cut: ~0.5 ms each when the disk
    is idle, tens of ms when others are writing, and a save does several.  No test in this
    process cuts the power (the kill and crash tests run their writers in processes of
    their own, with the real fsync), so here it only checks the descriptor, as the real one
    does, and returns.  A test may still patch os.fsync to fail (tests/robustness)."""
    monkeypatch.setattr(os, "fsync", _fsync_checked)


def _fsync_checked(fd: int) -> None:
    os.fstat(fd)  # a closed or bad descriptor still raises OSError (EBADF)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/terminal drives tmux: mark it so `make test-fast` skips it
    (tmux tests elsewhere carry the mark themselves)."""
    terminal = Path(__file__).with_name("terminal")
    for item in items:
        if terminal in item.path.parents:
            item.add_marker(pytest.mark.terminal)
