"""The Returns section: the grid of cohort cases × agencies, the filter, the chase list,
opening the tool, returns arriving live, and snapshots of the grid and the tool."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static, TextArea

from audit.return_transitions import edit
from screens.audit.screen import AuditScreen
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import FormScreen
from screens.returns.chase import ChaseScreen
from screens.returns.section import ReturnsSection
from screens.tool.screen import ToolScreen
from storage.demo import DEMO_AUDIT, build_demo
from storage.demo_returns import add_demo_returns
from storage.lock import os_login
from storage.returns import cohort_refs, open_return, save_draft
from storage.workspace import Workspace
from tests.app.helpers import notes, until
from tui.app import MacaApp, build_app

REF = DEMO_AUDIT
LATE = date(2021, 5, 3)  # three days after returns were due (30/04/2021)
AGENCIES = ["CSC", "MID", "HV", "GP", "ASM", "AMH", "EY", "POL"]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    ws = build_demo(tmp_path / "w.json", os_login())
    add_demo_returns(ws)
    return ws.path


def app_on(path: Path, login: str | None = None, today: date = LATE) -> MacaApp:
    return build_app(Workspace.open(path, login or os_login()), today=today, watch_interval=0)


async def open_grid(app: MacaApp, pilot) -> ReturnsSection:
    await app.push_screen(AuditScreen(REF, "returns"))
    assert await until(pilot, lambda: app.screen.query(ReturnsSection)
                       and app.screen.query_one(ReturnsSection).query_one(DataTable).has_focus)
    return app.screen.query_one(ReturnsSection)


def cell(section: ReturnsSection, case_ref: str, column: str) -> str:
    return section.query_one(DataTable).get_cell(case_ref, column).plain.strip()


def labels(table: DataTable) -> list[str]:
    return [str(c.label).strip() for c in table.columns.values()]


def head(section: ReturnsSection) -> str:
    return str(section.query_one("#returns-head", Static).render())


async def test_grid_shows_status_progress_overdue_and_totals(path: Path) -> None:
    cases = cohort_refs(Workspace.open(path, os_login()), REF)
    app = app_on(path)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_grid(app, pilot)
        table = section.query_one(DataTable)
        assert table.row_count == 15 + 2  # the cohort, then received and overdue totals
        assert labels(table) == ["Case", "Received", *AGENCIES]
        first = cases[0]
        assert cell(section, first, "CSC") == "✓ 27/27"  # submitted
        assert cell(section, first, "HV") == "✎ 20/25 !"  # a draft, overdue
        assert cell(section, first, "POL") == "∅ n/i"  # not involved
        assert cell(section, first, "ASM") == "◦ — !"  # not started, overdue
        assert cell(section, cases[1], "CSC").startswith("↩")  # returned for clarification: owed again
        assert cell(section, first, "__total__") == "3/8 4!"  # POL not involved: not received
        assert cell(section, "__received__", "CSC") == "1/15"
        assert cell(section, "__overdue__", "CSC") == "14 !"
        assert "Returns due 30/04/2021 (3 days ago)" in head(section)
        assert "5 of 120 received · 2 not involved" in head(section)


async def test_every_column_is_seen_at_80_columns(path: Path) -> None:
    """Issue 18's walk-through: at 80 columns "Received" was off screen, seen only by
    scrolling sideways. It now follows the case, columns are one space apart, and the
    case and its total stay put when the grid does scroll sideways."""
    app = app_on(path, today=date(2021, 4, 20))
    async with app.run_test(size=(80, 24)) as pilot:
        section = await open_grid(app, pilot)
        table = section.query_one(DataTable)
        header = table.render_line(0).text
        assert header.split() == ["Case", "Received", *AGENCIES]
        first = table.render_line(1).text
        assert first.split()[:2] == [section.grid.cases[0], "3/8"] and first.rstrip().endswith("∅ n/i")
        assert table.max_scroll_x == 0
        assert table.fixed_columns == 2
        assert table.cursor_coordinate.column == 2  # on the first agency, as before
        legend = section.query_one("#returns-legend")
        painted = [legend.render_line(y).text.strip() for y in range(legend.size.height)]
        assert len(painted) > 1 and "✔ resubmitted" in " ".join(painted)
        assert all(not line.endswith("✔") for line in painted), painted  # an entry is never split


async def test_a_coordinator_starts_on_their_own_agency(path: Path) -> None:
    """The walk-through as pol.coord: the cursor started on CSC, seven columns from the
    only returns POL may edit; a lead still starts on the first agency."""
    for login, column in (("pol.coord", "POL"), (os_login(), "CSC")):
        app = app_on(path, login)
        async with app.run_test(size=(80, 24)) as pilot:
            section = await open_grid(app, pilot)
            assert section.cursor_keys()[1] == column, login


async def test_before_the_due_date_nothing_is_overdue(path: Path) -> None:
    app = app_on(path, today=date(2021, 4, 20))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_grid(app, pilot)
        assert "!" not in "".join(cell(section, c, a) for c in section.grid.cases for a in AGENCIES)
        assert "(in 10 days)" in head(section)


async def test_enter_opens_the_cell_and_escape_comes_back_updated(path: Path) -> None:
    cases = cohort_refs(Workspace.open(path, os_login()), REF)
    app = app_on(path, "mid.coord")
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_grid(app, pilot)
        assert section.cursor_keys() == (cases[0], "MID")  # a co-ordinator starts on their own agency
        await pilot.press("j", "j", "j", "enter")  # MID, the fourth case (not started)
        assert await until(pilot, lambda: isinstance(app.screen, ToolScreen) and app.screen.rows)
        tool = app.screen
        assert isinstance(tool, ToolScreen) and (tool.case_ref, tool.agency) == (cases[3], "MID")
        await pilot.press("y")  # involved: yes, which starts the draft
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, AuditScreen))
        assert app.screen.query_one(ReturnsSection) is section
        assert await until(pilot, lambda: cell(section, cases[3], "MID") == "✎ 0/26 !")
        assert section.cursor_keys() == (cases[3], "MID")  # the cursor stays on the cell


async def test_filter_to_what_one_agency_still_owes(path: Path) -> None:
    app = app_on(path)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_grid(app, pilot)
        await pilot.press("f")
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen) and bool(app.screen.query(Select)))
        app.screen.query_one(Select).value = "MID"
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: section.agency_filter == "MID")
        table = section.query_one(DataTable)
        assert labels(table) == ["Case", "Received", "MID"]
        owed = section.grid.outstanding_cases("MID")
        assert len(owed) == 13 and table.row_count == 13 + 2
        assert "Filter: outstanding for MID (Midwifery): 13 of 15 cases" in head(section)
        # Every column still fits its widest cell ("RB-2020-001", "✎ 8/26 !", "Received 2/15").
        for key, widest in [("__case__", len(owed[0])), ("MID", len("✎ 8/26 !")), ("__total__", len("Received"))]:
            assert table.columns[key].get_render_width(table) >= widest + 1, key  # one space apart
        await pilot.press("f")
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen) and bool(app.screen.query(Select)))
        app.screen.query_one(Select).value = "*"
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: len(table.columns) == 10)


@pytest.mark.slow
async def test_chase_list_shows_and_exports_one_line_per_outstanding_return(path: Path, monkeypatch) -> None:
    here = path.parent / "started here"  # the current folder, not the workspace's
    here.mkdir()
    monkeypatch.chdir(here)
    app = app_on(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_grid(app, pilot)
        await pilot.press("c")
        assert await until(pilot, lambda: isinstance(app.screen, ChaseScreen) and app.screen.query(TextArea))
        chase = app.screen
        assert len(chase.lines) == 120 - 7
        assert "MID (Midwifery) · case RB-2020-005 · draft, 8/26 answered · 3 days overdue (due 30/04/2021)" \
            in chase.query_one(TextArea).text
        await pilot.press("x")  # x exports: a read-only text area does not type it
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen))
        target = here / "MACA-C86-chase-2021-05-03.txt"
        assert app.screen.query_one(Input).value == str(target)
        await pilot.press("ctrl+s")
        assert await until(pilot, target.exists)
        assert target.read_text(encoding="utf-8").splitlines() == chase.lines
        assert f"Chase list written to {target}." in notes(app)
        await pilot.press("x")  # again: the file exists, so it asks first
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        assert not list(here.glob(".MACA-C86-chase*.tmp"))  # no temporary file left behind


async def test_chase_list_follows_the_filter_and_refuses_a_missing_folder(path: Path) -> None:
    app = app_on(path)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_grid(app, pilot)
        section.agency_filter = "POL"
        section.refresh_data()
        await pilot.press("c")
        assert await until(pilot, lambda: isinstance(app.screen, ChaseScreen))
        chase = app.screen
        assert all(line.startswith("POL (Police)") for line in chase.lines)
        await pilot.press("x")
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one(Input).value = str(path.parent / "no-such-folder" / "chase.txt")
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: any("does not exist; nothing was written" in n for n in notes(app)))


async def test_lead_sees_a_return_arrive_live(path: Path) -> None:
    cases = cohort_refs(Workspace.open(path, os_login()), REF)
    app = app_on(path)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_grid(app, pilot)
        assert cell(section, cases[5], "GP") == "◦ — !"
        coord = Workspace.open(path, "gp.coord")
        ret = edit(open_return(coord, REF, cases[5], "GP"), "gp.coord", datetime(2021, 5, 3, 9), involved=False,
                   auditor_name="Dr Practon", auditor_role="Named GP", not_involved_reason="Not registered with us.")
        from storage.returns import submit_return

        submit_return(coord, save_draft(coord, ret))
        app.poll_workspace()  # what the app does every second
        assert await until(pilot, lambda: cell(section, cases[5], "GP") == "∅ n/i")


def test_grid_snapshot(snap_compare, path: Path) -> None:
    async def before(pilot) -> None:
        await pilot.app.push_screen(AuditScreen(REF, "returns"))
        await pilot.pause()

    assert snap_compare(app_on(path), terminal_size=(120, 40), run_before=before)


def test_filtered_grid_snapshot(snap_compare, path: Path) -> None:
    """`f` narrows to one agency and the grid keeps every reference and total whole."""

    async def before(pilot) -> None:
        app = pilot.app
        await open_grid(app, pilot)
        await pilot.press("f")
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen) and bool(app.screen.query(Select)))
        app.screen.query_one(Select).value = "CSC"
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: not isinstance(app.screen, FormScreen))
        await pilot.pause()

    assert snap_compare(app_on(path), terminal_size=(120, 40), run_before=before)


@pytest.mark.slow
def test_tool_snapshot(snap_compare, path: Path) -> None:
    async def before(pilot) -> None:
        await pilot.app.push_screen(AuditScreen(REF, "returns"))
        await pilot.pause()
        await pilot.press("l", "l", "enter")  # HV, the first case: a draft
        await pilot.pause()
        await pilot.press(*"j" * 12)
        await pilot.pause()

    assert snap_compare(app_on(path, today=date(2021, 4, 20)), terminal_size=(120, 40), run_before=before)


async def test_open_concerns_are_listed_from_the_grid(path: Path) -> None:
    from screens.returns.concerns import ConcernAlertScreen
    from storage.returns import raise_concern

    cases = cohort_refs(Workspace.open(path, os_login()), REF)
    app = app_on(path)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_grid(app, pilot)
        await pilot.press("exclamation_mark")
        assert await until(pilot, lambda: bool(notes(app)))
        assert "No immediate safeguarding concern is open." in notes(app)
        coord = Workspace.open(path, "ey.coord")
        raise_concern(coord, open_return(coord, REF, cases[2], "EY"), "Child not seen since March.")
        app.poll_workspace()  # the app reads other sessions' saves on its poll, in a thread
        assert await until(pilot, lambda: cell(section, cases[2], "EY") == "◦ — ! ⚠")
        await pilot.press("exclamation_mark")
        assert await until(pilot, lambda: isinstance(app.screen, ConcernAlertScreen))


async def test_a_case_taken_out_in_cohort_leaves_the_grid_when_you_come_back(path: Path) -> None:
    """Stale after your own save (issue 18 item 5): the grid, opened before, still showed a
    case this session had just taken out of the cohort."""
    from textual.widgets import Input

    from screens.cohort.table import CohortTable

    app = app_on(path)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_grid(app, pilot)
        gone = section.grid.cases[0]
        await pilot.press("2")
        assert await until(pilot, lambda: isinstance(app.focused, CohortTable))
        await pilot.press("space")  # the first case, in the cohort
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-reason", Input).value = "moved out of the area"
        await pilot.press("enter")
        assert await until(pilot, lambda: not isinstance(app.screen, FormScreen)
                           and not ops_case_in_cohort(path, gone))
        await pilot.press("3")
        assert await until(pilot, lambda: gone not in section.grid.cases)
        table = section.query_one(DataTable)
        assert gone not in [str(k.value) for k in table.rows]


def ops_case_in_cohort(path: Path, case_ref: str) -> bool:
    case = Workspace.open(path, os_login()).case(REF, case_ref)
    return bool(case and case.in_cohort)
