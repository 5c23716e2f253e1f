"""What the Returns grid shows (pure Text building): a cell's status, questions answered,
overdue ``!`` and open-concern ``⚠``; the legend of those symbols; the due-date line."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from audit.dates import format_uk
from audit.returns import Status
from audit.returns_grid import GridCell

STATUS_STYLE = {
    Status.NOT_STARTED: "dim",
    Status.DRAFT: "yellow",
    Status.RETURNED: "magenta",
    Status.SUBMITTED: "green",
    Status.RESUBMITTED: "bold green",
    Status.NOT_INVOLVED: "cyan",
}
LEGEND_ENTRIES = [f"{s.symbol} {s.value}" for s in Status] + [
    "! overdue", "⚠ open safeguarding concern", "cell: status, questions answered"]
LEGEND = "  ".join(LEGEND_ENTRIES)


class Legend:
    """The legend's entries left to right, wrapped between entries and never inside one
    (at 80 columns "✔" ended one line and "resubmitted" began the next)."""

    def __init__(self, entries: list[str], gap: str = "  ") -> None:
        self.entries = entries
        self.gap = gap

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        line = ""
        for entry in self.entries:
            if line and cell_len(line + self.gap + entry) > options.max_width:
                yield Text(line)
                line = ""
            line = f"{line}{self.gap}{entry}" if line else entry
        if line:
            yield Text(line)


def cell_text(cell: GridCell) -> Text:
    text = Text(no_wrap=True)
    style = "bold red" if cell.overdue else STATUS_STYLE[cell.status]
    if cell.status is Status.NOT_INVOLVED:
        text.append(f"{cell.status.symbol} n/i", style=style)
    elif cell.status is Status.NOT_STARTED:
        text.append(f"{cell.status.symbol} —", style=style)
    else:
        text.append(f"{cell.status.symbol} {cell.answered}/{cell.total}", style=style)
    if cell.overdue:
        text.append(" !", style="bold red")
    if cell.concern_open:
        text.append(" ⚠", style="bold white on red")
    return text


def due_text(due: Any, today: Any) -> str:
    if due is None:
        return "No due date for returns: add a milestone named for returns in Scope."
    days = (due - today).days
    when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}" if days > 0 else \
        f"{-days} day{'s' if days != -1 else ''} ago"
    return f"Returns due {format_uk(due)} ({when})"


def spaced(text: Text, gap: int) -> Text:
    """``text`` after the ``gap`` spaces that separate grid columns."""
    return Text(" " * gap) + text
