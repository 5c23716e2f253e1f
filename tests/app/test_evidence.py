"""Evidence (`v` in Discussion): a thematic audit's activities and themes read, added,
edited, refused and turned into findings in the app (issue 20 item 1)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, OptionList, Select, Static, TextArea

from audit.activities import ActivityKind
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import FormScreen
from screens.discussion.evidence import EvidenceScreen, parse_people
from storage.audits import create_audit, scope_from_file
from storage.demo import sample_path
from storage.export import report_for
from storage.workspace import Workspace
from tests.app.helpers import app_for, demo_workspace, idle, open_as, open_audit, until
from tests.conftest import TODAY

REF = "MATA-N21"
HOSTILE = "[/b] a | b # <script>x</script> [bold]y[/bold] \x1b[31mred"
SHOWN = "[/b] a | b # <script>x</script> [bold]y[/bold] red"


def mata_workspace(tmp_path: Path) -> Workspace:
    ws = demo_workspace(tmp_path)
    create_audit(ws, scope_from_file(ws, sample_path("MATA-N21.toml")), source="MATA-N21.toml")
    return ws


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def open_evidence(pilot) -> EvidenceScreen:
    await until(pilot, lambda: pilot.app.focused is not None)
    home = pilot.app.screen
    for _ in range(8):  # home lists the programme by year: step down to the MATA's row
        if home.selected_ref() == REF:
            break
        await pilot.press("j")
    assert home.selected_ref() == REF
    await open_audit(pilot)
    await pilot.press("4")
    await until(pilot, lambda: pilot.app.screen.query("#section-discussion"))
    await pilot.press("v")
    await until(pilot, lambda: isinstance(pilot.app.screen, EvidenceScreen))
    return pilot.app.screen


def listed(screen: EvidenceScreen) -> list[str]:
    options = screen.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def detail(screen: EvidenceScreen) -> str:
    return str(screen.query_one("#evidence-detail-text", Static).render())


async def test_v_lists_the_activities_and_themes_and_shows_one_in_full(tmp_path: Path) -> None:
    app = app_for(mata_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_evidence(pilot)
        rows = listed(screen)
        assert [r.split()[0] for r in rows] == ["E1", "E2", "E3", "E4", "E5", "E6", "T1", "T2", "T3", "T4"]
        assert rows[0] == "E1 focus group: Health visitors and school nurses"
        assert rows[8] == "T3 ◦ Repeat plans for neglect"
        shown = detail(screen)
        assert "6 × health visitor, Health visiting" in shown and "3. Children's own accounts" in shown
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, EvidenceScreen))


async def test_a_records_an_activity_with_hostile_text_that_the_report_shows_as_typed(tmp_path: Path) -> None:
    ws = mata_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_evidence(pilot)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        form.query_one("#field-kind", Select).value = ActivityKind.AGGREGATED_DATA.value
        form.query_one("#field-title", Input).value = HOSTILE
        form.query_one("#field-participants", TextArea).text = "2 analyst (csc)\nparent"
        form.query_one("#field-figures", TextArea).text = f"Repeat plans: 27%\n{HOSTILE}: 3"
        form.query_one("#field-key_points", TextArea).text = "Repeat plans are rising.\n\n" + HOSTILE
        form.query_one("#field-source", Input).value = "Quarterly report"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, EvidenceScreen) and idle(app))
        assert messages(app)[-1] == "Recorded aggregated data E7."
        assert any(r.startswith(f"E7 aggregated data: {SHOWN}") for r in listed(screen))
    stored = open_as(ws.path, ws.login).get("activities", f"{REF}/E7")
    assert [(p.role, p.agency, p.count) for p in stored.participants] == [("analyst", "CSC", 2), ("parent", "", 1)]
    assert stored.key_points == ["Repeat plans are rising.", SHOWN]
    report = report_for(ws, REF, TODAY).markdown
    assert "### E7. \\[/b\\] a \\| b \\# \\<script\\>x\\</script\\>" in report
    assert "| Repeat plans | 27% |" in report


async def test_bad_participants_are_refused_in_the_form_and_nothing_is_saved(tmp_path: Path) -> None:
    ws = mata_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_evidence(pilot)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-title", Input).value = "Focus group"
        app.screen.query_one("#field-participants", TextArea).text = "3 social worker (XYZ)"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "there is no agency XYZ" in str(app.screen.query_one("#form-errors", Static).render()))
        await pilot.press("escape")
    assert len(open_as(ws.path, ws.login).activities(REF)) == 6


async def test_a_theme_is_agreed_then_becomes_a_finding_and_refusals_say_why(tmp_path: Path) -> None:
    ws = mata_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_evidence(pilot)
        options = screen.query_one(OptionList)
        options.highlighted = 8  # T3, not yet agreed
        await pilot.press("f")
        await until(pilot, lambda: bool(messages(app)))
        assert messages(app)[-1].startswith("Theme T3 has not been agreed at the MATA discussion yet")
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-agreed_on", Input).value = "12/10/2021"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, EvidenceScreen) and idle(app))
        await pilot.press("f")
        await until(pilot, lambda: messages(app)[-1].startswith("Theme T3 is now"))
        assert messages(app)[-1] == "Theme T3 is now finding F4 on the board."
        options.highlighted = 3  # E4 rests under T3: it cannot go while the theme cites it
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: messages(app)[-1].startswith("Theme T3 rests on E4"))
    again = open_as(ws.path, ws.login)
    assert again.get("findings", f"{REF}/F4").source == "theme T3"
    assert len(again.activities(REF)) == 6


async def test_a_viewer_reads_but_cannot_add(tmp_path: Path) -> None:
    ws = mata_workspace(tmp_path)
    app = app_for(open_as(ws.path, "panel.vic"))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_evidence(pilot)
        await pilot.press("a")
        await until(pilot, lambda: bool(messages(app)))
        assert not isinstance(app.screen, FormScreen)
        assert messages(app)[-1] == "panel.vic is a viewer and can only read; ask a lead auditor to record a discussion."


def test_participants_are_parsed_by_count_role_and_agency() -> None:
    people = parse_people("6 health visitor (HV)\n  young person \n3× social worker (csc)", ["CSC", "HV"])
    assert [(p.count, p.role, p.agency) for p in people] == [(6, "health visitor", "HV"), (1, "young person", ""),
                                                               (3, "social worker", "CSC")]


def test_snapshot(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot) -> None:
        await open_evidence(pilot)

    assert snap_compare(app_for(mata_workspace(tmp_path)), terminal_size=(120, 40), run_before=run_before)


async def test_a_in_a_thematic_discussion_adds_an_activity_that_the_report_carries(tmp_path: Path) -> None:
    """Issue 20: a MATA's evidence recorded from Discussion ('a') was a "session" the report
    left out; it is an activity now, recorded through the Evidence screen's form."""
    ws = mata_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_evidence(pilot)
        await pilot.press("escape")
        await until(pilot, lambda: pilot.app.screen.query("#section-discussion"))
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        form.query_one("#field-kind", Select).value = ActivityKind.FOCUS_GROUP.value
        form.query_one("#field-title", Input).value = "Health visitors' focus group"
        form.query_one("#field-participants", TextArea).text = "4 health visitor (hv)"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, EvidenceScreen) and idle(app)
                    and "Recorded focus group E7." in messages(app))
        assert any(r.startswith("E7 focus group: Health visitors' focus group") for r in listed(app.screen))
    report = report_for(ws, REF, TODAY).markdown
    assert "### E7. Health visitors' focus group" in report
    assert not open_as(ws.path, ws.login).discussions(REF)  # no "session" beside the activity
