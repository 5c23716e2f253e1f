"""A thematic audit's evidence: activities, and the themes the MATA discussion draws
from them (issue 20 item 1, DESIGN §2 "A MATA gathers evidence by activities").

An **activity** is one piece of evidence-gathering: a focus group, a practitioner
conversation or survey, a policy and procedure review, aggregated data, a bespoke
audit, or the voice of a family or child.  Each records when, who took part (by role
and agency, never by name), which objectives it covered and its key points, plus what
its kind needs (the document reviewed, the figures and their source...).  A MACA may
add activities too.

A **theme** is a cross-cutting finding drawn out at the MATA discussion, linked to the
activities (and their numbered key points) that evidence it.  Once agreed, a theme
becomes a finding on the board (``finding_id``).

Decisions where the issue is silent:

- Participants are counted by role within an agency ("3 social workers, CSC"); there is
  no field for a name, so none can be stored.  A family member's role is their relation
  ("mother", "young person") with no agency.
- "Bespoke audit" may be the audit tool over the audit's cohort (``uses_cohort``): its
  numbers then come from the cohort's returns, as for a MACA.
- Activity and theme ids are short and stable within the audit (``E1``, ``T1``), so a
  theme's evidence survives edits to an activity's title.
- A theme agreed at the MATA discussion becomes a finding (an area for development
  unless it says ``becomes = "strength"`` or ``"recommendation"``), linked to the
  agencies whose people gave its evidence, and to an objective when all its evidence
  covers the same one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from audit.findings import Column, Finding
from audit.text import MAX_TEXT, strip_control

ACTIVITY_ID = re.compile(r"^E[1-9][0-9]{0,3}$")
THEME_ID = re.compile(r"^T[1-9][0-9]{0,3}$")
MAX_TITLE = 200
MAX_LABEL = 120
MAX_ITEMS = 200


class ActivityKind(StrEnum):
    FOCUS_GROUP = "focus group"
    PRACTITIONERS = "practitioner conversation or survey"
    POLICY_REVIEW = "policy and procedure review"
    AGGREGATED_DATA = "aggregated data"
    BESPOKE_AUDIT = "bespoke audit"
    FAMILY_VOICE = "family or child voice"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def toml(self) -> str:
        """The word a scope file uses: ``focus_group``, ``policy_review``..."""
        return _TOML_NAMES[self]


_TOML_NAMES = {
    ActivityKind.FOCUS_GROUP: "focus_group",
    ActivityKind.PRACTITIONERS: "practitioners",
    ActivityKind.POLICY_REVIEW: "policy_review",
    ActivityKind.AGGREGATED_DATA: "aggregated_data",
    ActivityKind.BESPOKE_AUDIT: "bespoke_audit",
    ActivityKind.FAMILY_VOICE: "family_voice",
}
KIND_BY_NAME = {**{k.toml: k for k in ActivityKind}, **{k.value: k for k in ActivityKind}}


@dataclass(slots=True)
class Participant:
    """People who took part, by role and agency: never a name."""

    role: str
    agency: str = ""  # agency code; "" for a family member or someone outside the partnership
    count: int = 1


@dataclass(slots=True)
class Figure:
    """One row of an aggregated data table: what was counted, and the number."""

    label: str
    value: str


@dataclass(slots=True)
class Activity:
    audit: str
    id: str  # E1, E2 ...
    kind: ActivityKind = ActivityKind.FOCUS_GROUP
    title: str = ""
    held_on: date | None = None
    participants: list[Participant] = field(default_factory=list)
    objectives: list[str] = field(default_factory=list)  # objective ids covered
    key_points: list[str] = field(default_factory=list)
    # policy and procedure review
    document: str = ""
    version: str = ""
    reviewer: str = ""  # the reviewer's role and agency, not their name
    # aggregated data
    figures: list[Figure] = field(default_factory=list)
    source: str = ""
    # bespoke audit
    uses_cohort: bool = False  # the audit tool over the audit's cohort
    updated_by: str = ""
    updated_at: datetime | None = None
    rev: int = 0

    @property
    def key(self) -> str:
        return f"{self.audit}/{self.id}"

    def people(self) -> int:
        return sum(p.count for p in self.participants)


@dataclass(slots=True)
class Evidence:
    """What a theme rests on: an activity, and optionally one of its key points (1-based)."""

    activity: str  # activity id
    point: int = 0  # 0: the activity as a whole


@dataclass(slots=True)
class Theme:
    audit: str
    id: str  # T1, T2 ...
    title: str = ""
    text: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    agreed_on: date | None = None  # agreed at the MATA discussion
    column: Column = Column.DEVELOPMENT  # the kind of finding it becomes
    finding_id: str = ""  # the finding it became
    rev: int = 0

    @property
    def key(self) -> str:
        return f"{self.audit}/{self.id}"


# ------------------------------------------------------------------------ checking


def activity_problems(a: Activity, objective_ids: list[str], agency_codes: list[str]) -> list[str]:
    """Every problem with an activity, one sentence each (``a`` already cleaned)."""
    where = f"Activity {a.id}"
    problems = []
    if not ACTIVITY_ID.match(a.id):
        problems.append(f"{where}: an activity's id is E and a number, such as E1.")
    if not a.title:
        problems.append(f"{where} needs a title.")
    unknown = [o for o in a.objectives if o not in objective_ids]
    if unknown:
        problems.append(f"{where} names objective {unknown[0]!r}, which the audit does not have.")
    for p in a.participants:
        if p.agency and p.agency not in agency_codes:
            problems.append(f"{where} names agency {p.agency!r}, which the partnership does not have.")
        if not p.role:
            problems.append(f"{where}: each participant needs a role (never a name).")
        if not 1 <= p.count <= 10_000:
            problems.append(f"{where}: a number of participants is a whole number from 1 to 10,000.")
    if a.kind is ActivityKind.POLICY_REVIEW and not a.document:
        problems.append(f"{where} is a policy and procedure review: name the document reviewed.")
    if a.kind is ActivityKind.AGGREGATED_DATA and not a.source:
        problems.append(f"{where} is aggregated data: say where the figures come from (source).")
    if len(a.participants) > MAX_ITEMS or len(a.key_points) > MAX_ITEMS or len(a.figures) > MAX_ITEMS:
        problems.append(f"{where} holds more than {MAX_ITEMS} participants, points or figures.")
    return problems


def theme_problems(t: Theme, activities: dict[str, Activity]) -> list[str]:
    where = f"Theme {t.id}"
    problems = []
    if not THEME_ID.match(t.id):
        problems.append(f"{where}: a theme's id is T and a number, such as T1.")
    if not t.title:
        problems.append(f"{where} needs a title.")
    for e in t.evidence:
        activity = activities.get(e.activity)
        if activity is None:
            problems.append(f"{where} rests on activity {e.activity!r}, which the audit does not have.")
        elif e.point and not 1 <= e.point <= len(activity.key_points):
            problems.append(f"{where} rests on key point {e.point} of {e.activity}, which has "
                            f"{len(activity.key_points)} key point(s).")
    return problems


# ------------------------------------------------------------------------ scope file


def _text(table: dict[str, Any], key: str, where: str, problems: list[str], limit: int = MAX_TEXT) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        problems.append(f"{where}.{key} must be text.")
        return ""
    value = strip_control(value).strip()
    if len(value) > limit:
        problems.append(f"{where}.{key} is longer than {limit:,} characters.")
        return ""
    return value


def _texts(table: dict[str, Any], key: str, where: str, problems: list[str]) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{where}.{key} must be a list of text.")
        return []
    cleaned = [strip_control(v).strip() for v in value]
    if any(len(v) > MAX_TEXT for v in cleaned):
        problems.append(f"{where}.{key} holds an item longer than {MAX_TEXT:,} characters.")
        return []
    return [v for v in cleaned if v]


_ACTIVITY_KEYS = {"id", "kind", "title", "date", "participants", "objectives", "key_points", "document",
                  "version", "reviewer", "figures", "source", "uses_cohort"}
_THEME_KEYS = {"id", "title", "text", "evidence", "agreed_on", "becomes"}


def activities_from_toml(tables: list[dict[str, Any]], ref: str, canonical: Any,
                         problems: list[str]) -> list[Activity]:
    """``[[activities]]`` of a scope file (see ``sample_data/MATA-N21.toml``).

    ``participants`` is a list of ``{ role, agency, count }``; ``figures`` a list of
    ``{ label, value }``; ``date`` a TOML date.  ``canonical`` maps an agency code as
    typed to the workspace's spelling.
    """
    found = []
    for n, table in enumerate(tables, start=1):
        where = f"activities[{n}]"
        for key in table:
            if key not in _ACTIVITY_KEYS:
                problems.append(f"{where}: unknown setting {key!r}.")
        kind_name = table.get("kind")
        kind = KIND_BY_NAME.get(kind_name) if isinstance(kind_name, str) else None
        if kind is None:
            problems.append(f"{where}.kind must be one of {', '.join(k.toml for k in ActivityKind)}.")
            kind = ActivityKind.FOCUS_GROUP
        held = table.get("date")
        if held is not None and not isinstance(held, date):
            problems.append(f"{where}.date must be a date such as 2021-03-04.")
            held = None
        if isinstance(held, datetime):
            held = held.date()
        participants = []
        raw_people = table.get("participants", [])
        if not isinstance(raw_people, list) or not all(isinstance(p, dict) for p in raw_people):
            problems.append(f"{where}.participants must be a list of {{ role = ..., agency = ..., count = ... }}.")
            raw_people = []
        for p in raw_people:
            unknown = set(p) - {"role", "agency", "count"}
            if unknown or "name" in p:
                problems.append(f"{where}.participants: only role, agency and count are recorded (never a name).")
            count = p.get("count", 1)
            if not isinstance(count, int) or isinstance(count, bool):
                problems.append(f"{where}.participants: count must be a whole number.")
                count = 1
            participants.append(Participant(role=_text(p, "role", where + ".participants", problems, MAX_LABEL),
                                            agency=canonical(_text(p, "agency", where + ".participants", problems,
                                                                   MAX_LABEL)) if p.get("agency") else "",
                                            count=count))
        figures = []
        raw_figures = table.get("figures", [])
        if not isinstance(raw_figures, list) or not all(isinstance(f, dict) for f in raw_figures):
            problems.append(f"{where}.figures must be a list of {{ label = ..., value = ... }}.")
            raw_figures = []
        for f in raw_figures:
            value = f.get("value", "")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(value)
            figures.append(Figure(label=_text(f, "label", where + ".figures", problems, MAX_LABEL),
                                  value=_text({"value": value}, "value", where + ".figures", problems, MAX_LABEL)))
        uses_cohort = table.get("uses_cohort", False)
        if not isinstance(uses_cohort, bool):
            problems.append(f"{where}.uses_cohort must be true or false.")
            uses_cohort = False
        raw_id = table.get("id", f"E{n}")
        found.append(Activity(
            audit=ref, id=raw_id if isinstance(raw_id, str) else str(raw_id), kind=kind,
            title=_text(table, "title", where, problems, MAX_TITLE), held_on=held, participants=participants,
            objectives=_texts(table, "objectives", where, problems),
            key_points=_texts(table, "key_points", where, problems),
            document=_text(table, "document", where, problems, MAX_TITLE),
            version=_text(table, "version", where, problems, MAX_LABEL),
            reviewer=_text(table, "reviewer", where, problems, MAX_LABEL), figures=figures,
            source=_text(table, "source", where, problems, MAX_TITLE), uses_cohort=uses_cohort))
    return found


def themes_from_toml(tables: list[dict[str, Any]], ref: str, problems: list[str]) -> list[Theme]:
    """``[[themes]]``: ``evidence = ["E1", "E2.3"]`` (activity E2's third key point)."""
    found = []
    for n, table in enumerate(tables, start=1):
        where = f"themes[{n}]"
        for key in table:
            if key not in _THEME_KEYS:
                problems.append(f"{where}: unknown setting {key!r}.")
        evidence = []
        for item in _texts(table, "evidence", where, problems):
            head, _, point = item.partition(".")
            if point and not point.isdigit():
                problems.append(f"{where}.evidence: {item!r} is an activity id, or an id and a point number "
                                "such as E2.3.")
                continue
            evidence.append(Evidence(head, int(point) if point else 0))
        agreed = table.get("agreed_on")
        if agreed is not None and not isinstance(agreed, date):
            problems.append(f"{where}.agreed_on must be a date.")
            agreed = None
        becomes = table.get("becomes", "development")
        column = _COLUMNS.get(becomes) if isinstance(becomes, str) else None
        if column is None:
            problems.append(f"{where}.becomes must be one of {', '.join(_COLUMNS)}.")
            column = Column.DEVELOPMENT
        raw_id = table.get("id", f"T{n}")
        found.append(Theme(audit=ref, id=raw_id if isinstance(raw_id, str) else str(raw_id),
                           title=_text(table, "title", where, problems, MAX_TITLE),
                           text=_text(table, "text", where, problems), evidence=evidence, agreed_on=agreed,
                           column=column))
    return found


_COLUMNS = {"strength": Column.STRENGTH, "development": Column.DEVELOPMENT,
            "recommendation": Column.RECOMMENDATION}


def theme_finding(theme: Theme, activities: list[Activity], agencies: list[str], finding_id: str) -> Finding:
    """The finding an agreed theme becomes: its title and text, the agencies whose people
    gave the evidence, and where it came from."""
    used = {e.activity for e in theme.evidence}
    involved = {p.agency for a in activities if a.id in used for p in a.participants}
    covered = [o for a in activities if a.id in used for o in a.objectives]
    objective = covered[0] if covered and all(o == covered[0] for o in covered) else ""
    return Finding(audit=theme.audit, id=finding_id, column=theme.column, title=theme.title, text=theme.text,
                   objective=objective, agencies=[code for code in agencies if code in involved],
                   source=f"theme {theme.id}")


def evidence_problems(activities: list[Activity], themes: list[Theme], objective_ids: list[str],
                      agency_codes: list[str]) -> list[str]:
    """Every problem with a scope file's activities and themes together."""
    problems = []
    seen: set[str] = set()
    for a in activities:
        if a.id in seen:
            problems.append(f"Activity id {a.id!r} is used twice.")
        seen.add(a.id)
        problems += activity_problems(a, objective_ids, agency_codes)
    by_id = {a.id: a for a in activities}
    seen = set()
    for t in themes:
        if t.id in seen:
            problems.append(f"Theme id {t.id!r} is used twice.")
        seen.add(t.id)
        problems += theme_problems(t, by_id)
    return problems
