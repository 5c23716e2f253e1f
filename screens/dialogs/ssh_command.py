"""The `ssh` commands that move a file over the channel, shown in place of a path field
when the app runs under `maca serve` (DESIGN §1): pick one, `enter` or `y` copies it."""

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


class SshCommandScreen(Dialog[None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("y", "copy", "Copy", id="ssh-command.copy"),
        Binding("escape", "close", "Close", id="ssh-command.close"),
    ]

    def __init__(self, title: str, intro: str, commands: list[tuple[str, str]]) -> None:
        """``commands``: (what it does, the command line) pairs."""
        super().__init__()
        self.ssh_title = title
        self.intro = intro
        self.commands = commands

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.ssh_title), id="ssh-title", classes="dialog-title")
            yield Static(Text(self.intro), id="ssh-intro")
            yield PickList(*[Option(Text.assemble((f"{label}\n", "italic"), command), id=str(i))
                               for i, (label, command) in enumerate(self.commands)], id="ssh-commands")
            yield Static(Text("enter / y copy the highlighted command to the clipboard   ·   esc close"),
                         id="ssh-keys", classes="dialog-keys")
        yield Footer()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @property
    def highlighted_command(self) -> str:
        index = self.query_one(OptionList).highlighted or 0
        return self.commands[index][1]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_copy()

    def action_copy(self) -> None:
        command = self.highlighted_command
        self.app.copy_to_clipboard(command)
        self.app.notify(f"Copied: {command} (where the terminal allows it; run it on your own computer).",
                        markup=False)
