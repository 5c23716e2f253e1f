"""The report as a Word document, built with python-docx from the report's Markdown.

Business Groups read Word documents.  The document is made from the very Markdown the
other exports are made from (parsed by the same markdown-it configuration as the HTML
page, :func:`audit.html.renderer`), so its headings, paragraphs, lists and tables are
the Markdown's by construction and the three formats can never disagree.

Decisions where the issue is silent:

- python-docx is a maintained, pure-Python library on the approved list; it is imported
  only when a document is made or read, so nothing that merely imports ``audit`` pays
  for it (or for lxml).
- Markdown headings become Word's own ``Heading 1``-``4`` styles, so Word's navigation
  pane and table of contents work; bullets and numbered lists use ``List Bullet`` and
  ``List Number``; tables use ``Table Grid`` with a bold, repeated header row.
- Everything is text: runs are added as text, never as fields or XML, so user text
  (already escaped for Markdown, and unescaped here by the parser) cannot become a
  hyperlink, a field code or markup.  Characters XML cannot hold (control bytes were
  removed by :mod:`audit.markdown`; any left are dropped here) never reach the file.
- A protective marking, when given, is printed in every page's header and footer, as
  partnership documents carry it.
- The document's properties carry the title and nothing about who made it (the report
  is about practice, not staff); its dates are those of ``made_on``, so the same data
  gives the same document text.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from audit.html import renderer
from audit.text import plain

if TYPE_CHECKING:  # pragma: no cover - typing only
    from markdown_it.tree import SyntaxTreeNode

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except the
# surrogates and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MAX_HEADING = 4


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


def to_docx(markdown: str, title: str, *, marking: str = "", made_on: date | None = None) -> bytes:
    """A complete .docx file for the report ``markdown`` titled ``title`` (user text)."""
    import docx  # lazily: see the module docstring
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Pt

    document = docx.Document()
    props = document.core_properties
    props.title = xml_safe(plain(title))
    props.author = ""
    props.last_modified_by = ""
    props.comments = ""
    props.keywords = ""
    props.subject = ""
    props.category = ""
    props.revision = 1
    stamp = datetime.combine(made_on or date(2000, 1, 1), datetime.min.time())
    props.created = stamp
    props.modified = stamp
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    if marking.strip():
        section = document.sections[0]
        for part in (section.header, section.footer):
            para = part.paragraphs[0]
            run = para.add_run(xml_safe(plain(marking)))
            run.bold = True
            para.alignment = 1  # centred
    writer = _Writer(document, WD_TABLE_ALIGNMENT.LEFT)
    writer.blocks(renderer().parse(markdown))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class _Writer:
    """Walks the Markdown's syntax tree and adds each block to the document."""

    def __init__(self, document: Any, table_alignment: Any) -> None:
        self.document = document
        self.table_alignment = table_alignment

    def blocks(self, tokens: list[Any]) -> None:
        from markdown_it.tree import SyntaxTreeNode

        for node in SyntaxTreeNode(tokens).children:
            self.block(node, list_depth=0)

    def block(self, node: SyntaxTreeNode, list_depth: int) -> None:
        kind = node.type
        if kind == "heading":
            level = min(int(node.tag[1]), _MAX_HEADING)
            para = self.document.add_heading(level=level)
            self.inline(para, node.children[0] if node.children else None)
        elif kind == "paragraph":
            self.inline(self.document.add_paragraph(), node.children[0] if node.children else None)
        elif kind in ("bullet_list", "ordered_list"):
            style = "List Bullet" if kind == "bullet_list" else "List Number"
            if list_depth:
                style += f" {min(list_depth + 1, 3)}"
            for item in node.children:
                first = True
                for child in item.children:
                    if child.type == "paragraph" and first:
                        self.inline(self.document.add_paragraph(style=style),
                                    child.children[0] if child.children else None)
                        first = False
                    else:
                        self.block(child, list_depth + 1)
        elif kind == "table":
            self.table(node)
        elif kind in ("code_block", "fence"):
            # The report never writes code; escaped user text cannot make one either.
            # Should one appear, its text is kept as a plain paragraph.
            self.document.add_paragraph(xml_safe(node.content.rstrip("\n")))
        elif kind == "blockquote":
            for child in node.children:
                self.block(child, list_depth)
        elif kind == "hr":
            self.document.add_paragraph("")
        # html_block cannot occur: raw HTML is off in the renderer.

    def table(self, node: SyntaxTreeNode) -> None:
        rows: list[tuple[bool, list[SyntaxTreeNode]]] = []
        for part in node.children:  # thead, tbody
            for tr in part.children:
                rows.append((part.type == "thead", list(tr.children)))
        width = max((len(cells) for _, cells in rows), default=0)
        if not rows or not width:
            return
        table = self.document.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        table.alignment = self.table_alignment
        for r, (is_head, cells) in enumerate(rows):
            row = table.rows[r]
            if is_head:
                _repeat_header(row)
            for c, cell_node in enumerate(cells):
                para = row.cells[c].paragraphs[0]
                self.inline(para, cell_node.children[0] if cell_node.children else None, bold=is_head)

    def inline(self, para: Any, inline: SyntaxTreeNode | None, *, bold: bool = False) -> None:
        if inline is None:
            return
        self._runs(para, inline.children, bold=bold, italic=False)

    def _runs(self, para: Any, nodes: list[SyntaxTreeNode], *, bold: bool, italic: bool) -> None:
        for node in nodes:
            kind = node.type
            if kind in ("text", "code_inline", "html_inline"):
                text = xml_safe(node.content)
                if text:
                    run = para.add_run(text)
                    run.bold = bold or None
                    run.italic = italic or None
            elif kind == "strong":
                self._runs(para, node.children, bold=True, italic=italic)
            elif kind == "em":
                self._runs(para, node.children, bold=bold, italic=True)
            elif kind == "softbreak":
                para.add_run(" ")
            elif kind == "hardbreak":
                para.add_run().add_break()
            elif node.children:  # a link or image (the report writes none): its text only
                self._runs(para, node.children, bold=bold, italic=italic)


def _repeat_header(row: Any) -> None:
    """Mark a table row as a header row Word repeats at the top of every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    props = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    props.append(flag)


# ------------------------------------------------------------------------ reading back


@dataclass
class DocxOutline:
    """What a .docx holds, in order: for the guard and for tests comparing structure."""

    blocks: list[tuple[str, str]] = field(default_factory=list)  # (kind, text): "h2", "p", "li", "table"
    tables: list[list[list[str]]] = field(default_factory=list)
    header: str = ""
    footer: str = ""
    title: str = ""

    def text(self) -> str:
        """Every piece of text in the document, one block or table row a line."""
        lines = [self.header, self.footer, self.title]
        tables = iter(self.tables)
        for kind, text in self.blocks:
            if kind == "table":
                lines += [" | ".join(row) for row in next(tables)]
            elif kind.startswith("h"):  # as a Markdown heading, so the guard says where a leak is
                lines.append(f"{'#' * int(kind[1:])} {text}")
            else:
                lines.append(text)
        return "\n".join(lines)


def read_docx(data: bytes) -> DocxOutline:
    """Read a .docx (as made by :func:`to_docx`) back into its blocks and tables."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    outline = DocxOutline(title=document.core_properties.title or "")
    section = document.sections[0]
    outline.header = "\n".join(p.text for p in section.header.paragraphs)
    outline.footer = "\n".join(p.text for p in section.footer.paragraphs)
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            rows = [[cell.text for cell in row.cells] for row in item.rows]
            outline.tables.append(rows)
            outline.blocks.append(("table", ""))
        elif isinstance(item, Paragraph):
            style = item.style.name if item.style is not None else ""
            if style.startswith("Heading "):
                outline.blocks.append((f"h{style.split()[-1]}", item.text))
            elif style.startswith("List"):
                outline.blocks.append(("li", item.text))
            else:
                outline.blocks.append(("p", item.text))
    return outline
