"""A yes/no question, answered by key."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static
from screens.dialogs.base import Dialog
from screens.widgets.footer import Footer


class ConfirmScreen(Dialog[bool]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "close", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, yes: str = "yes") -> None:
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.question))
            yield Static(Text(f"y {self.yes}   ·   n / esc cancel"), id="confirm-keys", classes="dialog-keys")
        yield Footer()

    def closed_result(self) -> bool:
        return False

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
