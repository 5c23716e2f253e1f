"""An immediate safeguarding concern's way to closure (DESIGN §2: concerns).

A co-ordinator raises a concern on their agency's return.  It is referred at once to the
agency holding the case: maca proposes it when the case's engagement makes it clear
(exactly one agency working with the family on the day), otherwise a lead chooses.  The
holding agency's co-ordinators see it in any screen and record the action their agency
took; the raiser sees the status when they come back; a lead closes it.  Every step is a
pure function returning a new :class:`Return`, like the rest of :mod:`audit.returns`.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from enum import StrEnum

from audit.cases import CandidateCase
from audit.return_transitions import required_text
from audit.returns import Concern, Return, TransitionError

MACA = "maca"  # holder_by when the case's engagement named the holding agency


class Stage(StrEnum):
    NONE = "none"
    UNREFERRED = "awaiting a lead to name the agency holding the case"
    REFERRED = "referred to the agency holding the case"
    AGENCY_ACTED = "action recorded by the holding agency; awaiting the lead's closure"
    CLOSED = "closed"


def stage(concern: Concern) -> Stage:
    if not concern.raised:
        return Stage.NONE
    if concern.acknowledged_at is not None:
        return Stage.CLOSED
    if concern.agency_action_at is not None:
        return Stage.AGENCY_ACTED
    return Stage.REFERRED if concern.holder else Stage.UNREFERRED


def status_line(concern: Concern) -> str:
    """What the raiser (or anyone) reads about where the concern is now."""
    now = stage(concern)
    if now is Stage.REFERRED:
        return f"referred to {concern.holder}, the agency holding the case; waiting for its action"
    if now is Stage.AGENCY_ACTED:
        return f"{concern.holder} recorded its action; waiting for a lead to close it"
    if now is Stage.CLOSED:
        return f"closed by {concern.acknowledged_by}"
    return now.value


def likely_holder(case: CandidateCase | None, on: date, codes: list[str]) -> str:
    """The one agency working with the family on ``on``, if exactly one is; else ""."""
    if case is None or not case.engagement:
        return ""
    working = {e.agency for e in case.engagement
               if (e.start is None or e.start <= on) and (e.end is None or e.end >= on) and e.agency in codes}
    return working.pop() if len(working) == 1 else ""


def refer(ret: Return, by: str, holder: str) -> Return:
    """Name the agency holding the case (maca at raising, or a lead later)."""
    if not ret.concern.open:
        raise TransitionError("There is no open safeguarding concern on this return to refer.")
    if ret.concern.agency_action_at is not None:
        raise TransitionError(f"{ret.concern.holder} has already recorded its action on this concern.")
    new = copy.deepcopy(ret)
    new.concern.holder, new.concern.holder_by = holder, by
    return new


def record_agency_action(ret: Return, by: str, now: datetime, action: str) -> Return:
    """The holding agency says what it did; the concern then waits for a lead to close it."""
    if not ret.concern.open:
        raise TransitionError("There is no open safeguarding concern on this return.")
    if not ret.concern.holder:
        raise TransitionError("A lead has not yet named the agency holding the case.")
    action = required_text(action, "The action", "Say what your agency did: it is empty.")
    new = copy.deepcopy(ret)
    new.concern.agency_action, new.concern.agency_action_by, new.concern.agency_action_at = action, by, now
    return new


def counts(returns: list[Return]) -> dict[str, int]:
    """For the report: how many concerns were raised, referred to the holding agency and
    closed (no details, no cases)."""
    raised = [r.concern for r in returns if r.concern.raised]
    return {
        "raised": len(raised),
        "referred": sum(1 for c in raised if c.holder),
        "closed": sum(1 for c in raised if c.acknowledged_at is not None),
    }
