"""The audit tool's rows: what each header field, question, section grade, overall field
and the concern flag look like in the list and in the detail pane.

Kept apart from the screen's keys and saving.  Every row's id is the locator
:func:`audit.returns.submission_gaps` uses (``header.<field>``, ``question:<id>``,
``section:<objective>``, ``overall.<field>``), so a gap jumps straight to its row.  All
text is `rich.text.Text`; what people typed is shown exactly as typed.  Identifiers of
the case (family name, date of birth, system ids) are never part of the tool.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from rich.text import Text

from audit.dates import format_uk
from audit.grades import Answer, Grade
from audit.returns import QuestionAnswer, Return, SectionReturn
from audit.text import plain
from audit.tools import Question, Section, ToolTemplate

EditKind = Literal["", "line", "text", "date", "involved", "concern"]

HEADER_FIELDS: dict[str, tuple[str, EditKind, str]] = {
    # field: (label, editor, hint)
    "involved": ("Involved with the child or family?", "involved", "y yes · n no (then give the reason)"),
    "not_involved_reason": ("Reason the agency was not involved", "text", "Required when not involved."),
    "involvement_period": ("Period of involvement", "line", "e.g. January to September 2020. Required."),
    "involvement_nature": ("Nature of involvement", "text", "What the agency did with the family."),
    "summary": ("Summary", "text", "A short summary of the agency's work with the family."),
    "auditor_name": ("Auditor's name", "line", "Required."),
    "auditor_role": ("Auditor's role", "line", "Required."),
    "completed_on": ("Date completed", "date", "Today's date is used on submission when left empty."),
}
OVERALL_FIELDS: dict[str, tuple[str, str]] = {
    "good_practice": ("Good practice", "What worked well, with examples from the record."),
    "areas_for_development": ("Areas for development", "What could have been done better, and why."),
    "impact_on_child": ("Difference made for the child", "What changed for the child because of the work. Required."),
    "recommendations": ("Recommendations for the agency", "What the agency should do next."),
}
ANSWER_KEYS = "  ".join(f"{a.key} {a.label.lower()}" for a in Answer)
GRADE_KEYS = "  ".join(f"{g.key} {g.label.lower()}" for g in Grade.in_order())
GRADE_STYLE = {Grade.OUTSTANDING: "bold green", Grade.GOOD: "green",
               Grade.REQUIRES_IMPROVEMENT: "yellow", Grade.INADEQUATE: "bold red"}
SHORT_ANSWER = {Answer.YES: "Yes", Answer.PARTLY: "Partly", Answer.NO: "No", Answer.NA: "N/A"}
ANSWER_STYLE = {Answer.YES: "green", Answer.PARTLY: "yellow", Answer.NO: "red", Answer.NA: "dim"}


@dataclass(frozen=True)
class ToolRow:
    id: str  # the gap locator, or "heading:<name>" for a heading, or "concern"
    label: Text
    detail: Text
    edit: EditKind = ""
    field: str = ""  # return field, question id, or objective id
    section: str | None = None  # objective of the section the row sits in (for grades)

    @property
    def heading(self) -> bool:
        return self.id.startswith("heading:")

    @property
    def kind(self) -> str:
        return self.id.split(":", 1)[0].split(".", 1)[0]


def _line(*parts: tuple[str, str] | Text | str) -> Text:
    # Wrapping is the list's to decide (tool.tcss): cut with "…" in a narrow list, whole
    # on as many lines as it takes in a wide one.
    text = Text()
    for part in parts:
        if isinstance(part, Text):
            text.append_text(part)
        elif isinstance(part, tuple):
            text.append(*part)
        else:
            text.append(part)
    return text


def _detail(title: str, *parts: Text | str) -> Text:
    text = Text()
    text.append(title + "\n\n", style="bold underline")
    for part in parts:
        text.append_text(part if isinstance(part, Text) else Text(part))
        text.append("\n")
    return text


def _value(value: str, empty: str = "—") -> Text:
    return Text(value) if value.strip() else Text(empty, style="dim italic")


def _when(at: datetime | None) -> str:
    return f"{format_uk(at.date())} {at:%H:%M}" if at else "?"


def answer_text(given: QuestionAnswer) -> Text:
    if given.answer is None:
        return Text("· —      ", style="dim")
    return Text(f"{given.answer.symbol} {SHORT_ANSWER[given.answer]:<7}", style=ANSWER_STYLE[given.answer])


def grade_text(graded: SectionReturn) -> Text:
    if graded.grade is None:
        return Text("· not graded", style="dim")
    return Text(f"{graded.grade.symbol} {graded.grade.label}", style=GRADE_STYLE[graded.grade])


def header_rows(ret: Return, locked: str = "") -> list[ToolRow]:
    rows = [ToolRow("heading:header", Text("Header", style="bold"), Text(""))]
    for name, (label, kind, hint) in HEADER_FIELDS.items():
        if name == "not_involved_reason" and ret.involved is not False:
            continue
        if name in ("involvement_period", "involvement_nature", "summary") and ret.involved is False:
            continue
        if name == "involved":
            shown = {True: "Yes", False: "No", None: "—"}[ret.involved]
        elif name == "completed_on":
            shown = format_uk(ret.completed_on, "—")
        else:
            shown = plain(str(getattr(ret, name))) or "—"
        label_text = _line(f"  {label}: ", (shown, "bold" if shown != "—" else "dim"))
        full = Text(shown) if name in ("involved", "completed_on") else _value(str(getattr(ret, name)))
        keys = locked or ("y / n answer it; enter chooses." if kind == "involved" else "e or enter edits it.")
        rows.append(ToolRow(f"header.{name}", label_text, _detail(label, full, "", Text(hint, style="italic"),
                                                                  Text(keys, style="dim")), kind, name))
    return rows


def question_row(number: str, section: Section, question: Question, given: QuestionAnswer,
                 locked: str = "") -> ToolRow:
    mark = "✎" if given.evidence.strip() else " "
    missing = given.answer is not None and given.answer.needs_evidence and not given.evidence.strip()
    label = _line(f"  {number:<5}", answer_text(given), (" ! " if missing else f" {mark} ", "bold yellow"),
                  plain(question.text))
    parts: list[Text | str] = [Text(question.text)]
    if question.guidance:
        parts += ["", Text("Guidance: " + question.guidance, style="italic")]
    answer = Text("Answer: ", style="bold")
    answer.append_text(answer_text(given) if given.answer else Text("not answered", style="dim"))
    parts += ["", answer, Text(locked or ANSWER_KEYS, style="dim"), "", Text("Evidence", style="bold")]
    if given.evidence.strip():
        parts.append(Text(given.evidence))
    else:
        need = " (needed for yes, partly and no)" if given.answer is None or given.answer.needs_evidence else ""
        parts.append(Text("none" if locked else f"none yet{need}: e or enter adds it", style="dim italic"))
    return ToolRow(f"question:{question.id}", label, _detail(f"Question {number} · {section.title}", *parts),
                   "text", question.id, section.objective)


def section_row(index: int, section: Section, graded: SectionReturn, objective_text: str,
                locked: str = "") -> ToolRow:
    label = _line((f"▾ {index} {plain(section.title)}", "bold"))
    parts: list[Text | str] = []
    if objective_text:
        parts += [Text(objective_text, style="italic"), ""]
    if section.graded:
        label.append("  ")
        label.append_text(grade_text(graded))
        if graded.grade is not None and not graded.rationale.strip():
            label.append(" ! no rationale", style="bold yellow")
        grade = Text("Grade: ", style="bold")
        grade.append_text(grade_text(graded))
        parts += [grade, Text(locked or GRADE_KEYS, style="dim"), "", Text("Rationale for the grade", style="bold"),
                  _value(graded.rationale, "none" if locked else "none yet (required): e or enter adds it")]
    else:
        parts.append(Text("This section is not graded.", style="dim"))
    return ToolRow(f"section:{section.objective}", label, _detail(f"Section {index} · {section.title}", *parts),
                   "text" if section.graded else "", section.objective, section.objective)


def overall_rows(ret: Return) -> list[ToolRow]:
    rows = [ToolRow("heading:overall", Text("Overall", style="bold"), Text(""))]
    for name, (label, hint) in OVERALL_FIELDS.items():
        value = str(getattr(ret, name))
        row_label = _line(f"  {label}: ", (plain(value) or "—", "" if value.strip() else "dim"))
        rows.append(ToolRow(f"overall.{name}", row_label,
                            _detail(label, _value(value), "", Text(hint, style="italic")), "text", name))
    return rows


def concern_row(ret: Return) -> ToolRow:
    from audit.concerns import status_line

    concern = ret.concern
    if concern.open:
        label = _line(("  ⚠ OPEN: immediate safeguarding concern raised by ", "bold red"),
                      (f"{concern.raised_by} {_when(concern.raised_at)}", "bold red"))
        body: list[Text | str] = [Text(concern.details), "", Text(f"Raised by {concern.raised_by} on {_when(concern.raised_at)}."),
                Text(f"Now: {status_line(concern)}.", style="bold")]
        if concern.agency_action:
            body += [Text(f"{concern.holder}'s action: ", style="bold"), Text(concern.agency_action)]
        body.append(Text("Every lead has been alerted; it stays open until a lead closes it (a).", style="italic"))
    elif concern.raised:
        label = _line("  ✓ Concern acknowledged by ", f"{concern.acknowledged_by} {_when(concern.acknowledged_at)}")
        acted: list[Text | str] = [Text(f"{concern.holder}'s action: ", style="bold"), Text(concern.agency_action), ""] \
            if concern.agency_action else []
        body = [Text(concern.details), "", *acted, Text("Action taken: ", style="bold"), Text(concern.action_taken), "",
                Text(f"Raised by {concern.raised_by} on {_when(concern.raised_at)}; acknowledged by "
                     f"{concern.acknowledged_by} on {_when(concern.acknowledged_at)}."),
                Text("! raises a new concern.", style="dim")]
    else:
        label = _line(("  · No immediate safeguarding concern", "dim"), ("  (! raises one)", "dim"))
        body = [Text("If the audit finds a child may be at risk now, press ! and describe it: every lead is "
                     "alerted at once, and the case goes straight back to the agency holding it.")]
    return ToolRow("concern", label, _detail("Immediate safeguarding concern", *body), "concern")


def tool_rows(ret: Return, tool: ToolTemplate, objectives: dict[str, str], locked: str = "") -> list[ToolRow]:
    """Every row of the tool, in form order; questions only when the agency was involved.
    `locked`: why this user may not change the return, said where the keys would be."""
    rows = header_rows(ret, locked)
    if ret.involved is not False:
        numbers = {q.id: number for number, _, q in tool.numbered()}
        for index, section in enumerate(tool.sections, start=1):
            graded = ret.sections.get(section.objective, SectionReturn())
            rows.append(section_row(index, section, graded, objectives.get(section.objective, ""), locked))
            for question in section.questions:
                given = ret.answers.get(question.id, QuestionAnswer())
                rows.append(question_row(numbers[question.id], section, question, given, locked))
        rows += overall_rows(ret)
    else:
        rows.append(ToolRow("heading:not-involved",
                            Text("Not involved: the return holds no questions.", style="italic"), Text("")))
    rows.append(ToolRow("heading:safeguarding", Text("Safeguarding", style="bold"), Text("")))
    rows.append(concern_row(ret))
    return rows


def editor_hint(what: str, edit: str) -> Text:
    """The line above the editor: what is edited and the same two keys for every kind
    (short enough to fit beside the form at 80 columns in two lines, at 120 in one)."""
    text = Text()
    text.append(f"✎ {what}", style="bold")
    if edit == "date":
        text.append(" · DD/MM/YYYY · enter or esc: done")
    elif edit == "text":
        text.append(" · saved as you type · enter: new line · esc: done")
    else:
        text.append(" · saved as you type · enter or esc: done")
    return text


def value_of(row: ToolRow, ret: Return) -> str:
    """The text a row's editor starts from."""
    if row.kind == "question":
        given = ret.answers.get(row.field)
        return given.evidence if given else ""
    if row.kind == "section":
        graded = ret.sections.get(row.field)
        return graded.rationale if graded else ""
    if row.edit == "date":
        return format_uk(ret.completed_on, "")
    return str(getattr(ret, row.field) or "")


def label_of(row: ToolRow) -> str:
    """What a header or overall field is called."""
    if row.field in HEADER_FIELDS:
        return HEADER_FIELDS[row.field][0]
    if row.field in OVERALL_FIELDS:
        return OVERALL_FIELDS[row.field][0]
    return row.field
