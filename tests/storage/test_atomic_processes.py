"""AtomicJSONStorage across processes: writers killed mid-save, two writers at once,
and a lock held by someone else.  Each child is a fresh `python -c`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from storage.atomic import AtomicJSONStorage, load_workspace
from storage.errors import WorkspaceBusy

REPO = Path(__file__).resolve().parents[2]
OLD = {"cases": {"1": {"ref": "C1"}}}


def child(code: str, **kwargs: object) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO, env=env, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        **kwargs,  # type: ignore[arg-type]
    )


# Each hook kills the writer (os._exit: no cleanup, like kill -9) at one point of the
# save of the workspace itself: half-way through writing the temp file, at its fsync,
# or just before the rename.
KILL_AT = {
    "write": """
        real = os.write
        def hook(fd, data):
            if stat.S_ISREG(os.fstat(fd).st_mode) and len(data) > 100_000:
                real(fd, bytes(data[: len(data) // 2]))
                os._exit(9)
            return real(fd, data)
        os.write = hook
    """,
    "fsync": """
        real = os.fsync
        def hook(fd):
            if stat.S_ISREG(os.fstat(fd).st_mode):
                os._exit(9)
            return real(fd)
        os.fsync = hook
    """,
    "replace": """
        real = os.replace
        def hook(src, dst):
            if str(dst) == PATH:
                os._exit(9)
            return real(src, dst)
        os.replace = hook
    """,
}


@pytest.mark.parametrize("point", list(KILL_AT))
def test_writer_killed_mid_save_leaves_the_old_file_readable(tmp_path: Path, point: str) -> None:
    path = tmp_path / "w.json"
    path.write_text(json.dumps(OLD), encoding="utf-8")
    old = path.read_bytes()
    proc = child(
        textwrap.dedent(f"""
        import os, stat
        from storage.atomic import AtomicJSONStorage
        PATH = {str(path)!r}
        storage = AtomicJSONStorage(PATH)
        storage.read()
        """)
        + textwrap.dedent(KILL_AT[point])
        + textwrap.dedent("""
        with storage.transaction():
            storage.table("cases").insert({"ref": "C2", "notes": "x" * 1_000_000})
        print("survived")
        """)
    )
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 9, err
    assert "survived" not in out

    assert path.read_bytes() == old
    data, _ = load_workspace(path)
    assert data == OLD
    # kill -9 cannot clean up: the temp file may stay behind.  Nothing reads it ...
    leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert all(p.name.startswith(".w.json.") for p in leftovers)
    assert leftovers  # (the hooks all fire after the temp file exists)
    # ... and the next writer, holding the lock, removes it.
    storage = AtomicJSONStorage(path)
    with storage.transaction():
        storage.table("cases").insert({"ref": "C3"})
    assert [d["ref"] for d in load_workspace(path)[0]["cases"].values()] == ["C1", "C3"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


WRITER = """
import sys
from storage.atomic import AtomicJSONStorage
storage = AtomicJSONStorage({path!r}, create=True, holder="w{n}")
print("ready", flush=True)
sys.stdin.readline()
for i in range(200):
    with storage.transaction():
        storage.table("docs").insert({{"writer": {n}, "i": i}})
print("done", flush=True)
"""


@pytest.mark.slow
def test_two_processes_saving_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    procs = [child(WRITER.format(path=str(path), n=n)) for n in (1, 2)]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    for proc in procs:  # start both loops together
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    data, _ = load_workspace(path)
    docs = list(data["docs"].values())
    assert len(docs) == 400
    assert {(d["writer"], d["i"]) for d in docs} == {(w, i) for w in (1, 2) for i in range(200)}
    assert sorted(map(int, data["docs"])) == list(range(1, 401))


def test_lock_held_elsewhere_times_out_naming_the_holder(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    path.write_text(json.dumps(OLD), encoding="utf-8")
    before = path.read_bytes()
    holder = child(
        f"""
        import sys
        from storage.atomic import AtomicJSONStorage
        storage = AtomicJSONStorage({str(path)!r}, holder="alice")
        with storage.transaction():
            print("locked", flush=True)
            sys.stdin.readline()
        """
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        storage = AtomicJSONStorage(path, lock_timeout=0.2, holder="bob")
        with pytest.raises(WorkspaceBusy) as busy:
            with storage.transaction():
                storage.table("cases").insert({"ref": "C2"})
        message = str(busy.value)
        assert message.startswith(
            f"The workspace is busy: alice (pid {holder.pid}) has been saving since ")
        assert message.endswith("; nothing was saved, try again.")
        assert busy.value.exit_code == 4
        assert (busy.value.login, busy.value.pid) == ("alice", holder.pid)
        assert path.read_bytes() == before
    finally:
        holder.communicate("\n", timeout=30)
    assert holder.returncode == 0
    with storage.transaction():  # free again: the same session can save now
        storage.table("cases").insert({"ref": "C2"})
    assert len(load_workspace(path)[0]["cases"]) == 2
