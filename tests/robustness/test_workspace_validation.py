"""Files Python's json reads without complaint but wrongly are refused (issue 15 item 5):
`maca check` lists them as problems (exit 1), never an internal error, and opening such a
file refuses it the same way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage.demo import build_demo
from storage.errors import CorruptWorkspace
from storage.lock import os_login
from storage.migrate import read_tables
from storage.workspace import Workspace
from storage.workspace_file import parse_workspace
from tui.cli import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The demo as one JSON file of tables: an older maca's workspace, which is read
    (and refused) by the same parser as each file of a workspace folder."""
    path = tmp_path_factory.mktemp("demo") / "w"
    build_demo(path, os_login())
    return json.dumps(read_tables(path)).encode("utf-8")


def with_text(demo: bytes, change) -> bytes:
    return change(demo.decode("utf-8")).encode("utf-8")


def dup_returns(text: str) -> str:
    assert text.startswith("{")
    return '{"returns": {},' + text[1:] if '"returns"' in text else text[:-1] + ', "returns": {}, "returns": {}}'


def dup_inner(text: str) -> str:
    data = json.loads(text)
    doc_id = next(iter(data["users"]))
    inner = json.dumps(data["users"][doc_id])
    return text.replace(inner[:-1] + "}", inner[:-1] + ', "role": "lead"}', 1) if inner in text else \
        json.dumps(data).replace('"role": ', '"role": "lead", "role": ', 1)


CASES = {
    "duplicate table": (dup_returns, 'the key "returns" appears twice in one object'),
    "duplicate field": (lambda t: json.dumps(json.loads(t)).replace('"role": ', '"role": "lead", "role": ', 1),
                        'the key "role" appears twice in one object'),
    "100,000-digit integer": (lambda t: json.dumps(json.loads(t)).replace('"rev": 1', '"rev": ' + "9" * 100_000, 1),
                              "a number of 100,000 digits, larger than any maca writes"),
    "20-digit integer": (lambda t: json.dumps(json.loads(t)).replace('"rev": 1', '"rev": ' + "1" * 20, 1),
                         "a number of 20 digits"),
    "huge float": (lambda t: json.dumps(json.loads(t)).replace('"rev": 1', '"rev": 1e400', 1),
                   "a number too large to read"),
    "NaN": (lambda t: json.dumps(json.loads(t)).replace('"rev": 1', '"rev": NaN', 1), "it holds NaN"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_check_reports_it_and_open_refuses_it(demo: bytes, tmp_path: Path, capsys, name: str) -> None:
    change, says = CASES[name]
    path = tmp_path / "w.json"
    path.write_bytes(with_text(demo, change))
    code = main(["check", "--db", str(path)])
    out, err = capsys.readouterr()
    assert code == 1
    assert says in err and "internal error" not in err
    assert len(err) < 500  # never the 100,000 digits
    with pytest.raises(CorruptWorkspace, match=says):
        Workspace.open(path, os_login())
    with pytest.raises(CorruptWorkspace):
        parse_workspace(path.read_bytes(), path)


WRONG_TYPES = {
    "rev is text": lambda d: first(d, "users").update(rev="one"),
    "agencies is a number": lambda d: first(d, "users").update(agencies=5),
    "role unknown": lambda d: first(d, "users").update(role="emperor"),
    "title is a list": lambda d: first(d, "audits").update(title=["x"]),
    "schema is true": lambda d: d["meta"]["1"].update(schema=True),
    "engagement is text": lambda d: first(d, "cases").update(engagement="HV"),
    "older siblings is text": lambda d: first(d, "cases").update(older_siblings="two"),
}


def first(data: dict, table: str) -> dict:
    return next(iter(data[table].values()))


@pytest.mark.parametrize("name", list(WRONG_TYPES))
def test_wrong_types_are_problems_not_internal_errors(demo: bytes, tmp_path: Path, capsys, name: str) -> None:
    data = json.loads(demo)
    WRONG_TYPES[name](data)
    path = tmp_path / "w.json"
    path.write_text(json.dumps(data))
    code = main(["check", "--db", str(path)])
    _, err = capsys.readouterr()
    assert code == 1, err
    assert "internal error" not in err and "Traceback" not in err


# The files maca writes are compact orjson, which the reader takes by a faster path
# (orjson, then the same bytes encoded back); each refusal must hold there too.
COMPACT = {
    "duplicate table": (lambda t: '{"users":{},' + t[1:], 'the key "users" appears twice in one object'),
    "duplicate field": (lambda t: t.replace('"role":', '"role":"lead","role":', 1),
                        'the key "role" appears twice in one object'),
    "20-digit integer within 64 bits": (lambda t: t.replace('"rev":1', '"rev":' + "1" * 20, 1),
                                        "a number of 20 digits"),
    "integer beyond 64 bits": (lambda t: t.replace('"rev":1', '"rev":' + "9" * 30, 1), "a number of 30 digits"),
    "huge float": (lambda t: t.replace('"rev":1', '"rev":1e400', 1), "a number too large to read"),
    "NaN": (lambda t: t.replace('"rev":1', '"rev":NaN', 1), "it holds NaN"),
}


@pytest.mark.parametrize("name", list(COMPACT))
def test_compact_files_are_refused_alike(demo: bytes, name: str) -> None:
    import orjson

    compact = orjson.dumps(json.loads(demo))
    assert parse_workspace(compact, "w.json") == json.loads(demo)  # the fast path reads it
    change, says = COMPACT[name]
    bad = change(compact.decode("utf-8")).encode("utf-8")
    assert bad != compact
    with pytest.raises(CorruptWorkspace, match=says):
        parse_workspace(bad, "w.json")


def test_a_long_digit_run_in_text_is_read_the_strict_way_and_kept() -> None:
    raw = b'{"notes":{"1":{"text":"call 01234567890123456789012"}}}'
    assert parse_workspace(raw, "w.json") == {"notes": {"1": {"text": "call 01234567890123456789012"}}}
