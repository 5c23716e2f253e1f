"""The action plan: every SMART action (or one recommendation's), soonest due first.

RAG is computed from status and due date on the app's "today": ✗ red overdue, ! amber
(due within two weeks, or no date), ● green on track, ✓ complete; symbol and word
always, so colour is never the only signal.  `o` and `s` filter by owner and status,
`v` switches between this recommendation and all; leads add, edit and delete.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from audit.access import Act
from audit.dates import format_uk
from audit.findings import Action, ActionStatus, Column, Rag, rag, short_title
from audit.text import plain
from screens.access import Acts, allowed, permitted
from screens.dialogs.base import Dialog
from screens.board.cards import rag_text
from screens.context import WorkspaceChanged, ctx
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import FormField, FormScreen, choice_field
from screens.saving import apply_change, tell
from screens.widgets.footer import Footer
from screens.widgets.lists import RowTable
from storage.errors import WorkspaceError
from storage.findings import action_plan, add_action, column_of, delete_action, edit_action


class ActionPlanScreen(Dialog[None]):
    CSS_PATH = "board.tcss"
    BINDINGS = [
        Binding("a", "add", "Add action", id="plan.add"),
        Binding("e", "edit", "Edit", key_display="e/enter", id="plan.edit"),
        Binding("d", "delete", "Delete", id="plan.delete"),
        Binding("o", "filter_owner", "Owner filter", id="plan.filter-owner"),
        Binding("s", "filter_status", "Status filter", id="plan.filter-status"),
        Binding("v", "toggle_scope", "This / all", tooltip="this finding's actions or every action", id="plan.scope"),
        Binding("escape,q", "close", "Close", id="plan.close"),
    ]
    ACTS: Acts = {"add": Act.EDIT_BOARD, "edit": Act.EDIT_BOARD, "delete": Act.EDIT_BOARD}

    def __init__(self, audit_ref: str, finding_id: str | None = None) -> None:
        super().__init__()
        self.audit_ref = audit_ref
        self.finding_id = finding_id
        self.only_this = finding_id is not None
        self.owner: str | None = None
        self.status: ActionStatus | None = None
        self.shown: list[Action] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="plan-title", classes="dialog-title")
            yield Static(id="plan-filter", classes="dialog-keys")
            yield RowTable(id="plan-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="plan-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, key, width in (("Due", "due", 10), ("RAG", "rag", 12), ("Id", "id", 4), ("For", "for", 4),
                                  ("Owner", "owner", 5), ("Status", "status", 11), ("Action", "what", None)):
            table.add_column(label, key=key, width=width)
        self.refresh_data()
        table.focus()

    # ------------------------------------------------------------------ showing

    def refresh_data(self, select: str | None = None) -> None:
        c = ctx(self.app)
        ws, today = c.ws, c.today()
        table = self.query_one(DataTable)
        keep = select or (self.shown[table.cursor_row].id if self.shown and 0 <= table.cursor_row < len(self.shown)
                          else None)
        scope = self.finding_id if self.only_this else None
        self.shown = action_plan(ws, self.audit_ref, finding_id=scope, owner=self.owner, status=self.status)
        title = Text("Action plan · ", style="bold")
        if scope:
            rec = ws.get("findings", f"{self.audit_ref}/{scope}")
            title.append(f"{scope}: " + (plain(rec.title) if rec else "(deleted)"))
        else:
            title.append(f"all recommendations of {self.audit_ref}")
        red = sum(1 for a in self.shown if rag(a, today) is Rag.RED)
        title.append(f" · {len(self.shown)} action{'s' if len(self.shown) != 1 else ''}")
        if red:
            title.append(f" · {Rag.RED.symbol} {red} overdue", style="bold red")
        self.query_one("#plan-title", Static).update(title)
        parts = [f"owner {self.owner}" if self.owner else "every owner",
                 f"status {self.status.value}" if self.status else "every status"]
        self.query_one("#plan-filter", Static).update(Text(
            "Sorted by due date · " + " · ".join(parts) + f" · today {format_uk(today)}"))
        width = max(20, self.app.size.width - 68)
        table.clear()
        for a in self.shown:
            state = rag(a, today)
            due = Text(format_uk(a.due, "not set"), style="bold red" if state is Rag.RED else "")
            what = Text(plain(a.description), no_wrap=True, overflow="ellipsis")
            what.truncate(width, overflow="ellipsis")
            table.add_row(due, rag_text(a, today), *(Text(v) for v in (a.id, a.finding_id, a.owner, a.status.value)),
                          what, key=a.id)
        if keep in [a.id for a in self.shown]:
            table.move_cursor(row=[a.id for a in self.shown].index(keep))
        self.show_detail()

    def show_detail(self) -> None:
        a = self.current()
        text = Text()
        if a is None:
            text.append("No action matches." if ctx(self.app).ws.actions(self.audit_ref) else
                        "No SMART action yet: a adds one to a recommendation.", style="italic")
        else:
            text.append(f"{a.id} for {a.finding_id} · {a.owner} · due {format_uk(a.due, 'not set')} · ", style="bold")
            text.append_text(rag_text(a, ctx(self.app).today()))
            text.append("\n" + a.description)
            if a.progress_note:
                text.append("\nProgress: ", style="bold")
                text.append(a.progress_note)
        self.query_one("#plan-detail", Static).update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.show_detail()

    def current(self) -> Action | None:
        table = self.query_one(DataTable)
        if not self.shown or not 0 <= table.cursor_row < len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def on_workspace_changed(self, _: WorkspaceChanged) -> None:
        self.refresh_data()

    # ------------------------------------------------------------------ filters

    @work(exclusive=True, group="plan")
    async def action_filter_owner(self) -> None:
        ws = ctx(self.app).ws
        owners = sorted({a.owner for a in ws.actions(self.audit_ref)})
        values = await self.app.push_screen_wait(FormScreen("Show the actions of", [
            choice_field("owner", "Owner agency", self.owner, [(o, o) for o in owners], none="every owner")],
            save_label="Show"))
        if values is not None:
            self.owner = values["owner"] or None
            self.refresh_data()

    @work(exclusive=True, group="plan")
    async def action_filter_status(self) -> None:
        values = await self.app.push_screen_wait(FormScreen("Show actions that are", [
            choice_field("status", "Status", self.status.value if self.status else None,
                         [(s.value, s.value) for s in ActionStatus], none="every status")], save_label="Show"))
        if values is not None:
            self.status = ActionStatus(values["status"]) if values["status"] else None
            self.refresh_data()

    def action_toggle_scope(self) -> None:
        if self.finding_id is None:
            tell(self, "Open the plan from a recommendation's card to see only its actions.")
            return
        self.only_this = not self.only_this
        self.refresh_data()

    # ------------------------------------------------------------------ editing

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return permitted(self, self.ACTS, action)

    def allowed(self) -> bool:
        return allowed(self, Act.EDIT_BOARD, audit=self.audit_ref, key=f"{self.audit_ref}/actions")

    async def ask(self, old: Action | None) -> dict[str, Any] | None:
        ws = ctx(self.app).ws
        recs = column_of(ws, self.audit_ref, Column.RECOMMENDATION)
        if not recs:
            tell(self, "There is no recommendation yet: add one to the Recommendations column first.", error=True)
            return None
        default = old.finding_id if old else (self.finding_id or recs[0].id)
        return await self.app.push_screen_wait(FormScreen("SMART action" if old else "New SMART action", [
            FormField("finding_id", "Recommendation", "select", default,
                      [(f"{r.id}: {short_title(r.title, 70)}", r.id) for r in recs], required=True),
            FormField("description", "What will be done (specific, measurable)", "textarea",
                      old.description if old else "", required=True),
            choice_field("owner", "Owner agency", old.owner if old else None,
                         [(f"{a.code}  {a.name}", a.code) for a in ws.partnership().agencies], none="choose one"),
            FormField("due", "Due", "date", old.due if old else None, required=True,
                      hint="RAG: overdue is red; due within two weeks is amber."),
            FormField("status", "Status", "select", (old.status if old else ActionStatus.PROPOSED).value,
                      [(s.value, s.value) for s in ActionStatus], required=True),
            FormField("progress_note", "Progress note", "textarea", old.progress_note if old else ""),
        ], lambda v: [] if v["owner"] else ["Choose the agency that owns the action."]))

    @work(exclusive=True, group="plan")
    async def action_add(self) -> None:
        if not self.allowed():
            return
        values = await self.ask(None)
        if values is None:
            return
        values["status"] = ActionStatus(values["status"])
        try:
            new = add_action(ctx(self.app).ws, self.audit_ref, **values)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        tell(self, f"Added action {new.id} to {new.finding_id}.")
        self.refresh_data(select=new.id)

    @work(exclusive=True, group="plan")
    async def action_edit(self) -> None:
        old = self.current()
        if old is None:
            tell(self, "There is no action to edit; a adds one.")
            return
        if not self.allowed():
            return
        values = await self.ask(old)
        if values is None:
            return
        values["status"] = ActionStatus(values["status"])
        ws = ctx(self.app).ws
        await apply_change(self, latest=lambda: ws.get("actions", old.key),
                           change=lambda a: dataclasses.replace(a, **values),
                           save=lambda a: edit_action(ws, a), base=old, done=f"Saved action {old.id}.")
        self.refresh_data(select=old.id)

    @work(exclusive=True, group="plan")
    async def action_delete(self) -> None:
        old = self.current()
        if old is None or not self.allowed():
            return
        if not await self.app.push_screen_wait(ConfirmScreen(f"Delete action {old.id} of {old.finding_id}? "
                                                             "This is journaled.", "delete")):
            return
        try:
            delete_action(ctx(self.app).ws, old)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
        else:
            tell(self, f"Deleted action {old.id}.")
        self.refresh_data()
