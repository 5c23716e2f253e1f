"""`maca users` with keys and `maca serve` (issue 15), in-process: the authorized_keys
block, revocation, the allow-list and its strict parsing, `--as` for the owner only.
The same over a real sshd is tests/robustness/test_ssh.py."""

from __future__ import annotations

import base64
import io
import os
import struct
import sys
from pathlib import Path

import pytest

from storage.demo import DEMO_AUDIT, build_demo
from storage.lock import os_login
from storage.workspace import Workspace
from tui.cli import main
from tests.workspace_files import data_bytes

LOGIN = os_login()


def key(n: int) -> str:
    raw = struct.pack(">I", 11) + b"ssh-ed25519" + struct.pack(">I", 32) + bytes([n]) * 32
    return f"ssh-ed25519 {base64.b64encode(raw).decode()} someone@laptop"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MACA_AUTHORIZED_KEYS", str(tmp_path / "ssh" / "authorized_keys"))
    monkeypatch.setattr(sys, "argv", ["/opt/maca/bin/maca"])
    monkeypatch.setattr("tui.users_cli.maca_command", lambda: "/opt/maca/bin/maca")
    monkeypatch.delenv("SSH_ORIGINAL_COMMAND", raising=False)
    return build_demo(tmp_path / "w.json", LOGIN).path


def keyfile(tmp_path: Path, n: int) -> Path:
    path = tmp_path / f"k{n}.pub"
    path.write_text(key(n) + "\n")
    return path


def run(capsys, *args: str | Path, stdin: str | bytes | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None and monkeypatch is not None:
        data = stdin.encode() if isinstance(stdin, str) else stdin
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def authorized(tmp_path: Path) -> list[str]:
    return (tmp_path / "ssh" / "authorized_keys").read_text().splitlines()


def test_users_add_key_and_remove_write_the_block(db: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    (tmp_path / "ssh").mkdir()
    (tmp_path / "ssh" / "authorized_keys").write_text("ssh-ed25519 AAAAadmin admin@desk\n")
    code, out, _ = run(capsys, "users", "--db", db, "add", "alice", "--role", "coordinator", "--agency", "pol",
                       "--key", keyfile(tmp_path, 1))
    assert (code, out) == (0, "Added alice · audit co-ordinator (POL) with their SSH key.\n")
    code, out, _ = run(capsys, "users", "--db", db, "add", "vic", "--role", "viewer", "--key", "-",
                       stdin=key(2), monkeypatch=monkeypatch)
    assert code == 0
    lines = authorized(tmp_path)
    assert lines[0] == "ssh-ed25519 AAAAadmin admin@desk"  # lines maca did not write are kept
    assert lines[1].startswith(f"# maca begin {db} ")
    assert lines[2] == (f'restrict,pty,command="/opt/maca/bin/maca serve --db {db} --as alice" '
                        f"{' '.join(key(1).split()[:2])} maca:alice")
    assert lines[3].endswith("maca:vic") and lines[4] == f"# maca end {db}"
    # A new key replaces the old one; removing a user revokes theirs at once.
    assert run(capsys, "users", "--db", db, "key", "alice", keyfile(tmp_path, 3))[0] == 0
    assert key(1).split()[1] not in "\n".join(authorized(tmp_path))
    assert key(3).split()[1] in "\n".join(authorized(tmp_path))
    code, out, _ = run(capsys, "users", "--db", db, "remove", "alice")
    assert (code, out) == (0, "Removed alice; their SSH keys no longer work.\n")
    text = "\n".join(authorized(tmp_path))
    assert "--as alice" not in text and "--as vic" in text
    assert Workspace.open(db, LOGIN).get("users", "alice") is None
    code, out, _ = run(capsys, "users", "--db", db, "list")
    assert [line.split() for line in out.splitlines() if line.startswith("vic ")] == [["vic", "viewer", "(SSH", "key)"]]


@pytest.mark.parametrize("bad", [f'command="/bin/sh" {key(1)}', "not a key", f"{key(1)}\n{key(2)}"],
                         ids=["option", "garbage", "two"])
def test_a_bad_key_changes_nothing(db: Path, tmp_path: Path, capsys, monkeypatch, bad: str) -> None:
    before = data_bytes(db)
    code, _, err = run(capsys, "users", "--db", db, "add", "eve", "--role", "lead", "--key", "-",
                       stdin=bad, monkeypatch=monkeypatch)
    assert code == 2 and err.startswith("maca: ") and err.strip().endswith("Nothing was changed.")
    assert data_bytes(db) == before
    assert not (tmp_path / "ssh" / "authorized_keys").exists()


def test_one_key_for_one_person(db: Path, tmp_path: Path, capsys) -> None:
    assert run(capsys, "users", "--db", db, "add", "alice", "--role", "viewer", "--key", keyfile(tmp_path, 1))[0] == 0
    code, _, err = run(capsys, "users", "--db", db, "add", "bob", "--role", "viewer", "--key", keyfile(tmp_path, 1))
    assert code == 2 and "already alice's" in err


def test_only_a_lead_manages_users(db: Path, tmp_path: Path, capsys) -> None:
    assert run(capsys, "users", "--db", db, "add", "alice", "--role", "lead")[0] == 0
    assert run(capsys, "users", "--db", db, "add", LOGIN, "--role", "viewer")[0] == 0  # now only alice leads
    code, _, err = run(capsys, "users", "--db", db, "add", "mallory", "--role", "lead", "--key", keyfile(tmp_path, 5))
    assert code == 3 and "viewer" in err
    assert Workspace.open(db, LOGIN).get("users", "mallory") is None


# ------------------------------------------------------------------ serve


def serve(capsys, monkeypatch, db: Path, login: str, command: str | None, stdin: bytes | None = None):
    if command is None:
        monkeypatch.delenv("SSH_ORIGINAL_COMMAND", raising=False)
    else:
        monkeypatch.setenv("SSH_ORIGINAL_COMMAND", command)
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    buffer = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(buffer, write_through=True))
    code = main(["serve", "--db", str(db), "--as", login])
    sys.stdout.flush()
    _, err = capsys.readouterr()
    return code, buffer.getvalue().decode(), err


def test_serve_runs_allowed_commands_as_the_given_login(db: Path, capsys, monkeypatch) -> None:
    code, out, _ = serve(capsys, monkeypatch, db, "pol.coord", "whoami")
    assert code == 0 and out.startswith("pol.coord · audit co-ordinator (POL) · ")
    code, out, _ = serve(capsys, monkeypatch, db, "qa.tamsin", f"export {DEMO_AUDIT}")
    assert code == 0 and out.startswith(f"# {DEMO_AUDIT}:")
    code, out, err = serve(capsys, monkeypatch, db, "pol.coord", f"export {DEMO_AUDIT}")
    assert (code, out) == (3, "") and "Only a lead auditor can export the report" in err


@pytest.mark.parametrize("command", ["whoami; id", "$(id)", "`id`", "scp -t .", "sh", "whoami | cat",
                                     "internal-sftp", "export 'MACA-C86'", "x" * 2000])
def test_serve_refuses_anything_else_with_exit_3(db: Path, capsys, monkeypatch, command: str) -> None:
    before = data_bytes(db)
    code, out, err = serve(capsys, monkeypatch, db, "panel.vic", command)
    assert (code, out) == (3, "")
    assert len(err.strip().splitlines()) == 1 and err.startswith("maca: ")
    assert "$(id)" not in err and "`id`" not in err  # nothing of the command is echoed but its first word
    after = Workspace.open(db, LOGIN).journal()[-1]
    assert after.action == "refused" and after.who == "panel.vic"
    assert data_bytes(db) != before  # journaled


def test_serve_parses_arguments_strictly(db: Path, capsys, monkeypatch) -> None:
    code, _, err = serve(capsys, monkeypatch, db, "qa.tamsin", f"export {DEMO_AUDIT} --form html")
    assert code == 2 and "unrecognized arguments: --form html" in err
    code, _, err = serve(capsys, monkeypatch, db, "qa.tamsin", f"export {DEMO_AUDIT} --db /etc")
    assert code == 2


def test_serve_as_refuses_a_login_that_does_not_own_the_workspace(db: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: db.stat().st_uid + 1)
    code, out, err = serve(capsys, monkeypatch, db, "qa.tamsin", "whoami")
    assert (code, out) == (3, "")
    assert "`maca serve --as` is only for the account that owns the workspace" in err


def test_an_unknown_login_is_refused(db: Path, capsys, monkeypatch) -> None:
    code, out, err = serve(capsys, monkeypatch, db, "nobody-here", "whoami")
    assert code == 3 and "nobody-here is not a user of this workspace" in err
