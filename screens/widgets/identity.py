"""The top bar: partnership, audit and stage, and who you are (DESIGN §3)."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


class IdentityBar(Widget):
    """One line built from Text, so no name can inject markup.

    Who you are stays whole at the right; the place (partnership · audit · stage) gives
    way with an ellipsis when the terminal is narrow.
    """

    DEFAULT_CSS = """
    IdentityBar {
        height: 1;
        width: 1fr;
        background: $primary;
        color: $text;
        padding: 0 1;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.where = ""
        self.who = ""
        self.warning = ""

    def show(self, where: str, who: str, warning: str = "") -> None:
        self.where, self.who, self.warning = where, who, warning
        self.refresh()

    def render(self) -> Text:
        width = max(self.content_region.width, 20)
        right = Text(no_wrap=True)
        if self.warning:
            right.append("⚠ " + self.warning + "  ", style="bold")
        right.append(self.who, style="italic")
        left = Text(no_wrap=True, overflow="ellipsis")
        left.append("maca", style="bold")
        left.append("  " + self.where)
        room = max(width - right.cell_len - 2, 8)
        left.truncate(room, overflow="ellipsis")
        gap = max(width - left.cell_len - right.cell_len, 1)
        return Text.assemble(left, " " * gap, right, no_wrap=True)

    def __str__(self) -> str:
        return f"maca  {self.where}  ·  {self.warning + ' ' if self.warning else ''}{self.who}"
