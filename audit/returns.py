"""One agency's return for one cohort case: the model, its status flow, the submission
check and the immediate safeguarding concern.  The transitions (edit, submit, return
for clarification, raise and acknowledge a concern) are in :mod:`audit.return_transitions`.

Status flow: not started -> draft (first real edit) -> submitted, or not involved when
the agency had no involvement -> returned for clarification (by a lead, with a comment;
edits keep this status so the lead sees the rework) -> resubmitted (or not involved).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from audit.grades import Answer, Grade
from audit.text import quote
from audit.tools import ToolTemplate


class Status(StrEnum):
    NOT_STARTED = "not started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned for clarification"
    RESUBMITTED = "resubmitted"
    NOT_INVOLVED = "not involved"

    @property
    def label(self) -> str:
        """Sentence-case name for display: ``Returned for clarification``."""
        return self.value.capitalize()

    @property
    def symbol(self) -> str:
        """One terminal cell telling the statuses apart without colour.

        Ticks mean received (the heavy tick: received again after clarification).
        """
        return _STATUS_SYMBOLS[self]


_STATUS_SYMBOLS: dict[Status, str] = {
    Status.NOT_STARTED: "◦",
    Status.DRAFT: "✎",
    Status.SUBMITTED: "✓",
    Status.RETURNED: "↩",
    Status.RESUBMITTED: "✔",
    Status.NOT_INVOLVED: "∅",
}

OUTSTANDING = frozenset({Status.NOT_STARTED, Status.DRAFT, Status.RETURNED})
# The one meaning of "received" everywhere (home, returns, analysis, report): a completed
# audit tool with the lead.  "Not involved" is neither received nor outstanding: the
# agency had nothing to audit, and counting it as received overstated the returns.
RECEIVED = frozenset({Status.SUBMITTED, Status.RESUBMITTED})
EDITABLE = OUTSTANDING


@dataclass
class QuestionAnswer:
    answer: Answer | None = None
    evidence: str = ""


@dataclass
class SectionReturn:
    grade: Grade | None = None
    rationale: str = ""


@dataclass
class Concern:
    """An immediate safeguarding concern: open from the moment it is saved until a lead
    acknowledges (closes) it with the action taken.  In between it is referred to the
    agency holding the case, whose co-ordinators record the action their agency took
    (see :mod:`audit.concerns`)."""

    raised: bool = False
    details: str = ""
    raised_by: str = ""
    raised_at: datetime | None = None
    acknowledged_by: str = ""
    acknowledged_at: datetime | None = None
    action_taken: str = ""
    holder: str = ""  # the agency holding the case, "" until known
    holder_by: str = ""  # who chose it ("maca" when the case's engagement made it clear)
    agency_action: str = ""  # what the holding agency did
    agency_action_by: str = ""
    agency_action_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.raised and self.acknowledged_at is None


@dataclass
class StatusChange:
    at: datetime
    by: str
    status: Status
    comment: str = ""


@dataclass
class Return:
    audit: str
    case_ref: str
    agency: str
    status: Status = Status.NOT_STARTED
    # Header.
    involved: bool | None = None
    not_involved_reason: str = ""
    involvement_period: str = ""
    involvement_nature: str = ""
    summary: str = ""
    auditor_name: str = ""
    auditor_role: str = ""
    completed_on: date | None = None
    # Body: answers keyed by question id, grades keyed by objective id.
    answers: dict[str, QuestionAnswer] = field(default_factory=dict)
    sections: dict[str, SectionReturn] = field(default_factory=dict)
    # Overall.
    good_practice: str = ""
    areas_for_development: str = ""
    impact_on_child: str = ""
    recommendations: str = ""
    concern: Concern = field(default_factory=Concern)
    clarification: str = ""
    history: list[StatusChange] = field(default_factory=list)
    submitted_at: datetime | None = None
    updated_at: datetime | None = None
    updated_by: str = ""
    rev: int = 0

    @property
    def key(self) -> str:
        return f"{self.audit}/{self.case_ref}/{self.agency}"


@dataclass(frozen=True)
class Gap:
    """Something missing before a return can be submitted.

    ``where`` is a locator the tool screen jumps to: ``header.<field>``,
    ``question:<question id>``, ``section:<objective id>`` or ``overall.<field>``.
    """

    where: str
    message: str


class TransitionError(ValueError):
    """A change the return's state does not allow; the message is one sentence."""

    def __init__(self, message: str, gaps: list[Gap] | None = None) -> None:
        super().__init__(message)
        self.gaps: list[Gap] = list(gaps or [])


# ------------------------------------------------------------------------ questions


def is_outstanding(ret: Return) -> bool:
    """Still with the agency: not started, draft, or returned for clarification."""
    return ret.status in OUTSTANDING


def is_received(ret: Return) -> bool:
    """A completed audit tool with the lead: submitted or resubmitted (not "not involved")."""
    return ret.status in RECEIVED


def is_editable(ret: Return) -> bool:
    """Whether :func:`edit` accepts changes (received returns are read-only)."""
    return ret.status in EDITABLE


def days_overdue(due: date | None, today: date) -> int | None:
    """Whole days past ``due``: None without a due date, 0 when not yet overdue."""
    if due is None:
        return None
    return max(0, (today - due).days)


def progress(ret: Return, tool: ToolTemplate) -> tuple[int, int]:
    """``(answered, total)`` questions of ``tool``, for a grid cell such as ``12/18``."""
    ids = tool.question_ids()
    answered = sum(1 for qid in ids if (a := ret.answers.get(qid)) is not None and a.answer is not None)
    return answered, len(ids)


def submission_gaps(ret: Return, tool: ToolTemplate) -> list[Gap]:
    """Everything missing before ``ret`` can be submitted, in the order of the form.

    - Header: whether the agency was involved; the auditor's name and role; if involved
      the period of involvement, if not involved the reason.  A return that is not
      involved needs nothing more.  While "involved" is unanswered the rest of the form
      is checked as if involved, the usual case, so the whole remaining work is listed.
    - Every question answered; evidence for yes, partly and no (they are claims about
      the record), optional for "not applicable".
    - Every graded section has a grade and a rationale.
    - Overall: the difference made for the child.  Good practice, areas for development
      and recommendations may honestly be empty.
    """
    gaps: list[Gap] = []
    if ret.involved is None:
        gaps.append(Gap("header.involved", "Say whether the agency was involved with the child or family."))
    if not ret.auditor_name.strip():
        gaps.append(Gap("header.auditor_name", "The auditor's name is missing."))
    if not ret.auditor_role.strip():
        gaps.append(Gap("header.auditor_role", "The auditor's role is missing."))
    if ret.involved is False:
        if not ret.not_involved_reason.strip():
            gaps.append(Gap("header.not_involved_reason", "Give the reason the agency was not involved."))
        return gaps
    if not ret.involvement_period.strip():
        gaps.append(Gap("header.involvement_period", "The period of involvement is missing."))

    numbers = {q.id: number for number, _, q in tool.numbered()}
    for s, section in enumerate(tool.sections, start=1):
        for question in section.questions:
            where = f"question:{question.id}"
            label = f"Question {numbers[question.id]} {quote(question.text)}"
            given = ret.answers.get(question.id, QuestionAnswer())
            if given.answer is None:
                gaps.append(Gap(where, f"{label} has no answer."))
            elif given.answer.needs_evidence and not given.evidence.strip():
                gaps.append(Gap(where, f"{label} is answered {given.answer.label.lower()} but has no evidence."))
        if section.graded:
            where = f"section:{section.objective}"
            label = f"Section {s} {quote(section.title)}"
            graded = ret.sections.get(section.objective, SectionReturn())
            if graded.grade is None:
                gaps.append(Gap(where, f"{label} has no grade."))
            if not graded.rationale.strip():
                gaps.append(Gap(where, f"{label} has no rationale for its grade."))

    if not ret.impact_on_child.strip():
        gaps.append(Gap("overall.impact_on_child", "Say what difference the agency's work made for the child."))
    return gaps
