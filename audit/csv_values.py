"""The values of a candidate cases CSV (DESIGN §6), a column at a time.

Every value has an explaining parser, which reads one value and says in one sentence
what is wrong with it.  Columns of few distinct values (yes/no, counts, dates of birth)
are parsed once per distinct value; an engagement value that is plainly well formed is
read by one regular expression, any other by its explaining parser.
``tests/audit/test_bulk_paths.py`` holds the shortcuts to the explaining parsers' answers.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Callable, Iterable, Sequence

from audit.cases import Engagement
from audit.dates import format_uk, parse_date
from audit.profile import PARSERS as PROFILE_PARSERS
from audit.profile import PROFILE_COLUMNS
from audit.text import has_control, one_of, quote, strip_control

YES_NO_COLUMNS = ("unborn", "domestic_abuse", "substance_misuse", "maternal_mental_health")
COUNT_COLUMNS = ("older_siblings", "males_in_household")
TEXT_COLUMNS = ("family_name", "system_ids", "notes")
FREE_COLUMNS = (*TEXT_COLUMNS, "engagement")

MAX_COUNT_DIGITS = 6

_YES_NO = {"yes": True, "y": True, "true": True, "1": True,
           "no": False, "n": False, "false": False, "0": False}
# One ";"-separated part of an engagement value that is exactly one period
# (AGENCY:START..END, spaces around the pieces).  A value whose parts are not all found
# this way goes to the explaining parser, which accepts no more than this.
_PERIOD = r"\s*([^\s:;]+)\s*:\s*([^\s.:;]+)\s*\.\.\s*([^\s.:;]*)\s*"
_PERIODS = re.compile(rf"(?:^|(?<=;)){_PERIOD}(?=;|\Z)")

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


class _Dates(dict[str, Any]):
    """Date text -> its date, ``_BAD`` if it is not one, None for "": each distinct text
    parsed once, however many rows repeat it."""

    def __init__(self) -> None:
        super().__init__({"": None})

    def __missing__(self, text: str) -> Any:
        day: date | object
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
        return found

    def dob(self, value: str, bad: list[str]) -> date | None:
        found = self.date_or_error(value)
        if isinstance(found, str):
            bad.append(found)
            return None
        return found

    def engagement_column(self, col: Sequence[str], report: Report) -> list[list[Engagement] | None]:
        """Every row's engagement periods (blank: not recorded; ``none``: no engagement).

        A value made only of well-formed periods, with known agencies and real dates in
        order, is read by ``_periods``; any other goes through the explaining parser,
        which says what is wrong.  Each row gets its own list and periods.
        """
        out: list[list[Engagement] | None] = []
        slow: list[int] = []
        for k, value in enumerate(col):
            periods = self._periods(value)
            if periods is None:
                slow.append(k)
            out.append(periods)
        if slow:
            explained = _each_value([col[k] for k in slow], self.engagement,
                                    lambda i, message: report(slow[i], message))
            for k, value in zip(slow, explained):
                out[k] = value
        return out

    def _periods(self, value: str) -> list[Engagement] | None:
        """The periods of a value that is plainly all well formed, else None.

        A period holds exactly one ":" and lies within one ";"-separated part, so a value
        whose periods number both its ":" and its parts is all periods."""
        found = _PERIODS.findall(value)
        if not found or len(found) != value.count(":") or len(found) != value.count(";") + 1:
            return None
        periods = []
        for code, start_text, end_text in found:
            agency = self.canonical.get(code.upper())
            start, end = self.days[start_text], self.days[end_text]
            if agency is None or start is _BAD or end is _BAD or (end is not None and start > end):
                return None
            periods.append(Engagement(agency, start, end))
        return periods

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
        return [strip_control(v).strip() for v in col] if has_control("".join(col)) else list(col)
    if name == "engagement":
        return values.engagement_column(col, report)
    if name in YES_NO_COLUMNS:
        return _by_distinct(col, yes_no, report)
    if name == "child_dob":
        return _by_distinct(col, values.dob, report)
    if name in PROFILE_COLUMNS:  # blank is "", as for text
        return [v or "" for v in _by_distinct(col, PROFILE_PARSERS[name], report)]
    return _by_distinct(col, _count, report)  # counts


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
