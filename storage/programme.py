"""The programme's planned audits and the audits' stages, saved and journaled (issue 19).

Leads plan the year (`Act.PLAN_PROGRAMME`); a plan is promoted when an audit is created
from a scope file for it (`storage.audits.create_audit(plan=...)`); a stage maca
proposes (`audit.programme.proposed_stage`) becomes the audit's when a lead confirms it.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from audit.access import Act
from audit.programme import PlannedAudit, Proposal, cleaned, next_plan_id, plan_problems, proposed_stage
from audit.scope import Audit, Stage
from storage.errors import NotFound, WorkspaceError
from storage.workspace import Workspace

__all__ = ["add_plan", "confirm_stage", "delete_plan", "edit_plan", "proposal_for"]


def _checked(plan: PlannedAudit) -> PlannedAudit:
    plan = cleaned(plan)
    problems = plan_problems(plan)
    if problems:
        raise WorkspaceError(" ".join(problems))
    return plan


def add_plan(ws: Workspace, plan: PlannedAudit) -> PlannedAudit:
    """Store a new planned audit (its id is given here: P1, P2 ...)."""
    ws.require(Act.PLAN_PROGRAMME, key="planned")
    plan = _checked(dataclasses.replace(plan, id=next_plan_id(ws.planned()), created_by=ws.login,
                                        created_at=datetime.now().replace(microsecond=0)))
    return ws.insert(plan, act=Act.PLAN_PROGRAMME, summary=f"planned {plan.id} ({plan.when()})")


def edit_plan(ws: Workspace, plan: PlannedAudit) -> PlannedAudit:
    return ws.save(_checked(plan), act=Act.PLAN_PROGRAMME, summary=f"changed planned audit {plan.id}")


def delete_plan(ws: Workspace, plan: PlannedAudit) -> None:
    ws.delete(plan, act=Act.PLAN_PROGRAMME, summary=f"took planned audit {plan.id} off the programme")


def proposal_for(ws: Workspace, audit: Audit) -> Proposal | None:
    """The stage maca proposes for ``audit``, from its summary (no audit file is read)."""
    return proposed_stage(audit, ws.summary(audit.ref))


def confirm_stage(ws: Workspace, ref: str, stage: Stage) -> Audit:
    """A lead accepts the stage maca proposed; refused if the facts no longer support it."""
    audit = ws.get("audits", ref)
    if audit is None:
        raise NotFound(f"There is no audit {ref!r} in this workspace.")
    proposal = proposal_for(ws, audit)
    if proposal is None or proposal.stage is not stage:
        raise WorkspaceError(f"maca no longer proposes {stage.label} for {ref}; nothing was changed.")
    return ws.save(dataclasses.replace(audit, stage=stage), act=Act.EDIT_SCOPE,
                   summary=f"moved {ref} to {stage.label} ({proposal.because}), as maca proposed")
