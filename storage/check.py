"""`maca check`: is this file a sound workspace?  Reads only; never writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from audit.codec import DocumentError, from_doc
from audit.journal import JournalEntry
from storage.atomic import load_workspace
from storage.errors import CorruptWorkspace, WorkspaceError
from storage.lock import sibling
from storage.workspace import JOURNAL, META, MODELS, SCHEMA_VERSION


def _has_backup(path: Path) -> bool:
    return sibling(Path(path), ".bak").is_file()


def check_workspace(path: Path) -> list[str]:
    """Every problem found, one sentence each; empty when the workspace is sound."""
    try:
        data, _ = load_workspace(path)
    except CorruptWorkspace as exc:
        # The CLI prefixes each problem with the path: do not name it twice.
        hint = " (use `maca check --restore` to bring back the last good copy)" if _has_backup(path) else ""
        return [f"It is not a readable maca workspace: {exc.reason}{hint}."]
    except WorkspaceError as exc:
        return [str(exc)]
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
            try:
                obj: Any = from_doc(model, doc)
            except DocumentError as exc:
                problems.append(f"The {table} record {doc_id} is damaged: {exc}.")
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
    for table in ("cases", "returns", "discussions", "findings", "actions"):
        # The record's own audit field, not its key: audit refs may themselves hold '/'.
        for key, ref in owners.get(table, []):
            if ref not in audits:
                problems.append(f"The {table} record {key} belongs to audit {ref}, which does not exist.")
    if not any(True for _ in data.get("users", {})):
        problems.append("It has no users, so nobody can open it.")
    for doc_id, doc in data.get(JOURNAL, {}).items():
        try:
            from_doc(JournalEntry, doc)
        except DocumentError as exc:
            problems.append(f"Journal entry {doc_id} is damaged: {exc}.")
    return problems
