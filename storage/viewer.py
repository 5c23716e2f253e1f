"""Viewers never see identifiers, not even in free text (DESIGN §8, issue 16 item 5).

One place does it: :class:`ViewerSafeWorkspace`, the workspace the app hands to every
screen (and the palette).  For someone who may not see identifiers (a viewer), every
record it reads out has the identifiers of cases masked wherever people typed them
(returns, discussions, findings, actions, the scope, the journal), by the same matcher
as the export guard, certain and possible matches alike; a case's own identifier fields
come out empty.  Leads and co-ordinators get the records untouched.

The masked copies are new objects (the stored ones are never changed) and are kept
while the stored object is the same one, so a screen that re-reads costs nothing more.
A viewer cannot save, so a masked copy can never be written back.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any

from audit.access import Act
from audit.cases import CandidateCase
from audit.guard import Matcher
from audit.journal import JournalEntry
from storage.guard import all_cases_matcher
from storage.workspace import Workspace

# Fields that are keys, codes, logins or references: never free text, and a masked key
# would no longer find its record.
LINKS = frozenset({
    "audit", "ref", "case_ref", "agency", "id", "finding_id", "subject", "objective", "owner", "code",
    "cases", "agencies", "login", "who", "key", "entity", "action", "created_by", "updated_by", "drawn_by",
    "decided_by", "raised_by", "acknowledged_by", "marked_by", "by", "spot", "session_kind", "balance_by",
    "picked", "predicates", "tools",
})
CASE_IDENTIFIERS = {"family_name": "", "child_dob": None, "system_ids": ""}
_MEMO_LIMIT = 200_000


class ViewerSafeWorkspace(Workspace):
    """A :class:`Workspace` whose reads are masked for a user who may not see identifiers
    (a viewer, or a panel member).  A new read method of :class:`Workspace` that hands
    out records with people's text needs its override here."""

    def _masking(self) -> _Masker | None:
        if self.can(Act.VIEW_IDENTIFIERS):
            return None
        matcher = all_cases_matcher(self)
        masker: _Masker | None = self.__dict__.get("_masker")
        if masker is None or masker.matcher is not matcher:
            masker = self.__dict__["_masker"] = _Masker(matcher)
        return masker

    def _shown(self, value: Any) -> Any:
        masker = self._masking()
        if masker is None:
            return value
        if isinstance(value, list):
            return [masker.record(x) for x in value]
        return masker.record(value)

    def audits(self) -> list[Any]:
        return self._shown(super().audits())

    def audit(self, ref: str) -> Any:
        return self._shown(super().audit(ref))

    def cases(self, ref: str) -> list[CandidateCase]:
        return self._shown(super().cases(ref))

    def case(self, ref: str, case_ref: str) -> CandidateCase | None:
        return self._shown(super().case(ref, case_ref))

    def returns(self, ref: str) -> list[Any]:
        return self._shown(super().returns(ref))

    def get_return(self, ref: str, case_ref: str, agency: str) -> Any:
        return self._shown(super().get_return(ref, case_ref, agency))

    def discussions(self, ref: str) -> list[Any]:
        return self._shown(super().discussions(ref))

    def findings(self, ref: str) -> list[Any]:
        return self._shown(super().findings(ref))

    def actions(self, ref: str) -> list[Any]:
        return self._shown(super().actions(ref))

    def all_actions(self) -> list[Any]:
        return self._shown(super().all_actions())

    def get(self, obj_or_table: Any, key: str | None = None) -> Any:
        return self._shown(super().get(obj_or_table, key))

    def journal(self) -> list[JournalEntry]:
        return self._shown(super().journal())


def viewer_safe(ws: Workspace) -> Workspace:
    """``ws`` itself, made to mask what it reads out for a viewer (see the module doc).

    The object is kept (its class changes), so everyone holding it, the app and its
    screens alike, reads the same masked records.
    """
    if type(ws) is Workspace:
        ws.__class__ = ViewerSafeWorkspace
    return ws


class _Masker:
    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self.memo: dict[int, tuple[Any, Any]] = {}

    def record(self, obj: Any) -> Any:
        if obj is None:
            return None
        held = self.memo.get(id(obj))
        if held is not None and held[0] is obj:
            return held[1]
        shown: Any
        if isinstance(obj, CandidateCase):
            shown = dataclasses.replace(obj, family_name="", child_dob=None, system_ids="",
                                        notes=self.text(obj.notes), decision_reason=self.text(obj.decision_reason))
        elif isinstance(obj, JournalEntry):
            shown = dataclasses.replace(obj, summary=self.text(obj.summary),
                                        before=self.document(obj.before, obj.entity),
                                        after=self.document(obj.after, obj.entity))
        else:
            shown = self.value(obj, "")
        if len(self.memo) > _MEMO_LIMIT:
            self.memo.clear()
        self.memo[id(obj)] = (obj, shown)  # holding obj keeps its id from being reused
        return shown

    def text(self, text: str) -> str:
        return self.matcher.mask(text) if text else text

    def document(self, doc: dict[str, Any] | None, entity: str) -> dict[str, Any] | None:
        """A journal entry's before/after: a case's identifier fields hidden, text masked."""
        if doc is None:
            return None
        out = {}
        for name, value in doc.items():
            if entity == "cases" and name in CASE_IDENTIFIERS:
                out[name] = "‹hidden›" if value else value
            else:
                out[name] = self.value(value, name)
        return out

    def value(self, value: Any, name: str) -> Any:
        if name in LINKS or value is None or isinstance(value, Enum):
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(x, name) for x in value]
        if isinstance(value, dict):
            return {k: self.value(v, k if isinstance(k, str) and name == "" else name) for k, v in value.items()}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {}
            for f in dataclasses.fields(value):
                if not f.init or not hasattr(value, f.name):
                    continue
                old = getattr(value, f.name)
                new = self.value(old, f.name)
                if new is not old and new != old:
                    changes[f.name] = new
            return dataclasses.replace(value, **changes) if changes else value
        return value
