"""The audit tool: one agency's return for one cohort case (DESIGN §2 step 4, §3 keys).

The form is a list of rows (header, each section's grade, its questions, the overall
fields, the concern) with the highlighted row in full beside it.  Answers and grades are
single keys; text is typed into an editor under the detail and saved as it is typed
(:mod:`screens.tool.saving`); forms and status changes live in :mod:`screens.tool.actions`.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from audit import return_transitions as domain
from audit.access import Act, decide
from audit.dates import format_uk, parse_date
from audit.grades import Answer, Grade
from audit.returns import Return, Status, is_editable, progress
from screens.context import WorkspaceChanged, ctx
from screens.saving import tell
from screens.tool.actions import ToolActionsMixin
from screens.tool.rows import HEADER_FIELDS, OVERALL_FIELDS, ToolRow, editor_hint, tool_rows
from screens.tool.saving import Change
from screens.widgets.identity import IdentityBar
from screens.widgets.footer import Footer
from storage import returns as ops
from storage.errors import WorkspaceError
from storage.workspace import now


class ToolScreen(ToolActionsMixin, Screen[None]):  # type: ignore[misc]  # the mixins' set_timer; goes with them (issue 14)
    CSS_PATH = "tool.tcss"
    BINDINGS = [
        Binding("j", "cursor(1)", "Down", show=False, id="move.down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="move.up"),
        Binding("g", "cursor_end(0)", "First", show=False, id="move.first"),
        Binding("G", "cursor_end(1)", "Last", show=False, id="move.last"),
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
        self.pending: list[tuple[str, Change]] = []  # (row id, change) not yet saved
        self.editing: ToolRow | None = None
        self.save_state = Text("")
        self.shown: dict[str, Text] = {}
        self._timer = None
        self._idle = None
        self.unsettled = False
        self._resolving = False
        self.sub_title = "Audit tool"

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield IdentityBar()
        with Horizontal(id="tool-top"):
            yield Static(id="tool-title")
            yield Static(id="tool-saved")
        yield Static(id="tool-notice")
        with Horizontal(id="tool-body"):
            yield OptionList(id="tool-list")
            with Vertical(id="tool-side"):
                with VerticalScroll(id="tool-detail-scroll"):
                    yield Static(id="tool-detail")
                with Vertical(id="tool-editor"):
                    yield Label(id="tool-editor-label")
                    yield Static(id="tool-editor-problem")
                    # The existing text is kept, the cursor at its end: `e` adds to it.
                    yield Input(id="tool-line", select_on_focus=False)
                    text = TextArea(id="tool-text", soft_wrap=True, tab_behavior="focus")
                    text.show_line_numbers = False
                    yield text
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
            self.base = ops.open_return(ws, self.audit_ref, self.case_ref, self.agency)
        except WorkspaceError as exc:  # e.g. the case left the cohort a moment ago
            tell(self, str(exc), error=True)
            self.call_after_refresh(self.dismiss, None)
            return
        self.ret = self.base
        self.objectives = {o.id: o.text for o in self.audit.objectives}
        stamp = self.base.updated_at
        if stamp is not None:
            self.set_save_state(f"saved {stamp:%d/%m/%Y %H:%M} by {self.base.updated_by}", "dim")
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
        if identity:
            self.refresh_bindings()  # submitted, sent back, or another session's save: keys follow
        partnership = ws.partnership()
        agency_name = partnership.agency_label(self.agency)
        if identity:
            who = ws.user.describe() if ws.user else ws.login
            self.query_one(IdentityBar).show(f"{self.audit_ref} · {self.agency} return · {partnership.name}", who,
                                             warning="read-only" if ws.read_only_reason else "")
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
        """Rebuild the rows; replace only the changed prompts when the shape is the same."""
        rows = tool_rows(self.ret, self.tool, self.objectives)
        options = self.query_one(OptionList)
        if [r.id for r in rows] == [r.id for r in self.rows]:
            for index, (old, new) in enumerate(zip(self.rows, rows)):
                if old.label != new.label:
                    options.replace_option_prompt_at_index(index, new.label)
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
        self.query_one("#tool-detail", Static).update(row.detail if row else Text(""))

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
        """Update a Static only when its text changed: typing must not re-lay-out the screen."""
        widget = self.query_one(selector, Static)
        if self.shown.get(selector) != text:
            self.shown[selector] = text
            widget.update(text)

    def on_workspace_changed(self, _: WorkspaceChanged) -> None:
        """Another session saved: show their version unless we hold unsaved changes
        (then the next save meets theirs as a conflict and the user chooses)."""
        if not hasattr(self, "ret") or not self.query("#tool-list"):
            return  # never opened (see on_mount), or being taken down
        stored = ctx(self.app).ws.get_return(self.audit_ref, self.case_ref, self.agency)
        if stored is not None and stored.rev != self.base.rev and not self.pending and self.editing is None:
            self.base = self.ret = stored
        self.refresh_view()

    # ------------------------------------------------------------------ changing

    # ------------------------------------------------------------------ keys

    def action_cursor(self, step: int) -> None:
        options = self.query_one(OptionList)
        options.action_cursor_down() if step > 0 else options.action_cursor_up()

    def action_cursor_end(self, last: int) -> None:
        options = self.query_one(OptionList)
        options.action_last() if last else options.action_first()

    def action_answer(self, value: str) -> None:
        row = self.current_row()
        if row is None:
            return
        if row.id == "header.involved":
            if value in ("yes", "no") and self.may_edit():
                self.record(row.id, self.setter("involved", value == "yes"))
            elif value not in ("yes", "no"):
                tell(self, "Involved: press y for yes or n for no.")
            return
        if row.kind != "question":
            tell(self, "Highlight a question to answer it (y yes, p partly, n no, x not applicable).")
            return
        if self.may_edit():
            answer = Answer(value)
            qid = row.field
            self.record(row.id, lambda r: domain.set_answer(r, self.login, now(), qid, answer=answer))

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
        if self.record(f"section:{objective}",
                       lambda r: domain.set_grade(r, self.login, now(), objective, grade=grade)):
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
            self.edit_involved()
        else:
            self.start_editing(row)

    def start_editing(self, row: ToolRow) -> None:
        """Open the editor under the item's text: one-line, date and multi-line fields
        alike, each saved as typed (a date once it is whole), esc always done."""
        self.editing = row
        self.query_one("#tool-side").add_class("editing")
        line, area = self.query_one("#tool-line", Input), self.query_one("#tool-text", TextArea)
        value = _value_of(row, self.ret)
        what = {"question": "Evidence", "section": "Rationale for the grade"}.get(row.kind) or _label_of(row)
        self.query_one("#tool-editor-label", Label).update(editor_hint(what, row.edit))
        self.show_problem("")
        line.display = row.edit in ("line", "date")
        area.display = row.edit == "text"
        # Focus at once (not after the queued events, as widget.focus() would): keys typed
        # right after e must land in the editor, not answer questions.
        if row.edit in ("line", "date"):
            line.placeholder = "DD/MM/YYYY" if row.edit == "date" else ""
            with line.prevent(Input.Changed):
                line.value = value
            self.set_focus(line)
            line.cursor_position = len(value)
        else:
            area.load_text(value)
            self.set_focus(area)
            area.move_cursor(area.document.end)

    def finish_editing(self) -> None:
        """enter in a one-line or date field, esc in any: keep what was typed and close.

        A date is checked first: one that is not a date keeps the editor open with the
        reason, so a typed date is never dropped without a word."""
        row = self.editing
        if row is not None and row.edit == "date":
            typed = self.query_one("#tool-line", Input).value.strip()
            try:
                when = parse_date(typed) if typed else None
            except ValueError as exc:
                self.show_problem(f"✗ {exc}. Correct it, or empty the field to leave the date blank.")
                return
            if when != self.ret.completed_on and self.may_edit():
                self.record(row.id, self.setter("completed_on", when))
        self.stop_editing()

    def show_problem(self, text: str) -> None:
        problem = self.query_one("#tool-editor-problem", Static)
        problem.update(Text(text))
        problem.display = bool(text)

    def stop_editing(self) -> None:
        if self.editing is None:
            return
        self.editing = None
        self.query_one("#tool-side").remove_class("editing")
        self.set_focus(self.query_one(OptionList))  # at once, as in start_editing
        self.settle()  # the editor closed: save now, and journal the net change of the typing
        self.refresh_view(identity=False)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "tool-line" and self.editing is not None:
            if self.editing.edit == "date":
                self.show_problem("")  # checked when done: half a date is not a date yet
            else:
                self.typed(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "tool-line":
            event.stop()
            self.finish_editing()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.id == "tool-text":
            self.typed(event.text_area.text)

    def typed(self, value: str) -> None:
        row = self.editing
        if row is None:
            return
        if row.kind == "question":
            qid = row.field
            self.record(row.id, lambda r: domain.set_answer(r, self.login, now(), qid, evidence=value), typing=True)
        elif row.kind == "section":
            objective = row.field
            self.record(row.id, lambda r: domain.set_grade(r, self.login, now(), objective, rationale=value),
                        typing=True)
        else:
            self.record(row.id, self.setter(row.field, value), typing=True)

    def action_back(self) -> None:
        if self.editing is not None:
            self.finish_editing()
            return
        if self.settle():
            self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        ws = ctx(self.app).ws
        if action in _CHANGES and hasattr(self, "ret"):
            # A return this user may not change (received, another agency's, a viewer, a
            # read-only workspace) does not offer its keys; the title says why.
            return self.readonly_reason() is None
        if action == "clarify":
            return ws.can(Act.RETURN_FOR_CLARIFICATION)
        if action == "acknowledge":
            return ws.can(Act.ACKNOWLEDGE_CONCERN)
        return True

_CHANGES = frozenset({"answer", "grade", "edit", "submit"})


def _value_of(row: ToolRow, ret: Return) -> str:
    """The text a row's editor starts from."""
    if row.kind == "question":
        given = ret.answers.get(row.field)
        return given.evidence if given else ""
    if row.kind == "section":
        graded = ret.sections.get(row.field)
        return graded.rationale if graded else ""
    if row.edit == "date":
        return format_uk(ret.completed_on, "")
    return str(getattr(ret, row.field) or "")


def _label_of(row: ToolRow) -> str:
    if row.field in HEADER_FIELDS:
        return HEADER_FIELDS[row.field][0]
    if row.field in OVERALL_FIELDS:
        return OVERALL_FIELDS[row.field][0]
    return row.field
