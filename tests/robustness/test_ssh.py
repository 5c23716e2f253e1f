"""The README's deployment over SSH, for real: OpenSSH's sshd on 127.0.0.1 with the
recipe's `Match Group` block, a throwaway auditor in the group, and the workspace shared
through the group's permissions.  The auditor gets the app and nothing else: a keyboard
path completes and saves, while shells, other commands, sftp and forwarding are refused.

Needs root (to add the user and run sshd) and OpenSSH (`make test` installs it).
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import secrets
import shutil
import signal
import site
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.terminal.tmux import MACA, Terminal, isolated_env

REPO = Path(__file__).resolve().parents[2]
SSHD = "/usr/sbin/sshd"
GROUP = "maca-test"
TOOLS = ("ssh", "ssh-keygen", "sftp", "tmux", "useradd", "userdel", "groupadd", "setpriv")


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "needs root to add a throwaway user and run sshd"
    if not os.access(SSHD, os.X_OK):
        return "OpenSSH's sshd is not installed (make test installs openssh-server)"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return f"{', '.join(missing)} not installed (make test installs openssh-client and tmux)"
    return None


pytestmark = pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")


@dataclass
class Server:
    base: Path
    port: int
    user: str
    key: Path
    db: Path
    log: Path

    def ssh(self, *options: str) -> list[str]:
        return ["ssh", "-F", "/dev/null", "-p", str(self.port), "-i", str(self.key), "-o", "IdentitiesOnly=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10", *options, f"{self.user}@127.0.0.1"]

    def run(self, *options: str, command: list[str] | None = None,
            timeout: float = 30) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.ssh(*options), *(command or [])], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"sshd stopped:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"sshd never listened on port {port}:\n{log.read_text()}")


def _sh(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=60)


def _maca_for(user: str, base: Path) -> str:
    """What the ForceCommand runs: this checkout's `.venv/bin/maca` if the auditor can run
    it; otherwise the same checkout and packages through a Python the auditor can reach
    (a virtualenv made from an interpreter in root's private home cannot be)."""
    entry = pwd.getpwnam(user)
    # Through a shell, as sshd runs it: a program setpriv starts itself may be let
    # through paths that the user's own processes cannot reach.
    as_user = ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups",
               "/bin/sh", "-c", 'exec "$@"', "sh"]
    env = {"PATH": "/usr/bin:/bin", "HOME": entry.pw_dir}
    if subprocess.run([*as_user, str(MACA), "--help"], env=env, capture_output=True, timeout=30).returncode == 0:
        return str(MACA)
    path = os.pathsep.join([str(REPO), *site.getsitepackages()])
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for python in (sys.executable, f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"):
        probe = [*as_user, "env", f"PYTHONPATH={path}", python, "-c",
                 f"import sys; assert sys.version_info[:2] == {sys.version_info[:2]!r}; import tui.cli, textual"]
        if subprocess.run(probe, env=env, capture_output=True, timeout=30).returncode == 0:
            # Isolated (-I), as the `maca` command itself runs: the paths are set inside.
            launcher = base / "bin" / "maca"
            launcher.parent.mkdir(mode=0o755)
            boot = base / "bin" / "maca.py"
            boot.write_text(f"import sys\nsys.path[:0] = {path.split(os.pathsep)!r}\n"
                            "from tui.cli import entry\nraise SystemExit(entry())\n")
            boot.chmod(0o644)
            launcher.write_text(f'#!/bin/sh\nexec {python} -I -B {boot} "$@"\n')
            launcher.chmod(0o755)
            return str(launcher)
    pytest.skip(f"no Python with this checkout's packages can be run by an unprivileged user "
                f"({MACA} cannot either)")


SSHD_CONFIG = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {base}/host_key
PidFile {base}/sshd.pid
AuthorizedKeysFile {base}/authorized_keys/%u
# The keys live in a temporary folder, not in a home folder sshd would check.
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowGroups {group}
PermitUserEnvironment no
AcceptEnv LANG LC_* COLORTERM ESCDELAY
Subsystem sftp internal-sftp
LogLevel VERBOSE

# The README's recipe.
Match Group {group}
    ForceCommand {maca} --db {db}
    PermitTTY yes
    X11Forwarding no
    AllowTcpForwarding no
    AllowStreamLocalForwarding no
    PermitTunnel no
    AllowAgentForwarding no
    PermitUserRC no
"""


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    base = Path(tempfile.mkdtemp(prefix="maca-ssh-"))
    base.chmod(0o755)
    user = f"maca-ssh-{secrets.token_hex(3)}"
    made_group = made_user = False
    sshd: subprocess.Popen[bytes] | None = None
    try:
        try:
            grp.getgrnam(GROUP)
        except KeyError:
            _sh("groupadd", GROUP)
            made_group = True
        # An auditor: a login in the group, with a key, whose only program is maca.
        _sh("useradd", "--create-home", "--home-dir", str(base / "home"), "--shell", "/bin/sh",
            "--groups", GROUP, "--password", "*", user)
        made_user = True
        _sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(base / "host_key"))
        _sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(base / "client_key"))
        keys = base / "authorized_keys"
        keys.mkdir(mode=0o755)
        (keys / user).write_text((base / "client_key.pub").read_text())
        (keys / user).chmod(0o644)

        # The workspace, shared through the group as the README says.
        srv = base / "srv"
        srv.mkdir()
        os.chown(srv, 0, grp.getgrnam(GROUP).gr_gid)
        srv.chmod(0o2770)
        db = srv / "partnership.json"
        for args in (["init", "--db", str(db), "--sample"],
                     ["users", "--db", str(db), "add", user, "--role", "lead"]):
            done = subprocess.run([str(MACA), *args], capture_output=True, text=True, timeout=60,
                                  stdin=subprocess.DEVNULL)
            assert done.returncode == 0, done.stderr
        for path in srv.iterdir():
            os.chown(path, 0, grp.getgrnam(GROUP).gr_gid)
            path.chmod(0o660)

        port = _free_port()
        config = base / "sshd_config"
        config.write_text(SSHD_CONFIG.format(port=port, base=base, group=GROUP, db=db, maca=_maca_for(user, base)))
        # sshd's privilege separation folder (its service makes it at boot; left in place).
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        checked = subprocess.run([SSHD, "-t", "-f", str(config)], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, checked.stderr
        log = base / "sshd.log"
        sshd = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL,
                                stderr=log.open("wb"), start_new_session=True)
        _wait_for_port(port, sshd, log)
        yield Server(base, port, user, base / "client_key", db, log)
    finally:
        if sshd is not None:
            sshd.terminate()
            try:
                sshd.wait(timeout=10)
            except subprocess.TimeoutExpired:
                sshd.kill()
        if made_user:
            _kill_processes_of(user)
            subprocess.run(["userdel", user], capture_output=True, timeout=60)
        if made_group and not grp.getgrnam(GROUP).gr_mem:  # unless another run uses it now
            subprocess.run(["groupdel", GROUP], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


def _kill_processes_of(user: str) -> None:
    """End the sessions this test opened as its throwaway user (by pid, nothing else)."""
    uid = pwd.getpwnam(user).pw_uid
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            owner = entry.stat().st_uid
        except OSError:
            continue
        if owner == uid:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
            except OSError:
                pass


def _workspace(server: Server) -> dict:
    return json.loads(server.db.read_text())


def test_an_auditor_gets_the_app_completes_a_keyboard_path_and_saves(server: Server, tmp_path: Path) -> None:
    term = Terminal([*server.ssh("-tt")], isolated_env(tmp_path))
    try:
        term.wait_for("MACA-C86", timeout=30)
        term.wait_for(f"{server.user} · lead auditor")  # identity is the login sshd authenticated
        term.keys("Enter")
        term.wait_for("Title: Unborn babies")
        term.keys("e")
        term.wait_for("Save (ctrl+s)")
        term.keys("C-e", "C-u")
        term.keys("Edited over SSH", literal=True)
        term.keys("C-s")
        term.wait_for("Saved: changed the title")
        term.keys("C-q")
        term.wait_for("MACA-EXITED 0")  # the connection closed when the app quit
    finally:
        term.close()
    data = _workspace(server)
    assert next(iter(data["audits"].values()))["title"] == "Edited over SSH"
    last = data["journal"][max(data["journal"], key=int)]
    assert last["who"] == server.user
    # The save kept the shared file's group and mode, so the next auditor can save too.
    gid = grp.getgrnam(GROUP).gr_gid
    for name in ("partnership.json", "partnership.json.bak", "partnership.json.lock", "partnership.json.lock.who"):
        st = (server.db.parent / name).stat()
        assert (st.st_gid, stat.S_IMODE(st.st_mode)) == (gid, 0o660), name


def test_asking_for_a_shell_with_a_terminal_opens_the_app_instead(server: Server, tmp_path: Path) -> None:
    term = Terminal([*server.ssh("-tt"), "echo PWNED-$((6*7)); exec /bin/sh -i"], isolated_env(tmp_path))
    try:
        screen = term.wait_for("MACA-C86", timeout=30)
        assert "PWNED-42" not in screen
        term.keys("C-q")
        screen = term.wait_for("MACA-EXITED")
        assert "PWNED-42" not in screen
    finally:
        term.close()


@pytest.mark.parametrize("command", [["/bin/sh", "-c", "'echo PWNED-$((6*7))'"], ["cat", "/etc/passwd"],
                                     ["bash", "-i"]], ids=["sh-c", "cat", "bash"])
def test_another_command_is_refused_with_a_sentence(server: Server, command: list[str]) -> None:
    done = server.run(command=command)
    assert "PWNED-42" not in done.stdout + done.stderr
    assert "root:x:0:0" not in done.stdout
    assert done.returncode == 3
    assert done.stderr.strip().splitlines()[-1] == ("maca: this login only opens the maca app; the command you "
                                                     "sent was not run.")


def test_no_terminal_and_no_command_gets_a_sentence(server: Server) -> None:
    done = server.run()
    assert done.returncode == 2
    assert "maca: the app needs a terminal (over SSH, connect with `ssh -t`); nothing was opened." in done.stderr


def test_sftp_is_refused(server: Server) -> None:
    done = subprocess.run(
        ["sftp", "-F", "/dev/null", "-P", str(server.port), "-i", str(server.key), "-o", "IdentitiesOnly=yes",
         "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
         "-b", "-", f"{server.user}@127.0.0.1"],
        input=f"get {server.db} {server.base}/stolen.json\n", capture_output=True, text=True, timeout=30,
    )
    assert done.returncode != 0
    assert not (server.base / "stolen.json").exists()


def test_local_port_forwarding_is_refused(server: Server) -> None:
    local = _free_port()
    # Forward to sshd itself: if forwarding worked, its banner would come back.
    client = subprocess.Popen([*server.ssh("-N", "-L", f"{local}:127.0.0.1:{server.port}")],
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
            sock_port = sock.getsockname()[1]  # the client's forwarded connection names it
            sock.settimeout(5)
            try:
                received = sock.recv(100)
            except (TimeoutError, ConnectionResetError):
                received = b""
        assert b"SSH-2.0" not in received
    finally:
        client.terminate()
        client.communicate(timeout=10)
    assert f"refused local port forward: originator 127.0.0.1 port {sock_port}" in server.log.read_text()


def test_remote_port_forwarding_is_refused(server: Server) -> None:
    done = server.run("-N", "-o", "ExitOnForwardFailure=yes", "-R", f"127.0.0.1:0:127.0.0.1:{server.port}")
    assert done.returncode != 0
    assert "remote port forwarding failed" in done.stderr


def test_stdio_forwarding_is_refused(server: Server) -> None:
    done = server.run("-W", f"127.0.0.1:{server.port}")
    assert "SSH-2.0" not in done.stdout
    assert done.returncode != 0
    assert "stdio forwarding failed" in done.stderr
