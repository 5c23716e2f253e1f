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
    """An app with a fixed date and no file watching (tests call poll_workspace themselves).
    Every notification it posts is also kept for `told`."""
    app = build_app(ws, today=TODAY, watch_interval=0)
    posted: list[str] = []
    notify = app.notify

    def keep(message, *args, **kwargs):  # type: ignore[no-untyped-def]
        posted.append(str(message))
        return notify(message, *args, **kwargs)

    app.notify = keep  # type: ignore[method-assign]
    app._told = posted  # type: ignore[attr-defined]
    return app


def open_as(path: Path, login: str) -> Workspace:
    return Workspace.open(path, login)


async def until(pilot, condition, timeout: float = 20.0) -> bool:
    """Let the app run until `condition()` holds: keys start workers and mounts that take
    a few frames, more on a loaded machine, so a fixed number of pauses is not enough.
    The timeout is generous (eight test runs on two cores made 5 s flaky): waiting costs
    nothing once the condition holds, only a failing test waits it out.

    The one waiting helper of the tests: it fails the test with the condition's name on
    timeout, and returns True so that `assert await until(...)` reads naturally."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {getattr(condition, '__name__', condition)}")
        await pilot.pause(0.02)
    return True


def notes(app, severity: str | None = None) -> list[str]:
    """The messages of the notifications the app is showing, oldest first (only those of
    one ``severity``, "information", "warning" or "error", when given).

    Textual keeps them in a private list; this is the one place tests read it, so a
    change in Textual is fixed here."""
    return [n.message for n in app._notifications if severity is None or n.severity == severity]


def told(app) -> list[str]:
    """Every message the app has notified since it was built by `app_for`, oldest first,
    including those that have timed out (a slow run can outlast a 10 s notification:
    `notes` then no longer sees it)."""
    return list(app._told)


async def press_until(pilot, key: str, condition, timeout: float = 20.0) -> None:
    await pilot.press(key)
    await until(pilot, condition, timeout)


def idle(app) -> bool:
    """No worker of the app is still running (edits save in workers)."""
    from textual.worker import WorkerState

    return not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers)


async def open_audit(pilot) -> None:
    """Press enter on the home screen and wait for the audit's first section to take focus."""
    from screens.audit.screen import AuditScreen

    await until(pilot, lambda: pilot.app.focused is not None)  # home's table has focus
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, AuditScreen) and pilot.app.focused is not None
                and pilot.app.screen.current != "")
