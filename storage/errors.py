"""Workspace errors: one readable sentence each, and the exit code DESIGN §4 gives it.

``str(exc)`` is what the CLI prints to stderr and what the app shows in a notice, so
every message is a complete sentence that says what happened and, where there is one,
what to do next.  ``exit_code`` is read by the CLI entry point:
2 bad input or usage (nothing changed), 3 refused, 4 conflict or lock timeout.
"""

from __future__ import annotations

import errno as _errno
import os
from datetime import datetime
from typing import Any

__all__ = [
    "AccessDenied",
    "ConflictError",
    "CorruptWorkspace",
    "NotFound",
    "SaveFailed",
    "WorkspaceBusy",
    "WorkspaceError",
    "WorkspaceReadOnly",
    "read_error",
    "save_error",
]


class WorkspaceError(Exception):
    """Base class: something about the workspace file stops the command (exit 2)."""

    exit_code: int = 2

    def __init__(self, message: str, *, path: str | os.PathLike[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = os.fspath(path) if path is not None else None

    def __str__(self) -> str:
        return self.message


class NotFound(WorkspaceError):
    """The workspace, its folder, or a record asked for does not exist (exit 2)."""

    exit_code = 2


class CorruptWorkspace(WorkspaceError):
    """The file is not valid JSON or not shaped like a maca workspace (exit 2).

    ``CorruptWorkspace(path, reason)`` builds the standard sentence, "PATH is not a
    readable maca workspace: REASON (use `maca check --restore` ...)." (the hint only
    when ``PATH.bak`` exists, unless ``backup_available`` says otherwise);
    ``CorruptWorkspace(message)`` takes a finished sentence.  ``reason`` is kept for
    callers (``maca check``) that list problems in their own words.  Such a file is
    never overwritten.
    """

    exit_code = 2

    def __init__(
        self,
        path_or_message: str | os.PathLike[str],
        reason: str | None = None,
        *,
        backup_available: bool | None = None,
    ) -> None:
        if reason is None:
            super().__init__(os.fspath(path_or_message))
            self.reason = self.message
            return
        where = os.fspath(path_or_message)
        if backup_available is None:
            backup_available = os.path.isfile(where + ".bak")
        hint = (
            " (use `maca check --restore` to bring back the last good copy)"
            if backup_available
            else ""
        )
        super().__init__(f"{where} is not a readable maca workspace: {reason}{hint}.", path=where)
        self.reason = reason


class WorkspaceBusy(WorkspaceError):
    """Another session held the lock for longer than the timeout (exit 4).

    :meth:`held_by` builds the standard sentence naming the holder.
    """

    exit_code = 4

    def __init__(
        self,
        message: str,
        *,
        login: str | None = None,
        pid: int | None = None,
        since: datetime | None = None,
        path: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__(message, path=path)
        self.login = login
        self.pid = pid
        self.since = since

    @classmethod
    def held_by(
        cls,
        login: str | None,
        pid: int | None,
        since: datetime | None,
        *,
        path: str | os.PathLike[str] | None = None,
    ) -> WorkspaceBusy:
        return cls(_busy_message(login, pid, since), login=login, pid=pid, since=since,
                   path=path)


def _busy_message(login: str | None, pid: int | None, since: datetime | None) -> str:
    if not login and pid is None:
        who = "another session is saving"
    else:
        name = login or "another user"
        who = f"{name} (pid {pid})" if pid is not None else name
        if since is None:
            who += " is saving"
        else:
            local = since.astimezone() if since.tzinfo else since
            today = datetime.now(local.tzinfo).date()
            clock = local.strftime("%H:%M:%S" if local.date() == today else "%Y-%m-%d %H:%M:%S")
            who += f" has been saving since {clock}"
    return f"The workspace is busy: {who}; nothing was saved, try again."


class WorkspaceReadOnly(WorkspaceError):
    """This session may not write the workspace: file or folder not writable, a newer
    schema, a read-only disk (exit 3)."""

    exit_code = 3


class SaveFailed(WorkspaceError):
    """Writing failed (disk full, I/O error...); the file on disk is untouched (exit 2).

    :meth:`because` builds "Could not save: REASON; nothing was changed."
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        errno: int | None = None,
        path: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__(message, path=path)
        self.reason = reason if reason is not None else message
        self.errno = errno

    @classmethod
    def because(
        cls,
        reason: str,
        *,
        errno: int | None = None,
        path: str | os.PathLike[str] | None = None,
    ) -> SaveFailed:
        return cls(f"Could not save: {reason}; nothing was changed.", reason=reason,
                   errno=errno, path=path)


class ConflictError(WorkspaceError):
    """Someone saved the same document since this session read it (exit 4).

    ``mine`` is what this session wanted to save, ``theirs`` what is on disk now
    (``None`` when it was deleted); ``key`` names the document for the chooser.
    """

    exit_code = 4

    def __init__(
        self,
        message: str,
        *,
        key: Any = None,
        mine: dict[str, Any] | None = None,
        theirs: dict[str, Any] | None = None,
        path: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__(message, path=path)
        self.key = key
        self.mine = mine
        self.theirs = theirs


class AccessDenied(WorkspaceError):
    """Refused: the login's role, or the operating system, does not allow it (exit 3).

    The message is the reason sentence shown to the user (and journaled above).
    """

    exit_code = 3


def save_error(exc: OSError, folder: str | os.PathLike[str], what: str = "") -> WorkspaceError:
    """The sentence for an ``OSError`` met while saving into ``folder`` (which failed
    before the file was replaced, so nothing changed).  ``what`` prefixes the reason
    for a step other than the save itself, e.g. ``"the backup copy could not be made: "``.
    """
    code = exc.errno
    folder = os.fspath(folder)
    if code in (_errno.EACCES, _errno.EPERM):
        return WorkspaceReadOnly(
            f"Could not save: {what}the folder {folder} is not writable; nothing was changed.")
    if code == _errno.EROFS:
        return WorkspaceReadOnly(
            f"Could not save: {what}the folder {folder} is on a read-only disk; "
            f"nothing was changed.")
    if code == _errno.ENOSPC:
        reason = "the disk is full"
    elif code == getattr(_errno, "EDQUOT", None):
        reason = "your disk quota is used up"
    elif code == _errno.EIO:
        reason = "the disk reported an input/output error"
    else:
        reason = (exc.strerror or str(exc)).lower()
    return SaveFailed.because(f"{what}{reason}", errno=code)


def read_error(exc: OSError, path: str | os.PathLike[str]) -> WorkspaceError:
    """The sentence for an ``OSError`` met while reading the workspace file."""
    where = os.fspath(path)
    if isinstance(exc, FileNotFoundError):
        return NotFound(f"There is no workspace at {where}.", path=path)
    if isinstance(exc, IsADirectoryError):
        return WorkspaceError(f"{where} is a folder, not a workspace file.", path=path)
    if isinstance(exc, PermissionError):
        return AccessDenied(f"You cannot read {where}: the operating system denies it "
                            f"(ask the workspace's owner for access).", path=path)
    reason = (exc.strerror or str(exc)).lower()
    return WorkspaceError(f"Could not read {where}: {reason}.", path=path)
