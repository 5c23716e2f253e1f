"""The findings board's longer flows: add or edit a card, link a re-test, choose a filter.

Each runs inside a worker of the board (it waits for forms) and saves through the
storage operations, so refusals and conflicts read the same as everywhere else.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from audit.access import Act
from audit.findings import Column, Embedded, Finding, Retest, short_title
from audit.scope import Kind
from screens.context import ctx
from screens.dialogs.form import FormField, FormScreen, choice_field
from screens.saving import apply_change, tell
from storage.errors import WorkspaceError
from storage.findings import add_finding, earlier_findings, edit_finding, link_retest, subjects

if TYPE_CHECKING:
    from screens.board.section import BoardSection


class BoardForms:
    """The board's forms, each awaited inside one of its workers; the board holds one as `forms`."""

    def __init__(self, board: BoardSection) -> None:
        self.board = board

    def fields(self, old: Finding | None, column: Column) -> list[FormField]:
        ws = ctx(self.board.app).ws
        audit = ws.audit(self.board.audit_ref)
        fields = [
            FormField("title", "Title", value=old.title if old else "", required=True, max_length=200),
            FormField("text", "Finding (what was found, and why it matters)", "textarea", old.text if old else ""),
            FormField("column", "Column", "select", (old.column if old else column).value,
                      [(c.label, c.value) for c in Column], required=True),
            choice_field("objective", "Objective", old.objective if old else "",
                         [(o.title, o.id) for o in audit.objectives], none="no particular objective"),
            FormField("agencies", "Agencies (space ticks)", "multi", old.agencies if old else [],
                      [(a, a) for a in audit.agencies]),
        ]
        if audit.kind is Kind.MACA:
            refs = subjects(ws, audit.ref)
            extra = [c for c in (old.cases if old else []) if c not in refs]
            fields.append(FormField("cases", "Cases that evidence it", "multi", old.cases if old else [],
                                    [(c, c) for c in [*refs, *extra]]))
        return fields

    async def add(self, column: Column) -> Finding | None:
        """A new card in ``column``: on the self.board for a lead, proposed for a co-ordinator."""
        ws = ctx(self.board.app).ws
        lead = ws.can(Act.EDIT_BOARD)
        values = await self.board.app.push_screen_wait(
            FormScreen(f"New finding in {column.label}" if lead else f"Propose a finding for {column.label}",
                       self.fields(None, column)))
        if values is None:
            return None
        try:
            new = add_finding(ws, self.board.audit_ref, column=Column(values["column"]), title=values["title"],
                              text=values["text"], objective=values["objective"] or "",
                              cases=values.get("cases", []), agencies=values["agencies"], source="added on the self.board")
        except WorkspaceError as exc:
            tell(self.board, str(exc), error=True)
            return None
        tell(self.board, f"Added {new.id}." if not new.proposed else f"Proposed {new.id}; a lead accepts it with y.")
        return new

    async def edit(self, old: Finding) -> None:
        values = await self.board.app.push_screen_wait(FormScreen(f"Finding {old.id}", self.fields(old, old.column)))
        if values is None:
            return
        ws = ctx(self.board.app).ws
        changes: dict[str, Any] = {
            "title": values["title"], "text": values["text"], "column": Column(values["column"]),
            "objective": values["objective"] or "", "agencies": values["agencies"],
        }
        if "cases" in values:
            changes["cases"] = values["cases"]
        await apply_change(self.board, latest=lambda: ws.get("findings", old.key),
                           change=lambda f: dataclasses.replace(f, **changes),
                           save=lambda f: edit_finding(ws, f, summary=f"edited {old.id}"),
                           base=old, done=f"Saved {old.id}.")

    async def retest(self, f: Finding) -> None:
        """Link ``f`` to a finding of an earlier audit with a verdict and evidence (or unlink it)."""
        ws = ctx(self.board.app).ws
        earlier = earlier_findings(ws, self.board.audit_ref)
        if not earlier and f.retest is None:
            tell(self.board, "No other audit in this workspace has findings to re-test yet.", error=True)
            return
        options = [(f"{ref}: {ws.audit(ref).title}", ref) for ref in earlier]
        if f.retest is not None:
            options.append(("remove the re-test link", "-"))
        first = await self.board.app.push_screen_wait(FormScreen(f"{f.id} re-tests the learning of", [
            choice_field("audit", "Earlier audit", f.retest.audit if f.retest else None, options)]))
        if first is None:
            return
        if first["audit"] == "-":
            await self.save_link(f, None)
            return
        ref = first["audit"]
        found = earlier[ref]
        same = f.retest is not None and f.retest.audit == ref
        values = await self.board.app.push_screen_wait(FormScreen(f"{f.id} re-tests a finding of {ref}", [
            choice_field("finding_id", "Earlier finding", f.retest.finding_id if same and f.retest else None,
                         [(f"{e.id} ({e.column.label.lower()}): {short_title(e.title, 60)}", e.id) for e in found]),
            choice_field("verdict", "Is that learning embedded now?",
                         f.retest.verdict.value if same and f.retest and f.retest.verdict else None,
                         [(v.value, v.value) for v in Embedded], none="not judged yet",
                         hint="Leave it not judged until the evidence is in."),
            FormField("evidence", "Evidence for the verdict", "textarea", f.retest.evidence if same and f.retest else ""),
        ]))
        if values is not None:
            verdict = Embedded(values["verdict"]) if values["verdict"] else None
            await self.save_link(f, Retest(ref, values["finding_id"], verdict, values["evidence"]))

    async def save_link(self, f: Finding, link: Retest | None) -> None:
        ws = ctx(self.board.app).ws
        await apply_change(self.board, latest=lambda: ws.get("findings", f.key),
                           change=lambda current: dataclasses.replace(current, retest=link),
                           save=lambda edited: link_retest(ws, edited, edited.retest),
                           base=f, done=f"Re-test link of {f.id} saved." if link else f"Re-test link of {f.id} removed.")

    async def choose(self, title: str, label: str, current: str | None,
                     options: list[tuple[str, str]]) -> tuple[bool, str | None]:
        """(chosen?, value) from one select; blank means "no filter"."""
        values = await self.board.app.push_screen_wait(FormScreen(title, [
            choice_field("value", label, current, options, none="every card")], save_label="Show"))
        if values is None:
            return False, None
        return True, values["value"] or None
