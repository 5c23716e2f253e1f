"""Returns against the workspace: drafts, submission, clarification, concerns, the grid.

Every operation here is what a screen or the CLI calls; each checks access through
``ws.require``/``ws.save`` so a refusal says why and is journaled, whoever asks.  The
status rules themselves live in :mod:`audit.returns` and :mod:`audit.return_transitions`;
this module only adds who may do it, when it happened, and the one atomic save with its
rev check.

A return passed in is the version the caller started from (its ``rev``).  If someone
saved the same return since, the save raises :class:`~storage.errors.ConflictError`
carrying both versions; nothing is overwritten.  Domain refusals (a gap before
submitting, a read-only status) raise :class:`audit.returns.TransitionError`, a
``ValueError`` whose ``gaps`` list every missing item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from audit import return_transitions as transitions
from audit import returns as domain
from audit.access import Act
from audit.dates import format_uk
from audit.partnership import Role
from audit.returns import Return, Status, days_overdue, is_outstanding, progress
from audit.tools import ToolTemplate, generic_tool
from storage.errors import NotFound
from storage.summary import audits_with
from storage.workspace import Workspace, now as _now

__all__ = [
    "GridCell",
    "ReturnsGrid",
    "acknowledge_concern",
    "chase_list",
    "cohort_refs",
    "open_concerns",
    "open_return",
    "raise_concern",
    "return_for_clarification",
    "returns_grid",
    "save_draft",
    "settle_draft",
    "submit_return",
    "tool_for",
]


# ------------------------------------------------------------------------- reading


def cohort_refs(ws: Workspace, ref: str) -> list[str]:
    """The audit's cohort case references, in reference order."""
    return sorted(c.case_ref for c in ws.cases(ref) if c.in_cohort)


def tool_for(ws: Workspace, ref: str, agency: str) -> ToolTemplate:
    """The audit's copy of ``agency``'s tool (a generic one if the audit holds none)."""
    audit = ws.audit(ref)
    tool = audit.tools.get(agency)
    if tool is None:
        tool = generic_tool(agency, [(o.id, o.title) for o in audit.objectives])
    return tool


def open_return(ws: Workspace, ref: str, case_ref: str, agency: str) -> Return:
    """The stored return, or a fresh not-started one (not saved until the first edit).

    Raises NotFound when the case is not in the audit's cohort or the agency does not
    take part, so nobody fills in a return that would never be counted.
    """
    audit = ws.audit(ref)
    if agency not in audit.agencies:
        raise NotFound(f"{agency} does not take part in audit {ref}.")
    stored = ws.get_return(ref, case_ref, agency)
    if stored is not None:
        return stored
    case = ws.case(ref, case_ref)
    if case is None or not case.in_cohort:
        raise NotFound(f"Case {case_ref} is not in the cohort of audit {ref}.")
    return Return(audit=ref, case_ref=case_ref, agency=agency)


def open_concerns(ws: Workspace, ref: str | None = None) -> list[Return]:
    """Returns with an immediate safeguarding concern not yet acknowledged, oldest first."""
    refs = [ref] if ref is not None else audits_with(ws, "open_concerns")  # not every audit's file
    found = [r for audit_ref in refs for r in ws.returns(audit_ref) if r.concern.open]
    return sorted(found, key=lambda r: (r.concern.raised_at or datetime.min, r.key))


# ------------------------------------------------------------------------- writing


def _store(ws: Workspace, ret: Return, act: Act, summary: str, *, defer_journal: bool = False) -> Return:
    """Insert a return never saved (rev 0), else save it against its rev."""
    if ret.rev == 0:
        return ws.insert(ret, act=act, agency=ret.agency, summary=summary)
    return ws.save(ret, act=act, agency=ret.agency, summary=summary, defer_journal=defer_journal)


def _where(ret: Return) -> str:
    return f"{ret.agency}'s return for case {ret.case_ref}"


def save_draft(ws: Workspace, ret: Return, *, summary: str = "", settle: bool = True) -> Return:
    """Autosave an edited return (a copy made with the :mod:`audit.return_transitions` functions).

    An untouched not-started return is not written: opening a tool leaves no trace.
    """
    ws.require(Act.EDIT_RETURN, agency=ret.agency, audit=ret.audit, key=ret.key)
    if ret.rev == 0 and ret.status is Status.NOT_STARTED and not ret.concern.raised:
        return ret
    return _store(ws, ret, Act.EDIT_RETURN, summary or f"edited {_where(ret)}", defer_journal=not settle)


def settle_draft(ws: Workspace, ret: Return) -> bool:
    """Journal the net change of the typing autosaved since the last journaled save of
    ``ret`` (``save_draft(..., settle=False)``: its editor closed, the return left); True
    if there was any."""
    return ws.settle(ret)


def submit_return(ws: Workspace, ret: Return, *, now: datetime | None = None) -> Return:
    """Submit (or resubmit, or mark not involved): checked, then saved read-only.

    Raises TransitionError with every gap when something is missing.
    """
    ws.require(Act.EDIT_RETURN, agency=ret.agency, audit=ret.audit, key=ret.key)
    tool = tool_for(ws, ret.audit, ret.agency)
    new = transitions.submit(ret, tool, ws.login, now or _now())
    return _store(ws, new, Act.EDIT_RETURN, f"{new.status.value}: {_where(ret)}")


def return_for_clarification(ws: Workspace, ret: Return, comment: str, *, now: datetime | None = None) -> Return:
    """A lead sends a received return back to its agency with a comment."""
    ws.require(Act.RETURN_FOR_CLARIFICATION, audit=ret.audit, key=ret.key)
    new = transitions.return_for_clarification(ret, ws.login, now or _now(), comment)
    return _store(ws, new, Act.RETURN_FOR_CLARIFICATION, f"returned {_where(ret)} for clarification")


def raise_concern(ws: Workspace, ret: Return, details: str, *, now: datetime | None = None) -> Return:
    """Flag an immediate safeguarding concern; every lead session is alerted on its next look.

    Whoever may edit the return may raise one, in any status (a submitted return too).
    """
    ws.require(Act.EDIT_RETURN, agency=ret.agency, audit=ret.audit, key=ret.key)
    new = transitions.raise_concern(ret, ws.login, now or _now(), details)
    from audit.concerns import MACA, refer
    from storage.concerns import holder_on_raising

    holder = holder_on_raising(ws, new, (now or _now()).date())
    if holder:  # referred at once to the one agency working with the family
        new = refer(new, MACA, holder)
    referred = f"; referred to {holder}, the agency holding the case" if holder else ""
    return _store(ws, new, Act.EDIT_RETURN, f"raised an immediate safeguarding concern on {_where(ret)}{referred}")


def acknowledge_concern(ws: Workspace, ret: Return, action_taken: str, *, now: datetime | None = None) -> Return:
    """A lead closes the open concern, recording the action taken."""
    ws.require(Act.ACKNOWLEDGE_CONCERN, audit=ret.audit, key=ret.key)
    new = transitions.acknowledge_concern(ret, ws.login, now or _now(), action_taken)
    return _store(ws, new, Act.ACKNOWLEDGE_CONCERN, f"acknowledged the safeguarding concern on {_where(ret)}")


# ------------------------------------------------------------------------- the grid


@dataclass(frozen=True)
class GridCell:
    case_ref: str
    agency: str
    status: Status
    answered: int
    total: int
    overdue_days: int | None  # None without a due date; 0 when not overdue
    concern_open: bool = False

    @property
    def outstanding(self) -> bool:
        return self.status in domain.OUTSTANDING

    @property
    def received(self) -> bool:
        """A completed audit tool with the lead; "not involved" is not received."""
        return self.status in domain.RECEIVED

    @property
    def overdue(self) -> bool:
        return self.outstanding and bool(self.overdue_days)


@dataclass(frozen=True)
class ReturnsGrid:
    """Cohort cases × participating agencies, as the Returns section shows them."""

    audit: str
    due: date | None
    cases: list[str]
    agencies: list[str]
    cells: dict[tuple[str, str], GridCell] = field(default_factory=dict)

    def cell(self, case_ref: str, agency: str) -> GridCell:
        return self.cells[(case_ref, agency)]

    def received_for_agency(self, agency: str) -> int:
        return sum(1 for c in self.cases if self.cell(c, agency).received)

    def overdue_for_agency(self, agency: str) -> int:
        return sum(1 for c in self.cases if self.cell(c, agency).overdue)

    def received_for_case(self, case_ref: str) -> int:
        return sum(1 for a in self.agencies if self.cell(case_ref, a).received)

    def overdue_for_case(self, case_ref: str) -> int:
        return sum(1 for a in self.agencies if self.cell(case_ref, a).overdue)

    def not_involved(self) -> int:
        return sum(1 for c in self.cells.values() if c.status is domain.Status.NOT_INVOLVED)

    def outstanding_cases(self, agency: str) -> list[str]:
        return [c for c in self.cases if self.cell(c, agency).outstanding]


def returns_grid(ws: Workspace, ref: str, today: date) -> ReturnsGrid:
    """The status, progress and overdue days of every expected return of ``ref``."""
    audit = ws.audit(ref)
    due = audit.returns_due()
    overdue = days_overdue(due, today)
    cases = cohort_refs(ws, ref)
    tools = {agency: tool_for(ws, ref, agency) for agency in audit.agencies}
    cells: dict[tuple[str, str], GridCell] = {}
    for case_ref in cases:
        for agency in audit.agencies:
            ret = ws.get_return(ref, case_ref, agency) or Return(audit=ref, case_ref=case_ref, agency=agency)
            answered, total = progress(ret, tools[agency])
            cells[(case_ref, agency)] = GridCell(
                case_ref, agency, ret.status, answered, total,
                overdue if is_outstanding(ret) else (0 if overdue is not None else None),
                ret.concern.open,
            )
    return ReturnsGrid(ref, due, cases, list(audit.agencies), cells)


def chase_list(ws: Workspace, ref: str, today: date, agency: str | None = None) -> list[str]:
    """One line per outstanding return (agency, case, status, days overdue), by agency.

    Plain text meant for an e-mail or a call list, so it names the agency in full.  A
    co-ordinator's list covers only the agencies they co-ordinate (DESIGN §8).
    """
    grid = returns_grid(ws, ref, today)
    user = ws.user
    mine = set(user.agencies) if user is not None and user.role is Role.COORDINATOR else None
    partnership = ws.partnership()
    lines: list[str] = []
    for code in grid.agencies:
        if (agency is not None and code != agency) or (mine is not None and code not in mine):
            continue
        for case_ref in grid.outstanding_cases(code):
            cell = grid.cell(case_ref, code)
            if grid.due is None:
                when = "no due date set"
            elif cell.overdue_days:
                days = cell.overdue_days
                when = f"{days} day{'s' if days != 1 else ''} overdue (due {format_uk(grid.due)})"
            else:
                when = f"not yet overdue (due {format_uk(grid.due)})"
            state = cell.status.value
            if cell.answered:
                state += f", {cell.answered}/{cell.total} answered"
            lines.append(f"{code} ({partnership.agency_name_without_code(code)}) · case {case_ref} · {state} · {when}")
    return lines
