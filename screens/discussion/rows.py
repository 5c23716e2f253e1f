"""What the Discussion section shows: every agency's return for a case beside the record.

Pure `rich.text.Text` building, kept apart from the section's keys and saving.  All
user text is appended as plain text, so whatever anyone typed shows exactly as typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from audit.dates import format_uk
from audit.findings import Discussion, Finding, format_attendee
from audit.grades import Grade, distribution, most_common
from audit.returns import Return, Status, is_received
from audit.scope import Audit, Kind
from audit.text import plain

GRADE_STYLE = {
    Grade.OUTSTANDING: "bold green",
    Grade.GOOD: "green",
    Grade.REQUIRES_IMPROVEMENT: "bold yellow",
    Grade.INADEQUATE: "bold red",
}
POINT_LISTS = {"well": "worked_well", "less": "worked_less_well"}


@dataclass(frozen=True)
class Row:
    id: str  # "objective:curiosity", "record", "group:well", "well:0", "less:2"
    prompt: Text

    @property
    def kind(self) -> str:
        return self.id.split(":", 1)[0]

    @property
    def item(self) -> str:
        return self.id.split(":", 1)[1] if ":" in self.id else ""


def grade_text(grade: Grade | None, *, label: bool = True) -> Text:
    if grade is None:
        return Text("— none" if label else "·", style="dim")
    return Text(f"{grade.symbol} {grade.label}" if label else grade.symbol, style=GRADE_STYLE[grade])


def _clip(text: str, width: int) -> str:
    line = plain(text)
    return line if len(line) <= width else line[: max(1, width - 1)] + "…"


def agency_mark(ret: Return | None, objective: str) -> Text:
    """One cell for an agency under an objective: its grade once received, else its status."""
    if ret is None:
        return Text(Status.NOT_STARTED.symbol, style="dim")
    if ret.status is Status.NOT_INVOLVED:
        return Text(Status.NOT_INVOLVED.symbol, style="dim")
    if not is_received(ret):
        return Text(ret.status.symbol, style="dim italic")
    section = ret.sections.get(objective)
    return grade_text(section.grade if section else None, label=False)


def subject_label(subject: str, discussion: Discussion | None, received: int, expected: int, concern: bool,
                  kind: Kind) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    held = discussion is not None and discussion.held_on is not None
    text.append("✓ " if held else "· ", style="green" if held else "dim")
    text.append(plain(subject))
    if kind is Kind.MACA:
        text.append(f"  {received}/{expected}", style="dim")
    elif discussion is not None:
        text.append(f"  {discussion.session_kind}", style="dim")
    if concern:
        text.append(" ⚠", style="bold red")
    return text


def head_text(audit: Audit, subject: str, discussion: Discussion, returns: dict[str, Return | None]) -> Text:
    """The case (or session) line, and every safeguarding concern raised on its returns."""
    text = Text()
    if audit.kind is Kind.MACA:
        received = sum(1 for r in returns.values() if r is not None and is_received(r))
        text.append(f"Case {subject}", style="bold")
        text.append(f" · returns received {received} of {len(returns)}")
    else:
        text.append(f"{discussion.session_kind.capitalize()}: ", style="bold")
        text.append(plain(subject), style="bold")
    text.append(" · discussed " + format_uk(discussion.held_on) if discussion.held_on else " · not yet discussed")
    for agency, ret in returns.items():
        if ret is not None and ret.concern.raised:
            state = "open, waiting for a lead" if ret.concern.open else "acknowledged"
            text.append(f"\n⚠ {agency} raised an immediate safeguarding concern ({state}): ",
                        style="bold red" if ret.concern.open else "bold yellow")
            text.append(_clip(ret.concern.details, 200))
    return text


def objective_row(audit: Audit, objective_id: str, title: str, discussion: Discussion,
                  returns: dict[str, Return | None], width: int) -> Row:
    text = Text()
    text.append(plain(title), style="bold")
    text.append("   agreed: ")
    agreed = discussion.agreed_grades.get(objective_id)
    text.append_text(grade_text(agreed))
    graded = [r.sections[objective_id].grade for r in returns.values()
              if r is not None and is_received(r) and objective_id in r.sections]
    suggested = most_common(graded)
    if agreed is None and suggested is not None:
        text.append("  (returns mostly: ", style="dim")
        text.append_text(grade_text(suggested))
        text.append(")", style="dim")
    elif agreed is None and graded:
        # A tie: no grade is suggested over another; the spread is shown instead.
        text.append("  (returns split: " + ", ".join(
            f"{n} {g.value}" for g, n in distribution(graded).items() if n) + ")", style="dim")
    if audit.kind is Kind.MACA and returns:
        text.append("\n ")
        used = 1
        for agency, ret in returns.items():
            mark = agency_mark(ret, objective_id)
            if used + len(agency) + mark.cell_len + 3 > width - 2:  # a new line, never "EY" | "◦"
                text.append("\n ")
                used = 1
            text.append(f" {agency} ")
            text.append_text(mark)
            text.append(" ")
            used += len(agency) + mark.cell_len + 3
        for agency, ret in returns.items():
            if ret is None or not is_received(ret):
                continue
            section = ret.sections.get(objective_id)
            if section is None or not section.rationale.strip():
                continue
            text.append(f"\n   {agency} ")
            text.append_text(grade_text(section.grade, label=False))
            # The prefix "   CSC ✓ " and the option's own padding (2): the "…" stays on the line.
            text.append(" " + _clip(section.rationale, max(10, width - len(agency) - 8)), style="italic")
    return Row(f"objective:{objective_id}", text)


def record_row(discussion: Discussion, width: int) -> Row:
    text = Text()
    text.append("Record", style="bold underline")
    text.append("  (e edits)\n", style="dim")
    text.append("Held on: ", style="bold")
    text.append(format_uk(discussion.held_on, "not recorded") + "\n")
    text.append("Attendees: ", style="bold")
    people = "; ".join(format_attendee(a) for a in discussion.attendees)
    text.append(plain(people) or "not recorded")
    if discussion.notes.strip():
        text.append("\nNotes: ", style="bold")
        text.append(_clip(discussion.notes, max(10, width * 2)))
    return Row("record", text)


def promoted_to(findings: list[Finding], subject: str, point: str) -> list[str]:
    """The findings made from this point of this discussion (by source and text)."""
    return [f.id for f in findings if f.text == point and (subject in f.cases or f.source.endswith(subject))]


def point_rows(kind: str, heading: str, key: str, points: list[str], subject: str,
               findings: list[Finding]) -> list[Row]:
    head = Text()
    head.append(f"{heading} ({len(points)})", style="bold underline")
    head.append(f"  ({key} adds)", style="dim")
    rows = [Row(f"group:{kind}", head)]
    for i, point in enumerate(points):
        text = Text("  • ")
        text.append(point)
        made = promoted_to(findings, subject, point)
        if made:
            text.append("  → " + ", ".join(made), style="bold cyan")
        rows.append(Row(f"{kind}:{i}", text))
    return rows


def discussion_rows(audit: Audit, subject: str, discussion: Discussion, returns: dict[str, Return | None],
                    findings: list[Finding], width: int) -> list[Row]:
    """The right-hand list: each objective side by side, then the record and its points."""
    rows = [objective_row(audit, o.id, o.title, discussion, returns, width) for o in audit.objectives]
    rows.append(record_row(discussion, width))
    rows += point_rows("well", "Worked well", "w", discussion.worked_well, subject, findings)
    rows += point_rows("less", "Worked less well, and why", "W", discussion.worked_less_well, subject, findings)
    return rows
