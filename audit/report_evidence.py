"""The report's evidence and voice (issue 20 item 3): the lead's own words, the answers
counted question by question, the case discussions summarised, and a comparison with an
earlier audit on the same objectives.

Every count comes from :func:`audit.analysis.analyse` (the questions from
``Analysis.questions``, the agreed grades from ``Analysis.case_grid``), the same
numbers the analysis screen shows.  Decisions where the issue is silent:

- Question counts are a table per objective: one row per question of each agency's
  tool, with the answers counted over that agency's completed returns.  Agencies with
  no completed return yet are named in one sentence instead of rows of zeros.
- A discussion is summarised when it has been held or holds anything (grades or
  points); who attended is given by agency only, never by name or role, and its
  private notes stay in the workspace.
- An earlier audit is compared when it shares an objective with this one (the same id,
  or the same title ignoring case and spacing) and it started earlier (its lookback, or
  else its creation, comes first).  The most recent three are shown, oldest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from audit import markdown as md
from audit import places
from audit.analysis import Analysis, QuestionCount
from audit.dates import format_uk
from audit.findings import Discussion
from audit.guard import Place
from audit.report_sections import Context, Writer, count, grade_counts, joined, strong
from audit.scope import Audit, Objective

_ANSWER_HEADERS = ["Yes", "Partly", "No", "N/A", "Not answered", "Returns"]
MAX_COMPARED = 3


# ------------------------------------------------------------------------ lead's words


def report_place(ref: str, field: str, label: str) -> Place:
    """The lead's words, edited with ``w`` in the Report section."""
    return Place(f"report, {label}", "report", ref, field)


def lead_summary(ctx: Context, out: Writer) -> None:
    """The lead's overall summary, first under the Summary heading."""
    if ctx.text is not None:
        out.para(out.said(ctx.text.summary, report_place(ctx.audit.ref, "summary", "overall summary"), "block"))


def objective_narrative(ctx: Context, out: Writer, objective: Objective, number: int) -> None:
    if ctx.text is not None:
        place = report_place(ctx.audit.ref, f"objectives.{objective.id}", f"narrative for objective {number}")
        out.para(out.said(ctx.text.narrative(objective.id), place, "block"))


def conclusions(ctx: Context, out: Writer) -> None:
    out.heading(2, "Conclusions")
    written = ""
    if ctx.text is not None:
        written = out.said(ctx.text.conclusions, report_place(ctx.audit.ref, "conclusions", "conclusions"), "block")
    out.para(written or "The lead auditor has not written the conclusions yet.")


# ------------------------------------------------------------------------ question counts


def question_counts(ctx: Context, out: Writer, objective: Objective) -> None:
    """How each agency's completed returns answered the questions for ``objective``."""
    counts = ctx.analysis.questions.get(objective.id, [])
    if not counts:
        return
    answered = [q for q in counts if q.returns]
    waiting = list(dict.fromkeys(q.agency for q in counts if not q.returns))
    if answered:
        out.para("How the agencies' completed audit tools answered each question (the number of cases):")
        rows = []
        for q in answered:
            question = out.said(q.text, _question_place(ctx, q), "cell")
            rows.append([ctx.agency_code(q.agency), f"{q.number} {question}"]
                        + [str(n) for n in q.answers.values()] + [str(q.not_answered), str(q.returns)])
        out.table(["Agency", "Question"] + _ANSWER_HEADERS, rows)
    if waiting:
        names = [ctx.agency(code) for code in waiting]
        out.para(f"No completed audit tool yet from {joined(names)}, so {'its' if len(names) == 1 else 'their'} "
                 "questions are not counted.")


def _question_place(ctx: Context, q: QuestionCount) -> Place:
    """A question of an agency's audit tool, as copied into the audit from its template."""
    return Place(f"{q.agency}'s audit tool, question {q.number}", "scope", ctx.audit.ref,
                 f"tools.{q.agency}.{q.question_id}")


# ------------------------------------------------------------------------ discussions


def _has_content(d: Discussion) -> bool:
    return d.held_on is not None or bool(d.agreed_grades or d.worked_well or d.worked_less_well)


def case_discussions(ctx: Context, out: Writer) -> None:
    """Each cohort case's discussion: when, which agencies, grades agreed, what worked."""
    a = ctx.analysis
    out.heading(2, "Case discussions")
    by_case = {d.subject: d for d in ctx.discussions if d.session_kind == "case" and _has_content(d)}
    shown = [ref for ref in a.cohort if ref in by_case]
    if not shown:
        out.para("No case has been discussed yet.")
        return
    out.para(f"{count(len(shown), 'case')} of {len(a.cohort)} {'has' if len(shown) == 1 else 'have'} a "
             "discussion record. Each is summarised here: the agencies present, the grades agreed and what "
             "worked well and less well.")
    for ref in shown:
        d = by_case[ref]
        out.heading(3, ctx.case_ref(ref, "plain"))
        present = list(dict.fromkeys(x.agency for x in d.attendees if x.agency))
        when = f"Discussed on {format_uk(d.held_on)}" if d.held_on else "Not yet held"
        who = f" with {joined([ctx.agency_code(code) for code in present])}" if present else ""
        out.para(f"{when}{who}.")
        agreed = [(o, g) for o in a.objectives if (g := a.case_grid[ref][o]) is not None]
        if agreed:
            out.para(strong("Grades agreed"))
            out.bullets([f"{ctx.objective_title(o)}: {grade.value}" for o, grade in agreed])
        if d.worked_well:
            out.para(strong("What worked well"))
            out.bullets([out.said(p, places.discussion(d, "worked_well", "what worked well", n))
                         for n, p in enumerate(d.worked_well, start=1)])
        if d.worked_less_well:
            out.para(strong("What worked less well, and why"))
            out.bullets([out.said(p, places.discussion(d, "worked_less_well", "what worked less well", n))
                         for n, p in enumerate(d.worked_less_well, start=1)])


# ------------------------------------------------------------------------ earlier audits


@dataclass(frozen=True, slots=True)
class EarlierAudit:
    """Another audit's objectives and numbers, for the comparison."""

    audit: Audit
    analysis: Analysis


_SPACE = re.compile(r"\s+")


def _same(title: str) -> str:
    return _SPACE.sub(" ", title).strip().casefold()


def _started(audit: Audit) -> tuple[date, datetime]:
    return (audit.lookback_start or date.max, audit.created_at or datetime.max)


def matching(audit: Audit, other: Audit) -> dict[str, str]:
    """This audit's objective id -> the other audit's objective id on the same theme."""
    ids = {o.id for o in other.objectives}
    titles = {_same(o.title): o.id for o in other.objectives}
    found = {}
    for o in audit.objectives:
        if o.id in ids:
            found[o.id] = o.id
        elif _same(o.title) in titles:
            found[o.id] = titles[_same(o.title)]
    return found


def earlier_than(audit: Audit, others: list[Audit]) -> list[Audit]:
    """The audits that started before ``audit`` and share an objective with it, oldest
    first (the most recent three): those the report compares, and whose findings are
    listed to re-test when it is scoped (:mod:`audit.retest`)."""
    mine = _started(audit)
    found = [o for o in others if o.ref != audit.ref and _started(o) < mine and matching(audit, o)]
    found.sort(key=_started)
    return found[-MAX_COMPARED:]


def comparable(audit: Audit, others: list[EarlierAudit]) -> list[EarlierAudit]:
    """The earlier audits sharing an objective with ``audit``, oldest first (at most three)."""
    by_ref = {e.audit.ref: e for e in others}
    return [by_ref[a.ref] for a in earlier_than(audit, [e.audit for e in others])]


def comparison(ctx: Context, out: Writer) -> None:
    out.heading(2, "Comparison with earlier audits")
    earlier = comparable(ctx.audit, ctx.earlier_audits)
    if not earlier:
        out.para("No earlier audit in this workspace tested the same objectives.")
        return
    names = [f"{md.inline(e.audit.ref)} ({out.said(e.audit.title, places.scope(e.audit, 'title', 'title'))}"
             + (f", lookback from {format_uk(e.audit.lookback_start)})" if e.audit.lookback_start else ")")
             for e in earlier]
    out.para(f"The grades agreed at case discussions in this audit beside those of "
             f"{'an earlier audit' if len(earlier) == 1 else 'earlier audits'} on the same objectives: "
             f"{joined(names)}. A dash means the objective was not tested or no grade was agreed.")
    rows = []
    for o in ctx.audit.objectives:
        cells = []
        for e in earlier:
            theirs = matching(ctx.audit, e.audit).get(o.id)
            cell = e.analysis.agreed_totals.get(theirs) if theirs else None
            cells.append(grade_counts(cell) if cell is not None and cell.total else "–")
        if all(c == "–" for c in cells):
            continue
        mine = ctx.analysis.agreed_totals[o.id]
        rows.append([ctx.objective_title(o.id), *cells, grade_counts(mine) if mine.total else "–"])
    if not rows:
        out.para("No grade has been agreed at a case discussion on a shared objective yet.")
        return
    out.table(["Objective", *[md.cell(e.audit.ref) for e in earlier], "This audit"], rows)
