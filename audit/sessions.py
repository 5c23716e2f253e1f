"""Old MATA evidence sessions as activities (issue 20 item 3 of the follow-up).

Before evidence activities existed, a thematic audit recorded its evidence as discussion
"sessions": a ``Discussion`` whose ``session_kind`` was focus group, policy review or
aggregated data, named by its ``subject``, with attendees, what worked well and less
well, notes and perhaps agreed grades.  :func:`activity_from_session` turns one into an
:class:`~audit.activities.Activity`, keeping everything it said:

- kind from the session's kind (an unknown kind becomes a practitioner conversation);
  title = the session's name; date as held; who last edited it and when;
- attendees become participants counted by role and agency (a blank role reads
  "attendee"); their **names are not carried**: an activity records people by role and
  agency only (issue 20).  The names stay in the journal entry that records the
  conversion and in the original file a migration keeps;
- key points, in order: each "worked well" point, each "worked less well" point, the
  notes, and each agreed grade (prefixed, so none reads as something else);
- objectives covered: those the session agreed a grade for;
- a policy review names the session as the document reviewed and an aggregated-data
  session says its source was not recorded, since an activity of those kinds needs them.
"""

from __future__ import annotations

from typing import Any

from audit.activities import Activity, ActivityKind, Participant
from audit.findings import Discussion

SESSION_KINDS = {
    "focus group": ActivityKind.FOCUS_GROUP,
    "policy review": ActivityKind.POLICY_REVIEW,
    "aggregated data": ActivityKind.AGGREGATED_DATA,
}
SOURCE_NOT_RECORDED = "not recorded (converted from an evidence session)"


def is_session(d: Discussion | dict[str, Any]) -> bool:
    """True for a MATA evidence session, False for a case discussion."""
    kind = d.get("session_kind", "case") if isinstance(d, dict) else d.session_kind
    return kind != "case"


def activity_from_session(d: Discussion, activity_id: str, objective_titles: dict[str, str]) -> Activity:
    """The activity a stored evidence session becomes (see the module docstring)."""
    kind = SESSION_KINDS.get(d.session_kind, ActivityKind.PRACTITIONERS)
    groups: dict[tuple[str, str], int] = {}
    for a in d.attendees:
        key = (" ".join(a.role.split()) or "attendee", a.agency)
        groups[key] = groups.get(key, 0) + 1
    points = [f"Worked well: {p}" for p in d.worked_well]
    points += [f"Worked less well: {p}" for p in d.worked_less_well]
    if d.notes.strip():
        points.append(f"Notes: {d.notes.strip()}")
    points += [f"Agreed grade for {objective_titles.get(o, o)}: {g.label}" for o, g in d.agreed_grades.items()]
    return Activity(
        audit=d.audit, id=activity_id, kind=kind, title=d.subject, held_on=d.held_on,
        participants=[Participant(role, agency, n) for (role, agency), n in groups.items()],
        objectives=list(d.agreed_grades), key_points=points,
        document=d.subject if kind is ActivityKind.POLICY_REVIEW else "",
        source=SOURCE_NOT_RECORDED if kind is ActivityKind.AGGREGATED_DATA else "",
        updated_by=d.updated_by, updated_at=d.updated_at,
    )
