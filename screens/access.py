"""The one permission check for screens: may this login do it? If not, say why.

`Workspace.require` decides (audit/access.py) and journals a refusal; `allowed` turns its
refusal into the one sentence the user hears, so every key that edits refuses alike.

The footer shows the same answer before a key is pressed: a screen or section lists in
`ACTS` what each of its editing actions needs, and its `check_action` returns `permitted`,
which dims the key (None) when the login may not.  A dimmed key still answers when
pressed (`run_dimmed`): its action runs and refuses with the sentence, journaled, exactly
as before; only the footer warns first.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from textual import events
from textual.actions import parse
from textual.app import App
from textual.dom import DOMNode

from audit.access import Act
from screens.context import ctx
from screens.saving import tell
from storage.errors import WorkspaceError

# action name → the act it needs, or acts of which any one will do (a co-ordinator
# proposes the finding a lead adds).
Acts = Mapping[str, Act | tuple[Act, ...]]


def allowed(widget: DOMNode, act: Act, *, audit: str = "", key: str = "", agency: str | None = None) -> bool:
    """True when the login may do `act`; otherwise tell the user why and return False."""
    try:
        ctx(widget.app).ws.require(act, agency=agency, audit=audit, key=key)
    except WorkspaceError as exc:
        tell(widget, str(exc), error=True)
        return False
    return True


def permitted(node: DOMNode, acts: Acts, action: str, *, agency: str | None = None) -> bool | None:
    """`check_action`'s answer on permission: True, or None (shown dimmed) when `action`
    needs an act this login may not do (`agency`: the one whose return or action it is)."""
    needs = acts.get(action)
    if needs is None:
        return True
    ws = ctx(node.app).ws
    return True if any(ws.can(act, agency=agency) for act in (needs if isinstance(needs, tuple) else (needs,))) \
        else None


async def run_dimmed(app: App[Any], event: events.Key) -> None:
    """Run the action of a dimmed key (one `check_action` answered None for), which Textual
    would otherwise drop: the action refuses and says why, as it did before keys were dimmed."""
    active = app.screen.active_bindings.get(event.key)
    if active is None or active.enabled:
        return
    namespace, name, parameters = parse(active.binding.action)
    method = getattr(active.node, f"action_{name}", None)
    if namespace or method is None:
        return
    event.prevent_default()  # Textual's own look at the bindings would find it dimmed too
    result = method(*parameters)
    if inspect.isawaitable(result):
        await result
