"""The reproducible random draw of a cohort, optionally balanced across a field.

Partnerships often pick the cohort at random within the theme, sometimes balanced by a
feature of the family (DOMAIN.md).  A draw must be reproducible by anyone who has the
same eligible cases and the seed: the seed is shown to the lead and stored with the
audit (``Audit.draw``), and the algorithm below depends on nothing else.

The algorithm, exactly (it must never change, or stored seeds stop reproducing):

1. The eligible references are de-duplicated and sorted (so the order they were
   passed in, e.g. a table's sort order, does not matter).
2. ``rng = random.Random(seed)``.
3. Unbalanced: ``rng.shuffle`` the sorted references and take the first ``size``.
4. Balanced: the references are put into strata by ``balance_by(ref)``; the strata are
   sorted by name and each (already sorted) stratum is shuffled by the same ``rng`` in
   that order.  Then cases are taken round-robin: the first of every stratum in name
   order, then the second of every stratum, and so on, skipping strata that have run
   out, until ``size`` are taken.  When ``size`` is not a multiple of the number of
   strata, the strata earliest by name get the extra case of the last round.

The result is in the order cases were drawn.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from audit.cases import CandidateCase, age_band
from audit.profile import ethnic_group, gender_of, level_of

NOT_RECORDED = "not recorded"
SEED_DIGITS = 6


def draw(
    eligible_refs: Iterable[str],
    size: int,
    *,
    seed: int,
    balance_by: Callable[[str], str] | None = None,
) -> list[str]:
    """Draw ``size`` references at random from ``eligible_refs`` (see the module doc).

    Raises ``ValueError`` (one sentence) when ``size`` is not from 1 to the number of
    eligible references.
    """
    refs = sorted(set(eligible_refs))
    if size < 1:
        raise ValueError("A draw needs at least one case.")
    if size > len(refs):
        raise ValueError(
            f"Cannot draw {size} cases from {len(refs)} eligible case{'s' * (len(refs) != 1)}."
        )
    rng = random.Random(seed)
    if balance_by is None:
        rng.shuffle(refs)
        return refs[:size]
    strata: dict[str, list[str]] = {}
    for ref in refs:  # sorted, so each stratum is sorted too
        strata.setdefault(balance_by(ref), []).append(ref)
    ordered = [strata[name] for name in sorted(strata)]
    for stratum in ordered:
        rng.shuffle(stratum)
    picked: list[str] = []
    depth = 0
    while len(picked) < size:
        for stratum in ordered:
            if depth < len(stratum):
                picked.append(stratum[depth])
                if len(picked) == size:
                    break
        depth += 1
    return picked


def new_seed(rng: random.Random | None = None) -> int:
    """A fresh six-digit seed, short enough to read out in a meeting and type back."""
    return (rng or random.SystemRandom()).randint(10 ** (SEED_DIGITS - 1), 10**SEED_DIGITS - 1)


# --- balance fields ---------------------------------------------------------------


@dataclass(frozen=True)
class Lookback:
    """What a stratum may need to know about the audit: its lookback and today."""

    start: date | None
    end: date | None
    today: date


def _older_siblings(case: CandidateCase, _: Lookback) -> str:
    n = case.older_siblings
    if n is None:
        return NOT_RECORDED
    return "3+" if n >= 3 else str(n)


def _males(case: CandidateCase, _: Lookback) -> str:
    n = case.males_in_household
    if n is None:
        return NOT_RECORDED
    return "2+" if n >= 2 else str(n)


def _first_agency(case: CandidateCase, lookback: Lookback) -> str:
    """The agency whose engagement overlapping the lookback started first (ties by
    code); an ongoing engagement runs to today and one with no start began long ago."""
    if case.engagement is None:
        return NOT_RECORDED
    if lookback.start is None or lookback.end is None:
        return NOT_RECORDED
    overlapping = []
    for item in case.engagement:
        first = item.start or date.min
        last = item.end or lookback.today
        if first <= lookback.end and last >= lookback.start and first <= last:
            overlapping.append((first, item.agency.upper()))
    if not overlapping:
        return "none in the lookback"
    return min(overlapping)[1]


@dataclass(frozen=True)
class BalanceField:
    """A field a draw can be balanced across: each case falls in one stratum (a name)."""

    id: str
    label: str
    stratum: Callable[[CandidateCase, Lookback], str]


def _age(case: CandidateCase, lookback: Lookback) -> str:
    return age_band(case.child_dob, lookback.start)


def _gender(case: CandidateCase, _: Lookback) -> str:
    return gender_of(case.gender)


def _ethnicity(case: CandidateCase, _: Lookback) -> str:
    return ethnic_group(case.ethnicity)


def _level(case: CandidateCase, _: Lookback) -> str:
    return level_of(case.level_of_intervention)


BALANCE_FIELDS: tuple[BalanceField, ...] = (
    BalanceField("older_siblings", "older siblings (0, 1, 2, 3+)", _older_siblings),
    BalanceField("engagement_agency", "engagement agency (first engaged in the lookback)", _first_agency),
    BalanceField("males_in_household", "males in household (0, 1, 2+)", _males),
    BalanceField("age_band", "age at the start of the lookback (bands)", _age),
    BalanceField("gender", "gender (female, male, another gender)", _gender),
    BalanceField("ethnicity", "ethnicity (the five ONS 2021 groups)", _ethnicity),
    BalanceField("level_of_intervention", "level of intervention (early help to looked after)", _level),
)


def balance_field(field_id: str) -> BalanceField:
    """The balance field called ``field_id``; ``ValueError`` for an unknown one."""
    for found in BALANCE_FIELDS:
        if found.id == field_id:
            return found
    known = ", ".join(f.id for f in BALANCE_FIELDS)
    raise ValueError(f"There is no balance field {field_id!r}; use one of {known}.")


def balance_function(
    field_id: str, cases: dict[str, CandidateCase], lookback: Lookback
) -> Callable[[str], str]:
    """``balance_by`` for ``draw``: a case reference to its stratum of ``field_id``."""
    stratum = balance_field(field_id).stratum
    return lambda ref: stratum(cases[ref], lookback)


def strata_counts(refs: Iterable[str], balance_by: Callable[[str], str]) -> dict[str, int]:
    """How many of ``refs`` fall in each stratum, by stratum name (to show a draw)."""
    counts: dict[str, int] = {}
    for ref in refs:
        name = balance_by(ref)
        counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items()))
