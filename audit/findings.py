"""What the agencies agree: case discussions, findings, recommendations and SMART actions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from audit.grades import Grade

AMBER_WINDOW = timedelta(days=14)


@dataclass(slots=True)
class Attendee:
    agency: str
    role: str = ""
    name: str = ""


@dataclass(slots=True)
class Discussion:
    """The record of one MACA discussion (one case) or MATA evidence session."""

    audit: str
    subject: str  # the case ref (MACA) or the session's name (MATA)
    session_kind: str = "case"  # case | focus group | policy review | aggregated data
    held_on: date | None = None
    attendees: list[Attendee] = field(default_factory=list)
    agreed_grades: dict[str, Grade] = field(default_factory=dict)  # objective id -> grade
    worked_well: list[str] = field(default_factory=list)
    worked_less_well: list[str] = field(default_factory=list)
    notes: str = ""
    updated_by: str = ""
    updated_at: datetime | None = None
    rev: int = 0

    @property
    def key(self) -> str:
        return f"{self.audit}/{self.subject}"


class Column(StrEnum):
    STRENGTH = "strength"
    DEVELOPMENT = "development"
    RECOMMENDATION = "recommendation"

    @property
    def label(self) -> str:
        return {
            "strength": "Strengths",
            "development": "Areas for development",
            "recommendation": "Recommendations",
        }[self.value]


class Embedded(StrEnum):
    EMBEDDED = "embedded"
    PARTLY = "partly embedded"
    NOT_EMBEDDED = "not embedded"


@dataclass(slots=True)
class Retest:
    """A link to an earlier audit's finding whose learning this audit re-tested."""

    audit: str
    finding_id: str
    verdict: Embedded | None = None
    evidence: str = ""


@dataclass(slots=True)
class Finding:
    audit: str
    id: str  # short, stable within the audit: F1, F2 ...
    column: Column = Column.DEVELOPMENT
    title: str = ""
    text: str = ""
    objective: str = ""
    cases: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    source: str = ""  # where it came from, e.g. "discussion of RB-2020-003"
    proposed: bool = False  # proposed by a co-ordinator, not yet accepted by a lead
    position: int = 0
    retest: Retest | None = None
    created_by: str = ""
    created_at: datetime | None = None
    rev: int = 0

    @property
    def key(self) -> str:
        return f"{self.audit}/{self.id}"


class ActionStatus(StrEnum):
    PROPOSED = "proposed"
    AGREED = "agreed"
    IN_PROGRESS = "in progress"
    COMPLETE = "complete"


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    COMPLETE = "complete"

    @property
    def symbol(self) -> str:
        return {"red": "✗", "amber": "!", "green": "●", "complete": "✓"}[self.value]

    @property
    def label(self) -> str:
        return {"red": "overdue", "amber": "at risk", "green": "on track", "complete": "complete"}[self.value]


class UpdateKind(StrEnum):
    PROGRESS = "progress"
    CLOSE_REQUESTED = "close requested"
    SIGNED_OFF = "signed off"
    SENT_BACK = "sent back"


@dataclass(slots=True)
class ActionUpdate:
    """One dated entry in an action's history on the partnership tracker."""

    at: datetime  # when it was recorded
    by: str  # login
    kind: UpdateKind = UpdateKind.PROGRESS
    on: date | None = None  # the day the progress refers to (a training day, a launch)
    note: str = ""
    evidence: str = ""  # evidence of completion: what a panel can check
    impact: str = ""  # the difference it made, as the agency saw it


@dataclass(slots=True)
class Action:
    audit: str
    id: str  # A1, A2 ...
    finding_id: str
    description: str = ""
    owner: str = ""  # agency code
    due: date | None = None
    status: ActionStatus = ActionStatus.PROPOSED
    progress_note: str = ""
    updates: list[ActionUpdate] = field(default_factory=list)  # oldest first, never edited
    close_requested: bool = False  # the owning agency asks the lead or panel to sign it off
    signed_off_by: str = ""
    signed_off_at: datetime | None = None
    rev: int = 0

    @property
    def last_update(self) -> datetime | None:
        return self.updates[-1].at if self.updates else None

    @property
    def key(self) -> str:
        return f"{self.audit}/{self.id}"


def rag(action: Action, today: date) -> Rag:
    """Red, amber or green from status and due date.

    Complete is its own state whatever the date.  An open action past its due date is
    red; one with no due date is amber (it is not yet SMART); one due within two weeks
    (including today) is amber; one still only proposed within that window is amber too;
    everything else is green.
    """
    if action.status is ActionStatus.COMPLETE:
        return Rag.COMPLETE
    if action.due is None:
        return Rag.AMBER
    if action.due < today:
        return Rag.RED
    if action.due - today <= AMBER_WINDOW:
        return Rag.AMBER
    return Rag.GREEN


# ------------------------------------------------------------ ids, titles, attendees

MAX_TITLE = 200


def id_number(ident: str) -> int:
    """The number in an id such as ``F7`` (0 when it has none)."""
    digits = ident[1:]
    return int(digits) if digits.isdigit() else 0


def next_id(existing: Iterable[str], prefix: str) -> str:
    """``F7`` after F1…F6: one more than the highest number in use (earlier gaps stay gaps)."""
    return f"{prefix}{max((id_number(i) for i in existing if i.startswith(prefix)), default=0) + 1}"


def short_title(text: str, limit: int = 80) -> str:
    """A card title from a point: its first sentence, on one line, at most ``limit`` characters."""
    line = " ".join(text.split())
    first = re.split(r"(?<=[.!?])\s", line, maxsplit=1)[0]
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def card_title(point: str) -> str:
    """A promoted point's title: its whole first sentence, on one line.

    Never cut with "…" (the report quotes titles in full).  A first sentence longer than
    a title may be is ended at the last word that fits.
    """
    line = " ".join(point.split())
    first = re.split(r"(?<=[.!?])\s", line, maxsplit=1)[0]
    if len(first) <= MAX_TITLE:
        return first
    cut = first[:MAX_TITLE + 1].rsplit(" ", 1)[0]
    return (cut if cut and len(cut) <= MAX_TITLE else first[:MAX_TITLE]).rstrip(" ,;:-")


def parse_attendees(text: str, codes: list[str]) -> list[Attendee]:
    """One attendee a line: ``CODE role (name)``; the code is optional (a chair, a minute-taker)."""
    found: list[Attendee] = []
    upper = {c.upper(): c for c in codes}
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        head, _, rest = line.partition(" ")
        agency = upper.get(head.rstrip(":-,").upper(), "")
        role = rest if agency else line
        name = ""
        m = re.fullmatch(r"(.*?)\s*\(([^()]*)\)", role)
        if m:
            role, name = m[1], m[2].strip()
        found.append(Attendee(agency=agency, role=role.strip(" :-,"), name=name))
    return found


def format_attendee(a: Attendee) -> str:
    return " ".join(p for p in (a.agency, a.role, f"({a.name})" if a.name else "") if p)
