"""`maca users`: who may use a workspace, with what role, agencies and SSH key (DESIGN §4).

    maca users --db PATH add LOGIN --role lead|coordinator|panel|viewer [--agency CODE] [--key FILE|-]
    maca users --db PATH key LOGIN FILE|-
    maca users --db PATH remove LOGIN
    maca users --db PATH list

Keys go into the `authorized_keys` of the account running the command (the service
account, in served mode), each forcing `maca serve --db PATH --as LOGIN`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from audit.partnership import Role
from storage.authorized_keys import maca_command
from storage.users import KeyFile, add_or_change, key_of, remove_user, set_key
from storage.workspace import Workspace
from tui.cli import EXIT_OK, UsageError

MAX_KEY_FILE = 64 * 1024


def add_parser(sub: argparse._SubParsersAction, parser_class: type[argparse.ArgumentParser],
               make: Callable[..., argparse.ArgumentParser], db_help: str) -> None:
    """Register `maca users`; ``make(sub, name, summary, description)`` makes a sub-command."""
    users = make(sub, "users", "manage who may use the workspace, and their SSH keys",
                 "List the workspace's users, add one or change their role, agencies or SSH key, or remove "
                 "one (leads only). Keys go into the authorized_keys of the account running this, each "
                 "forcing `maca serve --db PATH --as LOGIN` (see the README's deployment over SSH).")
    users.add_argument("--db", type=Path, required=True, dest="sub_db", metavar="PATH", help=db_help)
    users_sub = users.add_subparsers(dest="users_command", parser_class=parser_class, required=True,
                                     title="commands", metavar="COMMAND")
    add = make(users_sub, "add", "add or change a user",
               "Add a user, or change an existing user's role and agencies (and key, with --key).")
    add.add_argument("login", help="the user's login (under serve, the name their key stands for)")
    add.add_argument("--role", required=True, choices=["lead", "coordinator", "panel", "viewer"],
                     help="lead (runs audits), coordinator (an agency's returns and actions), panel (reads, "
                          "signs off actions) or viewer (reads only)")
    add.add_argument("--agency", action="append", default=[], metavar="CODE",
                     help="agency code (repeat for several)")
    add.add_argument("--key", default=None, metavar="FILE|-",
                     help="their SSH public key (a .pub file, or - to read it from stdin)")
    key = make(users_sub, "key", "give a user a new SSH key",
               "Give a user this SSH public key in place of any they had; the old one stops working at once.")
    key.add_argument("login", help="the user's login")
    key.add_argument("file", metavar="FILE|-", help="their SSH public key (a .pub file, or - for stdin)")
    remove = make(users_sub, "remove", "remove a user and their SSH keys",
                  "Remove a user from the workspace; their SSH keys stop working at once.")
    remove.add_argument("login", help="the user's login")
    make(users_sub, "list", "list the users", "List every user with their role, agencies and keys.")


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
            # The columns scripts read stay as they were; a key is noted after them.
            line = f"{user.login:<20} {user.role.value:<12} {', '.join(user.agencies)}"
            print(f"{line:<50} (SSH key)" if key_of(ws, user.login) else line)
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
