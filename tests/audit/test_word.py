"""The Word export (issue 20 item 4): a real .docx read back with python-docx and
compared, block by block, with the structure of the Markdown it was made from."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from datetime import date

from markdown_it.tree import SyntaxTreeNode

from audit.html import renderer
from audit.markdown import block, cell, inline, table
from audit.word import read_docx, to_docx
from tests.audit.test_report import build_fixture

HOSTILE = ("<script>alert(1)</script> [x](javascript:alert(1)) | # heading \x1b[31m red \x07 "
           "&amp; **bold** {{ field }} \u202e reversed \x00 nul")


def _text(node: SyntaxTreeNode) -> str:
    """The plain text of an inline node as a reader sees it (breaks as spaces or newlines)."""
    out = []
    for child in node.children:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type == "softbreak":
            out.append(" ")
        elif child.type == "hardbreak":
            out.append("\n")
        else:
            out.append(_text(child))
    return "".join(out)


def markdown_outline(markdown: str) -> tuple[list[tuple[str, str]], list[list[list[str]]]]:
    """The Markdown's blocks in the shape :func:`read_docx` gives them."""
    blocks: list[tuple[str, str]] = []
    tables: list[list[list[str]]] = []

    def walk(node: SyntaxTreeNode) -> None:
        for child in node.children:
            if child.type == "heading":
                blocks.append((child.tag, _text(child.children[0])))
            elif child.type == "paragraph":
                blocks.append(("p", _text(child.children[0])))
            elif child.type in ("bullet_list", "ordered_list"):
                for item in child.children:
                    blocks.append(("li", _text(item.children[0].children[0])))
            elif child.type == "table":
                rows = [[_text(c.children[0]) if c.children else "" for c in tr.children]
                        for part in child.children for tr in part.children]
                tables.append(rows)
                blocks.append(("table", ""))

    walk(SyntaxTreeNode(renderer().parse(markdown)))
    return blocks, tables


def test_the_demo_report_as_word_has_the_markdowns_headings_paragraphs_and_tables() -> None:
    report = build_fixture().build()
    data = to_docx(report.markdown, "MACA-C86: the audit", made_on=date(2021, 5, 3))
    assert zipfile.is_zipfile(io.BytesIO(data))
    outline = read_docx(data)
    blocks, tables = markdown_outline(report.markdown)
    assert outline.blocks == blocks
    assert outline.tables == tables
    # Every heading of the report, at its level, in order.
    assert [(k, t) for k, t in outline.blocks if k.startswith("h")] == [
        (f"h{level}", title) for level, title, _ in report.headings]
    assert len(outline.tables) >= 5
    assert outline.title == "MACA-C86: the audit"


def test_headings_use_words_own_styles_and_table_headers_repeat() -> None:
    import docx

    data = to_docx("# Title\n\n## Part\n\n| A | B |\n|---|---|\n| 1 | 2 |\n", "t")
    document = docx.Document(io.BytesIO(data))
    assert [p.style.name for p in document.paragraphs] == ["Heading 1", "Heading 2"]
    [grid] = document.tables
    assert grid.style.name == "Table Grid"
    assert 'w:tblHeader w:val="true"' in grid.rows[0]._tr.xml
    assert all(run.bold for run in grid.rows[0].cells[0].paragraphs[0].runs)
    assert not any(run.bold for run in grid.rows[1].cells[0].paragraphs[0].runs)


def test_the_marking_is_in_every_page_header_and_footer() -> None:
    outline = read_docx(to_docx("# R\n\nText.\n", "R", marking="OFFICIAL-SENSITIVE"))
    assert (outline.header, outline.footer) == ("OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE")


def test_hostile_text_stays_text_in_every_kind_of_block() -> None:
    markdown = "\n".join([
        f"# {inline(HOSTILE)}", "", block(HOSTILE + "\n\nsecond paragraph"), "", f"- {inline(HOSTILE)}", "",
        *table([cell("head")], [[cell(HOSTILE)]]),
    ]) + "\n"
    data = to_docx(markdown, HOSTILE, marking=HOSTILE)
    outline = read_docx(data)
    blocks, tables = markdown_outline(markdown)
    assert outline.blocks == blocks and outline.tables == tables
    seen = outline.text()
    assert "<script>alert(1)</script>" in seen  # shown as the text it is
    assert "\x1b" not in seen and "\x07" not in seen and "\x00" not in seen
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = z.read("word/document.xml").decode("utf-8")
        names = z.namelist()
    assert "<script>" not in body  # escaped as XML text
    assert "w:hyperlink" not in body and "w:fldSimple" not in body and "w:instrText" not in body
    assert not any("externalLink" in n or "vbaProject" in n for n in names)


def test_nothing_about_who_made_it_is_in_the_properties() -> None:
    import docx

    document = docx.Document(io.BytesIO(to_docx("# R\n", "R", made_on=date(2021, 5, 3))))
    props = document.core_properties
    assert (props.author, props.last_modified_by) == ("", "")
    assert props.created.date() == date(2021, 5, 3)


def test_importing_the_domain_does_not_load_python_docx() -> None:
    code = ("import sys, audit.word, audit.report, storage.export; "
            "print('docx' in sys.modules, 'lxml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
