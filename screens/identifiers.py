"""Identifiers typed into free text, told at the source (issue 16 item 4).

When anyone saves text that holds an identifier of a case of the same audit, the app
says so at once, without repeating it ("this looks like the family name of a case:
reports will refuse it").  The save still happens: it is their record.  Called by the
one save path of the forms (:func:`screens.saving.apply_change`) and by the audit
tool's autosave.
"""

from __future__ import annotations

from typing import Any

from textual.widget import Widget

from screens.context import ctx
from storage.errors import WorkspaceError
from storage.guard import holds_identifier, identifier_warning


def warn_identifiers(widget: Widget, before: Any, after: Any) -> str:
    """Notify (as a warning) when ``after`` holds more identifiers than ``before``;
    returns the sentence, or "" when there is nothing to say."""
    try:
        text = identifier_warning(ctx(widget.app).ws, before, after)
    except WorkspaceError:
        return ""  # the save succeeded; a failed look-up must not turn it into an error
    if text:
        widget.app.notify(text, title="Identifier in the text?", severity="warning", markup=False, timeout=10)
    return text


def holds_identifiers(widget: Widget, obj: Any) -> bool:
    """Whether ``obj`` holds what looks like an identifier of a case (never raises)."""
    try:
        return holds_identifier(ctx(widget.app).ws, obj)
    except WorkspaceError:
        return False
