"""Home as the partnership's programme (issue 19 item 1): plan, edit, delete, start a
planned audit from its scope file, confirm the stage maca proposes; hostile text stays text."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from textual.widgets import DataTable, Input

from audit.access import Act
from audit.programme import PlannedAudit
from audit.scope import Stage
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import FormScreen
from screens.home.screen import HomeScreen
from storage.demo import DEMO_AUDIT, build_demo, sample_path
from storage.lock import os_login
from storage.programme import add_plan
from tests.app.helpers import app_for, idle, notes, open_as, until

HOSTILE = "[bold]x[/] | # <html>\x1b[31mred"
SHOWN = "[bold]x[/] | # <html>red"


def _rows(app) -> dict[str, list[str]]:
    table = app.screen.query_one(DataTable)
    return {str(key.value): [str(c) for c in table.get_row(key)] for key in table.rows}


def _detail(app) -> str:
    return str(app.screen.query_one("#home-detail").render())


async def test_a_lead_plans_an_audit_with_hostile_text(tmp_path: Path) -> None:
    ws = build_demo(tmp_path / "demo.json", os_login())
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, FormScreen) and bool(app.screen.query("#field-theme")))
        app.screen.query_one("#field-theme", Input).value = HOSTILE
        app.screen.query_one("#field-year", Input).value = "2022"
        app.screen.query_one("#field-quarter", Input).value = "q5"
        app.screen.query_one("#field-lead", Input).value = HOSTILE
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "shown" in app.screen.query_one("#form-errors").classes)
        assert "The quarter 'q5' is not one of Q1, Q2, Q3 or Q4." in str(app.screen.query_one("#form-errors").render())
        assert ws.planned() == []  # nothing saved while the form has a problem
        app.screen.query_one("#field-quarter", Input).value = "q3"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen) and idle(app) and "plan:P1" in _rows(app))
        rows = _rows(app)
        assert list(rows)[:2] == ["head:2022:planned", "plan:P1"]  # the newest year first
        assert rows["plan:P1"][1] == SHOWN and rows["plan:P1"][3] == "planned" and rows["plan:P1"][5] == "Q3 2022"
        assert app.screen.selected_key() == "plan:P1"
        assert f"Planned P1: {SHOWN}" in _detail(app) and f"lead: {SHOWN}" in _detail(app)
        # Edit: e opens the plan's form; the year moves it.
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FormScreen) and bool(app.screen.query("#field-year")))
        app.screen.query_one("#field-year", Input).value = "2021"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen) and idle(app) and "head:2021:planned" in _rows(app))
        assert ws.get("planned", "P1").year == 2021
        # Delete, after a confirmation.
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen) and idle(app) and "plan:P1" not in _rows(app))
        assert ws.planned() == []


async def test_n_on_a_planned_row_starts_that_audit(tmp_path: Path) -> None:
    ws = build_demo(tmp_path / "demo.json", os_login())
    add_plan(ws, PlannedAudit("", 2021, "Unborn babies again", quarter=3))
    scope = tmp_path / "scope.toml"
    scope.write_text(sample_path("MACA-C86.toml").read_text().replace('"MACA-C86"', '"MACA-C99"'))
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert app.screen.selected_key() == "plan:P1"  # planned comes first in its year
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, FormScreen) and bool(app.screen.query("#field-path")))
        assert "Start planned audit P1" in str(app.screen.query_one("#form-title").render())
        app.screen.query_one("#field-path", Input).value = str(scope)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen) and idle(app) and "audit:MACA-C99" in _rows(app))
        assert ws.get("planned", "P1").promoted_to == "MACA-C99"
        assert "plan:P1" not in _rows(app)  # promoted: the audit stands in its place
        assert app.screen.selected_key() == "audit:MACA-C99"
        assert any("Created audit MACA-C99 for planned audit P1." in n for n in notes(app))


async def test_a_lead_confirms_the_stage_maca_proposes(tmp_path: Path) -> None:
    built = build_demo(tmp_path / "demo.json", os_login(), in_progress=True)
    built.save(dataclasses.replace(built.audit(DEMO_AUDIT), stage=Stage.COHORT), act=Act.EDIT_SCOPE)
    ws = open_as(built.path, os_login())
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert _rows(app)[f"audit:{DEMO_AUDIT}"][3] == "cohort selection ▸"
        assert "maca proposes the stage fieldwork: the first return is in. Press s to confirm it." in _detail(app)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen) and idle(app)
                    and _rows(app)[f"audit:{DEMO_AUDIT}"][3] == "fieldwork")
        assert ws.audit(DEMO_AUDIT).stage is Stage.FIELDWORK
        assert "proposes" not in _detail(app)


async def test_a_coordinator_sees_the_programme_and_cannot_plan(tmp_path: Path) -> None:
    lead = build_demo(tmp_path / "demo.json", os_login(), in_progress=True)
    lead.save(dataclasses.replace(lead.audit(DEMO_AUDIT), stage=Stage.COHORT), act=Act.EDIT_SCOPE)
    ws = open_as(lead.path, "gp.coord")
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert "A lead confirms it." in _detail(app)
        await pilot.press("p")
        await until(pilot, lambda: bool(notes(app, "error")) and idle(app))
        assert any("Only a lead auditor can plan the partnership's programme" in n for n in notes(app))
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert ws.audit(DEMO_AUDIT).stage is Stage.COHORT
