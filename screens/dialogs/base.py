"""The one dialog: a box in the middle of the screen that escape closes.

Every modal of maca is a `Dialog`.  It composes one `Vertical`, the box, which the base
centres and draws (auto height, the surface colour, a rounded accent border); what
differs (width, height, the border's colour, its own rows) is in the `.tcss` beside the
dialog, loaded with `CSS_PATH`.

Escape closes every dialog: each binds it to `close` under its own id and word ("Close",
"No", "Stay", "Decide later"; tests/app/test_keys.py checks), which dismisses the dialog
with `closed_result()` (None; a yes/no question says False).  The binding is each
dialog's, not the base's, because a binding inherited from a base class comes first in
the footer, before the keys the dialog is about.
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

Result = TypeVar("Result")


class Dialog(ModalScreen[Result]):
    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > Vertical {
        width: 90; max-width: 98%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    Dialog .dialog-title { text-style: bold; }
    Dialog .dialog-keys { color: $text-muted; }
    """
    def closed_result(self) -> Result | None:
        """What closing without an answer returns."""
        return None

    def action_close(self) -> None:
        self.dismiss(self.closed_result())
