"""Shown instead of a broken layout when the terminal is under 80×24 (DESIGN §10)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static

MIN_WIDTH = 80
MIN_HEIGHT = 24


class TooSmallScreen(ModalScreen[None]):
    """Not a `Dialog`: no box, and no key closes it; it goes when the terminal grows."""

    CSS_PATH = "dialogs.tcss"

    def compose(self) -> ComposeResult:
        yield Static(
            f"This terminal is too small for maca.\nMake it at least {MIN_WIDTH}×{MIN_HEIGHT} "
            "characters; your work is kept.\nctrl+q quits."
        )
