"""Creating audits from scope files, for the CLI and the home screen alike."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

from audit.access import Act
from audit.activities import theme_finding
from audit.programme import PlannedAudit
from audit.scope import Audit
from audit.scope_file import ScopeError, ScopeFile, parse_scope
from audit.tools import tools_for_audit
from storage.demo import sample_path
from storage.workspace import Workspace


class ScopeProblems(ValueError):
    """The scope file cannot become an audit; `problems` holds one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def audit_from_scope_file(ws: Workspace, path: Path) -> Audit:
    """Read and check a scope file, with its agencies' audit tools copied in."""
    return scope_from_file(ws, path).audit


def scope_from_file(ws: Workspace, path: Path) -> ScopeFile:
    """Read and check a scope file: the audit with its agencies' audit tools copied in,
    and any evidence activities and themes it records."""
    from audit.files import MB, read_regular_file

    try:
        raw = read_regular_file(path, limit=5 * MB, what="scope file")
    except ValueError as exc:
        raise ScopeProblems([str(exc)]) from None
    return scope_from_bytes(ws, raw, str(path), path.parent)


def audit_from_scope_bytes(ws: Workspace, raw: bytes, source: str, folder: Path | None) -> Audit:
    """The audit of :func:`scope_from_bytes`."""
    return scope_from_bytes(ws, raw, source, folder).audit


def scope_from_bytes(ws: Workspace, raw: bytes, source: str, folder: Path | None) -> ScopeFile:
    """The same from a scope file's bytes; ``folder`` is where its template files are, or
    ``None`` for a scope sent over SSH, which may not name files on the server."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScopeProblems([f"{source} is not UTF-8 text."]) from None
    try:
        scope: ScopeFile | None = parse_scope(text, source=source, agency_codes=ws.partnership().agency_codes())
        problems: list[str] = []
    except ScopeError as exc:
        scope, problems = exc.partial, exc.problems
    # A taken ref and a bad template file are said in the same round as the file's own
    # problems (each with its line), not after those are fixed.
    problems = problems + _taken_ref(ws, text)
    if scope is not None:
        problems += _template_problems(scope, text, folder)
    if problems or scope is None:
        raise ScopeProblems(_in_file_order(problems))
    audit = scope.audit
    overrides = {code: (folder or Path()) / name for code, name in scope.template_files.items()}
    try:
        audit.tools = tools_for_audit(
            audit.agencies,
            [(o.id, o.title) for o in audit.objectives],
            directory=sample_path("templates"),
            overrides=overrides,
        )
    except ValueError as exc:
        raise ScopeProblems(str(exc).splitlines()) from None
    audit.created_by = ws.login
    audit.created_at = datetime.now().replace(microsecond=0)
    return scope


def _template_problems(scope: ScopeFile, text: str, folder: Path | None) -> list[str]:
    """The problems of the audit tool templates a scope names, each with the line that
    names it; over SSH (no ``folder``) naming one at all is the problem."""
    from audit.scope_lines import Place, ScopeLines
    from audit.tools import checked_template

    taking_part = set(scope.audit.agencies)
    named = {code: name for code, name in scope.template_files.items() if code in taking_part or not taking_part}
    lines = ScopeLines.of(text)
    whole = lines.line(Place("templates"))
    if folder is None:
        if not named:
            return []
        at = f"line {whole}: " if whole else ""
        return [f"{at}A scope sent over SSH cannot name template files on the server; leave them "
                "out to use maca's standard audit tools."]
    problems: list[str] = []
    for code, name in named.items():
        # `[templates]` as a table gives each agency its own line; an inline table, one.
        line = next((n for (table, _, key), n in lines.keys.items()
                     if table == "templates" and key.strip().upper() == code.upper()), whole)
        _, found = checked_template(code, folder / name)
        problems += [f"line {line}: {p}" if line else p for p in found]
    return problems


def _in_file_order(problems: list[str]) -> list[str]:
    """Problems without a line first, then down the file (as `audit.scope_lines.with_lines`)."""
    def line(problem: str) -> int:
        m = re.match(r"line (\d+): ", problem)
        return int(m.group(1)) if m else 0
    return sorted(problems, key=line)


def _taken_ref(ws: Workspace, text: str) -> list[str]:
    """The problem of a `ref` already used by an audit of the workspace, with its line."""
    import tomllib

    from audit.scope_lines import Place, ScopeLines

    try:
        ref = tomllib.loads(text).get("ref")
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        return []
    if not isinstance(ref, str) or not ref.strip() or ws.get("audits", ref.strip()) is None:
        return []
    line = ScopeLines.of(text).line(Place("ref"))
    return [f"{f'line {line}: ' if line else ''}An audit {ref.strip()} already exists in this workspace."]


def create_audit(ws: Workspace, audit: Audit | ScopeFile, *, source: str, plan: PlannedAudit | None = None) -> Audit:
    """Store a new audit; from a :class:`ScopeFile`, its activities and themes too, in
    the same transaction (all or nothing); ``plan``, the programme's planned audit it
    starts, is marked as promoted to it in that transaction too."""
    scope = audit if isinstance(audit, ScopeFile) else ScopeFile(audit)
    ws.require(Act.CREATE_AUDIT, audit=scope.audit.ref, key=scope.audit.ref)
    with ws.transaction() as tx:
        saved = tx.insert(scope.audit, summary=f"created audit {scope.audit.ref} from {source}")
        if plan is not None:
            tx.save(dataclasses.replace(plan, promoted_to=saved.ref),
                    summary=f"planned audit {plan.id} became {saved.ref}")
        for activity in scope.activities:
            tx.insert(activity, summary=f"recorded {activity.kind.value} {activity.id} from {source}")
        number, positions = 0, Counter[str]()
        for theme in scope.themes:
            if theme.agreed_on is not None:
                # An agreed theme becomes a finding on the board (see audit.activities).
                number += 1
                finding = theme_finding(theme, scope.activities, scope.audit.agencies, f"F{number}")
                finding.position = positions[finding.column]
                positions[finding.column] += 1
                finding.created_by, finding.created_at = ws.login, tx.at
                tx.insert(finding, summary=f"theme {theme.id} became finding {finding.id}")
                theme = dataclasses.replace(theme, finding_id=finding.id)
            tx.insert(theme, summary=f"recorded theme {theme.id} from {source}")
    return saved
