"""The single-file workspace's TinyDB storage, and the encoder every workspace file uses.

The workspace is a folder now (`storage.layout`): its files are read and written by
`storage.folder` and landed by `storage.commit`, and nothing in maca opens an
:class:`AtomicJSONStorage` any more but its own tests (the encoder of every JSON file
is `storage.encode`), and the file helpers re-exported below are imported from here.
What the storage did for the old single file:

Every change happens inside :meth:`AtomicJSONStorage.transaction`: take the workspace
lock, re-read the file only if it changed on disk, let TinyDB change the tables in
memory, then write once: temp file in the same folder, fsync, ``os.replace``, fsync the
folder.  A crash or ``kill -9`` at any moment leaves the old or the new file, never a
mix.  It may leave a ``.NAME.*.tmp`` behind: nothing reads those, and the next writer
deletes them while it holds the lock (only a lock holder makes one, so any found then
are leftovers).

Reads cost one ``stat``: the parsed file is cached under its identity (inode, size,
mtime, ctime) and parsed again only when that changes, so a save into a 10 MB
workspace costs serialising and writing, not re-reading.

For the layer above: ``read()`` hands out the cached dict itself (TinyDB mutates it
and passes it back to ``write()``), so treat what queries return as read-only; and use
a fresh ``Table`` with ``cache_size=0`` per transaction (:meth:`AtomicJSONStorage.table`),
because a ``Table`` caches query results and its next document id, and both go stale
when another process saves.

The file operations themselves are in :mod:`storage.files`, and parsing and validating
the file in :mod:`storage.workspace_file`; both are re-exported here.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import orjson
from tinydb.storages import Storage
from tinydb.table import Table

from audit.files import NotRegularFile, read_regular
from storage.errors import (
    CorruptWorkspace,
    NotFound,
    SaveFailed,
    WorkspaceBusy,
    WorkspaceError,
    WorkspaceReadOnly,
    save_error,
)
from storage.files import (
    Identity,
    can_access,
    check_writable,
    file_identity,
    link_copy,
    real_path,
    stat_identity,
    sweep_temps,
    write_file_atomically,
)
from storage.encode import serialise as _serialise
from storage.lock import WorkspaceLock, os_login, sibling
from storage.workspace_file import Tables, load_workspace, parse_workspace

__all__ = [
    "AtomicJSONStorage",
    "Identity",
    "check_writable",
    "file_identity",
    "load_workspace",
    "parse_workspace",
    "restore_backup",
    "write_file_atomically",
]


# -- the storage -----------------------------------------------------------------------


class AtomicJSONStorage(Storage):
    """TinyDB storage over one shared JSON file; changes only inside ``transaction()``.

    ``TinyDB(path, storage=AtomicJSONStorage, create=True, holder=login)`` passes its
    arguments through.  One instance is a *session*: before its first write it keeps
    the file's pre-write content as ``PATH.bak``.  Safe to share between threads
    (calls are serialised), not across ``fork``.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = False,
        lock_timeout: float = 10.0,
        holder: str = "",
    ) -> None:
        super().__init__()
        self.path = real_path(path)
        self.create = create
        self.lock_timeout = lock_timeout
        self.holder = holder or os_login()
        self._lock = WorkspaceLock(self.path, timeout=lock_timeout, holder=self.holder)
        self._mutex = threading.RLock()  # serialises threads of this process
        self._data: Tables | None = None
        self._identity: Identity | None = None
        self._tx_thread: int | None = None
        self._tx_since: datetime | None = None
        self._dirty = False
        self._backed_up = False
        self._swept = False
        given = os.fspath(path)  # messages name the path as the user typed it
        if not self.path.parent.is_dir():
            raise NotFound(f"The folder {os.path.dirname(os.path.abspath(given))} for the "
                           f"workspace does not exist.", path=given)
        if self.path.is_dir():
            raise WorkspaceError(f"{given} is a folder, not a workspace file.", path=given)
        self._seen_file = self.path.exists()
        if not self._seen_file and not create:
            raise NotFound(f"No workspace at {given}; create one with "
                           f"`maca init --db {given}`.", path=given)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r})"

    # -- TinyDB Storage API --------------------------------------------------------

    def read(self) -> Tables | None:
        """The parsed tables (``None`` only for a workspace not yet created).

        Inside a transaction: the in-memory state, with this transaction's changes.
        """
        with self._mutex:
            if self._tx_thread != threading.get_ident():
                self._refresh()
            return self._data

    def write(self, data: Tables) -> None:
        """Stage ``data``; it reaches the disk when the transaction ends."""
        with self._mutex:
            if self._tx_thread != threading.get_ident():
                # TinyDB mutated the cached dict before calling us: forget it.
                self._forget()
                raise RuntimeError("AtomicJSONStorage.write() called outside a transaction; "
                                   "wrap the change in `with storage.transaction():`.")
            self._data = data
            self._dirty = True

    def close(self) -> None:
        """Nothing to flush: every transaction has already committed or rolled back."""

    def table(self, name: str) -> Table:
        """A fresh TinyDB table without a query cache; make one per transaction."""
        return Table(self, name, cache_size=0)

    # -- transactions --------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[AtomicJSONStorage]:
        """Lock, re-read if changed, yield; on success write once, on error roll back.

        Raises ``WorkspaceBusy`` if the lock is not free within ``lock_timeout``,
        ``CorruptWorkspace`` (before any write) if the file on disk is damaged, and
        ``SaveFailed``/``WorkspaceReadOnly`` if the write fails.  Not reentrant.
        """
        me = threading.get_ident()
        if self._tx_thread == me:
            raise RuntimeError("AtomicJSONStorage.transaction() is not reentrant.")
        if not self._mutex.acquire(timeout=self.lock_timeout if self.lock_timeout >= 0 else -1):
            raise WorkspaceBusy.held_by(self.holder, os.getpid(), self._tx_since, path=self.path)
        try:
            self._lock.acquire()
            try:
                self._tx_thread, self._tx_since, self._dirty = me, datetime.now(), False
                try:
                    self._refresh()
                    yield self
                except BaseException:
                    self._forget()
                    raise
                if self._dirty:
                    self._commit()
            finally:
                self._tx_thread, self._tx_since, self._dirty = None, None, False
                self._lock.release()
        finally:
            self._mutex.release()

    def changed_on_disk(self) -> bool:
        """True when the file differs from what this instance last read or wrote
        (one ``stat``; for the app's live-refresh poll)."""
        current = file_identity(self.path)
        if current is None:
            return self._identity is not None or self._seen_file
        return current != self._identity

    # -- internals -----------------------------------------------------------------

    def _forget(self) -> None:
        self._data = None
        self._identity = None

    def _refresh(self) -> None:
        """Bring the cache up to date with the file, parsing only if it changed."""
        current = file_identity(self.path)
        if current is None:
            if self._seen_file or not self.create:
                self._forget()
                raise NotFound(f"The workspace {self.path} is no longer there "
                               f"(moved or deleted).", path=self.path)
            self._forget()
            return
        if current == self._identity:
            return
        self._data, self._identity = load_workspace(self.path)
        self._seen_file = True

    def _commit(self) -> None:
        try:
            payload = _serialise(self._data if self._data is not None else {})
            try:
                like: os.stat_result | None = os.stat(self.path)
            except FileNotFoundError:
                like = None
            if like is not None and not can_access(self.path, os.W_OK):
                raise WorkspaceReadOnly(f"Could not save: the file {self.path} is not "
                                        f"writable; nothing was changed.", path=self.path)
            if not self._swept:
                sweep_temps(self.path)
                self._swept = True
            if not self._backed_up:
                if like is not None:
                    self._backup(like)
                self._backed_up = True
            st = write_file_atomically(self.path, payload, like=like)
        except BaseException:
            self._forget()
            raise
        self._identity = stat_identity(st)
        self._seen_file = True

    def _backup(self, like: os.stat_result) -> None:
        """Keep the file as it is now (valid: the transaction just read it) as .bak."""
        try:
            link_copy(self.path, sibling(self.path, ".bak"), like)
        except SaveFailed as exc:
            raise SaveFailed.because(f"the backup copy could not be made because {exc.reason}",
                                     errno=exc.errno, path=self.path) from exc
        except OSError as exc:
            raise save_error(exc, self.path.parent,
                             "the backup copy could not be made because ") from exc


# -- restoring ---------------------------------------------------------------------------


def restore_backup(
    path: str | os.PathLike[str], *, lock_timeout: float = 10.0, holder: str = ""
) -> Path | None:
    """Put ``PATH.bak`` back in place of ``PATH``, under the workspace lock.

    The file being replaced is kept as ``PATH.corrupt-YYYYmmddTHHMMSS`` so nothing is
    lost; that path is returned (``None`` if ``PATH`` did not exist).  Raises
    ``WorkspaceError`` if there is no backup or it is itself damaged.
    """
    target = real_path(path)
    bak = sibling(target, ".bak")
    try:
        raw, bak_stat = read_regular(bak)
    except FileNotFoundError:
        raise NotFound(f"There is no backup copy {bak} to restore.", path=target) from None
    except NotRegularFile as exc:
        raise WorkspaceError(f"The backup copy {bak} cannot be restored: {exc}.",
                             path=target) from None
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise WorkspaceError(f"Could not read the backup copy {bak}: {reason}.",
                             path=target) from None
    try:
        parse_workspace(raw, bak)
    except CorruptWorkspace as exc:
        raise WorkspaceError(f"The backup copy {bak} cannot be restored: {exc.reason}.",
                             path=target) from None
    with WorkspaceLock(target, timeout=lock_timeout, holder=holder or os_login()):
        try:
            like: os.stat_result | None = os.stat(target)
        except FileNotFoundError:
            like = None
        aside = None
        if like is not None:
            stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
            aside = sibling(target, f".corrupt-{stamp}")
            n = 1
            while os.path.lexists(aside):
                n += 1
                aside = sibling(target, f".corrupt-{stamp}-{n}")
            try:
                link_copy(target, aside, like)
            except OSError as exc:
                raise save_error(exc, target.parent, "the damaged file could not be "
                                 "kept aside because ") from exc
        write_file_atomically(target, raw, like=like or bak_stat)
    return aside
