"""The audit tool's forms and status changes: dates, involvement, the concern, return for
clarification, acknowledgement and submission with its gap list."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from audit import returns as domain
from audit.access import Act
from audit.returns import Status, submission_gaps
from screens.access import allowed
from screens.context import ctx
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import FormField, FormScreen
from screens.saving import commit, tell
from screens.tool.modals import GapsScreen
from storage import returns as ops

if TYPE_CHECKING:
    from screens.tool.saving import Autosave
    from screens.tool.screen import ToolScreen


class ToolForms:
    """What the keys of a :class:`~screens.tool.screen.ToolScreen` that open a form or
    change the status do; each runs in a worker of the screen (it waits for a dialog)."""

    def __init__(self, screen: ToolScreen) -> None:
        self.screen = screen

    @property
    def autosave(self) -> Autosave:
        return self.screen.autosave

    def allowed(self, act: Act) -> bool:
        """Check (and journal a refusal); tell the user why not."""
        screen = self.screen
        return allowed(screen, act, agency=screen.agency if act is Act.EDIT_RETURN else None,
                       audit=screen.audit_ref, key=screen.ret.key)

    async def involved(self) -> None:
        screen = self.screen
        current = {True: "yes", False: "no", None: None}[screen.ret.involved]
        values = await screen.app.push_screen_wait(FormScreen("Involvement", [
            FormField("involved", "Was the agency involved with the child or family?", "select", current,
                      [("Yes", "yes"), ("No: the return is 'not involved', with a reason", "no")])]))
        if values is not None and screen.may_edit():
            choice = values["involved"]
            self.autosave.record("header.involved",
                                 self.autosave.setter("involved", None if choice is None else choice == "yes"))

    async def concern(self) -> None:
        screen = self.screen
        screen.editor.stop()
        ws = ctx(screen.app).ws
        if not self.allowed(Act.EDIT_RETURN):
            return
        if screen.ret.concern.open:
            tell(screen, "A safeguarding concern is already open on this return and waits for a lead.")
            return
        values = await screen.app.push_screen_wait(FormScreen("Immediate safeguarding concern", [
            FormField("details", "What is the concern for the child's safety now?", "textarea", required=True,
                      hint="Every lead is alerted the moment you save, and it stays open until one acknowledges it."),
        ]))
        if values is None:
            return
        details = values["details"]
        await self.autosave.run_op(lambda r: ops.raise_concern(ws, r, details),
                                   "Concern raised: every lead is alerted now.")

    async def clarify(self) -> None:
        screen = self.screen
        ws = ctx(screen.app).ws
        if not self.allowed(Act.RETURN_FOR_CLARIFICATION):
            return
        if domain.is_outstanding(screen.ret):
            tell(screen, f"Only a return with the lead can be returned for clarification; this one is "
                         f"{screen.ret.status.value}.")
            return
        values = await screen.app.push_screen_wait(FormScreen("Return for clarification", [
            FormField("comment", "What needs clarifying?", "textarea", required=True,
                      hint="The agency sees this comment at the top of its return.")]))
        if values is not None:
            comment = values["comment"]
            await self.autosave.run_op(lambda r: ops.return_for_clarification(ws, r, comment),
                                       "Returned to the agency for clarification.")

    async def acknowledge(self) -> None:
        screen = self.screen
        ws = ctx(screen.app).ws
        if not self.allowed(Act.ACKNOWLEDGE_CONCERN):
            return
        if not screen.ret.concern.open:
            tell(screen, "There is no open safeguarding concern on this return.")
            return
        values = await screen.app.push_screen_wait(FormScreen("Acknowledge the safeguarding concern", [
            FormField("action", "Action taken", "textarea", required=True,
                      hint="E.g. referred to the agency holding the case, strategy discussion arranged.")]))
        if values is not None:
            action = values["action"]
            await self.autosave.run_op(lambda r: ops.acknowledge_concern(ws, r, action), "Concern acknowledged.")

    async def submit(self) -> None:
        screen, autosave = self.screen, self.autosave
        screen.editor.stop()
        if not screen.may_edit() or not await autosave.save():
            return
        gaps = submission_gaps(screen.ret, screen.tool)
        if gaps:
            where = await screen.app.push_screen_wait(GapsScreen(gaps))
            if where:
                self.jump(where, next((g.message for g in gaps if g.where == where), ""))
            return
        if screen.ret.involved is False:
            question = "Submit this return as 'not involved'?"
        else:
            question = "Resubmit this return?" if screen.ret.status is Status.RETURNED else "Submit this return?"
        question += " It becomes read-only; a lead can return it for clarification."
        if not await screen.app.push_screen_wait(ConfirmScreen(question, "submit")):
            return
        ws, ret = ctx(screen.app).ws, screen.ret
        # A conflict shows their version (its commit's message redraws the screen).
        saved = await commit(screen, lambda: ops.submit_return(ws, ret), done=None, retry=False,
                             conflict="Someone else changed this return meanwhile; look at their version "
                                      "and submit again.")
        if saved is None:
            return
        autosave.reset(saved)  # the submission journaled the typing before it too
        screen.set_save_state(f"{saved.status.value} {datetime.now():%H:%M:%S}", "bold green")
        tell(screen, f"{saved.status.label}: the lead sees it now.")

    def jump(self, where: str, message: str = "") -> None:
        screen = self.screen
        if screen.highlight(where):
            screen.show_detail()
            if message:
                tell(screen, message)
        else:
            tell(screen, "That part of the return is not shown.")
