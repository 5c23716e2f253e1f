"""A table that paints only the rows on screen, so 20,000 rows stay interactive.

The stock DataTable copies every cell into its own storage and measures it, which
is what makes 20,000 rows slow to show and to re-filter. `VirtualTable` instead keeps
the caller's row objects and an index list of the visible ones; it asks `cell(row,
key)` for text only when a line is painted (Textual's line API), caches the strips,
and repaints just the lines that change when the cursor moves.

Columns, cell text made safe (with `audit.text.flat`) and fitting widths live in
`table_cells.py`; `Column` is re-exported here.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any, Callable, ClassVar, Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from audit.text import flat
from screens.widgets.lists import LIST_KEYS
from screens.widgets.table_cells import (
    PAD,
    Align,
    Column,
    auto_width,
    cell_plain,
    cell_segments,
    column_widths,
    fit_cell,
    header_width,
    sample_rows,
)

__all__ = ["Align", "Column", "Row", "VirtualTable"]

Row = Any


class _RowMessage(Message):
    def __init__(self, table: VirtualTable, row: Row | None) -> None:
        self.table = table
        self.row = row
        super().__init__()

    @property
    def control(self) -> VirtualTable:
        return self.table




class VirtualTable(ScrollView, can_focus=True):
    """A fixed header over a cursor-driven list of arbitrary row objects.

        table = VirtualTable(
            [Column("ref", "Ref"), Column("age", "Age", align="right"), Column("note", "Note")],
            cell=lambda case, key: str(getattr(case, key)),  # str is shown literally
            sort_key=lambda case, key: getattr(case, key),
            row_style=lambda case: "dim" if case.set_aside else None,
        )
        table.set_rows(cases)
        table.filter(lambda case: "smith" in case.name.casefold())
    """

    class RowSelected(_RowMessage):
        """Enter (or a click on the cursor row) on a row."""

    class RowToggled(_RowMessage):
        """Space on a row."""

    class CursorMoved(_RowMessage):
        """The cursor now rests on a different row (`row` is None if none is visible)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_row", "Open", id="table.open"),
        Binding("space", "toggle_row", "Toggle", id="table.toggle"),
        Binding("left", "column_left", "Column", key_display="←→", tooltip="left", id="arrow.left"),
        Binding("h", "column_left", "Column", key_display="←→", tooltip="left", id="move.left"),
        Binding("right", "column_right", "Column", show=False, tooltip="right", id="arrow.right"),
        Binding("l", "column_right", "Column", show=False, tooltip="right", id="move.right"),
        Binding("o", "sort_column", "Sort", tooltip="by the cursor's column", id="table.sort"),
        Binding("up", "cursor_up", "Up", show=False, id="arrow.up"),
        Binding("down", "cursor_down", "Down", show=False, id="arrow.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="arrow.page-up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="arrow.page-down"),
        Binding("home", "first", "First", show=False, id="arrow.home"),
        Binding("end", "last", "Last", show=False, id="arrow.end"),
        *LIST_KEYS,
    ]

    # Whether space means something here: a subclass that gives it a meaning says so
    # (the cohort's Add/remove). Elsewhere (users, journal) "space Toggle" was offered in
    # the footer and help and did nothing.
    toggles: ClassVar[bool] = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.toggles if action == "toggle_row" else True

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--header-cursor",
        "virtual-table--sorted",
        "virtual-table--cursor",
        "virtual-table--empty",
    }

    DEFAULT_CSS = """
    VirtualTable {
        height: 1fr;
        background: $surface;
        color: $foreground;
        & > .virtual-table--header { background: $panel; color: $foreground; text-style: bold; }
        & > .virtual-table--sorted { color: $text-accent; text-style: bold; }
        & > .virtual-table--header-cursor { background: $accent 40%; text-style: bold underline; }
        & > .virtual-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .virtual-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .virtual-table--empty { color: $text-muted; text-style: italic; }
    }
    """

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        cell: Callable[[Row, str], str | Text],
        sort_key: Callable[[Row, str], Any] | None = None,
        row_style: Callable[[Row], str | None] | None = None,
        empty_text: str = "No candidates match the filter.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        if not columns:
            raise ValueError("A VirtualTable needs at least one column.")
        self.columns: tuple[Column, ...] = tuple(columns)
        self._cell = cell
        self._sort_key = sort_key or (lambda row, key: cell_plain(cell(row, key)).casefold())
        self._row_style = row_style
        self._empty_text = empty_text
        self._rows: list[Row] = []
        self._order: list[int] = []  # row indices in sort order
        self._rank: list[int] | None = None  # position of each row in _order; None = identity
        self._visible: list[int] = []  # row indices that pass the filter, in sort order
        self._predicate: Callable[[Row], bool] | None = None
        self._cursor = 0  # position in _visible
        self._column_cursor = 0
        self._sort_column: str | None = None
        self._sort_reverse = False
        self._auto_widths = [header_width(c) for c in self.columns]
        self._widths = list(self._auto_widths)
        self._total_width = 0
        self._line_cache: LRUCache[tuple, Strip] = LRUCache(1024)
        self._header_cache: tuple[tuple, Strip] | None = None
        self._style_cache: dict[str, Style] = {}
        self._base_style = Style()
        self._render_key: tuple = ()
        self._layout_columns()

    # ----------------------------------------------------------------- state
    @property
    def row_count(self) -> int:
        """Rows that pass the filter."""
        return len(self._visible)

    @property
    def rows(self) -> Sequence[Row]:
        """All rows, in the order they were given."""
        return self._rows

    @property
    def visible_rows(self) -> list[Row]:
        """Rows that pass the filter, in display order."""
        return [self._rows[i] for i in self._visible]

    @property
    def cursor_index(self) -> int:
        """Position of the cursor among the visible rows."""
        return self._cursor

    @cursor_index.setter
    def cursor_index(self, position: int) -> None:
        self._move_cursor(position)

    @property
    def cursor_row(self) -> Row | None:
        """The row object under the cursor, or None when nothing is visible."""
        return self._rows[self._visible[self._cursor]] if self._visible else None

    @property
    def cursor_column(self) -> Column:
        return self.columns[self._column_cursor]

    @property
    def empty_text(self) -> str:
        """The one line shown when no row passes the filter."""
        return self._empty_text

    @empty_text.setter
    def empty_text(self, text: str) -> None:
        self._empty_text = text
        self.refresh()

    @property
    def sort_column(self) -> str | None:
        return self._sort_column

    @property
    def sort_reverse(self) -> bool:
        return self._sort_reverse

    # ------------------------------------------------------------ public API
    def set_rows(self, rows: Sequence[Row]) -> None:
        """Show `rows`, keeping the current sort, filter and (by identity) cursor row."""
        keep = self.cursor_row
        self._rows = list(rows)
        self._line_cache.clear()  # keys are row indices, which now mean other rows
        self._fit_columns()
        self._apply_sort()
        anchor = next((i for i, r in enumerate(self._rows) if r is keep), None)
        self._rebuild(anchor, keep, refilter=True)

    def filter(self, predicate: Callable[[Row], bool] | None) -> None:
        """Show only rows for which `predicate(row)` is true (None shows all)."""
        self._predicate = predicate
        self._rebuild(self._anchor(), self.cursor_row, refilter=True)

    def sort_by(self, column_key: str | None, reverse: bool = False) -> None:
        """Order rows by `sort_key(row, column_key)`; None restores the given order."""
        if column_key is not None:
            column = next((c for c in self.columns if c.key == column_key), None)
            if column is None or not column.sortable:
                raise ValueError(f"Column {column_key!r} does not exist or cannot be sorted.")
        anchor, previous = self._anchor(), self.cursor_row
        self._sort_column, self._sort_reverse = column_key, reverse
        self._apply_sort()
        self._rebuild(anchor, previous, refilter=False)

    def refresh_rows(self) -> None:
        """Repaint after row objects changed in place (their cells are re-read)."""
        self._line_cache.clear()
        self.refresh()

    # --------------------------------------------------------------- actions
    def action_cursor_up(self) -> None:
        self._move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self._move_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        page = max(1, self._page_height())
        self.scroll_to(y=self.scroll_offset.y - page, animate=False, force=True)
        self._move_cursor(self._cursor - page)

    def action_page_down(self) -> None:
        page = max(1, self._page_height())
        self.scroll_to(y=self.scroll_offset.y + page, animate=False, force=True)
        self._move_cursor(self._cursor + page)

    def action_first(self) -> None:
        self._move_cursor(0)

    def action_last(self) -> None:
        self._move_cursor(len(self._visible) - 1)

    def action_select_row(self) -> None:
        if self._visible:
            self.post_message(self.RowSelected(self, self.cursor_row))

    def action_toggle_row(self) -> None:
        if self._visible:
            self.post_message(self.RowToggled(self, self.cursor_row))

    def action_column_left(self) -> None:
        self._move_column_cursor(self._column_cursor - 1)

    def action_column_right(self) -> None:
        self._move_column_cursor(self._column_cursor + 1)

    def action_sort_column(self) -> None:
        """Sort by the highlighted column; again on the same column flips direction."""
        column = self.cursor_column
        if not column.sortable:
            self.app.bell()
            return
        reverse = self._sort_column == column.key and not self._sort_reverse
        self.sort_by(column.key, reverse)

    # ---------------------------------------------------------------- events
    def on_resize(self, event: events.Resize) -> None:
        self._layout_columns()
        self._scroll_cursor_into_view()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        column = self._column_at(offset.x + self.scroll_offset.x)
        if column is not None:
            self._move_column_cursor(column)
        if offset.y == 0:
            if column is not None:
                self.action_sort_column()
            return
        position = self.scroll_offset.y + offset.y - 1
        if position < len(self._visible):
            if position == self._cursor:
                self.action_select_row()
            else:
                self._move_cursor(position)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line_cache.clear()
        self._header_cache = None
        self.refresh()

    # -------------------------------------------------------------- painting
    def render_lines(self, crop: Region) -> list[Strip]:
        # Styles resolved once per paint; they are part of every cache key, so a
        # theme change or focus change can never serve a stale strip.
        self._base_style = self.rich_style
        self._render_key = (self._base_style, self.has_focus, self._total_width)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        if y == 0:
            strip = self._render_header()
        else:
            position = scroll_y + y - 1
            if position < len(self._visible):
                index = self._visible[position]
                cursor = position == self._cursor
                key = (index, cursor, self._render_key)
                cached = self._line_cache.get(key)
                if cached is None:
                    cached = self._line_cache[key] = self._render_row(index, cursor)
                strip = cached
            elif position == 0:
                style = self._base_style + self._component("virtual-table--empty")
                strip = Strip([Segment(" " * PAD + flat(self._empty_text), style)])
                scroll_x = 0  # the message stays put when the header is scrolled
            else:
                return Strip.blank(width, self._base_style)
        return strip.crop_extend(scroll_x, scroll_x + width, self._base_style)

    def _render_header(self) -> Strip:
        key = (self._render_key, self._sort_column, self._sort_reverse, self._column_cursor)
        if self._header_cache is not None and self._header_cache[0] == key:
            return self._header_cache[1]
        base = self._base_style
        segments: list[Segment] = []
        for number, (column, width) in enumerate(zip(self.columns, self._widths)):
            names = ["virtual-table--header"]
            label = flat(column.label)
            if column.key == self._sort_column:
                names.append("virtual-table--sorted")
                label += " ▼" if self._sort_reverse else " ▲"
            if number == self._column_cursor:
                names.append("virtual-table--header-cursor")
            style = base + self._component(*names)
            segments.extend(fit_cell([Segment(label, style)], width, column.align, style))
        strip = Strip(segments, self._total_width)
        self._header_cache = (key, strip)
        return strip

    def _render_row(self, index: int, cursor: bool) -> Strip:
        row = self._rows[index]
        style = self._base_style
        if self._row_style is not None and (extra := self._row_style(row)):
            if extra not in self._style_cache:
                self._style_cache[extra] = Style.parse(extra)
            style += self._style_cache[extra]
        if cursor:
            style += self._component("virtual-table--cursor")
        segments: list[Segment] = []
        console = self.app.console
        for column, width in zip(self.columns, self._widths):
            parts = cell_segments(self._cell(row, column.key), style, console)
            segments.extend(fit_cell(parts, width, column.align, style))
        return Strip(segments, self._total_width)

    def _component(self, *names: str) -> Style:
        return self.get_component_rich_style(*names)

    # ---------------------------------------------------------------- layout
    def _fit_columns(self) -> None:
        """Auto widths from the header and a sample of rows (top plus spread)."""
        sample = sample_rows(self._rows)
        for number, column in enumerate(self.columns):
            if column.width is not None:
                continue
            texts = (cell_plain(self._cell(r, column.key)) for r in sample)
            self._auto_widths[number] = auto_width(column, texts)
        self._layout_columns()

    def _layout_columns(self) -> None:
        """Fixed and auto widths, then stretch a flexible last column to fill the rest.

        Called whenever the size or the number of visible rows changes, because the
        vertical scrollbar comes and goes with the row count and Textual sends no
        Resize for that.
        """
        widths = column_widths(self.columns, self._auto_widths, self._available_width())
        if widths != self._widths or not self._total_width:
            self._widths = widths
            self._total_width = sum(w + 2 * PAD for w in widths)
            self._line_cache.clear()
            self._header_cache = None
            self.refresh()
        self.virtual_size = Size(self._total_width, 1 + max(1, len(self._visible)))

    def _available_width(self) -> int:
        """Content width, less the vertical scrollbar if the rows will need one."""
        if not self.is_mounted:
            return 0
        region = self.content_region
        overflow = self.styles.overflow_y
        bar = overflow == "scroll" or (overflow == "auto" and len(self._visible) >= region.height)
        return region.width - (self.styles.scrollbar_size_vertical if bar else 0)

    def _column_at(self, x: int) -> int | None:
        left = 0
        for number, width in enumerate(self._widths):
            left += width + 2 * PAD
            if x < left:
                return number
        return None

    def _page_height(self) -> int:
        """Data lines on screen (the header takes one)."""
        return self.scrollable_content_region.height - 1

    # -------------------------------------------------------------- ordering
    def _apply_sort(self) -> None:
        count = len(self._rows)
        if self._sort_column is None:
            self._order, self._rank = list(range(count)), None
            return
        key, column = self._sort_key, self._sort_column
        keys = [key(row, column) for row in self._rows]
        self._order = sorted(range(count), key=keys.__getitem__, reverse=self._sort_reverse)
        rank = [0] * count
        for position, index in enumerate(self._order):
            rank[index] = position
        self._rank = rank

    def _anchor(self) -> int | None:
        return self._visible[self._cursor] if self._visible else None

    def _rebuild(self, anchor: int | None, previous: Row | None, *, refilter: bool) -> None:
        """Recompute the visible list, then put the cursor on `anchor` or the next row after it.

        `previous` is the row the cursor was on, to tell whether it moved.
        """
        previous_position = self._cursor
        rows, predicate = self._rows, self._predicate
        if refilter:
            if predicate is None:
                self._visible = list(self._order)
            else:
                self._visible = [i for i in self._order if predicate(rows[i])]
        else:  # only the order changed: keep the same membership
            shown = bytearray(len(rows))
            for index in self._visible:
                shown[index] = 1
            self._visible = [i for i in self._order if shown[i]]
        if anchor is None:
            position = previous_position
        elif self._rank is None:
            position = bisect_left(self._visible, anchor)
        else:
            position = bisect_left(self._visible, self._rank[anchor], key=self._rank.__getitem__)
        self._cursor = max(0, min(position, len(self._visible) - 1))
        self._layout_columns()
        self.refresh()
        self._scroll_cursor_into_view()
        if self.cursor_row is not previous:
            self.post_message(self.CursorMoved(self, self.cursor_row))

    # ---------------------------------------------------------------- cursor
    def _move_cursor(self, position: int) -> None:
        if not self._visible:
            return
        position = max(0, min(position, len(self._visible) - 1))
        previous = self._cursor
        self._cursor = position
        if position != previous:
            self._refresh_position(previous)
            self._refresh_position(position)
            self.post_message(self.CursorMoved(self, self.cursor_row))
        self._scroll_cursor_into_view()

    def _refresh_position(self, position: int) -> None:
        """Repaint one data line, if it is on screen."""
        y = position - self.scroll_offset.y + 1
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _scroll_cursor_into_view(self) -> None:
        page = self._page_height()
        if page <= 0 or not self._visible:
            return
        top = self.scroll_offset.y
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, force=True)
        elif self._cursor >= top + page:
            self.scroll_to(y=self._cursor - page + 1, animate=False, force=True)

    def _move_column_cursor(self, number: int) -> None:
        number = max(0, min(number, len(self.columns) - 1))
        if number == self._column_cursor:
            return
        self._column_cursor = number
        self.refresh(Region(0, 0, self.size.width, 1))
        left = sum(w + 2 * PAD for w in self._widths[:number])
        right = left + self._widths[number] + 2 * PAD
        view = self.scrollable_content_region.width
        if left < self.scroll_offset.x:
            self.scroll_to(x=left, animate=False, force=True)
        elif right > self.scroll_offset.x + view:
            self.scroll_to(x=min(left, right - view), animate=False, force=True)

