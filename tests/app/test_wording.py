"""Words a new user reads (issue 18 item 12): plurals, an agency's code once, the verb of
each dialog's ctrl+s, an empty audit saying how to import, CSV columns told apart from
positions, the journal's filter line, and "(any)" not marked required."""

from __future__ import annotations

from pathlib import Path

import pytest

from textual.widgets import Button, Input, Label, Static

from audit.csv_import import Problem
from screens.cohort.modals import ReportScreen
from screens.cohort.section import CohortSection, CohortTable
from screens.dialogs.form import FormScreen
from screens.journal.screen import JournalFilter
from screens.tool.screen import ToolScreen
from storage.audits import audit_from_scope_file, create_audit
from storage.demo import demo_partnership
from storage.lock import os_login
from storage.workspace import Workspace
from tests.app.helpers import app_for, demo_workspace, open_audit, until

SCOPE = Path(__file__).resolve().parents[2] / "sample_data" / "MACA-C86.toml"


def notes(app) -> list[str]:
    return [n.message for n in app._notifications]


def save_button(app) -> str:
    return str(app.screen.query_one("#form-save", Button).label)


async def open_cohort(pilot) -> CohortSection:
    await until(pilot, lambda: pilot.app.focused is not None)
    await open_audit(pilot)
    await pilot.press("2")
    await until(pilot, lambda: isinstance(pilot.app.focused, CohortTable))
    return pilot.app.screen.query_one(CohortSection)


@pytest.mark.slow  # seconds of CPU (a long flow); make test runs it
async def test_drawing_one_case_says_one_case_and_the_dialogs_say_what_ctrl_s_does(tmp_path: Path) -> None:
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_cohort(pilot)
        await until(pilot, lambda: section.table.row_count > 0)
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        assert save_button(app) == "Check the file (ctrl+s)"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, FormScreen))
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        assert save_button(app) == "Draw (ctrl+s)"
        assert "Draw" in [b.binding.description for b in app.screen.active_bindings.values()]
        assert app.screen.query_one("#field-size", Input).value == "1"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        question = str(app.screen.query_one("#report-question", Static).render())
        assert "Add this case to the cohort?" in question
        await pilot.press("y")
        await until(pilot, lambda: any(n.startswith("Drew ") for n in notes(app)))
        drew = next(n for n in notes(app) if n.startswith("Drew "))
        assert drew.startswith("Drew 1 case with seed ") and "; it is in the cohort (16/15)." in drew


async def test_an_audit_without_candidates_says_how_to_import_them(tmp_path: Path) -> None:
    partnership, _ = demo_partnership()
    ws = Workspace.create(tmp_path / "w.json", os_login(), partnership)
    create_audit(ws, audit_from_scope_file(ws, SCOPE), source=SCOPE.name)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_cohort(pilot)
        table = section.table
        await until(pilot, lambda: "import" in table.empty_text)
        shown = "\n".join(table.render_line(y).text for y in range(table.size.height))
        assert "No candidate cases yet: press i to import a CSV extract" in shown
        assert "match the filter" not in shown


async def test_an_agency_named_with_its_code_shows_the_code_once(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    assert ws.partnership().agency_name("GP") == "Primary care (GP)"
    case_ref = next(c.case_ref for c in ws.cases("MACA-C86") if c.in_cohort)
    app = app_for(ws)
    async with app.run_test(size=(160, 40)) as pilot:
        await until(pilot, lambda: app.focused is not None)
        await app.push_screen(ToolScreen("MACA-C86", case_ref, "GP"))
        await until(pilot, lambda: isinstance(app.screen, ToolScreen) and bool(app.screen.query("#tool-title")))
        title = str(app.screen.query_one("#tool-title", Static).render())
        assert f"Case {case_ref} · Primary care (GP) · " in title
        assert "(GP) (GP)" not in title
    assert ws.partnership().agency_label("CSC") == "Children's services (CSC)"
    assert ws.partnership().agency_name_without_code("GP") == "Primary care"


def test_a_csv_problem_tells_a_column_name_from_a_position() -> None:
    assert str(Problem(3, "unborn", "bad")) == 'line 3, column "unborn": bad'
    assert str(Problem(1, "9", "unknown column")) == "line 1, column 9: unknown column"


def test_the_journal_says_what_it_shows_in_words() -> None:
    assert JournalFilter(entity="returns").describe() == "Showing entries about returns"
    assert JournalFilter(who="rlead", audit="MACA-C86").describe() == "Showing entries by rlead, in audit MACA-C86"
    assert JournalFilter().describe() == "Showing every entry"


async def test_a_choice_that_holds_any_is_not_marked_required(tmp_path: Path) -> None:
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.focused is not None)
        await pilot.press("J")  # the journal
        await until(pilot, lambda: type(app.screen).__name__ == "JournalScreen")
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        labels = [str(label.render()) for label in app.screen.query(Label)]
        assert "User" in labels and "User *" not in labels
        assert save_button(app) == "Filter (ctrl+s)"
