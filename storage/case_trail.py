"""What a cohort case carries: the returns, discussion and findings that would be left
behind if it were taken out of the cohort (issue 18).

Nothing is deleted when a case leaves the cohort; the lead is shown this trail before
confirming, and the board and the report flag any finding that still cites the case.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from audit.dates import format_uk
from audit.findings import Discussion, Finding
from audit.returns import Return, Status
from storage.workspace import Workspace


@dataclass(frozen=True)
class CaseTrail:
    case_ref: str
    returns: list[Return] = field(default_factory=list)  # started, in the audit's agency order
    discussion: Discussion | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.returns and self.discussion is None and not self.findings

    def lines(self) -> list[str]:
        """One sentence per kind of record, for the confirmation."""
        out: list[str] = []
        if self.returns:
            n = len(self.returns)
            states = ", ".join(f"{r.agency} {r.status.value}" for r in self.returns)
            out.append(f"{n} agency return{'s' if n != 1 else ''}: {states}")
        if self.discussion is not None:
            d = self.discussion
            held = f"held {format_uk(d.held_on)}" if d.held_on else "not yet held"
            agreed = len(d.agreed_grades)
            out.append(f"its case discussion ({held}; {agreed} grade{'s' if agreed != 1 else ''} agreed)")
        if self.findings:
            ids = ", ".join(f.id for f in self.findings)
            verb = "cites" if len(self.findings) == 1 else "cite"
            out.append(f"finding{'s' if len(self.findings) != 1 else ''} {ids} {verb} it as evidence")
        return out


def _has_content(d: Discussion) -> bool:
    return bool(d.held_on or d.attendees or d.agreed_grades or d.worked_well or d.worked_less_well
                or d.notes.strip())


def case_trail(ws: Workspace, ref: str, case_ref: str) -> CaseTrail:
    """The records of `case_ref` in audit `ref` that stay when it leaves the cohort."""
    order = {code: i for i, code in enumerate(ws.audit(ref).agencies)}
    returns = sorted((r for r in ws.returns(ref) if r.case_ref == case_ref and r.status is not Status.NOT_STARTED),
                     key=lambda r: order.get(r.agency, len(order)))
    discussion = ws.get("discussions", f"{ref}/{case_ref}")
    if discussion is not None and not _has_content(discussion):
        discussion = None
    findings = sorted((f for f in ws.findings(ref) if case_ref in f.cases), key=lambda f: (len(f.id), f.id))
    return CaseTrail(case_ref, returns, discussion, findings)
