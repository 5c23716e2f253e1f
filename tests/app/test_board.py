"""Findings board: card moves, filters, the action plan with RAG, re-tests, roles, hostile text."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static, TextArea

from audit.access import Act
from audit.findings import ActionStatus, Column
from audit.scope import Audit
from screens.board.section import BoardSection
from screens.board.plan import ActionPlanScreen
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.details import InfoScreen
from screens.dialogs.form import FormScreen
from storage.demo_findings import add_demo_discussions
from storage.findings import add_action, add_finding
from storage.returns import cohort_refs
from storage.workspace import Workspace
from tests.app.helpers import app_for, demo_workspace, idle, notes, open_as, open_audit, until
from tests.workspace_files import on_disk as tables_on_disk

REF = "MACA-C86"
HOSTILE = "[/b] a | b # <script>x</script> [bold]y[/bold] \x1b[31mred"
SHOWN = "[/b] a | b # <script>x</script> [bold]y[/bold] red"


def board_ws(tmp_path: Path) -> Workspace:
    """The demo with its discussions and board: F1-F2 strengths, F3-F4 development, F5-F6
    recommendations (F6 proposed by csc.coord), A1 overdue and A2 on track for F5."""
    ws = demo_workspace(tmp_path)
    if not ws.findings(REF):
        add_demo_discussions(ws, ws.audit(REF), cohort_refs(ws, REF))
    return ws


async def open_board(pilot) -> BoardSection:
    await open_audit(pilot)
    await pilot.press("5")
    await until(pilot, lambda: pilot.app.screen.query(BoardSection))
    section = pilot.app.screen.query_one(BoardSection)
    await until(pilot, lambda: section.lists[0].ids and section.lists[0].has_focus)
    return section


def shown(section: BoardSection) -> list[list[str]]:
    return [listing.ids for listing in section.lists]


def card(section: BoardSection, finding_id: str) -> str:
    for listing in section.lists:
        if finding_id in listing.ids:
            return str(listing.get_option(finding_id).prompt)
    raise AssertionError(f"{finding_id} is not on the board")


def on_disk(ws: Workspace, finding_id: str) -> dict:
    findings = tables_on_disk(ws.path)["findings"].values()
    return next(f for f in findings if f["id"] == finding_id)


@pytest.mark.slow
async def test_h_l_j_k_and_card_moves_by_keyboard(tmp_path: Path) -> None:
    ws = board_ws(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_board(pilot)
        assert shown(section) == [["F1", "F2"], ["F3", "F4"], ["F5", "F6"]]
        assert section.current().id == "F1"
        await pilot.press("j")
        assert section.current().id == "F2"
        await pilot.press("L")
        await until(pilot, lambda: "F2" in shown(section)[1])
        assert shown(section) == [["F1"], ["F3", "F4", "F2"], ["F5", "F6"]]
        assert section.column_index == 1 and section.current().id == "F2" and section.lists[1].has_focus
        assert on_disk(ws, "F2")["column"] == "development"
        await pilot.press("K")
        await until(pilot, lambda: shown(section)[1] == ["F3", "F2", "F4"])
        await pilot.press("k")
        assert section.current().id == "F3"
        await pilot.press("l")
        assert section.column_index == 2 and section.current().id == "F5"
        await pilot.press("h", "h")
        assert section.column_index == 0 and section.current().id == "F1"
        await pilot.press("H")  # already the leftmost column: nothing moves
        await pilot.pause()
        assert on_disk(ws, "F1")["column"] == "strength"
    summaries = [e.summary for e in open_as(ws.path, "rlead").journal()[-3:]]
    assert summaries[0] == "moved F2 to Areas for development"
    assert "moved F2 to place 2 in Areas for development" in summaries


@pytest.mark.slow
async def test_recommendation_with_actions_cannot_leave_its_column(tmp_path: Path) -> None:
    app = app_for(board_ws(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_board(pilot)
        await pilot.press("l", "l", "H")
        await until(pilot, lambda: bool(notes(app)))
        assert any("F5 holds 2 SMART actions" in n for n in notes(app))
        assert shown(section)[2] == ["F5", "F6"]


@pytest.mark.slow
async def test_filters_as_you_type_by_objective_and_by_agency(tmp_path: Path) -> None:
    app = app_for(board_ws(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_board(pilot)
        await pilot.press("slash", *"lockdown")
        await until(pilot, lambda: shown(section) == [["F2"], [], []])
        assert str(section.query_one("#head-strength", Static).render()) == "Strengths (1 of 2)"
        assert "Filter: “lockdown”" in str(section.query_one("#board-status", Static).render())
        await pilot.press("escape")
        await until(pilot, lambda: shown(section) == [["F1", "F2"], ["F3", "F4"], ["F5", "F6"]])
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-value", Select).value = "fathers"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: shown(section) == [[], ["F3"], ["F5"]])
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-value", Select).value = "POL"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: shown(section) == [[], ["F3"], []])
        status = str(section.query_one("#board-status", Static).render())
        assert "objective Birth fathers and males in the household · agency POL" in status
        await pilot.press("escape")
        await until(pilot, lambda: shown(section) == [["F1", "F2"], ["F3", "F4"], ["F5", "F6"]])
        await pilot.press("escape")  # with no filter left, escape goes back to the audits
        await until(pilot, lambda: app.screen.__class__.__name__ == "HomeScreen")


def plan_rows(app) -> list[list[str]]:
    table = app.screen.query_one(DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.mark.slow
async def test_action_plan_add_edit_with_rag_and_filters(tmp_path: Path) -> None:
    ws = board_ws(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_board(pilot)
        await pilot.press("l", "l")
        assert section.current().id == "F5"
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, ActionPlanScreen) and app.screen.shown)
        assert [r[:3] for r in plan_rows(app)] == [["16/04/2021", "✗ overdue", "A1"], ["30/06/2021", "● on track", "A2"]]
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        form.query_one("#field-description", TextArea).text = "Re-audit fathers' assessments"
        form.query_one("#field-owner", Select).value = "POL"
        form.query_one("#field-due", Input).value = "26/04/2021"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ActionPlanScreen) and len(app.screen.shown) == 3)
        rows = plan_rows(app)
        assert [r[2] for r in rows] == ["A1", "A3", "A2"]  # soonest due first
        assert rows[1][:6] == ["26/04/2021", "! at risk", "A3", "F5", "POL", "proposed"]
        assert app.screen.query_one(DataTable).cursor_row == 1
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-status", Select).value = "complete"
        await pilot.press("ctrl+s")
        # (the board's worker waits for the plan to close, so "idle" is not the signal here)
        await until(pilot, lambda: isinstance(app.screen, ActionPlanScreen) and plan_rows(app)[1][1] == "✓ complete")
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-owner", Select).value = "MID"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ActionPlanScreen) and [r[2] for r in plan_rows(app)] == ["A2"])
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ActionPlanScreen))
        assert "3 actions · ✗ 1 overdue · ● 1 on track · ✓ 1 complete" in card(section, "F5")
    actions = tables_on_disk(ws.path)["actions"].values()
    a3 = next(a for a in actions if a["id"] == "A3")
    assert (a3["owner"], a3["due"], a3["status"], a3["finding_id"]) == ("POL", "2021-04-26", "complete", "F5")


@pytest.mark.slow
async def test_viewer_is_refused_with_a_sentence(tmp_path: Path) -> None:
    ws = board_ws(tmp_path)
    before = tables_on_disk(ws.path)["findings"]
    app = app_for(open_as(ws.path, "panel2"))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_board(pilot)
        for key in ("L", "a", "e", "d"):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, (FormScreen, ConfirmScreen))
        assert "panel2 is a viewer and can only read; ask a lead auditor to edit the findings board." in notes(app)
        assert "panel2 is a viewer and can only read; ask a lead auditor to propose a finding." in notes(app)
    assert tables_on_disk(ws.path)["findings"] == before


@pytest.mark.slow
async def test_coordinators_finding_is_proposed_and_a_lead_accepts_it(tmp_path: Path) -> None:
    ws = board_ws(tmp_path)
    app = app_for(open_as(ws.path, "csc.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_board(pilot)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-title", Input).value = "Supervision notes challenge drift"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: idle(app) and "F7" in shown(section)[0])
        assert "◇ proposed by csc.coord" in card(section, "F7")
        await pilot.press("L")
        assert await until(pilot, lambda: "Only a lead auditor can edit the findings board; csc.coord is a co-ordinator."
                           in notes(app))
    assert on_disk(ws, "F7")["proposed"] is True and on_disk(ws, "F7")["column"] == "strength"
    app = app_for(open_as(ws.path, "rlead"))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_board(pilot)
        await pilot.press("G", "y")
        await until(pilot, lambda: "Accepted F7 onto the board." in notes(app))
        assert "proposed" not in card(section, "F7")
    assert on_disk(ws, "F7")["proposed"] is False


@pytest.mark.slow
async def test_delete_asks_first_and_takes_the_actions_with_it(tmp_path: Path) -> None:
    ws = board_ws(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_board(pilot)
        await pilot.press("l", "l", "d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "and its 2 SMART actions" in app.screen.question
        await pilot.press("n")
        assert await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert shown(section)[2] == ["F5", "F6"]
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: shown(section)[2] == ["F6"])
    data = tables_on_disk(ws.path)
    assert not data["actions"] and "F5" not in [f["id"] for f in data["findings"].values()]


@pytest.mark.slow
async def test_retest_of_earlier_learning_shows_how_it_fared(tmp_path: Path) -> None:
    ws = board_ws(tmp_path)
    ws.insert(Audit(ref="MACA-X17", title="Earlier: hidden men", agencies=["CSC", "POL"]), act=Act.CREATE_AUDIT)
    add_finding(ws, "MACA-X17", column=Column.RECOMMENDATION, title="Seek the history of every man in the home")
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_board(pilot)
        await pilot.press("l", "r")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-audit", Select).value = "MACA-X17"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.query("#field-verdict"))
        app.screen.query_one("#field-finding_id", Select).value = "F1"
        app.screen.query_one("#field-verdict", Select).value = "partly embedded"
        app.screen.query_one("#field-evidence", TextArea).text = "Seen in 2 of 5 cases"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: idle(app) and "↻" in card(section, "F3"))
        assert "↻ re-tests MACA-X17 F1 Seek the history of every man in the ho…: ◐ partly embedded" in card(section, "F3")
        assert "earlier learning re-tested: 1 ◐1" in str(section.query_one("#board-status", Static).render())
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, InfoScreen))
        assert "Evidence: Seen in 2 of 5 cases" in str(app.screen.body)
    retest = on_disk(ws, "F3")["retest"]
    assert retest == {"audit": "MACA-X17", "finding_id": "F1", "verdict": "partly embedded",
                      "evidence": "Seen in 2 of 5 cases"}


@pytest.mark.slow
async def test_hostile_text_in_cards_and_actions_is_shown_literally(tmp_path: Path) -> None:
    ws = board_ws(tmp_path)
    rec = add_finding(ws, REF, column=Column.RECOMMENDATION, title=HOSTILE, text=HOSTILE, objective="covid")
    add_action(ws, REF, rec.id, description=HOSTILE, owner="CSC", due=date(2021, 5, 30), status=ActionStatus.AGREED)
    app = app_for(ws)
    async with app.run_test(size=(200, 50)) as pilot:
        section = await open_board(pilot)
        assert f"{rec.id} {SHOWN}\nThe impact of Covid-19 · 0 cases" in card(section, rec.id)
        await pilot.press("l", "l", "G", "A")
        await until(pilot, lambda: isinstance(app.screen, ActionPlanScreen) and app.screen.shown)
        assert plan_rows(app)[0][6] == SHOWN
        assert SHOWN in str(app.screen.query_one("#plan-detail", Static).render())
        assert "\x1b" not in json.dumps(tables_on_disk(ws.path)["actions"])


@pytest.mark.slow
def test_snapshot_board(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(app_for(board_ws(tmp_path)), terminal_size=(120, 40), press=["enter", "5", "l"])


@pytest.mark.slow
def test_snapshot_action_plan(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(app_for(board_ws(tmp_path)), terminal_size=(120, 40), press=["enter", "5", "l", "l", "A"])


async def test_a_new_card_is_selected_so_the_next_key_acts_on_it(tmp_path: Path) -> None:
    """Issue 18 item 14: after `a` the selection moves to the new card (A opened another's plan)."""
    ws = board_ws(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_board(pilot)
        await pilot.press("j")  # strengths: F2 highlighted; the new card goes to recommendations
        assert section.current().id == "F2"
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-title", Input).value = "Health visitors see fathers at home"
        app.screen.query_one("#field-column", Select).value = "recommendation"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: idle(app) and "F7" in shown(section)[2])
        await pilot.pause()
        assert section.column_index == 2 and section.lists[2].has_focus
        assert section.current().id == "F7"
        listing = section.lists[2]
        assert str(listing.get_option_at_index(listing.highlighted).prompt).startswith(
            str(listing.get_option("F7").prompt)[:10])


async def test_a_notification_never_sits_on_top_of_a_later_dialog(tmp_path: Path) -> None:
    ws = board_ws(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_board(pilot)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-title", Input).value = "Fathers are invited to every meeting"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Added F7." in notes(app))
        await pilot.press("e")  # straight on to the next dialog
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.pause()
        assert notes(app) == []  # "Added F7." no longer covers the dialog
        assert section.current().id == "F7"


async def test_taking_a_cited_case_out_lists_its_trail_and_the_board_flags_it(tmp_path: Path) -> None:
    """Issue 18 item 1: the confirmation lists the returns, discussion and findings of the
    case; afterwards each card citing it says the case is not in the cohort."""
    from storage.demo_returns import add_demo_returns

    ws = board_ws(tmp_path)
    add_demo_returns(ws, REF)
    citing = sorted(f.id for f in ws.findings(REF) if "RB-2020-001" in f.cases)
    assert citing
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_audit(pilot)
        await pilot.press("2")
        await until(pilot, lambda: type(app.focused).__name__ == "CohortTable")
        await pilot.press("space")  # RB-2020-001, in the cohort
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        hint = " ".join(str(w.render()) for w in app.screen.query(".hint"))
        assert "Kept with the case (nothing is deleted):" in hint
        assert "agency returns: CSC submitted" in hint
        assert "its case discussion (held" in hint
        assert f"findings {', '.join(citing)} cite it as evidence" in hint
        app.screen.query_one("#field-reason", Input).value = "family moved out of the area"
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, FormScreen) and idle(app))
        await pilot.press("5")
        await until(pilot, lambda: app.screen.query(BoardSection))
        section = app.screen.query_one(BoardSection)
        await until(pilot, lambda: section.lists[0].ids)
        for finding_id in citing:
            assert "⚠ RB-2020-001 not in the cohort" in card(section, finding_id)
        others = [i for ids in shown(section) for i in ids if i not in citing]
        assert all("not in the cohort" not in card(section, i) for i in others)
        n = len(citing)
        assert f"⚠ {n} cite{'s' if n == 1 else ''} a case not in the cohort" in str(
            section.query_one("#board-status", Static).render())


async def test_a_card_promoted_in_discussion_is_on_the_board_and_selected_when_you_come_back(
        tmp_path: Path) -> None:
    """Issue 18 item 14: the board, opened before, kept its old cards and selection after a
    point was promoted in Discussion, so `A` opened another card's plan."""
    from screens.discussion.section import DiscussionSection

    ws = board_ws(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_board(pilot)
        await pilot.press("l", "l")
        assert section.current().id == "F5"
        await pilot.press("4")
        await until(pilot, lambda: app.screen.query(DiscussionSection)
                    and app.screen.query_one(DiscussionSection).subject is not None)
        discussion = app.screen.query_one(DiscussionSection)
        discussion.rows_list.focus()
        discussion.rows_list.highlighted = [r.id for r in discussion.rows].index("well:0")
        await pilot.pause()
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-column", Select).value = "recommendation"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: idle(app) and not isinstance(app.screen, FormScreen))
        new = max((f.id for f in ws.findings(REF)), key=lambda i: int(i[1:]))
        await pilot.press("5")
        await until(pilot, lambda: new in shown(section)[2])
        assert section.column_index == 2 and section.current().id == new
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, ActionPlanScreen))
        assert app.screen.finding_id == new
