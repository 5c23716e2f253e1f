"""Hostile text in every user-text slot never changes the report's structure.

Each string of the corpus is put into every slot a person can type into (titles,
background, purposes, objectives, criteria labels, milestones, agency and partnership
names, findings, actions, re-test evidence, earlier findings), the report is parsed
with markdown-it-py, and its structure (headings, tables and their columns, lists,
emphasis, no HTML, no links, no code) must be exactly that of the report built from
plain text.  The escaping helpers are also checked one by one: what a reader sees is
exactly what was typed (less control bytes and, on one line, collapsed whitespace).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from audit import markdown as md
from audit.findings import Action, ActionStatus, Column, Finding, Retest
from audit.html import to_html
from audit.text import utf8_safe
from tests.audit.test_report import EXPECTED_SECTIONS, Fixture, build_fixture

HOSTILE = [
    "| a | b |",
    "a | b \\| c",
    "# Heading",
    "## Sub\nheading",
    "Title\n===",
    "Title\n---",
    "Setext\n= ",
    "> quoted\n>> deeper",
    "- item\n- item",
    "* star\n+ plus",
    "1. one\n2. two",
    "1) paren",
    "1986. A great year",
    "    indented code",
    "\ttab start",
    "```\ncode\n```",
    "~~~python\nx = 1\n~~~",
    "`inline code` and ``double``",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<style>body{display:none}</style>",
    "<div>\nblock\n</div>",
    "<!-- comment -->",
    "[x](javascript:alert(1))",
    "![img](javascript:alert(1))",
    "<javascript:alert(1)>",
    "<https://example.com> and https://example.com",
    "[ref]: javascript:alert(1)\n\n[ref]",
    "[link][1]\n\n[1]: http://x.example",
    "**bold** _em_ *em* __strong__",
    "~~strike~~",
    "***\n---\n___\n* * *",
    "line\n\n\nnew paragraph\n\n\n\n",
    "\x1b[31mred\x1b[0m and \x07bell \x1b]0;title\x07",
    "\x00nul\x7fdel\x9bcsi",
    "back\\slash\\",
    "a\\\nb",
    "trailing two spaces  \nnext",
    "&lt;script&gt; &amp; &#60;b&#62; &copy;",
    "a\r\nb\rc",
    "| --- | --- |",
    "Text ending with #",
    "#hashtag and C#",
    "\\# not heading",
    "  - nested\n    - deeper",
    "\ud800 lone surrogate",
    "*",
    "-",
    "<",
    "\u2028line sep\u2029para sep\u0085nel",
    "   ",
    "",
    "x" * 3000 + "\n" + "| " * 200,
]

_STRUCTURAL_INLINE = {"strong_open", "em_open", "s_open", "link_open", "image", "html_inline", "code_inline"}
_FORBIDDEN = {"html_block", "html_inline", "link_open", "image", "code_block", "fence", "code_inline",
              "blockquote_open", "hr", "s_open"}


def parse(text: str) -> list[Token]:
    return MarkdownIt("commonmark", {"html": False}).enable("table").parse(text)


def structure(tokens: list[Token]) -> list[tuple[str, str]]:
    """Everything but the paragraphs and the text: headings, tables, cells, lists, emphasis."""
    shape = []
    for token in tokens:
        if token.type == "inline":
            shape += [(c.type, c.tag) for c in token.children or [] if c.type in _STRUCTURAL_INLINE]
        elif token.type not in ("paragraph_open", "paragraph_close"):
            shape.append((token.type, token.tag))
    return shape


def all_types(tokens: list[Token]) -> set[str]:
    types = set()
    for token in tokens:
        types.add(token.type)
        types.update(c.type for c in token.children or [])
    return types


def inject(fx: Fixture, text: str) -> Fixture:
    """Put ``text`` into every slot a person types into (returns' texts included)."""
    audit = fx.audit
    audit.title = text
    audit.background = text
    audit.linked_review = text
    audit.purpose = [text, f"Before {text} after"]
    for objective in audit.objectives:
        objective.title = text
        objective.text = text
    for criterion in audit.criteria:
        criterion.label = text
    for milestone in audit.milestones:
        milestone.name = text
    fx.partnership.name = text
    for agency in fx.partnership.agencies:
        agency.name = text
    if audit.draw is not None:
        audit.draw.balance_by = text
    for finding in fx.findings:
        finding.title = text
        finding.text = f"{text}\n\nSecond paragraph: {text}"
        if finding.retest is not None:
            finding.retest = Retest(finding.retest.audit, finding.retest.finding_id, finding.retest.verdict, text)
    for action in fx.actions:
        action.description = text
    for earlier in fx.earlier.values():
        earlier.title = text
    for tool in audit.tools.values():
        for section in tool.sections:
            for question in section.questions:
                question.text = text
    for discussion in fx.discussions:
        discussion.worked_well = [text, f"Before {text} after"]
        discussion.worked_less_well = [text]
    if fx.text is not None:
        fx.text.summary = text
        fx.text.conclusions = f"{text}\n\n{text}"
        fx.text.objectives = dict.fromkeys(fx.text.objectives, text)
    fx.returns = [dataclasses.replace(r, good_practice=text, areas_for_development=f"{text}\n\n{text}",
                                      impact_on_child=text, recommendations=text) for r in fx.returns]
    return fx


def plain_fixture() -> Fixture:
    return inject(build_fixture(), "Plain words")


@pytest.fixture(scope="module")
def plain_shape() -> list[tuple[str, str]]:
    return structure(parse(plain_fixture().build().markdown))


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_in_every_slot_keeps_the_structure_and_never_becomes_html(text: str, plain_shape) -> None:
    report = inject(build_fixture(), text).build()
    tokens = parse(report.markdown)
    if md.plain(text):
        assert structure(tokens) == plain_shape
    else:
        # Blank text is no text: a blank purpose leaves the list and the agencies' words
        # have nothing to quote.  Whitespace of any kind behaves exactly like "".
        assert structure(tokens) == structure(parse(inject(build_fixture(), "").build().markdown))
        assert [t for level, t, _ in report.headings if level == 2] == EXPECTED_SECTIONS
    assert not all_types(tokens) & _FORBIDDEN
    headings = [t for t in tokens if t.type == "heading_open"]
    assert [(int(t.tag[1]), t.map[0] + 1) for t in headings] == [(lv, line) for lv, _, line in report.headings]

    # The HTML page: only the tags the report itself makes, no attributes on them but
    # the page's own head, and the user's text shown as text.
    page = to_html(report.markdown, text)
    tags = re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>", page)
    assert {name for name, _ in tags} <= ALLOWED_TAGS
    assert [name for name, attributes in tags if attributes.strip(" /")] == ["html", "meta", "meta", "meta", "meta"]
    assert page.count("<style>") == 1 and page.count("<title>") == 1 and page.count("</main>") == 1
    if "<script>" in text:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "h3", "h4", "p", "ul", "ol",
                "li", "table", "thead", "tbody", "tr", "th", "td", "strong", "em", "br"}


def test_the_corpus_is_large_enough() -> None:
    assert len(HOSTILE) >= 30


# ------------------------------------------------------------------ the helpers alone


def rendered_text(children: list[Token]) -> str:
    out = []
    for child in children:
        if child.type == "text":
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        else:
            raise AssertionError(f"unexpected {child.type} in {children}")
    return "".join(out)


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_inline_reads_exactly_as_typed(text: str) -> None:
    escaped = md.inline(text)
    assert "\n" not in escaped
    if not escaped:
        assert md.plain(text) == ""
        return
    tokens = parse(f"Before {escaped} after")
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert rendered_text(tokens[1].children) == f"Before {md.plain(text)} after"
    # At the very start of a line (a list item's or a paragraph's first block) too.
    tokens = parse(f"- {escaped}")
    assert [t.type for t in tokens][:3] == ["bullet_list_open", "list_item_open", "paragraph_open"]
    assert rendered_text(tokens[3].children) == md.plain(text)
    tokens = parse(escaped)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_a_cell_stays_one_cell(text: str) -> None:
    table = "\n".join(md.table(["A", "B", "C"], [["x", md.cell(text), "z"]]))
    tokens = parse(table)
    cells = [t for t in tokens if t.type == "td_open"]
    assert len(cells) == 3
    inline = tokens[[t.type for t in tokens].index("td_open", 0) + 4]
    assert rendered_text(inline.children) == (md.plain(text) or "–")


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_a_block_is_only_paragraphs_and_reads_as_typed(text: str) -> None:
    escaped = md.block(text)
    tokens = parse(escaped)
    assert {t.type for t in tokens} <= {"paragraph_open", "inline", "paragraph_close"}
    paragraphs = [rendered_text(t.children) for t in tokens if t.type == "inline"]
    cleaned = utf8_safe(text).replace("\r", "")
    expected = []
    for chunk in re.split(r"\n[ \t]*\n", cleaned.strip()):
        lines = [line.strip(" \t") for line in chunk.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            expected.append("\n".join(lines))
    assert paragraphs == expected


def test_heading_refuses_a_bad_level() -> None:
    with pytest.raises(ValueError):
        md.heading(7, "x")


def test_clean_removes_controls_and_surrogates() -> None:
    assert utf8_safe("a\x1b[31mb\x07c\ud800d") == "abc\ufffdd"


def test_hostile_ids_and_refs_in_actions_and_findings_are_escaped_too() -> None:
    fx = build_fixture()
    fx.findings.append(Finding("MACA-C86", "F|9 #x", Column.RECOMMENDATION, "T", "x", "curiosity", position=9))
    fx.actions.append(Action("MACA-C86", "A|9", "F|9 #x", "<b>do</b>", "CSC", date(2021, 5, 1),
                             ActionStatus.PROPOSED))
    tokens = parse(fx.build().markdown)
    rows = []
    current = 0
    for token in tokens:
        if token.type == "tr_open":
            current = 0
        elif token.type in ("td_open", "th_open"):
            current += 1
        elif token.type == "tr_close":
            rows.append(current)
    plain = parse(build_fixture().build().markdown)
    assert not all_types(tokens) & _FORBIDDEN
    # Every table row still has its table's width (the action plan gained one row).
    assert len(rows) == sum(1 for t in plain if t.type == "tr_open") + 1


def test_to_html_keeps_markdown_its_link_check_and_raw_html_off() -> None:
    """Even Markdown the report never writes (a link, raw HTML) cannot become active."""
    page = to_html(
        "[a](javascript:alert(1)) [b](vbscript:x) [c](data:text/html;base64,PHNjcmlwdD4=) "
        "<javascript:alert(1)> ![d](javascript:alert(1))\n\n<script>alert(1)</script>\n\n"
        "<img src=x onerror=alert(1)>\n\n[safe](https://example.org/page)",
        "<script>alert('title')</script>",
    )
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs == ["https://example.org/page"]  # only the ordinary link survives
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<title>&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;</title>" in page
    assert "<table>" in to_html("| a | b |\n|---|---|\n| 1 | 2 |\n", "t")  # tables are on
