"""Section 3, Returns: cohort cases × participating agencies (DESIGN §2 step 3).

Each cell is one agency's return for one case: a status symbol (never colour alone), the
questions answered, ``!`` when overdue and ``⚠`` while a safeguarding concern is open
(cells.py draws them). Enter opens the audit tool for the cell; ``f`` narrows to what one
agency still owes; ``c`` shows the chase list to copy or export (chase.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static
from textual.widgets.data_table import ColumnDoesNotExist, RowDoesNotExist

from audit.returns_grid import ReturnsGrid
from screens.audit.sections import Section
from screens.context import ctx
from screens.dialogs.form import FormField, FormScreen
from screens.returns.cells import LEGEND, LEGEND_ENTRIES, Legend, cell_text, due_text, spaced
from screens.returns.chase import ChaseScreen
from screens.saving import tell
from screens.widgets.lists import RowTable
from storage import returns as ops
from storage.errors import WorkspaceError

CASE_COLUMN = "__case__"
TOTAL_COLUMN = "__total__"
FIRST_AGENCY = 2  # the column index of the first agency: after the case and its total
RECEIVED_ROW = "__received__"
OVERDUE_ROW = "__overdue__"


class GridTable(RowTable):
    """The grid, whose enter says in the footer what it does (DataTable's own is hidden).

    Its columns are two spaces apart where the width allows and one where it does not
    (each cell starts with its gap, see `spaced`): eight agencies then fit in 80
    columns, where the last one was off screen. The case and its Received total come
    first and stay put when the grid scrolls sideways, so they are seen at any width."""

    BINDINGS = [Binding("enter", "select_cursor", "Open return", id="returns.open")]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cell_padding=0, **kwargs)
        self.fixed_columns = 2


class ReturnsSection(Section):
    BINDINGS = [
        Binding("f", "filter", "Outstanding for…", tooltip="one agency", id="returns.filter"),
        Binding("c", "chase", "Chase list", id="returns.chase"),
        Binding("exclamation_mark", "concerns", "Open concerns", key_display="!", id="returns.concerns"),
        Binding("h", "move('left')", "Left", show=False, id="move.left"),
        Binding("l", "move('right')", "Right", show=False, id="move.right"),
    ]
    HELP_NOTES = [
        "Returns: each cell is one agency's return for one cohort case. enter opens its audit tool.",
        "Symbols: " + LEGEND + ".",
        "f shows only what one agency still owes; c gives the chase list, x in it exports it to a file.",
        "! lists the open immediate safeguarding concerns; a lead acknowledges each with the action taken.",
    ]

    def __init__(self, audit_ref: str, **kwargs: Any) -> None:
        super().__init__(audit_ref, **kwargs)
        self.agency_filter: str | None = None
        self.grid: ReturnsGrid | None = None
        self._gap_for = 0  # the width the columns' gap was chosen for

    def compose(self) -> ComposeResult:
        yield Static(id="returns-head")
        yield GridTable(id="returns-grid", cursor_type="cell", zebra_stripes=True)
        yield Static(Legend(LEGEND_ENTRIES), id="returns-legend")

    def on_mount(self) -> None:
        self.refresh_data()
        self.focus_first()

    def focus_first(self) -> None:
        # May be called before the table is mounted (the section was just added): then
        # on_mount focuses it instead.
        for table in self.query(DataTable):
            table.focus()

    def refresh_data(self) -> None:
        c = ctx(self.app)
        try:
            grid = ops.returns_grid(c.ws, self.audit_ref, c.today())
        except WorkspaceError:
            return
        self.grid = grid
        table = self.query_one(DataTable)
        keep = self.cursor_keys()
        table.clear(columns=True)
        agencies = [self.agency_filter] if self.agency_filter in grid.agencies else grid.agencies
        cases = grid.outstanding_cases(agencies[0]) if self.agency_filter in grid.agencies else grid.cases
        rows = []
        for case_ref in cases:
            overdue = grid.overdue_for_case(case_ref)
            total = Text(f"{grid.received_for_case(case_ref)}/{len(grid.agencies)}")
            if overdue:
                total.append(f" {overdue}!", style="bold red")
            rows.append((case_ref, [Text(case_ref, style="bold"), total,
                                    *[cell_text(grid.cell(case_ref, a)) for a in agencies]]))
        received = [Text(f"{grid.received_for_agency(a)}/{len(grid.cases)}", style="bold") for a in agencies]
        overdue_row = [Text(f"{n} !", style="bold red") if (n := grid.overdue_for_agency(a)) else Text("0")
                       for a in agencies]
        all_received = sum(grid.received_for_agency(a) for a in grid.agencies)
        all_overdue = sum(grid.overdue_for_agency(a) for a in grid.agencies)
        rows.append((RECEIVED_ROW, [Text("Received", style="bold"),
                                    Text(f"{all_received}/{len(grid.cases) * len(grid.agencies)}", style="bold"),
                                    *received]))
        rows.append((OVERDUE_ROW, [Text("Overdue", style="bold"),
                                   Text(f"{all_overdue} !" if all_overdue else "0",
                                        style="bold red" if all_overdue else ""),
                                   *overdue_row]))
        headings = [Text("Case"), Text("Received"), *[Text(code, style="bold") for code in agencies]]
        keys = [CASE_COLUMN, TOTAL_COLUMN, *agencies]
        # Each column is as wide as its widest cell, measured here: a table cleared and
        # refilled keeps the widths of its headings only, which cut "RB-2020-001" to "RB-2".
        widths = [max([heading.cell_len] + [cells[index].cell_len for _, cells in rows])
                  for index, heading in enumerate(headings)]
        room = (table.size.width or self.app.size.width) - 1  # the vertical scrollbar
        wide = sum(widths) + 2 * len(widths) - 1 <= room
        gaps = [1] + [2 if wide else 1] * (len(widths) - 1)  # the first column is only set off the edge
        self._gap_for = room
        for heading, key, width, gap in zip(headings, keys, widths, gaps):
            table.add_column(spaced(heading, gap), key=key, width=width + gap)
        rows = [(key, [spaced(c, gap) for c, gap in zip(cells, gaps)]) for key, cells in rows]
        for key, cells in rows:
            table.add_row(*cells, key=key)
        self.show_head(grid, len(cases))
        self.restore_cursor(keep)

    def on_resize(self) -> None:
        # The gap between columns follows the width (two spaces where they fit).
        if self.grid is not None and self._gap_for != (self.query_one(DataTable).size.width or self.app.size.width) - 1:
            self.refresh_data()

    def show_head(self, grid: ReturnsGrid, shown: int) -> None:
        c = ctx(self.app)
        head = Text()
        head.append(due_text(grid.due, c.today()), style="bold")
        expected = len(grid.cases) * len(grid.agencies)
        received = sum(grid.received_for_agency(a) for a in grid.agencies)
        head.append(f" · {received} of {expected} received")
        if not_involved := grid.not_involved():
            head.append(f" · {not_involved} not involved")
        head.append(f" · {len(grid.cases)} cases × {len(grid.agencies)} agencies")
        if self.agency_filter in grid.agencies:
            name = c.ws.partnership().agency_name_without_code(self.agency_filter or "")
            head.append(f"\nFilter: outstanding for {self.agency_filter} ({name}): {shown} of {len(grid.cases)} "
                        "cases · f changes it", style="italic")
        self.query_one("#returns-head", Static).update(head)

    def reveal(self, key: str, field: str) -> bool:
        """Put the cursor on the return ``key`` (``audit/case/agency``) for the guard's
        jump to the text to fix; False when the grid does not show it (a filter)."""
        _, _, rest = key.partition("/")
        case_ref, _, agency = rest.rpartition("/")
        table = self.query_one(DataTable)
        try:
            row, column = table.get_row_index(case_ref), table.get_column_index(agency)
        except (RowDoesNotExist, ColumnDoesNotExist):
            return False
        table.move_cursor(row=row, column=column, animate=False)
        table.focus()
        return True

    def cursor_keys(self) -> tuple[str, str] | None:
        table = self.query_one(DataTable)
        if table.row_count == 0 or not table.columns:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate)
        return str(key.row_key.value), str(key.column_key.value)

    def own_column(self) -> int:
        """Where the cursor starts: a co-ordinator's own first agency (POL's started on
        CSC, seven columns away from the only returns they may edit), else the first."""
        user = ctx(self.app).ws.user
        table = self.query_one(DataTable)
        for agency in user.agencies if user is not None else []:
            try:
                return table.get_column_index(agency)
            except ColumnDoesNotExist:
                continue
        return FIRST_AGENCY

    def restore_cursor(self, keep: tuple[str, str] | None) -> None:
        table = self.query_one(DataTable)
        row, column = 0, self.own_column()
        if keep is not None:
            try:
                row = table.get_row_index(keep[0])
            except RowDoesNotExist:  # filtered away: start at the top
                row = 0
            try:
                column = table.get_column_index(keep[1])
            except ColumnDoesNotExist:
                column = self.own_column()
        if table.row_count:
            table.move_cursor(row=row, column=column, animate=False)

    # ------------------------------------------------------------------ keys

    def action_move(self, where: str) -> None:
        table = self.query_one(DataTable)
        table.action_cursor_left() if where == "left" else table.action_cursor_right()

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        keys = self.cursor_keys()
        if keys is None or self.grid is None:
            return
        case_ref, agency = keys
        if case_ref not in self.grid.cases or agency not in self.grid.agencies:
            tell(self, "Choose a cell of a case and an agency to open its return.")
            return
        try:  # the cohort or the agencies may have changed since the grid was drawn
            ops.open_return(ctx(self.app).ws, self.audit_ref, case_ref, agency)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            self.refresh_data()
            return
        from screens.tool.screen import ToolScreen

        self.app.push_screen(ToolScreen(self.audit_ref, case_ref, agency))

    def action_concerns(self) -> None:
        from screens.returns.concerns import ConcernAlertScreen

        if not ops.open_concerns(ctx(self.app).ws):
            tell(self, "No immediate safeguarding concern is open.")
            return
        self.app.push_screen(ConcernAlertScreen())

    @work(exclusive=True, group="returns-filter")
    async def action_filter(self) -> None:
        if self.grid is None:
            return
        partnership = ctx(self.app).ws.partnership()
        options = [("All agencies: show every return", "*")]
        options += [(f"{code}  {partnership.agency_name(code)}: "
                     f"{len(self.grid.outstanding_cases(code))} outstanding", code) for code in self.grid.agencies]
        values = await self.app.push_screen_wait(FormScreen("Show what is outstanding for", [
            FormField("agency", "Agency", "select", self.agency_filter or "*", options, required=True)],
            save_label="Show"))
        if values is None:
            return
        self.agency_filter = None if values["agency"] == "*" else values["agency"]
        self.refresh_data()
        self.query_one(DataTable).move_cursor(row=0, column=FIRST_AGENCY)

    def action_chase(self) -> None:
        c = ctx(self.app)
        try:
            lines = ops.chase_list(c.ws, self.audit_ref, c.today(), agency=self.agency_filter)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        suffix = f"-{self.agency_filter}" if self.agency_filter else ""
        name = re.sub(r"[^A-Za-z0-9_-]+", "-", self.audit_ref) + f"-chase{suffix}-{c.today():%Y-%m-%d}.txt"
        who = f" for {self.agency_filter}" if self.agency_filter else ""
        self.app.push_screen(ChaseScreen(f"Chase list{who}: {len(lines)} outstanding", lines,
                                         Path.cwd() / name, c.ws.path,
                                         ["chase", self.audit_ref] + (["--agency", self.agency_filter]
                                                                      if self.agency_filter else [])))
