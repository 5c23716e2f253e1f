"""Crashes (DESIGN §7): `kill -9` at random moments during saves loses no committed save,
and a damaged file is refused until `maca check --restore` brings back the last good copy.

Writers are real processes saving through the Workspace API.  Each one writes a line to
its own side log only *after* a save has returned, so every logged save is one the
program told its user was done; the parent kills writers with SIGKILL at random moments
and then proves that the file opens, `maca check` passes and every logged save is there.
"""

from __future__ import annotations

import json
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
from storage.workspace_file import parse_workspace
from storage.demo import demo_partnership
from storage.lock import os_login
from storage.workspace import Workspace
from tests.workspace_files import data_bytes
from tui.cli import main as cli_main

REPO = Path(__file__).resolve().parents[2]
MACA = Path(sys.executable).with_name("maca")
LOGIN = os_login()

SEED = 20210420
KILLS = 50  # scheduled SIGKILLs, one per writer process
WRITERS = 3  # writers saving at the same time, so kills also land while others wait
MAX_DELAY = 0.06  # seconds between "this writer is saving" and its kill

# The writers are forked from one process that has already imported maca, so that a new
# writer is saving within milliseconds rather than after a Python start-up each time.
# A writer joins the workspace as a new user (save 0), then saves its user's name as an
# ever-growing counter; its side log line is written only once the save has returned.
SPAWNER = r"""
import dataclasses, os, signal, sys, traceback
from audit.access import Act
from audit.partnership import Role, User
from storage.workspace import Workspace

signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps killed writers at once


def write(path, login, name, log):
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


for line in sys.stdin:
    path, login, name, log, errors = line.rstrip("\n").split("\t")
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open(errors, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
        try:
            write(path, login, name, log)
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(1)
    print(pid, flush=True)
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
    pid: int
    dead: bool = False

    def last_logged(self) -> int | None:
        """The last save this writer was told had committed (None: not even joining)."""
        try:
            lines = self.log.read_bytes().split()
        except FileNotFoundError:
            return None
        return int(lines[-1]) if lines else None

    def gone(self) -> bool:
        return not Path(f"/proc/{self.pid}").exists()

    def wait_until_saving(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while self.last_logged() is None:
            if self.gone():
                pytest.fail(f"writer {self.name} stopped by itself:\n{self.errors.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"writer {self.name} never saved:\n{self.errors.read_text()}")
            time.sleep(0.002)

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while not self.gone():  # reaped by the spawner as soon as it is dead
            assert time.monotonic() < deadline, f"writer {self.name} survived SIGKILL"
            time.sleep(0.001)
        self.dead = True


@dataclass
class Crowd:
    path: Path
    folder: Path
    spawner: subprocess.Popen[str]
    writers: list[Writer] = field(default_factory=list)

    @property
    def running(self) -> list[Writer]:
        return [w for w in self.writers if not w.dead]

    def spawn(self) -> Writer:
        name = f"crash{len(self.writers):03d}"
        log, errors = self.folder / f"{name}.log", self.folder / f"{name}.err"
        assert self.spawner.stdin is not None and self.spawner.stdout is not None
        self.spawner.stdin.write("\t".join([str(self.path), LOGIN, name, str(log), str(errors)]) + "\n")
        self.spawner.stdin.flush()
        writer = Writer(name, log, errors, int(self.spawner.stdout.readline()))
        self.writers.append(writer)
        return writer

    def next_victim(self, rng: random.Random) -> Writer:
        """A random writer among those already saving (waiting for one if none is yet)."""
        saving = [w for w in self.running if w.last_logged() is not None]
        victim = rng.choice(saving or self.running)
        victim.wait_until_saving()
        return victim

    def stop(self) -> None:
        for writer in self.running:
            writer.kill()
        if self.spawner.poll() is None:
            self.spawner.stdin.close()  # type: ignore[union-attr]
            self.spawner.wait(timeout=10)

    def verify(self) -> Workspace:
        """Every logged save is on disk, and nothing a dead writer did not start is."""
        logged = {w.name: w.last_logged() for w in self.writers}  # logs first, then the file
        ws = Workspace.open(self.path, LOGIN)  # raises if the file does not open
        for writer in self.writers:
            last, stored = logged[writer.name], ws.get("users", writer.name)
            if last is None:
                # Killed while joining: the join may have committed before its log line.
                # (A live writer may have logged and saved more since its log was read.)
                if writer.dead:
                    assert stored is None or (stored.name, stored.rev) == ("0", 1), writer.name
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


def maca_check_in_process(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`maca check` through the CLI's own entry point, without paying for a new Python
    each time (the real command runs as a process every CHECK_EVERY kills)."""
    code = cli_main(["check", "--db", str(path)])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    assert out == f"{path} is a sound workspace.\n"


CHECK_EVERY = 10


@pytest.mark.slow
def test_fifty_kills_during_saves_lose_no_committed_save(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(SEED)
    path = tmp_path / "ws.json"
    partnership, _ = demo_partnership()
    Workspace.create(path, LOGIN, partnership)
    folder = tmp_path / "writers"
    folder.mkdir()
    spawner = subprocess.Popen([sys.executable, "-c", SPAWNER], cwd=REPO, env=_env(), text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    crowd = Crowd(path, folder, spawner)
    started = time.monotonic()
    temps_seen = 0
    try:
        for _ in range(WRITERS):
            crowd.spawn()
        for kill in range(1, KILLS + 1):
            victim = crowd.next_victim(rng)
            time.sleep(rng.uniform(0.0, MAX_DELAY))
            victim.kill()
            crowd.spawn()  # starts up while the file is checked
            # A temp file next to the workspace means the kill landed inside a write.
            temps_seen += any(True for _ in path.rglob("*.tmp"))
            crowd.verify()
            maca_check_in_process(path, capsys)
            if kill % CHECK_EVERY == 0:
                check = maca("check", "--db", path)
                assert (check.returncode, check.stderr) == (0, ""), check.stderr
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
    assert sum(1 for w in crowd.writers if (w.last_logged() or 0) >= 1) >= KILLS // 4  # saves, not just joins

    # The lock is free and the next session clears what the killed writers left behind.
    added = maca("users", "--db", path, "add", "after.crashes", "--role", "viewer")
    assert added.returncode == 0, added.stderr
    assert not [p.name for p in path.rglob("*.tmp")]
    assert not (path / ".commit").exists()
    kept = list((path / "backups" / "partnership.json").iterdir())
    assert kept
    for version in kept:  # every pre-write version kept is sound
        parse_workspace(version.read_bytes(), version)
    elapsed = time.monotonic() - started
    saves = sum((w.last_logged() or 0) for w in crowd.writers)
    with capsys.disabled():
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
    so the last version kept before the damage holds alice but not bob."""
    path = tmp_path / "ws.json"
    partnership, _ = demo_partnership()
    Workspace.create(path, LOGIN, partnership)
    for login in ("alice", "bob"):
        ws = Workspace.open(path, LOGIN)
        ws.insert(User(login=login, role=Role.VIEWER), act=Act.MANAGE_USERS)
    return path


# Six `maca` processes each: one kind of damage in the edit loop, every kind in `make test`.
@pytest.mark.parametrize("damage", [d if d == "truncated" else pytest.param(d, marks=pytest.mark.slow)
                                    for d in DAMAGE])
def test_a_damaged_file_is_refused_and_check_restore_brings_back_the_last_good_copy(
    two_sessions: Path, damage: str
) -> None:
    path = two_sessions
    pfile = path / "partnership.json"
    good = sorted((path / "backups" / "partnership.json").iterdir())[-1].read_bytes()
    damaged = DAMAGE[damage](pfile.read_bytes())
    pfile.write_bytes(damaged)

    check = maca("check", "--db", path)
    assert check.returncode == 1
    [line] = check.stderr.splitlines()
    assert "The file partnership.json is not readable" in line and "maca check --restore" in line, line

    for args, code in ((("users", "--db", path, "list"), 2),
                       (("users", "--db", path, "add", "carol", "--role", "viewer"), 2),
                       (("cohort", "--db", path, "--audit", "MACA-C86"), 2)):
        refused = maca(*args)
        assert (refused.returncode, refused.stdout) == (code, ""), refused.stderr
        [line] = refused.stderr.splitlines()
        assert line.startswith(f"maca: {pfile} is not a readable maca workspace: "), line
        assert line.endswith("(use `maca check --restore` to bring back the last good copy)."), line
        assert pfile.read_bytes() == damaged  # a damaged file is never overwritten

    restored = maca("check", "--db", path, "--restore")
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith("Restored partnership.json from its last good copy")
    assert pfile.read_bytes() == good
    # The damaged file is kept among the versions, for whoever wants to look at it.
    assert damaged in [v.read_bytes() for v in (path / "backups" / "partnership.json").iterdir()]
    assert maca("check", "--db", path).returncode == 0
    ws = Workspace.open(path, LOGIN)
    logins = {u.login for u in ws.users()}
    assert "alice" in logins and "bob" not in logins
    assert ws.journal()[-1].action == "restore"


def test_restore_refuses_when_no_kept_version_is_sound_and_changes_nothing(two_sessions: Path) -> None:
    path = two_sessions
    pfile = path / "partnership.json"
    pfile.write_bytes(b'{"meta": {"1": {"sch')
    for version in (path / "backups" / "partnership.json").iterdir():
        version.write_bytes(b"\0" * 64)
    before = {p: p.read_bytes() for p in path.rglob("*") if p.is_file() and ".lock" not in p.name}
    restored = maca("check", "--db", path, "--restore")
    assert restored.returncode == 2
    assert restored.stderr == ("maca: There is no sound backup of partnership.json to restore; "
                               "nothing was changed.\n")
    assert {p: p.read_bytes() for p in path.rglob("*") if p.is_file() and ".lock" not in p.name} == before


# --- the folder layout: a torn journal line, a save cut off between two files ----------

# A lead adds a case to the cohort: the audit's file and the partnership file (its
# figures) both change, and one journal line is written.  The process kills itself with
# SIGKILL right after the Nth file operation of the save named by KILL_AT.
CUT_OFF = r"""
import os, signal, sys
from datetime import date
path, kill_at, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
import storage.commit as commit
import storage.journal_log as journal_log
calls = {"replace": 0, "append": 0, "intent": 0}
real_replace, real_append, real_intent = os.replace, journal_log.append_lines, commit._write_intent

def replace(src, dst, *a, **k):
    real_replace(src, dst, *a, **k)
    if str(dst).endswith(".json") and "/backups/" not in str(dst):
        calls["replace"] += 1
        if kill_at == "replace" and calls["replace"] == n:
            os.kill(os.getpid(), signal.SIGKILL)

def append(p, lines, **k):
    data = b"".join(lines)
    if kill_at == "append":  # half a line reaches the disk, then the process dies
        fd = os.open(p, os.O_WRONLY | os.O_APPEND)
        os.write(fd, data[: len(data) // 2]); os.fsync(fd)
        os.kill(os.getpid(), signal.SIGKILL)
    return real_append(p, [data], **k)

def intent(layout, payload):
    if kill_at == "intent":
        os.kill(os.getpid(), signal.SIGKILL)
    if kill_at == "torn-intent":  # half the intent reaches the disk, then the process dies
        fd = os.open(layout.commit, os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, payload[: len(payload) // 2]); os.fsync(fd)
        os.kill(os.getpid(), signal.SIGKILL)
    return real_intent(layout, payload)

os.replace = replace
commit.append_lines = append
commit._write_intent = intent
from storage.cohort import set_in_cohort
from storage.lock import os_login
from storage.workspace import Workspace
ws = Workspace.open(path, os_login())
set_in_cohort(ws, "MACA-C86", sys.argv[4], True, "picked before the crash", today=date(2021, 3, 19))
print("not killed", flush=True)
"""


def _cut_off(path: Path, kill_at: str, n: int, case_ref: str) -> None:
    done = subprocess.run([sys.executable, "-c", CUT_OFF, str(path), kill_at, str(n), case_ref], cwd=REPO,
                          env=_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stdout, done.stderr)


def _candidate(path: Path) -> str:
    ws = Workspace.open(path, LOGIN)
    return next(c.case_ref for c in sorted(ws.cases("MACA-C86"), key=lambda c: c.case_ref) if not c.in_cohort)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    from storage.demo import build_demo

    return build_demo(tmp_path / "ws", LOGIN).path


@pytest.mark.parametrize("n", [1, 2], ids=["after-the-audit-file", "after-both-files"])
def test_a_save_cut_off_between_its_files_is_finished_by_the_next_session(demo: Path, n: int) -> None:
    case_ref = _candidate(demo)
    picked = Workspace.open(demo, LOGIN).summary("MACA-C86")["picked"]
    _cut_off(demo, "replace", n, case_ref)
    assert (demo / ".commit").exists()  # the save's intent is on disk: it happened
    ws = Workspace.open(demo, LOGIN)  # the next session finishes it before reading
    assert not (demo / ".commit").exists()
    assert ws.case("MACA-C86", case_ref).in_cohort
    assert ws.summary("MACA-C86")["picked"] == picked + 1  # both files, never one
    entries = [e for e in ws.journal() if e.key == f"MACA-C86/{case_ref}"]
    assert len(entries) == 1 and entries[0].after["in_cohort"] is True  # journaled once
    assert not list(demo.rglob("*.tmp"))
    check = maca("check", "--db", demo)
    assert (check.returncode, check.stderr) == (0, "")


@pytest.mark.parametrize("kill_at", ["intent", "torn-intent"], ids=["before-it", "half-written"])
def test_a_save_killed_before_its_intent_did_not_happen(demo: Path, kill_at: str) -> None:
    case_ref = _candidate(demo)
    before = data_bytes(demo)
    _cut_off(demo, kill_at, 1, case_ref)
    assert (demo / ".commit").exists() == (kill_at == "torn-intent")
    ws = Workspace.open(demo, LOGIN)
    assert not (demo / ".commit").exists() and not (demo / ".commit.damaged").exists()
    assert not ws.case("MACA-C86", case_ref).in_cohort
    assert data_bytes(demo) == before
    ws.insert(User(login="next.one", role=Role.VIEWER), act=Act.MANAGE_USERS)  # the next save sweeps
    assert not list(demo.rglob("*.tmp"))
    assert maca("check", "--db", demo).returncode == 0


def test_a_torn_journal_line_is_reported_then_trimmed_and_the_save_finished(demo: Path) -> None:
    case_ref = _candidate(demo)
    _cut_off(demo, "append", 1, case_ref)
    [month] = sorted((demo / "journal").iterdir())
    assert not month.read_bytes().endswith(b"\n")  # half a line
    check = maca("check", "--db", demo)
    assert check.returncode == 1
    assert f"The journal file journal/{month.name} ends in a torn line" in check.stderr
    # The save's intent holds its journal line: the next session trims the torn half and
    # writes the whole line, once.
    ws = Workspace.open(demo, LOGIN)
    assert ws.case("MACA-C86", case_ref).in_cohort
    raw = month.read_bytes()
    assert raw.endswith(b"\n")
    assert all(json.loads(line) for line in raw.splitlines())
    assert [e.key for e in ws.journal()].count(f"MACA-C86/{case_ref}") == 1
    assert maca("check", "--db", demo).returncode == 0


def test_a_torn_line_left_by_hand_is_skipped_by_readers_and_trimmed_by_the_next_save(demo: Path) -> None:
    [month] = sorted((demo / "journal").iterdir())
    whole = month.read_bytes()
    month.write_bytes(whole + b'{"at": "2021-03-19T10:')
    ws = Workspace.open(demo, LOGIN)
    assert len(ws.journal()) == whole.count(b"\n")
    ws.insert(User(login="after.tear", role=Role.VIEWER), act=Act.MANAGE_USERS)
    raw = month.read_bytes()
    assert raw.startswith(whole) and raw.count(b"\n") == whole.count(b"\n") + 1
    assert Workspace.open(demo, LOGIN).journal()[-1].key == "after.tear"
