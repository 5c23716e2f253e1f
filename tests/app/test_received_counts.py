"""One meaning of "received" everywhere (issue 18 item 9): home's Returns column, the
Returns section's head and totals agree, and a "not involved" return is not received."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Static

from audit.returns import Status
from screens.home.screen import HomeScreen
from screens.returns.section import ReturnsSection
from storage.demo import DEMO_AUDIT, build_demo
from storage.lock import os_login
from tests.app.helpers import app_for, until


async def test_home_and_returns_count_the_same_received_returns(tmp_path: Path) -> None:
    ws = build_demo(tmp_path / "demo.json", os_login(), in_progress=True)
    statuses = [r.status for r in ws.returns(DEMO_AUDIT)]
    completed = sum(s in (Status.SUBMITTED, Status.RESUBMITTED) for s in statuses)
    not_involved = statuses.count(Status.NOT_INVOLVED)
    assert completed and not_involved  # the demo has both, or this test proves nothing
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        home = app.screen
        assert isinstance(home, HomeScreen)
        table = home.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 2)  # the year's heading and the audit
        shown_on_home = table.get_row("audit:MACA-C86")[4].plain
        assert shown_on_home == f"{completed}/120"
        await pilot.press("enter", "3")
        await until(pilot, lambda: bool(app.screen.query(ReturnsSection)))
        section = app.screen.query_one(ReturnsSection)
        head = section.query_one("#returns-head", Static)
        await until(pilot, lambda: "received" in str(head.render()))
        assert f"{completed} of 120 received · {not_involved} not involved" in str(head.render())
        grid = section.query_one(DataTable)
        assert grid.get_cell("__received__", "__total__").plain.strip() == f"{completed}/120"
