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

from audit import markdown as md
from audit import places
from audit.analysis import FEATURES, Analysis, analyse
from audit.cases import CandidateCase
from audit.dates import format_uk
from audit.draw import balance_field
from audit.findings import Action, Column, Discussion, Finding, Rag, rag
from audit.grades import Grade
from audit.guard import Quoted
from audit.activities import Activity, Theme
from audit.narrative import ReportText
from audit.report_activities import activities_method, evidence, mata_summary, objective_evidence, themes
from audit.partnership import Partnership
from audit.report_evidence import (
    EarlierAudit,
    case_discussions,
    comparison,
    conclusions,
    lead_summary,
    objective_narrative,
    question_counts,
)
from audit.report_sections import (
    COLUMN_SINGULAR,
    Context,
    Writer,
    appendix,
    count,
    finding_block,
    finding_label,
    grade_counts,
    grade_name,
    joined,
    most_common_name,
    most_common_text,
    number,
    rag_text,
    retested,
    span,
    strong,
    timeline,
    yes_no,
)
from audit.returns import Return, Status
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
                *([_cohort] if ctx.analysis.cohort else []), _by_objective,
                *([case_discussions] if cases else []), comparison, _good_practice, _development, conclusions,
                _recommendations, retested, timeline, *([appendix] if ctx.analysis.cohort else [])]
    extra = [evidence, themes] if ctx.activities or ctx.themes else []
    return [_title, _summary, _background, _purpose, _methodology, _cohort, _by_objective, case_discussions,
            *extra, comparison, _good_practice, _development, conclusions, _recommendations, retested,
            timeline, appendix]


def _mata_methodology(ctx: Context, out: Writer) -> None:
    out.heading(2, "Methodology")
    activities_method(ctx, out)
    if ctx.analysis.cohort or ctx.audit.criteria:
        out.heading(3, "Bespoke audit of cases")
        _case_method(ctx, out)


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
    review = out.said(audit.linked_review, places.scope(audit, "linked_review", "linked review"))
    linked = f", following review {review}," if audit.linked_review.strip() else ""
    out.para(f"This {audit.kind.label}{linked} looked at {count(len(a.cohort), 'case')} against "
             f"{count(len(a.objectives), 'objective')}, with {count(len(a.agencies), 'agency')} taking part. "
             f"By {format_uk(ctx.today)}, {a.returns.received} of {count(a.returns.expected, 'agency return')} "
             f"had been received and {len(a.discussed)} of {count(len(a.cohort), 'case')} discussed.")
    if audit.objectives:
        rows = [[out.said(o.title, places.objective(audit, n, "title", "title"), "cell"), most_common_text(a.objective_totals[o.id]),
                 grade_counts(a.agreed_totals[o.id]) or "none yet"]
                for n, o in enumerate(audit.objectives, start=1)]
        out.table(["Objective", "Most common grade in agencies' audits", "Grades agreed at discussions"], rows)
    strengths, developments, recs = (len(ctx.in_column(c)) for c in Column)
    complete = sum(1 for x in ctx.actions if rag(x, ctx.today) is Rag.COMPLETE)
    overdue = sum(1 for x in ctx.actions if rag(x, ctx.today) is Rag.RED)
    areas = count(developments, "area for development", "areas for development")
    out.para(f"The audit found {count(strengths, 'strength')}, {areas} and {count(recs, 'recommendation')}. "
             f"The action plan has {count(len(ctx.actions), 'action')}: {complete} complete and {overdue} overdue.")
    if recs:
        out.para("The recommendations are:")
        out.bullets([f"{finding_label(f)}: {out.said(f.title, places.finding(f, 'title')) or '(untitled)'}"
                     for f in ctx.in_column(Column.RECOMMENDATION)])


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


def _concerns(ctx: Context, out: Writer) -> None:
    """How many immediate safeguarding concerns the audit raised and where they went: counts
    only, never which case or what (DESIGN §2, concerns)."""
    from audit.concerns import counts as concern_counts

    n = concern_counts(ctx.returns)
    if n["raised"]:
        were = "was" if n["raised"] == 1 else "were"
        out.para(f"{count(n['raised'], 'immediate safeguarding concern')} {were} raised during the audit: "
                 f"{n['referred']} referred back to the agency holding the case and {n['closed']} closed.")


def _methodology(ctx: Context, out: Writer) -> None:
    out.heading(2, "Methodology")
    _case_method(ctx, out)


def _case_method(ctx: Context, out: Writer) -> None:
    audit, a = ctx.audit, ctx.analysis
    s, r = a.screening, a.returns
    if audit.criteria:
        out.para(f"Candidate cases were screened against {count(len(audit.criteria), 'criterion', 'criteria')} "
                 f"for the lookback period {span(audit.lookback_start, audit.lookback_end)}:")
        out.bullets([out.said(c.label, places.criterion(audit, n)) for n, c in enumerate(audit.criteria, start=1)])
    else:
        out.para("No cohort criteria were set.")
    out.para(f"Of {count(s.screened, 'candidate case')} screened, {s.eligible} met every criterion, "
             f"{s.not_eligible} did not meet at least one and {s.unknown} could not be decided because "
             f"information was missing. The cohort holds {count(s.selected, 'case')}, against a target "
             f"of {s.target}.")
    out.para(_how_selected(ctx))
    if a.agencies:
        out.para(f"Each of the {count(len(a.agencies), 'agency')} taking part completed its own "
                 "audit tool for every case, answering each question yes, partly, no or not applicable with "
                 "evidence, and graded each objective as outstanding, good, requires improvement or "
                 "inadequate:")
        out.bullets([_agency_with_code(ctx, code) for code in a.agencies])
    else:
        out.para("No agencies have been named for the audit.")
    received = (f"By {format_uk(ctx.today)}, {r.received} of the {count(r.expected, 'return')} expected "
                f"({count(len(a.cohort), 'case')} × {count(len(a.agencies), 'agency')}) had been received, "
                f"each a completed audit tool")
    if r.not_involved:
        received += (f"; for {r.not_involved} the agency stated it was not involved with the family, "
                     "so no audit was due")
    received += "."
    if r.outstanding:
        received += (f" Another {r.outstanding} {'is' if r.outstanding == 1 else 'are'} outstanding: "
                     f"{r.by_status[Status.NOT_STARTED]} not started, {r.by_status[Status.DRAFT]} in draft and "
                     f"{r.by_status[Status.RETURNED]} returned for clarification.")
    if r.due is not None:
        if r.due >= ctx.today:
            received += f" Returns are due by {format_uk(r.due)}."
        else:
            received += f" Returns were due by {format_uk(r.due)}"
            received += f"; {r.overdue} {'is' if r.overdue == 1 else 'are'} overdue." if r.overdue else "."
    out.para(received)
    _concerns(ctx, out)
    held = sorted(d.held_on for d in ctx.discussions if d.held_on is not None and d.session_kind == "case")
    when = ""
    if held:
        when = (f" (on {format_uk(held[0])})" if held[0] == held[-1]
                else f" (between {format_uk(held[0])} and {format_uk(held[-1])})")
    out.para("The agencies then meet to discuss each case, looking at what worked well, what worked less "
             f"well and why, and agree a grade for each objective. So far {len(a.discussed)} of the "
             f"{count(len(a.cohort), 'case')} {'has' if len(a.discussed) == 1 else 'have'} been discussed{when}.")


def _agency_with_code(ctx: Context, code: str) -> str:
    """``Children's services (CSC)``; the code is left out when the name already ends
    with it, as in ``Primary care (GP)``."""
    name = ctx.partnership.agency_name(code)
    if name.rstrip().endswith(f"({code})") or name == code:
        return ctx.agency(code)
    return f"{ctx.agency(code)} ({ctx.agency_code(code)})"


def _how_selected(ctx: Context) -> str:
    s = ctx.analysis.screening
    if s.selected == 0:
        return "The cohort has not been selected yet."
    if s.draw is not None:
        try:
            balance = f", balanced by {balance_field(s.draw.balance_by).label}" if s.draw.balance_by else ""
        except ValueError:
            balance = f", balanced by {ctx.out.said(s.draw.balance_by, places.scope(ctx.audit, 'draw', 'cohort draw, balanced by'))}"
        on = f" on {format_uk(s.draw.drawn_at.date())}" if s.draw.drawn_at else ""
        text = (f"The cohort was drawn at random from the eligible cases{on} with seed {s.draw.seed}{balance}; "
                "the same eligible cases and seed reproduce the draw.")
        if s.drawn < s.selected:
            text += f" {count(s.selected - s.drawn, 'case was', 'cases were')} chosen by the lead auditor instead."
    else:
        text = "The lead auditor chose the cohort from the eligible cases and recorded the reason for each choice."
    if s.selected_not_eligible:
        text += (f" {count(s.selected_not_eligible, 'selected case does', 'selected cases do')} not meet every "
                 "criterion on the information recorded and were included on the lead auditor's decision.")
    return text


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
    bands = [(band, k) for band, k in a.age_bands.items() if k]
    if bands:
        start = format_uk(ctx.audit.lookback_start, "the start of the lookback")
        out.para(f"The children's ages on {start}, counted by band only (never beside any other detail of a "
                 "case, so that no small group can identify a child):")
        out.table(["Age at the start of the lookback", "Cases"], [[band.capitalize(), str(k)] for band, k in bands])


def _by_objective(ctx: Context, out: Writer) -> None:
    a, audit = ctx.analysis, ctx.audit
    out.heading(2, "Findings by objective")
    if not audit.objectives:
        out.para("No objectives have been set, so there are no findings by objective.")
        return
    cases = audit.kind is Kind.MACA or bool(a.cohort)
    if not cases:
        out.para("This section takes each objective in turn: what the lead auditor concluded, the evidence "
                 "activities that covered it, and the findings that relate to it.")
        _objectives_without_cases(ctx, out)
        return
    out.para("This section first shows the grades agreed for each case at its discussion. It then takes "
             "each objective in turn: the grades the agencies gave in their completed audit tools, the "
             "grades agreed at discussions, and the findings that relate to it.")
    out.heading(3, "Grades agreed at case discussions")
    graded_refs = [ref for ref in a.cohort if ref in a.discussed or any(a.case_grid[ref].values())]
    if graded_refs:
        rows = [[ctx.case_ref(ref, "cell")] + [grade_name(a.case_grid[ref][o]) for o in a.objectives] for ref in graded_refs]
        out.table(["Case"] + [out.said(o.title, places.objective(audit, n, "title", "title"), "cell")
                              for n, o in enumerate(audit.objectives, start=1)], rows)
        waiting = [ref for ref in a.cohort if ref not in graded_refs]
        note = "A dash means no grade has been agreed for that objective yet."
        if waiting:
            note += f" Not yet discussed: {', '.join(ctx.case_ref(ref) for ref in waiting)}."
        out.para(note)
    else:
        out.para("No case has been discussed yet, so no grades have been agreed.")
    for number_, objective in enumerate(audit.objectives, start=1):
        out.heading(3, objective.title, number=number_,
                    place=places.objective(audit, number_, "title", "title"))
        out.para(out.said(objective.text, places.objective(audit, number_, "text", "description"), "block"))
        objective_narrative(ctx, out, objective, number_)
        rows = []
        for code in a.agencies:
            cell = a.agency_grid[objective.id][code]
            rows.append([ctx.agency(code)] + [str(cell.distribution[g]) for g in Grade.in_order()]
                        + [most_common_name(cell)])
        total = a.objective_totals[objective.id]
        rows.append(["All agencies"] + [str(total.distribution[g]) for g in Grade.in_order()]
                    + [most_common_name(total)])
        out.table(["Agency"] + [g.label for g in Grade.in_order()] + ["Most common"], rows)
        agreed = a.agreed_totals[objective.id]
        out.para(f"Grades agreed at case discussions: {grade_counts(agreed)} "
                 f"({count(agreed.total, 'case')})." if agreed.total
                 else "No grade has been agreed for this objective at a case discussion yet.")
        question_counts(ctx, out, objective)
        objective_evidence(ctx, out, objective)
        _finding_list(ctx, out, [f for f in ctx.findings if f.objective == objective.id],
                      "No findings have been recorded for this objective yet.")
    _findings_across(ctx, out)


def _objectives_without_cases(ctx: Context, out: Writer) -> None:
    """A thematic audit without a cohort: no grades to count, the evidence and findings."""
    audit = ctx.audit
    for number_, objective in enumerate(audit.objectives, start=1):
        out.heading(3, objective.title, number=number_, place=places.objective(audit, number_, "title", "title"))
        out.para(out.said(objective.text, places.objective(audit, number_, "text", "description"), "block"))
        objective_narrative(ctx, out, objective, number_)
        objective_evidence(ctx, out, objective)
        _finding_list(ctx, out, [f for f in ctx.findings if f.objective == objective.id],
                      "No findings have been recorded for this objective yet.")
    _findings_across(ctx, out)


def _findings_across(ctx: Context, out: Writer) -> None:
    known = {o.id for o in ctx.audit.objectives}
    other = [f for f in ctx.findings if f.objective not in known]
    if other:
        out.heading(3, "Findings across objectives")
        _finding_list(ctx, out, other, "")


def _finding_list(ctx: Context, out: Writer, findings: list[Finding], empty: str) -> None:
    if not findings:
        out.para(empty)
        return
    out.bullets([f"{COLUMN_SINGULAR[f.column]} {finding_label(f)}: "
                 f"{out.said(f.title, places.finding(f, 'title')) or '(untitled)'}"
                 for f in findings])


def _column(ctx: Context, out: Writer, column: Column, title: str, empty: str) -> None:
    out.heading(2, title)
    found = ctx.in_column(column)
    if not found:
        out.para(empty)
    for finding in found:
        finding_block(ctx, out, finding)


def _good_practice(ctx: Context, out: Writer) -> None:
    _column(ctx, out, Column.STRENGTH, "Good practice", "No good practice has been recorded yet.")


def _development(ctx: Context, out: Writer) -> None:
    _column(ctx, out, Column.DEVELOPMENT, "Areas for development",
            "No areas for development have been recorded yet.")


def _recommendations(ctx: Context, out: Writer) -> None:
    out.heading(2, "Recommendations and action plan")
    recs = ctx.in_column(Column.RECOMMENDATION)
    if not recs:
        out.para("No recommendations have been agreed yet.")
    for finding in recs:
        finding_block(ctx, out, finding)
    out.heading(3, "Action plan")
    if not ctx.actions:
        out.para("No actions have been agreed yet.")
        return
    rows = []
    for action in ctx.actions:
        status = rag(action, ctx.today)
        rows.append([md.cell(action.id), md.cell(action.finding_id),
                     out.said(action.description, places.action(action), "cell"),
                     ctx.agency(action.owner) if action.owner else "not named",
                     format_uk(action.due, "not set"), action.status.value, rag_text(status)])
    out.table(["Action", "Recommendation", "What will be done", "Owner", "Due", "Status", "RAG"], rows)
