"""Reading a scope file (DESIGN §5): TOML in, an `Audit` (with its evidence activities,
themes and the audit tool templates it names) out, or every problem at once.

`parse_scope` lists each problem as one sentence, so a lead can fix the whole file in one
go; `audit.scope_lines` adds the line each one is on.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from audit.activities import Activity, Theme, activities_from_toml, evidence_problems, themes_from_toml
from audit.criteria import criterion_from_toml
from audit.scope import MAX_TEXT, Audit, Kind, Milestone, Objective, Stage, validate_audit


@dataclass
class ScopeFile:
    """What a scope file holds beyond the audit itself."""

    audit: Audit
    template_files: dict[str, str] = field(default_factory=dict)
    activities: list[Activity] = field(default_factory=list)  # evidence activities (a MATA's above all)
    themes: list[Theme] = field(default_factory=list)


class ScopeError(ValueError):
    """A scope file with problems; `problems` holds one sentence each."""

    def __init__(self, source: str, problems: list[str], partial: ScopeFile | None = None) -> None:
        self.source = source
        self.problems = problems
        # What could be read despite the problems, so the files the scope names (its
        # audit tool templates) are checked in the same round (see storage.audits).
        self.partial = partial
        super().__init__(f"{source}: " + "\n".join(problems))


def parse_scope(text: str, *, source: str, agency_codes: list[str], today: date | None = None) -> ScopeFile:
    """Parse a scope TOML file (DESIGN §5) into an audit, or raise ScopeError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScopeError(source, [_toml_problem(str(exc))]) from None
    except RecursionError:
        raise ScopeError(source, ["This file nests arrays or tables too deeply to be a scope file."]) from None
    except ValueError as exc:  # e.g. Python's limit on the digits of an integer
        raise ScopeError(source, [f"This file holds a value maca cannot read ({str(exc)[:120]})."]) from None
    problems: list[str] = []
    reader = _Reader(data, problems)

    codes_by_upper = {c.upper(): c for c in agency_codes}

    def canonical(code: Any) -> str:
        if isinstance(code, str) and code.strip().upper() in codes_by_upper:
            return codes_by_upper[code.strip().upper()]
        return str(code)

    audit = Audit(
        ref=reader.text("ref", required=True),
        title=reader.text("title", required=True),
        linked_review=reader.text("linked_review"),
        background=reader.text("background"),
    )
    kind = reader.text("kind") or "MACA"
    if kind.upper() in Kind.__members__:
        audit.kind = Kind(kind.upper())
    else:
        problems.append(f'kind must be "MACA" or "MATA", not {kind!r}.')
    stage = reader.text("stage") or "scoping"
    try:
        audit.stage = Stage(stage.lower())
    except ValueError:
        problems.append(f"stage must be one of {', '.join(s.value for s in Stage)}, not {stage!r}.")
    audit.notification_date = reader.date("notification_date")
    purpose = data.get("purpose", [])
    if isinstance(purpose, str):
        audit.purpose = [purpose]
    elif isinstance(purpose, list) and all(isinstance(p, str) for p in purpose):
        audit.purpose = list(purpose)
    else:
        problems.append("purpose must be text or a list of text.")
    target = data.get("cohort_target")
    if isinstance(target, int) and not isinstance(target, bool):
        audit.cohort_target = target
    else:
        problems.append("cohort_target must be a whole number, e.g. cohort_target = 15.")
    lookback = data.get("lookback")
    if isinstance(lookback, dict):
        sub = _Reader(lookback, problems, prefix="lookback.")
        audit.lookback_start = sub.date("start", required=True)
        audit.lookback_end = sub.date("end", required=True)
    else:
        problems.append("lookback must be a table, e.g. lookback = { start = 2020-01-01, end = 2020-12-31 }.")
    agencies = data.get("agencies", [])
    if isinstance(agencies, list) and all(isinstance(a, str) for a in agencies):
        audit.agencies = [canonical(a) for a in agencies]
    else:
        problems.append('agencies must be a list of agency codes, e.g. agencies = ["CSC", "POL"].')
    for i, table in enumerate(_tables(data, "objectives", problems), start=1):
        _unknown_keys(table, {"id", "title", "text"}, f"objectives[{i}]", problems)
        sub = _Reader(table, problems, prefix=f"objectives[{i}].")
        audit.objectives.append(
            Objective(id=sub.text("id", required=True), title=sub.text("title", required=True), text=sub.text("text"))
        )
    for i, table in enumerate(_tables(data, "criteria", problems), start=1):
        try:
            criterion = criterion_from_toml(table, where=f"criteria[{i}]")
        except ValueError as exc:
            problems.extend(str(exc).splitlines())
            continue
        if criterion.agencies:
            criterion.agencies = [canonical(a) for a in criterion.agencies]
        audit.criteria.append(criterion)
    for i, table in enumerate(_tables(data, "milestones", problems), start=1):
        _unknown_keys(table, {"name", "due", "done"}, f"milestones[{i}]", problems)
        sub = _Reader(table, problems, prefix=f"milestones[{i}].")
        milestone = Milestone(name=sub.text("name", required=True), due=sub.date("due", required=True))
        if isinstance(table.get("done"), bool):
            milestone.done = table["done"]
        audit.milestones.append(milestone)
    template_files: dict[str, str] = {}
    templates = data.get("templates", {})
    if isinstance(templates, dict) and all(isinstance(v, str) for v in templates.values()):
        template_files = {canonical(k): v for k, v in templates.items()}
    else:
        problems.append('templates must map agency codes to files, e.g. templates = { MID = "mid-tool.toml" }.')
    activities = activities_from_toml(_tables(data, "activities", problems), audit.ref, canonical, problems)
    themes = themes_from_toml(_tables(data, "themes", problems), audit.ref, problems)
    known = {"ref", "kind", "title", "linked_review", "notification_date", "background", "purpose",
             "cohort_target", "lookback", "agencies", "objectives", "criteria", "milestones", "stage",
             "templates", "activities", "themes"}
    for key in data:
        if key not in known:
            problems.append(f"Unknown setting {key!r}.")
    # The checks of the whole audit run even when some settings could not be read, so
    # the file's every problem is listed at once (not in rounds); a setting already
    # reported is not reported again by them ("title is missing", then "needs a title").
    said = {_root(p) for p in problems}
    problems.extend(p for p in validate_audit(audit, agency_codes) if _root(p) not in said)
    problems.extend(evidence_problems(activities, themes, [o.id for o in audit.objectives], agency_codes))
    if problems:
        from audit.scope_lines import with_lines

        problems = [p if p.endswith((".", "?")) else p + "." for p in problems]
        raise ScopeError(source, with_lines(text, problems, [o.id for o in audit.objectives],
                                            [c.id for c in audit.criteria]),
                         ScopeFile(audit=audit, template_files=template_files, activities=activities, themes=themes))
    return ScopeFile(audit=audit, template_files=template_files, activities=activities, themes=themes)


def _toml_problem(message: str) -> str:
    """tomllib's "Invalid value (at line 1, column 7)" as "line 1: This is not valid TOML (…)"."""
    m = re.search(r"\s*\(at line (\d+), column (\d+)\)", message)
    if m is None:
        return f"This is not valid TOML ({message})."
    what = message[: m.start()] + message[m.end():]
    return f"line {m.group(1)}: This is not valid TOML ({what.strip()}, at column {m.group(2)})."


def _root(problem: str) -> str:
    """The setting a problem is about, for not saying it twice (see parse_scope)."""
    from audit.scope_lines import problem_place

    place = problem_place(problem, [], [])
    if place is None:
        return problem
    return f"{place.table}.{place.key}" if place.table else place.key


def _unknown_keys(table: dict[str, Any], known: set[str], where: str, problems: list[str]) -> None:
    for key in table:
        if key not in known:
            hint = " (a top-level setting must come before the first [[...]] table)" if key == "templates" else ""
            problems.append(f"{where}: unknown setting {key!r}{hint}.")


def _tables(data: dict[str, Any], name: str, problems: list[str]) -> list[dict[str, Any]]:
    value = data.get(name, [])
    if isinstance(value, list) and all(isinstance(t, dict) for t in value):
        return value
    problems.append(f"{name} must be written as [[{name}]] tables.")
    return []


class _Reader:
    """Reads typed values from a TOML table, noting a sentence for each problem."""

    def __init__(self, data: dict[str, Any], problems: list[str], prefix: str = "") -> None:
        self.data = data
        self.problems = problems
        self.prefix = prefix

    def text(self, key: str, *, required: bool = False) -> str:
        from audit.text import strip_control

        value = self.data.get(key)
        if value is None:
            if required:
                self.problems.append(f"{self.prefix}{key} is missing.")
            return ""
        if not isinstance(value, str):
            self.problems.append(f"{self.prefix}{key} must be text.")
            return ""
        value = strip_control(value).strip()
        if required and not value:
            self.problems.append(f"{self.prefix}{key} is empty.")
        if len(value) > MAX_TEXT:
            self.problems.append(f"{self.prefix}{key} is longer than {MAX_TEXT:,} characters.")
            return ""
        return value

    def date(self, key: str, *, required: bool = False) -> date | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problems.append(f"{self.prefix}{key} is missing.")
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            from audit.dates import parse_date

            try:
                return parse_date(value)
            except ValueError as exc:
                self.problems.append(f"{self.prefix}{key}: {exc}.")
                return None
        self.problems.append(f"{self.prefix}{key} must be a date such as 2021-04-30.")
        return None
