"""The cohort: every candidate screened against the audit's criteria."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import repeat
from typing import Any

from audit.cases import CandidateCase, paused_gc
from audit.criteria import Result
from audit.screening import eligibility, screen_columns
from audit.scope import Audit


@dataclass(slots=True)
class Screened:
    """A case, its result per criterion and whether it is eligible (None: unknown)."""

    case: CandidateCase
    row: tuple[Result, ...]  # one result per criterion, in the order of `ids`
    eligible: bool | None
    ids: tuple[str, ...]  # the criteria's ids

    @property
    def results(self) -> dict[str, Result]:
        """Result by criterion id (made when asked: an import screens 50,000 cases)."""
        return dict(zip(self.ids, self.row))


def screen_cases(audit: Audit, cases: list[CandidateCase], today: date) -> list[Screened]:
    """Each case with its result per criterion and whether it is eligible (None: unknown)."""
    if audit.lookback_start is None or audit.lookback_end is None:
        raise ValueError(f"{audit.ref} has no lookback period, so its cases cannot be screened.")
    # The GC is paused for the whole of it: 50,000 results and Screened objects would
    # otherwise trigger repeated full collections of a heap of about a million objects.
    with paused_gc():
        columns = screen_columns(
            cases,
            audit.criteria,
            lookback_start=audit.lookback_start,
            lookback_end=audit.lookback_end,
            participating=audit.agencies,
            today=today,
        )
        ids = tuple(columns)
        rows = list(zip(*columns.values())) if columns else [()] * len(cases)
        return list(map(Screened, cases, rows, map(eligibility, rows), repeat(ids)))


def cohort_json(audit: Audit, cases: list[CandidateCase], today: date) -> dict[str, Any]:
    """The `maca cohort --json` document of DESIGN §4."""
    screened = screen_cases(audit, sorted(cases, key=lambda c: c.case_ref), today)
    return {
        "audit": audit.ref,
        "target": audit.cohort_target,
        "candidates": [
            {
                "case_ref": s.case.case_ref,
                "criteria": {cid: r.outcome.value for cid, r in s.results.items()},
                "eligible": s.eligible,
                "in_cohort": s.case.in_cohort,
            }
            for s in screened
        ],
    }
