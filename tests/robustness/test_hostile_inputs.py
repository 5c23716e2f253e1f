"""Hostile input and access (DESIGN §4, §7, §10): every case is refused with one clear
sentence per problem, the right exit code, no traceback, and nothing changed on disk.

Covered: candidate-case CSV through `maca import-cases`, scope TOML through
`maca new-audit`, damaged workspace files through `maca check` and `maca cohort`, a
newer schema, a read-only file or folder, a missing folder, a lock held past the timeout
by another process, a full disk and other write failures, and hostile text on the
command line.  Commands run through the CLI's entry point in this process (so a disk
failure can be simulated); read-only access runs the real command as another user where
that is possible.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import pwd
import random
import re
import shutil
import signal
import site
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from audit.access import Act
from audit.partnership import Role, User
from storage.demo import build_demo
from storage.lock import os_login
from tests.workspace_files import copy_workspace, data_bytes
from storage.workspace import Workspace
from tui.cli import main as cli_main

REPO = Path(__file__).resolve().parents[2]
LOGIN = os_login()
AUDIT = "MACA-C86"
NOBODY = 65534
SIDE_FILES = (".lock", ".lock.who")  # the lock and its holder note change on every attempt
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

GOOD_CSV = "case_ref,unborn,older_siblings,engagement,notes\nT-1,yes,1,CSC:2020-02-01..2020-03-01,fine\n"
GOOD_SCOPE = """\
ref = "MACA-T1"
kind = "MACA"
title = "A thematic look at hostile input"
cohort_target = 5
lookback = { start = 2020-01-01, end = 2020-12-31 }
agencies = ["CSC", "POL"]

[[objectives]]
id = "curiosity"
title = "Professional curiosity"

[[criteria]]
id = "unborn"
label = "Unborn baby"
all = ["unborn"]
"""


def csv_swap(old: str, new: str) -> str:
    assert old in GOOD_CSV
    return GOOD_CSV.replace(old, new)


def scope_swap(old: str, new: str) -> str:
    assert old in GOOD_SCOPE
    return GOOD_SCOPE.replace(old, new, 1)


# --- running a command and proving it changed nothing ---------------------------------


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.err.splitlines()


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every file in the folder and the folders in it (a pipe or folder by its kind),
    lock side files aside."""
    found: dict[str, bytes | str] = {}
    for entry in sorted(folder.rglob("*")):
        if entry.name.endswith(SIDE_FILES):
            continue
        mode = entry.lstat().st_mode
        found[str(entry.relative_to(folder))] = entry.read_bytes() if stat.S_ISREG(mode) else stat.filemode(mode)
    return found


def run(argv: list[str], capfd: pytest.CaptureFixture[str]) -> Outcome:
    capfd.readouterr()
    code = cli_main(argv)
    out, err = capfd.readouterr()
    return Outcome(code, out, err)


def assert_refused(outcome: Outcome, code: int, says: str, *, lines: int | None, width: int = 400) -> None:
    """Exit code, one readable line per problem, the expected words, no traceback."""
    assert outcome.code == code, outcome.err
    assert "Traceback" not in outcome.out + outcome.err
    assert "internal error" not in outcome.err, outcome.err
    assert not CONTROL.search(outcome.err.replace("\n", "")), repr(outcome.err[:200])
    assert outcome.err.endswith("\n") and all(outcome.lines), repr(outcome.err[:200])
    assert all(len(line) <= width for line in outcome.lines), max(map(len, outcome.lines))
    if lines is not None:
        assert len(outcome.lines) == lines, outcome.err
    assert says in outcome.err, outcome.err
    if code != 0:
        assert outcome.out == "", outcome.out


# --- the workspaces ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_bytes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace (audit MACA-C86, 52 candidates) whose lead is this login."""
    path = tmp_path_factory.mktemp("demo") / "ws.json"
    build_demo(path, LOGIN)
    return path


@dataclass
class Setup:
    folder: Path
    db: Path
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def partnership(self) -> Path:
        return self.db / "partnership.json"

    def write(self, name: str, data: bytes | str) -> Path:
        path = self.folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        self.files[name] = path
        return path

    def argv(self, template: tuple[str, ...]) -> list[str]:
        return [a.format(db=self.db, folder=self.folder, **self.files) for a in template]


@pytest.fixture
def setup(tmp_path: Path, demo_bytes: Path) -> Setup:
    folder = tmp_path / "shared"
    folder.mkdir()
    db = copy_workspace(demo_bytes, folder / "ws.json")
    return Setup(folder, db)


# --- the cases ----------------------------------------------------------------------------

Prepare = Callable[[Setup], None]


@dataclass(frozen=True)
class Hostile:
    command: tuple[str, ...]
    code: int
    says: str
    prepare: Prepare | None = None
    lines: int | None = 1
    width: int = 400


IMPORT = ("import-cases", "--db", "{db}", "--audit", AUDIT, "{cases}")
NEW_AUDIT = ("new-audit", "--db", "{db}", "{scope}")
CHECK = ("check", "--db", "{db}")
COHORT = ("cohort", "--db", "{db}", "--audit", AUDIT)
ADD_USER = ("users", "--db", "{db}", "add", "newbie", "--role", "viewer")


def file_named(name: str, content: bytes | str | Callable[[], bytes | str]) -> Prepare:
    def prepare(s: Setup) -> None:
        s.write(name, content() if callable(content) else content)
    return prepare


def csv(content: bytes | str | Callable[[], bytes | str], says: str, *, lines: int | None = 2,
        width: int = 400) -> Hostile:
    """A CSV refused by `import-cases`: its problem lines, then "...nothing was imported."."""
    return Hostile(IMPORT, 2, says, file_named("cases", content), lines, width)


def scope(content: bytes | str | Callable[[], bytes | str], says: str, *, lines: int | None = 2) -> Hostile:
    """A scope refused by `new-audit`: its problem lines, then "...nothing was created."."""
    return Hostile(NEW_AUDIT, 2, says, file_named("scope", content), lines)


def damaged(change: Callable[[bytes], bytes], file: str = "partnership.json") -> Prepare:
    def prepare(s: Setup) -> None:
        path = s.db / file
        path.write_bytes(change(path.read_bytes()))
    return prepare


def edited(change: Callable[[dict], None], file: str = "partnership.json") -> Prepare:
    def apply(raw: bytes) -> bytes:
        data = json.loads(raw)
        change(data)
        return json.dumps(data).encode("utf-8")
    return damaged(apply, file)


def _first(data: dict, table: str) -> dict:
    return next(iter(data[table].values()))


def _swap_db_for_folder(s: Setup) -> None:
    shutil.rmtree(s.db)
    s.db.mkdir()


def _swap_db_for_fifo(s: Setup) -> None:
    s.partnership.unlink()
    os.mkfifo(s.partnership)


def _many_bad_rows() -> str:
    return "case_ref,unborn\n" + "".join(f"T-{i},maybe\n" for i in range(5000))


WORKSPACE_DAMAGE: dict[str, tuple[Prepare, str]] = {
    "truncated": (damaged(lambda raw: raw[: len(raw) // 2]), "the JSON stops inside a string that starts at"),
    "truncated-between-values": (damaged(lambda raw: raw[: raw.index(b"},") + 2]),
                                 "the JSON stops at"),
    "not-json": (damaged(lambda raw: b"hello, this is not a workspace\n"), "it is not valid JSON"),
    "empty": (damaged(lambda raw: b""), "the file is empty"),
    "zero-filled": (damaged(lambda raw: b"\0" * len(raw)), "it is not valid JSON"),
    "json-list": (damaged(lambda raw: b"[1, 2, 3]"), "it holds a list, not an object of tables"),
    "table-is-a-list": (edited(lambda d: d.update(users=[])), "the table 'users' is a list"),
    "document-is-a-number": (edited(lambda d: d["cases"].update({"1": 5}), f"audits/{AUDIT}.json"),
                             "is a number, not an object"),
    "document-id-not-a-number": (edited(lambda d: d["users"].update(abc={"login": "x"})),
                                 "document id 'abc' that is not a whole number"),
    "wrong-type-in-a-document": (edited(lambda d: _first(d, "audits").update(cohort_target="many")),
                                 "expected a whole number, found str"),
    "unknown-role": (edited(lambda d: next(u for u in d["users"].values() if u["login"] == LOGIN)
                            .update(role="emperor")), "'emperor' is not a valid Role"),
    "no-schema": (edited(lambda d: d.pop("meta")), "no schema version"),
    "not-utf8": (damaged(lambda raw: raw.replace(b"Riverbay", "Rivérbay".encode("latin-1"), 1)),
                 "it is not UTF-8 text"),
    "nested-too-deeply": (damaged(lambda raw: b"[" * 200_000 + b"]" * 200_000), "nested too deeply"),
    "a-named-pipe": (_swap_db_for_fifo, "it is a named pipe, not a regular file"),
}

CASES: dict[str, Hostile] = {
    # -- candidate cases CSV (DESIGN §6) -----------------------------------------------
    "csv-empty": csv(b"", "the file is empty"),
    "csv-bom-only": csv(b"\xef\xbb\xbf", "the file is empty"),
    "csv-binary-garbage": csv(lambda: random.Random(1).randbytes(4096), "is not UTF-8", lines=None),
    "csv-semicolons": csv("case_ref;unborn\nT-1;yes\n", 'unknown column "case_ref;unborn"', lines=3),
    "csv-repeated-column": csv("case_ref,notes,notes\nT-1,a,b\n", "repeated column"),
    "csv-unknown-column": csv("case_ref,colour\nT-1,red\n", 'unknown column "colour"'),
    "csv-no-case-ref-column": csv("unborn\nyes\n", "required column is missing"),
    "csv-unclosed-quote": csv('case_ref,notes\nT-1,"never closed\nT-2,x\n', "closing quote"),
    "csv-escape-sequence-in-ref": csv(csv_swap("T-1,", "T\x1b[31m-1,"), "is not a valid case reference"),
    "csv-nul-in-ref": csv(csv_swap("T-1,", "T\0-1,"), "is not a valid case reference"),
    "csv-markup-in-ref": csv(csv_swap("T-1,", "[b]T-1[/b],"), "is not a valid case reference"),
    "csv-ref-over-40": csv(csv_swap("T-1,", "T" * 41 + ","), "is not a valid case reference"),
    "csv-field-over-20000": csv(csv_swap("fine", "x" * 20_001), "the most allowed is 20,000"),
    "csv-20-mb-line": csv(lambda: "case_ref,notes\nT-1," + "x" * 20_000_000 + "\n", "far too long"),
    "csv-latin-1": csv("case_ref,notes\nT-1,Müller\n".encode("latin-1"), "not UTF-8 (0xFC)"),
    "csv-utf-16": csv(GOOD_CSV.encode("utf-16"), "is not UTF-8", lines=None),
    "csv-duplicate-ref": csv(GOOD_CSV + "T-1,no,0,,again\n", 'duplicate case reference "T-1"'),
    "csv-ref-already-in-audit": csv(csv_swap("T-1,", "RB-2020-001,"), "is already in the audit"),
    "csv-unknown-agency": csv(csv_swap("CSC:", "XYZ:"), "XYZ"),
    "csv-start-after-end": csv(csv_swap("2020-02-01..2020-03-01", "2020-03-01..2020-02-01"), "after"),
    "csv-negative-count": csv(csv_swap(",1,", ",-1,"), "a count cannot be negative"),
    "csv-not-yes-or-no": csv(csv_swap(",yes,", ",maybe,"), "is not yes or no"),
    "csv-impossible-date": csv(csv_swap("2020-02-01..", "31/02/2020.."), "31/02/2020"),
    "csv-5000-bad-rows": csv(_many_bad_rows, "... and 4800 more problems", lines=202),
    "csv-is-a-folder": Hostile(("import-cases", "--db", "{db}", "--audit", AUDIT, "{folder}"), 2,
                               "is a folder, not a CSV file"),
    "csv-missing": Hostile(("import-cases", "--db", "{db}", "--audit", AUDIT, "{folder}/nope.csv"), 2,
                           "There is no file"),
    "csv-unknown-audit-with-escapes": Hostile(
        ("import-cases", "--db", "{db}", "--audit", "X\x1b[2J\x07", "{cases}"), 2, "There is no audit",
        file_named("cases", GOOD_CSV)),
    # -- scope TOML (DESIGN §5) ---------------------------------------------------------
    "toml-not-toml": scope("this is { not toml\n", "not valid TOML"),
    "toml-binary-garbage": scope(lambda: random.Random(2).randbytes(4096), "is not UTF-8 text"),
    "toml-empty": scope("", "ref is missing", lines=5),
    "toml-raw-nul": scope(scope_swap('title = "A', 'title = "\0A'), "not valid TOML"),
    "toml-target-is-text": scope(scope_swap("cohort_target = 5", 'cohort_target = "five"'),
                                 "cohort_target must be a whole number"),
    "toml-agencies-is-text": scope(scope_swap('agencies = ["CSC", "POL"]', 'agencies = "CSC"'),
                                   "agencies must be a list"),
    "toml-title-is-a-table": scope(scope_swap('title = "A thematic look at hostile input"',
                                              "title = { a = 1 }"), "title must be text"),
    "toml-lookback-is-a-date": scope(scope_swap("lookback = { start = 2020-01-01, end = 2020-12-31 }",
                                                "lookback = 2020-01-01"), "lookback must be a table"),
    "toml-title-over-200": scope(scope_swap("A thematic", "A" * 300), "longer than 200 characters"),
    "toml-title-over-20000": scope(scope_swap("A thematic", "A" * 30_000), "longer than 20,000"),
    "toml-2-mb-background": scope(lambda: f'background = "{"b" * 2_000_000}"\n' + GOOD_SCOPE,
                                  "background is longer than 20,000"),
    "toml-unknown-setting": scope("colour = 'red'\n" + GOOD_SCOPE, "Unknown setting 'colour'"),
    "toml-bad-ref": scope(scope_swap('"MACA-T1"', '"../../etc/passwd x"'), "is not valid"),
    "toml-existing-ref": scope(scope_swap('"MACA-T1"', f'"{AUDIT}"'), "already exists"),
    "toml-unknown-agency": scope(scope_swap('"POL"]', '"NSA"]'), "Unknown agency NSA"),
    "toml-lookback-reversed": scope(scope_swap("end = 2020-12-31", "end = 2019-12-31"), "starts after it ends"),
    "toml-impossible-date": scope(scope_swap("start = 2020-01-01", 'start = "31/02/2020"'), "not a real date"),
    "toml-bad-objective-id": scope(scope_swap('id = "curiosity"', 'id = "Not Valid!"'), "is not valid"),
    "toml-template-is-etc-passwd": scope('templates = { CSC = "/etc/passwd" }\n' + GOOD_SCOPE,
                                         "/etc/passwd: is not valid TOML"),
    "toml-is-a-folder": Hostile(("new-audit", "--db", "{db}", "{folder}"), 2, "is a folder, not a scope file",
                                lines=2),
    "toml-missing": Hostile(("new-audit", "--db", "{db}", "{folder}/nope.toml"), 2, "There is no file", lines=2),
    # -- damaged workspace files (DESIGN §7): `check` lists, every other command refuses -
    **{f"workspace-{name}-check": Hostile(CHECK, 1, says, prepare)
       for name, (prepare, says) in WORKSPACE_DAMAGE.items()},
    **{f"workspace-{name}-cohort": Hostile(COHORT, 2, says, prepare)
       for name, (prepare, says) in WORKSPACE_DAMAGE.items()},
    "workspace-is-a-folder-check": Hostile(CHECK, 2, "is a folder but not a maca workspace", _swap_db_for_folder),
    "workspace-is-a-folder-cohort": Hostile(COHORT, 2, "is a folder but not a maca workspace", _swap_db_for_folder),
    "workspace-missing": Hostile(("cohort", "--db", "{folder}/nope.json", "--audit", AUDIT), 2, "No workspace at"),
    "workspace-missing-folder-cohort": Hostile(("cohort", "--db", "{folder}/gone/ws.json", "--audit", AUDIT), 2,
                                               "does not exist"),
    "workspace-missing-folder-init": Hostile(("init", "--db", "{folder}/gone/ws.json"), 2, "does not exist"),
    "workspace-unknown-table-check": Hostile(CHECK, 1, "unknown table 'evil'",
                                             edited(lambda d: d.update(evil={}))),
    "workspace-schema-is-true-check": Hostile(CHECK, 1, "no schema version",
                                              edited(lambda d: d["meta"]["1"].update(schema=True))),
    # -- hostile text on the command line ---------------------------------------------
    "login-with-escapes": Hostile(("users", "--db", "{db}", "add", "a\x1b[2Jb", "--role", "viewer"), 2,
                                  "is not valid"),
    "login-of-100000-chars": Hostile(("users", "--db", "{db}", "add", "a" * 100_000, "--role", "viewer"), 2,
                                     "is not valid", width=2100),
    "agency-unknown": Hostile(("users", "--db", "{db}", "add", "bob", "--role", "coordinator", "--agency",
                               "[red]NSA"), 2, "Unknown agency '[red]NSA'"),
}

# Found by this suite and since fixed; `says` is empty where the fix may word its sentence freely.
FIXED: dict[str, tuple[Hostile, str]] = {
    "csv-header-only": (csv("case_ref,unborn\n", "", lines=None),
                        "imports 0 cases, exits 0 and journals the empty import"),
    "toml-deeply-nested": (scope(lambda: "x = " + "[" * 5000 + "]" * 5000 + "\n" + GOOD_SCOPE, "", lines=None),
                           "tomllib's RecursionError escapes parse_scope: internal error, exit 1"),
    "toml-5000-digit-number": (scope(scope_swap("cohort_target = 5", "cohort_target = 1" + "0" * 5000), "",
                                     lines=None),
                               "tomllib raises ValueError (int digits limit): internal error, exit 1"),
    "init-name-of-100000-chars": (Hostile(("init", "--db", "{folder}/new.json", "--name", "N" * 100_000), 2, ""),
                                  "init stores a partnership name of any length"),
}


def _params() -> Iterator[object]:
    yield from (pytest.param(case, id=name) for name, case in CASES.items())
    for name, (case, _bug) in FIXED.items():
        yield pytest.param(case, id=name)


def test_there_are_at_least_forty_hostile_cases() -> None:
    assert len(CASES) >= 40


class Hung(BaseException):
    """Not an Exception, so the CLI's catch-all cannot turn it into a sentence."""


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail, rather than hang the suite, if a command blocks (e.g. opening a named pipe)."""
    def expired(signum: int, frame: object) -> None:
        raise Hung("the command was still running after 30 s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(30)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("case", list(_params()))
def test_hostile_input_is_refused_with_one_sentence_and_changes_nothing(
    case: Hostile, setup: Setup, capfd: pytest.CaptureFixture[str], deadline: None
) -> None:
    if case.prepare is not None:
        case.prepare(setup)
    before = snapshot(setup.folder)
    outcome = run(setup.argv(case.command), capfd)
    assert_refused(outcome, case.code, case.says, lines=case.lines, width=case.width)
    assert snapshot(setup.folder) == before


def test_the_untouched_csv_and_scope_are_accepted(setup: Setup, capfd: pytest.CaptureFixture[str]) -> None:
    """The control for the cases above: each was refused for its change, nothing else."""
    setup.write("cases", GOOD_CSV)
    setup.write("scope", GOOD_SCOPE)
    assert run(setup.argv(IMPORT), capfd).code == 0
    assert run(setup.argv(NEW_AUDIT), capfd).code == 0
    ws = Workspace.open(setup.db, LOGIN)
    assert ws.case(AUDIT, "T-1") is not None and ws.audit("MACA-T1").cohort_target == 5


def test_control_bytes_in_imported_text_are_removed_not_stored(
    setup: Setup, capfd: pytest.CaptureFixture[str]
) -> None:
    """Text fields keep what was typed, minus anything that could drive a terminal."""
    setup.write("cases", csv_swap("fine", "a\x1b]0;pwned\x07b\0c\x1b[2Jd\x9b31me"))
    setup.write("scope", scope_swap('title = "A thematic', 'title = "\\u001b]0;pwned\\u0007A\\u0000 thematic'))
    assert run(setup.argv(IMPORT), capfd).code == 0
    assert run(setup.argv(NEW_AUDIT), capfd).code == 0
    ws = Workspace.open(setup.db, LOGIN)
    assert ws.case(AUDIT, "T-1").notes == "abcde"
    assert ws.audit("MACA-T1").title == "A thematic look at hostile input"


def test_init_never_stores_escape_sequences_in_the_partnership_name(
    setup: Setup, capfd: pytest.CaptureFixture[str]
) -> None:
    new = setup.folder / "new.json"
    outcome = run(["init", "--db", str(new), "--name", "Riverbay\x1b]0;pwned\x07 SCP\x1b[2J"], capfd)
    assert "Traceback" not in outcome.err and not CONTROL.search(outcome.out + outcome.err)
    if outcome.code == 0:  # accepted: stored without the control bytes
        assert Workspace.open(new, LOGIN).partnership().name == "Riverbay SCP"
    else:  # refused: with a sentence, and nothing created
        assert outcome.code == 2 and outcome.err and not new.exists()


# --- a newer schema: readable, never written ------------------------------------------


@pytest.fixture
def newer(setup: Setup) -> Setup:
    edited(lambda d: d["meta"]["1"].update(schema=99))(setup)
    setup.write("cases", GOOD_CSV)
    setup.write("scope", GOOD_SCOPE)
    return setup


@pytest.mark.parametrize("command", [ADD_USER, IMPORT, NEW_AUDIT], ids=["users-add", "import-cases", "new-audit"])
def test_a_newer_schema_refuses_every_write_with_exit_3(
    newer: Setup, command: tuple[str, ...], capfd: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(newer.folder)
    outcome = run(newer.argv(command), capfd)
    assert_refused(outcome, 3, "written by a newer maca (schema 99, this one reads 1); it is open read-only",
                   lines=1)
    assert snapshot(newer.folder) == before


def test_a_newer_schema_can_still_be_viewed_and_checked(newer: Setup, capfd: pytest.CaptureFixture[str]) -> None:
    before = snapshot(newer.folder)
    viewed = run(newer.argv(COHORT), capfd)
    assert viewed.code == 0 and viewed.out.startswith(f"{AUDIT}: 15 of 15 picked from 52 candidates."), viewed.err
    checked = run(newer.argv(CHECK), capfd)
    assert_refused(checked, 1, "It was written by a newer maca (schema 99); this one reads schema 1.", lines=1)
    assert snapshot(newer.folder) == before


# --- the operating system says no: read-only file or folder, unreadable file -----------


# Through a shell, as a login would run it: a program setpriv starts itself may be let
# through paths (such as root's home) that the user's own processes cannot reach.
AS_NOBODY = ("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
             "/bin/sh", "-c", 'exec "$@"', "sh")


@functools.lru_cache(maxsize=1)
def _unprivileged_python() -> str | None:
    """A Python that the `nobody` user can run with this checkout and its packages (the
    virtualenv's own interpreter may live in root's private home), or None."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return None
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for python in (sys.executable, f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"):
        probe = subprocess.run(
            [*AS_NOBODY, python, "-c",
             f"import sys; assert sys.version_info[:2] == {sys.version_info[:2]!r}; "
             "import tui.cli, storage.workspace"],
            env=_unprivileged_env("/"), capture_output=True, timeout=30,
        )
        if probe.returncode == 0:
            return python
    return None


def _unprivileged_env(home: str) -> dict[str, str]:
    paths = [str(REPO), *site.getsitepackages()]
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "LANG": "C.UTF-8",
            "PYTHONPATH": os.pathsep.join(paths), "PYTHONDONTWRITEBYTECODE": "1"}


class Other:
    """Runs `maca` as someone the operating system restricts.

    As root, the real command runs as `nobody` (via setpriv); as any other user, in this
    process, since permissions bind us too; as root with no Python `nobody` can run, in
    this process with `os.access` and `tempfile.mkstemp` answering as the OS would.
    """

    def __init__(self, folder: Path, capfd: pytest.CaptureFixture[str]) -> None:
        self.folder = folder
        self.capfd = capfd
        self.python = _unprivileged_python()
        self.login = pwd.getpwuid(NOBODY).pw_name if self.python else LOGIN
        self.simulated = os.geteuid() == 0 and self.python is None

    def run(self, argv: list[str]) -> Outcome:
        if self.python is None:
            with pytest.MonkeyPatch.context() as patch:
                if self.simulated:
                    self._simulate(patch)
                return run(argv, self.capfd)
        done = subprocess.run(
            [*AS_NOBODY, self.python, "-m", "tui.cli", *argv], env=_unprivileged_env(str(self.folder)),
            capture_output=True, text=True, timeout=60,
            stdin=subprocess.DEVNULL,
        )
        return Outcome(done.returncode, done.stdout, done.stderr)

    @staticmethod
    def _simulate(patch: pytest.MonkeyPatch) -> None:
        """Answer permission questions from the mode bits, as for a user in no group."""
        real_access = os.access

        def access(path: os.PathLike[str] | str, mode: int, **kw: object) -> bool:
            try:
                bits = stat.S_IMODE(os.stat(path).st_mode)
            except OSError:
                return real_access(path, mode)
            wanted = {os.R_OK: 0o004, os.W_OK: 0o002, os.X_OK: 0o001}
            return all(bits & other for flag, other in wanted.items() if mode & flag)

        def mkstemp(*args: object, dir: str | None = None, **kw: object) -> tuple[int, str]:  # noqa: A002
            raise PermissionError(errno.EACCES, "Permission denied", dir)

        patch.setattr(os, "access", access)
        patch.setattr(tempfile, "mkstemp", mkstemp)


@pytest.fixture
def shared(demo_bytes: bytes, capfd: pytest.CaptureFixture[str]) -> Iterator[tuple[Setup, Other]]:
    """A workspace in a folder others can reach (pytest's own tmp folders are private),
    where the restricted user is a lead."""
    folder = Path(tempfile.mkdtemp(prefix="maca-hostile-"))
    try:
        folder.chmod(0o755)
        db = copy_workspace(demo_bytes, folder / "ws.json")
        other = Other(folder, capfd)
        ws = Workspace.open(db, LOGIN)
        if ws.get("users", other.login) is None:
            ws.insert(User(login=other.login, role=Role.LEAD), act=Act.MANAGE_USERS)
        for path in [db, *db.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        yield Setup(folder, db), other
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def test_a_read_only_file_can_be_viewed_but_not_saved(shared: tuple[Setup, Other]) -> None:
    s, other = shared
    before = snapshot(s.folder)
    viewed = other.run(s.argv(COHORT))
    assert viewed.code == 0 and viewed.out.startswith(f"{AUDIT}: "), viewed.err
    refused = other.run(s.argv(ADD_USER))
    assert_refused(refused, 3, f"The workspace file {s.partnership} is not writable for you.", lines=1)
    assert snapshot(s.folder) == before


def test_a_read_only_folder_refuses_saves(shared: tuple[Setup, Other]) -> None:
    s, other = shared
    for path in s.db.rglob("*"):
        if path.is_file():
            path.chmod(0o666)  # the files themselves are writable: only the folder stops a save
    before = snapshot(s.folder)
    refused = other.run(s.argv(ADD_USER))
    assert_refused(refused, 3, f"The folder {s.db} of the workspace is not writable for you.", lines=1)
    assert snapshot(s.folder) == before


def test_an_unreadable_file_is_refused(shared: tuple[Setup, Other]) -> None:
    s, other = shared
    if other.simulated:
        pytest.skip("only the operating system itself can refuse a read to root")
    s.partnership.chmod(0o600)
    before = snapshot(s.folder)
    refused = other.run(s.argv(COHORT))
    assert_refused(refused, 3, f"You cannot read {s.partnership}: the operating system denies it", lines=1)
    assert snapshot(s.folder) == before


# --- another process holds the lock past the timeout ---------------------------------

HOLD = (
    "import sys; from pathlib import Path; from storage.lock import WorkspaceLock; "
    "lock = WorkspaceLock(Path(sys.argv[1]), timeout=5, holder=sys.argv[2]); lock.acquire(); "
    "print('held', flush=True); sys.stdin.read()"
)


@pytest.mark.parametrize("holder, named", [("mallory", "mallory"), ("\x1b]0;pwned\x07mallory\x1b[2J", "mallory")],
                         ids=["plain-holder", "holder-with-escapes"])
@pytest.mark.parametrize("command", [ADD_USER, IMPORT], ids=["users-add", "import-cases"])
def test_a_lock_held_past_the_timeout_exits_4_naming_the_holder(
    setup: Setup, command: tuple[str, ...], holder: str, named: str,
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str],
) -> None:
    setup.write("cases", GOOD_CSV)
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(setup.partnership), holder], cwd=REPO,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert proc.stdout.readline() == "held\n"
        monkeypatch.setenv("MACA_LOCK_TIMEOUT", "0.3")
        before = snapshot(setup.folder)
        outcome = run(setup.argv(command), capfd)
        assert_refused(outcome, 4, f"(pid {proc.pid}) has been saving since", lines=1)
        assert re.match(rf"maca: The workspace is busy: \S*{named}\S* \(pid", outcome.err), outcome.err
        assert outcome.err.rstrip().endswith("nothing was saved, try again.")
        assert snapshot(setup.folder) == before
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)


# --- the disk fails while saving -------------------------------------------------------


def _fails_in(folder: Path, real: Callable[..., object], code: int) -> Callable[..., object]:
    """`real`, except on descriptors of files in `folder`, where it fails with `code`."""
    def call(fd: int, *args: object) -> object:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = ""
        if target.startswith(str(folder)):
            raise OSError(code, os.strerror(code))
        return real(fd, *args)
    return call


@pytest.mark.parametrize(
    "call, code, says, exit_code",
    [
        ("write", errno.ENOSPC, "Could not save: the disk is full; nothing was changed.", 2),
        ("write", errno.EDQUOT, "Could not save: your disk quota is used up; nothing was changed.", 2),
        ("fsync", errno.EIO, "Could not save: the disk reported an input/output error; nothing was changed.", 2),
        ("write", errno.EROFS, "is on a read-only disk; nothing was changed.", 3),
    ],
    ids=["disk-full", "quota-exceeded", "io-error-on-fsync", "read-only-disk"],
)
@pytest.mark.parametrize("command", [ADD_USER, IMPORT], ids=["users-add", "import-cases"])
def test_a_failing_disk_refuses_the_save_and_leaves_the_file_as_it_was(
    setup: Setup, command: tuple[str, ...], call: str, code: int, says: str, exit_code: int,
    capfd: pytest.CaptureFixture[str],
) -> None:
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc to tell the workspace's descriptors from the test's own")
    setup.write("cases", GOOD_CSV)
    original = data_bytes(setup.db)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, call, _fails_in(setup.folder, getattr(os, call), code))
        outcome = run(setup.argv(command), capfd)
    assert_refused(outcome, exit_code, says, lines=1)
    assert data_bytes(setup.db) == original
    assert not [p.name for p in setup.folder.rglob("*.tmp")]  # no half-written file left
    assert not (setup.db / ".commit").exists()
