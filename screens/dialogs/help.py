"""`?` / `f1`: the keys in force on the screen underneath, grouped by what they do
(`screens.widgets.keys`), each with its id for the user's keymap.toml."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from screens.dialogs.base import Dialog
from screens.widgets.footer import Footer
from screens.widgets.keys import MOVE, MOVE_NOTE, Row

class HelpScreen(Dialog[None]):
    """A scrollable list of keys; any of escape, ? or f1 closes it."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [
        Binding("escape,question_mark,f1,q", "close", "Close help", id="help.close"),
        Binding("j", "scroll('down')", "Down", show=False, id="move.down"),
        Binding("down", "scroll('down')", "Down", show=False, id="arrow.down"),
        Binding("k", "scroll('up')", "Up", show=False, id="move.up"),
        Binding("up", "scroll('up')", "Up", show=False, id="arrow.up"),
    ]

    def __init__(self, title: str, groups: list[tuple[str, list[Row]]],
                 notes: list[str] | None = None, foot: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.groups = groups
        self.notes = notes or []
        self.foot = foot
        self.key_width = max((len(keys) for _, rows in groups for keys, _, _ in rows), default=4)

    @property
    def foot_text(self) -> str:
        return self.foot or "esc, ? or f1 closes this help."

    def plain_text(self) -> str:
        """What the help says, as plain lines (for tests and screen readers' copy)."""
        lines = [self.title_text]
        for group, rows in self.groups:
            lines.append(group)
            lines += [f"  {keys}  {description}  {ids}" for keys, description, ids in rows]
        return "\n".join(lines + self.notes)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text), id="help-title", classes="dialog-title")
            with VerticalScroll(id="help-keys"):
                for group, rows in self.groups:
                    yield Static(Text(group, style="bold underline"), classes="help-group")
                    # Three columns (keys, what they do, the id for keymap.toml), so a long
                    # line wraps inside its own column.
                    table = Table.grid(padding=(0, 2), expand=True)
                    table.add_column(style="bold", no_wrap=True, min_width=self.key_width)
                    table.add_column(ratio=1)
                    table.add_column(style="dim", no_wrap=True, justify="right")
                    for keys, description, ids in rows:
                        table.add_row(keys, Text(description), Text(ids))
                    yield Static(table, classes="help-rows")
                    if group == MOVE:
                        yield Static(Text(MOVE_NOTE, style="italic"), classes="help-rows")
                if self.notes:
                    yield Static(Text("\n".join(self.notes), style="italic"), id="help-notes")
            yield Static(Text(self.foot_text), id="help-foot", classes="dialog-keys")
        yield Footer()

    def on_resize(self) -> None:
        # The keys scroll inside the box, so that its title and closing line stay in view
        # on a short terminal: at 80x24 the list took the whole box, pushing "Everywhere"
        # (ctrl+q), the palette note and "esc closes" out of it, and j/k could not scroll.
        # The box may be 90% of the screen above the footer; its border takes 2 lines, the
        # title 1, and the foot its margin and as many lines as it wraps to.
        width = min(84, int(self.size.width * 0.95)) - 4  # the border and padding
        foot = len(Text(self.foot_text).wrap(self.app.console, max(10, width)))
        room = int((self.size.height - 1) * 0.9) - 4 - foot
        for scroller in self.query("#help-keys").results(VerticalScroll):  # none before compose
            scroller.styles.max_height = max(3, room)

    def action_scroll(self, direction: str) -> None:
        scroller = self.query_one("#help-keys", VerticalScroll)
        if direction == "down":
            scroller.scroll_down()
        else:
            scroller.scroll_up()
