"""Which rows a `VirtualTable` shows, in what order, and where its cursor rests.

The table's row source, apart from any painting: the caller's row objects as given, an
index list of them in sort order, the indices that pass the filter, and the cursor's
position among those.  Plain Python with no Textual in it, so `virtual_table.py` holds
only the widget (keys, painting, scrolling, messages) and this part can be read, and
tested, on its own.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["Row", "TableRows"]

Row = Any


class TableRows:
    """Row objects with a sort, a filter and a cursor; positions are among the visible rows."""

    def __init__(self, sort_key: Callable[[Row, str], Any]) -> None:
        self.sort_key = sort_key
        self.rows: list[Row] = []  # as given
        self.order: list[int] = []  # row indices in sort order
        self.rank: list[int] | None = None  # position of each row in `order`; None = identity
        self.visible: list[int] = []  # row indices that pass the filter, in sort order
        self.predicate: Callable[[Row], bool] | None = None
        self.cursor = 0  # position in `visible`
        self.sort_column: str | None = None
        self.sort_reverse = False

    @property
    def cursor_row(self) -> Row | None:
        """The row object under the cursor, or None when nothing is visible."""
        return self.rows[self.visible[self.cursor]] if self.visible else None

    def visible_rows(self) -> list[Row]:
        return [self.rows[i] for i in self.visible]

    def anchor(self) -> int | None:
        """The cursor row's index among all rows (None when nothing is visible)."""
        return self.visible[self.cursor] if self.visible else None

    def index_of(self, row: Row | None) -> int | None:
        """Where `row` (by identity) is among all rows, if it is there."""
        return next((i for i, r in enumerate(self.rows) if r is row), None)

    def clamp(self, position: int) -> int:
        """`position` brought within the visible rows (0 when there are none)."""
        return max(0, min(position, len(self.visible) - 1))

    def replace(self, rows: Sequence[Row]) -> None:
        """Take new row objects, in the current sort (call `settle` next)."""
        self.rows = list(rows)
        self.sort()

    def sort(self) -> None:
        """Order the rows by `sort_key(row, sort_column)`; no sort column is the given order."""
        count = len(self.rows)
        if self.sort_column is None:
            self.order, self.rank = list(range(count)), None
            return
        key, column = self.sort_key, self.sort_column
        keys = [key(row, column) for row in self.rows]
        self.order = sorted(range(count), key=keys.__getitem__, reverse=self.sort_reverse)
        rank = [0] * count
        for position, index in enumerate(self.order):
            rank[index] = position
        self.rank = rank

    def settle(self, anchor: int | None, *, refilter: bool) -> None:
        """Recompute the visible rows, then put the cursor on `anchor` (a row index) or
        the next visible row after it in the order; with no anchor it keeps its position.

        `refilter=False` when only the order changed: the same rows stay visible.
        """
        rows, predicate = self.rows, self.predicate
        if refilter:
            if predicate is None:
                self.visible = list(self.order)
            else:
                self.visible = [i for i in self.order if predicate(rows[i])]
        else:
            shown = bytearray(len(rows))
            for index in self.visible:
                shown[index] = 1
            self.visible = [i for i in self.order if shown[i]]
        if anchor is None:
            position = self.cursor
        elif self.rank is None:
            position = bisect_left(self.visible, anchor)
        else:
            position = bisect_left(self.visible, self.rank[anchor], key=self.rank.__getitem__)
        self.cursor = self.clamp(position)
