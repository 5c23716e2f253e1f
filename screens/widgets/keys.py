"""maca's keys by what they do: the groups of the help screen, which the footer also uses
to choose which keys to keep when the screen is narrow.

Only maca's own bindings are grouped (each has an id, see `tui.keymap`): Textual's own
(tab to the next widget, ctrl+pageup …) have none and are left out.  The descriptions
are the footer's words; a binding's tooltip says more where the footer is terse
("Answer: partly").  Keys come from the bindings in force, so a user's keymap.toml
shows as it works.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding
from textual.keys import format_key
from textual.screen import Screen

_KEY_NAMES = {
    "space": "space",
    "escape": "esc",
    "enter": "enter",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "pgup",
    "pagedown": "pgdn",
    "home": "home",
    "end": "end",
    "tab": "tab",
}

# The groups, in the order the help lists them.
CHANGE, SEE, FILTER, MOVE, GO, EVERYWHERE = ("Change", "See and export", "Filter and find", "Move", "Go",
                                             "Everywhere")
GROUPS = (CHANGE, SEE, FILTER, MOVE, GO, EVERYWHERE)
_SEE = {"open", "sort", "detail", "briefing", "history", "answers", "chase", "concerns", "contents", "distribution", "other-grid", "actions", "journal",
        "check-identifiers", "copy", "export"}
_FILTER = {"filter", "clear-filter", "clear-filters", "next-match", "previous-match", "search", "dates", "scope"}
_GO = {"back", "close", "close-also", "later"}

MOVE_NOTE = "Arrow and page keys work as usual; tab and shift+tab go to the next and previous pane."


def key_label(key: str) -> str:
    """``ctrl+s``, ``esc``, ``?``, ``↓``: a key as the help names it."""
    *modifiers, name = key.split("+")
    shown = _KEY_NAMES.get(name) or format_key(name)
    return "+".join([*modifiers, shown])


def help_group(binding_id: str) -> str:
    """The group a binding is listed under, from its id (``area.name``)."""
    area, _, name = binding_id.partition(".")
    if area == "app":
        return EVERYWHERE
    if area in ("move", "arrow"):
        return MOVE
    if area == "audit" or name in _GO:
        return GO
    if name in _FILTER or name.startswith(("quick-", "by-", "filter-")):
        return FILTER
    if name in _SEE:
        return SEE
    return CHANGE


def _describe(binding: Binding) -> str:
    description = binding.description
    if binding.tooltip:
        return f"{description}: {binding.tooltip}" if description else binding.tooltip
    return description


Row = tuple[str, str, str]  # (keys, what they do, binding ids for keymap.toml)


def grouped_keys(bindings: Iterable[tuple[str, Binding]], sections: list[tuple[int, str]] | None = None,
                 ) -> list[tuple[str, list[Row]]]:
    """[(group, [(keys, what they do, ids)])] for maca's bindings among (key, binding) pairs.

    Keys of one action and description share a line (``j / ↓  Down``); the seven section
    keys of an audit become one line.  ``sections`` names them: [(number, title)].
    """
    lines: dict[str, dict[str, tuple[list[str], str, list[str]]]] = {group: {} for group in GROUPS}
    section_keys: list[str] = []
    for key, binding in bindings:
        if not binding.id or binding.system:
            continue  # Textual's own bindings have no id
        label = key_label(key)
        if binding.id.startswith("audit.section-"):
            section_keys.append(label)
            continue
        description = _describe(binding)
        if not description:
            continue
        group = lines[help_group(binding.id)]
        keys, _, ids = group.setdefault(f"{binding.action}|{description}", ([], description, []))
        if label not in keys:
            keys.append(label)
        if binding.id not in ids:
            ids.append(binding.id)
    result: list[tuple[str, list[Row]]] = []
    for name in GROUPS:
        rows = [(" / ".join(keys), description, ", ".join(ids)) for keys, description, ids in lines[name].values()]
        if name == GO and section_keys:
            digits = section_keys == [str(n) for n in range(1, len(section_keys) + 1)]
            shown = f"1–{len(section_keys)}" if digits and len(section_keys) > 1 else " ".join(section_keys)
            titles = " · ".join(f"{n} {title}" for n, title in sections or [])
            rows.insert(0, (shown, "Go to section" + (f": {titles}" if titles else ""),
                            f"audit.section-1…{len(section_keys)}"))
        if rows:
            result.append((name, rows))
    return result


def screen_keys(screen: Screen, sections: list[tuple[int, str]] | None = None,
                ) -> list[tuple[str, list[Row]]]:
    """The grouped keys in force on ``screen`` (a user's keymap included), hidden or not;
    actions refused here (``check_action`` False) are not in ``active_bindings``."""
    return grouped_keys([(key, active.binding) for key, active in screen.active_bindings.items()], sections)
