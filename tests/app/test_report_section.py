"""Report section: the preview, the jump list, export in both formats, the identifier
guard with where to fix each finding, refusals and hostile text.

Assertions are on what the user sees (the preview's painted lines, the jump list,
notifications, modals) and on what is on disk.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from textual.widgets import Button, DataTable, Input, OptionList, Select, Static

from audit.access import Act
from audit.returns import Status
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import FormScreen
from screens.report.section import LeakScreen, ReportSection
from screens.report.view import ReportView
from storage.demo import DEMO_AUDIT
from storage.export import default_path, report_for
from storage.workspace import Workspace
from tests.app.helpers import app_for, demo_workspace, idle, notes as messages, open_as, open_audit, until
from tests.app.test_analysis_section import add_return, seed
from tests.conftest import TODAY

HOSTILE = "[/b] a | b # <script>x</script> [bold]y[/bold] \x1b[31mred"
SHOWN = "[/b] a | b # <script>x</script> [bold]y[/bold] red"  # the escape sequence removed
SIZES = [(80, 24), (120, 40)]


def seeded(tmp_path: Path) -> Workspace:
    ws = demo_workspace(tmp_path)
    seed(ws)
    return ws


def ready(pilot) -> bool:
    found = pilot.app.screen.query(ReportSection)
    if not found:
        return False
    section = found.first()
    view = section.query_one(ReportView)
    return section.report is not None and bool(view.lines) and not view.loading


async def open_report(pilot) -> ReportSection:
    # Home is the default screen: it focuses its table a frame or two after start, and an
    # enter pressed before that is lost (snapshot runs start the pilot that early).
    await until(pilot, lambda: pilot.app.focused is not None)
    await open_audit(pilot)
    await pilot.press("7")
    await until(pilot, lambda: ready(pilot))
    return pilot.app.screen.query_one(ReportSection)


def screen_lines(view: ReportView) -> list[str]:
    """The preview as painted: every row on screen."""
    return [view.render_line(y).text.rstrip() for y in range(view.scrollable_content_region.height)]


def all_lines(view: ReportView) -> list[str]:
    return [line.plain for line in view.lines]


def jump_list(section: ReportSection) -> list[str]:
    options = section.query_one("#report-headings", OptionList)
    return [str(options.get_option_at_index(i).prompt).strip(" ›·") for i in range(options.option_count)]


async def test_the_preview_holds_every_heading_in_order(tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_report(pilot)
        view = section.query_one(ReportView)
        lines = all_lines(view)
        titles = [title for _, title, _ in report_for(ws, DEMO_AUDIT, TODAY).headings]
        # 25 of the demo (its sections and objectives), three cases whose returns are quoted
        # and the one case discussed
        assert len(titles) == 29
        at = -1
        for title in titles:
            at = lines.index(title, at + 1)  # each heading on a line of its own, in order
        assert jump_list(section) == titles
        assert app.focused is section.query_one("#report-headings", OptionList)
        top = screen_lines(view)
        assert top[0] == f"{DEMO_AUDIT}: Unborn babies, older siblings and multiple adversity"
        assert top[1].startswith("━━━")
        # A table is laid out with box characters and aligned columns.
        table = [line for line in lines if line.startswith("│ Objective ")]
        assert table and lines[lines.index(table[0]) - 1].startswith("┌")
        assert "│ Professional curiosity" in "\n".join(lines)
        status = str(section.query_one("#report-status", Static).render())
        assert status.startswith(f"{DEMO_AUDIT} report as at 20/04/2021 · 29 headings")


@pytest.mark.slow
async def test_enter_in_the_jump_list_scrolls_the_preview_to_the_heading(tmp_path: Path) -> None:
    app = app_for(seeded(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_report(pilot)
        view = section.query_one(ReportView)
        options = section.query_one("#report-headings", OptionList)
        options.highlighted = jump_list(section).index("Methodology")
        await pilot.press("enter")
        await until(pilot, lambda: screen_lines(view)[0] == "Methodology")
        assert screen_lines(view)[1] == "─" * len("Methodology")
        assert app.focused is options  # the list keeps the focus, to jump again
        await pilot.press("j", "enter")
        await until(pilot, lambda: screen_lines(view)[0] == "Cohort profile")
        # tab to the preview; j scrolls it by a line, and the jump list follows the reading.
        await pilot.press("tab")
        await until(pilot, lambda: app.focused is view)
        await pilot.press("j")
        await until(pilot, lambda: screen_lines(view)[0] == "─" * len("Cohort profile"))
        await pilot.press("G")
        await until(pilot, lambda: options.highlighted == options.option_count - 1)


@pytest.mark.slow
async def test_export_markdown_with_the_default_path(tmp_path: Path, monkeypatch) -> None:
    ws = seeded(tmp_path)
    here = tmp_path / "where maca was started"
    here.mkdir()
    monkeypatch.chdir(here)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_report(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        # The current folder, not the (hidden) folder of the workspace.
        target = here / default_path(ws, DEMO_AUDIT, "md", TODAY).name
        assert "Export (ctrl+s)" in str(app.screen.query_one("#form-save", Button).label)
        assert app.screen.query_one("#field-path", Input).value == str(target)
        assert target.name == f"{DEMO_AUDIT}-report-2021-04-20.md"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, FormScreen) and idle(app))
        assert target.is_file()
        assert messages(app)[-1] == f"Exported the {DEMO_AUDIT} report to {target} ({target.stat().st_size:,} bytes, md)."
    text = target.read_text(encoding="utf-8")
    assert text == report_for(ws, DEMO_AUDIT, TODAY).markdown
    assert text.startswith(f"# {DEMO_AUDIT}: Unborn babies") and "\n## Appendix: returns\n" in text
    assert "The sibling was seen alone at every visit." in text
    assert open_as(ws.path, "rlead").journal()[-1].action == "export"


@pytest.mark.slow
async def test_export_html_to_a_name_in_the_current_folder_and_replace_only_after_yes(
        tmp_path: Path, monkeypatch) -> None:
    ws = seeded(tmp_path)
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)
    app = app_for(ws)
    target = here / "briefing.html"
    async with app.run_test(size=(120, 40)) as pilot:
        await open_report(pilot)
        for attempt in range(2):
            await pilot.press("e")
            await until(pilot, lambda: isinstance(app.screen, FormScreen))
            app.screen.query_one("#field-path", Input).value = "briefing.html"
            app.screen.query_one("#field-format", Select).value = "html"
            await pilot.press("ctrl+s")
            if attempt == 0:
                await until(pilot, lambda: not isinstance(app.screen, FormScreen) and idle(app))
                continue
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            target.write_text("kept")
            await pilot.press("n")
            await until(pilot, lambda: idle(app))
        assert target.read_text() == "kept"
    ws2 = open_as(ws.path, "rlead")
    app = app_for(ws2)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_report(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-format", Select).value = "html"  # the name's extension follows
        path_box = app.screen.query_one("#field-path", Input)
        await until(pilot, lambda: path_box.value.endswith(".html"))
        assert path_box.value == str(here / default_path(ws, DEMO_AUDIT, "html", TODAY).name)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, FormScreen) and idle(app))
    page = (here / default_path(ws, DEMO_AUDIT, "html", TODAY).name).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<h2>Summary</h2>" in page and "<table>" in page
    assert not (here / default_path(ws, DEMO_AUDIT, "md", TODAY).name).exists()
    assert not default_path(ws, DEMO_AUDIT, "html", TODAY).exists()  # nothing in the workspace's folder


async def test_a_name_typed_with_the_wrong_extension_gets_the_formats(tmp_path: Path, monkeypatch) -> None:
    ws = seeded(tmp_path)
    monkeypatch.chdir(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_report(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-format", Select).value = "html"
        await pilot.pause()
        app.screen.query_one("#field-path", Input).value = "for the board.md"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, FormScreen) and idle(app))
    assert (tmp_path / "for the board.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not (tmp_path / "for the board.md").exists()


@pytest.mark.slow
async def test_a_family_name_in_a_return_is_refused_with_the_place_and_the_fix(tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    victim = next(c for c in sorted(ws.cases(DEMO_AUDIT), key=lambda c: c.case_ref) if c.in_cohort and c.family_name)
    ret = ws.get_return(DEMO_AUDIT, "RB-2020-001", "MID")
    ws.save(dataclasses.replace(ret, areas_for_development=f"Mr {victim.family_name.upper()} was never seen."),
            act=Act.EDIT_RETURN)
    before = sorted(p.name for p in tmp_path.iterdir())
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_report(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, LeakScreen))
        shown = "\n".join(str(s.render()) for s in app.screen.query(Static))
        leaks = app.screen.leaks
        places = [str(app.screen.query_one(OptionList).get_option_at_index(i).prompt)
                  for i in range(len(leaks))]
        assert leaks and any(l.case_ref == victim.case_ref and l.kind == "family name" for l in leaks)
        assert shown.splitlines()[0] == "Not exported: identifiers found"
        assert "was not exported: it holds identifiers of cases at" in shown
        for leak, place in zip(leaks, places):
            assert place.startswith(("✗ " if leak.certain else "? ") + leak.describe())
        assert places[0].splitlines() == [
            f"✗ MID's return for RB-2020-001, areas for development: the family name of case {victim.case_ref}",
            "  “Mr ‹name› was never seen.”",
            "  Fix: have the agency change its audit tool (Returns, 3); a lead can return it for clarification, "
            "then press r to check again.",
        ]
        assert victim.family_name.lower() not in (shown + "\n".join(places)).lower()
        # Picking it opens the section where the text is edited.
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, LeakScreen))
        await until(pilot, lambda: app.screen.current == "returns")
        assert any(m.startswith("Here: MID's return for RB-2020-001, areas for development.") for m in messages(app))
        grid = app.screen.query_one("#section-returns").query_one(DataTable)
        key = grid.coordinate_to_cell_key(grid.cursor_coordinate)
        assert (key.row_key.value, key.column_key.value) == ("RB-2020-001", "MID") and grid.has_focus
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    assert open_as(ws.path, "rlead").journal()[-1].action == "refused"


@pytest.mark.slow
async def test_r_checks_for_identifiers_without_exporting(tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    victim = next(c for c in ws.cases(DEMO_AUDIT) if c.in_cohort and c.child_dob)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_report(pilot)
        await pilot.press("r")
        await until(pilot, lambda: "No identifier found." in messages(app))
        audit = ws.audit(DEMO_AUDIT)
        ws.save(dataclasses.replace(audit, background=f"Born on {victim.child_dob:%d/%m/%Y}."), act=Act.EDIT_SCOPE)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, LeakScreen))
        prompt = str(app.screen.query_one(OptionList).get_option_at_index(0).prompt)
        assert f"scope, background: the date of birth of case {victim.case_ref}" in prompt
        assert "Fix: edit it in Scope (1), then press r to check again." in prompt
        assert f"{victim.child_dob:%d/%m/%Y}" not in prompt
        await pilot.press("escape")
    assert not list(tmp_path.glob("*.md"))


@pytest.mark.slow
async def test_a_viewer_is_refused_the_export(tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    app = app_for(open_as(ws.path, "panel.vic"))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_report(pilot)
        await pilot.press("e")
        await until(pilot, lambda: bool(messages(app)))
        assert messages(app) == ["panel.vic is a viewer and can only read; ask a lead auditor to export the report."]
        assert not isinstance(app.screen, FormScreen)
    assert not list(tmp_path.glob("*report*"))


@pytest.mark.slow
async def test_hostile_text_in_the_title_is_shown_literally(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    ws.save(dataclasses.replace(ws.audit(DEMO_AUDIT), title=HOSTILE), act=Act.EDIT_SCOPE)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_report(pilot)
        view = section.query_one(ReportView)
        title = " ".join(line for line in screen_lines(view)[:3] if not line.startswith("━"))
        assert title.strip() == f"{DEMO_AUDIT}: {SHOWN}"
        assert jump_list(section)[0] == f"{DEMO_AUDIT}: {SHOWN}"
        assert all("\x1b" not in line.plain for line in view.lines)
        # The "#" and "|" stayed text: no extra heading, no table from the title.
        assert jump_list(section)[1] == "Summary"


async def test_another_sessions_save_refreshes_the_preview(tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_report(pilot)
        other = open_as(ws.path, "rlead")
        audit = other.audit(DEMO_AUDIT)
        other.save(dataclasses.replace(audit, background="A new background, from another session."),
                   act=Act.EDIT_SCOPE)
        app.poll_workspace()
        view = section.query_one(ReportView)
        await until(pilot, lambda: "A new background, from another session." in all_lines(view))


async def test_c_hides_the_jump_list(tmp_path: Path) -> None:
    app = app_for(seeded(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        section = await open_report(pilot)
        view = section.query_one(ReportView)
        narrow = view.size.width
        await pilot.press("c")
        await until(pilot, lambda: view.size.width > narrow and app.focused is view)


async def test_the_jump_list_wraps_headings_at_80_columns(tmp_path: Path) -> None:
    """Issue 18's walk-through: at 80 columns the contents pane cut every long heading
    ("MACA-C86: Unborn …", "Findings by objec…"); now each wraps under its own start."""
    app = app_for(seeded(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        section = await open_report(pilot)
        options = section.query_one("#report-headings", OptionList)
        await until(pilot, lambda: options.option_count > 0 and options.virtual_size.height > options.option_count)
        painted = [options.render_line(y).text for y in range(options.scrollable_content_region.height)]
        assert not any("…" in line for line in painted)
        words = " ".join(" ".join(painted).split())
        assert f"{DEMO_AUDIT}: Unborn babies, older siblings and multiple adversity Summary" in words
        assert "Findings by objective › Grades agreed at case discussions" in words
        # A wrapped sub-heading's second line starts under its text, not under the "›".
        second = painted[[n for n, line in enumerate(painted) if "› Grades agreed" in line][0] + 1]
        assert second.index("at case") == painted[0].index(f"{DEMO_AUDIT}:") + len("  › ")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.slow
def test_snapshot(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot) -> None:
        await open_report(pilot)

    assert snap_compare(app_for(seeded(tmp_path)), terminal_size=size, run_before=run_before)


def test_snapshot_leaks(snap_compare, tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    victim = next(c for c in sorted(ws.cases(DEMO_AUDIT), key=lambda c: c.case_ref) if c.in_cohort and c.family_name)
    add_return(ws, "RB-2020-008", "POL", Status.SUBMITTED)
    ret = ws.get_return(DEMO_AUDIT, "RB-2020-008", "POL")
    ws.save(dataclasses.replace(ret, impact_on_child=f"The {victim.family_name} children were safer."),
            act=Act.EDIT_RETURN)

    async def run_before(pilot) -> None:
        await open_report(pilot)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(pilot.app.screen, LeakScreen))

    assert snap_compare(app_for(ws), terminal_size=(120, 40), run_before=run_before)
