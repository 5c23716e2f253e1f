"""`maca check`: is this a sound workspace?  Reads only; never writes.

A workspace folder is checked file by file (each must parse; each audit file may hold
only its own audit's records), then as a whole: every record decodes, no key twice,
every record has a revision and belongs to an audit that exists, someone can open it,
the journal's lines are entries (a torn last line, left by a crash, is reported: the
next save trims it).  An old single-file workspace is checked as it is.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from audit.codec import DocumentError, from_doc
from audit.journal import JournalEntry
from storage.workspace_file import load_workspace
from storage.backups import versions
from storage.commit import pending
from storage.drafts import PENDING
from storage.errors import CorruptWorkspace, WorkspaceError
from storage.journal_log import read_journal_file
from storage.layout import SUMMARIES, Layout, audit_tables, is_audit_table
from storage.lock import sibling
from storage.schema import JOURNAL, META, MODELS, SCHEMA_VERSION
from storage.transaction import summaries_of
from storage.workspace_file import Tables

__all__ = ["check_workspace"]


def check_workspace(path: Path) -> list[str]:
    """Every problem found, one sentence each; empty when the workspace is sound."""
    if Path(path).is_dir():
        return _check_folder(Path(path))
    return _check_file(Path(path))


# -- the folder ---------------------------------------------------------------------------


def _check_folder(folder: Path) -> list[str]:
    layout = Layout(folder)
    if not os.path.lexists(layout.partnership):
        return [f"It is not a maca workspace: it has no {layout.partnership.name}."]
    kept = {v.file for v in versions(layout)}
    problems: list[str] = []
    merged: Tables = {}
    try:
        partnership, _ = load_workspace(layout.partnership)
    except CorruptWorkspace as exc:
        return [_unreadable(layout.partnership.name, exc, layout.partnership in kept)]
    except WorkspaceError as exc:
        return [str(exc)]
    summaries = summaries_of(partnership)
    for name, table in partnership.items():
        if name in (SUMMARIES, PENDING):
            continue
        if is_audit_table(name):
            problems.append(f"The {name} table is in {layout.partnership.name}, not in its audit's file.")
        merged[name] = dict(table)
    for ref, file in layout.audit_files().items():
        try:
            data, _ = load_workspace(file)
        except CorruptWorkspace as exc:
            problems.append(_unreadable(f"audits/{file.name}", exc, file in kept))
            continue
        except WorkspaceError as exc:
            problems.append(str(exc))
            continue
        for name, table in data.items():
            if name == PENDING:
                continue
            if not is_audit_table(name):
                problems.append(f"The file audits/{file.name} has a table {name[:40]!r} that does not belong there.")
                continue
            for doc_id, doc in table.items():
                if doc.get("audit") != ref:
                    problems.append(f"The {name} record {doc_id} in audits/{file.name} belongs to another audit.")
                merged.setdefault(name, {})[f"{ref}:{doc_id}"] = doc
        problems += _stale_figures(ref, data, summaries.get(ref))
    problems += _check_tables(merged)
    problems += _check_journal(layout)
    if pending(layout) and not _saving_now(layout) and pending(layout):
        problems.append("A save cut off by a crash is waiting to be finished; the next session "
                        "that opens the workspace finishes it.")
    return problems


def _saving_now(layout: Layout) -> bool:
    """Whether another session holds the lock (its save's intent is not a crash's)."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(layout.folder / (layout.partnership.name + ".lock")))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    except OSError:
        return False
    lock.release()
    return False


def _unreadable(name: str, exc: CorruptWorkspace, kept: bool) -> str:
    hint = " (use `maca check --restore` to bring back its last good copy)" if kept else ""
    return f"The file {name} is not readable: {exc.reason}{hint}."


def _stale_figures(ref: str, data: Tables, stored: dict[str, Any] | None) -> list[str]:
    if stored is None:
        return []
    from storage.summary import figures_of

    records: dict[str, list[Any]] = {}
    for table in audit_tables():
        for doc in data.get(table, {}).values():
            try:
                records.setdefault(table, []).append(from_doc(MODELS[table], doc))
            except DocumentError:
                return []  # reported as a damaged record
    actual = figures_of(records)
    wrong = sorted(k for k in stored if k in actual and stored[k] != actual[k])
    if wrong:
        return [f"The figures kept for audit {ref} ({', '.join(wrong)}) do not match its records."]
    return []


def _check_journal(layout: Layout) -> list[str]:
    problems = []
    for path in layout.journal_files():
        try:
            month = read_journal_file(path)
        except OSError as exc:
            problems.append(f"The journal file journal/{path.name} cannot be read: {exc.strerror or exc}.")
            continue
        if month.torn:
            problems.append(f"The journal file journal/{path.name} ends in a torn line (a save cut off by "
                            f"a crash, which did not happen); the next save trims it.")
        for line in month.damaged or []:
            problems.append(f"Line {line} of the journal file journal/{path.name} is not a journal entry.")
        for number, doc in enumerate(month.entries, start=1):
            try:
                from_doc(JournalEntry, doc)
            except DocumentError as exc:
                problems.append(f"Journal entry {number} of journal/{path.name} is damaged: {exc}.")
    return problems


# -- the old single file ------------------------------------------------------------------


def _has_backup(path: Path) -> bool:
    return sibling(Path(path), ".bak").is_file()


def _check_file(path: Path) -> list[str]:
    try:
        data, _ = load_workspace(path)
    except CorruptWorkspace as exc:
        # The CLI prefixes each problem with the path: do not name it twice.
        hint = " (use `maca check --restore` to bring back the last good copy)" if _has_backup(path) else ""
        return [f"It is not a readable maca workspace: {exc.reason}{hint}."]
    except WorkspaceError as exc:
        return [str(exc)]
    problems = _check_tables({k: v for k, v in data.items() if k != JOURNAL})
    for doc_id, doc in data.get(JOURNAL, {}).items():
        try:
            from_doc(JournalEntry, doc)
        except DocumentError as exc:
            problems.append(f"Journal entry {doc_id} is damaged: {exc}.")
    return problems


# -- what both hold -----------------------------------------------------------------------


def _check_tables(data: Tables) -> list[str]:
    problems: list[str] = []
    meta = data.get(META, {}).get("1")
    schema = meta.get("schema") if isinstance(meta, dict) else None
    # type() rather than isinstance(): JSON `true` is a bool, which Python counts as 1.
    if type(schema) is not int or schema < 1:
        problems.append("It has no schema version, so it is not a maca workspace.")
    elif schema > SCHEMA_VERSION:
        shown = f" (schema {schema})" if schema < 10**6 else ""  # never echo 400 digits
        problems.append(f"It was written by a newer maca{shown}; this one reads schema {SCHEMA_VERSION}.")
    for table in data:
        if table not in MODELS and table not in (META, JOURNAL):
            problems.append(f"It has an unknown table {table!r}.")
    keys: dict[str, set[str]] = {}
    owners: dict[str, list[tuple[str, str]]] = {}  # table -> (key, audit ref) of each record
    for table, model in MODELS.items():
        seen: set[str] = set()
        for doc_id, doc in data.get(table, {}).items():
            shown_id = doc_id.rpartition(":")[2]
            try:
                obj: Any = from_doc(model, doc)
            except DocumentError as exc:
                problems.append(f"The {table} record {shown_id} is damaged: {exc}.")
                if table == "audits" and isinstance(doc.get("ref"), str):
                    # The audit is there, only damaged: one problem, not one per case.
                    seen.add(doc["ref"])
                continue
            if obj.key in seen:
                problems.append(f"The {table} record {obj.key} is stored twice.")
            seen.add(obj.key)
            owners.setdefault(table, []).append((obj.key, str(getattr(obj, "audit", ""))))
            if not isinstance(getattr(obj, "rev", None), int) or obj.rev < 1:
                problems.append(f"The {table} record {obj.key} has no revision number.")
        keys[table] = seen
    audits = keys.get("audits", set())
    for table in audit_tables():
        # The record's own audit field, not its key: audit refs may themselves hold '/'.
        for key, ref in owners.get(table, []):
            if ref not in audits:
                problems.append(f"The {table} record {key} belongs to audit {ref}, which does not exist.")
    if not any(True for _ in data.get("users", {})):
        problems.append("It has no users, so nobody can open it.")
    return problems
