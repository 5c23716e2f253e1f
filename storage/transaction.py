"""A transaction: changes staged against the locked, freshly read workspace files.

`Workspace.transaction()` makes one and writes its changes when the block ends.  Each
insert, save or delete checks the document's `rev` against the file, gives the saved
copy the next rev and stages a journal entry saying what changed; a change to an
audit's records also redoes that audit's figures in the partnership file (`finish`).
The decoded caches of the `Workspace` learn the new versions only after the files are
on disk (`apply_to_caches`).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from audit.codec import complete, to_doc, to_docs
from audit.journal import JournalEntry
from audit.scope import Audit
from storage import drafts
from storage.errors import ConflictError
from storage.layout import SUMMARIES, audit_tables, is_audit_table
from storage.schema import MODELS, table_of
from storage.summary import figures_of

if TYPE_CHECKING:
    from storage.store import Store

__all__ = ["Keyed", "Transaction", "audit_of", "field_changes", "now", "summaries_of"]



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
    """Changes staged against the locked, freshly read files of the workspace."""

    def __init__(self, ws: Store) -> None:
        self.ws = ws
        self.touched = False
        self._staged: list[tuple[str, str, str, Any]] = []  # (table, audit ref, key, obj or None)
        self._bulk: list[tuple[str, str, list[str], list[Any]]] = []  # (table, ref, keys, objs)
        self._audits: set[str] = set()  # audits whose records changed: their figures are redone
        self.at = now()

    def raw(self, table: str, ref: str = "") -> dict[str, Any]:
        """Table `table`'s raw documents, to change (audit `ref`'s file for an audit's records)."""
        self.touched = True
        files = self.ws.files
        if is_audit_table(table):
            if not ref:
                raise ValueError(f"the {table} table is kept per audit: name the audit")
            file = files.audit_file(ref)
            data = self.ws._audit_data(ref)
            self._audits.add(ref)
        else:
            file = files.partnership
            data = self.ws._data()
        files.dirty(file)
        return data.setdefault(table, {})

    def raw_in(self, table: str, ref: str) -> dict[str, Any]:
        """A raw table kept beside the records of audit `ref` (or partnership-wide if "")."""
        self.touched = True
        files = self.ws.files
        if ref:
            file, data = files.audit_file(ref), self.ws._audit_data(ref)
        else:
            file, data = files.partnership, self.ws._data()
        files.dirty(file)
        return data.setdefault(table, {})

    def _peek(self, table: str, ref: str) -> dict[str, Any]:
        data = self.ws._audit_data(ref) if is_audit_table(table) else self.ws._data()
        return data.get(table, {})

    def _locate(self, table: str, ref: str, key: str) -> tuple[str | None, dict[str, Any] | None]:
        index = self.ws._table(table, ref)
        doc_id = index.ids.get(key)
        if doc_id is None:
            return None, None
        return doc_id, self._peek(table, ref).get(doc_id)

    def current(self, obj: Any) -> Any:
        """The committed version of `obj` as of this transaction (None if absent)."""
        return self.ws.get(obj)

    def insert(self, obj: M, *, summary: str = "", journal: bool = True) -> M:
        """Add a new document; `journal=False` for bulk imports that journal once for all."""
        table = table_of(obj)
        ref = _ref(table, obj)
        index = self.ws._table(table, ref)
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
        self.raw(table, ref)[doc_id] = doc
        index.ids[saved.key] = doc_id
        self._staged.append((table, ref, saved.key, saved))
        if journal:
            self.journal("create", table, saved.key, summary, after=complete(MODELS[table], doc),
                         audit=audit_of(saved))
        return saved

    def insert_fresh(self, objs: list[Any], *, table: str, keys: list[str] | None = None) -> None:
        """Bulk insert of new documents that nobody else holds yet (an import).

        Unlike `insert`, this sets `rev` on the objects themselves instead of copying
        each one, encodes them in one pass and journals nothing: the caller writes one
        entry for the whole batch.  `keys`, when given, are the objects' keys in order
        (made faster than reading `key` one object at a time).  All the objects belong
        to one audit (an import's).
        """
        if not objs:
            return
        ref = _ref(table, objs[0])
        index = self.ws._table(table, ref)
        if keys is None:
            keys = [obj.key for obj in objs]
        if len(set(keys)) != len(keys) or not index.ids.keys().isdisjoint(keys):
            self._refuse_clash(objs, keys, index)
        for obj in objs:
            obj.rev = 1
        first = index.max_id + 1
        doc_ids = list(map(str, range(first, first + len(objs))))
        index.max_id += len(objs)
        self.raw(table, ref).update(zip(doc_ids, to_docs(objs)))
        index.ids.update(zip(keys, doc_ids))
        self._bulk.append((table, ref, keys, objs))

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

    def save(self, obj: M, *, summary: str = "", defer_journal: bool = False) -> M:
        """Save an edited copy against its rev and journal the fields that changed.

        ``defer_journal``: an autosave of a draft being typed.  The file is written but
        no journal line: the version before the first such save is kept in the file
        (`storage.drafts`), and the next save without it, or `settle`, journals the net
        change since then, once.
        """
        table = table_of(obj)
        ref = _ref(table, obj)
        key = obj.key
        doc_id, current = self._locate(table, ref, key)
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
        stored, new = complete(model, current), complete(model, doc)
        if stored == {**new, "rev": stored.get("rev")}:
            return obj  # nothing changed: no write, no journal noise
        assert doc_id is not None  # found, with its document
        self.raw(table, ref)[doc_id] = doc
        self._staged.append((table, ref, key, saved))
        if defer_journal:
            drafts.defer(self, table, ref, key, stored, summary, audit_of(saved))
            return saved
        base = drafts.take(self, table, ref, key)
        before, after = field_changes(base if base is not None else stored, new)
        if before or after:
            self.journal("update", table, key, summary, before=before, after=after, audit=audit_of(saved))
        return saved

    def settle(self, table: str, ref: str, key: str) -> bool:
        """Journal the net change of deferred autosaves of `key` (True if there were some)."""
        return drafts.settle(self, table, ref, key)

    def delete(self, obj: Any, *, summary: str = "") -> None:
        table = table_of(obj)
        ref = _ref(table, obj)
        doc_id, current = self._locate(table, ref, obj.key)
        if current is None:
            return
        if current.get("rev") != obj.rev:
            raise ConflictError(
                f"{obj.key} was changed by someone else; look again before deleting it.",
                key=obj.key,
                mine=_full(obj),
                theirs=complete(MODELS[table], current),
            )
        assert doc_id is not None  # found, with its document
        del self.raw(table, ref)[doc_id]
        del self.ws._table(table, ref).ids[obj.key]
        self._staged.append((table, ref, obj.key, None))
        if table == "audits":
            self._drop_summary(obj.key)
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
        who: str = "",
        at: datetime | None = None,
    ) -> None:
        self.touched = True
        entry = JournalEntry(
            at=at or self.at, who=who or self.ws.login, action=action, entity=entity, key=key,
            summary=summary, before=before, after=after, audit=audit,
        )
        self.ws.files.journal(entry.at, to_doc(entry))

    # -- the audits' figures ------------------------------------------------------------

    def finish(self) -> None:
        """Redo the figures of every audit whose records changed (same save)."""
        created = {key for table, _, key, obj in self._staged if table == "audits" and obj is not None}
        for ref in sorted(self._audits):
            if ref not in self.ws._table("audits").items and ref not in created:
                continue  # deleted, or never was
            figures = figures_of(self._records(ref))
            table = self.ws._data().get(SUMMARIES, {})
            doc_id = next((i for i, d in table.items() if d.get("ref") == ref), None)
            if doc_id is not None and table[doc_id].get("figures") == figures:
                continue  # an answer typed: the partnership file is left alone
            if doc_id is None:
                doc_id = str(max((int(i) for i in table if i.isdigit()), default=0) + 1)
            self.raw(SUMMARIES)[doc_id] = {"ref": ref, "figures": figures}

    def _records(self, ref: str) -> dict[str, list[Any]]:
        """Audit `ref`'s records with this transaction's changes."""
        records = {}
        for table in audit_tables():
            items = dict(self.ws._table(table, ref).items)
            for t, r, keys, objs in self._bulk:
                if t == table and r == ref:
                    items.update(zip(keys, objs))
            for t, r, key, obj in self._staged:
                if t == table and r == ref:
                    if obj is None:
                        items.pop(key, None)
                    else:
                        items[key] = obj
            records[table] = list(items.values())
        return records

    def _drop_summary(self, ref: str) -> None:
        table = self.ws._data().get(SUMMARIES, {})
        for doc_id in [i for i, d in table.items() if d.get("ref") == ref]:
            del self.raw(SUMMARIES)[doc_id]

    def apply_to_caches(self) -> None:
        for table, ref, keys, objs in self._bulk:
            index = self._cached(table, ref)
            if index is not None:
                index.items.update(zip(keys, objs))
        for table, ref, key, obj in self._staged:
            index = self._cached(table, ref)
            if index is None:
                continue
            if obj is None:
                index.items.pop(key, None)
            else:
                index.items[key] = obj

    def _cached(self, table: str, ref: str) -> Any:
        if is_audit_table(table):
            return self.ws._audit_tables.get((table, ref))
        return self.ws._tables.get(table)


def summaries_of(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The figures of each audit, by ref, from the partnership file's tables."""
    found = {}
    for doc in data.get(SUMMARIES, {}).values():
        if isinstance(doc, dict) and isinstance(doc.get("ref"), str) and isinstance(doc.get("figures"), dict):
            found[doc["ref"]] = doc["figures"]
    return found


def _ref(table: str, obj: Any) -> str:
    return audit_of(obj) if is_audit_table(table) else ""


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only what changed (rev aside), so the journal stays readable and small.

    A field that holds records (a dict, or a list of dicts: answers, sections, history)
    is narrowed to the entries that changed: for a dict the keys (one answer, not all
    26), for a list the positions, as ``{"3": item}`` (None where there is no item).
    Other fields (text, a list of codes) are given whole.
    """
    out_before: dict[str, Any] = {}
    out_after: dict[str, Any] = {}
    for k in set(before) | set(after):
        old, new = before.get(k), after.get(k)
        if k == "rev" or old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            keys = [n for n in {**old, **new} if old.get(n) != new.get(n)]
            out_before[k] = {n: old.get(n) for n in keys}
            out_after[k] = {n: new.get(n) for n in keys}
        elif isinstance(old, list) and isinstance(new, list) and _holds_records(old) and _holds_records(new):
            size = max(len(old), len(new))
            at = [i for i in range(size) if _item(old, i) != _item(new, i)]
            out_before[k] = {str(i): _item(old, i) for i in at}
            out_after[k] = {str(i): _item(new, i) for i in at}
        else:
            out_before[k], out_after[k] = old, new
    return out_before, out_after


def _holds_records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _item(items: list[Any], i: int) -> Any:
    return items[i] if i < len(items) else None


_diff = field_changes  # the name older callers know


def audit_of(obj: Any) -> str:
    """The audit a document belongs to, for filtering the journal ("" for partnership-wide)."""
    if isinstance(obj, Audit):
        return obj.ref
    return str(getattr(obj, "audit", ""))


def _full(obj: Any) -> dict[str, Any]:
    """Every field of `obj`, defaults included: what a person compares in a conflict."""
    return complete(type(obj), to_doc(obj)) or {}
