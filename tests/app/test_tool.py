"""The audit tool by keyboard: answers, grades, evidence, autosave, submission, access,
conflicts, clarification and the safeguarding concern reaching a second session."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from textual.widgets import DataTable, OptionList, Static, TextArea

from audit.grades import Answer, Grade
from audit.return_transitions import edit, set_answer, set_grade
from audit.returns import Status
from screens.audit.screen import AuditScreen
from screens.returns.concerns import ConcernAlertScreen
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.conflict import ConflictScreen
from screens.dialogs.form import FormScreen
from screens.tool.screen import ToolScreen
from screens.tool.modals import GapsScreen
from screens.widgets.identity import IdentityBar
from storage.demo import DEMO_AUDIT
from storage.lock import os_login
from storage.returns import cohort_refs, open_return, raise_concern, save_draft, tool_for
from storage.workspace import Workspace
from tests.app.helpers import app_for, demo_workspace, notes, open_as, until
from tests.workspace_files import on_disk

REF = DEMO_AUDIT
TODAY_AT = datetime(2021, 4, 20, 9, 0)
AGENCIES = ["CSC", "MID", "HV", "GP", "ASM", "AMH", "EY", "POL"]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    ws = demo_workspace(tmp_path)
    return ws.path


def first_case(path: Path) -> str:
    return cohort_refs(open_as(path, os_login()), REF)[0]


def stored(path: Path, agency: str = "MID", case: str | None = None) -> dict | None:
    data = on_disk(path)
    case = case or cohort_refs(open_as(path, os_login()), REF)[0]
    for doc in data.get("returns", {}).values():
        if (doc["case_ref"], doc["agency"]) == (case, agency):
            return doc
    return None


def footer_keys(app) -> list[str]:
    from textual.widgets._footer import FooterKey

    return [key.key_display for key in app.screen.query(FooterKey)]


async def open_tool(app, pilot, agency: str = "MID", row: int = 0) -> ToolScreen:
    """Open the Returns grid and the tool of one cell, by keyboard, as a user would."""
    await app.push_screen(AuditScreen(REF, "returns"))
    await until(pilot, lambda: app.focused is not None and app.screen.current == "returns")
    grid = app.screen.query_one(DataTable)

    def column() -> str:
        return str(grid.coordinate_to_cell_key(grid.cursor_coordinate).column_key.value)

    while column() != agency:  # the cursor starts on a co-ordinator's own agency
        before = column()
        await pilot.press("l" if AGENCIES.index(agency) > AGENCIES.index(before) else "h")
        await until(pilot, lambda: column() != before)
    for _ in range(row):
        await pilot.press("j")
    await pilot.press("enter")
    assert await until(pilot, lambda: isinstance(app.screen, ToolScreen) and app.screen.rows)
    return app.screen


async def go_to(pilot, tool: ToolScreen, row_id: str) -> None:
    tool.highlight(row_id)
    assert await until(pilot, lambda: tool.current_row().id == row_id)


def visible(widget: Static) -> str:
    return str(widget.render())


async def wait_saved(pilot, tool: ToolScreen) -> None:
    assert await until(pilot, lambda: not tool.autosave.pending), "the change should have been autosaved"


@pytest.mark.slow
async def test_answer_grade_and_evidence_autosave_by_keyboard(path: Path) -> None:
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        assert stored(path) is None  # opening a tool saves nothing
        await pilot.press("y")  # on "Involved?": yes
        await go_to(pilot, tool, "question:mid-curiosity-1")
        await pilot.press("p", "3")  # partly; the section requires improvement
        await pilot.press("e", *"Seen at booking; yes, partly, no.", "escape")
        await wait_saved(pilot, tool)
        assert "saved" in visible(tool.query_one("#tool-saved", Static))
        doc = stored(path)
        assert doc is not None and doc["status"] == "draft" and doc["involved"] is True
        # While editing, y/p/n/x typed text: the answer stayed "partly".
        evidence = "Seen at booking; yes, partly, no."
        assert doc["answers"]["mid-curiosity-1"] == {"answer": "partly", "evidence": evidence}
        assert doc["sections"]["curiosity"]["grade"] == "requires improvement"
        assert "1.1" in str(tool.query_one(OptionList).get_option_at_index(
            [r.id for r in tool.rows].index("question:mid-curiosity-1")).prompt)
        # The section's rationale is typed in the same editor.
        await go_to(pilot, tool, "section:curiosity")
        await pilot.press("enter", *"Enquiry was not repeated", "escape")
        await pilot.press("escape")  # leaving saves at once
        assert await until(pilot, lambda: not isinstance(app.screen, ToolScreen))
        assert stored(path)["sections"]["curiosity"]["rationale"] == "Enquiry was not repeated"
        assert not isinstance(app.screen, ToolScreen)


@pytest.mark.slow
async def test_text_is_saved_within_a_second_while_typing(path: Path) -> None:
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        await go_to(pilot, tool, "header.auditor_name")
        await pilot.press("e", *"Mira [b]Midwell[/b]")
        assert tool.editing is not None  # still typing
        assert await until(pilot, lambda: (stored(path) or {}).get("auditor_name") == "Mira [b]Midwell[/b]")
        await pilot.press("enter")  # a one-line field: enter finishes
        assert tool.editing is None
        assert "Mira [b]Midwell[/b]" in str(tool.current_row().label)


@pytest.mark.slow
async def test_submit_with_gaps_lists_each_and_jumps_to_it(path: Path) -> None:
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        await pilot.press("y")
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: isinstance(app.screen, GapsScreen))
        gaps = app.screen
        assert isinstance(gaps, GapsScreen)
        messages = [g.message for g in gaps.gaps]
        assert "The auditor's name is missing." in messages
        assert any("Question 2.1" in m and "has no answer" in m for m in messages)
        assert any("Section 3" in m and "no grade" in m for m in messages)
        target = next(i for i, g in enumerate(gaps.gaps) if g.where == "question:mid-fathers-1")
        gaps.query_one(OptionList).highlighted = target
        await pilot.press("enter")
        assert await until(pilot, lambda: app.screen is tool)
        assert tool.current_row().id == "question:mid-fathers-1"
        assert stored(path)["status"] == "draft"


@pytest.mark.slow
async def test_complete_return_submits_and_becomes_read_only(path: Path) -> None:
    coord = Workspace.open(path, "mid.coord")
    case = first_case(path)
    ret = edit(open_return(coord, REF, case, "MID"), "mid.coord", TODAY_AT, involved=True, auditor_name="Mira",
               auditor_role="Named midwife", involvement_period="2020")
    for _, _, q in tool_for(coord, REF, "MID").numbered():
        ret = set_answer(ret, "mid.coord", TODAY_AT, q.id, answer=Answer.NA)
    for s in tool_for(coord, REF, "MID").sections:
        ret = set_grade(ret, "mid.coord", TODAY_AT, s.objective, grade=Grade.GOOD, rationale="Fine.")
    save_draft(coord, ret)
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        await go_to(pilot, tool, "overall.impact_on_child")
        await pilot.press("e", *"The baby was safe at birth.", "escape", "ctrl+s")
        assert await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        assert await until(pilot, lambda: stored(path)["status"] == "submitted")
        doc = stored(path)
        assert doc["status"] == "submitted" and doc["impact_on_child"] == "The baby was safe at birth."
        assert "Read only" in visible(tool.query_one("#tool-notice", Static))
        # A received return no longer offers its answer, grade, edit and submit keys.
        await until(pilot, lambda: "y/p/n/x" not in footer_keys(app))
        assert not {"1-4", "e/enter", "^s"} & set(footer_keys(app))
        await go_to(pilot, tool, "question:mid-curiosity-1")
        # The detail says why, where it offered the answer keys (issue 18: 'y / n answer it').
        detail = lambda: visible(tool.query_one("#tool-detail", Static))  # noqa: E731
        assert await until(pilot, lambda: "Question" in detail())
        assert "submitted and read-only" in detail() and "y yes" not in detail() and "e or enter" not in detail()
        await go_to(pilot, tool, "header.involved")
        assert await until(pilot, lambda: "Involved with" in detail())
        assert "submitted and read-only" in detail() and "y / n answer it" not in detail()
        await go_to(pilot, tool, "question:mid-curiosity-1")
        await pilot.press("y")
        await pilot.pause()
        assert stored(path)["answers"]["mid-curiosity-1"]["answer"] == "n/a"


@pytest.mark.parametrize("login, reason", [
    ("panel.vic", "viewer and can only read"),
    ("pol.coord", "cannot edit MID's return"),
])
@pytest.mark.slow
async def test_viewer_and_other_agency_cannot_edit_and_are_journaled(path: Path, login: str, reason: str) -> None:
    app = app_for(Workspace.open(path, login))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        assert reason in visible(tool.query_one("#tool-notice", Static))
        # Keys for changes this user may not make are not offered (and do nothing).
        assert not {"y/p/n/x", "1-4", "e/enter", "^s"} & set(footer_keys(app))
        await pilot.press("y", "e", "exclamation_mark")
        assert await until(pilot, lambda: any(reason in n for n in notes(app)))
        assert isinstance(app.screen, ToolScreen) and tool.editing is None
        assert any(reason in n for n in notes(app))  # ! is offered, refused, and says why
        app.ws.refusals.flush(app.ws, everything=True)  # as run_app does when the app ends
    assert stored(path) is None
    # Only ! is offered to this user: its one refusal is journaled.
    refused = [e for e in open_as(path, os_login()).journal() if e.action == "refused"]
    assert len(refused) == 1 and all(e.who == login for e in refused)


@pytest.mark.slow
async def test_two_people_saving_one_return_see_both_versions_and_choose(path: Path) -> None:
    app = app_for(Workspace.open(path, "mid.coord"))
    other = Workspace.open(path, "health_named-nurse")
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        await go_to(pilot, tool, "question:mid-curiosity-1")
        await pilot.press("y")
        await wait_saved(pilot, tool)
        # The named nurse answers another question in her own session meanwhile.
        theirs = other.get_return(REF, first_case(path), "MID")
        save_draft(other, set_answer(theirs, other.login, TODAY_AT, "mid-curiosity-2", answer=Answer.NO))
        await pilot.press("j", "j", "n")  # question 1.3 here: the autosave meets their save
        def shown() -> str:
            screen = app.screen
            return " ".join(str(s.render()) for s in screen.query(Static)) if isinstance(screen, ConflictScreen) else ""

        assert await until(pilot, lambda: "Saved by them" in shown())  # the dialog, composed
        text = shown()
        assert "They changed question 1.2; you changed question 1.3." in text
        assert "Question 1.3" in text and "Saved by them" in text
        assert stored(path)["answers"]["mid-curiosity-2"]["answer"] == "no"  # nothing overwritten yet
        await pilot.press("m")  # mine on top of theirs
        assert await until(pilot, lambda: "mid-curiosity-3" in stored(path)["answers"])
        answers = stored(path)["answers"]
        assert {k: v["answer"] for k, v in answers.items()} == {
            "mid-curiosity-1": "yes", "mid-curiosity-2": "no", "mid-curiosity-3": "no"}


@pytest.mark.slow
async def test_keep_theirs_drops_my_unsaved_change(path: Path) -> None:
    app = app_for(Workspace.open(path, "mid.coord"))
    other = Workspace.open(path, "health_named-nurse")
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        save_draft(other, set_answer(open_return(other, REF, first_case(path), "MID"), other.login, TODAY_AT,
                                     "mid-curiosity-1", answer=Answer.NO))
        await go_to(pilot, tool, "question:mid-curiosity-1")
        await pilot.press("y")
        assert await until(pilot, lambda: isinstance(app.screen, ConflictScreen))
        await pilot.press("t")
        assert await until(pilot, lambda: not tool.autosave.pending)
        assert stored(path)["answers"]["mid-curiosity-1"]["answer"] == "no"
        assert tool.ret.answers["mid-curiosity-1"].answer is Answer.NO and not tool.autosave.pending


@pytest.mark.slow
async def test_concern_reaches_a_second_app_and_is_acknowledged(path: Path) -> None:
    lead_app = app_for(Workspace.open(path, os_login()))
    coord_app = app_for(Workspace.open(path, "mid.coord"))
    async with lead_app.run_test(size=(120, 40)) as lead_pilot:
        async with coord_app.run_test(size=(120, 40)) as pilot:
            tool = await open_tool(coord_app, pilot)
            await pilot.press("exclamation_mark")
            assert await until(pilot, lambda: isinstance(coord_app.screen, FormScreen))
            await pilot.press(*"Bruise on the baby's arm, unexplained.", "ctrl+s")
            assert await until(pilot, lambda: tool.ret.concern.open)
            assert "concern is open" in visible(tool.query_one("#tool-notice", Static))
        assert stored(path)["concern"]["raised"] is True
        # The lead's session notices the file change on its next poll (each second).
        lead_app.poll_workspace()
        assert await until(lead_pilot, lambda: isinstance(lead_app.screen, ConcernAlertScreen)
                           and lead_app.screen.query(OptionList) and lead_app.screen.concerns)
        alert = lead_app.screen
        assert isinstance(alert, ConcernAlertScreen)
        text = str(alert.query_one(OptionList).get_option_at_index(0).prompt)
        assert "Bruise on the baby's arm" in text and "raised by mid.coord" in text and "Midwifery" in text
        assert "1 open safeguarding concern" in str(lead_app.screen_stack[-2].query_one(IdentityBar))
        await lead_pilot.press("escape")  # not now: the marker stays
        lead_app.poll_workspace()
        await lead_pilot.pause()
        assert not isinstance(lead_app.screen, ConcernAlertScreen)  # shown once per concern per session
        lead_app.push_screen(ConcernAlertScreen())
        assert await until(lead_pilot, lambda: isinstance(lead_app.screen, ConcernAlertScreen))
        await lead_pilot.press("a")
        assert await until(lead_pilot, lambda: isinstance(lead_app.screen, FormScreen))
        await lead_pilot.press(*"Referred to the MASH.", "ctrl+s")
        assert await until(lead_pilot, lambda: not isinstance(lead_app.screen, (ConcernAlertScreen, FormScreen)))
        assert "open safeguarding" not in str(lead_app.screen.query_one(IdentityBar))
    doc = stored(path)
    assert doc["concern"]["action_taken"] == "Referred to the MASH." and doc["concern"]["acknowledged_by"] == os_login()
    summaries = [e.summary for e in open_as(path, os_login()).journal()]
    assert any("raised an immediate safeguarding concern" in s for s in summaries)
    assert any("acknowledged the safeguarding concern" in s for s in summaries)


async def test_open_concern_is_shown_to_a_lead_at_start(path: Path) -> None:
    coord = Workspace.open(path, "mid.coord")
    raise_concern(coord, open_return(coord, REF, first_case(path), "MID"), "Worried now.")
    app = app_for(Workspace.open(path, os_login()))
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, lambda: isinstance(app.screen, ConcernAlertScreen))
    viewer = app_for(Workspace.open(path, "panel.vic"))
    async with viewer.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not isinstance(viewer.screen, ConcernAlertScreen)  # leads act on concerns


@pytest.mark.slow
async def test_lead_returns_for_clarification_and_coordinator_sees_the_comment(path: Path) -> None:
    coord = Workspace.open(path, "mid.coord")
    ret = edit(open_return(coord, REF, first_case(path), "MID"), coord.login, TODAY_AT, involved=False,
               auditor_name="Mira", auditor_role="Named midwife", not_involved_reason="Not booked with us.")
    from storage.returns import submit_return

    submit_return(coord, save_draft(coord, ret))
    app = app_for(Workspace.open(path, os_login()))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        assert "not involved and read-only" in visible(tool.query_one("#tool-notice", Static))
        assert "heading:not-involved" in [r.id for r in tool.rows]
        assert not any(r.kind == "question" for r in tool.rows)  # not involved: no questions
        await pilot.press("R")
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press(*"Was she booked elsewhere?", "ctrl+s")
        assert await until(pilot, lambda: stored(path)["status"] == Status.RETURNED.value)
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        notice = visible(tool.query_one("#tool-notice", Static))
        assert "Returned for clarification by" in notice and "Was she booked elsewhere?" in notice
        await pilot.press("R")  # not a lead: the key does nothing
        await pilot.pause()
        assert app.screen is tool


async def test_identifiers_are_never_shown_in_the_tool(path: Path) -> None:
    lead = open_as(path, os_login())
    case = lead.case(REF, first_case(path))
    assert case is not None and case.family_name
    app = app_for(Workspace.open(path, os_login()))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        everything = " ".join(str(r.label) + str(r.detail) for r in tool.rows)
        everything += visible(tool.query_one("#tool-title", Static))
        assert case.family_name not in everything
        assert (case.system_ids or "@@") not in everything


async def test_tool_text_area_is_hidden_until_editing(path: Path) -> None:
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        assert not tool.query_one("#tool-side").has_class("editing")
        await go_to(pilot, tool, "overall.good_practice")
        await pilot.press("e")
        assert tool.query_one("#tool-text", TextArea).has_focus


@pytest.mark.slow
async def test_quitting_right_after_typing_still_saves(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("screens.tool.saving.SAVE_DELAY", 60.0)  # only leaving can save it
    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        tool = await open_tool(app, pilot)
        await go_to(pilot, tool, "overall.good_practice")
        await pilot.press("e", *"Typed just before ctrl+q")
        assert tool.autosave.pending  # not yet autosaved
        await pilot.press("ctrl+q")
    assert stored(path)["good_practice"] == "Typed just before ctrl+q"


async def test_help_lists_the_tool_keys(path: Path) -> None:
    from screens.dialogs.help import HelpScreen

    app = app_for(Workspace.open(path, "mid.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_tool(app, pilot)
        await pilot.press("question_mark")
        assert await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = app.screen.plain_text()
        for expected in ("Answer: yes", "Answer: partly", "Answer: not applicable", "Grade: outstanding",
                         "Grade: inadequate", "ctrl+s", "Submit", "Changes save as you type"):
            assert expected in text
        assert app.screen.title_text.startswith("Keys in the audit tool: MID's return for case ")
        assert "Send back" not in text  # a co-ordinator has no lead keys
