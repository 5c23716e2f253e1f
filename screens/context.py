"""What every screen may ask of the app, without importing the app (tui sits above us)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, cast

from textual.message import Message

from storage.watch import Changes

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from screens.served import Served
    from storage.workspace import Workspace


class MacaContext(Protocol):
    ws: Workspace
    served: Served | None  # under `maca serve`: no field may name a server path

    def today(self) -> date: ...


def ctx(app: App) -> MacaContext:
    """The running app seen as the screens' context (the app implements MacaContext)."""
    return cast("MacaContext", app)


def covered(screen: Screen[Any]) -> bool:
    """Whether a full screen lies above `screen` in the stack (a dialog does not hide it):
    such a screen redraws once, when shown again, not on every commit."""
    try:
        stack = screen.app.screen_stack
    except Exception:  # the app is closing
        return True
    if screen not in stack:
        return True
    return any(not above.is_modal for above in stack[stack.index(screen) + 1:])


class WorkspaceChanged(Message):
    """The workspace committed a change, this session's or another's: what is on screen
    should be read again (`changes` says which files, for a screen that shows one audit).

    The app posts it to every screen after every commit (tui/app.py); screens refresh
    from it alone, never by hand after a save of their own."""

    def __init__(self, changes: Changes | None = None) -> None:
        super().__init__()
        self.changes = changes if changes is not None else Changes(partnership=True, own=False)

