"""The Cohort section's rows: one per candidate case, screened once per version of the case.

A `CohortRow` lives as long as its case is in the audit and is updated in place when the
case or the audit changes, so the table keeps its cursor on the same case across saves
and other sessions' changes.  Screening is redone only for cases whose stored object
changed (models from the workspace are shared and replaced on save, so identity says
"this version"), or for all of them when the audit, today or the viewer's rights change.

Every cell is plain text or a `rich.text.Text` built here: nothing a person typed is
ever read as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.text import Text

from audit.cases import CandidateCase, paused_gc
from audit.criteria import Outcome, Result
from audit.screening import screen_cases
from audit.scope import Audit
from audit.text import natural_key
from screens.widgets.virtual_table import Column

IN_COLUMN, REF_COLUMN, ELIGIBLE_COLUMN, REASON_COLUMN = "in", "ref", "eligible", "reason"
CRITERION_PREFIX = "c:"

# Symbol AND colour, so the state reads on a monochrome terminal too.
OUTCOME_CELL = {
    Outcome.MET: Text("✓", style="green"),
    Outcome.UNMET: Text("✗", style="red"),
    Outcome.UNKNOWN: Text("?", style="yellow"),
}
ELIGIBLE_CELL: dict[bool | None, Text] = {
    True: Text("✓ yes", style="green"),
    False: Text("✗ no", style="red"),
    None: Text("? unknown", style="yellow"),
}
IN_CELL = {True: Text("■", style="bold"), False: Text("·", style="dim")}
_OUTCOME_ORDER = {Outcome.MET: 0, Outcome.UNKNOWN: 1, Outcome.UNMET: 2}
_ELIGIBLE_ORDER = {True: 0, None: 1, False: 2}

QUICK_FILTERS = {
    "eligible": "eligible only",
    "unknown": "with unknowns",
    "cohort": "in the cohort only",
}


class CohortRow:
    """One candidate as the table shows it (mutable; identity is the case reference)."""

    __slots__ = ("case", "results", "eligible", "unknowns", "haystack", "ref_key", "screened")

    def __init__(self, case: CandidateCase) -> None:
        self.case = case
        self.results: dict[str, Result] = {}
        self.eligible: bool | None = None
        self.unknowns = 0
        self.haystack = ""
        self.ref_key = natural_key(case.case_ref)
        self.screened = False  # results, eligible, unknowns and haystack are for `case`


def criterion_key(criterion_id: str) -> str:
    return CRITERION_PREFIX + criterion_id


def columns_for(audit: Audit) -> list[Column]:
    """In, Case ref, C1…Cn (one per criterion, legend in the status line), Eligible, Reason."""
    return [
        Column(IN_COLUMN, "In"),
        Column(REF_COLUMN, "Case ref"),
        *[Column(criterion_key(c.id), f"C{n}", align="center") for n, c in enumerate(audit.criteria, start=1)],
        Column(ELIGIBLE_COLUMN, "Eligible"),
        Column(REASON_COLUMN, "Reason", shrink=True),  # the detail pane shows it whole
    ]


def cell(row: CohortRow, key: str) -> str | Text:
    if key == REF_COLUMN:
        return row.case.case_ref
    if key == IN_COLUMN:
        return IN_CELL[row.case.in_cohort]
    if key == ELIGIBLE_COLUMN:
        return ELIGIBLE_CELL[row.eligible]
    if key == REASON_COLUMN:
        return row.case.decision_reason
    result = row.results.get(key[len(CRITERION_PREFIX):])
    return OUTCOME_CELL[result.outcome if result else Outcome.UNKNOWN]


def sort_key(row: CohortRow, key: str) -> Any:
    """In the cohort first; met, unknown, unmet; eligible, unknown, not; reasons A–Z."""
    if key == REF_COLUMN:
        return row.ref_key
    if key == IN_COLUMN:
        return (not row.case.in_cohort, row.ref_key)
    if key == ELIGIBLE_COLUMN:
        return (_ELIGIBLE_ORDER[row.eligible], row.ref_key)
    if key == REASON_COLUMN:
        return (row.case.decision_reason.casefold(), row.ref_key)
    result = row.results.get(key[len(CRITERION_PREFIX):])
    return (_OUTCOME_ORDER[result.outcome if result else Outcome.UNKNOWN], row.ref_key)


def haystack(case: CandidateCase, identifiers: bool) -> str:
    """What `/` searches: the reference and the reason; identifiers and notes only for
    people allowed to see them (never for viewers)."""
    parts = [case.case_ref, case.decision_reason]
    if identifiers:
        parts += [case.family_name, case.system_ids, case.notes]
    return "\n".join(parts).casefold()


def predicate(text: str, quick: str | None) -> Callable[[CohortRow], bool] | None:
    """The table's filter for the typed text and the quick filter (None: show all)."""
    needle = text.strip().casefold()
    if not needle and quick is None:
        return None
    wanted = {
        None: lambda row: True,
        "eligible": lambda row: row.eligible is True,
        "unknown": lambda row: row.unknowns > 0,
        "cohort": lambda row: row.case.in_cohort,
    }[quick]
    if not needle:
        return wanted
    return lambda row: needle in row.haystack and wanted(row)


@dataclass
class Counts:
    total: int = 0
    in_cohort: int = 0
    eligible: int = 0
    unknown: int = 0
    not_eligible: int = 0


class RowCache:
    """Rows for one audit, re-screened only where something changed.

    `update(..., defer=True)` leaves the screening for later so that the first frame can
    be painted at once: rows the table paints meanwhile are screened one by one
    (`ensure`), and `finish()` screens the rest in one batch.  Anything that needs every
    row (counts, filters, sorting, picking) calls `finish()` first.
    """

    def __init__(self) -> None:
        self.by_ref: dict[str, CohortRow] = {}
        self.rows: list[CohortRow] = []
        self.problem = ""  # why cases cannot be screened (no lookback period), if so
        self.pending: list[CohortRow] = []
        self._audit: Audit | None = None
        self._today: date | None = None
        self._identifiers = False

    def update(self, audit: Audit, cases: list[CandidateCase], today: date, identifiers: bool, *,
               defer: bool = False) -> bool:
        """Bring the rows up to date; True when anything changed."""
        with paused_gc():  # 20,000 new rows would set off full collections of a big heap
            return self._update(audit, cases, today, identifiers, defer)

    def _update(self, audit: Audit, cases: list[CandidateCase], today: date, identifiers: bool,
                defer: bool) -> bool:
        everything = audit is not self._audit or today != self._today or identifiers != self._identifiers
        self._audit, self._today, self._identifiers = audit, today, identifiers
        by_ref = self.by_ref
        stale: list[CohortRow] = []
        seen: set[str] = set()
        added = False
        for case in cases:
            ref = case.case_ref
            seen.add(ref)
            row = by_ref.get(ref)
            if row is None:
                row = by_ref[ref] = CohortRow(case)
                added = True
                stale.append(row)
            elif everything or row.case is not case:
                row.case = case
                row.screened = False
                stale.append(row)
        removed = len(by_ref) != len(seen)
        if removed:
            for ref in [r for r in by_ref if r not in seen]:
                del by_ref[ref]
        if added or removed:
            self.rows = sorted(by_ref.values(), key=lambda r: r.ref_key)
        self.pending.extend(stale)  # added to, never replaced: rows left from a deferred update stay due
        if not defer:
            self.finish()
        return bool(stale) or added or removed

    def ensure(self, row: CohortRow) -> None:
        """Screen one row now (the table is about to paint it)."""
        if not row.screened and self._audit is not None and self._today is not None:
            self._screen([row])

    def finish(self) -> None:
        """Screen every row still waiting."""
        pending = [row for row in dict.fromkeys(self.pending) if not row.screened]
        self.pending = []
        if pending:
            with paused_gc():
                self._screen(pending)

    def _screen(self, rows: list[CohortRow]) -> None:
        audit, today, identifiers = self._audit, self._today, self._identifiers
        assert audit is not None and today is not None
        if audit.lookback_start is None or audit.lookback_end is None:
            self.problem = f"{audit.ref} has no lookback period, so its cases cannot be screened."
            for row in rows:
                row.results, row.eligible, row.unknowns = {}, None, len(audit.criteria)
                row.haystack = haystack(row.case, identifiers)
                row.screened = True
            return
        self.problem = ""
        found = screen_cases(audit, [row.case for row in rows], today)
        unknown = Outcome.UNKNOWN
        for row, screened in zip(rows, found):
            row.results = screened.results
            row.eligible = screened.eligible
            row.unknowns = sum(1 for r in screened.row if r.outcome is unknown)
            row.haystack = haystack(row.case, identifiers)
            row.screened = True

    def counts(self) -> Counts:
        self.finish()
        counts = Counts(total=len(self.rows))
        for row in self.rows:
            counts.in_cohort += row.case.in_cohort
            if row.eligible is True:
                counts.eligible += 1
            elif row.eligible is None:
                counts.unknown += 1
            else:
                counts.not_eligible += 1
        return counts


def status_text(audit: Audit, counts: Counts, shown: int, text_filter: str, quick: str | None,
                problem: str) -> Text:
    """The section's two top lines: the counter n/target, the eligibility counts and the
    recorded draw; then how many rows are shown, the active filter (the legend of the
    criteria is `legend_text`, on lines of its own)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    target = audit.cohort_target
    if counts.in_cohort > target:
        text.append(f"▲ In cohort {counts.in_cohort}/{target} — over target", style="bold red")
    elif counts.in_cohort == target:
        text.append(f"✓ In cohort {counts.in_cohort}/{target}", style="bold green")
    else:
        text.append(f"In cohort {counts.in_cohort}/{target}", style="bold")
    text.append("  ·  ")
    text.append(f"✓ {counts.eligible:,} eligible", style="green")
    text.append("   ")
    text.append(f"? {counts.unknown:,} unknown", style="yellow")
    text.append("   ")
    text.append(f"✗ {counts.not_eligible:,} not eligible", style="red")
    if audit.draw is not None:
        text.append(f"  ·  draw seed {audit.draw.seed}")
    text.append(f"\nshowing {shown:,} of {counts.total:,}")
    if quick is not None or text_filter.strip():
        text.append(" · filter: ", style="bold")
        described = [QUICK_FILTERS[quick]] if quick else []
        if text_filter.strip():
            described.append(f"“{text_filter.strip()}”")
        text.append(", ".join(described), style="reverse")
    if problem:
        text.append("  ·  ")
        text.append("⚠ " + problem, style="bold yellow")
    return text


def legend_text(audit: Audit, width: int = 0) -> Text:
    """What C1 … Cn stand for, whole: on lines of its own under the counter, each
    "Cn label" kept on one line where `width` allows (0: not known yet, one line)."""
    if not audit.criteria:
        return Text("No criteria yet: add them in Scope (1).")
    text = Text()
    used = 0
    for n, criterion in enumerate(audit.criteria, start=1):
        item = Text()
        item.append(f"C{n}", style="bold")
        item.append(" " + " ".join(criterion.label.split()))
        if n > 1:
            if width and used + 5 + item.cell_len > width:
                text.append("\n")
                used = 0
            else:
                text.append("  ·  ")
                used += 5
        text.append_text(item)
        used += item.cell_len
    return text
