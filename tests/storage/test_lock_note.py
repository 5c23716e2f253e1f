"""The lock's holder note is written over in place at one size on every save (never
truncated: that is a file-system journal change each save), and still read back."""

from __future__ import annotations

import os
from pathlib import Path

from storage.lock import WorkspaceLock, _WHO_SIZE


def test_the_note_is_written_over_in_place_and_read_back(tmp_path: Path) -> None:
    workspace = tmp_path / "w.json"
    workspace.write_bytes(b"{}")
    lock = WorkspaceLock(workspace, timeout=1, holder="ann")
    lock.who_path.write_bytes(b'{"login": "someone.before", "pid": 1, "since": "x"}' + b" " * 600)
    lock.acquire()
    first = os.stat(lock.who_path)
    lock.release()
    lock.acquire()
    assert lock.read_holder()[0:2] == ("ann", os.getpid())
    lock.release()
    second = os.stat(lock.who_path)
    assert first.st_ino == second.st_ino and first.st_size == second.st_size == _WHO_SIZE
