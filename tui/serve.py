"""`maca serve --db PATH --as LOGIN`: the SSH forced command (DESIGN §1, §4).

sshd runs it for an auditor's key (the `authorized_keys` line `maca users` writes).  With
no command sent it opens the app as LOGIN; otherwise ``SSH_ORIGINAL_COMMAND`` must be one
of a short allow-list, parsed strictly, that moves files over the channel itself:

    export REF [--format md|html|docx|briefing|briefing-html]   the report (or the briefing), to stdout
    import-cases REF [--dry-run]         candidate cases, CSV from stdin
    new-audit                            an audit from a scope file (TOML) on stdin
    cohort REF [--json]                  every candidate against the criteria
    chase REF [--agency CODE]            the chase list (a co-ordinator's: their agencies')
    whoami                               who this key is

Anything else (a shell, `;`, `$( )`, scp, sftp, ...) is refused with one sentence and
exit 3.  `--as` is honoured only when the process runs as the workspace's owner (the
service account): any other login is refused, so no one can claim another identity.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import socket
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import NoReturn

from audit.access import Act
from audit.partnership import LOGIN
from audit.text import strip_control
from screens.served import Served
from storage.lock import os_login
from storage.workspace import Workspace
from tui.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, UsageError

COMMANDS = ("export", "import-cases", "new-audit", "cohort", "chase", "whoami")
ALLOWED_TEXT = re.compile(r"[A-Za-z0-9 ._/:=+@,-]*")
MAX_COMMAND = 1_000
MAX_CSV_MB = 500


class Refused(Exception):
    """A command outside the allow-list: exit 3 with this sentence."""


def add_parser(sub: argparse._SubParsersAction, make: Callable[..., argparse.ArgumentParser],
               db_help: str) -> None:
    serve = make(sub, "serve", "the SSH forced command for one auditor",
                 "What sshd runs for an auditor's key (the line `maca users add --key` writes): the app as "
                 "LOGIN, or the one command the client sent (export, import-cases, new-audit, cohort, chase, "
                 "whoami), files over the connection. Only the account that owns the workspace may use it.")
    serve.add_argument("--db", type=Path, required=True, dest="sub_db", metavar="PATH", help=db_help)
    serve.add_argument("--as", required=True, dest="as_login", metavar="LOGIN", help="the auditor this key is")


def _allowed() -> str:
    return "export, import-cases, new-audit, cohort, chase or whoami"


def owner_refusal(path: Path) -> str | None:
    """Why this process may not act as someone else on ``path``, or ``None``."""
    refused = (f"`maca serve --as` is only for the account that owns the workspace; {os_login()} does not, "
               "so it was refused. Run maca without --as to use your own login.")
    try:
        owner = os.stat(path).st_uid
    except PermissionError:
        return refused  # a folder closed to this login is certainly not its own
    except OSError:
        return f"There is no workspace at {path}."
    return refused if owner != os.geteuid() else None


def run(args: argparse.Namespace) -> int:
    path: Path = args.sub_db
    refusal = owner_refusal(path)
    if refusal is not None:
        print(f"maca: {refusal}", file=sys.stderr)
        return EXIT_REFUSED
    login: str = args.as_login
    if not LOGIN.match(login):
        raise UsageError("The login given to --as is not a valid maca login.")
    original = os.environ.get("SSH_ORIGINAL_COMMAND")
    if original is None or not original.strip():
        return _open_app(path, login)
    try:
        words = parse(original)
    except Refused as exc:
        _journal_refusal(path, login, str(exc))
        print(f"maca: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    return _command(path, login, words)


def parse(command: str) -> list[str]:
    """The words of an allowed command, or :class:`Refused` (one sentence, nothing echoed
    that could be unsafe)."""
    if len(command) > MAX_COMMAND:
        raise Refused(f"That command is too long; this login runs the maca app or {_allowed()}.")
    if not ALLOWED_TEXT.fullmatch(command):
        raise Refused(f"That command holds characters maca never takes (quotes, ;, |, $, `, <, >, "
                      f"brackets, control characters ...); this login runs the maca app or {_allowed()}.")
    try:
        words = shlex.split(command, posix=True)
    except ValueError:
        raise Refused(f"That command cannot be read; this login runs the maca app or {_allowed()}.") from None
    if not words or words[0] not in COMMANDS:
        shown = strip_control(words[0])[:30] if words else ""
        raise Refused(f"`{shown}` is not a command this login runs; it runs the maca app or {_allowed()}.")
    return words


class _Strict(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{strip_control(message)[:200]} (usage: {self.format_usage().strip()[7:]}).")


def _command_parser(name: str) -> argparse.ArgumentParser:
    parser = _Strict(prog=name, add_help=False, allow_abbrev=False)
    if name not in ("whoami", "new-audit"):
        parser.add_argument("ref")
    if name == "export":
        parser.add_argument("--format", choices=["md", "html", "docx", "briefing", "briefing-html"], default="md")
    elif name == "import-cases":
        parser.add_argument("--dry-run", action="store_true")
    elif name == "cohort":
        parser.add_argument("--json", action="store_true")
    elif name == "chase":
        parser.add_argument("--agency", default=None)
    return parser


def _open(path: Path, login: str) -> Workspace:
    from tui.commands import lock_timeout

    return Workspace.open(path, login, lock_timeout=lock_timeout())


def _command(path: Path, login: str, words: list[str]) -> int:
    name = words[0]
    opts = _command_parser(name).parse_args(words[1:])
    ws = _open(path, login)
    if name == "whoami":
        user = ws.user
        assert user is not None  # Workspace.open refuses unknown logins
        print(f"{user.describe()} · {ws.partnership().name}")
        return EXIT_OK
    if name == "new-audit":
        return _new_audit(ws)
    audit = ws.audit(opts.ref)
    if name == "export":
        from storage.export import IdentifierLeak, export_bytes

        if opts.format == "docx" and sys.stdout.isatty():
            raise UsageError("A Word document is not for a terminal; send it to a file: "
                             f"`... export {audit.ref} --format docx > report.docx`.")
        try:
            if opts.format.startswith("briefing"):
                from storage.briefing import export_briefing_bytes

                kind = "html" if opts.format == "briefing-html" else "md"
                payload = export_briefing_bytes(ws, audit.ref, kind, date.today())
            else:
                payload = export_bytes(ws, audit.ref, opts.format, date.today())
        except IdentifierLeak as exc:
            for leak in exc.leaks:
                print(leak.describe(), file=sys.stderr)
            raise
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
        return EXIT_OK
    if name == "import-cases":
        from tui.commands import import_data

        ws.require(Act.IMPORT_CASES, audit=audit.ref)
        data = _stdin("CSV file", f"ssh ... import-cases {audit.ref} < cases.csv", MAX_CSV_MB * 1024 * 1024)
        return import_data(ws, audit, data, "the CSV sent", "CSV sent over SSH", dry_run=opts.dry_run)
    if name == "cohort":
        from tui.commands import show_cohort

        return show_cohort(ws, audit.ref, as_json=opts.json)
    from storage.returns import chase_list

    for line in chase_list(ws, audit.ref, date.today(), agency=opts.agency):
        print(line)
    return EXIT_OK


def _stdin(what: str, example: str, limit: int) -> bytes:
    if sys.stdin.isatty():
        raise UsageError(f"Send the {what} on stdin: `{example}`; nothing was changed.")
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise UsageError(f"The {what} sent is larger than {limit // (1024 * 1024)} MB; nothing was changed.")
    return data


def _new_audit(ws: Workspace) -> int:
    from storage.audits import ScopeProblems, create_audit, scope_from_bytes

    ws.require(Act.CREATE_AUDIT)
    raw = _stdin("scope file", "ssh ... new-audit < scope.toml", 5 * 1024 * 1024)
    try:
        scope = scope_from_bytes(ws, raw, "the scope sent", None)
    except ScopeProblems as exc:
        for problem in exc.problems:
            print(f"maca: {strip_control(problem)}", file=sys.stderr)
        raise UsageError(f"The scope sent has {len(exc.problems)} problem(s); nothing was created.") from None
    audit = create_audit(ws, scope, source="a scope sent over SSH")
    print(f"Created audit {audit.ref}: {audit.title}.")
    from tui.commands import _say_retest

    _say_retest(ws, audit.ref)
    return EXIT_OK


def served_info() -> Served:
    """How this session's user reaches the server, for the commands the app shows."""
    host = os.environ.get("MACA_SSH_HOST", "").strip()
    port = 22
    parts = os.environ.get("SSH_CONNECTION", "").split()
    if len(parts) == 4:
        if not host:
            host = parts[2]
        if parts[3].isdigit():
            port = int(parts[3])
    if not re.fullmatch(r"[A-Za-z0-9.:_-]{1,253}", host or ""):
        host = socket.getfqdn()
    return Served(account=os_login(), host=host, port=port)


def _open_app(path: Path, login: str) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print("maca: the app needs a terminal (connect with `ssh -t`), or send one of the commands "
              f"{_allowed()}; nothing was opened.", file=sys.stderr)
        return EXIT_USAGE
    ws = _open(path, login)
    from tui.app import run_app

    return run_app(ws, served=served_info())


def _journal_refusal(path: Path, login: str, why: str) -> None:
    """A refused command is journaled, by a known login only (an unknown one changes nothing)."""
    from storage.errors import WorkspaceError

    try:
        ws = _open(path, login)
    except WorkspaceError:
        return
    ws.refusals.record(ws, key="", audit="", reason=f"refused an SSH command: {why}")
