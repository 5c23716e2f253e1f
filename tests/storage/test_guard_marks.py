"""Marks of "not an identifier here": leads only, possible matches only, with a reason,
journaled, kept in the audit's own records, and void once the text changes."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path

import pytest

from audit.access import Act
from audit.cases import CandidateCase
from storage.demo import DEMO_AUDIT, build_demo
from storage.errors import AccessDenied
from storage.export import report_for
from storage.guard import guard_report, mark_not_identifier
from storage.workspace import Workspace

TODAY = date(2021, 4, 20)
NOW = datetime(2021, 4, 20, 9, 30)


def workspace(tmp_path: Path, background: str) -> Workspace:
    ws = build_demo(tmp_path / "w.json", "lead1")
    ws.insert(CandidateCase(audit=DEMO_AUDIT, case_ref="X-1", family_name="Green"), act=Act.IMPORT_CASES)
    ws.insert(CandidateCase(audit=DEMO_AUDIT, case_ref="X-2", family_name="Ashcombe"), act=Act.IMPORT_CASES)
    ws.save(dataclasses.replace(ws.audit(DEMO_AUDIT), background=background), act=Act.EDIT_SCOPE)
    return ws


def leaks(ws: Workspace):
    return guard_report(ws, report_for(ws, DEMO_AUDIT, TODAY))


def test_a_mark_clears_a_possible_match_until_the_text_changes(tmp_path: Path) -> None:
    ws = workspace(tmp_path, "Green spaces were used for contact.")
    (leak,) = leaks(ws)
    assert not leak.certain and leak.describe() == "scope, background: possibly the family name of case X-1"
    mark = mark_not_identifier(ws, DEMO_AUDIT, leak, "  the colour,\n not the family ", now=NOW)
    assert (mark.audit, mark.reason, mark.marked_by, mark.place) == (
        DEMO_AUDIT, "the colour, not the family", "lead1", "scope, background")
    reopened = Workspace.open(ws.path, "lead1")
    assert leaks(reopened) == []
    entry = reopened.journal()[-1]
    assert entry.audit == DEMO_AUDIT and entry.summary == (
        "marked a possible family name at scope, background as not an identifier: the colour, not the family")
    # Marking the same spot again keeps one mark.
    mark_not_identifier(reopened, DEMO_AUDIT, leak, "still the colour", now=NOW)
    assert len([k for k in reopened._table("guard_marks", DEMO_AUDIT).items]) == 1
    # A change of the text voids the mark.
    reopened.save(dataclasses.replace(reopened.audit(DEMO_AUDIT), background="Green spaces were used for contact!"),
                  act=Act.EDIT_SCOPE)
    assert [x.case_ref for x in leaks(reopened)] == ["X-1"]


def test_certain_matches_no_reason_and_non_leads_are_refused(tmp_path: Path) -> None:
    ws = workspace(tmp_path, "Green spaces. The Ashcombes were seen.")
    possible, certain = sorted(leaks(ws), key=lambda x: x.certain)
    with pytest.raises(ValueError, match="Only a possible match can be marked"):
        mark_not_identifier(ws, DEMO_AUDIT, certain, "no")
    with pytest.raises(ValueError, match="Say why"):
        mark_not_identifier(ws, DEMO_AUDIT, possible, "   ")
    with pytest.raises(AccessDenied, match="Only a lead auditor can mark a possible identifier as not one"):
        mark_not_identifier(Workspace.open(ws.path, "csc.coord"), DEMO_AUDIT, possible, "colour")
    assert len(leaks(ws)) == 2
