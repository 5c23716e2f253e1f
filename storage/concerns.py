"""Immediate safeguarding concerns against the workspace: referral to the agency holding the
case, that agency's action, and who needs to see what (see :mod:`audit.concerns`).

- when a concern is raised (:func:`storage.returns.raise_concern`) maca names the holding
  agency if the case's engagement makes it clear (:func:`holder_on_raising`);
- a lead names it otherwise, or changes it (``Act.ACKNOWLEDGE_CONCERN``);
- the holding agency's co-ordinators record its action (``Act.ACT_ON_CONCERN`` for that
  agency: not the return's own agency, which is the raiser's);
- a lead closes it (:func:`storage.returns.acknowledge_concern`).

Each step is one journaled, rev-checked save of the return that carries the concern.
"""

from __future__ import annotations

from datetime import date, datetime

from audit import concerns as domain
from audit.access import Act
from audit.returns import Return
from storage.errors import WorkspaceError
from storage.summary import audits_with
from storage.workspace import Workspace


def holder_on_raising(ws: Workspace, ret: Return, on: date) -> str:
    """The agency maca refers a new concern to, or "" when a lead must choose."""
    codes = ws.partnership().agency_codes()
    return domain.likely_holder(ws.case(ret.audit, ret.case_ref), on, codes)


def _save(ws: Workspace, new: Return, summary: str) -> Return:
    with ws.transaction() as tx:
        return tx.save(new, summary=summary)


def refer_concern(ws: Workspace, ret: Return, holder: str) -> Return:
    """A lead names (or changes) the agency holding the case."""
    ws.require(Act.ACKNOWLEDGE_CONCERN, audit=ret.audit, key=ret.key)
    if holder not in ws.partnership().agency_codes():
        raise WorkspaceError(f"There is no agency {holder!r} in this partnership; nothing was saved.")
    new = domain.refer(ret, ws.login, holder)
    return _save(ws, new, f"referred the safeguarding concern on case {ret.case_ref} ({ret.agency}'s return) "
                          f"to {holder}, the agency holding the case")


def record_agency_action(ws: Workspace, ret: Return, action: str, *, now: datetime | None = None) -> Return:
    """The holding agency's co-ordinator (or a lead) records what the agency did."""
    holder = ret.concern.holder
    ws.require(Act.ACT_ON_CONCERN, agency=holder or None, audit=ret.audit, key=ret.key)
    new = domain.record_agency_action(ret, ws.login, now or datetime.now().replace(microsecond=0), action)
    return _save(ws, new, f"{holder} recorded its action on the safeguarding concern on case {ret.case_ref}")


def waiting_for(ws: Workspace, agencies: list[str]) -> list[Return]:
    """Open concerns referred to one of ``agencies`` whose action is not yet recorded."""
    wanted = set(agencies)
    found = [r for ref in audits_with(ws, "open_concerns") for r in ws.returns(ref)
             if r.concern.open and r.concern.holder in wanted and r.concern.agency_action_at is None]
    return sorted(found, key=lambda r: (r.concern.raised_at or datetime.min, r.key))


def raised_by(ws: Workspace, login: str) -> list[Return]:
    """The concerns ``login`` raised, latest first: what the raiser comes back to."""
    found = [r for ref in audits_with(ws, "concerns") for r in ws.returns(ref)
             if r.concern.raised and r.concern.raised_by == login]
    return sorted(found, key=lambda r: (r.concern.raised_at or datetime.min, r.key), reverse=True)
