"""A real OpenSSH sshd on 127.0.0.1 set up with the README's served-mode recipe.

One service account owns the workspace folder (0700); three auditors' keys (lead,
co-ordinator, viewer) sit in its `authorized_keys`, written by `maca users add --key`
run as that account, each forcing `maca serve --db … --as LOGIN`.  A second local login
(not the owner) exists to try `--as` from outside.  Needs root and OpenSSH.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import site
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.terminal.tmux import MACA

REPO = Path(__file__).resolve().parents[2]
SSHD = "/usr/sbin/sshd"
TOOLS = ("ssh", "ssh-keygen", "sftp", "scp", "tmux", "useradd", "userdel", "setpriv")
ROLES = {"lead1": ("lead", []), "coord": ("coordinator", ["POL"]), "vic": ("viewer", [])}


def why_not() -> str | None:
    if os.geteuid() != 0:
        return "needs root to add throwaway users and run sshd"
    if not os.access(SSHD, os.X_OK):
        return "OpenSSH's sshd is not installed (make test installs openssh-server)"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return f"{', '.join(missing)} not installed (make test installs openssh-client and tmux)"
    return None


SSH_OPTIONS = ("-F", "/dev/null", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no",
               "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
               "-o", "ConnectTimeout=10")


@dataclass
class Server:
    base: Path
    port: int
    account: str  # the service account
    other: str  # a local login that does not own the workspace
    maca: str  # the maca command as the service account runs it
    db: Path
    log: Path
    keys: dict[str, Path] = field(default_factory=dict)  # auditor login -> private key

    def ssh(self, login: str, *options: str) -> list[str]:
        return ["ssh", *SSH_OPTIONS, "-p", str(self.port), "-i", str(self.keys[login]), *options,
                f"{self.account}@127.0.0.1"]

    def run(self, login: str, *command: str, options: tuple[str, ...] = (), stdin: bytes | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([*self.ssh(login, *options), *command], capture_output=True, timeout=timeout,
                              input=stdin if stdin is not None else b"")

    def as_user(self, user: str) -> list[str]:
        entry = pwd.getpwnam(user)
        return ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups",
                "/bin/sh", "-c", 'exec "$@"', "sh"]

    def env_of(self, user: str) -> dict[str, str]:
        return {"PATH": "/usr/bin:/bin", "HOME": pwd.getpwnam(user).pw_dir, "LANG": "C.UTF-8"}

    def maca_as(self, user: str, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*self.as_user(user), self.maca, *args], env=self.env_of(user),
                              capture_output=True, timeout=60, input=stdin if stdin is not None else b"")
        return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())

    def new_key(self, name: str) -> Path:
        key = self.base / "client" / name
        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@laptop", "-f", str(key))
        return key


def sh(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=60)


def free_port() -> int:
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


def maca_for(user: str, base: Path) -> str:
    """The `maca` the service account can run: this checkout's `.venv/bin/maca` if it can;
    otherwise the same checkout and packages through a Python it can reach (a virtualenv
    made from an interpreter in root's private home cannot be), isolated (-I) as the
    `maca` command itself runs, with the paths set inside."""
    entry = pwd.getpwnam(user)
    # Through a shell, as sshd runs it.
    as_user = ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups",
               "/bin/sh", "-c", 'exec "$@"', "sh"]
    env = {"PATH": "/usr/bin:/bin", "HOME": entry.pw_dir}
    if subprocess.run([*as_user, str(MACA), "--help"], env=env, capture_output=True, timeout=30).returncode == 0:
        return str(MACA)
    path = [str(REPO), *site.getsitepackages()]
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for python in (sys.executable, f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"):
        probe = [*as_user, "env", f"PYTHONPATH={os.pathsep.join(path)}", python, "-c",
                 f"import sys; assert sys.version_info[:2] == {sys.version_info[:2]!r}; import tui.cli, textual"]
        if subprocess.run(probe, env=env, capture_output=True, timeout=30).returncode == 0:
            launcher = base / "bin" / "maca"
            launcher.parent.mkdir(mode=0o755)
            boot = base / "bin" / "maca.py"
            boot.write_text(f"import sys\nsys.path[:0] = {path!r}\nsys.argv[0] = {str(launcher)!r}\n"
                            "from tui.cli import entry\nraise SystemExit(entry())\n")
            boot.chmod(0o644)
            launcher.write_text(f'#!/bin/sh\nexec {python} -I -B {boot} "$@"\n')
            launcher.chmod(0o755)
            return str(launcher)
    pytest.skip(f"no Python with this checkout's packages can be run by an unprivileged user "
                f"({MACA} cannot either)")


# The README's recipe, with a port and paths of the test's own.
SSHD_CONFIG = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {base}/host_key
PidFile {base}/sshd.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers {account}
PermitUserEnvironment no
AcceptEnv LANG LC_* COLORTERM ESCDELAY
Subsystem sftp internal-sftp
LogLevel VERBOSE

Match User {account}
    DisableForwarding yes
    PermitTunnel no
    PermitUserRC no
"""


def add_user(name: str, home: Path) -> None:
    sh("useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/sh", "--password", "*", name)


def start_server(base: Path, made: list[str]) -> tuple[Server, subprocess.Popen[bytes]]:
    suffix = secrets.token_hex(3)
    account, other = f"maca-svc-{suffix}", f"maca-oth-{suffix}"
    add_user(account, base / "home")
    made.append(account)
    add_user(other, base / "other-home")
    made.append(other)
    (base / "client").mkdir(mode=0o700)
    sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(base / "host_key"))
    maca = maca_for(account, base)

    # The data folder: the service account's alone.
    srv = base / "srv"
    srv.mkdir(mode=0o700)
    entry = pwd.getpwnam(account)
    os.chown(srv, entry.pw_uid, entry.pw_gid)
    db = srv / "riverbay"
    port = free_port()
    server = Server(base, port, account, other, maca, db, base / "sshd.log")
    done = server.maca_as(account, "init", "--db", str(db), "--sample")
    assert done.returncode == 0, done.stderr
    for login, (role, agencies) in ROLES.items():
        key = server.new_key(login)
        server.keys[login] = key
        args = ["users", "--db", str(db), "add", login, "--role", role, "--key", "-"]
        for code in agencies:
            args += ["--agency", code]
        done = server.maca_as(account, *args, stdin=(base / "client" / f"{login}.pub").read_bytes())
        assert done.returncode == 0, done.stderr

    config = base / "sshd_config"
    config.write_text(SSHD_CONFIG.format(port=port, base=base, account=account))
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege separation folder
    checked = subprocess.run([SSHD, "-t", "-f", str(config)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    sshd = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL,
                            stderr=server.log.open("wb"), start_new_session=True)
    _wait_for_port(port, sshd, server.log)
    return server, sshd


def served_server() -> Iterator[Server]:
    """The body of a module-scoped fixture: the server, and everything undone after."""
    base = Path(tempfile.mkdtemp(prefix="maca-ssh-"))
    base.chmod(0o755)
    made: list[str] = []
    sshd: subprocess.Popen[bytes] | None = None
    try:
        server, sshd = start_server(base, made)
        yield server
    finally:
        if sshd is not None:
            sshd.terminate()
            try:
                sshd.wait(timeout=10)
            except subprocess.TimeoutExpired:
                sshd.kill()
        for user in made:
            kill_processes_of(user)
            subprocess.run(["userdel", user], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


def kill_processes_of(user: str) -> None:
    """End the sessions this test opened as its throwaway users (by pid, nothing else)."""
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
