"""The journal: every change and every refusal, with who, when, and before/after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class JournalEntry:
    at: datetime
    who: str
    action: str  # create | update | delete | import | refused | restore ...
    entity: str  # table name: audits, cases, returns ...
    key: str  # the document's key, or "" for workspace-level events
    summary: str = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    audit: str = ""  # the audit it belongs to, for filtering; "" for the partnership

    def changed_fields(self) -> list[str]:
        """Top-level fields whose value differs between before and after."""
        before = self.before or {}
        after = self.after or {}
        return sorted(k for k in set(before) | set(after) if k != "rev" and before.get(k) != after.get(k))
