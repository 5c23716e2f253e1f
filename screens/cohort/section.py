"""Section 2, Cohort: every candidate against every criterion; pick, draw and import.

The table is a `VirtualTable` over `CohortRow`s, so 20,000 candidates stay interactive:
cases are screened once per version (see `cohort_rows.RowCache`), `/` filters by a
precomputed lower-case haystack, and only the rows on screen are painted.  The longer
flows (add/remove with a reason, random draw, CSV import) live in
`CohortEdits` (flows.py), which the section holds as `edits`.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal
from textual.widgets import Input, Label, ProgressBar, Static

from audit.access import Act
from audit.screening import screen_cases
from audit.csv_import import ImportResult, parse_candidates
from audit.scope import Audit
from screens.cohort.flows import CohortEdits
from screens.cohort.rows import CohortRow, RowCache, cell, columns_for, legend_text, predicate, sort_key, status_text
from screens.cohort.table import CohortTable
from screens.context import ctx
from screens.dialogs.details import case_details, case_text
from screens.saving import tell
from screens.access import Acts, permitted
from screens.audit.sections import Section
from screens.widgets.virtual_table import VirtualTable
from storage.errors import WorkspaceError

WIDE = 100  # columns from which the detail pane sits beside the table rather than below
DEFER_FROM = 2_000  # screening more cases than this waits until the first frame is painted

NO_MATCH = "No candidates match the filter."


class CohortSection(Section):
    BINDINGS = [
        Binding("slash", "filter", "Filter", key_display="/", id="cohort.filter"),
        Binding("escape", "clear_filter", "Clear filter", id="cohort.clear-filter"),
        Binding("n", "next_match(1)", "Next match", show=False, id="cohort.next-match"),
        Binding("N", "next_match(-1)", "Previous match", show=False, key_display="N", id="cohort.previous-match"),
        Binding("e", "quick('eligible')", "Quick filters", key_display="e/u/c", tooltip="eligible only",
                id="cohort.quick-eligible"),
        Binding("u", "quick('unknown')", "Quick filters", show=False, tooltip="with unknowns",
                id="cohort.quick-unknown"),
        Binding("c", "quick('cohort')", "Quick filters", show=False, tooltip="in the cohort only",
                id="cohort.quick-cohort"),
        Binding("r", "draw", "Random draw", id="cohort.draw"),
        Binding("i", "import_csv", "Import CSV", id="cohort.import"),
        Binding("f", "confirm_fact", "Confirm", tooltip="a fact confirmed at screening, such as unborn by CSC",
                id="cohort.confirm-fact"),
        Binding("v", "toggle_detail", "Detail", tooltip="show or hide the case's detail", id="cohort.detail"),
    ]
    ACTS: Acts = {"draw": Act.EDIT_COHORT, "import_csv": Act.IMPORT_CASES}
    HELP_NOTES = [
        "Cohort: C1, C2 … are the scope's criteria (legend under the counter): ✓ met, ✗ unmet, ? unknown.",
        "space adds the highlighted case to the cohort or takes it out. A reason is required to take a "
        "case out, and to add one that is not eligible or whose eligibility is unknown.",
        "/ filters as you type (case ref and reason; notes and identifiers too for leads and "
        "co-ordinators); e, u, c show only eligible cases, cases with unknowns, or the cohort; "
        "esc clears the filter. o sorts by the highlighted column (h/l move between columns).",
        "r draws cases at random from the eligible ones not yet in the cohort. The seed is shown and "
        "stored: the same seed with the same eligible cases draws the same cases; it can balance on a "
        "feature or on the cohort profile (gender, ethnicity, level of intervention).",
        "f records a fact confirmed at screening (unborn baby: yes, confirmed by CSC) on the highlighted "
        "case: screening, the cohort profile and the report then count it instead of not recorded.",
        "i imports candidate cases from a CSV file: every problem is listed and nothing is imported "
        "unless the whole file is valid.",
        "Only leads change the cohort or import; everyone can read it.",
    ]

    def __init__(self, audit_ref: str, **kwargs: Any) -> None:
        super().__init__(audit_ref, **kwargs)
        self.cache = RowCache()
        self.edits = CohortEdits(self)
        self.text_filter = ""
        self.quick: str | None = None
        self.detail_hidden = False
        self._criteria: tuple[str, ...] | None = None
        self._detail_key: tuple[object, object] | None = None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        audit = self._audit()
        self._criteria = tuple(c.id for c in audit.criteria) if audit else ()
        yield Static(id="cohort-status")
        yield Static(id="cohort-legend")
        with Container(id="cohort-body"):
            yield self._new_table(audit)
            with Container(id="cohort-detail"):
                yield Static(id="cohort-detail-text")
        with Horizontal(id="cohort-filter-bar"):
            yield Label("/")
            yield Input(id="cohort-filter", placeholder="type to filter; enter keeps it, esc clears it")
        with Horizontal(id="cohort-progress"):
            yield Static(id="cohort-progress-label")
            yield ProgressBar(id="cohort-progress-bar", show_eta=False)

    def _new_table(self, audit: Audit | None) -> CohortTable:
        columns = columns_for(audit) if audit else columns_for(Audit(ref=self.audit_ref, title=""))
        return CohortTable(columns, cell=self._cell, sort_key=self._sort_key, id="cohort-table",
                           empty_text=NO_MATCH, on_cursor=self.show_detail)

    def _cell(self, row: CohortRow, key: str) -> str | Text:
        if not row.screened:  # painted before the batch screening ran: screen just this one
            self.cache.ensure(row)
        return cell(row, key)

    def _sort_key(self, row: CohortRow, key: str) -> Any:
        if self.cache.pending:
            self.ensure_screened()
        return sort_key(row, key)

    def on_mount(self) -> None:
        self._place_detail()
        self.refresh_data()

    def on_resize(self) -> None:
        self._place_detail()
        audit = self._audit()
        if audit is not None:
            self._show_legend(audit)

    def _place_detail(self) -> None:
        width = self.size.width or self.app.size.width
        self.query_one("#cohort-body").set_class(width >= WIDE, "wide")

    def focus_first(self) -> None:
        self.table.focus()

    @property
    def table(self) -> CohortTable:
        return self.query_one(CohortTable)

    # ------------------------------------------------------------------ data

    def _audit(self) -> Audit | None:
        try:
            return ctx(self.app).ws.audit(self.audit_ref)
        except WorkspaceError:
            return None

    def refresh_data(self) -> None:
        """Re-read the audit's cases; the cursor stays on the same case."""
        c = ctx(self.app)
        audit = self._audit()
        if audit is None:
            self.query_one("#cohort-status", Static).update(Text(f"The audit {self.audit_ref} no longer exists."))
            return
        criteria = tuple(cr.id for cr in audit.criteria)
        if criteria != self._criteria:  # the scope's criteria changed: new columns
            self._criteria = criteria
            self.call_later(self._swap_table, audit)
            return
        identifiers = c.ws.can(Act.VIEW_IDENTIFIERS)
        cache = self.cache
        changed = cache.update(audit, c.ws.cases(self.audit_ref), c.today(), identifiers, defer=True)
        table = self.table
        # Many cases to screen (opening the section, or another session's save re-read the
        # file) and nothing that needs them all yet: paint first, screen right after.
        if cache.pending and (len(cache.pending) < DEFER_FROM or self.text_filter or self.quick
                              or table.sort_column is not None):
            cache.finish()
        # An audit without candidates says how to get them, not that a filter matched nothing.
        table.empty_text = (NO_MATCH if cache.rows else
                            "No candidate cases yet: press i to import a CSV extract (maca import-cases "
                            "does the same from the command line).")
        if changed or not table.rows:
            table.set_rows(cache.rows)
        self.query_one("#cohort-filter", Input).placeholder = (
            "filter by case ref, reason, notes or identifiers" if identifiers else "filter by case ref or reason")
        if cache.pending:
            self.query_one("#cohort-status", Static).update(
                Text(f"Screening {len(cache.pending):,} candidates against the criteria…", style="italic"))
            self.call_after_refresh(self.ensure_screened)
        else:
            self.update_status()
        self.show_detail(force=True)

    def ensure_screened(self) -> None:
        """Finish any screening left for after the first frame (counts, filters, sorts and
        picks need every case)."""
        if self.cache.pending:
            self.cache.finish()
            self.table.refresh_rows()
            self.update_status()

    async def _swap_table(self, audit: Audit) -> None:
        old = self.table
        sort = old.sort_column if old.sort_column and not old.sort_column.startswith("c:") else None
        had_focus = old.has_focus
        await old.remove()
        table = self._new_table(audit)
        await self.query_one("#cohort-body").mount(table, before=0)
        self.cache = RowCache()
        self.refresh_data()
        table.filter(predicate(self.text_filter, self.quick))
        if sort:
            table.sort_by(sort)
        if had_focus or self.screen.focused is None:  # the old table took the focus with it
            table.focus()

    def update_status(self) -> None:
        audit = self._audit()
        if audit is None:
            return
        text = status_text(audit, self.cache.counts(), self.table.row_count, self.text_filter, self.quick,
                           self.cache.problem)
        self.query_one("#cohort-status", Static).update(text)
        self._show_legend(audit)

    def _show_legend(self, audit: Audit) -> None:
        width = (self.size.width or self.app.size.width) - 2  # the legend's padding
        self.query_one("#cohort-legend", Static).update(legend_text(audit, width))

    def show_detail(self, *, force: bool = False) -> None:
        """The highlighted case in the detail pane (skipped when it already shows it)."""
        if self.detail_hidden:
            self._detail_key = None
            return
        row: CohortRow | None = self.table.cursor_row
        key = (row, row.case if row else None)
        if key == self._detail_key and not force:
            return
        self._detail_key = key
        detail = self.query_one("#cohort-detail-text", Static)
        if row is None:
            detail.update(Text("No case is highlighted.", style="italic"))
            return
        text = Text()
        text.append(f"Case {row.case.case_ref}\n", style="bold underline")
        try:
            text.append_text(case_text(self.app, row.case))
        except WorkspaceError as exc:
            text.append(str(exc))
        # The pane has a fixed size (enter shows the whole case in a scrollable modal), so
        # no relayout: that was most of a cursor key's cost.
        detail.update(text, layout=False)

    # ------------------------------------------------------------------ table events

    def on_virtual_table_cursor_moved(self, event: VirtualTable.CursorMoved) -> None:
        event.stop()
        self.show_detail()

    def on_virtual_table_row_selected(self, event: VirtualTable.RowSelected) -> None:
        event.stop()
        if event.row is not None:
            self.app.push_screen(case_details(self.app, self.audit_ref, event.row.case.case_ref))

    def on_virtual_table_row_toggled(self, event: VirtualTable.RowToggled) -> None:
        event.stop()
        if event.row is not None:
            self.toggle(event.row)

    @work(exclusive=True, group="cohort-edit")
    async def toggle(self, row: CohortRow) -> None:
        await self.edits.toggle(row)

    # ------------------------------------------------------------------ filtering

    def apply_filter(self) -> None:
        self.ensure_screened()
        self.table.filter(predicate(self.text_filter, self.quick))
        self.update_status()

    def action_filter(self) -> None:
        self.query_one("#cohort-filter-bar").add_class("shown")
        self.query_one("#cohort-filter", Input).focus()

    @on(Input.Changed, "#cohort-filter")
    def filter_typed(self, event: Input.Changed) -> None:
        event.stop()
        self.text_filter = event.value
        self.apply_filter()

    @on(Input.Submitted, "#cohort-filter")
    def filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.text_filter.strip():
            self.query_one("#cohort-filter-bar").remove_class("shown")
        self.table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":  # otherwise escape goes back to the audits, as everywhere
            return bool(self.text_filter or self.quick or self.query_one("#cohort-filter", Input).has_focus)
        return permitted(self, self.ACTS, action)

    def action_clear_filter(self) -> None:
        self.text_filter, self.quick = "", None
        field = self.query_one("#cohort-filter", Input)
        with field.prevent(Input.Changed):
            field.value = ""
        self.query_one("#cohort-filter-bar").remove_class("shown")
        self.apply_filter()
        self.table.focus()
        self.refresh_bindings()

    def action_quick(self, name: str) -> None:
        self.quick = None if self.quick == name else name
        self.apply_filter()
        self.refresh_bindings()

    def action_next_match(self, step: int) -> None:
        """Every row shown matches the filter, so n/N step through them, wrapping round."""
        table = self.table
        if not self.text_filter.strip() and self.quick is None:
            tell(self, "Press / and type to filter first; n and N then move from match to match.")
            return
        if table.row_count:
            table.cursor_index = (table.cursor_index + step) % table.row_count
            self.show_detail()

    def action_toggle_detail(self) -> None:
        self.detail_hidden = not self.detail_hidden
        self.query_one("#cohort-detail").set_class(self.detail_hidden, "hidden")
        self.show_detail()

    # ------------------------------------------------------------------ draw and import

    @work(exclusive=True, group="cohort-edit")
    async def action_draw(self) -> None:
        await self.edits.random_draw()

    @work(exclusive=True, group="cohort-edit")
    async def action_confirm_fact(self) -> None:
        row = self.table.cursor_row
        if row is None:
            tell(self, "No case is highlighted: move to a case first.")
            return
        await self.edits.confirm_fact(row)

    @work(exclusive=True, group="cohort-edit")
    async def action_import_csv(self) -> None:
        await self.edits.import_csv()

    @work(thread=True, exclusive=True, group="cohort-parse", exit_on_error=False)
    def parse_in_thread(self, data: bytes, audit: Audit, codes: list[str], existing: set[str],
                        today: Any) -> tuple[ImportResult, list[bool | None]]:
        """Parse and screen a CSV off the event loop, reporting progress as it goes."""

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(self.show_progress, "Checking the file…", done, total)

        result = parse_candidates(data, audit=audit.ref, agency_codes=codes, existing_refs=existing,
                                  on_progress=progress)
        eligible: list[bool | None] = []
        if result.ok and result.cases and audit.lookback_start and audit.lookback_end:
            eligible = [s.eligible for s in screen_cases(audit, result.cases, today)]
        return result, eligible

    def show_progress(self, label: str, done: int | None = None, total: int | None = None) -> None:
        self.query_one("#cohort-progress").add_class("shown")
        self.query_one("#cohort-progress-label", Static).update(Text(label))
        self.query_one("#cohort-progress-bar", ProgressBar).update(total=total, progress=done or 0)

    def hide_progress(self) -> None:
        self.query_one("#cohort-progress").remove_class("shown")
