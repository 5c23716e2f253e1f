"""Every piece of people's text that reaches the report is recorded for the identifier
guard (issue 16 item 1): nothing a person typed can slip past it unchecked.

Every text field of every record the report is built from is given a unique marker;
each marker that appears in the report must belong to a recorded piece whose place
names that record.  New report content that quotes a field without
``Writer.said`` fails here.
"""

from __future__ import annotations

import dataclasses
import re
from enum import Enum
from typing import Any

from audit.guard import Place
from tests.audit.test_report import build_fixture

# Fields that link records rather than hold text (references, codes, ids, logins):
# they keep their values so the report can still be assembled.
LINKS = {
    "audit", "ref", "case_ref", "agency", "id", "finding_id", "subject", "objective", "owner", "code",
    "cases", "agencies", "login", "created_by", "updated_by", "drawn_by", "decided_by", "raised_by",
    "acknowledged_by", "by", "balance_by", "picked", "session_kind", "source", "kind", "column", "tools",
    "predicates",
}
MARK = re.compile(r"Zqk\d+x")


class Marker:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return f"Zqk{self.n}x"


def marked(obj: Any, mark: Marker) -> Any:
    """``obj`` with every text (outside ``LINKS``) replaced by a fresh marker."""
    if isinstance(obj, Enum) or obj is None:
        return obj
    if isinstance(obj, str):
        return mark() if obj else obj
    if isinstance(obj, list):
        return [marked(x, mark) for x in obj]
    if isinstance(obj, dict):
        return {k: marked(v, mark) for k, v in obj.items()}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {f.name: marked(getattr(obj, f.name), mark) for f in dataclasses.fields(obj)
                   if f.name not in LINKS and f.init and hasattr(obj, f.name)}
        return dataclasses.replace(obj, **changes)
    return obj


def test_every_text_in_the_report_was_recorded_with_its_place() -> None:
    fx = build_fixture()
    mark = Marker()
    fx.audit = marked(fx.audit, mark)
    fx.partnership = marked(fx.partnership, mark)
    fx.returns = marked(fx.returns, mark)
    fx.discussions = marked(fx.discussions, mark)
    fx.findings = marked(fx.findings, mark)
    fx.actions = marked(fx.actions, mark)
    fx.earlier = marked(fx.earlier, mark)
    fx.text = marked(fx.text, mark)
    report = fx.build()
    shown = set(MARK.findall(report.markdown))
    recorded = {m for piece in report.quoted for m in MARK.findall(piece.text)}
    assert len(shown) > 40  # the fixture fills every section
    assert shown - recorded == set(), "people's text reached the report without Writer.said"


def test_places_speak_the_users_language_and_never_quote_the_text() -> None:
    fx = build_fixture()
    report = fx.build()
    labels = {piece.place.label for piece in report.quoted}
    for expected in ("scope, background", "scope, title", "scope, purpose 1", "scope, objective 1, title",
                     "finding F3, text", "finding F1, title", "action A1, what will be done",
                     "CSC's return for RB-2020-006, good practice", "scope, milestone 1, name",
                     "partnership, name", "partnership, agency 1, name"):
        assert any(label == expected for label in labels), expected
    for piece in report.quoted:
        assert isinstance(piece.place, Place) and piece.place.section
        if len(piece.text) > 3:
            assert piece.text not in piece.place.label
