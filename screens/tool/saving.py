"""Autosave for the audit tool: unsaved changes as functions, saved within half a second.

Every change is a function from a return to the edited return (the transitions of
:mod:`audit.return_transitions`).  Changes not yet saved are kept as a list of such
functions on top of ``base``, the version last read or saved, and autosaved half a
second after the first of them.  When someone else saved the same return in between, the user sees both
versions and chooses: their changes are re-applied on top of the newer version, or
dropped.  Nothing is overwritten silently; a lost connection loses at most half a second.

Autosaves made while an editor is open are written at once but journaled later, as one
net change (``save_draft(..., settle=False)``, :mod:`storage.drafts`): when the editor
closes, the return is left or the app quits, or after ``IDLE_SECONDS`` without an
autosave.  Any other save journals at once, the typing before it included.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import work

from audit import return_transitions as domain
from audit.access import Act
from audit.returns import Return, TransitionError, is_editable
from screens.context import ctx
from screens.dialogs.conflict import ConflictScreen
from screens.identifiers import holds_identifiers, warn_identifiers
from screens.saving import tell
from storage import returns as ops
from storage.drafts import IDLE_SECONDS
from storage.errors import ConflictError, WorkspaceError
from screens.tool.rows import HEADER_FIELDS, OVERALL_FIELDS
from storage.workspace import now

if TYPE_CHECKING:
    from textual.timer import Timer

    from audit.tools import ToolTemplate

Change = Callable[[Return], Return]
SAVE_DELAY = 0.5  # seconds from the first unsaved change to its autosave


class AutosaveMixin:
    """The saving half of :class:`screens.tool.screen.ToolScreen` (which supplies the view)."""

    audit_ref: str
    case_ref: str
    agency: str
    base: Return
    ret: Return
    pending: list[tuple[str, Change]]
    editing: object | None  # the row whose editor is open
    unsettled: bool  # an autosave of this return waits to be journaled (storage.drafts)
    _timer: Timer | None
    _idle: Timer | None
    _resolving: bool

    if TYPE_CHECKING:  # provided by ToolScreen and Textual's Screen
        from textual.app import App

        app: App[Any]

        def set_save_state(self, text: str, style: str = "") -> None: ...
        def refresh_view(self, *, identity: bool = True) -> None: ...
        def readonly_reason(self) -> str | None: ...
        def set_timer(self, delay: float, callback: Callable[[], Any]) -> Timer: ...

    @property
    def login(self) -> str:
        return ctx(self.app).ws.login

    def may_edit(self) -> bool:
        """Check (and journal a refusal) before any change; tell the user why not."""
        ws = ctx(self.app).ws
        try:
            ws.require(Act.EDIT_RETURN, agency=self.agency, audit=self.audit_ref, key=self.ret.key)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return False
        if not is_editable(self.ret):
            tell(self, self.readonly_reason() or "This return is read-only.", error=True)
            return False
        return True

    def record(self, row_id: str, change: Change, *, typing: bool = False) -> bool:
        """Apply a change and schedule its autosave.

        ``typing``: the text is already on screen in the editor, so the form is redrawn
        when the autosave runs, not on every keystroke.
        """
        try:
            new = change(self.ret)
        except TransitionError as exc:
            tell(self, str(exc), error=True)
            return False
        if new == self.ret:
            return True
        self.ret = new
        if self.pending and self.pending[-1][0] == row_id:
            self.pending[-1] = (row_id, change)  # typing: the latest text of the field wins
        else:
            self.pending.append((row_id, change))
        self.set_save_state("saving…", "italic")
        if self._timer is None:
            self._timer = self.set_timer(SAVE_DELAY, self.flush)
        if not typing:
            self.refresh_view(identity=False)
        return True

    def setter(self, name: str, value: Any) -> Change:
        """A change of one header or overall field."""
        by = self.login
        return lambda ret: domain.edit(ret, by, now(), **{name: value})

    def flush(self, *, settle: bool | None = None) -> bool:
        """Save the unsaved changes now; True when nothing is left unsaved.

        ``settle``: journal the change now (by default, unless an editor is open: then
        the journal gets the net change of the typing later, see :meth:`settle`)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if settle is None:
            settle = self.editing is None
        if not self.pending:
            return True
        if self._resolving:
            return False
        ws = ctx(self.app).ws
        try:
            saved = ops.save_draft(ws, self.ret, settle=settle)
        except ConflictError as exc:
            self.set_save_state("not saved: someone else saved this return", "bold red")
            self.resolve_conflict(exc)
            return False
        except (WorkspaceError, TransitionError) as exc:
            self.set_save_state("not saved", "bold red")
            self.save_failure = str(exc)  # what ctrl+q says, if it comes to that
            tell(self, str(exc), error=True)
            return False
        self.save_failure = ""
        before = self.base
        self.base = self.ret = saved
        self.pending = []
        self.deferred(not settle)
        self.set_save_state(f"saved {datetime.now():%H:%M:%S}", "green")
        warn_identifiers(self, before, saved)  # type: ignore[arg-type]
        if holds_identifiers(self, saved):  # type: ignore[arg-type]
            self.set_save_state(f"saved {datetime.now():%H:%M:%S} · holds what looks like an identifier of a case",
                                "bold yellow")
        self.refresh_view(identity=False)
        return True

    def deferred(self, waiting: bool) -> None:
        """Note whether an autosave waits to be journaled; one waits at most IDLE_SECONDS."""
        if self._idle is not None:
            self._idle.stop()
            self._idle = None
        self.unsettled = waiting
        if waiting:
            self._idle = self.set_timer(IDLE_SECONDS, self.settle)

    def settle(self) -> bool:
        """Save what is unsaved and journal the net change of the typing autosaved since
        the last journaled save: an editor closed, the return left, the app quitting, or
        idle.  False only when something is still unsaved; a journal entry that cannot
        be written now stays in the file and the next look at it (any session's) writes it."""
        if not self.flush(settle=True):
            return False
        if self.unsettled:
            try:
                ops.settle_draft(ctx(self.app).ws, self.ret)
            except WorkspaceError:
                pass  # kept in the file with its base: Workspace.settle_idle journals it
            self.deferred(False)
        return True

    def adopt(self, stored: Return) -> None:
        """Start again from ``stored``, with this session's unsaved changes on top."""
        ret = stored
        kept: list[tuple[str, Change]] = []  # changes that no longer apply are dropped, with a word
        for row_id, change in self.pending:
            try:
                ret = change(ret)
                kept.append((row_id, change))
            except TransitionError as exc:
                tell(self, f"An unsaved change could not be kept: {exc}", error=True)
        self.base, self.ret, self.pending = stored, ret, kept

    def latest(self) -> Return:
        ws = ctx(self.app).ws
        ws.refresh()
        return ops.open_return(ws, self.audit_ref, self.case_ref, self.agency)

    def rebased(self, stored: Return) -> Return | None:
        """``stored`` with this session's unsaved changes on top, or None if they no longer apply."""
        ret = stored
        try:
            for _, change in self.pending:
                ret = change(ret)
        except TransitionError:
            return None
        return ret

    @work(exclusive=True, group="tool-conflict")
    async def resolve_conflict(self, exc: ConflictError) -> None:
        """Show both versions, question by question; re-apply ours on top of theirs, or drop ours."""
        self._resolving = True
        choice = None
        try:
            theirs = self.latest()
            mine = self.rebased(theirs) or self.ret
            tool = ops.tool_for(ctx(self.app).ws, self.audit_ref, self.agency)
            before = conflict_view(self.base, tool)
            message = "Someone else saved this return while you were changing it. They changed " + \
                _changed(before, conflict_view(theirs, tool)) + "; you changed " + \
                _changed(before, conflict_view(self.ret, tool)) + "."
            choice = await self.app.push_screen_wait(ConflictScreen(
                message, conflict_view(mine, tool), conflict_view(theirs, tool), mine_label="Yours, on top of theirs"))
            latest = self.latest()
            if choice == "mine":
                self.adopt(latest)
            elif choice == "theirs":
                self.base, self.ret, self.pending = latest, latest, []
                self.set_save_state("kept their version", "yellow")
                tell(self, "Kept the other version; your unsaved changes were dropped.")
            else:
                self.set_save_state("not saved: choose a version (any change asks again)", "bold red")
        finally:
            self._resolving = False
        if choice == "mine":
            self.flush()
        self.refresh_view()

    async def run_op(self, op: Callable[[Return], Return], done: str) -> Return | None:
        """A status or concern change applied to the latest stored return and saved at once."""
        self.flush()
        while True:
            current = self.latest()
            try:
                saved = op(current)
            except TransitionError as exc:
                tell(self, str(exc), error=True)
                return None
            except ConflictError as exc:
                choice = await self.app.push_screen_wait(ConflictScreen(str(exc), exc.mine, exc.theirs))
                if choice == "mine":
                    continue
                tell(self, "Nothing was saved; the other version is shown.")
                self.adopt(self.latest())
                self.refresh_view()
                return None
            except WorkspaceError as exc:
                tell(self, str(exc), error=True)
                return None
            self.adopt(saved)
            self.deferred(False)  # that save journaled the typing before it too
            self.refresh_view()
            tell(self, done)
            return saved

    def unsaved_work(self) -> str | None:
        """What ctrl+q would lose (screens.dialogs.quit), after trying to save it now
        (and to journal the typing autosaved, as leaving the return does)."""
        if self.settle():
            return None
        tool = ops.tool_for(ctx(self.app).ws, self.audit_ref, self.agency)
        what = _changed(conflict_view(self.base, tool), conflict_view(self.ret, tool))
        if self._resolving:
            why = "someone else saved this return too, and it waits for your choice of version"
        else:
            why = getattr(self, "save_failure", "") or "the last save failed"
        return (f"your changes to {what} in {self.agency}'s return for case {self.case_ref} "
                f"({why.rstrip('.')})")

    def on_unmount(self) -> None:
        """Leaving by ctrl+q or a closed connection: save and journal what is left, if it
        still can be."""
        try:
            if self.pending and not self._resolving:
                ops.save_draft(ctx(self.app).ws, self.ret)  # journals the typing before it too
            elif self.unsettled:
                ops.settle_draft(ctx(self.app).ws, self.ret)
        except (WorkspaceError, TransitionError):
            pass  # a conflict cannot be shown any more; the other version stays intact
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
