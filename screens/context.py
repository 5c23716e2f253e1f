"""What every screen may ask of the app, without importing the app (tui sits above us)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Protocol, cast

from textual.message import Message

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
    """Another session saved: whatever is on screen should be read again."""
