"""Who may do what (DESIGN §8), as one table the storage layer enforces for every caller.

Screens hide keys a user cannot use, but that is a courtesy: the rule lives here and
the workspace checks it on every write, so the CLI and any screen get the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from audit.partnership import Role, User


class Act(StrEnum):
    MANAGE_USERS = "manage users"
    CREATE_AUDIT = "create an audit"
    EDIT_SCOPE = "edit the scope"
    IMPORT_CASES = "import candidate cases"
    EDIT_COHORT = "change the cohort"
    EDIT_RETURN = "edit a return"
    RETURN_FOR_CLARIFICATION = "return a return for clarification"
    ACKNOWLEDGE_CONCERN = "acknowledge a safeguarding concern"
    EDIT_DISCUSSION = "record a discussion"
    EDIT_BOARD = "edit the findings board"
    PROPOSE_FINDING = "propose a finding"
    EXPORT_REPORT = "export the report"
    WRITE_REPORT = "write the report's summary, narratives and conclusions"
    READ_JOURNAL = "read the journal"
    VIEW_IDENTIFIERS = "see identifiers"
    REVIEW_IDENTIFIERS = "mark a possible identifier as not one"
    UPDATE_ACTION = "record progress on an action"
    SIGN_OFF_ACTION = "sign off an action"
    EXPORT_TRACKER = "export the action tracker"
    ACT_ON_CONCERN = "record the action taken on a safeguarding concern"
    APPROVE_REPORT = "record the report's approval"
    EDIT_PARTNERSHIP = "change the partnership's settings"
    PLAN_PROGRAMME = "plan the partnership's programme"
    RECORD_LEARNING = "record the learning shared"


_LEAD_ONLY = {
    Act.MANAGE_USERS,
    Act.CREATE_AUDIT,
    Act.EDIT_SCOPE,
    Act.IMPORT_CASES,
    Act.EDIT_COHORT,
    Act.RETURN_FOR_CLARIFICATION,
    Act.ACKNOWLEDGE_CONCERN,
    Act.EDIT_DISCUSSION,
    Act.EDIT_BOARD,
    Act.EXPORT_REPORT,
    Act.WRITE_REPORT,
    Act.READ_JOURNAL,
    Act.APPROVE_REPORT,
    Act.EDIT_PARTNERSHIP,
    Act.REVIEW_IDENTIFIERS,
    Act.PLAN_PROGRAMME,
    Act.RECORD_LEARNING,
}


_OWN_AGENCY = {  # what a co-ordinator may do for the agencies they co-ordinate, said when refused
    Act.EDIT_RETURN: "edit {agency}'s return",
    Act.UPDATE_ACTION: "update {agency}'s actions",
    Act.ACT_ON_CONCERN: "record {agency}'s action on a concern",
}


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


def decide(user: User | None, act: Act, *, agency: str | None = None) -> Decision:
    """May `user` do `act` (for `agency`, where the act concerns one agency's return)?"""
    if user is None:
        return Decision(False, "You are not a user of this workspace.")
    if user.role is Role.LEAD:
        return ALLOWED
    if user.role is Role.PANEL:
        # The sub-committee reviews the partnership's audits: it reads and signs off
        # actions as closed, and changes nothing else.
        if act in (Act.SIGN_OFF_ACTION, Act.EXPORT_TRACKER):
            return ALLOWED
        return Decision(False, f"{user.login} is a panel member, who reads and signs off actions; "
                               f"ask a lead auditor to {act.value}.")
    if user.role is Role.VIEWER:
        return Decision(False, f"{user.login} is a viewer and can only read; ask a lead auditor to {act.value}.")
    # Co-ordinators.
    if act in _OWN_AGENCY:
        if agency is not None and agency in user.agencies:
            return ALLOWED
        return Decision(
            False,
            f"{user.login} co-ordinates {', '.join(user.agencies) or 'no agency'}"
            f" and cannot {_OWN_AGENCY[act].format(agency=agency or 'another agency')}.",
        )
    if act in (Act.PROPOSE_FINDING, Act.VIEW_IDENTIFIERS):
        return ALLOWED
    if act in (Act.SIGN_OFF_ACTION, Act.EXPORT_TRACKER):
        then = " and can ask for it to be closed" if act is Act.SIGN_OFF_ACTION else ""
        return Decision(False, f"Only a lead auditor or a panel member can {act.value}; "
                               f"{user.login} is a co-ordinator{then}.")
    if act in _LEAD_ONLY:
        return Decision(False, f"Only a lead auditor can {act.value}; {user.login} is a co-ordinator.")
    return Decision(False, f"{user.login} may not {act.value}.")
