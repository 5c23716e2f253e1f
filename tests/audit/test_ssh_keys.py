"""Public keys for served mode are accepted only as OpenSSH writes them (issue 15)."""

from __future__ import annotations

import base64
import struct

import pytest

from audit.ssh_keys import authorized_line, forced_command, parse_public_key


def blob(kind: str, body: bytes = b"\x00\x00\x00\x20" + b"k" * 32) -> str:
    raw = struct.pack(">I", len(kind)) + kind.encode() + body
    return base64.b64encode(raw).decode()


ED = f"ssh-ed25519 {blob('ssh-ed25519')}"


def test_a_public_key_is_kept_without_its_comment() -> None:
    assert parse_public_key(f"{ED} alice@laptop\n") == ED
    assert parse_public_key(f"\n  {ED}  \r\n") == ED


@pytest.mark.parametrize("text, says", [
    ("", "No public key was given."),
    (f"{ED}\n{ED}\n", "exactly one public key"),
    (f'command="/bin/sh" {ED}', "not a public key maca accepts"),
    (f"environment=\"PYTHONINSPECT=1\" {ED}", "not a public key maca accepts"),
    (f"restrict {ED}", "not a public key maca accepts"),
    ("ssh-ed25519 not*base64", "not base64"),
    (f"ssh-ed25519 {blob('ssh-rsa')}", "is not a ssh-ed25519 key"),
    ("ssh-ed25519 AAAA", "damaged"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----", "private key"),
    (f"{ED} x\x1b[31m", "control characters"),
    ("x" * 20_000, "too long"),
], ids=["empty", "two", "command-option", "environment-option", "restrict", "base64", "wrong-type", "short",
        "private", "escape", "huge"])
def test_anything_else_is_refused_with_a_sentence(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_public_key(text)


def test_the_line_forces_maca_and_allows_nothing_else() -> None:
    line = authorized_line("/opt/maca/bin/maca", "/srv/maca/riverbay", "alice", ED)
    assert line == (f'restrict,pty,command="/opt/maca/bin/maca serve --db /srv/maca/riverbay --as alice" '
                    f"{ED} maca:alice")
    assert forced_command("/opt/maca bin/maca", "/srv/a b", "bob") == \
        "'/opt/maca bin/maca' serve --db '/srv/a b' --as bob"
    with pytest.raises(ValueError, match="quote"):
        authorized_line('/opt/"maca', "/srv", "alice", ED)
