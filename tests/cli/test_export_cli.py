"""`maca export` (DESIGN §4, §8): the files it writes, the identifier guard, exit codes.

Runs the CLI entry point in-process (``tui.cli.main``) on a copy of the demo workspace,
to which returns, findings and scope text are added through the Workspace API as the
lead; the last test runs the real command once in a subprocess.
"""

from __future__ import annotations

import dataclasses
import re
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from audit.access import Act
from audit.findings import Column, Finding, Retest
from audit.partnership import Role, User
from audit.returns import Return, SectionReturn, Status
from audit.grades import Grade
from storage.demo import DEMO_AUDIT, build_demo
from storage.lock import os_login
from storage.workspace import Workspace
from tui.cli import main
from tests.workspace_files import copy_workspace

REF = DEMO_AUDIT
LOGIN = os_login()
LEAK_LINE = re.compile(r"^[^:]+: the (family name|date of birth|system id) of case RB-2020-\d{3}$")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "w.json"
    build_demo(path, LOGIN)
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "w.json"
    copy_workspace(template, target)
    return target


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def cohort_case(ws: Workspace):
    """A cohort case that has a family name, a date of birth and a system id."""
    return next(c for c in sorted(ws.cases(REF), key=lambda c: c.case_ref)
                if c.in_cohort and c.family_name and c.child_dob and c.system_ids)


def add_return(ws: Workspace, case_ref: str, **text: str) -> None:
    ret = Return(REF, case_ref, "CSC", status=Status.SUBMITTED, involved=True,
                 sections={"curiosity": SectionReturn(Grade.GOOD, "Seen alone at every visit.")}, **text)
    ws.insert(ret, act=Act.EDIT_RETURN, summary="test return")


def test_export_markdown_writes_the_report_beside_the_workspace(db: Path, capsys) -> None:
    ws = Workspace.open(db, LOGIN)
    add_return(ws, cohort_case(ws).case_ref, good_practice="The sibling was seen alone.")
    before = files(db.parent)
    code, out, err = run(capsys, "export", "--db", db, "--audit", REF)
    assert (code, err) == (0, "")
    [written] = files(db.parent) - before
    assert re.fullmatch(rf"{REF}-report-\d{{4}}-\d{{2}}-\d{{2}}\.md", written)
    path = db.parent / written
    assert out == f"Exported the {REF} report to {path} ({path.stat().st_size:,} bytes, md).\n"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"# {REF}: Unborn babies, older siblings and multiple adversity\n")
    for heading in ("## Summary", "## Methodology", "## Cohort profile", "## Appendix: returns"):
        assert f"\n{heading}\n" in text
    assert "The sibling was seen alone." in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    last = Workspace.open(db, LOGIN).journal()[-1]
    assert (last.action, last.who, last.summary) == ("export", LOGIN, f"exported {REF} report to {path}")


def test_export_html_is_a_standalone_page(db: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()
    code, out, err = run(capsys, "export", "--db", db, "--audit", REF, "-o", target, "--format", "html")
    assert (code, err) == (0, "")
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en-GB\">")
    assert f"<title>{REF}: Unborn babies, older siblings and multiple adversity</title>" in page
    assert "<h2>Summary</h2>" in page and "<table>" in page and "@media print" in page
    assert "<script" not in page and "http" not in page.replace("http-equiv", "")
    # A .html name implies the format; an existing file keeps its permission bits.
    target.chmod(0o640)
    assert run(capsys, "export", "--db", db, "--audit", REF, "-o", target)[0] == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_family_name_typed_into_a_return_is_refused_and_nothing_written(db: Path, capsys) -> None:
    ws = Workspace.open(db, LOGIN)
    victim = cohort_case(ws)
    add_return(ws, victim.case_ref,
               areas_for_development=f"Mr {victim.family_name.upper()} was never seen by the social worker.")
    before = files(db.parent)
    target = db.parent / "report.md"
    code, out, err = run(capsys, "export", "--db", db, "--audit", REF, "-o", target)
    assert (code, out) == (3, "")
    *places, sentence = err.splitlines()
    assert places and all(LEAK_LINE.match(p) for p in places), err
    assert any(p.endswith(f"the family name of case {victim.case_ref}") for p in places)
    # The field to fix, in the user's terms.
    assert f"CSC's return for {victim.case_ref}, areas for development: the family name of case " \
        f"{victim.case_ref}" in places
    assert sentence.startswith(f"maca: The {REF} report was not exported: it holds identifiers of cases at ")
    assert sentence.endswith("(listed); take them out of the audit's text; then export again.")
    assert victim.family_name.lower() not in err.lower()
    assert files(db.parent) == before  # no report, no temp file
    last = Workspace.open(db, LOGIN).journal()[-1]
    assert last.action == "refused" and victim.family_name.lower() not in last.summary.lower()


def test_a_date_of_birth_put_into_the_background_is_refused(db: Path, capsys) -> None:
    ws = Workspace.open(db, LOGIN)
    victim = cohort_case(ws)
    audit = ws.audit(REF)
    ws.save(dataclasses.replace(audit, background=audit.background + f"\n\nThe child was born on "
                                f"{victim.child_dob:%d/%m/%Y}."), act=Act.EDIT_SCOPE)
    code, out, err = run(capsys, "export", "--db", db, "--audit", REF, "--format", "html")
    assert (code, out) == (3, "")
    assert f"scope, background: the date of birth of case {victim.case_ref}" in err
    assert f"{victim.child_dob:%d/%m/%Y}" not in err and victim.child_dob.isoformat() not in err
    assert not list(db.parent.glob("*.html"))


def test_a_system_id_in_retest_evidence_of_another_audits_case_is_refused(db: Path, capsys) -> None:
    ws = Workspace.open(db, LOGIN)
    # Not a cohort case: every candidate's identifiers are guarded, picked or not.
    outsider = next(c for c in ws.cases(REF) if not c.in_cohort and c.system_ids)
    system_id = outsider.system_ids.split(";")[0].strip()
    ws.insert(Finding(REF, "F1", Column.DEVELOPMENT, "Partners were not checked", "Seen in three cases.",
                      "fathers", retest=Retest("MACA-B12", "F4", None, f"Compare {system_id.lower()}.")),
              act=Act.EDIT_BOARD)
    code, _, err = run(capsys, "export", "--db", db, "--audit", REF)
    assert code == 3
    assert f"finding F1, re-test evidence: the system id of case {outsider.case_ref}" in err
    assert system_id.lower() not in err.lower()


def test_a_viewer_is_refused_with_exit_3(db: Path, capsys) -> None:
    ws = Workspace.open(db, LOGIN)
    ws.insert(User("otherlead", Role.LEAD), act=Act.MANAGE_USERS)
    other = Workspace.open(db, "otherlead")
    other.save(dataclasses.replace(other.get("users", LOGIN), role=Role.VIEWER), act=Act.MANAGE_USERS)
    before = files(db.parent)
    code, out, err = run(capsys, "export", "--db", db, "--audit", REF)
    assert (code, out) == (3, "")
    assert err == f"maca: {LOGIN} is a viewer and can only read; ask a lead auditor to export the report.\n"
    assert files(db.parent) == before


def test_bad_input_exits_2_and_writes_nothing(db: Path, tmp_path: Path, capsys) -> None:
    before = files(db.parent)
    code, _, err = run(capsys, "export", "--db", db, "--audit", "MACA-NOPE")
    assert (code, err) == (2, "maca: There is no audit 'MACA-NOPE' in this workspace.\n")
    code, _, err = run(capsys, "export", "--db", db, "--audit", REF, "-o", tmp_path / "missing" / "r.md")
    assert code == 2 and "does not exist" in err
    code, _, err = run(capsys, "export", "--db", db, "--audit", REF, "-o", db)
    assert code == 3 and "one of the workspace's own files" in err
    code, _, err = run(capsys, "export", "--db", db, "--audit", REF, "-o", tmp_path)
    assert code == 2 and "is a folder" in err
    with pytest.raises(SystemExit) as exc:
        main(["export", "--db", str(db), "--audit", REF, "--format", "pdf"])
    assert exc.value.code == 2
    assert files(db.parent) == before


def test_the_real_command_exports(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "r.md"
    done = subprocess.run([sys.executable, "-m", "tui.cli", "export", "--db", str(db), "--audit", REF,
                           "-o", str(target)], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[2])
    assert (done.returncode, done.stderr) == (0, "")
    assert target.read_text(encoding="utf-8").startswith(f"# {REF}:")
    assert date.today().strftime("%d/%m/%Y") in target.read_text(encoding="utf-8")
