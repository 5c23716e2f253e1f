"""Section 6, Analysis: the audit's numbers as grids (DESIGN §2 step 7).

Every number comes from :func:`audit.analysis.analyse`, the same call the report makes,
so the screen and the report never disagree.  It runs in a thread worker and is kept
per workspace file version (one `stat` tells whether anything changed), so switching
back to the section, or another session saving, recomputes only when needed.

Two grids of grades, `t` switches between them:

- objectives × agencies: each cell is the most common grade in that agency's completed
  returns for the objective, as symbol, short label and "count/graded" (``! RI 3/5``),
  coloured by grade; an "All" column adds every agency's grades together;
- cases × objectives: the grade agreed at each case's discussion, with an "All cases"
  row giving the most common agreed grade.

`a` shows a third table, the answers to each question of the agencies' audit tools
counted over their completed returns (:mod:`screens.analysis.questions`); `a` or `t`
goes back.

`enter` on a cell shows its whole distribution.  Colour is never the only signal: every
grade carries its symbol and a short label.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import ContentSwitcher, DataTable, Static
from textual.worker import get_current_worker

from audit.analysis import Analysis, analyse
from audit.scope import Audit
from audit.text import plain
from screens.analysis.cells import agreed_cell, counts_text, distribution_text, grade_cell, most_common_sentence
from screens.analysis.profile import profile_text
from screens.analysis.questions import QUESTION_GRID, describe_question, fill_question_grid
from screens.context import ctx
from screens.dialogs.details import InfoScreen
from screens.saving import tell
from screens.audit.sections import Section
from screens.widgets.lists import RowTable
from storage.files import file_identity
from storage.errors import WorkspaceError


ALL = "all"
AGENCY_GRID, CASE_GRID = "agency-grid", "case-grid"


class GradeGrid(RowTable):
    """A DataTable with a cell cursor and the vi keys the rest of the app uses (h/l
    here, j/k/g/G from RowTable)."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Distribution", tooltip="every grade given in the cell", id="analysis.distribution"),
        Binding("h", "cursor_left", "Left", show=False, id="move.left"),
        Binding("l", "cursor_right", "Right", show=False, id="move.right"),
    ]


class AnalysisSection(Section):
    BINDINGS = [
        Binding("t", "toggle_grid", "Other grid", tooltip="objectives × agencies, or cases × objectives",
                id="analysis.other-grid"),
        Binding("a", "answers", "Answers", id="analysis.answers"),
        Binding("c", "profile", "Profile", tooltip="the cohort profile: one-way counts, as in the report", id="analysis.profile"),
    ]
    HELP_NOTES = [
        "Analysis: grades count from completed (submitted or resubmitted) returns of the cohort; agreed "
        "grades come from each case's discussion. The report quotes the same numbers.",
        "A cell such as \"! RI 3/5\" means requires improvement was given 3 times out of 5 grades. "
        "Symbols: ✦ outstanding, ✓ good, ! requires improvement, ✗ inadequate, · none yet.",
        "a shows the answers to every question of the agencies' audit tools, counted over their completed "
        "returns (the report's question tables); a or t goes back to the grades.",
        "c shows the cohort profile the report gives: age band, gender, ethnicity and level of intervention, "
        "each counted on its own.",
    ]

    def __init__(self, audit_ref: str, **kwargs: Any) -> None:
        super().__init__(audit_ref, **kwargs)
        self.analysis: Analysis | None = None
        self.audit: Audit | None = None
        self.agency_names: dict[str, str] = {}
        self._version: object = None

    def compose(self) -> ComposeResult:
        yield Static(id="analysis-counts")
        yield Static(id="analysis-title")
        with ContentSwitcher(initial=AGENCY_GRID, id="analysis-grids"):
            yield GradeGrid(id=AGENCY_GRID, cursor_type="cell", fixed_columns=1, zebra_stripes=True)
            yield GradeGrid(id=CASE_GRID, cursor_type="cell", fixed_columns=1, zebra_stripes=True)
            yield GradeGrid(id=QUESTION_GRID, cursor_type="row", fixed_columns=1, zebra_stripes=True)
        yield Static(id="analysis-detail")

    def on_mount(self) -> None:
        self.query_one("#analysis-counts", Static).update(Text("Working out the numbers…"))
        self.show_title()
        self.refresh_data()

    def on_resize(self) -> None:
        if self.analysis is not None:  # the objectives' column follows the width
            self.fill_agency_grid()

    def focus_first(self) -> None:
        self.grid.focus()

    @property
    def grid(self) -> GradeGrid:
        current = self.query_one(ContentSwitcher).current or AGENCY_GRID
        return self.query_one(f"#{current}", GradeGrid)

    # ------------------------------------------------------------------ numbers

    def refresh_data(self) -> None:
        c = ctx(self.app)
        version = (file_identity(c.ws.path), c.today())
        if version != self._version:
            self._version = version
            self.compute()

    @work(thread=True, exclusive=True, group="analysis")
    def compute(self) -> None:
        c = ctx(self.app)
        ws, ref = c.ws, self.audit_ref
        try:
            audit = ws.audit(ref)
            analysis = analyse(audit, ws.cases(ref), ws.returns(ref), ws.discussions(ref), c.today())
            names = {code: plain(ws.partnership().agency_name(code)) for code in audit.agencies}
        except WorkspaceError as exc:
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(tell, self, str(exc), error=True)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show, audit, analysis, names)

    def show(self, audit: Audit, analysis: Analysis, names: dict[str, str]) -> None:
        if not self.is_mounted:  # the audit was closed while the numbers were worked out
            return
        self.audit, self.analysis, self.agency_names = audit, analysis, names
        self.query_one("#analysis-counts", Static).update(counts_text(analysis))
        self.fill_agency_grid()
        self.fill_case_grid()
        questions = self.query_one(f"#{QUESTION_GRID}", GradeGrid)
        keep = questions.cursor_coordinate
        titles = {o: self.objective_title(o) for o in analysis.objectives}
        fill_question_grid(questions, analysis, titles)
        _restore(questions, keep)
        self.show_title()
        self.show_detail()

    def objective_title(self, objective_id: str) -> str:
        found = self.audit.objective(objective_id) if self.audit else None
        return plain(found.title) if found is not None else objective_id

    def fill_agency_grid(self) -> None:
        a = self.analysis
        assert a is not None
        grid = self.query_one(f"#{AGENCY_GRID}", GradeGrid)
        keep = grid.cursor_coordinate
        grid.clear(columns=True)
        rows = []
        for n, objective in enumerate(a.objectives, start=1):
            label = Text(f"{n} {self.objective_title(objective)}", no_wrap=True, overflow="ellipsis")
            cells = [grade_cell(a.agency_grid[objective][code]) for code in a.agencies]
            rows.append((objective, label, [*cells, grade_cell(a.objective_totals[objective])]))
        headings = [Text(code) for code in a.agencies] + [Text("All")]
        # The objective's name takes whatever room the grade columns leave (it was cut at
        # 22 characters however wide the terminal), never less than 22.
        others = sum(max([h.cell_len] + [cells[i].cell_len for _, _, cells in rows]) + 2
                     for i, h in enumerate(headings))
        longest = max([len("Objective")] + [label.cell_len for _, label, _ in rows])
        room = self.size.width - others - 2 - 2  # its own padding and the scroll bar
        grid.add_column(Text("Objective"), key="objective", width=max(22, min(longest, room)))
        for code, heading in zip(a.agencies, headings):
            grid.add_column(heading, key=f"a:{code}")
        grid.add_column(headings[-1], key=ALL)
        for objective, label, cells in rows:
            grid.add_row(label, *cells, key=objective)
        _restore(grid, keep)

    def fill_case_grid(self) -> None:
        a = self.analysis
        assert a is not None
        grid = self.query_one(f"#{CASE_GRID}", GradeGrid)
        keep = grid.cursor_coordinate
        grid.clear(columns=True)
        grid.add_column(Text("Case"), key="case")
        grid.add_column(Text("Discussed"), key="discussed")
        for n, objective in enumerate(a.objectives, start=1):
            grid.add_column(Text(f"{n} {plain(objective)}"[:14]), key=f"o:{objective}")
        discussed = set(a.discussed)
        for ref in a.cohort:
            held = Text("✓ held", style="green") if ref in discussed else Text("◦ not yet", style="dim")
            grid.add_row(Text(ref), held, *[agreed_cell(a.case_grid[ref][o]) for o in a.objectives], key=ref)
        if a.cohort:
            grid.add_row(Text("All cases", style="bold"), Text(f"{len(discussed)} of {len(a.cohort)}"),
                         *[grade_cell(a.agreed_totals[o]) for o in a.objectives], key=ALL)
        _restore(grid, keep)

    # ------------------------------------------------------------------ showing

    def show_title(self) -> None:
        title = Text()
        if self.query_one(ContentSwitcher).current == QUESTION_GRID:
            title.append("Questions × answers", style="bold")
            title.append(": counted over each agency's completed returns")
            title.append("  a/t: the grades", style="dim")
        elif self.query_one(ContentSwitcher).current == CASE_GRID:
            title.append("Cases × objectives", style="bold")
            if self.analysis is not None:
                a = self.analysis
                title.append(f": grades agreed at discussions ({len(a.discussed)} of {len(a.cohort)} held)")
            title.append("  t: objectives × agencies", style="dim")
        else:
            title.append("Objectives × agencies", style="bold")
            title.append(": most common grade in completed returns (count/graded)")
            title.append("  t: cases × objectives", style="dim")
        self.query_one("#analysis-title", Static).update(title)

    def action_toggle_grid(self) -> None:  # not action_toggle: DOMNode has one
        switcher = self.query_one(ContentSwitcher)
        self._switch(CASE_GRID if switcher.current == AGENCY_GRID else AGENCY_GRID)

    def action_answers(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        self._switch(AGENCY_GRID if switcher.current == QUESTION_GRID else QUESTION_GRID)

    def _switch(self, to: str) -> None:
        self.query_one(ContentSwitcher).current = to
        self.grid.focus()
        self.show_title()
        self.show_detail()

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        event.stop()
        self.show_detail()

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_open()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def current_cell(self) -> tuple[str, str] | None:
        """(row key, column key) of the grid's cursor, or None when the grid is empty."""
        grid = self.grid
        if self.analysis is None or not grid.row_count or not grid.columns:
            return None
        row_key, column_key = grid.coordinate_to_cell_key(grid.cursor_coordinate)
        return str(row_key.value), str(column_key.value)

    def describe(self) -> tuple[str, Text, Text]:
        """(title, one-line detail, full body) for the cell under the cursor."""
        a = self.analysis
        cell = self.current_cell()
        if a is None or cell is None:
            empty = Text("No objectives or agencies yet." if a is not None else "Working out the numbers…")
            return "", empty, empty
        row, column = cell
        if self.grid.id == QUESTION_GRID:
            agency = row.split("|")[1] if row.count("|") == 2 else ""
            return describe_question(a, row, f"{self.agency_names.get(agency, agency)} ({agency})")
        if self.grid.id == CASE_GRID and not column.startswith("o:"):
            return self._describe_case(a, row)
        if self.grid.id == AGENCY_GRID:
            title = self.objective_title(row)
            if column.startswith("a:"):
                code = column[2:]
                who = f"{self.agency_names.get(code, code)} ({code})"
                grades = a.agency_grid[row][code]
            else:
                who, grades = "all agencies", a.objective_totals[row]
            head = f"{title} · {who}"
            scope = f"Grades for this objective in the completed returns of {who}."
        else:
            objective = column[2:]
            title = self.objective_title(objective)
            grades = a.agreed_totals[objective]
            if row == ALL:
                head = f"All cases · {title}"
                scope = f"Grades agreed at discussions, {len(a.discussed)} of {len(a.cohort)} cases discussed."
            else:
                agreed = a.case_grid[row][objective]
                held = "discussed" if row in a.discussed else "not yet discussed"
                head = f"{row} · {title}"
                scope = (f"Agreed at the discussion: {agreed.label}." if agreed is not None
                         else f"No grade agreed yet ({held}).")
                scope += " Below, the grades agreed for this objective across all cases."
        line = Text(head + ": ", style="bold")
        line.append_text(distribution_text(grades) if grades.total else Text("no grades yet", style="dim"))
        body = Text(scope + "\n\n")
        body.append_text(distribution_text(grades, bars=True))
        body.append("\n" + most_common_sentence(grades))
        return head, line, body

    def _describe_case(self, a: Analysis, row: str) -> tuple[str, Text, Text]:
        """A whole row of the cases grid: every objective's agreed grade."""
        body = Text()
        for n, objective in enumerate(a.objectives, start=1):
            body.append(f"{n} {self.objective_title(objective)}: ")
            body.append_text(grade_cell(a.agreed_totals[objective]) if row == ALL
                             else agreed_cell(a.case_grid[row][objective]))
            body.append("\n")
        if row == ALL:
            head = "All cases"
            summary = f"{len(a.discussed)} of {len(a.cohort)} cases discussed; most common agreed grade per objective."
        else:
            agreed = sum(1 for g in a.case_grid[row].values() if g is not None)
            held = "discussed" if row in a.discussed else "not yet discussed"
            head = row
            summary = f"{held}; grades agreed for {agreed} of {len(a.objectives)} objectives."
        line = Text(head + ": ", style="bold")
        line.append(summary)
        return head, line, Text(summary[:1].upper() + summary[1:] + "\n\n") + body

    def show_detail(self) -> None:
        _, line, _ = self.describe()
        legend = Text("\nblank: a completed return left the question unanswered · of: completed returns"
                      if self.grid.id == QUESTION_GRID else
                      "\n✦ Out=outstanding ✓ Good ! RI=requires improvement ✗ Inad=inadequate · none", style="dim")
        self.query_one("#analysis-detail", Static).update(line + legend)

    def action_profile(self) -> None:
        if self.analysis is None:
            tell(self, "The numbers are still being worked out.")
            return
        self.app.push_screen(InfoScreen(f"Cohort profile · {self.audit_ref}", profile_text(self.analysis)))

    def action_open(self) -> None:
        head, _, body = self.describe()
        if head:
            self.app.push_screen(InfoScreen(head, body))


def _restore(grid: DataTable, keep: Coordinate) -> None:
    if grid.row_count and grid.columns:
        grid.move_cursor(row=min(keep.row, grid.row_count - 1), column=min(keep.column, len(grid.columns) - 1),
                         animate=False, scroll=True)
