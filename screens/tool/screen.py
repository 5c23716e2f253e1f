"""The audit tool: one agency's return for one cohort case (DESIGN §2 step 4, §3 keys).

The form is a list of rows (header, each section's grade, its questions, the overall
fields, the concern) with the highlighted row in full beside it.  Answers and grades are
single keys; text is typed into an editor under the detail and saved as it is typed
(:mod:`screens.tool.editor`, :mod:`screens.tool.saving`: an autosave object the screen holds); forms and
status changes live in :mod:`screens.tool.actions` (a forms object, likewise).
"""

from __future__ import annotations

from typing import cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.styles import RulesMap
from textual.screen import Screen
from textual.visual import visualize
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from audit import return_transitions as domain
from audit.access import Act, decide
from audit.grades import Answer, Grade
from audit.returns import Return, Status, is_editable, progress
from screens.context import WorkspaceChanged, ctx
from screens.saving import tell
from screens.tool.actions import ToolForms
from screens.tool.editor import ToolEditor
from screens.tool.rowlist import ToolList
from screens.tool.rows import ToolRow, tool_rows
from screens.tool.saving import Autosave
from screens.widgets.identity import IdentityBar, concerns_alert
from screens.widgets.footer import Footer
from storage import returns as ops
from storage.errors import WorkspaceError
from storage.workspace import now


class ToolScreen(Screen[None]):
    CSS_PATH = "tool.tcss"
    BINDINGS = [
        Binding("y", "answer('yes')", "Answer", key_display="y/p/n/x", tooltip="yes", id="tool.answer-yes"),
        Binding("p", "answer('partly')", "Answer", show=False, tooltip="partly", id="tool.answer-partly"),
        Binding("n", "answer('no')", "Answer", show=False, tooltip="no", id="tool.answer-no"),
        Binding("x", "answer('n/a')", "Answer", show=False, tooltip="not applicable", id="tool.answer-na"),
        *[Binding(str(n), f"grade({n})", "Grade", tooltip=Grade.in_order()[n - 1].value,
                  key_display="1-4" if n == 1 else None, show=n == 1, id=f"tool.grade-{n}") for n in range(1, 5)],
        Binding("e", "edit", "Edit", key_display="e/enter", id="tool.edit"),
        Binding("exclamation_mark", "concern", "Concern", key_display="!", tooltip="raise an immediate safeguarding concern", id="tool.concern"),
        Binding("ctrl+s", "submit", "Submit", id="tool.submit"),
        Binding("R", "clarify", "Send back", key_display="R", tooltip="return for clarification (leads)", id="tool.send-back"),
        Binding("a", "acknowledge", "Acknowledge", tooltip="the open concern (leads)", id="tool.acknowledge"),
        Binding("escape", "back", "Back", id="tool.back"),
    ]

    def __init__(self, audit_ref: str, case_ref: str, agency: str) -> None:
        super().__init__()
        self.audit_ref = audit_ref
        self.case_ref = case_ref
        self.agency = agency
        self.rows: list[ToolRow] = []
        self.editor = ToolEditor(self)
        self.save_state = Text("")
        self.shown: dict[str, Text] = {}  # what each Static shows (update_static)
        self.bar: tuple[str, ...] = ()  # what the identity bar shows
        self.keys_shown: tuple[bool, ...] = ()  # what check_action answered when the footer was laid out
        self.rows_of: tuple[Return, str] | None = None  # the return and lock the rows show
        self.forms = ToolForms(self)
        self.autosave: Autosave  # made in on_mount, once the return is read
        self.sub_title = "Audit tool"

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield IdentityBar()
        with Horizontal(id="tool-top"):
            yield Static(id="tool-title")
            yield Static(id="tool-saved")
        yield Static(id="tool-notice")
        with Horizontal(id="tool-body"):
            yield ToolList(id="tool-list")  # j/k/g/G with the other lists
            with Vertical(id="tool-side"):
                with VerticalScroll(id="tool-detail-scroll"):
                    yield Static(id="tool-detail")
                yield self.editor
        yield Footer()

    WRAP_FROM = 100  # list columns from which its rows wrap instead of being cut

    def on_resize(self) -> None:
        options = self.query_one("#tool-list", OptionList)
        options.set_class(options.size.width >= self.WRAP_FROM, "wide")

    def on_mount(self) -> None:
        ws = ctx(self.app).ws
        try:
            self.audit = ws.audit(self.audit_ref)
            self.tool = ops.tool_for(ws, self.audit_ref, self.agency)
            base = ops.open_return(ws, self.audit_ref, self.case_ref, self.agency)
        except WorkspaceError as exc:  # e.g. the case left the cohort a moment ago
            tell(self, str(exc), error=True)
            self.call_after_refresh(self.dismiss, None)
            return
        self.autosave = Autosave(self, base)
        self.objectives = {o.id: o.text for o in self.audit.objectives}
        stamp = base.updated_at
        if stamp is not None:
            self.set_save_state(f"saved {stamp:%d/%m/%Y %H:%M} by {base.updated_by}", "dim")
        else:
            self.set_save_state("changes save as you type", "dim")
        self.refresh_view()
        self.query_one(OptionList).focus()

    def help_title(self) -> str:
        return f"Keys in the audit tool: {self.agency}'s return for case {self.case_ref}"

    def help_notes(self) -> list[str]:
        return [
            "j/k move; y/p/n/x answer the highlighted question; 1-4 grade the section it is in.",
            "e or enter edits the highlighted text or date right under it, keeping what is there: enter ends"
            " a one-line field or a date, esc ends any (in a multi-line field enter starts a new line).",
            "Changes save as you type (within half a second). ctrl+s submits after checking every gap.",
            "! raises an immediate safeguarding concern: every lead is alerted at once.",
            "Leads: R sends a received return back for clarification with a comment;"
            " a acknowledges an open concern with the action taken.",
        ]

    @property
    def editing(self) -> ToolRow | None:
        """The row whose editor is open, if any."""
        return self.editor.row

    @property
    def ret(self) -> Return:
        """The return as shown: the stored version with the unsaved changes on top."""
        return self.autosave.ret

    # ------------------------------------------------------------------ showing

    def readonly_reason(self) -> str | None:
        """Why this user may not change this return now, or None when they may."""
        ws = ctx(self.app).ws
        if ws.read_only_reason:
            return ws.read_only_reason
        decision = decide(ws.user, Act.EDIT_RETURN, agency=self.agency)
        if not decision:
            return decision.reason
        if not is_editable(self.ret):
            more = " Press R to return it for clarification." if ws.can(Act.RETURN_FOR_CLARIFICATION) else ""
            return f"This return is {self.ret.status.value} and read-only.{more}"
        return None

    def refresh_view(self, *, identity: bool = True) -> None:
        """Show ``self.ret``; ``identity=False`` while typing (the bar cannot have changed)."""
        ws = ctx(self.app).ws
        partnership = ws.partnership()
        agency_name = partnership.agency_label(self.agency)
        if identity:
            self.refresh_keys()
            who = ws.user.describe() if ws.user else ws.login
            bar = (f"{self.audit_ref} · {self.agency} return · {partnership.name}", who,
                   "read-only" if ws.read_only_reason else "", concerns_alert(self.app))
            if bar != self.bar:  # repainted only when it changed
                self.bar = bar
                self.query_one(IdentityBar).show(*bar)
        answered, total = progress(self.ret, self.tool)
        graded = [s for s in self.tool.sections if s.graded]
        done = sum(1 for s in graded if (g := self.ret.sections.get(s.objective)) and g.grade and g.rationale.strip())
        title = Text()
        title.append(f"Case {self.case_ref} · {agency_name} · ", style="bold")
        title.append(f"{self.ret.status.symbol} {self.ret.status.label}", style="bold")
        if self.ret.involved is not False:
            title.append(f" · {answered}/{total} answered · {done}/{len(graded)} graded")
        self.update_static("#tool-title", title)
        self.show_notice()
        self.refresh_rows()
        self.show_detail()

    def refresh_keys(self) -> None:
        """Submitted, sent back, or another session's save: the keys follow.  The footer is
        laid out again only when what check_action answers changed (a foreign change
        that leaves them alone must not restyle it)."""
        ws = ctx(self.app).ws
        keys = (self.readonly_reason() is None, ws.can(Act.RETURN_FOR_CLARIFICATION), ws.can(Act.ACKNOWLEDGE_CONCERN))
        if keys != self.keys_shown:
            self.keys_shown = keys
            self.refresh_bindings()

    def show_notice(self) -> None:
        notice = Text()
        reason = self.readonly_reason()
        if reason:
            notice.append("⊘ Read only: " + reason, style="bold")
        if self.ret.status is Status.RETURNED and self.ret.clarification:
            by = next((h.by for h in reversed(self.ret.history) if h.status is Status.RETURNED), "a lead")
            notice.append(("\n" if notice else "") + f"↩ Returned for clarification by {by}: ", style="bold")
            notice.append(self.ret.clarification)
        if self.ret.concern.open:
            notice.append(("\n" if notice else "") + "⚠ An immediate safeguarding concern is open on this return.",
                          style="bold red")
        self.update_static("#tool-notice", notice)
        self.query_one("#tool-notice", Static).set_class(bool(notice), "shown")

    def refresh_rows(self) -> None:
        """Rebuild the rows (nothing when the return shown and its lock did not change);
        repaint only the changed ones when the shape is the same."""
        locked = self.readonly_reason() or ""
        if self.rows_of == (self.ret, locked):
            return
        self.rows_of = (self.ret, locked)
        rows = tool_rows(self.ret, self.tool, self.objectives, locked)
        options = self.query_one(ToolList)
        if [r.id for r in rows] == [r.id for r in self.rows]:
            for index, (old, new) in enumerate(zip(self.rows, rows)):
                if old.label != new.label:
                    options.replace_prompt(index, new.label)
            self.rows = rows
            return
        keep = self.current_row()
        self.rows = rows
        options.clear_options()
        options.add_options([Option(r.label, id=r.id, disabled=r.heading) for r in rows])
        self.highlight(keep.id if keep else None)

    def highlight(self, row_id: str | None) -> bool:
        ids = [r.id for r in self.rows]
        options = self.query_one(OptionList)
        if row_id in ids:
            options.highlighted = ids.index(row_id)
            return True
        options.highlighted = next((i for i, r in enumerate(self.rows) if not r.heading), None)
        return False

    def current_row(self) -> ToolRow | None:
        index = self.query_one(OptionList).highlighted
        if index is None or index >= len(self.rows):
            return None
        return self.rows[index]

    def show_detail(self) -> None:
        if self.editing is not None:
            return  # the text being typed is in the editor; the detail would repeat it
        row = self.current_row()
        self.update_static("#tool-detail", row.detail if row else Text(""))

    def on_option_list_option_highlighted(self, _: OptionList.OptionHighlighted) -> None:
        self.show_detail()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_edit()

    def set_save_state(self, text: str, style: str = "") -> None:
        state = Text(text, style=style)
        if state != self.save_state:  # an unchanged auto-width label must not cost a layout
            self.save_state = state
            self.query_one("#tool-saved", Static).update(state)

    def update_static(self, selector: str, text: Text) -> None:
        """Update a Static only when its text changed: typing must not re-lay-out the screen,
        nor a text that keeps its height (another session's typing in the detail shown)."""
        widget = self.query_one(selector, Static)
        old = self.shown.get(selector)
        if old != text:
            self.shown[selector] = text
            widget.update(text, layout=old is None or not same_height(widget, old, text))

    def on_workspace_changed(self, message: WorkspaceChanged) -> None:
        """A commit, this session's or another's: show the stored version unless we hold
        unsaved changes (then the next save meets theirs as a conflict and the user
        chooses); a commit of this session's own (a status change, the concern) keeps
        them on top.  An autosave under way takes its own commit itself."""
        if not hasattr(self, "autosave") or not self.query("#tool-list"):
            return  # never opened (see on_mount), or being taken down
        stored = ctx(self.app).ws.get_return(self.audit_ref, self.case_ref, self.agency)
        autosave = self.autosave
        if (stored is not None and stored.rev != autosave.base.rev and autosave.flight is None
                and not autosave.resolving):
            if not autosave.pending and self.editing is None:
                autosave.reset(stored)
            elif message.changes.own:
                autosave.adopt(stored)
        self.refresh_view()

    def may_edit(self) -> bool:
        """Check (and journal a refusal) before any change; tell the user why not."""
        if not self.forms.allowed(Act.EDIT_RETURN):
            return False
        if not is_editable(self.ret):
            tell(self, self.readonly_reason() or "This return is read-only.", error=True)
            return False
        return True

    def unsaved_work(self) -> str | None:
        """What ctrl+q would lose (screens.dialogs.quit), after trying to save it now."""
        return self.autosave.unsaved_work() if hasattr(self, "autosave") else None

    def on_unmount(self) -> None:
        if hasattr(self, "autosave"):
            self.autosave.close()

    # ------------------------------------------------------------------ keys

    def action_answer(self, value: str) -> None:
        row = self.current_row()
        if row is None:
            return
        if row.id == "header.involved":
            if value in ("yes", "no") and self.may_edit():
                self.autosave.record(row.id, self.autosave.setter("involved", value == "yes"))
            elif value not in ("yes", "no"):
                tell(self, "Involved: press y for yes or n for no.")
            return
        if row.kind != "question":
            tell(self, "Highlight a question to answer it (y yes, p partly, n no, x not applicable).")
            return
        if self.may_edit():
            answer = Answer(value)
            qid = row.field
            self.autosave.record(row.id, lambda r: domain.set_answer(r, self.autosave.login, now(), qid, answer=answer))

    def action_grade(self, number: int) -> None:
        row = self.current_row()
        if row is None or row.section is None:
            tell(self, "Highlight a section or one of its questions to grade the section (1-4).")
            return
        section = self.tool.section_for(row.section)
        if section is None or not section.graded:
            tell(self, "This section is not graded.")
            return
        if not self.may_edit():
            return
        grade = Grade.in_order()[number - 1]
        objective = section.objective
        if self.autosave.record(f"section:{objective}",
                       lambda r: domain.set_grade(r, self.autosave.login, now(), objective, grade=grade)):
            graded = self.ret.sections.get(objective)
            if graded is not None and not graded.rationale.strip():
                tell(self, f"Graded {grade.label.lower()}. Give the reason: highlight the section and press e.")

    def action_edit(self) -> None:
        row = self.current_row()
        if row is None or row.heading:
            return
        if row.edit == "concern":
            self.action_concern()
            return
        if not row.edit:
            tell(self, "This section is not graded, so there is nothing to write here.")
            return
        if not self.may_edit():
            return
        if row.edit == "involved":
            self.run_worker(self.forms.involved(), exclusive=True, group="tool-form")
        else:
            self.editor.start(row)

    def action_back(self) -> None:
        if self.editing is not None:
            self.editor.finish()
            return
        self.run_worker(self.leave(), exclusive=True, group="tool-leave")

    async def leave(self) -> None:
        """Save what is unsaved and journal the typing (off the event loop), then go back;
        a save that fails keeps the return open, with the reason."""
        if await self.autosave.settle() and self.app.screen is self:
            self.dismiss(None)

    def action_concern(self) -> None:
        self.run_worker(self.forms.concern(), exclusive=True, group="tool-form")

    def action_clarify(self) -> None:
        self.run_worker(self.forms.clarify(), exclusive=True, group="tool-form")

    def action_acknowledge(self) -> None:
        self.run_worker(self.forms.acknowledge(), exclusive=True, group="tool-form")

    def action_submit(self) -> None:
        self.run_worker(self.forms.submit(), exclusive=True, group="tool-form")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        ws = ctx(self.app).ws
        if action in _CHANGES and hasattr(self, "autosave"):
            # A return this user may not change (received, another agency's, a viewer, a
            # read-only workspace) does not offer its keys; the title says why.
            return self.readonly_reason() is None
        if action == "clarify":
            return ws.can(Act.RETURN_FOR_CLARIFICATION)
        if action == "acknowledge":
            return ws.can(Act.ACKNOWLEDGE_CONCERN)
        return True

def same_height(widget: Static, old: Text, new: Text) -> bool:
    """Whether `new` takes as many lines as `old` in `widget` as laid out now (then it can
    be painted in place, without laying out the screen again)."""
    width, rule = widget.content_region.width, widget.styles.width
    if width <= 0 or (rule is not None and rule.is_auto):  # unset: as wide as its container
        return False
    rules = cast(RulesMap, widget.styles)
    return bool(visualize(widget, old).get_height(rules, width) == visualize(widget, new).get_height(rules, width))


_CHANGES = frozenset({"answer", "grade", "edit", "submit"})

