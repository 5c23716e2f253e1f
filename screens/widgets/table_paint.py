"""How a `VirtualTable` looks: its columns' widths and the strip of each line it paints.

`VirtualTable` (virtual_table.py) decides what is on screen and where the cursor is;
for each line Textual asks it to paint, it asks a `TablePainter` here for the header,
a row or the one line shown when no row passes the filter.  Strips are cached: a row's
by its index, whether the cursor is on it, and the styles of this paint, so moving the
cursor re-renders two rows and scrolling re-renders none it has seen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.strip import Strip

from audit.text import flat
from screens.widgets.table_cells import (
    PAD,
    Column,
    auto_width,
    cell_plain,
    cell_segments,
    column_widths,
    fit_cell,
    header_width,
    sample_rows,
)
from screens.widgets.table_rows import Row

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["TablePainter"]


class TablePainter:
    """Column widths and cached strips for one table.

    `component(*names)` gives the table's style for its component classes
    (`virtual-table--header` …); `cell` and `row_style` are the table's own.
    """

    def __init__(
        self,
        columns: Sequence[Column],
        cell: Callable[[Row, str], str | Text],
        row_style: Callable[[Row], str | None] | None,
        component: Callable[..., Style],
    ) -> None:
        self.columns = columns
        self._cell = cell
        self._row_style = row_style
        self._component = component
        self._auto_widths = [header_width(c) for c in columns]
        self.widths = list(self._auto_widths)
        self.total_width = 0  # every column with its padding
        self._lines: LRUCache[tuple, Strip] = LRUCache(1024)
        self._header: tuple[tuple, Strip] | None = None
        self._styles: dict[str, Style] = {}
        self.base = Style()
        self._key: tuple = ()
        self._console: Console | None = None

    # ---------------------------------------------------------------- widths
    def fit(self, rows: list[Row]) -> None:
        """Auto widths from the header and a sample of rows (top plus spread)."""
        sample = sample_rows(rows)
        for number, column in enumerate(self.columns):
            if column.width is not None:
                continue
            texts: Iterable[str] = (cell_plain(self._cell(r, column.key)) for r in sample)
            self._auto_widths[number] = auto_width(column, texts)

    def lay_out(self, available: int) -> bool:
        """Fixed and auto widths in `available` cells, a flexible last column stretched to
        fill the rest; True when the widths changed (then every cached strip is dropped)."""
        widths = column_widths(self.columns, self._auto_widths, available)
        if widths == self.widths and self.total_width:
            return False
        self.widths = widths
        self.total_width = sum(w + 2 * PAD for w in widths)
        self.forget()
        return True

    def column_at(self, x: int) -> int | None:
        """The column under content column `x`, if any."""
        left = 0
        for number, width in enumerate(self.widths):
            left += width + 2 * PAD
            if x < left:
                return number
        return None

    def span(self, number: int) -> tuple[int, int]:
        """Where column `number` starts and ends, padding included."""
        left = sum(w + 2 * PAD for w in self.widths[:number])
        return left, left + self.widths[number] + 2 * PAD

    # ---------------------------------------------------------------- strips
    def forget(self, *, rows_only: bool = False) -> None:
        """Drop cached strips: the rows' (their indices now mean other rows, or their
        objects changed) or, after a change of widths or styles, the header's too."""
        self._lines.clear()
        if not rows_only:
            self._header = None

    def start(self, base: Style, focused: bool, console: Console) -> None:
        """Styles resolved once per paint; they are part of every cache key, so a theme
        change or focus change can never serve a stale strip."""
        self.base = base
        self._key = (base, focused, self.total_width)
        self._console = console

    def header(self, sort_column: str | None, sort_reverse: bool, column_cursor: int) -> Strip:
        key = (self._key, sort_column, sort_reverse, column_cursor)
        if self._header is not None and self._header[0] == key:
            return self._header[1]
        segments: list[Segment] = []
        for number, (column, width) in enumerate(zip(self.columns, self.widths)):
            names = ["virtual-table--header"]
            label = flat(column.label)
            if column.key == sort_column:
                names.append("virtual-table--sorted")
                label += " ▼" if sort_reverse else " ▲"
            if number == column_cursor:
                names.append("virtual-table--header-cursor")
            style = self.base + self._component(*names)
            segments.extend(fit_cell([Segment(label, style)], width, column.align, style))
        strip = Strip(segments, self.total_width)
        self._header = (key, strip)
        return strip

    def row(self, row: Row, index: int, cursor: bool) -> Strip:
        """Row `row` (number `index` among all rows), highlighted when `cursor`."""
        key = (index, cursor, self._key)
        cached = self._lines.get(key)
        if cached is None:
            cached = self._lines[key] = self._render_row(row, cursor)
        return cached

    def empty(self, text: str) -> Strip:
        """The one line shown when no row passes the filter."""
        style = self.base + self._component("virtual-table--empty")
        return Strip([Segment(" " * PAD + flat(text), style)])

    def _render_row(self, row: Row, cursor: bool) -> Strip:
        style = self.base
        if self._row_style is not None and (extra := self._row_style(row)):
            if extra not in self._styles:
                self._styles[extra] = Style.parse(extra)
            style += self._styles[extra]
        if cursor:
            style += self._component("virtual-table--cursor")
        console = self._console
        assert console is not None, "start() comes before painting"
        segments: list[Segment] = []
        for column, width in zip(self.columns, self.widths):
            parts = cell_segments(self._cell(row, column.key), style, console)
            segments.extend(fit_cell(parts, width, column.align, style))
        return Strip(segments, self.total_width)
