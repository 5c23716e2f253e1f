"""Re-test by default (issue 19 item 6): a new audit on the same objectives as an earlier
one lists that audit's learning to re-test, at creation and in its Scope section; the CLI
says it too."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from screens.dialogs.details import InfoScreen
from screens.dialogs.form import FormScreen
from screens.home.screen import HomeScreen
from screens.scope.section import ScopeSection
from storage.demo import DEMO_AUDIT, build_demo, sample_path
from storage.lock import os_login
from storage.retest import retest_lines
from tests.app.helpers import app_for, idle, until
from tui.cli import main


def _scope(tmp_path: Path) -> Path:
    path = tmp_path / "scope.toml"
    path.write_text(sample_path("MACA-C86.toml").read_text().replace('"MACA-C86"', '"MACA-C99"'))
    return path


def _learning(ws) -> list[str]:
    return [f"{DEMO_AUDIT} {f.id}" for f in ws.findings(DEMO_AUDIT)
            if f.column.value in ("development", "recommendation") and not f.proposed]


async def test_a_new_audit_lists_the_learning_to_retest(tmp_path: Path) -> None:
    ws = build_demo(tmp_path / "demo.json", os_login(), in_progress=True)
    expected = _learning(ws)
    assert expected  # the demo has areas for development, or this test proves nothing
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, FormScreen) and bool(app.screen.query("#field-path")))
        app.screen.query_one("#field-path", Input).value = str(_scope(tmp_path))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, InfoScreen))
        body = str(app.screen.body)
        assert all(ref in body for ref in expected)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen) and idle(app))
        # The Scope section of the new audit lists them too.
        assert app.screen.selected_ref() == "MACA-C99"
        await pilot.press("enter")
        await until(pilot, lambda: bool(app.screen.query(ScopeSection)))
        section = app.screen.query_one(ScopeSection)
        row = next(r for r in section.rows if r.id == "retest")
        assert f"{len(expected)} finding(s) of earlier audits" in row.label.plain
        assert all(ref in row.detail.plain for ref in expected)


def test_the_cli_says_what_to_retest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = build_demo(tmp_path / "demo.json", os_login(), in_progress=True)
    code = main(["new-audit", "--db", str(ws.path), str(_scope(tmp_path))])
    out = capsys.readouterr().out
    assert code == 0 and "To re-test:" in out
    assert retest_lines(ws, "MACA-C99") and all(line in out for line in retest_lines(ws, "MACA-C99"))
