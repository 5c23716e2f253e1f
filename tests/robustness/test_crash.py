"""Crashes (DESIGN §7): `kill -9` at random moments during saves loses no committed save,
and a damaged file is refused until `maca check --restore` brings back the last good copy.

Writers are real processes saving through the Workspace API.  Each one writes a line to
its own side log only *after* a save has returned, so every logged save is one the
program told its user was done; the parent kills writers with SIGKILL at random moments
and then proves that the file opens, `maca check` passes and every logged save is there.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from audit.access import Act
from audit.partnership import Role, User
from storage.atomic import parse_workspace
from storage.demo import demo_partnership
from storage.lock import os_login
from storage.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
MACA = Path(sys.executable).with_name("maca")
LOGIN = os_login()

SEED = 20210420
KILLS = 50  # scheduled SIGKILLs, one per writer process
WRITERS = 3  # writers saving at the same time, so kills also land while others wait
MAX_DELAY = 0.06  # seconds between "this writer is saving" and its kill

# A writer: joins the workspace as a new user (save 0), then saves its user's name as an
# ever-growing counter.  The side log line is written only once the save has returned.
WRITER = r"""
import dataclasses, os, sys
from audit.access import Act
from audit.partnership import Role, User
from storage.workspace import Workspace

path, login, name, log = sys.argv[1:5]
out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
ws = Workspace.open(path, login, lock_timeout=60)
me = ws.insert(User(login=name, role=Role.VIEWER, name="0"), act=Act.MANAGE_USERS,
               summary="crash test: joined")
os.write(out, b"0\n")
n = 0
while True:
    n += 1
    me = ws.save(dataclasses.replace(me, name=str(n)), act=Act.MANAGE_USERS,
                 summary=f"crash test: save {n}")
    os.write(out, f"{n}\n".encode())
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}


def maca(*args: str | Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(MACA), *map(str, args)], cwd=REPO, env=_env(), capture_output=True, text=True,
        timeout=60, stdin=subprocess.DEVNULL,
    )
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done


@dataclass
class Writer:
    name: str
    log: Path
    errors: Path
    proc: subprocess.Popen[bytes]
    dead: bool = False

    def last_logged(self) -> int | None:
        """The last save this writer was told had committed (None: not even joining)."""
        try:
            lines = self.log.read_bytes().split()
        except FileNotFoundError:
            return None
        return int(lines[-1]) if lines else None

    def wait_until_saving(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while self.last_logged() is None:
            if self.proc.poll() is not None:
                pytest.fail(f"writer {self.name} stopped by itself:\n{self.errors.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"writer {self.name} never saved:\n{self.errors.read_text()}")
            time.sleep(0.005)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.dead = True


@dataclass
class Crowd:
    path: Path
    folder: Path
    writers: list[Writer] = field(default_factory=list)

    @property
    def running(self) -> list[Writer]:
        return [w for w in self.writers if not w.dead]

    def spawn(self) -> Writer:
        name = f"crash{len(self.writers):03d}"
        log, errors = self.folder / f"{name}.log", self.folder / f"{name}.err"
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(self.path), LOGIN, name, str(log)],
            cwd=REPO, env=_env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=errors.open("wb"),
        )
        writer = Writer(name, log, errors, proc)
        self.writers.append(writer)
        return writer

    def stop(self) -> None:
        for writer in self.running:
            writer.kill()

    def verify(self) -> Workspace:
        """Every logged save is on disk, and nothing a dead writer did not start is."""
        logged = {w.name: w.last_logged() for w in self.writers}  # logs first, then the file
        ws = Workspace.open(self.path, LOGIN)  # raises if the file does not open
        for writer in self.writers:
            last, stored = logged[writer.name], ws.get("users", writer.name)
            if last is None:
                # Killed while joining: the join may have committed without being logged.
                assert stored is None or (writer.dead and stored.name == "0"), writer.name
                continue
            assert stored is not None, f"{writer.name} logged save {last} but is not in the file"
            n = int(stored.name)
            assert stored.rev == n + 1, f"{writer.name}: the document and its rev disagree"
            if writer.dead:
                # The save in flight at the kill may have committed before its log line.
                assert n in (last, last + 1), f"{writer.name}: logged {last}, file has {n}"
            else:
                assert n >= last, f"{writer.name}: logged {last}, file has only {n}"
        return ws


def test_fifty_kills_during_saves_lose_no_committed_save(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    path = tmp_path / "ws.json"
    partnership, _ = demo_partnership()
    Workspace.create(path, LOGIN, partnership)
    folder = tmp_path / "writers"
    folder.mkdir()
    crowd = Crowd(path, folder)
    started = time.monotonic()
    temps_seen = 0
    try:
        for _ in range(WRITERS):
            crowd.spawn()
        for _ in range(KILLS):
            victim = rng.choice(crowd.running)
            victim.wait_until_saving()
            time.sleep(rng.uniform(0.0, MAX_DELAY))
            victim.kill()
            # A temp file next to the workspace means the kill landed inside a write.
            temps_seen += any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
            crowd.verify()
            check = maca("check", "--db", path)
            assert (check.returncode, check.stderr) == (0, ""), check.stderr
            crowd.spawn()
    finally:
        crowd.stop()
    ws = crowd.verify()

    # Each committed save landed with its journal entry, in the same transaction.
    counts: dict[str, int] = {}
    for entry in ws.journal():
        if entry.entity == "users" and entry.key.startswith("crash"):
            counts[entry.key] = counts.get(entry.key, 0) + 1
    for writer in crowd.writers:
        stored = ws.get("users", writer.name)
        assert counts.get(writer.name, 0) == (stored.rev if stored else 0), writer.name
    assert sum(1 for w in crowd.writers if (w.last_logged() or 0) >= 1) >= KILLS // 2

    # The lock is free and the next session clears what the killed writers left behind.
    added = maca("users", "--db", path, "add", "after.crashes", "--role", "viewer")
    assert added.returncode == 0, added.stderr
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    parse_workspace(path.with_name("ws.json.bak").read_bytes(), "ws.json.bak")  # the .bak is sound
    elapsed = time.monotonic() - started
    saves = sum((w.last_logged() or 0) for w in crowd.writers)
    print(f"\n{KILLS} kills, {saves} logged saves, {temps_seen} kills left a temp file, {elapsed:.1f} s")


# --- a damaged file, refused and restored ---------------------------------------------

DAMAGE = {
    "truncated": lambda raw: raw[: len(raw) // 2],
    "empty": lambda raw: b"",
    "zero-filled": lambda raw: b"\0" * len(raw),
    "garbage": lambda raw: random.Random(7).randbytes(len(raw)),
    "a-json-list": lambda raw: b"[]",
}


@pytest.fixture
def two_sessions(tmp_path: Path) -> Path:
    """A workspace saved by two sessions: alice joined in the first, bob in the second,
    so the .bak (taken before a session's first save) holds alice but not bob."""
    path = tmp_path / "ws.json"
    partnership, _ = demo_partnership()
    Workspace.create(path, LOGIN, partnership)
    for login in ("alice", "bob"):
        ws = Workspace.open(path, LOGIN)
        ws.insert(User(login=login, role=Role.VIEWER), act=Act.MANAGE_USERS)
    return path


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_file_is_refused_and_check_restore_brings_back_the_last_good_copy(
    two_sessions: Path, damage: str
) -> None:
    path = two_sessions
    bak = path.with_name("ws.json.bak")
    good = bak.read_bytes()
    damaged = DAMAGE[damage](path.read_bytes())
    path.write_bytes(damaged)

    check = maca("check", "--db", path)
    assert check.returncode == 1
    [line] = check.stderr.splitlines()
    assert "is not a readable maca workspace" in line and "maca check --restore" in line, line

    for args, code in ((("users", "--db", path, "list"), 2),
                       (("users", "--db", path, "add", "carol", "--role", "viewer"), 2),
                       (("cohort", "--db", path, "--audit", "MACA-C86"), 2)):
        refused = maca(*args)
        assert (refused.returncode, refused.stdout) == (code, ""), refused.stderr
        [line] = refused.stderr.splitlines()
        assert line.startswith(f"maca: {path} is not a readable maca workspace: "), line
        assert line.endswith("(use `maca check --restore` to bring back the last good copy)."), line
        assert path.read_bytes() == damaged  # a damaged file is never overwritten

    restored = maca("check", "--db", path, "--restore")
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith(f"Restored {path} from its last good copy")
    assert path.read_bytes() == good
    [aside] = path.parent.glob("ws.json.corrupt-*")
    assert aside.read_bytes() == damaged  # kept for whoever wants to look at it
    assert maca("check", "--db", path).returncode == 0
    logins = {u.login for u in Workspace.open(path, LOGIN).users()}
    assert "alice" in logins and "bob" not in logins


def test_restore_refuses_a_damaged_backup_and_changes_nothing(two_sessions: Path) -> None:
    path = two_sessions
    bak = path.with_name("ws.json.bak")
    path.write_bytes(b'{"meta": {"1": {"sch')
    bak.write_bytes(b"\0" * 64)
    restored = maca("check", "--db", path, "--restore")
    assert restored.returncode == 2
    assert restored.stderr == (f"maca: The backup copy {bak} cannot be restored: it is not valid "
                               f"JSON at line 1, column 1 (expecting value).\n")
    assert path.read_bytes() == b'{"meta": {"1": {"sch'
    assert bak.read_bytes() == b"\0" * 64
    assert not list(path.parent.glob("ws.json.corrupt-*"))
