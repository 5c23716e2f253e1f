"""A list of tick boxes whose state reads without colour.

Textual's SelectionList draws the same ``▐X▌`` ticked or not and tells them apart by
colour alone; under NO_COLOR, or on a dim terminal, every box looked ticked (a user cited
eight agencies instead of one).  Here a ticked box shows ``✓`` and an unticked one is
empty, whatever the colours.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import SelectionList
from textual.widgets.option_list import OptionDoesNotExist

TICKED = "✓"
UNTICKED = " "


class TickList(SelectionList[str]):
    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        _, scroll_y = self.scroll_offset
        try:
            selection = self.get_option_at_index(scroll_y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if len(segments) < 3:
            return strip
        # The box is three cells: left side, the mark, right side (SelectionList.render_line).
        mark = TICKED if selection.value in self._selected else UNTICKED
        segments[1] = Segment(mark, segments[1].style)
        return Strip(segments, strip.cell_length)
