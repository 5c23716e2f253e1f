"""The journal on disk: JSON Lines, one file a month, appended and never rewritten.

Each entry is one line of JSON.  Lines are appended and fsynced by the writer holding
the workspace lock, so lines never interleave.  A crash in the middle of an append can
leave a last line without its newline (a *torn* line): readers skip it, `maca check`
reports it, and the next writer trims it before appending (the save it belonged to
never landed: see `storage.commit`, which lands the files before the journal and
repeats the journal append after a crash).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from audit.files import read_regular
from storage.errors import save_error
from storage.lock import NEW_FILE_MODE

__all__ = ["JournalFile", "append_lines", "clean_size", "encode_line", "read_journal_file", "trim_torn_tail"]


def encode_line(doc: dict[str, Any]) -> bytes:
    """One journal entry as one line (orjson never writes a raw newline inside a value)."""
    try:
        return orjson.dumps(doc) + b"\n"
    except (orjson.JSONEncodeError, UnicodeEncodeError):
        import json

        return json.dumps(doc, ensure_ascii=True).encode("ascii") + b"\n"


@dataclass
class JournalFile:
    """What one month file holds: its entries, and what is wrong with it."""

    path: Path
    entries: list[dict[str, Any]]
    torn: bool = False  # a last line without its newline (a crash mid-append)
    damaged: list[int] | None = None  # line numbers that are not a JSON object


def read_journal_file(path: Path) -> JournalFile:
    raw, _ = read_regular(path)
    lines = raw.split(b"\n")
    torn = bool(lines and lines[-1])  # the text after the last newline
    lines = lines[:-1]
    entries: list[dict[str, Any]] = []
    damaged: list[int] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            doc = orjson.loads(line)
        except orjson.JSONDecodeError:
            damaged.append(number)
            continue
        if not isinstance(doc, dict):
            damaged.append(number)
            continue
        entries.append(doc)
    return JournalFile(path, entries, torn, damaged or None)


def torn_tail_at(fd: int) -> int | None:
    """The offset to cut a torn last line at, or None when the file ends cleanly."""
    size = os.fstat(fd).st_size
    if size == 0:
        return None
    if os.pread(fd, 1, size - 1) == b"\n":
        return None
    # Walk back in blocks to the last newline (a line is a few KB at most).
    end = size
    while end > 0:
        start = max(0, end - 65536)
        block = os.pread(fd, end - start, start)
        cut = block.rfind(b"\n")
        if cut >= 0:
            return start + cut + 1
        end = start
    return 0


def clean_size(path: Path) -> int:
    """The size of `path` once a torn last line is cut off (call with the workspace lock
    held; 0 when there is no file): where the next lines go."""
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return 0
    try:
        cut = torn_tail_at(fd)
        if cut is None:
            return os.fstat(fd).st_size
        os.ftruncate(fd, cut)
        os.fsync(fd)
        return cut
    finally:
        os.close(fd)


def trim_torn_tail(path: Path) -> bool:
    """Cut a torn last line off `path` (call with the workspace lock held); True if cut."""
    try:
        before = os.stat(path).st_size
    except FileNotFoundError:
        return False
    return clean_size(path) != before


def append_lines(path: Path, lines: Iterable[bytes], *, at: int | None = None, mode: int = NEW_FILE_MODE) -> int:
    """Append `lines` to `path` and fsync (workspace lock held); returns the size before.

    `at`: the size the file had before these lines (`clean_size`, recorded in a save's
    intent): anything past it, a first try of this very append cut off by a crash, is
    cut first.  Without it a torn last line is cut, so a new entry never glues onto half
    an old one.  One open and one fsync either way.
    """
    payload = b"".join(lines)
    created = not path.exists()
    flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, mode)
    except OSError as exc:
        raise save_error(exc, path.parent, "the journal could not be opened because ") from exc
    try:
        if at is None:
            cut = torn_tail_at(fd)
        else:
            cut = at if os.fstat(fd).st_size > at else None
        if cut is not None:
            os.ftruncate(fd, cut)
        before = os.fstat(fd).st_size
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except OSError as exc:
        raise save_error(exc, path.parent, "the journal could not be written because ") from exc
    finally:
        os.close(fd)
    if created:
        _fsync_dir(path.parent)
    return before


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    with suppress(OSError):
        os.fsync(fd)
    os.close(fd)
