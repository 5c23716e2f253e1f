"""The real `maca` command in subprocesses (DESIGN §4): what it prints, its exit codes
(0 done, 1 check found problems, 2 bad input, 3 refused, 4 conflict or lock timeout), and
what is on disk afterwards.  No run may print a traceback.

The OS login of these processes is `os_login()`; workspaces are set up through the
Workspace API where a test needs that login to be a viewer, unknown, and so on.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from audit.access import Act
from audit.cases import CandidateCase
from audit.partnership import Role, User
from audit.scope import Audit
from storage.check import check_workspace
from storage.demo import demo_partnership
from storage.lock import os_login
from storage.workspace import Workspace
from tests.workspace_files import private
from tests.workspace_files import data_bytes, on_disk

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample_data"
SCOPE = SAMPLE / "MACA-C86.toml"
CASES = SAMPLE / "MACA-C86-cases.csv"
BAD_CASES = SAMPLE / "bad_cases_example.csv"
LOGIN = os_login()
CONSOLE_SCRIPT = Path(sys.executable).parent / "maca"
CODES = "CSC, MID, HV, GP, ASM, AMH, EY, POL"


@dataclasses.dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)  # tests/conftest.py may have made it already
    base = {k: v for k, v in os.environ.items() if not k.startswith("MACA_")}
    return {
        **base,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "MACA_DB": str(tmp_path / "default.json"),
        "PYTHONPATH": str(REPO),
    }


@pytest.fixture
def maca(env: dict[str, str], tmp_path: Path):  # noqa: ANN201 - a small runner
    """Run the installed console script (or `python -m tui.cli` without one)."""
    command = [str(CONSOLE_SCRIPT)] if CONSOLE_SCRIPT.exists() else [sys.executable, "-m", "tui.cli"]

    def run(*args: str | Path, extra_env: dict[str, str] | None = None) -> Result:
        done = subprocess.run(
            [*command, *map(str, args)], cwd=tmp_path, env={**env, **(extra_env or {})},
            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        )
        assert "Traceback" not in done.stdout + done.stderr, done.stderr
        return Result(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A workspace with the demo's agencies whose lead is this process's login."""
    path = tmp_path / "ws.json"
    partnership, _ = demo_partnership()
    Workspace.create(path, LOGIN, partnership)
    return path


@pytest.fixture
def with_audit(db: Path) -> Path:
    from storage.audits import audit_from_scope_file, create_audit

    ws = Workspace.open(db, LOGIN)
    create_audit(ws, audit_from_scope_file(ws, SCOPE), source=SCOPE.name)
    return db


def lines(text: str) -> list[str]:
    return text.splitlines()


# ---------------------------------------------------------------------- init


def test_init_creates_a_0600_workspace_whose_caller_is_its_lead(maca, tmp_path: Path) -> None:
    path = tmp_path / "new.json"
    result = maca("init", "--db", path, "--name", "Testbay Partnership")
    assert result.code == 0, result.err
    assert result.out == f"Created {path}; {LOGIN} is its lead. Agencies: {CODES}.\n"
    assert result.err == ""
    assert private(path)
    ws = Workspace.open(path, LOGIN)
    assert [(u.login, u.role) for u in ws.users()] == [(LOGIN, Role.LEAD)]
    assert ws.partnership().name == "Testbay Partnership"
    assert check_workspace(path) == []


def test_init_over_an_existing_file_exits_2_and_leaves_it_alone(maca, db: Path, tmp_path: Path) -> None:
    original = data_bytes(db)
    result = maca("init", "--db", db)
    assert (result.code, result.out) == (2, "")
    assert result.err == f"maca: {db} already exists; nothing was changed.\n"
    assert data_bytes(db) == original

    junk = tmp_path / "notes.txt"
    junk.write_bytes(b"not a workspace at all")
    assert maca("init", "--db", junk, "--sample").code == 2
    assert junk.read_bytes() == b"not a workspace at all"


def test_init_in_a_missing_folder_exits_2(maca, tmp_path: Path) -> None:
    result = maca("init", "--db", tmp_path / "nope" / "ws.json")
    assert result.code == 2
    assert result.err == f"maca: The folder {tmp_path / 'nope'} does not exist; nothing was created.\n"
    assert not (tmp_path / "nope").exists()


def test_init_sample_builds_the_demo_workspace(maca, tmp_path: Path) -> None:
    path = tmp_path / "demo.json"
    result = maca("init", "--db", path, "--sample")
    assert result.code == 0, result.err
    assert result.out == f"Created {path} with the demo partnership and audit MACA-C86; {LOGIN} is a lead.\n"
    assert private(path)
    ws = Workspace.open(path, LOGIN)
    assert ws.user.role is Role.LEAD
    assert [a.ref for a in ws.audits()] == ["MACA-C86"]
    cases = ws.cases("MACA-C86")
    assert len(cases) == 52
    assert sum(c.in_cohort for c in cases) == 15
    assert ws.partnership().agency_codes() == CODES.split(", ")
    assert {"rlead", "csc.coord", "panel.vic"} <= {u.login for u in ws.users()}
    assert check_workspace(path) == []


# ---------------------------------------------------------------------- new-audit


def test_new_audit_from_a_good_scope(maca, db: Path) -> None:
    result = maca("new-audit", "--db", db, SCOPE)
    assert result.code == 0, result.err
    assert result.out == ("Created audit MACA-C86: Unborn babies, older siblings and multiple adversity "
                          "(6 objectives, 4 criteria, 8 agencies).\n")
    ws = Workspace.open(db, LOGIN)
    audit = ws.audit("MACA-C86")
    assert (audit.created_by, audit.rev, audit.cohort_target) == (LOGIN, 1, 15)
    assert sorted(audit.tools) == sorted(CODES.split(", "))
    last = ws.journal()[-1]
    assert (last.action, last.entity, last.key, last.who) == ("create", "audits", "MACA-C86", LOGIN)
    assert last.summary == "created audit MACA-C86 from MACA-C86.toml"


def test_new_audit_from_a_bad_scope_lists_every_problem_and_creates_nothing(maca, db: Path, tmp_path: Path) -> None:
    scope = tmp_path / "bad.toml"
    scope.write_text('ref = "X"\nkind = "Q"\ncohort_target = "lots"\nfoo = 1\n', encoding="utf-8")
    original = data_bytes(db)
    result = maca("new-audit", "--db", db, scope)
    assert (result.code, result.out) == (2, "")
    assert lines(result.err) == [
        f"{scope}: title is missing.",
        f"{scope}: lookback must be a table, e.g. lookback = {{ start = 2020-01-01, end = 2020-12-31 }}.",
        f"{scope}: line 2: kind must be \"MACA\" or \"MATA\", not 'Q'.",
        f"{scope}: line 3: cohort_target must be a whole number, e.g. cohort_target = 15.",
        f"{scope}: line 4: Unknown setting 'foo'.",
        f"maca: {scope} has 5 problem(s); nothing was created.",
    ]
    assert data_bytes(db) == original


def test_new_audit_from_a_missing_or_unreadable_file_exits_2(maca, db: Path, tmp_path: Path) -> None:
    original = data_bytes(db)
    missing = tmp_path / "nope.toml"
    result = maca("new-audit", "--db", db, missing)
    assert result.code == 2
    assert lines(result.err) == [f"{missing}: There is no file {missing}.",
                                 f"maca: {missing} has 1 problem(s); nothing was created."]
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('title = "Caf\xe9"\n'.encode("latin-1"))
    result = maca("new-audit", "--db", db, latin1)
    assert result.code == 2
    assert lines(result.err)[0] == f"{latin1}: {latin1} is not UTF-8 text."
    assert data_bytes(db) == original


def test_new_audit_with_a_duplicate_ref_exits_2(maca, with_audit: Path) -> None:
    original = data_bytes(with_audit)
    result = maca("new-audit", "--db", with_audit, SCOPE)
    assert result.code == 2
    assert lines(result.err) == [f"{SCOPE}: line 2: An audit MACA-C86 already exists in this workspace.",
                                 f"maca: {SCOPE} has 1 problem(s); nothing was created."]
    assert data_bytes(with_audit) == original


# ---------------------------------------------------------------------- import-cases


def test_import_cases(maca, with_audit: Path) -> None:
    result = maca("import-cases", "--db", with_audit, "--audit", "MACA-C86", CASES)
    assert result.code == 0, result.err
    assert result.out == "Imported 52 candidate cases into MACA-C86.\n"
    ws = Workspace.open(with_audit, LOGIN)
    cases = {c.case_ref: c for c in ws.cases("MACA-C86")}
    assert len(cases) == 52
    assert cases["RB-2020-001"].family_name == "Drummersby"
    assert [e.agency for e in cases["RB-2020-001"].engagement] == ["HV", "MID"]
    last = ws.journal()[-1]
    assert (last.action, last.key, last.summary) == ("import", "MACA-C86",
                                                     "imported 52 candidate cases from MACA-C86-cases.csv")
    # The same file again: every reference is now a duplicate.
    original = data_bytes(with_audit)
    again = maca("import-cases", "--db", with_audit, "--audit", "MACA-C86", CASES)
    assert again.code == 2
    assert lines(again.err)[0] == (f'{CASES}: line 2, column "case_ref": case reference "RB-2020-001" '
                                   "is already in the audit")
    assert len([line for line in lines(again.err) if line.endswith("is already in the audit")]) == 52
    assert data_bytes(with_audit) == original


def test_import_cases_dry_run_imports_nothing(maca, with_audit: Path) -> None:
    original = data_bytes(with_audit)
    result = maca("import-cases", "--db", with_audit, "--audit", "MACA-C86", "--dry-run", CASES)
    assert result.code == 0, result.err
    assert result.out == (f"{CASES} is valid: 52 candidate cases would be imported into MACA-C86 "
                          "(dry run: nothing was imported).\n")
    assert data_bytes(with_audit) == original
    assert Workspace.open(with_audit, LOGIN).cases("MACA-C86") == []


def test_import_of_a_bad_csv_lists_every_problem_and_changes_nothing(maca, with_audit: Path, tmp_path: Path) -> None:
    original = data_bytes(with_audit)
    kept = sorted(p.name for p in (with_audit / "backups").rglob("*"))  # made by the fixture's saves
    result = maca("import-cases", "--db", with_audit, "--audit", "MACA-C86", BAD_CASES)
    assert (result.code, result.out) == (2, "")
    err = lines(result.err)
    assert err[-1] == f"{BAD_CASES} has problems; nothing was imported."
    problems = err[:-1]
    pattern = re.compile(rf"^{re.escape(str(BAD_CASES))}: line (\d+), column ([^:]+): \S.*$")
    assert all(pattern.match(p) for p in problems), problems
    # Every bad row of the example (lines 2-13) is named, the header's unknown column too.
    assert {int(pattern.match(p).group(1)) for p in problems} == set(range(1, 14)) - {2}
    assert f"{BAD_CASES}: line 4, column \"older_siblings\": a count cannot be negative (found \"-1\")" in problems
    assert f"{BAD_CASES}: line 10, column \"case_ref\": a case reference is required" in problems
    assert data_bytes(with_audit) == original
    assert sorted(p.name for p in (with_audit / "backups").rglob("*")) == kept


def test_import_into_a_missing_audit_or_from_a_missing_file_exits_2(maca, with_audit: Path, tmp_path: Path) -> None:
    original = data_bytes(with_audit)
    result = maca("import-cases", "--db", with_audit, "--audit", "NOPE", CASES)
    assert (result.code, result.err) == (2, "maca: There is no audit 'NOPE' in this workspace.\n")
    missing = tmp_path / "none.csv"
    result = maca("import-cases", "--db", with_audit, "--audit", "MACA-C86", missing)
    assert (result.code, result.err) == (2, f"maca: There is no file {missing}; nothing was imported.\n")
    assert data_bytes(with_audit) == original


# ---------------------------------------------------------------------- cohort


def test_cohort_json_has_the_shape_of_the_design(maca, tmp_path: Path) -> None:
    path = tmp_path / "demo.json"
    assert maca("init", "--db", path, "--sample").code == 0
    result = maca("cohort", "--db", path, "--audit", "MACA-C86", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert set(doc) == {"audit", "target", "candidates"}
    assert (doc["audit"], doc["target"]) == ("MACA-C86", 15)
    candidates = doc["candidates"]
    assert len(candidates) == 52
    assert [c["case_ref"] for c in candidates] == sorted(c["case_ref"] for c in candidates)
    ids = ["unborn_and_sibling", "da_or_substance", "maternal_mental_health", "engaged_in_period"]
    for c in candidates:
        assert set(c) == {"case_ref", "criteria", "eligible", "in_cohort"}
        assert list(c["criteria"]) == ids
        outcomes = set(c["criteria"].values())
        assert outcomes <= {"met", "unmet", "unknown"}
        expected = False if "unmet" in outcomes else True if outcomes == {"met"} else None
        assert c["eligible"] is expected, c
        assert isinstance(c["in_cohort"], bool)
        if c["in_cohort"]:
            assert c["eligible"] is True
    assert sum(c["in_cohort"] for c in candidates) == 15
    by_ref = {c["case_ref"]: c for c in candidates}
    assert by_ref["RB-2020-001"] == {"case_ref": "RB-2020-001", "criteria": dict.fromkeys(ids, "met"),
                                     "eligible": True, "in_cohort": True}
    assert by_ref["RB-2020-002"] == {
        "case_ref": "RB-2020-002",
        "criteria": {"unborn_and_sibling": "met", "da_or_substance": "met",
                     "maternal_mental_health": "unknown", "engaged_in_period": "unknown"},
        "eligible": None, "in_cohort": False,
    }

    table = maca("cohort", "--db", path, "--audit", "MACA-C86")
    assert table.code == 0
    assert lines(table.out)[0] == "MACA-C86: 15 of 15 picked from 52 candidates."
    assert len(lines(table.out)) == 2 + 52


# ---------------------------------------------------------------------- check


def test_check_of_a_sound_workspace_exits_0(maca, with_audit: Path) -> None:
    ws = Workspace.open(with_audit, LOGIN)
    # An audit reference may contain '/', and so may a case reference.
    ws.insert(Audit(ref="MACA/2021-1", title="Slash"), act=Act.CREATE_AUDIT)
    ws.insert(CandidateCase(audit="MACA/2021-1", case_ref="RB/7"), act=Act.IMPORT_CASES)
    result = maca("check", "--db", with_audit)
    assert (result.code, result.err) == (0, "")
    assert result.out == f"{with_audit} is a sound workspace.\n"


def test_check_lists_problems_with_exit_1(maca, with_audit: Path) -> None:
    ws = Workspace.open(with_audit, LOGIN)
    ws.insert(CandidateCase(audit="GONE", case_ref="C1"), act=Act.IMPORT_CASES)
    pfile = with_audit / "partnership.json"
    data = json.loads(pfile.read_bytes())
    data["stray"] = {}
    pfile.write_text(json.dumps(data), encoding="utf-8")
    original = data_bytes(with_audit)
    result = maca("check", "--db", with_audit)
    assert (result.code, result.out) == (1, "")
    assert lines(result.err) == [
        f"{with_audit}: It has an unknown table 'stray'.",
        f"{with_audit}: The cases record GONE/C1 belongs to audit GONE, which does not exist.",
    ]
    assert data_bytes(with_audit) == original


def test_check_of_a_corrupt_file_exits_1_with_the_reason_and_leaves_it_alone(maca, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(b'{"users": {"1": ')
    result = maca("check", "--db", path)
    assert (result.code, result.out) == (1, "")
    assert result.err == f"{path}: It is not a readable maca workspace: the JSON stops at line 1, column 17.\n"
    assert path.read_bytes() == b'{"users": {"1": '
    # Opening it is refused too, with the same reason and nothing written.
    opened = maca("users", "--db", path, "list")
    assert opened.code == 2
    assert opened.err == f"maca: {path} is not a readable maca workspace: the JSON stops at line 1, column 17.\n"
    assert path.read_bytes() == b'{"users": {"1": '


def test_check_of_a_missing_file_is_bad_input(maca, tmp_path: Path) -> None:
    result = maca("check", "--db", tmp_path / "none.json")
    assert result.code == 2
    assert result.err == f"maca: There is no workspace at {tmp_path / 'none.json'}; nothing was checked.\n"
    result = maca("check", "--db", tmp_path)
    assert result.code == 2
    assert result.err == f"maca: {tmp_path} is a folder but not a maca workspace; nothing was checked.\n"


def test_check_restore_brings_back_the_last_good_copy_and_keeps_the_damaged_one(maca, db: Path) -> None:
    # Every save keeps the version of each file it replaces under backups/.
    assert maca("users", "--db", db, "add", "bob", "--role", "viewer").code == 0
    pfile = db / "partnership.json"
    kept = sorted((db / "backups" / "partnership.json").iterdir())
    good = kept[-1].read_bytes()
    assert b'"bob"' in pfile.read_bytes() and b'"bob"' not in good
    pfile.write_bytes(b"\x00garbage")

    refused = maca("check", "--db", db)
    assert refused.code == 1
    assert refused.err == (f"{db}: The file partnership.json is not readable: it is not valid JSON at line 1, "
                           "column 1 (expecting value) (use `maca check --restore` to bring back its last good "
                           "copy).\n")

    result = maca("check", "--db", db, "--restore")
    assert result.code == 0, result.err
    out = lines(result.out)
    assert re.fullmatch(r"Restored partnership\.json from its last good copy \(kept \d{4}-\d\d-\d\d "
                        r"\d\d:\d\d:\d\d\)\.", out[0]), out
    assert out[1:] == [f"{db} is a sound workspace."]
    assert pfile.read_bytes() == good
    # The damaged file is kept too: a restore is a save like any other.
    assert b"\x00garbage" in [p.read_bytes() for p in (db / "backups" / "partnership.json").iterdir()]
    assert private(db)
    ws = Workspace.open(db, LOGIN)
    assert "bob" not in [u.login for u in ws.users()]
    assert ws.journal()[-1].action == "restore"


def test_check_restore_without_a_backup_exits_2(maca, tmp_path: Path) -> None:
    path = tmp_path / "fresh"
    assert maca("init", "--db", path).code == 0
    (path / "partnership.json").write_bytes(b"[]")
    result = maca("check", "--db", path, "--restore")
    assert result.code == 2
    assert result.err == "maca: There is no sound backup of partnership.json to restore; nothing was changed.\n"
    assert (path / "partnership.json").read_bytes() == b"[]"


# ---------------------------------------------------------------------- users and access


def test_users_add_change_and_list(maca, db: Path) -> None:
    result = maca("users", "--db", db, "add", "csc.new", "--role", "coordinator", "--agency", "csc")
    assert (result.code, result.out) == (0, "Added csc.new · audit co-ordinator (CSC).\n")
    result = maca("users", "--db", db, "add", "csc.new", "--role", "coordinator", "--agency", "CSC,pol")
    assert (result.code, result.out) == (0, "Changed csc.new · audit co-ordinator (CSC, POL).\n")
    assert maca("users", "--db", db, "add", "panel", "--role", "viewer").code == 0
    listed = maca("users", "--db", db, "list")
    assert listed.code == 0
    assert [line.split() for line in lines(listed.out)] == sorted(
        [["csc.new", "coordinator", "CSC,", "POL"], [LOGIN, "lead"], ["panel", "viewer"]])
    user = Workspace.open(db, LOGIN).get("users", "csc.new")
    assert (user.role, user.agencies, user.rev) == (Role.COORDINATOR, ["CSC", "POL"], 2)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bob", "--role", "coordinator"],
         "maca: Co-ordinator bob needs at least one agency (--agency CODE). Nothing was changed.\n"),
        (["bob", "--role", "coordinator", "--agency", "XYZ"],
         f"maca: Unknown agency 'XYZ'; the workspace's agencies are {CODES}. Nothing was changed.\n"),
        (["Bob Smith", "--role", "viewer"],
         "maca: Login 'Bob Smith' is not valid: use 1-32 lower-case letters, digits, '.', '_' or '-'. "
         "Nothing was changed.\n"),
        ([LOGIN, "--role", "viewer"],
         "maca: You are the only lead; add another lead before changing your own role.\n"),
    ],
)
def test_users_add_with_bad_input_exits_2(maca, db: Path, args: list[str], message: str) -> None:
    original = data_bytes(db)
    result = maca("users", "--db", db, "add", *args)
    assert (result.code, result.err) == (2, message)
    assert data_bytes(db) == original


def test_a_viewer_is_refused_with_exit_3_and_the_refusal_is_journaled(maca, tmp_path: Path) -> None:
    path = tmp_path / "ws.json"
    partnership, _ = demo_partnership()
    ws = Workspace.create(path, LOGIN, partnership)
    ws.insert(User("otherlead", Role.LEAD), act=Act.MANAGE_USERS)
    other = Workspace.open(path, "otherlead")
    other.save(dataclasses.replace(other.get("users", LOGIN), role=Role.VIEWER), act=Act.MANAGE_USERS)

    result = maca("users", "--db", path, "add", "someone", "--role", "viewer")
    assert (result.code, result.out) == (3, "")
    reason = f"{LOGIN} is a viewer and can only read; ask a lead auditor to manage users."
    assert result.err == f"maca: {reason}\n"
    after = Workspace.open(path, "otherlead")
    assert after.get("users", "someone") is None
    last = after.journal()[-1]
    assert (last.action, last.who, last.summary) == ("refused", LOGIN, reason)

    result = maca("new-audit", "--db", path, SCOPE)
    assert result.code == 3
    assert result.err == f"maca: {LOGIN} is a viewer and can only read; ask a lead auditor to create an audit.\n"
    assert Workspace.open(path, "otherlead").audits() == []
    # Reading is still allowed.
    assert maca("users", "--db", path, "list").code == 0


def test_an_unknown_login_is_refused_with_exit_3_naming_the_leads(maca, tmp_path: Path) -> None:
    path = tmp_path / "ws.json"
    Workspace.create(path, "otherlead", demo_partnership()[0], users=[User("second.lead", Role.LEAD)])
    original = data_bytes(path)
    result = maca("users", "--db", path, "list")
    assert (result.code, result.out) == (3, "")
    assert result.err == (
        f"maca: {LOGIN} is not a user of this workspace; ask a lead (otherlead, second.lead) to run "
        f"`maca users --db {path} add {LOGIN} --role coordinator --agency CODE`.\n"
    )
    assert data_bytes(path) == original


def test_a_lock_held_past_the_timeout_exits_4_naming_the_holder(maca, db: Path, env: dict[str, str]) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from pathlib import Path; from storage.lock import WorkspaceLock; "
         "lock = WorkspaceLock(Path(sys.argv[1]), timeout=5, holder='otherlead'); lock.acquire(); "
         "print('held', flush=True); sys.stdin.read()", str(db / "partnership.json")],
        cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline() == "held\n"
        original = data_bytes(db)
        started = time.monotonic()
        result = maca("users", "--db", db, "add", "newbie", "--role", "viewer",
                      extra_env={"MACA_LOCK_TIMEOUT": "0.5"})
        waited = time.monotonic() - started
        assert (result.code, result.out) == (4, "")
        assert re.fullmatch(
            rf"maca: The workspace is busy: otherlead \(pid {holder.pid}\) has been saving since "
            r"(\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d; nothing was saved, try again\.\n",
            result.err,
        ), result.err
        assert waited < 5  # the short timeout was used, not the default 10 s
        assert data_bytes(db) == original
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    # Once the lock is free the same command goes through.
    assert maca("users", "--db", db, "add", "newbie", "--role", "viewer").code == 0


def test_a_bad_lock_timeout_is_bad_input(maca, db: Path) -> None:
    result = maca("users", "--db", db, "list", extra_env={"MACA_LOCK_TIMEOUT": "soon"})
    assert result.code == 2
    assert result.err == "maca: MACA_LOCK_TIMEOUT must be a number of seconds (0 or more), not 'soon'.\n"


# ---------------------------------------------------------------------- usage


@pytest.mark.parametrize(
    ("args", "tail"),
    [
        (["frobnicate"], "maca: argument COMMAND: invalid choice: 'frobnicate'"),
        (["check"], "maca: the following arguments are required: --db."),
        (["users", "--db", "x.json", "add", "bob", "--role", "boss"], "invalid choice: 'boss'"),
    ],
)
def test_usage_errors_exit_2_with_a_sentence(maca, args: list[str], tail: str) -> None:
    result = maca(*args)
    assert (result.code, result.out) == (2, "")
    assert tail in result.err
    assert result.err.startswith("usage: maca")


def test_new_audit_lists_a_taken_ref_with_the_files_other_problems(maca, with_audit: Path, tmp_path: Path) -> None:
    """Issue 18 item 4: not "fix these, then learn the ref is taken"."""
    scope = tmp_path / "again.toml"
    scope.write_text(SCOPE.read_text(encoding="utf-8").replace("cohort_target = 15", 'cohort_target = "15"'),
                     encoding="utf-8")
    result = maca("new-audit", "--db", with_audit, scope)
    assert result.code == 2
    problems = lines(result.err)
    assert any(p.endswith("cohort_target must be a whole number, e.g. cohort_target = 15.") for p in problems)
    assert f"{scope}: line 2: An audit MACA-C86 already exists in this workspace." in problems
    assert problems[-1] == f"maca: {scope} has 2 problem(s); nothing was created."
