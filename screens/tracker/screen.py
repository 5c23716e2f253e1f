"""The partnership's action tracker: every audit's SMART actions, carried to closure.

Opened from home (`a`) and the palette.  Rows are soonest due first, completed ones
last; RAG shows symbol and word (never colour alone).  `f` filters by agency, audit,
RAG, overdue or awaiting sign-off.  The owning agency's co-ordinators (and leads) press
`u` to record progress: a dated note, evidence, the impact seen, in progress, or a
request to close.  Leads and panel members sign off (`s`) or send a request back (`b`).
`enter` shows an action's whole history; `x` exports the tracker as the filter shows it.
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

from audit.access import Act
from audit.dates import format_uk
from audit.findings import Action, ActionStatus, Rag
from audit.text import plain
from audit.tracker import TrackerFilter, TrackerRow, counts, status_text
from screens.board.cards import RAG_STYLE
from screens.access import Acts, allowed, permitted
from screens.context import WorkspaceChanged, ctx
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.details import InfoScreen
from screens.dialogs.form import FormField, FormScreen
from screens.saving import tell
from screens.tracker.text import history_text
from screens.widgets.identity import IdentityBar
from screens.widgets.footer import Footer
from screens.widgets.lists import RowTable
from storage import tracker as ops
from storage.errors import WorkspaceError
from storage.export import IdentifierLeak

FIXED_WIDTH = 78  # every column but the action's description, with cell padding


class TrackerScreen(Screen[None]):
    CSS_PATH = "tracker.tcss"
    BINDINGS = [
        Binding("u", "update", "Record progress", id="tracker.update"),
        Binding("s", "sign_off", "Sign off", id="tracker.sign-off"),
        Binding("b", "send_back", "Send back", id="tracker.send-back"),
        Binding("f", "filter", "Filter", id="tracker.filter"),
        Binding("x", "export", "Export", id="tracker.export"),
        Binding("enter", "history", "History", priority=True, id="tracker.history"),
        Binding("escape", "back", "Back", id="tracker.back"),
    ]
    # Recording progress is the owning agency's (its co-ordinators') or a lead's: the key
    # follows the highlighted action's owner.
    ACTS: Acts = {"update": Act.UPDATE_ACTION, "sign_off": Act.SIGN_OFF_ACTION, "send_back": Act.SIGN_OFF_ACTION,
                  "export": Act.EXPORT_TRACKER}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        row = self.current()
        return permitted(self, self.ACTS, action, agency=row.action.owner if row is not None else None)

    def __init__(self, where: TrackerFilter | None = None) -> None:
        super().__init__()
        self.where = where or TrackerFilter()
        self.shown: list[TrackerRow] = []

    def help_notes(self) -> list[str]:
        return [
            "Every audit's SMART actions, soonest due first; ✗ overdue, ! at risk (due within two weeks or no "
            "date), ● on track, ✓ complete.",
            "Co-ordinators record progress on their agencies' actions with u (a dated note, evidence, impact, "
            "and a request to close); leads and panel members sign off with s or send a request back with b.",
            "f filters by agency, audit, RAG, overdue or awaiting sign-off; x exports what is shown as Markdown "
            "or HTML for the sub-committee; enter shows an action's history.",
        ]

    def help_title(self) -> str:
        return "Keys in the partnership's action tracker"

    def compose(self) -> ComposeResult:
        yield IdentityBar()
        yield Static("", id="tracker-heading")
        yield Static("", id="tracker-filter")
        yield RowTable(id="tracker-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="tracker-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Action tracker"
        table = self.query_one(DataTable)
        for label, key in (("Audit", "audit"), ("Id", "id"), ("Owner", "owner"), ("Due", "due"), ("RAG", "rag"),
                           ("Status", "status"), ("Updated", "updated"), ("Action", "what")):
            table.add_column(label, key=key)
        self.refresh_data()
        table.focus()

    # ------------------------------------------------------------------ showing

    def refresh_data(self, select: str | None = None) -> None:
        c = ctx(self.app)
        ws, today = c.ws, c.today()
        who = ws.user.describe() if ws.user else ws.login
        self.query_one(IdentityBar).show(ws.partnership().name, who,
                                         warning="read-only" if ws.read_only_reason else "")
        table = self.query_one(DataTable)
        current = self.current()
        keep = select or (current.action.key if current else None)
        try:
            self.shown = ops.rows(ws, today, self.where)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        n = counts(self.shown)
        heading = Text("Partnership action tracker · ", style="bold")
        heading.append(f"{len(self.shown)} action{'s' if len(self.shown) != 1 else ''}: {n['open']} open")
        if n["overdue"]:
            heading.append(f" · {Rag.RED.symbol} {n['overdue']} overdue", style="bold red")
        if n["awaiting sign-off"]:
            heading.append(f" · {n['awaiting sign-off']} awaiting sign-off", style="bold")
        heading.append(f" · {n['complete']} complete")
        self.query_one("#tracker-heading", Static).update(heading)
        self.query_one("#tracker-filter", Static).update(
            Text(f"Showing {self.where.describe()} · today {format_uk(today)}"))
        width = max(16, self.app.size.width - FIXED_WIDTH)
        table.clear()
        for row in self.shown:
            a = row.action
            due = Text(format_uk(a.due, "not set"), style="bold red" if row.overdue else "")
            what = Text(plain(a.description), no_wrap=True, overflow="ellipsis")
            what.truncate(width, overflow="ellipsis")
            table.add_row(Text(a.audit, style="bold"), Text(a.id), Text(a.owner), due,
                          Text(f"{row.rag.symbol} {row.rag.label}", style=RAG_STYLE[row.rag]),
                          Text(status_text(a)), Text(format_uk(row.last_update, "–")), what, key=a.key)
        keys = [r.action.key for r in self.shown]
        if keep in keys:
            table.move_cursor(row=keys.index(keep))
        self.show_detail()

    def show_detail(self) -> None:
        row = self.current()
        text = Text()
        if row is None:
            ws = ctx(self.app).ws
            any_action = any(ws.summary(audit.ref).get("actions") for audit in ws.audits())
            text.append("No action matches the filter; f changes it." if any_action else
                        "No SMART action yet: actions are added to recommendations on an audit's findings board.",
                        style="italic")
        else:
            a = row.action
            text.append(f"{a.audit} {a.id} for {a.finding_id} · ", style="bold")
            text.append(ctx(self.app).ws.partnership().agency_name(a.owner) + " · ")
            text.append(f"due {format_uk(a.due, 'not set')}")
            if row.audit_title:
                text.append("\n" + plain(row.audit_title), style="italic")
            text.append("\n" + plain(a.description))
            if a.updates:
                last = a.updates[-1]
                text.append(f"\nLast: {last.kind.value}, {format_uk(last.on or last.at.date())}: ", style="bold")
                text.append(plain(last.note or last.evidence or last.impact))
            if a.close_requested and a.status is not ActionStatus.COMPLETE:
                text.append("\nClose requested: a lead or panel member signs it off (s) or sends it back (b).",
                            style="bold")
        self.query_one("#tracker-detail", Static).update(text)

    def current(self) -> TrackerRow | None:
        if not self.is_mounted:
            return None
        table = self.query_one(DataTable)
        if not self.shown or not 0 <= table.cursor_row < len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.show_detail()
        self.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_history()

    def on_resize(self) -> None:
        if self.query("#tracker-table"):
            self.refresh_data()

    def on_workspace_changed(self, _: WorkspaceChanged) -> None:
        self.refresh_data()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_history(self) -> None:
        row = self.current()
        if row is None:
            return
        a = row.action
        self.app.push_screen(InfoScreen(f"{a.audit} {a.id}: history",
                                        history_text(ctx(self.app).ws.partnership(), row)))

    # ------------------------------------------------------------------ filters

    @work(exclusive=True, group="tracker")
    async def action_filter(self) -> None:
        ws = ctx(self.app).ws
        w = self.where
        yes_no = [("no", "no"), ("yes", "yes")]
        values = await self.app.push_screen_wait(FormScreen("Show the actions of", [
            FormField("agency", "Owner agency", "select", w.agency or "",
                      [("every agency", "")] + [(f"{a.code}  {a.name}", a.code) for a in ws.partnership().agencies],
                      required=True),
            FormField("audit", "Audit", "select", w.audit or "",
                      [("every audit", "")] + [(f"{a.ref}  {plain(a.title)[:60]}", a.ref) for a in ws.audits()],
                      required=True),
            FormField("rag", "RAG", "select", w.rag.value if w.rag else "",
                      [("every RAG", "")] + [(f"{r.symbol} {r.label}", r.value) for r in Rag], required=True),
            FormField("overdue", "Overdue only", "select", "yes" if w.overdue else "no", yes_no, required=True),
            FormField("awaiting", "Awaiting sign-off only", "select", "yes" if w.awaiting_sign_off else "no", yes_no,
                      required=True),
        ]))
        if values is None:
            return
        self.where = TrackerFilter(agency=values["agency"] or None, audit=values["audit"] or None,
                                   rag=Rag(values["rag"]) if values["rag"] else None,
                                   overdue=values["overdue"] == "yes", awaiting_sign_off=values["awaiting"] == "yes")
        self.refresh_data()

    # ------------------------------------------------------------------ updates

    def _chosen(self, act: Act) -> Action | None:
        row = self.current()
        if row is None:
            tell(self, "There is no action here to change.")
            return None
        a = row.action
        if not allowed(self, act, agency=a.owner, audit=a.audit, key=a.key):
            return None
        if a.status is ActionStatus.COMPLETE:
            tell(self, f"{a.audit} {a.id} is complete and signed off; nothing more is recorded on it.", error=True)
            return None
        return a

    async def _save(self, what: str, saver: Any) -> None:
        try:
            saved = saver()
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        tell(self, what)
        self.refresh_data(select=saved.key)

    @work(exclusive=True, group="tracker")
    async def action_update(self) -> None:
        a = self._chosen(Act.UPDATE_ACTION)
        if a is None:
            return
        statuses = [("keep " + a.status.value, "")] + [(s.value, s.value) for s in ops.OWNER_STATUSES
                                                       if s is not a.status]
        values = await self.app.push_screen_wait(FormScreen(f"Progress on {a.audit} {a.id} ({a.owner})", [
            FormField("on", "Date of this progress", "date", ctx(self.app).today(), required=True),
            FormField("note", "What has been done", "textarea", hint="Dated, specific: what changed and where."),
            FormField("evidence", "Evidence of completion", "textarea",
                      hint="What the sub-committee can check: a revised template, an audit, training figures."),
            FormField("impact", "Impact seen", "textarea", hint="The difference it has made for children."),
            FormField("status", "Status", "select", "", statuses, required=True),
            FormField("close", "Ask for it to be signed off as complete", "select", "no",
                      [("no", "no"), ("yes: the action is done", "yes")], required=True),
        ], lambda v: [] if (v["note"].strip() or v["evidence"].strip() or v["impact"].strip() or v["close"] == "yes")
            else ["Write what has been done, the evidence or the impact seen."]))
        if values is None:
            return
        ws = ctx(self.app).ws
        close = values["close"] == "yes"
        await self._save(f"{'Asked to close' if close else 'Recorded progress on'} {a.audit} {a.id}.",
                         lambda: ops.record_progress(
                             ws, a, on=values["on"], note=values["note"], evidence=values["evidence"],
                             impact=values["impact"], status=ActionStatus(values["status"]) if values["status"] else None,
                             request_close=close))

    @work(exclusive=True, group="tracker")
    async def action_sign_off(self) -> None:
        a = self._chosen(Act.SIGN_OFF_ACTION)
        if a is None:
            return
        asked = "" if a.close_requested else " The owning agency has not asked for it to be closed."
        values = await self.app.push_screen_wait(FormScreen(f"Sign off {a.audit} {a.id} as complete.{asked}", [
            FormField("note", "Sign-off note", "textarea", hint="E.g. evidence seen at the sub-committee of 12 May."),
        ]))
        if values is None:
            return
        ws = ctx(self.app).ws
        await self._save(f"Signed off {a.audit} {a.id} as complete.", lambda: ops.sign_off(ws, a, values["note"]))

    @work(exclusive=True, group="tracker")
    async def action_send_back(self) -> None:
        a = self._chosen(Act.SIGN_OFF_ACTION)
        if a is None:
            return
        if not a.close_requested:
            tell(self, f"{a.audit} {a.id} has no close request to send back.", error=True)
            return
        values = await self.app.push_screen_wait(FormScreen(f"Send back the close request of {a.audit} {a.id}", [
            FormField("reason", "What is still needed", "textarea", required=True),
        ]))
        if values is None:
            return
        ws = ctx(self.app).ws
        await self._save(f"Sent {a.audit} {a.id} back to {a.owner}.", lambda: ops.send_back(ws, a, values["reason"]))

    # ------------------------------------------------------------------ export

    @work(exclusive=True, group="tracker")
    async def action_export(self) -> None:
        c = ctx(self.app)
        ws, today = c.ws, c.today()
        if not allowed(self, Act.EXPORT_TRACKER, key="tracker"):
            return
        defaults = {fmt: ops.default_path(ws, fmt, today) for fmt in ops.FORMATS}
        values = await self.app.push_screen_wait(FormScreen("Export the action tracker (as filtered)", [
            FormField("path", "File", value=str(defaults["md"]), required=True, max_length=4096,
                      hint=f"A name without a folder is saved beside the workspace, in {ws.path.parent}."),
            FormField("format", "Format", "select", "md",
                      [("Markdown (.md)", "md"), ("HTML page (.html), for a browser or to print", "html")],
                      required=True),
        ]))
        if values is None:
            return
        fmt = values["format"]
        path = Path(values["path"]).expanduser()
        if not path.is_absolute():
            path = ws.path.parent / path
        if path == defaults["md"] and fmt != "md":
            path = defaults[fmt]
        if path.is_file() and not await self.app.push_screen_wait(
                ConfirmScreen(f"{path} already exists. Replace it with the tracker?", "replace")):
            return
        try:
            written, size = ops.export_tracker(ws, path, fmt, today, self.where)
        except IdentifierLeak as exc:
            places = "; ".join(leak.describe() for leak in exc.leaks[:5])
            tell(self, f"Not exported: the tracker holds identifiers of cases ({places}). "
                       "Take them out of the actions' text and export again.", error=True)
            return
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        tell(self, f"Exported the action tracker to {written} ({size:,} bytes, {fmt}).")
