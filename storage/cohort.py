"""Cohort work against the workspace: importing candidates and recording decisions."""

from __future__ import annotations

from collections.abc import Callable

from audit.access import Act
from audit.cases import CandidateCase
from audit.csv_import import ImportResult, parse_candidates
from audit.scope import Audit
from storage.workspace import Workspace


def validate_candidates(
    ws: Workspace, audit: Audit, data: bytes, *, on_progress: Callable[[int, int], None] | None = None
) -> ImportResult:
    """Check a CSV extract against DESIGN §6 and the cases already in the audit."""
    existing = {c.case_ref for c in ws.cases(audit.ref)}
    return parse_candidates(
        data,
        audit=audit.ref,
        agency_codes=ws.partnership().agency_codes(),
        existing_refs=existing,
        on_progress=on_progress,
    )


def import_candidates(ws: Workspace, audit: Audit, cases: list[CandidateCase], *, source: str) -> int:
    """Add every case in one transaction with one journal entry: all or nothing."""
    ws.require(Act.IMPORT_CASES, audit=audit.ref)
    with ws.transaction() as tx:
        for case in cases:
            tx.insert(case, journal=False)
        tx.journal(
            "import", "cases", audit.ref, f"imported {len(cases)} candidate cases from {source}", audit=audit.ref
        )
    return len(cases)
