"""The identifier guard: find the stored identifiers of cases in what people wrote
(DESIGN §8, issue 16).

A report must identify cases by reference only, yet a family name, a date of birth or a
system id can be typed into a finding, a return or the scope.  The guard checks **the
text people wrote**, one piece at a time, never maca's own wording: the report builder
hands it every piece of user text it quotes together with its :class:`Place` (where the
text lives, in the user's terms, and the record and field to edit), and the guard says
which pieces hold what, without ever repeating the identifier.

The same :class:`Matcher` warns when a field is saved (:func:`Matcher.scan`) and masks
identifiers in what a viewer is shown (:func:`Matcher.mask`).

How a name is found (decisions where the design is silent):

- Text is read as people write names: whole words of letters and digits (``Family1`` is
  not ``Family``, ``Leeds`` is not ``Lee``), any letter case, accents folded (``Zoë`` is
  ``Zoe``), fullwidth and other compatibility forms read as plain letters, zero-width
  characters and soft hyphens ignored.  A name of several parts matches with a space,
  hyphen or apostrophe between them (``Smith-Jones``, ``Smith Jones``).  Its last word may
  carry a plural or possessive ending: ``Ashcombes``, ``Ashcombe's``, ``Ashcombes'``.
- A family name whose every part is an ordinary English word (``common_words.txt``: SCOWL
  size 35, British spelling, the words of everyday English) counts only when it is
  written as a name: **certain** when capitalised inside a sentence, in capitals in text
  that is not all in capitals, after a title (Mr, Mrs, Ms, Miss, Dr, Mx), in "the …
  family" when not lower case, or as a plural or possessive that is not itself a word
  ("the youngs"); **possible** when capitalised at the start of a sentence (``Young
  people were seen``), next to another capitalised ordinary word (``a Rapid Review``,
  the ``National Child Safeguarding Practice Review Panel``, but also ``Jack Green``),
  in a text written all in capitals, or in "the young family".  A lower-case ordinary
  word is never a match.  Every other family name is certain in any case.
- **Dates of birth** in digits (``2016-08-30``, ``30/08/2016``, ``30.8.16``: ``/``, ``-``
  and ``.`` alike; a two-digit year is read in both centuries) and in words (``30 August
  2016``, ``30th of Aug 2016``, ``August 30, 2016``).  Always certain.
- **System ids** by their letters and digits only, case-insensitive, starting and ending
  on a word boundary: ``485 777 3456`` is ``4857773456``.  Each id of a cell holding
  several is checked on its own, and also without a leading label of letters when six
  or more letters and digits are left (``NHS 485 777 3456`` is found as ``4857773456``).  Ids with fewer than three letters and digits are
  ignored: they would match ordinary numbers.  Always certain.

Speed: identifiers are indexed once (dictionaries by normalised value) and each text is
scanned once, so the cost grows with the text plus the identifiers, never their product.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from operator import attrgetter
from pathlib import Path

from audit.cases import CandidateCase

FAMILY_NAME = "family name"
DATE_OF_BIRTH = "date of birth"
SYSTEM_ID = "system id"

MASKS = {FAMILY_NAME: "‹name›", DATE_OF_BIRTH: "‹date of birth›", SYSTEM_ID: "‹system id›"}
"""What a viewer sees in place of an identifier (no markup characters, so safe anywhere)."""

_MIN_ID = 3
_MIN_NAME = 2
_MIN_UNLABELLED = 6  # an id without its label is looked for only when this long
_PREFIX = 4
_CONTEXT = 40  # characters either side of a possible match shown for review

TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "mx"})
_WORDS_FILE = Path(__file__).with_name("common_words.txt")

_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_TOKEN = re.compile(r"[^\W_]+")
_ID_SEPARATORS = re.compile(r"[;,|\n\t]+")  # as audit.cases.identifier_strings splits a cell
_NAME_GAP = re.compile(r"[\s'\-\u2010\u2011\u2012\u2013]{1,3}")
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


# ------------------------------------------------------------------------------ places


@dataclass(frozen=True, slots=True)
class Place:
    """Where a piece of people's text lives, in the user's terms and for the app.

    ``label`` is what a lead reads ("finding F3, text", "scope, background", "CSC's
    return for RB-2020-004, good practice"); ``section`` is the app's section where it is
    edited (``scope``, ``cohort``, ``returns``, ``discussion``, ``board``, or
    ``partnership`` for the partnership's own settings); ``key`` the record's key in its
    table (``MACA-C86/F3``; the audit ref for the audit's own fields) and ``field`` the
    field, with a 1-based position for lists (``text``, ``purpose.2``).
    """

    label: str
    section: str
    key: str = ""
    field: str = ""

    @property
    def id(self) -> str:
        """Stable name of the piece, for review marks: ``MACA-C86/F3#text``."""
        return f"{self.key}#{self.field}"


@dataclass(frozen=True, slots=True)
class Quoted:
    """A piece of people's text as it entered a report, and where it came from."""

    text: str
    place: Place


def text_hash(text: str) -> str:
    """A short fingerprint of a piece's text: a review mark holds while it is unchanged."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


# ------------------------------------------------------------------------------ results


@dataclass(frozen=True, slots=True)
class Match:
    """One identifier in a text: which kind, whose, where (offsets in the text as given)."""

    kind: str
    case_refs: tuple[str, ...]
    start: int
    end: int
    certain: bool


@dataclass(frozen=True, slots=True)
class Leak:
    """An identifier in a piece of people's text: what kind, whose, where (never what).

    ``context`` is the text around it with every identifier masked; ``start`` and
    ``text_hash`` name the spot for a review mark (:attr:`mark_id`).
    """

    kind: str
    case_ref: str
    place: Place
    certain: bool
    context: str = ""
    start: int = 0
    text_hash: str = ""

    @property
    def mark_id(self) -> str:
        """The spot a "not an identifier here" mark covers: piece, text and offset."""
        return f"{self.place.id}@{self.text_hash}:{self.start}"

    def describe(self) -> str:
        """``finding F3, text: the family name of case RB-2020-004`` (possibly …)."""
        what = f"the {self.kind} of case {self.case_ref}"
        return f"{self.place.label}: {what}" if self.certain else f"{self.place.label}: possibly {what}"


# ------------------------------------------------------------------------------ matching


@dataclass(slots=True)
class _Name:
    words: tuple[str, ...]
    refs: set[str]
    common: bool


@dataclass(slots=True)
class _Token:
    start: int  # offsets in the normalised text
    end: int
    word: str  # casefolded
    raw: str  # as written (normalised, accents folded)


class Matcher:
    """The identifiers of many cases, indexed once; scans, masks and checks texts."""

    def __init__(self, cases: Iterable[CandidateCase]) -> None:
        words = common_words()
        self.names: dict[str, list[_Name]] = defaultdict(list)  # by first word
        by_words: dict[tuple[str, ...], _Name] = {}
        self.dates: dict[date, set[str]] = defaultdict(set)
        self.ids: dict[str, set[str]] = defaultdict(set)
        self.id_lengths: set[int] = set()
        self.longest_id = 0
        self.id_prefixes: set[str] = set()  # the first 1-4 characters of every id
        # Read field by field in C (attrgetter), then grouped: a workspace holds tens of
        # thousands of cases, most with only some identifiers.
        cases = list(cases)
        refs = list(map(attrgetter("case_ref"), cases))
        name_words: dict[str, tuple[str, ...]] = {}
        for ref, family in zip(refs, map(attrgetter("family_name"), cases)):
            if not family:
                continue
            name = name_words.get(family)
            if name is None:
                name = name_words[family] = _name_words(family)
            if name:
                entry = by_words.get(name)
                if entry is None:
                    entry = by_words[name] = _Name(name, set(), all(w in words for w in name))
                    self.names[name[0]].append(entry)
                entry.refs.add(ref)
        dates = self.dates
        for ref, dob in zip(refs, map(attrgetter("child_dob"), cases)):
            if dob is not None:
                dates[dob].add(ref)
        ids, lengths, prefixes = self.ids, self.id_lengths, self.id_prefixes
        for ref, cell in zip(refs, map(attrgetter("system_ids"), cases)):
            if not cell:
                continue
            for key in _id_keys(cell):
                if len(key) >= _MIN_ID:
                    ids[key].add(ref)
                    lengths.add(len(key))
                    prefixes.update((key[:1], key[:2], key[:3], key[:4]))
        self.longest_id = max(self.id_lengths, default=0)

    def __bool__(self) -> bool:
        return bool(self.names or self.dates or self.ids)

    # -------------------------------------------------------------- the three uses

    def scan(self, text: str) -> list[Match]:
        """Every identifier in ``text``, in order of place (see the module doc)."""
        if not self or not text:
            return []
        norm, origin = _normalise(text)
        found: list[Match] = []
        if self.names:
            found += self._names(norm)
        if self.dates:
            found += self._dates(norm)
        if self.ids:
            found += self._ids(norm)
        if origin is not None:
            found = [Match(m.kind, m.case_refs, origin[m.start], origin[m.end - 1] + 1, m.certain) for m in found]
        found.sort(key=lambda m: (m.start, m.end))
        return found

    def mask(self, text: str) -> str:
        """``text`` with every identifier, certain or possible, replaced by its mask."""
        matches = self.scan(text)
        if not matches:
            return text
        return _masked(text, matches)

    def check(self, pieces: Iterable[Quoted]) -> list[Leak]:
        """Every identifier in the pieces, one :class:`Leak` per match and case, in
        the pieces' order; certain and possible alike (see :attr:`Leak.certain`)."""
        leaks: list[Leak] = []
        if not self:
            return leaks
        for piece in pieces:
            matches = self.scan(piece.text)
            if not matches:
                continue
            digest = text_hash(piece.text)
            for m in matches:
                context = _context(piece.text, m, matches)
                leaks.extend(Leak(m.kind, ref, piece.place, m.certain, context, m.start, digest)
                             for ref in m.case_refs)
        return leaks

    # -------------------------------------------------------------- names

    def _names(self, norm: str) -> list[Match]:
        tokens = _tokens(norm)
        if not tokens:
            return []
        words = common_words()
        found: list[Match] = []
        caps_text: bool | None = None
        for i, token in enumerate(tokens):
            for name, last_form in self._names_at(tokens, i, norm):
                j = i + len(name.words) - 1
                if name.common:
                    if caps_text is None:
                        caps_text = _mostly_capitals(norm)
                    certain = _as_name(tokens, i, j, last_form, norm, words, caps_text)
                    if certain is None:
                        continue
                else:
                    certain = True
                found.append(Match(FAMILY_NAME, tuple(sorted(name.refs)), token.start, tokens[j].end, certain))
        return found

    def _names_at(self, tokens: list[_Token], i: int, norm: str) -> list[tuple[_Name, str]]:
        """The names starting at token ``i``, with the form their last word takes there
        (``""`` as stored, ``"s"`` plural or possessive)."""
        word = tokens[i].word
        candidates = list(self.names.get(word, ()))
        for stem in _stems(word):
            candidates += [n for n in self.names.get(stem, ()) if len(n.words) == 1]
        out: list[tuple[_Name, str]] = []
        for name in candidates:
            n = len(name.words)
            if i + n > len(tokens):
                continue
            ok = True
            for k in range(1, n):
                gap = norm[tokens[i + k - 1].end:tokens[i + k].start]
                written = tokens[i + k].word
                wanted = name.words[k]
                if not _NAME_GAP.fullmatch(gap) or (written != wanted and (k < n - 1 or wanted not in _stems(written))):
                    ok = False
                    break
            if ok:
                last = tokens[i + n - 1].word
                out.append((name, "" if last == name.words[-1] else "s"))
        return out

    # -------------------------------------------------------------- dates and ids

    def _dates(self, norm: str) -> list[Match]:
        found: list[Match] = []

        def add(m: re.Match[str], year: int, month: int, day: int) -> None:
            try:
                refs = self.dates.get(date(year, month, day))
            except ValueError:
                return
            if refs:
                found.append(Match(DATE_OF_BIRTH, tuple(sorted(refs)), m.start(), m.end(), True))

        for m in _ISO.finditer(norm):
            add(m, int(m[1]), int(m[2]), int(m[3]))
        for m in _UK.finditer(norm):
            year = int(m[4])
            if len(m[4]) == 2:
                for century in (2000, 1900):
                    add(m, century + year, int(m[3]), int(m[1]))
            else:
                add(m, year, int(m[3]), int(m[1]))
        for m in _WRITTEN.finditer(norm):
            add(m, int(m[3]), _month(m[2]), int(m[1]))
        for m in _MONTH_FIRST.finditer(norm):
            add(m, int(m[3]), _month(m[1]), int(m[2]))
        return found

    def _ids(self, norm: str) -> list[Match]:
        """Ids by their letters and digits, starting and ending on a word boundary."""
        runs = [(m.start(), m.end(), m[0].casefold()) for m in _TOKEN.finditer(norm)]
        found: list[Match] = []
        prefixes = self.id_prefixes
        for first in range(len(runs)):
            if runs[first][2][:_PREFIX] not in prefixes:
                continue  # no id starts like this word: the common case, checked cheaply
            joined = ""
            for last in range(first, len(runs)):
                joined += runs[last][2]
                if len(joined) in self.id_lengths:
                    refs = self.ids.get(joined)
                    if refs:
                        found.append(Match(SYSTEM_ID, tuple(sorted(refs)), runs[first][0], runs[last][1], True))
                if len(joined) >= self.longest_id:
                    break
        return found


def check_pieces(pieces: Iterable[Quoted], cases: Iterable[CandidateCase]) -> list[Leak]:
    """:meth:`Matcher.check` with a matcher made for ``cases``."""
    return Matcher(cases).check(pieces)


# ------------------------------------------------------------------------------ helpers


def _id_keys(cell: str) -> set[str]:
    """The keys (letters and digits, folded) of the system ids of a cell: each id when it
    holds several (separated as :func:`audit.cases.identifier_strings` separates them),
    the cell itself when it holds one; and each without a leading label of letters
    ("NHS 485 777 3456" is also "485 777 3456", as people type it) when at least six
    letters and digits are left."""
    parts = _ID_SEPARATORS.split(cell)
    keys = set()
    for part in parts:
        words = _TOKEN.findall(part if part.isascii() else _fold(part))
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


def _name_words(family_name: str) -> tuple[str, ...]:
    """A family name as the words the matcher compares (``()`` when too short)."""
    if family_name.isascii() and family_name.isalpha():  # the common case, without a regex
        words: tuple[str, ...] = (family_name.casefold(),)
    else:
        words = tuple(t.word for t in _tokens(_fold(family_name)))
    return words if sum(map(len, words)) >= _MIN_NAME else ()


def _fold_char(c: str) -> str:
    if _INVISIBLE.match(c):
        return ""
    c = unicodedata.normalize("NFKC", c).translate(_APOSTROPHES)
    if c.isascii():
        return c
    return "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x))


def _fold(text: str) -> str:
    return text if text.isascii() else "".join(map(_fold_char, text))


def _normalise(text: str) -> tuple[str, list[int] | None]:
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


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.start(), m.end(), m[0].casefold(), m[0]) for m in _TOKEN.finditer(text)]


def _stems(word: str) -> list[str]:
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


def _mostly_capitals(text: str) -> bool:
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


def _as_name(tokens: list[_Token], i: int, j: int, last_form: str, norm: str, words: frozenset[str],
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


def _capitalised_word(token: _Token | None, norm: str, words: frozenset[str], gap_start: int, gap_end: int) -> bool:
    """A capitalised ordinary word next to a name, only a space apart, that does not
    start a sentence itself (so "The" of "The Green family" is not one)."""
    return token is not None and norm[gap_start:gap_end] == " " and token.raw[0].isupper() and \
        token.word in words and token.word not in TITLES and not _sentence_start(norm, token.start)


def _masked(text: str, matches: list[Match]) -> str:
    out: list[str] = []
    at = 0
    for m in sorted(matches, key=lambda m: (m.start, -m.end)):
        if m.start < at:
            continue  # inside a match already masked
        out.append(text[at:m.start])
        out.append(MASKS[m.kind])
        at = m.end
    out.append(text[at:])
    return "".join(out)


def _context(text: str, match: Match, matches: list[Match]) -> str:
    """The words around ``match`` on one line, every identifier in them masked."""
    start = max(0, match.start - _CONTEXT)
    end = min(len(text), match.end + _CONTEXT)
    inside = [Match(m.kind, m.case_refs, max(m.start, start) - start, min(m.end, end) - start, m.certain)
              for m in matches if m.end > start and m.start < end]
    shown = _masked(text[start:end], inside)
    shown = " ".join(shown.split())
    return ("…" if start > 0 else "") + shown + ("…" if end < len(text) else "")
