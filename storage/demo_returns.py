"""Returns for the demo audit, so the Returns grid looks like fieldwork in progress.

Deterministic: the same cases, answers, grades and timestamps every time.  Built with
the domain's own transitions (draft, submit, return for clarification, concern), so every
return is one a co-ordinator could have produced.  Returns that already exist are left
alone, so calling this twice changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from audit import return_transitions as domain
from audit.grades import Answer, Grade
from audit.returns import Return
from audit.tools import ToolTemplate
from storage.workspace import Workspace

DEMO_RETURNS_AT = datetime(2021, 4, 12, 9, 30)
_ANSWERS = (Answer.YES, Answer.YES, Answer.PARTLY, Answer.NO, Answer.YES, Answer.NA)
_GRADES = (Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.GOOD, Grade.INADEQUATE, Grade.OUTSTANDING, Grade.GOOD)
_COORDINATORS = {"CSC": "csc.coord", "MID": "mid.coord", "HV": "hv.coord", "GP": "gp.coord",
                 "ASM": "asm.coord", "AMH": "amh.coord", "EY": "ey.coord", "POL": "pol.coord"}

# (case index in the cohort, agency, what happened): the story the demo tells.
_PLAN: tuple[tuple[int, str, str], ...] = (
    (0, "CSC", "submitted"), (0, "MID", "submitted"), (0, "HV", "draft-most"), (0, "POL", "not-involved"),
    (0, "GP", "submitted"), (1, "CSC", "returned"), (1, "MID", "draft-some"), (1, "EY", "not-involved"),
    (2, "MID", "submitted-concern"), (2, "AMH", "draft-some"), (3, "CSC", "draft-most"), (4, "POL", "submitted"),
)


def _fill(ret: Return, tool: ToolTemplate, by: str, at: datetime, share: float, seed: int) -> Return:
    """Answer the first ``share`` of the questions (and grade the sections they complete)."""
    ret = domain.edit(ret, by, at, involved=True, auditor_name=f"{by} (fictional)", auditor_role="Audit co-ordinator",
                      involvement_period="January to December 2020",
                      involvement_nature="Routine contacts with the mother and the older sibling.")
    numbered = list(tool.numbered())
    stop = round(len(numbered) * share)
    for i, (number, _, question) in enumerate(numbered[:stop]):
        answer = _ANSWERS[(i + seed) % len(_ANSWERS)]
        evidence = "" if answer is Answer.NA else f"Record for {number}: seen in the case notes (demo text)."
        ret = domain.set_answer(ret, by, at, question.id, answer=answer, evidence=evidence)
    answered = {q.id for _, _, q in numbered[:stop]}
    for s, section in enumerate(tool.sections):
        if section.graded and all(q.id in answered for q in section.questions):
            ret = domain.set_grade(ret, by, at, section.objective, grade=_GRADES[(s + seed) % len(_GRADES)],
                                   rationale="The record shows this consistently across the period (demo text).")
    if share >= 1:
        ret = domain.edit(ret, by, at, impact_on_child="The older sibling's school attendance improved (demo text).",
                          good_practice="Routine enquiry at every contact.",
                          areas_for_development="Fathers were rarely seen.")
    return ret


def add_demo_returns(ws: Workspace, ref: str = "MACA-C86", shift: timedelta = timedelta(0)) -> int:
    """Add the demo's returns to audit ``ref``; returns how many were added.

    ``shift`` moves every date (the live demo happens now; see storage.demo)."""
    audit = ws.audit(ref)
    cohort = sorted(c.case_ref for c in ws.cases(ref) if c.in_cohort)
    added = 0
    with ws.transaction() as tx:
        for n, (index, agency, story) in enumerate(_PLAN):
            if index >= len(cohort) or agency not in audit.tools or ws.get_return(ref, cohort[index], agency):
                continue
            tool, by = audit.tools[agency], _COORDINATORS.get(agency, "rlead")
            at = DEMO_RETURNS_AT + shift + timedelta(hours=n * 5)
            ret = Return(audit=ref, case_ref=cohort[index], agency=agency)
            if story == "not-involved":
                ret = domain.edit(ret, by, at, involved=False, auditor_name=f"{by} (fictional)",
                                  auditor_role="Audit co-ordinator",
                                  not_involved_reason="No record of the family in the lookback period.")
                ret = domain.submit(ret, tool, by, at)
            elif story.startswith("draft"):
                ret = _fill(ret, tool, by, at, 0.8 if story == "draft-most" else 0.3, n)
            else:
                ret = domain.submit(_fill(ret, tool, by, at, 1.0, n), tool, by, at + timedelta(minutes=20))
                if story == "returned":
                    ret = domain.return_for_clarification(
                        ret, "rlead", at + timedelta(days=1), "Please say which worker saw the baby after birth.")
                if story == "submitted-concern":
                    ret = domain.raise_concern(ret, by, at + timedelta(minutes=30),
                                               "The mother disclosed a new partner with a history of violence; "
                                               "children's services were not told (demo text).")
                    ret = domain.acknowledge_concern(ret, "rlead", at + timedelta(hours=2),
                                                     "Referred to children's services the same day (demo text).")
            tx.insert(ret, journal=False)
            added += 1
        if added:
            tx.journal("import", "returns", ref, f"added {added} demo returns", audit=ref)
    return added
