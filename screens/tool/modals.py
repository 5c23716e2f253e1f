"""The tool's gap list: every item missing before a return can be submitted, each one a
key press away from the place it is missing."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from screens.dialogs.base import Dialog
from screens.widgets.footer import Footer
from screens.widgets.lists import PickList

from audit.returns import Gap


class GapsScreen(Dialog[str | None]):
    """Lists gaps; enter returns the chosen gap's locator (``question:<id>`` …)."""

    CSS_PATH = "tool.tcss"

    BINDINGS = [
        Binding("escape", "close", "Close", id="tool-info.close"),
    ]

    def __init__(self, gaps: list[Gap]) -> None:
        super().__init__()
        self.gaps = gaps

    def compose(self) -> ComposeResult:
        count = "1 gap" if len(self.gaps) == 1 else f"{len(self.gaps)} gaps"
        with Vertical():
            yield Static(Text(f"Not submitted: {count} to fill first."), id="gaps-title", classes="dialog-title")
            yield PickList(*[Option(Text(f"✗ {gap.message}"), id=str(i)) for i, gap in enumerate(self.gaps)])
            yield Static(Text("enter goes to the highlighted gap   ·   esc closes"), id="gaps-keys", classes="dialog-keys")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.gaps[int(event.option.id or 0)].where)
