"""`?` / `f1`: every key of the screen underneath, with what it does."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

_KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "space": "space",
    "escape": "esc",
    "enter": "enter",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "pgup",
    "pagedown": "pgdn",
    "shift+up": "shift+↑",
    "shift+down": "shift+↓",
}


def key_label(key: str) -> str:
    return _KEY_NAMES.get(key, key)


def screen_keys(screen: Screen) -> list[tuple[str, str]]:
    """(keys, description) for every binding active on `screen`, grouped by action."""
    grouped: dict[str, tuple[list[str], str]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        description = binding.description or binding.tooltip
        if not description:
            continue
        keys, _ = grouped.setdefault(binding.action + "|" + description, ([], description))
        label = binding.key_display or key_label(key)
        if label not in keys:
            keys.append(label)
    return [(" / ".join(keys), description) for keys, description in grouped.values()]


class HelpScreen(ModalScreen[None]):
    """A scrollable list of keys; any of escape, ? or f1 closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 70; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    HelpScreen #help-title { text-style: bold; margin-bottom: 1; }
    HelpScreen VerticalScroll { height: auto; max-height: 30; }
    HelpScreen #help-foot { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape,question_mark,f1,q", "dismiss(None)", "Close help"),
        Binding("j,down", "scroll('down')", "Scroll down", show=False),
        Binding("k,up", "scroll('up')", "Scroll up", show=False),
    ]

    def __init__(self, title: str, keys: list[tuple[str, str]], notes: list[str] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.keys = keys
        self.notes = notes or []

    def compose(self) -> ComposeResult:
        table = Text()
        width = max((len(k) for k, _ in self.keys), default=4) + 2
        for keys, description in self.keys:
            table.append(keys.ljust(width), style="bold")
            table.append(description + "\n")
        for note in self.notes:
            table.append("\n" + note, style="italic")
        with Vertical():
            yield Static(Text(f"Keys: {self.title_text}"), id="help-title")
            with VerticalScroll():
                yield Static(table, id="help-keys")
            yield Static("esc, ? or f1 closes this help.", id="help-foot")
        yield Footer()

    def action_scroll(self, direction: str) -> None:
        scroller = self.query_one(VerticalScroll)
        if direction == "down":
            scroller.scroll_down()
        else:
            scroller.scroll_up()
