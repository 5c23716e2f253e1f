"""One CSS convention (issue 17 item 2, docs/CONTRIBUTING.md): a package's `.tcss` beside
its modules, loaded with CSS_PATH by its screens (AuditScreen loads the sections');
no DEFAULT_CSS read from a file."""

from __future__ import annotations

from pathlib import Path

from textual.screen import Screen

import screens
from tui.keymap import known_binding_ids

SCREENS = Path(screens.__file__).parent


def test_no_module_reads_css_into_default_css() -> None:
    for module in SCREENS.rglob("*.py"):
        text = module.read_text(encoding="utf-8")
        assert ".tcss\").read_text" not in text and "_CSS.read_text" not in text, module


def loaded_css() -> set[Path]:
    known_binding_ids()  # imports every screen module
    found: set[Path] = set()
    pending: list[type] = [Screen]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] == "screens" and "CSS_PATH" in cls.__dict__:
            paths = cls.CSS_PATH if isinstance(cls.CSS_PATH, list) else [cls.CSS_PATH]
            here = Path(__import__(cls.__module__, fromlist=["_"]).__file__).parent
            found |= {(here / str(p)).resolve() for p in paths}
    return found


def test_every_tcss_is_loaded_by_a_screen_and_every_css_path_exists() -> None:
    loaded = loaded_css()
    assert all(path.is_file() for path in loaded), sorted(p for p in loaded if not p.is_file())
    assert {p.resolve() for p in SCREENS.rglob("*.tcss")} == loaded
