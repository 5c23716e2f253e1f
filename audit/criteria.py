"""Cohort criteria: the scope file's ``[[criteria]]`` tables and their three-valued checks.

A criterion is ``all`` or ``any`` of a fixed set of predicates over a candidate case, or
``engaged_with`` agencies during the lookback period (DESIGN §5).  Every check returns a
``Result`` whose reason is a phrase the lead reads in the cohort screen, so "unknown" always
says what was not recorded and "unmet" says why.

Decisions where the design is silent:

- An engagement with no start date counts as having started at the beginning of time
  (the CSV import always requires a start, so this only matters for data made elsewhere).
- An ongoing engagement runs to ``today``; one whose start is after ``today`` has not
  started and overlaps nothing.  A closed interval whose end is before its start
  overlaps nothing.
- Agency codes compare case-insensitively; codes in a criterion are stored upper case.

Speed (50,000 cases x 4 criteria in about 0.2 s with ``screen_many``): predicate results
are interned, combinations memoised, and each engagement period judged and worded once
per screening settings; prepared checks are cached by value, never by a criterion's
identity, so editing a criterion can never serve a stale answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Any, Callable, Iterable

from audit.cases import CandidateCase, paused_gc
from audit.dates import EN_DASH, format_span, format_uk
from audit.text import one_of, quote, strip_control


class Outcome(StrEnum):
    MET = "met"
    UNMET = "unmet"
    UNKNOWN = "unknown"


KINDS = ("all", "any", "engaged_with")
PREDICATES = (
    "unborn",
    "older_sibling",
    "domestic_abuse",
    "substance_misuse",
    "maternal_mental_health",
    "males_in_household",
)
PARTICIPATING = "participating"
_KEYS = ("id", "label", *KINDS)
_SLUG = re.compile(r"[a-z][a-z0-9_-]{0,39}", re.ASCII)
MAX_LABEL = 200


@dataclass
class Criterion:
    id: str
    label: str
    kind: str  # "all" | "any" | "engaged_with"
    predicates: list[str] = field(default_factory=list)  # for all / any
    agencies: list[str] | None = None  # for engaged_with: None = the participating agencies


@dataclass(frozen=True, slots=True)
class Result:
    outcome: Outcome
    reason: str


class CriteriaError(ValueError):
    """Criteria in a scope file are wrong; ``problems`` holds one sentence per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# --- parsing ------------------------------------------------------------------------------


def _parse_problems(table: Any, where: str) -> tuple[list[str], Criterion | None]:
    if not isinstance(table, dict):
        return [f"{where}: must be a table with an id, a label and one of all, any or "
                f"engaged_with"], None
    problems: list[str] = []
    for key in table:
        if key not in _KEYS:
            problems.append(f"{where}: unknown key {quote(str(key))}; expected "
                            f"{one_of(_KEYS)}")

    cid = table.get("id")
    if cid is None:
        problems.append(f"{where}: id is required")
    elif not isinstance(cid, str) or _SLUG.fullmatch(cid) is None:
        problems.append(f"{where}: id {quote(str(cid))} is not a valid id; use up to 40 "
                        f"lower-case letters, digits, _ or -, starting with a letter")

    label = table.get("label")
    if not isinstance(label, str) or not strip_control(label).strip():
        problems.append(f"{where}: label is required and must be text")
        label = ""
    else:
        label = strip_control(label).strip()
        if len(label) > MAX_LABEL:
            problems.append(f"{where}: label is {len(label)} characters long; the most "
                            f"allowed is {MAX_LABEL}")

    kinds = [k for k in KINDS if k in table]
    if not kinds:
        problems.append(f"{where}: needs one of all, any or engaged_with")
        return problems, None
    if len(kinds) > 1:
        problems.append(f"{where}: has {one_of(kinds, 'and')}; a criterion uses exactly one "
                        f"of all, any or engaged_with")
        return problems, None
    kind = kinds[0]
    value = table[kind]
    predicates: list[str] = []
    agencies: list[str] | None = None

    if kind in ("all", "any"):
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            problems.append(f"{where}: {kind} must be a list of predicates, for example "
                            f'{kind} = ["unborn", "older_sibling"]')
        else:
            for name in value:
                if name not in PREDICATES:
                    problems.append(f"{where}: unknown predicate {quote(name)}; expected one "
                                    f"of {one_of(PREDICATES)}")
                elif name in predicates:
                    problems.append(f"{where}: predicate {quote(name)} is listed twice")
                else:
                    predicates.append(name)
    elif isinstance(value, str):
        if value.strip().lower() != PARTICIPATING:
            problems.append(f'{where}: engaged_with must be "participating" or a list of '
                            f'agency codes such as ["CSC", "POL"], not {quote(value)}')
    elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        agencies = []
        for code in value:
            canonical = code.strip().upper()
            if not canonical:
                problems.append(f"{where}: engaged_with has an empty agency code")
            elif canonical in agencies:
                problems.append(f"{where}: agency {quote(canonical)} is listed twice in "
                                f"engaged_with")
            else:
                agencies.append(canonical)
    else:
        problems.append(f'{where}: engaged_with must be "participating" or a list of '
                        f'agency codes, for example engaged_with = ["CSC", "POL"]')

    if problems:
        return problems, None
    return [], Criterion(id=cid, label=label, kind=kind, predicates=predicates,
                         agencies=agencies)


def criterion_from_toml(table: dict[str, Any], *, where: str) -> Criterion:
    """Build one criterion from its TOML table; ``where`` prefixes every problem
    (e.g. ``"criteria[2]"``).  Raises ``CriteriaError`` (a ``ValueError``) listing every
    problem, one sentence each."""
    problems, criterion = _parse_problems(table, where)
    if criterion is None:
        raise CriteriaError(problems)
    return criterion


def criteria_from_toml(value: Any, *, where: str = "criteria") -> list[Criterion]:
    """Build the whole ``[[criteria]]`` array, checking ids are unique.

    Entries are numbered from 1 in messages (``criteria[1]`` is the first table), as a
    person counts them in the file.  Raises ``CriteriaError`` with every problem found.
    """
    if not isinstance(value, list):
        raise CriteriaError([f"{where}: must be an array of tables ([[{where}]])"])
    problems: list[str] = []
    found: list[Criterion] = []
    first_use: dict[str, str] = {}
    for n, table in enumerate(value, start=1):
        here = f"{where}[{n}]"
        table_problems, criterion = _parse_problems(table, here)
        problems.extend(table_problems)
        if criterion is None:
            continue
        if criterion.id in first_use:
            problems.append(f"{here}: id {quote(criterion.id)} is already used by "
                            f"{first_use[criterion.id]}")
        else:
            first_use[criterion.id] = here
            found.append(criterion)
    if problems:
        raise CriteriaError(problems)
    return found


def agency_problems(criterion: Criterion, known_codes: Iterable[str], *, where: str) -> list[str]:
    """Sentences for each agency in ``engaged_with`` that the workspace does not define."""
    if criterion.agencies is None:
        return []
    known = sorted({c.upper() for c in known_codes})
    return [
        f"{where}: unknown agency {quote(code)} in engaged_with; expected one of "
        f"{one_of(known) or '(no agencies are defined)'}"
        for code in criterion.agencies
        if code.upper() not in known
    ]


# --- evaluation ---------------------------------------------------------------------------
# Results with fixed reasons are built once and shared (they are frozen): screening 50,000
# cases then allocates almost nothing.

_MET, _UNMET, _UNKNOWN = Outcome.MET, Outcome.UNMET, Outcome.UNKNOWN
Check = Callable[[CandidateCase], Result]


def _flag(attr: str, present: str, absent: str, unrecorded: str) -> Check:
    met, unmet, unknown = Result(_MET, present), Result(_UNMET, absent), Result(_UNKNOWN, unrecorded)

    def check(case: CandidateCase) -> Result:
        value = getattr(case, attr)
        if value is None:
            return unknown
        return met if value else unmet

    return check


def _count(attr: str, one: str, many: str, none: str, unrecorded: str) -> Check:
    unmet, unknown = Result(_UNMET, none), Result(_UNKNOWN, unrecorded)
    cache: dict[int, Result] = {1: Result(_MET, one)}

    def check(case: CandidateCase) -> Result:
        n = getattr(case, attr)
        if n is None:
            return unknown
        if n <= 0:
            return unmet
        result = cache.get(n)
        if result is None:
            result = cache[n] = Result(_MET, many.format(n=n))
        return result

    return check


_CHECKS: dict[str, Check] = {
    "unborn": _flag("unborn", "unborn baby recorded", "no unborn baby recorded",
                    "unborn baby: not recorded"),
    "older_sibling": _count("older_siblings", "1 older sibling", "{n} older siblings",
                            "no older siblings", "older siblings: not recorded"),
    "domestic_abuse": _flag("domestic_abuse", "domestic abuse recorded",
                            "no domestic abuse recorded", "domestic abuse: not recorded"),
    "substance_misuse": _flag("substance_misuse", "substance misuse recorded",
                              "no substance misuse recorded", "substance misuse: not recorded"),
    "maternal_mental_health": _flag("maternal_mental_health",
                                    "maternal ill mental health recorded",
                                    "no maternal ill mental health recorded",
                                    "maternal mental health: not recorded"),
    "males_in_household": _count("males_in_household", "1 male in the household",
                                 "{n} males in the household", "no males in the household",
                                 "males in the household: not recorded"),
}


def _decide(kind: str, results: list[Result]) -> Result:
    """Three-valued ``all`` / ``any`` over the predicates' results, explained by the
    predicates that decided it."""
    outcomes = {r.outcome for r in results}
    if kind == "all":
        outcome = _UNMET if _UNMET in outcomes else _UNKNOWN if _UNKNOWN in outcomes else _MET
    else:
        outcome = _MET if _MET in outcomes else _UNKNOWN if _UNKNOWN in outcomes else _UNMET
    deciding = [r for r in results if r.outcome is outcome]
    if len(deciding) == 1:
        return deciding[0]
    return Result(outcome, "; ".join(r.reason for r in deciding))


@lru_cache(maxsize=256)
def _all_or_any(kind: str, predicates: tuple[str, ...]) -> Check:
    checks = [_CHECKS[name] for name in predicates]
    if len(checks) == 1:
        return checks[0]
    # Every predicate result is interned (built once and kept), so the identities of a
    # case's predicate results are a sound key for the combined result.
    memo: dict[tuple[int, ...], Result] = {}

    def check(case: CandidateCase) -> Result:
        results = [c(case) for c in checks]
        found = memo.get(key := tuple(map(id, results)))
        if found is None:
            found = memo[key] = _decide(kind, results)
        return found

    return check


_JUDGED_MAX = 50_000
_UNJUDGED: Any = object()
_uk = lru_cache(maxsize=8192)(format_uk)  # the same few thousand dates, over and over
_ENGAGEMENT_UNKNOWN = Result(_UNKNOWN, "engagement not recorded")
_NO_ENGAGEMENT = Result(_UNMET, "recorded as no engagement with any agency")


def _classify(agency: str, start: date | None, end: date | None, codes: frozenset[str],
              lookback_start: date, lookback_end: date, today: date) -> Result | None:
    """One engagement against the lookback: met (overlaps), unmet (with why), or ``None``
    when it is with an agency the criterion does not count."""
    if agency not in codes:
        return None
    if start is None:
        span = f"{agency} {format_span(start, end)}"
    else:  # the usual case, worded from cached dates: screening words tens of thousands
        span = f"{agency} {_uk(start)}{EN_DASH}{'ongoing' if end is None else _uk(end)}"
    first = start if start is not None else date.min  # no start: from the beginning of time
    last = end if end is not None else today  # ongoing: up to today
    if first <= lookback_end and last >= lookback_start and first <= last:
        return Result(_MET, f"{span} overlaps the lookback")
    if end is None and first > today:
        return Result(_UNMET, f"{span} has not started yet")
    if first > last:
        return Result(_UNMET, f"{span} ends before it starts")
    if first > lookback_end:
        return Result(_UNMET, f"{span} starts after the lookback ends")
    if end is None:  # ongoing, but today is still before the lookback
        return Result(_UNMET, f"{span} does not reach the lookback, which starts after today")
    return Result(_UNMET, f"{span} ends before the lookback starts")


@lru_cache(maxsize=32)
def _engaged(codes: frozenset[str], listed: tuple[str, ...] | None, lookback_start: date,
             lookback_end: date, today: date) -> Check:
    described = _describe(listed)
    # Many cases share engagement periods: each is judged and worded once, and kept for
    # the next screening with the same settings (bounded, as the app runs for days).
    judged: dict[tuple[str, date | None, date | None], Result | None] = {}

    def check(case: CandidateCase) -> Result:
        engagement = case.engagement
        if engagement is None:
            return _ENGAGEMENT_UNKNOWN
        if not engagement:
            return _NO_ENGAGEMENT
        results: list[Result | None] = []
        for item in engagement:
            key = (item.agency, item.start, item.end)
            result = judged.get(key, _UNJUDGED)
            if result is _UNJUDGED:
                if len(judged) >= _JUDGED_MAX:
                    judged.clear()
                result = judged[key] = _classify(item.agency.upper(), item.start, item.end,
                                                 codes, lookback_start, lookback_end, today)
            results.append(result)
        if len(results) == 1 and results[0] is not None:
            return results[0]
        counted = [r for r in results if r is not None]
        deciding = [r for r in counted if r.outcome is _MET] or counted
        if len(deciding) == 1:
            return deciding[0]
        if deciding:
            return Result(deciding[0].outcome, "; ".join(r.reason for r in deciding))
        others = dict.fromkeys(item.agency.upper() for item in engagement)
        return Result(_UNMET, f"no engagement with {described} recorded "
                              f"(only with {', '.join(others)})")

    return check


def _describe(codes: tuple[str, ...] | None) -> str:
    if codes is None:
        return "a participating agency"
    return one_of(codes) or "the listed agencies"


def evaluate(criterion: Criterion, case: CandidateCase, *, lookback_start: date,
             lookback_end: date, participating: Iterable[str], today: date) -> Result:
    """Check one case against one criterion (DESIGN §5), with the reason a lead reads.

    ``all``: met when every predicate is met, unmet when any is unmet, else unknown.
    ``any``: met when any is met, unmet when every one is unmet, else unknown.
    ``engaged_with``: met when an engagement with one of the agencies (the
    ``participating`` ones, or those listed) overlaps the lookback, both ends included,
    an open end running to ``today``; unmet when engagement is recorded (including
    "none") and none overlaps; unknown when engagement is blank.
    """
    return _prepare(criterion, _codes(participating), lookback_start, lookback_end,
                    today)(case)


def eligibility(results: Iterable[Result]) -> bool | None:
    """True when every criterion is met, False when any is unmet, else None (unknown)."""
    verdict: bool | None = True
    for result in results:
        if result.outcome is _UNMET:
            return False
        if result.outcome is _UNKNOWN:
            verdict = None
    return verdict


def screen(case: CandidateCase, criteria: list[Criterion], *, lookback_start: date,
           lookback_end: date, participating: Iterable[str], today: date) -> dict[str, Result]:
    """Every criterion's result for one case, keyed by criterion id.

    Prepared checks are cached by value (criteria are mutable, so never by identity), so
    calling this once per case stays fast; ``screen_many`` is faster still.
    """
    part = _codes(participating)
    return {c.id: _prepare(c, part, lookback_start, lookback_end, today)(case) for c in criteria}


def screen_many(cases: Iterable[CandidateCase], criteria: list[Criterion], *,
                lookback_start: date, lookback_end: date, participating: Iterable[str],
                today: date) -> list[dict[str, Result]]:
    """``screen`` for many cases at once, preparing each criterion only once."""
    part = _codes(participating)
    prepared = [(c.id, _prepare(c, part, lookback_start, lookback_end, today)) for c in criteria]
    with paused_gc():
        return [{cid: check(case) for cid, check in prepared} for case in cases]


def _codes(codes: Iterable[str]) -> frozenset[str]:
    return frozenset(map(str.upper, codes))


def _prepare(criterion: Criterion, participating: frozenset[str], lookback_start: date,
             lookback_end: date, today: date) -> Check:
    if criterion.kind == "engaged_with":
        listed = criterion.agencies
        if listed is None:
            return _engaged(participating, None, lookback_start, lookback_end, today)
        return _engaged(_codes(listed), tuple(listed), lookback_start, lookback_end, today)
    if criterion.kind not in ("all", "any"):
        raise ValueError(f"criterion {criterion.id!r} has an unknown kind {criterion.kind!r}")
    return _all_or_any(criterion.kind, tuple(criterion.predicates))
