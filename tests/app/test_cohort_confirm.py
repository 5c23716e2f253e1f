"""`f` in Cohort (issue 20 item 2): a lead records a fact confirmed at screening; the
case detail shows it with its source (people's text, shown as typed: never markup), the
case's screening follows it, and the journal names it."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Select, Static

from screens.dialogs.form import FormScreen
from storage.export import report_for
from tests.app.helpers import app_for, demo_workspace, notes, open_as, until
from tests.app.test_cohort_section import REF, detail, go_to, open_cohort
from tests.conftest import TODAY

HOSTILE = "[b]CSC[/b] | # <b>duty</b> \x1b[31mred\u202e"
SHOWN = "[b]CSC[/b] | # <b>duty</b> red"


async def test_f_confirms_a_blank_fact_and_the_case_detail_and_report_follow(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    assert ws.case(REF, "RB-2020-003").unborn is None  # blank in the extract: eligibility unknown
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_cohort(pilot)
        await go_to(pilot, section, "RB-2020-003")
        assert "? eligibility unknown" in detail(section)
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert form.query_one("#field-fact", Select).value == "unborn"  # not recorded facts come first
        form.query_one("#field-value", Input).value = "perhaps"
        form.query_one("#field-source", Input).value = HOSTILE
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: '"perhaps" is not yes or no' in str(
            form.query_one("#form-errors", Static).render()))
        form.query_one("#field-value", Input).value = "yes"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, FormScreen) and notes(app))
        assert f"RB-2020-003: unborn baby is yes, confirmed by {SHOWN} (was not recorded)." in notes(app)
        await until(pilot, lambda: "confirmed by" in detail(section))
        shown = detail(section)
        assert f"Unborn baby: yes  (confirmed by {SHOWN} at screening" in shown
        assert "\x1b" not in shown and "\u202e" not in shown
        assert "? eligibility unknown" not in shown  # screened again with the fact
    saved = open_as(ws.path, "rlead")
    case = saved.case(REF, "RB-2020-003")
    assert case.unborn is True and case.confirmed and case.confirmed[0].source == SHOWN
    assert saved.journal()[-1].summary == f"confirmed unborn baby: yes for RB-2020-003 ({SHOWN})"
    report = report_for(saved, REF, TODAY).markdown
    assert "CSC[/b]" not in report and "duty" not in report  # the source stays in the workspace


async def test_a_viewer_cannot_confirm(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(open_as(ws.path, "panel.vic"))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_cohort(pilot)
        await pilot.press("f")
        await pilot.pause()
        assert not isinstance(app.screen, FormScreen)
    assert open_as(ws.path, "rlead").case(REF, "RB-2020-003").confirmed is None
