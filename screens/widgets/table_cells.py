"""What goes into a `VirtualTable`'s cells: the columns, cell text made safe for the
terminal, and fitting columns and text to widths.

These are plain functions of their arguments, with no widget state; `table_rows.py`
holds which rows show and the cursor, `table_paint.py` the widths and painted strips,
and `virtual_table.py` the widget.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from audit.text import flat

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "PAD",
    "Align",
    "Column",
    "auto_width",
    "cell_plain",
    "cell_segments",
    "column_widths",
    "fit_cell",
    "header_width",
    "sample_rows",
]

Align = Literal["left", "right", "center"]

PAD = 1  # blank cells either side of every column
_AUTO_MAX = 40  # an auto-fitted column never grows past this; long text ends in "…"
_SAMPLE = 100  # rows read from the top, and again spread evenly, to fit widths


def cell_plain(value: str | Text | object) -> str:
    """The cleaned plain text of a cell value (:func:`audit.text.flat`)."""
    return flat(value.plain if isinstance(value, Text) else str(value))


@dataclass
class Column:
    """One column; `width=None` fits the header and a sample of rows.

    `shrink=True` on a flexible (`width=None`) last column lets it also narrow to the
    room left, down to its header, cutting long text with "…" rather than scrolling.
    """

    key: str
    label: str
    width: int | None = None
    align: Align = "left"
    sortable: bool = True
    shrink: bool = False


# -- column widths -----------------------------------------------------------------------


def header_width(column: Column) -> int:
    """The header label's width, with room for " ▲" so sorting never truncates it."""
    return cell_len(flat(column.label)) + (2 if column.sortable else 0)


def sample_rows(rows: list[Any]) -> list[Any]:
    """The rows auto widths are fitted to: the first hundred, then a hundred spread evenly."""
    step = max(1, len(rows) // _SAMPLE)
    return rows[:_SAMPLE] + rows[_SAMPLE::step]


def auto_width(column: Column, texts: Iterable[str]) -> int:
    """The header's width, widened to the widest of `texts` but never past `_AUTO_MAX`."""
    widest = max((cell_len(text) for text in texts), default=0)
    return max(header_width(column), min(widest, _AUTO_MAX))


def column_widths(columns: Sequence[Column], auto_widths: Sequence[int], available: int) -> list[int]:
    """Fixed and auto widths, with a flexible last column stretched to fill `available`
    cells (0: not known yet, leave it as it is)."""
    widths = [
        max(1, c.width if c.width is not None else auto)
        for c, auto in zip(columns, auto_widths)
    ]
    if columns[-1].width is None and available:
        others = sum(w + 2 * PAD for w in widths[:-1])
        floor = header_width(columns[-1]) if columns[-1].shrink else widths[-1]
        widths[-1] = max(floor, available - others - 2 * PAD)
    return widths


# -- cell text ---------------------------------------------------------------------------


def cell_segments(value: str | Text, style: Style, console: Console) -> list[Segment]:
    """A cell value as cleaned segments over `style`; a `Text` keeps its own styles."""
    if isinstance(value, Text):
        # Text.render leaves out the Text's own style when it has no spans.
        own = style + console.get_style(value.style, default=Style.null())
        return [
            Segment(flat(s.text), own + s.style if s.style else own)
            for s in value.render(console)
        ]
    return [Segment(flat(str(value)), style)]


def fit_cell(parts: list[Segment], width: int, align: Align, style: Style) -> list[Segment]:
    """Pad or cut `parts` to exactly `width` cells (ending in "…" when cut), plus padding."""
    length = sum(cell_len(part.text) for part in parts)
    if length > width:
        if len(parts) == 1:
            text = set_cell_size(parts[0].text, width - 1) + "…"
            parts = [Segment(text, parts[0].style)]
        else:
            cut = Strip(parts, length).crop(0, width - 1)
            parts = [*cut, Segment("…", parts[-1].style)]
            parts = list(Strip(parts).adjust_cell_length(width, style))
        left = right = 0
    elif align == "right":
        left, right = width - length, 0
    elif align == "center":
        left = (width - length) // 2
        right = width - length - left
    else:
        left, right = 0, width - length
    return [
        Segment(" " * (PAD + left), style),
        *parts,
        Segment(" " * (PAD + right), style),
    ]
