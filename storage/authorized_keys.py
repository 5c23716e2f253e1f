"""The service account's `authorized_keys`: the block maca writes for one workspace.

In served mode (DESIGN §1) each auditor's key is one line forcing
``maca serve --db WORKSPACE --as LOGIN``.  maca owns one block per workspace, between a
``# maca begin PATH`` and a ``# maca end PATH`` line, and rewrites the whole block from
the workspace's users on every change, so removing a user or a key revokes it at once
(sshd reads the file at each connection).  Lines outside maca's blocks are kept as they
are.  The file is replaced whole: a new ``0600`` file renamed into place, under a lock
so that two workspaces served by one account never lose each other's changes.
"""

from __future__ import annotations

import os
import pwd
import shutil
import sys
from pathlib import Path

from audit.files import read_regular
from audit.ssh_keys import authorized_line
from storage.errors import WorkspaceError
from storage.files import write_file_atomically

__all__ = ["authorized_keys_path", "block_lines", "maca_command", "sync_authorized_keys"]

MAX_FILE = 8 * 1024 * 1024


def authorized_keys_path(*, served: bool) -> Path:
    """The process owner's ``~/.ssh/authorized_keys`` (from the passwd entry, never
    ``$HOME``).  Outside served mode ``MACA_AUTHORIZED_KEYS`` may name another file (for
    tests and unusual sshd set-ups); under ``serve`` the environment is the client's
    session's and steers nothing."""
    if not served:
        override = os.environ.get("MACA_AUTHORIZED_KEYS")
        if override:
            return Path(override)
    return Path(pwd.getpwuid(os.geteuid()).pw_dir) / ".ssh" / "authorized_keys"


def maca_command() -> str:
    """The `maca` program sshd should start for a key: the one running now."""
    argv0 = sys.argv[0] if sys.argv else ""
    if os.path.basename(argv0).startswith("maca") and os.path.isfile(argv0) and os.access(argv0, os.X_OK):
        return os.path.abspath(argv0)
    found = shutil.which("maca")
    if found:
        return os.path.abspath(found)
    return os.path.join(os.path.dirname(sys.executable), "maca")


def _markers(db: str) -> tuple[str, str]:
    return (f"# maca begin {db} (written by `maca users`; change it with maca, not by hand)",
            f"# maca end {db}")


def block_lines(maca: str, db: str, keys: dict[str, str]) -> list[str]:
    """The block for ``keys`` (login -> public key), one line each, by login."""
    begin, end = _markers(db)
    return [begin, *(authorized_line(maca, db, login, keys[login]) for login in sorted(keys)), end]


def _read(path: Path) -> tuple[list[str], os.stat_result | None]:
    try:
        raw, st = read_regular(path)
    except FileNotFoundError:
        return [], None
    except Exception as exc:  # noqa: BLE001 - any reason not to trust it is the same sentence
        raise WorkspaceError(f"{path} cannot be read ({exc}); no key was changed.") from None
    if len(raw) > MAX_FILE:
        raise WorkspaceError(f"{path} is too large to be an authorized_keys file; no key was changed.")
    return raw.decode("utf-8", "replace").splitlines(), st


def sync_authorized_keys(path: Path, maca: str, db: str, keys: dict[str, str]) -> int:
    """Rewrite this workspace's block in ``path`` for ``keys`` (login -> public key);
    the number of keys."""
    from filelock import FileLock, Timeout

    folder = path.parent
    if not folder.is_dir():
        try:
            folder.mkdir(mode=0o700, parents=True)
        except OSError as exc:
            raise WorkspaceError(f"The folder {folder} for the SSH keys cannot be made ({exc.strerror}); "
                                 "no key was changed.") from None
    begin, end = _markers(db)
    block = block_lines(maca, db, keys)
    lock = FileLock(str(path) + ".lock", timeout=10, mode=0o600)
    try:
        with lock:
            lines, st = _read(path)
            kept: list[str] = []
            inside = False
            placed = False
            for line in lines:
                if line == begin:
                    inside = True
                    continue
                if inside:
                    if line == end:
                        inside = False
                        kept += block
                        placed = True
                    continue
                kept.append(line)
            if not placed:
                kept += block
            payload = ("\n".join(kept) + "\n").encode("utf-8")
            write_file_atomically(path, payload, like=st)
    except Timeout:
        raise WorkspaceError(f"Another maca is changing {path}; try again in a moment. No key was changed.") \
            from None
    return len(block) - 2
