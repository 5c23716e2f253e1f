"""The Discussion section's forms: the record, a point, a promotion.

Each asks with `FormScreen` and returns checked values (or what it saved), so the
section itself only decides what to do with them.
"""

from __future__ import annotations

from typing import Any

from audit.access import Act
from audit.findings import Column, Discussion, Finding, card_title, format_attendee, parse_attendees, short_title
from audit.scope import Kind
from screens.context import ctx
from screens.dialogs.form import FormField, FormScreen, choice_field
from screens.saving import tell
from screens.audit.sections import Section
from storage.errors import WorkspaceError
from storage.findings import promote_point, received_agencies

POINT_TITLES = {"well": "What worked well", "less": "What worked less well, and why"}


class DiscussionForms:
    """The section's forms, each awaited inside one of its workers; the section holds one as `forms`."""

    def __init__(self, section: Section) -> None:
        self.section = section

    async def record(self, base: Discussion) -> dict[str, Any] | None:
        """Date, attendees and notes of one discussion; attendees parsed one a line."""
        codes = ctx(self.section.app).ws.partnership().agency_codes()
        values = await self.section.app.push_screen_wait(FormScreen(f"Discussion of {base.subject}", [
            FormField("held_on", "Held on", "date", base.held_on),
            FormField("attendees", "Attendees, one a line: agency code, role, (name)", "textarea",
                      "\n".join(format_attendee(a) for a in base.attendees),
                      hint=f"e.g. CSC Team manager (A. Name). Codes: {', '.join(codes)}. A line without a code "
                           "(the chair, a minute-taker) is kept as written."),
            FormField("notes", "Notes", "textarea", base.notes),
        ]))
        if values is None:
            return None
        values["attendees"] = parse_attendees(values["attendees"] or "", codes)
        return values

    async def point(self, kind: str, old: str) -> str | None:
        title = POINT_TITLES[kind]
        values = await self.section.app.push_screen_wait(FormScreen(title, [
            FormField("text", title, "textarea", old, required=True,
                      hint="One point; say why it worked, or why not: the board and the report quote it."),
        ]))
        return None if values is None else values["text"]

    async def promote(self, base: Discussion, kind: str, text: str, objective: str) -> Finding | None:
        """Ask where the point goes on the board, then promote it (a proposal for co-ordinators)."""
        ws = ctx(self.section.app).ws
        audit = ws.audit(self.section.audit_ref)
        lead = ws.can(Act.EDIT_BOARD)
        if audit.kind is Kind.MACA:
            chosen = received_agencies(ws, audit.ref, base.subject, involved_only=True)
        else:
            chosen = [a.agency for a in base.attendees if a.agency in audit.agencies]
        default_column = Column.STRENGTH if kind == "well" else Column.DEVELOPMENT
        fields = [
            FormField("title", "Card title", value=card_title(text), required=True, max_length=200),
            FormField("column", "Column", "select", default_column.value,
                      [(c.label, c.value) for c in Column], required=True),
            choice_field("objective", "Objective", objective, [(o.title, o.id) for o in audit.objectives],
                         none="no particular objective"),
            FormField("agencies", "Agencies (space ticks)", "multi", chosen, [(a, a) for a in audit.agencies],
                      hint="Ticked: the agencies whose returns for this case are received (not-involved ones aside)." if audit.kind is Kind.MACA
                      else "Ticked: the agencies at this session."),
        ]
        existing = [f for f in ws.findings(audit.ref) if not f.proposed]
        if lead and existing:
            fields.append(FormField("into", "Make it", "select", "",
                                    [("a new finding", "")] + [(f"evidence for {f.id}: {short_title(f.title, 60)}", f.id)
                                                               for f in existing], required=True,
                                    hint="Adding to an existing finding counts this case as further evidence for it."))
        values = await self.section.app.push_screen_wait(FormScreen("Promote to a finding" if lead else "Propose a finding",
                                                               fields))
        if values is None:
            return None
        try:
            found = promote_point(ws, audit.ref, base.subject, text, Column(values["column"]), values["objective"] or "",
                                  title=values["title"], agencies=values["agencies"], into=values.get("into") or None)
        except WorkspaceError as exc:
            tell(self.section, str(exc), error=True)
            return None
        if values.get("into"):
            tell(self.section, f"Added {base.subject} as evidence for {found.id}.")
        elif found.proposed:
            tell(self.section, f"Proposed {found.id} for {found.column.label}; a lead accepts it on the board.")
        else:
            tell(self.section, f"Promoted to {found.id} in {found.column.label}.")
        return found
