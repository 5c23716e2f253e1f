"""The report of a thematic audit's evidence (issue 20 item 1): what was done and with
whom, each activity's evidence, and the cross-cutting themes drawn from it.

A MATA's report uses these in place of the MACA's case-audit wording: its methodology
describes the activities and who took part, a section gives each activity's evidence,
and a section per theme gives the theme with the evidence it rests on.  A MACA that
recorded activities gets the evidence and themes sections too, after its own
methodology.  Decisions where the issue is silent:

- Participants are counted, by role and agency, never named (the model has no name).
- Key points are numbered within their activity, so "E2, point 3" in a theme is the
  third point listed under E2.
- A bespoke audit over the cohort is described with the cohort's numbers from
  :func:`audit.analysis.analyse`: cases, completed returns, agencies.
"""

from __future__ import annotations

from collections import Counter

from audit import markdown as md
from audit.activities import Activity, ActivityKind, Theme
from audit.dates import format_uk
from audit.guard import Place
from audit.report_sections import Context, Writer, count, found_and_planned, joined, linked_review, strong
from audit.scope import Objective

_KIND_PLURAL = {
    ActivityKind.FOCUS_GROUP: "focus groups",
    ActivityKind.PRACTITIONERS: "practitioner conversations or surveys",
    ActivityKind.POLICY_REVIEW: "policy and procedure reviews",
    ActivityKind.AGGREGATED_DATA: "sets of aggregated data",
    ActivityKind.BESPOKE_AUDIT: "bespoke audits",
    ActivityKind.FAMILY_VOICE: "conversations with families or children",
}
_KIND_SINGULAR = {
    ActivityKind.FOCUS_GROUP: "focus group",
    ActivityKind.PRACTITIONERS: "practitioner conversation or survey",
    ActivityKind.POLICY_REVIEW: "policy and procedure review",
    ActivityKind.AGGREGATED_DATA: "set of aggregated data",
    ActivityKind.BESPOKE_AUDIT: "bespoke audit",
    ActivityKind.FAMILY_VOICE: "conversation with a family or child",
}


def activity_place(a: Activity, field: str, label: str, n: int | None = None) -> Place:
    """``activity E2, key point 3``: by id, never by the activity's own words."""
    where = f"{label} {n}" if n is not None else label
    return Place(f"activity {a.id}, {where}", "evidence", a.key, f"{field}.{n}" if n is not None else field)


def theme_place(t: Theme, field: str, label: str) -> Place:
    return Place(f"theme {t.id}, {label}", "evidence", t.key, field)


def kinds_sentence(activities: list[Activity]) -> str:
    """``2 focus groups, 1 policy and procedure review and 1 set of aggregated data``."""
    counts = Counter(a.kind for a in activities)
    return joined([count(counts[k], _KIND_SINGULAR[k], _KIND_PLURAL[k]) for k in ActivityKind if counts[k]])


def _title(ctx: Context, out: Writer, a: Activity) -> str:
    return out.said(a.title, activity_place(a, "title", "title"))


def _participants(ctx: Context, out: Writer, a: Activity) -> list[str]:
    items = []
    for n, p in enumerate(a.participants, start=1):
        role = out.said(p.role, activity_place(a, f"participants.{n}.role", "participant role", n))
        who = f"{p.count} × {role}" if p.count != 1 else role
        items.append(f"{who}, {ctx.agency(p.agency)}" if p.agency else who)
    return items


def _objectives(ctx: Context, a: Activity) -> str:
    numbers = {o.id: n for n, o in enumerate(ctx.audit.objectives, start=1)}
    covered = [f"{numbers[o]}. {ctx.objective_title(o)}" for o in a.objectives if o in numbers]
    return "; ".join(covered)


# ------------------------------------------------------------------------ methodology


def activities_method(ctx: Context, out: Writer) -> None:
    """The activities as a method: one table, then who took part by agency."""
    acts = ctx.activities
    if not acts:
        out.para("No evidence activities have been recorded yet.")
        return
    people = sum(a.people() for a in acts)
    out.para(f"The audit gathered its evidence through {count(len(acts), 'activity', 'activities')}: "
             f"{kinds_sentence(acts)}, with {count(people, 'participant')} taking part in all.")
    rows = []
    for a in acts:
        rows.append([md.cell(a.id), a.kind.label, format_uk(a.held_on, "not set"), str(a.people()),
                     _title(ctx, out, a) or "–"])
    out.table(["Activity", "Kind", "Date", "Participants", "Title"], rows)
    by_agency: dict[str, list[int]] = {}
    for a in acts:
        for p in a.participants:
            entry = by_agency.setdefault(p.agency, [0, 0])
            entry[0] += p.count
    for code, entry in by_agency.items():
        entry[1] = sum(1 for a in acts if any(p.agency == code for p in a.participants))
    if by_agency:
        out.para("Participation by agency (people are counted by role, never named):")
        order = {code: n for n, code in enumerate(ctx.audit.agencies)}
        rows = [[ctx.agency(code) if code else "Families, children and others outside the agencies",
                 str(people_n), str(acts_n)]
                for code, (people_n, acts_n) in sorted(by_agency.items(),
                                                        key=lambda kv: (kv[0] == "", order.get(kv[0], 99), kv[0]))]
        out.table(["Agency", "People taking part", "Activities"], rows)
    agreed = sorted({t.agreed_on for t in ctx.themes if t.agreed_on is not None})
    if ctx.themes:
        when = ""
        if agreed:
            when = (f" on {format_uk(agreed[0])}" if agreed[0] == agreed[-1]
                    else f" between {format_uk(agreed[0])} and {format_uk(agreed[-1])}")
        out.para(f"The agencies then met at the MATA discussion{when} to draw out cross-cutting themes from "
                 f"this evidence: {count(len(ctx.themes), 'theme')}, {sum(1 for t in ctx.themes if t.agreed_on)} "
                 "of them agreed.")


# ------------------------------------------------------------------------ evidence


def evidence(ctx: Context, out: Writer) -> None:
    out.heading(2, "Evidence gathered")
    if not ctx.activities:
        out.para("No evidence activities have been recorded yet.")
        return
    for a in ctx.activities:
        title = out.said(a.title, activity_place(a, "title", "title"), "plain")
        out.heading(3, f"{a.id}. {title}" if title else a.id)
        out.para(f"{a.kind.label}, {format_uk(a.held_on) if a.held_on else 'date not recorded'}.")
        people = _participants(ctx, out, a)
        if people:
            out.para(f"Taking part ({count(a.people(), 'person', 'people')}):")
            out.bullets(people)
        covered = _objectives(ctx, a)
        if covered:
            out.para(f"Objectives covered: {covered}.")
        if a.kind is ActivityKind.POLICY_REVIEW or a.document:
            doc = out.said(a.document, activity_place(a, "document", "document")) or "not named"
            version = out.said(a.version, activity_place(a, "version", "version"))
            reviewer = out.said(a.reviewer, activity_place(a, "reviewer", "reviewer"))
            text = f"Document reviewed: {doc}" + (f", version {version}" if version else "")
            text += f"; reviewed by {reviewer}." if reviewer else "."
            out.para(text)
        if a.figures:
            rows = [[out.said(f.label, activity_place(a, f"figures.{n}.label", "figure", n), "cell"),
                     out.said(f.value, activity_place(a, f"figures.{n}.value", "figure value", n), "cell")]
                    for n, f in enumerate(a.figures, start=1)]
            out.table(["Measure", "Figure"], rows)
        if a.source:
            out.para(f"Source: {out.said(a.source, activity_place(a, 'source', 'source'))}.")
        if a.uses_cohort:
            an = ctx.analysis
            if an.cohort:
                out.para(f"The agencies' audit tools over the audit's cohort: {count(len(an.cohort), 'case')}, "
                         f"{count(an.returns.completed, 'completed audit tool')} from "
                         f"{count(len(an.agencies), 'agency')}; the grades and answers are counted under "
                         "Findings by objective.")
            else:
                out.para("The agencies' audit tools over the audit's cohort: the cohort has not been selected yet.")
        if a.key_points:
            out.para(strong("Key points"))
            out.bullets([out.said(p, activity_place(a, "key_points", "key point", n))
                         for n, p in enumerate(a.key_points, start=1)], ordered=True)


# ------------------------------------------------------------------------ themes


def themes(ctx: Context, out: Writer) -> None:
    out.heading(2, "Cross-cutting themes")
    if not ctx.themes:
        out.para("No themes have been drawn out yet.")
        return
    by_id = {a.id: a for a in ctx.activities}
    out.para("The themes the agencies drew out of the evidence at the MATA discussion, each with the "
             "evidence it rests on.")
    for n, t in enumerate(ctx.themes, start=1):
        title = out.said(t.title, theme_place(t, "title", "title"), "plain")
        out.heading(3, f"{t.id}. {title}" if title else t.id)
        out.para(out.said(t.text, theme_place(t, "text", "text"), "block"))
        status = f"Agreed at the MATA discussion on {format_uk(t.agreed_on)}" if t.agreed_on else "Not yet agreed"
        if t.finding_id:
            status += f"; it became finding {md.inline(t.finding_id)}"
        out.para(status + ".")
        items = []
        for e in t.evidence:
            a = by_id.get(e.activity)
            if a is None:
                continue
            name = f"{md.inline(a.id)} ({a.kind.value})"
            if e.point and e.point <= len(a.key_points):
                point = out.said(a.key_points[e.point - 1], activity_place(a, "key_points", "key point", e.point))
                items.append(f"{name}, point {e.point}: {point}")
            else:
                items.append(f"{name}: {_title(ctx, out, a) or 'the activity as a whole'}")
        if items:
            out.para(strong("Evidence"))
            out.bullets(items)
        else:
            out.para("No evidence has been linked to this theme yet.")


# ------------------------------------------------------------------------ summary, objectives


def mata_summary(ctx: Context, out: Writer) -> None:
    """A thematic audit's summary: the lead's words, then what was done and found."""
    from audit.report_evidence import lead_summary

    audit, a = ctx.audit, ctx.analysis
    out.heading(2, "Summary")
    lead_summary(ctx, out)
    linked = linked_review(ctx, out)
    acts = ctx.activities
    agencies = {p.agency for x in acts for p in x.participants if p.agency}
    did = (f"gathered evidence through {count(len(acts), 'activity', 'activities')} ({kinds_sentence(acts)}), "
           f"with {count(sum(x.people() for x in acts), 'participant')} from {count(len(agencies), 'agency')}"
           if acts else "has not recorded any evidence activity yet")
    cohort = f", and audited {count(len(a.cohort), 'case')} with the agencies' audit tools" if a.cohort else ""
    agreed = sum(1 for t in ctx.themes if t.agreed_on)
    out.para(f"This {audit.kind.label}{linked} tested {count(len(audit.objectives), 'objective')}. It {did}{cohort}. "
             f"The agencies drew out {count(len(ctx.themes), 'cross-cutting theme')} ({agreed} agreed).")
    found_and_planned(ctx, out)


def objective_evidence(ctx: Context, out: Writer, objective: Objective) -> None:
    """Which activities covered ``objective`` (nothing when the audit has none)."""
    covering = [x for x in ctx.activities if objective.id in x.objectives]
    if not ctx.activities:
        return
    if not covering:
        out.para("No evidence activity covered this objective.")
        return
    names = [f"{md.inline(x.id)} ({x.kind.value})" for x in covering]
    out.para(f"Evidence activities covering it: {joined(names)}.")
