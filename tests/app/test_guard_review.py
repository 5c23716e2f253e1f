"""Review instead of a dead end (issue 16 item 3): possible identifiers are listed for the
lead with the identifier masked, each can be marked "not an identifier here" with a
reason (journaled), the export then goes ahead, and the mark lasts until the text
changes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from audit.access import Act
from audit.cases import CandidateCase
from screens.dialogs.form import FormScreen
from screens.report.leaks import LeakScreen
from storage.demo import DEMO_AUDIT
from storage.export import default_path
from storage.workspace import Workspace
from tests.app.helpers import app_for, idle, open_as, until
from tests.app.test_report_section import messages, open_report, seeded
from tests.conftest import TODAY

POSSIBLE = "Young parents were rarely seen at home. The Drummond family moved twice."


def with_common_names(tmp_path: Path) -> Workspace:
    """The demo with candidates named Young and Drummond (not picked for the cohort), and a
    background that uses "Young" as a word at the start of a sentence."""
    ws = seeded(tmp_path)
    ws.insert(CandidateCase(audit=DEMO_AUDIT, case_ref="RB-2020-901", family_name="Young"), act=Act.IMPORT_CASES)
    ws.insert(CandidateCase(audit=DEMO_AUDIT, case_ref="RB-2020-902", family_name="Drummond"), act=Act.IMPORT_CASES)
    audit = ws.audit(DEMO_AUDIT)
    ws.save(dataclasses.replace(audit, background=POSSIBLE), act=Act.EDIT_SCOPE)
    return ws


def prompts(screen: LeakScreen) -> list[str]:
    options = screen.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


@pytest.mark.slow  # seconds of CPU (a long flow); make test runs it
async def test_a_lead_marks_a_possible_match_and_the_export_goes_ahead(tmp_path: Path, monkeypatch) -> None:
    ws = with_common_names(tmp_path)
    monkeypatch.chdir(tmp_path)  # the export's default folder is the current one
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_report(pilot)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, LeakScreen))
        screen = app.screen
        assert [p.splitlines()[:2] for p in prompts(screen)] == [
            ["? scope, background: possibly the family name of case RB-2020-901",
             "  “‹name› parents were rarely seen at home. The ‹name›…”"],  # cut inside a name: masked
            ["✗ scope, background: the family name of case RB-2020-902",
             "  “…‹name› parents were rarely seen at home. The ‹name› family moved twice.”"],
        ]
        # A certain match cannot be marked; a possible one can.
        await pilot.press("j")
        assert screen.check_action("mark", ()) is False
        await pilot.press("k")
        assert screen.check_action("mark", ()) is True
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-reason", Input).value = "The word young, about the parents' age."
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen and len(screen.leaks) == 1)
        assert prompts(screen)[0].startswith("✗ scope, background: the family name of case RB-2020-902")
        assert any("Marked scope, background as not an identifier (journaled). 1 left" in m for m in messages(app))
        assert str(screen.query_one("#leak-message").render()) == (
            "The report holds identifiers of cases at 1 place (✗): it cannot be exported until they are taken out "
            "of the audit's text.")
        await pilot.press("escape")
        # The certain one is taken out of the text: the mark of the possible one is gone
        # with the text it was made on, so it is listed again.
        audit = ws.audit(DEMO_AUDIT)
        ws.save(dataclasses.replace(audit, background=POSSIBLE.replace("Drummond", "other")), act=Act.EDIT_SCOPE)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, LeakScreen))
        assert [p.splitlines()[0] for p in prompts(app.screen)] == [
            "? scope, background: possibly the family name of case RB-2020-901"]
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-reason", Input).value = "Young as in age."
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, LeakScreen) and not app.screen.leaks)
        assert any("Nothing stops the export now: press e to export." in m for m in messages(app))
        await pilot.press("escape")
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, FormScreen) and idle(app))
        await until(pilot, lambda: any(m.startswith("Exported the") for m in messages(app)))
    assert "Young parents" in (tmp_path / default_path(ws, DEMO_AUDIT, "md", TODAY).name).read_text(encoding="utf-8")
    entries = [e for e in open_as(ws.path, "rlead").journal() if "not an identifier" in e.summary]
    assert [e.summary for e in entries][-1] == (
        "marked a possible family name at scope, background as not an identifier: Young as in age.")


async def test_enter_on_a_finding_goes_to_the_field_to_fix(tmp_path: Path) -> None:
    from screens.scope.section import ScopeSection

    ws = with_common_names(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_report(pilot)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, LeakScreen))
        await pilot.press("j", "enter")
        await until(pilot, lambda: not isinstance(app.screen, LeakScreen) and app.screen.current == "scope")
        scope = app.screen.query_one(ScopeSection)
        assert scope.current_id() == "background" and scope.query_one(OptionList).has_focus
        assert any(m.startswith("Here: scope, background. Fix: edit it in Scope (1)") for m in messages(app))


async def test_a_coordinator_sees_possible_matches_but_cannot_mark_them(tmp_path: Path) -> None:
    ws = with_common_names(tmp_path)
    audit = ws.audit(DEMO_AUDIT)
    ws.save(dataclasses.replace(audit, background="Young parents were rarely seen."), act=Act.EDIT_SCOPE)
    app = app_for(open_as(ws.path, "csc.coord"))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_report(pilot)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, LeakScreen))
        assert app.screen.leak_title == "Possible identifiers to review"
        assert "A lead reviews it: it may be an ordinary word here." in prompts(app.screen)[0]
        assert app.screen.check_action("mark", ()) is False
        await pilot.press("m")
        assert not isinstance(app.screen, FormScreen)


def test_snapshot_review(snap_compare, tmp_path: Path) -> None:
    ws = with_common_names(tmp_path)

    async def run_before(pilot) -> None:
        await open_report(pilot)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(pilot.app.screen, LeakScreen))

    assert snap_compare(app_for(ws), terminal_size=(120, 40), run_before=run_before)
