"""The Workspace (DESIGN §7, §8): creating and opening, revs and the journal, conflicts on
stale revs, refusals, read-only newer schemas, other sessions' saves, failed transactions.

Every test works on a real file in `tmp_path` and asserts on what is on disk as well as
what the object says; the atomic storage underneath has its own tests (test_atomic*.py).
"""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from datetime import date, datetime
from pathlib import Path

import pytest

from audit.access import Act
from audit.journal import JournalEntry
from audit.partnership import Agency, Partnership, Role, User
from audit.returns import Return
from audit.scope import Audit
from storage.errors import (
    AccessDenied,
    ConflictError,
    CorruptWorkspace,
    NotFound,
    WorkspaceError,
    WorkspaceReadOnly,
)
from storage.workspace import SCHEMA_VERSION, UnknownUser, Workspace
from tests.workspace_files import private
from tests.workspace_files import on_disk as tables_on_disk
from tests.workspace_files import data_bytes

PARTNERSHIP = Partnership(
    name="Testbay Partnership",
    agencies=[Agency("CSC", "Children's services"), Agency("POL", "Police"), Agency("HV", "Health visiting")],
)
OTHERS = [
    User("lead2", Role.LEAD, name="Second Lead"),
    User("csc.coord", Role.COORDINATOR, agencies=["CSC"], name="Colin"),
    User("viewer1", Role.VIEWER, name="Vera"),
]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "ws.json"
    Workspace.create(p, "lead1", PARTNERSHIP, users=OTHERS)
    return p


def on_disk(path: Path) -> dict:
    return tables_on_disk(path)


def disk_docs(path: Path, table: str) -> dict[str, dict]:
    """A table's documents on disk, by the key each model uses."""
    keys = {
        "users": lambda d: d["login"],
        "audits": lambda d: d["ref"],
        "returns": lambda d: f"{d['audit']}/{d['case_ref']}/{d['agency']}",
    }
    return {keys[table](d): d for d in on_disk(path).get(table, {}).values()}


def journal_on_disk(path: Path) -> list[dict]:
    raw = on_disk(path).get("journal", {})
    return [raw[k] for k in sorted(raw, key=int)]


def small_audit(ref: str = "MACA-T1") -> Audit:
    return Audit(
        ref=ref, title="Test audit", cohort_target=3,
        lookback_start=date(2020, 1, 1), lookback_end=date(2020, 12, 31), agencies=["CSC", "POL"],
    )


# ---------------------------------------------------------------------- create / open


def test_create_writes_a_0600_workspace_whose_caller_is_its_lead(tmp_path: Path) -> None:
    p = tmp_path / "new.json"
    before = datetime.now().replace(microsecond=0)
    ws = Workspace.create(p, "lead1", PARTNERSHIP, users=[User("lead1", Role.VIEWER, name="Lee One"), *OTHERS])
    after = datetime.now()

    assert private(p)
    data = on_disk(p)
    assert data["meta"]["1"]["schema"] == SCHEMA_VERSION
    assert data["meta"]["1"]["created_by"] == "lead1"
    # The caller is a lead even when the list said otherwise, and keeps the name given.
    users = disk_docs(p, "users")
    assert users["lead1"] == {"login": "lead1", "role": "lead", "agencies": [], "name": "Lee One", "rev": 1}
    assert users["csc.coord"]["agencies"] == ["CSC"]
    assert sorted(users) == ["csc.coord", "lead1", "lead2", "viewer1"]
    partnership = list(data["partnership"].values())
    assert [p_["name"] for p_ in partnership] == ["Testbay Partnership"]
    assert ws.user == User("lead1", Role.LEAD, name="Lee One", rev=1)
    assert ws.partnership().agency_codes() == ["CSC", "POL", "HV"]

    entries = ws.journal()
    assert [(e.action, e.entity, e.key, e.who) for e in entries] == [
        ("create", "partnership", "partnership", "lead1"),
        ("create", "users", "lead1", "lead1"),
        ("create", "users", "lead2", "lead1"),
        ("create", "users", "csc.coord", "lead1"),
        ("create", "users", "viewer1", "lead1"),
    ]
    assert entries[0].summary == "created the workspace for Testbay Partnership"
    assert entries[2].summary == "added lead2 as lead"
    assert all(before <= e.at <= after for e in entries)


def test_create_refuses_an_existing_file_and_leaves_it_alone(path: Path) -> None:
    original = data_bytes(path)
    with pytest.raises(WorkspaceError) as caught:
        Workspace.create(path, "someone", Partnership())
    assert str(caught.value) == f"{path} already exists; open it with `maca --db {path}` or choose another path."
    assert caught.value.exit_code == 2
    assert data_bytes(path) == original


def test_create_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError) as caught:
        Workspace.create(tmp_path / "nope" / "ws.json", "lead1", Partnership())
    assert str(caught.value) == f"The folder {tmp_path / 'nope'} does not exist."
    assert not (tmp_path / "nope").exists()


def test_open_as_a_known_user(path: Path) -> None:
    ws = Workspace.open(path, "csc.coord")
    assert ws.user == User("csc.coord", Role.COORDINATOR, agencies=["CSC"], name="Colin", rev=1)
    assert ws.read_only_reason is None
    assert ws.schema == SCHEMA_VERSION
    assert [u.login for u in ws.users()] == ["csc.coord", "lead1", "lead2", "viewer1"]


def test_unknown_login_is_refused_with_a_sentence_naming_the_leads(path: Path) -> None:
    original = data_bytes(path)
    with pytest.raises(UnknownUser) as caught:
        Workspace.open(path, "stranger")
    assert isinstance(caught.value, AccessDenied)
    assert caught.value.exit_code == 3
    assert str(caught.value) == (
        "stranger is not a user of this workspace; ask a lead (lead1, lead2) to run "
        f"`maca users --db {path} add stranger --role coordinator --agency CODE`."
    )
    assert data_bytes(path) == original


def test_opening_a_missing_workspace_says_how_to_create_one(tmp_path: Path) -> None:
    p = tmp_path / "none.json"
    with pytest.raises(NotFound) as caught:
        Workspace.open(p, "lead1")
    assert caught.value.exit_code == 2
    assert str(caught.value) == f"No workspace at {p}; create one with `maca init --db {p}`."
    assert not p.exists()


# ---------------------------------------------------------------------- revs and journal


def test_insert_save_delete_bump_rev_and_journal_changed_fields_only(path: Path) -> None:
    ws = Workspace.open(path, "lead1")
    start = len(journal_on_disk(path))
    t0 = datetime.now().replace(microsecond=0)

    added = ws.insert(User("hv.coord", Role.COORDINATOR, agencies=["HV"], name="Hattie"),
                      act=Act.MANAGE_USERS, summary="added hv.coord")
    assert added.rev == 1
    assert disk_docs(path, "users")["hv.coord"] == {
        "login": "hv.coord", "role": "coordinator", "agencies": ["HV"], "name": "Hattie", "rev": 1}

    changed = ws.save(dataclasses.replace(added, name="Hattie V", agencies=["HV", "CSC"]),
                      act=Act.MANAGE_USERS, summary="renamed")
    assert changed.rev == 2
    assert disk_docs(path, "users")["hv.coord"] == {
        "login": "hv.coord", "role": "coordinator", "agencies": ["HV", "CSC"], "name": "Hattie V", "rev": 2}

    ws.delete(changed, act=Act.MANAGE_USERS, summary="removed hv.coord")
    assert "hv.coord" not in disk_docs(path, "users")
    assert ws.get("users", "hv.coord") is None
    t1 = datetime.now()

    new = journal_on_disk(path)[start:]
    assert [(e["action"], e["entity"], e["key"], e["who"], e["summary"]) for e in new] == [
        ("create", "users", "hv.coord", "lead1", "added hv.coord"),
        ("update", "users", "hv.coord", "lead1", "renamed"),
        ("delete", "users", "hv.coord", "lead1", "removed hv.coord"),
    ]
    create, update, delete = new
    assert create["before"] is None
    assert create["after"] == {"login": "hv.coord", "role": "coordinator", "agencies": ["HV"], "name": "Hattie",
                               "rev": 1}
    # Only the fields that changed, and never the rev.
    assert update["before"] == {"name": "Hattie", "agencies": ["HV"]}
    assert update["after"] == {"name": "Hattie V", "agencies": ["HV", "CSC"]}
    assert delete["before"]["name"] == "Hattie V" and delete["before"]["rev"] == 2
    assert delete["after"] is None
    for entry in new:
        assert t0 <= datetime.fromisoformat(entry["at"]) <= t1
    # The same entries through the API, decoded.
    decoded = ws.journal()[start:]
    assert all(isinstance(e, JournalEntry) for e in decoded)
    assert decoded[1].changed_fields() == ["agencies", "name"]


def test_saving_an_unchanged_copy_writes_nothing(path: Path) -> None:
    ws = Workspace.open(path, "lead1")
    user = ws.get("users", "viewer1")
    original = data_bytes(path)
    identity = os.stat(path).st_ino
    same = ws.save(dataclasses.replace(user), act=Act.MANAGE_USERS)
    assert same.rev == 1
    assert data_bytes(path) == original
    assert os.stat(path).st_ino == identity  # not even replaced by the same bytes


def test_inserting_an_existing_key_is_a_conflict(path: Path) -> None:
    ws = Workspace.open(path, "lead1")
    original = data_bytes(path)
    with pytest.raises(ConflictError) as caught:
        ws.insert(User("viewer1", Role.LEAD), act=Act.MANAGE_USERS)
    assert str(caught.value) == "viewer1 already exists; someone may have added it a moment ago."
    assert caught.value.theirs["role"] == "viewer"
    assert caught.value.mine["role"] == "lead"
    assert data_bytes(path) == original


# ---------------------------------------------------------------------- conflicts


def test_saving_from_a_stale_rev_is_a_conflict_carrying_both_versions(path: Path) -> None:
    mine_ws = Workspace.open(path, "lead1")
    theirs_ws = Workspace.open(path, "lead2")
    stale = mine_ws.get("users", "viewer1")
    theirs_ws.save(dataclasses.replace(theirs_ws.get("users", "viewer1"), name="Theirs"), act=Act.MANAGE_USERS)
    after_theirs = data_bytes(path)
    journal_length = len(journal_on_disk(path))

    with pytest.raises(ConflictError) as caught:
        mine_ws.save(dataclasses.replace(stale, name="Mine"), act=Act.MANAGE_USERS)
    error = caught.value
    assert error.exit_code == 4
    assert str(error) == "viewer1 was changed by someone else while you were editing it."
    assert error.key == "viewer1"
    assert error.mine == {"login": "viewer1", "role": "viewer", "agencies": [], "name": "Mine", "rev": 1}
    assert error.theirs == {"login": "viewer1", "role": "viewer", "agencies": [], "name": "Theirs", "rev": 2}
    # Nothing changed on disk, not even the journal; both sessions now read theirs.
    assert data_bytes(path) == after_theirs
    assert len(journal_on_disk(path)) == journal_length
    assert mine_ws.get("users", "viewer1").name == "Theirs"


def test_deleting_from_a_stale_rev_and_saving_a_deleted_document_are_conflicts(path: Path) -> None:
    a = Workspace.open(path, "lead1")
    b = Workspace.open(path, "lead2")
    stale = a.get("users", "csc.coord")
    b.save(dataclasses.replace(b.get("users", "csc.coord"), name="Moved on"), act=Act.MANAGE_USERS)
    snapshot = data_bytes(path)
    with pytest.raises(ConflictError) as caught:
        a.delete(stale, act=Act.MANAGE_USERS)
    assert str(caught.value) == "csc.coord was changed by someone else; look again before deleting it."
    assert data_bytes(path) == snapshot

    stale_viewer = a.get("users", "viewer1")
    b.delete(b.get("users", "viewer1"), act=Act.MANAGE_USERS)
    snapshot = data_bytes(path)
    with pytest.raises(ConflictError) as caught:
        a.save(dataclasses.replace(stale_viewer, name="Too late"), act=Act.MANAGE_USERS)
    assert str(caught.value) == "viewer1 was deleted by someone else while you were editing it."
    assert caught.value.theirs is None
    assert caught.value.mine["name"] == "Too late"
    assert data_bytes(path) == snapshot


# ---------------------------------------------------------------------- access


def test_a_viewer_saving_an_audit_is_refused_and_the_refusal_journaled(path: Path) -> None:
    lead = Workspace.open(path, "lead1")
    lead.insert(small_audit(), act=Act.CREATE_AUDIT)
    viewer = Workspace.open(path, "viewer1")
    audit = viewer.audit("MACA-T1")
    assert not viewer.can(Act.EDIT_SCOPE)

    with pytest.raises(AccessDenied) as caught:
        viewer.save(dataclasses.replace(audit, title="Defaced"), act=Act.EDIT_SCOPE)
    reason = "viewer1 is a viewer and can only read; ask a lead auditor to edit the scope."
    assert str(caught.value) == reason
    assert caught.value.exit_code == 3

    assert disk_docs(path, "audits")["MACA-T1"]["title"] == "Test audit"
    assert disk_docs(path, "audits")["MACA-T1"]["rev"] == 1
    last = journal_on_disk(path)[-1]
    assert {k: last[k] for k in ("who", "action", "entity", "key", "summary", "audit", "before", "after")} == {
        "who": "viewer1", "action": "refused", "entity": "", "key": "MACA-T1", "summary": reason,
        "audit": "MACA-T1", "before": None, "after": None,
    }


def test_a_coordinator_may_edit_only_their_own_agencys_returns(path: Path) -> None:
    lead = Workspace.open(path, "lead1")
    lead.insert(small_audit(), act=Act.CREATE_AUDIT)
    for agency in ("CSC", "POL"):
        lead.insert(Return(audit="MACA-T1", case_ref="C1", agency=agency), act=Act.EDIT_RETURN, agency=agency)
    coord = Workspace.open(path, "csc.coord")

    own = coord.get_return("MACA-T1", "C1", "CSC")
    saved = coord.save(dataclasses.replace(own, summary="Known since March"), act=Act.EDIT_RETURN, agency="CSC")
    assert saved.rev == 2
    assert disk_docs(path, "returns")["MACA-T1/C1/CSC"]["summary"] == "Known since March"

    police = coord.get_return("MACA-T1", "C1", "POL")
    reason = "csc.coord co-ordinates CSC and cannot edit POL's return."
    with pytest.raises(AccessDenied) as caught:
        coord.save(dataclasses.replace(police, summary="Not mine to write"), act=Act.EDIT_RETURN, agency="POL")
    assert str(caught.value) == reason
    # Naming their own agency for another agency's return changes nothing: the return's
    # own agency is what the rule is checked against.
    with pytest.raises(AccessDenied) as caught:
        coord.save(dataclasses.replace(police, summary="Not mine to write"), act=Act.EDIT_RETURN, agency="CSC")
    assert str(caught.value) == reason

    police_on_disk = disk_docs(path, "returns")["MACA-T1/C1/POL"]
    assert (police_on_disk["summary"], police_on_disk["rev"]) == ("", 1)
    coord.refusals.flush(coord, everything=True)  # the same refusal twice: one entry, then its count
    refused = [e for e in journal_on_disk(path) if e["action"] == "refused"]
    assert [(e["who"], e["key"], e["summary"], e["audit"]) for e in refused] == [
        ("csc.coord", "MACA-T1/C1/POL", reason, "MACA-T1"),
        ("csc.coord", "MACA-T1/C1/POL", f"{reason} (refused 1 more time within a minute)", "MACA-T1"),
    ]


def test_a_coordinator_cannot_manage_users(path: Path) -> None:
    coord = Workspace.open(path, "csc.coord")
    with pytest.raises(AccessDenied) as caught:
        coord.insert(User("mallory", Role.LEAD), act=Act.MANAGE_USERS)
    assert str(caught.value) == "Only a lead auditor can manage users; csc.coord is a co-ordinator."
    assert "mallory" not in disk_docs(path, "users")


# ---------------------------------------------------------------------- read-only


def test_a_newer_schema_opens_read_only_and_every_write_is_refused(path: Path) -> None:
    pfile = path / "partnership.json"
    data = json.loads(pfile.read_bytes())
    data["meta"]["1"]["schema"] = SCHEMA_VERSION + 1
    pfile.write_text(json.dumps(data), encoding="utf-8")
    original = data_bytes(path)

    ws = Workspace.open(path, "lead1")
    reason = (f"This workspace was written by a newer maca (schema {SCHEMA_VERSION + 1}, this one reads "
              f"{SCHEMA_VERSION}); it is open read-only.")
    assert ws.read_only_reason == reason
    assert [u.login for u in ws.users()] == ["csc.coord", "lead1", "lead2", "viewer1"]  # reading still works
    assert not ws.can(Act.MANAGE_USERS)

    with pytest.raises(WorkspaceReadOnly) as caught:
        ws.insert(User("newbie", Role.VIEWER), act=Act.MANAGE_USERS)
    assert str(caught.value) == reason
    assert caught.value.exit_code == 3
    with pytest.raises(WorkspaceReadOnly):
        ws.save(dataclasses.replace(ws.get("users", "viewer1"), name="x"), act=Act.MANAGE_USERS)
    with pytest.raises(WorkspaceReadOnly):
        with ws.transaction():
            pass
    assert data_bytes(path) == original
    assert not (path / "backups").exists()


# ---------------------------------------------------------------------- other sessions


def test_a_second_instance_sees_the_first_ones_save_after_refresh(path: Path) -> None:
    first = Workspace.open(path, "lead1")
    second = Workspace.open(path, "lead2")
    assert second.get("users", "viewer1").name == "Vera"
    assert second.refresh() is False  # nothing new yet

    first.save(dataclasses.replace(first.get("users", "viewer1"), name="Vera Changed"), act=Act.MANAGE_USERS)
    assert second.changed_on_disk() is True
    assert second.refresh() is True
    assert second.changed_on_disk() is False
    assert second.get("users", "viewer1").name == "Vera Changed"
    assert second.get("users", "viewer1").rev == 2
    assert second.refresh() is False


def test_models_are_decoded_afresh_for_each_file_version(path: Path) -> None:
    mine = Workspace.open(path, "lead1")
    other = Workspace.open(path, "lead2")
    before = mine.get("users", "viewer1")
    assert mine.get("users", "viewer1") is before  # same file version: the cached model

    other.save(dataclasses.replace(other.get("users", "viewer1"), name="Other's edit"), act=Act.MANAGE_USERS)
    other.insert(User("added.elsewhere", Role.VIEWER), act=Act.MANAGE_USERS)

    # No refresh() call: any read notices the new file version.
    now = mine.get("users", "viewer1")
    assert now is not before
    assert (now.name, now.rev) == ("Other's edit", 2)
    assert (before.name, before.rev) == ("Vera", 1)  # what was handed out is not mutated
    assert "added.elsewhere" in [u.login for u in mine.users()]
    assert mine.journal()[-1].key == "added.elsewhere"


def test_own_saves_update_the_view_without_rereading(path: Path) -> None:
    ws = Workspace.open(path, "lead1")
    saved = ws.save(dataclasses.replace(ws.get("users", "lead2"), name="L2"), act=Act.MANAGE_USERS)
    assert ws.get("users", "lead2") == saved
    assert ws.changed_on_disk() is False


# ---------------------------------------------------------------------- failed transactions


def test_a_failed_transaction_leaves_the_file_and_the_view_unchanged(path: Path) -> None:
    ws = Workspace.open(path, "lead1")
    view_before = ws.users()
    journal_before = ws.journal()
    original = data_bytes(path)

    with pytest.raises(RuntimeError, match="boom"):
        with ws.transaction() as tx:
            tx.insert(User("ghost", Role.VIEWER), summary="should vanish")
            tx.save(dataclasses.replace(ws.get("users", "viewer1"), name="Half-done"))
            tx.delete(ws.get("users", "csc.coord"))
            raise RuntimeError("boom")

    assert data_bytes(path) == original
    assert ws.get("users", "ghost") is None
    assert ws.users() == view_before
    assert ws.get("users", "viewer1").name == "Vera"
    assert ws.journal() == journal_before

    # And the workspace carries on normally: ids and journal numbering stay consistent.
    ws.insert(User("real", Role.VIEWER), act=Act.MANAGE_USERS)
    data = on_disk(path)
    assert sorted(u["login"] for u in data["users"].values()) == ["csc.coord", "lead1", "lead2", "real", "viewer1"]
    assert len(data["journal"]) == len(journal_before) + 1
    assert sorted(map(int, data["journal"])) == list(range(1, len(journal_before) + 2))


def test_a_conflict_inside_a_transaction_rolls_back_its_earlier_changes(path: Path) -> None:
    ws = Workspace.open(path, "lead1")
    other = Workspace.open(path, "lead2")
    stale = ws.get("users", "viewer1")
    other.save(dataclasses.replace(other.get("users", "viewer1"), name="Other"), act=Act.MANAGE_USERS)
    snapshot = data_bytes(path)

    with pytest.raises(ConflictError):
        with ws.transaction() as tx:
            tx.insert(User("first.half", Role.VIEWER))
            tx.save(dataclasses.replace(stale, name="Stale"))

    assert data_bytes(path) == snapshot
    assert ws.get("users", "first.half") is None
    assert ws.get("users", "viewer1").name == "Other"


# ---------------------------------------------------------------------- damaged files


def test_a_damaged_record_is_refused_with_the_reason_and_the_file_left_alone(path: Path) -> None:
    pfile = path / "partnership.json"
    data = json.loads(pfile.read_bytes())
    doc_id = next(k for k, u in data["users"].items() if u["login"] == "viewer1")
    data["users"][doc_id]["role"] = "boss"
    pfile.write_text(json.dumps(data), encoding="utf-8")
    original = data_bytes(path)
    with pytest.raises(CorruptWorkspace) as caught:
        Workspace.open(path, "lead1")
    assert str(caught.value) == (
        f"{pfile} is not a readable maca workspace: its users record {doc_id} is damaged "
        "(a stored User is malformed ('boss' is not a valid Role))."
    )
    assert caught.value.exit_code == 2
    assert data_bytes(path) == original


def test_a_file_damaged_after_opening_is_never_written_over(path: Path) -> None:
    ws = Workspace.open(path, "lead1")
    pfile = path / "partnership.json"
    pfile.write_bytes(b"{oops")
    with pytest.raises(CorruptWorkspace) as caught:
        ws.insert(User("newbie", Role.VIEWER), act=Act.MANAGE_USERS)
    assert "is not a readable maca workspace: it is not valid JSON at line 1, column 2" in str(caught.value)
    with pytest.raises(CorruptWorkspace):
        with ws.transaction() as tx:
            tx.insert(User("newbie", Role.VIEWER))
    assert pfile.read_bytes() == b"{oops"
    assert not (path / "backups").exists()


def test_a_save_that_waited_for_the_lock_says_how_long(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    from storage.demo import build_demo
    from storage.lock import os_login

    ws = build_demo(tmp_path / "w.json", os_login())
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from filelock import FileLock; l = FileLock(sys.argv[1]); l.acquire(); "
         "print('held', flush=True); time.sleep(1.2); l.release()", str(ws.path / "partnership.json.lock")],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    start = time.monotonic()
    with ws.transaction() as tx:
        tx.journal("note", "", "", "a save after a wait")
    waited = time.monotonic() - start
    holder.wait()
    assert ws.last_lock_wait >= 0.9 and abs(ws.last_lock_wait - waited) < 0.5
    with ws.transaction() as tx:
        tx.journal("note", "", "", "a save with no wait")
    assert ws.last_lock_wait < 0.5
