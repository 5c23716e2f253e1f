"""The cohort profile's ages (issue 20 item 2, in part): the child's age at the start of
the lookback, from the date of birth, counted by band only; a draw can balance on it.

Fifteen cases, as the Torbay scope asks, with the lookback starting 01/01/2020; each
expected count below is worked out by hand from the dates of birth listed."""

from __future__ import annotations

from datetime import date

from audit.analysis import analyse
from audit.cases import CandidateCase, age_band
from audit.draw import Lookback, balance_function, strata_counts
from audit.report import build_report
from audit.scope import Audit, Kind
from storage.demo import demo_partnership

START = date(2020, 1, 1)
DOBS = [
    date(2020, 3, 1), date(2020, 11, 30),  # born after the start: unborn then (2)
    date(2019, 6, 1), date(2019, 1, 2),  # under 1 (2)
    date(2019, 1, 1), date(2016, 1, 2), date(2015, 1, 2),  # 1 to 4: exactly 1, 3, 4 (3)
    date(2015, 1, 1), date(2012, 6, 30),  # 5 to 9: exactly 5, 7 (2)
    date(2010, 1, 1), date(2004, 1, 2),  # 10 to 15: exactly 10, 15 (2)
    date(2004, 1, 1), date(2003, 5, 5),  # 16 and over (2)
    None, None,  # not recorded (2)
]


def cohort() -> tuple[Audit, list[CandidateCase]]:
    audit = Audit("MACA-T15", "Torbay cohort", Kind.MACA, lookback_start=START, lookback_end=date(2020, 12, 31),
                  cohort_target=15)
    cases = [CandidateCase("MACA-T15", f"T-{n:02}", child_dob=dob, family_name=f"Family{n}", in_cohort=True)
             for n, dob in enumerate(DOBS, start=1)]
    return audit, cases


def test_ages_are_banded_at_the_start_of_the_lookback() -> None:
    assert age_band(date(2019, 1, 1), START) == "1 to 4"  # a first birthday on the day counts
    assert age_band(date(2019, 1, 2), START) == "under 1"
    assert age_band(date(2020, 1, 1), START) == "under 1"  # born on the first day
    assert age_band(date(2020, 1, 2), START) == "unborn at the start"
    assert age_band(None, START) == age_band(date(2019, 1, 1), None) == "not recorded"


def test_the_profile_counts_each_band_of_fifteen_cases_by_hand() -> None:
    audit, cases = cohort()
    a = analyse(audit, cases, [], [], date(2021, 4, 1))
    assert a.age_bands == {"unborn at the start": 2, "under 1": 2, "1 to 4": 3, "5 to 9": 2, "10 to 15": 2,
                           "16 and over": 2, "not recorded": 2}
    partnership, _ = demo_partnership()
    report = build_report(audit, partnership, cases, [], [], [], [], {}, date(2021, 4, 1)).markdown
    profile = report.split("## Cohort profile")[1].split("\n## ")[0]
    assert "| Age at the start of the lookback | Cases |" in profile
    for row in ("| Unborn at the start | 2 (fewer than 3) |", "| Under 1 | 2 (fewer than 3) |", "| 1 to 4 | 3 |",
                "| 5 to 9 | 2 (fewer than 3) |", "| 10 to 15 | 2 (fewer than 3) |",
                "| 16 and over | 2 (fewer than 3) |", "| Not recorded | 2 |"):
        assert row in profile
    # One way only: no row of the per-case table carries an age, and no date of birth appears.
    for dob in DOBS:
        if dob is not None:
            assert dob.strftime("%d/%m/%Y") not in report and dob.isoformat() not in report


def test_a_draw_can_balance_on_the_age_band() -> None:
    audit, cases = cohort()
    by_ref = {c.case_ref: c for c in cases}
    balance = balance_function("age_band", by_ref, Lookback(START, audit.lookback_end, date(2021, 4, 1)))
    assert strata_counts(by_ref, balance) == {"1 to 4": 3, "10 to 15": 2, "16 and over": 2, "5 to 9": 2,
                                              "not recorded": 2, "under 1": 2, "unborn at the start": 2}
