"""Journaling refusals without letting anyone grow the workspace at will (issue 15 item 7).

Every refused action is journaled (DESIGN §8), but a viewer holding down `J` must not
add an entry per key press.  The first refusal is journaled at once; identical ones by
the same login (same action, record and reason) within the next minute are only
counted, and when that minute is over the count is journaled as one more entry
("... refused 99 more times within a minute").  So a burst costs at most two entries a
minute, whatever its length.  The count is flushed when the window closes (on the next
refusal, or the app's poll) and when the session ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storage.errors import WorkspaceError

if TYPE_CHECKING:
    from storage.workspace import Workspace

__all__ = ["WINDOW", "RefusalLog"]

WINDOW = 60.0  # seconds


@dataclass
class _Burst:
    started: float
    key: str
    audit: str
    reason: str
    more: int = 0


class RefusalLog:
    """The refusals of one workspace session still being counted."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._open: dict[tuple[str, str, str], _Burst] = {}

    def record(self, ws: Workspace, *, key: str, audit: str, reason: str) -> None:
        now = self.clock()
        self.flush(ws, now)
        burst = self._open.get((key, audit, reason))
        if burst is not None:
            burst.more += 1
            return
        self._open[(key, audit, reason)] = _Burst(now, key, audit, reason)
        _journal(ws, key, audit, reason)

    def flush(self, ws: Workspace, now: float | None = None, *, everything: bool = False) -> None:
        """Journal the count of every burst whose minute is over (or all, at the end)."""
        now = self.clock() if now is None else now
        for ident, burst in list(self._open.items()):
            if everything or now - burst.started >= WINDOW:
                del self._open[ident]
                if burst.more:
                    times = "1 more time" if burst.more == 1 else f"{burst.more} more times"
                    _journal(ws, burst.key, burst.audit, f"{burst.reason} (refused {times} within a minute)")


def _journal(ws: Workspace, key: str, audit: str, summary: str) -> None:
    try:
        with ws.transaction() as tx:
            tx.journal("refused", "", key, summary, audit=audit)
    except WorkspaceError:
        pass  # the refusal itself is what the user must hear about
