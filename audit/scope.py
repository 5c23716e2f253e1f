"""An audit and its scope: what is audited, why, with whom and by when.

`validate_audit` lists every problem with an audit's scope, one sentence each. The scope
file (DESIGN §5) that an audit is made from is read by `audit.scope_file.parse_scope`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from audit.criteria import Criterion
from audit.tools import ToolTemplate
from audit.workdays import rapid_review_due

AUDIT_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_/-]{0,39}$")
OBJECTIVE_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_TITLE = 200
MAX_TEXT = 20_000


class Kind(StrEnum):
    MACA = "MACA"
    MATA = "MATA"

    @property
    def label(self) -> str:
        return "multi-agency case audit" if self is Kind.MACA else "multi-agency thematic audit"


class Stage(StrEnum):
    SCOPING = "scoping"
    COHORT = "cohort"
    FIELDWORK = "fieldwork"
    DISCUSSION = "discussion"
    REPORTING = "reporting"
    REPORT_APPROVED = "report approved"  # a lead recorded the report's approval (audit.approval)
    LEARNING_SHARED = "learning shared"  # briefings and seminars delivered (audit.briefing)
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            "scoping": "scoping",
            "cohort": "cohort selection",
            "fieldwork": "fieldwork",
            "discussion": "discussion",
            "reporting": "reporting",
            "report approved": "report approved",
            "learning shared": "learning shared",
            "closed": "closed",
        }[self.value]


@dataclass(slots=True)
class Objective:
    id: str
    title: str
    text: str = ""


@dataclass(slots=True)
class Milestone:
    name: str
    due: date | None = None
    done: bool = False

    def overdue(self, today: date) -> bool:
        return not self.done and self.due is not None and self.due < today


@dataclass(slots=True)
class Draw:
    """A random draw of the cohort, recorded so that it can be reproduced."""

    seed: int
    size: int
    balance_by: str = ""
    drawn_by: str = ""
    drawn_at: datetime | None = None
    picked: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Audit:
    ref: str
    title: str
    kind: Kind = Kind.MACA
    linked_review: str = ""
    notification_date: date | None = None
    background: str = ""
    purpose: list[str] = field(default_factory=list)
    objectives: list[Objective] = field(default_factory=list)
    criteria: list[Criterion] = field(default_factory=list)
    lookback_start: date | None = None
    lookback_end: date | None = None
    cohort_target: int = 1
    agencies: list[str] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    stage: Stage = Stage.SCOPING
    tools: dict[str, ToolTemplate] = field(default_factory=dict)
    draw: Draw | None = None
    created_by: str = ""
    created_at: datetime | None = None
    rev: int = 0

    @property
    def key(self) -> str:
        return self.ref

    @property
    def rapid_review_due(self) -> date | None:
        if self.notification_date is None:
            return None
        return rapid_review_due(self.notification_date)

    def objective(self, objective_id: str) -> Objective | None:
        for objective in self.objectives:
            if objective.id == objective_id:
                return objective
        return None

    def next_milestone(self) -> Milestone | None:
        """The earliest milestone not yet done, the one a lead is working towards."""
        pending = [m for m in self.milestones if not m.done and m.due is not None]
        return min(pending, key=lambda m: m.due or date.max) if pending else None

    def returns_due(self) -> date | None:
        """When agencies' returns are due: the milestone that names returns or audits."""
        for milestone in self.milestones:
            name = milestone.name.lower()
            if "return" in name or ("audit" in name and ("complete" in name or "fieldwork" in name)):
                return milestone.due
        return None


def validate_audit(audit: Audit, agency_codes: list[str]) -> list[str]:
    """Every problem with an audit's scope, one sentence each."""
    problems: list[str] = []
    if not AUDIT_REF.match(audit.ref):
        problems.append(
            f"The reference {audit.ref!r} is not valid: use 1-40 letters, digits, '-', '_' or '/'."
        )
    if not audit.title.strip():
        problems.append("The audit needs a title.")
    elif len(audit.title) > MAX_TITLE:
        problems.append(f"The title is longer than {MAX_TITLE} characters.")
    for name, text in (("background", audit.background), ("linked review", audit.linked_review)):
        if len(text) > MAX_TEXT:
            problems.append(f"The {name} is longer than {MAX_TEXT:,} characters.")
    if audit.cohort_target < 1 or audit.cohort_target > 10_000:
        problems.append("The cohort target must be a whole number from 1 to 10,000.")
    if audit.lookback_start and audit.lookback_end and audit.lookback_start > audit.lookback_end:
        problems.append("The lookback period starts after it ends.")
    seen: set[str] = set()
    for objective in audit.objectives:
        if not OBJECTIVE_ID.match(objective.id):
            problems.append(
                f"Objective id {objective.id!r} is not valid: use lower-case letters, digits and '_', starting with a letter."
            )
        if objective.id in seen:
            problems.append(f"Objective id {objective.id!r} is used twice.")
        seen.add(objective.id)
        if not objective.title.strip():
            problems.append(f"Objective {objective.id!r} needs a title.")
    unknown = [code for code in audit.agencies if code not in agency_codes]
    if unknown:
        problems.append(
            f"Unknown agenc{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)}; "
            f"the workspace's agencies are {', '.join(agency_codes) or 'none yet'}."
        )
    if len(set(audit.agencies)) != len(audit.agencies):
        problems.append("An agency is listed twice.")
    criterion_ids = [c.id for c in audit.criteria]
    if len(set(criterion_ids)) != len(criterion_ids):
        problems.append("A criterion id is used twice.")
    for criterion in audit.criteria:
        for code in criterion.agencies or []:
            if code not in agency_codes:
                problems.append(f"Criterion {criterion.id!r} names unknown agency {code!r}.")
    for milestone in audit.milestones:
        if not milestone.name.strip():
            problems.append("A milestone needs a name.")
    return problems
