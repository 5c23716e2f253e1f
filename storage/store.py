"""The workspace's files decoded: one cache of models per file version (DESIGN §7).

:class:`Store` is what `Workspace` is built on.  It reads the folder's files through
`storage.folder.WorkspaceFiles`, decodes each table to models indexed by key
(:class:`_Table`) once per file version, re-reads only the files another session
replaced (`refresh`, or `storage.watch` in a thread), decodes again only the documents
that changed, and runs the locked transaction after which the caches learn the new
versions and the commit is announced.  What is read and who may change it, the
partnership's records, is `storage.workspace`.

Models handed out are shared with a per-file-version cache so that 20,000 cases do not
have to be decoded on every keystroke: treat them as read-only and save edited copies
made with `dataclasses.replace`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from audit.cases import paused_gc
from audit.codec import DocumentError, from_doc
from storage.errors import ConflictError, CorruptWorkspace, WorkspaceReadOnly
from storage.folder import WorkspaceFiles
from storage.layout import is_audit_table
from storage.schema import MODELS, table_of
from storage.transaction import Keyed, Transaction, audit_of, summaries_of
from storage.watch import Changes, changes_of

__all__ = ["Store"]


class _Table:
    """One table's documents decoded to models and indexed by key, for one file version.

    `previous`: the same table decoded from the file's version before, with that
    version's raw table.  A document whose raw form is unchanged keeps its decoded
    model, so picking up another session's save of one return decodes that return,
    not the audit's 160 (nor makes the garbage collector trace 50,000 new objects).
    """

    def __init__(self, name: str, raw: dict[str, Any],
                 previous: tuple[_Table, dict[str, Any]] | None = None) -> None:
        self.name = name
        self.model: type[Keyed] = MODELS[name]
        self.ids: dict[str, str] = {}
        self.items: dict[str, Any] = {}
        old_raw: dict[str, Any] = {}
        old_items: dict[str, Any] = {}
        if previous is not None:
            old, old_raw = previous
            try:
                old_items = {doc_id: old.items[key] for key, doc_id in old.ids.items() if key in old.items}
            except RuntimeError:  # read in a thread while a save landed: decode everything
                old_raw, old_items = {}, {}
        max_id = 0
        decode = _SharedTools().decode if name == "audits" else from_doc
        # Decoding 20,000 cases makes as many new objects: with the cyclic GC running,
        # it would rescan the growing heap over and over (see audit.cases.paused_gc).
        with paused_gc():
            for doc_id, doc in raw.items():
                was = old_raw.get(doc_id)
                obj: Keyed | None = None
                if was is not None and type(was) is dict and was == doc:
                    obj = old_items.get(doc_id)
                if obj is None:
                    try:
                        obj = decode(self.model, doc)
                    except DocumentError as exc:
                        raise DocumentError(f"its {name} record {doc_id} is damaged ({exc})") from None
                key = obj.key
                self.ids[key] = doc_id
                self.items[key] = obj
                if doc_id.isdigit():
                    max_id = max(max_id, int(doc_id))
        self.max_id = max_id


class _SharedTools:
    """Decodes audits whose tools (each agency's questions: 36 KB of an audit's 40 KB,
    copied from the same templates) are the same once: a ten-year workspace's 100
    audits took 30 ms to decode at start, mostly their identical tools.  The audits then
    share those models, which are read-only like every model handed out."""

    def __init__(self) -> None:
        self.seen: dict[bytes, Any] = {}

    def decode(self, model: type[Any], doc: Any) -> Any:
        tools = doc.get("tools") if type(doc) is dict else None
        if not tools:
            return from_doc(model, doc)
        try:
            key = orjson.dumps(tools)
        except TypeError:  # not as read from a file: decoded as it is
            return from_doc(model, doc)
        shared = self.seen.get(key)
        if shared is None:
            obj = from_doc(model, doc)
            self.seen[key] = obj.tools
            return obj
        obj = from_doc(model, {**doc, "tools": {}})
        obj.tools = shared
        return obj


class Store:
    """The decoded tables of one session's workspace files, kept per file version."""

    def __init__(self, path: Path, files: WorkspaceFiles, login: str) -> None:
        self.path = path
        self.files = files
        self.login = login
        self.read_only_reason: str | None = None
        self._raw: dict[str, Any] | None = None
        self._tables: dict[str, _Table] = {}
        self._audit_raw: dict[str, dict[str, Any]] = {}
        self._audit_tables: dict[tuple[str, str], _Table] = {}
        # Tables decoded from a file's version before the current one, with that
        # version's raw table: what is unchanged is reused when they are decoded again.
        self._previous: dict[tuple[str, str], tuple[_Table, dict[str, Any]]] = {}
        # Told of every commit this session makes, as it lands (in the saving thread).
        self.listeners: list[Callable[[Changes], None]] = []
        # The audits' figures by ref, for one partnership file version: home asks for each
        # audit's, several times per redraw.  A transaction changes the table in place,
        # so each one moves `_generation` on (at its start and end) and a kept reading of
        # another generation is read again.
        self._generation = 0
        self._summaries: tuple[object, int, dict[str, dict[str, Any]]] | None = None

    # ----------------------------------------------------------------- reading

    def _data(self) -> dict[str, Any]:
        """The partnership file's tables (re-read if another session replaced it)."""
        data = self.files.partnership_data()
        if data is not self._raw:
            self._supersede(self._raw, {(name, ""): t for name, t in self._tables.items()})
            self._raw = data
            self._tables = {}
        return data

    def _supersede(self, old: dict[str, Any] | None, tables: dict[tuple[str, str], _Table]) -> None:
        """Keep `tables`, decoded from the file version `old`, for `_Table` to reuse."""
        if old is not None:
            for (name, ref), table in tables.items():
                self._previous[(name, ref)] = (table, old.get(name, {}))

    def _audit_data(self, ref: str) -> dict[str, Any]:
        """Audit `ref`'s file's tables (re-read if another session replaced it)."""
        data = self.files.audit_data(ref)
        if data is not self._audit_raw.get(ref):
            keys = [k for k in self._audit_tables if k[1] == ref]
            self._supersede(self._audit_raw.get(ref), {k: self._audit_tables[k] for k in keys})
            self._audit_raw[ref] = data
            for key in keys:
                del self._audit_tables[key]
        return data

    def _table(self, name: str, ref: str = "") -> _Table:
        """Table `name` decoded (of audit `ref`'s file when it holds an audit's records)."""
        if not self.files.follow_disk and not self.files.in_transaction():
            # The app swaps other sessions' saves in itself (storage.watch): what is
            # decoded is current, and a save landing in another thread is not waited for.
            cached = self._audit_tables.get((name, ref)) if is_audit_table(name) else self._tables.get(name)
            if cached is not None:
                return cached
        if is_audit_table(name):
            data = self._audit_data(ref)
            table = self._audit_tables.get((name, ref))
            where = self.files.layout.audit(ref)
        else:
            data = self._data()
            table = self._tables.get(name)
            where = self.files.layout.partnership
        if table is None:
            try:
                previous = self._previous.pop((name, ref if is_audit_table(name) else ""), None)
                table = _Table(name, data.get(name, {}), previous)
            except DocumentError as exc:
                raise CorruptWorkspace(where, str(exc)) from None
            if is_audit_table(name):
                self._audit_tables[(name, ref)] = table
            else:
                self._tables[name] = table
        return table

    @property
    def last_lock_wait(self) -> float:
        """How long the last save waited for another session's save, in seconds."""
        return float(self.files.lock.last_wait)

    def changed_on_disk(self) -> bool:
        """True when another session saved a file this one has read (one stat a file)."""
        return bool(self.files.changed_on_disk())

    def release(self, ref: str) -> bool:
        """Stop holding and watching audit `ref`'s file: no screen shows it any more, so a
        poll does not stat it and another session's save to it costs this one nothing.
        It is read again when next asked for.  False if a save held the files just then."""
        if not self.files._mutex.acquire(timeout=0.05):
            return False
        try:
            if self.files.in_transaction():
                return False
            self.files._audits.pop(ref, None)
            self._audit_raw.pop(ref, None)
            for key in [k for k in self._audit_tables if k[1] == ref]:
                del self._audit_tables[key]
            for key in [k for k in self._previous if k[1] == ref]:
                del self._previous[key]
            return True
        finally:
            self.files._mutex.release()

    def refresh(self) -> bool:
        """Re-read what another session saved; True when there is something new to show."""
        changed = self.files.changed_on_disk()
        for file in changed:
            file.read()
        if changed:  # the decoded tables of those files are decoded again when next read
            self._data()
            for ref in list(self._audit_raw):
                self._audit_data(ref)
            self._announce(changes_of(self, [f.path for f in changed], own=False))
        return bool(changed)

    def _announce(self, changes: Changes) -> None:
        """Tell the listeners (the app: one WorkspaceChanged to every screen) of a commit."""
        if changes:
            for listener in list(self.listeners):
                listener(changes)

    def _all_summaries(self) -> dict[str, dict[str, Any]]:
        data = self._data()
        if self.files.in_transaction():
            return summaries_of(data)  # with this transaction's staged figures
        kept, generation = self._summaries, self._generation
        if kept is None or kept[0] is not data or kept[1] != generation:
            kept = self._summaries = (data, generation, summaries_of(data))
        return kept[2]

    @contextmanager
    def transaction(self, *, create: bool = False) -> Iterator[Transaction]:
        """One locked, atomic change: everything inside lands together or not at all."""
        if self.read_only_reason:
            raise WorkspaceReadOnly(self.read_only_reason)
        # The GC is paused for the transaction: an import inserts and encodes 50,000
        # documents, and the collector would rescan the growing heap many times over
        # (it made the import 1.6x slower); reference counting still frees the garbage.
        self._generation += 1
        try:
            with paused_gc(), self.files.transaction(create=create):
                tx = Transaction(self)
                yield tx
                tx.finish()
        except BaseException as exc:
            self._generation += 1
            # The decoded tables may hold this transaction's staged keys: decode again.
            self._tables, self._audit_tables, self._previous = {}, {}, {}
            if isinstance(exc, ConflictError):  # another session's version was read: show it
                self._announce(changes_of(self, self.files.landed, own=False))
            raise
        # Only after the files are on disk do the decoded caches learn the new versions.
        self._generation += 1
        tx.apply_to_caches()
        self._announce(changes_of(self, self.files.landed, own=True))

    def get(self, obj_or_table: Any, key: str | None = None) -> Any:
        """The stored version of a document (by example object, or by table and key)."""
        if isinstance(obj_or_table, str):
            name, key = obj_or_table, key or ""
            ref = self._ref_of_key(key) if is_audit_table(name) else ""
            if ref is None:
                return None
            return self._table(name, ref).items.get(key)
        name = table_of(obj_or_table)
        return self._table(name, audit_of(obj_or_table) if is_audit_table(name) else "").items.get(obj_or_table.key)

    def _ref_of_key(self, key: str) -> str | None:
        """The audit an audit record's key is or starts with (the longest: refs may hold '/')."""
        refs = [ref for ref in self._table("audits").items if key == ref or key.startswith(ref + "/")]
        return max(refs, key=len) if refs else None
