"""A transaction: changes staged against the locked, freshly read workspace file.

`Workspace.transaction()` makes one and writes its changes when the block ends.  Each
insert, save or delete checks the document's `rev` against the file, gives the saved
copy the next rev and appends a journal entry saying what changed.  The decoded caches
of the `Workspace` learn the new versions only after the file is on disk
(`apply_to_caches`).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from audit.codec import complete, to_doc, to_docs
from audit.journal import JournalEntry
from audit.scope import Audit
from storage.errors import ConflictError
from storage.schema import JOURNAL, MODELS, table_of

if TYPE_CHECKING:
    from storage.workspace import Workspace

__all__ = ["Transaction", "as_document", "audit_of", "now"]



class Keyed(Protocol):
    """What every stored model is: a dataclass with its key and revision (DESIGN §5)."""

    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    @property
    def key(self) -> str: ...

    @property
    def rev(self) -> int: ...


M = TypeVar("M", bound=Keyed)


def now() -> datetime:
    """The time a change is stamped with, to the second."""
    return datetime.now().replace(microsecond=0)


class Transaction:
    """Changes staged against the locked, freshly read file."""

    def __init__(self, ws: Workspace, data: dict[str, Any]) -> None:
        self.ws = ws
        self.data = data
        self.touched = False
        self._staged: list[tuple[str, str, Any]] = []  # (table, key, obj or None)
        self._bulk: list[tuple[str, list[str], list[Any]]] = []  # (table, keys, objs) of insert_fresh
        self.at = now()

    def raw(self, table: str) -> dict[str, Any]:
        self.touched = True
        return self.data.setdefault(table, {})

    def _locate(self, table: str, key: str) -> tuple[str | None, dict[str, Any] | None]:
        index = self.ws._table(table)
        doc_id = index.ids.get(key)
        if doc_id is None:
            return None, None
        return doc_id, as_document(self.data.get(table, {}).get(doc_id))

    def current(self, obj: Any) -> Any:
        """The committed version of `obj` as of this transaction (None if absent)."""
        table = table_of(obj)
        return self.ws._table(table).items.get(obj.key)

    def insert(self, obj: M, *, summary: str = "", journal: bool = True) -> M:
        """Add a new document; `journal=False` for bulk imports that journal once for all."""
        table = table_of(obj)
        index = self.ws._table(table)
        if obj.key in index.ids:
            raise ConflictError(
                f"{obj.key} already exists; someone may have added it a moment ago.",
                key=obj.key,
                mine=_full(obj),
                theirs=_full(index.items[obj.key]),
            )
        saved = dataclasses.replace(obj, rev=1)
        doc = to_doc(saved)
        index.max_id += 1
        doc_id = str(index.max_id)
        self.raw(table)[doc_id] = doc
        index.ids[saved.key] = doc_id
        self._staged.append((table, saved.key, saved))
        if journal:
            self.journal("create", table, saved.key, summary, after=complete(MODELS[table], doc),
                         audit=audit_of(saved))
        return saved

    def insert_fresh(self, objs: list[Any], *, table: str, keys: list[str] | None = None) -> None:
        """Bulk insert of new documents that nobody else holds yet (an import).

        Unlike `insert`, this sets `rev` on the objects themselves instead of copying
        each one, encodes them in one pass and journals nothing: the caller writes one
        entry for the whole batch.  `keys`, when given, are the objects' keys in order
        (made faster than reading `key` one object at a time).  Instances of a
        `native_document` class are not encoded at all: they are their own documents
        in the raw table (written by orjson as `to_doc` would make them; read back
        through `as_document`).
        """
        index = self.ws._table(table)
        if keys is None:
            keys = [obj.key for obj in objs]
        if len(set(keys)) != len(keys) or not index.ids.keys().isdisjoint(keys):
            self._refuse_clash(objs, keys, index)
        for obj in objs:
            obj.rev = 1
        first = index.max_id + 1
        doc_ids = list(map(str, range(first, first + len(objs))))
        index.max_id += len(objs)
        native = objs and getattr(type(objs[0]), "CODEC_NATIVE", False)
        self.raw(table).update(zip(doc_ids, objs if native else to_docs(objs)))
        index.ids.update(zip(keys, doc_ids))
        self._bulk.append((table, keys, objs))

    @staticmethod
    def _refuse_clash(objs: list[Any], keys: list[str], index: Any) -> None:
        """The first object whose key is taken, in the file or earlier in the batch."""
        earlier: dict[str, Any] = {}
        for key, obj in zip(keys, objs):
            if key in index.ids:
                theirs = index.items.get(key)
            elif key in earlier:
                theirs = earlier[key]
            else:
                earlier[key] = obj
                continue
            raise ConflictError(f"{key} already exists; someone may have added it a moment ago.",
                                key=key, mine=_full(obj), theirs=_full(theirs) if theirs is not None else None)

    def save(self, obj: M, *, summary: str = "") -> M:
        table = table_of(obj)
        key = obj.key
        doc_id, current = self._locate(table, key)
        if current is None:
            raise ConflictError(
                f"{key} was deleted by someone else while you were editing it.", key=key, mine=_full(obj), theirs=None
            )
        if current.get("rev") != obj.rev:
            raise ConflictError(
                f"{key} was changed by someone else while you were editing it.", key=key, mine=_full(obj), theirs=complete(MODELS[table], current)
            )
        saved = dataclasses.replace(obj, rev=obj.rev + 1)
        doc = to_doc(saved)
        model = MODELS[table]
        before, after = _diff(complete(model, current), complete(model, doc))
        if not after and not before:
            return obj  # nothing changed: no write, no journal noise
        self.raw(table)[doc_id] = doc  # type: ignore[index]
        self._staged.append((table, key, saved))
        self.journal("update", table, key, summary, before=before, after=after, audit=audit_of(saved))
        return saved

    def delete(self, obj: Any, *, summary: str = "") -> None:
        table = table_of(obj)
        doc_id, current = self._locate(table, obj.key)
        if current is None:
            return
        if current.get("rev") != obj.rev:
            raise ConflictError(
                f"{obj.key} was changed by someone else; look again before deleting it.",
                key=obj.key,
                mine=_full(obj),
                theirs=complete(MODELS[table], current),
            )
        del self.raw(table)[doc_id]  # type: ignore[arg-type]
        del self.ws._table(table).ids[obj.key]
        self._staged.append((table, obj.key, None))
        self.journal("delete", table, obj.key, summary, before=complete(MODELS[table], current),
                     audit=audit_of(obj))

    def journal(
        self,
        action: str,
        entity: str,
        key: str,
        summary: str,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        audit: str = "",
    ) -> None:
        raw = self.raw(JOURNAL)
        if self.ws._journal_max is None:
            self.ws._journal_max = max((int(k) for k in raw if k.isdigit()), default=0)
        self.ws._journal_max += 1
        entry = JournalEntry(
            at=self.at, who=self.ws.login, action=action, entity=entity, key=key,
            summary=summary, before=before, after=after, audit=audit,
        )
        raw[str(self.ws._journal_max)] = to_doc(entry)

    def apply_to_caches(self) -> None:
        for table, keys, objs in self._bulk:
            index = self.ws._tables.get(table)
            if index is not None:
                index.items.update(zip(keys, objs))
        for table, key, obj in self._staged:
            index = self.ws._tables.get(table)
            if index is None:
                continue
            if obj is None:
                index.items.pop(key, None)
            else:
                index.items[key] = obj


def as_document(stored: Any) -> Any:
    """A raw table entry as a plain document: a `native_document` instance kept there by
    `insert_fresh` is encoded; a dict (or None) is returned as it is."""
    if stored is None or isinstance(stored, dict):
        return stored
    return to_doc(stored)


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed (rev aside), so the journal stays readable and small."""
    keys = [k for k in set(before) | set(after) if k != "rev" and before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def audit_of(obj: Any) -> str:
    """The audit a document belongs to, for filtering the journal ("" for partnership-wide)."""
    if isinstance(obj, Audit):
        return obj.ref
    return str(getattr(obj, "audit", ""))


def _full(obj: Any) -> dict[str, Any]:
    """Every field of `obj`, defaults included: what a person compares in a conflict."""
    return complete(type(obj), to_doc(obj)) or {}
