"""The audit report in Markdown, with the headings practice expects (DESIGN §2 step 8).

Every number comes from :func:`audit.analysis.analyse`, so the report quotes what the
analysis screen shows.  Decisions where the design is silent:

- The report is pseudonymised: cases appear by reference and screening features only.
  Family names, dates of birth, system ids, notes and the reasons for picking a case
  are never read here; the export guard (:mod:`audit.guard`) still checks the finished
  text for identifiers typed into anything the report quotes.
- From the agencies' returns the report quotes, in its appendix, only what each
  completed (submitted or resubmitted) audit tool says about good practice, areas for
  development, the difference made for the child and its own recommendations: the
  agencies' words behind the findings.  Answers and evidence per question, grade
  rationales, drafts and safeguarding concerns stay in the workspace.
- Only findings a lead has accepted appear; proposals by co-ordinators wait on the board.
- Logins (who drew the cohort, who wrote a finding) are left out: the report is about
  practice, not staff.
- An empty section stays and says so in one sentence, so readers see what is missing.
- Nothing reads the clock: ``today`` is given, so the same data gives the same report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from audit import places
from audit.analysis import FEATURES, Analysis, analyse
from audit.cases import CandidateCase
from audit.dates import format_uk
from audit.findings import Action, Column, Discussion, Finding
from audit.guard import Quoted
from audit.activities import Activity, Theme
from audit.narrative import ReportText
from audit.report_activities import activities_method, evidence, mata_summary, themes
from audit.partnership import Partnership
from audit.report_profile import cohort_outline
from audit.report_evidence import EarlierAudit, case_discussions, comparison, conclusions, lead_summary
from audit.report_findings import by_objective, development, good_practice, recommendations
from audit.report_method import case_method, methodology
from audit.report_sections import (
    Context,
    Writer,
    appendix,
    count,
    found_and_planned,
    grade_counts,
    joined,
    linked_review,
    most_common_text,
    number,
    retested,
    strong,
    timeline,
    yes_no,
)
from audit.returns import Return
from audit.scope import Audit, Kind, Stage
from audit.text import natural_key


@dataclass(frozen=True, slots=True)
class Report:
    markdown: str
    headings: list[tuple[int, str, int]]  # (level, plain title, 1-based line number)
    analysis: Analysis
    quoted: list[Quoted] = field(default_factory=list)  # people's text, for the guard


def build_report(
    audit: Audit,
    partnership: Partnership,
    cases: list[CandidateCase],
    returns: list[Return],
    discussions: list[Discussion],
    findings: list[Finding],
    actions: list[Action],
    earlier_findings: dict[str, Finding],
    today: date,
    *,
    text: ReportText | None = None,
    earlier_audits: Sequence[EarlierAudit] = (),
    activities: Sequence[Activity] = (),
    themes: Sequence[Theme] = (),
) -> Report:
    """The report of ``audit`` as of ``today``.

    ``earlier_findings`` maps ``"<audit ref>/<finding id>"`` (``Finding.key``) to the
    earlier audits' findings that this audit's findings re-test; ``text`` holds the
    lead's own words; ``earlier_audits`` are the other audits (with their analyses) a
    comparison may be drawn with; ``activities`` and ``themes`` are the audit's evidence
    activities and the themes drawn from them (a MATA's method, which a MACA may add to).
    """
    analysis = analyse(audit, cases, returns, discussions, today)
    mine = [f for f in findings if f.audit == audit.ref and not f.proposed]
    mine.sort(key=lambda f: (list(Column).index(f.column), f.position, natural_key(f.id)))
    in_cohort = set(analysis.cohort)
    out = Writer()
    ctx = Context(
        audit=audit,
        partnership=partnership,
        cohort=sorted((c for c in cases if c.audit == audit.ref and c.in_cohort), key=lambda c: c.case_ref),
        analysis=analysis,
        findings=mine,
        actions=sorted((a for a in actions if a.audit == audit.ref), key=lambda a: natural_key(a.id)),
        returns=[r for r in returns if r.audit == audit.ref],
        discussions=[d for d in discussions if d.audit == audit.ref and d.subject in in_cohort],
        earlier_findings=earlier_findings,
        today=today,
        text=text,
        earlier_audits=list(earlier_audits),
        out=out,
        activities=sorted((x for x in activities if x.audit == audit.ref), key=lambda x: natural_key(x.id)),
        themes=sorted((t for t in themes if t.audit == audit.ref), key=lambda t: natural_key(t.id)),
    )
    for section in _sections(ctx):
        section(ctx, out)
    return Report(out.text(), out.headings, analysis, out.quoted)


def _sections(ctx: Context) -> list[Callable[[Context, Writer], None]]:
    """The report's sections in order: a MATA's describe its activities and themes
    instead of a case audit's method; the cases' sections stay only where cases were
    audited (a bespoke audit over a cohort)."""
    cases = bool(ctx.analysis.cohort) or bool(ctx.audit.criteria)
    if ctx.audit.kind is Kind.MATA:
        return [_title, mata_summary, _background, _purpose, _mata_methodology, evidence, themes,
                *([_cohort] if ctx.analysis.cohort else []), by_objective,
                *([case_discussions] if cases else []), comparison, good_practice, development, conclusions,
                recommendations, retested, timeline, *([appendix] if ctx.analysis.cohort else [])]
    extra = [evidence, themes] if ctx.activities or ctx.themes else []
    return [_title, _summary, _background, _purpose, methodology, _cohort, by_objective, case_discussions,
            *extra, comparison, good_practice, development, conclusions, recommendations, retested,
            timeline, appendix]


def _mata_methodology(ctx: Context, out: Writer) -> None:
    out.heading(2, "Methodology")
    activities_method(ctx, out)
    if ctx.analysis.cohort or ctx.audit.criteria:
        out.heading(3, "Bespoke audit of cases")
        case_method(ctx, out)


# ------------------------------------------------------------------------ the sections


def _title(ctx: Context, out: Writer) -> None:
    audit = ctx.audit
    out.said(audit.title, places.scope(audit, "title", "title"))
    out.heading(1, f"{audit.ref}: {audit.title}")
    out.para(f"{out.said(ctx.partnership.name, places.partnership())}: {audit.kind.label} report, as at {format_uk(ctx.today)}.")
    if audit.stage not in (Stage.REPORTING, Stage.REPORT_APPROVED, Stage.LEARNING_SHARED, Stage.CLOSED):
        out.para(f"The audit is at the {audit.stage.label} stage, so its numbers will "
                 "change as returns and discussions come in.")
    out.para("Cases are identified by pseudonymous reference only. This report is shared within the "
             "partnership on a need-to-know basis.")


def _summary(ctx: Context, out: Writer) -> None:
    a, audit = ctx.analysis, ctx.audit
    out.heading(2, "Summary")
    lead_summary(ctx, out)
    linked = linked_review(ctx, out)
    out.para(f"This {audit.kind.label}{linked} looked at {count(len(a.cohort), 'case')} against "
             f"{count(len(a.objectives), 'objective')}, with {count(len(a.agencies), 'agency')} taking part. "
             f"By {format_uk(ctx.today)}, {a.returns.received} of {count(a.returns.expected, 'agency return')} "
             f"had been received and {len(a.discussed)} of {count(len(a.cohort), 'case')} discussed.")
    if audit.objectives:
        rows = [[out.said(o.title, places.objective(audit, n, "title", "title"), "cell"), most_common_text(a.objective_totals[o.id]),
                 grade_counts(a.agreed_totals[o.id]) or "none yet"]
                for n, o in enumerate(audit.objectives, start=1)]
        out.table(["Objective", "Most common grade in agencies' audits", "Grades agreed at discussions"], rows)
    found_and_planned(ctx, out)


def _background(ctx: Context, out: Writer) -> None:
    audit = ctx.audit
    out.heading(2, "Background")
    out.para(out.said(audit.background, places.scope(audit, "background", "background"), "block")
             or "No background has been recorded.")
    if audit.notification_date is not None:
        out.para(f"The serious incident was notified to the National Child Safeguarding Practice Review "
                 f"Panel on {format_uk(audit.notification_date)}.")


def _purpose(ctx: Context, out: Writer) -> None:
    audit = ctx.audit
    out.heading(2, "Purpose and objectives")
    purposes = [escaped for n, p in enumerate(audit.purpose, start=1)
                if (escaped := out.said(p, places.scope(audit, "purpose", "purpose", n)))]
    if purposes:
        out.para("The audit set out to:")
        out.bullets(purposes)
    else:
        out.para("No purpose has been recorded.")
    if audit.objectives:
        out.para(f"It tested {count(len(audit.objectives), 'objective')}:")
        out.bullets([f"{strong(out.said(o.title, places.objective(audit, n, 'title', 'title')))}: "
                     f"{out.said(o.text, places.objective(audit, n, 'text', 'description')) or 'no description recorded.'}"
                     for n, o in enumerate(audit.objectives, start=1)], ordered=True)
    else:
        out.para("No objectives have been set.")


def _cohort(ctx: Context, out: Writer) -> None:
    a = ctx.analysis
    out.heading(2, "Cohort profile")
    if not ctx.cohort:
        out.para("No cases have been selected for the cohort yet.")
        return
    n = len(ctx.cohort)
    parts = []
    for attr, label in FEATURES:
        yes, _, unknown = a.features[attr]
        parts.append(f"{label.lower()} in {yes} of {n}" + (f" ({unknown} not recorded)" if unknown else ""))
    out.para(f"Across the {count(n, 'case')}: {joined(parts)}. Names, dates of birth and system identifiers "
             "are never included in this report.")
    rows = []
    for case in ctx.cohort:
        contributing = a.contributing[case.case_ref]
        rows.append([ctx.case_ref(case.case_ref, "cell"), yes_no(case.unborn), number(case.older_siblings),
                     yes_no(case.domestic_abuse), yes_no(case.substance_misuse),
                     yes_no(case.maternal_mental_health), number(case.males_in_household),
                     ", ".join(ctx.agency_code(x) for x in contributing) or "none yet"])
    out.table(["Case", "Unborn baby", "Older siblings", "Domestic abuse", "Substance misuse",
               "Maternal ill mental health", "Males in household", "Contributing agencies"], rows)
    cohort_outline(ctx, out)
