"""The Scope section's editors: one form per kind of item (title, kind, stage, linked
review, background, lookback, target, agencies, purposes, objectives, criteria,
milestones).

`ScopeSection` holds one `ScopeEditors`; `e` on a row calls the editor named by the row's
kind, `a` on a list calls it with no row (a new item).  Each asks with a form and hands
the change to `ScopeSection.save`, which checks the whole scope, saves and journals it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from audit.criteria import KINDS, PARTICIPATING, PREDICATES, Criterion
from audit.scope import OBJECTIVE_ID, Audit, Kind, Milestone, Objective, Stage
from screens.context import ctx
from screens.dialogs.form import FormField
from screens.saving import tell
from screens.scope.rows import Row

if TYPE_CHECKING:
    from screens.scope.section import ScopeSection


class ScopeEditors:
    def __init__(self, section: ScopeSection) -> None:
        self.section = section

    async def edit_title(self, audit: Audit, row: Row) -> None:
        values = await self.section.ask("Title", [FormField("title", "Title", value=audit.title, required=True, max_length=200)])
        if values is not None:
            await self.section.save(lambda a: _set(a, title=values["title"]), "changed the title", select="title", base=audit)

    async def edit_kind(self, audit: Audit, row: Row) -> None:
        options = [(f"{k.value}: {k.label}", k.value) for k in Kind]
        values = await self.section.ask("Kind", [FormField("kind", "Kind", "select", audit.kind.value, options, required=True)])
        if values is not None:
            await self.section.save(lambda a: _set(a, kind=Kind(values["kind"])), "changed the kind", select="kind", base=audit)

    async def edit_retest(self, audit: Audit, row: Row) -> None:
        tell(self.section, "Link an earlier audit's finding on the Findings board (5): highlight a finding there, press r.")

    async def edit_stage(self, audit: Audit, row: Row) -> None:
        options = [(s.label, s.value) for s in Stage]
        values = await self.section.ask("Stage", [FormField("stage", "Stage", "select", audit.stage.value, options, required=True)])
        if values is not None:
            await self.section.save(lambda a: _set(a, stage=Stage(values["stage"])), "changed the stage", select="stage", base=audit)

    async def edit_linked(self, audit: Audit, row: Row) -> None:
        values = await self.section.ask("Linked review", [
            FormField("linked_review", "Linked review (e.g. C86)", value=audit.linked_review, max_length=200),
            FormField("notification_date", "Notified to the national panel on", "date", audit.notification_date,
                      hint="The rapid review is due 15 working days later; England bank holidays are counted."),
        ])
        if values is not None:
            await self.section.save(lambda a: _set(a, **values), "changed the linked review", select="linked", base=audit)

    async def edit_background(self, audit: Audit, row: Row) -> None:
        values = await self.section.ask("Background", [FormField("background", "Background", "textarea", audit.background)])
        if values is not None:
            await self.section.save(lambda a: _set(a, **values), "changed the background", select="background", base=audit)

    async def edit_lookback(self, audit: Audit, row: Row) -> None:
        def check(v: dict[str, Any]) -> list[str]:
            return ["The lookback must start on or before its end."] if v["start"] > v["end"] else []

        values = await self.section.ask("Lookback period", [
            FormField("start", "Starts", "date", audit.lookback_start, required=True),
            FormField("end", "Ends", "date", audit.lookback_end, required=True),
        ], check)
        if values is not None:
            await self.section.save(lambda a: _set(a, lookback_start=values["start"], lookback_end=values["end"]),
                            "changed the lookback period", select="lookback", base=audit)

    async def edit_target(self, audit: Audit, row: Row) -> None:
        def check(v: dict[str, Any]) -> list[str]:
            return [] if 1 <= v["target"] <= 10_000 else ["The cohort target must be from 1 to 10,000 cases."]

        values = await self.section.ask("Cohort target", [
            FormField("target", "Cases in the cohort", "int", audit.cohort_target, required=True)], check)
        if values is not None:
            await self.section.save(lambda a: _set(a, cohort_target=values["target"]), "changed the cohort target",
                            select="target", base=audit)

    async def edit_agencies(self, audit: Audit, row: Row) -> None:
        partnership = ctx(self.section.app).ws.partnership()
        options = [(f"{a.code}  {a.name}", a.code) for a in partnership.agencies]
        values = await self.section.ask("Participating agencies", [
            FormField("agencies", "Agencies taking part (space ticks)", "multi", audit.agencies, options, required=True)])
        if values is not None:
            order = partnership.agency_codes()
            chosen = sorted(values["agencies"], key=order.index)
            await self.section.save(lambda a: _set(a, agencies=chosen), "changed the participating agencies",
                            select="agencies", base=audit)

    async def edit_purpose(self, audit: Audit, row: Row | None) -> None:
        index = int(row.item) if row else None
        value = audit.purpose[index] if index is not None else ""
        values = await self.section.ask("Purpose", [FormField("text", "Purpose", "textarea", value, required=True)])
        if values is None:
            return

        def change(a: Audit) -> Audit:
            if index is None:
                a.purpose.append(values["text"])
            else:
                a.purpose[item_index(a.purpose, str(index))] = values["text"]
            return a

        select = f"purpose:{index if index is not None else len(audit.purpose)}"
        await self.section.save(change, "added a purpose" if index is None else f"changed purpose {index + 1}", select, base=audit)

    async def edit_objective(self, audit: Audit, row: Row | None) -> None:
        old = audit.objective(row.item) if row else None
        taken = {o.id for o in audit.objectives if old is None or o.id != old.id}

        def check(v: dict[str, Any]) -> list[str]:
            problems = []
            if not OBJECTIVE_ID.match(v["id"]):
                problems.append("The id must be lower-case letters, digits or '_', starting with a letter.")
            if v["id"] in taken:
                problems.append(f"Another objective already has the id {v['id']!r}.")
            return problems

        values = await self.section.ask("Objective" if old else "New objective", [
            FormField("id", "Id (short, lower case)", value=old.id if old else "", required=True, max_length=40,
                      hint="Audit tool sections and grades refer to it."),
            FormField("title", "Title", value=old.title if old else "", required=True, max_length=200),
            FormField("text", "What the audit will seek to understand", "textarea", old.text if old else ""),
        ], check)
        if values is None:
            return
        new = Objective(id=values["id"], title=values["title"], text=values["text"])

        def change(a: Audit) -> Audit:
            if old is None:
                a.objectives.append(new)
            else:
                at = [o.id for o in a.objectives].index(old.id)
                a.objectives[at] = new
            return a

        await self.section.save(change, f"{'added' if old is None else 'edited'} objective {new.id}", f"objective:{new.id}", base=audit)

    async def edit_criterion(self, audit: Audit, row: Row | None) -> None:
        old = next((c for c in audit.criteria if row and c.id == row.item), None)
        taken = {c.id for c in audit.criteria if old is None or c.id != old.id}
        partnership = ctx(self.section.app).ws.partnership()

        def check(v: dict[str, Any]) -> list[str]:
            problems = []
            if not re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", v["id"]):
                problems.append("The id must be lower-case letters, digits, '_' or '-', starting with a letter.")
            if v["id"] in taken:
                problems.append(f"Another criterion already has the id {v['id']!r}.")
            if v["kind"] in ("all", "any") and not v["predicates"]:
                problems.append("Tick at least one feature for an 'all' or 'any' criterion.")
            if v["kind"] == "engaged_with" and v["who"] == "listed" and not v["agencies"]:
                problems.append("Tick the agencies engagement must be with, or choose the participating agencies.")
            return problems

        listed = old is not None and old.agencies is not None
        values = await self.section.ask("Criterion" if old else "New criterion", [
            FormField("id", "Id", value=old.id if old else "", required=True, max_length=40),
            FormField("label", "Label", value=old.label if old else "", required=True, max_length=200),
            FormField("kind", "Met when", "select", old.kind if old else "all",
                      [("all of the features are present", "all"), ("any of the features is present", "any"),
                       ("engaged with agencies in the lookback", "engaged_with")], required=True),
            FormField("predicates", "Features (for all / any)", "multi", old.predicates if old else [],
                      [(p.replace("_", " "), p) for p in PREDICATES]),
            FormField("who", "Engaged with (for engagement)", "select", "listed" if listed else PARTICIPATING,
                      [("the participating agencies", PARTICIPATING), ("the agencies ticked below", "listed")],
                      required=True),
            FormField("agencies", "Agencies (when listed)", "multi", (old.agencies or []) if old else [],
                      [(f"{a.code}  {a.name}", a.code) for a in partnership.agencies]),
        ], check)
        if values is None:
            return
        kind = values["kind"]
        assert kind in KINDS
        new = Criterion(
            id=values["id"], label=values["label"], kind=kind,
            predicates=values["predicates"] if kind != "engaged_with" else [],
            agencies=(values["agencies"] if values["who"] == "listed" else None) if kind == "engaged_with" else None,
        )

        def change(a: Audit) -> Audit:
            if old is None:
                a.criteria.append(new)
            else:
                a.criteria[[c.id for c in a.criteria].index(old.id)] = new
            return a

        await self.section.save(change, f"{'added' if old is None else 'edited'} criterion {new.id}", f"criterion:{new.id}", base=audit)

    async def edit_milestone(self, audit: Audit, row: Row | None) -> None:
        index = int(row.item) if row else None
        old = audit.milestones[index] if index is not None else None
        values = await self.section.ask("Milestone" if old else "New milestone", [
            FormField("name", "Milestone", value=old.name if old else "", required=True, max_length=200),
            FormField("due", "Due", "date", old.due if old else None, required=True),
            FormField("done", "Done?", "select", "yes" if old and old.done else "no",
                      [("not yet", "no"), ("done", "yes")], required=True),
        ])
        if values is None:
            return
        new = Milestone(name=values["name"], due=values["due"], done=values["done"] == "yes")

        def change(a: Audit) -> Audit:
            if index is None:
                a.milestones.append(new)
            else:
                a.milestones[item_index(a.milestones, str(index))] = new
            return a

        at = index if index is not None else len(audit.milestones)
        await self.section.save(change, f"{'added' if old is None else 'edited'} milestone {new.name!r}", f"milestone:{at}", base=audit)

def _set(audit: Audit, **changes: Any) -> Audit:
    for name, value in changes.items():
        setattr(audit, name, value)
    return audit


def item_index(items: list[Any], item: str) -> int:
    """The list position named by a row, refusing one that another session removed."""
    index = int(item)
    if not 0 <= index < len(items):
        raise ValueError("That item was removed by someone else meanwhile; nothing was saved.")
    return index
