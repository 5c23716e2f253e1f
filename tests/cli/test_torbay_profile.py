"""The Torbay scope with 15 cases and the cohort profile's columns (issue 20 items 2 and 5):
imported by `maca import-cases`, drawn balanced on the level of intervention, and
exported as Markdown, HTML and Word, whose one-way counts are checked against the
numbers worked out by hand from the rows below."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from audit.draw import Lookback, balance_function, draw
from audit.scope import Draw
from audit.word import read_docx
from storage.cohort import record_draw
from storage.demo import build_demo, sample_path
from storage.lock import os_login
from storage.workspace import Workspace
from tests.cli.test_export_cli import run
from tests.workspace_files import copy_workspace

LOGIN = os_login()
REF = "MACA-T86"
HEADER = ("case_ref,unborn,older_siblings,domestic_abuse,substance_misuse,maternal_mental_health,engagement,"
          "child_dob,gender,ethnicity,level_of_intervention")
# Every case meets the Torbay criteria (unborn baby and older sibling; domestic abuse or
# substance misuse; maternal ill mental health; engaged with CSC in 2020).  The last
# three columns are the profile, in the spellings extracts use; the age is at 01/01/2020.
ROWS = """\
T01,yes,1,yes,no,yes,CSC:2020-02-01..2020-11-30,2016-03-01,female,White British,child protection
T02,yes,2,yes,no,yes,CSC:2020-02-01..2020-11-30,2014-05-05,male,White British,child in need
T03,yes,1,no,yes,yes,CSC:2020-02-01..2020-11-30,2018-02-02,F,white - irish,CP
T04,yes,1,yes,yes,yes,CSC:2020-02-01..2020-11-30,2012-07-07,M,Mixed: White and Black Caribbean,early help
T05,yes,3,yes,no,yes,CSC:2020-02-01..2020-11-30,2017-09-09,female,English,CIN
T06,yes,1,yes,no,yes,CSC:2020-02-01..2020-11-30,2010-01-01,male,Any other White background,looked after
T07,yes,1,yes,no,yes,CSC:2020-02-01..2020-11-30,2019-06-06,girl,Asian British - Pakistani,child protection
T08,yes,2,no,yes,yes,CSC:2020-02-01..2020-11-30,2015-11-11,boy,White British,child in need
T09,yes,1,yes,no,yes,CSC:2020-02-01..2020-11-30,2013-03-03,female,not known,early help
T10,yes,1,yes,no,yes,CSC:2020-02-01..2020-11-30,2016-12-12,male,White British,child protection plan
T11,yes,2,yes,no,yes,CSC:2020-02-01..2020-11-30,2011-04-04,female,Black African,CIN
T12,yes,1,yes,no,yes,CSC:2020-02-01..2020-11-30,2017-01-01,,White British,
T13,yes,1,yes,yes,yes,CSC:2020-02-01..2020-11-30,2018-08-08,female,Mixed,child protection
T14,yes,4,yes,no,yes,CSC:2020-02-01..2020-11-30,2008-10-10,male,White British,LAC
T15,yes,1,yes,no,yes,CSC:2020-02-01..2020-11-30,,female,,child in need
"""

# Worked out by hand from ROWS (each list sums to 15).
AGES = [("Under 1", "1 (fewer than 3)"),  # T07
        ("1 to 4", "7"),  # T01 T03 T05 T08 T10 T12 T13
        ("5 to 9", "4"),  # T02 T04 T09 T11
        ("10 to 15", "2 (fewer than 3)"),  # T06 T14
        ("Not recorded", "1")]  # T15
GENDER = [("Female", "8"),  # T01 T03 T05 T07 T09 T11 T13 T15
          ("Male", "6"),  # T02 T04 T06 T08 T10 T14
          ("Not recorded", "1")]  # T12
ETHNICITY = [("Asian, Asian British or Asian Welsh", "1 (fewer than 3)"),  # T07
             ("Black, Black British, Black Welsh, Caribbean or African", "1 (fewer than 3)"),  # T11
             ("Mixed or Multiple ethnic groups", "2 (fewer than 3)"),  # T04 T13
             ("White", "9"),  # T01 T02 T03 T05 T06 T08 T10 T12 T14
             ("Not recorded", "2")]  # T09 T15
LEVEL = [("Early help", "2 (fewer than 3)"),  # T04 T09
         ("Child in need", "5"),  # T02 T05 T08 T11 T15
         ("Child protection", "5"),  # T01 T03 T07 T10 T13
         ("Looked after", "2 (fewer than 3)"),  # T06 T14
         ("Not recorded", "1")]  # T12
TABLES = {"Age at the start of the lookback": AGES, "Gender": GENDER, "Ethnicity (ONS 2021 groups)": ETHNICITY,
          "Level of intervention": LEVEL}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "w.json"
    build_demo(path, LOGIN)
    return path


@pytest.fixture
def torbay(template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The demo workspace with the Torbay scope as audit MACA-T86 and its 15 cases, all
    drawn into the cohort balanced on the level of intervention."""
    db = tmp_path / "w.json"
    copy_workspace(template, db)
    scope = tmp_path / "torbay.toml"
    scope.write_text(sample_path("MACA-C86.toml").read_text(encoding="utf-8")
                     .replace('ref = "MACA-C86"', f'ref = "{REF}"'), encoding="utf-8")
    assert run(capsys, "new-audit", "--db", db, scope)[0] == 0
    cases = tmp_path / "torbay.csv"
    cases.write_text(f"{HEADER}\n{ROWS}", encoding="utf-8")
    code, out, err = run(capsys, "import-cases", "--db", db, "--audit", REF, cases)
    assert (code, err) == (0, ""), out
    ws = Workspace.open(db, LOGIN)
    pool = {c.case_ref: c for c in ws.cases(REF)}
    by = balance_function("level_of_intervention", pool, Lookback(date(2020, 1, 1), date(2020, 12, 31),
                                                                  date(2021, 3, 19)))
    picked = draw(list(pool), 15, seed=860015, balance_by=by)
    record_draw(ws, REF, picked, Draw(seed=860015, size=15, balance_by="level_of_intervention"),
                today=date(2021, 3, 19))
    return db


def profile_of(markdown: str) -> str:
    return markdown.split("## Cohort profile")[1].split("\n## ")[0]


def test_the_report_counts_the_profile_of_the_fifteen_cases_as_worked_out_by_hand(
        torbay: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "torbay.md"
    assert run(capsys, "export", "--db", torbay, "--audit", REF, "-o", target)[0] == 0
    report = target.read_text(encoding="utf-8")
    profile = profile_of(report)
    for heading, rows in TABLES.items():
        block = profile.split(f"| {heading} | Cases |")[1].split("\n\n")[0]
        assert [r for r in re.findall(r"^\| (.+?) \| (.+?) \|$", block, re.M) if "---" not in r[0]] == rows, heading
    assert ("Across the 15 cases: unborn baby in 15 of 15, domestic abuse in 13 of 15, substance misuse in 4 of 15 "
            "and maternal ill mental health in 15 of 15.") in profile
    assert "Groups of fewer than 3 children are marked" in profile
    assert "balanced by level of intervention (early help to looked after)" in report
    # One way only: the per-case table carries no profile column, and no line of the
    # report puts a case reference beside a gender, ethnic group or level.
    words = ("female", "male", "white", "mixed", "asian", "black", "child in need", "child protection",
             "early help", "looked after")
    for line in report.splitlines():
        if re.search(r"\bT\d\d\b", line):
            assert not any(re.search(rf"\b{w}\b", line, re.I) for w in words), line


def test_html_and_word_carry_the_same_counts(torbay: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    html, word = tmp_path / "torbay.html", tmp_path / "torbay.docx"
    assert run(capsys, "export", "--db", torbay, "--audit", REF, "-o", html)[0] == 0
    assert run(capsys, "export", "--db", torbay, "--audit", REF, "-o", word)[0] == 0
    page = re.sub(r"\s+", "", html.read_text(encoding="utf-8"))
    for heading, rows in TABLES.items():
        cells = "".join(f"<tr><td>{label}</td><td>{n}</td></tr>" for label, n in rows)
        assert f"<th>{heading}</th><th>Cases</th></tr></thead><tbody>{cells}</tbody>".replace(" ", "") in page
    tables = read_docx(word.read_bytes()).tables
    for heading, rows in TABLES.items():
        assert [[heading, "Cases"], *[[label, n] for label, n in rows]] in tables, heading
