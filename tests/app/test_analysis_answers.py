"""Analysis, `a`: every question's answers counted over completed returns, the same
numbers as the report's question tables (issue 20 item 3)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Static

from audit.access import Act
from audit.grades import Answer, Grade
from audit.returns import QuestionAnswer, Return, SectionReturn, Status
from screens.analysis.questions import QUESTION_GRID
from screens.dialogs.details import InfoScreen
from storage.demo import DEMO_AUDIT
from storage.export import report_for
from storage.workspace import Workspace
from tests.app.helpers import app_for, demo_workspace, until
from tests.app.test_analysis_section import AGENCY_GRID, grid, open_analysis, static
from tests.conftest import TODAY


def answered(ws: Workspace) -> str:
    """CSC answers its first curiosity question in three cases: yes, yes, partly; a draft's no never counts."""
    qid = ws.audit(DEMO_AUDIT).tools["CSC"].sections[0].questions[0].id
    for case_ref, answer, status in (("RB-2020-001", Answer.YES, Status.SUBMITTED),
                                     ("RB-2020-005", Answer.YES, Status.RESUBMITTED),
                                     ("RB-2020-006", Answer.PARTLY, Status.SUBMITTED),
                                     ("RB-2020-010", Answer.NO, Status.DRAFT)):
        ws.insert(Return(DEMO_AUDIT, case_ref, "CSC", status=status, involved=True,
                         answers={qid: QuestionAnswer(answer, "In the record.")},
                         sections={"curiosity": SectionReturn(Grade.GOOD, "Seen.")}),
                  act=Act.EDIT_RETURN)
    return qid


async def test_a_shows_each_questions_answers_and_enter_the_whole_count(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    qid = answered(ws)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_analysis(pilot)
        await pilot.press("a")
        table: DataTable = grid(section, QUESTION_GRID)
        await until(pilot, lambda: app.focused is table)
        assert "Questions × answers" in static(section, "#analysis-title")
        key = f"curiosity|CSC|{qid}"
        row = [str(c) for c in table.get_row(key)]
        assert row[1:2] == ["CSC"] and row[2].startswith("1.1 ")
        assert row[3:] == ["2", "1", "0", "0", "0", "3"]  # yes, partly, no, n/a, blank, of
        table.move_cursor(row=table.get_row_index(key))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, InfoScreen))
        body = "\n".join(str(s.render()) for s in app.screen.query(Static))
        assert "Answers in the completed returns of Children's services (CSC):" in body
        assert "In words: yes in 2, partly in 1 of 3 cases." in body
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, InfoScreen))
        await pilot.press("a")
        await until(pilot, lambda: app.focused is grid(section, AGENCY_GRID))
    # The report quotes the same counts.
    report = report_for(ws, DEMO_AUDIT, TODAY).markdown
    assert "| 2 | 1 | 0 | 0 | 0 | 3 |" in report


def test_snapshot_answers(snap_compare, tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    answered(ws)

    async def run_before(pilot) -> None:
        section = await open_analysis(pilot)
        await pilot.press("a")
        await until(pilot, lambda: pilot.app.focused is grid(section, QUESTION_GRID))

    assert snap_compare(app_for(ws), terminal_size=(120, 30), run_before=run_before)
