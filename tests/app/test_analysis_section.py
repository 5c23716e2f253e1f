"""Analysis section: the grids show what `analyse()` computes, by keyboard, live.

The demo workspace has no returns or discussions, so each test seeds a few through the
storage API as the lead (the same kinds of record the returns and discussion sections
write): completed, draft and not-involved returns, and one held discussion.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from audit.access import Act
from audit.analysis import analyse
from audit.findings import Discussion
from audit.grades import Grade
from audit.returns import Return, SectionReturn, Status
from screens.analysis.section import AGENCY_GRID, CASE_GRID, AnalysisSection
from screens.dialogs.details import InfoScreen
from storage.demo import DEMO_AUDIT
from storage.workspace import Workspace
from tests.app.helpers import app_for, demo_workspace, open_as, open_audit, until
from tests.conftest import TODAY

O, G, R, I = Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE
SHORT = {O: "Out", G: "Good", R: "RI", I: "Inad"}
SIZES = [(80, 24), (120, 40)]


def add_return(ws: Workspace, case_ref: str, agency: str, status: Status, **grades: Grade) -> None:
    ws.insert(Return(DEMO_AUDIT, case_ref, agency, status=status, involved=status is not Status.NOT_INVOLVED,
                     sections={k: SectionReturn(g, "The chronology was used.") for k, g in grades.items()},
                     good_practice="The sibling was seen alone at every visit."),
              act=Act.EDIT_RETURN, summary="test return")


def seed(ws: Workspace) -> None:
    """Returns and a discussion whose numbers are worked out by hand in the tests."""
    add_return(ws, "RB-2020-001", "CSC", Status.SUBMITTED, curiosity=R, fathers=I)
    add_return(ws, "RB-2020-001", "MID", Status.SUBMITTED, curiosity=G, fathers=R)
    add_return(ws, "RB-2020-001", "HV", Status.RESUBMITTED, curiosity=G)
    add_return(ws, "RB-2020-005", "MID", Status.SUBMITTED, curiosity=R, fathers=R)
    add_return(ws, "RB-2020-005", "CSC", Status.DRAFT, curiosity=O)  # a draft: its grade does not count
    add_return(ws, "RB-2020-006", "CSC", Status.SUBMITTED, curiosity=G, unborn=O)
    add_return(ws, "RB-2020-006", "GP", Status.NOT_INVOLVED)
    ws.insert(Discussion(DEMO_AUDIT, "RB-2020-001", held_on=date(2021, 4, 12),
                         agreed_grades={"curiosity": R, "fathers": I}), act=Act.EDIT_DISCUSSION)


def seeded(tmp_path: Path) -> Workspace:
    ws = demo_workspace(tmp_path)
    seed(ws)
    return ws


def expected(ws: Workspace):
    return analyse(ws.audit(DEMO_AUDIT), ws.cases(DEMO_AUDIT), ws.returns(DEMO_AUDIT),
                   ws.discussions(DEMO_AUDIT), TODAY)


async def open_analysis(pilot) -> AnalysisSection:
    # Home is the default screen: it focuses its table a frame or two after start, and an
    # enter pressed before that is lost (snapshot runs start the pilot that early).
    await until(pilot, lambda: pilot.app.focused is not None)
    await open_audit(pilot)
    await pilot.press("6")
    await until(pilot, lambda: pilot.app.screen.query(AnalysisSection)
                and pilot.app.screen.query_one(AnalysisSection).analysis is not None)
    section = pilot.app.screen.query_one(AnalysisSection)
    await until(pilot, lambda: isinstance(pilot.app.focused, DataTable))
    return section


def grid(section: AnalysisSection, which: str) -> DataTable:
    return section.query_one(f"#{which}", DataTable)


def cell(table: DataTable, row: str, column: str) -> str:
    return table.get_cell(row, column).plain


def static(section: AnalysisSection, wid: str) -> str:
    return str(section.query_one(wid, Static).render())


async def test_objective_agency_grid_shows_the_numbers_analyse_computes(tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_analysis(pilot)
        table = grid(section, AGENCY_GRID)
        # Worked out by hand: curiosity has R, G, G, R, G from completed returns (the draft's O
        # does not count); CSC gave R and G: a tie, so no single most common grade.
        assert cell(table, "curiosity", "a:CSC") == "tie 1/2"
        assert cell(table, "curiosity", "a:MID") == "tie 1/2"
        assert cell(table, "curiosity", "a:HV") == "✓ Good 1/1"
        assert cell(table, "curiosity", "a:GP") == "·"  # not involved: no grades
        assert cell(table, "curiosity", "all") == "✓ Good 3/5"
        assert cell(table, "fathers", "a:CSC") == "✗ Inad 1/1"
        assert cell(table, "fathers", "all") == "! RI 2/3"
        assert cell(table, "unborn", "all") == "✦ Out 1/1"
        # Every cell agrees with analyse() on the same data.
        a = expected(ws)
        for objective in a.objectives:
            for code in [*a.agencies, "all"]:
                got = a.objective_totals[objective] if code == "all" else a.agency_grid[objective][code]
                text = "·"
                if got.tied:
                    text = f"tie {max(got.distribution.values())}/{got.total}"
                elif got.most_common is not None:
                    m = got.most_common
                    text = f"{m.symbol} {SHORT[m]} {got.distribution[m]}/{got.total}"
                assert cell(table, objective, "all" if code == "all" else f"a:{code}") == text
        assert table.row_count == 6 and len(table.columns) == 1 + 8 + 1
        # Colour is never alone: the symbol and label are there, and the colour follows the grade.
        styled = table.get_cell("fathers", "a:CSC")
        assert "bold red" in str(styled.style)
        assert "bold yellow" in str(table.get_cell("fathers", "all").style)


async def test_screening_and_returns_counts_are_shown(tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_analysis(pilot)
        counts = static(section, "#analysis-counts")
    # sample_data/README.md: 52 candidates, 23 eligible, 16 not, 13 unknown; 15 picked.
    assert "Screened 52: 23 eligible · 16 ineligible · 13 unknown · 15/15 selected" in counts
    # 15 cases x 8 agencies; received = 4 submitted + 1 resubmitted ("not involved" is not received).
    assert "Returns 5/120 received" in counts
    for part in ("◦ 113 not started", "✎ 1 draft", "✓ 4 submitted", "↩ 0 returned", "✔ 1 resubmitted",
                 "∅ 1 not involved", "due 30/04/2021"):
        assert part in counts
    r = expected(ws).returns
    assert (r.received, r.by_status[Status.NOT_STARTED]) == (5, 113)


async def test_enter_shows_a_cells_whole_distribution(tmp_path: Path) -> None:
    app = app_for(seeded(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_analysis(pilot)
        await pilot.press("l")  # from the objective to CSC's column
        await until(pilot, lambda: "Children's services (CSC)" in static(section, "#analysis-detail"))
        assert "0 ✦ outstanding, 1 ✓ good, 1 ! requires improvement, 0 ✗ inadequate" in static(
            section, "#analysis-detail")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, InfoScreen))
        body = "\n".join(str(s.render()) for s in app.screen.query(Static))
        assert "Professional curiosity · Children's services (CSC)" in body
        assert "No single most common grade: 1 good, 1 requires improvement." in body
        rows = {line.split("  ")[0]: line.split()[-2:] for line in body.splitlines() if line and line[0] in "✦✓!✗"}
        assert rows == {"✦ Outstanding": ["Outstanding", "0"], "✓ Good": ["1", "█"],
                        "! Requires improvement": ["1", "█"], "✗ Inadequate": ["Inadequate", "0"]}
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, InfoScreen))


async def test_t_switches_to_the_agreed_grades_of_each_case(tmp_path: Path) -> None:
    app = app_for(seeded(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_analysis(pilot)
        await pilot.press("t")
        await until(pilot, lambda: app.focused is grid(section, CASE_GRID))
        table = grid(section, CASE_GRID)
        assert "Cases × objectives: grades agreed at discussions (1 of 15 held)" in static(section, "#analysis-title")
        assert cell(table, "RB-2020-001", "o:curiosity") == "! RI"
        assert cell(table, "RB-2020-001", "o:fathers") == "✗ Inad"
        assert cell(table, "RB-2020-001", "discussed") == "✓ held"
        assert cell(table, "RB-2020-005", "o:curiosity") == "·"
        assert cell(table, "RB-2020-005", "discussed") == "◦ not yet"
        assert cell(table, "all", "o:curiosity") == "! RI 1/1"
        assert table.row_count == 16  # 15 cohort cases and the totals row
        await pilot.press("t")
        await until(pilot, lambda: app.focused is grid(section, AGENCY_GRID))


async def test_another_sessions_return_shows_up_live(tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_analysis(pilot)
        table = grid(section, AGENCY_GRID)
        assert cell(table, "covid", "a:POL") == "·"
        other = open_as(ws.path, "rlead")
        add_return(other, "RB-2020-007", "POL", Status.SUBMITTED, covid=I)
        app.poll_workspace()
        await until(pilot, lambda: cell(table, "covid", "a:POL") == "✗ Inad 1/1")
        assert "Returns 6/120 received" in static(section, "#analysis-counts")


async def test_a_save_in_this_session_shows_when_coming_back(tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_analysis(pilot)
        await pilot.press("1")
        await until(pilot, lambda: app.screen.current == "scope")
        add_return(ws, "RB-2020-007", "EY", Status.SUBMITTED, escalation=G)  # as another section would
        await pilot.press("6")
        await until(pilot, lambda: cell(grid(section, AGENCY_GRID), "escalation", "a:EY") == "✓ Good 1/1")


async def test_objective_titles_are_shown_as_typed(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    audit = ws.audit(DEMO_AUDIT)
    hostile = "[/b] | <b>#x</b> [red]y"
    objectives = [dataclasses.replace(audit.objectives[0], title=hostile + "\x1b[2J"), *audit.objectives[1:]]
    ws.save(dataclasses.replace(audit, objectives=objectives), act=Act.EDIT_SCOPE)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_analysis(pilot)
        label = grid(section, AGENCY_GRID).get_cell("curiosity", "objective")
        # Shown as typed, the escape sequence dropped whole (audit.text.plain), not just its ESC.
        assert label.plain == f"1 {hostile}" and not label.spans


async def test_a_viewer_reads_the_analysis(tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    app = app_for(open_as(ws.path, "panel.vic"))
    async with app.run_test(size=(80, 24)) as pilot:
        section = await open_analysis(pilot)
        assert cell(grid(section, AGENCY_GRID), "curiosity", "all") == "✓ Good 3/5"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot) -> None:
        await open_analysis(pilot)
        await pilot.press("l")

    assert snap_compare(app_for(seeded(tmp_path)), terminal_size=size, run_before=run_before)


def test_snapshot_cases_grid(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot) -> None:
        section = await open_analysis(pilot)
        await pilot.press("t")
        await until(pilot, lambda: pilot.app.focused is grid(section, CASE_GRID))

    assert snap_compare(app_for(seeded(tmp_path)), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("width", [120, 200])
async def test_objective_names_use_the_room_the_grades_leave(tmp_path: Path, width: int) -> None:
    """Issue 18 item 7: names were cut at 22 characters however wide the terminal."""
    ws = seeded(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(width, 40)) as pilot:
        section = await open_analysis(pilot)
        table = grid(section, AGENCY_GRID)
        await pilot.pause()
        lines = [table.render_line(y).text for y in range(table.row_count + 1)]
        assert all(len(line.rstrip()) <= width for line in lines)
        assert any("5 Maternal mental health and parenting capacity  " in line for line in lines)
