"""How the identifier guard reads text: words, names written as names, ids and dates.

The rules are the guard's (see :mod:`audit.guard`'s module doc, "How a name is found");
this module holds the reading they rest on: text folded as people read it (accents,
fullwidth forms, zero-width characters), its words, the keys of a cell of system ids,
the dates written in a text, and whether an ordinary word is written there as a name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_MIN_NAME = 2
_MIN_UNLABELLED = 6  # an id without its label is looked for only when this long

TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "mx"})
_WORDS_FILE = Path(__file__).with_name("common_words.txt")

_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
TOKEN = re.compile(r"[^\W_]+")
_ID_SEPARATORS = re.compile(r"[;,|\n\t]+")  # as audit.cases.identifier_strings splits a cell
NAME_GAP = re.compile(r"[\s'\-\u2010\u2011\u2012\u2013]{1,3}")
_TITLE_GAP = re.compile(r"\.?\s+")
_SENTENCE_END = set(".!?:\n")
_OPENERS = set(" \t\"'([{*_-•>#")
_ISO = re.compile(r"(?<![\d/.-])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d])")
_UK = re.compile(r"(?<![\d/.-])(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?![\d/-]|\.\d)")
_MONTHS = {m.lower(): i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"], start=1)}
_MONTH_NAMES = "|".join(sorted({*_MONTHS, *(m[:3] for m in _MONTHS), "sept"}, key=len, reverse=True))
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_WRITTEN = re.compile(rf"(?<!\d){_DAY}\s+(?:of\s+)?({_MONTH_NAMES})\.?,?\s+(\d{{4}})(?!\d)", re.IGNORECASE)
_MONTH_FIRST = re.compile(rf"\b({_MONTH_NAMES})\.?\s+(?:the\s+)?{_DAY},?\s+(\d{{4}})(?!\d)", re.IGNORECASE)


@cache
def common_words() -> frozenset[str]:
    """The ordinary English words (lower case) of ``common_words.txt``."""
    with _WORDS_FILE.open(encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip() and not line.startswith("#"))


@dataclass(slots=True)
class Token:
    """One word of a normalised text."""

    start: int  # offsets in the normalised text
    end: int
    word: str  # casefolded
    raw: str  # as written (normalised, accents folded)


def written_dates(norm: str) -> Iterator[tuple[int, int, int, int, int]]:
    """Every date written in ``norm`` as ``(start, end, year, month, day)``, unchecked (a
    31 February is yielded too); a two-digit year once in each century, 2000s first."""
    for m in _ISO.finditer(norm):
        yield m.start(), m.end(), int(m[1]), int(m[2]), int(m[3])
    for m in _UK.finditer(norm):
        year = int(m[4])
        if len(m[4]) == 2:
            for century in (2000, 1900):
                yield m.start(), m.end(), century + year, int(m[3]), int(m[1])
        else:
            yield m.start(), m.end(), year, int(m[3]), int(m[1])
    for m in _WRITTEN.finditer(norm):
        yield m.start(), m.end(), int(m[3]), _month(m[2]), int(m[1])
    for m in _MONTH_FIRST.finditer(norm):
        yield m.start(), m.end(), int(m[3]), _month(m[1]), int(m[2])


def id_keys(cell: str) -> set[str]:
    """The keys (letters and digits, folded) of the system ids of a cell: each id when it
    holds several (separated as :func:`audit.cases.identifier_strings` separates them),
    the cell itself when it holds one; and each without a leading label of letters
    ("NHS 485 777 3456" is also "485 777 3456", as people type it) when at least six
    letters and digits are left."""
    parts = _ID_SEPARATORS.split(cell)
    keys = set()
    for part in parts:
        words = TOKEN.findall(part if part.isascii() else fold(part))
        if not words:
            continue
        keys.add("".join(words).casefold())
        n = 0
        while n < len(words) and words[n].isalpha():
            n += 1
        if 0 < n < len(words):
            rest = "".join(words[n:])
            if len(rest) >= _MIN_UNLABELLED:
                keys.add(rest.casefold())
    return keys


def name_words(family_name: str) -> tuple[str, ...]:
    """A family name as the words the matcher compares (``()`` when too short)."""
    if family_name.isascii() and family_name.isalpha():  # the common case, without a regex
        words: tuple[str, ...] = (family_name.casefold(),)
    else:
        words = tuple(t.word for t in tokens(fold(family_name)))
    return words if sum(map(len, words)) >= _MIN_NAME else ()


def _fold_char(c: str) -> str:
    if _INVISIBLE.match(c):
        return ""
    c = unicodedata.normalize("NFKC", c).translate(_APOSTROPHES)
    if c.isascii():
        return c
    return "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x))


def fold(text: str) -> str:
    """The text with accents and compatibility forms folded, invisible characters gone."""
    return text if text.isascii() else "".join(map(_fold_char, text))


def normalise(text: str) -> tuple[str, list[int] | None]:
    """The text as the matcher reads it, and where each of its characters came from
    (``None`` when they are the same text: plain ASCII, the common case)."""
    if text.isascii():
        return text, None
    out: list[str] = []
    origin: list[int] = []
    for n, c in enumerate(text):
        folded = _fold_char(c)
        out.append(folded)
        origin.extend([n] * len(folded))
    return "".join(out), origin


def tokens(text: str) -> list[Token]:
    """The words (runs of letters and digits) of a normalised text."""
    return [Token(m.start(), m.end(), m[0].casefold(), m[0]) for m in TOKEN.finditer(text)]


def stems(word: str) -> list[str]:
    """What a plural or possessive word may be the plural of: ``ashcombes`` → ashcombe,
    ``joneses`` → jones."""
    stems = []
    if len(word) > 2 and word.endswith("s"):
        stems.append(word[:-1])
        if word.endswith("es") and len(word) > 3:
            stems.append(word[:-2])
    return stems


def _month(name: str) -> int:
    name = name.lower()
    return _MONTHS.get(name) or next((n for full, n in _MONTHS.items() if full.startswith(name[:3])), 0)


def mostly_capitals(text: str) -> bool:
    """Text written in capitals, where capitals say nothing about names."""
    upper = sum(1 for c in text if c.isupper())
    lower = sum(1 for c in text if c.islower())
    return upper > 3 * lower


def _sentence_start(norm: str, at: int) -> bool:
    """Whether a word starting at ``at`` starts a sentence (or a line or list item)."""
    i = at - 1
    while i >= 0 and norm[i] in _OPENERS:
        i -= 1
    return i < 0 or norm[i] in _SENTENCE_END or "\n" in norm[i:at]


def as_name(tokens: list[Token], i: int, j: int, last_form: str, norm: str, words: frozenset[str],
             caps_text: bool) -> bool | None:
    """For a family name that is an ordinary word, found at tokens ``i``–``j``: True when
    it is written as a name, False when it may be one (for review), None when it is the
    ordinary word (see the module doc)."""
    first, last = tokens[i], tokens[j]
    before = tokens[i - 1] if i > 0 else None
    after = tokens[j + 1] if j + 1 < len(tokens) else None
    if before is not None and before.word in TITLES and _TITLE_GAP.fullmatch(norm[before.end:first.start]):
        return True
    after_the = before is not None and before.word == "the" and norm[before.end:first.start].isspace()
    family = after_the and after is not None and after.word in ("family", "familys") and \
        norm[last.end:after.start] in (" ", "-")
    # A plural or possessive form that is not a word of its own ("youngs") is a name.
    odd_form = bool(last_form) and last.word not in words
    raw = first.raw
    if raw.islower():
        if after_the and odd_form:
            return True
        return False if family else None
    if caps_text:
        return True if (family or odd_form) else False
    if raw.isupper() and len(raw) > 1:
        return True
    if not raw[0].isupper():
        return None  # "gOOD": not how names are written
    if family or odd_form:
        return True
    if _sentence_start(norm, first.start):
        return False
    # In a run of capitalised ordinary words it is a title ("the National Child
    # Safeguarding Practice Review Panel", "a Rapid Review"), or a first name and a
    # family name ("Jack Green"): one for a person to judge.
    if _capitalised_word(before, norm, words, before.end if before else 0, first.start) or \
            _capitalised_word(after, norm, words, last.end, after.start if after else 0):
        return False
    return True


def _capitalised_word(token: Token | None, norm: str, words: frozenset[str], gap_start: int, gap_end: int) -> bool:
    """A capitalised ordinary word next to a name, only a space apart, that does not
    start a sentence itself (so "The" of "The Green family" is not one)."""
    return token is not None and norm[gap_start:gap_end] == " " and token.raw[0].isupper() and \
        token.word in words and token.word not in TITLES and not _sentence_start(norm, token.start)
