"""Saving from a screen: one path for success, refusal, conflict and failure.

Every edit in the app is a function from the stored document to the edited one.  That
is what makes conflicts resolvable: when someone else saved first, the user sees both
versions and can put their change on top of the newer version, or drop it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual.widget import Widget

from screens.modals.conflict import ConflictScreen
from storage.errors import ConflictError, WorkspaceError

T = TypeVar("T")


def tell(widget: Widget, message: str, *, error: bool = False) -> None:
    """A notification whose text is never read as markup."""
    widget.app.notify(message, severity="error" if error else "information", markup=False,
                      timeout=8 if error else 4)


async def apply_change(
    widget: Widget,
    *,
    latest: Callable[[], T | None],
    change: Callable[[T], T],
    save: Callable[[T], T],
    done: str = "Saved.",
) -> T | None:
    """Save `change(latest())`; on a conflict ask the user, and retry on their say-so.

    Must run in a worker (it waits for the conflict dialog).  Returns the saved document,
    or None when nothing was saved (refused, failed, or the user kept the other version).
    """
    while True:
        current = latest()
        if current is None:
            tell(widget, "It was deleted by someone else; nothing was saved.", error=True)
            return None
        try:
            edited = change(current)
        except ValueError as exc:
            tell(widget, str(exc), error=True)
            return None
        try:
            saved = save(edited)
        except ConflictError as exc:
            choice = await widget.app.push_screen_wait(ConflictScreen(str(exc), exc.mine, exc.theirs))
            widget.app.ws.refresh()  # type: ignore[attr-defined]
            if choice == "mine":
                continue
            tell(widget, "Kept the other version; your change was not saved." if choice == "theirs"
                 else "Nothing was saved; the other version is shown.")
            return None
        except WorkspaceError as exc:
            tell(widget, str(exc), error=True)
            return None
        tell(widget, done)
        return saved
