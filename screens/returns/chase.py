"""The chase list (c in Returns): what is outstanding, to read, copy (y) or export (x)
to a text file; under `maca serve` the export is an ssh command instead of a server path."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static, TextArea

from screens.context import ctx
from screens.dialogs.base import Dialog
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import FormField, FormScreen
from screens.saving import tell
from screens.widgets.footer import Footer
from storage.errors import WorkspaceError


class ChaseScreen(Dialog[None]):
    """The chase list: read it, select and copy it, `y` copies all, `x` exports it to a file."""

    CSS_PATH = "returns.tcss"

    BINDINGS = [
        Binding("x", "export", "Export to a file", id="chase.export"),
        Binding("y", "copy", "Copy all", id="chase.copy"),
        Binding("escape", "close", "Close", id="chase.close"),
    ]

    def __init__(self, title: str, lines: list[str], default_path: Path, workspace: Path,
                 served_command: list[str] | None = None) -> None:
        super().__init__()
        self.served_command = served_command or []  # the `maca serve` command that sends this list
        self.chase_title = title
        self.lines = lines
        self.default_path = default_path
        self.workspace = workspace

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n" if self.lines else ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.chase_title), id="chase-title", classes="dialog-title")
            area = TextArea(self.text or "Nothing is outstanding.", read_only=True, soft_wrap=False,
                            id="chase-text")
            area.show_line_numbers = False
            yield area
            yield Static(Text("x export to a text file   ·   y copy all to the clipboard   ·   esc close"),
                         id="chase-keys", classes="dialog-keys")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        tell(self, f"Copied {len(self.lines)} lines to the clipboard (where the terminal allows it).")

    @work(exclusive=True, group="chase-export")
    async def action_export(self) -> None:
        served = ctx(self.app).served
        if served is not None:  # no server path: the list comes down the SSH channel
            from screens.dialogs.ssh_command import SshCommandScreen

            self.app.push_screen(SshCommandScreen(
                "Export the chase list",
                "Run this on your own computer; the list is saved in the file named after >.",
                [("The chase list as a text file", served.fetch(self.served_command, self.default_path.name))]))
            return
        values = await self.app.push_screen_wait(FormScreen("Export the chase list", [
            FormField("path", "Save to", value=str(self.default_path), required=True, max_length=4096,
                      hint="A plain text file, one line per outstanding return.")], save_label="Export"))
        if values is None:
            return
        from storage.user_files import check_destination, write_user_file

        path = Path(values["path"]).expanduser()
        try:
            check_destination(self.workspace, path)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        if not path.parent.is_dir():
            tell(self, f"The folder {path.parent} does not exist; nothing was written.", error=True)
            return
        if path.is_dir():
            tell(self, f"{path} is a folder; give a file name.", error=True)
            return
        if path.exists() and not await self.app.push_screen_wait(
                ConfirmScreen(f"{path} exists. Replace it?", "replace")):
            return
        try:
            write_user_file(self.workspace, path, self.text.encode("utf-8"))
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        tell(self, f"Chase list written to {path}.")
