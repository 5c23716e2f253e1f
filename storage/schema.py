"""What a workspace file holds: its schema version and its tables, and the model each
table stores.

Shared by `storage.workspace` (reading) and `storage.transaction` (writing), which is
why it is a module of its own; both re-export what they use from here.
"""

from __future__ import annotations

from typing import Any

from audit.activities import Activity, Theme
from audit.approval import ReportApproval
from audit.briefing import Briefing, Dissemination
from audit.cases import CandidateCase
from audit.findings import Action, Discussion, Finding
from audit.guard_marks import GuardMark
from audit.narrative import ReportText
from audit.partnership import Partnership, User
from audit.programme import PlannedAudit
from audit.returns import Return
from audit.scope import Audit
from audit.ssh_keys import SshKey

__all__ = ["ALL_TABLES", "JOURNAL", "META", "MODELS", "SCHEMA_VERSION", "table_of"]

SCHEMA_VERSION = 1

MODELS: dict[str, type] = {
    "partnership": Partnership,
    "users": User,
    "audits": Audit,
    "cases": CandidateCase,
    "returns": Return,
    "discussions": Discussion,
    "findings": Finding,
    "actions": Action,
    "guard_marks": GuardMark,  # an audit's: a lead's "not an identifier here" (issue 16)
    "report_texts": ReportText,
    "ssh_keys": SshKey,  # partnership-wide: served mode's keys, one per user
    "activities": Activity,
    "themes": Theme,
    "approvals": ReportApproval,
    "planned": PlannedAudit,
    "briefings": Briefing,  # an audit's: the lead's 7-minute briefing (issue 19 item 4)
    "disseminations": Dissemination,  # an audit's: seminars and briefings delivered  # partnership-wide: the programme's audits not yet scoped (issue 19)
}
JOURNAL = "journal"
META = "meta"
ALL_TABLES = (META, *MODELS, JOURNAL)

_TABLE_OF_TYPE = {model: name for name, model in MODELS.items()}


def table_of(obj: Any) -> str:
    found = _TABLE_OF_TYPE.get(type(obj))  # exact type first: an import calls this per case
    if found is not None:
        return found
    for name, model in MODELS.items():
        if isinstance(obj, model):
            return name
    raise TypeError(f"{type(obj).__name__} is not stored in a workspace")
