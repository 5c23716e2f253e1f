"""The 7-minute briefing of one audit (issue 19 item 4), its own small screen: the page
as practitioners get it, the lead's edits, the export, and the learning shared.

A screen of its own rather than a pane of the Report section: the briefing is a second
document with its own seven headings, form, export and a list of deliveries, and the
Report section's keys and contents pane are already full; it opens from there with `B`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Markdown, Static

from audit.access import Act
from audit.briefing import HEADINGS, MAX_SECTION
from audit.dates import format_uk
from audit.text import plain
from screens.access import allowed
from screens.context import WorkspaceChanged, ctx
from screens.dialogs.form import FormField, FormScreen
from screens.saving import tell
from screens.widgets.footer import Footer
from screens.widgets.identity import IdentityBar
from screens.widgets.lists import RowTable
from storage.errors import WorkspaceError


class BriefingScreen(Screen[None]):
    CSS_PATH = "briefing.tcss"
    BINDINGS = [
        Binding("e", "edit", "Edit", id="briefing.edit"),
        Binding("x", "export", "Export", id="briefing.export"),
        Binding("a", "add_delivery", "Add delivery", id="briefing.add"),
        Binding("d", "delete_delivery", "Delete delivery", id="briefing.delete"),
        Binding("escape", "back", "Back", id="briefing.back"),
    ]

    def __init__(self, audit_ref: str) -> None:
        super().__init__()
        self.audit_ref = audit_ref
        self.markdown = ""

    def help_title(self) -> str:
        return f"Keys on the 7-minute briefing of {self.audit_ref}"

    def compose(self) -> ComposeResult:
        yield IdentityBar()
        yield Static("", id="briefing-heading")
        with VerticalScroll(id="briefing-page"):
            yield Markdown("", id="briefing-text")
        yield Static("Learning shared: briefings and seminars delivered", id="briefing-shared-title")
        yield RowTable(id="briefing-shared", cursor_type="row", zebra_stripes=True)  # j/k/g/G as every list
        yield Static("", id="briefing-shared-empty")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("Date", "How", "Agencies reached", "People", "Note"):
            table.add_column(label, key=label)
        self.refresh_data()
        self.query_one("#briefing-page").focus()

    def refresh_data(self) -> None:
        from storage.briefing import briefing_page

        if not self.query("#briefing-text"):
            return  # the app is closing while the screen mounts
        c = ctx(self.app)
        ws = c.ws
        who = ws.user.describe() if ws.user else ws.login
        self.query_one(IdentityBar).show(ws.partnership().name, who)
        audit = ws.get("audits", self.audit_ref)
        if audit is None:
            self.query_one("#briefing-heading", Static).update(Text(f"There is no audit {self.audit_ref}."))
            return
        saved = ws.get("briefings", self.audit_ref) is not None
        state = "the lead's words" if saved else "pre-filled from the findings: e to edit"
        self.query_one("#briefing-heading", Static).update(
            Text(f"7-minute briefing · {audit.ref} · {state}"))
        page = briefing_page(ws, self.audit_ref, c.today())
        # The page as practitioners read it: maca's Markdown, every person's word escaped in it.
        self.markdown = page.markdown
        self.query_one("#briefing-text", Markdown).update(page.markdown)
        table = self.query_one(DataTable)
        table.clear()
        deliveries = ws.disseminations(self.audit_ref)
        for d in deliveries:
            table.add_row(Text(format_uk(d.held_on)), Text(d.kind.label), Text(", ".join(d.agencies)),
                          Text(str(d.reached) if d.reached else "—"), Text(plain(d.note)), key=d.id)
        table.display = bool(deliveries)
        empty = self.query_one("#briefing-shared-empty", Static)
        empty.display = not deliveries
        empty.update(Text("None recorded yet. Press a when a briefing or seminar has been delivered."))

    def on_workspace_changed(self, _: WorkspaceChanged) -> None:
        self.refresh_data()

    def action_back(self) -> None:
        self.app.pop_screen()

    # ------------------------------------------------------------------ editing

    def _allowed(self, act: Act) -> bool:
        return allowed(self, act, audit=self.audit_ref, key=self.audit_ref)

    @work(exclusive=True)
    async def action_edit(self) -> None:
        from storage.briefing import briefing_texts, save_briefing

        if not self._allowed(Act.WRITE_REPORT):
            return
        ws = ctx(self.app).ws
        now = briefing_texts(ws, self.audit_ref)
        fields = [FormField(key, f"{n}. {title}", "textarea", now.get(key, ""), max_length=MAX_SECTION,
                            hint="A line starting with - is a bullet." if n == 1 else "")
                  for n, (key, title) in enumerate(HEADINGS, start=1)]
        values = await self.app.push_screen_wait(FormScreen(f"7-minute briefing of {self.audit_ref}", fields))
        if values is None:
            return
        before = ws.get("briefings", self.audit_ref)
        try:
            save_briefing(ws, self.audit_ref, {k: v or "" for k, v in values.items()})
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        from screens.identifiers import warn_identifiers

        tell(self, f"Saved the {self.audit_ref} briefing.")
        warn_identifiers(self, before, ws.get("briefings", self.audit_ref))
        self.refresh_data()

    @work(exclusive=True)
    async def action_add_delivery(self) -> None:
        from audit.briefing import MAX_NOTE, Delivery, Dissemination
        from storage.briefing import add_dissemination

        if not self._allowed(Act.RECORD_LEARNING):
            return
        c = ctx(self.app)
        audit = c.ws.audit(self.audit_ref)
        codes = audit.agencies or c.ws.partnership().agency_codes()
        values = await self.app.push_screen_wait(FormScreen("Learning shared: a delivery", [
            FormField("kind", "How", "select", Delivery.BRIEFING.value, [(k.label, k.value) for k in Delivery],
                      required=True),
            FormField("held_on", "Delivered on", "date", c.today(), required=True),
            FormField("agencies", "Agencies reached", "multi", [],
                      [(f"{code}: {c.ws.partnership().agency_name(code)}", code) for code in codes], required=True),
            FormField("reached", "Practitioners reached (if known)", "int", 0),
            FormField("note", "Note", value="", max_length=MAX_NOTE,
                      hint="For example: the safeguarding leads' forum, or how an agency used the briefing."),
        ]))
        if values is None:
            return
        try:
            saved = add_dissemination(c.ws, Dissemination(
                audit=self.audit_ref, id="", kind=Delivery(values["kind"]), held_on=values["held_on"],
                agencies=list(values["agencies"] or []), reached=int(values.get("reached") or 0),
                note=values.get("note") or ""))
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        tell(self, f"Recorded the {saved.kind.label} delivered on {format_uk(saved.held_on)}.")
        self.refresh_data()

    @work(exclusive=True)
    async def action_delete_delivery(self) -> None:
        from screens.dialogs.confirm import ConfirmScreen
        from storage.briefing import delete_dissemination

        table = self.query_one(DataTable)
        if not table.row_count:
            tell(self, "No delivery is recorded yet.")
            return
        if not self._allowed(Act.RECORD_LEARNING):
            return
        ws = ctx(self.app).ws
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        found = ws.get("disseminations", f"{self.audit_ref}/{key.value}")
        if found is None:
            return
        if not await self.app.push_screen_wait(ConfirmScreen(
                f"Delete the record of the {found.kind.label} on {format_uk(found.held_on)}?", "delete")):
            return
        try:
            delete_dissemination(ws, found)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        tell(self, "Deleted.")
        self.refresh_data()

    # ------------------------------------------------------------------ export

    @work(exclusive=True)
    async def action_export(self) -> None:
        from screens.dialogs.confirm import ConfirmScreen
        from screens.report.leaks import LeakScreen
        from screens.report.section import with_format_suffix
        from storage.briefing import default_briefing_path, export_briefing
        from storage.export import IdentifierLeak

        c = ctx(self.app)
        ws, ref, today = c.ws, self.audit_ref, c.today()
        if not self._allowed(Act.EXPORT_REPORT):
            return
        if c.served is not None:  # no server path: the briefing comes down the SSH channel
            from screens.dialogs.ssh_command import SshCommandScreen

            self.app.push_screen(SshCommandScreen(
                f"Export the {ref} briefing",
                "Run one of these on your own computer: the briefing is checked for identifiers, journaled, "
                "and saved in the file named after >.",
                [(label, c.served.fetch(["export", ref, "--format", fmt],
                                        default_briefing_path(ws, ref, ext, today).name))
                 for label, fmt, ext in (("Markdown", "briefing", "md"), ("HTML page", "briefing-html", "html"))]))
            return
        here = Path.cwd()
        values = await self.app.push_screen_wait(FormScreen(f"Export the {ref} briefing", [
            FormField("path", "File", value=str(here / default_briefing_path(ws, ref, "md", today).name),
                      required=True, max_length=4096,
                      hint=f"A name without a folder is saved in the current folder, {here}."),
            FormField("format", "Format", "select", "md",
                      [("Markdown (.md)", "md"), ("HTML page (.html), for a browser or to print", "html")],
                      required=True),
        ], save_label="Export"))
        if values is None:
            return
        fmt = values["format"]
        path = Path(values["path"]).expanduser()
        path = with_format_suffix(path if path.is_absolute() else here / path, fmt)
        if path.is_file() and not await self.app.push_screen_wait(
                ConfirmScreen(f"{path} already exists. Replace it with the briefing?", "replace")):
            return
        try:
            result = export_briefing(ws, ref, path, fmt, today)
        except IdentifierLeak as exc:
            await self.app.push_screen_wait(LeakScreen("Not exported: identifiers found", str(exc), ref, exc.leaks))
            return
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        tell(self, f"Exported the {ref} briefing to {result.path} ({result.size:,} bytes, {fmt}).")


def open_briefing(app: Any, ref: str) -> None:
    app.push_screen(BriefingScreen(ref))
