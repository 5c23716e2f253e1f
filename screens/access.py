"""The one permission check for screens: may this login do it? If not, say why.

`Workspace.require` decides (audit/access.py) and journals a refusal; this turns its
refusal into the one sentence the user hears, so every key that edits refuses alike.
"""

from __future__ import annotations

from textual.widget import Widget

from audit.access import Act
from screens.context import ctx
from screens.saving import tell
from storage.errors import WorkspaceError


def allowed(widget: Widget, act: Act, *, audit: str = "", key: str = "", agency: str | None = None) -> bool:
    """True when the login may do `act`; otherwise tell the user why and return False."""
    try:
        ctx(widget.app).ws.require(act, agency=agency, audit=audit, key=key)
    except WorkspaceError as exc:
        tell(widget, str(exc), error=True)
        return False
    return True
