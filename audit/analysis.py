"""The audit's numbers: one computation shared by the analysis screen and the report.

:func:`analyse` is pure and cheap (a single pass over cases, returns and discussions),
so a screen can call it on every refresh and the report quotes exactly what the screen
shows.

Decisions where the design is silent:

- **Grades count only from received, completed returns** (submitted or resubmitted).
  Drafts are still changing and a return sent back for clarification is being reworked,
  so neither is evidence yet; a "not involved" return may hold grades typed before it was
  marked not involved, and those count for nothing (as in :mod:`audit.returns`).
- **Only the cohort counts.**  Returns and discussions of a case that is no longer in
  the cohort, and returns of an agency that no longer takes part, are left out of every
  number; a cohort case × agency with no stored return counts as *not started*.
- **Expected returns** are cohort cases × participating agencies.  *Received* means
  a completed audit tool with the lead (submitted or resubmitted, :func:`audit.returns.is_received`);
  *not involved* is counted apart, neither received nor outstanding; *outstanding* is the
  rest, and overdue once the audit's returns milestone has passed.
- **Agreed grades** come from the case's discussion (``session_kind == "case"``,
  subject = case ref).  A case not yet discussed has no agreed grades.
- **Question counts** come from the same completed returns as the grades: for each
  question of each agency's audit tool (the copy held by the audit), how many returns
  answered yes, partly, no or not applicable, out of that agency's completed returns
  for the cohort ("yes in 9, partly in 3, no in 2, n/a in 1 of 15 cases"); a completed
  return that left the question blank counts as not answered.
- Screening uses the audit's criteria and lookback; an audit with no lookback yet cannot
  be screened, so every candidate counts as *unknown* rather than failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from audit.cases import AGE_BANDS, NOT_RECORDED_BAND, CandidateCase, age_band
from audit.screening import screen_cases
from audit.findings import Discussion
from audit.grades import Answer, Grade, distribution, most_common
from audit.profile import profile_counts
from audit.returns import OUTSTANDING, RECEIVED, Return, Status
from audit.scope import Audit, Draw

GRADED_STATUSES = frozenset({Status.SUBMITTED, Status.RESUBMITTED})
"""Statuses whose section grades count (see the module docstring)."""

FEATURES: tuple[tuple[str, str], ...] = (
    ("unborn", "Unborn baby"),
    ("domestic_abuse", "Domestic abuse"),
    ("substance_misuse", "Substance misuse"),
    ("maternal_mental_health", "Maternal ill mental health"),
)
"""Yes/no features of a case profiled for the cohort: (attribute, label)."""


@dataclass(frozen=True, slots=True)
class GradeCell:
    """Grades given in one cell of a grid: how many of each, and the most common."""

    distribution: dict[Grade, int]
    most_common: Grade | None

    @property
    def total(self) -> int:
        return sum(self.distribution.values())

    @property
    def tied(self) -> bool:
        """Graded, but two or more grades were each given most often."""
        return self.most_common is None and self.total > 0

    @classmethod
    def of(cls, grades: list[Grade]) -> GradeCell:
        return cls(distribution(grades), most_common(grades))


@dataclass(frozen=True, slots=True)
class Screening:
    """How the candidates fared against the criteria, and how the cohort was picked."""

    screened: int = 0
    eligible: int = 0
    not_eligible: int = 0
    unknown: int = 0
    selected: int = 0
    target: int = 0
    selected_not_eligible: int = 0  # picked although a criterion is unmet or unknown
    drawn: int = 0  # selected cases that came from the random draw
    draw: Draw | None = None


@dataclass(frozen=True, slots=True)
class ReturnCounts:
    """Returns of the cohort: by status, overall and per agency."""

    expected: int = 0
    by_status: dict[Status, int] = field(default_factory=dict)  # every status, zeros kept
    by_agency: dict[str, dict[Status, int]] = field(default_factory=dict)
    due: date | None = None
    overdue: int = 0  # outstanding once the returns milestone has passed

    @property
    def received(self) -> int:
        """Completed audit tools with the lead: submitted or resubmitted."""
        return sum(n for s, n in self.by_status.items() if s in RECEIVED)

    @property
    def completed(self) -> int:
        """Received with the audit tool filled in (submitted or resubmitted)."""
        return sum(n for s, n in self.by_status.items() if s in GRADED_STATUSES)

    @property
    def not_involved(self) -> int:
        return self.by_status.get(Status.NOT_INVOLVED, 0)

    @property
    def outstanding(self) -> int:
        return self.expected - self.received - self.not_involved



@dataclass(frozen=True, slots=True)
class QuestionCount:
    """How one agency's completed returns answered one question of its audit tool."""

    agency: str
    question_id: str
    number: str  # the question's number in the tool, "2.3"
    text: str  # the question as the tool asks it (template text)
    answers: dict[Answer, int]  # every answer, zeros kept, in the tool's order
    returns: int  # the agency's completed returns for the cohort

    @property
    def answered(self) -> int:
        return sum(self.answers.values())

    @property
    def not_answered(self) -> int:
        return self.returns - self.answered

    def sentence(self) -> str:
        """``yes in 9, partly in 3, no in 2, n/a in 1 of 15 cases`` (zeros left out)."""
        parts = [f"{answer.value} in {n}" for answer, n in self.answers.items() if n]
        if self.not_answered:
            parts.append(f"not answered in {self.not_answered}")
        counted = ", ".join(parts) or "no answers"
        return f"{counted} of {self.returns} {'case' if self.returns == 1 else 'cases'}"


@dataclass(frozen=True, slots=True)
class Analysis:
    """Every number the analysis screen shows and the report quotes."""

    audit: str
    today: date
    objectives: list[str]  # objective ids, in scope order
    agencies: list[str]  # participating agency codes, in scope order
    cohort: list[str]  # cohort case refs, sorted
    screening: Screening
    returns: ReturnCounts
    # return status per cohort case and agency ("not started" when none is stored)
    return_status: dict[str, dict[str, Status]]
    # objective id -> agency code -> grades from that agency's completed returns
    agency_grid: dict[str, dict[str, GradeCell]]
    # objective id -> every agency's grades together
    objective_totals: dict[str, GradeCell]
    # case ref -> objective id -> the grade agreed at the case discussion (None: not agreed)
    case_grid: dict[str, dict[str, Grade | None]]
    # objective id -> the agreed grades across discussed cases
    agreed_totals: dict[str, GradeCell]
    discussed: list[str]  # cohort case refs whose discussion has been held, sorted
    # case ref -> agencies whose completed return contributed to the case, scope order
    contributing: dict[str, list[str]]
    # feature attribute -> (yes, no, not recorded) across the cohort
    features: dict[str, tuple[int, int, int]]
    # age band at the start of the lookback -> cases of the cohort (every band, zeros kept)
    age_bands: dict[str, int] = field(default_factory=dict)
    # profile column (gender, ethnicity, level_of_intervention) -> category -> cases of the
    # cohort: one-way counts (every category, zeros kept; ethnicity by ONS 2021 group)
    profile: dict[str, dict[str, int]] = field(default_factory=dict)
    # objective id -> each agency's questions for it (scope order of agencies, tool order of
    # questions), counted over the agency's completed returns for the cohort
    questions: dict[str, list[QuestionCount]] = field(default_factory=dict)


def analyse(
    audit: Audit,
    cases: list[CandidateCase],
    returns: list[Return],
    discussions: list[Discussion],
    today: date,
) -> Analysis:
    """Compute the audit's numbers (see the module docstring for what counts)."""
    objectives = [o.id for o in audit.objectives]
    agencies = list(audit.agencies)
    cohort_cases = sorted((c for c in cases if c.in_cohort and c.audit == audit.ref), key=lambda c: c.case_ref)
    cohort = [c.case_ref for c in cohort_cases]
    in_cohort = set(cohort)
    taking_part = set(agencies)

    screening = _screening(audit, cases, today)

    # Returns of the cohort, one per case and agency.
    status: dict[str, dict[str, Status]] = {ref: dict.fromkeys(agencies, Status.NOT_STARTED) for ref in cohort}
    grades: dict[str, dict[str, list[Grade]]] = {o: {a: [] for a in agencies} for o in objectives}
    contributing_sets: dict[str, set[str]] = {ref: set() for ref in cohort}
    completed: list[Return] = []
    for ret in returns:
        if ret.audit != audit.ref or ret.case_ref not in in_cohort or ret.agency not in taking_part:
            continue
        status[ret.case_ref][ret.agency] = ret.status
        if ret.status not in GRADED_STATUSES:
            continue
        completed.append(ret)
        contributing_sets[ret.case_ref].add(ret.agency)
        for objective_id, section in ret.sections.items():
            if section.grade is not None and objective_id in grades:
                grades[objective_id][ret.agency].append(section.grade)

    by_status = dict.fromkeys(Status, 0)
    by_agency = {a: dict.fromkeys(Status, 0) for a in agencies}
    for ref in cohort:
        for agency, st in status[ref].items():
            by_status[st] += 1
            by_agency[agency][st] += 1
    due = audit.returns_due()
    outstanding = sum(n for s, n in by_status.items() if s in OUTSTANDING)
    counts = ReturnCounts(
        expected=len(cohort) * len(agencies),
        by_status=by_status,
        by_agency=by_agency,
        due=due,
        overdue=outstanding if due is not None and today > due else 0,
    )

    agency_grid = {o: {a: GradeCell.of(grades[o][a]) for a in agencies} for o in objectives}
    objective_totals = {o: GradeCell.of([g for a in agencies for g in grades[o][a]]) for o in objectives}

    # Agreed grades from each cohort case's discussion.
    case_grid: dict[str, dict[str, Grade | None]] = {ref: dict.fromkeys(objectives) for ref in cohort}
    discussed: set[str] = set()
    for discussion in discussions:
        if (discussion.audit != audit.ref or discussion.session_kind != "case"
                or discussion.subject not in in_cohort):
            continue
        if discussion.held_on is not None:
            discussed.add(discussion.subject)
        row = case_grid[discussion.subject]
        for objective_id, grade in discussion.agreed_grades.items():
            if objective_id in row:
                row[objective_id] = grade
    agreed_totals = {
        o: GradeCell.of([g for ref in cohort if (g := case_grid[ref][o]) is not None]) for o in objectives
    }

    questions = _question_counts(audit, objectives, agencies, completed)

    features = {}
    for attr, _ in FEATURES:
        values = [getattr(c, attr) for c in cohort_cases]
        features[attr] = (values.count(True), values.count(False), values.count(None))

    return Analysis(
        audit=audit.ref,
        today=today,
        objectives=objectives,
        agencies=agencies,
        cohort=cohort,
        screening=screening,
        returns=counts,
        return_status=status,
        agency_grid=agency_grid,
        objective_totals=objective_totals,
        case_grid=case_grid,
        agreed_totals=agreed_totals,
        discussed=sorted(discussed),
        contributing={ref: [a for a in agencies if a in contributing_sets[ref]] for ref in cohort},
        features=features,
        questions=questions,
        age_bands=_age_bands(cohort_cases, audit.lookback_start),
        profile=profile_counts([c.gender for c in cohort_cases], [c.ethnicity for c in cohort_cases],
                               [c.level_of_intervention for c in cohort_cases]),
    )


def _age_bands(cohort: list[CandidateCase], start: date | None) -> dict[str, int]:
    """One-way counts of the cohort's age bands (never crossed with anything else)."""
    counts = dict.fromkeys((*AGE_BANDS, NOT_RECORDED_BAND), 0)
    for case in cohort:
        counts[age_band(case.child_dob, start)] += 1
    return counts


def _question_counts(audit: Audit, objectives: list[str], agencies: list[str],
                     completed: list[Return]) -> dict[str, list[QuestionCount]]:
    """Answers per question of each agency's tool, over its completed cohort returns."""
    by_agency: dict[str, list[Return]] = {a: [] for a in agencies}
    for ret in completed:
        by_agency[ret.agency].append(ret)
    found: dict[str, list[QuestionCount]] = {o: [] for o in objectives}
    for agency in agencies:
        tool = audit.tools.get(agency)
        if tool is None:
            continue
        mine = by_agency[agency]
        for number, section, question in tool.numbered():
            if section.objective not in found:
                continue
            counts = dict.fromkeys(Answer, 0)
            for ret in mine:
                given = ret.answers.get(question.id)
                if given is not None and given.answer is not None:
                    counts[given.answer] += 1
            found[section.objective].append(
                QuestionCount(agency, question.id, number, question.text, counts, len(mine)))
    return found


def _screening(audit: Audit, cases: list[CandidateCase], today: date) -> Screening:
    mine = [c for c in cases if c.audit == audit.ref]
    if audit.lookback_start is None or audit.lookback_end is None:
        verdicts: list[bool | None] = [None] * len(mine)
    else:
        verdicts = [s.eligible for s in screen_cases(audit, mine, today)]
    selected = [(c, v) for c, v in zip(mine, verdicts) if c.in_cohort]
    return Screening(
        screened=len(mine),
        eligible=verdicts.count(True),
        not_eligible=verdicts.count(False),
        unknown=verdicts.count(None),
        selected=len(selected),
        target=audit.cohort_target,
        selected_not_eligible=sum(1 for _, v in selected if v is not True),
        drawn=sum(1 for c, _ in selected if c.drawn),
        draw=audit.draw,
    )
