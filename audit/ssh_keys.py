"""Auditors' SSH public keys and the `authorized_keys` lines that tie each to maca (DESIGN §1).

A key is accepted only as OpenSSH writes a public key (``TYPE BASE64 [comment]``), for a
type sshd accepts, whose base64 decodes to a key blob naming that same type.  Options
(``command=``, ``environment=``, ``from=`` ...), a second line, control characters or a
private key are refused: the line maca writes must say exactly what maca means, nothing
an auditor smuggled in.  The comment is dropped; maca writes its own.
"""

from __future__ import annotations

import base64
import binascii
import shlex
import struct
from dataclasses import dataclass

__all__ = ["KEY_TYPES", "SshKey", "authorized_line", "forced_command", "parse_public_key"]


@dataclass(slots=True)
class SshKey:
    """A user's SSH public key for served mode (one per login; the table `ssh_keys`)."""

    login: str
    public_key: str  # ``TYPE BASE64``, as parse_public_key returns it
    rev: int = 0

    @property
    def key(self) -> str:
        return self.login

KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)

MAX_KEY_TEXT = 16_384  # an RSA-16384 public key is about 2,800 characters


def parse_public_key(text: str) -> str:
    """``TYPE BASE64`` of the one public key in ``text``, or ``ValueError`` (one sentence)."""
    if len(text) > MAX_KEY_TEXT:
        raise ValueError("That is far too long to be a public key.")
    if "PRIVATE KEY" in text:
        raise ValueError("That is a private key; give the public key (the .pub file) and keep the private "
                         "key to yourself.")
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    if len(lines) != 1:
        raise ValueError("Give exactly one public key, on one line." if lines else "No public key was given.")
    line = lines[0].strip()
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in line if ch != "\t"):
        raise ValueError("The key holds control characters; give the public key as ssh-keygen wrote it.")
    parts = line.split()
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        raise ValueError("That is not a public key maca accepts: it must start with one of "
                         f"{', '.join(KEY_TYPES[:3])} ..., followed by the key (no options before it).")
    kind, data = parts[0], parts[1]
    try:
        blob = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"The {kind} key is damaged: its key text is not base64.") from None
    if len(blob) < 4:
        raise ValueError(f"The {kind} key is damaged: it is too short.")
    (size,) = struct.unpack(">I", blob[:4])
    if blob[4:4 + size] != kind.encode("ascii") or len(blob) <= 4 + size:
        raise ValueError(f"The {kind} key is damaged: its key text is not a {kind} key.")
    return f"{kind} {data}"


def forced_command(maca: str, db: str, login: str) -> str:
    """The command sshd runs for this key: ``MACA serve --db DB --as LOGIN``, shell-quoted."""
    return " ".join(shlex.quote(part) for part in (maca, "serve", "--db", db, "--as", login))


def authorized_line(maca: str, db: str, login: str, key: str) -> str:
    """One `authorized_keys` line: no forwarding of any kind, a terminal allowed, maca forced."""
    command = forced_command(maca, db, login)
    # Inside command="...", sshd takes \" for a quote; a backslash is kept literally.
    if '"' in command or "\n" in command:
        raise ValueError("The maca command or workspace path holds a quote or line break; "
                         "install maca and the workspace under plain paths.")
    return f'restrict,pty,command="{command}" {key} maca:{login}'
