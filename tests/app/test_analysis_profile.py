"""The cohort profile on the Analysis screen (`c`, issue 20 item 2): the same one-way
counts as the report's cohort profile, from the one function both use."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from audit.report_profile import outline, shown
from screens.dialogs.details import InfoScreen
from storage.demo import DEMO_AUDIT
from storage.export import report_for
from tests.app.helpers import app_for, demo_workspace, until
from tests.app.test_analysis_section import open_analysis
from tests.conftest import TODAY


async def test_c_shows_the_reports_profile_counts(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    report = report_for(ws, DEMO_AUDIT, TODAY)
    profile = report.markdown.split("## Cohort profile")[1].split("\n## ")[0]
    parts = outline(report.analysis)
    assert all(part.recorded for part in parts)  # the demo cases carry every profile column
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_analysis(pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, InfoScreen))
        text = "\n".join(str(s.render()) for s in app.screen.query(Static))
    assert "Cohort profile · MACA-C86" in text
    lines = [" ".join(line.split()) for line in text.splitlines()]
    for part in parts:
        assert part.label in lines
        for category, n in part.counts:
            in_report = f"| {shown(category)} | {n}"
            assert in_report in profile, in_report
            on_screen = f"{shown(category)} {n}"
            assert any(line == on_screen or line == f"{on_screen} fewer than 3" for line in lines), on_screen
