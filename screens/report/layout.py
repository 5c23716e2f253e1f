"""The report laid out for the preview: markdown-it tokens as Rich `Text` lines.

The report is parsed once (markdown-it-py, the same configuration as the HTML export,
:func:`audit.html.renderer`) and laid out into one `Text` per terminal line for a width
(`layout`); `screens.report.view.ReportView` paints those lines.  Pure: no widget here,
so a worker thread can lay a long report out.

Everything in the report is data: text tokens are appended to `Text` objects as plain
strings with styles (never markup), and control bytes are dropped before display.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.text import Span, Text

from audit.html import renderer
from audit.text import flat

MIN_WIDTH = 20  # never lay out narrower than this; the view scrolls sideways instead
_MIN_COLUMN = 3  # a table column is never squeezed below this many cells
_WORD_COLUMN = 12  # ...nor below its longest word, up to this many cells
_CONSOLE = Console(width=200, color_system=None, legacy_windows=False, force_terminal=False)


@cache
def _parser() -> MarkdownIt:
    return renderer()


def parse(markdown: str) -> SyntaxTreeNode:
    """The report's syntax tree (cheap, and safe to build in a worker thread)."""
    return SyntaxTreeNode(_parser().parse(markdown))


# ----------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Look:
    """The styles a layout uses (from the widget's component classes, or plain ones)."""

    h1: Style = field(default_factory=lambda: Style(bold=True))
    h2: Style = field(default_factory=lambda: Style(bold=True))
    h3: Style = field(default_factory=lambda: Style(bold=True, underline=True))
    h4: Style = field(default_factory=lambda: Style(bold=True, italic=True))
    rule: Style = field(default_factory=lambda: Style(dim=True))
    border: Style = field(default_factory=lambda: Style(dim=True))
    header: Style = field(default_factory=lambda: Style(bold=True))
    marker: Style = field(default_factory=lambda: Style(bold=True))
    code: Style = field(default_factory=lambda: Style(reverse=True))


@dataclass
class Layout:
    """The report as lines for one width, and where each block landed."""

    lines: list[Text] = field(default_factory=list)
    width: int = 0  # the widest line (tables can be wider than the view)
    # (first source line, 0-based, of each block; the row it starts on), in order
    anchors: list[tuple[int, int]] = field(default_factory=list)
    headings: dict[int, int] = field(default_factory=dict)  # heading's 1-based source line -> row

    def row_of_source_line(self, line: int) -> int:
        """The row showing 1-based source `line` (the start of the block holding it)."""
        starts = [start for start, _ in self.anchors]
        at = bisect_right(starts, line - 1) - 1
        return self.anchors[at][1] if at >= 0 else 0


class _Writer:
    def __init__(self, width: int, look: Look) -> None:
        self.width = max(MIN_WIDTH, width)
        self.look = look
        self.out = Layout()

    # -- blocks ------------------------------------------------------------------

    def top(self, nodes: list[SyntaxTreeNode]) -> None:
        """Lay out the document's blocks, one blank line apart, noting where each starts."""
        out = self.out
        for node in nodes:
            block = self.block(node, self.width)
            if not block:
                continue
            if out.lines:
                self._emit([Text()])
            row = len(out.lines)
            if node.map is not None:
                out.anchors.append((node.map[0], row))
                if node.type == "heading":
                    out.headings[node.map[0] + 1] = row
            self._emit(block)

    def blocks(self, nodes: list[SyntaxTreeNode], width: int, *, tight: bool = False) -> list[Text]:
        """Lay out nested blocks (a list item's, a quote's) at `width`."""
        lines: list[Text] = []
        for node in nodes:
            block = self.block(node, width)
            if not block:
                continue
            if lines and not tight:
                lines.append(Text())
            lines.extend(block)
        return lines

    def _emit(self, lines: list[Text]) -> None:
        for line in lines:
            self.out.width = max(self.out.width, line.cell_len)
        self.out.lines.extend(lines)

    def block(self, node: SyntaxTreeNode, width: int) -> list[Text]:
        kind = node.type
        if kind == "heading":
            return self.heading(node, width)
        if kind == "paragraph":
            return self.wrap(self.inline(node), width)
        if kind in ("bullet_list", "ordered_list"):
            return self.list_block(node, width)
        if kind == "table":
            return self.table(node, width)
        if kind == "hr":
            return [Text("─" * width, style=self.look.rule)]
        if kind == "blockquote":
            inner = self.blocks(node.children, max(1, width - 2))
            return [_styled("▌ ", self.look.rule) + line for line in inner]
        if kind in ("code_block", "fence", "html_block"):
            return [Text(flat(line), style=self.look.code) for line in node.content.rstrip("\n").split("\n")]
        if node.children:
            return self.blocks(node.children, width)
        return self.wrap(Text(flat(node.content)), width) if node.content else []

    def heading(self, node: SyntaxTreeNode, width: int) -> list[Text]:
        level = int(node.tag[1:]) if node.tag[1:].isdigit() else 4
        style = [self.look.h1, self.look.h2, self.look.h3][level - 1] if level <= 3 else self.look.h4
        title = self.inline(node)
        title.stylize(style)
        lines = list(self.wrap(title, width))
        if level <= 2:
            longest = max((line.cell_len for line in lines), default=0)
            lines.append(Text(("━" if level == 1 else "─") * min(width, max(longest, 1)), style=self.look.rule))
        return lines

    def list_block(self, node: SyntaxTreeNode, width: int) -> list[Text]:
        ordered = node.type == "ordered_list"
        start = int(node.attrs.get("start", 1)) if ordered else 1
        items = node.children
        markers = [f"{start + n}." if ordered else "•" for n in range(len(items))]
        indent = max(cell_len(m) for m in markers) + 1 if markers else 2
        lines: list[Text] = []
        for marker, item in zip(markers, items):
            tight = all(child.hidden for child in item.children if child.type == "paragraph")
            body = self.blocks(item.children, max(1, width - indent), tight=tight) or [Text()]
            for n, line in enumerate(body):
                # The marker's style as a span: a Text's own style would spread over the
                # whole line once the item's text is appended to it.
                lead = Text(marker.rjust(indent - 1) + " " if n == 0 else " " * indent)
                if n == 0:
                    lead.stylize(self.look.marker, 0, indent - 1)
                lines.append(lead + line)
        return lines

    def table(self, node: SyntaxTreeNode, width: int) -> list[Text]:
        rows: list[list[Text]] = []
        aligns: list[str] = []
        header_rows = 0
        for section in node.children:  # thead, tbody
            for tr in section.children:
                cells = []
                for n, cell in enumerate(tr.children):
                    text = self.inline(cell)
                    if section.type == "thead":
                        text.stylize(self.look.header)
                        style = str(cell.attrs.get("style", ""))
                        aligns.append("right" if "right" in style else "center" if "center" in style else "left")
                    cells.append(text)
                rows.append(cells)
                if section.type == "thead":
                    header_rows += 1
        if not rows:
            return []
        count = max(len(r) for r in rows)
        rows = [r + [Text()] * (count - len(r)) for r in rows]
        aligns += ["left"] * (count - len(aligns))
        widths = _column_widths(rows, width - (3 * count + 1))
        b = self.look.border

        def rule(left: str, mid: str, right: str) -> Text:
            return Text(left + mid.join("─" * (w + 2) for w in widths) + right, style=b)

        wrapped = [[self.wrap(cell, w, justify=a) for cell, w, a in zip(row, widths, aligns)] for row in rows]
        multi = any(len(cell) > 1 for row in wrapped[header_rows:] for cell in row)
        lines = [rule("┌", "┬", "┐")]
        for number, row in enumerate(wrapped):
            if number and (number == header_rows or multi):
                lines.append(rule("├", "┼", "┤"))
            for y in range(max(len(cell) for cell in row)):
                lines.append(_table_line(row, y, widths, b))
        lines.append(rule("└", "┴", "┘"))
        return lines

    # -- inline ------------------------------------------------------------------

    def inline(self, node: SyntaxTreeNode) -> Text:
        """The inline content of a block node as one `Text` ("\\n" for hard breaks)."""
        text = Text()
        for child in node.children:
            if child.type == "inline":
                self._inline(child.children, text, Style())
            else:
                self._inline([child], text, Style())
        return text

    def _inline(self, nodes: list[SyntaxTreeNode], text: Text, style: Style) -> None:
        for node in nodes:
            kind = node.type
            if kind == "text" or kind == "html_inline":
                text.append(flat(node.content), style=style)
            elif kind == "softbreak":
                text.append(" ")
            elif kind == "hardbreak":
                text.append("\n")
            elif kind == "code_inline":
                text.append(flat(node.content), style=style + self.look.code)
            elif kind == "strong":
                self._inline(node.children, text, style + Style(bold=True))
            elif kind == "em":
                self._inline(node.children, text, style + Style(italic=True))
            elif kind == "s":
                self._inline(node.children, text, style + Style(strike=True))
            elif kind in ("link", "image"):
                self._inline(node.children, text, style + Style(underline=True))
            elif node.children:
                self._inline(node.children, text, style)
            elif node.content:
                text.append(flat(node.content), style=style)

    def wrap(self, text: Text, width: int, justify: str = "left") -> list[Text]:
        plain = text.plain
        if not plain:
            return [Text()]
        if "\n" not in plain and justify == "left" and text.cell_len <= width:
            return [text]  # the common case: it fits as it is
        lines = text.wrap(_CONSOLE, max(1, width), justify="default", overflow="fold")
        out = []
        for line in lines:
            line.rstrip()
            if justify != "left" and line.cell_len < width:
                pad = width - line.cell_len
                left = pad if justify == "right" else pad // 2
                line = Text(" " * left) + line
            out.append(line)
        return out


def _table_line(row: list[list[Text]], y: int, widths: list[int], border: Style) -> Text:
    """Line `y` of a table row: cells padded to their widths between borders.

    Built as one string with spans rather than by appending piece by piece: a report
    has thousands of cells and `Text.append` is the slow part of laying them out.
    """
    parts = ["│"]
    spans = [Span(0, 1, border)]
    at = 1
    for cell, width in zip(row, widths):
        part = cell[y] if y < len(cell) else _EMPTY
        plain = part.plain
        at += 1
        if part.style:
            spans.append(Span(at, at + len(plain), part.style))
        spans.extend(Span(at + s.start, at + s.end, s.style) for s in part.spans)
        pad = width - part.cell_len + 1
        parts += [" ", plain, " " * pad, "│"]
        at += len(plain) + pad
        spans.append(Span(at, at + 1, border))
        at += 1
    return Text("".join(parts), spans=spans, end="")


_EMPTY = Text()


def _styled(text: str, style: Style) -> Text:
    """`text` with `style` as a span, so that text appended after it stays unstyled."""
    return Text(text, spans=[Span(0, len(text), style)])


def _column_widths(rows: list[list[Text]], room: int) -> list[int]:
    """Natural widths, narrowed from the widest column down until the table fits `room`
    (never below a column's longest word, up to `_WORD_COLUMN`, or `_MIN_COLUMN`)."""
    count = len(rows[0])
    natural = [max(max((r[c].cell_len for r in rows), default=0), 1) for c in range(count)]
    floor = []
    for c in range(count):
        words = max((cell_len(w) for r in rows for w in r[c].plain.split()), default=1)
        floor.append(min(natural[c], max(_MIN_COLUMN, min(words, _WORD_COLUMN))))
    widths = list(natural)
    excess = sum(widths) - room
    while excess > 0:
        shrinkable = [c for c in range(count) if widths[c] > floor[c]]
        if not shrinkable:
            break  # wider than the view: it scrolls sideways rather than split words
        widest = max(shrinkable, key=lambda c: widths[c])
        others = [widths[c] for c in shrinkable if c != widest]
        target = max(floor[widest], max(others, default=0), widths[widest] - excess)
        if target >= widths[widest]:
            target = widths[widest] - 1
        excess -= widths[widest] - target
        widths[widest] = target
    return widths


def layout(tree: SyntaxTreeNode, width: int, look: Look | None = None) -> Layout:
    """Lay the report out for a view `width` cells wide."""
    writer = _Writer(width, look or Look())
    writer.top(tree.children)
    while writer.out.lines and not writer.out.lines[-1].plain:
        writer.out.lines.pop()
    return writer.out


# ----------------------------------------------------------------------------- widget
