"""AtomicJSONStorage in one process: TinyDB round trip, caching, permissions,
corrupt files, backups, failures while saving.  Cross-process behaviour (crashes,
concurrent writers, lock timeouts) is in test_atomic_processes.py."""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
import threading
from pathlib import Path

import pytest
from tinydb import Query, TinyDB

from storage.atomic import AtomicJSONStorage, check_writable, file_identity, restore_backup
from storage.errors import (
    CorruptWorkspace,
    NotFound,
    SaveFailed,
    WorkspaceBusy,
    WorkspaceError,
    WorkspaceReadOnly,
)

V1 = {"cases": {"1": {"ref": "C1", "name": "Zoë"}}}


def make(path: Path, data: dict | None = None) -> Path:
    path.write_text(json.dumps(V1 if data is None else data), encoding="utf-8")
    return path


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def one_sentence(message: str) -> None:
    assert "\n" not in message and "Traceback" not in message
    assert message[0].isupper() or message.startswith("/"), message
    assert message.endswith("."), message


def insert_case(storage: AtomicJSONStorage, ref: str) -> None:
    with storage.transaction():
        storage.table("cases").insert({"ref": ref})


def refs(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [doc["ref"] for doc in data["cases"].values()]


# -- TinyDB round trip ---------------------------------------------------------------


def test_tinydb_round_trip_persists_and_a_new_instance_sees_it(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    db = TinyDB(path, storage=AtomicJSONStorage, create=True, holder="alice")
    assert not path.exists()  # nothing is written before the first commit
    assert db.storage.read() is None
    with db.storage.transaction():
        cases = db.table("cases", cache_size=0)
        cases.insert({"ref": "C1", "grade": "good"})
        cases.insert({"ref": "C2", "grade": "inadequate"})
        cases.update({"grade": "requires improvement"}, Query().ref == "C2")
        assert cases.search(Query().ref == "C2")[0]["grade"] == "requires improvement"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert refs(path) == ["C1", "C2"]

    other = TinyDB(path, storage=AtomicJSONStorage)
    found = other.table("cases", cache_size=0).search(Query().grade == "requires improvement")
    assert [doc["ref"] for doc in found] == ["C2"]
    assert other.tables() == {"cases"}


def test_utf8_is_written_unescaped_and_lone_surrogates_still_save(tmp_path: Path) -> None:
    path = make(tmp_path / "w.json")
    storage = AtomicJSONStorage(path)
    insert_case(storage, "Zoë")
    assert "Zoë" in path.read_text(encoding="utf-8")
    insert_case(storage, "bad \udc80 text")
    assert "bad \udc80 text" in refs(path)


def test_missing_workspace_and_missing_folder_are_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(NotFound) as missing:
        AtomicJSONStorage(tmp_path / "none.json")
    assert str(missing.value) == (
        f"No workspace at {tmp_path / 'none.json'}; create one with "
        f"`maca init --db {tmp_path / 'none.json'}`."
    )
    with pytest.raises(WorkspaceError) as no_folder:
        AtomicJSONStorage(tmp_path / "gone" / "w.json", create=True)
    assert "gone" in str(no_folder.value)
    one_sentence(str(no_folder.value))
    assert missing.value.exit_code == 2


def test_write_outside_a_transaction_and_nesting_are_programming_errors(tmp_path: Path) -> None:
    path = make(tmp_path / "w.json")
    storage = AtomicJSONStorage(path)
    db = TinyDB(storage=lambda: storage)
    with pytest.raises(RuntimeError):
        db.table("cases", cache_size=0).insert({"ref": "C9"})
    assert refs(path) == ["C1"]
    assert storage.read() == V1  # the dict TinyDB mutated was dropped, not kept
    with storage.transaction():
        with pytest.raises(RuntimeError):
            with storage.transaction():
                pass


def test_an_exception_in_the_transaction_discards_the_changes(tmp_path: Path) -> None:
    path = make(tmp_path / "w.json")
    before = path.read_bytes()
    storage = AtomicJSONStorage(path)
    with pytest.raises(ValueError):
        with storage.transaction():
            storage.table("cases").insert({"ref": "C2"})
            raise ValueError("changed my mind")
    assert path.read_bytes() == before
    assert [d["ref"] for d in storage.table("cases").all()] == ["C1"]
    assert not (tmp_path / "w.json.bak").exists()


def test_a_transaction_that_changes_nothing_writes_nothing(tmp_path: Path) -> None:
    path = make(tmp_path / "w.json")
    identity = file_identity(path)
    storage = AtomicJSONStorage(path)
    with storage.transaction():
        assert [d["ref"] for d in storage.table("cases").all()] == ["C1"]
    assert file_identity(path) == identity
    assert not (tmp_path / "w.json.bak").exists()


def test_threads_sharing_one_instance_take_turns(tmp_path: Path) -> None:
    path = make(tmp_path / "w.json", {})
    storage = AtomicJSONStorage(path)

    def work(n: int) -> None:
        for i in range(15):
            insert_case(storage, f"T{n}-{i}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(refs(path)) == sorted(f"T{n}-{i}" for n in range(3) for i in range(15))


def test_second_instance_in_this_process_waits_then_reports_busy(tmp_path: Path) -> None:
    path = make(tmp_path / "w.json")
    first = AtomicJSONStorage(path, holder="carol")
    second = AtomicJSONStorage(path, lock_timeout=0.1, holder="dave")
    with first.transaction():
        with pytest.raises(WorkspaceBusy) as busy:
            insert_case(second, "C2")
    assert str(busy.value).startswith(
        f"The workspace is busy: carol (pid {os.getpid()}) has been saving since ")
    insert_case(second, "C2")
    assert refs(path) == ["C1", "C2"]


def test_a_symlinked_workspace_stays_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    real = make(tmp_path / "data" / "w.json")
    link = tmp_path / "w.json"
    link.symlink_to(real)
    insert_case(AtomicJSONStorage(link), "C2")
    assert link.is_symlink()
    assert refs(real) == ["C1", "C2"]
    assert (tmp_path / "data" / "w.json.bak").exists()


# -- caching -----------------------------------------------------------------------


def test_reads_and_own_saves_do_not_parse_again_until_another_instance_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make(tmp_path / "w.json")
    parses: list[int] = []
    import storage.workspace_file as reader

    real_parse = reader.parse_workspace  # the one parser of every workspace file
    monkeypatch.setattr(reader, "parse_workspace", lambda *a, **k: parses.append(1) or real_parse(*a, **k))

    mine = AtomicJSONStorage(path)
    first = mine.read()
    assert mine.read() is first
    assert len(parses) == 1
    insert_case(mine, "C2")
    insert_case(mine, "C3")
    assert mine.read() is first and len(parses) == 1  # saving never re-reads our own file
    assert not mine.changed_on_disk()

    theirs = AtomicJSONStorage(path)
    insert_case(theirs, "C4")  # theirs parses once (count 2)
    assert len(parses) == 2
    assert mine.changed_on_disk()
    assert [d["ref"] for d in mine.read()["cases"].values()] == ["C1", "C2", "C3", "C4"]
    assert len(parses) == 3
    assert not mine.changed_on_disk()


def test_changed_on_disk_sees_another_save_and_a_deleted_file(tmp_path: Path) -> None:
    path = make(tmp_path / "w.json")
    a, b = AtomicJSONStorage(path), AtomicJSONStorage(path)
    a.read()
    assert not a.changed_on_disk()
    insert_case(b, "C2")
    assert a.changed_on_disk()
    assert "C2" in [d["ref"] for d in a.read()["cases"].values()]
    assert not a.changed_on_disk()
    path.unlink()
    assert a.changed_on_disk()
    with pytest.raises(NotFound):
        a.read()


def test_transaction_picks_up_a_save_made_since_the_last_read(tmp_path: Path) -> None:
    path = make(tmp_path / "w.json")
    a, b = AtomicJSONStorage(path), AtomicJSONStorage(path)
    a.read()
    insert_case(b, "C2")
    insert_case(a, "C3")  # re-read under the lock: C2 is not lost
    assert refs(path) == ["C1", "C2", "C3"]
    assert file_identity(path) == file_identity(str(path))
    assert file_identity(tmp_path / "nope.json") is None


# -- permissions -------------------------------------------------------------------


def test_new_workspace_and_its_lock_files_are_0600_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        storage = AtomicJSONStorage(tmp_path / "w.json", create=True)
        insert_case(storage, "C1")
    finally:
        os.umask(old)
    for name in ("w.json", "w.json.lock", "w.json.lock.who"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name


def test_mode_group_and_owner_are_kept_when_the_file_is_replaced(tmp_path: Path) -> None:
    path = make(tmp_path / "w.json")
    path.chmod(0o640)
    root = os.geteuid() == 0
    if root:
        os.chown(path, 1234, 4321)
    storage = AtomicJSONStorage(path)
    insert_case(storage, "C2")
    insert_case(storage, "C3")
    st = path.stat()
    assert stat.S_IMODE(st.st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "w.json.bak").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "w.json.lock").stat().st_mode) == 0o640 | 0o600
    if root:
        assert (st.st_uid, st.st_gid) == (1234, 4321)
        assert (tmp_path / "w.json.lock").stat().st_gid == 4321
    assert refs(path) == ["C1", "C2", "C3"]


def test_check_writable_names_the_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make(tmp_path / "w.json")
    assert check_writable(path) is None
    assert check_writable(tmp_path / "new.json") is None
    gone = tmp_path / "gone"
    assert check_writable(gone / "w.json") == f"The folder {gone} does not exist."
    # We may be root here, for whom os.access always says yes: pretend the file is not.
    real = os.access
    monkeypatch.setattr(
        os, "access", lambda p, m, **k: False if Path(p) == path else real(p, m, **k))
    assert check_writable(path) == f"The workspace file {path} is not writable for you."
    with pytest.raises(WorkspaceReadOnly) as refused:
        insert_case(AtomicJSONStorage(path), "C2")
    assert refused.value.exit_code == 3
    assert refs(path) == ["C1"]


# -- corrupt files -------------------------------------------------------------------

CORRUPT = {
    "garbage": (b"this is not json", "not valid JSON at line 1, column 1"),
    "truncated": (b'{"cases": {"1": {"ref": "C1"}\n  ,', "the JSON stops at line 2"),
    "list": (b"[]", "it holds a list, not an object of tables"),
    "empty": (b"", "the file is empty"),
    "table is a list": (b'{"cases": [1, 2]}', "the table 'cases' is a list"),
    "document is a string": (b'{"cases": {"1": "x"}}', "document 1 in the table 'cases'"),
    "bad document id": (b'{"cases": {"abc": {}}}', "document id 'abc'"),
    "not utf-8": (b'{"cases": {"1": {"ref": "\xff"}}}', "not UTF-8 text"),
}


@pytest.mark.parametrize("name", list(CORRUPT))
def test_corrupt_file_is_refused_and_never_overwritten(tmp_path: Path, name: str) -> None:
    raw, reason = CORRUPT[name]
    path = tmp_path / "w.json"
    path.write_bytes(raw)
    storage = AtomicJSONStorage(path)
    with pytest.raises(CorruptWorkspace) as read_error:
        storage.read()
    message = str(read_error.value)
    assert message.startswith(f"{path} is not a readable maca workspace: ")
    assert reason in message
    one_sentence(message)
    assert read_error.value.exit_code == 2

    ran = []
    with pytest.raises(CorruptWorkspace):
        with storage.transaction():
            ran.append(True)
            storage.write({"cases": {}})
    with pytest.raises(CorruptWorkspace):
        insert_case(AtomicJSONStorage(path, create=True), "C2")
    assert ran == []
    assert path.read_bytes() == raw
    assert not (tmp_path / "w.json.bak").exists()
    assert temps(tmp_path) == []


def test_corrupt_message_points_at_restore_when_a_backup_exists(tmp_path: Path) -> None:
    path = make(tmp_path / "w.json")
    insert_case(AtomicJSONStorage(path), "C2")  # makes w.json.bak
    path.write_bytes(b'{"cases": ')
    with pytest.raises(CorruptWorkspace) as error:
        AtomicJSONStorage(path).read()
    assert str(error.value) == (
        f"{path} is not a readable maca workspace: the JSON stops at line 1, column 11 "
        "(use `maca check --restore` to bring back the last good copy)."
    )


# -- backups ---------------------------------------------------------------------------


def test_backup_is_made_before_the_first_write_of_each_session_only(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    bak = tmp_path / "w.json.bak"
    creator = AtomicJSONStorage(path, create=True)
    insert_case(creator, "C1")
    insert_case(creator, "C2")
    assert not bak.exists()  # a new workspace has no earlier copy to keep
    v1 = path.read_bytes()

    session = AtomicJSONStorage(path)
    insert_case(session, "C3")
    assert bak.read_bytes() == v1
    insert_case(session, "C4")
    assert bak.read_bytes() == v1  # not rewritten later in the same session
    v2 = path.read_bytes()

    insert_case(AtomicJSONStorage(path), "C5")
    assert bak.read_bytes() == v2
    assert refs(path) == ["C1", "C2", "C3", "C4", "C5"]


def test_restore_backup_brings_back_the_last_good_copy_and_keeps_the_bad_one(
    tmp_path: Path,
) -> None:
    path = make(tmp_path / "w.json")
    path.chmod(0o640)
    insert_case(AtomicJSONStorage(path), "C2")
    good = (tmp_path / "w.json.bak").read_bytes()
    path.write_bytes(b"\x00\x00\x00garbage")

    aside = restore_backup(path)
    assert path.read_bytes() == good
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert aside is not None and aside.name.startswith("w.json.corrupt-")
    assert aside.read_bytes() == b"\x00\x00\x00garbage"
    assert [d["ref"] for d in AtomicJSONStorage(path).read()["cases"].values()] == ["C1"]
    second = restore_backup(path)  # same second: a distinct name, nothing overwritten
    assert second is not None and second != aside and aside.exists()


def test_restore_backup_refuses_without_a_good_backup(tmp_path: Path) -> None:
    path = make(tmp_path / "w.json")
    with pytest.raises(WorkspaceError) as none:
        restore_backup(path)
    assert str(none.value) == f"There is no backup copy {tmp_path / 'w.json.bak'} to restore."
    (tmp_path / "w.json.bak").write_bytes(b"[1")
    with pytest.raises(WorkspaceError) as bad:
        restore_backup(path)
    assert "cannot be restored: the JSON stops" in str(bad.value)
    one_sentence(str(bad.value))
    assert refs(path) == ["C1"]


# -- failures while saving -----------------------------------------------------------


def test_unwritable_folder_refuses_the_save_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # chmod cannot stop root, so make creating the temp file fail as it would.
    path = make(tmp_path / "w.json")
    before = path.read_bytes()
    storage = AtomicJSONStorage(path)
    storage.read()

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(WorkspaceReadOnly) as error:
        insert_case(storage, "C2")
    assert str(error.value) == (
        f"Could not save: the folder {tmp_path} is not writable; nothing was changed."
    )
    assert error.value.exit_code == 3
    assert path.read_bytes() == before
    assert [d["ref"] for d in storage.read()["cases"].values()] == ["C1"]


def test_disk_full_fails_cleanly_and_removes_the_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make(tmp_path / "w.json")
    before = path.read_bytes()
    storage = AtomicJSONStorage(path)
    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        if os.fstat(fd).st_size > 0:  # a few bytes go down, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, bytes(data[:5]))

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(SaveFailed) as error:
        insert_case(storage, "C2")
    monkeypatch.undo()
    assert str(error.value) == "Could not save: the disk is full; nothing was changed."
    assert error.value.exit_code == 2
    assert path.read_bytes() == before
    assert temps(tmp_path) == []
    assert [d["ref"] for d in storage.read()["cases"].values()] == ["C1"]
    insert_case(storage, "C3")  # the same session saves once there is room again
    assert refs(path) == ["C1", "C3"]
