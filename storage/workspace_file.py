"""What a workspace file must hold, and reading it: bytes to validated tables (DESIGN §7).

A workspace is a JSON object of tables, each mapping document ids (whole numbers, as
TinyDB writes them) to objects.  Anything else is reported as :class:`CorruptWorkspace`
with one sentence saying what is wrong.  So is JSON that Python would read without
complaint but wrongly: a key repeated in one object (all but the last silently lost,
such as a second, empty ``"returns"`` table), and numbers no maca writes (more digits
than a 64-bit integer, ``NaN``, ``Infinity``, a float too large to hold).
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

import orjson

from audit.files import NotRegularFile, read_regular
from storage.errors import CorruptWorkspace, read_error
from storage.files import Identity, stat_identity

__all__ = ["Tables", "load_workspace", "parse_workspace"]

Tables = dict[str, dict[str, Any]]


def parse_workspace(raw: bytes, path: str | os.PathLike[str]) -> Tables:
    """Parse and validate workspace bytes, or raise :class:`CorruptWorkspace`.

    Shape: a JSON object of tables; each table an object mapping document ids (whole
    numbers, as TinyDB writes them) to objects.
    """
    data, reason = _decode(raw)
    if reason is None:
        reason = _shape_problem(data)
    if reason is not None:
        raise CorruptWorkspace(path, reason)
    return data


MAX_DIGITS = 19  # 2**63 has 19 digits: no count, rev or id maca writes comes near it


class _Unreadable(Exception):
    """Raised from inside the JSON decoder: a reason the file cannot be trusted."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for twice, _ in pairs:
            if twice in seen:
                break
            seen.add(twice)
        raise _Unreadable(f"the key {_short(twice)} appears twice in one object, so one of its values "
                          "would be silently lost")
    return found


def _whole(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _Unreadable(f"it holds a number of {len(text.lstrip('-')):,} digits, larger than any maca writes")
    return int(text)


def _real(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Unreadable("it holds a number too large to read")
    return value


def _constant(name: str) -> Any:
    raise _Unreadable(f"it holds {name}, which is not a number maca writes")


def _short(key: str) -> str:
    from audit.text import quote

    return quote(key, limit=40)


# Every byte a digit or not: a run of MAX_DIGITS + 1 of them is a number orjson may
# read (up to 2**64) that the strict reading refuses.
_DIGIT_OR_NOT = bytes(ord("0") if chr(i).isdigit() and i < 128 else ord(" ") for i in range(256))
_TOO_LONG = b"0" * (MAX_DIGITS + 1)


def _fast(raw: bytes) -> Any | None:
    """The file read by orjson, when that reading is provably the strict one's; else None.

    A file maca wrote is ``orjson.dumps`` of its tables, so it reads back and encodes to
    the very same bytes.  Those equal bytes rule out what the strict reading refuses: a
    repeated key (orjson keeps one of the pairs, so the encoding is shorter), an integer
    of more than 64 bits (read as a float, encoded differently); NaN, Infinity and a
    float too large are refused by orjson itself.  What is left, an integer of 20 digits
    that fits in 64 bits, is looked for in the bytes.  Anything else (a file edited by
    hand, escaped text, a damaged file) goes the strict way, which says what is wrong.
    A 4 MB partnership file: ~25 ms instead of ~65 ms."""
    try:
        data = orjson.loads(raw)
        same = orjson.dumps(data) == raw
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return None
    if not same or raw.translate(_DIGIT_OR_NOT).find(_TOO_LONG) >= 0:
        return None
    return data


def _decode(raw: bytes) -> tuple[Any, str | None]:
    if not raw:
        return None, "the file is empty"
    data = _fast(raw)
    if data is not None:
        return data, None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"it is not UTF-8 text (bad byte at offset {exc.start})"
    try:
        return json.loads(text, object_pairs_hook=_unique, parse_int=_whole, parse_float=_real,
                          parse_constant=_constant), None
    except _Unreadable as exc:
        return None, str(exc)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        if exc.pos >= len(text.rstrip()):
            return None, f"the JSON stops at {where}"
        if exc.msg.startswith("Unterminated string"):  # cut off inside a string: truncated
            return None, f"the JSON stops inside a string that starts at {where}"
        # Some of json's messages end in "at" and expect the position after them.
        return None, f"it is not valid JSON at {where} ({exc.msg.lower().removesuffix(' at')})"
    except RecursionError:
        return None, "the JSON is nested too deeply"


def _shape_problem(data: Any) -> str | None:
    if not isinstance(data, dict):
        return f"it holds {_kind(data)}, not an object of tables"
    for name, table in data.items():
        if not isinstance(table, dict):
            return f"the table {name[:40]!r} is {_kind(table)}, not an object of documents"
        for doc_id, doc in table.items():
            if not (doc_id.isascii() and doc_id.isdigit()):
                return (f"the table {name[:40]!r} has a document id {doc_id[:40]!r} "
                        f"that is not a whole number")
            if not isinstance(doc, dict):
                return f"document {doc_id} in the table {name[:40]!r} is {_kind(doc)}, not an object"
    return None


def _kind(value: Any) -> str:
    kinds = {list: "a list", str: "a string", bool: "a true/false value",
             type(None): "null", int: "a number", float: "a number"}
    return kinds.get(type(value), "an object")


def load_workspace(path: str | os.PathLike[str]) -> tuple[Tables, Identity]:
    """Read and validate a workspace file, with the identity of the exact file read
    (from the open descriptor, so a concurrent replace cannot pair new bytes with an
    old identity)."""
    try:
        raw, st = read_regular(path)
    except NotRegularFile as exc:
        raise CorruptWorkspace(path, str(exc)) from None
    except OSError as exc:
        raise read_error(exc, path) from None
    return parse_workspace(raw, path), stat_identity(st)
