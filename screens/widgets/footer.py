"""maca's footer: only whole keys, the ones that matter first.

Textual's Footer lays every shown binding out in a row and cuts the row at the screen's
edge, so at 80 columns users saw "^q Qu" and "c Clear filt" while the keys a section is
about (the cohort's r and i) fell off.  This footer keeps the keys that fit, chosen by
what they do (changes first, then opening and exporting, filtering, going, moving; ? Help
always, ^q Quit last: both are in the help), and shows them in their usual order.
Whatever does not fit is on the help screen.
"""

from __future__ import annotations

from collections import defaultdict

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

from screens.widgets.keys import CHANGE, EVERYWHERE, FILTER, GO, MOVE, SEE, help_group

_RANK = {CHANGE: 1, SEE: 2, FILTER: 3, GO: 4, MOVE: 5, EVERYWHERE: 6}
PALETTE_WIDTH = 12  # "▏^p palette" docked on the right, with its border and padding


def rank(binding: Binding) -> int:
    """Lower is kept first; ? Help is always kept and ^q Quit goes first."""
    if binding.id == "app.help":
        return 0
    if binding.id == "app.quit":
        return 9
    return _RANK.get(help_group(binding.id), 8) if binding.id else 8


def key_width(key_display: str, description: str) -> int:
    """Cells a FooterKey takes: a space, the key, a space, the description, a space."""
    return len(key_display) + len(description) + 3


class Footer(TextualFooter):
    _laid_out_for = 0

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        active = self.screen.active_bindings
        by_action: defaultdict[str, list[tuple[Binding, bool, str]]] = defaultdict(list)
        for _, binding, enabled, tooltip in active.values():
            if binding.show:
                by_action[binding.action].append((binding, enabled, tooltip))
        entries = [bindings[0] for bindings in by_action.values()]
        width = self.app.size.width
        self._laid_out_for = width
        room = width - (PALETTE_WIDTH if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE else 0)
        sizes = [key_width(self.app.get_key_display(b), b.description) for b, _, _ in entries]
        keep: set[int] = set()
        used = 0
        for index in sorted(range(len(entries)), key=lambda i: (rank(entries[i][0]), i)):
            if used + sizes[index] <= room:
                keep.add(index)
                used += sizes[index]
        self.styles.grid_size_columns = len(keep)
        for index, (binding, enabled, tooltip) in enumerate(entries):
            if index in keep:
                key = FooterKey(binding.key, self.app.get_key_display(binding), binding.description,
                                binding.action, disabled=not enabled, tooltip=tooltip)
                # Born with the footer's compact (FooterKey defaults to True): otherwise each
                # key adds "-compact" on mount and the binding takes it off again, two
                # restylings per key on every redraw of the footer (every focus change).
                key.set_reactive(FooterKey.compact, self.compact)
                yield key.data_bind(compact=TextualFooter.compact)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            try:
                _node, binding, enabled, tooltip = active[self.app.COMMAND_PALETTE_BINDING]
            except KeyError:
                return
            palette = FooterKey(binding.key, self.app.get_key_display(binding), binding.description,
                                binding.action, classes="-command-palette -compact", disabled=not enabled,
                                tooltip=binding.tooltip or binding.description)
            palette.set_reactive(FooterKey.compact, True)  # compact, as Textual's footer has it, from birth
            yield palette

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and self.app.size.width != self._laid_out_for:
            self.call_after_refresh(self.recompose)
