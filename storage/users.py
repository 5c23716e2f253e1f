"""Managing who may use a workspace, and their SSH keys (DESIGN §1, §8), for the CLI and
the Users screen alike.

Each change is one locked transaction that also rewrites the workspace's block in the
service account's `authorized_keys` (storage.authorized_keys): if writing the keys fails,
the user change is not saved either, and a removed user's key is gone from the file
before the command returns.  Only leads manage users; the refusal is journaled.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from audit.access import Act
from audit.partnership import Role, User, validate_user
from audit.ssh_keys import SshKey, parse_public_key
from storage.authorized_keys import authorized_keys_path, sync_authorized_keys
from storage.errors import NotFound, WorkspaceError
from storage.transaction import Transaction
from storage.workspace import Workspace

__all__ = ["KeyFile", "UserProblem", "add_or_change", "key_of", "remove_user", "set_key"]


class UserProblem(WorkspaceError):
    """The user or key given is not acceptable; nothing was changed (exit 2)."""


@dataclass(frozen=True, slots=True)
class KeyFile:
    """Where the keys go and what they run: the `authorized_keys` file, the `maca`
    command sshd starts, and the workspace path that command opens."""

    path: Path
    maca: str
    db: str

    @classmethod
    def for_workspace(cls, ws: Workspace, maca: str, *, served: bool) -> KeyFile:
        return cls(authorized_keys_path(served=served), maca, os.path.abspath(ws.path))


def _canonical_agencies(ws: Workspace, codes: list[str]) -> list[str]:
    partnership = ws.partnership()
    out: list[str] = []
    for code in codes:
        for part in code.split(","):
            if part.strip():
                out.append(partnership.canonical_code(part) or part.strip())
    return out


def _keys_of(ws: Workspace) -> dict[str, str]:
    """login -> public key, for every user who has one."""
    found = {}
    for user in ws.users():
        stored = ws.get("ssh_keys", user.login)
        if stored is not None:
            found[user.login] = stored.public_key
    return found


def _sync(keys: KeyFile | None, by_login: dict[str, str]) -> None:
    """Rewrite the keys block, unless no one has a key and maca never wrote one here."""
    if keys is None:
        return
    if not by_login:
        try:
            text = keys.path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        if f"# maca begin {keys.db} " not in text:
            return
    sync_authorized_keys(keys.path, keys.maca, keys.db, by_login)


def _set_key(ws: Workspace, tx: Transaction, login: str, key: str, by_login: dict[str, str]) -> None:
    holder = next((other for other, theirs in by_login.items() if theirs == key and other != login), None)
    if holder is not None:
        raise UserProblem(f"That key is already {holder}'s; each person needs their own key. "
                          "Nothing was changed.")
    stored = ws.get("ssh_keys", login)
    if stored is None:
        tx.insert(SshKey(login, key), summary=f"gave {login} an SSH key")
    elif stored.public_key != key:
        tx.save(dataclasses.replace(stored, public_key=key), summary=f"gave {login} a new SSH key")
    by_login[login] = key


def _only_lead_left(ws: Workspace, login: str) -> bool:
    leads = [u for u in ws.users() if u.role is Role.LEAD]
    return len(leads) == 1 and leads[0].login == login


def add_or_change(ws: Workspace, login: str, role: Role, agencies: list[str], key_text: str | None,
                  keys: KeyFile | None) -> tuple[User, bool]:
    """Add ``login`` or change their role and agencies (and key, when given); (user, added)."""
    ws.require(Act.MANAGE_USERS, key=login)
    user = User(login=login, role=role, agencies=_canonical_agencies(ws, agencies))
    problems = validate_user(user, ws.partnership().agency_codes())
    if problems:
        raise UserProblem(" ".join(problems) + " Nothing was changed.")
    key = _parse(key_text)
    existing = ws.get("users", login)
    if existing is not None and role is not Role.LEAD and _only_lead_left(ws, login):
        if login == ws.login:
            raise UserProblem("You are the only lead; add another lead before changing your own role.")
        raise UserProblem(f"{login} is the only lead; add another lead before changing {login}'s role. "
                          "Nothing was changed.")
    with ws.transaction() as tx:
        by_login = _keys_of(ws)
        if existing is None:
            saved = tx.insert(user, summary=f"added {login} as {role.value}")
        elif (existing.role, existing.agencies) != (user.role, user.agencies):
            saved = tx.save(dataclasses.replace(existing, role=user.role, agencies=user.agencies),
                            summary=f"changed {login} to {role.value}")
        else:
            saved = existing
        if key is not None:
            _set_key(ws, tx, login, key, by_login)
        _sync(keys, by_login)
    return saved, existing is None


def set_key(ws: Workspace, login: str, key_text: str, keys: KeyFile | None) -> User:
    """Give ``login`` this key in place of any they had (the old one stops working at once)."""
    ws.require(Act.MANAGE_USERS, key=login)
    key = _parse(key_text)
    assert key is not None
    existing = ws.get("users", login)
    if existing is None:
        raise NotFound(f"There is no user {login} in this workspace; add them with `maca users add`.")
    with ws.transaction() as tx:
        by_login = _keys_of(ws)
        _set_key(ws, tx, login, key, by_login)
        _sync(keys, by_login)
    return existing


def remove_user(ws: Workspace, login: str, keys: KeyFile | None) -> None:
    """Remove ``login`` from the workspace and their keys from `authorized_keys`, at once."""
    ws.require(Act.MANAGE_USERS, key=login)
    existing = ws.get("users", login)
    if existing is None:
        raise NotFound(f"There is no user {login} in this workspace; nothing was changed.")
    if existing.role is Role.LEAD and _only_lead_left(ws, login):
        raise UserProblem(f"{login} is the only lead; add another lead first. Nothing was changed.")
    with ws.transaction() as tx:
        by_login = _keys_of(ws)
        stored = ws.get("ssh_keys", login)
        if stored is not None:
            tx.delete(stored, summary=f"revoked {login}'s SSH key")
        by_login.pop(login, None)
        tx.delete(existing, summary=f"removed {login}")
        _sync(keys, by_login)


def key_of(ws: Workspace, login: str) -> str | None:
    """``login``'s public key (``TYPE BASE64``), if they have one."""
    stored = ws.get("ssh_keys", login)
    return stored.public_key if stored is not None else None


def _parse(key_text: str | None) -> str | None:
    if key_text is None:
        return None
    try:
        return parse_public_key(key_text)
    except ValueError as exc:
        raise UserProblem(f"{exc} Nothing was changed.") from None
