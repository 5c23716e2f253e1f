"""The application shell: home, navigation between sections, help, palette, identity."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from screens.audit.screen import AuditScreen
from screens.home.screen import HomeScreen
from screens.dialogs.form import FormScreen
from screens.dialogs.help import HelpScreen
from screens.dialogs.too_small import TooSmallScreen
from screens.widgets.identity import IdentityBar
from storage.audits import audit_from_scope_file
from tests.app.helpers import app_for, demo_workspace, idle, notes, open_as, open_audit, until


def bar_text(app) -> str:
    return str(app.screen.query_one(IdentityBar))


async def test_home_lists_audits_with_progress(tmp_path: Path) -> None:
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, lambda: isinstance(app.screen, HomeScreen))
        table = app.screen.query_one(DataTable)
        # The programme by year: the year's heading (2021, in progress), then the audit.
        assert table.row_count == 2
        assert [str(cell) for cell in table.get_row_at(0)][:2] == ["2021", "In progress"]
        assert table.cursor_row == 1  # the cursor starts on the audit, not its heading
        row = [str(cell) for cell in table.get_row("audit:MACA-C86")]
        assert row[0] == "MACA-C86"
        assert row[2] == "MACA"
        assert row[3] == "fieldwork"
        assert row[4] == "0/120"  # 15 cases x 8 agencies expected, none received yet
        # 19/03 is done; the next milestone, 30/04/2021, is not yet overdue on 20/04/2021.
        assert row[5] == "· 30/04/2021"
        assert row[6] == "—"  # no actions yet
        detail = str(app.screen.query_one("#home-detail").render())
        assert "Cohort 15/15" in detail
        assert "Next milestone: Agency audits returned, due 30/04/2021" in detail
        assert "overdue" not in detail
        assert "Riverbay Safeguarding Children Partnership" in bar_text(app)
        assert "lead auditor" in bar_text(app)


async def test_enter_opens_audit_and_escape_returns(tmp_path: Path) -> None:
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_audit(pilot)
        assert isinstance(app.screen, AuditScreen)
        assert "MACA-C86 · fieldwork" in bar_text(app)
        assert app.screen.current == "scope"
        await pilot.press("1")
        assert app.screen.current == "scope"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))


async def test_unbuilt_section_keys_do_nothing_and_are_not_listed(tmp_path: Path) -> None:
    from screens.audit.sections import SECTIONS

    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_audit(pilot)
        built = {s.number for s in SECTIONS}
        for number in range(1, 8):
            allowed = app.screen.check_action("section", (number,))
            assert allowed == (number in built)


async def test_help_lists_every_key_of_the_screen(tmp_path: Path) -> None:
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_audit(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        listed = {desc: keys for _, rows in app.screen.groups for keys, desc, _ in rows}
        for description in ("Edit", "Add", "Delete", "Move down", "Move up", "Audits", "Quit", "Help"):
            assert description in listed, description
        assert "J" in listed["Move down"]
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, AuditScreen))
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))


async def test_palette_finds_audits_cases_and_agencies(tmp_path: Path) -> None:
    from tui.palette import MacaCommands

    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_audit(pilot)
        provider = MacaCommands(app.screen)
        names = [name for name, _, _ in provider._commands()]
        assert any(n.startswith("Open audit MACA-C86") for n in names)
        assert "Case RB-2020-001" in names
        assert "Agency POL: Police" in names
        assert "Go to Scope (1)" in names
        hits = [hit async for hit in provider.search("agency pol")]
        assert hits and hits[0].text == "Agency POL: Police"


async def test_palette_case_shows_details_without_identifiers_for_viewers(tmp_path: Path) -> None:
    from screens.dialogs.details import InfoScreen
    from tui.palette import MacaCommands

    lead_ws = demo_workspace(tmp_path)
    family = lead_ws.case("MACA-C86", "RB-2020-001").family_name
    assert family
    for login, visible in (("panel.vic", False), ("csc.coord", True)):
        app = app_for(open_as(lead_ws.path, login))
        async with app.run_test(size=(120, 40)) as pilot:
            await open_audit(pilot)
            provider = MacaCommands(app.screen)
            callback = next(cb for name, cb, _ in provider._commands() if name == "Case RB-2020-001")
            callback()
            await until(pilot, lambda: isinstance(app.screen, InfoScreen))
            shown = str(app.screen.body)
            assert "RB-2020-001" in app.screen.info_title
            assert (family in shown) is visible
            assert ("Identifiers are shown to leads and co-ordinators only" in shown) is not visible


async def test_new_audit_from_scope_file(tmp_path: Path) -> None:
    from storage.demo import sample_path

    ws = demo_workspace(tmp_path)
    scope = tmp_path / "scope.toml"
    scope.write_text(sample_path("MACA-C86.toml").read_text().replace('"MACA-C86"', '"MATA-N01"'))
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press(*"nowhere.toml")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "shown" in app.screen.query_one("#form-errors").classes)
        errors = str(app.screen.query_one("#form-errors").render())
        assert "There is no file nowhere.toml." in errors
        field = app.screen.query_one("#field-path")
        field.value = str(scope)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen) and idle(app))
        refs = [a.ref for a in ws.audits()]
        assert refs == ["MACA-C86", "MATA-N01"]
        assert app.screen.query_one(DataTable).row_count == 3  # the year's heading and both audits


async def test_new_audit_lists_every_problem_of_a_bad_scope(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text('ref = "X 1"\nkind = "CASE"\ncohort_target = "many"\n')
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-path").value = str(bad)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "shown" in app.screen.query_one("#form-errors").classes)
        errors = str(app.screen.query_one("#form-errors").render())
        assert "title is missing." in errors
        assert 'kind must be "MACA" or "MATA"' in errors
        assert "cohort_target must be a whole number" in errors
        assert [a.ref for a in ws.audits()] == ["MACA-C86"]


async def test_viewer_cannot_create_audit(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(open_as(ws.path, "panel2"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await until(pilot, lambda: bool(notes(app)) and idle(app))
        assert isinstance(app.screen, HomeScreen)
        assert any("panel2 is a viewer and can only read" in n for n in notes(app))
    journal = open_as(ws.path, "rlead").journal()
    assert journal[-1].action == "refused" and journal[-1].who == "panel2"


async def test_small_terminal_gets_a_notice(tmp_path: Path) -> None:
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(70, 20)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, TooSmallScreen))
        await pilot.resize_terminal(100, 30)
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))


async def test_second_session_sees_a_save(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(open_as(ws.path, "qa.tamsin"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        other = open_as(ws.path, "rlead")
        audit = audit_from_scope_file(other, _scope_copy(tmp_path, "MACA-Z99"))
        other.insert(audit, act=__import__("audit.access").access.Act.CREATE_AUDIT)
        app.poll_workspace()
        await until(pilot, lambda: app.screen.query_one(DataTable).row_count == 3)


def _scope_copy(tmp_path: Path, ref: str) -> Path:
    from storage.demo import sample_path

    path = tmp_path / f"{ref}.toml"
    path.write_text(sample_path("MACA-C86.toml").read_text().replace('"MACA-C86"', f'"{ref}"'))
    return path


async def test_palette_finds_findings_and_opens_the_board_on_them(tmp_path: Path) -> None:
    from storage.demo_findings import add_demo_discussions
    from storage.returns import cohort_refs
    from tui.palette import MacaCommands

    ws = demo_workspace(tmp_path)
    add_demo_discussions(ws, ws.audit("MACA-C86"), cohort_refs(ws, "MACA-C86"))
    target = ws.findings("MACA-C86")[-1]
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_audit(pilot)
        provider = MacaCommands(app.screen)
        name, callback = next((n, cb) for n, cb, _ in provider._commands() if n.startswith(f"Finding {target.id}:"))
        callback()
        await until(pilot, lambda: app.screen.current == "board")
        board = app.screen.section
        await until(pilot, lambda: board.current() is not None and board.current().id == target.id)


async def test_home_shows_your_own_save_when_you_come_back(tmp_path: Path) -> None:
    """Issue 18 item 5: edit the title in Scope, esc: home shows the new title at once."""
    from textual.widgets import Input, OptionList

    from screens.scope.section import ScopeSection

    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_audit(pilot)
        section = app.screen.query_one(ScopeSection)
        options = section.query_one(OptionList)
        options.highlighted = [r.id for r in section.rows].index("title")
        await pilot.pause()
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-title", Input).value = "Unborn babies: the new title"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, AuditScreen) and idle(app))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
        await pilot.pause()
        row = [str(cell) for cell in app.screen.query_one(DataTable).get_row("audit:MACA-C86")]
        assert row[1] == "Unborn babies: the new title"
        assert "MACA-C86: Unborn babies: the new title" in str(app.screen.query_one("#home-detail").render())
