"""Cohort criteria: the scope file's ``[[criteria]]`` tables and their three-valued checks.

A criterion is ``all`` or ``any`` of a fixed set of predicates over a candidate case, or
``engaged_with`` agencies during the lookback period (DESIGN §5).  Every check returns a
``Result`` whose reason is a phrase the lead reads in the cohort screen, so "unknown" always
says what was not recorded and "unmet" says why.

How cases are checked against them (three-valued, with reasons) is in
``audit.screening``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Callable, Iterable

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


class Result:
    """One criterion's outcome for one case, and the reason a lead reads.

    Treated as immutable: results with fixed reasons are shared between cases.  Screening
    makes tens of thousands at once and a lead reads a handful of their reasons, so a
    reason can also be given as a function and its arguments (``Result.worded``) that
    make the text when it is first read.  Two results are equal when their outcomes and
    reasons are.
    """

    __slots__ = ("outcome", "_text", "_words")

    def __init__(self, outcome: Outcome, reason: str) -> None:
        self.outcome = outcome
        self._text: str | None = reason
        self._words: tuple[Callable[..., str], tuple[Any, ...]] | None = None

    @classmethod
    def worded(cls, outcome: Outcome, word: Callable[..., str], *args: Any) -> Result:
        """A result whose reason is ``word(*args)``, made when first read."""
        result = cls.__new__(cls)
        result.outcome, result._text, result._words = outcome, None, (word, args)
        return result

    @property
    def reason(self) -> str:
        text = self._text
        if text is None:
            # _words is kept: another thread may be reading it at this moment.
            words = self._words
            assert words is not None  # a result has a text or the words to make it
            word, args = words
            text = self._text = word(*args)
        return text

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Result):
            return NotImplemented
        return self.outcome == other.outcome and self.reason == other.reason

    def __hash__(self) -> int:
        return hash((self.outcome, self.reason))

    def __repr__(self) -> str:
        return f"Result(outcome={self.outcome!r}, reason={self.reason!r})"


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
    assert isinstance(cid, str)  # a missing or malformed id is one of the problems above
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
