"""Home's dialogs for the programme: a planned audit's form, its deletion, and a stage
maca proposes, confirmed by a lead.  Each runs in the home screen's worker."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from textual.screen import Screen

from audit.programme import MAX_THEME, YEARS, PlannedAudit, Proposal, parse_quarter, plan_problems
from audit.scope import Kind
from screens.context import ctx
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import FormField, FormScreen
from screens.saving import apply_change, tell
from storage.errors import WorkspaceError


def _fields(plan: PlannedAudit) -> list[FormField]:
    kinds = [(f"{k.value}: {k.label}", k.value) for k in Kind]
    return [
        FormField("theme", "Theme", value=plan.theme, required=True, max_length=MAX_THEME,
                  hint="What the audit will look at, e.g. Neglect: the child's lived experience."),
        FormField("kind", "Kind", "select", plan.kind.value, kinds, required=True),
        FormField("year", "Programme year", "int", plan.year, required=True),
        FormField("quarter", "Quarter (Q1–Q4)", value=f"Q{plan.quarter}" if plan.quarter else "", max_length=4,
                  hint="Or leave it blank and give dates."),
        FormField("starts", "Starts", "date", plan.starts),
        FormField("ends", "Ends", "date", plan.ends),
        FormField("lead", "Lead", value=plan.lead, max_length=MAX_THEME, hint="Who leads it: a login or a name."),
    ]


def _plan_of(base: PlannedAudit, values: dict[str, Any]) -> PlannedAudit:
    """The plan the form's values describe; ValueError (one sentence) for a bad quarter."""
    return dataclasses.replace(
        base, theme=values["theme"], kind=Kind(values["kind"]), year=int(values["year"]),
        quarter=parse_quarter(values.get("quarter") or ""), starts=values.get("starts"),
        ends=values.get("ends"), lead=values.get("lead") or "")


def _check(base: PlannedAudit):  # -> Validator
    def check(values: dict[str, Any]) -> list[str]:
        try:
            return plan_problems(_plan_of(base, values))
        except ValueError as exc:
            return [str(exc)]
    return check


async def add_plan_flow(screen: Screen[Any], today: date) -> PlannedAudit | None:
    from storage.programme import add_plan

    ws = ctx(screen.app).ws
    year = min(max(today.year, YEARS[0]), YEARS[1])
    blank = PlannedAudit(id="", year=year, theme="", lead=ws.login)
    values = await screen.app.push_screen_wait(FormScreen("Plan an audit", _fields(blank), validate=_check(blank)))
    if values is None:
        return None
    try:
        saved = add_plan(ws, _plan_of(blank, values))
    except (WorkspaceError, ValueError) as exc:
        tell(screen, str(exc), error=True)
        return None
    tell(screen, f"Planned {saved.id}: {saved.theme} ({saved.when()}).")
    return saved


async def edit_plan_flow(screen: Screen[Any], plan: PlannedAudit) -> PlannedAudit | None:
    from storage.programme import edit_plan

    ws = ctx(screen.app).ws
    values = await screen.app.push_screen_wait(FormScreen(f"Planned audit {plan.id}", _fields(plan),
                                                          validate=_check(plan)))
    if values is None:
        return None
    return await apply_change(
        screen,
        latest=lambda: ws.get("planned", plan.id),
        change=lambda p: _plan_of(p, values),
        save=lambda p: edit_plan(ws, p),
        base=plan,
        done=f"Saved planned audit {plan.id}.",
    )


async def delete_plan_flow(screen: Screen[Any], plan: PlannedAudit) -> bool:
    from storage.programme import delete_plan

    ws = ctx(screen.app).ws
    question = f"Take planned audit {plan.id} ({plan.theme[:80]}, {plan.when()}) off the programme?"
    if not await screen.app.push_screen_wait(ConfirmScreen(question, yes="take it off")):
        return False
    try:
        delete_plan(ws, plan)
    except WorkspaceError as exc:
        tell(screen, str(exc), error=True)
        return False
    tell(screen, f"Planned audit {plan.id} was taken off the programme.")
    return True


async def confirm_stage_flow(screen: Screen[Any], ref: str, proposal: Proposal) -> bool:
    from storage.programme import confirm_stage

    ws = ctx(screen.app).ws
    audit = ws.get("audits", ref)
    if audit is None:
        return False
    question = (f"Move {ref} from {audit.stage.label} to {proposal.stage.label}? maca proposes it because "
                f"{proposal.because}.")
    if not await screen.app.push_screen_wait(ConfirmScreen(question, yes=f"move to {proposal.stage.label}")):
        return False
    try:
        confirm_stage(ws, ref, proposal.stage)
    except WorkspaceError as exc:
        tell(screen, str(exc), error=True)
        return False
    tell(screen, f"{ref} is now at the {proposal.stage.label} stage.")
    return True
