"""A table that paints only the rows on screen, so 20,000 rows stay interactive.

The stock DataTable copies every cell into its own storage and measures it, which
is what makes 20,000 rows slow to show and to re-filter. `VirtualTable` instead keeps
the caller's row objects and an index list of the visible ones; it asks `cell(row,
key)` for text only when a line is painted (Textual's line API), caches the strips,
and repaints just the lines that change when the cursor moves.

The widget here holds the keys, the mouse, scrolling and the messages.  Beside it:
`table_cells.py`, the columns and cell text made safe (with `audit.text.flat`; `Column`
is re-exported here); `table_rows.py`, which rows show, in what order, and where the
cursor rests (sorting, filtering); `table_paint.py`, the columns' widths and the cached
strip of each painted line.
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar, Sequence

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from screens.widgets.lists import LIST_KEYS
from screens.widgets.table_cells import Align, Column, cell_plain
from screens.widgets.table_paint import TablePainter
from screens.widgets.table_rows import Row, TableRows

__all__ = ["Align", "Column", "Row", "VirtualTable"]


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
        self._rows = TableRows(sort_key or (lambda row, key: cell_plain(cell(row, key)).casefold()))
        self._paint = TablePainter(self.columns, cell, row_style, self.get_component_rich_style)
        self._empty_text = empty_text
        self._column_cursor = 0
        self._layout_columns()

    # ----------------------------------------------------------------- state
    @property
    def row_count(self) -> int:
        """Rows that pass the filter."""
        return len(self._rows.visible)

    @property
    def rows(self) -> Sequence[Row]:
        """All rows, in the order they were given."""
        return self._rows.rows

    @property
    def visible_rows(self) -> list[Row]:
        """Rows that pass the filter, in display order."""
        return self._rows.visible_rows()

    @property
    def cursor_index(self) -> int:
        """Position of the cursor among the visible rows."""
        return self._rows.cursor

    @cursor_index.setter
    def cursor_index(self, position: int) -> None:
        self._move_cursor(position)

    @property
    def cursor_row(self) -> Row | None:
        """The row object under the cursor, or None when nothing is visible."""
        return self._rows.cursor_row

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
        return self._rows.sort_column

    @property
    def sort_reverse(self) -> bool:
        return self._rows.sort_reverse

    # ------------------------------------------------------------ public API
    def set_rows(self, rows: Sequence[Row]) -> None:
        """Show `rows`, keeping the current sort, filter and (by identity) cursor row."""
        keep = self.cursor_row
        self._rows.replace(rows)
        self._paint.forget(rows_only=True)  # its keys are row indices, which now mean other rows
        self._paint.fit(self._rows.rows)
        self._layout_columns()
        self._rebuild(self._rows.index_of(keep), keep, refilter=True)

    def filter(self, predicate: Callable[[Row], bool] | None) -> None:
        """Show only rows for which `predicate(row)` is true (None shows all)."""
        self._rows.predicate = predicate
        self._rebuild(self._rows.anchor(), self.cursor_row, refilter=True)

    def sort_by(self, column_key: str | None, reverse: bool = False) -> None:
        """Order rows by `sort_key(row, column_key)`; None restores the given order."""
        if column_key is not None:
            column = next((c for c in self.columns if c.key == column_key), None)
            if column is None or not column.sortable:
                raise ValueError(f"Column {column_key!r} does not exist or cannot be sorted.")
        rows = self._rows
        anchor, previous = rows.anchor(), rows.cursor_row
        rows.sort_column, rows.sort_reverse = column_key, reverse
        rows.sort()
        self._rebuild(anchor, previous, refilter=False)

    def refresh_rows(self) -> None:
        """Repaint after row objects changed in place (their cells are re-read)."""
        self._paint.forget(rows_only=True)
        self.refresh()

    # --------------------------------------------------------------- actions
    def action_cursor_up(self) -> None:
        self._move_cursor(self._rows.cursor - 1)

    def action_cursor_down(self) -> None:
        self._move_cursor(self._rows.cursor + 1)

    def action_page_up(self) -> None:
        page = max(1, self._page_height())
        self.scroll_to(y=self.scroll_offset.y - page, animate=False, force=True)
        self._move_cursor(self._rows.cursor - page)

    def action_page_down(self) -> None:
        page = max(1, self._page_height())
        self.scroll_to(y=self.scroll_offset.y + page, animate=False, force=True)
        self._move_cursor(self._rows.cursor + page)

    def action_first(self) -> None:
        self._move_cursor(0)

    def action_last(self) -> None:
        self._move_cursor(len(self._rows.visible) - 1)

    def action_select_row(self) -> None:
        if self._rows.visible:
            self.post_message(self.RowSelected(self, self.cursor_row))

    def action_toggle_row(self) -> None:
        if self._rows.visible:
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
        reverse = self._rows.sort_column == column.key and not self._rows.sort_reverse
        self.sort_by(column.key, reverse)

    # ---------------------------------------------------------------- events
    def on_resize(self, event: events.Resize) -> None:
        self._layout_columns()
        self._scroll_cursor_into_view()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        column = self._paint.column_at(offset.x + self.scroll_offset.x)
        if column is not None:
            self._move_column_cursor(column)
        if offset.y == 0:
            if column is not None:
                self.action_sort_column()
            return
        position = self.scroll_offset.y + offset.y - 1
        if position < len(self._rows.visible):
            if position == self._rows.cursor:
                self.action_select_row()
            else:
                self._move_cursor(position)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._paint.forget()
        self.refresh()

    # -------------------------------------------------------------- painting
    def render_lines(self, crop: Region) -> list[Strip]:
        self._paint.start(self.rich_style, self.has_focus, self.app.console)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        paint, rows = self._paint, self._rows
        if y == 0:
            strip = paint.header(rows.sort_column, rows.sort_reverse, self._column_cursor)
        else:
            position = scroll_y + y - 1
            visible = rows.visible
            if position < len(visible):
                index = visible[position]
                strip = paint.row(rows.rows[index], index, position == rows.cursor)
            elif position == 0:
                strip = paint.empty(self._empty_text)
                scroll_x = 0  # the message stays put when the header is scrolled
            else:
                return Strip.blank(width, paint.base)
        return strip.crop_extend(scroll_x, scroll_x + width, paint.base)

    # ---------------------------------------------------------------- layout
    def _layout_columns(self) -> None:
        """The columns' widths for the room there is (`TablePainter.lay_out`).

        Called whenever the size or the number of visible rows changes, because the
        vertical scrollbar comes and goes with the row count and Textual sends no
        Resize for that.
        """
        if self._paint.lay_out(self._available_width()):
            self.refresh()
        self.virtual_size = Size(self._paint.total_width, 1 + max(1, len(self._rows.visible)))

    def _available_width(self) -> int:
        """Content width, less the vertical scrollbar if the rows will need one."""
        if not self.is_mounted:
            return 0
        region = self.content_region
        overflow = self.styles.overflow_y
        bar = overflow == "scroll" or (overflow == "auto" and len(self._rows.visible) >= region.height)
        return region.width - (self.styles.scrollbar_size_vertical if bar else 0)

    def _page_height(self) -> int:
        """Data lines on screen (the header takes one)."""
        return self.scrollable_content_region.height - 1

    # ----------------------------------------------------------- the rows
    def _rebuild(self, anchor: int | None, previous: Row | None, *, refilter: bool) -> None:
        """Recompute the visible rows with the cursor on `anchor` (`TableRows.settle`),
        then lay out, repaint and tell whether the cursor row changed from `previous`."""
        self._rows.settle(anchor, refilter=refilter)
        self._layout_columns()
        self.refresh()
        self._scroll_cursor_into_view()
        if self.cursor_row is not previous:
            self.post_message(self.CursorMoved(self, self.cursor_row))

    # ---------------------------------------------------------------- cursor
    def _move_cursor(self, position: int) -> None:
        rows = self._rows
        if not rows.visible:
            return
        position = rows.clamp(position)
        previous = rows.cursor
        rows.cursor = position
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
        if page <= 0 or not self._rows.visible:
            return
        top, cursor = self.scroll_offset.y, self._rows.cursor
        if cursor < top:
            self.scroll_to(y=cursor, animate=False, force=True)
        elif cursor >= top + page:
            self.scroll_to(y=cursor - page + 1, animate=False, force=True)

    def _move_column_cursor(self, number: int) -> None:
        number = max(0, min(number, len(self.columns) - 1))
        if number == self._column_cursor:
            return
        self._column_cursor = number
        self.refresh(Region(0, 0, self.size.width, 1))
        left, right = self._paint.span(number)
        view = self.scrollable_content_region.width
        if left < self.scroll_offset.x:
            self.scroll_to(x=left, animate=False, force=True)
        elif right > self.scroll_offset.x + view:
            self.scroll_to(x=min(left, right - view), animate=False, force=True)

