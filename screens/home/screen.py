"""Home: the workspace's audits at a glance; open one, or start a new one from a scope file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from audit.access import Act
from audit.dates import format_uk
from audit.returns import is_received
from audit.scope import Audit
from screens.access import Acts, permitted
from screens.context import WorkspaceChanged, ctx, plain
from screens.saving import tell
from screens.widgets.identity import IdentityBar
from screens.widgets.footer import Footer
from storage.errors import WorkspaceError

COLUMNS = ("Ref", "Title", "Kind", "Stage", "Cohort", "Returns", "Next milestone")
FIXED_WIDTH = 70  # every column but the title, with cell padding, at their widest


class HomeScreen(Screen[None]):
    CSS_PATH = "home.tcss"
    BINDINGS = [
        Binding("enter", "open", "Open audit", priority=True, id="home.open"),
        Binding("n", "new_audit", "New audit", id="home.new-audit"),
        Binding("a", "tracker", "Actions", id="home.actions"),
        Binding("J", "journal", "Journal", key_display="J", id="home.journal"),
        Binding("U", "users", "Users", key_display="U", id="home.users"),
        Binding("j", "cursor('down')", "Down", show=False, id="move.down"),
        Binding("k", "cursor('up')", "Up", show=False, id="move.up"),
        Binding("g", "cursor('top')", "First", show=False, id="move.first"),
        Binding("G", "cursor('bottom')", "Last", show=False, id="move.last"),
    ]
    ACTS: Acts = {"new_audit": Act.CREATE_AUDIT, "journal": Act.READ_JOURNAL, "users": Act.MANAGE_USERS}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return permitted(self, self.ACTS, action)

    def help_title(self) -> str:
        return "Keys on the home screen: the partnership's audits"

    def compose(self) -> ComposeResult:
        yield IdentityBar()
        yield Static("", id="home-heading")
        yield DataTable(id="audits", cursor_type="row", zebra_stripes=True)
        yield Static("", id="home-detail")
        yield Static("", id="home-empty")
        yield Footer()

    _resumed = False

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in COLUMNS:
            table.add_column(label, key=label)
        self.refresh_data()
        table.focus()

    def refresh_data(self) -> None:
        ws = ctx(self.app).ws
        who = ws.user.describe() if ws.user else ws.login
        self.query_one(IdentityBar).show(ws.partnership().name, who,
                                         warning="read-only" if ws.read_only_reason else "")
        if ws.read_only_reason:
            self.query_one("#home-heading", Static).update(Text("⚠ " + ws.read_only_reason))
        else:
            self.query_one("#home-heading", Static).update(Text("Audits"))
        table = self.query_one(DataTable)
        keep = self.selected_ref()
        table.clear()
        audits = ws.audits()
        for audit in audits:
            table.add_row(*self.row(audit), key=audit.ref)
        empty = self.query_one("#home-empty", Static)
        empty.display = not audits
        empty.update(Text("No audits yet. Press n to create one from a scope file (see README, 'Scope file')."))
        if keep is not None and keep in {a.ref for a in audits}:
            table.move_cursor(row=table.get_row_index(keep))
        self.show_detail()

    def show_detail(self) -> None:
        """The highlighted audit's full title and next milestone, which the table may clip."""
        detail = self.query_one("#home-detail", Static)
        ref = self.selected_ref()
        c = ctx(self.app)
        audit = c.ws.get("audits", ref) if ref else None
        detail.display = audit is not None
        if audit is None:
            return
        text = Text()
        text.append(f"{audit.ref}: ", style="bold")
        text.append(plain(audit.title) + "\n")
        milestone = audit.next_milestone()
        if milestone is None:
            text.append("No milestone pending.")
        else:
            text.append(f"Next milestone: {plain(milestone.name)}, due {format_uk(milestone.due)}")
            if milestone.overdue(c.today()):
                days = (c.today() - milestone.due).days
                text.append(f" — ✗ overdue by {days} day{'s' if days != 1 else ''}", style="bold red")
        detail.update(text)

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def on_resize(self) -> None:
        self.refresh_data()

    def row(self, audit: Audit) -> list[Any]:
        c = ctx(self.app)
        ws = c.ws
        today = c.today()
        cases = ws.cases(audit.ref)
        picked = sum(1 for case in cases if case.in_cohort)
        cohort = Text(f"{picked}/{audit.cohort_target}")
        if picked > audit.cohort_target:
            cohort.append(" ▲ over", style="bold yellow")
        returns = ws.returns(audit.ref)
        expected = picked * len(audit.agencies)
        cohort_refs = {case.case_ref for case in cases if case.in_cohort}
        taking_part = set(audit.agencies)
        # The same count as the Returns section's: the cohort's returns, completed ones only.
        received = sum(1 for r in returns if r.case_ref in cohort_refs and r.agency in taking_part and is_received(r))
        milestone = audit.next_milestone()
        if milestone is None:
            next_text = Text("—")
        elif milestone.overdue(today):
            next_text = Text(f"✗ {format_uk(milestone.due)} overdue", style="bold red")
        else:
            next_text = Text(f"· {format_uk(milestone.due)} due")
        title_width = max(12, self.size.width - FIXED_WIDTH)
        title = Text(plain(audit.title), no_wrap=True, overflow="ellipsis")
        title.truncate(title_width, overflow="ellipsis")
        return [
            Text(audit.ref, style="bold"),
            title,
            Text(audit.kind.value),
            Text(audit.stage.label),
            cohort,
            Text(f"{received}/{expected}"),
            next_text,
        ]

    def selected_ref(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return str(row_key.value)

    def action_cursor(self, where: str) -> None:
        table = self.query_one(DataTable)
        {"down": table.action_cursor_down, "up": table.action_cursor_up,
         "top": table.action_scroll_top, "bottom": table.action_scroll_bottom}[where]()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.open(str(event.row_key.value))

    def action_open(self) -> None:
        ref = self.selected_ref()
        if ref is not None:
            self.open(ref)

    def open(self, ref: str) -> None:
        from screens.audit.screen import AuditScreen

        self.app.push_screen(AuditScreen(ref))

    @work(exclusive=True)
    async def action_new_audit(self) -> None:
        ws = ctx(self.app).ws
        try:
            ws.require(Act.CREATE_AUDIT)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        served = ctx(self.app).served
        if served is not None:  # no server path: the scope file comes up the SSH channel
            from screens.dialogs.ssh_command import SshCommandScreen

            self.app.push_screen(SshCommandScreen(
                "New audit from a scope file",
                "Run this on your own computer, with the name of your scope file (TOML, see the README) "
                "after <; every problem in it is listed, and the new audit appears here when it is made.",
                [("Create the audit", served.send(["new-audit"], "scope.toml"))]))
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

        form = FormScreen(
            "New audit from a scope file",
            [FormField("path", "Scope file (TOML, see README)", required=True,
                       hint="For example sample_data/MACA-C86.toml; every problem in the file is listed here.")],
            validate=check,
        )
        if await self.app.push_screen_wait(form) is None:
            return
        try:
            audit = create_audit(ws, found["scope"], source=found["path"].name)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        tell(self, f"Created audit {audit.ref}.")
        self.refresh_data()
        table = self.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(audit.ref))

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
        self.refresh_data()

    def on_screen_resume(self) -> None:
        # Back from an audit: this session's own saves (a new title, a picked cohort) are
        # not announced by the file watch, which only reports other sessions' saves.
        # When the workspace says "committed" for every save, that message replaces this.
        if self._resumed:
            self.refresh_data()
        self._resumed = True  # the first resume is the first showing: on_mount filled it
