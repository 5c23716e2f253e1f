"""Noticing saves: what one commit changed, and picking up other sessions' commits.

Every commit, this session's own and another session's, is described by one
:class:`Changes` (which files: the partnership file, which audits' files).  A session's
own commits are announced to `Workspace.listeners` as they land; another session's are
found by :func:`stale_files` (one ``stat`` per file this session has read), parsed and
decoded by :func:`load` (any thread: the app runs it in a thread worker so that the
UI never waits for a large file) and put in place by :func:`swap_in` on the thread
that reads the workspace.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from storage.errors import CorruptWorkspace
from storage.files import Identity
from storage.layout import SUMMARIES
from storage.folder import TableFile
from storage.workspace_file import Tables, load_workspace

if TYPE_CHECKING:
    from storage.store import Store, _Table

__all__ = ["Changes", "Loaded", "changes_of", "load", "stale_files", "swap_in"]


@dataclass(frozen=True)
class Changes:
    """What one commit (or one poll's worth of other sessions' commits) changed."""

    partnership: bool = False  # settings, agencies, users, the audits and their figures
    audits: frozenset[str] = frozenset()  # the audits whose own records changed
    own: bool = True  # saved by this session
    # The partnership file's tables that changed, when known (None: any of them).
    tables: frozenset[str] | None = None

    def touches(self, ref: str) -> bool:
        """Whether audit `ref`, as shown on its screen, may look different now: its own
        records, or the partnership file beyond the audits' figures (those are shown on
        home, and in the concern marker every screen's identity bar carries)."""
        if ref in self.audits:
            return True
        return self.partnership and (self.tables is None or bool(self.tables - {SUMMARIES}))

    def __bool__(self) -> bool:
        return self.partnership or bool(self.audits)


@dataclass
class Loaded:
    """One file of another session's read and decoded off the UI thread."""

    file: TableFile
    ref: str  # "" for the partnership file
    seen: Identity | None  # the identity this session held when it started loading
    data: Tables
    identity: Identity | None
    tables: dict[str, _Table] = field(default_factory=dict)
    changed: frozenset[str] | None = None  # the tables whose documents differ (None: unknown)


def changes_of(ws: Store, paths: list[Path], *, own: bool) -> Changes:
    """The Changes that landing (or reading) the files at `paths` makes."""
    refs = {f.path: ref for ref, f in ws.files._audits.items()}
    return Changes(partnership=ws.files.layout.partnership in paths,
                   audits=frozenset(refs[p] for p in paths if p in refs), own=own)


def stale_files(ws: Store) -> list[TableFile]:
    """The files this session has read that another session replaced: one stat each."""
    return ws.files.changed_on_disk()


def load(ws: Store, stale: list[TableFile]) -> list[Loaded]:
    """Read and decode `stale` files as this session had them decoded (safe in any thread:
    nothing of the session's is changed).  Raises CorruptWorkspace or NotFound."""
    from storage.store import _Table
    from audit.codec import DocumentError

    audit_refs = {id(f): ref for ref, f in ws.files._audits.items()}
    loaded = []
    for file in stale:
        seen = file._identity
        ref = audit_refs.get(id(file), "")
        if file.path.exists() or not file.may_be_missing:
            data, identity = load_workspace(file.path)
        else:
            data, identity = {}, None
        item = Loaded(file, ref, seen, data, identity,
                      changed=None if ref else _changed_tables(file._data, data))
        decoded = {n: t for (n, r), t in list(ws._audit_tables.items()) if r == ref} if ref else dict(ws._tables)
        old = (ws._audit_raw.get(ref) if ref else ws._raw) or {}
        for name, table in decoded.items():
            try:  # what is unchanged since the version `table` was decoded from is reused
                item.tables[name] = _Table(name, data.get(name, {}), (table, old.get(name, {})))
            except DocumentError as exc:
                raise CorruptWorkspace(file.path, str(exc)) from None
        loaded.append(item)
    return loaded


def _changed_tables(old: Tables | None, new: Tables) -> frozenset[str] | None:
    """The tables whose documents differ between two versions of a file (None if unknown:
    a save of this session's may be changing `old` in place as we look)."""
    if old is None:
        return None
    try:
        return frozenset(name for name in set(old) | set(new) if old.get(name) != new.get(name))
    except RuntimeError:
        return None


def swap_in(ws: Store, loaded: list[Loaded]) -> Changes:
    """Put what `load` read in place (on the thread that reads `ws`); what changed.

    A file this session changed meanwhile (its own save re-read it under the lock) is
    left as it is: what was loaded is older than what it holds."""
    files = ws.files
    if not files._mutex.acquire(blocking=False):
        return Changes(own=False)  # a save is landing: the next poll looks again
    try:
        taken = []
        tables: frozenset[str] | None = None
        for item in loaded:
            file = item.file
            if file._identity != item.seen or file._staged is not None:
                continue
            file._data, file._identity = item.data, item.identity
            if item.ref:
                ws._audit_raw[item.ref] = item.data
                for key in [k for k in ws._audit_tables if k[1] == item.ref]:
                    del ws._audit_tables[key]
                ws._audit_tables.update({(name, item.ref): t for name, t in item.tables.items()})
            else:
                ws._raw = item.data
                ws._tables = dict(item.tables)
            taken.append(file.path)
            if not item.ref:
                tables = item.changed
        changes = changes_of(ws, taken, own=False)
        return dataclasses.replace(changes, tables=tables) if changes.partnership else changes
    finally:
        files._mutex.release()

