"""The reproducible random draw and the fields a draw can be balanced across."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest

from audit.cases import CandidateCase, Engagement
from audit.draw import (
    BALANCE_FIELDS,
    NOT_RECORDED,
    Lookback,
    balance_field,
    balance_function,
    draw,
    new_seed,
    strata_counts,
)

REFS = [f"RB-{i:03d}" for i in range(1, 41)]
LOOKBACK = Lookback(date(2020, 1, 1), date(2020, 12, 31), today=date(2021, 4, 20))


def test_same_seed_same_picks_whatever_the_input_order() -> None:
    first = draw(REFS, 5, seed=123456)
    shuffled = REFS[:]
    random.Random(9).shuffle(shuffled)
    assert draw(shuffled, 5, seed=123456) == first
    assert draw(tuple(REFS) + tuple(REFS[:3]), 5, seed=123456) == first  # duplicates ignored
    assert len(set(first)) == 5 and set(first) <= set(REFS)


def test_the_algorithm_is_pinned() -> None:
    """Stored seeds must keep reproducing: this pins the documented algorithm."""
    expected = sorted(REFS)
    random.Random(42).shuffle(expected)
    assert draw(REFS, 4, seed=42) == expected[:4]
    assert draw(REFS, 4, seed=42) == ["RB-010", "RB-004", "RB-011", "RB-037"]


def test_different_seeds_usually_differ() -> None:
    picks = {tuple(draw(REFS, 5, seed=s)) for s in range(100_000, 100_020)}
    assert len(picks) > 15


def test_size_must_fit_the_pool() -> None:
    with pytest.raises(ValueError, match="Cannot draw 41 cases from 40 eligible cases"):
        draw(REFS, 41, seed=1)
    with pytest.raises(ValueError, match="at least one"):
        draw(REFS, 0, seed=1)
    with pytest.raises(ValueError, match="from 1 eligible case\\."):
        draw(["A"], 2, seed=1)
    assert draw(REFS, 40, seed=7) != sorted(REFS)  # everything, in drawn order
    assert sorted(draw(REFS, 40, seed=7)) == sorted(REFS)


def test_balanced_draw_is_round_robin_across_strata_by_name() -> None:
    strata = {ref: ("b" if int(ref[3:]) % 4 == 0 else "a") for ref in REFS}  # a: 30, b: 10
    picked = draw(REFS, 6, seed=99, balance_by=strata.__getitem__)
    assert [strata[r] for r in picked] == ["a", "b", "a", "b", "a", "b"]
    assert draw(list(reversed(REFS)), 6, seed=99, balance_by=strata.__getitem__) == picked
    # The documented algorithm: each sorted stratum shuffled in name order, then round-robin.
    rng = random.Random(99)
    a = sorted(r for r in REFS if strata[r] == "a")
    b = sorted(r for r in REFS if strata[r] == "b")
    rng.shuffle(a)
    rng.shuffle(b)
    assert picked == [a[0], b[0], a[1], b[1], a[2], b[2]]
    # An odd size gives the extra case to the stratum first by name.
    assert Counter(strata[r] for r in draw(REFS, 5, seed=99, balance_by=strata.__getitem__)) == {"a": 3, "b": 2}


def test_balanced_draw_skips_strata_that_run_out() -> None:
    strata = {ref: ("small" if ref in ("RB-001", "RB-002") else "big") for ref in REFS}
    picked = draw(REFS, 10, seed=5, balance_by=strata.__getitem__)
    assert Counter(strata[r] for r in picked) == {"small": 2, "big": 8}
    assert len(set(picked)) == 10


def test_new_seed_has_six_digits() -> None:
    seeds = {new_seed(random.Random(n)) for n in range(50)}
    assert all(100_000 <= s <= 999_999 for s in seeds)
    assert len(seeds) > 40
    assert 100_000 <= new_seed() <= 999_999


def case(**fields: object) -> CandidateCase:
    return CandidateCase(audit="A", case_ref="C1", **fields)  # type: ignore[arg-type]


def stratum(field_id: str, c: CandidateCase) -> str:
    return balance_field(field_id).stratum(c, LOOKBACK)


def test_older_siblings_strata() -> None:
    assert [stratum("older_siblings", case(older_siblings=n)) for n in (0, 1, 2, 3, 7)] == ["0", "1", "2", "3+", "3+"]
    assert stratum("older_siblings", case()) == NOT_RECORDED


def test_males_in_household_strata() -> None:
    assert [stratum("males_in_household", case(males_in_household=n)) for n in (0, 1, 2, 5)] == ["0", "1", "2+", "2+"]
    assert stratum("males_in_household", case()) == NOT_RECORDED


def test_engagement_agency_is_the_first_engaged_in_the_lookback() -> None:
    c = case(engagement=[
        Engagement("POL", date(2020, 6, 1), date(2020, 7, 1)),
        Engagement("MID", date(2019, 1, 1), date(2019, 12, 31)),  # before the lookback
        Engagement("HV", date(2019, 11, 1), None),  # ongoing: runs to today, so it counts
    ])
    assert stratum("engagement_agency", c) == "HV"
    assert stratum("engagement_agency", case(engagement=[Engagement("csc", date(2020, 2, 1), date(2020, 3, 1))])) == "CSC"
    assert stratum("engagement_agency", case(engagement=[])) == "none in the lookback"
    late = case(engagement=[Engagement("GP", date(2021, 1, 5), None)])
    assert stratum("engagement_agency", late) == "none in the lookback"
    assert stratum("engagement_agency", case()) == NOT_RECORDED
    # Equal starts: the lower code, so the result never depends on the order listed.
    tie = [Engagement("POL", date(2020, 3, 1), None), Engagement("CSC", date(2020, 3, 1), None)]
    assert stratum("engagement_agency", case(engagement=tie)) == "CSC"


def test_balance_function_and_counts() -> None:
    cases = {f"C{n}": CandidateCase(audit="A", case_ref=f"C{n}", older_siblings=n % 3) for n in range(9)}
    by = balance_function("older_siblings", cases, LOOKBACK)
    assert by("C4") == "1"
    assert strata_counts(cases, by) == {"0": 3, "1": 3, "2": 3}
    picked = draw(list(cases), 6, seed=1, balance_by=by)
    assert strata_counts(picked, by) == {"0": 2, "1": 2, "2": 2}


def test_unknown_balance_field_is_one_sentence() -> None:
    with pytest.raises(ValueError, match="no balance field 'age'; use one of older_siblings"):
        balance_field("age")
    assert [f.id for f in BALANCE_FIELDS] == ["older_siblings", "engagement_agency", "males_in_household", "age_band",
                                              "gender", "ethnicity", "level_of_intervention"]
