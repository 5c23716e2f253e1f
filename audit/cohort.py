"""The cohort: every candidate screened against the audit's criteria."""

from __future__ import annotations

from datetime import date
from typing import Any

from audit.cases import CandidateCase
from audit.screening import screen_cases
from audit.scope import Audit


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
