"""Quitting with work not yet saved (issue 15 item 6): say what would be lost, then keep
trying or quit anyway.  Screens that hold unsaved work answer ``unsaved_work()``: it
tries to save first and returns a sentence only for what still could not be saved."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static
from screens.dialogs.base import Dialog
from screens.widgets.footer import Footer

__all__ = ["QuitScreen", "unsaved_work"]


def unsaved_work(app: App[Any]) -> list[str]:
    """What every open screen still has unsaved after trying to save it, top first."""
    lost: list[str] = []
    for screen in reversed(app.screen_stack):
        check = getattr(screen, "unsaved_work", None)
        if check is not None:
            what = check()
            if what:
                lost.append(what)
    return lost


class QuitScreen(Dialog[str]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("k", "answer('keep')", "Keep trying", id="quit.keep-trying"),
        Binding("q", "answer('quit')", "Quit anyway", id="quit.quit-anyway"),
        Binding("escape", "close", "Stay", id="quit.stay"),
    ]

    def __init__(self, lost: list[str]) -> None:
        super().__init__()
        self.lost = lost

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Not saved yet"), id="quit-title", classes="dialog-title")
            body = Text("If you quit now, this is lost:\n")
            for what in self.lost:
                body.append(f"• {what}\n")
            yield Static(body, id="quit-lost")
            yield Static(Text("k keep trying: save again, and quit once it is saved   ·   "
                              "q quit anyway and lose it   ·   esc stay"), id="quit-keys", classes="dialog-keys")
        yield Footer()

    def closed_result(self) -> str:
        return "stay"

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)
