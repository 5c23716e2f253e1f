"""Where a workspace keeps what (DESIGN §7): the folder and the files in it.

```
PATH/                          0700, named by --db
  partnership.json             settings, agencies, users, the list of audits and each
                               audit's summary figures (home, tracker, palette)
  partnership.json.lock(.who)  the one workspace-wide write lock and who holds it
  audits/REF.json              one per audit: its own records (cases, returns, ...)
  journal/YYYY-MM.jsonl        the journal, one entry a line, appended, never rewritten
  backups/                     pre-write copies of each file (storage.backups)
  .commit                      only while a save is landing (storage.commit)
```

Which file a table lives in follows one rule: a model with an ``audit`` field holds an
audit's own records and lives in that audit's file; every other table is
partnership-wide.  So a table registered in `storage.schema.MODELS` lands in the right
file without being listed here.
"""

from __future__ import annotations

import dataclasses
import os
import re
import stat
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, unquote

from storage.schema import JOURNAL, META, MODELS

__all__ = [
    "AUDITS_DIR",
    "JOURNAL_DIR",
    "PARTNERSHIP_FILE",
    "Layout",
    "audit_tables",
    "is_audit_table",
    "partnership_tables",
]

PARTNERSHIP_FILE = "partnership.json"
AUDITS_DIR = "audits"
JOURNAL_DIR = "journal"
BACKUPS_DIR = "backups"
COMMIT_FILE = ".commit"
SUMMARIES = "summaries"  # partnership table: one figures document per audit
FOLDER_MODE = 0o700

_MONTH_FILE = re.compile(r"^(\d{4})-(\d{2})\.jsonl$")


def is_audit_table(name: str) -> bool:
    """True when `name` holds an audit's own records (its model has an `audit` field)."""
    model = MODELS.get(name)
    if model is None or not dataclasses.is_dataclass(model):
        return False
    return any(f.name == "audit" for f in dataclasses.fields(model))


def audit_tables() -> tuple[str, ...]:
    return tuple(name for name in MODELS if is_audit_table(name))


def partnership_tables() -> tuple[str, ...]:
    return (META, *(name for name in MODELS if not is_audit_table(name)), SUMMARIES)


def audit_file_name(ref: str) -> str:
    """A file name for audit `ref`, reversible and safe on any file system.

    Refs hold letters, digits, '-', '_' and '/'; everything but the first three is
    percent-encoded (so '/' never makes a sub-folder, and a leading '.' never hides it).
    """
    if not ref:
        raise ValueError("an audit needs a reference to have a file")
    return quote(ref, safe="-_").replace(".", "%2E") + ".json"


def audit_ref_of_file(name: str) -> str | None:
    if not name.endswith(".json") or name.startswith("."):
        return None
    return unquote(name[: -len(".json")])


class Layout:
    """The paths of one workspace folder."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.partnership = self.folder / PARTNERSHIP_FILE
        self.audits = self.folder / AUDITS_DIR
        self.journal = self.folder / JOURNAL_DIR
        self.backups = self.folder / BACKUPS_DIR
        self.commit = self.folder / COMMIT_FILE

    def audit(self, ref: str) -> Path:
        return self.audits / audit_file_name(ref)

    def journal_file(self, at: datetime) -> Path:
        return self.journal / f"{at.year:04d}-{at.month:02d}.jsonl"

    def journal_files(self) -> list[Path]:
        """The month files, oldest first (anything else in the folder is ignored)."""
        try:
            names = os.listdir(self.journal)
        except (FileNotFoundError, NotADirectoryError):
            return []
        return [self.journal / n for n in sorted(names) if _MONTH_FILE.match(n)]

    def audit_files(self) -> dict[str, Path]:
        """Every audit file present, by audit ref."""
        try:
            names = os.listdir(self.audits)
        except (FileNotFoundError, NotADirectoryError):
            return {}
        found = {}
        for name in sorted(names):
            ref = audit_ref_of_file(name)
            if ref:
                found[ref] = self.audits / name
        return found

    def make_folder(self, path: Path) -> None:
        """Make `path` (a folder inside the workspace) with the workspace folder's own
        mode and group, so a group-shared deployment stays shared (0700 otherwise)."""
        if path.is_dir():
            return
        try:
            like = os.stat(self.folder)
        except FileNotFoundError:
            like = None
        mode = stat.S_IMODE(like.st_mode) if like is not None else FOLDER_MODE
        try:
            path.mkdir(mode=mode & 0o777)
        except FileExistsError:
            return
        with suppress(OSError):
            os.chmod(path, mode)  # past the umask, set-group-id bit included
            if like is not None and os.stat(path).st_gid != like.st_gid:
                os.chown(path, -1, like.st_gid)

    def is_workspace(self) -> bool:
        return self.folder.is_dir() and os.path.lexists(self.partnership)


def table_home(name: str) -> str:
    """'partnership' or 'audit': which kind of file holds table `name`."""
    if name == JOURNAL:
        return "journal"
    return "audit" if is_audit_table(name) else "partnership"
