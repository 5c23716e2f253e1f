"""A lead's review of a possible identifier (issue 16 item 3): "not an identifier here".

A possible match (a family name that is also an ordinary word, written where it may be
either) stops an export until a lead has looked at it.  Marking it records who decided,
when and why; the mark covers that one spot of that one text (:attr:`Leak.mark_id`:
the piece, a fingerprint of its text and the offset), so it holds until the text
changes and never covers a certain match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from audit.guard import Leak

MAX_REASON = 500


@dataclass(slots=True)
class GuardMark:
    audit: str
    spot: str  # Leak.mark_id
    place: str  # the place's label when marked, for the journal and the list of marks
    reason: str
    marked_by: str = ""
    marked_at: datetime | None = None
    rev: int = 0

    @property
    def key(self) -> str:
        return f"{self.audit}/{self.spot}"


def mark_for(audit: str, leak: Leak, reason: str, login: str, now: datetime) -> GuardMark:
    """The mark saying ``leak`` is not an identifier; ValueError for a certain match or
    a missing reason (the journal must say why)."""
    if leak.certain:
        raise ValueError("Only a possible match can be marked; take a certain one out of the text.")
    reason = " ".join(reason.split())
    if not reason:
        raise ValueError("Say why it is not an identifier here: the reason is journaled.")
    if len(reason) > MAX_REASON:
        raise ValueError(f"The reason is {len(reason)} characters long; the most is {MAX_REASON}.")
    return GuardMark(audit, leak.mark_id, leak.place.label, reason, login, now)
