"""Writing a file a person chose (a report, a chase list) without ever touching the workspace.

A path typed into an export dialog is hostile input: it may name the workspace itself,
its backup, its lock or journal, directly, through a symlinked folder, or through a
hard link.  Every such write goes through :func:`write_user_file`, which

- opens the destination's folder once and works relative to that descriptor, so the
  folder cannot be swapped for a symlink between the check and the write;
- refuses a folder that is the workspace's (a workspace folder, or the folder holding a
  single-file workspace when the name is one of its siblings: ``NAME``, ``NAME.bak``,
  ``NAME.lock``, ``.NAME.*.tmp``...), and a destination whose inode is one of the
  workspace's files (a hard link);
- refuses a destination that is a symlink;
- writes a new temp file created with ``O_EXCL | O_NOFOLLOW`` and renames it into place,
  so an existing file is replaced whole and never written through.

The check is made against the workspace path, folder or file, so it holds for both
layouts (DESIGN §7).
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from contextlib import suppress
from pathlib import Path

from storage.errors import AccessDenied, NotFound, WorkspaceError

__all__ = ["UnsafeDestination", "check_destination", "is_workspace_file", "write_user_file"]

_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_NEW_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
              | getattr(os, "O_CLOEXEC", 0))


class UnsafeDestination(AccessDenied):
    """The chosen file is (or leads to) the workspace's own files, or is a symlink (exit 3)."""

    exit_code = 3


def _real_folder(fd: int, fallback: str) -> str:
    """The real path of an open folder: from /proc where there is one (no race with a
    rename of the path), else realpath of the path it was opened by."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return os.path.realpath(fallback)


def _own_places(workspace: Path) -> tuple[str, str, bool]:
    """(real path of the workspace, the folder it sits in, whether it is a folder)."""
    real = os.path.realpath(workspace)
    return real, os.path.dirname(real), os.path.isdir(real)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _own_inodes(workspace: Path) -> set[tuple[int, int]]:
    """(device, inode) of every file that is the workspace's (to catch hard links)."""
    real, parent, is_folder = _own_places(workspace)
    found: set[tuple[int, int]] = set()
    if is_folder:
        for root, _dirs, files in os.walk(real):
            for name in files:
                with suppress(OSError):
                    st = os.lstat(os.path.join(root, name))
                    found.add((st.st_dev, st.st_ino))
        return found
    name = os.path.basename(real)
    with suppress(OSError):
        for entry in os.scandir(parent):
            if _sibling_of(entry.name, name):
                with suppress(OSError):
                    st = entry.stat(follow_symlinks=False)
                    found.add((st.st_dev, st.st_ino))
    return found


def _sibling_of(candidate: str, name: str) -> bool:
    """Whether a name in the workspace's folder is one of its files (``NAME``,
    ``NAME.bak``, ``NAME.lock.who``, ``.NAME.x.tmp`` ...)."""
    return candidate == name or candidate.startswith((f"{name}.", f".{name}."))


def is_workspace_file(workspace: Path, folder: str, name: str) -> bool:
    """Whether ``name`` in the real folder ``folder`` is (or would be) one of the
    workspace's files, for a workspace that is a folder or a single file."""
    real, parent, _ = _own_places(workspace)
    if _inside(folder, real):
        return True  # anything in a workspace folder, at any depth
    # A file workspace's siblings (NAME.bak, NAME.lock ...), and a folder workspace's
    # files kept beside it, if any, are named after it.
    return folder == parent and _sibling_of(name, os.path.basename(real))


def _refuse(target: Path) -> UnsafeDestination:
    return UnsafeDestination(f"{target} is one of the workspace's own files; nothing was written. "
                             "Choose a file outside the workspace.")


def check_destination(workspace: Path, target: Path) -> None:
    """Refuse early (before any work) what :func:`write_user_file` would refuse: the
    workspace's own files and symlinks.  Not a guarantee; the write checks again."""
    if is_workspace_file(workspace, os.path.realpath(target.parent), target.name):
        raise _refuse(target)
    if os.path.islink(target):
        raise _symlink(target)
    with suppress(OSError):
        st = os.stat(target)
        if (st.st_dev, st.st_ino) in _own_inodes(workspace):
            raise _refuse(target)


def _symlink(target: Path) -> UnsafeDestination:
    return UnsafeDestination(f"{target} is a symbolic link; maca does not write through links. "
                             "Nothing was written; choose another name.")


def write_user_file(workspace: Path, target: Path, payload: bytes) -> Path:
    """Write ``payload`` to ``target`` (a file the user chose), never onto the workspace.

    Returns the path written.  Raises :class:`UnsafeDestination` (exit 3) for the
    workspace's own files or a symlink, :class:`NotFound` for a missing folder and
    :class:`WorkspaceError` for a folder given as the file or a write that failed; on
    failure nothing is left behind.
    """
    target = Path(target)
    name = target.name
    if name in ("", ".", ".."):
        raise WorkspaceError(f"{target} is a folder; give a file name.")
    folder_path = os.fspath(target.parent)
    try:
        dfd = os.open(folder_path, _DIR_FLAGS)
    except FileNotFoundError:
        raise NotFound(f"The folder {target.parent} does not exist; nothing was written.") from None
    except NotADirectoryError:
        raise NotFound(f"{target.parent} is not a folder; nothing was written.") from None
    except PermissionError:
        raise WorkspaceError(f"The folder {target.parent} is not open to you; nothing was written.") from None
    tmp: str | None = None
    try:
        folder = _real_folder(dfd, folder_path)
        if is_workspace_file(workspace, folder, name):
            raise _refuse(target)
        try:
            existing: os.stat_result | None = os.lstat(name, dir_fd=dfd)
        except FileNotFoundError:
            existing = None
        mode = 0o600
        if existing is not None:
            if stat.S_ISLNK(existing.st_mode):
                raise _symlink(target)
            if stat.S_ISDIR(existing.st_mode):
                raise WorkspaceError(f"{target} is a folder; give a file name.")
            if not stat.S_ISREG(existing.st_mode):
                raise WorkspaceError(f"{target} is not a regular file; nothing was written.")
            if (existing.st_dev, existing.st_ino) in _own_inodes(workspace):
                raise _refuse(target)
            if existing.st_uid == os.geteuid():
                mode = stat.S_IMODE(existing.st_mode) & 0o777  # a replaced file of one's own keeps its mode
        tmp = f".{name[:80]}.{secrets.token_hex(6)}.tmp"
        fd = os.open(tmp, _NEW_FLAGS, 0o600, dir_fd=dfd)
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        tmp = None
        with suppress(OSError):
            os.fsync(dfd)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise WorkspaceError(f"{target} cannot be written here (permission denied or a read-only "
                                 "folder); nothing was written.") from None
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise WorkspaceError(f"The disk is full; {target} was not written.") from None
        raise WorkspaceError(f"{target} could not be written ({exc.strerror or exc}); "
                             "nothing was written.") from None
    finally:
        if tmp is not None:
            with suppress(OSError):
                os.unlink(tmp, dir_fd=dfd)
        os.close(dfd)
    return target
