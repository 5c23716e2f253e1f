"""The journal viewer (leads only): every change and refusal, filtered, with before and after."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Static

from audit.access import Act, decide
from audit.journal import JournalEntry
from audit.text import plain
from screens.access import allowed
from screens.context import WorkspaceChanged, ctx
from screens.dialogs.form import FormField, FormScreen
from screens.saving import tell
from screens.widgets.identity import IdentityBar
from screens.widgets.virtual_table import Column, VirtualTable
from screens.widgets.footer import Footer
from storage.errors import WorkspaceError

KEY_WIDTH = 18
COLUMNS = [
    Column("at", "When", width=16),
    Column("who", "Who", width=10),
    Column("action", "Action", width=8),
    Column("entity", "What", width=11),
    Column("key", "Key", width=KEY_WIDTH),
    # The summary narrows to the room left (cut with "…"), so it is never scrolled away.
    Column("summary", "Summary", shrink=True),
]


@dataclass
class JournalFilter:
    who: str | None = None
    entity: str | None = None
    action: str | None = None
    audit: str | None = None
    since: date | None = None
    until: date | None = None
    text: str = ""

    def matches(self, entry: JournalEntry) -> bool:
        day = entry.at.date()
        return (
            (self.who is None or entry.who == self.who)
            and (self.entity is None or entry.entity == self.entity)
            and (self.action is None or entry.action == self.action)
            and (self.audit is None or entry.audit == self.audit)
            and (self.since is None or day >= self.since)
            and (self.until is None or day <= self.until)
            and (not self.text or self.text.casefold() in f"{entry.key} {entry.summary}".casefold())
        )

    def describe(self) -> str:
        parts = [f"{name} {value}" for name, value in (
            ("by", self.who), ("about", self.entity), ("action", self.action), ("in audit", self.audit),
            ("from", self.since.strftime("%d/%m/%Y") if self.since else None),
            ("to", self.until.strftime("%d/%m/%Y") if self.until else None),
            ("matching", repr(self.text) if self.text else None),
        ) if value]
        return "Showing " + ("entries " + ", ".join(parts) if parts else "every entry")


def _cell(entry: JournalEntry, key: str) -> str | Text:
    if key == "at":
        return entry.at.strftime("%d/%m/%Y %H:%M")
    if key == "action":
        return Text(entry.action, style="bold red") if entry.action == "refused" else entry.action
    if key == "key":
        return key_cell(entry.key)
    return plain(str(getattr(entry, key)))


def key_cell(key: str) -> str:
    """A long key keeps its end, where keys differ ("…/RB-2020-001/HV"), not its start
    (every key of an audit begins with the same "MACA-C86/RB-20")."""
    key = plain(key)
    return key if len(key) <= KEY_WIDTH else "…" + key[-(KEY_WIDTH - 1):]


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=1)


def entry_text(entry: JournalEntry) -> Text:
    text = Text()
    text.append(f"{entry.at.strftime('%d/%m/%Y %H:%M:%S')} · {entry.who} · {entry.action}\n", style="bold")
    text.append(f"{entry.entity or 'workspace'} {entry.key}".strip() + "\n")
    if entry.summary:
        text.append(entry.summary + "\n")
    fields = sorted(set(entry.before or {}) | set(entry.after or {}))
    for name in fields:
        if name == "rev":
            continue
        text.append(f"\n{name.replace('_', ' ')}\n", style="underline")
        if entry.before is not None:
            text.append("before: ", style="bold")
            text.append(_value(entry.before.get(name))[:4000] + "\n")
        if entry.after is not None:
            text.append("after:  ", style="bold")
            text.append(_value(entry.after.get(name))[:4000] + "\n")
    return text


class JournalScreen(Screen[None]):
    """Read-only by nature: the journal is never edited, only read and filtered."""

    CSS_PATH = "journal.tcss"
    NARROW = 100  # below this many columns the entry goes under the list, not beside it
    BINDINGS = [
        Binding("slash", "search", "Search", key_display="/", id="journal.search"),
        Binding("u", "pick('who')", "By user", id="journal.by-user"),
        Binding("t", "pick('entity')", "By kind", id="journal.by-kind"),
        Binding("a", "pick('action')", "By action", id="journal.by-action"),
        Binding("d", "dates", "Dates", id="journal.dates"),
        Binding("c", "clear", "Clear filters", id="journal.clear-filters"),
        Binding("escape", "back", "Back", id="journal.back"),
    ]

    def __init__(self, audit: str | None = None) -> None:
        super().__init__()
        self.flt = JournalFilter(audit=audit)
        self.entries: list[JournalEntry] = []

    def help_title(self) -> str:
        return "Keys in the journal: every change, who and when"

    def compose(self) -> ComposeResult:
        yield IdentityBar()
        yield Static(id="journal-filter-line")
        yield Input(placeholder="Search keys and summaries; enter keeps it, esc clears", id="journal-search")
        with Horizontal():
            yield VirtualTable(COLUMNS, cell=_cell, sort_key=_sort_key, empty_text="No journal entry matches.")
            with VerticalScroll(id="journal-detail"):
                yield Static(id="journal-detail-text")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Journal"
        ws = ctx(self.app).ws
        who = ws.user.describe() if ws.user else ws.login
        self.query_one(IdentityBar).show(f"{ws.partnership().name} · journal", who)
        self.reload()
        self.query_one(VirtualTable).focus()

    def reload(self) -> None:
        try:
            self.entries = ctx(self.app).ws.journal()
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        # Newest first; entries made in the same second keep the order they were written in.
        self.query_one(VirtualTable).set_rows(self.entries[::-1])
        self.apply_filter()

    def apply_filter(self) -> None:
        table = self.query_one(VirtualTable)
        table.filter(self.flt.matches)
        shown = len(table.visible_rows)
        self.query_one("#journal-filter-line", Static).update(
            Text(f"{self.flt.describe()} · {shown} of {len(self.entries)} entries")
        )
        self.show_detail()

    def show_detail(self) -> None:
        row = self.query_one(VirtualTable).cursor_row
        self.query_one("#journal-detail-text", Static).update(entry_text(row) if row else Text(""))

    def on_resize(self) -> None:
        # Beside the list at 80 columns the entry left the list 57 columns: the key
        # column showed one character ("M" for every entry of the audit), the summary none.
        self.query_one(Horizontal).set_class(self.size.width < self.NARROW, "narrow")

    def on_virtual_table_cursor_moved(self, _: VirtualTable.CursorMoved) -> None:
        self.show_detail()

    def on_virtual_table_row_selected(self, event: VirtualTable.RowSelected) -> None:
        """enter ("Open" in the footer, which did nothing): the entry in full, on the whole
        screen rather than the narrow pane beside the list."""
        if isinstance(event.row, JournalEntry):
            from screens.dialogs.details import InfoScreen

            self.app.push_screen(InfoScreen(f"Journal entry, {event.row.at:%d/%m/%Y %H:%M:%S}", entry_text(event.row)))

    def on_workspace_changed(self, _: WorkspaceChanged) -> None:
        self.reload()

    def action_search(self) -> None:
        search = self.query_one("#journal-search", Input)
        search.add_class("shown")
        search.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.flt.text = event.value.strip()
        self.apply_filter()

    def on_input_submitted(self, _: Input.Submitted) -> None:
        self.query_one(VirtualTable).focus()

    def on_key(self, event: Any) -> None:
        search = self.query_one("#journal-search", Input)
        if event.key == "escape" and search.has_focus:
            event.stop()
            search.value = ""
            search.remove_class("shown")
            self.query_one(VirtualTable).focus()

    @work(exclusive=True)
    async def action_pick(self, field: str) -> None:
        values = sorted({getattr(e, field) for e in self.entries if getattr(e, field)})
        label = {"who": "User", "entity": "Kind of record", "action": "Action"}[field]
        options = [("(any)", "")] + [(v, v) for v in values]
        result = await self.app.push_screen_wait(FormScreen(f"Journal: filter by {label.lower()}", [
            FormField("value", label, "select", getattr(self.flt, field) or "", options, required=True)],
            save_label="Filter"))
        if result is not None:
            setattr(self.flt, field, result["value"] or None)
            self.apply_filter()

    @work(exclusive=True)
    async def action_dates(self) -> None:
        result = await self.app.push_screen_wait(FormScreen("Journal: filter by date", [
            FormField("since", "From (inclusive)", "date", self.flt.since),
            FormField("until", "To (inclusive)", "date", self.flt.until),
        ], lambda v: ["The start date is after the end date."]
            if v["since"] and v["until"] and v["since"] > v["until"] else [], save_label="Filter"))
        if result is not None:
            self.flt.since, self.flt.until = result["since"], result["until"]
            self.apply_filter()

    def action_clear(self) -> None:
        self.flt = JournalFilter()
        self.query_one("#journal-search", Input).value = ""
        self.apply_filter()

    def action_back(self) -> None:
        self.app.pop_screen()


def _sort_key(entry: JournalEntry, key: str) -> Any:
    if key == "at":
        return entry.at
    return str(getattr(entry, key)).casefold()


def open_journal(app: Any, audit: str | None = None) -> None:
    """Open the journal for a lead; anyone else is told why not (and the refusal journaled)."""
    ws = ctx(app).ws
    if not decide(ws.user, Act.READ_JOURNAL):
        allowed(app, Act.READ_JOURNAL)  # says why, and journals the refusal
        return
    app.push_screen(JournalScreen(audit))
