"""The partnership action tracker: from home and the palette, progress by the owning agency,
sign-off by a panel member, filters, export, hostile text, and its snapshot."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import DataTable, Input, Select, Static, TextArea

from audit.dates import format_uk
from audit.findings import ActionStatus, UpdateKind
from audit.partnership import Role, User
from screens.home.screen import HomeScreen
from screens.dialogs.details import InfoScreen
from screens.dialogs.form import FormScreen
from screens.tracker.screen import TrackerScreen
from storage.demo_findings import add_demo_discussions
from storage.returns import cohort_refs
from storage.workspace import Workspace
from tests.app.helpers import app_for, demo_workspace, idle, notes, open_as, until

REF = "MACA-C86"
HOSTILE = "[/b] a | b # <script>x</script> [bold]y[/bold] \x1b[31mred"
SHOWN = "[/b] a | b # <script>x</script> [bold]y[/bold] red"


def tracker_ws(tmp_path: Path) -> Workspace:
    """The demo with its board: A1 (CSC, overdue) and A2 (MID, on track, one update) for F5."""
    ws = demo_workspace(tmp_path)
    add_demo_discussions(ws, ws.audit(REF), cohort_refs(ws, REF))
    with ws.transaction() as tx:
        tx.insert(User("chair", Role.PANEL), summary="added chair")
    return ws


def rows(app) -> list[list[str]]:
    table = app.screen.query_one(DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def open_tracker(pilot) -> TrackerScreen:
    await until(pilot, lambda: isinstance(pilot.app.screen, HomeScreen) and pilot.app.focused is not None)
    await pilot.press("a")
    await until(pilot, lambda: isinstance(pilot.app.screen, TrackerScreen) and pilot.app.screen.shown)
    return pilot.app.screen


async def test_home_opens_the_tracker_with_every_audits_actions(tmp_path: Path) -> None:
    app = app_for(tracker_ws(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_tracker(pilot)
        assert [r[:7] for r in rows(app)] == [
            [REF, "A1", "CSC", "16/04/2021", "✗ overdue", "agreed", "–"],
            [REF, "A2", "MID", "30/06/2021", "● on track", "in progress", "12/04/2021"]]
        heading = str(screen.query_one("#tracker-heading", Static).render())
        assert "2 actions: 2 open · ✗ 1 overdue · 0 complete" in heading
        await pilot.press("j", "enter")
        await until(pilot, lambda: isinstance(app.screen, InfoScreen))
        body = str(app.screen.query(Static)[1].render())
        assert "Progress, 12/04/2021 (recorded by mid.coord" in body and "Revised booking template v3" in body
        await pilot.press("escape", "escape")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))


async def test_the_palette_opens_the_tracker(tmp_path: Path) -> None:
    from textual.command import CommandPalette

    app = app_for(tracker_ws(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.focused is not None)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"action tracker")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TrackerScreen))


async def test_a_coordinator_records_progress_on_their_agencys_action_only(tmp_path: Path) -> None:
    ws = tracker_ws(tmp_path)
    app = app_for(open_as(ws.path, "csc.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_tracker(pilot)
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        form.query_one("#field-on", Input).value = "19/04/2021"
        form.query_one("#field-note", TextArea).text = HOSTILE
        form.query_one("#field-evidence", TextArea).text = "Template v2"
        form.query_one("#field-status", Select).value = "in progress"
        form.query_one("#field-close", Select).value = "yes"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, TrackerScreen) and idle(app)
                    and rows(app)[0][5] == "in progress, close requested")
        assert rows(app)[0][6] == format_uk(date.today())  # when it was recorded (the real clock)
        detail = str(screen.query_one("#tracker-detail", Static).render())
        assert f"Last: close requested, 19/04/2021: {SHOWN}" in detail
        assert "Asked to close MACA-C86 A1." in notes(app)
        await pilot.press("j", "u")  # A2 is Midwifery's
        await until(pilot, lambda: any("cannot update MID's actions" in n for n in notes(app)))
        assert isinstance(app.screen, TrackerScreen)
        await pilot.press("s")
        await until(pilot, lambda: any("can ask for it to be closed" in n for n in notes(app)))
    stored = Workspace.open(ws.path, "rlead").get("actions", f"{REF}/A1")
    assert stored.close_requested and stored.status is ActionStatus.IN_PROGRESS
    assert stored.updates[-1].note == SHOWN and stored.updates[-1].by == "csc.coord"


async def test_a_panel_member_signs_off_and_filters(tmp_path: Path) -> None:
    ws = tracker_ws(tmp_path)
    app = app_for(open_as(ws.path, "chair"))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_tracker(pilot)
        await pilot.press("j", "s")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-note", TextArea).text = "Evidence seen at the sub-committee"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, TrackerScreen) and idle(app)
                    and rows(app)[1][5] == "complete (signed off)")
        assert rows(app)[1][4] == "✓ complete"
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-overdue", Select).value = "yes"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, TrackerScreen) and len(rows(app)) == 1)
        assert rows(app)[0][1] == "A1"
        assert "overdue only" in str(app.screen.query_one("#tracker-filter", Static).render())
        await pilot.press("u")
        await until(pilot, lambda: any("panel member" in n for n in notes(app)))
    stored = Workspace.open(ws.path, "rlead").get("actions", f"{REF}/A2")
    assert stored.status is ActionStatus.COMPLETE and stored.signed_off_by == "chair"
    assert stored.updates[-1].kind is UpdateKind.SIGNED_OFF


async def test_export_from_the_screen(tmp_path: Path) -> None:
    ws = tracker_ws(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_tracker(pilot)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-path", Input).value = "tracker.html"
        app.screen.query_one("#field-format", Select).value = "html"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any(n.startswith("Exported the action tracker") for n in notes(app)))
    page = (ws.path.parent / "tracker.html").read_text()
    assert "action tracker</h1>" in page and "MACA-C86" in page


def test_snapshot_tracker(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot) -> None:
        await open_tracker(pilot)
        await pilot.press("j")

    assert snap_compare(app_for(tracker_ws(tmp_path)), terminal_size=(120, 40), run_before=run_before)
