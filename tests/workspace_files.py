"""What tests need to look at or copy a workspace folder on disk (DESIGN §7 layout)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from storage.layout import Layout
from storage.migrate import read_tables


def on_disk(path: Path) -> dict[str, Any]:
    """Every table of the workspace at `path` merged as one dict of tables, the journal
    as {"1": first entry, ...} (the shape the old single file had)."""
    return read_tables(path)


def table_on_disk(path: Path, table: str) -> list[dict[str, Any]]:
    return list(on_disk(path).get(table, {}).values())


def journal_on_disk(path: Path) -> list[dict[str, Any]]:
    raw = on_disk(path)["journal"]
    return [raw[k] for k in sorted(raw, key=int)]


def data_bytes(path: Path) -> dict[str, bytes]:
    """The bytes of every data file (partnership, audits, journal) by relative path: equal
    before and after means nothing was written."""
    layout = Layout(path)
    files = [layout.partnership, *layout.audit_files().values(), *layout.journal_files()]
    return {str(f.relative_to(path)): f.read_bytes() for f in files}


def modes(path: Path) -> set[int]:
    """The permission bits of the folder, its sub-folders and every file in them."""
    import os
    import stat

    found = {stat.S_IMODE(os.stat(path).st_mode)}
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            found.add(stat.S_IMODE(os.stat(os.path.join(root, name)).st_mode))
    return found


def private(path: Path) -> bool:
    """A workspace only its owner can read: folders 0700, files 0600 (DESIGN §7)."""
    import stat

    folder = stat.S_IMODE(path.stat().st_mode)
    return folder == 0o700 and modes(path) <= {0o700, 0o600}


def copy_workspace(source: Path, target: Path) -> Path:
    """A copy of workspace `source` at `target` (without its lock and backups)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.lock", "*.lock.who", "backups"))
    return target
