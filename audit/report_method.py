"""The report's method: how the cases were screened and drawn, which agencies audited
them with their tools, what came back and when the cases were discussed (a case audit's
"Methodology", and the bespoke audit of a MATA's)."""

from __future__ import annotations

from audit import places
from audit.dates import format_uk
from audit.draw import balance_field
from audit.report_sections import Context, Writer, count, span
from audit.returns import Status


def _concerns(ctx: Context, out: Writer) -> None:
    """How many immediate safeguarding concerns the audit raised and where they went: counts
    only, never which case or what (DESIGN §2, concerns)."""
    from audit.concerns import counts as concern_counts

    n = concern_counts(ctx.returns)
    if n["raised"]:
        were = "was" if n["raised"] == 1 else "were"
        out.para(f"{count(n['raised'], 'immediate safeguarding concern')} {were} raised during the audit: "
                 f"{n['referred']} referred back to the agency holding the case and {n['closed']} closed.")


def methodology(ctx: Context, out: Writer) -> None:
    out.heading(2, "Methodology")
    case_method(ctx, out)


def case_method(ctx: Context, out: Writer) -> None:
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
