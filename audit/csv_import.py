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
- The cohort profile's columns (``gender``, ``ethnicity``, ``level_of_intervention``) take
  fixed values only, read in common spellings (``audit.profile`` lists them and says
  why); anything else is a problem, so no free text reaches a report through them.
- Quoting is read strictly: a quote that is never closed stops the import with its line,
  rather than silently swallowing the rest of the file into one value.

Speed: the file is read once and checked a column at a time (``audit.csv_values``:
columns of few distinct values parsed once per value); the cyclic garbage collector is
paused meanwhile (it would otherwise rescan the growing heap of new objects many times
over).  Real files hold hundreds of rows; 50,000 still import in well under a second.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from itertools import islice, repeat
from typing import Any, Callable, Iterable

from audit.cases import CASE_REF_RE, CandidateCase, paused_gc
from audit.csv_values import (
    COUNT_COLUMNS,
    FREE_COLUMNS,
    TEXT_COLUMNS,
    YES_NO_COLUMNS,
    Report,
    Values,
    parse_column,
)
from audit.profile import PROFILE_COLUMNS
from audit.text import MAX_TEXT, one_of, quote

__all__ = ["COLUMNS", "COUNT_COLUMNS", "MAX_PROBLEMS", "TEXT_COLUMNS", "YES_NO_COLUMNS",
           "ImportResult", "Problem", "parse_candidates"]

# The CSV columns, in the order of CandidateCase's fields after ``audit`` (a test holds
# this true), so cases are built positionally.
COLUMNS = (
    "case_ref", "unborn", "older_siblings", "domestic_abuse", "substance_misuse",
    "maternal_mental_health", "males_in_household", "engagement", "family_name",
    "child_dob", "system_ids", "notes", "gender", "ethnicity", "level_of_intervention",
)
MAX_PROBLEMS = 200
_BOM = b"\xef\xbb\xbf"
_BAD_BYTE = re.compile("[\udc80-\udcff]")  # how surrogateescape holds an undecodable byte


@dataclass(frozen=True, slots=True)
class Problem:
    line: int  # physical line of the file, from 1; 0 for the closing "... and N more"
    column: str  # column name, or its position from 1 when it has no known name
    message: str

    def __str__(self) -> str:
        if self.line <= 0:
            return self.message
        # A named column is quoted, so "column 9" (a position) and "column \"unborn\"" (a
        # name) never read as the same kind of thing.
        where = self.column if self.column.isdigit() or self.column == "?" else f'"{self.column}"'
        return f"line {self.line}, column {where}: {self.message}"


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


_COLUMN_NAME = re.compile(r"[\w ;.()-]{1,32}")


def _shown_name(raw: str) -> str:
    """`` "name"`` for a header cell that reads as a column name, else nothing: a file that
    is not a CSV at all (``/etc/passwd``) must not have its first line quoted back."""
    name = raw.strip()
    return f" {quote(name)}" if _COLUMN_NAME.fullmatch(name) else ""


def _bad_byte_message(value: str) -> str:
    found = _BAD_BYTE.search(value)
    assert found is not None  # only called for a value holding such a byte
    byte = ord(found.group()) - 0xDC00
    return (f"contains a byte that is not UTF-8 (0x{byte:02X}); save the file as UTF-8 "
            f"and import it again")


def _read_rows(text: str) -> tuple[list[list[str]], list[int], tuple[int, int, str] | None]:
    """Every row (blank ones too), the line each starts on, and the first CSV error as
    (line, field index or -1, sentence).

    ``strict`` so that an unclosed quote is an error rather than silently swallowing the
    rest of the file into one value.  csv's own field limit (131,072 characters) stays as
    it is: values over ``MAX_TEXT`` but under it are found and reported by column.
    """
    rows, starts, end = [], [], 0
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for row in reader:
            rows.append(row)
            starts.append(end + 1)
            end = reader.line_num
    except csv.Error as exc:
        return rows, starts, _csv_error(str(exc), text, end, reader.line_num)
    return rows, starts, None


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
    all_rows, all_starts, error = _read_rows(text)

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
    for row, start in zip(all_rows[h + 1:], all_starts[h + 1:]):
        if blank(row):
            continue
        if len(row) == width:
            rows.append(row)
            starts.append(start)
        else:
            at = min(len(row), width)
            hint = "; check for a quote left open" if any("\n" in v or "\r" in v for v in row) \
                else ""
            problems.add(_line_of(row, at, start), at, _column_name(header, at),
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

    by_column = list(zip(*rows)) if rows else [()] * width
    parsed: dict[str, list[Any]] = {}
    values = Values(agency_codes)
    for step, (name, i) in enumerate(columns.items(), start=1):
        col = list(by_column[i])
        report = report_at(i, name)
        if i in bad_cells:
            for k in bad_cells[i]:
                col[k] = ""  # already reported; not checked again as a value
        if name in TEXT_COLUMNS or name == "case_ref":
            col = list(map(str.strip, col))
        # Only free text can pass the checks below at any length; case_ref, yes/no, counts
        # and dates are limited by their own forms.
        if name in FREE_COLUMNS and col and max(map(len, col)) > MAX_TEXT:
            for k, v in enumerate(col):
                if len(v.strip()) > MAX_TEXT:
                    report(k, f"the value is {len(v.strip()):,} characters long; the most "
                              f"allowed is {MAX_TEXT:,}")
                    col[k] = ""
        if name == "case_ref":
            _check_refs(col, existing_refs, starts, report)
            parsed[name] = col
        else:
            parsed[name] = parse_column(name, col, values, report)
        if on_progress is not None:
            on_progress(total * step // (len(columns) + 1), total)
    if "case_ref" not in columns:
        problems.add(header_line, 0, "case_ref", "required column is missing")
    elif not rows and not problems.found:
        problems.add(header_line, 0, "case_ref", "the file has a header row but no cases")

    if not problems.found:
        defaults = {name: repeat("" if name in TEXT_COLUMNS or name in PROFILE_COLUMNS else None)
                    for name in COLUMNS}
        result.cases = list(map(CandidateCase, repeat(audit),
                                *(parsed.get(name, defaults[name]) for name in COLUMNS)))
    if on_progress is not None:
        on_progress(total, total)
    return _finish(result, problems)


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
            problems.add(at, i, position, f"unknown column{_shown_name(raw)}; expected one "
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
