"""Reading a file safely: regular files only, and not unboundedly large.

A path typed into a prompt or a scope file could name a FIFO (which blocks forever),
a device such as /dev/zero (which never ends) or a folder, and a named pipe put in
place of a workspace file would block every session's open.  :func:`read_regular` is
the one reader: opened with ``O_NONBLOCK`` and checked with ``fstat`` before reading.
:func:`read_regular_file` is it for a file a person named, each refusal one sentence.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MB = 1024 * 1024


class NotRegularFile(Exception):
    """The path is a pipe, socket or device: ``str()`` says which."""


class _TooLarge(Exception):
    def __init__(self, size: int | None) -> None:
        super().__init__(size)
        self.size = size  # from fstat; None when the file grew past the limit while read


_FILE_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
               (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


def read_regular(path: str | os.PathLike[str], *, limit: int | None = None) -> tuple[bytes, os.stat_result]:
    """A whole regular file's bytes and the stat of the descriptor they came from.

    Raises ``OSError`` (a folder gives ``IsADirectoryError``) or :class:`NotRegularFile`;
    with a ``limit``, a file of more bytes raises ``_TooLarge`` (for
    :func:`read_regular_file`).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    with open(fd, "rb") as handle:  # owns fd from here on
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
        if not stat.S_ISREG(st.st_mode):
            kind = next((name for test, name in _FILE_KINDS if test(st.st_mode)), "a special file")
            raise NotRegularFile(f"it is {kind}, not a regular file")
        if limit is None:
            return handle.read(), st
        if st.st_size > limit:
            raise _TooLarge(st.st_size)
        data = handle.read(limit + 1)
        if len(data) > limit:
            raise _TooLarge(None)
        return data, st


def read_regular_file(path: str | os.PathLike[str], *, limit: int, what: str = "file") -> bytes:
    """The bytes of `path`, a file a person named, or ValueError with one sentence saying
    why not."""
    p = Path(path)
    try:
        return read_regular(p, limit=limit)[0]
    except FileNotFoundError:
        raise ValueError(f"There is no file {p}.") from None
    except IsADirectoryError:
        raise ValueError(f"{p} is a folder, not a {what}.") from None
    except PermissionError:
        raise ValueError(f"You cannot read {p}: the operating system denies it.") from None
    except OSError as exc:
        raise ValueError(f"{p} cannot be read: {(exc.strerror or str(exc)).lower()}.") from None
    except NotRegularFile:
        raise ValueError(f"{p} is a device, pipe or socket, not a regular file.") from None
    except _TooLarge as big:
        if big.size is None:
            raise ValueError(f"{p} is larger than {limit // MB} MB; a {what} may be at most that.") from None
        raise ValueError(f"{p} is {big.size / MB:.1f} MB; a {what} may be at most {limit // MB} MB.") from None
