"""Discussion section: returns side by side, the record, agreed grades, points and promotion."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Select, Static, TextArea

from audit.access import Act
from audit.findings import Column
from audit.grades import Grade
from audit.returns import Concern, Return, SectionReturn, Status
from audit.scope import Audit, Kind, Objective
from screens.discussion.section import DiscussionSection
from screens.dialogs.form import FormScreen
from storage.demo_findings import add_demo_discussions
from storage.findings import open_discussion, save_discussion
from storage.returns import cohort_refs
from storage.workspace import Workspace
from tests.app.helpers import app_for, demo_workspace, idle, notes, open_as, open_audit, told, until
from tests.workspace_files import on_disk

REF = "MACA-C86"
CASE = "RB-2020-001"
HOSTILE = "[/b] a | b # <script>x</script> [bold]y[/bold] \x1b[31mred"
SHOWN = "[/b] a | b # <script>x</script> [bold]y[/bold] red"


def put_return(ws: Workspace, ret: Return) -> None:
    """Insert or overwrite a return, whatever the demo already holds for that case."""
    stored = ws.get(ret)
    if stored is None:
        ws.insert(ret, act=Act.EDIT_RETURN)
    else:
        ws.save(dataclasses.replace(ret, rev=stored.rev), act=Act.EDIT_RETURN)


def seeded(tmp_path: Path) -> Workspace:
    """The demo (with its discussions and board) and known returns and record for the first case:
    CSC, GP and POL received, EY not involved, HV a draft, POL with an acknowledged concern."""
    ws = demo_workspace(tmp_path)
    if not ws.findings(REF):  # the same start whether or not the demo already holds its board
        add_demo_discussions(ws, ws.audit(REF), cohort_refs(ws, REF))
    audit = ws.audit(REF)
    states = {"CSC": Status.SUBMITTED, "GP": Status.RESUBMITTED, "EY": Status.NOT_INVOLVED, "HV": Status.DRAFT,
              "POL": Status.SUBMITTED}
    for agency in audit.agencies:
        status = states.get(agency, Status.NOT_STARTED)
        sections = {}
        if agency in ("CSC", "GP", "POL", "HV"):
            grade = {"CSC": Grade.GOOD, "GP": Grade.REQUIRES_IMPROVEMENT, "POL": Grade.INADEQUATE,
                     "HV": Grade.OUTSTANDING}[agency]
            sections = {"curiosity": SectionReturn(grade, f"{agency} evidence: chronology checked")}
        # Acknowledged already, so the lead's alert does not stand in front of the tests.
        concern = Concern(raised=True, details="Baby seen with a bruise", raised_by="pol.coord",
                          raised_at=datetime(2021, 4, 14, 9), acknowledged_by="rlead",
                          acknowledged_at=datetime(2021, 4, 14, 10), action_taken="Referred to CSC duty") \
            if agency == "POL" else Concern()
        put_return(ws, Return(audit=REF, case_ref=CASE, agency=agency, status=status, sections=sections,
                              concern=concern))
    stored = ws.get("discussions", f"{REF}/{CASE}")
    fresh = open_discussion(ws, REF, CASE)
    save_discussion(ws, dataclasses.replace(fresh, rev=stored.rev if stored else 0, agreed_grades={},
                                            worked_well=["Chronology used well."], worked_less_well=[],
                                            attendees=[], held_on=None, notes=""))
    return ws


async def open_discussion_section(pilot) -> DiscussionSection:
    await open_audit(pilot)
    await pilot.press("4")
    await until(pilot, lambda: pilot.app.screen.query(DiscussionSection))
    section = pilot.app.screen.query_one(DiscussionSection)
    await until(pilot, lambda: section.subject is not None)
    return section


def rows_text(section: DiscussionSection) -> str:
    listing = section.query_one("#discussion-rows", OptionList)
    return "\n".join(str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count))


async def go_row(pilot, section: DiscussionSection, row_id: str) -> None:
    section.rows_list.focus()
    section.rows_list.highlighted = [r.id for r in section.rows].index(row_id)
    await pilot.pause()


async def test_returns_side_by_side_with_grades_evidence_and_concern(tmp_path: Path) -> None:
    app = app_for(seeded(tmp_path))
    async with app.run_test(size=(160, 50)) as pilot:
        section = await open_discussion_section(pilot)
        assert section.subject == CASE
        text = rows_text(section)
        first = text.split("\n\n")[0] if "\n\n" in text else text
        assert "CSC ✓" in first and "GP !" in first and "POL ✗" in first
        assert "HV ✎" in first  # a draft's grade is not shown until it is received
        assert "EY ∅" in first and "MID ◦" in first
        assert "CSC ✓ CSC evidence: chronology checked" in text
        assert "HV evidence" not in text
        # One each of good, requires improvement and inadequate: a tie suggests no grade.
        assert "(returns split: 1 good, 1 requires improvement, 1 inadequate)" in text
        assert "returns mostly" not in text
        head = str(section.query_one("#discussion-head", Static).render())
        assert "returns received 3 of 8" in head  # EY was not involved: not a received return
        assert "⚠ POL raised an immediate safeguarding concern (acknowledged): Baby seen with a bruise" in head
        subjects = section.query_one("#discussion-subjects", OptionList)
        assert str(subjects.get_option_at_index(0).prompt).endswith("3/8")  # ⚠ there only while open


@pytest.mark.slow
async def test_agreed_grade_by_number_keys_and_sections_still_switch(tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_discussion_section(pilot)
        await pilot.press("l")
        await go_row(pilot, section, "objective:fathers")
        await pilot.press("3")
        await until(pilot, lambda: idle(app) and "fathers" in open_discussion(ws, REF, CASE).agreed_grades)
        assert open_discussion(ws, REF, CASE).agreed_grades["fathers"] is Grade.REQUIRES_IMPROVEMENT
        assert "agreed: ! Requires improvement" in rows_text(section)
        assert section.current_row_id() == "objective:fathers"
        await pilot.press("0")
        await until(pilot, lambda: idle(app) and "fathers" not in open_discussion(ws, REF, CASE).agreed_grades)
        await pilot.press("h")  # on the case list, numbers switch sections again
        await pilot.press("1")
        await until(pilot, lambda: app.screen.current == "scope")
    stored = on_disk(ws.path)["discussions"]
    assert all(d["agreed_grades"].get("fathers") is None for d in stored.values())


async def test_record_form_saves_date_and_attendees(tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_discussion_section(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-held_on", Input).value = "04/05/2021"
        app.screen.query_one("#field-attendees", TextArea).text = "csc Team manager (Ann)\nChair: QA lead"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: idle(app) and not isinstance(app.screen, FormScreen))
        assert "Held on: 04/05/2021" in rows_text(section)
        assert "Attendees: CSC Team manager (Ann); Chair: QA lead" in rows_text(section)
    d = open_as(ws.path, "rlead").get("discussions", f"{REF}/{CASE}")
    assert d.held_on == date(2021, 5, 4) and d.attendees[0].agency == "CSC"
    assert open_as(ws.path, "rlead").journal()[-1].summary == f"recorded the discussion of {CASE}"


@pytest.mark.slow
async def test_add_a_point_and_promote_it_to_a_finding(tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    before = {f.id for f in ws.findings(REF)}
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_discussion_section(pilot)
        await pilot.press("W")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-text", TextArea).text = "Fathers were not seen. Nobody asked who lived there."
        await pilot.press("ctrl+s")
        await until(pilot, lambda: idle(app) and section.current_row_id() == "less:0")
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        assert app.screen.query_one("#field-title", Input).value == "Fathers were not seen."
        assert app.screen.query_one("#field-column", Select).value == "development"
        app.screen.query_one("#field-objective", Select).value = "fathers"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: idle(app) and not isinstance(app.screen, FormScreen))
        new = [f for f in ws.findings(REF) if f.id not in before]
        assert len(new) == 1
        assert f"→ {new[0].id}" in rows_text(section)
        assert any(n.startswith(f"Promoted to {new[0].id} in Areas for development") for n in told(app))
    f = new[0]
    assert (f.column, f.objective, f.cases, f.proposed) == (Column.DEVELOPMENT, "fathers", [CASE], False)
    assert f.agencies == ["CSC", "GP", "POL"]  # received returns in the audit's order; EY was not involved
    assert f.text == "Fathers were not seen. Nobody asked who lived there."


@pytest.mark.slow
async def test_enter_edits_the_highlighted_point_and_d_deletes_it(tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_discussion_section(pilot)
        await go_row(pilot, section, "well:0")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        area = app.screen.query_one("#field-text", TextArea)
        assert area.text == "Chronology used well."
        area.text = "Chronology used well by every agency."
        await pilot.press("ctrl+s")
        await until(pilot, lambda: idle(app) and not isinstance(app.screen, FormScreen))
        assert "• Chronology used well by every agency." in rows_text(section)
        assert open_discussion(ws, REF, CASE).worked_well == ["Chronology used well by every agency."]
        await go_row(pilot, section, "well:0")
        await pilot.press("d")
        await until(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen")
        await pilot.press("y")
        await until(pilot, lambda: idle(app) and not open_discussion(ws, REF, CASE).worked_well)


async def test_coordinator_promotion_is_proposed_but_cannot_edit_the_record(tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    app = app_for(open_as(ws.path, "csc.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_discussion_section(pilot)
        await pilot.press("w")
        assert await until(pilot, lambda: any("Only a lead auditor can record a discussion; csc.coord is a co-ordinator."
                                              in n for n in notes(app)))
        assert not isinstance(app.screen, FormScreen)
        await go_row(pilot, section, "well:0")
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        assert not app.screen.query("#field-into")  # a co-ordinator cannot fold it into an existing finding
        await pilot.press("ctrl+s")
        await until(pilot, lambda: idle(app) and not isinstance(app.screen, FormScreen))
        assert any("a lead accepts it on the board" in n for n in notes(app))
    lead = open_as(ws.path, "rlead")
    proposed = [f for f in lead.findings(REF) if f.created_by == "csc.coord" and f.text == "Chronology used well."]
    assert len(proposed) == 1 and proposed[0].proposed


@pytest.mark.parametrize("key", ["e", "p", "3"])
async def test_viewer_is_refused_with_a_sentence(tmp_path: Path, key: str) -> None:
    ws = seeded(tmp_path)
    before = on_disk(ws.path)
    app = app_for(open_as(ws.path, "panel2"))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_discussion_section(pilot)
        await go_row(pilot, section, "well:0" if key == "p" else "objective:curiosity")
        await pilot.press(key)
        await until(pilot, lambda: idle(app) and bool(notes(app)))
        assert not isinstance(app.screen, FormScreen)
        assert any(n.startswith("panel2 is a viewer and can only read; ask a lead auditor to") for n in notes(app))
    after = on_disk(ws.path)
    assert after["discussions"] == before["discussions"]
    assert after.get("findings") == before.get("findings")


async def test_hostile_point_is_shown_and_stored_literally(tmp_path: Path) -> None:
    ws = seeded(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(160, 40)) as pilot:
        section = await open_discussion_section(pilot)
        await pilot.press("w")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-text", TextArea).text = HOSTILE
        await pilot.press("ctrl+s")
        await until(pilot, lambda: idle(app) and section.current_row_id() == "well:1")
        assert f"• {SHOWN}" in rows_text(section)
    assert open_discussion(open_as(ws.path, "rlead"), REF, CASE).worked_well[-1] == SHOWN


async def test_thematic_audit_adds_activities_not_sessions(tmp_path: Path) -> None:
    """A MATA's evidence is its activities (issue 20): a in Discussion opens the activity
    form in the Evidence screen; the old "session" the report never carried is gone."""
    from screens.discussion.evidence import EvidenceScreen

    ws = demo_workspace(tmp_path)
    ws.insert(Audit(ref="MATA-N1", title="Neglect", kind=Kind.MATA, agencies=["CSC", "HV"],
                    objectives=[Objective("voice", "Voice of the child")]), act=Act.CREATE_AUDIT)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.focused is not None)  # home's table
        home = app.screen
        for _ in range(8):  # home lists the programme by year: step to the MATA's row
            if home.selected_ref() == "MATA-N1":
                break
            await pilot.press("j")
        await open_audit(pilot)
        assert app.screen.audit_ref == "MATA-N1"
        await pilot.press("4")
        await until(pilot, lambda: app.screen.query(DiscussionSection))
        section = app.screen.query_one(DiscussionSection)
        assert "a adds an activity, v lists them" in str(section.query_one("#discussion-head", Static).render())
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        assert isinstance(app.screen_stack[-2], EvidenceScreen)
        assert app.screen.query("#field-title") and not app.screen.query("#field-name")
        await pilot.press("escape")
    assert not open_as(ws.path, "rlead").discussions("MATA-N1")


def test_snapshot_discussion(snap_compare, tmp_path: Path) -> None:
    app = app_for(seeded(tmp_path))
    assert snap_compare(app, terminal_size=(120, 40), press=["enter", "4", "l"])


async def test_at_80_columns_cut_evidence_keeps_its_ellipsis_and_marks_their_agency(tmp_path: Path) -> None:
    """Found walking the demo at 80×24: a cut rationale put its "…" alone on the next line,
    and an agency's mark wrapped away from its code ("EY" | "◦")."""
    ws = seeded(tmp_path)
    ws.save(dataclasses.replace(ws.get_return(REF, CASE, "CSC"), sections={"curiosity": SectionReturn(
        Grade.GOOD, "The record shows this consistently across the whole period, with dates.")}),
        act=Act.EDIT_RETURN)
    app = app_for(open_as(ws.path, "rlead"))
    async with app.run_test(size=(80, 24)) as pilot:
        section = await open_discussion_section(pilot)
        await pilot.pause()
        listing = section.query_one("#discussion-rows", OptionList)
        painted = [listing.render_line(y).text.rstrip(" ▎▂▃▄▅▆▇█") for y in range(listing.size.height)]
        assert not any(line.strip() in ("…", "a…") or line.strip().startswith("…") for line in painted), painted
        assert any(line.strip().startswith("CSC ✓ The record shows") and line.endswith("…") for line in painted)
        codes = ["CSC", "MID", "HV", "GP", "ASM", "AMH", "EY", "POL"]
        for line in painted:
            words = line.split()
            if words and words[-1] in codes:
                raise AssertionError(f"{words[-1]}'s mark is on the next line: {line!r}")


async def test_a_case_taken_out_in_cohort_leaves_the_list_when_you_come_back(tmp_path: Path) -> None:
    """Stale after your own save (issue 18 item 5), as in Returns."""
    from screens.cohort.table import CohortTable

    ws = seeded(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_discussion_section(pilot)
        gone = section.subject_ids[0]
        await pilot.press("2")
        await until(pilot, lambda: isinstance(app.focused, CohortTable))
        await pilot.press("space")  # the first case, in the cohort
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-reason", Input).value = "moved out of the area"
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, FormScreen) and idle(app))
        await pilot.press("4")
        await until(pilot, lambda: gone not in section.subject_ids)
        assert section.subject != gone
