"""Escaping user text for the Markdown report, so that text can never change its structure.

Everything a person typed is data (DESIGN §10).  The rules here are deliberately blunt,
because blunt rules are the ones that can be checked:

1. Clean: terminal control bytes go (:func:`audit.text.strip_control`) and lone
   surrogates, which have no UTF-8 form, become U+FFFD.
2. Escape, anywhere in a line, every character that can open or close inline markup or
   a table cell: ``\\ ` * _ [ ] < > & | # ~``.  CommonMark lets any ASCII punctuation be
   backslash-escaped and renders it as itself, so this never changes what a reader sees.
   With ``[`` escaped no link or image can form (``[x](javascript:…)`` is plain text);
   with ``<`` escaped no autolink or HTML can; with ``&`` escaped no entity can smuggle a
   character in; with ``|`` escaped no table cell can be split or a table started.
3. Neutralise the start of every line, where block structure lives: leading spaces and
   tabs are dropped (no indented code), and a leading ``-``, ``+`` or ``=`` (lists,
   thematic breaks, setext underlines) or the ``.``/``)`` after leading digits
   (ordered lists) is escaped.  ``#``, ``>``, ``*``, ``_``, backtick, ``~`` and ``<``
   (headings, quotes, lists, breaks, fences, HTML blocks) are already escaped by rule 2.
4. Single-line slots (headings, table cells, list items, short labels) collapse every
   run of whitespace, newlines included, into one space, so text cannot end the line
   it sits on.  Multi-line slots (:func:`block`) keep paragraphs (blank lines) and line
   breaks (as a backslash hard break), with rule 3 applied to every line.

Rule 3 is applied to single-line text too, because the text after a list marker or at
the start of a paragraph is itself the start of a block.
"""

from __future__ import annotations

import re

from audit.text import plain, utf8_safe

_SPECIAL = re.compile(r"([\\`*_\[\]<>&|#~])")
_LINE_START = re.compile(r"^(?:([-+=])|(\d+)([.)]))")
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")


def _escape_line(line: str) -> str:
    """Rules 2 and 3 for one line that has no newline in it."""
    line = _SPECIAL.sub(r"\\\1", line.lstrip(" \t"))
    return _LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", line, count=1)


def inline(text: str) -> str:
    """User text for a single-line slot: a heading, a list item, a label in a sentence."""
    return _escape_line(plain(text))


def cell(text: str, blank: str = "–") -> str:
    """User text for a table cell (``|`` is escaped by :func:`inline`); ``blank`` if empty."""
    escaped = inline(text)
    return escaped if escaped else blank


def block(text: str) -> str:
    """User text as paragraphs: blank lines separate paragraphs, other line breaks are
    kept as hard breaks.  Returns ``""`` for text that is empty or only whitespace."""
    text = utf8_safe(text).replace("\r", "").strip()
    if not text:
        return ""
    paragraphs = []
    for paragraph in _BLANK_LINE.split(text):
        lines = [_escape_line(line.rstrip()) for line in paragraph.split("\n")]
        lines = [line for line in lines if line]
        paragraphs.append("\\\n".join(lines))
    return "\n\n".join(p for p in paragraphs if p)


def heading(level: int, text: str) -> str:
    """An ATX heading of ``level`` (1-6) whose title is user text."""
    if not 1 <= level <= 6:
        raise ValueError(f"a Markdown heading level is 1 to 6, not {level}")
    return f"{'#' * level} {inline(text)}"


def table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """A pipe table from cells that are **already escaped** (use :func:`cell`).

    Every row is padded or checked to the header's width, so a table always keeps its
    columns; an empty cell is written as a space.
    """
    width = len(headers)
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(["---"] * width) + "|"]
    for row in rows:
        if len(row) != width:
            raise ValueError(f"a table row has {len(row)} cells; the header has {width}")
        lines.append("| " + " | ".join(c or " " for c in row) + " |")
    return lines
