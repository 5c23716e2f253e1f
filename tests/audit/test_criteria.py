"""Criteria: parsing the scope file's tables, three-valued checks and their reasons."""

import tomllib
from datetime import date

import pytest

from audit.cases import CandidateCase, Engagement
from audit.codec import from_doc, to_doc
from audit.criteria import (
    PREDICATES,
    CriteriaError,
    Criterion,
    Outcome,
    Result,
    agency_problems,
    criteria_from_toml,
    criterion_from_toml,
)
from audit.scope import Audit
from audit.screening import Screened, eligibility, screen_cases

MET, UNMET, UNKNOWN = Outcome.MET, Outcome.UNMET, Outcome.UNKNOWN
LOOKBACK = dict(lookback_start=date(2020, 1, 1), lookback_end=date(2020, 12, 31))
TODAY = date(2021, 3, 1)
PARTICIPATING = ["CSC", "MID", "HV", "GP", "ASM", "AMH", "EY", "POL"]

SCOPE_CRITERIA = """
[[criteria]]
id = "unborn_and_sibling"
label = "Unborn baby and older sibling"
all = ["unborn", "older_sibling"]

[[criteria]]
id = "da_or_substance"
label = "Domestic abuse or substance misuse"
any = ["domestic_abuse", "substance_misuse"]

[[criteria]]
id = "maternal_mental_health"
label = "Maternal ill mental health"
all = ["maternal_mental_health"]

[[criteria]]
id = "engaged_in_period"
label = "Engaged with key services in the lookback period"
engaged_with = "participating"
"""


def case(**fields: object) -> CandidateCase:
    return CandidateCase(audit="MACA-C86", case_ref="C1", **fields)  # type: ignore[arg-type]


def screened(criteria: list[Criterion], cases: list[CandidateCase], *, today: date = TODAY,
             participating: list[str] = PARTICIPATING) -> list[Screened]:
    audit = Audit(ref="MACA-C86", title="Test", criteria=criteria, agencies=participating, **LOOKBACK)
    return screen_cases(audit, cases, today)


def run(criterion: Criterion, c: CandidateCase, *, today: date = TODAY,
        participating: list[str] = PARTICIPATING) -> Result:
    """One case against one criterion, screened on its own."""
    return screened([criterion], [c], today=today, participating=participating)[0].row[0]


# --- parsing -------------------------------------------------------------------------------


def test_the_design_criteria_parse() -> None:
    criteria = criteria_from_toml(tomllib.loads(SCOPE_CRITERIA)["criteria"])
    assert [(c.id, c.kind, c.predicates, c.agencies) for c in criteria] == [
        ("unborn_and_sibling", "all", ["unborn", "older_sibling"], None),
        ("da_or_substance", "any", ["domestic_abuse", "substance_misuse"], None),
        ("maternal_mental_health", "all", ["maternal_mental_health"], None),
        ("engaged_in_period", "engaged_with", [], None),
    ]
    assert criteria[0].label == "Unborn baby and older sibling"
    assert from_doc(Criterion, to_doc(criteria[0])) == criteria[0]


def test_listed_agencies_are_stored_upper_case() -> None:
    c = criterion_from_toml({"id": "key", "label": "Key", "engaged_with": ["csc", " Pol "]},
                            where="criteria[4]")
    assert c.kind == "engaged_with" and c.agencies == ["CSC", "POL"]
    assert from_doc(Criterion, to_doc(c)) == c


def problems_of(table: object, where: str = "criteria[2]") -> list[str]:
    with pytest.raises(CriteriaError) as caught:
        criterion_from_toml(table, where=where)  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


def test_unknown_predicate_names_the_choices() -> None:
    assert problems_of({"id": "x", "label": "X", "all": ["unbron", "older_sibling"]}) == [
        'criteria[2]: unknown predicate "unbron"; expected one of unborn, older_sibling, '
        "domestic_abuse, substance_misuse, maternal_mental_health or males_in_household"
    ]


@pytest.mark.parametrize(
    "table, problem",
    [
        ({"id": "x", "label": "X"}, "criteria[2]: needs one of all, any or engaged_with"),
        ({"id": "x", "label": "X", "all": ["unborn"], "any": ["unborn"]},
         "criteria[2]: has all and any; a criterion uses exactly one of all, any or engaged_with"),
        ({"label": "X", "all": ["unborn"]}, "criteria[2]: id is required"),
        ({"id": "Unborn Sibling", "label": "X", "all": ["unborn"]},
         'criteria[2]: id "Unborn Sibling" is not a valid id; use up to 40 lower-case letters, '
         "digits, _ or -, starting with a letter"),
        ({"id": 7, "label": "X", "all": ["unborn"]},
         'criteria[2]: id "7" is not a valid id; use up to 40 lower-case letters, digits, _ or -, '
         "starting with a letter"),
        ({"id": "x", "all": ["unborn"]}, "criteria[2]: label is required and must be text"),
        ({"id": "x", "label": "  ", "all": ["unborn"]},
         "criteria[2]: label is required and must be text"),
        ({"id": "x", "label": "X", "all": []},
         'criteria[2]: all must be a list of predicates, for example all = ["unborn", '
         '"older_sibling"]'),
        ({"id": "x", "label": "X", "any": "unborn"},
         'criteria[2]: any must be a list of predicates, for example any = ["unborn", '
         '"older_sibling"]'),
        ({"id": "x", "label": "X", "all": ["unborn", "unborn"]},
         'criteria[2]: predicate "unborn" is listed twice'),
        ({"id": "x", "label": "X", "engaged_with": "everyone"},
         'criteria[2]: engaged_with must be "participating" or a list of agency codes such as '
         '["CSC", "POL"], not "everyone"'),
        ({"id": "x", "label": "X", "engaged_with": []},
         'criteria[2]: engaged_with must be "participating" or a list of agency codes, for '
         'example engaged_with = ["CSC", "POL"]'),
        ({"id": "x", "label": "X", "engaged_with": ["CSC", "csc"]},
         'criteria[2]: agency "CSC" is listed twice in engaged_with'),
        ("unborn", "criteria[2]: must be a table with an id, a label and one of all, any or "
                   "engaged_with"),
    ],
)
def test_each_problem_is_one_sentence(table: object, problem: str) -> None:
    assert problems_of(table) == [problem]


def test_every_problem_is_listed_at_once() -> None:
    problems = problems_of({"lable": "X", "all": ["unbron"]}, where="criteria[3]")
    assert problems == [
        'criteria[3]: unknown key "lable"; expected id, label, all, any or engaged_with',
        "criteria[3]: id is required",
        "criteria[3]: label is required and must be text",
        'criteria[3]: unknown predicate "unbron"; expected one of unborn, older_sibling, '
        "domestic_abuse, substance_misuse, maternal_mental_health or males_in_household",
    ]


def test_whole_array_numbers_tables_from_one_and_checks_ids() -> None:
    tables = [
        {"id": "a", "label": "A", "all": ["unborn"]},
        {"id": "b", "label": "B", "any": ["nope"]},
        {"id": "a", "label": "A again", "all": ["older_sibling"]},
    ]
    with pytest.raises(CriteriaError) as caught:
        criteria_from_toml(tables)
    assert caught.value.problems == [
        'criteria[2]: unknown predicate "nope"; expected one of unborn, older_sibling, '
        "domestic_abuse, substance_misuse, maternal_mental_health or males_in_household",
        'criteria[3]: id "a" is already used by criteria[1]',
    ]


def test_agency_codes_are_checked_against_the_workspace() -> None:
    listed = criterion_from_toml({"id": "k", "label": "K", "engaged_with": ["CSC", "XYZ"]},
                                 where="criteria[4]")
    assert agency_problems(listed, ["csc", "POL"], where="criteria[4]") == [
        'criteria[4]: unknown agency "XYZ" in engaged_with; expected one of CSC or POL'
    ]
    assert agency_problems(listed, ["CSC", "XYZ"], where="criteria[4]") == []
    participating = criterion_from_toml({"id": "k", "label": "K", "engaged_with": "participating"},
                                        where="criteria[4]")
    assert agency_problems(participating, [], where="criteria[4]") == []


# --- all / any: every combination of two predicates ------------------------------------------

UNBORN = {MET: True, UNMET: False, UNKNOWN: None}
SIBLINGS = {MET: 2, UNMET: 0, UNKNOWN: None}
ALL = Criterion(id="a", label="A", kind="all", predicates=["unborn", "older_sibling"])
ANY = Criterion(id="b", label="B", kind="any", predicates=["unborn", "older_sibling"])


@pytest.mark.parametrize(
    "first, second, outcome, reason",
    [
        (MET, MET, MET, "unborn baby recorded; 2 older siblings"),
        (MET, UNMET, UNMET, "no older siblings"),
        (MET, UNKNOWN, UNKNOWN, "older siblings: not recorded"),
        (UNMET, MET, UNMET, "no unborn baby recorded"),
        (UNMET, UNMET, UNMET, "no unborn baby recorded; no older siblings"),
        (UNMET, UNKNOWN, UNMET, "no unborn baby recorded"),
        (UNKNOWN, MET, UNKNOWN, "unborn baby: not recorded"),
        (UNKNOWN, UNMET, UNMET, "no older siblings"),
        (UNKNOWN, UNKNOWN, UNKNOWN, "unborn baby: not recorded; older siblings: not recorded"),
    ],
)
def test_all_truth_table(first: Outcome, second: Outcome, outcome: Outcome, reason: str) -> None:
    c = case(unborn=UNBORN[first], older_siblings=SIBLINGS[second])
    assert run(ALL, c) == Result(outcome, reason)


@pytest.mark.parametrize(
    "first, second, outcome, reason",
    [
        (MET, MET, MET, "unborn baby recorded; 2 older siblings"),
        (MET, UNMET, MET, "unborn baby recorded"),
        (MET, UNKNOWN, MET, "unborn baby recorded"),
        (UNMET, MET, MET, "2 older siblings"),
        (UNMET, UNMET, UNMET, "no unborn baby recorded; no older siblings"),
        (UNMET, UNKNOWN, UNKNOWN, "older siblings: not recorded"),
        (UNKNOWN, MET, MET, "2 older siblings"),
        (UNKNOWN, UNMET, UNKNOWN, "unborn baby: not recorded"),
        (UNKNOWN, UNKNOWN, UNKNOWN, "unborn baby: not recorded; older siblings: not recorded"),
    ],
)
def test_any_truth_table(first: Outcome, second: Outcome, outcome: Outcome, reason: str) -> None:
    c = case(unborn=UNBORN[first], older_siblings=SIBLINGS[second])
    assert run(ANY, c) == Result(outcome, reason)


@pytest.mark.parametrize(
    "fields, predicate, expected",
    [
        ({"unborn": True}, "unborn", Result(MET, "unborn baby recorded")),
        ({"unborn": False}, "unborn", Result(UNMET, "no unborn baby recorded")),
        ({}, "unborn", Result(UNKNOWN, "unborn baby: not recorded")),
        ({"older_siblings": 1}, "older_sibling", Result(MET, "1 older sibling")),
        ({"older_siblings": 0}, "older_sibling", Result(UNMET, "no older siblings")),
        ({"domestic_abuse": True}, "domestic_abuse", Result(MET, "domestic abuse recorded")),
        ({"domestic_abuse": False}, "domestic_abuse", Result(UNMET, "no domestic abuse recorded")),
        ({}, "domestic_abuse", Result(UNKNOWN, "domestic abuse: not recorded")),
        ({"substance_misuse": True}, "substance_misuse", Result(MET, "substance misuse recorded")),
        ({}, "substance_misuse", Result(UNKNOWN, "substance misuse: not recorded")),
        ({"maternal_mental_health": True}, "maternal_mental_health",
         Result(MET, "maternal ill mental health recorded")),
        ({"maternal_mental_health": False}, "maternal_mental_health",
         Result(UNMET, "no maternal ill mental health recorded")),
        ({}, "maternal_mental_health", Result(UNKNOWN, "maternal mental health: not recorded")),
        ({"males_in_household": 1}, "males_in_household", Result(MET, "1 male in the household")),
        ({"males_in_household": 3}, "males_in_household", Result(MET, "3 males in the household")),
        ({"males_in_household": 0}, "males_in_household",
         Result(UNMET, "no males in the household")),
        ({}, "males_in_household", Result(UNKNOWN, "males in the household: not recorded")),
    ],
)
def test_each_predicate_reads_as_words(fields: dict, predicate: str, expected: Result) -> None:
    assert predicate in PREDICATES
    for kind in ("all", "any"):
        criterion = Criterion(id="p", label="P", kind=kind, predicates=[predicate])
        assert run(criterion, case(**fields)) == expected


# --- engaged_with --------------------------------------------------------------------------

ENGAGED = Criterion(id="e", label="Engaged", kind="engaged_with")
KEY_SERVICES = Criterion(id="k", label="Key", kind="engaged_with", agencies=["CSC", "POL"])


def engaged(*items: Engagement, today: date = TODAY, criterion: Criterion = ENGAGED,
            participating: list[str] = PARTICIPATING) -> Result:
    return run(criterion, case(engagement=list(items)), today=today, participating=participating)


D = date


@pytest.mark.parametrize(
    "item, today, expected",
    [
        # touching the lookback start (interval ends on 01/01/2020)
        (Engagement("CSC", D(2019, 6, 1), D(2020, 1, 1)), TODAY,
         Result(MET, "CSC 01/06/2019\u201301/01/2020 overlaps the lookback")),
        # touching the lookback end (interval starts on 31/12/2020)
        (Engagement("CSC", D(2020, 12, 31), D(2021, 2, 1)), TODAY,
         Result(MET, "CSC 31/12/2020\u201301/02/2021 overlaps the lookback")),
        # one day short at either end
        (Engagement("CSC", D(2019, 6, 1), D(2019, 12, 31)), TODAY,
         Result(UNMET, "CSC 01/06/2019\u201331/12/2019 ends before the lookback starts")),
        (Engagement("CSC", D(2021, 1, 1), D(2021, 2, 1)), TODAY,
         Result(UNMET, "CSC 01/01/2021\u201301/02/2021 starts after the lookback ends")),
        # entirely before, entirely after, inside, around, a single day
        (Engagement("POL", D(2019, 3, 1), D(2019, 11, 30)), TODAY,
         Result(UNMET, "POL 01/03/2019\u201330/11/2019 ends before the lookback starts")),
        (Engagement("POL", D(2021, 2, 1), D(2021, 2, 20)), TODAY,
         Result(UNMET, "POL 01/02/2021\u201320/02/2021 starts after the lookback ends")),
        (Engagement("CSC", D(2020, 2, 1), D(2020, 11, 30)), TODAY,
         Result(MET, "CSC 01/02/2020\u201330/11/2020 overlaps the lookback")),
        (Engagement("GP", D(2015, 1, 1), D(2025, 1, 1)), TODAY,
         Result(MET, "GP 01/01/2015\u201301/01/2025 overlaps the lookback")),
        (Engagement("HV", D(2020, 6, 1), D(2020, 6, 1)), TODAY,
         Result(MET, "HV 01/06/2020\u201301/06/2020 overlaps the lookback")),
        # open end runs to today
        (Engagement("POL", D(2019, 5, 3)), TODAY,
         Result(MET, "POL 03/05/2019\u2013ongoing overlaps the lookback")),
        (Engagement("POL", D(2021, 1, 5)), TODAY,
         Result(UNMET, "POL 05/01/2021\u2013ongoing starts after the lookback ends")),
        # open end, but today is before the lookback starts
        (Engagement("POL", D(2019, 5, 3)), D(2019, 12, 31),
         Result(UNMET, "POL 03/05/2019\u2013ongoing does not reach the lookback, which starts "
                       "after today")),
        (Engagement("POL", D(2019, 5, 3)), D(2020, 1, 1),
         Result(MET, "POL 03/05/2019\u2013ongoing overlaps the lookback")),
        # open end starting after today has not started
        (Engagement("POL", D(2020, 9, 1)), D(2020, 6, 1),
         Result(UNMET, "POL 01/09/2020\u2013ongoing has not started yet")),
        # no start date: from the beginning of time
        (Engagement("CSC", None, D(2020, 1, 1)), TODAY,
         Result(MET, "CSC until 01/01/2020 overlaps the lookback")),
        (Engagement("CSC", None, D(2019, 12, 31)), TODAY,
         Result(UNMET, "CSC until 31/12/2019 ends before the lookback starts")),
        (Engagement("CSC"), TODAY, Result(MET, "CSC with no dates overlaps the lookback")),
        # an end before its start overlaps nothing
        (Engagement("CSC", D(2020, 11, 30), D(2020, 2, 1)), TODAY,
         Result(UNMET, "CSC 30/11/2020\u201301/02/2020 ends before it starts")),
        # codes compare case-insensitively
        (Engagement("csc", D(2020, 2, 1), D(2020, 3, 1)), TODAY,
         Result(MET, "CSC 01/02/2020\u201301/03/2020 overlaps the lookback")),
    ],
)
def test_overlap_edges(item: Engagement, today: date, expected: Result) -> None:
    assert engaged(item, today=today) == expected


def test_blank_engagement_is_unknown_and_none_is_unmet() -> None:
    assert run(ENGAGED, case()) == Result(UNKNOWN, "engagement not recorded")
    assert run(ENGAGED, case(engagement=[])) == Result(
        UNMET, "recorded as no engagement with any agency")
    assert run(KEY_SERVICES, case(engagement=[])).outcome is UNMET


def test_one_overlap_is_enough_and_is_the_reason() -> None:
    result = engaged(Engagement("POL", D(2019, 3, 1), D(2019, 11, 30)),
                     Engagement("CSC", D(2020, 2, 1), D(2020, 11, 30)))
    assert result == Result(MET, "CSC 01/02/2020\u201330/11/2020 overlaps the lookback")


def test_several_reasons_are_listed() -> None:
    result = engaged(Engagement("POL", D(2019, 3, 1), D(2019, 11, 30)),
                     Engagement("CSC", D(2021, 2, 1)))
    assert result == Result(UNMET, "POL 01/03/2019\u201330/11/2019 ends before the lookback starts; "
                                   "CSC 01/02/2021\u2013ongoing starts after the lookback ends")
    both = engaged(Engagement("POL", D(2020, 3, 1), D(2020, 4, 1)), Engagement("CSC", D(2020, 5, 1)))
    assert both == Result(MET, "POL 01/03/2020\u201301/04/2020 overlaps the lookback; "
                               "CSC 01/05/2020\u2013ongoing overlaps the lookback")


def test_participating_versus_listed_agencies() -> None:
    hv_only = Engagement("HV", D(2020, 2, 1), D(2020, 3, 1))
    assert engaged(hv_only).outcome is MET  # HV takes part in the audit
    assert engaged(hv_only, participating=["CSC", "POL"]) == Result(
        UNMET, "no engagement with a participating agency recorded (only with HV)")
    assert engaged(hv_only, criterion=KEY_SERVICES) == Result(
        UNMET, "no engagement with CSC or POL recorded (only with HV)")
    # listed codes apply whether or not those agencies take part
    police = Engagement("POL", D(2020, 2, 1), D(2020, 3, 1))
    assert engaged(police, criterion=KEY_SERVICES, participating=["HV"]).outcome is MET
    assert engaged(police, participating=["hv", "pol"]).outcome is MET


# --- eligibility and screening -------------------------------------------------------------


@pytest.mark.parametrize(
    "outcomes, expected",
    [
        ([MET, MET, MET], True),
        ([MET, UNMET, MET], False),
        ([MET, UNKNOWN], None),
        ([UNKNOWN, UNMET], False),
        ([UNKNOWN, UNKNOWN], None),
        ([], True),
    ],
)
def test_eligibility(outcomes: list[Outcome], expected: bool | None) -> None:
    assert eligibility([Result(o, "why") for o in outcomes]) is expected


def test_screen_gives_every_criterion_by_id() -> None:
    criteria = criteria_from_toml(tomllib.loads(SCOPE_CRITERIA)["criteria"])
    c = case(unborn=True, older_siblings=1, domestic_abuse=None, substance_misuse=True,
             maternal_mental_health=True,
             engagement=[Engagement("MID", D(2020, 3, 1), D(2020, 9, 30))])
    [one] = screened(criteria, [c])
    results = one.results
    assert {k: (r.outcome.value, r.reason) for k, r in results.items()} == {
        "unborn_and_sibling": ("met", "unborn baby recorded; 1 older sibling"),
        "da_or_substance": ("met", "substance misuse recorded"),
        "maternal_mental_health": ("met", "maternal ill mental health recorded"),
        "engaged_in_period": ("met", "MID 01/03/2020\u201330/09/2020 overlaps the lookback"),
    }
    assert eligibility(results.values()) is True and one.eligible is True


def test_screening_many_matches_one_at_a_time() -> None:
    criteria = criteria_from_toml(tomllib.loads(SCOPE_CRITERIA)["criteria"]) + [KEY_SERVICES]
    cases = [
        case(),
        case(unborn=False, engagement=[]),
        case(unborn=True, older_siblings=0, domestic_abuse=False, substance_misuse=None,
             engagement=[Engagement("POL", D(2019, 1, 1), D(2019, 2, 1)),
                         Engagement("EY", D(2020, 1, 1))]),
        case(unborn=True, older_siblings=4, males_in_household=2, maternal_mental_health=False,
             engagement=[Engagement("CSC", D(2020, 12, 31))]),
    ]
    many = screened(criteria, cases)
    for c, s in zip(cases, many):
        results = s.results
        assert list(results) == [cr.id for cr in criteria]
        for criterion in criteria:
            assert results[criterion.id] == run(criterion, c)
        assert results == screened(criteria, [c])[0].results


def test_changed_settings_are_not_served_from_a_cache() -> None:
    item = Engagement("POL", D(2019, 5, 3))
    assert engaged(item, today=D(2019, 12, 31)).outcome is UNMET
    assert engaged(item, today=D(2020, 6, 1)).outcome is MET
    criterion = Criterion(id="k", label="K", kind="engaged_with", agencies=["CSC"])
    assert engaged(item, criterion=criterion).outcome is UNMET
    criterion.agencies = ["POL"]  # criteria are mutable: edited in the scope screen
    assert engaged(item, criterion=criterion).outcome is MET


def test_an_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        run(Criterion(id="z", label="Z", kind="some"), case())
