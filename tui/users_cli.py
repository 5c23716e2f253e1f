"""`maca users`: who may use a workspace, with what role, agencies and SSH key (DESIGN §4).

    maca users --db PATH add LOGIN --role lead|coordinator|viewer [--agency CODE] [--key FILE|-]
    maca users --db PATH key LOGIN FILE|-
    maca users --db PATH remove LOGIN
    maca users --db PATH list

Keys go into the `authorized_keys` of the account running the command (the service
account, in served mode), each forcing `maca serve --db PATH --as LOGIN`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from audit.partnership import Role
from storage.users import KeyFile, add_or_change, remove_user, set_key
from storage.workspace import Workspace
from tui.cli import EXIT_OK, UsageError

MAX_KEY_FILE = 64 * 1024


def add_parser(sub: argparse._SubParsersAction, parser_class: type[argparse.ArgumentParser]) -> None:
    users = sub.add_parser("users", help="manage who may use the workspace, and their SSH keys")
    users.add_argument("--db", type=Path, required=True, dest="sub_db")
    users_sub = users.add_subparsers(dest="users_command", parser_class=parser_class, required=True)
    add = users_sub.add_parser("add", help="add or change a user")
    add.add_argument("login")
    add.add_argument("--role", required=True, choices=["lead", "coordinator", "viewer"])
    add.add_argument("--agency", action="append", default=[], help="agency code (repeat for several)")
    add.add_argument("--key", default=None, metavar="FILE|-",
                     help="their SSH public key (a .pub file, or - to read it from stdin)")
    key = users_sub.add_parser("key", help="give a user a new SSH key (the old one stops working)")
    key.add_argument("login")
    key.add_argument("file", metavar="FILE|-")
    remove = users_sub.add_parser("remove", help="remove a user; their keys stop working at once")
    remove.add_argument("login")
    users_sub.add_parser("list", help="list the users")


def maca_command() -> str:
    """The `maca` program sshd should start for a key: the one running now."""
    argv0 = sys.argv[0] if sys.argv else ""
    if os.path.basename(argv0).startswith("maca") and os.access(argv0, os.X_OK) and os.path.isfile(argv0):
        return os.path.abspath(argv0)
    found = shutil.which("maca")
    if found:
        return os.path.abspath(found)
    return os.path.join(os.path.dirname(sys.executable), "maca")


def read_key(source: str) -> str:
    """A public key's text from a file, or from stdin for ``-``."""
    if source == "-":
        text = sys.stdin.read(MAX_KEY_FILE + 1)
    else:
        from audit.files import read_regular_file

        path = Path(source)
        if not path.is_file():
            raise UsageError(f"There is no key file {source}; nothing was changed.")
        try:
            text = read_regular_file(path, limit=MAX_KEY_FILE, what="key file").decode("utf-8", "replace")
        except ValueError as exc:
            raise UsageError(f"{str(exc).rstrip('.')}; nothing was changed.") from None
    if len(text) > MAX_KEY_FILE:
        raise UsageError("That is far too long to be a public key; nothing was changed.")
    return text


def run(args: argparse.Namespace, ws: Workspace) -> int:
    keys = KeyFile.for_workspace(ws, maca_command(), served=False)
    command = args.users_command
    if command == "list":
        for user in ws.users():
            count = f"{len(user.keys)} key" + ("s" if len(user.keys) != 1 else "") if user.keys else "no key"
            print(f"{user.login:<20} {user.role.value:<12} {', '.join(user.agencies) or '-':<16} {count}")
        return EXIT_OK
    if command == "add":
        key_text = read_key(args.key) if args.key is not None else None
        user, added = add_or_change(ws, args.login, Role(args.role), args.agency, key_text, keys)
        with_key = " with their SSH key" if key_text is not None else ""
        print(f"{'Added' if added else 'Changed'} {user.describe()}{with_key}.")
        return EXIT_OK
    if command == "key":
        user = set_key(ws, args.login, read_key(args.file), keys)
        print(f"Gave {user.login} a new SSH key; any earlier key of theirs no longer works.")
        return EXIT_OK
    remove_user(ws, args.login, keys)
    print(f"Removed {args.login}; their SSH keys no longer work.")
    return EXIT_OK
