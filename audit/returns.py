"""One agency's return for one cohort case: the model, its status flow, the submission
check and the immediate safeguarding concern.

Every transition is a pure function that returns a **new** :class:`Return` and never
changes its input, so a screen can keep the version it started from for a conflict
check.  Role checks live in the access module; this module only guards states.  The
``rev`` field belongs to storage, which bumps it on save; transitions leave it alone.

Status flow: not started -> draft (first real edit) -> submitted, or not involved when
the agency had no involvement -> returned for clarification (by a lead, with a comment;
edits keep this status so the lead sees the rework) -> resubmitted (or not involved).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import EllipsisType
from typing import Any

from audit.grades import Answer, Grade
from audit.text import MAX_TEXT, quote, strip_control
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


# Text fields a coordinator edits, with how an error message names them.
_TEXT_FIELDS: dict[str, str] = {
    "not_involved_reason": "The reason the agency was not involved",
    "involvement_period": "The period of involvement",
    "involvement_nature": "The nature of involvement",
    "summary": "The summary",
    "auditor_name": "The auditor's name",
    "auditor_role": "The auditor's role",
    "good_practice": "Good practice",
    "areas_for_development": "Areas for development",
    "impact_on_child": "The difference made for the child",
    "recommendations": "Recommendations for the agency",
}
EDITABLE_FIELDS = frozenset(_TEXT_FIELDS) | {"involved", "completed_on", "answers", "sections"}


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


# ---------------------------------------------------------------------- transitions


def edit(ret: Return, by: str, now: datetime, **changes: Any) -> Return:
    """A copy of ``ret`` with ``changes`` applied: the autosave of a draft.

    ``changes`` are header and overall fields by name, plus ``answers`` and ``sections``,
    which are merged key by key (pass only the questions or sections that changed).
    Text has terminal control bytes removed and is otherwise kept exactly as typed;
    text over 20,000 characters is refused.

    The first real change moves a return from not started to draft.  A return
    returned for clarification keeps that status while it is reworked, so the lead can
    see it is back with the agency, until it is resubmitted.  Received returns
    (submitted, resubmitted, not involved) are read-only: a lead returns them for
    clarification first.  Changes that change nothing return an unchanged copy, so an
    autosave of an opened-but-untouched tool does not start it.

    A misspelt field or a value of the wrong type is a programming error (``TypeError``);
    what a person can cause is a :class:`TransitionError`.
    """
    if not is_editable(ret):
        raise TransitionError(
            f"This return is {ret.status.value} and read-only; a lead can return it for clarification."
        )
    new = copy.deepcopy(ret)
    changed = False
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise TypeError(f"edit() cannot change {name!r}; editable fields are {sorted(EDITABLE_FIELDS)}.")
        if name == "answers":
            changed |= _merge(new.answers, value, QuestionAnswer, _clean_answer)
        elif name == "sections":
            changed |= _merge(new.sections, value, SectionReturn, _clean_section)
        else:
            value = _clean_field(name, value)
            if getattr(new, name) != value:
                setattr(new, name, value)
                changed = True
    if not changed:
        return new
    if new.status is Status.NOT_STARTED:
        new.status = Status.DRAFT
        new.history.append(StatusChange(at=now, by=by, status=Status.DRAFT))
    new.updated_at, new.updated_by = now, by
    return new


def set_answer(ret: Return, by: str, now: datetime, question_id: str, *,
               answer: Answer | None | EllipsisType = ..., evidence: str | EllipsisType = ...) -> Return:
    """:func:`edit` one question's answer and/or evidence; omitted parts stay as they are."""
    current = copy.deepcopy(ret.answers.get(question_id, QuestionAnswer()))
    if answer is not ...:
        current.answer = answer
    if evidence is not ...:
        current.evidence = evidence
    return edit(ret, by, now, answers={question_id: current})


def set_grade(ret: Return, by: str, now: datetime, objective: str, *,
              grade: Grade | None | EllipsisType = ..., rationale: str | EllipsisType = ...) -> Return:
    """:func:`edit` one section's grade and/or rationale; omitted parts stay as they are."""
    current = copy.deepcopy(ret.sections.get(objective, SectionReturn()))
    if grade is not ...:
        current.grade = grade
    if rationale is not ...:
        current.rationale = rationale
    return edit(ret, by, now, sections={objective: current})


def submit(ret: Return, tool: ToolTemplate, by: str, now: datetime) -> Return:
    """Submit ``ret``: submitted, resubmitted (after clarification) or not involved.

    Raises :class:`TransitionError` carrying every :class:`Gap` if anything is missing.
    An empty completion date becomes today's.  Answers typed before a return was marked
    not involved are kept (never silently thrown away) but count for nothing.
    """
    if not is_editable(ret):
        raise TransitionError(f"This return is already {ret.status.value}.")
    if tool.agency != ret.agency:
        raise TransitionError(f"The audit tool is for agency {tool.agency}, not {ret.agency}.")
    gaps = submission_gaps(ret, tool)
    if gaps:
        count = "1 gap" if len(gaps) == 1 else f"{len(gaps)} gaps"
        raise TransitionError(f"This return has {count} to fill before it can be submitted.", gaps)
    new = copy.deepcopy(ret)
    if ret.involved is False:
        new.status = Status.NOT_INVOLVED
    elif ret.status is Status.RETURNED:
        new.status = Status.RESUBMITTED
    else:
        new.status = Status.SUBMITTED
    # The lead's question is answered; it stays in the history.
    new.clarification = ""
    if new.completed_on is None:
        new.completed_on = now.date()
    new.submitted_at = now
    new.history.append(StatusChange(at=now, by=by, status=new.status))
    new.updated_at, new.updated_by = now, by
    return new


def return_for_clarification(ret: Return, by: str, now: datetime, comment: str) -> Return:
    """Send a return that is with the lead (received, or "not involved") back to its agency."""
    if is_outstanding(ret):
        raise TransitionError(
            f"Only a return with the lead can be returned for clarification; this one is {ret.status.value}."
        )
    comment = _clean_required(comment, "The comment", "Say what needs clarifying: the comment is empty.")
    new = copy.deepcopy(ret)
    new.status = Status.RETURNED
    new.clarification = comment
    new.history.append(StatusChange(at=now, by=by, status=Status.RETURNED, comment=comment))
    new.updated_at, new.updated_by = now, by
    return new


def raise_concern(ret: Return, by: str, now: datetime, details: str) -> Return:
    """Flag an immediate safeguarding concern, in any status.

    Status is untouched: the concern travels on its own track.  One concern is open
    at a time; once acknowledged, a new one may be raised and replaces it (the journal
    keeps the earlier one).
    """
    if ret.concern.open:
        raise TransitionError("A safeguarding concern is already open on this return and waits for a lead.")
    details = _clean_required(details, "The concern", "Describe the concern: the details are empty.")
    new = copy.deepcopy(ret)
    new.concern = Concern(raised=True, details=details, raised_by=by, raised_at=now)
    new.updated_at, new.updated_by = now, by
    return new


def acknowledge_concern(ret: Return, by: str, now: datetime, action_taken: str) -> Return:
    """Close the open concern, recording who acknowledged it and the action taken."""
    if not ret.concern.open:
        raise TransitionError("There is no open safeguarding concern on this return to acknowledge.")
    action_taken = _clean_required(
        action_taken, "The action taken", "Say what action was taken: it is empty."
    )
    new = copy.deepcopy(ret)
    new.concern.acknowledged_by = by
    new.concern.acknowledged_at = now
    new.concern.action_taken = action_taken
    new.updated_at, new.updated_by = now, by
    return new


# -------------------------------------------------------------------------- helpers


def _clean_text(value: Any, label: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{label} must be text, not {type(value).__name__}.")
    value = strip_control(value)
    if len(value) > MAX_TEXT:
        raise TransitionError(f"{label} is {len(value):,} characters long; the most allowed is {MAX_TEXT:,}.")
    return value


def _clean_required(value: Any, label: str, empty_message: str) -> str:
    value = _clean_text(value, label)
    if not value.strip():
        raise TransitionError(empty_message)
    return value


def _clean_field(name: str, value: Any) -> Any:
    if name == "involved":
        if value is not None and not isinstance(value, bool):
            raise TypeError(f"involved must be True, False or None, not {value!r}.")
        return value
    if name == "completed_on":
        # A datetime is a date subclass but would not survive the codec as a date.
        if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
            raise TypeError(f"completed_on must be a date or None, not {value!r}.")
        return value
    return _clean_text(value, _TEXT_FIELDS[name])


def _clean_answer(key: str, value: QuestionAnswer) -> QuestionAnswer:
    if value.answer is not None and not isinstance(value.answer, Answer):
        raise TypeError(f"the answer to {key} must be an Answer or None, not {value.answer!r}.")
    return QuestionAnswer(value.answer, _clean_text(value.evidence, f"The evidence for question {key}"))


def _clean_section(key: str, value: SectionReturn) -> SectionReturn:
    if value.grade is not None and not isinstance(value.grade, Grade):
        raise TypeError(f"the grade of section {key} must be a Grade or None, not {value.grade!r}.")
    return SectionReturn(value.grade, _clean_text(value.rationale, f"The rationale for section {key}"))


def _merge(target: dict[str, Any], updates: Any, kind: type, clean: Any) -> bool:
    """Merge cleaned ``updates`` into ``target``; True if anything changed."""
    if not isinstance(updates, dict):
        raise TypeError(f"expected a dict of {kind.__name__}, not {type(updates).__name__}.")
    changed = False
    for key, value in updates.items():
        if not isinstance(key, str) or not key or not isinstance(value, kind):
            raise TypeError(f"expected {kind.__name__} values keyed by a non-empty id, got {key!r}: {value!r}.")
        value = clean(key, value)
        if target.get(key, kind()) != value:
            target[key] = value
            changed = True
    return changed

