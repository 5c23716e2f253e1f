"""One form modal for every small edit: fields in, checked values out.

Each field says what it holds (text, long text, date, whole number, one choice, several
choices); the form converts and checks them, lists every problem in one place, and
returns a dict only when everything is valid.  Nothing is saved here: the caller saves
the values and handles refusals and conflicts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from audit.dates import format_uk, parse_date
from audit.text import MAX_TEXT, strip_control
from screens.context import WorkspaceChanged
from screens.widgets.tick_list import TickList
from screens.dialogs.base import Dialog
from screens.widgets.footer import Footer

FieldKind = Literal["text", "textarea", "date", "int", "select", "multi"]


@dataclass
class FormField:
    name: str
    label: str
    kind: FieldKind = "text"
    value: Any = None
    options: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    required: bool = False
    hint: str = ""
    max_length: int = MAX_TEXT


Validator = Callable[[dict[str, Any]], list[str]]
OnChange = Callable[["FormScreen", str, Any], None]  # (form, field name, new value) after a choice


def _must_fill(f: FormField) -> bool:
    """Whether the field is marked required (*): a choice that already holds one of its
    options, such as "(any)", cannot be left empty, so it asks nothing of the user."""
    if f.kind == "select" and f.value is not None and any(value == f.value for _, value in f.options):
        return False
    return f.required


class FormScreen(Dialog[dict[str, Any] | None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("escape", "close", "Cancel", id="form.cancel"),
    ]

    def __init__(self, title: str, fields: list[FormField], validate: Validator | None = None,
                 *, save_label: str = "Save", on_change: OnChange | None = None) -> None:
        super().__init__()
        self.form_title = title
        self.fields = fields
        self.validate = validate
        # What ctrl+s does here, in the button and the footer alike ("Draw", "Show"...).
        self.save_label = save_label
        self.on_change = on_change
        if save_label != "Save":
            keys = self._bindings.key_to_bindings
            for key, bindings in keys.items():
                keys[key] = [dataclasses.replace(b, description=save_label) if b.action == "save" else b
                             for b in bindings]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.form_title), id="form-title", classes="dialog-title")
            yield Static("", id="form-notice")
            yield Static("", id="form-errors")
            with VerticalScroll():
                for f in self.fields:
                    label = f.label + (" *" if _must_fill(f) else "")
                    yield Label(Text(label))
                    yield self._widget(f)
                    if f.hint:
                        yield Static(Text(f.hint), classes="hint")
            with Horizontal(id="form-buttons"):
                yield Button(f"{self.save_label} (ctrl+s)", id="form-save", variant="primary")
                yield Button("Cancel (esc)", id="form-cancel")
        yield Footer()

    def _widget(self, f: FormField) -> Any:
        wid = f"field-{f.name}"
        if f.kind == "textarea":
            area = TextArea(str(f.value or ""), id=wid, soft_wrap=True, tab_behavior="focus")
            area.show_line_numbers = False
            return area
        if f.kind == "select":
            options = [(Text(label), value) for label, value in f.options]
            return Select(options, value=f.value if f.value is not None else Select.NULL, id=wid,
                          allow_blank=not f.required)
        if f.kind == "multi":
            chosen = set(f.value or [])
            return TickList(*[(Text(label), value, value in chosen) for label, value in f.options], id=wid)
        if f.kind == "date":
            value = format_uk(f.value) if isinstance(f.value, date) else str(f.value or "")
            return Input(value, id=wid, placeholder="DD/MM/YYYY")
        if f.kind == "int":
            return Input("" if f.value is None else str(f.value), id=wid, type="integer")
        return Input(str(f.value or ""), id=wid)

    def on_mount(self) -> None:
        first = self.query("VerticalScroll > *").exclude("Label").exclude(".hint").first()
        first.focus()
        self._typed_at_start = self._typed()

    def _typed(self) -> list[Any]:
        """Every field as it stands on screen, unconverted (to notice unsaved typing)."""
        shown: list[Any] = []
        for f in self.fields:
            widget = self.query_one(f"#field-{f.name}")
            if isinstance(widget, TextArea):
                shown.append(widget.text)
            elif isinstance(widget, TickList):
                shown.append(sorted(widget.selected))
            else:
                shown.append(getattr(widget, "value", None))
        return shown

    def unsaved_work(self) -> str | None:
        """What ctrl+q would lose: anything typed here and not yet saved (screens.dialogs.quit)."""
        if self._typed() == getattr(self, "_typed_at_start", None):
            return None
        return f"what you typed in “{self.form_title}”, not yet saved (ctrl+s saves it)"

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter in a one-line field submits, as everywhere else: moving focus to a button
        # instead swallowed the next typed text, and a missing value went unsaid.
        event.stop()
        self.action_save()

    def on_select_changed(self, event: Select.Changed) -> None:
        if self.on_change is not None and event.select.id and event.select.id.startswith("field-"):
            self.on_change(self, event.select.id.removeprefix("field-"), event.value)

    @on(Button.Pressed, "#form-save")
    def save_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed, "#form-cancel")
    def cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_close()

    def on_workspace_changed(self, message: WorkspaceChanged) -> None:
        # What the user is typing is never replaced; they are told, and saving checks.
        if message.changes.own:
            return  # this session's own commit (an autosave, a journaled refusal)
        self.notice("Someone else saved a change meanwhile. Your typing is kept; if they changed the "
                    "same thing, saving will show both versions and let you choose.")

    def notice(self, text: str) -> None:
        """Tell the user something changed underneath without touching what they typed."""
        widget = self.query_one("#form-notice", Static)
        widget.update(Text("⚠ " + text))
        widget.add_class("shown")

    def action_save(self) -> None:
        values: dict[str, Any] = {}
        problems: list[str] = []
        wrong: FormField | None = None
        for f in self.fields:
            try:
                values[f.name] = self._read(f)
            except ValueError as exc:
                problems.append(f"{f.label}: {exc}.")
                wrong = wrong or f
        if not problems and self.validate is not None:
            problems = self.validate(values)
        errors = self.query_one("#form-errors", Static)
        if problems:
            errors.update(Text("\n".join("✗ " + p for p in problems)))
            errors.add_class("shown")
            # Typing goes on into the field to put right, never into a button.
            if wrong is not None:
                self.query_one(f"#field-{wrong.name}").focus()
            return
        self.dismiss(values)

    def _read(self, f: FormField) -> Any:
        wid = f"#field-{f.name}"
        if f.kind == "textarea":
            raw = self.query_one(wid, TextArea).text
        elif f.kind == "select":
            value = self.query_one(wid, Select).value
            if value is Select.NULL:
                if f.required:
                    raise ValueError("choose one")
                return None
            return value
        elif f.kind == "multi":
            chosen = list(self.query_one(wid, TickList).selected)
            if f.required and not chosen:
                raise ValueError("choose at least one")
            return chosen
        else:
            raw = self.query_one(wid, Input).value
        text = strip_control(raw).strip() if f.kind != "textarea" else strip_control(raw).strip("\n ")
        if f.required and not text:
            raise ValueError("this is required")
        if len(text) > f.max_length:
            raise ValueError(f"the text is {len(text):,} characters long; the most allowed is {f.max_length:,}")
        if f.kind == "date":
            return parse_date(text) if text else None
        if f.kind == "int":
            if not text:
                return None
            try:
                return int(text)
            except ValueError:
                raise ValueError(f"{text!r} is not a whole number") from None
        return text


def choice_field(name: str, label: str, value: str | None, options: list[tuple[str, str]], *,
                 none: str | None = None, hint: str = "") -> FormField:
    """A select that always holds a value: ``none`` adds an explicit "" choice (no filter,
    no objective) rather than relying on the Select's own blank, so the value read back is
    always one of the options' strings."""
    choices = ([(none, "")] if none is not None else []) + options
    legal = [v for _, v in choices]
    chosen = value if value in legal else (legal[0] if legal else "")
    return FormField(name, label, "select", chosen, choices, required=True, hint=hint)
