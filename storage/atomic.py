"""A TinyDB storage that several processes can share safely (DESIGN §7).

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
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import stat
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from tinydb.storages import Storage
from tinydb.table import Table

from storage.errors import (
    CorruptWorkspace,
    NotFound,
    SaveFailed,
    WorkspaceBusy,
    WorkspaceError,
    WorkspaceReadOnly,
    read_error,
    save_error,
)
from storage.lock import NEW_FILE_MODE, WorkspaceLock, os_login, sibling

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

#: (st_ino, st_size, st_mtime_ns, st_ctime_ns): changes whenever the file is replaced.
Identity = tuple[int, int, int, int]
Tables = dict[str, dict[str, Any]]


def _identity(st: os.stat_result) -> Identity:
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def file_identity(path: str | os.PathLike[str]) -> Identity | None:
    """The file's identity, or ``None`` when there is no file."""
    try:
        return _identity(os.stat(path))
    except (FileNotFoundError, NotADirectoryError):
        return None


def _resolve(path: str | os.PathLike[str]) -> Path:
    # Follow symlinks so the temp file is made beside the real file and os.replace
    # swaps that file, not a symlink a deployment set up.
    return Path(os.path.realpath(os.fspath(path)))


def _kind(value: Any) -> str:
    kinds = {list: "a list", str: "a string", bool: "a true/false value",
             type(None): "null", int: "a number", float: "a number"}
    return kinds.get(type(value), "an object")


# -- reading -----------------------------------------------------------------------------


def parse_workspace(raw: bytes, path: str | os.PathLike[str]) -> Tables:
    """Parse and validate workspace bytes, or raise :class:`CorruptWorkspace`.

    Shape: a JSON object of tables; each table an object mapping document ids (whole
    numbers, as TinyDB writes them) to objects.
    """
    data, reason = _decode(raw)
    if reason is None:
        reason = _shape_problem(data)
    if reason is not None:
        raise CorruptWorkspace(path, reason)
    return data


def _decode(raw: bytes) -> tuple[Any, str | None]:
    if not raw:
        return None, "the file is empty"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"it is not UTF-8 text (bad byte at offset {exc.start})"
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        if exc.pos >= len(text.rstrip()):
            return None, f"the JSON stops at {where}"
        if exc.msg.startswith("Unterminated string"):  # cut off inside a string: truncated
            return None, f"the JSON stops inside a string that starts at {where}"
        # Some of json's messages end in "at" and expect the position after them.
        return None, f"it is not valid JSON at {where} ({exc.msg.lower().removesuffix(' at')})"
    except RecursionError:
        return None, "the JSON is nested too deeply"


def _shape_problem(data: Any) -> str | None:
    if not isinstance(data, dict):
        return f"it holds {_kind(data)}, not an object of tables"
    for name, table in data.items():
        if not isinstance(table, dict):
            return f"the table {name[:40]!r} is {_kind(table)}, not an object of documents"
        for doc_id, doc in table.items():
            if not (doc_id.isascii() and doc_id.isdigit()):
                return (f"the table {name[:40]!r} has a document id {doc_id[:40]!r} "
                        f"that is not a whole number")
            if not isinstance(doc, dict):
                return f"document {doc_id} in the table {name[:40]!r} is {_kind(doc)}, not an object"
    return None


class _NotRegularFile(Exception):
    """The path is a pipe, socket or device: ``str()`` says which."""


_FILE_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
               (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


def _read_regular(path: str | os.PathLike[str]) -> tuple[bytes, os.stat_result]:
    """A whole regular file's bytes and the stat of the descriptor they came from.

    Opened with ``O_NONBLOCK`` and checked with ``fstat`` before reading: a named pipe
    or ``/dev/zero`` put in place of a workspace would otherwise block every session's
    open forever, or read until memory runs out.  Raises ``OSError`` (a folder gives
    ``IsADirectoryError``) or ``_NotRegularFile``.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    with open(fd, "rb") as handle:  # owns fd from here on
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
        if not stat.S_ISREG(st.st_mode):
            kind = next((name for test, name in _FILE_KINDS if test(st.st_mode)), "a special file")
            raise _NotRegularFile(f"it is {kind}, not a regular file")
        return handle.read(), st


def load_workspace(path: str | os.PathLike[str]) -> tuple[Tables, Identity]:
    """Read and validate a workspace file, with the identity of the exact file read
    (from the open descriptor, so a concurrent replace cannot pair new bytes with an
    old identity)."""
    try:
        raw, st = _read_regular(path)
    except _NotRegularFile as exc:
        raise CorruptWorkspace(path, str(exc)) from None
    except OSError as exc:
        raise read_error(exc, path) from None
    return parse_workspace(raw, path), _identity(st)


# -- writing -----------------------------------------------------------------------------


def _fsync_dir(folder: Path) -> None:
    # Makes the rename durable.  Best effort: some file systems refuse fsync on a
    # folder (EINVAL), and by now the new file is in place for everyone anyway.
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    with suppress(OSError):
        os.fsync(fd)
    os.close(fd)


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]


def _copy_owner_and_mode(fd: int, like: os.stat_result | None) -> None:
    """Give the temp file the replaced file's group (and owner, when we are root)
    and permission bits; ``0600`` for a new workspace."""
    if like is None:
        os.fchmod(fd, NEW_FILE_MODE)
        return
    mine = os.fstat(fd)
    uid = like.st_uid if like.st_uid != mine.st_uid else -1
    gid = like.st_gid if like.st_gid != mine.st_gid else -1
    if uid != -1 or gid != -1:
        try:
            os.fchown(fd, uid, gid)
        except PermissionError:  # not root: keep at least the group, if we are in it
            with suppress(PermissionError):
                os.fchown(fd, -1, gid)
    os.fchmod(fd, stat.S_IMODE(like.st_mode))  # after chown, which may clear set-id bits


def write_file_atomically(
    path: Path, payload: bytes, *, like: os.stat_result | None
) -> os.stat_result:
    """Replace ``path`` by ``payload`` so readers see all old or all new bytes; the new
    file gets ``like``'s mode, group and owner where allowed (``0600`` if ``None``).

    Returns the new file's stat.  On failure the temp file is removed, ``path`` is
    untouched, and ``SaveFailed``/``WorkspaceReadOnly`` is raised.
    """
    folder = path.parent
    fd, tmp = -1, None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        _write_all(fd, payload)
        _copy_owner_and_mode(fd, like)
        os.fsync(fd)
        os.replace(tmp, path)
        tmp = None
        st = os.fstat(fd)  # after the rename, which may itself touch ctime
    except OSError as exc:
        raise save_error(exc, folder) from exc
    finally:
        if fd >= 0:
            with suppress(OSError):
                os.close(fd)
        if tmp is not None:
            with suppress(OSError):
                os.unlink(tmp)
    _fsync_dir(folder)
    return st


def _serialise(data: Tables) -> bytes:
    try:
        return json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (mangled input) has no UTF-8 form; escaped JSON keeps it.
        return json.dumps(data).encode("ascii")


def _link_copy(path: Path, target: Path, like: os.stat_result) -> None:
    """Make ``target`` hold ``path``'s current bytes, atomically.

    A hard link is free and exact: a workspace file is never changed in place (every
    save replaces it), so the linked inode keeps the pre-save bytes, mode and group.
    Where links are refused, copy the bytes.
    """
    with suppress(FileNotFoundError):
        if os.path.samestat(os.lstat(target), like):
            return  # already a link to this very file (e.g. its writer was killed)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        os.link(path, tmp)
    except OSError:
        with open(path, "rb") as handle:
            write_file_atomically(target, handle.read(), like=like)
        return
    try:
        os.replace(tmp, target)
    finally:
        # rename() between two links of one inode succeeds and does nothing, so the
        # temp name can still be there after a successful replace.
        with suppress(OSError):
            os.unlink(tmp)
    _fsync_dir(path.parent)


def _sweep_temps(path: Path) -> None:
    """Delete temp files left by a killed writer (call with the lock held)."""
    prefix = f".{path.name}."
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(prefix) and entry.name.endswith(".tmp"):
            with suppress(OSError):
                if entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)


def _can(path: Path, mode: int) -> bool:
    if os.access in os.supports_effective_ids:
        return os.access(path, mode, effective_ids=True)
    return os.access(path, mode)


def check_writable(path: str | os.PathLike[str]) -> str | None:
    """A sentence saying why this login cannot save to the workspace, or ``None``.

    The layer above opens such a workspace read-only and shows the sentence.
    """
    target = _resolve(path)
    folder = target.parent
    if not folder.is_dir():
        return f"The folder {folder} does not exist."
    if target.exists() and not _can(target, os.W_OK):
        return f"The workspace file {target} is not writable for you."
    if not _can(folder, os.W_OK | os.X_OK):
        return f"The folder {folder} that holds the workspace is not writable for you."
    lock = sibling(target, ".lock")
    if lock.exists() and not _can(lock, os.R_OK | os.W_OK):
        return f"The lock file {lock} is not writable for you."
    return None


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
        self.path = _resolve(path)
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
            if like is not None and not _can(self.path, os.W_OK):
                raise WorkspaceReadOnly(f"Could not save: the file {self.path} is not "
                                        f"writable; nothing was changed.", path=self.path)
            if not self._swept:
                _sweep_temps(self.path)
                self._swept = True
            if not self._backed_up:
                if like is not None:
                    self._backup(like)
                self._backed_up = True
            st = write_file_atomically(self.path, payload, like=like)
        except BaseException:
            self._forget()
            raise
        self._identity = _identity(st)
        self._seen_file = True

    def _backup(self, like: os.stat_result) -> None:
        """Keep the file as it is now (valid: the transaction just read it) as .bak."""
        try:
            _link_copy(self.path, sibling(self.path, ".bak"), like)
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
    target = _resolve(path)
    bak = sibling(target, ".bak")
    try:
        raw, bak_stat = _read_regular(bak)
    except FileNotFoundError:
        raise NotFound(f"There is no backup copy {bak} to restore.", path=target) from None
    except _NotRegularFile as exc:
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
                _link_copy(target, aside, like)
            except OSError as exc:
                raise save_error(exc, target.parent, "the damaged file could not be "
                                 "kept aside because ") from exc
        write_file_atomically(target, raw, like=like or bak_stat)
    return aside
