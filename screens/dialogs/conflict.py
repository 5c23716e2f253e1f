"""Someone else saved the same thing first: show both versions and let the user choose."""

from __future__ import annotations

import json
from typing import Any, Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static
from screens.dialogs.base import Dialog
from screens.widgets.footer import Footer

Choice = Literal["mine", "theirs"]


def _show(value: Any) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, str):
        return value or "(empty)"
    return json.dumps(value, ensure_ascii=False, indent=1)[:2000]


def differences(mine: dict[str, Any] | None, theirs: dict[str, Any] | None) -> list[tuple[str, Any, Any]]:
    """(field, theirs, mine) for every top-level field that differs, rev and timestamps aside."""
    mine = mine or {}
    theirs = theirs or {}
    skip = {"rev", "updated_at", "updated_by"}
    keys = [k for k in dict.fromkeys([*theirs, *mine]) if k not in skip and theirs.get(k) != mine.get(k)]
    return [(k, theirs.get(k), mine.get(k)) for k in keys]


class ConflictScreen(Dialog[Choice | None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("m", "choose('mine')", "Use my change", id="conflict.mine"),
        Binding("t", "choose('theirs')", "Keep theirs", id="conflict.theirs"),
        Binding("escape", "close", "Decide later", id="conflict.later"),
    ]

    def __init__(self, message: str, mine: dict[str, Any] | None, theirs: dict[str, Any] | None,
                 mine_label: str = "Your change") -> None:
        super().__init__()
        self.message = message
        self.mine = mine
        self.theirs = theirs
        self.mine_label = mine_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("⚠ " + self.message, style="bold"))
            with VerticalScroll():
                diffs = differences(self.mine, self.theirs)
                if self.theirs is None:
                    yield Static(Text("Their version: deleted."))
                for name, theirs, mine in diffs:
                    yield Static(Text(name.replace("_", " "), style="underline"))
                    with Horizontal():
                        yield Static(Text.assemble(("Saved by them\n", "bold"), _show(theirs)), classes="side")
                        yield Static(Text.assemble((self.mine_label + "\n", "bold"), _show(mine)), classes="side")
            yield Static(
                Text("m  put my change on top of their version   ·   t  keep theirs, drop mine   ·   esc  decide later"),
                id="conflict-keys", classes="dialog-keys",
            )
        yield Footer()

    def action_choose(self, choice: Choice | None) -> None:
        self.dismiss(choice)
