"""The user's keymap: ``keymap.toml`` in their config folder remaps any of maca's keys.

Every maca binding has an id (``cohort.draw``, ``move.down`` …; the help screen shows
each key's id).  The file maps ids to keys, as Posting's keymap does::

    # ~/.config/maca/keymap.toml
    "cohort.draw" = "R"
    "move.down" = "j,ctrl+n"      # several keys: comma-separated

The keys given replace all of that binding's keys.  A file with any problem (not TOML,
a value that is not a key, an id maca does not have) is ignored as a whole, with one
sentence saying why: half a keymap would be more surprising than none.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

MAX_BYTES = 64 * 1024
_KEY = re.compile(r"^[A-Za-z0-9_+\-]{1,40}$|^[^\sA-Za-z0-9,]$")


def keymap_path() -> Path:
    import platformdirs

    return platformdirs.user_config_path("maca") / "keymap.toml"


def known_binding_ids() -> set[str]:
    """Every binding id of maca's screens and widgets (imports them all: only called when
    a keymap file exists)."""
    import pkgutil
    from importlib import import_module

    from textual.dom import DOMNode

    import screens
    from tui.app import MacaApp

    for module in pkgutil.walk_packages(screens.__path__, "screens."):
        import_module(module.name)
    ids: set[str] = set()
    pending: list[type] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in ("screens", "tui") or cls is MacaApp:
            for binding in cls.__dict__.get("BINDINGS", []):
                if getattr(binding, "id", None):
                    ids.add(binding.id)
    return ids


def load_keymap(path: Path) -> tuple[dict[str, str], str | None]:
    """({binding id: keys}, None), or ({}, why the file was ignored); no file is no keymap."""
    where = f"Your keymap {path}"
    try:
        if not path.exists():
            return {}, None
        if not path.is_file():
            return {}, f"{where} is not a file, so maca's own keys are used."
        if path.stat().st_size > MAX_BYTES:
            return {}, f"{where} is larger than {MAX_BYTES // 1024} KB, so maca's own keys are used."
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        return {}, f"{where} is not valid TOML ({exc}), so maca's own keys are used."
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "it is not UTF-8 text"
        return {}, f"{where} could not be read ({reason}), so maca's own keys are used."
    keymap: dict[str, str] = {}
    for binding_id, keys in data.items():
        if not isinstance(keys, str) or not keys.strip():
            return {}, (f"{where} gives {binding_id!r} a value that is not a key in quotes (e.g. \"ctrl+r\"), "
                        "so maca's own keys are used.")
        parts = [k.strip() for k in keys.split(",")]
        bad = next((k for k in parts if not _KEY.match(k)), None)
        if bad is not None:
            return {}, (f"{where} gives {binding_id!r} the key {bad!r}, which is not a key name, "
                        "so maca's own keys are used.")
        keymap[binding_id] = ",".join(parts)
    if keymap:
        unknown = sorted(set(keymap) - known_binding_ids())
        if unknown:
            names = ", ".join(repr(u) for u in unknown[:5]) + (" …" if len(unknown) > 5 else "")
            return {}, (f"{where} names {names}, which maca does not have (the help screen, ?, shows each "
                        "key's id), so maca's own keys are used.")
    return keymap, None
