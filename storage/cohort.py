"""Cohort work against the workspace: importing candidates and recording decisions."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime

from audit.access import Act
from audit.cases import CandidateCase
from audit.codec import to_doc
from audit.csv_import import ImportResult, parse_candidates
from audit.scope import Audit, Draw
from audit.screening import screen_cases
from audit.text import field_text
from storage.errors import ConflictError, NotFound, WorkspaceError
from storage.workspace import Workspace, now


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
        tx.insert_fresh(cases, table="cases", keys=[case.key for case in cases])
        tx.journal(
            "import", "cases", audit.ref, f"imported {len(cases)} candidate cases from {source}", audit=audit.ref
        )
    return len(cases)


# --- the cohort itself: picking, setting aside, drawing ---------------------------------

MAX_REASON = 2_000
"""The longest reason accepted for a cohort decision (characters)."""


class CohortError(WorkspaceError):
    """A cohort change that cannot be made as asked (exit 2); nothing was saved."""


class OverTarget(CohortError):
    """The change would take the cohort past its target and was not confirmed."""


def _eligibility(audit: Audit, case: CandidateCase, today: date) -> bool | None:
    """True when every criterion is met, False when any is unmet, else None (unknown).

    An audit without a lookback period cannot screen anything, so its cases are unknown.
    """
    if audit.lookback_start is None or audit.lookback_end is None:
        return None
    return screen_cases(audit, [case], today)[0].eligible


def _reason(reason: str, *, required: bool, why: str) -> str:
    cleaned = field_text(reason, "The reason is too long", MAX_REASON, error=CohortError)
    if required and not cleaned:
        raise CohortError(f"A reason is required {why}; nothing was saved.")
    return cleaned


def _summary(verb: str, case_ref: str, reason: str) -> str:
    shown = " ".join(reason.split())
    if len(shown) > 120:
        shown = shown[:119] + "…"
    return f"{verb} {case_ref} {'to' if verb == 'added' else 'from'} the cohort" + (f": {shown}" if shown else "")


def set_in_cohort(
    ws: Workspace,
    audit_ref: str,
    case_ref: str,
    in_cohort: bool,
    reason: str,
    *,
    expected_rev: int | None = None,
    today: date | None = None,
) -> CandidateCase:
    """Add a case to the cohort or set it aside, recording who, when and why.

    Needs ``Act.EDIT_COHORT``.  A reason is required when removing a case and when adding
    one that is not known to be eligible (an unmet *or* unknown criterion); it is optional
    when adding an eligible case.  ``expected_rev`` is the rev the user was shown: if the
    case changed since, ``ConflictError`` carries both versions.  Journaled as
    "added RB-2020-004 to the cohort: <reason>".  Returns the saved case.
    """
    today = today or date.today()
    ws.require(Act.EDIT_COHORT, audit=audit_ref, key=f"{audit_ref}/{case_ref}")
    # Checked first against what this session last read, so that a refusal does not
    # cost a rolled-back transaction (which makes the whole file be read again), then
    # again under the lock against what is on disk now.
    _decide(ws, audit_ref, case_ref, in_cohort, reason, expected_rev, today, at=None)
    with ws.transaction() as tx:
        edited, summary = _decide(ws, audit_ref, case_ref, in_cohort, reason, expected_rev, today, at=tx.at)
        return tx.save(edited, summary=summary)


def _decide(
    ws: Workspace, audit_ref: str, case_ref: str, in_cohort: bool, reason: str,
    expected_rev: int | None, today: date, *, at: datetime | None,
) -> tuple[CandidateCase, str]:
    """The case as it will be saved and the journal summary, or the reason it cannot be."""
    audit = ws.audit(audit_ref)
    current = ws.case(audit_ref, case_ref)
    if current is None:
        raise NotFound(f"There is no case {case_ref} in {audit_ref}; nothing was saved.")
    cleaned = _reason(reason, required=False, why="")
    edited = dataclasses.replace(
        current, in_cohort=in_cohort, decision_reason=cleaned, decided_by=ws.login,
        decided_at=at or now(), drawn=False,
    )
    if expected_rev is not None and current.rev != expected_rev:
        raise ConflictError(
            f"{case_ref} was changed by someone else while you were deciding; nothing was saved.",
            key=current.key, mine=to_doc(edited), theirs=to_doc(current),
        )
    if current.in_cohort == in_cohort:
        state = "already in the cohort" if in_cohort else "not in the cohort"
        raise CohortError(f"{case_ref} is {state}; nothing was saved.")
    if not in_cohort:
        _reason(cleaned, required=True, why="to take a case out of the cohort")
    else:
        eligible = _eligibility(audit, current, today)
        if eligible is not True:
            why = ("to add a case that is not eligible" if eligible is False
                   else "to add a case whose eligibility is not known")
            _reason(cleaned, required=True, why=why)
    return edited, _summary("added" if in_cohort else "removed", case_ref, cleaned)


def draw_reason(seed: int) -> str:
    return f"random draw, seed {seed}"


def record_draw(
    ws: Workspace,
    audit_ref: str,
    picked: list[str],
    draw: Draw,
    *,
    allow_over_target: bool = False,
    today: date | None = None,
) -> list[CandidateCase]:
    """Put the drawn cases in the cohort and store the draw on the audit, in ONE transaction.

    Each picked case must exist, be eligible and not be in the cohort yet (someone else
    may have changed the cohort since the draw was shown: then nothing is saved).  A
    draw that would take the cohort past its target raises ``OverTarget`` unless
    ``allow_over_target`` (the user confirmed).  Every case is journaled ("added … to
    the cohort: random draw, seed N") and so is the draw on the audit.
    """
    today = today or date.today()
    if not picked:
        raise CohortError("The draw picked no case; nothing was saved.")
    if len(set(picked)) != len(picked):
        raise CohortError("The draw picked a case twice; nothing was saved.")
    ws.require(Act.EDIT_COHORT, audit=audit_ref, key=audit_ref)
    _check_draw(ws, audit_ref, picked, today, allow_over_target)  # cheap refusal first, as above
    with ws.transaction() as tx:
        audit, cases = _check_draw(ws, audit_ref, picked, today, allow_over_target)
        reason = draw_reason(draw.seed)
        saved = [
            tx.save(
                dataclasses.replace(c, in_cohort=True, drawn=True, decision_reason=reason,
                                    decided_by=ws.login, decided_at=tx.at),
                summary=_summary("added", c.case_ref, reason),
            )
            for c in cases
        ]
        recorded = dataclasses.replace(draw, size=len(picked), picked=list(picked), drawn_by=ws.login,
                                       drawn_at=tx.at)
        balance = f", balanced by {recorded.balance_by}" if recorded.balance_by else ""
        tx.save(
            dataclasses.replace(audit, draw=recorded),
            summary=f"drew {len(picked)} cases at random (seed {recorded.seed}{balance})",
        )
    return saved


def _check_draw(
    ws: Workspace, audit_ref: str, picked: list[str], today: date, allow_over_target: bool
) -> tuple[Audit, list[CandidateCase]]:
    audit = ws.audit(audit_ref)
    cases = []
    for ref in picked:
        case = ws.case(audit_ref, ref)
        if case is None:
            raise NotFound(f"There is no case {ref} in {audit_ref}; nothing was saved.")
        if case.in_cohort:
            raise ConflictError(
                f"{ref} was added to the cohort by someone else meanwhile; draw again. Nothing was saved.",
                key=case.key,
            )
        if _eligibility(audit, case, today) is not True:
            raise CohortError(f"{ref} is not eligible, so it cannot be drawn; nothing was saved.")
        cases.append(case)
    already = sum(1 for c in ws.cases(audit_ref) if c.in_cohort)
    total = already + len(picked)
    if total > audit.cohort_target and not allow_over_target:
        raise OverTarget(
            f"Adding {len(picked)} drawn cases would make the cohort {total} of a target of "
            f"{audit.cohort_target}; confirm to go over the target. Nothing was saved."
        )
    return audit, cases
