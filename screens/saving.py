"""Saving from a screen: one path for success, refusal, conflict and failure.

Every edit in the app is a function from the stored document to the edited one.  That
is what makes conflicts resolvable: when someone else saved first, the user sees both
versions and can put their change on top of the newer version, or drop it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from textual.dom import DOMNode
from textual.widget import Widget

from audit.codec import to_doc
from screens.dialogs.conflict import ConflictScreen
from screens.identifiers import warn_identifiers
from storage.errors import ConflictError, WorkspaceError

T = TypeVar("T")

SLOW_WAIT = 1.0  # seconds: a save that waited longer than this for the lock says so


def tell(widget: DOMNode, message: str, *, error: bool = False) -> None:
    """A notification whose text is never read as markup."""
    widget.app.notify(message, severity="error" if error else "information", markup=False,
                      timeout=8 if error else 4)


def _changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {k for k in set(before) | set(after) if k != "rev" and before.get(k) != after.get(k)}


async def off_loop(work: Callable[[], T]) -> T:
    """Run a storage call in a thread: a save (its lock wait, encoding, fsyncs) never holds
    up the event loop.  The workspace announces the commit itself (WorkspaceChanged)."""
    return await asyncio.to_thread(work)


async def commit(widget: Widget, save: Callable[[], T], *, done: str | None = "Saved.",
                 retry: bool = True, conflict: str = "") -> T | None:
    """The one way a screen saves: `save()` runs off the event loop; a refusal or failure
    is one sentence and nothing changed; a conflict shows both versions and the user
    chooses ("mine" runs `save` again, which reads the latest version itself; with
    ``retry=False`` a conflict is told, not asked: `conflict`, or the error's sentence).  Returns what `save` returned, or None
    when nothing was saved.  Must run in a worker when it may ask (it waits for a dialog).
    """
    while True:
        try:
            saved = await off_loop(save)
        except ConflictError as exc:
            if not retry:
                tell(widget, conflict or str(exc), error=True)
                return None
            if await ask_conflict(widget, str(exc), exc.mine, exc.theirs) != "mine":
                return None
            continue
        except (WorkspaceError, ValueError) as exc:
            tell(widget, str(exc), error=True)
            return None
        if done:
            tell(widget, _after_wait(widget, done))
        return saved


async def ask_conflict(widget: Widget, message: str, mine: dict[str, Any] | None,
                       theirs: dict[str, Any] | None, *, mine_label: str | None = None,
                       later: str = "Nothing was saved; the other version is shown.") -> str | None:
    """Both versions side by side; the user's choice ("mine", "theirs" or None), told
    (`later`: what deciding later means, for a screen that keeps the change to ask again)."""
    extra = {"mine_label": mine_label} if mine_label else {}
    choice = await widget.app.push_screen_wait(ConflictScreen(message, mine, theirs, **extra))
    widget.app.ws.refresh()  # type: ignore[attr-defined]  # their version, for "mine" to go on top of
    if choice != "mine":
        tell(widget, "Kept the other version; your change was not saved." if choice == "theirs" else later)
    return str(choice) if choice else None


def _after_wait(widget: Widget, done: str) -> str:
    waited = widget.app.ws.last_lock_wait  # type: ignore[attr-defined]
    if waited >= SLOW_WAIT:
        return done.rstrip(".") + f", after waiting {waited:.1f} s for another session's save."
    return done


async def apply_change(
    widget: Widget,
    *,
    latest: Callable[[], T | None],
    change: Callable[[T], T],
    save: Callable[[T], T],
    base: T | None = None,
    done: str = "Saved.",
) -> T | None:
    """Save `change(latest())`, asking the user when someone else changed the same thing.

    `base` is the version the user was looking at when they started the edit.  If
    another session saved since, and its changes touch the same fields as this edit,
    the user sees both versions and chooses; if they touch other fields, this edit is
    simply applied on top of theirs, so neither is lost.  Must run in a worker (it
    waits for the dialog); the save itself runs off the event loop (`commit`).  Returns
    the saved document, or None when nothing was saved.
    """
    while True:
        current = latest()
        if current is None:
            tell(widget, "It was deleted by someone else; nothing was saved.", error=True)
            return None
        try:
            edited = change(current)
            conflict = None
            if base is not None and getattr(current, "rev", None) != getattr(base, "rev", None):
                base_doc, theirs = to_doc(base), to_doc(current)
                mine = to_doc(change(base))
                if _changed(base_doc, mine) & _changed(base_doc, theirs):
                    conflict = ("Someone else saved a change to the same thing while you were editing it.",
                                mine, theirs)
        except ValueError as exc:
            tell(widget, str(exc), error=True)
            return None
        if conflict is None:
            try:
                saved = await off_loop(lambda: save(edited))
            except ConflictError as exc:  # they saved between our read and our write
                conflict = (str(exc), exc.mine, exc.theirs)
            except WorkspaceError as exc:
                tell(widget, str(exc), error=True)
                return None
            else:
                tell(widget, _after_wait(widget, done))
                warn_identifiers(widget, current, saved)
                return saved
        message, mine_doc, theirs_doc = conflict
        if await ask_conflict(widget, message, mine_doc, theirs_doc) != "mine":
            return None
        base = latest()  # "put mine on top": apply the same edit to their version
