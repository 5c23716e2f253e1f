"""Autosave for the audit tool: unsaved changes as functions, saved within half a second.

Every change is a function from a return to the edited return (the transitions of
:mod:`audit.return_transitions`).  Changes not yet saved are kept as a list of such
functions on top of ``base``, the version last read or saved, and autosaved half a
second after the first of them.  Each save runs off the event loop (`screens.saving`'s
`off_loop`), one at a time; what is typed meanwhile waits for the next one.  When someone
else saved the same return in between, the user sees both versions (`ask_conflict`) and
chooses: their changes are re-applied on top of the newer version, or dropped.  Nothing
is overwritten silently; a lost connection loses at most half a second.

Autosaves made while an editor is open are written at once but journaled later, as one
net change (``save_draft(..., settle=False)``, :mod:`storage.drafts`): when the editor
closes, the return is left or the app quits, or after ``IDLE_SECONDS`` without an
autosave.  Any other save journals at once, the typing before it included.

The screen redraws from the commit's message (WorkspaceChanged), not after a save here.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from audit import return_transitions as domain
from audit.returns import Return, TransitionError
from screens.context import ctx
from screens.identifiers import holds_identifiers, warn_identifiers
from screens.saving import ask_conflict, commit, off_loop, tell
from storage import returns as ops
from storage.drafts import IDLE_SECONDS
from storage.errors import ConflictError, WorkspaceError
from screens.tool.rows import HEADER_FIELDS, OVERALL_FIELDS
from storage.workspace import Workspace, now

if TYPE_CHECKING:
    from textual.timer import Timer

    from audit.tools import ToolTemplate
    from screens.tool.screen import ToolScreen

Change = Callable[[Return], Return]
SAVE_DELAY = 0.5  # seconds from the first unsaved change to its autosave
LEAVING_WAIT = 30.0  # seconds the way out waits for a save under way (its lock wait included)
WAITS_FOR_CHOICE = "someone else saved this return too, and it waits for your choice of version"
CONFLICTED = "someone else saved this return meanwhile"


@dataclass
class Flight:
    """One autosave under way in a thread: the first ``sent`` pending changes, as ``target``."""

    sent: int
    target: Return
    settle: bool
    done: threading.Event = field(default_factory=threading.Event)
    outcome: Return | BaseException | None = None  # set by the thread


class Autosave:
    """The return a :class:`~screens.tool.screen.ToolScreen` shows, and its saving.

    ``base`` is the version last read or saved, ``ret`` what the screen shows (``base``
    with the ``pending`` changes on top: every change not yet saved, those of a save
    under way included).  The screen holds one, made when it has read the return.
    """

    def __init__(self, screen: ToolScreen, base: Return) -> None:
        self.screen = screen
        self.base = self.ret = base
        self.pending: list[tuple[str, Change]] = []  # (row id, change) not yet saved
        self.flight: Flight | None = None  # the save under way
        self.save_failure = ""  # why the last save failed: what ctrl+q says, if it comes to that
        self.unsettled = False  # an autosave of this return waits to be journaled (storage.drafts)
        self.resolving = False  # the conflict dialog is open
        self._saving = asyncio.Lock()  # one save at a time, in the order asked
        self._timer: Timer | None = None
        self._idle: Timer | None = None

    @property
    def ws(self) -> Workspace:
        return ctx(self.screen.app).ws

    @property
    def login(self) -> str:
        return self.ws.login

    def record(self, row_id: str, change: Change, *, typing: bool = False) -> bool:
        """Apply a change and schedule its autosave.

        ``typing``: the text is already on screen in the editor, so the form is redrawn
        when the autosave lands, not on every keystroke.
        """
        try:
            new = change(self.ret)
        except TransitionError as exc:
            tell(self.screen, str(exc), error=True)
            return False
        if new == self.ret:
            return True
        self.ret = new
        sent = self.flight.sent if self.flight is not None else 0
        if len(self.pending) > sent and self.pending[-1][0] == row_id:
            self.pending[-1] = (row_id, change)  # typing: the latest text of the field wins
        else:
            self.pending.append((row_id, change))
        self.screen.set_save_state("saving…", "italic")
        if self._timer is None:
            self._timer = self.screen.set_timer(SAVE_DELAY, self.flush)
        if not typing:
            self.screen.refresh_view(identity=False)  # a change of this session's, not saved yet
        return True

    def setter(self, name: str, value: Any) -> Change:
        """A change of one header or overall field."""
        by = self.login
        return lambda ret: domain.edit(ret, by, now(), **{name: value})

    # ------------------------------------------------------------------ saving

    def flush(self) -> None:
        """The autosave timer: save what is unsaved now, in a worker."""
        self._timer = None
        self.screen.run_worker(self.save(), group="tool-save")

    def settle_soon(self) -> None:
        """Save and journal the typing now, in a worker (an editor closed, idle)."""
        self.screen.run_worker(self.settle(), group="tool-save")

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    async def save(self, *, settle: bool | None = None) -> bool:
        """Save the unsaved changes now, off the event loop; True when nothing is left unsaved.

        ``settle``: journal the change now (by default, unless an editor is open: then
        the journal gets the net change of the typing later, see :meth:`settle`)."""
        self._stop_timer()
        async with self._saving:
            return await self._save(settle)

    async def _save(self, settle: bool | None) -> bool:
        if not self.pending:
            return True
        if self.resolving:
            return False
        if settle is None:
            settle = self.screen.editing is None
        flight = self.flight = Flight(len(self.pending), self.ret, settle)
        ws = self.ws

        def send() -> None:  # in a thread
            try:
                flight.outcome = ops.save_draft(ws, flight.target, settle=flight.settle)
            except BaseException as exc:  # taken on the UI thread, by `_landed`
                flight.outcome = exc
            finally:
                flight.done.set()

        await off_loop(send)  # cancelled (the screen closing): `close` waits for it instead
        return self._landed(flight)

    def _landed(self, flight: Flight, *, ask: bool = True) -> bool:
        """Take a finished save's outcome (once); True when nothing is left unsaved.
        ``ask``: a conflict opens the dialog (not on the way out: nobody is left to ask)."""
        if self.flight is not flight:
            return not self.pending  # taken already, on the way out
        self.flight = None
        screen, outcome = self.screen, flight.outcome
        if isinstance(outcome, ConflictError):
            screen.set_save_state("not saved: someone else saved this return", "bold red")
            self.save_failure = CONFLICTED
            if ask:
                self.resolving = True  # from now: no save until the user has chosen
                screen.run_worker(self.resolve_conflict(), exclusive=True, group="tool-conflict")
            return False
        if isinstance(outcome, (WorkspaceError, TransitionError)):
            screen.set_save_state("not saved", "bold red")
            self.save_failure = str(outcome)
            tell(screen, str(outcome), error=True)
            return False
        if not isinstance(outcome, Return):
            raise outcome if isinstance(outcome, BaseException) else RuntimeError("An autosave did not finish.")
        self.save_failure = ""
        before = self.base
        self.pending = self.pending[flight.sent:]
        self.adopt(outcome)  # what was typed while it saved stays on top
        self.deferred(not flight.settle)
        warn_identifiers(screen, before, outcome)  # at the source: the save that brought it
        if self.pending:
            return False  # the timer that their first change set saves them
        stamp = f"saved {datetime.now():%H:%M:%S}"
        screen.set_save_state(stamp, "green")
        if holds_identifiers(screen, outcome):
            screen.set_save_state(f"{stamp} · holds what looks like an identifier of a case", "bold yellow")
        return True

    def deferred(self, waiting: bool) -> None:
        """Note whether an autosave waits to be journaled; one waits at most IDLE_SECONDS."""
        if self._idle is not None:
            self._idle.stop()
            self._idle = None
        self.unsettled = waiting
        if waiting:
            self._idle = self.screen.set_timer(IDLE_SECONDS, self.settle_soon)

    async def settle(self) -> bool:
        """Save what is unsaved and journal the net change of the typing autosaved since
        the last journaled save: an editor closed, the return left, or idle.  False only
        when something is still unsaved; a journal entry that cannot be written now stays
        in the file and the next look at it (any session's) writes it."""
        self._stop_timer()
        async with self._saving:
            if not await self._save(True):
                return False
            if self.unsettled:
                ret, ws = self.ret, self.ws
                try:
                    await off_loop(lambda: ops.settle_draft(ws, ret))
                except WorkspaceError:
                    pass  # kept in the file with its base: Workspace.settle_idle journals it
                self.deferred(False)
            return True

    def reset(self, stored: Return) -> None:
        """Show ``stored`` (saved by a journaled save, or someone else's), nothing unsaved."""
        self.base = self.ret = stored
        self.pending = []
        self.deferred(False)

    def adopt(self, stored: Return) -> None:
        """Start again from ``stored``, with this session's unsaved changes on top."""
        ret = stored
        kept: list[tuple[str, Change]] = []  # changes that no longer apply are dropped, with a word
        for row_id, change in self.pending:
            try:
                ret = change(ret)
                kept.append((row_id, change))
            except TransitionError as exc:
                tell(self.screen, f"An unsaved change could not be kept: {exc}", error=True)
        self.base, self.ret, self.pending = stored, ret, kept

    def latest(self) -> Return:
        """The stored return, read again (in a thread: `off_loop(self.latest)`)."""
        ws = self.ws
        ws.refresh()
        screen = self.screen
        return ops.open_return(ws, screen.audit_ref, screen.case_ref, screen.agency)

    def rebased(self, stored: Return) -> Return | None:
        """``stored`` with this session's unsaved changes on top, or None if they no longer apply."""
        ret = stored
        try:
            for _, change in self.pending:
                ret = change(ret)
        except TransitionError:
            return None
        return ret

    async def resolve_conflict(self) -> None:
        """Show both versions, question by question; re-apply ours on top of theirs, or drop
        ours.  Runs in a worker of the screen (it waits for the dialog)."""
        screen = self.screen
        self.resolving = True
        choice = None
        try:
            theirs = await off_loop(self.latest)
            mine = self.rebased(theirs) or self.ret
            tool = screen.tool
            before = conflict_view(self.base, tool)
            message = "Someone else saved this return while you were changing it. They changed " + \
                _changed(before, conflict_view(theirs, tool)) + "; you changed " + \
                _changed(before, conflict_view(self.ret, tool)) + "."
            choice = await ask_conflict(
                screen, message, conflict_view(mine, tool), conflict_view(theirs, tool),
                mine_label="Yours, on top of theirs",
                later="Nothing was saved yet: your changes stay on screen, and the next one asks again.")
            latest = await off_loop(self.latest)
            if choice == "mine":
                self.adopt(latest)
            elif choice == "theirs":
                self.reset(latest)
                screen.set_save_state("kept their version", "yellow")
            else:
                screen.set_save_state("not saved: choose a version (any change asks again)", "bold red")
        except WorkspaceError as exc:  # e.g. the case left the cohort meanwhile
            tell(screen, str(exc), error=True)
        finally:
            self.resolving = False
        if choice == "mine":
            await self.save()
        else:
            screen.refresh_view()  # their version, or ours kept: no commit redraws it

    async def run_op(self, op: Callable[[Return], Return], done: str) -> Return | None:
        """A status or concern change applied to the latest stored return and saved at once
        (off the event loop, through `commit`: a conflict shows both versions)."""
        await self.save()
        saved = await commit(self.screen, lambda: op(self.latest()), done=done)
        if saved is not None:
            self.adopt(saved)  # any change still unsaved stays on top
            self.deferred(False)  # that save journaled the typing before it too
        return saved

    # ------------------------------------------------------------------ leaving

    def save_before_leaving(self) -> bool:
        """On the way out (ctrl+q, a dropped connection, the screen closing): wait for a
        save under way, then save and journal what is left here and now (nobody is left
        to wait for a worker).  True when nothing is left unsaved."""
        self._stop_timer()
        flight = self.flight
        if flight is not None:
            if not flight.done.wait(LEAVING_WAIT):
                self.save_failure = "a save was still waiting for the workspace"
                return False
            self._landed(flight, ask=False)
        if self.resolving:
            return False
        try:
            if self.pending:
                self.reset(ops.save_draft(self.ws, self.ret))  # journals the typing before it too
            elif self.unsettled:
                ops.settle_draft(self.ws, self.ret)
        except ConflictError:
            self.save_failure = CONFLICTED
            return False
        except (WorkspaceError, TransitionError) as exc:
            if self.pending:
                self.screen.set_save_state("not saved", "bold red")
                self.save_failure = str(exc)
                return False  # a journal entry not written stays in the file: the next look writes it
        self.deferred(False)
        return True

    def unsaved_work(self) -> str | None:
        """What ctrl+q would lose (screens.dialogs.quit), after trying to save it now
        (and to journal the typing autosaved, as leaving the return does)."""
        if self.save_before_leaving():
            return None
        screen = self.screen
        tool = screen.tool
        what = _changed(conflict_view(self.base, tool), conflict_view(self.ret, tool))
        why = WAITS_FOR_CHOICE if self.resolving else self.save_failure or "the last save failed"
        return (f"your changes to {what} in {screen.agency}'s return for case {screen.case_ref} "
                f"({why.rstrip('.')})")

    def close(self) -> None:
        """The screen is leaving (ctrl+q, a closed connection): save and journal what is
        left, if it still can be (a conflict cannot be shown any more; the other version
        stays intact)."""
        self.save_before_leaving()
        self.unsettled = False


def conflict_view(ret: Return, tool: ToolTemplate) -> dict[str, Any]:
    """A return as the conflict dialog lists it: one entry per field, question and grade."""
    view: dict[str, Any] = {"Status": ret.status.label}
    for name, (label, _, _) in HEADER_FIELDS.items():
        value = getattr(ret, name)
        view[label] = {True: "yes", False: "no", None: ""}[value] if name == "involved" else str(value or "")
    for number, _, question in tool.numbered():
        given = ret.answers.get(question.id)
        shown = ""
        if given is not None and (given.answer or given.evidence):
            shown = f"{given.answer.label if given.answer else 'not answered'}. {given.evidence}".strip()
        view[f"Question {number}"] = shown
    for index, section in enumerate(tool.sections, start=1):
        graded = ret.sections.get(section.objective)
        shown = ""
        if graded is not None and (graded.grade or graded.rationale):
            shown = f"{graded.grade.label if graded.grade else 'not graded'}. {graded.rationale}".strip()
        view[f"Section {index} grade"] = shown
    for name, (label, _) in OVERALL_FIELDS.items():
        view[label] = getattr(ret, name)
    view["Safeguarding concern"] = ret.concern.details if ret.concern.raised else ""
    return view


def _changed(before: dict[str, Any], after: dict[str, Any]) -> str:
    """What differs between two views, in form order: "question 1.2 and section 1 grade"."""
    names = [k[0].lower() + k[1:] for k in after if k != "Status" and before.get(k) != after.get(k)]
    if not names:
        return "nothing you can see"
    if len(names) > 6:
        names = [*names[:5], f"{len(names) - 5} more"]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
