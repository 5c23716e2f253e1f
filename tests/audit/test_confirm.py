"""Facts a lead confirms at screening (issue 20 item 2): "unborn: confirmed by CSC" is
set on the case with its source, so screening, the cohort profile and the report count
it instead of "not recorded"."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from audit.cases import CandidateCase
from audit.confirm import confirm, confirmation_of, confirmed_count
from audit.report import build_report
from storage.demo import demo_audit, demo_partnership

AT = datetime(2021, 3, 18, 10, 0)


def test_a_confirmation_sets_the_fact_and_keeps_who_and_what_it_was() -> None:
    case = CandidateCase("A", "C1", older_siblings=2)
    done = confirm(case, "unborn", " Y ", "  CSC   duty  team ", by="rlead", at=AT)
    assert case.unborn is None and case.confirmed is None  # never changed in place
    assert done.unborn is True
    c = confirmation_of(done, "unborn")
    assert c is not None and (c.value, c.source, c.by, c.at, c.was) == ("yes", "CSC duty team", "rlead", AT,
                                                                         "not recorded")
    again = confirm(confirm(done, "older_siblings", "3", "HV", by="rlead", at=AT), "unborn", "no", "MID",
                    by="rlead", at=AT)
    assert (again.unborn, again.older_siblings) == (False, 3)
    assert [(x.fact, x.value, x.was) for x in again.confirmed or []] == [("older_siblings", "3", "2"),
                                                                          ("unborn", "no", "yes")]
    assert confirmed_count([again, case]) == 2
    assert confirm(case, "level_of_intervention", "CIN", "CSC", by="r", at=AT).level_of_intervention == "child in need"
    assert confirm(case, "ethnicity", "white - irish", "CSC", by="r", at=AT).ethnicity == "White: Irish"


@pytest.mark.parametrize("fact, value, source, sentence", [
    ("unborn", "perhaps", "CSC", 'Unborn baby: "perhaps" is not yes or no; use yes, no, y, n, true, false, 1 or 0, '
                                 "or leave it blank."),
    ("older_siblings", "-1", "CSC", 'Older siblings: a count cannot be negative (found "-1").'),
    ("gender", "[b]x[/b]", "CSC", 'Gender: "[b]x[/b]" is not a gender maca records; use female, male, another '
                                  "gender or not recorded, or leave it blank."),
    ("unborn", "  ", "CSC", "Unborn baby: give the confirmed value."),
    ("unborn", "yes", " \x1b[31m ", "Say who confirmed it (an agency or a record, such as CSC or midwifery "
                                    "booking)."),
    ("unborn", "yes", "x" * 121, "The source: the text is 121 characters long; the most allowed is 120."),
    ("child_dob", "2020-01-01", "CSC", "'child_dob' is not a fact that can be confirmed; use one of unborn, "
                                       "older_siblings, domestic_abuse, substance_misuse, maternal_mental_health, "
                                       "males_in_household, gender, ethnicity, level_of_intervention."),
])
def test_a_bad_confirmation_is_one_sentence(fact: str, value: str, source: str, sentence: str) -> None:
    with pytest.raises(ValueError) as caught:
        confirm(CandidateCase("A", "C1"), fact, value, source, by="rlead", at=AT)
    assert str(caught.value) == sentence


def test_hostile_text_in_the_source_is_kept_as_data_without_control_bytes() -> None:
    done = confirm(CandidateCase("A", "C1"), "unborn", "yes", "[b]CSC[/b] | # <b>x</b> \x1b[31mred\u202e",
                   by="rlead", at=AT)
    assert confirmation_of(done, "unborn").source == "[b]CSC[/b] | # <b>x</b> red"  # type: ignore[union-attr]


def test_the_report_counts_a_confirmed_fact_instead_of_not_recorded_and_never_quotes_the_source() -> None:
    partnership, _ = demo_partnership()
    audit = demo_audit(partnership.agency_codes())
    cases = [CandidateCase(audit.ref, f"C{n}", unborn=True, domestic_abuse=True, substance_misuse=False,
                           maternal_mental_health=True, in_cohort=True) for n in range(1, 4)]
    cases.append(CandidateCase(audit.ref, "C4", domestic_abuse=True, substance_misuse=False,
                               maternal_mental_health=True, in_cohort=True))

    def profile(cohort: list[CandidateCase]) -> str:
        report = build_report(audit, partnership, cohort, [], [], [], [], {}, date(2021, 4, 1)).markdown
        return report.split("## Cohort profile")[1].split("\n## ")[0]

    before = profile(cases)
    assert "unborn baby in 3 of 4 (1 not recorded)" in before
    cases[3] = confirm(cases[3], "unborn", "yes", "Zqk source <b>", by="rlead", at=AT)
    after = profile(cases)
    assert "unborn baby in 4 of 4, domestic abuse in 4 of 4" in after
    assert ("The lead auditor confirmed 1 fact of this profile with the agencies at screening, where the extract "
            "had left them blank or had them wrong.") in after
    assert "Zqk" not in after and "rlead" not in after
