"""Evidence activities and themes against the workspace (issue 20 item 1).

Leads record them (``Act.EDIT_DISCUSSION``: they are what the MATA discussion draws
on); everyone else reads.  Every save checks the whole record with
:func:`audit.activities.activity_problems` / ``theme_problems`` and refuses with one
sentence, nothing saved; revs are checked like every other save.  An activity a theme
rests on cannot be deleted until the theme no longer cites it, so evidence never points
at nothing.
"""

from __future__ import annotations

import dataclasses
from functools import partial

from audit.access import Act
from audit.activities import (
    MAX_LABEL,
    MAX_TITLE,
    Activity,
    Figure,
    Participant,
    Theme,
    activity_problems,
    theme_finding,
    theme_problems,
)
from audit.findings import next_id
from audit.text import MAX_TEXT, field_text
from storage.errors import NotFound, WorkspaceError
from storage.workspace import Workspace


class EvidenceError(WorkspaceError):
    """An activity or theme that cannot be saved as given (exit 2); nothing was saved."""


_clean = partial(field_text, error=EvidenceError)  # audit.text's, raising this module's error


def _checked_activity(ws: Workspace, a: Activity) -> Activity:
    audit = ws.audit(a.audit)
    cleaned = dataclasses.replace(
        a,
        title=_clean(a.title, "The title", MAX_TITLE),
        participants=[Participant(_clean(p.role, "A participant's role", MAX_LABEL), p.agency, p.count)
                      for p in a.participants],
        key_points=[p for p in (_clean(p, "A key point", MAX_TEXT) for p in a.key_points) if p],
        document=_clean(a.document, "The document", MAX_TITLE),
        version=_clean(a.version, "The version", MAX_LABEL),
        reviewer=_clean(a.reviewer, "The reviewer", MAX_LABEL),
        figures=[Figure(_clean(f.label, "A figure's label", MAX_LABEL), _clean(f.value, "A figure", MAX_LABEL))
                 for f in a.figures],
        source=_clean(a.source, "The source", MAX_TITLE),
    )
    problems = activity_problems(cleaned, [o.id for o in audit.objectives], ws.partnership().agency_codes())
    if problems:
        raise EvidenceError(f"{problems[0].rstrip('.')}; nothing was saved.")
    return cleaned


def _checked_theme(ws: Workspace, t: Theme) -> Theme:
    cleaned = dataclasses.replace(t, title=_clean(t.title, "The title", MAX_TITLE),
                                  text=_clean(t.text, "The text", MAX_TEXT))
    problems = theme_problems(cleaned, {a.id: a for a in ws.activities(t.audit)})
    if problems:
        raise EvidenceError(f"{problems[0].rstrip('.')}; nothing was saved.")
    return cleaned


def save_activity(ws: Workspace, activity: Activity) -> Activity:
    """Insert a new activity (rev 0; its id is the next E number) or save an edited one."""
    ws.require(Act.EDIT_DISCUSSION, audit=activity.audit, key=activity.key)
    if activity.rev == 0:
        activity = dataclasses.replace(activity, id=next_id((a.id for a in ws.activities(activity.audit)), "E"))
    checked = _checked_activity(ws, activity)
    with ws.transaction() as tx:
        checked = dataclasses.replace(checked, updated_by=ws.login, updated_at=tx.at)
        if checked.rev == 0:
            return tx.insert(checked, summary=f"recorded {checked.kind.value} {checked.id}")
        return tx.save(checked, summary=f"edited {checked.kind.value} {checked.id}")


def delete_activity(ws: Workspace, activity: Activity) -> None:
    ws.require(Act.EDIT_DISCUSSION, audit=activity.audit, key=activity.key)
    citing = [t.id for t in ws.themes(activity.audit) if any(e.activity == activity.id for e in t.evidence)]
    if citing:
        raise EvidenceError(f"Theme {citing[0]} rests on {activity.id}; take it out of the theme's evidence "
                            "first. Nothing was deleted.")
    with ws.transaction() as tx:
        tx.delete(activity, summary=f"deleted {activity.kind.value} {activity.id}")


def save_theme(ws: Workspace, theme: Theme) -> Theme:
    """Insert a new theme (rev 0; the next T number) or save an edited one."""
    ws.require(Act.EDIT_DISCUSSION, audit=theme.audit, key=theme.key)
    if theme.rev == 0:
        theme = dataclasses.replace(theme, id=next_id((t.id for t in ws.themes(theme.audit)), "T"))
    checked = _checked_theme(ws, theme)
    with ws.transaction() as tx:
        if checked.rev == 0:
            return tx.insert(checked, summary=f"recorded theme {checked.id}")
        return tx.save(checked, summary=f"edited theme {checked.id}")


def delete_theme(ws: Workspace, theme: Theme) -> None:
    """Delete a theme; the finding it became stays on the board."""
    ws.require(Act.EDIT_DISCUSSION, audit=theme.audit, key=theme.key)
    with ws.transaction() as tx:
        tx.delete(theme, summary=f"deleted theme {theme.id}")


def theme_to_finding(ws: Workspace, theme: Theme) -> Theme:
    """An agreed theme becomes a finding on the board (once); returns the theme, linked."""
    ws.require(Act.EDIT_BOARD, audit=theme.audit, key=theme.key)
    if theme.agreed_on is None:
        raise EvidenceError(f"Theme {theme.id} has not been agreed at the MATA discussion yet; give the date it "
                            "was agreed first. Nothing was saved.")
    if theme.finding_id:
        raise EvidenceError(f"Theme {theme.id} is already finding {theme.finding_id}; nothing was saved.")
    audit = ws.audit(theme.audit)
    with ws.transaction() as tx:
        current = tx.current(theme)
        if current is None:
            raise NotFound(f"Theme {theme.id} was deleted by someone else; nothing was saved.")
        fid = next_id((f.id for f in ws.findings(theme.audit)), "F")
        finding = theme_finding(theme, ws.activities(theme.audit), audit.agencies, fid)
        finding.position = max((f.position + 1 for f in ws.findings(theme.audit) if f.column is finding.column),
                               default=0)
        finding.created_by, finding.created_at = ws.login, tx.at
        tx.insert(finding, summary=f"theme {theme.id} became finding {fid}")
        return tx.save(dataclasses.replace(theme, finding_id=fid), summary=f"theme {theme.id} became finding {fid}")
