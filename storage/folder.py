"""The files of a workspace folder behind one lock (DESIGN §7).

:class:`TableFile` is one TinyDB file of the folder under TinyDB's Storage API: its
parsed tables are cached under the file's identity (inode, size, mtime, ctime), so
noticing another session's save costs one ``stat`` and only a changed file is parsed
again.  :class:`WorkspaceFiles` holds the partnership file, the audit files opened so
far and the workspace-wide lock, and runs a transaction across them: lock, finish any
save a crash interrupted, re-read what changed, apply, then land every changed file and
the journal lines together (`storage.commit`), keeping each replaced file's pre-write
version (`storage.backups`).

As with TinyDB's own storages, ``read()`` hands out the cached dict itself, which the
transaction mutates in place: on any failure the file's cache is dropped and read again.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from storage.backups import keep_version
from storage.commit import FileWrite, land, recover, sweep_folder_temps
from storage.encode import serialise
from storage.errors import CorruptWorkspace, NotFound, WorkspaceBusy, WorkspaceReadOnly
from storage.files import Identity, can_access, file_identity, stat_identity
from storage.journal_log import encode_line
from storage.layout import FOLDER_MODE, Layout
from storage.lock import WorkspaceLock
from storage.workspace_file import Tables, load_workspace

__all__ = ["TableFile", "WorkspaceFiles"]


class TableFile(Storage):
    """One JSON file of tables in the workspace folder; changed only by a transaction."""

    def __init__(self, path: Path, *, may_be_missing: bool) -> None:
        super().__init__()
        self.path = path
        self.may_be_missing = may_be_missing  # an audit with no records yet has no file
        self._data: Tables | None = None
        self._identity: Identity | None = None
        self._staged: Tables | None = None

    # -- TinyDB Storage API ---------------------------------------------------------

    def read(self) -> Tables | None:
        if self._staged is not None:
            return self._staged
        self.refresh()
        return self._data

    def write(self, data: Tables) -> None:
        self._staged = data

    def close(self) -> None:
        """Nothing to flush: transactions land their changes themselves."""

    # -- cache ----------------------------------------------------------------------

    def changed_on_disk(self) -> bool:
        current = file_identity(self.path)
        if current is None:
            return self._identity is not None
        return current != self._identity

    def refresh(self) -> bool:
        """Bring the cache up to date (parse only if the file changed); True if it did."""
        current = file_identity(self.path)
        if current is None:
            if not self.may_be_missing:
                self.forget()
                raise NotFound(f"The workspace file {self.path} is no longer there (moved or deleted).",
                               path=self.path)
            if self._data is not None and self._identity is None:
                return False
            self._data, self._identity = {}, None
            return True
        if current == self._identity and self._data is not None:
            return False
        try:
            self._data, self._identity = load_workspace(self.path)
        except CorruptWorkspace as exc:
            if exc.path is None:
                raise
            raise CorruptWorkspace(self.path, exc.reason, backup_available=_has_backups(self.path)) from None
        return True

    def forget(self) -> None:
        self._data, self._identity, self._staged = None, None, None

    def landed(self, st: os.stat_result | None) -> None:
        if self._staged is not None:
            self._data = self._staged
        self._staged = None
        self._identity = stat_identity(st) if st is not None else None


class WorkspaceFiles:
    """The partnership file, the audit files read so far, the journal and the lock."""

    def __init__(self, folder: Path, *, holder: str, lock_timeout: float = 10.0) -> None:
        self.layout = Layout(folder)
        self.holder = holder
        self.lock_timeout = lock_timeout
        self.lock = WorkspaceLock(self.layout.partnership, timeout=lock_timeout, holder=holder)
        self.partnership = TableFile(self.layout.partnership, may_be_missing=False)
        self._audits: dict[str, TableFile] = {}
        self._mutex = threading.RLock()
        self._tx_thread: int | None = None
        self._tx_since: datetime | None = None
        self._enlisted: dict[Path, TableFile] = {}
        self._journal: dict[Path, list[bytes]] = {}
        self._dirty: set[Path] = set()
        self._swept = False
        self.landed: list[Path] = []  # the files the last transaction wrote (or, failed, forgot)
        # False in a session whose app picks up other sessions' saves itself
        # (`storage.watch`, in a thread): a read then hands out what was read last
        # instead of stat-ing, and perhaps parsing, the file on the UI thread.
        self.follow_disk = True

    @property
    def path(self) -> Path:
        return self.layout.folder

    def audit_file(self, ref: str) -> TableFile:
        found = self._audits.get(ref)
        if found is None:
            found = self._audits[ref] = TableFile(self.layout.audit(ref), may_be_missing=True)
        return found

    def opened(self) -> list[TableFile]:
        """The files this session has read, partnership first."""
        return [self.partnership, *self._audits.values()]

    def changed_on_disk(self) -> list[TableFile]:
        """The files read so far that another session replaced (one stat each)."""
        return [f for f in self.opened() if f._data is not None and f.changed_on_disk()]

    # -- reading ----------------------------------------------------------------------

    def partnership_data(self) -> Tables:
        return self._read(self.partnership)

    def audit_data(self, ref: str) -> Tables:
        return self._read(self.audit_file(ref))

    def _read(self, file: TableFile) -> Tables:
        with self._mutex:
            if self._tx_thread == threading.get_ident():
                return self._enlist(file)
            if not self.follow_disk and file._data is not None and file._staged is None:
                return file._data
            data = file.read()
            return data if data is not None else {}

    # -- transactions -----------------------------------------------------------------

    def in_transaction(self) -> bool:
        """Whether this thread is inside a transaction of these files."""
        return self._tx_thread == threading.get_ident()

    def _enlist(self, file: TableFile) -> Tables:
        """The file's tables for this transaction, re-read first if another session
        changed it (called with the lock held)."""
        if file.path not in self._enlisted:
            file.refresh()
            file._staged = file._data
            self._enlisted[file.path] = file
        assert file._staged is not None
        return file._staged

    def journal(self, at: datetime, doc: dict[str, Any]) -> None:
        """Stage one journal line for the month of `at` (inside a transaction)."""
        self._journal.setdefault(self.layout.journal_file(at), []).append(encode_line(doc))

    @contextmanager
    def transaction(self, *, create: bool = False) -> Iterator[WorkspaceFiles]:
        """Lock, finish an interrupted save, yield; then land every file changed.

        The caller marks files changed with :meth:`dirty`.  Raises ``WorkspaceBusy``
        when the lock stays held, ``CorruptWorkspace`` before any write if a file read
        is damaged, ``SaveFailed``/``WorkspaceReadOnly`` if landing fails.
        """
        me = threading.get_ident()
        if self._tx_thread == me:
            raise RuntimeError("WorkspaceFiles.transaction() is not reentrant.")
        if not self._mutex.acquire(timeout=self.lock_timeout if self.lock_timeout >= 0 else -1):
            raise WorkspaceBusy.held_by(self.holder, os.getpid(), self._tx_since, path=self.path)
        try:
            if create:
                self._make_folders()
            self.lock.acquire()
            try:
                self._tx_thread, self._tx_since = me, datetime.now()
                self._enlisted, self._journal, self._dirty = {}, {}, set()
                self.landed = []
                try:
                    recover(self.layout)
                    if not self._swept:
                        sweep_folder_temps(self.layout)
                        self._swept = True
                    if create:
                        self.partnership.may_be_missing = True
                    self._enlist(self.partnership)
                    yield self
                    self._land()
                except BaseException:
                    for file in self._enlisted.values():
                        file.forget()
                    self.landed = list(self._enlisted)  # none landed: read again when next asked for
                    raise
                finally:
                    self.partnership.may_be_missing = False
            finally:
                self._tx_thread, self._tx_since = None, None
                self._enlisted, self._journal, self._dirty = {}, {}, set()
                self.lock.release()
        finally:
            self._mutex.release()

    def dirty(self, file: TableFile) -> None:
        self._dirty.add(file.path)

    def _make_folders(self) -> None:
        self.layout.folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
        for folder in (self.layout.audits, self.layout.journal):
            self.layout.make_folder(folder)

    def _land(self) -> None:
        writes: list[FileWrite] = []
        files: list[TableFile] = []
        # Audit files first, the partnership file (with the summaries) last: the order
        # only matters to a reader that looks between two renames.
        for path in sorted(self._dirty, key=lambda p: p == self.layout.partnership):
            file = self._enlisted[path]
            try:
                like: os.stat_result | None = os.stat(path)
            except FileNotFoundError:
                like = None
            if like is not None and not can_access(path, os.W_OK):
                raise WorkspaceReadOnly(f"Could not save: the file {path} is not writable; "
                                        f"nothing was changed.", path=path)
            if like is None and path != self.layout.partnership:
                try:
                    like = os.stat(self.layout.partnership)  # a new audit file: the same mode
                except FileNotFoundError:
                    like = None
                if path.parent != self.layout.folder:
                    self.layout.make_folder(path.parent)
            writes.append(FileWrite(path, serialise(file._staged or {}), like))
            files.append(file)
        if not writes and not self._journal:
            for file in self._enlisted.values():
                file._staged = None
            return
        if self._journal:
            self.layout.make_folder(self.layout.journal)
        stats = land(self.layout, writes, self._journal,
                     before_replace=lambda w: keep_version(self.layout, w.target),
                     journal_mode=_journal_mode(self.layout))
        for file in files:
            file.landed(stats.get(file.path))
        self.landed = [file.path for file in files]
        for file in self._enlisted.values():
            file._staged = None


def _has_backups(path: Path) -> bool:
    """Whether a pre-write version of workspace file `path` is kept (for the hint)."""
    for folder in (path.parent, path.parent.parent):
        layout = Layout(folder)
        if layout.partnership.exists() or (folder / "backups").is_dir():
            from storage.backups import versions

            return any(v.file == path for v in versions(layout))
    return False


def _journal_mode(layout: Layout) -> int:
    try:
        return os.stat(layout.partnership).st_mode & 0o666 | 0o600
    except OSError:
        return 0o600


def check_folder_writable(folder: Path) -> str | None:
    """A sentence saying why this login cannot save to workspace `folder`, or ``None``
    (the layer above then opens it read-only and shows the sentence)."""
    layout = Layout(folder)
    if layout.partnership.exists() and not can_access(layout.partnership, os.W_OK):
        return f"The workspace file {layout.partnership} is not writable for you."
    for sub in (layout.folder, layout.audits, layout.journal):
        if sub.is_dir() and not can_access(sub, os.W_OK | os.X_OK):
            return f"The folder {sub} of the workspace is not writable for you."
    for path in layout.audit_files().values():
        if not can_access(path, os.W_OK):
            return f"The workspace file {path} is not writable for you."
    lock = layout.folder / (layout.partnership.name + ".lock")
    if lock.exists() and not can_access(lock, os.R_OK | os.W_OK):
        return f"The lock file {lock} is not writable for you."
    return None


__all__ += ["check_folder_writable"]
