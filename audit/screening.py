"""Screening: candidate cases checked against an audit's criteria (DESIGN §5).

Every check gives a ``Result`` whose reason is a phrase the lead reads in the cohort
screen, so "unknown" always says what was not recorded and "unmet" says why.

Decisions where the design is silent:

- An engagement with no start date counts as having started at the beginning of time
  (the CSV import always requires a start, so this only matters for data made elsewhere).
- An ongoing engagement runs to ``today``; one whose start is after ``today`` has not
  started and overlaps nothing.  A closed interval whose end is before its start
  overlaps nothing.
- Agency codes compare case-insensitively; codes in a criterion are stored upper case.

Speed: an import or the cohort section screens tens of thousands of cases at once, so
the work goes a criterion at a time over all the cases (``_screen_columns``).  The
``all``/``any`` criteria read a few fields, all of them in one pass (``attrgetter``, in
C); each distinct combination of those facts is judged once per criterion, its result
shared.  Engagement periods are judged by comparing dates, and their reasons are worded
only when a lead reads one (``Result.worded``).  Prepared checks are cached by value,
never by a criterion's identity, so editing a criterion can never serve a stale answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import repeat
from operator import attrgetter
from typing import Any, Callable, Iterable

from audit.cases import CandidateCase, Engagement, paused_gc
from audit.criteria import Criterion, Outcome, Result
from audit.dates import EN_DASH, format_span, format_uk
from audit.scope import Audit
from audit.text import one_of

_MET, _UNMET, _UNKNOWN = Outcome.MET, Outcome.UNMET, Outcome.UNKNOWN
Batch = Callable[[list[CandidateCase]], list[Result]]  # one result per case, in order
Judge = Callable[[Any], Result]  # one field's value -> its predicate's result


@dataclass(frozen=True, slots=True)
class _Predicate:
    attr: str  # the CandidateCase field it reads
    judge: Judge


def _flag(attr: str, present: str, absent: str, unrecorded: str) -> _Predicate:
    met, unmet, unknown = Result(_MET, present), Result(_UNMET, absent), Result(_UNKNOWN, unrecorded)

    def judge(value: bool | None) -> Result:
        if value is None:
            return unknown
        return met if value else unmet

    return _Predicate(attr, judge)


def _count(attr: str, one: str, many: str, none: str, unrecorded: str) -> _Predicate:
    unmet, unknown = Result(_UNMET, none), Result(_UNKNOWN, unrecorded)
    cache: dict[int, Result] = {1: Result(_MET, one)}

    def judge(n: int | None) -> Result:
        if n is None:
            return unknown
        if n <= 0:
            return unmet
        result = cache.get(n)
        if result is None:
            result = cache[n] = Result(_MET, many.format(n=n))
        return result

    return _Predicate(attr, judge)


_PREDICATES: dict[str, _Predicate] = {
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


_uk = lru_cache(maxsize=8192)(format_uk)  # the same few thousand dates, over and over
_ENGAGEMENT_UNKNOWN = Result(_UNKNOWN, "engagement not recorded")
_NO_ENGAGEMENT = Result(_UNMET, "recorded as no engagement with any agency")
_engagement_of = attrgetter("engagement")


def _span(agency: str, start: date | None, end: date | None, tail: str) -> str:
    """``CSC 01/02/2020–30/11/2020 overlaps the lookback``: one period and its verdict."""
    if start is None:
        return f"{agency} {format_span(start, end)} {tail}"
    return f"{agency} {_uk(start)}{EN_DASH}{'ongoing' if end is None else _uk(end)} {tail}"


def _unmet_period(agency: str, start: date | None, end: date | None, first: date, last: date,
                  lookback_end: date, today: date) -> Result:
    """Why a period that does not overlap the lookback misses it."""
    if end is None and first > today:
        tail = "has not started yet"
    elif first > last:
        tail = "ends before it starts"
    elif first > lookback_end:
        tail = "starts after the lookback ends"
    elif end is None:  # ongoing, but today is still before the lookback
        tail = "does not reach the lookback, which starts after today"
    else:
        tail = "ends before the lookback starts"
    return Result.worded(_UNMET, _span, agency, start, end, tail)


@lru_cache(maxsize=32)
def _engaged(codes: frozenset[str], listed: tuple[str, ...] | None, lookback_start: date,
             lookback_end: date, today: date) -> Batch:
    described = _describe(listed)
    only_others: dict[tuple[str, ...], Result] = {}  # unmet, worded by the agencies seen

    def judge(item: Engagement) -> Result | None:
        """One period: met (overlaps), unmet (with why), or None when its agency is not
        one the criterion counts."""
        agency = item.agency.upper()
        if agency not in codes:
            return None
        start, end = item.start, item.end
        if overlaps(start, end):
            return Result.worded(_MET, _span, agency, start, end, "overlaps the lookback")
        first = date.min if start is None else start
        last = today if end is None else end
        return _unmet_period(agency, start, end, first, last, lookback_end, today)

    def overlaps(start: date | None, end: date | None) -> bool:
        first = date.min if start is None else start  # no start: from the beginning of time
        last = today if end is None else end  # ongoing: up to today
        return first <= lookback_end and last >= lookback_start and first <= last

    def none_counted(engagement: list[Engagement]) -> Result:
        others = tuple(dict.fromkeys(item.agency.upper() for item in engagement))
        result = only_others.get(others)
        if result is None:
            result = only_others[others] = Result(
                _UNMET, f"no engagement with {described} recorded (only with {', '.join(others)})")
        return result

    def explain(engagement: list[Engagement]) -> str:
        """The reason for a case with engagement recorded: the periods that decided it."""
        counted = [r for r in map(judge, engagement) if r is not None]
        deciding = [r for r in counted if r.outcome is _MET] or counted
        if not deciding:
            return none_counted(engagement).reason
        return "; ".join(r.reason for r in deciding)

    def one(engagement: list[Engagement] | None) -> Result:
        # Only the outcome is worked out here; the reason is worded if a lead reads it.
        if not engagement:
            return _ENGAGEMENT_UNKNOWN if engagement is None else _NO_ENGAGEMENT
        for item in engagement:
            if (item.agency in codes or item.agency.upper() in codes) and overlaps(item.start, item.end):
                return Result.worded(_MET, explain, engagement)
        return Result.worded(_UNMET, explain, engagement)

    def batch(cases: list[CandidateCase]) -> list[Result]:
        return list(map(one, map(_engagement_of, cases)))

    return batch


def _describe(codes: tuple[str, ...] | None) -> str:
    if codes is None:
        return "a participating agency"
    return one_of(codes) or "the listed agencies"


@dataclass(slots=True)
class Screened:
    """A case, its result per criterion and whether it is eligible (None: unknown)."""

    case: CandidateCase
    row: tuple[Result, ...]  # one result per criterion, in the order of `ids`
    eligible: bool | None
    ids: tuple[str, ...]  # the criteria's ids

    @property
    def results(self) -> dict[str, Result]:
        """Result by criterion id (made when asked: an import screens 50,000 cases)."""
        return dict(zip(self.ids, self.row))


def screen_cases(audit: Audit, cases: list[CandidateCase], today: date) -> list[Screened]:
    """Each case with its result per criterion and whether it is eligible (None: unknown).

    The one way to screen: against the audit's criteria, lookback and participating
    agencies (DESIGN §5), each result with the reason a lead reads.

    ``all``: met when every predicate is met, unmet when any is unmet, else unknown.
    ``any``: met when any is met, unmet when every one is unmet, else unknown.
    ``engaged_with``: met when an engagement with one of the agencies (the
    ``participating`` ones, or those listed) overlaps the lookback, both ends included,
    an open end running to ``today``; unmet when engagement is recorded (including
    "none") and none overlaps; unknown when engagement is blank.

    An audit without a lookback period cannot screen: ``ValueError``, one sentence.
    """
    if audit.lookback_start is None or audit.lookback_end is None:
        raise ValueError(f"{audit.ref} has no lookback period, so its cases cannot be screened.")
    # The GC is paused for the whole of it: 50,000 results and Screened objects would
    # otherwise trigger repeated full collections of a heap of about a million objects.
    with paused_gc():
        columns = _screen_columns(
            cases,
            audit.criteria,
            lookback_start=audit.lookback_start,
            lookback_end=audit.lookback_end,
            participating=audit.agencies,
            today=today,
        )
        ids = tuple(columns)
        rows = list(zip(*columns.values())) if columns else [()] * len(cases)
        return list(map(Screened, cases, rows, map(eligibility, rows), repeat(ids)))


def eligibility(results: Iterable[Result]) -> bool | None:
    """True when every criterion is met, False when any is unmet, else None (unknown)."""
    verdict: bool | None = True
    for result in results:
        if result.outcome is _UNMET:
            return False
        if result.outcome is _UNKNOWN:
            verdict = None
    return verdict


def _screen_columns(cases: list[CandidateCase], criteria: list[Criterion], *,
                   lookback_start: date, lookback_end: date, participating: Iterable[str],
                   today: date) -> dict[str, list[Result]]:
    """Criterion id -> its result for each case, in the order of ``cases``."""
    part = _codes(participating)
    with paused_gc():
        by_facts = iter(_by_facts([c for c in criteria if c.kind in _FACT_KINDS], cases))
        return {c.id: next(by_facts) if c.kind in _FACT_KINDS
                else _prepare(c, part, lookback_start, lookback_end, today)(cases) for c in criteria}


_FACT_KINDS = ("all", "any")  # criteria over the case's recorded facts


def _by_facts(criteria: list[Criterion], cases: list[CandidateCase]) -> list[list[Result]]:
    """Each ``all``/``any`` criterion's results, in order, read in one pass over the cases.

    Every fact any of them reads is read at once; each distinct combination of facts
    (a few hundred, however many cases) is judged once per criterion, and the cases
    take their results by the combination's number.  A field holds one type (bool or
    int), so equal values are judged alike.
    """
    attrs = list(dict.fromkeys(_PREDICATES[p].attr for c in criteria for p in c.predicates))
    if not attrs:
        rows: list[tuple[Any, ...]] = [()] * len(cases)
    elif len(attrs) == 1:  # attrgetter of one field gives the value, not a tuple
        rows = list(zip(map(attrgetter(attrs[0]), cases)))
    else:
        rows = list(map(attrgetter(*attrs), cases))
    numbers: dict[tuple[Any, ...], int] = {}
    at = [numbers.setdefault(row, len(numbers)) for row in rows]
    out = []
    for criterion in criteria:
        positions = [attrs.index(_PREDICATES[p].attr) for p in criterion.predicates]
        decide = _prepare_facts(criterion)
        shared: dict[tuple[Any, ...], Result] = {}  # equal facts, one result object
        judged = []
        for row in numbers:
            values = tuple(row[i] for i in positions)
            result = shared.get(values)
            if result is None:
                result = shared[values] = decide(values)
            judged.append(result)
        out.append(list(map(judged.__getitem__, at)))
    return out


def _prepare_facts(criterion: Criterion) -> Callable[[tuple[Any, ...]], Result]:
    """An ``all``/``any`` criterion as a function of the values of its predicates' fields."""
    judges = [_PREDICATES[name].judge for name in criterion.predicates]
    if len(judges) == 1:  # the predicate's own result, as it words it
        judge = judges[0]
        return lambda values: judge(values[0])
    kind = criterion.kind
    return lambda values: _decide(kind, [judge(v) for judge, v in zip(judges, values)])


def _codes(codes: Iterable[str]) -> frozenset[str]:
    return frozenset(map(str.upper, codes))


def _prepare(criterion: Criterion, participating: frozenset[str], lookback_start: date,
             lookback_end: date, today: date) -> Batch:
    if criterion.kind == "engaged_with":
        listed = criterion.agencies
        if listed is None:
            return _engaged(participating, None, lookback_start, lookback_end, today)
        return _engaged(_codes(listed), tuple(listed), lookback_start, lookback_end, today)
    raise ValueError(f"criterion {criterion.id!r} has an unknown kind {criterion.kind!r}")
