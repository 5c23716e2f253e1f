"""The partnership's action tracker against the workspace: progress, sign-off and export.

Who may do what (:mod:`audit.access`):

- a co-ordinator records progress on the actions its agencies own (``Act.UPDATE_ACTION``
  for the owner agency): a dated note, evidence of completion, the impact seen, a move
  from agreed to in progress, and a request to close;
- a lead, or a panel member of the sub-committee (``Act.SIGN_OFF_ACTION``), signs an
  action off as complete or sends a close request back with a reason;
- leads can do all of it; viewers and panel members read.

An update is appended to the action's history under the lock, onto the version stored
at that moment: two agencies' notes never clash, and a signed-off action takes no more
progress.  Every update is journaled (the field-level change of the action).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from functools import partial
from pathlib import Path

from audit.access import Act
from audit.cases import CandidateCase
from audit.findings import Action, ActionStatus, ActionUpdate, UpdateKind
from audit.guard import Matcher
from audit.html import to_html
from audit.text import field_text
from audit.tracker import TrackerFilter, TrackerRow, tracker_markdown, tracker_pieces, tracker_rows
from storage.errors import NotFound, WorkspaceError
from storage.export import IdentifierLeak
from storage.user_files import check_destination, write_user_file
from storage.workspace import Workspace

FORMATS = ("md", "html")
OWNER_STATUSES = (ActionStatus.AGREED, ActionStatus.IN_PROGRESS)
"""The statuses an owning agency may move its action to; complete is signed off."""


class TrackerError(WorkspaceError):
    """An update the action's state does not allow (exit 2); nothing was saved."""


def rows(ws: Workspace, today: date, where: TrackerFilter | None = None) -> list[TrackerRow]:
    """Every audit's actions that match ``where``, soonest due first."""
    titles = {a.ref: a.title for a in ws.audits()}
    return tracker_rows(ws.all_actions(), titles, today, where)


_clean = partial(field_text, error=TrackerError)  # audit.text's, raising this module's error


def _latest(ws: Workspace, action: Action) -> Action:
    current = ws.get("actions", action.key)
    if current is None:
        raise NotFound(f"Action {action.id} of {action.audit} was deleted; nothing was saved.")
    return current


def record_progress(ws: Workspace, action: Action, *, on: date | None, note: str, evidence: str = "",
                    impact: str = "", status: ActionStatus | None = None, request_close: bool = False) -> Action:
    """The owning agency's update: appended to the stored action's history."""
    ws.require(Act.UPDATE_ACTION, agency=action.owner, audit=action.audit, key=action.key)
    note, evidence, impact = _clean(note, "The note"), _clean(evidence, "The evidence"), _clean(impact, "The impact")
    if not (note or evidence or impact or request_close):
        raise TrackerError("Write a progress note, the evidence or the impact seen; nothing was saved.")
    if status is not None and status not in OWNER_STATUSES:
        raise TrackerError(f"An agency moves its action to agreed or in progress, not {status.value}; "
                           "a lead or panel member signs it off as complete. Nothing was saved.")
    with ws.transaction() as tx:
        current = _latest(ws, action)
        if current.status is ActionStatus.COMPLETE:
            raise TrackerError(f"Action {current.id} of {current.audit} is already complete; nothing was saved.")
        kind = UpdateKind.CLOSE_REQUESTED if request_close else UpdateKind.PROGRESS
        update = ActionUpdate(at=tx.at, by=ws.login, kind=kind, on=on, note=note, evidence=evidence, impact=impact)
        new = dataclasses.replace(current, updates=[*current.updates, update], status=status or current.status,
                                  close_requested=current.close_requested or request_close)
        what = "asked to close" if request_close else "recorded progress on"
        return tx.save(new, summary=f"{what} action {current.id} of {current.audit} for {current.owner}")


def sign_off(ws: Workspace, action: Action, note: str) -> Action:
    """A lead or panel member closes the action as complete."""
    ws.require(Act.SIGN_OFF_ACTION, audit=action.audit, key=action.key)
    note = _clean(note, "The note")
    with ws.transaction() as tx:
        current = _latest(ws, action)
        if current.status is ActionStatus.COMPLETE:
            raise TrackerError(f"Action {current.id} of {current.audit} is already complete; nothing was saved.")
        update = ActionUpdate(at=tx.at, by=ws.login, kind=UpdateKind.SIGNED_OFF, on=tx.at.date(), note=note)
        new = dataclasses.replace(current, updates=[*current.updates, update], status=ActionStatus.COMPLETE,
                                  close_requested=False, signed_off_by=ws.login, signed_off_at=tx.at)
        return tx.save(new, summary=f"signed off action {current.id} of {current.audit} as complete")


def send_back(ws: Workspace, action: Action, reason: str) -> Action:
    """A lead or panel member declines a close request, saying what is still needed."""
    ws.require(Act.SIGN_OFF_ACTION, audit=action.audit, key=action.key)
    reason = _clean(reason, "The reason")
    if not reason:
        raise TrackerError("Say what is still needed before it can be closed; nothing was saved.")
    with ws.transaction() as tx:
        current = _latest(ws, action)
        if not current.close_requested or current.status is ActionStatus.COMPLETE:
            raise TrackerError(f"Action {current.id} of {current.audit} has no close request waiting; "
                               "nothing was saved.")
        update = ActionUpdate(at=tx.at, by=ws.login, kind=UpdateKind.SENT_BACK, on=tx.at.date(), note=reason)
        new = dataclasses.replace(current, updates=[*current.updates, update], close_requested=False)
        return tx.save(new, summary=f"sent back the close request of action {current.id} of {current.audit}")


# --------------------------------------------------------------------------- export


def tracker_text(ws: Workspace, today: date, fmt: str, where: TrackerFilter | None = None) -> str:
    partnership = ws.partnership()
    names = {a.code: a.name for a in partnership.agencies}
    text = tracker_markdown(rows(ws, today, where), partnership.name, names, today, where)
    return text if fmt == "md" else to_html(text, f"{partnership.name}: action tracker")


def default_path(ws: Workspace, fmt: str, today: date) -> Path:
    return ws.path.parent / f"action-tracker-{today.isoformat()}.{fmt}"


def export_tracker(ws: Workspace, path: Path | None, fmt: str, today: date,
                   where: TrackerFilter | None = None) -> tuple[Path, int]:
    """Write the tracker for the sub-committee; refused (IdentifierLeak) if it names a case's
    identifiers, as the report is.  Returns the path and the bytes written."""
    if fmt not in FORMATS:
        raise WorkspaceError(f"The format {fmt!r} is not one the tracker exports; use md or html.")
    ws.require(Act.EXPORT_TRACKER, key="tracker")
    target = path if path is not None else default_path(ws, fmt, today)
    check_destination(ws.path, target)  # first: the workspace is itself a folder
    if target.is_dir():
        raise WorkspaceError(f"{target} is a folder; give a file name for the tracker.")
    if not target.parent.is_dir():
        raise NotFound(f"The folder {target.parent} does not exist; nothing was exported.")
    text = tracker_text(ws, today, fmt, where)
    cases: list[CandidateCase] = [c for a in ws.audits() for c in ws.cases(a.ref)]
    # Certain identifiers refuse the export; a possible one (a family name that is also an
    # ordinary word) does not: the tracker has no review of its own, and its text is the
    # agencies' account of their work, which the report's review does not cover.
    leaks = [leak for leak in Matcher(cases).check(tracker_pieces(rows(ws, today, where), ws.partnership().name))
             if leak.certain]
    if leaks:
        with ws.transaction() as tx:
            tx.journal("refused", "actions", "tracker",
                       f"refused to export the action tracker: {len(leaks)} identifier(s) of cases found")
        raise IdentifierLeak("action tracker", leaks)
    payload = text.encode("utf-8")
    with ws.transaction() as tx:
        # Inside the transaction: a failed write leaves no journal entry behind it.
        write_user_file(ws.path, target, payload)
        tx.journal("export", "actions", "tracker", f"exported the action tracker to {target}")
    return target, len(payload)
