"""Report section, `w`: the lead writes the summary, the objectives' narratives and the
conclusions, and the preview shows them at once (issue 20 item 3)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TextArea

from screens.dialogs.form import FormScreen
from storage.demo import DEMO_AUDIT
from storage.narrative import report_text
from tests.app.helpers import app_for, idle, open_as, until
from tests.app.test_report_section import HOSTILE, all_lines, messages, open_report, seeded


async def test_w_writes_the_leads_words_into_the_report(tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_report(pilot)
        await pilot.press("w")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        form.query_one("#field-summary", TextArea).text = "Unborn babies were seen.\n\nFathers were not."
        form.query_one("#field-narrative_fathers", TextArea).text = "Partners were named but never seen."
        form.query_one("#field-conclusions", TextArea).text = HOSTILE
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, FormScreen) and idle(app))
        assert messages(app)[-1] == "Saved the report's summary, narratives and conclusions."
        await until(pilot, lambda: "Partners were named but never seen." in all_lines(section.view))
        lines = all_lines(section.view)
        assert "Unborn babies were seen." in lines and "Fathers were not." in lines
        shown = "\n".join(lines)
        assert "[/b] a | b # <script>x</script> [bold]y[/bold] red" in shown  # literally, as typed
    stored = report_text(open_as(ws.path, "rlead"), DEMO_AUDIT)
    assert stored.objectives == {"fathers": "Partners were named but never seen."}
    assert stored.rev == 1 and stored.updated_by == ws.login


async def test_a_coordinator_is_refused(tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    coordinator = next(u.login for u in ws.users() if u.role.value == "coordinator")
    app = app_for(open_as(ws.path, coordinator))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_report(pilot)
        await pilot.press("w")
        await until(pilot, lambda: bool(messages(app)))
        assert not isinstance(app.screen, FormScreen)
        assert messages(app)[-1].startswith("Only a lead auditor can write the report's summary")
