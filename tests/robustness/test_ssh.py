"""Served mode for real (issue 15): OpenSSH's sshd on 127.0.0.1 with the README's recipe,
a service account owning the workspace, and three auditors' keys (lead, co-ordinator,
viewer) written by `maca users`.  Each attack of the issue is a named test that now
fails to do harm; the `serve` commands are tried by every role; `SSH_ORIGINAL_COMMAND`
injections, scp, sftp and forwarding are refused; `--as` from another login is refused.

Needs root (to add users and run sshd) and OpenSSH (`make test` installs it).
"""

from __future__ import annotations

import json
import os
import pwd
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.robustness.sshd import SSH_OPTIONS, Server, free_port, served_server, why_not
from tests.terminal.tmux import Terminal, isolated_env

REF = "MACA-C86"
pytestmark = [pytest.mark.ssh, pytest.mark.skipif(why_not() is not None, reason=why_not() or "")]

CSV = b"case_ref,unborn,older_siblings,family_name,child_dob\nRB-2099-001,yes,1,Sshfam,01/01/2020\n"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    yield from served_server()


def files_of(server: Server) -> dict[str, bytes]:
    return {str(p.relative_to(server.db.parent)): p.read_bytes()
            for p in sorted(server.db.parent.rglob("*")) if p.is_file()}


def last_journal(server: Server) -> dict:
    """The newest journal entry, whichever layout the workspace has."""
    entries: list[dict] = []
    if server.db.is_file():
        journal = json.loads(server.db.read_text())["journal"]
        entries = [journal[k] for k in sorted(journal, key=int)]
    else:
        for path in sorted(server.db.rglob("*.jsonl")):
            entries += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return entries[-1]


def sentence(done: subprocess.CompletedProcess[bytes]) -> str:
    lines = done.stderr.decode().strip().splitlines()
    assert len(lines) == 1, done.stderr.decode()
    return lines[0]


# ------------------------------------------------------------------ the recipe itself


def test_the_data_is_the_service_accounts_alone(server: Server) -> None:
    owner = pwd.getpwnam(server.account).pw_uid
    folder = server.db.parent
    assert (folder.stat().st_uid, stat.S_IMODE(folder.stat().st_mode)) == (owner, 0o700)
    for path in [server.db, *server.db.parent.rglob("*")]:
        st = path.lstat()
        assert st.st_uid == owner, path
        assert stat.S_IMODE(st.st_mode) & 0o077 == 0, path  # no group or other access at all
    keys = Path(pwd.getpwnam(server.account).pw_dir) / ".ssh" / "authorized_keys"
    lines = [line for line in keys.read_text().splitlines() if not line.startswith("#")]
    assert len(lines) == 3
    for line in lines:
        assert line.startswith(f'restrict,pty,command="{server.maca} serve --db {server.db} --as ')
        assert "@laptop" not in line  # the auditor's own comment is not copied


def test_a_lead_gets_the_app_completes_a_keyboard_path_and_saves(server: Server, tmp_path: Path) -> None:
    term = Terminal([*server.ssh("lead1", "-tt")], isolated_env(tmp_path))
    try:
        term.wait_for(REF, timeout=30)
        term.wait_for("lead1 · lead auditor")  # identity is the key's --as login
        term.keys("Enter")
        term.wait_for("Title: Unborn babies")
        term.keys("e")
        term.wait_for("Save (ctrl+s)")
        term.keys("C-e", "C-u")
        term.keys("Edited over SSH", literal=True)
        term.keys("C-s")
        term.wait_for("Saved: changed the title")
        term.keys("C-q")
        term.wait_for("MACA-EXITED 0")
    finally:
        term.close()
    entry = last_journal(server)
    assert entry["who"] == "lead1"
    assert "Edited over SSH" in json.dumps(entry)


def test_a_lead_fetches_the_report_with_one_ssh_command(server: Server, tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    command = " ".join([*server.ssh("lead1"), "export", REF, ">", str(out)])
    done = subprocess.run(command, shell=True, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith(f"# {REF}:")
    assert last_journal(server)["summary"] == f"exported {REF} report over SSH (md)"
    html = server.run("lead1", "export", REF, "--format", "html")
    assert html.returncode == 0 and html.stdout.startswith(b"<!DOCTYPE html>")


# ------------------------------------------------------------------ roles x serve commands


MATRIX = [
    # (login, command, exit code)
    ("lead1", "whoami", 0), ("coord", "whoami", 0), ("vic", "whoami", 0),
    ("lead1", f"export {REF}", 0), ("coord", f"export {REF}", 3), ("vic", f"export {REF}", 3),
    ("lead1", f"cohort {REF} --json", 0), ("coord", f"cohort {REF} --json", 0), ("vic", f"cohort {REF}", 0),
    ("lead1", f"chase {REF}", 0), ("coord", f"chase {REF}", 0), ("vic", f"chase {REF}", 0),
    ("lead1", f"import-cases {REF} --dry-run", 0), ("coord", f"import-cases {REF} --dry-run", 3),
    ("vic", f"import-cases {REF}", 3), ("coord", "new-audit", 3), ("vic", "new-audit", 3),
]


@pytest.mark.parametrize(("login", "command", "code"), MATRIX,
                         ids=[f"{login}-{command.split()[0]}-{code}" for login, command, code in MATRIX])
def test_each_role_may_run_what_its_role_allows(server: Server, login: str, command: str, code: int) -> None:
    before = files_of(server)
    stdin = CSV if command.startswith("import-cases") else b"ref = 'X'\n" if command == "new-audit" else None
    done = server.run(login, *command.split(), stdin=stdin)
    assert done.returncode == code, done.stderr
    if code == 3:
        assert sentence(done).startswith("maca: ")
        assert done.stdout == b""
    after = files_of(server)
    # Nothing but the journal may change (a refusal or an export is journaled).
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    if server.db.is_file():
        for name in changed:
            if name.endswith((".lock", ".lock.who", ".bak")):
                continue
            old, new = json.loads(before[name]), json.loads(after[name])
            old.pop("journal", None), new.pop("journal", None)
            assert old == new


def test_whoami_says_who_the_key_is(server: Server) -> None:
    done = server.run("coord", "whoami")
    assert done.stdout.decode().startswith("coord · audit co-ordinator (POL) · ")


def test_a_coordinators_chase_list_is_their_agencys(server: Server) -> None:
    lines = server.run("coord", "chase", REF).stdout.decode().splitlines()
    assert lines and all(line.startswith("POL (Police)") for line in lines)
    everyone = server.run("lead1", "chase", REF).stdout.decode().splitlines()
    assert len(everyone) > len(lines)


def test_a_lead_imports_cases_over_the_channel(server: Server) -> None:
    done = server.run("lead1", "import-cases", REF, stdin=CSV)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == f"Imported 1 candidate cases into {REF}.\n"
    cohort = json.loads(server.run("lead1", "cohort", REF, "--json").stdout)
    assert "RB-2099-001" in {c["case_ref"] for c in cohort["candidates"]}


def test_an_imported_passwd_file_is_not_quoted_back(server: Server) -> None:
    done = server.run("lead1", "import-cases", REF, "--dry-run", stdin=Path("/etc/passwd").read_bytes())
    assert done.returncode == 2
    assert b"root:x:0:0" not in done.stderr and b"/bin/" not in done.stderr


# ------------------------------------------------------------------ what is refused


INJECTIONS = [
    "whoami; id", "whoami && id", "whoami | id", "whoami || id", "$(id)", "`id`", "whoami\nid",
    f"export {REF} > /tmp/x", f"import-cases {REF} < /etc/passwd", "/bin/sh", "sh -c id", "bash -i",
    "scp -t /tmp", "scp -f /etc/passwd", "internal-sftp", "/usr/lib/openssh/sftp-server", "rsync --server .",
    "git-upload-pack '/srv'", "python3", "cat /etc/passwd", f"export {REF} 'x'", "whoami \\; id",
    "WHOAMI", "export", f"export {REF} --db /etc", f"export {REF} --format=../../x",
]


@pytest.mark.parametrize("command", INJECTIONS, ids=[f"i{n}" for n in range(len(INJECTIONS))])
def test_ssh_original_command_injection_is_refused(server: Server, command: str) -> None:
    done = server.run("vic", command)
    assert done.returncode in (2, 3), done.stderr
    assert sentence(done).startswith("maca: ")
    assert b"uid=" not in done.stdout and b"root:x:0:0" not in done.stdout
    assert done.stdout == b""


def test_asking_for_a_shell_with_a_terminal_opens_the_app_instead(server: Server, tmp_path: Path) -> None:
    term = Terminal([*server.ssh("vic", "-tt")], isolated_env(tmp_path))
    try:
        screen = term.wait_for(REF, timeout=30)
        assert "PWNED" not in screen
        term.keys("C-q")
        term.wait_for("MACA-EXITED")
    finally:
        term.close()
    done = server.run("vic", "echo", "PWNED-$((6*7))", options=("-tt",))
    assert b"PWNED-42" not in done.stdout + done.stderr
    assert done.returncode == 3


def test_no_terminal_and_no_command_gets_a_sentence(server: Server) -> None:
    done = server.run("vic")
    assert done.returncode == 2
    assert "the app needs a terminal" in sentence(done)


def test_sftp_and_scp_are_refused(server: Server, tmp_path: Path) -> None:
    sftp = subprocess.run(["sftp", *SSH_OPTIONS, "-P", str(server.port), "-i", str(server.keys["vic"]),
                           "-b", "-", f"{server.account}@127.0.0.1"],
                          input=f"get {server.db} {tmp_path}/stolen\n", capture_output=True, text=True, timeout=30)
    assert sftp.returncode != 0
    scp = subprocess.run(["scp", *SSH_OPTIONS, "-P", str(server.port), "-i", str(server.keys["vic"]),
                          f"{server.account}@127.0.0.1:{server.db}", str(tmp_path / "stolen2")],
                         capture_output=True, text=True, timeout=30)
    assert scp.returncode != 0
    up = tmp_path / "up.txt"
    up.write_text("planted")
    scp_up = subprocess.run(["scp", "-O", *SSH_OPTIONS, "-P", str(server.port), "-i", str(server.keys["lead1"]),
                             str(up), f"{server.account}@127.0.0.1:.pam_environment"],
                            capture_output=True, text=True, timeout=30)
    assert scp_up.returncode != 0
    assert not list(tmp_path.glob("stolen*"))
    assert not (Path(pwd.getpwnam(server.account).pw_dir) / ".pam_environment").exists()


def test_local_port_forwarding_is_refused(server: Server) -> None:
    local = free_port()
    client = subprocess.Popen([*server.ssh("vic", "-N", "-L", f"{local}:127.0.0.1:{server.port}")],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", local), timeout=5)
                break
            except OSError:
                assert client.poll() is None and time.monotonic() < deadline, "the ssh client never listened"
                time.sleep(0.05)
        with sock:
            sock.settimeout(5)
            try:
                received = sock.recv(100)
            except (TimeoutError, ConnectionResetError):
                received = b""
        assert b"SSH-2.0" not in received
    finally:
        stop_client(client)


def stop_client(client: subprocess.Popen[str]) -> None:
    """End an ssh client that may sit in its channel loop; SIGTERM is not always acted on at once there."""
    client.terminate()
    try:
        client.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        client.kill()
        client.communicate(timeout=10)


def test_remote_and_stdio_forwarding_are_refused(server: Server) -> None:
    remote = server.run("vic", options=("-N", "-o", "ExitOnForwardFailure=yes",
                                         "-R", f"127.0.0.1:0:127.0.0.1:{server.port}"))
    assert remote.returncode != 0
    stdio = server.run("vic", options=("-W", f"127.0.0.1:{server.port}"))
    assert b"SSH-2.0" not in stdio.stdout and stdio.returncode != 0


def test_as_from_a_login_that_is_not_the_owner_is_refused(server: Server) -> None:
    done = server.maca_as(server.other, "serve", "--db", str(server.db), "--as", "lead1")
    assert done.returncode == 3
    assert done.stderr.strip() == (
        f"maca: `maca serve --as` is only for the account that owns the workspace; {server.other} does not, "
        "so it was refused. Run maca without --as to use your own login.")
    # Nor can that login read or change anything in the folder.
    peek = subprocess.run([*server.as_user(server.other), "ls", str(server.db.parent)],
                          env=server.env_of(server.other), capture_output=True, timeout=30)
    assert peek.returncode != 0


# ------------------------------------------------------------------ the attacks of the issue


def test_a_viewer_cannot_export_the_chase_list_onto_the_workspace(server: Server, tmp_path: Path) -> None:
    """Returns, `c`, `x`: the app shows the ssh command; there is no path field at all."""
    before = files_of(server)
    term = Terminal([*server.ssh("vic", "-tt")], isolated_env(tmp_path))
    try:
        term.wait_for(REF, timeout=30)
        term.keys("Enter")
        term.wait_for("Linked review:")  # the audit's scope (a lead may have retitled it)
        term.keys("3")  # the Returns section
        term.wait_for("Received")
        term.keys("c")
        term.wait_for("Chase list")
        term.keys("x")
        screen = term.wait_for("Export the chase list")
        assert f"-p {server.port} {server.account}@127.0.0.1 chase {REF} >" in screen
        assert "Save to" not in screen
        term.keys("C-q")
        term.wait_for("MACA-EXITED")
    finally:
        term.close()
    assert files_of(server) == before  # the viewer changed nothing at all


def test_a_lead_gets_no_shell_through_the_environment(server: Server, tmp_path: Path) -> None:
    """The client tries to send PYTHONINSPECT (sshd does not accept it), and no export can
    write ~/.pam_environment; ctrl+q ends the connection with no Python prompt."""
    term = Terminal([*server.ssh("lead1", "-tt", "-o", "SetEnv=PYTHONINSPECT=1 PYTHONSTARTUP=/etc/passwd")],
                    isolated_env(tmp_path))
    try:
        term.wait_for(REF, timeout=30)
        term.keys("C-q")
        screen = term.wait_for("MACA-EXITED")
        assert ">>>" not in screen
    finally:
        term.close()


def test_a_removed_users_key_stops_working_at_once(server: Server) -> None:
    key = server.new_key("temp")
    server.keys["temp"] = key
    added = server.maca_as(server.account, "users", "--db", str(server.db), "add", "temp", "--role", "viewer",
                           "--key", "-", stdin=key.with_suffix(".pub").read_bytes())
    assert added.returncode == 0, added.stderr
    assert server.run("temp", "whoami").returncode == 0
    removed = server.maca_as(server.account, "users", "--db", str(server.db), "remove", "temp")
    assert removed.returncode == 0, removed.stderr
    done = server.run("temp", "whoami")
    assert done.returncode == 255  # sshd no longer knows the key
    assert b"Permission denied" in done.stderr
