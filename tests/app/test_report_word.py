"""Report section: exporting the report as a Word document from the app (issue 20 item 4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Select

from audit.word import read_docx
from screens.dialogs.form import FormScreen
from storage.demo import DEMO_AUDIT
from storage.export import default_path, report_for
from tests.app.helpers import app_for, idle, until
from tests.app.test_report_section import messages, open_report, seeded
from tests.audit.test_word import markdown_outline
from tests.conftest import TODAY


@pytest.mark.slow
async def test_export_word_with_the_default_name(tmp_path: Path, monkeypatch) -> None:
    ws = seeded(tmp_path)
    app = app_for(ws)
    monkeypatch.chdir(tmp_path)  # the default goes to the current folder
    target = tmp_path / default_path(ws, DEMO_AUDIT, "docx", TODAY).name
    async with app.run_test(size=(120, 40)) as pilot:
        await open_report(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-format", Select).value = "docx"  # the default name follows
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, FormScreen) and idle(app))
        assert messages(app)[-1] == (f"Exported the {DEMO_AUDIT} report to {target} "
                                     f"({target.stat().st_size:,} bytes, docx).")
    assert target.name == f"{DEMO_AUDIT}-report-2021-04-20.docx"
    outline = read_docx(target.read_bytes())
    blocks, tables = markdown_outline(report_for(ws, DEMO_AUDIT, TODAY).markdown)
    assert (outline.blocks, outline.tables) == (blocks, tables)
    assert ("p", "The sibling was seen alone at every visit.") in outline.blocks or any(
        "The sibling was seen alone at every visit." in text for _, text in outline.blocks)
