"""Audits whose tools are the same (copied from the same templates) are decoded with
those tools decoded once and shared (issue 14 item 7.10, start-up at ten years): each
audit is still exactly what its document says."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from audit.codec import from_doc, to_doc
from audit.scope import Audit
from storage.demo import DEMO_AUDIT, build_demo
from storage.lock import os_login
from storage.store import _Table


def test_audits_with_the_same_tools_share_them_and_decode_as_before(tmp_path: Path) -> None:
    ws = build_demo(tmp_path / "demo", os_login())
    audit = ws.audit(DEMO_AUDIT)
    doc = to_doc(audit)
    other_tools = {code: dataclasses.replace(tool) for code, tool in list(audit.tools.items())[:1]}
    raw = {
        "1": doc,
        "2": {**doc, "ref": "MACA-2", "title": "Second"},
        "3": {**to_doc(dataclasses.replace(audit, ref="MACA-3", tools=other_tools))},
        "4": {**doc, "ref": "MACA-4", "tools": {}},
    }
    table = _Table("audits", raw)
    for doc_id, found in raw.items():
        assert table.items[table_key(found)] == from_doc(Audit, found), doc_id
    first, second, third = (table.items[r] for r in (DEMO_AUDIT, "MACA-2", "MACA-3"))
    assert first.tools and second.tools is first.tools  # decoded once
    assert third.tools is not first.tools and list(third.tools) == list(other_tools)
    assert table.items["MACA-4"].tools == {}


def table_key(doc: dict) -> str:
    return doc["ref"]
