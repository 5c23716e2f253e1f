"""What each `maca` sub-command does; `tui.cli` parses and turns errors into sentences."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from audit.access import Act
from audit.partnership import Partnership
from audit.scope import Audit
from storage.lock import os_login
from storage.workspace import Workspace
from tui.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, UsageError

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

DEFAULT_LOCK_TIMEOUT = 10.0


def _say(text: str) -> None:
    print(text)


def _warn(text: str) -> None:
    print(text, file=sys.stderr)


def lock_timeout() -> float:
    """Seconds to wait for another session's save before giving up with exit 4.

    `MACA_LOCK_TIMEOUT` overrides the default of 10 s: scripts that would rather fail
    fast, and the tests of the busy case, set it low.
    """
    raw = os.environ.get("MACA_LOCK_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not math.isfinite(seconds) or seconds < 0:
        raise UsageError(f"MACA_LOCK_TIMEOUT must be a number of seconds (0 or more), not {raw!r}.")
    return seconds


def _open(path: Path) -> Workspace:
    return Workspace.open(path, os_login(), lock_timeout=lock_timeout())


# --------------------------------------------------------------------------- the app


def open_app(path: Path) -> int:
    ws = _open(path)
    from tui.app import run_app

    return run_app(ws)


def open_demo(path: Path, *, fresh: bool) -> int:
    """Open the demo workspace, building it first if it is missing or `fresh` is asked."""
    from storage.demo import build_demo

    if fresh and path.exists():
        from storage.layout import Layout

        if not Layout(path).is_workspace():
            raise UsageError(f"{path} is not a demo workspace; nothing was removed.")
        import shutil

        shutil.rmtree(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        ws = build_demo(path, os_login(), in_progress=True, today=date.today())
    else:
        ws = _open(path)
    from tui.app import run_app

    return run_app(ws)


# --------------------------------------------------------------------------- init, audits


def init(args: argparse.Namespace) -> int:
    path: Path = args.sub_db
    if path.exists():
        raise UsageError(f"{path} already exists; nothing was changed.")
    if not path.parent.is_dir():
        raise UsageError(f"The folder {path.parent} does not exist; nothing was created.")
    login = os_login()
    if args.sample:
        from storage.demo import build_demo

        build_demo(path, login, in_progress=True, today=date.today())
        _say(f"Created {path} with the demo partnership and audit MACA-C86; {login} is a lead.")
        return EXIT_OK
    from storage.demo import demo_partnership

    template, _ = demo_partnership()
    from audit.text import strip_control

    name = " ".join(strip_control(args.name).split())
    if len(name) > 200:
        raise UsageError("The partnership name is longer than 200 characters; nothing was created.")
    partnership = Partnership(name=name or "Safeguarding Children Partnership", agencies=template.agencies)
    Workspace.create(path, login, partnership)
    codes = ", ".join(partnership.agency_codes())
    _say(f"Created {path}; {login} is its lead. Agencies: {codes}.")
    return EXIT_OK


def new_audit(args: argparse.Namespace) -> int:
    from storage.audits import ScopeProblems, create_audit, scope_from_file

    ws = _open(args.sub_db)
    ws.require(Act.CREATE_AUDIT)
    scope_path: Path = args.scope
    try:
        scope = scope_from_file(ws, scope_path)
    except ScopeProblems as exc:
        for problem in exc.problems:
            _warn(f"{scope_path}: {problem}")
        raise UsageError(f"{scope_path} has {len(exc.problems)} problem(s); nothing was created.") from None
    audit = create_audit(ws, scope, source=scope_path.name)
    evidence = ""
    if scope.activities or scope.themes:
        evidence = (f", {len(scope.activities)} evidence activit{'y' if len(scope.activities) == 1 else 'ies'}, "
                    f"{len(scope.themes)} theme{'' if len(scope.themes) == 1 else 's'}")
    _say(f"Created audit {audit.ref}: {audit.title} ({len(audit.objectives)} objectives, "
         f"{len(audit.criteria)} criteria, {len(audit.agencies)} agencies{evidence}).")
    _say_retest(ws, audit.ref)
    return EXIT_OK


def _say_retest(ws: Workspace, ref: str) -> None:
    """The findings of earlier audits on the same objectives, to re-test (issue 19 item 6)."""
    from audit.text import strip_control
    from storage.retest import retest_lines

    lines = retest_lines(ws, ref)
    if lines:
        _say(f"To re-test: {len(lines)} finding(s) of earlier audits on the same objectives "
             "(link them on the Findings board with r):")
        for line in lines:
            _say(f"  {strip_control(line)}")


# --------------------------------------------------------------------------- cohort


MAX_CSV_MB = 500  # an extract of 50,000 rows is about 6 MB; this leaves room without risking memory


def import_cases(args: argparse.Namespace) -> int:
    ws = _open(args.sub_db)
    audit = ws.audit(args.audit)
    ws.require(Act.IMPORT_CASES, audit=audit.ref)
    from audit.files import MB, read_regular_file

    if not args.file.exists():
        raise UsageError(f"There is no file {args.file}; nothing was imported.")
    if args.file.is_dir():
        raise UsageError(f"{args.file} is a folder, not a CSV file; nothing was imported.")
    try:
        data = read_regular_file(args.file, limit=MAX_CSV_MB * MB, what="CSV file")
    except ValueError as exc:
        raise UsageError(f"{str(exc).rstrip('.')}; nothing was imported.") from None
    return import_data(ws, audit, data, str(args.file), args.file.name, dry_run=args.dry_run)


def import_data(ws: Workspace, audit: Audit, data: bytes, shown: str, source: str, *, dry_run: bool) -> int:
    """Check and import candidate cases from CSV bytes (a file's, or stdin's under `serve`).

    ``shown`` names the input in messages; ``source`` is what the journal records."""
    from storage.cohort import import_candidates, validate_candidates

    with _progress(f"Checking {source}") as progress:
        result = validate_candidates(ws, audit, data, on_progress=progress)
    if not result.ok:
        for problem in result.problems:
            _warn(f"{shown}: {problem}")
        _warn(f"{shown} has problems; nothing was imported.")
        return EXIT_USAGE
    if dry_run:
        _say(f"{shown} is valid: {len(result.cases)} candidate cases would be imported into {audit.ref} "
             "(dry run: nothing was imported).")
        return EXIT_OK
    count = import_candidates(ws, audit, result.cases, source=source)
    _say(f"Imported {count} candidate cases into {audit.ref}.")
    return EXIT_OK


class _progress:
    """A Rich progress bar on a terminal for long imports; silent when piped."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> _progress:
        if sys.stderr.isatty():
            from rich.progress import Progress

            self._bar = Progress(transient=True, console=None)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=None)
        return self

    def __call__(self, done: int, total: int) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def cohort(args: argparse.Namespace) -> int:
    return show_cohort(_open(args.sub_db), args.audit, as_json=args.json)


def show_cohort(ws: Workspace, ref: str, *, as_json: bool) -> int:
    from audit.cohort import cohort_json

    audit = ws.audit(ref)
    doc = cohort_json(audit, ws.cases(audit.ref), date.today())
    if as_json:
        _say(json.dumps(doc, indent=2))
        return EXIT_OK
    marks = {"met": "✓", "unmet": "✗", "unknown": "?"}
    ids = [c.id for c in audit.criteria]
    picked = sum(1 for c in doc["candidates"] if c["in_cohort"])
    _say(f"{audit.ref}: {picked} of {audit.cohort_target} picked from {len(doc['candidates'])} candidates.")
    _say("in  case_ref              eligible  " + "  ".join(ids))
    for c in doc["candidates"]:
        eligible = {True: "yes", False: "no", None: "unknown"}[c["eligible"]]
        cells = "  ".join(marks[c["criteria"][i]].ljust(len(i)) for i in ids)
        _say(f"{'■' if c['in_cohort'] else '·'}   {c['case_ref']:<20}  {eligible:<8}  {cells}")
    return EXIT_OK


# --------------------------------------------------------------------------- export


def export(args: argparse.Namespace) -> int:
    """`maca export`: write the report, or list where identifiers are and exit 3."""
    from storage.export import IdentifierLeak, export_report

    fmt = args.format
    if fmt is None:
        suffix = args.output.suffix.lower() if args.output is not None else ""
        fmt = {".html": "html", ".htm": "html", ".docx": "docx"}.get(suffix, "md")
    ws = _open(args.sub_db)
    if fmt in ("briefing", "briefing-html"):
        return _export_briefing(ws, args, fmt)
    try:
        result = export_report(ws, args.audit, args.output, fmt, date.today())
    except IdentifierLeak as exc:
        # Where, never what: each line names the kind and the case, not the identifier.
        for leak in exc.leaks:
            _warn(leak.describe())
        raise
    _say(f"Exported the {args.audit} report to {result.path} ({result.size:,} bytes, {result.fmt}).")
    return EXIT_OK


def _export_briefing(ws: Workspace, args: argparse.Namespace, fmt: str) -> int:
    """`maca export --format briefing`: the 7-minute briefing, Markdown or HTML."""
    from storage.briefing import export_briefing
    from storage.export import IdentifierLeak

    suffix = args.output.suffix.lower() if args.output is not None else ""
    kind = "html" if fmt == "briefing-html" or suffix in (".html", ".htm") else "md"
    try:
        result = export_briefing(ws, args.audit, args.output, kind, date.today())
    except IdentifierLeak as exc:
        for leak in exc.leaks:
            _warn(leak.describe())
        raise
    _say(f"Exported the {args.audit} briefing to {result.path} ({result.size:,} bytes, {kind}).")
    return EXIT_OK


# --------------------------------------------------------------------------- check, users


def check(args: argparse.Namespace) -> int:
    from storage.check import check_workspace

    path: Path = args.sub_db
    if (getattr(args, "list", False) or getattr(args, "at", None)) and not args.restore:
        raise UsageError("--list and --at go with --restore; nothing was done.")
    # No workspace at all is bad input (exit 2), not a workspace with problems (exit 1).
    if not os.path.lexists(path):
        raise UsageError(f"There is no workspace at {path}; nothing was checked.")
    if getattr(args, "migrate", False):
        path = _migrate(path)
    elif path.is_dir():
        from storage.layout import Layout

        if not Layout(path).is_workspace():
            raise UsageError(f"{path} is a folder but not a maca workspace; nothing was checked.")
    else:
        from storage.migrate import folder_beside
        from storage.layout import Layout

        if Layout(folder_beside(path)).is_workspace():
            path = folder_beside(path)  # moved to the new layout already: check that
    if args.restore:
        if not path.is_dir():
            raise UsageError(f"{path} is a workspace of an older maca; move it to the new layout with "
                             f"`maca check --migrate --db {path}` before restoring.")
        _restore(path, args)
        if getattr(args, "list", False):
            return EXIT_OK
    problems = check_workspace(path)
    if problems:
        for problem in problems:
            _warn(f"{path}: {problem}")
        return EXIT_PROBLEMS
    _say(f"{path} is a sound workspace.")
    return EXIT_OK


def _migrate(path: Path) -> Path:
    from storage.layout import Layout
    from storage.migrate import folder_beside, resolve_folder

    if path.is_dir():
        _say(f"{path} is already a workspace folder; nothing to move.")
        return path
    if Layout(folder_beside(path)).is_workspace():
        _say(f"{path} was moved to {folder_beside(path)} already; nothing to move.")
        return folder_beside(path)
    folder = resolve_folder(path, os_login())  # leads only: anyone else is told whom to ask
    _say(f"Moved {path} into the folder {folder}; the file itself is left as it was.")
    return folder


def _restore(path: Path, args: argparse.Namespace) -> None:
    from storage import restore

    if getattr(args, "list", False):
        from storage.backups import versions
        from storage.layout import Layout

        kept = versions(Layout(path))
        if not kept:
            _say(f"No earlier versions of {path} are kept yet.")
        for version in kept:
            _say(restore.describe(version, path))
        return
    at = getattr(args, "at", None)
    if at:
        done = restore.restore_at(path, restore.parse_time(at), os_login(), lock_timeout=lock_timeout())
        if not done:
            _say(f"Nothing changed in {path} since {at}; nothing was restored.")
        for item in done:
            _say(f"Restored {item.file} as it was at {at}.")
        return
    done = restore.restore_damaged(path, os_login(), lock_timeout=lock_timeout())
    if not done:
        _say(f"Every file of {path} is readable; nothing was restored.")
    for item in done:
        assert item.until is not None
        stamp = item.until.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        _say(f"Restored {item.file} from its last good copy (kept {stamp}).")


def users(args: argparse.Namespace) -> int:
    from tui import users_cli

    return users_cli.run(args, _open(args.sub_db))
