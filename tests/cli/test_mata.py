"""A thematic audit (MATA) from a scope file with every kind of evidence activity
(issue 20 items 1 and 5): created by `maca new-audit`, reported by `maca export` in
Markdown and Word with its own method, each activity and each theme, and no case-audit
wording."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from audit.activities import ActivityKind
from audit.findings import Column
from audit.word import read_docx
from storage.demo import build_demo, sample_path
from storage.lock import os_login
from storage.workspace import Workspace
from tests.workspace_files import copy_workspace
from tests.audit.test_word import markdown_outline
from tests.cli.test_export_cli import run

LOGIN = os_login()
SCOPE = sample_path("MATA-N21.toml")
REF = "MATA-N21"


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


def test_a_mata_from_a_scope_file_reports_its_own_method_every_activity_and_theme(db: Path, tmp_path: Path,
                                                                                 capsys) -> None:
    code, out, err = run(capsys, "new-audit", "--db", db, SCOPE)
    assert (code, err) == (0, "")
    assert out == (f"Created audit {REF}: Neglect: recognising and responding to cumulative harm (3 objectives, "
                   "0 criteria, 5 agencies, 6 evidence activities, 4 themes).\n")
    ws = Workspace.open(db, LOGIN)
    activities = ws.activities(REF)
    assert {a.kind for a in activities} == set(ActivityKind)  # every kind, from the file
    # Agreed themes became findings on the board; the one not yet agreed did not.
    findings = {f.source: f for f in ws.findings(REF)}
    assert set(findings) == {"theme T1", "theme T2", "theme T4"}
    assert findings["theme T4"].column is Column.STRENGTH
    assert findings["theme T1"].agencies == ["CSC", "HV", "EY", "POL"]  # whose people gave its evidence
    assert {t.id: t.finding_id for t in ws.themes(REF)} == {"T1": "F1", "T2": "F2", "T3": "", "T4": "F3"}

    target = tmp_path / "mata.md"
    assert run(capsys, "export", "--db", db, "--audit", REF, "-o", target)[0] == 0
    report = target.read_text(encoding="utf-8")
    sections = [line[3:] for line in report.splitlines() if line.startswith("## ")]
    assert sections[:7] == ["Summary", "Background", "Purpose and objectives", "Methodology", "Evidence gathered",
                            "Cross-cutting themes", "Findings by objective"]
    # Its own method, counted by hand from the scope file: 8 + 41 + 1 + 1 + 2 + 5 people.
    assert ("It gathered evidence through 6 activities (1 focus group, 1 practitioner conversation or survey, "
            "1 policy and procedure review, 1 set of aggregated data, 1 bespoke audit and 1 conversation with a "
            "family or child), with 58 participants from 4 agencies. The agencies drew out 4 cross-cutting "
            "themes (3 agreed).") in report
    assert "| Early years | 41 | 1 |" in report and "| Families, children and others outside the agencies | 5 | 1 |" in report
    for a in activities:
        assert f"### {a.id}. {a.title.replace(chr(39), chr(39))}" in report.replace("\\", "")
        for point in a.key_points:
            assert point in report.replace("\\", "")
    assert "Document reviewed: Riverbay Neglect Strategy and Graded Care Profile guidance, version 2.1 (2019); " \
           "reviewed by Partnership quality assurance lead." in report.replace("\\", "")
    assert "| Second or later plan for neglect | 27% |" in report
    assert "Source: Children's services performance report, quarter 1 2021/22." in report
    for t in ws.themes(REF):
        assert f"### {t.id}. {t.title}" in report.replace("\\", "")
    assert "- E3 (policy and procedure review), point 2: The guidance does not say who should complete" in report
    assert "Agreed at the MATA discussion on 12/10/2021; it became finding F1." in report
    assert "**F3. Early years staff notice neglect first**" in report.split("## Good practice")[1]
    # No case-audit wording.
    for wording in ("completed its own audit tool for every case", "looked at 0 cases", "Grades agreed at case",
                    "Case discussions", "Appendix: returns", "Cohort profile"):
        assert wording not in report

    word = tmp_path / "mata.docx"
    assert run(capsys, "export", "--db", db, "--audit", REF, "-o", word)[0] == 0
    outline = read_docx(word.read_bytes())
    assert (outline.blocks, outline.tables) == markdown_outline(report)


def test_a_maca_may_add_activities_too(db: Path, tmp_path: Path, capsys) -> None:
    scope = tmp_path / "maca.toml"
    text = sample_path("MACA-C86.toml").read_text(encoding="utf-8").replace('ref = "MACA-C86"', 'ref = "MACA-C87"')
    scope.write_text(text + '\n[[activities]]\nkind = "policy_review"\ntitle = "Pre-birth protocol"\n'
                     'document = "Pre-birth assessment protocol"\nkey_points = ["It names no lead agency."]\n',
                     encoding="utf-8")
    shutil.copy(sample_path("MACA-C86-cases.csv"), tmp_path / "cases.csv")
    assert run(capsys, "new-audit", "--db", db, scope)[0] == 0
    target = tmp_path / "maca.md"
    assert run(capsys, "export", "--db", db, "--audit", "MACA-C87", "-o", target)[0] == 0
    report = target.read_text(encoding="utf-8")
    assert "completed its own audit tool for every case" in report  # still a case audit
    assert "### E1. Pre-birth protocol" in report and "1. It names no lead agency." in report


@pytest.mark.parametrize("addition, problem", [
    ('[[activities]]\nkind = "coffee"\ntitle = "x"\n', "activities[7].kind must be one of focus_group"),
    ('[[activities]]\nkind = "focus_group"\ntitle = "x"\nparticipants = [{ role = "SW", name = "Ann Smith" }]\n',
     "only role, agency and count are recorded (never a name)"),
    ('[[activities]]\nkind = "focus_group"\ntitle = "x"\nobjectives = ["nope"]\n',
     "Activity E7 names objective 'nope', which the audit does not have."),
    ('[[activities]]\nkind = "policy_review"\ntitle = "x"\n',
     "Activity E7 is a policy and procedure review: name the document reviewed."),
    ('[[activities]]\nkind = "aggregated_data"\ntitle = "x"\n',
     "Activity E7 is aggregated data: say where the figures come from (source)."),
    ('[[themes]]\ntitle = "x"\nevidence = ["E1.9"]\n', "rests on key point 9 of E1, which has 3 key point(s)."),
    ('[[themes]]\ntitle = "x"\nevidence = ["E99"]\n', "rests on activity 'E99', which the audit does not have."),
    ('[[themes]]\ntitle = "x"\nbecomes = "maybe"\n', "becomes must be one of strength, development, recommendation"),
])
def test_a_bad_activity_or_theme_is_refused_and_nothing_is_created(db: Path, tmp_path: Path, capsys,
                                                                    addition: str, problem: str) -> None:
    scope = tmp_path / "bad.toml"
    scope.write_text(SCOPE.read_text(encoding="utf-8") + "\n" + addition, encoding="utf-8")
    code, out, err = run(capsys, "new-audit", "--db", db, scope)
    assert code == 2 and out == ""
    assert problem in err
    assert REF not in [a.ref for a in Workspace.open(db, LOGIN).audits()]
