"""The findings of earlier audits an audit should re-test (issue 19 item 6), read from
the workspace: only the audits that share an objective with it have their findings read."""

from __future__ import annotations

from audit.report_evidence import earlier_than, matching
from audit.retest import ToRetest, describe, to_retest
from storage.workspace import Workspace

__all__ = ["retest_lines", "to_retest_in"]


def to_retest_in(ws: Workspace, ref: str) -> list[ToRetest]:
    audit = ws.audit(ref)
    others = earlier_than(audit, [a for a in ws.audits() if a.ref != ref and matching(audit, a)])
    return to_retest(audit, [(a, ws.findings(a.ref)) for a in others], ws.findings(ref))


def retest_lines(ws: Workspace, ref: str) -> list[str]:
    """One plain line a finding to re-test, oldest audit first."""
    audit = ws.audit(ref)
    titles = {o.id: o.title for o in audit.objectives}
    return [describe(item, titles.get(item.objective, item.objective)) for item in to_retest_in(ws, ref)]
