"""Binding ids, the user's keymap.toml and the help screen (issue 17 item 3, issue 18 item 8)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.dom import DOMNode
from textual.widgets import Static

from screens.audit.screen import AuditScreen
from screens.dialogs.form import FormScreen
from screens.dialogs.help import HelpScreen
from tests.app.helpers import app_for, demo_workspace, open_audit, until
from tui.keymap import keymap_path, known_binding_ids, load_keymap


def maca_bindings() -> list[tuple[str, Binding]]:
    known_binding_ids()  # imports every screen and widget module
    found: list[tuple[str, Binding]] = []
    pending: list[type] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in ("screens", "tui"):
            for binding in cls.__dict__.get("BINDINGS", []):
                found.append((f"{cls.__module__}.{cls.__name__}", binding))
    return found


def test_every_binding_has_an_id_of_the_form_area_dot_name() -> None:
    bindings = maca_bindings()
    assert len(bindings) > 150
    for where, binding in bindings:
        assert isinstance(binding, Binding), where
        assert binding.id and binding.id.count(".") == 1, f"{where}: {binding.key} has no id"
        area, name = binding.id.split(".")
        assert area and name and binding.id == binding.id.lower(), binding.id


def test_one_id_means_one_thing_within_a_screen() -> None:
    """Ids shared across screens (move.down …) are fine; within one class an id is one action."""
    seen: dict[tuple[str, str], str] = {}
    for where, binding in maca_bindings():
        action = seen.setdefault((where, binding.id or ""), binding.action)
        assert action == binding.action, (where, binding.id)


def write_keymap(text: str) -> Path:
    path = keymap_path()
    assert str(path).startswith(os.environ["XDG_CONFIG_HOME"])  # never the real user's
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


async def open_cohort(pilot) -> None:
    await until(pilot, lambda: pilot.app.focused is not None)
    await open_audit(pilot)
    await pilot.press("2")
    await until(pilot, lambda: isinstance(pilot.app.screen, AuditScreen) and pilot.app.screen.current == "cohort")


def help_text(app) -> str:
    return app.screen.plain_text()


async def test_a_keymap_remaps_a_key_and_the_help_shows_the_key_in_force(tmp_path: Path) -> None:
    write_keymap('# my keys\n"cohort.draw" = "R"\n"app.help" = "f1,question_mark"\n')
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_cohort(pilot)
        await pilot.press("r")  # no longer the draw
        await pilot.pause(0.2)
        assert not isinstance(app.screen, FormScreen)
        await pilot.press("R")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, FormScreen))
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        lines = help_text(app).splitlines()
        draw = next(line for line in lines if "Random draw" in line)
        assert draw.split()[0] == "R" and "cohort.draw" in draw
        assert not app._notifications


@pytest.mark.parametrize(("text", "says"), [
    ('"cohort.draw" = ', "is not valid TOML"),
    ('"cohort.draw" = 3', "a value that is not a key in quotes"),
    ('"cohort.drw" = "R"', "names 'cohort.drw', which maca does not have"),
    ('"cohort.draw" = "two words"', "the key 'two words', which is not a key name"),
])
async def test_a_bad_keymap_gets_one_sentence_and_is_ignored(tmp_path: Path, text: str, says: str) -> None:
    path = write_keymap('"cohort.import" = "I"\n' + text + "\n")
    keymap, problem = load_keymap(path)
    assert keymap == {} and problem is not None and says in problem
    assert problem.startswith(f"Your keymap {path} ") and problem.endswith("so maca's own keys are used.")
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_cohort(pilot)
        await until(pilot, lambda: bool(app._notifications))
        assert [n.message for n in app._notifications] == [problem]
        await pilot.press("i")  # maca's own key still imports: the whole file was ignored
        await until(pilot, lambda: isinstance(app.screen, FormScreen))


def test_no_keymap_file_is_no_keymap_and_no_sentence() -> None:
    assert load_keymap(keymap_path()) == ({}, None)


async def test_help_groups_maca_keys_in_the_footers_words(tmp_path: Path) -> None:
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_cohort(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        assert help_screen.title_text == "Keys in the Cohort section (2) of MACA-C86"
        groups = dict(help_screen.groups)
        assert list(groups) == ["Change", "See and export", "Filter and find", "Move", "Go", "Everywhere"]
        change = {description for _, description, _ in groups["Change"]}
        assert {"Random draw", "Import CSV"} <= change
        text = help_text(app)
        assert text.count("Go to section") == 1
        assert "1–7" in text and "1 Scope · 2 Cohort · 3 Returns" in text
        for textual_own in ("Focus Next", "Focus Previous", "Page Left", "Page Right", "Copy selected text",
                            "ctrl+pageup", "Scroll Left"):
            assert textual_own not in text, textual_own
        everywhere = {keys: description for keys, description, _ in groups["Everywhere"]}
        assert everywhere["? / f1"] == "Help" and everywhere["ctrl+q"] == "Quit"


async def test_board_help_lists_accept_and_reorder(tmp_path: Path) -> None:
    app = app_for(demo_workspace(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.focused is not None)
        await open_audit(pilot)
        await pilot.press("5")
        await until(pilot, lambda: app.screen.current == "board")
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        change = {keys: description for keys, description, _ in dict(app.screen.groups)["Change"]}
        assert change["y"] == "Accept: a proposed finding"
        assert change["J"] == "Reorder: down the column" and change["K"] == "Reorder: up the column"


def test_every_modal_is_a_dialog_that_escape_closes() -> None:
    """One dialog base (issue 17 item 2): every modal but the too-small notice (which no key
    closes) is a `Dialog`, and binds escape to its `close`."""
    from screens.dialogs.base import Dialog
    from screens.dialogs.too_small import TooSmallScreen
    from textual.screen import ModalScreen

    known_binding_ids()  # imports every screen module
    modals: list[type] = []
    pending: list[type] = [ModalScreen]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] == "screens" and cls not in (Dialog, TooSmallScreen):
            modals.append(cls)
    assert len(modals) >= 13
    for cls in modals:
        assert issubclass(cls, Dialog), cls
        escapes = cls._merge_bindings().key_to_bindings.get("escape", [])
        assert [b.action for b in escapes] == ["close"], cls


def test_j_k_g_g_are_bound_once_on_the_list_widgets() -> None:
    """One list widget (issue 17 item 2): j/k/g/G come from screens/widgets/lists.py on the
    lists themselves; only views that scroll (not lists) bind them to scrolling."""
    from pathlib import Path

    import screens

    scrolling = {"dialogs/help.py", "cohort/modals.py", "report/view.py"}
    root = Path(screens.__file__).parent
    for module in root.rglob("*.py"):
        name = module.relative_to(root).as_posix()
        if name == "widgets/lists.py" or name in scrolling:
            continue
        text = module.read_text(encoding="utf-8")
        for key in ("j", "k", "g", "G"):
            assert f'Binding("{key}", "cursor' not in text and f'Binding("{key}", "move(' not in text, (name, key)
            assert f'Binding("{key}", "scroll' not in text, (name, key)
