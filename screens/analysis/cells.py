"""What the analysis grids' cells and headings show: pure Text building, colour never
the only signal (every grade carries its symbol and a short label)."""

from __future__ import annotations

from rich.text import Text

from audit.analysis import Analysis, GradeCell
from audit.dates import format_uk
from audit.grades import Grade
from audit.returns import Status

GRADE_STYLE = {
    Grade.OUTSTANDING: "bold green",
    Grade.GOOD: "green",
    Grade.REQUIRES_IMPROVEMENT: "bold yellow",
    Grade.INADEQUATE: "bold red",
}
SHORT = {Grade.OUTSTANDING: "Out", Grade.GOOD: "Good", Grade.REQUIRES_IMPROVEMENT: "RI", Grade.INADEQUATE: "Inad"}
NONE = Text("·", style="dim")


def grade_cell(cell: GradeCell) -> Text:
    """``! RI 3/5``: the most common grade, how often it was given, of how many."""
    grade = cell.most_common
    if cell.tied:
        # No single grade: how many were given the top count, and of how many.
        return Text(f"tie {max(cell.distribution.values())}/{cell.total}", style="italic", no_wrap=True)
    if grade is None:
        return NONE
    return Text(f"{grade.symbol} {SHORT[grade]} {cell.distribution[grade]}/{cell.total}",
                style=GRADE_STYLE[grade], no_wrap=True)


def agreed_cell(grade: Grade | None) -> Text:
    if grade is None:
        return NONE
    return Text(f"{grade.symbol} {SHORT[grade]}", style=GRADE_STYLE[grade], no_wrap=True)


def distribution_text(cell: GradeCell, *, bars: bool = False) -> Text:
    """Every grade with its count, best first (one line, or one line each with bars)."""
    text = Text()
    for n, (grade, count) in enumerate(cell.distribution.items()):
        style = GRADE_STYLE[grade] if count else "dim"
        if bars:
            text.append(f"{grade.symbol} {grade.label:<22}", style=style)
            text.append(f"{count:>4}  ")
            text.append("█" * min(count, 40) + "\n", style=style)
        else:
            text.append(", " if n else "")
            text.append(f"{count} {grade.symbol} {grade.value}", style=style)
    return text


def most_common_sentence(cell: GradeCell) -> str:
    if cell.tied:
        spread = ", ".join(f"{n} {g.value}" for g, n in cell.distribution.items() if n)
        return f"No single most common grade: {spread}."
    if cell.most_common is None:
        return "No grades yet."
    grade = cell.most_common
    return f"Most common: {grade.label} ({cell.distribution[grade]} of {cell.total})."


def counts_text(a: Analysis) -> Text:
    """The candidates' screening and the returns by status (a few lines at 80 columns)."""
    s, r = a.screening, a.returns
    text = Text()
    text.append("Screened ", style="bold")
    text.append(f"{s.screened}: {s.eligible} eligible · {s.not_eligible} ineligible · "
                f"{s.unknown} unknown · {s.selected}/{s.target} selected")
    if s.selected_not_eligible:
        text.append(f" ({s.selected_not_eligible} not eligible)")
    if s.drawn:
        text.append(f" · {s.drawn} drawn at random")
    text.append("\nReturns ", style="bold")
    text.append(f"{r.received}/{r.expected} received")
    for status in Status:
        label = "returned" if status is Status.RETURNED else status.value
        text.append(f" · {status.symbol} {r.by_status.get(status, 0)} {label}")
    if r.due is not None:
        text.append(f" · due {format_uk(r.due)}")
    if r.overdue:
        text.append(f" · {r.overdue} overdue", style="bold red")
    return text
