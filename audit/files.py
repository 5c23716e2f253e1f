"""Reading a file a person named, safely: regular files only, and not unboundedly large.

A path typed into a prompt or a scope file could name a FIFO (which blocks forever),
a device such as /dev/zero (which never ends) or a folder; each is refused with one
sentence instead of hanging the session.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MB = 1024 * 1024


def read_regular_file(path: str | os.PathLike[str], *, limit: int, what: str = "file") -> bytes:
    """The bytes of `path`, or ValueError with one sentence saying why not."""
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise ValueError(f"There is no file {p}.") from None
    except IsADirectoryError:
        raise ValueError(f"{p} is a folder, not a {what}.") from None
    except PermissionError:
        raise ValueError(f"You cannot read {p}: the operating system denies it.") from None
    except OSError as exc:
        raise ValueError(f"{p} cannot be read: {(exc.strerror or str(exc)).lower()}.") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise ValueError(f"{p} is a folder, not a {what}.")
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"{p} is a device, pipe or socket, not a regular file.")
        if st.st_size > limit:
            raise ValueError(f"{p} is {st.st_size / MB:.1f} MB; a {what} may be at most {limit // MB} MB.")
        with os.fdopen(fd, "rb", closefd=True) as handle:
            fd = -1
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise ValueError(f"{p} is larger than {limit // MB} MB; a {what} may be at most that.")
        return data
    finally:
        if fd >= 0:
            os.close(fd)
