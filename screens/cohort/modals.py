"""A scrollable report with an optional yes/no: import problems, import and draw confirmations.

The stock ConfirmScreen has no scrolling, and an import can list two hundred problems or
a draw a hundred cases, so this one scrolls its body (j/k, arrows, page keys).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static
from screens.dialogs.base import Dialog
from screens.widgets.footer import Footer


class ReportScreen(Dialog[bool]):
    """`question` set: y answers yes, n/esc no.  Otherwise any of esc/enter/q closes (False)."""

    CSS_PATH = "cohort.tcss"

    BINDINGS = [
        Binding("y", "yes", "Yes", id="cohort-report.yes"),
        Binding("n", "no", "No", id="cohort-report.no"),
        Binding("escape", "close", "Close", id="cohort-report.close"),
        Binding("enter,q", "close", "Close", show=False, id="cohort-report.close-also"),
        Binding("j", "scroll(1)", "Down", show=False, id="move.down"),
        Binding("down", "scroll(1)", "Down", show=False, id="arrow.down"),
        Binding("k", "scroll(-1)", "Up", show=False, id="move.up"),
        Binding("up", "scroll(-1)", "Up", show=False, id="arrow.up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="arrow.page-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="arrow.page-up"),
    ]

    def __init__(self, title: str, body: Text, *, question: str = "", yes: str = "yes",
                 refused: bool = False) -> None:
        super().__init__(classes="-refused" if refused else "")
        self.report_title = title
        self.body = body
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.report_title), id="report-title", classes="dialog-title")
            with VerticalScroll(id="report-body"):
                yield Static(self.body)
            if self.question:
                yield Static(Text(self.question), id="report-question")
                yield Static(Text(f"y {self.yes}   ·   n / esc cancel   ·   j/k scroll"), id="report-keys",
                             classes="dialog-keys")
            else:
                yield Static(Text("esc closes   ·   j/k scroll"), id="report-keys", classes="dialog-keys")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("yes", "no"):
            return bool(self.question)
        return True

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)

    def closed_result(self) -> bool:
        return False

    def action_scroll(self, step: int) -> None:
        scroller = self.query_one(VerticalScroll)
        scroller.scroll_down() if step > 0 else scroller.scroll_up()

    def action_page(self, step: int) -> None:
        scroller = self.query_one(VerticalScroll)
        scroller.scroll_page_down() if step > 0 else scroller.scroll_page_up()
