"""At the source (issue 16 item 4): saving text that holds an identifier of a case of the
same audit says so at once, without repeating it, and the save still happens."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Static, TextArea

from audit.access import Act
from audit.cases import CandidateCase
from screens.dialogs.form import FormScreen
from storage.demo import DEMO_AUDIT
from storage.workspace import Workspace
from tests.app.helpers import app_for, demo_workspace, open_as, told
from tests.app.helpers import notes as messages
from tests.app.test_scope_section import go_to, key_then, modal, open_scope
from tests.app.test_tool import go_to as tool_row, open_tool, until, visible, wait_saved
from tests.workspace_files import on_disk

WARNING = "This looks like the family name of a case: reports will refuse it until it is taken out."


async def test_a_family_name_typed_into_the_background_is_told_and_saved(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    ws.insert(CandidateCase(audit=DEMO_AUDIT, case_ref="RB-2020-950", family_name="Kingswear"), act=Act.IMPORT_CASES)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_scope(pilot)
        await go_to(pilot, section, "background")
        await key_then(pilot, "e", lambda: modal(pilot, FormScreen))
        app.screen.query_one("#field-background", TextArea).text = "Ms Kingswear's children were seen at home."
        await pilot.press("ctrl+s")
        await until(pilot, lambda: WARNING in messages(app))
        assert not any("kingswear" in m.lower() for m in messages(app))
        # Saving it again unchanged says nothing more (a dialog clears the notifications).
        await go_to(pilot, section, "background")
        await key_then(pilot, "e", lambda: modal(pilot, FormScreen))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not modal(pilot, FormScreen))
        await until(pilot, lambda: any(m.startswith("Saved") for m in messages(app)))
        await pilot.pause(0.2)
        assert WARNING not in messages(app)
    assert open_as(ws.path, "rlead").audit(DEMO_AUDIT).background == "Ms Kingswear's children were seen at home."


async def test_a_date_of_birth_typed_into_a_return_is_told_once_and_saved(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    victim = next(c for c in ws.cases(DEMO_AUDIT) if c.child_dob is not None)
    typed = f"Child (DOB {victim.child_dob:%d/%m/%Y}) seen at booking."
    app = app_for(Workspace.open(ws.path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        await tool_row(pilot, tool, "header.summary")
        await pilot.press("e", *typed)
        await pilot.press("escape")
        await wait_saved(pilot, tool)
        dob_warning = "This looks like the date of birth of a case: reports will refuse it until it is taken out."
        # told(): every notification posted, so a run slow enough for the 10 s warning to
        # time out while the keys are typed still sees it, and counts every repeat.
        assert await until(pilot, lambda: dob_warning in told(app))
        assert "holds what looks like an identifier of a case" in visible(tool.query_one("#tool-saved", Static))
        assert told(app).count(dob_warning) == 1
        assert not any(f"{victim.child_dob:%d/%m/%Y}" in m for m in told(app))
    data = on_disk(ws.path)
    assert any(doc.get("summary") == typed for doc in data["returns"].values())
