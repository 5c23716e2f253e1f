"""Scope section: every field edited by keyboard, refusals, conflicts, hostile text."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, SelectionList, Static, TextArea

from audit.access import Act
from screens.dialogs.conflict import ConflictScreen
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import FormScreen
from screens.scope.section import ScopeSection
from tests.app.helpers import app_for, demo_workspace, idle, notes, open_as, until
from tests.workspace_files import data_bytes, on_disk

HOSTILE = "[/b] a | b # <script>x</script> [bold]y[/bold] \x1b[31mred"
SHOWN = "[/b] a | b # <script>x</script> [bold]y[/bold] red"  # escape sequences removed, the rest as typed


async def open_scope(pilot) -> ScopeSection:
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(pilot.app.focused, OptionList))
    return pilot.app.screen.query_one(ScopeSection)


def form_failed(pilot) -> bool:
    return modal(pilot, FormScreen) and "shown" in pilot.app.screen.query_one("#form-errors").classes


def modal(pilot, kind: type) -> bool:
    return isinstance(pilot.app.screen, kind)


async def key_then(pilot, key: str, condition) -> None:
    await pilot.press(key)
    await until(pilot, condition)


async def go_to(pilot, section: ScopeSection, row_id: str) -> None:
    options = section.query_one(OptionList)
    options.highlighted = [r.id for r in section.rows].index(row_id)
    await pilot.pause()


def labels(section: ScopeSection) -> list[str]:
    options = section.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def detail(section: ScopeSection) -> str:
    return str(section.query_one("#scope-detail-text", Static).render())


async def test_edit_objective_by_keyboard_saves_and_journals(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_scope(pilot)
        await go_to(pilot, section, "objective:curiosity")
        await key_then(pilot, "e", lambda: modal(pilot, FormScreen))
        title = app.screen.query_one("#field-title", Input)
        title.value = "Curiosity and respectful uncertainty"
        await key_then(pilot, "ctrl+s", lambda: (not modal(pilot, FormScreen) and idle(app)) or form_failed(pilot))
        assert not isinstance(app.screen, FormScreen)
        assert "  1 curiosity: Curiosity and respectful uncertainty" in labels(section)
    stored = on_disk(ws.path)
    audit = next(iter(stored["audits"].values()))
    assert audit["objectives"][0]["title"] == "Curiosity and respectful uncertainty"
    assert audit["rev"] == 2
    entry = open_as(ws.path, "rlead").journal()[-1]
    assert entry.summary == "edited objective curiosity"
    # Field-level journal: only the objective that changed, by its position.
    assert list(entry.before["objectives"]) == ["0"]
    assert entry.before["objectives"]["0"]["title"] == "Professional curiosity"
    assert entry.after["objectives"]["0"]["title"] == "Curiosity and respectful uncertainty"


@pytest.mark.slow
async def test_add_reorder_and_delete_objectives(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_scope(pilot)
        await go_to(pilot, section, "group:objective")
        await key_then(pilot, "a", lambda: modal(pilot, FormScreen))
        app.screen.query_one("#field-id", Input).value = "neglect"
        app.screen.query_one("#field-title", Input).value = "Neglect"
        await key_then(pilot, "ctrl+s", lambda: (not modal(pilot, FormScreen) and idle(app)) or form_failed(pilot))
        assert [o.id for o in ws.audit("MACA-C86").objectives][-1] == "neglect"
        assert section.current_id() == "objective:neglect"
        await key_then(pilot, "K", lambda: [o.id for o in ws.audit("MACA-C86").objectives][-2] == "neglect")
        assert [o.id for o in ws.audit("MACA-C86").objectives][-2:] == ["neglect", "covid"]
        await go_to(pilot, section, "objective:neglect")
        await key_then(pilot, "d", lambda: modal(pilot, ConfirmScreen))
        await key_then(pilot, "y", lambda: "neglect" not in [o.id for o in ws.audit("MACA-C86").objectives])
        assert "neglect" not in [o.id for o in ws.audit("MACA-C86").objectives]


async def test_duplicate_objective_id_is_refused_in_the_form(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_scope(pilot)
        await go_to(pilot, section, "group:objective")
        await key_then(pilot, "a", lambda: modal(pilot, FormScreen))
        app.screen.query_one("#field-id", Input).value = "covid"
        app.screen.query_one("#field-title", Input).value = "Again"
        await key_then(pilot, "ctrl+s", lambda: (not modal(pilot, FormScreen) and idle(app)) or form_failed(pilot))
        assert isinstance(app.screen, FormScreen)
        assert "Another objective already has the id 'covid'." in str(app.screen.query_one("#form-errors").render())
    assert len(ws.audit("MACA-C86").objectives) == 6


async def test_linked_review_shows_rapid_review_due_in_working_days(tmp_path: Path) -> None:
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_scope(pilot)
        await go_to(pilot, section, "linked")
        # Notified Monday 09/11/2020; 15 working days later, no bank holiday in between.
        assert "Rapid review due: 30/11/2020" in detail(section)
        await key_then(pilot, "e", lambda: modal(pilot, FormScreen) or bool(notes(app)))
        app.screen.query_one("#field-notification_date", Input).value = "18/12/2020"
        await key_then(pilot, "ctrl+s", lambda: (not modal(pilot, FormScreen) and idle(app)) or form_failed(pilot))
        # Friday 18/12/2020: 21-24, 29-31 Dec, 4-8 and 11-13 Jan are the 15 working days;
        # 25 and 28 December and 1 January are bank holidays, so it is due Wednesday 13/01/2021
        # (ten calendar days later than if holidays were ignored).
        assert "Rapid review due: 13/01/2021" in detail(section)


async def test_lookback_start_after_end_is_refused(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_scope(pilot)
        await go_to(pilot, section, "lookback")
        await key_then(pilot, "enter", lambda: modal(pilot, FormScreen))
        app.screen.query_one("#field-start", Input).value = "2021-01-01"
        app.screen.query_one("#field-end", Input).value = "31/12/2020"
        await key_then(pilot, "ctrl+s", lambda: (not modal(pilot, FormScreen) and idle(app)) or form_failed(pilot))
        assert "The lookback must start on or before its end." in str(app.screen.query_one("#form-errors").render())
        app.screen.query_one("#field-end", Input).value = "31/02/2021"
        await key_then(pilot, "ctrl+s", lambda: (not modal(pilot, FormScreen) and idle(app)) or form_failed(pilot))
        assert '"31/02/2021" is not a real date' in str(app.screen.query_one("#form-errors").render())
    assert ws.audit("MACA-C86").lookback_start == date(2020, 1, 1)


async def test_agencies_and_milestone_done(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_scope(pilot)
        await go_to(pilot, section, "agencies")
        await key_then(pilot, "e", lambda: modal(pilot, FormScreen) or bool(notes(app)))
        chooser = app.screen.query_one(SelectionList)
        chooser.deselect("EY")
        await key_then(pilot, "ctrl+s", lambda: (not modal(pilot, FormScreen) and idle(app)) or form_failed(pilot))
        assert "EY" not in ws.audit("MACA-C86").agencies
        assert "Agencies: CSC, MID, HV, GP, ASM, AMH, POL" in labels(section)
        await go_to(pilot, section, "milestone:1")
        assert "✗ overdue" not in labels(section)[section.query_one(OptionList).highlighted]
        await key_then(pilot, "e", lambda: modal(pilot, FormScreen) or bool(notes(app)))
        from textual.widgets import Select

        app.screen.query_one("#field-done", Select).value = "yes"
        await key_then(pilot, "ctrl+s", lambda: (not modal(pilot, FormScreen) and idle(app)) or form_failed(pilot))
        assert ws.audit("MACA-C86").milestones[1].done
        assert "✓ done" in labels(section)[section.query_one(OptionList).highlighted]


@pytest.mark.parametrize("login", ["panel.vic", "csc.coord"])
async def test_only_leads_edit_scope(tmp_path: Path, login: str) -> None:
    ws = demo_workspace(tmp_path)
    before = data_bytes(ws.path)
    app = app_for(open_as(ws.path, login))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_scope(pilot)
        await go_to(pilot, section, "title")
        await key_then(pilot, "e", lambda: modal(pilot, FormScreen) or bool(notes(app)))
        assert not isinstance(app.screen, FormScreen)
        assert any("edit the scope" in n for n in notes(app)), notes(app)
    lead = open_as(ws.path, "rlead")
    assert lead.audit("MACA-C86").title == "Unborn babies, older siblings and multiple adversity"
    refused = lead.journal()[-1]
    assert (refused.action, refused.who, refused.audit) == ("refused", login, "MACA-C86")
    after = data_bytes(ws.path)
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed and all(name.startswith("journal/") for name in changed)  # only the journal grew


async def test_conflict_shows_both_versions_and_applies_mine_on_top(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_scope(pilot)
        await go_to(pilot, section, "title")
        await key_then(pilot, "e", lambda: modal(pilot, FormScreen) or bool(notes(app)))
        # Meanwhile another lead changes the background and the title.
        other = open_as(ws.path, "qa.tamsin")
        theirs = other.audit("MACA-C86")
        other.save(dataclasses.replace(theirs, title="Their title", background="Their background"),
                   act=Act.EDIT_SCOPE)
        app.screen.query_one("#field-title", Input).value = "My title"
        await key_then(pilot, "ctrl+s", lambda: modal(pilot, ConflictScreen))
        shown = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "Their title" in shown and "My title" in shown
        await key_then(pilot, "m", lambda: "Title: My title" in labels(section))
    final = open_as(ws.path, "rlead").audit("MACA-C86")
    assert final.title == "My title"
    assert final.background == "Their background"  # their other change survives


async def test_conflict_keep_theirs_saves_nothing(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_scope(pilot)
        await go_to(pilot, section, "title")
        await key_then(pilot, "e", lambda: modal(pilot, FormScreen) or bool(notes(app)))
        other = open_as(ws.path, "qa.tamsin")
        other.save(dataclasses.replace(other.audit("MACA-C86"), title="Their title"), act=Act.EDIT_SCOPE)
        app.screen.query_one("#field-title", Input).value = "My title"
        await key_then(pilot, "ctrl+s", lambda: modal(pilot, ConflictScreen))
        await key_then(pilot, "t", lambda: "Title: Their title" in labels(section))
        assert "Title: Their title" in labels(section)
    assert open_as(ws.path, "rlead").audit("MACA-C86").title == "Their title"


FIELDS = [
    ("title", "title", "Title: "),
    ("background", "background", "Background: "),
    ("linked", "linked_review", "Linked review: "),
]


@pytest.mark.parametrize("row,field,prefix", FIELDS)
async def test_hostile_text_displays_as_typed(tmp_path: Path, row: str, field: str, prefix: str) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_scope(pilot)
        await go_to(pilot, section, row)
        await key_then(pilot, "e", lambda: modal(pilot, FormScreen) or bool(notes(app)))
        widget = app.screen.query_one(f"#field-{field}")
        if isinstance(widget, TextArea):
            widget.text = HOSTILE
        else:
            widget.value = HOSTILE
        await key_then(pilot, "ctrl+s", lambda: (not modal(pilot, FormScreen) and idle(app)) or form_failed(pilot))
        assert any(label.startswith(prefix + SHOWN) for label in labels(section)), labels(section)
        assert SHOWN in detail(section)
    assert getattr(ws.audit("MACA-C86"), field) == SHOWN


@pytest.mark.slow
async def test_hostile_text_in_lists_displays_as_typed(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(160, 40)) as pilot:
        section = await open_scope(pilot)
        for group, fields in (
            ("purpose", {"text": HOSTILE}),
            ("objective", {"id": "x1", "title": HOSTILE, "text": HOSTILE}),
            ("milestone", {"name": HOSTILE, "due": "01/05/2021"}),
            ("criterion", {"id": "c1", "label": HOSTILE}),
        ):
            await go_to(pilot, section, f"group:{group}")
            await key_then(pilot, "a", lambda: modal(pilot, FormScreen))
            for name, value in fields.items():
                widget = app.screen.query_one(f"#field-{name}")
                if isinstance(widget, TextArea):
                    widget.text = value
                else:
                    widget.value = value
            if group == "criterion":
                app.screen.query_one("#field-predicates", SelectionList).select("unborn")
            await key_then(pilot, "ctrl+s", lambda: not modal(pilot, FormScreen) and idle(app))
            await until(pilot, lambda: any(SHOWN in label for label in labels(section)))
            assert any(SHOWN in label for label in labels(section)), (group, labels(section))
            assert SHOWN in detail(section), group
    audit = ws.audit("MACA-C86")
    assert audit.purpose[-1] == SHOWN
    assert audit.objectives[-1].title == SHOWN
    assert audit.milestones[-1].name == SHOWN
    assert audit.criteria[-1].label == SHOWN


async def test_open_form_is_kept_and_the_user_told_when_another_session_saves(tmp_path: Path) -> None:
    ws = demo_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_scope(pilot)
        await go_to(pilot, section, "background")
        await key_then(pilot, "e", lambda: modal(pilot, FormScreen))
        area = app.screen.query_one("#field-background", TextArea)
        area.text = "Half-typed background"
        other = open_as(ws.path, "qa.tamsin")
        other.save(dataclasses.replace(other.audit("MACA-C86"), title="Their title"), act=Act.EDIT_SCOPE)
        app.poll_workspace()
        await until(pilot, lambda: "shown" in app.screen.query_one("#form-notice").classes)
        assert modal(pilot, FormScreen)
        assert app.screen.query_one("#field-background", TextArea).text == "Half-typed background"
        assert "Someone else saved a change meanwhile" in str(app.screen.query_one("#form-notice").render())
        await key_then(pilot, "ctrl+s", lambda: not modal(pilot, FormScreen) and idle(app))
    final = open_as(ws.path, "rlead").audit("MACA-C86")
    assert (final.title, final.background) == ("Their title", "Half-typed background")


@pytest.mark.slow
async def test_a_slow_save_tells_the_user_it_waited(tmp_path: Path) -> None:
    import subprocess
    import sys

    ws = demo_workspace(tmp_path)
    app = app_for(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_scope(pilot)
        await go_to(pilot, section, "title")
        await key_then(pilot, "e", lambda: modal(pilot, FormScreen))
        app.screen.query_one("#field-title", Input).value = "Waited title"
        holder = subprocess.Popen(
            [sys.executable, "-c",
             "import sys, time; from filelock import FileLock; l = FileLock(sys.argv[1]); l.acquire(); "
             "print('held', flush=True); time.sleep(1.5); l.release()", str(ws.path / "partnership.json.lock")],
            stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline().strip() == "held"
        # The save runs off the event loop (the one save helper): wait for what it says.
        await key_then(pilot, "ctrl+s", lambda: not modal(pilot, FormScreen) and any(n.startswith("Saved") for n in notes(app)))
        holder.wait()
        assert any(re.fullmatch(r"Saved: changed the title, after waiting \d+\.\d s for another session's save\.", n)
                   for n in notes(app)), notes(app)
    assert open_as(ws.path, "rlead").audit("MACA-C86").title == "Waited title"


async def test_the_scope_tree_uses_the_width_it_has(tmp_path: Path) -> None:
    """Issue 18 item 7: the tree was 52 columns at 120, cutting the title, with the
    detail beside it mostly empty."""
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        section = await open_scope(pilot)
        await pilot.pause()
        options = section.query_one(OptionList)
        painted = [options.render_line(y).text for y in range(options.size.height)]
        assert any("Title: Unborn babies, older siblings and multiple adversity" in line for line in painted)
        assert any("2 fathers: Birth fathers and males in the household" in line for line in painted)
