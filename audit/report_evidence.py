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
from audit.analysis import Analysis
from audit.dates import format_uk
from audit.findings import Discussion
from audit.report_sections import Context, Writer, count, grade_counts, joined, strong
from audit.scope import Audit, Objective

_ANSWER_HEADERS = ["Yes", "Partly", "No", "N/A", "Not answered", "Returns"]
MAX_COMPARED = 3


# ------------------------------------------------------------------------ lead's words


def lead_summary(ctx: Context, out: Writer) -> None:
    """The lead's overall summary, first under the Summary heading."""
    out.para(md.block(ctx.text.summary) if ctx.text is not None else "")


def objective_narrative(ctx: Context, out: Writer, objective: Objective) -> None:
    out.para(md.block(ctx.text.narrative(objective.id)) if ctx.text is not None else "")


def conclusions(ctx: Context, out: Writer) -> None:
    out.heading(2, "Conclusions")
    written = md.block(ctx.text.conclusions) if ctx.text is not None else ""
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
            rows.append([md.cell(q.agency), md.cell(f"{q.number} {q.text}")]
                        + [str(n) for n in q.answers.values()] + [str(q.not_answered), str(q.returns)])
        out.table(["Agency", "Question"] + _ANSWER_HEADERS, rows)
    if waiting:
        names = [ctx.agency(code) for code in waiting]
        out.para(f"No completed audit tool yet from {joined(names)}, so {'its' if len(names) == 1 else 'their'} "
                 "questions are not counted.")


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
    titles = {o.id: o.title for o in ctx.audit.objectives}
    for ref in shown:
        d = by_case[ref]
        out.heading(3, ref)
        present = list(dict.fromkeys(x.agency for x in d.attendees if x.agency))
        when = f"Discussed on {format_uk(d.held_on)}" if d.held_on else "Not yet held"
        who = f" with {joined([md.inline(code) for code in present])}" if present else ""
        out.para(f"{when}{who}.")
        agreed = [(titles[o], g) for o in a.objectives if (g := a.case_grid[ref][o]) is not None]
        if agreed:
            out.para(strong("Grades agreed"))
            out.bullets([f"{md.inline(title)}: {grade.value}" for title, grade in agreed])
        if d.worked_well:
            out.para(strong("What worked well"))
            out.bullets([md.inline(p) for p in d.worked_well])
        if d.worked_less_well:
            out.para(strong("What worked less well, and why"))
            out.bullets([md.inline(p) for p in d.worked_less_well])


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


def comparable(audit: Audit, others: list[EarlierAudit]) -> list[EarlierAudit]:
    """The earlier audits sharing an objective with ``audit``, oldest first (at most three)."""
    mine = _started(audit)
    found = [e for e in others if e.audit.ref != audit.ref and _started(e.audit) < mine and matching(audit, e.audit)]
    found.sort(key=lambda e: _started(e.audit))
    return found[-MAX_COMPARED:]


def comparison(ctx: Context, out: Writer) -> None:
    out.heading(2, "Comparison with earlier audits")
    earlier = comparable(ctx.audit, ctx.earlier_audits)
    if not earlier:
        out.para("No earlier audit in this workspace tested the same objectives.")
        return
    names = [f"{md.inline(e.audit.ref)} ({md.inline(e.audit.title)}"
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
        rows.append([md.cell(o.title), *cells, grade_counts(mine) if mine.total else "–"])
    if not rows:
        out.para("No grade has been agreed at a case discussion on a shared objective yet.")
        return
    out.table(["Objective", *[md.cell(e.audit.ref) for e in earlier], "This audit"], rows)
