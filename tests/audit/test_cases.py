"""The candidate case model: storage round trip, references and identifiers."""

import dataclasses
from datetime import date, datetime

import pytest

from audit.cases import (
    IDENTIFIER_FIELDS,
    CandidateCase,
    Engagement,
    identifier_strings,
    is_case_ref,
)
from audit.codec import from_doc, to_doc
from audit.csv_import import COLUMNS


def test_key_joins_audit_and_reference() -> None:
    assert CandidateCase(audit="MACA-C86", case_ref="C-001").key == "MACA-C86/C-001"


def test_unknown_is_not_no() -> None:
    case = CandidateCase(audit="A", case_ref="1")
    assert case.unborn is None and case.older_siblings is None
    assert case.engagement is None  # blank: unknown
    assert CandidateCase(audit="A", case_ref="1", engagement=[]).engagement == []  # "none"


def test_codec_round_trip_keeps_every_field() -> None:
    case = CandidateCase(
        audit="MACA-C86",
        case_ref="C/2020_7",
        unborn=True,
        older_siblings=2,
        domestic_abuse=False,
        substance_misuse=None,
        maternal_mental_health=True,
        males_in_household=0,
        engagement=[Engagement("CSC", date(2020, 2, 1), date(2020, 11, 30)),
                    Engagement("POL", date(2020, 5, 3))],
        family_name="Smith",
        child_dob=date(2016, 4, 9),
        system_ids="NHS 485 777 3456; LCS 1002",
        notes="[b]kept[/b]",
        in_cohort=True,
        decision_reason="meets all criteria",
        decided_by="alice",
        decided_at=datetime(2021, 3, 1, 9, 30),
        drawn=True,
        rev=3,
    )
    doc = to_doc(case)
    assert doc["engagement"][1] == {"agency": "POL", "start": "2020-05-03", "end": None}
    assert doc["child_dob"] == "2016-04-09"
    assert from_doc(CandidateCase, doc) == case
    # "none" and blank engagement survive storage as different things
    assert from_doc(CandidateCase, to_doc(CandidateCase("A", "1", engagement=[]))).engagement == []
    assert from_doc(CandidateCase, to_doc(CandidateCase("A", "1"))).engagement is None


def test_csv_columns_follow_the_field_order() -> None:
    # csv_import builds cases positionally from COLUMNS
    names = [f.name for f in dataclasses.fields(CandidateCase)]
    assert names[0] == "audit"
    assert names[1 : 1 + len(COLUMNS)] == list(COLUMNS)


@pytest.mark.parametrize("ref", ["C1", "a", "MACA-C86/12_b", "x" * 40, "2020/001"])
def test_valid_case_refs(ref: str) -> None:
    assert is_case_ref(ref)


@pytest.mark.parametrize("ref", ["", "x" * 41, "C 1", "C.1", "Ç1", "C1\n", "<b>", "C:1", "١"])
def test_invalid_case_refs(ref: str) -> None:
    assert not is_case_ref(ref)


def test_identifier_strings() -> None:
    assert IDENTIFIER_FIELDS == ("family_name", "child_dob", "system_ids")
    case = CandidateCase(
        audit="A",
        case_ref="1",
        family_name=" Smith ",
        child_dob=date(2016, 4, 9),
        system_ids="NHS 485 777 3456; LCS 1002",
    )
    assert identifier_strings(case) == [
        "Smith",
        "2016-04-09",
        "09/04/2016",
        "NHS 485 777 3456; LCS 1002",
        "NHS 485 777 3456",
        "LCS 1002",
    ]


def test_identifier_strings_skip_blanks() -> None:
    assert identifier_strings(CandidateCase(audit="A", case_ref="1")) == []
    one_id = CandidateCase(audit="A", case_ref="1", system_ids="RIO123")
    assert identifier_strings(one_id) == ["RIO123"]
