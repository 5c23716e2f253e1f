"""The lead auditor's own words in the report: an overall summary, a narrative for each
objective and the conclusions (issue 20 item 3).

Kept as one record per audit, apart from the scope, so that writing the report never
races with an edit of the scope or the board.  Narratives are keyed by objective id: an
objective removed from the scope keeps its text here but the report no longer shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

MAX_NARRATIVE = 20_000


@dataclass(slots=True)
class ReportText:
    audit: str
    summary: str = ""
    conclusions: str = ""
    objectives: dict[str, str] = field(default_factory=dict)  # objective id -> narrative
    updated_by: str = ""
    updated_at: datetime | None = None
    rev: int = 0

    @property
    def key(self) -> str:
        return self.audit

    def narrative(self, objective_id: str) -> str:
        return self.objectives.get(objective_id, "")
