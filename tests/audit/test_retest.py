"""Learning to re-test (issue 19 item 6): earlier audits' findings on the same objectives."""

from __future__ import annotations

from datetime import date, datetime

from audit.findings import Column, Finding, Retest
from audit.retest import describe, to_retest
from audit.scope import Audit, Objective

HOSTILE = "[bold]x[/] | # <html>"


def _audit(ref: str, start: date, objectives: list[Objective]) -> Audit:
    return Audit(ref=ref, title=ref, lookback_start=start, objectives=objectives,
                 created_at=datetime(start.year, 1, 1))


def test_earlier_findings_on_the_same_objective_ids_or_titles_are_listed() -> None:
    old = _audit("OLD", date(2019, 1, 1), [Objective("curiosity", "Professional curiosity"),
                                           Objective("men", "Hidden  MEN")])
    later = _audit("LATER", date(2022, 1, 1), [Objective("curiosity", "Professional curiosity")])
    new = _audit("NEW", date(2020, 1, 1), [Objective("curiosity", "Curiosity"), Objective("fathers", "hidden men")])
    old_findings = [
        Finding("OLD", "F1", Column.STRENGTH, title="Good chronologies", objective="curiosity"),
        Finding("OLD", "F2", Column.DEVELOPMENT, title=HOSTILE, objective="curiosity"),
        Finding("OLD", "F3", Column.RECOMMENDATION, title="Assess fathers", objective="men"),
        Finding("OLD", "F4", Column.DEVELOPMENT, title="A proposal", objective="men", proposed=True),
        Finding("OLD", "F5", Column.DEVELOPMENT, title="Elsewhere", objective="other"),
    ]
    later_findings = [Finding("LATER", "F1", Column.DEVELOPMENT, title="Later", objective="curiosity")]
    mine = [Finding("NEW", "F1", Column.DEVELOPMENT, retest=Retest("OLD", "F3"))]
    found = to_retest(new, [(old, old_findings), (later, later_findings)], mine)
    assert [(x.audit.ref, x.finding.id, x.objective, x.linked) for x in found] == [
        ("OLD", "F2", "curiosity", False),  # same id
        ("OLD", "F3", "fathers", True),  # same title, ignoring case and spacing; linked already
    ]
    assert describe(found[0], "Curiosity") == f"OLD F2, area for development on Curiosity: {HOSTILE}"
    assert describe(found[1], "hidden men").endswith("recommendation on hidden men: Assess fathers (linked)")


def test_nothing_to_retest_without_an_earlier_audit() -> None:
    only = _audit("ONLY", date(2020, 1, 1), [Objective("curiosity", "Curiosity")])
    assert to_retest(only, [], []) == []
