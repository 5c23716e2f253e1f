"""The programme against a workspace: planned audits journaled, leads only; a plan
promoted with its audit in one save; a proposed stage confirmed; home's figures."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from audit.programme import PlannedAudit
from audit.scope import Kind, Stage
from storage import programme as ops
from storage.audits import create_audit, scope_from_file
from storage.demo import DEMO_AUDIT, build_demo, sample_path
from storage.errors import AccessDenied, WorkspaceError
from storage.lock import os_login
from storage.workspace import Workspace
from tests.workspace_files import journal_on_disk, table_on_disk

HOSTILE = "[bold]x[/] | # <html>\x1b[31mred"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return build_demo(tmp_path / "ws.json", os_login(), in_progress=True)


def test_a_lead_plans_edits_and_deletes_and_each_is_journaled(ws: Workspace) -> None:
    plan = ops.add_plan(ws, PlannedAudit("", 2022, HOSTILE, Kind.MATA, quarter=2, lead="rlead"))
    assert plan.id == "P1" and plan.theme == "[bold]x[/] | # <html>red"  # the escape sequence is gone
    stored = table_on_disk(ws.path, "planned")
    assert [d["theme"] for d in stored] == [plan.theme]
    edited = ops.edit_plan(ws, dataclasses.replace(plan, quarter=3))
    assert edited.when() == "Q3 2022"
    ops.delete_plan(ws, edited)
    assert ws.planned() == []
    summaries = [e["summary"] for e in journal_on_disk(ws.path)[-3:]]
    assert summaries == ["planned P1 (Q2 2022)", "changed planned audit P1", "took planned audit P1 off the programme"]


def test_a_bad_plan_is_refused_with_nothing_saved(ws: Workspace) -> None:
    with pytest.raises(WorkspaceError, match="The planned audit needs a theme."):
        ops.add_plan(ws, PlannedAudit("", 2022, "   "))
    assert ws.planned() == []


def test_a_coordinator_cannot_plan(ws: Workspace) -> None:
    coord = Workspace.open(ws.path, "gp.coord")
    with pytest.raises(AccessDenied, match="Only a lead auditor can plan the partnership's programme"):
        ops.add_plan(coord, PlannedAudit("", 2022, "Neglect"))
    assert journal_on_disk(ws.path)[-1]["action"] == "refused"


def test_a_plan_is_promoted_with_its_audit_in_one_save(ws: Workspace, tmp_path: Path) -> None:
    plan = ops.add_plan(ws, PlannedAudit("", 2021, "Unborn babies", quarter=2))
    scope = tmp_path / "scope.toml"
    scope.write_text(sample_path("MACA-C86.toml").read_text().replace('"MACA-C86"', '"MACA-C99"'))
    create_audit(ws, scope_from_file(ws, scope), source="scope.toml", plan=plan)
    assert ws.get("planned", "P1").promoted_to == "MACA-C99"
    assert journal_on_disk(ws.path)[-1]["summary"] == "planned audit P1 became MACA-C99"


def test_the_summary_carries_what_home_shows(ws: Workspace) -> None:
    figures = ws.summary(DEMO_AUDIT)
    assert figures["discussed"] == 2  # the demo's two discussions were held
    assert sum(figures["received_in_cohort"].values()) == figures["received"]
    assert figures["approvals"] == 0
    assert figures["open_action_dues"] == sorted(figures["open_action_dues"])


def test_a_proposed_stage_is_confirmed_and_journaled(ws: Workspace) -> None:
    audit = ws.audit(DEMO_AUDIT)
    ws.save(dataclasses.replace(audit, stage=Stage.COHORT), act=__import__("audit.access").access.Act.EDIT_SCOPE)
    proposal = ops.proposal_for(ws, ws.audit(DEMO_AUDIT))
    assert proposal is not None and proposal.stage is Stage.FIELDWORK
    ops.confirm_stage(ws, DEMO_AUDIT, Stage.FIELDWORK)
    assert ws.audit(DEMO_AUDIT).stage is Stage.FIELDWORK
    assert journal_on_disk(ws.path)[-1]["summary"] == (
        f"moved {DEMO_AUDIT} to fieldwork (the first return is in), as maca proposed")
    # A second confirmation of what is no longer proposed changes nothing.
    with pytest.raises(WorkspaceError, match="no longer proposes"):
        ops.confirm_stage(ws, DEMO_AUDIT, Stage.FIELDWORK)


def test_a_coordinator_cannot_confirm_a_stage(ws: Workspace) -> None:
    audit = ws.audit(DEMO_AUDIT)
    ws.save(dataclasses.replace(audit, stage=Stage.COHORT), act=__import__("audit.access").access.Act.EDIT_SCOPE)
    with pytest.raises(AccessDenied):
        ops.confirm_stage(Workspace.open(ws.path, "gp.coord"), DEMO_AUDIT, Stage.FIELDWORK)
    assert ws.audit(DEMO_AUDIT).stage is Stage.COHORT
