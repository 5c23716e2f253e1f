"""The report's findings: each objective with its grades (the agencies', and those agreed
at discussions) and findings, the findings across objectives, good practice, areas for
development, and the recommendations with the action plan."""

from __future__ import annotations

from audit import markdown as md
from audit import places
from audit.dates import format_uk
from audit.findings import Column, Finding, rag
from audit.grades import Grade
from audit.report_activities import objective_evidence
from audit.report_evidence import objective_narrative, question_counts
from audit.report_sections import (COLUMN_SINGULAR, Context, Writer, count, finding_block, finding_label, grade_counts,
                                   grade_name, most_common_name, rag_text)
from audit.scope import Kind


def by_objective(ctx: Context, out: Writer) -> None:
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


def good_practice(ctx: Context, out: Writer) -> None:
    _column(ctx, out, Column.STRENGTH, "Good practice", "No good practice has been recorded yet.")


def development(ctx: Context, out: Writer) -> None:
    _column(ctx, out, Column.DEVELOPMENT, "Areas for development",
            "No areas for development have been recorded yet.")


def recommendations(ctx: Context, out: Writer) -> None:
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
