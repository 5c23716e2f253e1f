"""The partnership file, user validation, and who may do what (DESIGN §8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.access import Act, Decision, decide
from audit.partnership import Agency, Partnership, Role, User, parse_partnership, validate_user

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
CODES = ["CSC", "MID", "HV", "GP", "ASM", "AMH", "EY", "POL"]
BASE = 'name = "Testbay"\n[[agencies]]\ncode = "CSC"\nname = "Children"\n[[agencies]]\ncode = "POL"\nname = "Police"\n'

LEAD = User("rlead", Role.LEAD)
COORD = User("health_named-nurse", Role.COORDINATOR, agencies=["HV", "MID"])
VIEWER = User("panel.vic", Role.VIEWER)
LEAD_ONLY = [
    Act.MANAGE_USERS, Act.CREATE_AUDIT, Act.EDIT_SCOPE, Act.IMPORT_CASES, Act.EDIT_COHORT,
    Act.RETURN_FOR_CLARIFICATION, Act.ACKNOWLEDGE_CONCERN, Act.EDIT_DISCUSSION, Act.EDIT_BOARD,
    Act.EXPORT_REPORT, Act.WRITE_REPORT, Act.READ_JOURNAL, Act.REVIEW_IDENTIFIERS, Act.APPROVE_REPORT,
    Act.EDIT_PARTNERSHIP, Act.PLAN_PROGRAMME, Act.RECORD_LEARNING,
]


# ---------------------------------------------------------------------- parse_partnership


def test_the_sample_partnership_parses() -> None:
    partnership, users = parse_partnership((SAMPLE / "partnership.toml").read_text(encoding="utf-8"), source="p")
    assert partnership.name == "Riverbay Safeguarding Children Partnership"
    assert partnership.agency_codes() == CODES
    assert partnership.agency_name("ASM") == "Adult substance misuse services"
    assert partnership.agency_name("NOPE") == "NOPE"
    assert partnership.canonical_code(" pol ") == "POL"
    assert partnership.canonical_code("XYZ") is None
    by_login = {u.login: u for u in users}
    assert len(by_login) == len(users) == 13
    assert sorted(u.login for u in users if u.role is Role.LEAD) == ["qa.tamsin", "rlead"]
    assert sorted(u.login for u in users if u.role is Role.VIEWER) == ["panel.vic", "panel2"]
    assert by_login["health_named-nurse"] == User(
        "health_named-nurse", Role.COORDINATOR, agencies=["HV", "MID"], name="Nell Namedsworth (fictional)")
    assert by_login["pol.coord"].agencies == ["POL"]
    assert by_login["health_named-nurse"].describe() == "health_named-nurse · audit co-ordinator (HV, MID)"
    assert all(validate_user(u, CODES) == [] for u in users)


BAD_PARTNERSHIPS = {
    "not TOML": ("name = \n", ["p.toml: this is not valid TOML (Invalid value (at line 1, column 8))."]),
    "name missing": (BASE.replace('name = "Testbay"\n', ""), ["p.toml: name is missing."]),
    "name blank": (BASE.replace('"Testbay"', '"   "'), ["p.toml: name is missing."]),
    "agency code not valid": (BASE.replace('"CSC"', '"csc"'),
                              ["p.toml: Agency code 'csc' is not valid: use 1-10 capital letters or digits, "
                               "starting with a letter."]),
    "agency without a name": (BASE.replace('name = "Police"', 'name = ""'), ["p.toml: Agency POL needs a name."]),
    "agency code twice": (BASE.replace('"POL"', '"CSC"'), ["p.toml: An agency code is listed twice."]),
    "unknown role": (BASE + '[[users]]\nlogin = "bob"\nrole = "admin"\n',
                     ["p.toml: User 'bob' has an unknown role; use lead, coordinator, panel or viewer."]),
    "login not valid": (BASE + '[[users]]\nlogin = "Bob Smith"\nrole = "viewer"\n',
                        ["p.toml: Login 'Bob Smith' is not valid: use 1-32 lower-case letters, digits, '.', '_' "
                         "or '-'."]),
    "co-ordinator without agency": (BASE + '[[users]]\nlogin = "bob"\nrole = "coordinator"\n',
                                    ["p.toml: Co-ordinator bob needs at least one agency (--agency CODE)."]),
    "co-ordinator of an unknown agency": (BASE + '[[users]]\nlogin = "bob"\nrole = "coordinator"\nagencies = ["EY"]\n',
                                          ["p.toml: Unknown agency 'EY'; the workspace's agencies are CSC, POL."]),
    "viewer with an agency": (BASE + '[[users]]\nlogin = "bob"\nrole = "viewer"\nagencies = ["CSC"]\n',
                              ["p.toml: Only co-ordinators belong to agencies; bob is a viewer."]),
}


@pytest.mark.parametrize("name", list(BAD_PARTNERSHIPS))
def test_each_bad_partnership_has_its_own_sentence(name: str) -> None:
    text, expected = BAD_PARTNERSHIPS[name]
    with pytest.raises(ValueError) as caught:
        parse_partnership(text, source="p.toml")
    assert str(caught.value).splitlines() == expected


def test_every_partnership_problem_is_listed_at_once() -> None:
    text = BASE.replace('name = "Testbay"\n', "").replace('"CSC"', '"c s c"')
    text += '[[users]]\nlogin = "Bob"\nrole = "coordinator"\n'
    with pytest.raises(ValueError) as caught:
        parse_partnership(text, source="p.toml")
    assert str(caught.value).splitlines() == [
        "p.toml: name is missing.",
        "p.toml: Agency code 'c s c' is not valid: use 1-10 capital letters or digits, starting with a letter.",
        "p.toml: Login 'Bob' is not valid: use 1-32 lower-case letters, digits, '.', '_' or '-'.",
        "p.toml: Co-ordinator Bob needs at least one agency (--agency CODE).",
    ]


def test_agencies_that_are_not_tables_are_a_sentence_not_a_crash() -> None:
    with pytest.raises(ValueError):
        parse_partnership('name = "Testbay"\nagencies = "CSC"\n', source="p.toml")


# ---------------------------------------------------------------------- validate_user


@pytest.mark.parametrize(
    ("user", "problems"),
    [
        (User("ok.user_1-a", Role.VIEWER), []),
        (User("c", Role.COORDINATOR, agencies=["CSC", "POL"]), []),
        (User("", Role.LEAD), ["Login '' is not valid: use 1-32 lower-case letters, digits, '.', '_' or '-'."]),
        (User("a" * 33, Role.LEAD), [f"Login '{'a' * 33}' is not valid: use 1-32 lower-case letters, digits, "
                                     "'.', '_' or '-'."]),
        (User("9lives", Role.LEAD), ["Login '9lives' is not valid: use 1-32 lower-case letters, digits, '.', '_' "
                                     "or '-'."]),
        (User("c", Role.COORDINATOR), ["Co-ordinator c needs at least one agency (--agency CODE)."]),
        (User("l", Role.LEAD, agencies=["CSC"]), ["Only co-ordinators belong to agencies; l is a lead."]),
        (User("c", Role.COORDINATOR, agencies=["CSC", "XYZ"]),
         ["Unknown agency 'XYZ'; the workspace's agencies are CSC, POL."]),
    ],
)
def test_validate_user(user: User, problems: list[str]) -> None:
    assert validate_user(user, ["CSC", "POL"]) == problems


def test_validate_user_with_no_agencies_yet() -> None:
    assert validate_user(User("c", Role.COORDINATOR, agencies=["CSC"]), []) == [
        "Unknown agency 'CSC'; the workspace's agencies are none yet."]


# ---------------------------------------------------------------------- decide: the matrix


def test_every_act_is_either_lead_only_or_open_to_coordinators() -> None:
    # If an Act is added, this test makes its author decide who may do it.
    # The tracker's acts (progress for the owning agency, sign-off and export by leads and the
    # panel) and the holding agency's action on a concern are decided in tests/audit/test_tracker.py.
    own_agency = {Act.EDIT_RETURN, Act.UPDATE_ACTION, Act.ACT_ON_CONCERN}
    lead_or_panel = {Act.SIGN_OFF_ACTION, Act.EXPORT_TRACKER}
    assert set(Act) == set(LEAD_ONLY) | own_agency | lead_or_panel | {Act.PROPOSE_FINDING, Act.VIEW_IDENTIFIERS}


@pytest.mark.parametrize("act", list(Act))
def test_a_lead_may_do_everything(act: Act) -> None:
    assert decide(LEAD, act) == Decision(True)
    assert decide(LEAD, act, agency="POL")


@pytest.mark.parametrize("act", list(Act))
def test_a_viewer_may_do_nothing_and_is_told_why(act: Act) -> None:
    decision = decide(VIEWER, act, agency="HV")
    assert not decision
    assert decision.reason == f"panel.vic is a viewer and can only read; ask a lead auditor to {act.value}."


@pytest.mark.parametrize("act", LEAD_ONLY)
def test_a_coordinator_is_refused_every_lead_only_act(act: Act) -> None:
    decision = decide(COORD, act, agency="HV")
    assert not decision
    assert decision.reason == f"Only a lead auditor can {act.value}; health_named-nurse is a co-ordinator."


@pytest.mark.parametrize("act", [Act.PROPOSE_FINDING, Act.VIEW_IDENTIFIERS])
def test_a_coordinator_may_propose_findings_and_see_identifiers(act: Act) -> None:
    assert decide(COORD, act)
    assert decide(COORD, act, agency="POL")


@pytest.mark.parametrize("agency", ["HV", "MID"])
def test_a_coordinator_may_edit_their_own_agencies_returns(agency: str) -> None:
    assert decide(COORD, Act.EDIT_RETURN, agency=agency) == Decision(True)


@pytest.mark.parametrize(
    ("agency", "reason"),
    [
        ("POL", "health_named-nurse co-ordinates HV, MID and cannot edit POL's return."),
        ("hv", "health_named-nurse co-ordinates HV, MID and cannot edit hv's return."),
        (None, "health_named-nurse co-ordinates HV, MID and cannot edit another agency's return."),
    ],
)
def test_a_coordinator_may_not_edit_other_agencies_returns(agency: str | None, reason: str) -> None:
    decision = decide(COORD, Act.EDIT_RETURN, agency=agency)
    assert not decision
    assert decision.reason == reason


def test_a_coordinator_without_agencies_edits_nothing() -> None:
    decision = decide(User("lost", Role.COORDINATOR), Act.EDIT_RETURN, agency="CSC")
    assert decision.reason == "lost co-ordinates no agency and cannot edit CSC's return."


@pytest.mark.parametrize("act", list(Act))
def test_nobody_may_do_anything(act: Act) -> None:
    decision = decide(None, act, agency="CSC")
    assert not decision
    assert decision.reason == "You are not a user of this workspace."


def test_partnership_defaults() -> None:
    assert Partnership().agency_codes() == []
    assert Partnership(agencies=[Agency("CSC", "Children")]).agency_name("CSC") == "Children"
    assert Role.COORDINATOR.label == "audit co-ordinator"
