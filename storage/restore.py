"""`maca check --restore`: bring back earlier versions of a workspace's files.

Three ways: with nothing more, every file that no longer parses gets back its newest
backup that does; ``--list`` shows the versions kept; ``--at TIME`` puts every file
back as it was at TIME.  Only a lead of the workspace or the account that owns its
folder (the service account of a served deployment) may restore, and every restore is
journaled.  A restore is itself a save: the versions it replaces are kept as backups,
so a restore can be undone by another.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from audit.codec import to_doc
from audit.files import read_regular
from audit.journal import JournalEntry
from storage.backups import Version, keep_version, version_at, versions
from storage.commit import FileWrite, land, recover
from storage.errors import AccessDenied, CorruptWorkspace, NotFound, WorkspaceError
from storage.journal_log import encode_line
from storage.layout import Layout, PARTNERSHIP_FILE
from storage.lock import WorkspaceLock
from storage.workspace_file import parse_workspace

__all__ = ["Restored", "parse_time", "restore_at", "restore_damaged"]


@dataclass
class Restored:
    file: str  # relative to the folder
    until: datetime | None  # the version's time (UTC); None: moved aside


def _sound(path: Path) -> bytes | None:
    try:
        raw, _ = read_regular(path)
        parse_workspace(raw, path)
    except (OSError, CorruptWorkspace, ValueError):
        return None
    return raw


def _leads(raw: bytes | None) -> set[str]:
    if raw is None:
        return set()
    try:
        tables = parse_workspace(raw, PARTNERSHIP_FILE)
    except CorruptWorkspace:
        return set()
    return {str(d.get("login")) for d in tables.get("users", {}).values() if d.get("role") == "lead"}


def _allowed(layout: Layout, login: str, *candidates: bytes | None) -> None:
    if os.geteuid() == os.stat(layout.folder).st_uid:
        return  # the account that owns the workspace (a served deployment's service account)
    if any(login in _leads(raw) for raw in candidates):
        return
    raise AccessDenied(f"Only a lead of the workspace, or the account that owns {layout.folder}, "
                       f"may restore it; nothing was changed.")


def parse_time(text: str) -> datetime:
    """A time as people write it (ISO, local time unless it says otherwise), in UTC."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise WorkspaceError(f"{text!r} is not a time; write it like 2026-12-02T09:30.") from None
    if when.tzinfo is None:
        when = when.astimezone()  # local
    return when.astimezone(timezone.utc)


def _land(layout: Layout, login: str, picks: list[tuple[Path, bytes]], summary: str) -> None:
    writes = []
    for target, raw in picks:
        try:
            like: os.stat_result | None = os.stat(target)
        except FileNotFoundError:
            like = None
        writes.append(FileWrite(target, raw, like))
    at = datetime.now().replace(microsecond=0)
    entry = JournalEntry(at=at, who=login, action="restore", entity="", key="", summary=summary)
    layout.make_folder(layout.journal)
    land(layout, writes, {layout.journal_file(at): [encode_line(to_doc(entry))]},
         before_replace=lambda w: keep_version(layout, w.target))


def restore_damaged(folder: Path, login: str, *, lock_timeout: float = 10.0) -> list[Restored]:
    """Give every unreadable file its newest sound version; what was restored."""
    layout = Layout(folder)
    with WorkspaceLock(layout.partnership, timeout=lock_timeout, holder=login):
        recover(layout)
        kept = versions(layout)
        files = [layout.partnership, *layout.audit_files().values()]
        picks: list[tuple[Path, bytes]] = []
        done: list[Restored] = []
        for file in files:
            if _sound(file) is not None:
                continue
            for version in sorted((v for v in kept if v.file == file), key=lambda v: v.until, reverse=True):
                raw = _sound(version.path)
                if raw is not None:
                    picks.append((file, raw))
                    done.append(Restored(os.path.relpath(file, folder), version.until))
                    break
            else:
                raise NotFound(f"There is no sound backup of {os.path.relpath(file, folder)} to restore; "
                               f"nothing was changed.")
        if not picks:
            return []
        partnership = dict(picks).get(layout.partnership) or _sound(layout.partnership)
        _allowed(layout, login, partnership)
        names = ", ".join(r.file for r in done)
        _land(layout, login, picks, f"restored the last good copy of {names}")
        return done


def restore_at(folder: Path, when: datetime, login: str, *, lock_timeout: float = 10.0) -> list[Restored]:
    """Put every file back as it was at `when` (UTC); what changed."""
    layout = Layout(folder)
    with WorkspaceLock(layout.partnership, timeout=lock_timeout, holder=login):
        recover(layout)
        kept = versions(layout)
        if not kept or min(v.until for v in kept) > when and not _existed(layout, when):
            raise NotFound(f"No version of the workspace is kept from {_local(when)}; "
                           f"`maca check --restore --list` shows what is.")
        files = {v.file for v in kept} | {layout.partnership, *layout.audit_files().values()}
        picks: list[tuple[Path, bytes]] = []
        done: list[Restored] = []
        for file in sorted(files):
            version = version_at(layout, file, when)
            if version is None:
                continue  # unchanged since then
            raw = _sound(version.path)
            if raw is None:
                raise CorruptWorkspace(version.path, "this kept version is damaged")
            picks.append((file, raw))
            done.append(Restored(os.path.relpath(file, folder), version.until))
        if not picks:
            return []
        partnership = dict(picks).get(layout.partnership) or _sound(layout.partnership)
        _allowed(layout, login, partnership, _sound(layout.partnership))
        _land(layout, login, picks, f"restored the workspace as it was at {_local(when)}")
        return done


def _existed(layout: Layout, when: datetime) -> bool:
    try:
        return datetime.fromtimestamp(os.stat(layout.partnership).st_mtime, timezone.utc) <= when
    except OSError:
        return False


def _local(when: datetime) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def describe(version: Version, folder: Path) -> str:
    size = os.stat(version.path).st_size if version.path.exists() else 0
    return f"{_local(version.until)}  {os.path.relpath(version.file, folder)}  ({size:,} bytes)"


__all__ += ["describe"]
