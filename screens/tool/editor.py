"""The audit tool's editor: text typed right under the highlighted item, saved as typed.

One way of editing for every field (issue 18 item 6): a one-line field, a date and a
multi-line field all open here keeping what is there; enter ends a one-line field or a
date, esc ends any; a date is checked when done and never dropped without a word.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static, TextArea

from audit import return_transitions as domain
from audit.dates import parse_date
from screens.tool.rows import ToolRow, editor_hint, label_of, value_of
from storage.workspace import now

if TYPE_CHECKING:
    from screens.tool.screen import ToolScreen


class ToolEditor(Vertical):
    """Shown under the detail while ``row`` is being edited (the side pane's ``editing``
    class); each change goes to the screen's autosave as it is typed."""

    def __init__(self, tool: ToolScreen) -> None:
        super().__init__(id="tool-editor")
        self.tool = tool
        self.row: ToolRow | None = None

    def compose(self) -> ComposeResult:
        yield Label(id="tool-editor-label")
        yield Static(id="tool-editor-problem")
        # The existing text is kept, the cursor at its end: `e` adds to it.
        yield Input(id="tool-line", select_on_focus=False)
        text = TextArea(id="tool-text", soft_wrap=True, tab_behavior="focus")
        text.show_line_numbers = False
        yield text

    def start(self, row: ToolRow) -> None:
        """Open the editor under the item's text: one-line, date and multi-line fields
        alike, each saved as typed (a date once it is whole), esc always done."""
        tool = self.tool
        self.row = row
        tool.query_one("#tool-side").add_class("editing")
        line, area = self.query_one("#tool-line", Input), self.query_one("#tool-text", TextArea)
        value = value_of(row, tool.ret)
        what = {"question": "Evidence", "section": "Rationale for the grade"}.get(row.kind) or label_of(row)
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
            tool.set_focus(line)
            line.cursor_position = len(value)
        else:
            area.load_text(value)
            tool.set_focus(area)
            area.move_cursor(area.document.end)

    def finish(self) -> None:
        """enter in a one-line or date field, esc in any: keep what was typed and close.

        A date is checked first: one that is not a date keeps the editor open with the
        reason, so a typed date is never dropped without a word."""
        row, tool = self.row, self.tool
        if row is not None and row.edit == "date":
            typed = self.query_one("#tool-line", Input).value.strip()
            try:
                when = parse_date(typed) if typed else None
            except ValueError as exc:
                self.show_problem(f"✗ {exc}. Correct it, or empty the field to leave the date blank.")
                return
            if when != tool.ret.completed_on and tool.may_edit():
                tool.autosave.record(row.id, tool.autosave.setter("completed_on", when))
        self.stop()

    def show_problem(self, text: str) -> None:
        problem = self.query_one("#tool-editor-problem", Static)
        problem.update(Text(text))
        problem.display = bool(text)

    def stop(self) -> None:
        if self.row is None:
            return
        tool = self.tool
        self.row = None
        tool.query_one("#tool-side").remove_class("editing")
        tool.set_focus(tool.query_one(OptionList))  # at once, as in start
        tool.autosave.settle_soon()  # the editor closed: save now, and journal the net change of the typing
        tool.refresh_view(identity=False)  # the detail in place of the editor

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "tool-line" and self.row is not None:
            if self.row.edit == "date":
                self.show_problem("")  # checked when done: half a date is not a date yet
            else:
                self.typed(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "tool-line":
            event.stop()
            self.finish()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.id == "tool-text":
            self.typed(event.text_area.text)

    def typed(self, value: str) -> None:
        row, autosave = self.row, self.tool.autosave
        if row is None:
            return
        by = autosave.login
        if row.kind == "question":
            qid = row.field
            autosave.record(row.id, lambda r: domain.set_answer(r, by, now(), qid, evidence=value), typing=True)
        elif row.kind == "section":
            objective = row.field
            autosave.record(row.id, lambda r: domain.set_grade(r, by, now(), objective, rationale=value), typing=True)
        else:
            autosave.record(row.id, autosave.setter(row.field, value), typing=True)
