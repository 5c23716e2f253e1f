"""Section 5, Findings: the board of strengths, areas for development and recommendations.

Three columns of cards.  `h`/`l` change column, `j`/`k` card, `H`/`L` move the card to
the column on the left or right, `J`/`K` move it down or up its column.  `a` adds a
card to the current column, `e` edits it, `d` deletes it (after a yes), `enter` shows
all of it.  `/` filters as you type, `o` by objective, `f` by agency, `esc` clears.
`A` opens the action plan (of the highlighted recommendation, or all), `r` links the
card to a finding of an earlier audit it re-tests, `y` accepts a proposed card.

Leads edit the board; co-ordinators may propose cards (`a`); viewers read.  Every
refusal is a sentence, and journaled by the workspace.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from audit.access import Act
from audit.findings import Column, Finding, short_title
from audit.scope import Audit
from screens.access import Acts, allowed, permitted
from screens.board.forms import BoardForms
from screens.board.cards import COLUMNS, Filters, card_text, details_text, outside_cohort, status_text
from screens.board.plan import ActionPlanScreen
from screens.context import ctx
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.details import InfoScreen
from screens.saving import commit, tell
from screens.audit.sections import Section
from screens.widgets.lists import PickList
from storage.errors import WorkspaceError
from storage.findings import accept_finding, column_of, delete_finding, move_finding, retest_of


class BoardColumn(PickList):
    """One column of cards."""

    def __init__(self, column: Column) -> None:
        super().__init__(id=f"board-{column.value}", markup=False)
        self.column = column
        self.ids: list[str] = []


class BoardSection(Section):
    BINDINGS = [
        Binding("a", "add", "Add", id="board.add"),
        Binding("e", "edit", "Edit", id="board.edit"),
        Binding("d", "delete", "Delete", id="board.delete"),
        Binding("H", "move(-1)", "Move", key_display="H/L", tooltip="to the column on the left", id="board.move-left"),
        Binding("L", "move(1)", "Move", show=False, key_display="L", tooltip="to the column on the right", id="board.move-right"),
        Binding("J", "reorder(1)", "Reorder", key_display="J/K", tooltip="down the column", id="board.reorder-down"),
        Binding("K", "reorder(-1)", "Reorder", show=False, key_display="K", tooltip="up the column", id="board.reorder-up"),
        Binding("slash", "filter", "Filter", key_display="/", id="board.filter"),
        Binding("o", "filter_objective", "Objective", tooltip="show one objective's cards", id="board.filter-objective"),
        Binding("f", "filter_agency", "Agency", tooltip="show one agency's cards", id="board.filter-agency"),
        Binding("escape", "clear_filter", "Clear filter", id="board.clear-filter"),
        Binding("A", "plan", "Actions", key_display="A", tooltip="the SMART action plan", id="board.actions"),
        Binding("r", "retest", "Re-test", id="board.retest"),
        Binding("y", "accept", "Accept", tooltip="a proposed finding", id="board.accept"),
        Binding("h", "column(-1)", "Column left", show=False, id="move.left"),
        Binding("left", "column(-1)", "Column left", show=False, id="arrow.left"),
        Binding("l", "column(1)", "Column right", show=False, id="move.right"),
        Binding("right", "column(1)", "Column right", show=False, id="arrow.right"),
    ]
    ACTS: Acts = {"add": (Act.EDIT_BOARD, Act.PROPOSE_FINDING), "edit": Act.EDIT_BOARD, "delete": Act.EDIT_BOARD,
                  "move": Act.EDIT_BOARD, "reorder": Act.EDIT_BOARD, "retest": Act.EDIT_BOARD, "accept": Act.EDIT_BOARD}
    HELP_NOTES = [
        "Findings: h/l change column, j/k card; H/L move the card left/right, J/K down/up its column.",
        "Cards show the objective, how many cases evidence it and the agencies; ◇ marks a co-ordinator's "
        "proposal (y accepts it), ↻ a re-test of an earlier audit's finding (✓ embedded, ◐ partly, ✗ not).",
        "/ filters as you type; o by objective, f by agency; esc clears every filter.",
        "A opens the action plan of the highlighted recommendation (v there shows all): RAG ✗ overdue, "
        "! due within two weeks, ● on track, ✓ complete.",
        "Leads edit the board; co-ordinators may propose findings; viewers read.",
    ]

    def __init__(self, audit_ref: str, **kwargs: Any) -> None:
        super().__init__(audit_ref, **kwargs)
        self.filters = Filters()
        self.forms = BoardForms(self)
        self.column_index = 0
        self._known: set[str] | None = None  # the cards at the last refresh

    def compose(self) -> ComposeResult:
        yield Static(id="board-status")
        with Horizontal(id="board-columns"):
            for column in COLUMNS:
                with Vertical(classes="board-col"):
                    yield Static(id=f"head-{column.value}", classes="board-heading")
                    yield BoardColumn(column)
        with Horizontal(id="board-filter-bar"):
            yield Label("/")
            yield Input(id="board-filter", placeholder="type to filter the cards; enter keeps it, esc clears it")

    def on_mount(self) -> None:
        self.refresh_data()

    def catch_up(self) -> None:
        """Back on the board after commits made meanwhile (a point promoted in Discussion):
        the selection goes to the one card added meanwhile, if one was."""
        audit = self.audit()
        if audit is None or self._known is None:
            return
        added = [f for f in ctx(self.app).ws.findings(audit.ref) if f.id not in self._known]
        select = added[0] if len(added) == 1 else None
        if select is not None:
            self.column_index = COLUMNS.index(select.column)
        self.refresh_data(select=select.id if select else None)
        if select is not None and self.screen.focused is not None:
            self.focus_first()

    def focus_first(self) -> None:
        self.lists[self.column_index].focus()

    @property
    def lists(self) -> list[BoardColumn]:
        return list(self.query(BoardColumn))

    # ------------------------------------------------------------------ showing

    def audit(self) -> Audit | None:
        try:
            return ctx(self.app).ws.audit(self.audit_ref)
        except WorkspaceError:
            return None

    _select: str | None = None  # the card to select when a commit's message redraws the board

    def refresh_data(self, select: str | None = None) -> None:
        audit = self.audit()
        if audit is None:
            return
        select, self._select = select or self._select, None
        c = ctx(self.app)
        ws, today = c.ws, c.today()
        findings = ws.findings(audit.ref)
        self._known = {f.id for f in findings}
        actions = ws.actions(audit.ref)
        cohort = {c.case_ref for c in ws.cases(audit.ref) if c.in_cohort}
        outside = sum(1 for f in findings if outside_cohort(f, audit, cohort))
        status = status_text(findings, actions, today, outside)
        if self.filters.active:
            status.append("\n")
            status.append_text(self.filters.describe(audit))
        self.query_one("#board-status", Static).update(status)
        for listing in self.lists:
            column = listing.column
            everything = column_of(ws, audit.ref, column)
            cards = [f for f in everything if self.filters.matches(f, audit)]
            keep = select if select in [f.id for f in cards] else self._highlighted_id(listing)
            listing.clear_options()
            for f in cards:
                held = sorted((a for a in actions if a.finding_id == f.id), key=lambda a: a.id)
                listing.add_option(Option(card_text(f, audit, held, retest_of(ws, f), today, cohort), id=f.id))
                listing.add_option(None)
            listing.ids = [f.id for f in cards]
            if listing.ids:
                listing.highlighted = listing.ids.index(keep) if keep in listing.ids else 0
            count = f"{len(cards)} of {len(everything)}" if self.filters.active else str(len(everything))
            self.query_one(f"#head-{column.value}", Static).update(Text(f"{column.label} ({count})", style="bold"))

    def reveal(self, key: str, field: str) -> bool:
        """Highlight the finding ``key`` (an action's key highlights its finding) and
        clear any filter that hides it, for the guard's jump to the text to fix."""
        ws = ctx(self.app).ws
        found = ws.get("findings", key)
        if found is None:
            action = ws.get("actions", key)
            found = ws.get("findings", f"{self.audit_ref}/{action.finding_id}") if action is not None else None
        if found is None:
            return False
        if self.filters.active:
            self.action_clear_filter()
        self.column_index = COLUMNS.index(found.column)
        self.refresh_data(select=found.id)
        self.focus_first()
        return True

    @staticmethod
    def _highlighted_id(listing: BoardColumn) -> str | None:
        if listing.highlighted is None or listing.highlighted >= len(listing.ids):
            return None
        return listing.ids[listing.highlighted]

    def current(self) -> Finding | None:
        """The highlighted card of the current column, as stored now."""
        card_id = self._highlighted_id(self.lists[self.column_index])
        if card_id is None:
            return None
        return ctx(self.app).ws.get("findings", f"{self.audit_ref}/{card_id}")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, BoardColumn):
            self.column_index = COLUMNS.index(event.widget.column)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        f = self.current()
        if f is None:
            return
        c = ctx(self.app)
        audit = c.ws.audit(self.audit_ref)
        held = sorted((a for a in c.ws.actions(self.audit_ref) if a.finding_id == f.id), key=lambda a: a.id)
        cohort = {case.case_ref for case in c.ws.cases(self.audit_ref) if case.in_cohort}
        body = details_text(f, audit, held, retest_of(c.ws, f), c.today(), cohort)
        self.app.push_screen(InfoScreen(f"{f.id}: {short_title(f.title, 70)}", body))

    def action_column(self, step: int) -> None:
        self.column_index = max(0, min(len(COLUMNS) - 1, self.column_index + step))
        self.lists[self.column_index].focus()

    # ------------------------------------------------------------------ filters

    def action_filter(self) -> None:
        self.query_one("#board-filter-bar").add_class("shown")
        self.query_one("#board-filter", Input).focus()

    @on(Input.Changed, "#board-filter")
    def filter_typed(self, event: Input.Changed) -> None:
        event.stop()
        self.filters.text = event.value
        self.refresh_data()

    @on(Input.Submitted, "#board-filter")
    def filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.filters.text.strip():
            self.query_one("#board-filter-bar").remove_class("shown")
        self.focus_first()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":  # otherwise escape goes back to the audits, as everywhere
            return self.filters.active or self.query_one("#board-filter", Input).has_focus
        return permitted(self, self.ACTS, action)

    def action_clear_filter(self) -> None:
        self.filters = Filters()
        field = self.query_one("#board-filter", Input)
        with field.prevent(Input.Changed):
            field.value = ""
        self.query_one("#board-filter-bar").remove_class("shown")
        self.refresh_data()
        self.focus_first()
        self.refresh_bindings()

    @work(exclusive=True, group="board-edit")
    async def action_filter_objective(self) -> None:
        audit = self.audit()
        if audit is None:
            return
        chosen, value = await self.forms.choose("Show the cards of one objective", "Objective",
                                                self.filters.objective, [(o.title, o.id) for o in audit.objectives])
        if chosen:
            self.filters.objective = value
            self.refresh_data()
            self.refresh_bindings()

    @work(exclusive=True, group="board-edit")
    async def action_filter_agency(self) -> None:
        audit = self.audit()
        if audit is None:
            return
        names = ctx(self.app).ws.partnership()
        chosen, value = await self.forms.choose("Show the cards that involve one agency", "Agency",
                                                self.filters.agency,
                                                [(f"{a}  {names.agency_name(a)}", a) for a in audit.agencies])
        if chosen:
            self.filters.agency = value
            self.refresh_data()
            self.refresh_bindings()

    # ------------------------------------------------------------------ editing

    def allowed(self, act: Act = Act.EDIT_BOARD, key: str = "") -> bool:
        return allowed(self, act, audit=self.audit_ref, key=key or f"{self.audit_ref}/board")

    def _card(self, verb: str) -> Finding | None:
        f = self.current()
        if f is None:
            tell(self, f"There is no card here to {verb}.")
        return f

    @work(exclusive=True, group="board-edit")
    async def action_move(self, step: int) -> None:
        f = self._card("move")
        if f is None or not self.allowed(key=f.key):
            return
        index = COLUMNS.index(f.column) + step
        if not 0 <= index < len(COLUMNS):
            return
        target = COLUMNS[index]
        if await self._save_move(f, f"Moved {f.id} to {target.label}.", column=target):
            self.column_index = index
            self.lists[index].focus()

    @work(exclusive=True, group="board-edit")
    async def action_reorder(self, step: int) -> None:
        f = self._card("move")
        if f is None or not self.allowed(key=f.key):
            return
        order = [o.id for o in column_of(ctx(self.app).ws, self.audit_ref, f.column)]
        at = order.index(f.id) + step
        if 0 <= at < len(order):
            await self._save_move(f, None, position=at)

    async def _save_move(self, f: Finding, done: str | None, **where: Any) -> bool:
        """Move a card off the event loop; the board redraws from the commit's message, with
        the card still selected.  A conflict is told (the board then shows the latest)."""
        ws = ctx(self.app).ws
        self._select = f.id
        if await commit(self, lambda: move_finding(ws, f, **where), done=done, retry=False,
                        conflict=f"{f.id} was changed by someone else meanwhile; the board now shows the "
                                 "latest. Nothing was moved.") is None:
            self._select = None
            return False
        return True

    @work(exclusive=True, group="board-edit")
    async def action_add(self) -> None:
        ws = ctx(self.app).ws
        if not ws.can(Act.EDIT_BOARD) and not self.allowed(Act.PROPOSE_FINDING):
            return
        new = await self.forms.add(COLUMNS[self.column_index])
        if new is not None:
            self.column_index = COLUMNS.index(new.column)
            self.refresh_data(select=new.id)
            self.focus_first()

    @work(exclusive=True, group="board-edit")
    async def action_edit(self) -> None:
        f = self._card("edit")
        if f is None or not self.allowed(key=f.key):
            return
        await self.forms.edit(f)
        saved = ctx(self.app).ws.get(f)
        if saved is not None:
            self.column_index = COLUMNS.index(saved.column)
        self.refresh_data(select=f.id)
        self.focus_first()

    @work(exclusive=True, group="board-edit")
    async def action_delete(self) -> None:
        f = self._card("delete")
        if f is None or not self.allowed(key=f.key):
            return
        held = [a for a in ctx(self.app).ws.actions(self.audit_ref) if a.finding_id == f.id]
        also = f" and its {len(held)} SMART action{'s' if len(held) != 1 else ''}" if held else ""
        question = f"Delete {f.id} “{short_title(f.title, 60)}”{also}? This is journaled."
        if not await self.app.push_screen_wait(ConfirmScreen(question, "delete")):
            return
        try:
            delete_finding(ctx(self.app).ws, f)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
        else:
            tell(self, f"Deleted {f.id}{also}.")
        self.refresh_data()

    def action_accept(self) -> None:
        f = self._card("accept")
        if f is None:
            return
        if not f.proposed:
            tell(self, f"{f.id} is already on the board; only proposed cards (◇) need accepting.")
            return
        if not self.allowed(key=f.key):
            return
        try:
            accept_finding(ctx(self.app).ws, f)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
        else:
            tell(self, f"Accepted {f.id} onto the board.")
        self.refresh_data(select=f.id)

    @work(exclusive=True, group="board-edit")
    async def action_retest(self) -> None:
        f = self._card("link")
        if f is None or not self.allowed(key=f.key):
            return
        await self.forms.retest(f)
        self.refresh_data(select=f.id)

    @work(exclusive=True, group="board-edit")
    async def action_plan(self) -> None:
        f = self.current()
        finding_id = f.id if f is not None and f.column is Column.RECOMMENDATION else None
        await self.app.push_screen_wait(ActionPlanScreen(self.audit_ref, finding_id))
        self.refresh_data()
