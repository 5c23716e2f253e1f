"""A return's transitions: the autosave of a draft, submitting, returning for
clarification and the safeguarding concern (the model and its questions are in
:mod:`audit.returns`).

Every transition is a pure function that returns a **new** :class:`Return` and never
changes its input, so a screen can keep the version it started from for a conflict
check.  Role checks live in the access module; this module only guards states.  The
``rev`` field belongs to storage, which bumps it on save; transitions leave it alone.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from types import EllipsisType
from typing import Any

from audit.grades import Answer, Grade
from audit.returns import (Concern, QuestionAnswer, Return, SectionReturn, Status, StatusChange, TransitionError,
                           is_editable, is_outstanding, submission_gaps)
from audit.text import MAX_TEXT, strip_control
from audit.tools import ToolTemplate

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
    comment = required_text(comment, "The comment", "Say what needs clarifying: the comment is empty.")
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
    details = required_text(details, "The concern", "Describe the concern: the details are empty.")
    new = copy.deepcopy(ret)
    new.concern = Concern(raised=True, details=details, raised_by=by, raised_at=now)
    new.updated_at, new.updated_by = now, by
    return new


def acknowledge_concern(ret: Return, by: str, now: datetime, action_taken: str) -> Return:
    """Close the open concern, recording who acknowledged it and the action taken."""
    if not ret.concern.open:
        raise TransitionError("There is no open safeguarding concern on this return to acknowledge.")
    action_taken = required_text(
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


def required_text(value: Any, label: str, empty_message: str) -> str:
    """Typed text a transition needs (a comment, a concern, an action): control bytes
    removed, within the limit and not blank, else :class:`TransitionError`."""
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

