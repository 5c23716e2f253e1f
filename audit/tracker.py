"""The partnership's action tracker: every audit's SMART actions in one list (DESIGN §2 step 9).

An action belongs to one recommendation of one audit and is owned by one agency.  After
the report the owning agency records progress on it (dated notes, evidence of
completion, the impact seen) and asks for it to be closed; a lead or a panel member
(the sub-committee) signs it off, or sends it back with a reason.  This module holds
the rows, the filters and the export (Markdown, JSON); who may do what is in
:mod:`audit.access` and the writes in :mod:`storage.tracker`.

Decisions where the design is silent:

- The export for the sub-committee names agencies, never logins: it is about the
  partnership's progress, not staff (as the report is).
- "Last update" is the latest entry in the action's history, or nothing.
- "Overdue" is red RAG: open and past its due date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from audit import markdown as md
from audit.dates import format_uk
from audit.findings import Action, ActionStatus, Rag, UpdateKind, id_number, rag
from audit.guard import Place, Quoted

NO_DATE = date.max


@dataclass(frozen=True, slots=True)
class TrackerRow:
    action: Action
    audit_title: str
    rag: Rag

    @property
    def last_update(self) -> date | None:
        at = self.action.last_update
        return at.date() if at is not None else None

    @property
    def overdue(self) -> bool:
        return self.rag is Rag.RED


@dataclass(frozen=True, slots=True)
class TrackerFilter:
    agency: str | None = None
    audit: str | None = None
    rag: Rag | None = None
    overdue: bool = False
    awaiting_sign_off: bool = False

    def matches(self, row: TrackerRow) -> bool:
        a = row.action
        return ((self.agency is None or a.owner == self.agency)
                and (self.audit is None or a.audit == self.audit)
                and (self.rag is None or row.rag is self.rag)
                and (not self.overdue or row.overdue)
                and (not self.awaiting_sign_off or (a.close_requested and a.status is not ActionStatus.COMPLETE)))

    def describe(self) -> str:
        parts = [f"agency {self.agency}" if self.agency else "every agency",
                 f"audit {self.audit}" if self.audit else "every audit",
                 f"RAG {self.rag.label}" if self.rag else "every RAG"]
        if self.overdue:
            parts.append("overdue only")
        if self.awaiting_sign_off:
            parts.append("awaiting sign-off")
        return " · ".join(parts)


def tracker_rows(actions: Iterable[Action], titles: dict[str, str], today: date,
                 where: TrackerFilter | None = None) -> list[TrackerRow]:
    """The tracker's rows: soonest due first (no date last), then by audit and action."""
    where = where or TrackerFilter()
    rows = [TrackerRow(a, titles.get(a.audit, ""), rag(a, today)) for a in actions]
    rows = [r for r in rows if where.matches(r)]
    rows.sort(key=lambda r: (r.action.status is ActionStatus.COMPLETE, r.action.due or NO_DATE,
                             r.action.audit, id_number(r.action.id)))
    return rows


def counts(rows: list[TrackerRow]) -> dict[str, int]:
    """How many actions are open, overdue, awaiting sign-off and complete."""
    return {
        "open": sum(1 for r in rows if r.action.status is not ActionStatus.COMPLETE),
        "overdue": sum(1 for r in rows if r.overdue),
        "awaiting sign-off": sum(1 for r in rows if r.action.close_requested
                                 and r.action.status is not ActionStatus.COMPLETE),
        "complete": sum(1 for r in rows if r.action.status is ActionStatus.COMPLETE),
    }


def status_text(action: Action) -> str:
    """The status as a reader needs it: a close request waiting is part of it."""
    if action.status is ActionStatus.COMPLETE:
        return "complete (signed off)" if action.signed_off_at else "complete"
    if action.close_requested:
        return f"{action.status.value}, close requested"
    return action.status.value


# --------------------------------------------------------------------------- export


def tracker_json(rows: list[TrackerRow]) -> dict[str, Any]:
    """`maca actions --json`: one object per action, dates as ISO strings."""
    return {"actions": [{
        "audit": r.action.audit,
        "id": r.action.id,
        "recommendation": r.action.finding_id,
        "description": r.action.description,
        "owner": r.action.owner,
        "due": r.action.due.isoformat() if r.action.due else None,
        "status": r.action.status.value,
        "rag": r.rag.value,
        "close_requested": r.action.close_requested,
        "signed_off_at": r.action.signed_off_at.isoformat() if r.action.signed_off_at else None,
        "last_update": r.last_update.isoformat() if r.last_update else None,
        "updates": len(r.action.updates),
    } for r in rows]}


KIND_WORD = {UpdateKind.PROGRESS: "Progress", UpdateKind.CLOSE_REQUESTED: "Close requested",
              UpdateKind.SIGNED_OFF: "Signed off", UpdateKind.SENT_BACK: "Sent back"}


def tracker_markdown(rows: list[TrackerRow], partnership_name: str, agency_names: dict[str, str],
                     today: date, where: TrackerFilter | None = None) -> str:
    """The tracker for the sub-committee: a summary table, then each action's history."""
    where = where or TrackerFilter()
    n = counts(rows)
    out = [md.heading(1, f"{partnership_name}: action tracker"), "",
           f"As at {format_uk(today)}. Showing {md.inline(where.describe())}.", "",
           f"{len(rows)} action{'s' if len(rows) != 1 else ''}: {n['open']} open, {n['overdue']} overdue, "
           f"{n['awaiting sign-off']} awaiting sign-off, {n['complete']} complete.", ""]
    if not rows:
        out += ["No action matches.", ""]
        return "\n".join(out)
    table = [[md.cell(r.action.audit), md.cell(r.action.id), md.cell(r.action.owner),
              format_uk(r.action.due, "not set"), f"{r.rag.symbol} {r.rag.label}", md.cell(status_text(r.action)),
              format_uk(r.last_update, "–"), md.cell(r.action.description)] for r in rows]
    out += md.table(["Audit", "Action", "Owner", "Due", "RAG", "Status", "Last update", "What will be done"], table)
    out += ["", md.heading(2, "Progress by action"), ""]
    for r in rows:
        a = r.action
        out += [md.heading(3, f"{a.audit} {a.id}: {agency_names.get(a.owner, a.owner)}"), ""]
        if r.audit_title:
            out += [f"Audit: {md.inline(r.audit_title)}. Recommendation {md.inline(a.finding_id)}.", ""]
        out += [md.block(a.description), ""]
        if not a.updates:
            out += ["No progress recorded yet.", ""]
        for u in a.updates:
            when = format_uk(u.on or u.at.date())
            lines = [f"- **{KIND_WORD.get(u.kind, u.kind.value)}, {when}.** {md.inline(u.note)}".rstrip()]
            if u.evidence:
                lines.append(f"  Evidence: {md.inline(u.evidence)}")
            if u.impact:
                lines.append(f"  Impact: {md.inline(u.impact)}")
            out.append("\\\n".join(lines))  # hard breaks keep them in one list item
        if a.updates:
            out.append("")
    return "\n".join(out)


def tracker_pieces(rows: list[TrackerRow], partnership_name: str) -> list[Quoted]:
    """Every piece of people's text the export quotes, and where it is edited, for the
    identifier guard (labels name the action, never the text)."""
    pieces = [Quoted(partnership_name, Place("partnership, name", "partnership", "partnership", "name"))]
    for r in rows:
        a = r.action
        where = f"action {a.id} of {a.audit}"
        pieces.append(Quoted(a.description, Place(f"{where}, what will be done", "board", a.key, "description")))
        if r.audit_title:
            pieces.append(Quoted(r.audit_title, Place(f"{a.audit} scope, title", "scope", a.audit, "title")))
        for n, u in enumerate(a.updates, 1):
            for field, label in (("note", "note"), ("evidence", "evidence"), ("impact", "impact")):
                text = getattr(u, field)
                if text:
                    pieces.append(Quoted(text, Place(f"{where}, update {n}, {label}", "tracker", a.key,
                                                     f"updates.{n}.{field}")))
    return pieces
