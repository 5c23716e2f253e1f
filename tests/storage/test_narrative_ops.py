"""The lead's own words in the report (issue 20 item 3): saved, checked, refused."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from audit.access import Act
from audit.cases import CandidateCase
from audit.findings import Discussion
from audit.grades import Grade
from audit.partnership import Role, User
from audit.scope import Objective
from storage.check import check_workspace
from storage.demo import DEMO_AUDIT, build_demo
from storage.errors import AccessDenied, ConflictError
from storage.export import report_for
from storage.lock import os_login
from storage.narrative import NarrativeError, report_text, save_report_text
from storage.workspace import Workspace
from tests.workspace_files import copy_workspace

REF = DEMO_AUDIT
TODAY = date(2021, 4, 20)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "w.json"
    build_demo(path, os_login())
    return path


@pytest.fixture
def ws(template: Path, tmp_path: Path) -> Workspace:
    target = tmp_path / "w.json"
    copy_workspace(template, target)
    return Workspace.open(target, os_login())


def test_the_leads_words_are_saved_cleaned_and_journaled(ws: Workspace) -> None:
    text = report_text(ws, REF)
    assert (text.rev, text.summary, text.objectives) == (0, "", {})
    saved = save_report_text(ws, dataclasses.replace(
        text, summary="  Fathers were \x1b[31mnot\x1b[0m seen.\x07 ", conclusions="We are not yet confident.",
        objectives={"fathers": "Named but not seen.", "unborn": "   "}))
    assert saved.rev == 1 and saved.summary == "Fathers were not seen."
    assert saved.objectives == {"fathers": "Named but not seen."}  # a blank narrative is no narrative
    again = Workspace.open(ws.path, os_login())
    assert report_text(again, REF) == saved
    assert again.journal()[-1].summary == f"wrote the {REF} report's own words"
    assert check_workspace(ws.path) == []
    markdown = report_for(again, REF, TODAY).markdown
    assert "## Summary\n\nFathers were not seen.\n" in markdown
    assert "## Conclusions\n\nWe are not yet confident.\n" in markdown
    assert "Named but not seen." in markdown.split("### 2. ")[1].split("### 3. ")[0]


def test_refusals_change_nothing(ws: Workspace) -> None:
    text = report_text(ws, REF)
    with pytest.raises(NarrativeError, match="The audit has no objective nope; nothing was saved."):
        save_report_text(ws, dataclasses.replace(text, objectives={"nope": "x"}))
    with pytest.raises(NarrativeError, match="The conclusions: .*nothing was saved."):
        save_report_text(ws, dataclasses.replace(text, conclusions="x" * 20_001))
    ws.insert(User("cora", Role.COORDINATOR, agencies=["CSC"]), act=Act.MANAGE_USERS)
    with pytest.raises(AccessDenied, match="Only a lead auditor can write the report's summary"):
        save_report_text(Workspace.open(ws.path, "cora"), dataclasses.replace(text, summary="mine"))
    assert ws.get("report_texts", REF) is None
    first = save_report_text(ws, dataclasses.replace(text, summary="one"))
    save_report_text(ws, dataclasses.replace(first, summary="two"))
    with pytest.raises(ConflictError):
        save_report_text(ws, dataclasses.replace(first, summary="three"))
    assert report_text(ws, REF).summary == "two"


def test_an_earlier_audit_on_the_same_objectives_is_compared(ws: Workspace) -> None:
    audit = ws.audit(REF)
    earlier = dataclasses.replace(
        audit, ref="MACA-B12", title="Fathers in 2018", lookback_start=date(2018, 1, 1),
        lookback_end=date(2018, 12, 31), rev=0, tools={}, draw=None,
        objectives=[Objective("men", "Birth fathers and  MALES in the household"), Objective("other", "Other")])
    ws.insert(earlier, act=Act.CREATE_AUDIT)
    def comparison() -> str:
        markdown = report_for(ws, REF, TODAY).markdown
        return markdown.split("## Comparison with earlier audits\n")[1].split("\n## ")[0]

    section = comparison()
    assert "MACA-B12 (Fathers in 2018, lookback from 01/01/2018)" in section
    assert "No grade has been agreed at a case discussion on a shared objective yet." in section
    assert "|" not in section  # no empty table
    # Two earlier cases, discussed with their grades agreed (the same title, another id).
    for case_ref, grade in (("B-1", Grade.INADEQUATE), ("B-2", Grade.REQUIRES_IMPROVEMENT)):
        ws.insert(CandidateCase("MACA-B12", case_ref, in_cohort=True), act=Act.IMPORT_CASES)
        ws.insert(Discussion("MACA-B12", case_ref, held_on=date(2018, 6, 1), agreed_grades={"men": grade}),
                  act=Act.EDIT_DISCUSSION)
    section = comparison()
    assert "| Objective | MACA-B12 | This audit |" in section
    assert "| Birth fathers and males in the household | 1 requires improvement, 1 inadequate | – |" in section
    assert "Professional curiosity" not in section  # not tested by the earlier audit
    # A later audit is never "earlier".
    ws.save(dataclasses.replace(ws.audit("MACA-B12"), lookback_start=date(2022, 1, 1), lookback_end=date(2022, 6, 1)),
            act=Act.EDIT_SCOPE)
    assert "No earlier audit in this workspace tested the same objectives." in comparison()
