"""The lead's own words in the report, read and saved through the workspace.

Leads write them (``Act.WRITE_REPORT``); everyone who can read the report reads them.
Text is cleaned (control bytes go) and refused over the length limit with one sentence;
a save checks the record's rev like every other save.
"""

from __future__ import annotations

import dataclasses
from functools import partial

from audit.access import Act
from audit.narrative import MAX_NARRATIVE, ReportText
from audit.text import field_text
from storage.errors import WorkspaceError
from storage.workspace import Workspace


class NarrativeError(WorkspaceError):
    """Report text that cannot be saved as given (exit 2); nothing was saved."""


def report_text(ws: Workspace, ref: str) -> ReportText:
    """The stored record, or an empty one (saved at its first edit)."""
    ws.audit(ref)
    stored = ws.get("report_texts", ref)
    return stored if stored is not None else ReportText(audit=ref)


_clean = partial(field_text, limit=MAX_NARRATIVE, error=NarrativeError)  # audit.text's, raising this module's error


def save_report_text(ws: Workspace, text: ReportText) -> ReportText:
    """Insert (rev 0) or save the lead's words; objectives not in the scope are refused."""
    ws.require(Act.WRITE_REPORT, audit=text.audit, key=text.key)
    audit = ws.audit(text.audit)
    known = {o.id: o.title for o in audit.objectives}
    unknown = sorted(set(text.objectives) - set(known))
    if unknown:
        raise NarrativeError(f"The audit has no objective {unknown[0]}; nothing was saved.")
    checked = dataclasses.replace(
        text,
        summary=_clean(text.summary, "The summary"),
        conclusions=_clean(text.conclusions, "The conclusions"),
        objectives={oid: cleaned for oid, value in text.objectives.items()
                    if (cleaned := _clean(value, f"The narrative for {known[oid]}"))},
    )
    with ws.transaction() as tx:
        checked = dataclasses.replace(checked, updated_by=ws.login, updated_at=tx.at)
        if checked.rev == 0:
            return tx.insert(checked, summary=f"wrote the {text.audit} report's own words")
        return tx.save(checked, summary=f"edited the {text.audit} report's own words")
