"""From the old single-file workspace to the folder layout (DESIGN §7).

An old workspace is one JSON file holding every table and the journal.  Given to
``--db``, it is moved into a folder beside it (``ws.json`` -> ``ws/``) the first time a
lead opens it, or by ``maca check --migrate``: the folder is built complete under a
temporary name, fsynced, and renamed into place, so a crash leaves either no folder or
a whole one; the original file is never changed.  A thematic audit's old evidence
"sessions" become evidence activities on the way (``convert_sessions``).  The old file's lock is held
meanwhile, so no session of an older maca writes it half way through.  Anyone else is
told which lead to ask.  After that, ``--db ws.json`` opens the folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from audit.codec import DocumentError, from_doc, to_doc
from audit.files import NotRegularFile, read_regular
from audit.findings import Discussion
from audit.journal import JournalEntry
from audit.sessions import activity_from_session, is_session
from storage.encode import serialise as _serialise
from storage.drafts import PENDING
from storage.errors import AccessDenied, CorruptWorkspace, NotFound, WorkspaceError, read_error, save_error
from storage.files import write_file_atomically
from storage.journal_log import encode_line, read_journal_file
from storage.layout import (
    AUDITS_DIR,
    FOLDER_MODE,
    JOURNAL_DIR,
    PARTNERSHIP_FILE,
    SUMMARIES,
    Layout,
    audit_file_name,
    audit_tables,
    is_audit_table,
)
from storage.lock import WorkspaceLock
from storage.schema import JOURNAL, META, MODELS, SCHEMA_VERSION
from storage.summary import figures_of
from storage.workspace_file import Tables, load_workspace, parse_workspace

__all__ = ["MigrationNeeded", "folder_beside", "migrate", "read_tables", "resolve_folder"]


class MigrationNeeded(AccessDenied):
    """An old single-file workspace that only a lead may move to the folder layout."""


def folder_beside(file: Path) -> Path:
    """Where the folder made from old workspace `file` goes: its name without `.json`."""
    if file.suffix.lower() == ".json" and file.stem:
        return file.with_name(file.stem)
    return file.with_name(file.name + ".d")


def resolve_folder(path: Path, login: str) -> Path:
    """The workspace folder `path` names, migrating an old file first if `login` may."""
    if path.is_dir():
        if Layout(path).is_workspace():
            return path
        raise WorkspaceError(f"{path} is a folder but not a maca workspace "
                             f"(it has no {PARTNERSHIP_FILE}).", path=path)
    if os.path.lexists(path):
        target = folder_beside(path)
        if Layout(target).is_workspace():
            return target
        tables = _load_old(path)
        leads = _leads(tables)
        if login not in leads:
            who = ", ".join(leads) if leads else "the workspace's lead"
            raise MigrationNeeded(
                f"{path} is a workspace of an older maca and must be moved to the new layout "
                f"before anyone can use it; ask a lead ({who}) to open it once, or to run "
                f"`maca check --migrate --db {path}`.", path=path)
        return migrate(path, login)
    if not path.parent.is_dir():
        raise NotFound(f"The folder {os.path.dirname(os.path.abspath(path))} for the "
                       f"workspace does not exist.", path=path)
    raise NotFound(f"No workspace at {path}; create one with `maca init --db {path}`.", path=path)


def _load_old(path: Path) -> Tables:
    tables, _ = load_workspace(path)
    return tables


def _leads(tables: Tables) -> list[str]:
    return sorted(str(doc.get("login")) for doc in tables.get("users", {}).values()
                  if doc.get("role") == "lead" and isinstance(doc.get("login"), str))


def migrate(path: Path, login: str, *, lock_timeout: float = 10.0) -> Path:
    """Build the folder for old workspace `path` beside it; returns the folder.

    Raises ``WorkspaceError`` (nothing made) when the file cannot be read, is newer than
    this maca, holds an audit record that names no audit, or the folder's name is taken.
    """
    target = folder_beside(path)
    if os.path.lexists(target):
        if Layout(target).is_workspace():
            return target
        raise WorkspaceError(f"Cannot move {path} to the new layout: {target} already exists and "
                             f"is not a maca workspace; move it away first.", path=path)
    with WorkspaceLock(path, timeout=lock_timeout, holder=login):
        try:
            raw, st = read_regular(path)
        except NotRegularFile as exc:
            raise CorruptWorkspace(path, str(exc)) from None
        except OSError as exc:
            raise read_error(exc, path) from None
        tables = parse_workspace(raw, path)
        meta = tables.get(META, {}).get("1")
        schema = meta.get("schema") if isinstance(meta, dict) else None
        if type(schema) is not int or schema < 1:
            raise CorruptWorkspace(path, "it has no schema version")
        if schema > SCHEMA_VERSION:
            raise WorkspaceError(f"{path} was written by a newer maca (schema {schema}); "
                                 f"this one cannot move it.", path=path)
        at = datetime.now().replace(microsecond=0)
        converted = convert_sessions(tables, path, who=login, at=at)
        files, journal = split_tables(tables, path)
        journal.extend(converted)
        entry = JournalEntry(at=datetime.now().replace(microsecond=0), who=login, action="migrate",
                             entity="", key="", summary=f"moved the workspace from the file {path.name} "
                             f"into this folder (the file is kept as it was)")
        journal.append(to_doc(entry))
        _build(target, files, journal, mode=st.st_mode)
    return target


def convert_sessions(tables: Tables, path: Path, *, who: str, at: datetime) -> list[dict[str, Any]]:
    """Turn every old MATA evidence session (a discussion that is not a case's) into an
    evidence activity, in ``tables`` itself; one journal entry each, whose ``before`` is
    the session as it was (attendees' names included: the activity keeps none)."""
    discussions = tables.get("discussions", {})
    sessions = [(doc_id, doc) for doc_id, doc in discussions.items() if isinstance(doc, dict) and is_session(doc)]
    if not sessions:
        return []
    activities = tables.setdefault("activities", {})
    titles: dict[str, dict[str, str]] = {
        str(doc.get("ref")): {str(o.get("id")): str(o.get("title")) for o in doc.get("objectives", [])
                              if isinstance(o, dict)}
        for doc in tables.get("audits", {}).values() if isinstance(doc, dict)}
    entries = []
    for doc_id, doc in sorted(sessions, key=lambda item: _number(item[0])):
        try:
            session = from_doc(Discussion, doc)
        except DocumentError as exc:
            raise CorruptWorkspace(path, f"its discussions record {doc_id} is damaged ({exc})") from None
        taken = [a.get("id", "") for a in activities.values() if a.get("audit") == session.audit]
        number = max((_number(i[1:]) for i in taken if i[:1] == "E"), default=0) + 1
        activity = activity_from_session(session, f"E{number}", titles.get(session.audit, {}))
        after = to_doc(activity)
        activities[str(max((_number(k) for k in activities), default=0) + 1)] = after
        del discussions[doc_id]
        entries.append(to_doc(JournalEntry(
            at=at, who=who, action="migrate", entity="activities", key=f"{session.audit}/{activity.id}",
            summary=f"turned the {session.session_kind} session {session.subject!r} into evidence activity "
                    f"{activity.id} (attendees by role and agency; their names stay in this entry)",
            before=doc, after=after, audit=session.audit)))
    return entries


def _number(text: str) -> int:
    return int(text) if text.isdigit() else 0


def split_tables(tables: Tables, path: Path) -> tuple[dict[str, Tables], list[dict[str, Any]]]:
    """The old file's tables as the new files' tables (by file name), and its journal."""
    partnership: Tables = {}
    audits: dict[str, Tables] = {}
    for name, table in tables.items():
        if name == JOURNAL:
            continue
        if not is_audit_table(name):
            partnership[name] = table
            continue
        for doc_id, doc in table.items():
            ref = doc.get("audit")
            if not isinstance(ref, str) or not ref:
                raise CorruptWorkspace(path, f"its {name} record {doc_id} names no audit")
            audits.setdefault(ref, {}).setdefault(name, {})[doc_id] = doc
    summaries: dict[str, Any] = {}
    for number, (ref, data) in enumerate(sorted(audits.items()), start=1):
        summaries[str(number)] = {"ref": ref, "figures": figures_of(_decoded(data, path))}
    partnership[SUMMARIES] = summaries
    files = {PARTNERSHIP_FILE: partnership}
    for ref, data in audits.items():
        files[f"{AUDITS_DIR}/{audit_file_name(ref)}"] = data
    old = tables.get(JOURNAL, {})
    journal = [old[k] for k in sorted(old, key=int)]
    return files, journal


def _decoded(data: Tables, path: Path) -> dict[str, list[Any]]:
    records: dict[str, list[Any]] = {}
    for table in audit_tables():
        for doc_id, doc in data.get(table, {}).items():
            try:
                records.setdefault(table, []).append(from_doc(MODELS[table], doc))
            except DocumentError as exc:
                raise CorruptWorkspace(path, f"its {table} record {doc_id} is damaged ({exc})") from None
    return records


def _month(doc: dict[str, Any]) -> str:
    at = doc.get("at")
    if isinstance(at, str) and len(at) >= 7 and at[4] == "-" and at[:4].isdigit() and at[5:7].isdigit():
        return at[:7]
    return datetime.now().strftime("%Y-%m")


def _build(target: Path, files: dict[str, Tables], journal: list[dict[str, Any]], *, mode: int) -> None:
    """Write the folder under a temporary name, fsync everything, rename it into place."""
    file_mode = mode & 0o666 | 0o600
    try:
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".migrating"))
    except OSError as exc:
        raise save_error(exc, target.parent, "the new folder could not be made because ") from exc
    try:
        os.chmod(staging, FOLDER_MODE)
        for sub in (AUDITS_DIR, JOURNAL_DIR):
            (staging / sub).mkdir(mode=FOLDER_MODE)
        for name, data in files.items():
            write_file_atomically(staging / name, _serialise(data), like=None)
            os.chmod(staging / name, file_mode)
        months: dict[str, list[bytes]] = {}
        for doc in journal:
            months.setdefault(_month(doc), []).append(encode_line(doc))
        for month, lines in months.items():
            write_file_atomically(staging / JOURNAL_DIR / f"{month}.jsonl", b"".join(lines), like=None)
            os.chmod(staging / JOURNAL_DIR / f"{month}.jsonl", file_mode)
        for folder in (staging / AUDITS_DIR, staging / JOURNAL_DIR, staging):
            _fsync(folder)
        os.rename(staging, target)
        _fsync(target.parent)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise save_error(exc, target.parent, "the new folder could not be written because ") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _fsync(folder: Path) -> None:
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# -- reading a folder back as one set of tables ------------------------------------------


def read_tables(folder: Path) -> Tables:
    """Every table of workspace `folder` merged as the old single file held them, the
    journal numbered 1.. in order (for `maca check`, the migration's test, and tests
    that look at what is on disk).  Summaries are left out: the old file had none."""
    layout = Layout(folder)
    merged, _ = load_workspace(layout.partnership)
    merged.pop(SUMMARIES, None)
    merged.pop(PENDING, None)
    for path in layout.audit_files().values():
        data, _ = load_workspace(path)
        data.pop(PENDING, None)
        for name, table in data.items():
            merged.setdefault(name, {}).update(table)
    journal: dict[str, Any] = {}
    for doc in journal_entries(layout):
        journal[str(len(journal) + 1)] = doc
    merged[JOURNAL] = journal
    return merged


def journal_entries(layout: Layout) -> Iterator[dict[str, Any]]:
    for path in layout.journal_files():
        yield from read_journal_file(path).entries

