"""Immediate safeguarding concerns reaching the leads (DESIGN §2 step 4).

The moment a co-ordinator saves a concern, every lead session notices the file change
within a second (the app's poll) and :func:`check_concerns` puts this alert in front of
whatever the lead is doing.  Dismissing it is "not now": the identity bar keeps counting
open concerns until a lead acknowledges each one with the action taken (journaled).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from audit.access import Act, decide
from audit.dates import format_uk
from audit.returns import Return, TransitionError
from screens.context import WorkspaceChanged, ctx
from screens.dialogs.conflict import ConflictScreen
from screens.dialogs.form import FormField, FormScreen
from screens.dialogs.too_small import TooSmallScreen
from screens.saving import tell
from screens.widgets.footer import Footer
from storage import returns as ops
from storage.errors import ConflictError, WorkspaceError

if TYPE_CHECKING:
    from textual.app import App

SHOWN_ATTRIBUTE = "maca_concerns_shown"  # on the app: concerns already put in front of this session


def concern_key(ret: Return) -> str:
    """One raised concern (a later concern on the same return is a new one)."""
    raised = ret.concern.raised_at.isoformat() if ret.concern.raised_at else ""
    return f"{ret.key}@{raised}"


def is_lead(app: App) -> bool:
    ws = ctx(app).ws
    return bool(decide(ws.user, Act.ACKNOWLEDGE_CONCERN))


def concern_text(app: App, ret: Return) -> Text:
    partnership = ctx(app).ws.partnership()
    concern = ret.concern
    text = Text()
    text.append(f"⚠ {ret.audit} · case {ret.case_ref} · {partnership.agency_label(ret.agency)}\n",
                style="bold")
    when = f"{format_uk(concern.raised_at.date())} {concern.raised_at:%H:%M}" if concern.raised_at else "?"
    text.append(f"  raised by {concern.raised_by or '?'} on {when}\n", style="italic")
    for line in concern.details.splitlines() or [""]:
        text.append("  " + line + "\n")
    return text


def broadcast(app: App) -> None:
    """Have every open screen show the latest state (identity bars count open concerns)."""
    for screen in app.screen_stack:
        screen.post_message(WorkspaceChanged())


def check_concerns(app: App) -> None:
    """For a lead: put the alert in front when a concern has not been shown in this session."""
    if not is_lead(app):
        return
    try:
        concerns = ops.open_concerns(ctx(app).ws)
    except WorkspaceError:
        return  # the poll reports unreadable files itself
    shown: set[str] = getattr(app, SHOWN_ATTRIBUTE, None) or set()
    setattr(app, SHOWN_ATTRIBUTE, shown)
    new = {concern_key(r) for r in concerns} - shown
    if not new:
        return
    if any(isinstance(screen, ConcernAlertScreen) for screen in app.screen_stack):
        shown |= new  # the open alert refreshes itself on the workspace change
        return
    if isinstance(app.screen, TooSmallScreen):
        return  # shown at the next change, once the terminal is big enough again
    shown |= new
    app.push_screen(ConcernAlertScreen())


class ConcernAlertScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    ConcernAlertScreen { align: center middle; }
    ConcernAlertScreen > Vertical {
        width: 100; max-width: 98%; height: auto; max-height: 90%;
        border: thick $error; background: $surface; padding: 0 1;
    }
    ConcernAlertScreen #concern-title { text-style: bold; color: $error; margin-bottom: 1; }
    ConcernAlertScreen OptionList { height: auto; max-height: 26; }
    ConcernAlertScreen #concern-keys { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("a", "acknowledge", "Acknowledge", id="concerns.acknowledge"),
        Binding("escape", "dismiss(None)", "Not now", id="concerns.close"),
        Binding("j", "cursor(1)", "Down", show=False, id="move.down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="move.up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.concerns: list[Return] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="concern-title")
            yield OptionList(id="concern-list")
            yield Static(Text("a acknowledge the highlighted concern with the action taken   ·   esc not now "
                              "(it stays counted at the top until acknowledged)"), id="concern-keys")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_list()
        self.query_one(OptionList).focus()

    def refresh_list(self) -> None:
        try:
            self.concerns = ops.open_concerns(ctx(self.app).ws)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        if not self.concerns:
            if self.app.screen is self:  # not from under a form the lead has open
                self.dismiss(None)
            return
        count = len(self.concerns)
        plural = "concern" if count == 1 else "concerns"
        self.query_one("#concern-title", Static).update(
            Text(f"⚠ {count} immediate safeguarding {plural} open: the agency holding the case must act now."))
        options = self.query_one(OptionList)
        keep = options.highlighted or 0
        options.clear_options()
        options.add_options([Option(concern_text(self.app, r), id=r.key) for r in self.concerns])
        options.highlighted = min(keep, count - 1)

    def on_workspace_changed(self, _: WorkspaceChanged) -> None:
        if self.query("#concern-list"):  # not while being composed or taken down
            self.refresh_list()

    def action_cursor(self, step: int) -> None:
        options = self.query_one(OptionList)
        options.action_cursor_down() if step > 0 else options.action_cursor_up()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_acknowledge()

    @work(exclusive=True, group="concern-ack")
    async def action_acknowledge(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is None or index >= len(self.concerns):
            return
        ws = ctx(self.app).ws
        chosen = self.concerns[index]
        try:
            ws.require(Act.ACKNOWLEDGE_CONCERN, audit=chosen.audit, key=chosen.key)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        values = await self.app.push_screen_wait(FormScreen(
            f"Acknowledge the concern: case {chosen.case_ref}, {chosen.agency}",
            [FormField("action", "Action taken", "textarea", required=True,
                       hint="E.g. referred to the agency holding the case; strategy discussion arranged.")]))
        if values is None:
            return
        while True:
            ws.refresh()
            current = ws.get_return(chosen.audit, chosen.case_ref, chosen.agency)
            if current is None:
                tell(self, "That return is no longer in the workspace.", error=True)
                break
            try:
                ops.acknowledge_concern(ws, current, values["action"])
            except TransitionError as exc:  # e.g. another lead acknowledged it a moment ago
                tell(self, str(exc), error=True)
            except ConflictError as exc:
                choice = await self.app.push_screen_wait(ConflictScreen(str(exc), exc.mine, exc.theirs))
                if choice == "mine":
                    continue
            except WorkspaceError as exc:
                tell(self, str(exc), error=True)
            else:
                tell(self, f"Acknowledged: case {chosen.case_ref}, {chosen.agency}.")
            break
        broadcast(self.app)
        self.refresh_list()
