"""The values of a candidate cases CSV (DESIGN §6), a column at a time.

Each column is parsed two ways that must agree.  The quick paths take a whole column in
a few passes done in C (the usual spellings looked up as typed, engagement periods found
by one regular expression over a block of rows); any value they do not take goes to the
explaining parser, which reads one value and says in one sentence what is wrong with
it.  ``tests/audit/test_bulk_paths.py`` holds the two to the same answers.
"""

from __future__ import annotations

import re
from datetime import date
from itertools import compress, islice, repeat
from operator import gt, not_
from typing import Any, Callable, Iterable, Sequence

from audit.cases import Engagement
from audit.dates import format_uk, parse_date
from audit.text import has_control, one_of, quote, strip_control

YES_NO_COLUMNS = ("unborn", "domestic_abuse", "substance_misuse", "maternal_mental_health")
COUNT_COLUMNS = ("older_siblings", "males_in_household")
TEXT_COLUMNS = ("family_name", "system_ids", "notes")
FREE_COLUMNS = (*TEXT_COLUMNS, "engagement")

MAX_COUNT_DIGITS = 6

_YES_NO = {"yes": True, "y": True, "true": True, "1": True,
           "no": False, "n": False, "false": False, "0": False}
# The spellings spreadsheets usually hold, looked up as they are; any other goes through
# the explaining parser.
_YES_NO_AS_TYPED = {"": None, **{spelling: value for word, value in _YES_NO.items()
                                 for spelling in (word, word.capitalize(), word.upper())}}
# One ";"-separated part of an engagement value that is exactly one period as the quick
# path takes it (AGENCY:START..END, spaces around the pieces); a row whose parts are not
# all found this way goes to the explaining parser, which accepts no more than this.
# _PERIODS_JOINED also takes NUL as the end of a part: it searches the values of a block
# of rows joined by NUL, so that one search finds the periods of all of them.
_PERIOD = r"\s*([^\s:;\x00]+)\s*:\s*([^\s.:;\x00]+)\s*\.\.\s*([^\s.:;\x00]*)\s*"
_PERIODS = re.compile(rf"(?:^|(?<=;)){_PERIOD}(?=;|\Z)")
_PERIODS_JOINED = re.compile(rf"(?:^|(?<=[;\x00])){_PERIOD}(?=[;\x00]|\Z)")
_BLOCK = 512  # rows searched at once; a block with an odd row is searched row by row

_BAD = object()  # a date the quick path could not read

# --- explaining parsers: take a trimmed, non-blank value; return it parsed, or append
# one sentence per problem to ``bad``.


def yes_no(value: str, bad: list[str]) -> bool | None:
    result = _YES_NO.get(value.lower())
    if result is None:
        bad.append(f"{quote(value)} is not yes or no; use yes, no, y, n, true, false, 1 or 0, "
                   f"or leave it blank")
    return result


def _count(value: str, bad: list[str]) -> int | None:
    if value.isascii() and value.isdigit():
        if len(value) <= MAX_COUNT_DIGITS:
            return int(value)
        bad.append(f"{quote(value)} is too large for a count")
    elif value[0] == "-" and value[1:].isascii() and value[1:].isdigit():
        bad.append(f"a count cannot be negative (found {quote(value)})")
    else:
        bad.append(f"{quote(value)} is not a whole number; use 0 or more, or leave it blank")
    return None


class _Dates(dict):  # type: ignore[type-arg]
    """Date text -> its date, ``_BAD`` if it is not one, None for "": each distinct text
    parsed once, however many rows repeat it."""

    def __init__(self) -> None:
        super().__init__({"": None})

    def __missing__(self, text: str) -> Any:
        try:
            day = parse_date(text)
        except ValueError:
            day = _BAD
        self[text] = day
        return day


class Values:
    """Parsers that need the workspace's agency codes, sharing a cache of dates (real
    files repeat the same few hundred dates thousands of times)."""

    def __init__(self, agency_codes: Iterable[str]) -> None:
        self.agencies = {c.strip().upper() for c in agency_codes if c.strip()}
        self.canonical = {code: code for code in self.agencies}  # one shared string per code
        self.expected = one_of(sorted(self.agencies)) or "(no agencies are defined)"
        self.days = _Dates()

    def date_or_error(self, value: str) -> date | str:
        found = self.days[value]
        if found is _BAD:  # parsed again for its sentence: only a wrong date comes here
            try:
                parse_date(value)
            except ValueError as exc:
                return str(exc)
        return found  # type: ignore[no-any-return]

    def dob(self, value: str, bad: list[str]) -> date | None:
        found = self.date_or_error(value)
        if isinstance(found, str):
            bad.append(found)
            return None
        return found

    def engagement_column(self, col: Sequence[str], report: Report) -> list[list[Engagement] | None]:
        """Every row's engagement periods, the whole column at once.

        A row passes the quick path when each of its ";"-separated parts is one period
        AGENCY:START..END with a known agency and real dates in order.  A period holds
        exactly one ":" and lies within one part, so a row whose periods number both its
        ":" and its parts is all periods.  The periods of a block of rows are found by one
        search of their values joined by NUL and counted the same way for the block as a
        whole (it also needs no ";" in a row without ":"); a block that fails is searched
        row by row.  Each distinct date is parsed once and the periods are checked and
        built column-wise.  Any other row (blank, ``none``, a trailing ";", anything
        wrong) goes through the explaining parser on its own.
        """
        taken = list(map(str.count, col, repeat(":")))  # periods in the row, if all is well
        flat: list[tuple[str, str, str]] = []
        for first in range(0, len(col), _BLOCK):
            block, counts = col[first:first + _BLOCK], taken[first:first + _BLOCK]
            joined = "\x00".join(block)
            found = _PERIODS_JOINED.findall(joined)
            if (len(found) == sum(counts) == joined.count(";") + len(counts) - counts.count(0)
                    and joined.count("\x00") == len(block) - 1):
                flat += found
                continue
            for k, value in enumerate(block, first):
                found = _PERIODS.findall(value)
                if len(found) == taken[k] == value.count(";") + 1:
                    flat += found
                else:
                    taken[k] = 0  # the explaining parser does this row
        codes, start_texts, end_texts = zip(*flat) if flat else ((), (), ())
        agencies = list(map(self.canonical.get, codes))
        if None in agencies:  # letter case as typed, or unknown: those rows are checked below
            agencies = [a or c.upper() for a, c in zip(agencies, codes)]
        days = self.days
        starts = list(map(days.__getitem__, start_texts))
        ends = list(map(days.__getitem__, end_texts))
        periods = iter(list(map(Engagement, agencies, starts, ends)))
        out: list[Any] = list(map(list, map(islice, repeat(periods), taken)))
        # An open end is None and passes; compress and filter keep the closed ones aligned.
        if (not self.agencies.issuperset(agencies) or _BAD in days.values()
                or any(map(gt, compress(starts, ends), filter(None, ends)))):
            taken = [n and all(p.agency in self.agencies and p.start is not _BAD and p.end is not _BAD
                               and (p.end is None or p.start <= p.end) for p in row)
                     for n, row in zip(taken, out)]
        slow = []
        for k in compress(range(len(col)), map(not_, taken)):
            value = col[k].strip()
            if not value or value.lower() == "none":  # blank: unknown; none: no engagement
                out[k] = [] if value else None
            else:
                slow.append(k)
        if slow:
            out_slow = _each_value([col[k] for k in slow], self.engagement,
                                   lambda i, message: report(slow[i], message))
            for k, value in zip(slow, out_slow):
                out[k] = value
        return out

    def engagement(self, value: str, bad: list[str]) -> list[Engagement] | None:
        if len(value) == 4 and value.lower() == "none":
            return []
        found: list[Engagement] = []
        before = len(bad)
        for raw in value.split(";"):
            part = raw.strip()
            if not part:
                continue
            if part.lower() == "none":
                bad.append('"none" cannot be mixed with engagement entries; write none alone '
                           "or list the entries")
                continue
            code, colon, span = part.partition(":")
            start_text, dots, end_text = span.partition("..")
            if not colon or not dots:
                bad.append(f"{quote(part)} is not an engagement entry; write AGENCY:START..END, "
                           f"for example CSC:2020-02-01..2020-11-30")
                continue
            code, start_text, end_text = code.strip().upper(), start_text.strip(), end_text.strip()
            problems_before = len(bad)
            if code not in self.agencies:
                bad.append(f"unknown agency {quote(code)} in {quote(part)}; expected one of "
                           f"{self.expected}")
            start = end = None
            if not start_text:
                bad.append(f"{quote(part)} has no start date; write AGENCY:START..END")
            else:
                got = self.date_or_error(start_text)
                if isinstance(got, str):
                    bad.append(f"{quote(part)} has a bad start date: {got}")
                else:
                    start = got
            if end_text:
                got = self.date_or_error(end_text)
                if isinstance(got, str):
                    bad.append(f"{quote(part)} has a bad end date: {got}")
                else:
                    end = got
            if start is not None and end is not None and start > end:
                bad.append(f"{quote(part)} starts on {format_uk(start)}, after it ends on "
                           f"{format_uk(end)}")
            if len(bad) == problems_before:
                found.append(Engagement(code, start, end))
        if not found and len(bad) == before:
            bad.append('no engagement is listed; write AGENCY:START..END entries separated by '
                       '";", or none')
        return found


Report = Callable[[int, str], None]  # (row number among the data rows, sentence)


def parse_column(name: str, col: Sequence[str], values: Values, report: Report) -> list[Any]:
    """One column's values (blank: the field's default), problems reported per row."""
    if name in TEXT_COLUMNS:  # already trimmed
        return [strip_control(v).strip() for v in col] if has_control("".join(col)) else col
    if name == "engagement":
        return values.engagement_column(col, report)
    # The usual values are looked up in one pass; a column holding any other value
    # (padded, misspelt, a problem) is parsed once per distinct value instead.
    if name in YES_NO_COLUMNS:
        explain, quick = yes_no, list(map(_YES_NO_AS_TYPED.get, col, repeat(_BAD)))
    elif name == "child_dob":
        explain, quick = values.dob, list(map(values.days.__getitem__, col))
    else:  # counts: a few one-character values, which Python shares
        return _by_distinct(col, _count, report)
    return quick if _BAD not in quick else _by_distinct(col, explain, report)


def _by_distinct(col: Sequence[str], explain: Callable[[str, list[str]], Any], report: Report) -> list[Any]:
    """Each distinct value parsed once, then looked up for every row.

    For columns of few distinct values (yes/no, counts, dates of birth) whose parsed
    values are immutable, so rows may share them.
    """
    parsed: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    for value in dict.fromkeys(col):
        trimmed = value.strip()
        bad: list[str] = []
        parsed[value] = explain(trimmed, bad) if trimmed else None
        if bad:
            problems[value] = bad
    if problems:
        for k, value in enumerate(col):
            for message in problems.get(value, ()):
                report(k, message)
    return list(map(parsed.__getitem__, col))


def _each_value(col: list[str], explain: Callable[[str, list[str]], Any], report: Report) -> list[Any]:
    """Each row's value parsed on its own (each case gets its own objects)."""
    out: list[Any] = []
    bad: list[str] = []
    for k, value in enumerate(col):
        trimmed = value.strip()
        out.append(explain(trimmed, bad) if trimmed else None)
        for message in bad:
            report(k, message)
        bad.clear()
    return out
