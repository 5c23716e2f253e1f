"""maca's lists: j/k/g/G move in every list, as in less and vim.

The four keys are bound once, here, on the list widgets themselves: `PickList` (an
OptionList), `RowTable` (a DataTable) and `VirtualTable` carry them.  A key bound on the
list acts on the list that has focus, so a screen with two lists (the discussion's cases
and record) needs no key of its own to move in either.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding, BindingType
from textual.widgets import DataTable, OptionList

# The action names are the ones OptionList and VirtualTable already have; RowTable adds
# first and last.
LIST_KEYS: list[BindingType] = [
    Binding("j", "cursor_down", "Down", show=False, id="move.down"),
    Binding("k", "cursor_up", "Up", show=False, id="move.up"),
    Binding("g", "first", "First", show=False, id="move.first"),
    Binding("G", "last", "Last", show=False, id="move.last"),
]


class PickList(OptionList):
    """An OptionList with j/k/g/G."""

    BINDINGS = LIST_KEYS


class RowTable(DataTable[Any]):
    """A DataTable with j/k/g/G (g and G go to the first and last row)."""

    BINDINGS = LIST_KEYS

    def action_first(self) -> None:
        self.action_scroll_top()

    def action_last(self) -> None:
        self.action_scroll_bottom()
