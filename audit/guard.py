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
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from operator import attrgetter

from audit.cases import CandidateCase
from audit import guard_reading as reading
from audit.guard_reading import Token, common_words

FAMILY_NAME = "family name"
DATE_OF_BIRTH = "date of birth"
SYSTEM_ID = "system id"

MASKS = {FAMILY_NAME: "‹name›", DATE_OF_BIRTH: "‹date of birth›", SYSTEM_ID: "‹system id›"}
"""What a viewer sees in place of an identifier (no markup characters, so safe anywhere)."""

_MIN_ID = 3
_PREFIX = 4
_CONTEXT = 40  # characters either side of a possible match shown for review


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
                name = name_words[family] = reading.name_words(family)
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
            for key in reading.id_keys(cell):
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
        norm, origin = reading.normalise(text)
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
        tokens = reading.tokens(norm)
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
                        caps_text = reading.mostly_capitals(norm)
                    certain = reading.as_name(tokens, i, j, last_form, norm, words, caps_text)
                    if certain is None:
                        continue
                else:
                    certain = True
                found.append(Match(FAMILY_NAME, tuple(sorted(name.refs)), token.start, tokens[j].end, certain))
        return found

    def _names_at(self, tokens: list[Token], i: int, norm: str) -> list[tuple[_Name, str]]:
        """The names starting at token ``i``, with the form their last word takes there
        (``""`` as stored, ``"s"`` plural or possessive)."""
        word = tokens[i].word
        candidates = list(self.names.get(word, ()))
        for stem in reading.stems(word):
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
                if not reading.NAME_GAP.fullmatch(gap) or \
                        (written != wanted and (k < n - 1 or wanted not in reading.stems(written))):
                    ok = False
                    break
            if ok:
                last = tokens[i + n - 1].word
                out.append((name, "" if last == name.words[-1] else "s"))
        return out

    # -------------------------------------------------------------- dates and ids

    def _dates(self, norm: str) -> list[Match]:
        found: list[Match] = []
        for start, end, year, month, day in reading.written_dates(norm):
            try:
                refs = self.dates.get(date(year, month, day))
            except ValueError:
                continue
            if refs:
                found.append(Match(DATE_OF_BIRTH, tuple(sorted(refs)), start, end, True))
        return found

    def _ids(self, norm: str) -> list[Match]:
        """Ids by their letters and digits, starting and ending on a word boundary."""
        runs = [(m.start(), m.end(), m[0].casefold()) for m in reading.TOKEN.finditer(norm)]
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
    """:meth:`Matcher.check` with a matcher made for ``cases``: the same answer, from a
    matcher over only the cases whose identifiers may be in the pieces' text
    (:mod:`audit.guard_prefilter`), as a report is checked once and has few of them."""
    from audit.guard_prefilter import cases_that_may_match

    pieces = list(pieces)
    return Matcher(cases_that_may_match((piece.text for piece in pieces), cases)).check(pieces)


# ------------------------------------------------------------------------------ masking


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
