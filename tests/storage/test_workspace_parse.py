"""Reading a workspace file fast (orjson) without trusting it more than the careful
parser would: the fast read is kept only when the bytes are exactly what orjson writes
for what it read, so a file in maca's own compact form that repeats a key, holds NaN,
a float too large or a number of 20 digits is refused with the same sentence."""

from __future__ import annotations

import json

import orjson
import pytest

import storage.workspace_file as workspace_file
from storage.errors import CorruptWorkspace
from storage.workspace_file import parse_workspace

TABLES = {"returns": {"1": {"key": "A/1/MID", "rev": 3, "answers": {"q1": {"evidence": "Seen 1 of 2."}}},
                      "2": {"key": "A/1/HV", "rev": 1, "score": 0.5}},
          "cases": {"7": {"ref": "C1", "n": 12345678901234567}}}
COMPACT = orjson.dumps(TABLES)  # maca's own form: no spaces


def careful_only(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    fast: list[bytes] = []
    real = workspace_file._fast
    monkeypatch.setattr(workspace_file, "_fast", lambda raw: fast.append(raw) or real(raw))
    return fast


def test_maca_s_own_file_is_read_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json, "loads", lambda *a, **k: pytest.fail("the careful parser ran"))
    assert parse_workspace(COMPACT, "w.json") == TABLES


def test_a_file_in_another_form_is_read_carefully_to_the_same_tables() -> None:
    spaced = json.dumps(TABLES, indent=1).encode()
    assert workspace_file._fast(spaced) is None
    assert parse_workspace(spaced, "w.json") == TABLES


@pytest.mark.parametrize("damage, sentence", [
    (lambda t: t.replace(b'{"returns":{', b'{"returns":{},"returns":{', 1),
     'the key "returns" appears twice in one object'),
    (lambda t: t.replace(b'"rev":3', b'"rev":3,"rev":4', 1), 'the key "rev" appears twice in one object'),
    (lambda t: t.replace(b'"rev":3', b'"rev":12345678901234567890', 1), "a number of 20 digits"),
    (lambda t: t.replace(b'"rev":3', b'"rev":1e400', 1), "a number too large to read"),
    (lambda t: t.replace(b'"rev":3', b'"rev":NaN', 1), "it holds NaN"),
])
def test_compact_damage_is_refused_with_the_careful_parser_s_sentence(damage, sentence: str) -> None:
    raw = damage(COMPACT)
    assert raw != COMPACT
    with pytest.raises(CorruptWorkspace) as caught:
        parse_workspace(raw, "w.json")
    assert sentence in str(caught.value)


def test_twenty_digits_inside_a_text_only_slow_the_read_down() -> None:
    tables = {"returns": {"1": {"key": "A", "note": "phone 01234567890123456789"}}}
    raw = orjson.dumps(tables)
    assert workspace_file._fast(raw) is None
    assert parse_workspace(raw, "w.json") == tables


def test_a_lone_surrogate_typed_in_still_saves_and_reads_back(tmp_path) -> None:
    """orjson refuses it (no UTF-8 form), so the file is written by the standard library,
    escaped, and read back by the careful parser (the bytes are not orjson's)."""
    import dataclasses

    from audit.access import Act
    from storage.demo import build_demo
    from storage.lock import os_login
    from storage.workspace import Workspace

    path = build_demo(tmp_path / "ws", os_login()).path
    ws = Workspace.open(path, os_login())
    ws.save(dataclasses.replace(ws.partnership(), name="Torbay \ud800 partnership"), act=Act.MANAGE_USERS)
    raw = (path / "partnership.json").read_bytes()
    assert b"\\ud800" in raw and workspace_file._fast(raw) is None
    assert Workspace.open(path, os_login()).partnership().name == "Torbay \ud800 partnership"
