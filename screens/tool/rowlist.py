"""The audit tool's list of rows: a change redraws the rows it changed, not the list.

Every session showing a return redraws it on every commit to it (its own autosaves, and
other sessions' typing, picked up once a second).  Textual's `replace_option_prompt`
forgets every row's rendering and paints the whole list again, so each pick-up cost a
full repaint of forty-odd rows; here only the changed row's rendering is forgotten and
only its lines are painted (the whole list only when the row's height changed).
"""

from __future__ import annotations

from typing import cast

from rich.text import Text
from textual.css.styles import RulesMap

from screens.widgets.lists import PickList


class ToolList(PickList):
    """The tool's rows, with j/k/g/G like the other lists."""

    def replace_prompt(self, index: int, prompt: Text) -> None:
        """Show `prompt` for the row at `index`, repainting only that row's lines."""
        option = self.get_option_at_index(index)
        laid_out = self._line_cache.heights  # empty until the list has been laid out
        before = laid_out.get(index)
        option._set_prompt(prompt)
        cache = self._option_render_cache
        for key in [k for k in cache.keys() if k[0] is option]:
            cache.discard(key)
        if before is None or not self.scrollable_content_region:
            self._clear_caches()
            return
        padding = self.get_component_styles("option-list--option").padding
        width = self.scrollable_content_region.width - self._get_left_gutter_width()
        rules = cast(RulesMap, self.styles)
        height = self._get_visual(option).get_height(rules, width - padding.width) + option._divider
        if height != before:  # wrapped onto more or fewer lines: the rows below move
            self._clear_caches()
            return
        self.refresh_lines(self._line_cache.index_to_line[index], height)
