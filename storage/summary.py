"""Each audit's summary figures, kept in the partnership file (DESIGN §7).

What is viewed across audits (home's list, the concerns marker, the partnership's views)
must be readable without opening every audit's file.  So every save that changes an
audit's records recomputes that audit's figures from its records and writes them, in
the same save, to the partnership file's ``summaries`` table.

A figure is a function of the audit's records (by table) registered in ``FIGURES``;
add one there and every save keeps it up to date (an old workspace gets it on the
audit's next save, or at once with ``maca check --migrate``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from audit.findings import ActionStatus
from audit.returns import is_received

__all__ = ["FIGURES", "audits_with", "figures_of"]

Records = Mapping[str, list[Any]]  # table name -> the audit's records in it


def _picked(records: Records) -> int:
    return sum(1 for case in records.get("cases", []) if case.in_cohort)


def _received(records: Records) -> int:
    return sum(1 for ret in records.get("returns", []) if is_received(ret))


def _open_concerns(records: Records) -> int:
    return sum(1 for ret in records.get("returns", []) if ret.concern.open)


def _concerns(records: Records) -> int:
    """Concerns ever raised, open or closed (what a raiser comes back to)."""
    return sum(1 for ret in records.get("returns", []) if ret.concern.raised)


def _open_actions(records: Records) -> int:
    return sum(1 for action in records.get("actions", []) if action.status is not ActionStatus.COMPLETE)


def _discussed(records: Records) -> int:
    """Cohort cases whose discussion has been held (as the analysis counts them)."""
    cohort = {case.case_ref for case in records.get("cases", []) if case.in_cohort}
    return len({d.subject for d in records.get("discussions", [])
                if d.session_kind == "case" and d.held_on is not None and d.subject in cohort})


def _received_in_cohort(records: Records) -> dict[str, int]:
    """Completed returns of cohort cases, by agency: home's returns progress counts those of
    the agencies taking part, as the Returns section does."""
    cohort = {case.case_ref for case in records.get("cases", []) if case.in_cohort}
    found: dict[str, int] = {}
    for ret in records.get("returns", []):
        if ret.case_ref in cohort and is_received(ret):
            found[ret.agency] = found.get(ret.agency, 0) + 1
    return found


def _open_action_dues(records: Records) -> list[str]:
    """The due dates (ISO) of open actions, so home counts the overdue ones on any day."""
    return sorted(a.due.isoformat() for a in records.get("actions", [])
                  if a.status is not ActionStatus.COMPLETE and a.due is not None)


FIGURES: dict[str, Callable[[Records], Any]] = {
    "cases": lambda records: len(records.get("cases", [])),
    "picked": _picked,
    "returns": lambda records: len(records.get("returns", [])),
    "received": _received,
    "open_concerns": _open_concerns,
    "concerns": _concerns,
    "findings": lambda records: len(records.get("findings", [])),
    "actions": lambda records: len(records.get("actions", [])),
    "open_actions": _open_actions,
    # The programme on home (issue 19): the stage maca proposes, overdue actions.
    "discussed": _discussed,
    "received_in_cohort": _received_in_cohort,
    "open_action_dues": _open_action_dues,
    "approvals": lambda records: len(records.get("approvals", [])),
    "disseminations": lambda records: len(records.get("disseminations", [])),
}


def figures_of(records: Records) -> dict[str, Any]:
    return {name: figure(records) for name, figure in FIGURES.items()}


def audits_with(ws: Any, figure: str) -> list[str]:
    """The refs of the audits whose figure `figure` is not zero: the only audit files a
    view across audits (the concerns marker and alert) needs to read."""
    from storage.transaction import summaries_of

    kept = summaries_of(ws._data())  # read once: ws.summary() would read the table per audit
    refs = []
    for audit in ws.audits():
        figures = kept.get(audit.ref)
        if figures is None or figure not in figures:
            figures = ws.summary(audit.ref)  # an audit saved before the figure existed
        if figures.get(figure, 1):
            refs.append(audit.ref)
    return refs
