"""Dates as people type them and as a UK reader expects to see them.

Input accepts two forms only: ISO ``YYYY-MM-DD`` (what scripts and TOML write) and the UK
``DD/MM/YYYY`` (what Excel in an English locale writes).  ``D/M/YYYY`` without leading
zeros is accepted too, because spreadsheets often drop them and the order is still
unambiguous.  American ``MM/DD/YYYY`` cannot be told apart from UK dates, which is why
no other slash form is guessed at.  Everything shown to a person is ``DD/MM/YYYY``.
"""

from __future__ import annotations

import re
from datetime import date

from audit.text import quote

EN_DASH = "\u2013"

# re.ASCII: ``\d`` would otherwise accept Arabic-Indic and other Unicode digits.
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_UK = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)

FORMS = "YYYY-MM-DD or DD/MM/YYYY"


def parse_date(text: str) -> date:
    """Parse ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (surrounding spaces ignored).

    Raises ``ValueError`` with one sentence a person can act on, e.g.
    ``"31/02/2020" is not a real date``.  The value is quoted in the message, so the
    caller only adds where it was (line and column).
    """
    value = text.strip()
    m = _ISO.fullmatch(value)
    if m is not None:
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        m = _UK.fullmatch(value)
        if m is None:
            raise ValueError(f"{quote(value)} is not a date; use {FORMS}")
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{quote(value)} is not a real date") from None


def format_uk(value: date | None, blank: str = "") -> str:
    """``DD/MM/YYYY``; ``blank`` for ``None``.

    Built by hand rather than with ``strftime``, which does not zero-pad years before
    1000 on every platform.
    """
    if value is None:
        return blank
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def format_span(start: date | None, end: date | None) -> str:
    """An interval for a reader: ``01/02/2020–30/11/2020`` (en dash, both ends included).

    An open end reads ``01/02/2020–ongoing``; a missing start reads ``until 30/11/2020``,
    and no dates at all ``with no dates``.
    """
    if start is None:
        return "with no dates" if end is None else f"until {format_uk(end)}"
    return f"{format_uk(start)}{EN_DASH}{format_uk(end, 'ongoing')}"

