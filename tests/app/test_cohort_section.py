"""Cohort section (2): screening marks, filters, sort, picking with reasons, draws, CSV import.

Every assertion is on what a person sees (table lines, the status line, the detail pane,
notifications, modals) or on what is on disk.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.style import Style
from textual.widgets import Input, Select, Static

from audit.screening import screen_cases
from audit.criteria import Outcome
from audit.draw import draw
from screens.cohort.section import CohortSection, CohortTable
from screens.cohort.modals import ReportScreen
from screens.dialogs.details import InfoScreen
from screens.dialogs.form import FormScreen
from storage.cohort import set_in_cohort
from tests.app.helpers import app_for, demo_workspace, notes, open_as, open_audit, until
from tests.conftest import TODAY
from tests.workspace_files import data_bytes

REF = "MACA-C86"
HOSTILE = "[/b] a | b # [bold]x[/bold] \x1b[31mred\x1b[0m"
SHOWN = "[/b] a | b # [bold]x[/bold] red"  # escape sequences removed, the rest as typed
CSV_HEADER = ("case_ref,unborn,older_siblings,domestic_abuse,substance_misuse,maternal_mental_health,"
              "males_in_household,engagement,family_name,child_dob,system_ids,notes\n")


# ---------------------------------------------------------------------- helpers


async def open_cohort(pilot) -> CohortSection:
    # Under snap_compare, run_before can start before the home table has the focus.
    await until(pilot, lambda: pilot.app.focused is not None)
    await open_audit(pilot)
    await pilot.press("2")
    await until(pilot, lambda: isinstance(pilot.app.focused, CohortTable))
    section = pilot.app.screen.query_one(CohortSection)
    await until(pilot, lambda: section.table.row_count > 0)
    return section


def table_lines(section: CohortSection) -> list[str]:
    """The table as a person sees it: header first, then the rows on screen."""
    table = section.table
    return [table.render_line(y).text for y in range(table.size.height)]


def rows_shown(section: CohortSection) -> list[str]:
    return [row.case.case_ref for row in section.table.visible_rows]


def cursor_ref(section: CohortSection) -> str:
    return section.table.cursor_row.case.case_ref


def line_of(section: CohortSection, case_ref: str) -> str:
    """The line a case is painted on (it must be on screen)."""
    y = rows_shown(section).index(case_ref) - section.table.scroll_offset.y + 1
    assert 1 <= y < section.table.size.height, f"{case_ref} is not on screen"
    return section.table.render_line(y).text


def status(section: CohortSection) -> str:
    return str(section.query_one("#cohort-status", Static).render())


def legend(section: CohortSection) -> str:
    """The criteria legend as painted, its lines joined."""
    widget = section.query_one("#cohort-legend", Static)
    return " ".join(widget.render_line(y).text.strip() for y in range(widget.size.height))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_criteria_legend_is_whole_at_80_and_120_columns(tmp_path: Path, size: tuple[int, int]) -> None:
    """Issue 18 item 7: C4 was never explained (cut), and at 80×24 the legend was gone."""
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=size) as pilot:
        section = await open_cohort(pilot)
        await pilot.pause()
        shown = legend(section)
        for n, label in enumerate(["Unborn baby and older sibling", "Domestic abuse or substance misuse",
                                   "Maternal ill mental health",
                                   "Engaged with key services in the lookback period"], start=1):
            assert f"C{n} {label}" in " ".join(shown.split())
        assert section.table.size.height >= 8  # the table keeps room for rows


def detail(section: CohortSection) -> str:
    return str(section.query_one("#cohort-detail-text", Static).render())


async def go_to(pilot, section: CohortSection, case_ref: str) -> None:
    section.table.cursor_index = rows_shown(section).index(case_ref)
    await pilot.pause()


async def type_text(pilot, text: str) -> None:
    for char in text:
        await pilot.press(char if char != " " else "space")


def eligible_pool(ws) -> list[str]:
    audit = ws.audit(REF)
    return [s.case.case_ref for s in screen_cases(audit, ws.cases(REF), TODAY)
            if s.eligible is True and not s.case.in_cohort]


# ---------------------------------------------------------------------- showing


async def test_every_candidate_with_a_mark_per_criterion(tmp_path: Path) -> None:
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_cohort(pilot)
        assert section.table.row_count == 52
        top = status(section)
        assert "In cohort 15/15" in top
        assert "23 eligible" in top and "13 unknown" in top and "16 not eligible" in top
        assert "C1 Unborn baby and older sibling" in legend(section)
        lines = table_lines(section)
        assert lines[0].split()[:9] == ["In", "Case", "ref", "C1", "C2", "C3", "C4", "Eligible", "Reason"]
        assert lines[1].split()[:8] == ["■", "RB-2020-001", "✓", "✓", "✓", "✓", "✓", "yes"]
        assert lines[2].split()[:8] == ["·", "RB-2020-002", "✓", "✓", "?", "?", "?", "unknown"]
        assert lines[4].split()[:8] == ["·", "RB-2020-004", "✓", "✓", "✓", "✗", "✗", "no"]
        # Colour as well as symbol: the unmet mark is red, the unknown yellow, the met green.
        colours = {seg.text.strip(): seg.style.color.name for seg in section.table.render_line(2)
                   if seg.text.strip() in ("✓", "?") and isinstance(seg.style, Style) and seg.style.color}
        assert colours == {"✓": "green", "?": "yellow"}
        red = [seg for seg in section.table.render_line(4) if seg.text.strip() == "✗"]
        assert red and all(seg.style.color.name == "red" for seg in red)
        # The detail pane: reasons per criterion, and identifiers for a lead.
        assert "Case RB-2020-001" in detail(section)
        assert "Family name: Drummersby" in detail(section)
        await pilot.press("j", "j", "j")
        assert cursor_ref(section) == "RB-2020-004"
        assert "starts after the lookback ends" in detail(section)
        assert "✗ not eligible" in detail(section)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, InfoScreen))
        assert app.screen.info_title.startswith("Case RB-2020-004")


@pytest.mark.slow
async def test_viewer_sees_no_identifiers_and_cannot_search_them(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(open_as(ws.path, "panel.vic"))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_cohort(pilot)
        assert "Drummersby" not in detail(section)
        assert "Identifiers are shown to leads and co-ordinators only" in detail(section)
        await pilot.press("slash")
        await type_text(pilot, "drummersby")
        assert section.table.row_count == 0
        assert "No candidates match the filter." in table_lines(section)[1]


# ---------------------------------------------------------------------- filtering and sorting


@pytest.mark.slow
async def test_filter_as_you_type_then_n_and_escape(tmp_path: Path) -> None:
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_cohort(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await type_text(pilot, "rb-2020-04")
        assert rows_shown(section) == [f"RB-2020-04{n}" for n in range(10)]
        assert "showing 10 of 52" in status(section)
        assert "filter: “rb-2020-04”" in status(section)
        await pilot.press("enter")  # keep the filter, back to the table
        assert isinstance(app.focused, CohortTable)
        await pilot.press("n", "n")
        assert cursor_ref(section) == "RB-2020-042"
        await pilot.press("N", "N", "N")
        assert cursor_ref(section) == "RB-2020-049"  # wraps round
        # A lead may find a case by its family name (an identifier they can see).
        await pilot.press("slash")
        field = app.screen.query_one("#cohort-filter", Input)
        field.value = "Yarrowdeen"
        assert await until(pilot, lambda: rows_shown(section) == ["RB-2020-004"])
        await pilot.press("escape")
        assert section.table.row_count == 52
        assert "filter:" not in status(section)
        assert isinstance(app.focused, CohortTable)
        assert cursor_ref(section) == "RB-2020-004"  # the cursor stays on the case it was on
        await pilot.press("escape")  # no filter left: escape goes back to the audits
        await until(pilot, lambda: not app.screen.query(CohortSection))


@pytest.mark.slow
async def test_quick_filters_toggle_and_show_which_is_on(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    screened = screen_cases(ws.audit(REF), ws.cases(REF), TODAY)
    with_unknowns = sorted(s.case.case_ref for s in screened
                           if any(r.outcome is Outcome.UNKNOWN for r in s.results.values()))
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_cohort(pilot)
        await pilot.press("e")
        assert section.table.row_count == 23
        assert all(line.split()[6:8] == ["✓", "yes"] for line in table_lines(section)[1:24])
        assert "filter: eligible only" in status(section)
        await pilot.press("u")
        assert sorted(rows_shown(section)) == with_unknowns
        assert "filter: with unknowns" in status(section)
        await pilot.press("c")
        assert section.table.row_count == 15
        assert all(line.split()[0] == "■" for line in table_lines(section)[1:16])
        await pilot.press("c")  # again: off
        assert section.table.row_count == 52 and "filter:" not in status(section)
        # Quick filter and text together.
        await pilot.press("e", "slash")
        await type_text(pilot, "rb-2020-03")
        assert rows_shown(section) == ["RB-2020-032", "RB-2020-035"]
        assert "filter: eligible only, “rb-2020-03”" in status(section)


@pytest.mark.slow
async def test_sort_by_any_column_with_o(tmp_path: Path) -> None:
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_cohort(pilot)
        await pilot.press("l", "l", "l", "l", "l", "l")  # In, Case ref, C1-C4, then Eligible
        await pilot.press("o")
        header = table_lines(section)[0]
        assert "Eligible ▲" in header
        assert [line.split()[6] for line in table_lines(section)[1:25]] == ["✓"] * 23 + ["?"]
        await pilot.press("o")
        assert "Eligible ▼" in table_lines(section)[0]
        assert [row.eligible for row in section.table.visible_rows][:16] == [False] * 16
        await pilot.press("g")  # the cursor stayed on its case; go to the top to see
        assert table_lines(section)[1].split()[6:8] == ["✗", "no"]
        await pilot.press("h", "h", "h", "h", "h", "o", "o")  # Case ref, descending
        assert "Case ref ▼" in table_lines(section)[0]
        assert rows_shown(section)[:3] == ["RB-2020-052", "RB-2020-051", "RB-2020-050"]
        await pilot.press("h", "o", "g")  # In: the cohort first
        assert all(line.split()[0] == "■" for line in table_lines(section)[1:16])
        assert table_lines(section)[16].split()[0] == "·"


# ---------------------------------------------------------------------- picking


@pytest.mark.slow
async def test_space_adds_a_not_eligible_case_only_with_a_reason(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_cohort(pilot)
        await go_to(pilot, section, "RB-2020-004")
        await pilot.press("space")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        assert "it is not eligible" in app.screen.form_title
        await pilot.press("ctrl+s")  # no reason yet
        assert await until(pilot, lambda: "Why add it anyway?: this is required."
                           in str(app.screen.query_one("#form-errors", Static).render()))
        await type_text(pilot, "closest match to C86")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, FormScreen) and notes(app))
        assert "Added RB-2020-004 to the cohort (16/15). ▲ The cohort is over its target of 15." in notes(app)
        assert "▲ In cohort 16/15 — over target" in status(section)
        assert cursor_ref(section) == "RB-2020-004"
        line = table_lines(section)[4]
        assert line.split()[0] == "■" and "closest ma…" in line  # cut to fit beside the detail pane
        assert "Reason: closest match to C86" in detail(section)
    case = open_as(ws.path, "rlead").case(REF, "RB-2020-004")
    assert case.in_cohort and case.decision_reason == "closest match to C86"
    last = open_as(ws.path, "rlead").journal()[-1]
    assert last.summary == "added RB-2020-004 to the cohort: closest match to C86"


@pytest.mark.slow
async def test_space_removes_with_a_reason_and_adds_an_eligible_case_without(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_cohort(pilot)
        await pilot.press("space")  # RB-2020-001, in the cohort
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        assert app.screen.form_title == "Take RB-2020-001 out of the cohort"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)  # refused: a reason is required
        await type_text(pilot, "moved away")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, FormScreen))
        await until(pilot, lambda: "In cohort 14/15" in status(section))
        await go_to(pilot, section, "RB-2020-032")  # eligible, not in the cohort
        await pilot.press("space")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        assert "(optional)" in str(app.screen.query_one("Label").render())
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "✓ In cohort 15/15" in status(section))
    reopened = open_as(ws.path, "rlead")
    assert not reopened.case(REF, "RB-2020-001").in_cohort
    assert reopened.case(REF, "RB-2020-001").decision_reason == "moved away"
    assert reopened.case(REF, "RB-2020-032").in_cohort


@pytest.mark.parametrize("login", ["panel.vic", "csc.coord"])
async def test_viewers_and_coordinators_are_told_why_not(tmp_path: Path, login: str) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(open_as(ws.path, login))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_cohort(pilot)
        for key, words in (("space", "change the cohort"), ("r", "change the cohort"),
                           ("i", "import candidate cases")):
            app.clear_notifications()
            await pilot.press(key)
            await until(pilot, lambda: notes(app))
            assert not isinstance(app.screen, (FormScreen, ReportScreen))
            assert any(words in n and login in n for n in notes(app)), notes(app)
        assert "In cohort 15/15" in status(section)
    refused = [e for e in open_as(ws.path, "rlead").journal() if e.action == "refused"]
    assert len(refused) == 3 and {e.who for e in refused} == {login}


async def test_another_sessions_save_shows_and_the_cursor_stays(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_cohort(pilot)
        await pilot.press("l", "o")  # sort by case ref
        await go_to(pilot, section, "RB-2020-035")
        set_in_cohort(open_as(ws.path, "qa.tamsin"), REF, "RB-2020-032", True, "their pick", today=TODAY)
        app.poll_workspace()
        await until(pilot, lambda: "In cohort 16/15" in status(section))
        assert cursor_ref(section) == "RB-2020-035"
        assert line_of(section, "RB-2020-032").split()[:2] == ["■", "RB-2020-032"]  # picked elsewhere


async def test_scope_changes_made_in_this_session_show_when_coming_back(tmp_path: Path) -> None:
    """Own saves announce nothing (no other session saved), so the section catches up
    when it is shown again: a new target, and a new criterion as a new column."""
    import dataclasses

    from audit.access import Act
    from audit.criteria import Criterion

    ws = demo_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_cohort(pilot)
        await pilot.press("1")
        audit = ws.audit(REF)
        extra = Criterion(id="males", label="A male in the household", kind="all", predicates=["males_in_household"])
        ws.save(dataclasses.replace(audit, cohort_target=20, criteria=[*audit.criteria, extra]), act=Act.EDIT_SCOPE,
                summary="test")
        await pilot.press("2")
        await until(pilot, lambda: "In cohort 15/20" in status(section))
        await until(pilot, lambda: "C5" in table_lines(section)[0])
        assert "C5 A male in the household" in legend(section)
        assert isinstance(app.focused, CohortTable)


# ---------------------------------------------------------------------- random draw


async def draw_in_app(tmp_path: Path, size: int, seed: int, balance: str = "none") -> tuple[list[str], str]:
    """Draw through the UI on a fresh demo; returns the picks on disk and the confirmation text."""
    tmp_path.mkdir()
    ws = demo_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_cohort(pilot)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        shown_seed = form.query_one("#field-seed", Input).value
        assert len(shown_seed) == 6 and shown_seed.isdigit()  # a fresh seed is offered, and shown
        assert form.query_one("#field-size", Input).value == "1"  # target 15 minus 15 picked, at least 1
        form.query_one("#field-size", Input).value = str(size)
        form.query_one("#field-seed", Input).value = str(seed)
        form.query_one("#field-balance", Select).value = balance
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        confirmation = str(app.screen.query_one("#report-body Static").render())
        confirmation += "\n" + str(app.screen.query_one("#report-question", Static).render())
        await pilot.press("y")
        await until(pilot, lambda: f"draw seed {seed}" in status(section))
    reopened = open_as(ws.path, "rlead")
    recorded = reopened.audit(REF).draw
    picked = [c.case_ref for c in reopened.cases(REF) if c.drawn]
    assert sorted(picked) == sorted(recorded.picked)
    assert recorded.seed == seed and recorded.size == size
    return recorded.picked, confirmation


@pytest.mark.slow
async def test_random_draw_is_reproducible_from_its_seed(tmp_path: Path) -> None:
    first, confirmation = await draw_in_app(tmp_path / "one", 3, 123456)
    again, _ = await draw_in_app(tmp_path / "two", 3, 123456)
    assert first == again
    (tmp_path / "three").mkdir()
    pool = eligible_pool(demo_workspace(tmp_path / "three"))
    assert first == draw(pool, 3, seed=123456)
    assert "Seed 123456" in confirmation
    assert all(ref in confirmation for ref in first)
    assert "▲ This takes the cohort to 18 of a target of 15 — over target." in confirmation
    other, _ = await draw_in_app(tmp_path / "four", 3, 654321)
    assert other == draw(pool, 3, seed=654321)
    on_disk = open_as(tmp_path / "one" / "demo.json", "rlead")
    assert all(on_disk.case(REF, ref).decision_reason == "random draw, seed 123456" for ref in first)


async def test_balanced_draw_takes_cases_in_turn_from_each_group(tmp_path: Path) -> None:
    picked, confirmation = await draw_in_app(tmp_path / "one", 4, 777777, balance="older_siblings")
    assert "Balanced across older siblings" in confirmation
    ws = open_as(tmp_path / "one" / "demo.json", "rlead")
    siblings = {c.case_ref: c.older_siblings for c in ws.cases(REF)}
    groups = [("3+" if siblings[r] >= 3 else str(siblings[r])) for r in picked]
    assert len(set(groups)) == len(groups) or len(set(groups)) == 3  # one from each group in turn


# ---------------------------------------------------------------------- import


async def import_file(pilot, path: Path) -> None:
    app = pilot.app
    await pilot.press("i")
    await until(pilot, lambda: isinstance(app.screen, FormScreen))
    app.screen.query_one("#field-path", Input).value = str(path)
    await pilot.press("ctrl+s")
    await until(pilot, lambda: isinstance(app.screen, ReportScreen) or notes(app), timeout=15)


@pytest.mark.slow
async def test_import_a_good_csv_after_seeing_the_summary(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    csv = tmp_path / "extract.csv"
    csv.write_text(CSV_HEADER
                   + "NEW-001,yes,1,yes,no,yes,1,CSC:2020-02-01..2020-11-30,Newname,01/02/2018,,"
                   + f"\"{HOSTILE}\"\n"
                   + "NEW-002,no,0,no,no,no,0,none,,,,\n"
                   + "NEW-003,,,,,,,,,,,\n", encoding="utf-8")
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_cohort(pilot)
        await import_file(pilot, csv)
        assert isinstance(app.screen, ReportScreen)
        body = str(app.screen.query_one("#report-body Static").render())
        assert body.startswith("3 cases, 1 eligible, 1 unknown, 1 not eligible.")
        await pilot.press("y")
        await until(pilot, lambda: section.table.row_count == 55, timeout=15)
        assert "Imported 3 candidate cases from extract.csv." in notes(app)
        # Hostile text in the notes shows exactly as typed, minus the escape sequences.
        await go_to(pilot, section, "NEW-001")
        assert f"Notes: {SHOWN}" in detail(section)
        await pilot.press("slash")
        app.screen.query_one("#cohort-filter", Input).value = "[/b] a |"
        assert await until(pilot, lambda: rows_shown(section) == ["NEW-001"])
    assert len(open_as(ws.path, "rlead").cases(REF)) == 55


@pytest.mark.slow
async def test_import_a_bad_csv_lists_every_problem_and_imports_nothing(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    before = data_bytes(ws.path)
    bad = Path(__file__).resolve().parents[2] / "sample_data" / "bad_cases_example.csv"
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_cohort(pilot)
        await import_file(pilot, bad)
        assert isinstance(app.screen, ReportScreen) and not app.screen.question
        body = str(app.screen.query_one("#report-body Static").render())
        assert "nothing was imported" in body
        assert 'line 1, column 9: unknown column "postcode"' in body
        assert "14 problems in bad_cases_example.csv; nothing was imported" in body
        assert "line 3, column \"unborn\":" in body and "line 4, column \"older_siblings\":" in body
        assert "line 13, column \"males_in_household\":" in body
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ReportScreen))
        assert section.table.row_count == 52
        # A path that is not a file is refused in the form itself.
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-path", Input).value = str(tmp_path / "nowhere.csv")
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: "There is no file at" in str(app.screen.query_one("#form-errors", Static).render()))
    assert data_bytes(ws.path) == before


async def test_reason_with_hostile_text_shows_as_typed_in_the_table(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    set_in_cohort(ws, REF, "RB-2020-004", True, HOSTILE, today=TODAY)
    app = app_for(ws)
    async with app.run_test(size=(160, 40)) as pilot:
        section = await open_cohort(pilot)
        assert table_lines(section)[4].rstrip().endswith(SHOWN)
        await go_to(pilot, section, "RB-2020-004")
        assert f"Reason: {SHOWN}" in detail(section)


async def test_narrow_terminal_puts_the_detail_below_and_v_hides_it(tmp_path: Path) -> None:
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(80, 30)) as pilot:
        section = await open_cohort(pilot)
        body = section.query_one("#cohort-body")
        detail_pane = section.query_one("#cohort-detail")
        assert "wide" not in body.classes
        assert detail_pane.region.y > section.table.region.y
        await pilot.press("v")
        assert await until(pilot, lambda: not detail_pane.display)
        await pilot.press("v")
        assert await until(pilot, lambda: detail_pane.display and "Case RB-2020-001" in detail(section))


async def test_many_candidates_paint_first_then_screen_them_all(tmp_path: Path) -> None:
    """Past DEFER_FROM cases the first frame comes before the batch screening; the counts,
    filters and marks must come out the same as screening everything at once."""
    from storage.cohort import import_candidates, validate_candidates

    ws = demo_workspace(tmp_path)
    lines = [CSV_HEADER.strip()]
    answers = ("yes", "no", "")
    for n in range(2_500):
        lines.append(f"BIG-{n:05d},{answers[n % 3]},{n % 4},{answers[(n // 3) % 3]},no,{answers[(n // 9) % 3]},1,"
                     f"{'CSC:2020-02-01..' if n % 5 else 'none'},,,,")
    audit = ws.audit(REF)
    result = validate_candidates(ws, audit, ("\n".join(lines) + "\n").encode())
    assert result.ok, result.problems[:3]
    import_candidates(ws, audit, result.cases, source="big.csv")
    screened = screen_cases(ws.audit(REF), ws.cases(REF), TODAY)
    eligible = sum(s.eligible is True for s in screened)
    unknown = sum(s.eligible is None for s in screened)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_cohort(pilot)
        await until(pilot, lambda: "showing 2,552 of 2,552" in status(section))
        assert f"✓ {eligible:,} eligible" in status(section) and f"? {unknown:,} unknown" in status(section)
        await pilot.press("e")
        assert section.table.row_count == eligible
        assert all(row.eligible is True for row in section.table.visible_rows)
        by_ref = {s.case.case_ref: s for s in screened}
        for line in table_lines(section)[1:]:
            ref = line.split()[1]
            marks = line.split()[2:6]
            expected = {"met": "✓", "unmet": "✗", "unknown": "?"}
            assert marks == [expected[r.outcome.value] for r in by_ref[ref].results.values()]


def test_snapshot(snap_compare, tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    set_in_cohort(ws, REF, "RB-2020-004", True, HOSTILE, today=TODAY)

    async def before(pilot) -> None:
        await open_cohort(pilot)
        await pilot.press("j", "j", "j")
        await pilot.pause()

    assert snap_compare(app_for(ws), terminal_size=(120, 40), run_before=before)

