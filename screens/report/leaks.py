"""The identifier guard's findings and a lead's review of them (issue 16 items 1 and 3).

Each finding names the field in the user's terms, shows the words around it with every
identifier masked, and says where it is edited; `enter` goes there.  A *possible* match
(a family name that is also an ordinary word, written where it may be either) can be
marked "not an identifier here" by a lead with `m`, giving a reason that is journaled;
the mark holds until that text changes, and the export then goes ahead.  Certain
matches cannot be marked: they must be taken out of the text.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from audit.access import Act
from audit.guard import Leak, Place
from audit.guard_marks import MAX_REASON
from screens.dialogs.base import Dialog
from screens.context import ctx
from screens.dialogs.form import FormField, FormScreen
from screens.saving import tell
from screens.widgets.footer import Footer
from screens.widgets.lists import PickList
from storage.errors import WorkspaceError
from storage.guard import mark_not_identifier

# Where each kind of place is edited, by the section that holds it.
_FIX = {
    "scope": "edit it in Scope (1)",
    "cohort": "a case reference holds it: references come from the imported cases (Cohort, 2)",
    "returns": "have the agency change its audit tool (Returns, 3); a lead can return it for clarification",
    "discussion": "edit the discussion record (Discussion, 4)",
    "board": "edit it on the Findings board (5)",
    "partnership": "edit the partnership's agencies (the partnership file, re-imported by a lead)",
    "report": "edit the report's own words (w in the Report section)",
    "briefing": "edit the 7-minute briefing (B in the Report section, then e)",
    "evidence": "edit the activity or theme in Evidence (v in Discussion, 4)",
}


def fix_hint(place: Place) -> str:
    """One sentence on where to edit the text at ``place``."""
    return f"Fix: {_FIX.get(place.section, 'edit it where it was typed')}, then press r to check again."


def summary(leaks: list[Leak]) -> str:
    """What the list holds, in a sentence or two: certain ones refuse, possible ones wait."""
    certain = sum(1 for leak in leaks if leak.certain)
    possible = len(leaks) - certain
    parts = []
    if certain:
        parts.append(f"The report holds identifiers of cases at {_places(certain)} (✗): it cannot be exported "
                     "until they are taken out of the audit's text.")
    if possible:
        parts.append(f"{_places(possible)} may hold a family name (?): a lead reviews "
                     f"{'it' if possible == 1 else 'them'} before the export.")
    return " ".join(parts) or "Nothing stops the export now."


def _places(n: int) -> str:
    return "1 place" if n == 1 else f"{n} places"


def leak_prompt(leak: Leak, may_mark: bool) -> Text:
    """A finding as listed: ✗ certain or ? possible, the place, the masked words, the fix."""
    prompt = Text("✗ " if leak.certain else "? ", style="bold")
    prompt.append(leak.describe(), style="bold")
    if leak.context:
        prompt.append(f"\n  “{leak.context}”", style="italic")
    prompt.append("\n  " + fix_hint(leak.place))
    if not leak.certain:
        prompt.append("\n  " + ("m marks it “not an identifier here”, with a reason." if may_mark
                                else "A lead reviews it: it may be an ordinary word here."), style="dim")
    return prompt


class LeakScreen(Dialog[Leak | None]):
    """The guard's findings: where each identifier is, how to take it out, and (for a
    lead) the review of possible ones."""

    CSS_PATH = "report.tcss"

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="leaks.close"),
        Binding("enter", "go", "Go to the field", show=True, id="leaks.go"),
        Binding("m", "mark", "Not an identifier here", id="leaks.mark"),
    ]

    def __init__(self, title: str, message: str, audit_ref: str, leaks: list[Leak]) -> None:
        super().__init__()
        self.leak_title = title
        self.message = message
        self.audit_ref = audit_ref
        self.leaks = leaks

    @property
    def may_mark(self) -> bool:
        return ctx(self.app).ws.can(Act.REVIEW_IDENTIFIERS)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.leak_title), id="leak-title", classes="dialog-title")
            yield Static(Text(self.message), id="leak-message")
            yield PickList(*self._options(), id="leak-list")
            yield Static(self._keys(), id="leak-keys", classes="dialog-keys")
        yield Footer()

    def _options(self) -> list[Option]:
        may_mark = self.may_mark
        return [Option(leak_prompt(leak, may_mark), id=f"leak-{n}") for n, leak in enumerate(self.leaks)]

    def _keys(self) -> str:
        mark = " · m not an identifier here" if self.may_mark and any(not x.certain for x in self.leaks) else ""
        return f"enter goes to the field to fix{mark} · esc closes"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "mark":
            leak = self.highlighted
            return self.may_mark and leak is not None and not leak.certain
        return True

    @property
    def highlighted(self) -> Leak | None:
        index = self.query_one(OptionList).highlighted
        return self.leaks[index] if index is not None and 0 <= index < len(self.leaks) else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.leaks[event.option_index])

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.refresh_bindings()

    def action_go(self) -> None:
        leak = self.highlighted
        if leak is not None:
            self.dismiss(leak)

    @work(exclusive=True, group="leak-mark")
    async def action_mark(self) -> None:
        leak = self.highlighted
        if leak is None or leak.certain:
            return
        values = await self.app.push_screen_wait(FormScreen("Not an identifier here", [
            FormField("reason", "Why is it not the family name here?", required=True, max_length=MAX_REASON,
                      hint=f"{leak.place.label}: “{leak.context}”. The reason is journaled; the mark holds "
                           "until this text changes."),
        ]))
        if values is None:
            return
        try:
            mark_not_identifier(ctx(self.app).ws, self.audit_ref, leak, values["reason"])
        except (WorkspaceError, ValueError) as exc:
            tell(self, str(exc), error=True)
            return
        # One mark covers the spot for every case of that name.
        self.leaks = [x for x in self.leaks if x.mark_id != leak.mark_id or x.certain]
        options = self.query_one(OptionList)
        at = options.highlighted or 0
        options.clear_options()
        options.add_options(self._options())
        if self.leaks:
            options.highlighted = min(at, len(self.leaks) - 1)
        self.query_one("#leak-keys", Static).update(self._keys())
        self.query_one("#leak-message", Static).update(Text(summary(self.leaks)))
        left = ("Nothing stops the export now: press e to export." if not self.leaks
                else f"{len(self.leaks)} left to fix or review.")
        tell(self, f"Marked {leak.place.label} as not an identifier (journaled). {left}")
        self.refresh_bindings()
