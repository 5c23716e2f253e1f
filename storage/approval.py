"""Report approval against the workspace: the frozen version, the status of the report as
it stands, the protective marking, and the framed report every preview and export shows
(see :mod:`audit.approval`).

``build`` is the report builder (:func:`storage.export.built_report`), passed in so this
module does not import the export module that calls it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

from audit.access import Act
from audit.approval import (
    DEFAULT_MARKING,
    HEADER_LINES,
    MAX_BODY,
    MAX_MARKING,
    ActionState,
    ReportApproval,
    ReportStatus,
    framed,
    latest,
    status,
)
from audit.dates import format_uk
from audit.findings import Action, ActionStatus
from audit.guard import Place, Quoted
from audit.report import Report
from audit.text import clean_text
from storage.errors import WorkspaceError
from storage.workspace import Workspace

Build = Callable[..., Report]  # build(ws, ref, today, *, actions=None) -> Report


class ApprovalError(WorkspaceError):
    """An approval or marking that cannot be recorded as asked (exit 2); nothing was saved."""


def approvals(ws: Workspace, ref: str) -> list[ReportApproval]:
    return sorted(ws.approvals(ref), key=lambda a: a.version)


def marking(ws: Workspace) -> str:
    return ws.partnership().marking


def _as_approved(actions: list[Action], approval: ReportApproval) -> list[Action]:
    """The actions with the status and progress note the approved report gave them."""
    out = []
    for a in actions:
        state = approval.action_states.get(a.id)
        if state is not None and state.status in ActionStatus._value2member_map_:
            a = dataclasses.replace(a, status=ActionStatus(state.status), progress_note=state.progress_note)
        out.append(a)
    return out


def report_status(ws: Workspace, ref: str, build: Build) -> tuple[ReportStatus, Report | None]:
    """The status of the report as it stands, and the report rebuilt as of the latest
    approval (None without one)."""
    found = approvals(ws, ref)
    last = latest(found)
    if last is None:
        return status(found, None), None
    rebuilt = build(ws, ref, last.approved_on, actions=_as_approved(ws.actions(ref), last))
    return status(found, rebuilt.markdown), rebuilt


def framed_report(ws: Workspace, ref: str, today: date, build: Build) -> tuple[Report, ReportStatus]:
    """The report a reader gets today: the frozen approved text while nothing has changed,
    else today's draft; headed and ended by the marking, version and status."""
    now, rebuilt = report_status(ws, ref, build)
    if now.final and rebuilt is not None and now.approval is not None:
        report = dataclasses.replace(rebuilt, markdown=now.approval.markdown)
    else:
        report = build(ws, ref, today)
    text = framed(report.markdown, marking(ws), now)
    # The status line and a blank line go in under the title (line 1).
    headings = [(level, title, line + HEADER_LINES if line > 1 else line) for level, title, line in report.headings]
    quoted = list(report.quoted)
    if now.approval is not None:
        quoted.append(Quoted(now.approval.approved_by, Place(
            f"report approval, version {now.approval.version}, approved by", "report", now.approval.key,
            "approved_by")))
    quoted.append(Quoted(marking(ws), Place("partnership, protective marking", "partnership", "partnership",
                                            "marking")))
    return dataclasses.replace(report, markdown=text, headings=headings, quoted=quoted), now


def approve(ws: Workspace, ref: str, approved_by: str, approved_on: date, today: date,
            build: Build) -> ReportApproval:
    """Record that ``approved_by`` approved the report on ``approved_on``, freezing it as the
    next version."""
    audit = ws.audit(ref)
    ws.require(Act.APPROVE_REPORT, audit=audit.ref, key=f"{audit.ref}/approval")
    try:
        body = " ".join(clean_text(approved_by, MAX_BODY).split())
    except ValueError as exc:
        raise ApprovalError(f"Who approved it: {exc}; nothing was saved.") from None
    if not body:
        raise ApprovalError("Say who approved the report (e.g. Business Group); nothing was saved.")
    if approved_on > today:
        raise ApprovalError(f"An approval cannot be dated after today ({format_uk(today)}); nothing was saved.")
    now, _ = report_status(ws, ref, build)
    if now.final and now.approval is not None:
        raise ApprovalError(f"Version {now.version} is already approved and nothing has changed since; "
                            "nothing was saved.")
    actions = ws.actions(ref)
    report = build(ws, ref, approved_on)
    with ws.transaction() as tx:
        approval = ReportApproval(
            audit=audit.ref, version=now.version, approved_by=body, approved_on=approved_on,
            markdown=report.markdown, recorded_by=ws.login, recorded_at=tx.at,
            action_states={a.id: ActionState(a.status.value, a.progress_note) for a in actions})
        return tx.insert(approval, summary=f"recorded approval of the {audit.ref} report, version {now.version}, "
                                           f"by {body} on {format_uk(approved_on)}")


def set_marking(ws: Workspace, value: str) -> str:
    """The protective marking every export carries in its header and footer ("" for none)."""
    ws.require(Act.EDIT_PARTNERSHIP, key="partnership")
    try:
        text = " ".join(clean_text(value, MAX_MARKING).split())
    except ValueError as exc:
        raise ApprovalError(f"The marking: {exc}; nothing was saved.") from None
    current = ws.partnership()
    with ws.transaction() as tx:
        tx.save(dataclasses.replace(current, marking=text),
                summary=f"set the protective marking to {text!r}" if text else "removed the protective marking")
    return text


__all__ = ["DEFAULT_MARKING", "ApprovalError", "approvals", "approve", "framed_report", "marking",
           "report_status", "set_marking"]
