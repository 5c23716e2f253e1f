"""Low-level file operations for the workspace file and its siblings (DESIGN §7).

Everything here works on one path at a time and knows nothing of TinyDB or of what a
workspace holds: a file's identity (to notice that another process replaced it),
replacing a file atomically (temp file in the same folder, fsync, ``os.replace``, fsync
the folder), keeping a version by hard link or copy, and checking access.
`storage.folder` and `storage.commit` build the workspace folder's saves from these.
"""

from __future__ import annotations

import os
import secrets
import stat
import tempfile
from contextlib import suppress
from pathlib import Path

from storage.errors import save_error
from storage.lock import NEW_FILE_MODE

__all__ = [
    "Identity",
    "can_access",
    "file_identity",
    "link_copy",
    "stat_identity",
    "write_file_atomically",
]

#: (st_ino, st_size, st_mtime_ns, st_ctime_ns): changes whenever the file is replaced.
Identity = tuple[int, int, int, int]


def stat_identity(st: os.stat_result) -> Identity:
    """The identity of the file ``st`` was taken from."""
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def file_identity(path: str | os.PathLike[str]) -> Identity | None:
    """The file's identity, or ``None`` when there is no file."""
    try:
        return stat_identity(os.stat(path))
    except (FileNotFoundError, NotADirectoryError):
        return None


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


def link_copy(path: Path, target: Path, like: os.stat_result) -> None:
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


def can_access(path: Path, mode: int) -> bool:
    """``os.access`` with the effective ids where the platform can check those."""
    if os.access in os.supports_effective_ids:
        return os.access(path, mode, effective_ids=True)
    return os.access(path, mode)
