"""Typed and imported text made safe to keep and to show in a terminal.

Text people type or import is data: it is kept exactly as written except for terminal
control bytes, which could move the cursor, recolour or retitle someone else's terminal
when the text is displayed over SSH.  Markup characters (``[b]``, ``|``, ``#``, ``<``) are
*not* touched here; escaping them is the job of whatever renders the text (Rich markup,
Markdown, HTML), because each needs a different escape.
"""

from __future__ import annotations

import re
from typing import Iterable

MAX_TEXT = 20_000
"""The longest text accepted in one field (characters, after control bytes are removed)."""

# Any character that could start trouble: C0 except tab and newline (so CR, BEL, BS, ESC
# go), DEL, the C1 block (0x80-0x9F, which some terminals treat as 8-bit controls), and
# the bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069), which reorder
# what a terminal shows so that a name or a number can read as something else.
_CONTROL_CHAR = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# Whole escape sequences are removed, not just their ESC, so no stray "[31m" is left in
# the text.  Strings (OSC, DCS, SOS, PM, APC) are only removed when terminated: an
# unterminated one loses its introducer below, which is enough to make it inert, and the
# person's text after it is kept.
_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"  # CSI ... final byte
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"  # OSC ... BEL or ST
    r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)"  # DCS/SOS/PM/APC ... ST
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]"  # two-character and nF escapes (ESC c, ESC ( B, ...)
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"  # anything left over, one at a time
)


def strip_control(text: str) -> str:
    """Remove terminal control bytes and escape sequences; keep tab and newline.

    CR is removed too, so Windows line breaks inside a field become plain ``\\n``.
    Everything else, including markup-like text, is returned exactly as given.
    """
    if _CONTROL_CHAR.search(text) is None:  # the common case: nothing to do, no copy
        return text
    return _SEQUENCES.sub("", text)


_SURROGATE = re.compile("[\ud800-\udfff]")
# For one row of a table: every C0 control (tab and newline too), DEL, C1 and the bidi
# controls, one character at a time (a cell is one line, not a place for sequences).
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACES = str.maketrans("\t\n\r\v\f", "     ")


def utf8_safe(text: str) -> str:
    """``strip_control``, and lone surrogates (undecodable bytes) as U+FFFD: safe to
    write as UTF-8 into a Markdown, HTML or Word file."""
    text = strip_control(text)
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return text


def plain(text: str) -> str:
    """User text on one line (runs of whitespace as one space), cleaned as
    :func:`utf8_safe` but not escaped: for a list, a title, a message or a cramped cell."""
    return " ".join(utf8_safe(text).split())


def flat(text: str) -> str:
    """Tabs and line breaks as spaces, every other control character dropped: one row of
    a table, as wide as the text (nothing folded)."""
    if _ANY_CONTROL.search(text) is None:  # the common case costs one scan
        return text
    return _ANY_CONTROL.sub("", text.translate(_SPACES))


def printable(text: str, limit: int) -> str:
    """Only the printable characters of ``text`` (no line breaks either), at most
    ``limit`` of them: a name read back from a file anyone could have written."""
    return "".join(ch for ch in text if ch.isprintable())[:limit]


def has_control(text: str) -> bool:
    """True when ``strip_control`` would change ``text`` (cheap enough for a whole column
    joined into one string)."""
    return _CONTROL_CHAR.search(text) is not None


def length_problem(text: str, limit: int = MAX_TEXT) -> str | None:
    """A sentence saying the text is too long, or ``None`` if it fits."""
    if len(text) <= limit:
        return None
    return f"the text is {len(text):,} characters long; the most allowed is {limit:,}"


def clean_text(text: str, limit: int = MAX_TEXT) -> str:
    """``strip_control`` then refuse oversized text with ``ValueError`` (one sentence)."""
    cleaned = strip_control(text)
    problem = length_problem(cleaned, limit)
    if problem is not None:
        raise ValueError(problem)
    return cleaned


def field_text(value: str, what: str, limit: int = MAX_TEXT, *, required: bool = False,
               error: type[Exception] = ValueError) -> str:
    """A typed field as it is saved: ``clean_text`` and stripped.  Too long, or empty when
    ``required``, raises ``error`` with one sentence naming ``what`` and saying nothing
    was saved."""
    try:
        cleaned = clean_text(value, limit).strip()
    except ValueError as exc:
        raise error(f"{what}: {exc}; nothing was saved.") from None
    if required and not cleaned:
        raise error(f"{what} is empty; nothing was saved.")
    return cleaned


def one_of(words: Iterable[str], last: str = "or") -> str:
    """``a``, ``a or b``, ``a, b or c``: a list for a sentence."""
    items = list(words)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def quote(value: str, limit: int = 60) -> str:
    """A value quoted for an error message.

    Control characters (and undecodable bytes, held as lone surrogates) show as ``?`` and
    long values are shortened, so one bad cell can neither garble nor flood the message.
    """
    shown = "".join(
        "?" if (ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) < 0xE000
                or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069) else c
        for c in (value[: limit + 1] if len(value) > limit else value)
    )
    if len(value) > limit:
        shown = shown[: limit - 1] + "\u2026"
    return f'"{shown}"'


_DIGIT_RUNS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[object, ...]:
    """Sort key for references and ids as people read them: ``RB-2`` before ``RB-10``
    (digit runs compare as numbers), letter case aside."""
    return tuple(int(part) if part.isdigit() else part.casefold() for part in _DIGIT_RUNS.split(text))
