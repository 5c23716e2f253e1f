"""The guard's check of a few pieces of text against many cases, without indexing every
case (issue 14 item 7.8).

A report quotes some 70,000 characters; a ten-year workspace holds 30,000 cases.  Building
a :class:`audit.guard.Matcher` over every case's identifiers cost 300 ms, most of it
reading 30,000 cells of system ids one by one, to check text that could only ever hold a
few of them.  So the text is read first, and a matcher is built over only the cases that
may appear in it:

- a family name may match only where a word of the text (or its singular, as the matcher
  reads plurals) is the name's first word;
- a date of birth only where the text writes that date;
- a system id only where it is a run of the text's words joined: the cells are read all
  at once, as one string of bytes (each part's letters and digits), and a cell is kept
  when a part of it has the digits of such a run (or, having no digits, is that run).

Every case whose identifier is in the text is kept (with every other case sharing it), so
the matcher over them finds exactly what the matcher over every case finds, with the same
cases named: the check's answer does not change, only its cost.
"""

from __future__ import annotations

import operator
from bisect import bisect_right
from collections.abc import Iterable
from datetime import date
from itertools import accumulate, compress
from operator import attrgetter, methodcaller

from audit import guard_reading as reading
from audit.cases import CandidateCase

# The cells of system ids read at once, as bytes: letters lower-cased, a separator of ids
# (as id_keys splits a cell) made \x01, \x00 between cells, and whatever is neither a letter,
# a digit nor a separator left out: each part's key (its letters and digits) in a row.
_ALNUM = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ;,|\n\t", b"abcdefghijklmnopqrstuvwxyz\x01\x01\x01\x01\x01")
_NOT_KEY = bytes(i for i in range(256) if i not in _ALNUM and i not in b";,|\n\t\x00\x01")
_LETTERS = b"abcdefghijklmnopqrstuvwxyz"


def cases_that_may_match(texts: Iterable[str], cases: Iterable[CandidateCase]) -> list[CandidateCase]:
    """The cases whose family name, date of birth or a system id may be in ``texts``
    (every case whose identifier is there, perhaps a few more)."""
    cases = list(cases)
    if not cases:
        return []
    # The pieces as one text: a run of words, a date or a name never spans the NUL
    # between two pieces (at worst a run joined across it is one more to look up).
    norm = "\x00".join(reading.normalise(text)[0] for text in texts)  # each piece as the matcher reads it
    runs = reading.TOKEN.findall(norm.lower()) if norm.isascii() else \
        [word.casefold() for word in reading.TOKEN.findall(norm)]
    cells = list(map(attrgetter("system_ids"), cases))
    families = list(map(attrgetter("family_name"), cases))
    chosen: set[int] = set()
    for wanted, values in ((_cells_in(set(cells), runs), cells),
                           (_families_in(set(families), _words(runs)), families),
                           (_dates(norm), map(attrgetter("child_dob"), cases))):
        if wanted:  # usually empty: a report holds no identifier
            chosen.update(compress(range(len(cases)), map(wanted.__contains__, values)))
    return [cases[n] for n in sorted(chosen)]


def _words(runs: list[str]) -> set[str]:
    """The text's words and the singulars the matcher tries for them."""
    words = set(runs)
    words.update(stem for word in runs if word.endswith("s") for stem in reading.stems(word))
    return words


def _dates(norm: str) -> set[date]:
    found = set()
    for _, _, year, month, day in reading.written_dates(norm):
        try:
            found.add(date(year, month, day))
        except ValueError:
            continue
    return found


def _joined(runs: list[str], longest: int) -> set[str]:
    """Every run of the text's words joined, up to ``longest`` characters: where an id
    may be written (as the matcher looks for them)."""
    joined: set[str] = set()
    count = len(runs)
    for first in range(count):
        run = ""
        for at in range(first, count):
            run += runs[at]
            if len(run) > longest:
                break
            joined.add(run)
    return joined


def _families_in(families: set[str], words: set[str]) -> set[str]:
    """The family names whose first word (as the matcher reads names) is among ``words``."""
    families.discard("")
    plain = list(filter(str.isalpha, filter(str.isascii, families)))  # read as one word, casefolded
    found = set(compress(plain, map(words.__contains__, map(str.casefold, plain))))
    for family in families.difference(plain):
        name = reading.name_words(family)
        if name and name[0] in words:
            found.add(family)
    return found


def _cells_in(cells: set[str], runs: list[str]) -> set[str]:
    """The cells of system ids that may give a key written in the text (``runs``).

    A key is a part's key (its letters and digits), or that key without its leading
    labels (words of letters), which leaves its digits as they were.  So a key written in
    the text has the digits of its part's key, and a key without digits is a whole part's
    key: each part is looked for by its digits, or by its key when it has none."""
    cells.discard("")
    plain = list(filter(str.isascii, cells))
    if "\x00" in "".join(plain):  # NUL ends a cell below: read such a cell on its own
        plain = [cell for cell in plain if "\x00" not in cell]
    others = [(cell, reading.id_keys(cell)) for cell in cells.difference(plain)]
    keys = (b"\x00" + "\x00".join(plain).encode("ascii")).translate(_LOWER, _NOT_KEY)
    digits = keys.translate(None, _LETTERS)
    parts = keys.replace(b"\x00", b"\x01").split(b"\x01")
    part_digits = digits.replace(b"\x00", b"\x01").split(b"\x01")
    wordy = set(filter(None, compress(parts, map(operator.not_, part_digits))))  # keys of letters only
    longest = max(map(len, parts))
    for _, found_keys in others:
        longest = max(longest, *map(len, found_keys), 0)
    joined = _joined(runs, longest)
    found = {cell for cell, found_keys in others if not found_keys.isdisjoint(joined)}
    written = [run.encode("utf-8", "surrogatepass") for run in joined]
    written_digits = list(map(methodcaller("translate", None, _LETTERS), written))
    by_digits = set(part_digits).intersection(written_digits)
    by_digits.discard(b"")
    by_key = wordy.intersection(compress(written, map(operator.not_, written_digits)))
    # Each hit is a piece of its cell's keys (or digits) written out: find it there.
    for hits, blob in ((by_digits, digits), (by_key, keys)):
        if not hits:
            continue
        starts = list(accumulate(map(len, blob.split(b"\x00")), lambda at, n: at + n + 1, initial=0))
        for hit in hits:
            at = blob.find(hit)
            while at >= 0:
                found.add(plain[bisect_right(starts, at) - 2])
                at = blob.find(hit, at + 1)
    return found
