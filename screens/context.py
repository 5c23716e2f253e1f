"""What every screen may ask of the app, without importing the app (tui sits above us)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Protocol, cast

from textual.message import Message

from storage.watch import Changes

if TYPE_CHECKING:
    from textual.app import App

    from screens.served import Served
    from storage.workspace import Workspace


class MacaContext(Protocol):
    ws: Workspace
    served: Served | None  # under `maca serve`: no field may name a server path

    def today(self) -> date: ...


def ctx(app: App) -> MacaContext:
    """The running app seen as the screens' context (the app implements MacaContext)."""
    return cast("MacaContext", app)


class WorkspaceChanged(Message):
    """The workspace committed a change, this session's or another's: what is on screen
    should be read again (`changes` says which files, for a screen that shows one audit).

    The app posts it to every screen after every commit (tui/app.py); screens refresh
    from it alone, never by hand after a save of their own."""

    def __init__(self, changes: Changes | None = None) -> None:
        super().__init__()
        self.changes = changes if changes is not None else Changes(partnership=True, own=False)

