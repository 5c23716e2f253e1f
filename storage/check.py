"""`maca check`: is this file a sound workspace?  Reads only; never writes."""

from __future__ import annotations

from pathlib import Path

from audit.codec import DocumentError, from_doc
from audit.journal import JournalEntry
from storage.atomic import load_workspace
from storage.errors import WorkspaceError
from storage.workspace import JOURNAL, META, MODELS, SCHEMA_VERSION


def check_workspace(path: Path) -> list[str]:
    """Every problem found, one sentence each; empty when the workspace is sound."""
    try:
        data, _ = load_workspace(path)
    except WorkspaceError as exc:
        return [str(exc)]
    problems: list[str] = []
    meta = data.get(META, {}).get("1")
    if not isinstance(meta, dict) or not isinstance(meta.get("schema"), int):
        problems.append("It has no schema version, so it is not a maca workspace.")
    elif meta["schema"] > SCHEMA_VERSION:
        problems.append(f"It was written by a newer maca (schema {meta['schema']}); this one reads {SCHEMA_VERSION}.")
    for table in data:
        if table not in MODELS and table not in (META, JOURNAL):
            problems.append(f"It has an unknown table {table!r}.")
    keys: dict[str, set[str]] = {}
    for table, model in MODELS.items():
        seen: set[str] = set()
        for doc_id, doc in data.get(table, {}).items():
            try:
                obj = from_doc(model, doc)
            except DocumentError as exc:
                problems.append(f"The {table} record {doc_id} is damaged: {exc}.")
                continue
            if obj.key in seen:
                problems.append(f"The {table} record {obj.key} is stored twice.")
            seen.add(obj.key)
            if not isinstance(getattr(obj, "rev", None), int) or obj.rev < 1:
                problems.append(f"The {table} record {obj.key} has no revision number.")
        keys[table] = seen
    audits = keys.get("audits", set())
    for table in ("cases", "returns", "discussions", "findings", "actions"):
        for key in keys.get(table, set()):
            ref = key.split("/", 1)[0]
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
