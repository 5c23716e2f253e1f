"""The pieces of the report: a small Markdown writer and wording helpers.

Every piece of people's text enters the report through :meth:`Writer.said`, which
escapes it for its slot (:mod:`audit.markdown`) and records it with its
:class:`audit.guard.Place` for the identifier guard; the section code in
:mod:`audit.report` and the ``audit/report_*.py`` beside it otherwise only handles its
own fixed words, which the guard never reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from audit import markdown as md
from audit import places
from audit.activities import Activity, Theme
from audit.analysis import Analysis, GradeCell
from audit.cases import CandidateCase
from audit.dates import format_uk
from audit.analysis import GRADED_STATUSES
from audit.findings import Action, Column, Discussion, Embedded, Finding, Rag, rag
from audit.grades import Grade
from audit.guard import Place, Quoted
from audit.narrative import ReportText
from audit.partnership import Partnership
from audit.returns import Return, Status
from audit.scope import Audit, Kind

COLUMN_SINGULAR = {
    Column.STRENGTH: "Strength",
    Column.DEVELOPMENT: "Area for development",
    Column.RECOMMENDATION: "Recommendation",
}


@dataclass
class Context:
    """What every section may read; built once by :func:`audit.report.build_report`."""

    audit: Audit
    partnership: Partnership
    cohort: list[CandidateCase]  # cohort cases, by reference
    analysis: Analysis
    findings: list[Finding]  # accepted findings (not proposals), board order
    actions: list[Action]
    returns: list[Return]
    discussions: list[Discussion]
    earlier_findings: dict[str, Finding]
    today: date
    out: Writer
    text: ReportText | None = None  # the lead's own words
    earlier_audits: list[Any] = field(default_factory=list)  # report_evidence.EarlierAudit
    activities: list[Activity] = field(default_factory=list)  # evidence activities, by id
    themes: list[Theme] = field(default_factory=list)
    _numbers: dict[str, int] | None = field(default=None, init=False, repr=False, compare=False)

    def agency(self, code: str) -> str:
        """An agency's name, escaped for inline use (recorded for the guard)."""
        n = next((i for i, a in enumerate(self.partnership.agencies, start=1) if a.code == code), 0)
        if not n:
            return self.out.said(code, places.agency(code, 0, "code"))
        return self.out.said(self.partnership.agency_name(code), places.agency(code, n))

    def agency_code(self, code: str) -> str:
        n = next((i for i, a in enumerate(self.partnership.agencies, start=1) if a.code == code), 0)
        return self.out.said(code, places.agency(code, n, "code"))

    def objective_title(self, objective_id: str) -> str:
        """An objective's title, escaped for inline use (recorded for the guard)."""
        for n, objective in enumerate(self.audit.objectives, start=1):
            if objective.id == objective_id:
                return self.out.said(objective.title, places.objective(self.audit, n, "title", "title"))
        return md.inline(objective_id)

    def case_ref(self, ref: str, how: str = "inline") -> str:
        """A case reference, escaped (recorded for the guard: it was imported)."""
        key = f"{self.audit.ref}/{ref}"
        n = self._cohort_numbers().get(ref, 0)
        return self.out.said(ref, places.case_reference(self.audit, n, key), how)

    def _cohort_numbers(self) -> dict[str, int]:
        if self._numbers is None:
            self._numbers = {c.case_ref: n for n, c in enumerate(self.cohort, start=1)}
        return self._numbers

    def in_column(self, column: Column) -> list[Finding]:
        return [f for f in self.findings if f.column is column]


_ESCAPE = {"inline": md.inline, "block": md.block, "cell": md.cell, "plain": md.plain}


class Writer:
    """Markdown lines with blank lines between blocks, the headings' line numbers, and
    every piece of people's text the report quotes (:attr:`quoted`)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.headings: list[tuple[int, str, int]] = []
        self.quoted: list[Quoted] = []
        self._places: set[tuple[str, str]] = set()

    def said(self, text: str, place: Place, how: str = "inline") -> str:
        """People's ``text`` from ``place``, escaped for its slot, and recorded for the
        identifier guard: **the one way** user text enters the report.

        ``how`` is ``inline`` (a sentence, list item or label), ``block`` (paragraphs),
        ``cell`` (a table cell; ``–`` when empty) or ``plain`` (unescaped, for a heading
        title given to :meth:`heading`).  The same text at the same place is recorded once.
        """
        if text and (place.id, text) not in self._places:
            self._places.add((place.id, text))
            self.quoted.append(Quoted(text, place))
        return _ESCAPE[how](text)

    def _gap(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def heading(self, level: int, title: str, *, number: int | None = None, place: Place | None = None) -> None:
        """A heading whose ``title`` is plain (unescaped) text, optionally numbered
        (``### 2. Title``: a heading's content is inline, so the number is safe there);
        ``place`` when the title is people's text."""
        if place is not None:
            self.said(title, place)
        self._gap()
        prefix = f"{number}. " if number is not None else ""
        self.headings.append((level, prefix + md.plain(title), len(self.lines) + 1))
        self.lines.append(f"{'#' * level} {prefix}{md.inline(title)}".rstrip())

    def para(self, markdown: str) -> None:
        """A block of ready Markdown (escaped user text and fixed words); "" adds nothing."""
        if markdown:
            self._gap()
            self.lines.extend(markdown.split("\n"))

    def bullets(self, items: list[str], *, ordered: bool = False) -> None:
        """A list of single-line items of ready Markdown."""
        self._gap()
        for n, item in enumerate(items, start=1):
            self.lines.append(f"{n}. {item}" if ordered else f"- {item}")

    def table(self, headers: list[str], rows: list[list[str]]) -> None:
        self._gap()
        self.lines.extend(md.table(headers, rows))

    def text(self) -> str:
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n"


# ----------------------------------------------------------------------------- wording

_IRREGULAR = {"agency": "agencies", "case": "cases", "discussion": "discussions"}


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``1 case``, ``3 cases``, ``0 agencies``."""
    if n == 1:
        return f"{n} {singular}"
    return f"{n} {plural or _IRREGULAR.get(singular, singular + 's')}"


def joined(items: list[str], last: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c`` (items already escaped)."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def strong(escaped: str) -> str:
    """Bold around escaped text, which is never empty and never starts or ends with a
    space (so the ``**`` always pair up)."""
    return f"**{escaped.strip() or '(untitled)'}**"


def grade_name(grade: Grade | None, blank: str = "–") -> str:
    return grade.label if grade is not None else blank


def most_common_name(cell: GradeCell) -> str:
    """A table cell beside the counts: the grade, ``no single grade`` or ``not graded yet``."""
    if cell.tied:
        return "no single grade"
    return grade_name(cell.most_common, "not graded yet")


def grade_counts(cell: GradeCell) -> str:
    """``2 good, 3 requires improvement`` (best first, zeros left out)."""
    parts = [f"{n} {g.value}" for g, n in cell.distribution.items() if n]
    return ", ".join(parts)


def most_common_text(cell: GradeCell) -> str:
    """``Requires improvement (5 of 9)``, the spread on a tie, or ``not graded yet``."""
    if cell.tied:
        return f"no single most common grade ({grade_counts(cell)})"
    if cell.most_common is None:
        return "not graded yet"
    return f"{cell.most_common.label} ({cell.distribution[cell.most_common]} of {cell.total})"


def yes_no(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "not recorded"}[value]


def number(value: int | None) -> str:
    return "not recorded" if value is None else str(value)


def refs(ctx: Context, case_refs: list[str]) -> str:
    return ", ".join(ctx.case_ref(r) for r in case_refs)


def finding_label(finding: Finding) -> str:
    """``F3`` escaped."""
    return md.inline(finding.id)


def finding_block(ctx: Context, out: Writer, finding: Finding) -> None:
    """A finding as the report's sections show it: bold title, text, what it rests on."""
    title = out.said(finding.title, places.finding(finding, "title"))
    out.para(strong(f"{finding_label(finding)}. {title or '(untitled)'}"))
    out.para(out.said(finding.text, places.finding(finding, "text"), "block"))
    basis = []
    if finding.objective:
        basis.append(f"Objective: {ctx.objective_title(finding.objective)}.")
    if finding.cases:
        basis.append(f"{'Case' if len(finding.cases) == 1 else 'Cases'}: {refs(ctx, finding.cases)}.")
        # A case taken out of the cohort after the finding cited it: the report's counts no
        # longer include it, so the citation is flagged for the lead to review (issue 18).
        outside = [r for r in finding.cases if r not in {c.case_ref for c in ctx.cohort}]
        if outside and ctx.audit.kind is Kind.MACA:
            basis.append(f"{strong('Not in the cohort')}: {refs(ctx, outside)} "
                         f"{'was' if len(outside) == 1 else 'were'} taken out of the cohort after this "
                         f"finding cited {'it' if len(outside) == 1 else 'them'}; review the finding.")
    if finding.agencies:
        names = [ctx.agency(a) for a in finding.agencies]
        basis.append(f"{'Agency' if len(names) == 1 else 'Agencies'}: {joined(names)}.")
    if basis:
        out.para(" ".join(basis))


def span(start: date | None, end: date | None) -> str:
    if start is None and end is None:
        return "not set"
    return f"{format_uk(start, '…')} to {format_uk(end, 'ongoing')}"


# ----------------------------------------------------------------- the summary's parts


def linked_review(ctx: Context, out: Writer) -> str:
    """``, following review RR-1,`` when the audit follows a review, else ``""``."""
    audit = ctx.audit
    review = out.said(audit.linked_review, places.scope(audit, "linked_review", "linked review"))
    return f", following review {review}," if audit.linked_review.strip() else ""


def found_and_planned(ctx: Context, out: Writer) -> None:
    """The findings counted by column, the action plan's progress, the recommendations
    listed: how a summary (a case audit's or a MATA's) ends."""
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


# ----------------------------------------------------------------- the closing sections


def rag_text(status: Rag) -> str:
    """``Red (overdue)``, ``Amber (at risk)``, ``Green (on track)`` or ``Complete``."""
    if status is Rag.COMPLETE:
        return "Complete"
    return f"{status.value.capitalize()} ({status.label})"


def retested(ctx: Context, out: Writer) -> None:
    out.heading(2, "Learning re-tested from earlier audits")
    retests = [(f, f.retest) for f in ctx.findings if f.retest is not None]
    if not retests:
        out.para("No learning from earlier audits has been re-tested in this audit.")
        return
    rows = []
    for finding, test in retests:
        earlier = ctx.earlier_findings.get(f"{test.audit}/{test.finding_id}")
        what = md.inline(test.finding_id)
        if earlier and earlier.title:
            what += f": {out.said(earlier.title, places.finding(earlier, 'title', f'title (audit {earlier.audit})'))}"
        verdict = test.verdict.value if isinstance(test.verdict, Embedded) else "not judged yet"
        rows.append([md.cell(test.audit), what, verdict, finding_label(finding),
                     out.said(test.evidence, places.retest(finding), "cell")])
    out.table(["Earlier audit", "Earlier finding", "Verdict", "Re-tested in", "Evidence"], rows)


def timeline(ctx: Context, out: Writer) -> None:
    out.heading(2, "Timeline")
    milestones = ctx.audit.milestones
    if not milestones:
        out.para("No milestones have been set for this audit.")
        return
    rows = []
    for n, m in enumerate(milestones, start=1):
        if m.done:
            state = "done"
        elif m.due is None:
            state = "no date set"
        else:
            state = "overdue" if m.overdue(ctx.today) else ("due today" if m.due == ctx.today else "not yet due")
        rows.append([out.said(m.name, places.milestone(ctx.audit, n), "cell"), format_uk(m.due, "not set"), state])
    out.table(["Milestone", "Due", "Status"], rows)


def appendix(ctx: Context, out: Writer) -> None:
    a = ctx.analysis
    out.heading(2, "Appendix: returns")
    if not a.cohort or not a.agencies:
        out.para("No returns are expected until the cohort is selected and the agencies are named.")
        return
    rows = []
    for code in a.agencies:
        by = a.returns.by_agency[code]
        completed = by[Status.SUBMITTED] + by[Status.RESUBMITTED]
        outstanding = by[Status.NOT_STARTED] + by[Status.DRAFT] + by[Status.RETURNED]
        rows.append([ctx.agency(code), str(len(a.cohort)), str(completed), str(by[Status.NOT_INVOLVED]),
                     str(outstanding)])
    out.table(["Agency", "Expected", "Completed", "Not involved", "Outstanding"], rows)
    out.para("Each case's return from each agency:")
    out.table(["Case"] + [ctx.agency_code(c) for c in a.agencies],
              [[ctx.case_ref(ref, "cell")] + [a.return_status[ref][c].value for c in a.agencies] for ref in a.cohort])
    agencies_words(ctx, out)


_RETURN_TEXTS = (
    ("good_practice", "Good practice"),
    ("areas_for_development", "Areas for development"),
    ("impact_on_child", "Difference made for the child"),
    ("recommendations", "Recommendations for the agency"),
)


def agencies_words(ctx: Context, out: Writer) -> None:
    """What each agency wrote in its completed audit tool, by case: the evidence base
    behind the findings, in the agencies' own words (drafts are not quoted)."""
    out.heading(3, "What the agencies said")
    order = {code: n for n, code in enumerate(ctx.analysis.agencies)}
    completed = sorted((r for r in ctx.returns if r.status in GRADED_STATUSES and r.agency in order
                        and r.case_ref in ctx.analysis.return_status),
                       key=lambda r: (r.case_ref, order[r.agency]))
    said = [(r, [(label, out.said(getattr(r, attr), places.returned(r, attr, label.lower()), "block"))
                 for attr, label in _RETURN_TEXTS]) for r in completed]
    said = [(r, [(label, text) for label, text in texts if text]) for r, texts in said]
    said = [(r, texts) for r, texts in said if texts]
    if not said:
        out.para("No completed audit tool has anything to quote yet.")
        return
    out.para("The agencies' own words from their completed audit tools, by case.")
    case_ref = None
    for ret, texts in said:
        if ret.case_ref != case_ref:
            case_ref = ret.case_ref
            out.heading(4, ctx.case_ref(case_ref, "plain"))
        out.para(strong(ctx.agency(ret.agency)))
        for label, text in texts:
            # The label goes in front of the first paragraph; the text is escaped, so
            # its first line cannot start a block of its own there either.
            out.para(f"*{label}.* {text}")
