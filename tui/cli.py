"""`maca` on the command line (DESIGN §4): stable words, exit codes, one sentence per error.

Textual is imported only by the commands that open the app, so `maca check` and friends
start fast and scripts never pay for the TUI.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_CONFLICT = 4


class UsageError(Exception):
    """Bad input or usage: exit 2 with this sentence, nothing changed."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"maca: {message}.", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def default_db() -> Path:
    """`MACA_DB` if set, else the per-user data folder's maca.json (DESIGN §4)."""
    env = os.environ.get("MACA_DB")
    if env:
        return Path(env)
    import platformdirs

    return platformdirs.user_data_path("maca") / "maca.json"


def demo_db() -> Path:
    import platformdirs

    return platformdirs.user_data_path("maca") / "demo.json"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="maca", description="Multi-agency case audits for safeguarding partnerships.")
    parser.add_argument("--db", type=Path, help="the workspace file (default: $MACA_DB or your data folder)")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    demo = sub.add_parser("demo", help="open the demo workspace")
    demo.add_argument("--fresh", action="store_true", help="rebuild the demo from sample_data first")

    init = sub.add_parser("init", help="create a workspace; you become its lead")
    init.add_argument("--db", type=Path, required=True, dest="sub_db")
    init.add_argument("--sample", action="store_true", help="fill it with the demo partnership and audit")
    init.add_argument("--name", default="", help="the partnership's name")

    new_audit = sub.add_parser("new-audit", help="create an audit from a scope file")
    new_audit.add_argument("--db", type=Path, required=True, dest="sub_db")
    new_audit.add_argument("scope", type=Path)

    imp = sub.add_parser("import-cases", help="import candidate cases from CSV")
    imp.add_argument("--db", type=Path, required=True, dest="sub_db")
    imp.add_argument("--audit", required=True)
    imp.add_argument("--dry-run", action="store_true", help="check the file and report only")
    imp.add_argument("file", type=Path)

    cohort = sub.add_parser("cohort", help="show every candidate against the criteria")
    cohort.add_argument("--db", type=Path, required=True, dest="sub_db")
    cohort.add_argument("--audit", required=True)
    cohort.add_argument("--json", action="store_true")

    export = sub.add_parser("export", help="export an audit's report as Markdown, HTML or Word")
    export.add_argument("--db", type=Path, required=True, dest="sub_db")
    export.add_argument("--audit", required=True)
    export.add_argument("-o", "--output", type=Path, default=None,
                        help="the file to write (default: <REF>-report-<date>.<format> beside the workspace)")
    export.add_argument("--format", choices=["md", "html", "docx"], default=None,
                        help="md (the default), html or docx (Word); a .html or .docx output file implies it")

    check = sub.add_parser("check", help="verify a workspace file")
    check.add_argument("--db", type=Path, required=True, dest="sub_db")
    check.add_argument("--restore", action="store_true", help="bring back the last good copy (.bak)")

    users = sub.add_parser("users", help="manage who may use the workspace")
    users.add_argument("--db", type=Path, required=True, dest="sub_db")
    users_sub = users.add_subparsers(dest="users_command", parser_class=_Parser, required=True)
    add = users_sub.add_parser("add", help="add or change a user")
    add.add_argument("login")
    add.add_argument("--role", required=True, choices=["lead", "coordinator", "viewer"])
    add.add_argument("--agency", action="append", default=[], help="agency code (repeat for several)")
    users_sub.add_parser("list", help="list the users")
    return parser


MAX_MESSAGE = 2_000  # characters; a longer "sentence" only quotes something huge


def _safe(message: object) -> str:
    """An error message made safe for someone's terminal: messages quote text read from
    a shared workspace (logins, references), which must never carry escape sequences,
    nor flood the screen."""
    from audit.text import strip_control

    text = strip_control(str(message))
    if len(text) <= MAX_MESSAGE:
        return text
    half = MAX_MESSAGE // 2 - 2  # cut the middle: the end of a sentence says what to do
    return f"{text[:half]} \u2026 {text[-half:]}"


def _terminal_refusal() -> int | None:
    """Why the app cannot open here, printed, as an exit code; ``None`` on a terminal.

    Without a terminal the app would draw into a pipe and wait for keys forever: that is
    what `ssh host` without `-t`, or `ssh host some-command` under a `ForceCommand`
    deployment, would otherwise get.
    """
    if sys.stdin.isatty() and sys.stdout.isatty():
        return None
    if os.environ.get("SSH_ORIGINAL_COMMAND"):
        print("maca: this login only opens the maca app; the command you sent was not run.",
              file=sys.stderr)
        return EXIT_REFUSED
    print("maca: the app needs a terminal (over SSH, connect with `ssh -t`); nothing was opened.",
          file=sys.stderr)
    return EXIT_USAGE


def entry() -> int:
    """The `maca` command: Python isolated from the environment first (tui.isolate)."""
    from tui.isolate import isolate

    isolate()
    return main()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except UsageError as exc:
        print(f"maca: {_safe(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`maca cohort | head`): not an error worth a sentence.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("maca: interrupted; nothing more was changed.", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place that turns errors into sentences
        from storage.errors import WorkspaceError

        if isinstance(exc, WorkspaceError):
            print(f"maca: {_safe(exc)}", file=sys.stderr)
            return exc.exit_code
        if isinstance(exc, OSError):
            where = f": {exc.filename}" if exc.filename else ""
            print(_safe(f"maca: {exc.strerror or exc}{where}."), file=sys.stderr)
            return EXIT_USAGE
        if os.environ.get("MACA_DEBUG"):
            raise
        print(
            _safe(f"maca: an internal error stopped the command ({type(exc).__name__}: {exc}); "
                  "nothing more was changed. Run with MACA_DEBUG=1 for details."),
            file=sys.stderr,
        )
        return EXIT_PROBLEMS


def _dispatch(args: argparse.Namespace) -> int:
    from tui import commands

    command = args.command
    if command in (None, "demo"):
        refused = _terminal_refusal()
        if refused is not None:
            return refused
    if command is None:
        return commands.open_app(args.db or default_db())
    if command == "demo":
        return commands.open_demo(demo_db(), fresh=args.fresh)
    handler = {
        "init": commands.init,
        "new-audit": commands.new_audit,
        "import-cases": commands.import_cases,
        "cohort": commands.cohort,
        "export": commands.export,
        "check": commands.check,
        "users": commands.users,
    }[command]
    return handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
