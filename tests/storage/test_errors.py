"""The workspace errors: exit codes from DESIGN §4 and their one-sentence messages."""

from __future__ import annotations

import errno
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from storage.errors import (
    AccessDenied,
    ConflictError,
    CorruptWorkspace,
    NotFound,
    SaveFailed,
    WorkspaceBusy,
    WorkspaceError,
    WorkspaceReadOnly,
    read_error,
    save_error,
)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (WorkspaceError("x."), 2),
        (NotFound("x."), 2),
        (CorruptWorkspace("/w.json", "the file is empty"), 2),
        (SaveFailed.because("the disk is full"), 2),
        (WorkspaceReadOnly("x."), 3),
        (AccessDenied("x."), 3),
        (WorkspaceBusy.held_by("alice", 1, None), 4),
        (ConflictError("x."), 4),
    ],
)
def test_exit_codes_follow_the_design(error: WorkspaceError, code: int) -> None:
    assert isinstance(error, WorkspaceError)
    assert error.exit_code == code


def test_corrupt_workspace_builds_its_sentence_or_takes_one(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    plain = CorruptWorkspace(path, "it has no schema version")
    assert str(plain) == f"{path} is not a readable maca workspace: it has no schema version."
    assert (plain.path, plain.reason) == (str(path), "it has no schema version")
    (tmp_path / "w.json.bak").write_text("{}")
    hinted = CorruptWorkspace(path, "the file is empty")
    assert str(hinted).endswith(
        "the file is empty (use `maca check --restore` to bring back the last good copy).")
    assert str(CorruptWorkspace("A finished sentence.")) == "A finished sentence."


def test_busy_message_names_the_holder_and_when_they_started() -> None:
    today = datetime.now().astimezone().replace(hour=14, minute=2, second=11, microsecond=0)
    assert str(WorkspaceBusy.held_by("alice", 4121, today)) == (
        "The workspace is busy: alice (pid 4121) has been saving since 14:02:11; "
        "nothing was saved, try again.")
    earlier = today - timedelta(days=3)
    assert f"since {earlier:%Y-%m-%d} 14:02:11;" in str(WorkspaceBusy.held_by("alice", 1, earlier))
    assert str(WorkspaceBusy.held_by(None, None, None)) == (
        "The workspace is busy: another session is saving; nothing was saved, try again.")


def test_conflict_carries_both_versions() -> None:
    error = ConflictError("C1 was changed by someone else.", key="C1", mine={"a": 1}, theirs=None)
    assert (error.key, error.mine, error.theirs) == ("C1", {"a": 1}, None)
    assert str(error) == "C1 was changed by someone else."


@pytest.mark.parametrize(
    ("code", "kind", "message"),
    [
        (errno.ENOSPC, SaveFailed, "Could not save: the disk is full; nothing was changed."),
        (errno.EIO, SaveFailed,
         "Could not save: the disk reported an input/output error; nothing was changed."),
        (errno.EACCES, WorkspaceReadOnly,
         "Could not save: the folder /srv/maca is not writable; nothing was changed."),
        (errno.EROFS, WorkspaceReadOnly,
         "Could not save: the folder /srv/maca is on a read-only disk; nothing was changed."),
    ],
)
def test_save_errors_become_one_sentence(code: int, kind: type, message: str) -> None:
    error = save_error(OSError(code, "ignored"), "/srv/maca")
    assert isinstance(error, kind)
    assert str(error) == message


def test_read_errors_become_one_sentence() -> None:
    denied = read_error(PermissionError(errno.EACCES, "Permission denied"), "/srv/w.json")
    assert isinstance(denied, AccessDenied) and denied.exit_code == 3
    assert str(denied).startswith("You cannot read /srv/w.json: ")
    assert isinstance(read_error(FileNotFoundError(errno.ENOENT, "x"), "/srv/w.json"), NotFound)
