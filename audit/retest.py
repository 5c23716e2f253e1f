"""Learning to re-test (issue 19 item 6): when an audit is scoped, the findings of earlier
audits on the same objectives, so the lead can test whether that learning is embedded.

An earlier audit is one :func:`audit.report_evidence.comparable` would compare in the
report: it shares an objective (the same id, or the same title ignoring case and
spacing) and started earlier.  Decisions where the issue is silent:

- Areas for development and recommendations are listed (the learning to embed);
  strengths are not, nor proposals a lead has not accepted.
- A finding already linked from this audit (the board's ``r``) is listed as linked.
- At most the three most recent earlier audits, as the report's comparison shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.findings import Column, Finding
from audit.report_evidence import earlier_than, matching
from audit.scope import Audit
from audit.text import natural_key

LEARNING = (Column.DEVELOPMENT, Column.RECOMMENDATION)


@dataclass(frozen=True, slots=True)
class ToRetest:
    audit: Audit  # the earlier audit
    finding: Finding
    objective: str  # this audit's objective id it bears on
    linked: bool  # already linked from one of this audit's findings


def to_retest(audit: Audit, earlier: list[tuple[Audit, list[Finding]]], mine: list[Finding]) -> list[ToRetest]:
    """The earlier audits' findings on this audit's objectives, oldest audit first."""
    by_ref = {a.ref: found for a, found in earlier}
    linked = {(f.retest.audit, f.retest.finding_id) for f in mine if f.retest is not None}
    out: list[ToRetest] = []
    for other in earlier_than(audit, [a for a, _ in earlier]):
        theirs_to_mine = {theirs: ours for ours, theirs in matching(audit, other).items()}
        findings = sorted((f for f in by_ref[other.ref] if f.column in LEARNING and not f.proposed
                           and f.objective in theirs_to_mine),
                          key=lambda f: (list(Column).index(f.column), natural_key(f.id)))
        out.extend(ToRetest(other, f, theirs_to_mine[f.objective], (other.ref, f.id) in linked)
                   for f in findings)
    return out


_KIND = {Column.DEVELOPMENT: "area for development", Column.RECOMMENDATION: "recommendation"}


def describe(item: ToRetest, objective_title: str) -> str:
    """``MACA-C12 F3, area for development on Professional curiosity: Fathers were not
    assessed (linked)`` — plain text, for a screen's Text or a terminal line."""
    done = " (linked)" if item.linked else ""
    return (f"{item.audit.ref} {item.finding.id}, {_KIND[item.finding.column]} on {objective_title}: "
            f"{' '.join(item.finding.title.split()) or '(untitled)'}{done}")
