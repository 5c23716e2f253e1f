"""A scope file's audit tool templates are checked in the same round as the rest of the
file (issue 18 item 4, its leftover): a broken or missing template is listed with the
scope's other problems at once, each with the line that names it."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.audits import ScopeProblems, scope_from_bytes, scope_from_file
from storage.demo import demo_partnership, sample_path
from storage.lock import os_login
from storage.workspace import Workspace

SCOPE = sample_path("MACA-C86.toml").read_text(encoding="utf-8").replace('ref = "MACA-C86"', 'ref = "NEW-1"')
BROKEN_TOOL = 'agency = "MID"\ntitle = "Midwifery"\n[[sections]]\nid = 3\n'


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    partnership, users = demo_partnership()
    return Workspace.create(tmp_path / "ws", os_login(), partnership, users=users)


def problems_of(ws: Workspace, path: Path) -> list[str]:
    with pytest.raises(ScopeProblems) as caught:
        scope_from_file(ws, path)
    return caught.value.problems


def test_a_broken_template_is_listed_with_the_scopes_other_problems(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "mid-tool.toml").write_text(BROKEN_TOOL, encoding="utf-8")
    scope = tmp_path / "scope.toml"
    scope.write_text('templates = { MID = "mid-tool.toml", HV = "nothere.toml" }\n'
                     + SCOPE.replace("cohort_target = 15", 'cohort_target = "15"'), encoding="utf-8")
    problems = problems_of(ws, scope)
    target_line = next(n for n, line in enumerate(scope.read_text().splitlines(), 1) if line.startswith("cohort_target"))
    assert f"line {target_line}: cohort_target must be a whole number, e.g. cohort_target = 15." in problems
    assert f"line 1: {tmp_path / 'mid-tool.toml'}: section 1 has no title." in problems
    assert f"line 1: There is no file {tmp_path / 'nothere.toml'}." in problems
    assert problems.index(f"line 1: There is no file {tmp_path / 'nothere.toml'}.") < problems.index(
        f"line {target_line}: cohort_target must be a whole number, e.g. cohort_target = 15."), "in the file's order"


def test_a_templates_table_gives_each_agencys_own_line(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "mid-tool.toml").write_bytes(sample_path("templates/HV.toml").read_bytes())
    scope = tmp_path / "scope.toml"
    text = SCOPE.replace('title = "Unborn', 'title = 7 #', 1) + '\n[templates]\nmid = "mid-tool.toml"\n'
    scope.write_text(text, encoding="utf-8")
    last = len(text.splitlines())
    problems = problems_of(ws, scope)
    assert any("title" in p for p in problems[:-1])
    assert problems[-1] == f"line {last}: {tmp_path / 'mid-tool.toml'}: is the audit tool for agency HV, not MID."


def test_a_template_named_over_ssh_is_said_with_the_other_problems(ws: Workspace) -> None:
    text = 'templates = { MID = "mid-tool.toml" }\n' + SCOPE.replace("cohort_target = 15", "cohort_target = -1")
    with pytest.raises(ScopeProblems) as caught:
        scope_from_bytes(ws, text.encode(), "scope.toml", None)
    problems = caught.value.problems
    assert problems[0].startswith("line 1: A scope sent over SSH cannot name template files on the server")
    assert any("cohort target" in p for p in problems[1:]), problems


def test_a_good_scope_with_a_good_template_still_makes_its_tool(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "mid-tool.toml").write_bytes(sample_path("templates/MID.toml").read_bytes())
    scope = tmp_path / "scope.toml"
    scope.write_text('templates = { MID = "mid-tool.toml" }\n' + SCOPE, encoding="utf-8")
    made = scope_from_file(ws, scope)
    assert made.audit.ref == "NEW-1" and "MID" in made.audit.tools
