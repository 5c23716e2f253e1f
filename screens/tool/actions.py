"""The audit tool's forms and status changes: dates, involvement, the concern, return for
clarification, acknowledgement and submission with its gap list."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual import work

from audit import returns as domain
from audit.access import Act
from audit.returns import Return, Status, TransitionError, submission_gaps
from screens.context import ctx
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import FormField, FormScreen
from screens.saving import tell
from screens.tool.modals import GapsScreen
from screens.tool.saving import AutosaveMixin
from storage import returns as ops
from storage.errors import ConflictError, WorkspaceError

if TYPE_CHECKING:
    from audit.tools import ToolTemplate


class ToolActionsMixin(AutosaveMixin):
    """Keys of :class:`screens.tool.screen.ToolScreen` that open a form or change the status."""

    tool: ToolTemplate

    if TYPE_CHECKING:
        def stop_editing(self) -> None: ...
        def highlight(self, row_id: str | None) -> bool: ...
        def show_detail(self) -> None: ...

    @work(exclusive=True, group="tool-form")
    async def edit_date(self) -> None:
        values = await self.app.push_screen_wait(FormScreen("Date completed", [
            FormField("completed_on", "Date the audit was completed", "date", self.ret.completed_on,
                      hint="Left empty, today's date is used on submission.")]))
        if values is not None and self.may_edit():
            self.record("header.completed_on", self.setter("completed_on", values["completed_on"]))

    @work(exclusive=True, group="tool-form")
    async def edit_involved(self) -> None:
        current = {True: "yes", False: "no", None: None}[self.ret.involved]
        values = await self.app.push_screen_wait(FormScreen("Involvement", [
            FormField("involved", "Was the agency involved with the child or family?", "select", current,
                      [("Yes", "yes"), ("No: the return is 'not involved', with a reason", "no")])]))
        if values is not None and self.may_edit():
            choice = values["involved"]
            self.record("header.involved", self.setter("involved", None if choice is None else choice == "yes"))

    @work(exclusive=True, group="tool-form")
    async def action_concern(self) -> None:
        self.stop_editing()
        ws = ctx(self.app).ws
        try:
            ws.require(Act.EDIT_RETURN, agency=self.agency, audit=self.audit_ref, key=self.ret.key)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        if self.ret.concern.open:
            tell(self, "A safeguarding concern is already open on this return and waits for a lead.")
            return
        values = await self.app.push_screen_wait(FormScreen("Immediate safeguarding concern", [
            FormField("details", "What is the concern for the child's safety now?", "textarea", required=True,
                      hint="Every lead is alerted the moment you save, and it stays open until one acknowledges it."),
        ]))
        if values is None:
            return
        details = values["details"]
        await self.run_op(lambda r: ops.raise_concern(ws, r, details),
                          "Concern raised: every lead is alerted now.")

    @work(exclusive=True, group="tool-form")
    async def action_clarify(self) -> None:
        ws = ctx(self.app).ws
        try:
            ws.require(Act.RETURN_FOR_CLARIFICATION, audit=self.audit_ref, key=self.ret.key)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        if domain.is_outstanding(self.ret):
            tell(self, f"Only a return with the lead can be returned for clarification; this one is "
                       f"{self.ret.status.value}.")
            return
        values = await self.app.push_screen_wait(FormScreen("Return for clarification", [
            FormField("comment", "What needs clarifying?", "textarea", required=True,
                      hint="The agency sees this comment at the top of its return.")]))
        if values is not None:
            comment = values["comment"]
            await self.run_op(lambda r: ops.return_for_clarification(ws, r, comment),
                              "Returned to the agency for clarification.")

    @work(exclusive=True, group="tool-form")
    async def action_acknowledge(self) -> None:
        ws = ctx(self.app).ws
        try:
            ws.require(Act.ACKNOWLEDGE_CONCERN, audit=self.audit_ref, key=self.ret.key)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        if not self.ret.concern.open:
            tell(self, "There is no open safeguarding concern on this return.")
            return
        values = await self.app.push_screen_wait(FormScreen("Acknowledge the safeguarding concern", [
            FormField("action", "Action taken", "textarea", required=True,
                      hint="E.g. referred to the agency holding the case, strategy discussion arranged.")]))
        if values is not None:
            action = values["action"]
            await self.run_op(lambda r: ops.acknowledge_concern(ws, r, action), "Concern acknowledged.")

    @work(exclusive=True, group="tool-form")
    async def action_submit(self) -> None:
        self.stop_editing()
        if not self.may_edit() or not self.flush():
            return
        gaps = submission_gaps(self.ret, self.tool)
        if gaps:
            where = await self.app.push_screen_wait(GapsScreen(gaps))
            if where:
                self.jump(where, next((g.message for g in gaps if g.where == where), ""))
            return
        if self.ret.involved is False:
            question = "Submit this return as 'not involved'?"
        else:
            question = "Resubmit this return?" if self.ret.status is Status.RETURNED else "Submit this return?"
        question += " It becomes read-only; a lead can return it for clarification."
        if not await self.app.push_screen_wait(ConfirmScreen(question, "submit")):
            return
        ws = ctx(self.app).ws
        try:
            saved = ops.submit_return(ws, self.ret)
        except TransitionError as exc:
            tell(self, str(exc), error=True)
            return
        except ConflictError:
            self.adopt(self.latest())
            self.refresh_view()
            tell(self, "Someone else changed this return meanwhile; look at their version and submit again.",
                 error=True)
            return
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        self.base = self.ret = saved
        self.deferred(False)  # the submission journaled the typing before it too
        self.set_save_state(f"{saved.status.value} {datetime.now():%H:%M:%S}", "bold green")
        self.refresh_view()
        tell(self, f"{saved.status.label}: the lead sees it now.")

    def jump(self, where: str, message: str = "") -> None:
        if self.highlight(where):
            self.show_detail()
            if message:
                tell(self, message)
        else:
            tell(self, "That part of the return is not shown.")
