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
    """`MACA_DB` if set, else the folder `maca` in the per-user data folder (DESIGN §4);
    a `maca.json` there from an older maca is given instead until it has been moved."""
    env = os.environ.get("MACA_DB")
    if env:
        return Path(env)
    import platformdirs

    folder = platformdirs.user_data_path("maca") / "maca"
    old = folder.with_name("maca.json")
    return old if not folder.exists() and old.is_file() else folder


def demo_db() -> Path:
    import platformdirs

    return platformdirs.user_data_path("maca") / "demo"


EXIT_CODES = """exit codes:
  0  done
  1  `check` found problems in the workspace
  2  bad input or usage; nothing was changed
  3  refused: no permission, or an export that would leak an identifier
  4  conflict, or another session held the workspace past the lock timeout"""

_DB_HELP = "the workspace folder"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("maca")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


class _Version(argparse.Action):
    """``--version``: the installed version, looked up only when asked (importlib.metadata
    and the email package it needs cost ~15 ms of every start)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(f"maca {_version()}")
        parser.exit()


class _Formatter(argparse.HelpFormatter):
    """Wraps each line of a description on its own, so the exit-code table keeps its lines."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import textwrap

        return "\n".join(textwrap.fill(line, width, initial_indent=indent,
                                        subsequent_indent=indent + " " * (len(line) - len(line.lstrip())))
                         for line in text.splitlines())


def _sub(sub: argparse._SubParsersAction, name: str, summary: str, description: str) -> argparse.ArgumentParser:
    """A sub-command whose `--help` has the one-line summary, a description and the exit codes."""
    return sub.add_parser(name, help=summary, description=description, epilog=EXIT_CODES,
                          formatter_class=_Formatter)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="maca",
        description="Multi-agency case audits for safeguarding partnerships. Without a command, "
                    "opens the app on the workspace.",
        epilog=EXIT_CODES, formatter_class=_Formatter,
    )
    parser.add_argument("--version", action=_Version,
                        help="print maca's version and exit")
    parser.add_argument("--db", type=Path, metavar="PATH",
                        help="the workspace folder to open (default: $MACA_DB, else maca/ in your data folder)")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, title="commands", metavar="COMMAND")

    demo = _sub(sub, "demo", "open the demo workspace",
                "Open the app on the demo partnership and its half-finished audit MACA-C86, kept in "
                "your data folder (built from sample_data on first use).")
    demo.add_argument("--fresh", action="store_true", help="rebuild the demo from sample_data first")

    init = _sub(sub, "init", "create a workspace; you become its lead",
                "Create a new, empty workspace folder with the partnership's agencies; the login "
                "running this command becomes its lead.")
    init.add_argument("--db", type=Path, required=True, dest="sub_db", metavar="PATH",
                      help="the workspace folder to create (must not exist)")
    init.add_argument("--sample", action="store_true", help="fill it with the demo partnership and audit")
    init.add_argument("--name", default="", help="the partnership's name")

    new_audit = _sub(sub, "new-audit", "create an audit from a scope file",
                     "Create an audit from a scope file (TOML: title, objectives, cohort criteria, "
                     "agencies, milestones). Every problem in the file is listed; nothing is created "
                     "until the file is right.")
    new_audit.add_argument("--db", type=Path, required=True, dest="sub_db", metavar="PATH", help=_DB_HELP)
    new_audit.add_argument("scope", type=Path, metavar="SCOPE.toml", help="the scope file")
    new_audit.add_argument("--plan", default=None, metavar="ID",
                           help="the programme's planned audit this scope starts (e.g. P1, as home lists it)")

    imp = _sub(sub, "import-cases", "import candidate cases from CSV",
               "Import candidate cases into an audit from a CSV extract. The whole file is checked "
               "first; if any row has a problem, every problem is listed and nothing is imported.")
    imp.add_argument("--db", type=Path, required=True, dest="sub_db", metavar="PATH", help=_DB_HELP)
    imp.add_argument("--audit", required=True, metavar="REF", help="the audit's reference, e.g. MACA-C86")
    imp.add_argument("--dry-run", action="store_true", help="check the file and report only")
    imp.add_argument("file", type=Path, metavar="FILE.csv", help="the CSV file of candidate cases")

    cohort = _sub(sub, "cohort", "show every candidate against the criteria",
                  "List every candidate case of an audit: whether it is in the cohort, whether it "
                  "is eligible, and each cohort criterion met (✓), unmet (✗) or unknown (?).")
    cohort.add_argument("--db", type=Path, required=True, dest="sub_db", metavar="PATH", help=_DB_HELP)
    cohort.add_argument("--audit", required=True, metavar="REF", help="the audit's reference, e.g. MACA-C86")
    cohort.add_argument("--json", action="store_true", help="print JSON for scripts instead of a table")

    export = _sub(sub, "export", "export an audit's report as Markdown, HTML or Word",
                  "Write an audit's report to a file. Refused (exit 3) if the report would show an "
                  "identifier such as a name or NHS number; the places are listed, never the values.")
    export.add_argument("--db", type=Path, required=True, dest="sub_db", metavar="PATH", help=_DB_HELP)
    export.add_argument("--audit", required=True, metavar="REF", help="the audit's reference, e.g. MACA-C86")
    export.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                        help="the file to write (default: <REF>-report-<date>.<format> beside the workspace)")
    export.add_argument("--format", choices=["md", "html", "docx", "briefing", "briefing-html"], default=None,
                        help="md (the default), html or docx (Word); a .html or .docx output file implies it; "
                             "briefing: the 7-minute briefing for practitioners as Markdown (as HTML with "
                             "briefing-html or a .html output file)")

    from tui import tracker_cli

    tracker_cli.add_parser(sub)

    check = _sub(sub, "check", "verify a workspace",
                 "Read a workspace and list every problem found in it (exit 1), or say it is sound "
                 "(exit 0). Nothing is changed unless --restore or --migrate is given.")
    check.add_argument("--db", type=Path, required=True, dest="sub_db", metavar="PATH", help=_DB_HELP)
    check.add_argument("--restore", action="store_true",
                       help="bring back the last good copy of each damaged file (leads only)")
    check.add_argument("--list", action="store_true", help="with --restore: list the versions kept")
    check.add_argument("--at", metavar="TIME", default=None,
                       help="with --restore: put the workspace back as it was at TIME (e.g. 2026-12-02T09:30)")
    check.add_argument("--migrate", action="store_true",
                       help="move an older maca's single-file workspace into a folder beside it (leads only)")

    from tui import serve, users_cli  # their own modules: cli.py only registers them

    users_cli.add_parser(sub, _Parser, _sub, _DB_HELP)
    serve.add_parser(sub, _sub, _DB_HELP)
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
    from tui import commands, tracker_cli

    command = args.command
    if command in (None, "demo"):
        refused = _terminal_refusal()
        if refused is not None:
            return refused
    if command is None:
        return commands.open_app(args.db or default_db())
    if command == "demo":
        return commands.open_demo(demo_db(), fresh=args.fresh)
    if command == "serve":
        from tui import serve

        return serve.run(args)
    handler = {
        "init": commands.init,
        "new-audit": commands.new_audit,
        "import-cases": commands.import_cases,
        "cohort": commands.cohort,
        "export": commands.export,
        "check": commands.check,
        "users": commands.users,
        "actions": tracker_cli.run,
    }[command]
    return handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
