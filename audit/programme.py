"""The partnership's programme (issue 19 item 1): audits planned, in progress, reported
and closed, by year, and the stage maca proposes for each audit.

A QA sub-group plans its year before any audit is scoped: a theme, a kind, a quarter
or dates, a lead.  A planned audit becomes a real one when a scope file is read for it
(``promoted_to`` then names the audit), and the audit counts in the plan's year.

Decisions where the issue is silent:

- An audit not started from a plan counts in the year of its first milestone (the year
  it runs), else the year it was created.
- In progress is scoping to reporting; reported is *report approved* and *learning
  shared*; closed is closed.
- maca proposes a stage only forwards, and only the furthest one the facts support:
  a return in (fieldwork), every cohort case discussed (reporting), an approval
  recorded (report approved), a briefing or seminar delivered (learning shared).  It
  never closes an audit: that is the lead's decision.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from audit.scope import Audit, Kind, Stage
from audit.text import clean_text

MAX_THEME = 200
YEARS = (2000, 2100)
_QUARTER = re.compile(r"^\s*q?\s*([1-4])\s*$", re.IGNORECASE)


@dataclass(slots=True)
class PlannedAudit:
    """An audit on the year's programme, not yet scoped."""

    id: str  # P1, P2 ...
    year: int
    theme: str
    kind: Kind = Kind.MACA
    quarter: int = 0  # 1-4, or 0 when dates are given instead (or nothing yet)
    starts: date | None = None
    ends: date | None = None
    lead: str = ""  # who leads it: a login or a name
    promoted_to: str = ""  # the audit it became, once scoped
    created_by: str = ""
    created_at: datetime | None = None
    rev: int = 0

    @property
    def key(self) -> str:
        return self.id

    def when(self) -> str:
        """``Q2 2022``, ``01/04/2022 – 30/06/2022`` or ``2022``."""
        from audit.dates import format_span, format_uk

        if self.starts or self.ends:
            if self.starts and self.ends:
                return format_span(self.starts, self.ends)
            return f"from {format_uk(self.starts)}" if self.starts else f"by {format_uk(self.ends)}"
        return f"Q{self.quarter} {self.year}" if self.quarter else str(self.year)


def parse_quarter(text: str) -> int:
    """``Q2``, ``q2`` or ``2`` as 2; blank as 0; anything else a ValueError (one sentence)."""
    if not text.strip():
        return 0
    m = _QUARTER.match(text)
    if m is None:
        raise ValueError(f"The quarter {text.strip()[:20]!r} is not one of Q1, Q2, Q3 or Q4.")
    return int(m[1])


def plan_problems(plan: PlannedAudit) -> list[str]:
    """Every problem with a planned audit, one sentence each."""
    problems = []
    if not YEARS[0] <= plan.year <= YEARS[1]:
        problems.append(f"The year must be from {YEARS[0]} to {YEARS[1]}.")
    if not plan.theme.strip():
        problems.append("The planned audit needs a theme.")
    elif len(plan.theme) > MAX_THEME:
        problems.append(f"The theme is longer than {MAX_THEME} characters.")
    if plan.quarter and (plan.starts or plan.ends):
        problems.append("Give a quarter or dates, not both.")
    if not 0 <= plan.quarter <= 4:
        problems.append("The quarter must be Q1, Q2, Q3 or Q4.")
    if plan.starts and plan.ends and plan.starts > plan.ends:
        problems.append("The planned audit starts after it ends.")
    if len(plan.lead) > MAX_THEME:
        problems.append(f"The lead's name is longer than {MAX_THEME} characters.")
    return problems


def cleaned(plan: PlannedAudit) -> PlannedAudit:
    """The plan with its text stripped of control bytes and outer spaces."""
    from dataclasses import replace

    return replace(plan, theme=clean_text(plan.theme, MAX_THEME * 2).strip(),
                   lead=clean_text(plan.lead, MAX_THEME * 2).strip())


# ------------------------------------------------------------------ stages


STAGE_ORDER = list(Stage)


def after(stage: Stage, other: Stage) -> bool:
    return STAGE_ORDER.index(stage) > STAGE_ORDER.index(other)


@dataclass(frozen=True, slots=True)
class Proposal:
    stage: Stage
    because: str


def proposed_stage(audit: Audit, figures: Mapping[str, Any]) -> Proposal | None:
    """The stage the facts say ``audit`` has reached, when it is beyond the recorded one."""
    found: Proposal | None = None
    picked = int(figures.get("picked", 0) or 0)
    discussed = int(figures.get("discussed", 0) or 0)
    if int(figures.get("received", 0) or 0) > 0:
        found = Proposal(Stage.FIELDWORK, "the first return is in")
    if picked and discussed >= picked:
        found = Proposal(Stage.REPORTING, f"all {picked} cohort cases have a discussion recorded")
    if int(figures.get("approvals", 0) or 0) > 0:
        found = Proposal(Stage.REPORT_APPROVED, "the report's approval is recorded")
    if int(figures.get("disseminations", 0) or 0) > 0:
        found = Proposal(Stage.LEARNING_SHARED, "a briefing or seminar has been delivered")
    if found is None or audit.stage is Stage.CLOSED or not after(found.stage, audit.stage):
        return None
    return found


# ------------------------------------------------------------------ the programme


class Group(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in progress"
    REPORTED = "reported"
    CLOSED = "closed"


def group_of(stage: Stage) -> Group:
    if stage is Stage.CLOSED:
        return Group.CLOSED
    if stage in (Stage.REPORT_APPROVED, Stage.LEARNING_SHARED):
        return Group.REPORTED
    return Group.IN_PROGRESS


@dataclass(slots=True)
class Entry:
    """One row of the programme: a planned audit not yet scoped, or an audit."""

    group: Group
    plan: PlannedAudit | None = None
    audit: Audit | None = None

    @property
    def key(self) -> str:
        return f"plan:{self.plan.id}" if self.audit is None and self.plan else f"audit:{self.audit.ref}"  # type: ignore[union-attr]


@dataclass(slots=True)
class Year:
    year: int | None  # None: an audit with no date at all
    groups: dict[Group, list[Entry]] = field(default_factory=dict)


def year_of(audit: Audit, plans: list[PlannedAudit]) -> int | None:
    for plan in plans:
        if plan.promoted_to == audit.ref:
            return plan.year
    dues = [m.due for m in audit.milestones if m.due is not None]
    if dues:
        return min(dues).year
    return audit.created_at.year if audit.created_at is not None else None


def programme(audits: list[Audit], plans: list[PlannedAudit]) -> list[Year]:
    """The programme by year, newest first; in each year the groups in order
    (planned, in progress, reported, closed), empty groups left out."""
    refs = {a.ref for a in audits}
    years: dict[int | None, Year] = {}

    def add(year: int | None, entry: Entry) -> None:
        y = years.setdefault(year, Year(year))
        y.groups.setdefault(entry.group, []).append(entry)

    for plan in sorted(plans, key=lambda p: (p.quarter or 5, p.starts or date.max, p.theme.casefold(), p.id)):
        if plan.promoted_to not in refs:  # a plan whose audit was deleted is planned again
            add(plan.year, Entry(Group.PLANNED, plan=plan))
    for audit in sorted(audits, key=lambda a: a.ref):
        add(year_of(audit, plans), Entry(group_of(audit.stage), audit=audit))
    ordered = sorted(years.values(), key=lambda y: -(y.year or 0))
    for y in ordered:
        y.groups = {g: y.groups[g] for g in Group if g in y.groups}
    return ordered


def next_plan_id(plans: list[PlannedAudit]) -> str:
    from audit.findings import next_id

    return next_id([p.id for p in plans], "P")


def overdue_count(dues: list[str], today: date) -> int:
    """How many of the ISO dates ``dues`` (open actions' due dates) are before ``today``."""
    mark = today.isoformat()
    return sum(1 for d in dues if d < mark)
