"""Immediate safeguarding concerns reaching the leads and the agency holding the case
(DESIGN §2 step 4 and "concerns").

The moment a co-ordinator saves a concern, every lead session, and every session of a
co-ordinator of the agency holding the case, notices the file change within a second
(the app's poll) and :func:`check_concerns` puts this alert in front of whatever they
are doing.  Dismissing it is "not now": the identity bar keeps counting.  The holding
agency records its action (`r`); a lead names the holding agency when maca could not
tell (`h`) and closes the concern with the action taken (`a`), all journaled.  The
co-ordinator who raised a concern is told where it stands when they come back
(:func:`tell_raiser`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from audit import concerns as flow
from audit.access import Act, decide
from audit.dates import format_uk
from audit.partnership import Role
from audit.returns import Return
from screens.access import allowed
from screens.dialogs.base import Dialog
from screens.context import WorkspaceChanged, ctx
from screens.dialogs.form import FormField, FormScreen
from screens.dialogs.too_small import TooSmallScreen
from screens.saving import commit, tell
from screens.widgets.footer import Footer
from screens.widgets.lists import PickList
from storage import concerns as referral
from storage import returns as ops
from storage.errors import NotFound, WorkspaceError

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
    text.append(f"  → {flow.status_line(concern)}\n", style="bold")
    if concern.agency_action:
        text.append(f"  {concern.holder}'s action: ", style="italic")
        text.append(" ".join(concern.agency_action.split()) + "\n")
    return text


def for_agency(app: App) -> list[str]:
    """The agencies whose concerns this session must act on ([] for anyone but co-ordinators)."""
    user = ctx(app).ws.user
    return list(user.agencies) if user is not None and user.role is Role.COORDINATOR else []


def concerns_to_show(app: App) -> list[Return]:
    """For a lead every open concern; for a co-ordinator those waiting for their agency."""
    ws = ctx(app).ws
    if is_lead(app):
        return ops.open_concerns(ws)
    agencies = for_agency(app)
    return referral.waiting_for(ws, agencies) if agencies else []


def tell_raiser(app: App) -> None:
    """On coming back: where each concern this login raised stands (open ones, and those
    closed in the last fortnight)."""
    c = ctx(app)
    try:
        mine = referral.raised_by(c.ws, c.ws.login)
    except WorkspaceError:
        return
    for ret in mine:
        closed = ret.concern.acknowledged_at
        if closed is not None and (c.today() - closed.date()).days > 14:
            continue
        app.notify(f"Your safeguarding concern on {ret.audit} case {ret.case_ref} ({ret.agency}): "
                   f"{flow.status_line(ret.concern)}.", markup=False, timeout=12)


def check_concerns(app: App) -> None:
    """Put the alert in front when a concern this session must see has not been shown yet."""
    if not is_lead(app) and not for_agency(app):
        return
    try:
        concerns = concerns_to_show(app)
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


class ConcernAlertScreen(Dialog[None]):
    CSS_PATH = "returns.tcss"
    BINDINGS = [
        Binding("a", "acknowledge", "Close", id="concerns.acknowledge"),
        Binding("h", "refer", "Holding agency", id="concerns.refer"),
        Binding("r", "record", "Record our action", id="concerns.record"),
        Binding("escape", "close", "Not now", id="concerns.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.concerns: list[Return] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="concern-title", classes="dialog-title")
            yield PickList(id="concern-list")
            yield Static(id="concern-keys", classes="dialog-keys")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Each person sees the keys of their part: leads close and name the agency, the
        # holding agency's co-ordinators record its action.
        if action in ("acknowledge", "refer"):
            return is_lead(self.app)
        if action == "record":
            return not is_lead(self.app)
        return True

    def on_mount(self) -> None:
        keys = ("a closes the highlighted concern with the action taken · h names the agency holding the case"
                if is_lead(self.app) else "r records the action your agency took on the highlighted concern")
        self.query_one("#concern-keys", Static).update(
            Text(f"{keys}   ·   esc not now (it stays counted at the top until done)"))
        self.refresh_list()
        self.query_one(OptionList).focus()

    def refresh_list(self) -> None:
        try:
            self.concerns = concerns_to_show(self.app)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        if not self.concerns:
            if self.app.screen is self:  # not from under a form the lead has open
                self.dismiss(None)
            return
        count = len(self.concerns)
        plural = "concern" if count == 1 else "concerns"
        title = (f"⚠ {count} immediate safeguarding {plural} open: the agency holding the case must act now."
                 if is_lead(self.app) else
                 f"⚠ {count} immediate safeguarding {plural} for your agency, which holds the case: act now "
                 "and record what you did.")
        self.query_one("#concern-title", Static).update(Text(title))
        options = self.query_one(OptionList)
        keep = options.highlighted or 0
        options.clear_options()
        options.add_options([Option(concern_text(self.app, r), id=r.key) for r in self.concerns])
        options.highlighted = min(keep, count - 1)

    def on_workspace_changed(self, _: WorkspaceChanged) -> None:
        if self.query("#concern-list"):  # not while being composed or taken down
            self.refresh_list()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_acknowledge()

    def highlighted(self) -> Return | None:
        index = self.query_one(OptionList).highlighted
        if index is None or index >= len(self.concerns):
            return None
        return self.concerns[index]

    @work(exclusive=True, group="concern-ack")
    async def action_acknowledge(self) -> None:
        chosen = self.highlighted()
        if chosen is None:
            return
        ws = ctx(self.app).ws
        if not allowed(self, Act.ACKNOWLEDGE_CONCERN, audit=chosen.audit, key=chosen.key):
            return
        concern = chosen.concern
        hint = "E.g. referred to the agency holding the case; strategy discussion arranged."
        value = ""
        if concern.agency_action:
            hint = f"{concern.holder} recorded: {' '.join(concern.agency_action.split())[:300]}"
            value = f"{concern.holder}'s action seen and checked."
        values = await self.app.push_screen_wait(FormScreen(
            f"Close the concern: case {chosen.case_ref}, {chosen.agency}",
            [FormField("action", "Action taken", "textarea", value, required=True, hint=hint)]))
        if values is None:
            return
        await self.apply(chosen, lambda r: ops.acknowledge_concern(ws, r, values["action"]),
                         f"Closed: case {chosen.case_ref}, {chosen.agency}.")

    @work(exclusive=True, group="concern-ack")
    async def action_refer(self) -> None:
        chosen = self.highlighted()
        if chosen is None:
            return
        ws = ctx(self.app).ws
        if not allowed(self, Act.ACKNOWLEDGE_CONCERN, audit=chosen.audit, key=chosen.key):
            return
        if chosen.concern.agency_action_at is not None:
            tell(self, f"{chosen.concern.holder} has already recorded its action on this concern.", error=True)
            return
        agencies = ws.partnership().agencies
        values = await self.app.push_screen_wait(FormScreen(
            f"The agency holding case {chosen.case_ref}", [
                FormField("holder", "Agency holding the case", "select", chosen.concern.holder or agencies[0].code,
                          [(f"{a.code}  {a.name}", a.code) for a in agencies], required=True,
                          hint="Its co-ordinators see the concern at once and record what their agency did.")]))
        if values is None:
            return
        await self.apply(chosen, lambda r: referral.refer_concern(ws, r, values["holder"]),
                         f"Referred the concern on case {chosen.case_ref} to {values['holder']}.")

    @work(exclusive=True, group="concern-ack")
    async def action_record(self) -> None:
        chosen = self.highlighted()
        if chosen is None:
            return
        ws = ctx(self.app).ws
        if not allowed(self, Act.ACT_ON_CONCERN, agency=chosen.concern.holder or None, audit=chosen.audit,
                       key=chosen.key):
            return
        values = await self.app.push_screen_wait(FormScreen(
            f"Your agency's action: case {chosen.case_ref} (raised by {chosen.agency})",
            [FormField("action", "What your agency did", "textarea", required=True,
                       hint="E.g. visited today and saw the baby; strategy discussion held with police.")]))
        if values is None:
            return
        await self.apply(chosen, lambda r: referral.record_agency_action(ws, r, values["action"]),
                         f"Recorded your agency's action on case {chosen.case_ref}; a lead closes it.")

    async def apply(self, chosen: Return, op: Callable[[Return], Return], done: str) -> None:
        """Run ``op`` on the latest stored return, off the event loop (`commit`: a conflict
        shows both versions; a refusal, or a transition another lead made first, is told).
        The list redraws from the commit's WorkspaceChanged."""
        ws = ctx(self.app).ws

        def save() -> Return:
            ws.refresh()
            current = ws.get_return(chosen.audit, chosen.case_ref, chosen.agency)
            if current is None:
                raise NotFound("That return is no longer in the workspace.")
            return op(current)

        await commit(self, save, done=done)
