"""Home: the partnership's programme by year (issue 19 item 1): audits planned, in
progress, reported and closed; open one, plan one, start a planned one from its scope
file, confirm the stage maca proposes.

Drawn from the partnership file alone: each audit's figures are its summary
(`storage.summary`), so home reads no audit's own file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.widgets.data_table import RowDoesNotExist

from audit.access import Act
from audit.programme import PlannedAudit, Proposal, programme
from audit.scope import Audit
from screens.access import Acts, allowed, permitted
from screens.context import WorkspaceChanged, covered, ctx
from screens.home import rows
from screens.saving import commit, tell
from screens.widgets.identity import IdentityBar
from screens.widgets.footer import Footer
from screens.widgets.lists import RowTable

COLUMNS = rows.COLUMNS


class HomeScreen(Screen[None]):
    CSS_PATH = "home.tcss"
    BINDINGS = [
        Binding("enter", "open", "Open", priority=True, id="home.open"),
        Binding("n", "new_audit", "New audit", id="home.new-audit"),
        Binding("p", "plan", "Plan audit", id="home.plan"),
        Binding("e", "edit_plan", "Edit plan", id="home.edit-plan"),
        Binding("d", "delete_plan", "Delete plan", id="home.delete-plan"),
        Binding("s", "confirm_stage", "Confirm stage", id="home.confirm-stage"),
        Binding("a", "tracker", "Actions", id="home.actions"),
        Binding("J", "journal", "Journal", key_display="J", id="home.journal"),
        Binding("U", "users", "Users", key_display="U", id="home.users"),
    ]
    ACTS: Acts = {"new_audit": Act.CREATE_AUDIT, "journal": Act.READ_JOURNAL, "users": Act.MANAGE_USERS,
                  "plan": Act.PLAN_PROGRAMME, "edit_plan": Act.PLAN_PROGRAMME, "delete_plan": Act.PLAN_PROGRAMME,
                  "confirm_stage": Act.EDIT_SCOPE}

    _stale = False  # a commit was announced while another screen covered this one
    _row = 0  # the cursor's last row, to step over headings in the direction it moved
    _width = -1  # the width the rows were last drawn for (the title column takes what is left)

    def help_title(self) -> str:
        return "Keys on the home screen: the partnership's programme"

    def compose(self) -> ComposeResult:
        yield IdentityBar()
        yield Static("", id="home-heading")
        yield RowTable(id="audits", cursor_type="row", zebra_stripes=True)  # j/k/g/G with the other lists
        yield Static("", id="home-detail")
        yield Static("", id="home-empty")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        self.refresh_data()
        table.focus()

    # ------------------------------------------------------------------ drawing

    def refresh_data(self) -> None:
        c = ctx(self.app)
        ws = c.ws
        who = ws.user.describe() if ws.user else ws.login
        self.query_one(IdentityBar).show(ws.partnership().name, who,
                                         warning="read-only" if ws.read_only_reason else "")
        heading = Text("⚠ " + ws.read_only_reason) if ws.read_only_reason else Text("The programme, by year")
        self.query_one("#home-heading", Static).update(heading)
        table = self.query_one(DataTable)
        keep = self.selected_key()
        audits, plans = ws.audits(), ws.planned()
        built: list[tuple[str, list[Any]]] = []
        for year in programme(audits, plans):
            for n, (group, entries) in enumerate(year.groups.items()):
                built.append((f"head:{year.year}:{group.value}", rows.heading_row(year.year, group, n == 0)))
                for entry in entries:
                    if entry.audit is not None:
                        figures = ws.summary(entry.audit.ref)
                        built.append((entry.key, rows.audit_row(entry.audit, figures, self.proposal(entry.audit),
                                                                c.today())))
                    elif entry.plan is not None:
                        built.append((entry.key, rows.plan_row(entry.plan)))
        table.clear(columns=True)
        self._width = self.size.width
        for label, width in zip(COLUMNS, rows.widths([cells for _, cells in built], self._width)):
            table.add_column(label, key=label, width=width)
        for key, cells in built:
            table.add_row(*cells, key=key)
        empty = self.query_one("#home-empty", Static)
        empty.display = not built
        empty.update(Text("No audits yet. Press n to create one from a scope file (see README, 'Scope file'), "
                          "or p to plan one."))
        keys = [key for key, _ in built]
        if keep is not None and keep in keys:
            self._row = keys.index(keep)
        else:
            self._row = next((i for i, key in enumerate(keys) if not key.startswith("head:")), 0)
        if built:
            table.move_cursor(row=self._row)
        self.show_detail()
        self.refresh_bindings()

    def proposal(self, audit: Audit) -> Proposal | None:
        from storage.programme import proposal_for

        return proposal_for(ctx(self.app).ws, audit)

    def show_detail(self) -> None:
        """The highlighted row's whole story, which the table may clip."""
        detail = self.query_one("#home-detail", Static)
        c = ctx(self.app)
        lead = c.ws.can(Act.PLAN_PROGRAMME)
        plan, audit = self.selected_plan(), self.selected_audit()
        detail.display = plan is not None or audit is not None
        if plan is not None:
            detail.update(rows.plan_detail(plan, lead))
        elif audit is not None:
            detail.update(rows.audit_detail(audit, c.ws.summary(audit.ref), self.proposal(audit), c.today(),
                                            c.ws.can(Act.EDIT_SCOPE)))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        table = self.query_one(DataTable)
        if event.cursor_row != table.cursor_row:
            return  # a highlight from before a redraw or a later move: the cursor is elsewhere now
        if event.row_key.value and str(event.row_key.value).startswith("head:"):
            # A heading is not a row to act on: step past it, the way the cursor went.
            step = 1 if event.cursor_row >= self._row and event.cursor_row + 1 < table.row_count else -1
            if event.cursor_row == 0:
                step = 1
            target = event.cursor_row + step
            if 0 <= target < table.row_count:
                table.move_cursor(row=target)
                return
        self._row = event.cursor_row
        self.show_detail()
        self.refresh_bindings()

    def on_resize(self) -> None:
        # Only a new width changes what is drawn; a start brings several resizes of the
        # same size, and each redraw made the table render every visible cell again.
        if self.size.width != self._width:
            self.refresh_data()

    # ------------------------------------------------------------------ the cursor

    def selected_key(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return str(row_key.value)

    def selected_ref(self) -> str | None:
        """The highlighted audit's ref (None on a planned audit)."""
        key = self.selected_key()
        return key.removeprefix("audit:") if key and key.startswith("audit:") else None

    def selected_audit(self) -> Audit | None:
        ref = self.selected_ref()
        return ctx(self.app).ws.get("audits", ref) if ref else None

    def selected_plan(self) -> PlannedAudit | None:
        key = self.selected_key()
        if not key or not key.startswith("plan:"):
            return None
        return ctx(self.app).ws.get("planned", key.removeprefix("plan:"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys about a planned audit or a proposed stage show only on such a row (the
        footer keeps its room for the keys that work here; help lists them all)."""
        if action in ("edit_plan", "delete_plan") and self.selected_plan() is None:
            return False
        if action == "confirm_stage":
            audit = self.selected_audit()
            if audit is None or self.proposal(audit) is None:
                return False
        return permitted(self, self.ACTS, action)  # dimmed for a login that may not

    # ------------------------------------------------------------------ opening

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        ref = self.selected_ref()
        if ref is not None:
            self.open(ref)
        elif self.selected_plan() is not None:
            if ctx(self.app).ws.can(Act.PLAN_PROGRAMME):
                self.action_edit_plan()
            else:
                tell(self, "This audit is planned, not yet scoped: there is nothing to open yet.")

    def open(self, ref: str) -> None:
        from screens.audit.screen import AuditScreen

        self.app.push_screen(AuditScreen(ref))

    def _select(self, key: str) -> None:
        table = self.query_one(DataTable)
        try:
            table.move_cursor(row=table.get_row_index(key))
        except RowDoesNotExist:  # the row went with a refresh by another session: leave the cursor
            return

    # ------------------------------------------------------------------ the programme

    @work(exclusive=True)
    async def action_plan(self) -> None:
        from screens.home.plans import add_plan_flow

        if not allowed(self, Act.PLAN_PROGRAMME, key="planned"):
            return
        saved = await add_plan_flow(self, ctx(self.app).today())
        if saved is not None:
            self.refresh_data()
            self._select(f"plan:{saved.id}")

    def plan_to_change(self) -> PlannedAudit | None:
        """The highlighted plan, when this login may change plans (else told why)."""
        plan = self.selected_plan()
        if plan is None or not allowed(self, Act.PLAN_PROGRAMME, key=plan.key):
            return None
        return plan

    @work(exclusive=True)
    async def action_edit_plan(self) -> None:
        from screens.home.plans import edit_plan_flow

        plan = self.plan_to_change()
        if plan is not None and await edit_plan_flow(self, plan) is not None:
            self.refresh_data()

    @work(exclusive=True)
    async def action_delete_plan(self) -> None:
        from screens.home.plans import delete_plan_flow

        plan = self.plan_to_change()
        if plan is not None and await delete_plan_flow(self, plan):
            self.refresh_data()

    @work(exclusive=True)
    async def action_confirm_stage(self) -> None:
        from screens.home.plans import confirm_stage_flow

        audit = self.selected_audit()
        proposal = self.proposal(audit) if audit is not None else None
        if audit is None or proposal is None:
            return
        if not allowed(self, Act.EDIT_SCOPE, audit=audit.ref, key=audit.ref):
            return
        if await confirm_stage_flow(self, audit.ref, proposal):
            self.refresh_data()

    @work(exclusive=True)
    async def action_new_audit(self) -> None:
        """A new audit from a scope file; on a planned audit's row, that plan's audit."""
        if not allowed(self, Act.CREATE_AUDIT):
            return
        ws = ctx(self.app).ws
        plan = self.selected_plan()
        served = ctx(self.app).served
        if served is not None:  # no server path: the scope file comes up the SSH channel
            from screens.dialogs.ssh_command import SshCommandScreen

            self.app.push_screen(SshCommandScreen(
                "New audit from a scope file",
                "Run this on your own computer, with the name of your scope file (TOML, see the README) "
                "after <; every problem in it is listed, and the new audit appears here when it is made.",
                [("Create the audit", served.send(["new-audit", *(["--plan", plan.id] if plan else [])],
                                                  "scope.toml"))]))
            return
        from screens.dialogs.form import FormField, FormScreen
        from storage.audits import ScopeProblems, create_audit, scope_from_file

        found: dict[str, Any] = {}

        def check(values: dict[str, Any]) -> list[str]:
            path = Path(values["path"]).expanduser()
            try:
                found["scope"] = scope_from_file(ws, path)
            except ScopeProblems as exc:
                return exc.problems
            found["path"] = path
            return []

        title = f"Start planned audit {plan.id} from its scope file" if plan else "New audit from a scope file"
        form = FormScreen(
            title,
            [FormField("path", "Scope file (TOML, see README)", required=True,
                       hint="For example sample_data/MACA-C86.toml; every problem in the file is listed here.")],
            validate=check,
        )
        if await self.app.push_screen_wait(form) is None:
            return
        audit = await commit(self, lambda: create_audit(ws, found["scope"], source=found["path"].name, plan=plan),
                             done=None, retry=False)
        if audit is None:
            return
        tell(self, f"Created audit {audit.ref}" + (f" for planned audit {plan.id}." if plan else "."))
        self.refresh_data()
        self._select(f"audit:{audit.ref}")
        self.show_retest(audit.ref)

    def show_retest(self, ref: str) -> None:
        """The findings of earlier audits on the new audit's objectives, to re-test."""
        from screens.dialogs.details import InfoScreen
        from storage.retest import retest_lines

        lines = retest_lines(ctx(self.app).ws, ref)
        if lines:
            body = Text("\n".join(f"• {line}" for line in lines))
            body.append("\n\nThe Scope section lists them too; link one to a finding on the Findings "
                        "board (5) with r to record whether its learning is embedded.", style="dim")
            self.app.push_screen(InfoScreen(f"{ref}: learning of earlier audits to re-test", body))

    # ------------------------------------------------------------------ elsewhere

    def action_users(self) -> None:
        from screens.users.screen import open_users

        open_users(self.app)

    def action_tracker(self) -> None:
        from screens.tracker.screen import TrackerScreen

        self.app.push_screen(TrackerScreen())

    def action_journal(self) -> None:
        from screens.journal.screen import open_journal

        open_journal(self.app)

    def on_workspace_changed(self, _: WorkspaceChanged) -> None:
        # Every commit, this session's or another's; under an audit's screen the list is
        # redrawn once, when it is shown again.
        self._stale = covered(self)
        if not self._stale:
            self.refresh_data()

    def on_screen_resume(self) -> None:
        if self._stale:
            self._stale = False
            self.refresh_data()
