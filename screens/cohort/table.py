"""The Cohort section's table: the VirtualTable with this section's key words and a
same-frame cursor callback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.binding import Binding

from audit.access import Act
from screens.access import Acts, permitted
from screens.widgets.virtual_table import VirtualTable


def _notifying(action: str) -> Callable[[CohortTable], None]:
    """A cursor action that also calls `on_cursor` when the cursor lands on another row."""

    def run(self: CohortTable) -> None:
        before = self.cursor_row
        getattr(super(CohortTable, self), action)()
        if self.on_cursor is not None and self.cursor_row is not before:
            self.on_cursor()

    run.__name__ = action
    return run


class CohortTable(VirtualTable):
    """The candidates.  space and enter say what they do here; h/l (column moves, for
    sorting with o) stay in the help rather than crowd the footer.

    Cursor keys call `on_cursor` at once, so the detail pane changes in the same frame as
    the highlight rather than one frame later through the CursorMoved message.
    """

    toggles = True
    BINDINGS = [
        Binding("space", "toggle_row", "Add/remove", tooltip="the case in or out of the cohort", id="cohort.toggle"),
        Binding("enter", "select_row", "Open case", id="cohort.open"),
        Binding("left", "column_left", "Column left", show=False, id="arrow.left"),
        Binding("h", "column_left", "Column left", show=False, id="move.left"),
        Binding("right", "column_right", "Column right", show=False, id="arrow.right"),
        Binding("l", "column_right", "Column right", show=False, id="move.right"),
    ]

    ACTS: Acts = {"toggle_row": Act.EDIT_COHORT}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return permitted(self, self.ACTS, action)

    def __init__(self, *args: Any, on_cursor: Callable[[], None] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_cursor = on_cursor

    action_cursor_up = _notifying("action_cursor_up")
    action_cursor_down = _notifying("action_cursor_down")
    action_page_up = _notifying("action_page_up")
    action_page_down = _notifying("action_page_down")
    action_first = _notifying("action_first")
    action_last = _notifying("action_last")
