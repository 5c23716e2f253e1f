"""The Markdown report of the demo audit: a golden file, its headings, what it leaves out.

The fixture is the demo scope and candidate cases from ``sample_data/`` with a cohort
drawn by seed, and a few returns, discussions, findings and actions written here, so
the report has something in every section.  ``build_fixture`` is also used by the
hostile-text tests.

To regenerate the golden file after a deliberate change, run with
``MACA_UPDATE_GOLDEN=1`` and read the result before committing it.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from markdown_it import MarkdownIt

from audit.cases import CandidateCase
from audit.screening import screen_cases
from audit.csv_import import parse_candidates
from audit.draw import Lookback, balance_function, draw
from audit.findings import (
    Action,
    ActionStatus,
    Attendee,
    Column,
    Discussion,
    Embedded,
    Finding,
    Retest,
)
from audit.grades import Answer, Grade
from audit.narrative import ReportText
from audit.partnership import Partnership
from audit.report import build_report
from audit.report_evidence import EarlierAudit
from audit.returns import QuestionAnswer, Return, SectionReturn, Status
from audit.scope import Audit, Draw
from storage.demo import DEMO_AUDIT, demo_audit, demo_partnership, sample_path

GOLDEN = Path(__file__).parent / "golden" / "demo_report.md"
TODAY = date(2021, 4, 20)
SEED = 271828

O, G, R, I = Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE
OBJECTIVES = ("curiosity", "fathers", "unborn", "escalation", "maternal_mh", "covid")


@dataclass
class Fixture:
    audit: Audit
    partnership: Partnership
    cases: list[CandidateCase]
    returns: list[Return] = field(default_factory=list)
    discussions: list[Discussion] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    earlier: dict[str, Finding] = field(default_factory=dict)
    text: ReportText | None = None
    earlier_audits: list[EarlierAudit] = field(default_factory=list)

    def build(self, today: date = TODAY):
        return build_report(self.audit, self.partnership, self.cases, self.returns, self.discussions,
                            self.findings, self.actions, self.earlier, today, text=self.text,
                            earlier_audits=self.earlier_audits)


ANSWER_CYCLE = (Answer.YES, Answer.YES, Answer.PARTLY, Answer.NO, Answer.NA, None)


def graded(case_ref: str, agency: str, status: Status, grades: str, audit: Audit | None = None) -> Return:
    """A return whose six section grades are spelt ``"RIGGRG"`` (O, G, R, I, or - for none).

    With ``audit``, a graded return also answers its tool's questions, cycling through
    yes, yes, partly, no, n/a and blank from a start set by the case and agency.
    """
    letters = {"O": O, "G": G, "R": R, "I": I, "-": None}
    sections = {obj: SectionReturn(letters[g], "Rationale.") for obj, g in zip(OBJECTIVES, grades)}
    answers = {}
    if audit is not None and agency in audit.tools and "-" not in grades:
        start = sum(map(ord, case_ref + agency))
        for n, qid in enumerate(audit.tools[agency].question_ids()):
            answer = ANSWER_CYCLE[(start + n) % len(ANSWER_CYCLE)]
            if answer is not None:
                answers[qid] = QuestionAnswer(answer, "Seen in the record.")
    return Return(audit=DEMO_AUDIT, case_ref=case_ref, agency=agency, status=status, sections=sections,
                  involved=status is not Status.NOT_INVOLVED, answers=answers)


def demo_cases(audit: Audit, codes: list[str]) -> list[CandidateCase]:
    """The demo's 52 candidates, the cohort drawn from the eligible ones with ``SEED``."""
    imported = parse_candidates(sample_path(f"{DEMO_AUDIT}-cases.csv").read_bytes(), audit=audit.ref,
                                agency_codes=codes, existing_refs=set())
    assert imported.ok
    cases = imported.cases
    eligible = [s.case.case_ref for s in screen_cases(audit, cases, date(2021, 3, 19)) if s.eligible]
    by_ref = {c.case_ref: c for c in cases}
    balance = balance_function("older_siblings", by_ref,
                               Lookback(audit.lookback_start, audit.lookback_end, date(2021, 3, 19)))
    picked = set(draw(eligible, audit.cohort_target, seed=SEED, balance_by=balance))
    audit.draw = Draw(seed=SEED, size=audit.cohort_target, balance_by="older_siblings", drawn_by="rlead",
                      drawn_at=datetime(2021, 3, 19, 10, 30), picked=sorted(picked))
    return [dataclasses.replace(c, in_cohort=True, drawn=True) if c.case_ref in picked else c for c in cases]


def build_fixture() -> Fixture:
    """A fresh copy of the fixture (built once: reading the demo's files is the slow part)."""
    return copy.deepcopy(_fixture())


@functools.cache
def _fixture() -> Fixture:
    partnership, _ = demo_partnership()
    audit = demo_audit(partnership.agency_codes())
    audit.milestones[0].done = True
    cases = demo_cases(audit, partnership.agency_codes())
    cohort = sorted(c.case_ref for c in cases if c.in_cohort)
    a, b, c = cohort[0], cohort[1], cohort[2]
    fx = Fixture(audit, partnership, cases)
    fx.returns = [
        graded(a, "CSC", Status.SUBMITTED, "RIRRGG", audit),
        graded(a, "MID", Status.SUBMITTED, "GRGGGG", audit),
        graded(a, "HV", Status.RESUBMITTED, "GRRRGR"),
        graded(a, "GP", Status.NOT_INVOLVED, "------"),
        graded(a, "POL", Status.SUBMITTED, "GIRR-G"),
        graded(a, "AMH", Status.DRAFT, "OOOOOO"),  # a draft: its grades must not count
        graded(a, "ASM", Status.NOT_INVOLVED, "------"),
        graded(b, "CSC", Status.SUBMITTED, "GRGRGO", audit),
        graded(b, "MID", Status.SUBMITTED, "OGGRGG", audit),
        graded(b, "HV", Status.RETURNED, "IIIIII"),  # back with the agency: not counted
        graded(b, "GP", Status.SUBMITTED, "GRGGRG"),
        graded(b, "POL", Status.DRAFT, "------"),
        graded(c, "CSC", Status.SUBMITTED, "RRRIGG", audit),
        graded(c, "MID", Status.NOT_INVOLVED, "------"),
        graded(c, "ASM", Status.SUBMITTED, "GRGRRG"),
    ]
    said = {
        (a, "CSC"): dict(
            good_practice="The social worker saw the older sibling alone at every visit and recorded what she said.",
            areas_for_development="The plan for the older sibling did not mention the pregnancy until 30 weeks.\n\n"
                                  "The partner's history was not checked with the police.",
            impact_on_child="The baby went home with a safety plan agreed before the birth."),
        (a, "MID"): dict(
            good_practice="Booking at 9 weeks, with routine enquiry about domestic abuse; the booking history "
                          "was shared with the health visitor the same week.",
            impact_on_child="The unborn baby was named in planning from booking onwards."),
        (b, "GP"): dict(
            areas_for_development="The mother's record was not linked to the children's records.",
            recommendations="Link family members' records at registration."),
        (a, "AMH"): dict(good_practice="A draft is never quoted."),
    }
    fx.returns = [dataclasses.replace(r, **said.get((r.case_ref, r.agency), {})) for r in fx.returns]
    fx.discussions = [
        Discussion(audit=DEMO_AUDIT, subject=a, held_on=date(2021, 4, 12),
                   attendees=[Attendee("CSC", "Team manager"), Attendee("MID", "Named midwife")],
                   agreed_grades={"curiosity": R, "fathers": I, "unborn": R, "escalation": R,
                                  "maternal_mh": G, "covid": G},
                   worked_well=["Midwifery shared the booking history at once."],
                   worked_less_well=["Nobody asked who else lived in the home."]),
        Discussion(audit=DEMO_AUDIT, subject=b, held_on=date(2021, 4, 15),
                   agreed_grades={"curiosity": G, "fathers": R, "unborn": G}),
        Discussion(audit=DEMO_AUDIT, subject=c),  # planned, not yet held
    ]
    fx.findings = [
        Finding(DEMO_AUDIT, "F1", Column.STRENGTH, "Midwives shared the pregnancy at booking",
                "In both cases where midwifery was involved, the midwife told children's services and the "
                "health visitor about the pregnancy at booking, so the unborn baby was named in the older "
                "sibling's plan from the start.", "unborn", [a, b], ["MID", "HV"], position=0),
        Finding(DEMO_AUDIT, "F2", Column.STRENGTH, "Perinatal mental health was asked about at every contact",
                "Health visitors and midwives asked about the mother's mental health at each contact and "
                "shared what they learnt with the GP.", "maternal_mh", [a], ["HV", "MID", "GP"], position=1),
        Finding(DEMO_AUDIT, "F3", Column.DEVELOPMENT, "Fathers and male partners were rarely seen",
                "In all three cases the mother's partner was named in the record but was not seen, and "
                "his history was not sought from the police or adult services.\n\n"
                "Where a partner was known to the police, children's services did not learn of it until "
                "after the birth.", "fathers", [a, b, c], ["CSC", "HV", "POL"], position=0,
                retest=Retest("MACA-B12", "F4", Embedded.NOT_EMBEDDED,
                              "Partners were still not seen or checked in all three cases discussed.")),
        Finding(DEMO_AUDIT, "F4", Column.DEVELOPMENT, "Disagreements about risk were not escalated",
                "Professionals disagreed about the threshold for a pre-birth assessment but nobody used "
                "the escalation policy.", "escalation", [a], ["CSC", "MID"], position=1),
        Finding(DEMO_AUDIT, "F5", Column.DEVELOPMENT, "Chronologies were out of date",
                "Single-agency chronologies had not been updated since the pregnancy was known.", "",
                [b, c], ["CSC"], position=2),
        Finding(DEMO_AUDIT, "F6", Column.RECOMMENDATION, "Assess every adult in the household",
                "Every agency's assessment should name, see and check the history of every adult in the "
                "household, including partners who do not live there full time.", "fathers", [a, b, c],
                ["CSC", "HV", "POL"], position=0),
        Finding(DEMO_AUDIT, "F7", Column.RECOMMENDATION, "Relaunch the escalation policy",
                "The partnership should relaunch its professional differences policy with a 7-minute "
                "briefing.", "escalation", [a], [], position=1),
        Finding(DEMO_AUDIT, "F8", Column.STRENGTH, "A co-ordinator's proposal, not yet accepted",
                "This must not appear in the report.", "covid", proposed=True, position=2),
    ]
    fx.actions = [
        Action(DEMO_AUDIT, "A1", "F6", "Add partners and other adults to the single assessment template.",
               "CSC", date(2021, 6, 30), ActionStatus.AGREED),
        Action(DEMO_AUDIT, "A2", "F6", "Ask about every adult in the home at the new birth visit.", "HV",
               date(2021, 4, 30), ActionStatus.IN_PROGRESS),
        Action(DEMO_AUDIT, "A3", "F6", "Share domestic abuse call-outs with midwifery within 24 hours.",
               "POL", date(2021, 3, 31), ActionStatus.AGREED),
        Action(DEMO_AUDIT, "A10", "F7", "Publish a 7-minute briefing on the escalation policy.", "CSC",
               date(2021, 3, 1), ActionStatus.COMPLETE),
    ]
    fx.text = ReportText(
        DEMO_AUDIT,
        summary="Practice with unborn babies has improved since review C86, but fathers and other men in "
                "the household are still rarely seen or checked.",
        conclusions="The partnership can be confident that pregnancies are shared at booking.\n\n"
                    "It cannot yet be confident that every adult in the household is known.",
        objectives={"fathers": "In every case discussed the mother's partner was named but not seen.",
                    "unborn": "Midwives shared the pregnancy at booking in both cases they held."})
    fx.earlier = {"MACA-B12/F4": Finding("MACA-B12", "F4", Column.DEVELOPMENT,
                                          "Men in the household were not assessed")}
    return fx


# ----------------------------------------------------------------------------- tests


def test_demo_report_matches_the_golden_file() -> None:
    text = build_fixture().build().markdown
    if os.environ.get("MACA_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_the_same_data_gives_the_same_report() -> None:
    assert build_fixture().build().markdown == build_fixture().build().markdown


EXPECTED_SECTIONS = [
    "Summary", "Background", "Purpose and objectives", "Methodology", "Cohort profile",
    "Findings by objective", "Case discussions", "Comparison with earlier audits", "Good practice",
    "Areas for development", "Conclusions", "Recommendations and action plan",
    "Learning re-tested from earlier audits", "Timeline", "Appendix: returns",
]


def test_headings_follow_practice_in_order_with_their_line_numbers() -> None:
    report = build_fixture().build()
    assert report.headings[0] == (1, "MACA-C86: Unborn babies, older siblings and multiple adversity", 1)
    assert [t for level, t, _ in report.headings if level == 2] == EXPECTED_SECTIONS
    objective_titles = [t for level, t, _ in report.headings if level == 3 and t[0].isdigit()]
    assert objective_titles[0] == "1. Professional curiosity"
    assert len(objective_titles) == 6
    # The line numbers are where markdown-it finds the headings (1-based).
    tokens = MarkdownIt("commonmark").enable("table").parse(report.markdown)
    opened = [(int(t.tag[1]), t.map[0] + 1) for t in tokens if t.type == "heading_open"]
    assert opened == [(level, line) for level, _, line in report.headings]
    lines = report.markdown.split("\n")
    for level, _, line in report.headings:
        assert lines[line - 1].startswith("#" * level + " ")


def test_report_never_carries_identifiers_or_notes() -> None:
    fx = build_fixture()
    text = fx.build().markdown
    checked = 0
    for case in fx.cases:
        for value in (case.family_name, *case.system_ids.split(";"), case.notes, case.decision_reason):
            if value.strip():
                assert value.strip() not in text
                checked += 1
        if case.child_dob is not None:
            assert case.child_dob.strftime("%d/%m/%Y") not in text
            assert case.child_dob.isoformat() not in text
    assert checked > 100  # the demo's cases really do carry identifiers
    assert "This must not appear" not in text  # a proposal is not a finding yet
    assert "A draft is never quoted" not in text
    assert "rlead" not in text  # logins are not part of the report


def test_the_draw_is_described_with_its_seed() -> None:
    text = build_fixture().build().markdown
    assert f"with seed {SEED}, balanced by older siblings (0, 1, 2, 3+)" in text


def test_empty_sections_say_so() -> None:
    fx = build_fixture()
    fx.returns = fx.discussions = fx.findings = fx.actions = []
    fx.audit.milestones = []
    fx.audit.background = "  "
    text = fx.build().markdown
    for sentence in (
        "No background has been recorded.",
        "No good practice has been recorded yet.",
        "No areas for development have been recorded yet.",
        "No recommendations have been agreed yet.",
        "No actions have been agreed yet.",
        "No learning from earlier audits has been re-tested in this audit.",
        "No milestones have been set for this audit.",
        "No case has been discussed yet, so no grades have been agreed.",
    ):
        assert sentence in text
    assert [t for level, t, _ in fx.build().headings if level == 2] == EXPECTED_SECTIONS


def test_an_audit_without_a_cohort_still_reports() -> None:
    fx = build_fixture()
    fx.cases = [dataclasses.replace(c, in_cohort=False) for c in fx.cases]
    fx.audit.draw = None
    text = fx.build().markdown
    assert "No cases have been selected for the cohort yet." in text
    assert "The cohort has not been selected yet." in text
    assert "No returns are expected until the cohort is selected" in text


def test_action_plan_shows_owner_due_status_and_rag() -> None:
    text = build_fixture().build().markdown
    assert "| A2 | F6 | Ask about every adult in the home at the new birth visit. | Health visiting | " \
           "30/04/2021 | in progress | Amber (at risk) |" in text
    assert "| A1 | F6 | Add partners and other adults to the single assessment template. | " \
           "Children's services | 30/06/2021 | agreed | Green (on track) |" in text
    assert "call-outs with midwifery within 24 hours. | Police | 31/03/2021 | agreed | Red (overdue) |" in text
    assert "| 01/03/2021 | complete | Complete |" in text
    # Natural order: A10 after A3.
    assert text.index("| A3 |") < text.index("| A10 |")


def test_a_finding_citing_a_case_outside_the_cohort_is_flagged() -> None:
    """Issue 18 item 1: a case taken out of the cohort after a finding cited it."""
    fx = build_fixture()
    cited = next(f for f in fx.findings if f.cases)
    gone = cited.cases[0]
    assert "Not in the cohort" not in fx.build().markdown
    fx.cases = [dataclasses.replace(c, in_cohort=False) if c.case_ref == gone else c for c in fx.cases]
    text = fx.build().markdown
    assert (f"**Not in the cohort**: {gone} was taken out of the cohort after this finding cited it; "
            "review the finding.") in text
    assert text.count("**Not in the cohort**") == sum(1 for f in fx.findings if gone in f.cases and not f.proposed)
