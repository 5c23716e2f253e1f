"""The scope file (DESIGN §5): the sample parses to the audit it describes, each kind of
mistake gets its own exact sentence, the Rapid Review clock counts English bank holidays,
and an audit survives the codec unchanged."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from audit.codec import from_doc, to_doc
from audit.criteria import Criterion
from audit.scope import Audit, Kind, Milestone, Objective, Stage, validate_audit
from audit.scope_file import ScopeError, parse_scope
from audit.tools import tools_for_audit
from audit.workdays import add_working_days, is_working_day, rapid_review_due

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
CODES = ["CSC", "MID", "HV", "GP", "ASM", "AMH", "EY", "POL"]

BASE = """\
ref = "MACA-T1"
title = "A test audit"
cohort_target = 5
lookback = { start = 2020-01-01, end = 2020-12-31 }
agencies = ["CSC", "POL"]
"""


def problems_of(text: str, codes: list[str] = CODES) -> list[str]:
    with pytest.raises(ScopeError) as caught:
        parse_scope(text, source="scope.toml", agency_codes=codes)
    assert str(caught.value) == "scope.toml: " + "\n".join(caught.value.problems)
    assert caught.value.source == "scope.toml"
    return caught.value.problems


def sample_audit() -> Audit:
    text = (SAMPLE / "MACA-C86.toml").read_text(encoding="utf-8")
    audit = parse_scope(text, source="MACA-C86.toml", agency_codes=CODES).audit
    audit.tools = tools_for_audit(audit.agencies, [(o.id, o.title) for o in audit.objectives],
                                  directory=SAMPLE / "templates")
    return audit


# ---------------------------------------------------------------------- the good file


def test_the_sample_scope_parses_to_the_demo_audit() -> None:
    scope = parse_scope((SAMPLE / "MACA-C86.toml").read_text(encoding="utf-8"), source="s", agency_codes=CODES)
    audit = scope.audit
    assert scope.template_files == {}
    assert (audit.ref, audit.kind, audit.stage, audit.linked_review) == ("MACA-C86", Kind.MACA, Stage.FIELDWORK, "C86")
    assert audit.title == "Unborn babies, older siblings and multiple adversity"
    assert audit.background.startswith("In November 2020 a baby of eight months living in Riverbay")
    assert len(audit.purpose) == 3
    assert audit.cohort_target == 15
    assert (audit.lookback_start, audit.lookback_end) == (date(2020, 1, 1), date(2020, 12, 31))
    assert audit.agencies == CODES
    assert audit.notification_date == date(2020, 11, 9)
    assert audit.rapid_review_due == date(2020, 11, 30)
    assert [o.id for o in audit.objectives] == ["curiosity", "fathers", "unborn", "escalation", "maternal_mh", "covid"]
    assert audit.objective("fathers").title == "Birth fathers and males in the household"
    assert audit.criteria == [
        Criterion("unborn_and_sibling", "Unborn baby and older sibling", "all", ["unborn", "older_sibling"]),
        Criterion("da_or_substance", "Domestic abuse or substance misuse", "any",
                  ["domestic_abuse", "substance_misuse"]),
        Criterion("maternal_mental_health", "Maternal ill mental health", "all", ["maternal_mental_health"]),
        Criterion("engaged_in_period", "Engaged with key services in the lookback period", "engaged_with", [], None),
    ]
    assert [(m.name, m.due, m.done) for m in audit.milestones] == [
        ("Cases selected and agencies notified", date(2021, 3, 19), False),
        ("Agency audits returned", date(2021, 4, 30), False),
        ("Multi-agency discussions held", date(2021, 5, 14), False),
        ("Final draft report to the Business Group", date(2021, 5, 27), False),
        ("Learning seminar and 7-minute briefing", date(2021, 6, 24), False),
    ]
    assert audit.returns_due() == date(2021, 4, 30)
    assert validate_audit(audit, CODES) == []


def test_a_minimal_scope_takes_the_defaults_and_matches_agency_codes_in_any_case() -> None:
    audit = parse_scope(BASE.replace('["CSC", "POL"]', '["csc", " Pol "]'), source="s", agency_codes=CODES).audit
    assert audit.agencies == ["CSC", "POL"]
    assert (audit.kind, audit.stage) == (Kind.MACA, Stage.SCOPING)
    assert (audit.objectives, audit.criteria, audit.milestones, audit.purpose) == ([], [], [], [])


def test_kind_and_stage_are_matched_in_any_case() -> None:
    audit = parse_scope(BASE + 'kind = "mata"\nstage = "Cohort"\n', source="s", agency_codes=CODES).audit
    assert (audit.kind, audit.stage) == (Kind.MATA, Stage.COHORT)


# ---------------------------------------------------------------------- each kind of bad


BAD = {
    "not TOML": ("ref = \n", ["This is not valid TOML (Invalid value, at column 7)."]),
    "ref missing": (BASE.replace('ref = "MACA-T1"\n', ""), ["ref is missing."]),
    "ref empty": (BASE.replace('"MACA-T1"', '"  "'), ["ref is empty."]),
    "ref not valid": (BASE.replace('"MACA-T1"', '"MACA C86!"'),
                      ["The reference 'MACA C86!' is not valid: use 1-40 letters, digits, '-', '_' or '/'."]),
    "title missing": (BASE.replace('title = "A test audit"\n', ""), ["title is missing."]),
    "title not text": (BASE.replace('"A test audit"', "42"), ["title must be text."]),
    "bad kind": (BASE + 'kind = "AUDIT"\n', ["kind must be \"MACA\" or \"MATA\", not 'AUDIT'."]),
    "bad stage": (BASE + 'stage = "done"\n',
                  ["stage must be one of scoping, cohort, fieldwork, discussion, reporting, report approved, learning shared, closed, not 'done'."]),
    "cohort_target not a whole number": (BASE.replace("cohort_target = 5", 'cohort_target = "15"'),
                                         ["cohort_target must be a whole number, e.g. cohort_target = 15."]),
    "cohort_target a fraction": (BASE.replace("cohort_target = 5", "cohort_target = 7.5"),
                                 ["cohort_target must be a whole number, e.g. cohort_target = 15."]),
    "cohort_target true": (BASE.replace("cohort_target = 5", "cohort_target = true"),
                           ["cohort_target must be a whole number, e.g. cohort_target = 15."]),
    "cohort_target missing": (BASE.replace("cohort_target = 5\n", ""),
                              ["cohort_target must be a whole number, e.g. cohort_target = 15."]),
    "cohort_target 0": (BASE.replace("cohort_target = 5", "cohort_target = 0"),
                        ["The cohort target must be a whole number from 1 to 10,000."]),
    "lookback missing": (BASE.replace("lookback = { start = 2020-01-01, end = 2020-12-31 }\n", ""),
                         ["lookback must be a table, e.g. lookback = { start = 2020-01-01, end = 2020-12-31 }."]),
    "lookback without end": (BASE.replace(", end = 2020-12-31", ""), ["lookback.end is missing."]),
    "lookback start not a date": (BASE.replace("start = 2020-01-01", "start = 2020"),
                                  ["lookback.start must be a date such as 2021-04-30."]),
    "lookback start after end": (BASE.replace("start = 2020-01-01", "start = 2021-01-01"),
                                 ["The lookback period starts after it ends."]),
    "unknown agency": (BASE.replace('["CSC", "POL"]', '["CSC", "XYZ"]'),
                       ["Unknown agency XYZ; the workspace's agencies are CSC, MID, HV, GP, ASM, AMH, EY, POL."]),
    "agency twice": (BASE.replace('["CSC", "POL"]', '["CSC", "csc"]'), ["An agency is listed twice."]),
    "agencies not a list": (BASE.replace('["CSC", "POL"]', '"CSC"'),
                            ['agencies must be a list of agency codes, e.g. agencies = ["CSC", "POL"].']),
    "duplicate objective id": (BASE + '[[objectives]]\nid = "curiosity"\ntitle = "A"\n'
                                      '[[objectives]]\nid = "curiosity"\ntitle = "B"\n',
                               ["Objective id 'curiosity' is used twice."]),
    "bad objective id": (BASE + '[[objectives]]\nid = "Professional curiosity"\ntitle = "A"\n',
                         ["Objective id 'Professional curiosity' is not valid: use lower-case letters, digits "
                          "and '_', starting with a letter."]),
    "objective without title": (BASE + '[[objectives]]\nid = "curiosity"\n', ["objectives[1].title is missing."]),
    "objectives not tables": (BASE + 'objectives = ["curiosity"]\n', ["objectives must be written as [[objectives]] tables."]),
    "unknown predicate": (BASE + '[[criteria]]\nid = "c1"\nlabel = "C"\nall = ["unborn", "pets"]\n',
                          ['criteria[1]: unknown predicate "pets"; expected one of unborn, older_sibling, '
                           "domestic_abuse, substance_misuse, maternal_mental_health or males_in_household."]),
    "criterion without a kind": (BASE + '[[criteria]]\nid = "c1"\nlabel = "C"\n',
                                 ["criteria[1]: needs one of all, any or engaged_with."]),
    "criterion id twice": (BASE + '[[criteria]]\nid = "c1"\nlabel = "A"\nall = ["unborn"]\n'
                                  '[[criteria]]\nid = "c1"\nlabel = "B"\nany = ["unborn"]\n',
                           ["A criterion id is used twice."]),
    "criterion names an unknown agency": (BASE + '[[criteria]]\nid = "c1"\nlabel = "A"\nengaged_with = ["ZZ"]\n',
                                          ["Criterion 'c1' names unknown agency 'ZZ'."]),
    "unknown top-level key": (BASE + 'colour = "red"\n', ["Unknown setting 'colour'."]),
    "milestone without due": (BASE + '[[milestones]]\nname = "Fieldwork complete"\n',
                              ["milestones[1].due is missing."]),
    "milestone with an impossible due": (BASE + '[[milestones]]\nname = "Fieldwork"\ndue = "31/02/2021"\n',
                                         ['milestones[1].due: "31/02/2021" is not a real date.']),
    "milestone without name": (BASE + '[[milestones]]\ndue = 2021-04-30\n', ["milestones[1].name is missing."]),
    "purpose not text": (BASE + "purpose = [1, 2]\n", ["purpose must be text or a list of text."]),
    "templates not a map of files": (BASE + "templates = { MID = 3 }\n",
                                     ['templates must map agency codes to files, e.g. templates = { MID = '
                                      '"mid-tool.toml" }.']),
}


# The TOML line each problem above is on; a missing top-level setting has none.
LINES = {
    "not TOML": 1, "ref empty": 1, "ref not valid": 1, "title not text": 2, "bad kind": 6, "bad stage": 6,
    "cohort_target not a whole number": 3, "cohort_target a fraction": 3, "cohort_target true": 3,
    "cohort_target 0": 3, "lookback without end": 4, "lookback start not a date": 4,
    "lookback start after end": 4, "unknown agency": 5, "agency twice": 5, "agencies not a list": 5,
    "duplicate objective id": 10, "bad objective id": 7, "objective without title": 6,
    "objectives not tables": 6, "unknown predicate": 6, "criterion without a kind": 6, "criterion id twice": 6,
    "criterion names an unknown agency": 6, "unknown top-level key": 6, "milestone without due": 6,
    "milestone with an impossible due": 8, "milestone without name": 6, "purpose not text": 6,
    "templates not a map of files": 6,
}


@pytest.mark.parametrize("name", list(BAD))
def test_each_kind_of_bad_scope_has_its_own_sentence_and_line(name: str) -> None:
    text, expected = BAD[name]
    line = LINES.get(name)
    assert problems_of(text) == [f"line {line}: {e}" if line else e for e in expected]


def test_every_problem_of_the_file_is_listed_at_once() -> None:
    text = BASE.replace('ref = "MACA-T1"\n', "").replace("cohort_target = 5", 'cohort_target = "x"')
    text += 'kind = "CASE"\nfoo = 1\n[[milestones]]\nname = "M"\n'
    assert problems_of(text) == [
        "ref is missing.",
        "line 2: cohort_target must be a whole number, e.g. cohort_target = 15.",
        "line 5: kind must be \"MACA\" or \"MATA\", not 'CASE'.",
        "line 6: Unknown setting 'foo'.",
        "line 7: milestones[1].due is missing.",
    ]


def test_problems_of_reading_and_of_checking_come_in_one_round() -> None:
    """Issue 18 item 4: a bad value and a bad whole (an unknown agency, a reversed lookback,
    a duplicate objective) are listed together, each with its line, in the file's order."""
    text = (BASE.replace('"A test audit"', "42").replace('["CSC", "POL"]', '["CSC", "XYZ"]')
            .replace("start = 2020-01-01", "start = 2021-06-01")
            + '[[objectives]]\nid = "curiosity"\ntitle = "A"\n'
            + '[[objectives]]\nid = "curiosity"\n'
            + '[[milestones]]\nname = "Returns"\ndue = "31/02/2021"\n')
    assert problems_of(text) == [
        "line 2: title must be text.",
        "line 4: The lookback period starts after it ends.",
        "line 5: Unknown agency XYZ; the workspace's agencies are CSC, MID, HV, GP, ASM, AMH, EY, POL.",
        "line 9: objectives[2].title is missing.",
        "line 10: Objective id 'curiosity' is used twice.",
        "line 13: milestones[1].due: \"31/02/2021\" is not a real date.",
    ]


def test_control_characters_are_stripped_from_text() -> None:
    audit = parse_scope(BASE.replace("A test audit", "A test\\u001b[31m audit"), source="s", agency_codes=CODES).audit
    assert "\x1b" not in audit.title


# ---------------------------------------------------------------------- validate_audit


def test_validate_audit_lists_every_problem() -> None:
    audit = Audit(
        ref="bad ref!", title="", cohort_target=0,
        lookback_start=date(2021, 1, 1), lookback_end=date(2020, 1, 1),
        agencies=["CSC", "XX", "YY", "CSC"],
        objectives=[Objective("Bad", "T"), Objective("ok", ""), Objective("ok", "x")],
        criteria=[Criterion("c", "C", "all", ["unborn"]), Criterion("c", "C2", "engaged_with", [], ["ZZ"])],
        milestones=[Milestone("  ")],
    )
    assert validate_audit(audit, ["CSC", "POL"]) == [
        "The reference 'bad ref!' is not valid: use 1-40 letters, digits, '-', '_' or '/'.",
        "The audit needs a title.",
        "The cohort target must be a whole number from 1 to 10,000.",
        "The lookback period starts after it ends.",
        "Objective id 'Bad' is not valid: use lower-case letters, digits and '_', starting with a letter.",
        "Objective 'ok' needs a title.",
        "Objective id 'ok' is used twice.",
        "Unknown agencies XX, YY; the workspace's agencies are CSC, POL.",
        "An agency is listed twice.",
        "A criterion id is used twice.",
        "Criterion 'c' names unknown agency 'ZZ'.",
        "A milestone needs a name.",
    ]


def test_validate_audit_limits_sizes() -> None:
    audit = Audit(ref="A/2021_1", title="x" * 201, cohort_target=10_001, background="b" * 20_001)
    assert validate_audit(audit, []) == [
        "The title is longer than 200 characters.",
        "The background is longer than 20,000 characters.",
        "The cohort target must be a whole number from 1 to 10,000.",
    ]
    assert validate_audit(Audit(ref="A/2021_1", title="ok", cohort_target=10_000), []) == []


# ---------------------------------------------------------------------- the Rapid Review clock


def test_rapid_review_due_skips_weekends_and_english_bank_holidays() -> None:
    # Friday 18 December 2020; counting from Monday 21 Dec: 21-24 (4), Christmas Day and
    # the Boxing Day substitute Monday 28 Dec are holidays, 29-31 (7), New Year's Day is a
    # holiday, 4-8 Jan (12), 11-13 Jan (15).  Without holidays it would be 8 January.
    assert rapid_review_due(date(2020, 12, 18)) == date(2021, 1, 13)
    assert not is_working_day(date(2020, 12, 25))
    assert not is_working_day(date(2020, 12, 28))
    assert not is_working_day(date(2021, 1, 1))
    assert is_working_day(date(2020, 12, 24))
    assert not is_working_day(date(2020, 12, 19))  # Saturday


def test_working_days_count_from_the_day_after() -> None:
    assert add_working_days(date(2021, 3, 1), 0) == date(2021, 3, 1)
    assert add_working_days(date(2021, 3, 1), 1) == date(2021, 3, 2)
    assert add_working_days(date(2021, 3, 5), 1) == date(2021, 3, 8)  # Friday -> Monday
    # Easter 2021: Good Friday 2 April and Easter Monday 5 April are bank holidays in England.
    assert add_working_days(date(2021, 4, 1), 1) == date(2021, 4, 6)


def test_an_audit_without_a_notification_has_no_rapid_review_date() -> None:
    assert Audit(ref="A", title="T").rapid_review_due is None


# ---------------------------------------------------------------------- codec


def test_the_demo_audit_survives_the_codec_and_json() -> None:
    audit = sample_audit()
    assert set(audit.tools) == set(CODES)
    doc = to_doc(audit)
    assert doc["ref"] == "MACA-C86"
    assert doc["lookback_start"] == "2020-01-01"
    assert doc["kind"] == "MACA" and doc["stage"] == "fieldwork"
    assert from_doc(Audit, doc) == audit
    # And as stored: through JSON text and back.
    assert from_doc(Audit, json.loads(json.dumps(doc))) == audit
    # Decoding builds fresh containers: the document and the model share nothing.
    decoded = from_doc(Audit, doc)
    decoded.objectives.append(Objective("extra", "Extra"))
    assert len(doc["objectives"]) == 6
