"""The export guard: find any stored identifier of a case in a report's text (DESIGN §8).

A report must identify cases by reference only, yet a family name or a date of birth
can be typed into evidence, a finding or even the scope.  :func:`find_identifiers`
scans the finished text (Markdown or HTML) and says where each one is, without ever
repeating the identifier: a :class:`Leak` names its kind, the case (by reference, which
is safe to show), the line and the heading the line falls under.

How text is compared (decisions where the design is silent):

- The text is normalised first, line by line: Markdown backslash escapes and HTML
  entities are undone (``O\\_Brien``, ``O&#x27;Neill``), zero-width characters and soft
  hyphens are removed (they would otherwise hide a name from the eye and the check),
  compatibility forms become plain ones (fullwidth ``Ｌｅｅ`` is ``Lee``), and
  typographic apostrophes count as ``'``.  Names compare without accents (``Zoë`` and
  ``Zoe`` match each other), erring towards a refusal.
- **Family names** match case-insensitively as whole words: the text is split into
  words of letters and the name's words must appear consecutively, so "Lee" is found in
  "Lee's" and "LEE" but not in "Leeds" or "fleeing".  A name is split the same way, so
  "Smith-Jones" is also found as "Smith Jones".  Names shorter than two letters are
  ignored.  A family name that is also an ordinary word the report uses ("Good",
  "Young") will be reported wherever that word appears: the guard errs on the side of
  refusing.
- **Dates of birth** are found written as ``YYYY-MM-DD``, ``DD/MM/YYYY`` or ``D/M/YYYY``
  (``-`` and ``.`` are accepted in place of ``/``), and as ``7 July 2016`` or
  ``7 Jul 2016``.  Two-digit years are not checked: they cannot be told from other numbers.
- **System ids** match case-insensitively with or without spaces and hyphens: only
  their letters and digits are compared, and a match must start and end at a word
  boundary, so ``485 777 3456`` is found for ``4857773456`` and ``NHS-FAKE-000 142 3389``
  as ``nhs fake 0001423389``.  Each id of a cell holding several is checked on its own
  (:func:`audit.cases.identifier_strings`).  Ids with fewer than three letters and
  digits are ignored: they cannot identify anyone and would match ordinary numbers.

Speed: identifiers are indexed once per call (dictionaries by normalised value) and the
text is scanned once, so the cost grows with the text and the number of cases, not their
product.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from audit.cases import CandidateCase, identifier_strings
from audit.dates import format_uk

FAMILY_NAME = "family name"
DATE_OF_BIRTH = "date of birth"
SYSTEM_ID = "system id"

_MIN_ID = 3
_MIN_NAME = 2
_PREFIX = 4

_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_WORD = re.compile(r"[^\W\d_]+")
_ALNUM_RUN = re.compile(r"[^\W_]+")
_ISO = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_UK = re.compile(r"(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?!\d)")
_MONTHS = {m.lower(): i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"], start=1)}
_MONTH_NAMES = "|".join(sorted({*_MONTHS, *(m[:3] for m in _MONTHS), "sept"}, key=len, reverse=True))
_WRITTEN = re.compile(rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_NAMES})\.?,?\s+(\d{{4}})(?!\d)",
                      re.IGNORECASE)
_MD_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_HTML_HEADING = re.compile(r"<h([1-6])[^>]*>(.*?)</h\1>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class Leak:
    """One identifier found in a report: which kind, whose, and where (never what)."""

    kind: str  # FAMILY_NAME, DATE_OF_BIRTH or SYSTEM_ID
    case_ref: str
    line: int  # 1-based
    heading: str  # the heading the line falls under ("" before the first heading)

    def describe(self) -> str:
        """``line 40 (under 'Good practice'): the family name of case RB-2020-004``."""
        where = f"line {self.line}" + (f" (under '{self.heading}')" if self.heading else "")
        return f"{where}: the {self.kind} of case {self.case_ref}"


class _Index:
    """The identifiers of many cases, keyed by the normalised form the scan produces."""

    def __init__(self, cases: list[CandidateCase]) -> None:
        self.names: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self.name_lengths: set[int] = set()
        self.first_words: set[str] = set()
        self.dates: dict[date, set[str]] = defaultdict(set)
        self.ids: dict[str, set[str]] = defaultdict(set)
        self.id_lengths: set[int] = set()
        self.longest_id = 0
        self.id_prefixes: set[str] = set()  # the first 1-4 characters of every id
        for case in cases:
            words = tuple(_words(_normalise(case.family_name)))
            if words and sum(map(len, words)) >= _MIN_NAME:
                self.names[words].add(case.case_ref)
                self.name_lengths.add(len(words))
                self.first_words.add(words[0])
            if case.child_dob is not None:
                self.dates[case.child_dob].add(case.case_ref)
            for value in _system_ids(case):
                key = _skeleton(_normalise(value))
                if len(key) >= _MIN_ID:
                    self.ids[key].add(case.case_ref)
                    self.id_lengths.add(len(key))
                    self.longest_id = max(self.longest_id, len(key))
                    self.id_prefixes.update(key[:n] for n in range(1, _PREFIX + 1))


def _system_ids(case: CandidateCase) -> list[str]:
    """The system ids among :func:`identifier_strings` (the cell and each id in it)."""
    if not case.system_ids.strip():
        return []
    others = {case.family_name.strip()}
    if case.child_dob is not None:
        others |= {case.child_dob.isoformat(), format_uk(case.child_dob)}
    return [value for value in identifier_strings(case) if value not in others]


def _normalise(text: str) -> str:
    text = _MD_ESCAPE.sub(r"\1", text)
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        # Compatibility forms read the same to a person: fullwidth letters and digits,
        # ligatures, superscripts become their plain forms.
        text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)).translate(_APOSTROPHES)
    return text


def _words(text: str) -> list[str]:
    """Lower-case words of letters; accents are dropped on both sides (Zoë = Zoe)."""
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return [w.casefold() for w in _WORD.findall(text)]


def _skeleton(text: str) -> str:
    return "".join(_ALNUM_RUN.findall(text)).casefold()


def find_identifiers(text: str, cases: list[CandidateCase]) -> list[Leak]:
    """Every identifier of ``cases`` found in ``text``, in line order (see module doc).

    Each (line, kind, case) is reported once.
    """
    index = _Index(cases)
    if not (index.names or index.dates or index.ids):
        return []
    found: list[tuple[int, str, str]] = []
    headings: list[tuple[int, str]] = []  # (line, plain title)
    for number, raw in enumerate(text.split("\n"), start=1):
        title = _heading(raw)
        if title is not None:
            headings.append((number, title))
        line = _normalise(raw)
        hits: list[tuple[str, str]] = []
        if index.names:
            hits += [(FAMILY_NAME, ref) for ref in _find_names(line, index)]
        if index.dates:
            hits += [(DATE_OF_BIRTH, ref) for ref in _find_dates(line, index)]
        if index.ids:
            hits += [(SYSTEM_ID, ref) for ref in _find_ids(line, index)]
        seen: set[tuple[str, str]] = set()
        for kind, ref in hits:
            if (kind, ref) not in seen:
                seen.add((kind, ref))
                found.append((number, kind, ref))
    if not found:
        return []
    leaky_lines = {n for n, _, _ in found}
    leaks = []
    for number, kind, ref in found:
        leaks.append(Leak(kind, ref, number, _heading_for(number, headings, leaky_lines)))
    return leaks


def _heading(line: str) -> str | None:
    """The plain title if ``line`` is a Markdown or HTML heading."""
    m = _MD_HEADING.match(line)
    if m is not None:
        return _MD_ESCAPE.sub(r"\1", m[2] or "").strip()
    m = _HTML_HEADING.search(line)
    if m is not None:
        return html.unescape(_TAG.sub("", m[2])).strip()
    return None


def _heading_for(line: int, headings: list[tuple[int, str]], leaky_lines: set[int]) -> str:
    """The title of the heading above ``line``, or a stand-in if it holds an identifier
    itself (the message must never repeat one)."""
    current: tuple[int, str] | None = None
    for heading in headings:
        if heading[0] > line:
            break
        current = heading
    if current is None:
        return ""
    if current[0] in leaky_lines:
        return f"the heading on line {current[0]}"
    return current[1]


def _find_names(line: str, index: _Index) -> list[str]:
    words = _words(line)
    refs: list[str] = []
    for i, word in enumerate(words):
        if word not in index.first_words:
            continue
        for length in index.name_lengths:
            found = index.names.get(tuple(words[i:i + length]))
            if found:
                refs.extend(sorted(found))
    return refs


def _find_dates(line: str, index: _Index) -> list[str]:
    refs: list[str] = []
    candidates: list[tuple[int, int, int]] = []
    candidates += [(int(m[1]), int(m[2]), int(m[3])) for m in _ISO.finditer(line)]
    candidates += [(int(m[3]), int(m[2]), int(m[1])) for m in _UK.finditer(line)]
    for m in _WRITTEN.finditer(line):
        month = m[2].lower()
        month_number = _MONTHS.get(month) or next(
            (n for name, n in _MONTHS.items() if name.startswith(month[:3])), 0)
        candidates.append((int(m[3]), month_number, int(m[1])))
    for year, month, day in candidates:
        try:
            found = index.dates.get(date(year, month, day))
        except ValueError:
            continue
        if found:
            refs.extend(sorted(found))
    return refs


def _find_ids(line: str, index: _Index) -> list[str]:
    """Ids by their letters and digits, starting and ending on a word boundary."""
    runs = _ALNUM_RUN.findall(line)
    if not runs:
        return []
    lowered = [r.casefold() for r in runs]
    refs: list[str] = []
    prefixes = index.id_prefixes
    for start in range(len(lowered)):
        if lowered[start][:_PREFIX] not in prefixes:
            continue  # no id starts like this word: the common case, checked cheaply
        joined = ""
        for end in range(start, len(lowered)):
            joined += lowered[end]
            if len(joined) in index.id_lengths:
                found = index.ids.get(joined)
                if found:
                    refs.extend(sorted(found))
            if len(joined) >= index.longest_id:
                break
    return refs
