"""Where in a scope file a problem is: its TOML line, so a lead can go straight to it.

`tomllib` gives values, not positions, so the file's lines are scanned here for its
table headers (``[[objectives]]``) and keys (``title =``).  A problem sentence names
what it is about (``objectives[2].title is missing.``, ``Unknown setting 'foo'.``,
``Objective id 'x' is used twice.``); :func:`problem_place` turns that into a place and
:class:`ScopeLines` into a line number.  A key that is missing has no line of its own:
the line of its table is given, or none for a top-level key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ARRAY_TABLE = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]")
_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]")
_KEY = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(?:\.|=)""")
_PATH = re.compile(r"^([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z_]+))?(?=[ :])")
_TOP_LEVEL = {
    "The reference": "ref", "The audit needs a title": "title", "The title": "title",
    "The background": "background", "The linked review": "linked_review",
    "The cohort target": "cohort_target", "The lookback period": "lookback",
    "Unknown agenc": "agencies", "An agency is listed twice": "agencies",
    "A criterion id is used twice": "criteria",
}


@dataclass(frozen=True)
class Place:
    """A key of the file: top-level (``table`` empty) or in the ``index``-th [[table]]."""

    key: str = ""
    table: str = ""
    index: int = 0  # 1-based; 0 for a top-level key


@dataclass
class ScopeLines:
    """The 1-based line of each key and [[table]] of a scope file's text."""

    keys: dict[tuple[str, int, str], int] = field(default_factory=dict)
    tables: dict[tuple[str, int], int] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str) -> ScopeLines:
        lines = cls()
        table, index = "", 0
        counts: dict[str, int] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if m := _ARRAY_TABLE.match(line):
                table = m.group(1)
                counts[table] = index = counts.get(table, 0) + 1
                lines.tables.setdefault((table, index), number)
            elif m := _TABLE.match(line):
                table, index = m.group(1), 0
                lines.tables.setdefault((table, index), number)
            elif m := _KEY.match(line):
                key = next(g for g in m.groups() if g is not None)
                lines.keys.setdefault((table, index, key), number)
        return lines

    def line(self, place: Place) -> int | None:
        if place.table:
            if place.key and (found := self.keys.get((place.table, place.index, place.key))):
                return found
            return self.tables.get((place.table, place.index))
        # A top-level name written as [[tables]] ("A criterion id is used twice"): its first.
        return self.keys.get(("", 0, place.key)) or self.tables.get((place.key, 1))


def problem_place(problem: str, objective_ids: list[str], criterion_ids: list[str]) -> Place | None:
    """What a problem sentence of :func:`audit.scope_file.parse_scope` is about, where it says."""
    for start, key in _TOP_LEVEL.items():
        if problem.startswith(start):
            return Place(key)
    if problem.startswith("A milestone needs a name"):
        return Place("name", "milestones")  # always said first as milestones[i].name
    if m := re.match(r"Objective(?: id)? '([^']*)'", problem):
        key = "title" if problem.endswith("needs a title.") else "id"
        return Place(key, "objectives", _last_index(objective_ids, m.group(1)))
    if m := re.match(r"Criterion '([^']*)'", problem):
        return Place("", "criteria", _last_index(criterion_ids, m.group(1)))
    if m := re.match(r"Unknown setting '([^']*)'", problem):
        return Place(m.group(1))
    if m := _PATH.match(problem):
        name, index, key = m.group(1), m.group(2), m.group(3)
        if index is not None:
            return Place(key or "", name, int(index))
        if name == "lookback" and key:
            return Place("lookback")  # an inline table: its one line
        return Place(name)
    return None


def _last_index(ids: list[str], wanted: str) -> int:
    """The 1-based position of the last table with this id (the second of a pair is the wrong one)."""
    found = [i for i, value in enumerate(ids, start=1) if value == wanted]
    return found[-1] if found else 0


def with_lines(text: str, problems: list[str], objective_ids: list[str], criterion_ids: list[str]) -> list[str]:
    """Each problem prefixed with ``line N:`` where its line is known, in the file's order."""
    lines = ScopeLines.of(text)
    placed: list[tuple[int, int, str]] = []
    for order, problem in enumerate(problems):
        place = problem_place(problem, objective_ids, criterion_ids)
        number = lines.line(place) if place is not None else None
        placed.append((number or 0, order, f"line {number}: {problem}" if number else problem))
    # Problems without a line (a missing top-level key) first, then down the file.
    return [shown for _, _, shown in sorted(placed)]
