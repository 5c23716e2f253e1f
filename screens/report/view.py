"""The report preview: the laid-out report (`screens.report.layout`) painted by line.

Textual's own Markdown widget mounts a widget per block and takes about two seconds for
a 500-line report.  Here the report is laid out into one `Text` per terminal line for
the current width and painted through the line API, so only the rows on screen are ever
turned into segments.
"""

from __future__ import annotations

from typing import ClassVar

from markdown_it.tree import SyntaxTreeNode
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from screens.report.layout import Layout, Look, layout


class ReportView(ScrollView, can_focus=True):
    """A scrollable, read-only preview of one Markdown report."""

    class TopChanged(Message):
        """The first row on screen changed (the user scrolled)."""

        def __init__(self, view: ReportView, row: int) -> None:
            super().__init__()
            self.view = view
            self.row = row

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Down", show=False, id="move.down"),
        Binding("k", "scroll_up", "Up", show=False, id="move.up"),
        Binding("g", "scroll_home", "First", show=False, id="move.first"),
        Binding("G", "scroll_end", "Last", show=False, id="move.last"),
        Binding("space", "page_down", "Page down", show=False, id="move.page-down"),
        Binding("b", "page_up", "Page up", show=False, id="move.page-up"),
        Binding("h", "scroll_left", "Left", show=False, id="move.left"),
        Binding("l", "scroll_right", "Right", show=False, id="move.right"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "report-view--h1", "report-view--h2", "report-view--h3", "report-view--h4",
        "report-view--rule", "report-view--border", "report-view--header", "report-view--marker",
    }
    DEFAULT_CSS = """
    ReportView {
        height: 1fr;
        padding: 0 1;
        overflow-y: scroll;
        background: $surface;
        & > .report-view--h1 { color: $text-primary; text-style: bold; }
        & > .report-view--h2 { color: $text-primary; text-style: bold; }
        & > .report-view--h3 { color: $text-accent; text-style: bold underline; }
        & > .report-view--h4 { color: $text-accent; text-style: bold italic; }
        & > .report-view--rule { color: $text-secondary; }
        & > .report-view--border { color: $text-secondary; }
        & > .report-view--header { text-style: bold; }
        & > .report-view--marker { color: $text-accent; text-style: bold; }
    }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.document: SyntaxTreeNode | None = None
        self.layout_: Layout = Layout()
        self._laid_width = -1
        self._cache: LRUCache[tuple[int, int, Style], Strip] = LRUCache(512)
        self._top = 0
        self.painted = False  # set when a frame with report lines has been rendered

    # -- content -----------------------------------------------------------------

    def show(self, tree: SyntaxTreeNode | None, laid: Layout | None = None, width: int = 0) -> None:
        """Show a new report, keeping the scroll position where it still exists.

        `laid` is the report already laid out for `width` (in a worker thread, say); it
        is used when the view is still that wide.
        """
        self.document = tree
        self.painted = False
        if laid is not None and width > 0 and width == self.layout_width():
            self._use(laid, width)
        else:
            self._laid_width = -1
            self._relayout()

    @property
    def lines(self) -> list[Text]:
        return self.layout_.lines

    def look(self) -> Look:
        """The layout's styles from this widget's component classes (the theme's colours)."""
        get = self.get_component_rich_style
        return Look(
            h1=get("report-view--h1", partial=True), h2=get("report-view--h2", partial=True),
            h3=get("report-view--h3", partial=True), h4=get("report-view--h4", partial=True),
            rule=get("report-view--rule", partial=True), border=get("report-view--border", partial=True),
            header=get("report-view--header", partial=True), marker=get("report-view--marker", partial=True),
        )

    def layout_width(self) -> int:
        """The width lines are laid out for (0 until the view has a size)."""
        return self.scrollable_content_region.width if self.is_mounted else 0

    def _relayout(self) -> None:
        width = self.layout_width()
        if width <= 0 or (width == self._laid_width and self.document is not None):
            return
        self._use(layout(self.document, width, self.look()) if self.document is not None else Layout(), width)

    def _use(self, laid: Layout, width: int) -> None:
        self._laid_width = width
        self.layout_ = laid
        self._cache.clear()
        self.virtual_size = Size(max(laid.width, width), len(laid.lines))
        self.refresh()

    def on_resize(self, _: events.Resize) -> None:
        self._relayout()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._laid_width = -1  # the theme's colours are baked into the laid-out lines
        if self.is_mounted:
            self._relayout()

    # -- moving ------------------------------------------------------------------

    def scroll_to_row(self, row: int) -> None:
        self.scroll_to(y=row, animate=False, force=True)

    def scroll_to_heading(self, source_line: int) -> None:
        """Put the heading on 1-based `source_line` of the Markdown at the top of the view."""
        row = self.layout_.headings.get(source_line)
        self.scroll_to_row(row if row is not None else self.layout_.row_of_source_line(source_line))

    def scroll_to_source_line(self, line: int) -> None:
        self.scroll_to_row(self.layout_.row_of_source_line(line))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        top = round(new_value)
        if top != self._top:
            self._top = top
            self.post_message(self.TopChanged(self, top))

    # -- painting ----------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        row = scroll_y + y
        lines = self.layout_.lines
        if row >= len(lines):
            return Strip.blank(width, base)
        key = (row, self._laid_width, base)
        strip = self._cache.get(key)
        if strip is None:
            text = lines[row]
            console = self.app.console
            # Text.render leaves out the Text's own style (rules, code lines): add it here.
            own = base + console.get_style(text.style) if text.style else base
            segments = [Segment(s.text, own + s.style if s.style else own) for s in text.render(console)]
            strip = self._cache[key] = Strip(segments)
        self.painted = True
        return strip.crop_extend(scroll_x, scroll_x + width, base)
