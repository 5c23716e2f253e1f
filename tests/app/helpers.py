"""Building apps on throw-away workspaces for Pilot and snapshot tests."""

from __future__ import annotations

from pathlib import Path

from storage.demo import build_demo
from storage.lock import os_login
from storage.workspace import Workspace
from tests.conftest import TODAY
from tui.app import MacaApp, build_app


def demo_workspace(tmp_path: Path) -> Workspace:
    """The demo workspace with this process's login as a lead."""
    return build_demo(tmp_path / "demo.json", os_login())


def app_for(ws: Workspace) -> MacaApp:
    """An app with a fixed date and no file watching (tests call poll_workspace themselves)."""
    return build_app(ws, today=TODAY, watch_interval=0)


def open_as(path: Path, login: str) -> Workspace:
    return Workspace.open(path, login)
