"""The top bar: partnership, audit and stage, and who you are (DESIGN §3)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class IdentityBar(Static):
    """One line; built from Text so that no name can inject markup."""

    DEFAULT_CSS = """
    IdentityBar {
        height: 1;
        width: 1fr;
        background: $primary;
        color: $text;
        padding: 0 1;
    }
    """

    def show(self, where: str, who: str, warning: str = "") -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("maca", style="bold")
        text.append("  ")
        text.append(where)
        if warning:
            text.append("  ⚠ " + warning, style="bold")
        text.append("  ·  ")
        text.append(who, style="italic")
        self.update(text)
