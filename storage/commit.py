"""Landing one save that changes several files, all of it or none of it, even across a
crash (DESIGN §7).

A save may change the partnership file (an audit's summary figures), an audit's file
and the journal.  Each file on its own is replaced atomically, but a crash between two
of them would leave half a save.  So, holding the workspace lock:

1. every new file is written in full to a temp file beside it and fsynced;
2. an *intent* (``PATH/.commit``) naming each temp file, its target and the journal
   lines (with each journal file's size before them) is written and fsynced, ending in
   a newline;
3. the temp files are renamed into place (each folder fsynced once), the journal lines
   appended and fsynced;
4. the intent is removed.

A crash before step 2 ends leaves only temp files (swept by the next writer) and
perhaps an intent without its last newline: the save did not happen, and the next lock
holder deletes that torn intent.  A crash after it leaves the whole intent, and the
next lock holder (:func:`recover`) finishes the renames that had not happened and
repeats the journal append from the recorded sizes: the save happened, once.  A save
that changes one file and writes no journal line skips the intent (its rename is
already atomic).

Four fsyncs a save of one file and its journal line (the new file, the intent, the
folder of the rename, the journal), where a save once made six: the intent is written
in place rather than beside itself and renamed (it is read only by :func:`recover`,
which knows a torn one by its missing newline), and the pre-write version is kept by a
hard link without an fsync of its own (`storage.backups`).  Nothing a later step needs
is left to chance: the intent's bytes are fsynced before the first rename.  Its name in
the folder reaches the disk with that fsync on journaling file systems (ext4, xfs), as
the renames' names do with the folder fsync.
"""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from storage.errors import save_error
from storage.files import _copy_owner_and_mode, _fsync_dir, _write_all, write_file_atomically
from storage.journal_log import append_lines, clean_size
from storage.layout import Layout

__all__ = ["FileWrite", "land", "recover", "sweep_folder_temps"]


@dataclass
class FileWrite:
    target: Path
    payload: bytes
    like: os.stat_result | None  # the file being replaced (mode and group to keep)


def _write_temp(write: FileWrite) -> str:
    folder = write.target.parent
    fd, tmp = -1, None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{write.target.name}.", suffix=".tmp")
        _write_all(fd, write.payload)
        _copy_owner_and_mode(fd, write.like)
        os.fsync(fd)
    except OSError as exc:
        if tmp is not None:
            with suppress(OSError):
                os.unlink(tmp)
        raise save_error(exc, folder) from exc
    finally:
        if fd >= 0:
            with suppress(OSError):
                os.close(fd)
    return tmp


def land(
    layout: Layout,
    writes: list[FileWrite],
    journal: dict[Path, list[bytes]],
    *,
    before_replace: Callable[[FileWrite], None] | None = None,
    journal_mode: int = 0o600,
) -> dict[Path, os.stat_result]:
    """Land `writes` and append `journal` (workspace lock held); the new files' stats.

    `before_replace` is called for each file just before it is replaced (to keep its
    pre-write version as a backup).
    """
    if len(writes) == 1 and not journal:
        if before_replace is not None:
            before_replace(writes[0])
        st = write_file_atomically(writes[0].target, writes[0].payload, like=writes[0].like)
        return {writes[0].target: st}
    temps: list[tuple[str, Path]] = []
    try:
        for write in writes:
            temps.append((_write_temp(write), write.target))
        sizes = {path: clean_size(path) for path in journal}
        intent = {
            "mode": journal_mode,
            "renames": [[tmp, str(target)] for tmp, target in temps],
            "journal": [[str(path), sizes[path], base64.b64encode(b"".join(lines)).decode("ascii")]
                        for path, lines in journal.items()],
        }
        _write_intent(layout, orjson.dumps(intent) + b"\n")
    except BaseException:
        for tmp, _ in temps:
            with suppress(OSError):
                os.unlink(tmp)
        raise
    # From here on the save has happened: finishing it is what recover() would do.
    try:
        for write in writes:
            if before_replace is not None:
                before_replace(write)
        _finish(layout, intent)
    except OSError as exc:
        raise save_error(exc, layout.folder) from exc
    stats = {}
    for write in writes:
        with suppress(OSError):
            stats[write.target] = os.stat(write.target)
    return stats


def _finish(layout: Layout, intent: dict[str, Any]) -> None:
    folders: set[Path] = set()
    for tmp, target in intent.get("renames", []):
        if os.path.exists(tmp):
            os.replace(tmp, target)
            folders.add(Path(target).parent)
    for folder in folders:
        _fsync_dir(folder)
    for path, size, lines in intent.get("journal", []):
        journal_path = Path(path)
        layout.make_folder(journal_path.parent)
        mode = intent.get("mode")
        append_lines(journal_path, [base64.b64decode(lines)], at=int(size),
                     mode=mode if isinstance(mode, int) and 0 <= mode <= 0o777 else 0o600)
    with suppress(FileNotFoundError):
        os.unlink(layout.commit)


def _write_intent(layout: Layout, payload: bytes) -> None:
    """Write the intent in place and fsync it (lock held, no intent there: `recover` ran).

    On failure nothing is left that `recover` would act on (a partial intent has no
    last newline), and ``SaveFailed``/``WorkspaceReadOnly`` is raised."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = -1
    try:
        fd = os.open(layout.commit, flags, 0o600)
        _write_all(fd, payload)
        os.fsync(fd)
    except OSError as exc:
        if fd >= 0:
            with suppress(OSError):
                os.unlink(layout.commit)
        raise save_error(exc, layout.folder) from exc
    finally:
        if fd >= 0:
            with suppress(OSError):
                os.close(fd)


def pending(layout: Layout) -> bool:
    return os.path.lexists(layout.commit)


def recover(layout: Layout) -> bool:
    """Finish a save a crash interrupted (workspace lock held); True if there was one."""
    if not pending(layout):
        return False
    try:
        with open(layout.commit, "rb") as handle:
            raw = handle.read()
        intent = orjson.loads(raw)
    except orjson.JSONDecodeError:
        if not raw.endswith(b"\n"):
            # Cut off while it was being written (step 2; no prefix of a JSON object is
            # one): the save did not happen, no rename was made, and its temp files are
            # swept now.
            with suppress(OSError):
                os.unlink(layout.commit)
            sweep_folder_temps(layout)
            return False
        # Whole but unreadable: damage from outside.  The temp files it named are left
        # for the sweep and the intent set aside for a person.
        with suppress(OSError):
            os.replace(layout.commit, layout.folder / ".commit.damaged")
        return False
    except OSError:
        with suppress(OSError):
            os.replace(layout.commit, layout.folder / ".commit.damaged")
        return False
    if not _inside(layout, intent):
        with suppress(OSError):
            os.replace(layout.commit, layout.folder / ".commit.damaged")
        return False
    _finish(layout, intent)
    return True


def _inside(layout: Layout, intent: object) -> bool:
    """Every path an intent names is in the workspace folder (it is read back from disk)."""
    if not isinstance(intent, dict):
        return False
    root = os.path.realpath(layout.folder)

    def ok(path: object) -> bool:
        return isinstance(path, str) and os.path.realpath(path).startswith(root + os.sep)

    for pair in intent.get("renames", []):
        if not (isinstance(pair, list) and len(pair) == 2 and ok(pair[0]) and ok(pair[1])):
            return False
    for item in intent.get("journal", []):
        if not (isinstance(item, list) and len(item) == 3 and ok(item[0]) and isinstance(item[1], int)
                and isinstance(item[2], str)):
            return False
    return True


def sweep_folder_temps(layout: Layout) -> None:
    """Delete temp files a killed writer left (lock held, no intent pending)."""
    for folder in (layout.folder, layout.audits):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                with suppress(OSError):
                    if entry.is_file(follow_symlinks=False):
                        os.unlink(entry.path)
