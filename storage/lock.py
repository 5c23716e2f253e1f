"""The cross-process write lock of a workspace, and the note that names its holder.

Writers take an exclusive ``filelock.FileLock`` on the sibling ``PATH.lock``.  Readers
never lock: every save replaces the file atomically, so a reader sees either the old or
the new file, never half of one.

Who holds the lock is written to a second sibling, ``PATH.lock.who`` (login, pid, ISO
time), because older ``filelock`` releases open the lock file itself with ``O_TRUNC``
and every waiter would wipe the record.  The note is informational only: failing to
write or read it never stops a save, it only makes the busy message vaguer.  A note
left by a crashed holder is harmless, since it is only read while the lock is held.
"""

from __future__ import annotations

import errno
import json
import os
import pwd
import stat
import time
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from audit.text import printable
from storage.errors import (
    NotFound,
    WorkspaceBusy,
    WorkspaceError,
    WorkspaceReadOnly,
    save_error,
)

__all__ = ["WorkspaceLock", "os_login", "sibling"]

NEW_FILE_MODE = 0o600
_WHO_LIMIT = 4096  # a holder note is a few dozen bytes; never read a huge planted file
_WHO_SIZE = 256  # holder notes are padded with spaces to this size (JSON allows them)


def filelock_timeout() -> type[Exception]:
    from filelock import Timeout

    return Timeout


def os_login() -> str:
    """The operating-system login of this process (never an environment variable)."""
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:  # a uid with no passwd entry, e.g. in some containers
        return str(os.geteuid())


def sibling(path: Path, suffix: str) -> Path:
    """``PATH`` + ``suffix`` in the same folder (``x.json`` -> ``x.json.lock``)."""
    return path.with_name(path.name + suffix)


def _mode_like(like: os.stat_result | None) -> int:
    # Owner read/write always: filelock insists, and the lock must be openable.
    return (stat.S_IMODE(like.st_mode) & 0o666 | 0o600) if like else NEW_FILE_MODE




class WorkspaceLock:
    """Exclusive, non-reentrant write lock for one workspace file.

    The lock file and the holder note get the workspace's permission bits (owner
    read/write always added) and its group, so a group-shared deployment keeps working
    whoever created them first; a new workspace gets ``0600``.
    """

    def __init__(self, workspace: Path, *, timeout: float, holder: str) -> None:
        self.workspace = workspace
        self.lock_path = sibling(workspace, ".lock")
        self.who_path = sibling(workspace, ".lock.who")
        self.timeout = timeout
        self.holder = holder
        self._filelock: Any = None
        self.last_wait = 0.0  # seconds the last acquire waited for another session  # filelock.FileLock, imported on first save (reads never lock)
        self._permissions_fixed = False

    def _like(self) -> os.stat_result | None:
        try:
            return os.stat(self.workspace)
        except OSError:
            return None

    def acquire(self) -> None:
        """Take the lock or raise: ``WorkspaceBusy`` after the timeout, otherwise
        ``WorkspaceReadOnly``/``NotFound``/``SaveFailed`` with one sentence."""
        like = None if self._permissions_fixed else self._like()
        if self._filelock is None:
            from filelock import FileLock

            self._filelock = FileLock(str(self.lock_path), timeout=self.timeout,
                                      mode=_mode_like(like))
        started = time.monotonic()
        try:
            # A short poll keeps waiting sessions from being overtaken again and again by
            # one that saves in a loop (filelock's 50 ms default let waits grow to seconds).
            self._filelock.acquire(timeout=self.timeout, poll_interval=0.005)
        except filelock_timeout():
            raise self.busy_error() from None
        except OSError as exc:
            raise self._lock_error(exc) from exc
        self.last_wait = time.monotonic() - started
        try:
            if not self._permissions_fixed:
                self._match(self.lock_path, like)
            self._write_who(like)
            self._permissions_fixed = True
        except BaseException:
            self._filelock.release()
            raise

    def release(self) -> None:
        if self._filelock is not None and self._filelock.is_locked:
            self._filelock.release()

    def __enter__(self) -> WorkspaceLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    # -- holder note ---------------------------------------------------------------

    def _write_who(self, like: os.stat_result | None) -> None:
        record = {
            "login": self.holder,
            "pid": os.getpid(),
            "since": datetime.now().astimezone().isoformat(timespec="seconds"),
        }
        # Written over in place at one size, not truncated and rewritten: a truncation is
        # a change to the file system's journal, which under load cost a save 1-3 ms.
        payload = json.dumps(record).encode("utf-8").ljust(_WHO_SIZE)
        flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(self.who_path, flags, NEW_FILE_MODE)
        except OSError:
            return  # informational only
        try:
            if not self._permissions_fixed:
                self._match(fd, like)
            os.pwrite(fd, payload, 0)
            if os.fstat(fd).st_size > len(payload):  # a longer note from before
                os.ftruncate(fd, len(payload))
        except OSError:
            pass
        finally:
            os.close(fd)

    def read_holder(self) -> tuple[str | None, int | None, datetime | None]:
        """(login, pid, since) from the holder note; ``None`` for whatever is unknown."""
        try:
            with open(self.who_path, "rb") as handle:
                record = json.loads(handle.read(_WHO_LIMIT).decode("utf-8"))
        except (OSError, ValueError):
            return None, None, None
        if not isinstance(record, dict):
            return None, None, None
        login = record.get("login")
        pid = record.get("pid")
        since: datetime | None = None
        if isinstance(record.get("since"), str):
            try:
                since = datetime.fromisoformat(record["since"])
            except ValueError:
                since = None
        return (
            printable(login, 64) if isinstance(login, str) and login else None,
            pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
            since,
        )

    def busy_error(self) -> WorkspaceBusy:
        login, pid, since = self.read_holder()
        return WorkspaceBusy.held_by(login, pid, since, path=self.workspace)

    # -- permissions -----------------------------------------------------------------

    @staticmethod
    def _match(target: int | Path, like: os.stat_result | None) -> None:
        """Give a lock-side file (path or descriptor) the workspace's group and bits."""
        mode = _mode_like(like)
        try:
            current = os.stat(target)
            if like is not None and current.st_gid != like.st_gid:
                os.chown(target, -1, like.st_gid)
            if stat.S_IMODE(current.st_mode) != mode:
                os.chmod(target, mode)
        except OSError:
            pass  # someone else's file: it still works, leave its permissions alone

    def _lock_error(self, exc: OSError) -> WorkspaceError:
        if exc.errno in (errno.EACCES, errno.EPERM):
            return WorkspaceReadOnly(
                f"Could not save: the lock file {self.lock_path} cannot be opened for "
                f"writing by you; nothing was changed.", path=self.workspace)
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return NotFound(f"The folder {self.lock_path.parent} no longer exists; "
                            f"nothing was saved.", path=self.workspace)
        return save_error(exc, self.lock_path.parent, "the lock could not be taken because ")
