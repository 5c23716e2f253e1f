"""Candidate cases from a CSV file (DESIGN §6): all or nothing, every problem listed.

The whole file is validated before anything is built; if any value is wrong the result
carries every problem (``line N, column C: what is wrong``) and no cases, so a lead fixes
the spreadsheet once and imports again.

Decisions where the design is silent:

- Line numbers are physical lines of the file; a problem inside a quoted multi-line row
  names the line its value starts on.
- Case references are stored as typed, but one that differs from another only in letter
  case (``a1`` and ``A1``, in the file or the audit) is refused: people read references
  aloud and type them, so two that look alike would be confused.
- A line of only commas and spaces counts as blank (spreadsheets export empty rows so).
- ``engagement``: entries separated by ``;``, an empty entry (trailing ``;``) ignored,
  ``none`` not mixed with entries, a start date always required.
- Counts have at most 6 digits; anything longer is refused as a typing mistake.
- Text columns keep what was typed, markup-like characters included, minus terminal
  control bytes (``audit.text.strip_control``).  Any value over ``MAX_TEXT`` is refused.
- Undecodable bytes are located exactly by decoding with ``surrogateescape`` once strict
  UTF-8 has failed.
- Quoting is read strictly: a quote that is never closed stops the import with its line,
  rather than silently swallowing the rest of the file into one value.

Speed: the file is read with one ``list(csv.reader)`` and checked a column at a time, the
valid values going through comprehensions and only the rest through the explaining
parsers; the cyclic garbage collector is paused meanwhile (it would otherwise rescan the
growing heap of new objects many times over).  50,000 rows take about a third of a second.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from dataclasses import dataclass, field
from datetime import date
from itertools import compress, islice, repeat
from operator import gt, not_
from typing import Any, Callable, Iterable, Sequence

from audit.cases import CASE_REF_RE, CandidateCase, Engagement, paused_gc
from audit.dates import format_uk, parse_date
from audit.text import MAX_TEXT, has_control, one_of, quote, strip_control

# The CSV columns, in the order of CandidateCase's fields after ``audit`` (a test holds
# this true), so cases are built positionally.
COLUMNS = (
    "case_ref", "unborn", "older_siblings", "domestic_abuse", "substance_misuse",
    "maternal_mental_health", "males_in_household", "engagement", "family_name",
    "child_dob", "system_ids", "notes",
)
YES_NO_COLUMNS = ("unborn", "domestic_abuse", "substance_misuse", "maternal_mental_health")
COUNT_COLUMNS = ("older_siblings", "males_in_household")
TEXT_COLUMNS = ("family_name", "system_ids", "notes")
_FREE_COLUMNS = (*TEXT_COLUMNS, "engagement")
MAX_PROBLEMS = 200
MAX_COUNT_DIGITS = 6

_BOM = b"\xef\xbb\xbf"
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
_REF_LINES = re.compile(rf"(?:{CASE_REF_RE.pattern}\n)*{CASE_REF_RE.pattern}", re.ASCII)
_BAD = object()  # a date the quick path could not read
_FIELD_LIMIT = threading.Lock()  # held while csv's process-wide field limit is lowered
_BAD_BYTE = re.compile("[\udc80-\udcff]")  # how surrogateescape holds an undecodable byte


@dataclass(frozen=True, slots=True)
class Problem:
    line: int  # physical line of the file, from 1; 0 for the closing "... and N more"
    column: str  # column name, or its position from 1 when it has no known name
    message: str

    def __str__(self) -> str:
        if self.line <= 0:
            return self.message
        return f"line {self.line}, column {self.column}: {self.message}"


@dataclass
class ImportResult:
    cases: list[CandidateCase] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0  # data rows read (blank lines not counted)
    problem_count: int = 0  # every problem found, including those past the listing cap

    @property
    def ok(self) -> bool:
        return not self.problems


class _Problems:
    """Collects problems in any order; ``final`` lists them in file order (line, then
    column), at most MAX_PROBLEMS, then a closing "... and N more problems"."""

    def __init__(self) -> None:
        self.found: list[tuple[int, int, str, str]] = []  # (line, position, column, message)

    def add(self, line: int, position: int, column: str, message: str) -> None:
        self.found.append((line, position, column, message))

    def final(self) -> list[Problem]:
        ordered = sorted(self.found, key=lambda p: (p[0], p[1]))  # stable: cell order kept
        listed = [Problem(line, col, msg) for line, _, col, msg in ordered[:MAX_PROBLEMS]]
        extra = len(ordered) - len(listed)
        if extra:
            listed.append(Problem(0, "", f"... and {extra} more problem{'s' * (extra > 1)}"))
        return listed


def _newlines(text: str) -> int:
    """Physical line breaks in ``text`` (``\\r\\n``, ``\\n`` or a lone ``\\r``)."""
    if "\r" not in text:  # the usual file: one pass fewer over megabytes
        return text.count("\n")
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _line_of(row: list[str], index: int, first_line: int) -> int:
    """The line on which field ``index`` of a row starting at ``first_line`` begins."""
    return first_line + sum(_newlines(v) for v in row[:index])


def _bad_byte_message(value: str) -> str:
    byte = ord(_BAD_BYTE.search(value).group()) - 0xDC00  # type: ignore[union-attr]
    return (f"contains a byte that is not UTF-8 (0x{byte:02X}); save the file as UTF-8 "
            f"and import it again")


# --- explaining parsers: take a trimmed, non-blank value; return it parsed, or append
# one sentence per problem to ``bad``.


def _yes_no(value: str, bad: list[str]) -> bool | None:
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


class _Values:
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


def _parse_column(name: str, col: Sequence[str], values: _Values, report: Report) -> list[Any]:
    """One column's values (blank: the field's default), problems reported per row."""
    if name in TEXT_COLUMNS:  # already trimmed
        return [strip_control(v).strip() for v in col] if has_control("".join(col)) else col
    if name == "engagement":
        return values.engagement_column(col, report)
    # The usual values are looked up in one pass; a column holding any other value
    # (padded, misspelt, a problem) is parsed once per distinct value instead.
    if name in YES_NO_COLUMNS:
        explain, quick = _yes_no, list(map(_YES_NO_AS_TYPED.get, col, repeat(_BAD)))
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


def _read_rows(text: str) -> tuple[list[list[str]], list[int], tuple[int, int, str] | None, bool]:
    """Every row (blank ones too), the line each starts on, the first CSV error as
    (line, field index or -1, sentence), and whether every value is known to be at most
    ``MAX_TEXT`` characters long.

    ``strict`` so that an unclosed quote is an error rather than silently swallowing the
    rest of the file into one value.  The first reading lowers csv's field limit to
    ``MAX_TEXT``, so that the usual file needs no length check of its own; that limit is
    process-wide, hence the lock (nothing else in maca reads CSV).  A file that fails it
    is read again at the usual limit and its long values are found and reported.
    """
    lines = _newlines(text) + (0 if not text or text.endswith(("\n", "\r")) else 1)
    try:
        with _FIELD_LIMIT:
            usual = csv.field_size_limit(MAX_TEXT)
            try:
                rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
            finally:
                csv.field_size_limit(usual)
        if len(rows) == lines:  # no quoted line breaks: row k is on line k + 1
            return rows, list(range(1, lines + 1)), None, True
        short = True
    except csv.Error:
        short = False  # a value too long, or a CSV error: read again row by row
    rows, starts, end = [], [], 0
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for row in reader:
            rows.append(row)
            starts.append(end + 1)
            end = reader.line_num
    except csv.Error as exc:
        return rows, starts, _csv_error(str(exc), text, end, reader.line_num), short
    return rows, starts, None, short


def _csv_error(message: str, text: str, row_end: int, at: int) -> tuple[int, int, str]:
    """Where and what a CSV syntax error is; the row that failed starts after ``row_end``."""
    if "unexpected end of data" in message:
        # Read the failing row leniently: its last value is the one whose quote is open.
        rest = "".join(islice(io.StringIO(text, newline=""), row_end, None))
        row = next(csv.reader(io.StringIO(rest, newline="")), [""])
        return (_line_of(row, len(row) - 1, row_end + 1), len(row) - 1,
                'a quoted value starts here but its closing quote (") is missing')
    if "expected after" in message:
        return at, -1, 'a closing quote (") must be followed by a comma or the end of the line'
    if "field larger than field limit" in message:
        return at, -1, f"a value is far too long; the most allowed is {MAX_TEXT:,} characters"
    return at, -1, f"the file cannot be read as CSV from here ({message})"


def parse_candidates(data: bytes, *, audit: str, agency_codes: set[str] | list[str],
                     existing_refs: set[str],
                     on_progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Parse and validate a candidate cases CSV (DESIGN §6) for ``audit``.

    ``existing_refs`` are the case references already in the audit.  ``on_progress`` is
    called with (rows done, rows in the file) after reading, after each column is
    checked, and at the end.  Returns every problem found and no cases, or, when there
    are none, the cases ready to store.
    """
    with paused_gc():
        return _parse(data, audit, agency_codes, existing_refs, on_progress)


def _parse(data: bytes, audit: str, agency_codes: Iterable[str], existing_refs: set[str],
           on_progress: Callable[[int, int], None] | None) -> ImportResult:
    problems = _Problems()
    result = ImportResult()
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    try:
        text, bad_bytes = data.decode("utf-8"), False
    except UnicodeDecodeError:
        text, bad_bytes = data.decode("utf-8", "surrogateescape"), True
    all_rows, all_starts, error, every_value_short = _read_rows(text)

    def blank(row: list[str]) -> bool:
        return not (row and (row[0].strip() or any(v.strip() for v in row)))

    h = next((k for k, row in enumerate(all_rows) if not blank(row)), None)
    if error is not None:
        line, index, message = error
        column = _column_name(all_rows[h], index) if h is not None and index >= 0 else "?"
        problems.add(line, max(index, 0), column, message)
    if h is None:
        if error is None:
            problems.add(1, 0, "case_ref", "the file is empty; expected a header row naming "
                                           "the columns, starting with case_ref")
        return _finish(result, problems)
    header, header_line = all_rows[h], all_starts[h]
    columns = _read_header(header, header_line, bad_bytes, problems)
    width = len(header)

    rows: list[list[str]] = []
    starts: list[int] = []
    body = all_rows[h + 1:]
    by_column = _columns(body, width)
    if by_column is not None and all(map(str.strip, by_column[0])):
        rows, starts, body = body, all_starts[h + 1:], []  # the usual file: every row whole
    for k in range(len(all_rows) - len(body), len(all_rows)):
        row = all_rows[k]
        if len(row) == width and (row[0] and not row[0].isspace() or not blank(row)):
            rows.append(row)
            starts.append(all_starts[k])
        elif not blank(row):
            at = min(len(row), width)
            hint = "; check for a quote left open" if any("\n" in v or "\r" in v for v in row) \
                else ""
            problems.add(_line_of(row, at, all_starts[k]), at, _column_name(header, at),
                         f"the row has {len(row)} values but the header names {width} "
                         f"columns{hint}")
            result.rows += 1
    result.rows += len(rows)
    total = len(rows)
    if on_progress is not None:
        on_progress(0, total)

    def report_at(i: int, name: str) -> Report:
        return lambda k, message: problems.add(_line_of(rows[k], i, starts[k]), i, name, message)

    bad_cells: dict[int, list[int]] = {}  # field index -> rows with an undecodable byte there
    if bad_bytes:
        for k, row in enumerate(rows):
            for i, value in enumerate(row):
                if _BAD_BYTE.search(value):
                    report_at(i, _column_name(header, i))(k, _bad_byte_message(value))
                    bad_cells.setdefault(i, []).append(k)

    if by_column is None or body:
        by_column = list(zip(*rows)) if rows else [()] * width
    parsed: dict[str, list[Any]] = {}
    values = _Values(agency_codes)
    for step, (name, i) in enumerate(columns.items(), start=1):
        col = by_column[i]
        report = report_at(i, name)
        if i in bad_cells:
            col = list(col)
            for k in bad_cells[i]:
                col[k] = ""  # already reported; not checked again as a value
        if name in TEXT_COLUMNS or name == "case_ref":
            col = list(map(str.strip, col))
        # Only free text can pass the checks below at any length; case_ref, yes/no, counts
        # and dates are limited by their own forms.
        if not every_value_short and name in _FREE_COLUMNS and col and max(map(len, col)) > MAX_TEXT:
            col = list(col)
            for k, v in enumerate(col):
                if len(v.strip()) > MAX_TEXT:
                    report(k, f"the value is {len(v.strip()):,} characters long; the most "
                              f"allowed is {MAX_TEXT:,}")
                    col[k] = ""
        if name == "case_ref":
            _check_refs(col, existing_refs, starts, report)
            parsed[name] = col
        else:
            parsed[name] = _parse_column(name, col, values, report)
        if on_progress is not None:
            on_progress(total * step // (len(columns) + 1), total)
    if "case_ref" not in columns:
        problems.add(header_line, 0, "case_ref", "required column is missing")
    elif not rows and not problems.found:
        problems.add(header_line, 0, "case_ref", "the file has a header row but no cases")

    if not problems.found:
        defaults = {name: repeat("" if name in TEXT_COLUMNS else None) for name in COLUMNS}
        result.cases = list(map(CandidateCase, repeat(audit),
                                *(parsed.get(name, defaults[name]) for name in COLUMNS)))
    if on_progress is not None:
        on_progress(total, total)
    return _finish(result, problems)


def _columns(rows: list[list[str]], width: int) -> list[tuple[str, ...]] | None:
    """The values column by column when every row has ``width`` of them, else None."""
    if not rows:
        return [()] * width
    try:
        columns = list(zip(*rows, strict=True))
    except ValueError:  # a row of another length
        return None
    return columns if len(columns) == width else None


def _column_name(header: list[str], i: int) -> str:
    name = header[i].strip().lower() if i < len(header) else ""
    return name if name in COLUMNS else str(i + 1)


def _read_header(header: list[str], line: int, bad_bytes: bool,
                 problems: _Problems) -> dict[str, int]:
    """Known column name -> field index; every other header problem reported."""
    columns: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = raw.strip().lower()
        position = str(i + 1)
        at = _line_of(header, i, line)
        if bad_bytes and _BAD_BYTE.search(raw):
            problems.add(at, i, position, _bad_byte_message(raw))
        elif not name:
            problems.add(at, i, position, f"the column has no name; expected one of "
                                          f"{one_of(COLUMNS)}")
        elif name not in COLUMNS:
            problems.add(at, i, position, f"unknown column {quote(raw.strip())}; expected one "
                                          f"of {one_of(COLUMNS)}")
        elif name in columns:
            problems.add(at, i, name, f"repeated column (it is also column {columns[name] + 1})")
        else:
            columns[name] = i
    return columns


def _check_refs(refs: list[str], existing_refs: set[str], starts: list[int],
                report: Report) -> None:
    """Each reference well formed and unique in the file and the audit, letter case aside."""
    existing = {ref.casefold(): ref for ref in existing_refs}
    # The usual file, checked in C: one search over the references a line each, and, when
    # they are all in one letter case, no need to fold them.  Otherwise find and explain
    # each problem below.
    joined = "\n".join(refs)
    if (_REF_LINES.fullmatch(joined) and joined.count("\n") == len(refs) - 1
            and len(set(refs)) == len(refs)):
        one_case = joined == joined.upper() or joined == joined.lower()
        folded = refs if one_case and not existing else list(map(str.casefold, refs))
        if (one_case or len(set(folded)) == len(folded)) and existing.keys().isdisjoint(folded):
            return
    in_file: dict[str, int] = {}  # casefolded ref -> row number
    for k, ref in enumerate(refs):
        if not ref:
            report(k, "a case reference is required")
        elif CASE_REF_RE.fullmatch(ref) is None:
            report(k, f"{quote(ref)} is not a valid case reference; use 1 to 40 letters, "
                      f"digits, -, _ or /")
        else:
            folded = ref.casefold()
            first = in_file.get(folded)
            if first is not None:
                other = refs[first]
                report(k, f"duplicate case reference {quote(ref)} (also on line {starts[first]})"
                          if other == ref else
                          f"case reference {quote(ref)} differs only in letter case from "
                          f"{quote(other)} on line {starts[first]}")
            elif folded in existing:
                other = existing[folded]
                report(k, f"case reference {quote(ref)} is already in the audit"
                          if other == ref else
                          f"case reference {quote(ref)} differs only in letter case from "
                          f"{quote(other)}, already in the audit")
            else:
                in_file[folded] = k


def _finish(result: ImportResult, problems: _Problems) -> ImportResult:
    if problems.found:
        result.cases = []
        result.problems = problems.final()
        result.problem_count = len(problems.found)
    return result
