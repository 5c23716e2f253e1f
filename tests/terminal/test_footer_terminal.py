"""The footer in a real terminal (issue 18 item 8): whole keys only, never "^q Qu", and the
keys that matter kept at 80×24 (the cohort's r and i), Enter on Returns, y and J/K on the
board."""

from __future__ import annotations

from pathlib import Path

from storage.demo import build_demo
from storage.lock import os_login
from tests.app.test_keys import maca_bindings
from tests.terminal.tmux import MACA, Terminal, isolated_env


def footer(screen: str) -> list[str]:
    """The footer's items, without the palette key docked on the right."""
    line = screen.rstrip("\n").splitlines()[-1]
    keys = line.split("▏")[0]
    return [item.strip() for item in keys.split("  ") if item.strip()]


def test_footers_show_whole_keys_and_the_ones_that_matter(tmp_path: Path) -> None:
    descriptions = {b.description for _, b in maca_bindings() if b.description}
    db = tmp_path / "w.json"
    build_demo(db, os_login(), in_progress=True)
    seen: dict[tuple[int, str], list[str]] = {}
    for width, height in ((80, 24), (120, 40)):
        term = Terminal([MACA, "--db", str(db)], isolated_env(tmp_path), width=width, height=height)
        try:
            term.wait_for("MACA-C86")
            seen[(width, "home")] = footer(term.wait_for("New audit"))
            term.keys("Enter")
            term.wait_for("▸1 Scope")
            for number, name, shown in ((2, "cohort", "Add/remove"), (3, "returns", "Chase list"),
                                        (4, "discussion", "Edit record"), (5, "board", "Add"),
                                        (6, "analysis", "Other grid"), (7, "report", "Export"),
                                        (1, "scope", "Edit")):
                term.keys(str(number))
                seen[(width, name)] = footer(term.wait_for(
                    lambda s, shown=shown: any(item.endswith(" " + shown) for item in footer(s))))
            term.keys("C-q")
            term.wait_for("MACA-EXITED 0")
        finally:
            term.close()
    for (width, name), items in seen.items():
        assert "? Help" in items, (width, name, items)
        for item in items:
            key, _, description = item.partition(" ")
            assert description in descriptions, f"{name} at {width} columns shows a cut key: {item!r} in {items}"
    assert {"r Random draw", "i Import CSV"} <= set(seen[(80, "cohort")])
    assert "⏎ Open return" in seen[(120, "returns")]
    assert {"y Accept", "J/K Reorder"} <= set(seen[(120, "board")])
    assert "e/u/c Quick filters" in seen[(120, "cohort")] or "e/u/c Quick filters" not in " ".join(seen[(80, "cohort")])
