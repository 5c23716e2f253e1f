"""Returns: status flow, guards, the submission check and the safeguarding concern."""

from __future__ import annotations

import copy
import unicodedata
from dataclasses import fields
from datetime import date, datetime

import pytest

from audit.codec import from_doc, to_doc
from audit.grades import Answer, Grade
from audit.return_transitions import (EDITABLE_FIELDS, acknowledge_concern, edit, raise_concern,
                                      return_for_clarification, set_answer, set_grade, submit)
from audit.returns import (Concern, Gap, QuestionAnswer, Return, SectionReturn, Status, StatusChange, TransitionError,
                           days_overdue, is_editable, is_outstanding, is_received, progress, submission_gaps)
from audit.tools import Question, Section, ToolTemplate

T0 = datetime(2021, 4, 12, 9, 30)
T1 = datetime(2021, 4, 13, 14, 0)
T2 = datetime(2021, 4, 14, 10, 15)
T3 = datetime(2021, 4, 15, 16, 45)

TOOL = ToolTemplate(
    agency="MID",
    title="Midwifery audit tool",
    sections=[
        Section("curiosity", "Professional curiosity", questions=[
            Question("c1", "Was routine enquiry made?"),
            Question("c2", "Was the father seen?"),
        ]),
        Section("context", "Context", graded=False, questions=[Question("x1", "Was Covid-19 a factor?")]),
    ],
)


def blank() -> Return:
    return Return(audit="MACA-C86", case_ref="C-001", agency="MID")


def complete(ret: Return | None = None) -> Return:
    """A return with every gap filled, edited by the co-ordinator."""
    return edit(
        ret or blank(), "cora", T0,
        involved=True, involvement_period="Jan-Dec 2020", involvement_nature="Antenatal care",
        auditor_name="Cora Smith", auditor_role="Named midwife", impact_on_child="Baby was safer.",
        answers={
            "c1": QuestionAnswer(Answer.YES, "Booking note 03/02."),
            "c2": QuestionAnswer(Answer.NO, "Never recorded."),
            "x1": QuestionAnswer(Answer.NA),
        },
        sections={"curiosity": SectionReturn(Grade.REQUIRES_IMPROVEMENT, "Father invisible.")},
    )


def submitted() -> Return:
    return submit(complete(), TOOL, "cora", T1)


# ------------------------------------------------------------------------- model


def test_defaults_and_key() -> None:
    ret = blank()
    assert ret.key == "MACA-C86/C-001/MID"
    assert ret.status is Status.NOT_STARTED and ret.involved is None and ret.rev == 0
    assert ret.concern == Concern() and not ret.concern.open
    assert EDITABLE_FIELDS <= {f.name for f in fields(Return)}


def test_status_labels_and_symbols() -> None:
    assert Status.RETURNED.label == "Returned for clarification"
    assert Status.NOT_STARTED.label == "Not started"
    symbols = [s.symbol for s in Status]
    assert len(set(symbols)) == len(symbols)
    for s in symbols:
        assert len(s) == 1 and unicodedata.east_asian_width(s) in ("N", "Na"), s


def test_outstanding_received_editable() -> None:
    outstanding = {Status.NOT_STARTED, Status.DRAFT, Status.RETURNED}
    for status in Status:
        ret = Return("A", "C", "MID", status=status)
        assert is_outstanding(ret) is (status in outstanding)
        assert is_received(ret) is (status in {Status.SUBMITTED, Status.RESUBMITTED})
        assert is_editable(ret) is (status in outstanding)


def test_days_overdue() -> None:
    assert days_overdue(None, date(2021, 5, 1)) is None
    assert days_overdue(date(2021, 4, 30), date(2021, 4, 30)) == 0
    assert days_overdue(date(2021, 4, 30), date(2021, 4, 1)) == 0
    assert days_overdue(date(2021, 4, 30), date(2021, 5, 3)) == 3


def test_full_return_round_trips_through_the_codec() -> None:
    ret = submitted()
    ret = return_for_clarification(ret, "lead", T2, "Which contact?")
    ret = raise_concern(ret, "cora", T2, "Baby alone with ex-partner.")
    ret = acknowledge_concern(ret, "lead", T3, "Referred to CSC front door.")
    ret = edit(ret, "cora", T3, summary="Two contacts.", good_practice="Good", areas_for_development="AfD",
               recommendations="Train", not_involved_reason="", involvement_nature="Birth")
    ret.rev = 7
    doc = to_doc(ret)
    assert doc["status"] == "returned for clarification"
    assert doc["answers"]["x1"] == {"answer": "n/a", "evidence": ""}
    assert doc["sections"]["curiosity"]["grade"] == "requires improvement"
    assert doc["concern"]["acknowledged_at"] == "2021-04-15T16:45:00"
    assert doc["completed_on"] == "2021-04-13"
    assert from_doc(Return, doc) == ret


# ------------------------------------------------------------------------- edits


def test_first_edit_starts_a_draft_without_touching_the_input() -> None:
    ret = blank()
    before = copy.deepcopy(ret)
    new = edit(ret, "cora", T0, auditor_name="Cora")
    assert ret == before
    assert new.status is Status.DRAFT and new.auditor_name == "Cora"
    assert (new.updated_at, new.updated_by) == (T0, "cora")
    assert new.history == [StatusChange(T0, "cora", Status.DRAFT)]
    again = edit(new, "cora", T1, summary="s")
    assert again.status is Status.DRAFT and len(again.history) == 1 and again.updated_at == T1


def test_edit_that_changes_nothing_does_not_start_the_return() -> None:
    ret = blank()
    for changes in ({}, {"summary": ""}, {"answers": {"c1": QuestionAnswer()}}, {"sections": {"s": SectionReturn()}}):
        new = edit(ret, "cora", T0, **changes)
        assert new == ret and new is not ret
        assert new.status is Status.NOT_STARTED and new.updated_at is None and new.answers == {}


def test_answers_and_sections_merge_key_by_key() -> None:
    ret = complete()
    new = edit(ret, "cora", T1, answers={"c2": QuestionAnswer(Answer.PARTLY, "Seen once.")})
    assert new.answers["c1"] == ret.answers["c1"]
    assert new.answers["c2"] == QuestionAnswer(Answer.PARTLY, "Seen once.")
    assert ret.answers["c2"].answer is Answer.NO


def test_set_answer_and_set_grade_keep_omitted_parts() -> None:
    ret = set_answer(blank(), "cora", T0, "c1", answer=Answer.YES)
    ret = set_answer(ret, "cora", T0, "c1", evidence="Note 4.")
    assert ret.answers["c1"] == QuestionAnswer(Answer.YES, "Note 4.")
    ret = set_answer(ret, "cora", T0, "c1", answer=None)
    assert ret.answers["c1"] == QuestionAnswer(None, "Note 4.")
    ret = set_grade(ret, "cora", T0, "curiosity", grade=Grade.GOOD)
    ret = set_grade(ret, "cora", T0, "curiosity", rationale="Asked twice.")
    assert ret.sections["curiosity"] == SectionReturn(Grade.GOOD, "Asked twice.")


def test_hostile_text_is_kept_as_typed_except_control_bytes() -> None:
    hostile = "[bold red]x[/] | # <script>alert(1)</script> \\n `rm -rf` émoji 👶 \u05e9\u05dc\u05d5\u05dd\n\ttab"
    ret = edit(blank(), "cora", T0, summary=hostile,
               answers={"c1": QuestionAnswer(Answer.YES, hostile)},
               sections={"curiosity": SectionReturn(Grade.GOOD, hostile)})
    assert ret.summary == hostile
    assert ret.answers["c1"].evidence == hostile and ret.sections["curiosity"].rationale == hostile
    # Bidi overrides and isolates are control characters too (issue 15); Hebrew is text.
    dirty = edit(blank(), "cora", T0, summary="a\x1b[2Jb\x07c\r\nd\x9b31m\u202ee\u2066",
                 answers={"c1": QuestionAnswer(Answer.NO, "e\x1b]0;pwned\x07f")})
    assert dirty.summary == "abc\nde"
    assert dirty.answers["c1"].evidence == "ef"
    assert from_doc(Return, to_doc(ret)).summary == hostile


def test_oversized_text_is_refused_with_one_sentence() -> None:
    ok = edit(blank(), "cora", T0, summary="x" * 20_000)
    assert len(ok.summary) == 20_000
    with pytest.raises(TransitionError) as caught:
        edit(blank(), "cora", T0, summary="x" * 20_001)
    assert str(caught.value) == "The summary is 20,001 characters long; the most allowed is 20,000."
    with pytest.raises(TransitionError, match=r"^The evidence for question c1 is 25,000 characters long"):
        edit(blank(), "cora", T0, answers={"c1": QuestionAnswer(Answer.YES, "y" * 25_000)})
    with pytest.raises(TransitionError, match=r"^The rationale for section curiosity is 20,001"):
        set_grade(blank(), "cora", T0, "curiosity", rationale="r" * 20_001)
    # Control bytes do not count against the limit: they are removed first.
    assert len(edit(blank(), "cora", T0, summary="x" * 20_000 + "\x07").summary) == 20_000


def test_programming_errors_are_type_errors() -> None:
    with pytest.raises(TypeError, match="cannot change 'status'"):
        edit(blank(), "cora", T0, status=Status.SUBMITTED)
    with pytest.raises(TypeError):
        edit(blank(), "cora", T0, involved="yes")
    with pytest.raises(TypeError):
        edit(blank(), "cora", T0, completed_on=T0)
    with pytest.raises(TypeError):
        edit(blank(), "cora", T0, summary=3)
    with pytest.raises(TypeError):
        edit(blank(), "cora", T0, answers={"c1": "yes"})
    with pytest.raises(TypeError):
        edit(blank(), "cora", T0, answers={"c1": QuestionAnswer("yes")})  # type: ignore[arg-type]


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.RESUBMITTED, Status.NOT_INVOLVED])
def test_received_returns_are_read_only(status: Status) -> None:
    ret = Return("MACA-C86", "C-001", "MID", status=status)
    with pytest.raises(TransitionError) as caught:
        edit(ret, "cora", T0, summary="late change")
    assert str(caught.value) == (
        f"This return is {status.value} and read-only; a lead can return it for clarification."
    )
    with pytest.raises(TransitionError):
        set_answer(ret, "cora", T0, "c1", answer=Answer.YES)


# --------------------------------------------------------------------- submission


def test_blank_return_lists_every_gap_in_form_order() -> None:
    gaps = submission_gaps(blank(), TOOL)
    assert gaps == [
        Gap("header.involved", "Say whether the agency was involved with the child or family."),
        Gap("header.auditor_name", "The auditor's name is missing."),
        Gap("header.auditor_role", "The auditor's role is missing."),
        Gap("header.involvement_period", "The period of involvement is missing."),
        Gap("question:c1", 'Question 1.1 "Was routine enquiry made?" has no answer.'),
        Gap("question:c2", 'Question 1.2 "Was the father seen?" has no answer.'),
        Gap("section:curiosity", 'Section 1 "Professional curiosity" has no grade.'),
        Gap("section:curiosity", 'Section 1 "Professional curiosity" has no rationale for its grade.'),
        Gap("question:x1", 'Question 2.1 "Was Covid-19 a factor?" has no answer.'),
        Gap("overall.impact_on_child", "Say what difference the agency's work made for the child."),
    ]


def test_evidence_needed_for_yes_partly_no_but_not_na() -> None:
    ret = complete()
    ret = edit(ret, "cora", T0, answers={
        "c1": QuestionAnswer(Answer.PARTLY, "   "),
        "c2": QuestionAnswer(Answer.NO, ""),
        "x1": QuestionAnswer(Answer.NA, ""),
    })
    assert submission_gaps(ret, TOOL) == [
        Gap("question:c1", 'Question 1.1 "Was routine enquiry made?" is answered partly but has no evidence.'),
        Gap("question:c2", 'Question 1.2 "Was the father seen?" is answered no but has no evidence.'),
    ]


def test_graded_section_needs_grade_and_rationale_each() -> None:
    ret = edit(complete(), "cora", T0, sections={"curiosity": SectionReturn(Grade.GOOD, " ")})
    assert submission_gaps(ret, TOOL) == [
        Gap("section:curiosity", 'Section 1 "Professional curiosity" has no rationale for its grade.')
    ]
    ret = edit(complete(), "cora", T0, sections={"curiosity": SectionReturn(None, "Because.")})
    assert [g.message for g in submission_gaps(ret, TOOL)] == [
        'Section 1 "Professional curiosity" has no grade.'
    ]


def test_long_question_text_is_shortened_in_gap_messages() -> None:
    long_tool = copy.deepcopy(TOOL)
    long_tool.sections[0].questions[0].text = "Was " + "very " * 30 + "long?"
    gap = submission_gaps(blank(), long_tool)[4]
    assert gap.where == "question:c1"
    assert gap.message.startswith('Question 1.1 "Was very very') and gap.message.endswith('…" has no answer.')
    assert len(gap.message) < 100


def test_not_involved_needs_only_reason_and_auditor() -> None:
    ret = edit(blank(), "cora", T0, involved=False)
    assert submission_gaps(ret, TOOL) == [
        Gap("header.auditor_name", "The auditor's name is missing."),
        Gap("header.auditor_role", "The auditor's role is missing."),
        Gap("header.not_involved_reason", "Give the reason the agency was not involved."),
    ]
    ret = edit(ret, "cora", T0, auditor_name="Cora", auditor_role="Midwife",
               not_involved_reason="Family moved before booking.")
    assert submission_gaps(ret, TOOL) == []
    done = submit(ret, TOOL, "cora", T1)
    assert done.status is Status.NOT_INVOLVED and not is_received(done) and not is_outstanding(done)


def test_submit_refuses_with_every_gap() -> None:
    ret = edit(blank(), "cora", T0, involved=True)
    with pytest.raises(TransitionError) as caught:
        submit(ret, TOOL, "cora", T1)
    assert str(caught.value) == "This return has 9 gaps to fill before it can be submitted."
    assert caught.value.gaps == submission_gaps(ret, TOOL)
    nearly = edit(complete(), "cora", T0, impact_on_child="")
    with pytest.raises(TransitionError, match=r"^This return has 1 gap to fill before it can be submitted\.$"):
        submit(nearly, TOOL, "cora", T1)


def test_submit_complete_return() -> None:
    ret = complete()
    before = copy.deepcopy(ret)
    done = submit(ret, TOOL, "cora", T1)
    assert ret == before
    assert done.status is Status.SUBMITTED
    assert done.submitted_at == T1 and done.completed_on == date(2021, 4, 13)
    assert done.history[-1] == StatusChange(T1, "cora", Status.SUBMITTED)
    assert (done.updated_at, done.updated_by) == (T1, "cora")
    dated = submit(edit(ret, "cora", T0, completed_on=date(2021, 4, 1)), TOOL, "cora", T1)
    assert dated.completed_on == date(2021, 4, 1)


def test_submit_guards() -> None:
    with pytest.raises(TransitionError, match=r"^This return is already submitted\.$"):
        submit(submitted(), TOOL, "cora", T2)
    other = copy.deepcopy(TOOL)
    other.agency = "HV"
    with pytest.raises(TransitionError, match=r"^The audit tool is for agency HV, not MID\.$"):
        submit(complete(), other, "cora", T1)


def test_answers_outside_the_tool_are_ignored_by_the_check() -> None:
    ret = edit(complete(), "cora", T0, answers={"gone": QuestionAnswer()})
    assert submission_gaps(ret, TOOL) == []


def test_progress() -> None:
    assert progress(blank(), TOOL) == (0, 3)
    assert progress(set_answer(blank(), "c", T0, "c2", answer=Answer.NA), TOOL) == (1, 3)
    assert progress(complete(), TOOL) == (3, 3)


# ------------------------------------------------------------------ clarification


def test_return_for_clarification_then_resubmit() -> None:
    ret = submitted()
    back = return_for_clarification(ret, "lead", T2, "Which contact was this?")
    assert ret.status is Status.SUBMITTED
    assert back.status is Status.RETURNED and back.clarification == "Which contact was this?"
    assert back.history[-1] == StatusChange(T2, "lead", Status.RETURNED, "Which contact was this?")
    assert is_outstanding(back) and is_editable(back)
    reworked = edit(back, "cora", T2, answers={"c1": QuestionAnswer(Answer.YES, "Contact on 03/02.")})
    assert reworked.status is Status.RETURNED and reworked.clarification == "Which contact was this?"
    again = submit(reworked, TOOL, "cora", T3)
    assert again.status is Status.RESUBMITTED and again.submitted_at == T3
    assert again.clarification == ""
    assert [h.status for h in again.history] == [
        Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.RESUBMITTED
    ]
    once_more = return_for_clarification(again, "lead", T3, "And the date?")
    assert once_more.status is Status.RETURNED


def test_returned_not_involved_can_become_involved() -> None:
    ret = edit(blank(), "cora", T0, involved=False, auditor_name="C", auditor_role="M",
               not_involved_reason="Not known")
    ret = return_for_clarification(submit(ret, TOOL, "cora", T1), "lead", T2, "GP says you saw her.")
    ret = complete(ret)
    assert ret.status is Status.RETURNED
    assert submit(ret, TOOL, "cora", T3).status is Status.RESUBMITTED
    ret = edit(ret, "cora", T3, involved=False)
    assert submit(ret, TOOL, "cora", T3).status is Status.NOT_INVOLVED


@pytest.mark.parametrize("status", [Status.NOT_STARTED, Status.DRAFT, Status.RETURNED])
def test_only_returns_with_the_lead_can_be_returned(status: Status) -> None:
    with pytest.raises(TransitionError) as caught:
        return_for_clarification(Return("A", "C", "MID", status=status), "lead", T2, "Why?")
    assert str(caught.value) == (
        f"Only a return with the lead can be returned for clarification; this one is {status.value}."
    )


def test_clarification_needs_a_comment() -> None:
    for comment in ("", "  \n ", "\x1b[0m"):
        with pytest.raises(TransitionError, match=r"^Say what needs clarifying: the comment is empty\.$"):
            return_for_clarification(submitted(), "lead", T2, comment)
    with pytest.raises(TransitionError, match=r"^The comment is 20,001 characters long"):
        return_for_clarification(submitted(), "lead", T2, "c" * 20_001)


# ----------------------------------------------------------------------- concerns


def test_raise_and_acknowledge_a_concern() -> None:
    ret = complete()
    raised = raise_concern(ret, "cora", T1, "Baby left with a\x1b[31m violent partner.")
    assert not ret.concern.raised
    assert raised.concern == Concern(True, "Baby left with a violent partner.", "cora", T1)
    assert raised.concern.open and raised.status is Status.DRAFT
    assert (raised.updated_at, raised.updated_by) == (T1, "cora")
    done = acknowledge_concern(raised, "lead", T2, "Referred to CSC front door at 11:00.")
    assert raised.concern.open
    assert not done.concern.open
    assert (done.concern.acknowledged_by, done.concern.acknowledged_at) == ("lead", T2)
    assert done.concern.action_taken == "Referred to CSC front door at 11:00."
    assert done.concern.details == "Baby left with a violent partner."


def test_concern_can_be_raised_on_a_received_return_without_changing_status() -> None:
    ret = raise_concern(submitted(), "cora", T2, "New information.")
    assert ret.status is Status.SUBMITTED and ret.concern.open


def test_concern_guards() -> None:
    with pytest.raises(TransitionError, match=r"^Describe the concern: the details are empty\.$"):
        raise_concern(blank(), "cora", T0, "  ")
    raised = raise_concern(blank(), "cora", T0, "Worry.")
    with pytest.raises(TransitionError, match=r"already open on this return and waits for a lead\.$"):
        raise_concern(raised, "cora", T1, "Another worry.")
    with pytest.raises(TransitionError, match=r"^Say what action was taken: it is empty\.$"):
        acknowledge_concern(raised, "lead", T1, "")
    with pytest.raises(TransitionError, match=r"^There is no open safeguarding concern"):
        acknowledge_concern(blank(), "lead", T1, "Done.")
    done = acknowledge_concern(raised, "lead", T1, "Called CSC.")
    with pytest.raises(TransitionError, match=r"^There is no open safeguarding concern"):
        acknowledge_concern(done, "lead", T2, "Again.")
    # Once acknowledged, a new concern replaces the old one.
    new = raise_concern(done, "cora", T2, "A new worry.")
    assert new.concern == Concern(True, "A new worry.", "cora", T2)
