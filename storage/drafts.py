"""The journal of a draft being typed: its net change, not every keystroke (DESIGN §7).

The audit tool autosaves a return half a second after each change, so typing a
paragraph saves it dozens of times.  Those autosaves are written to the file but not
journaled one by one.  Instead, the first of them keeps the record as it was before
(its *base*) in the file's ``journal_pending`` table, in the same atomic write; and
when the editor closes, the return is left, or the record has been idle for
``IDLE_SECONDS``, the journal gets one entry: the net change from the base to what is
stored, field by field.  The base travels with the data, so a session that crashes or
loses its connection leaves it behind, and the next session to look settles it: a
change is never left unjournaled, and typing never floods the journal.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from audit.codec import complete
from storage.schema import MODELS

if TYPE_CHECKING:
    from storage.transaction import Transaction

__all__ = ["IDLE_SECONDS", "PENDING", "defer", "settle", "stale", "take"]

PENDING = "journal_pending"  # a raw table in the file of the records it is about
IDLE_SECONDS = 30


def _table(tx: Transaction, ref: str, *, change: bool) -> dict[str, Any]:
    if change:
        return tx.raw_in(PENDING, ref)
    data = tx.ws._audit_data(ref) if ref else tx.ws._data()
    return data.get(PENDING, {})


def _find(table: dict[str, Any], entity: str, key: str) -> str | None:
    for doc_id, rec in table.items():
        if rec.get("entity") == entity and rec.get("key") == key:
            return doc_id
    return None


def defer(tx: Transaction, entity: str, ref: str, key: str, base: dict[str, Any], summary: str,
          audit: str) -> None:
    """Note an autosave of `key` not journaled yet; keep its base if it is the first."""
    found = _find(_table(tx, ref, change=False), entity, key)
    stamp = tx.at.isoformat()
    if found is not None:
        rec = _table(tx, ref, change=False)[found]
        if rec.get("who") == tx.ws.login:
            _table(tx, ref, change=True)[found] = {**rec, "last": stamp, "summary": summary or rec.get("summary", "")}
            return
        settle(tx, entity, ref, key)  # someone else's pending change is theirs: journal it first
    table = _table(tx, ref, change=True)
    doc_id = str(max((int(i) for i in table if i.isdigit()), default=0) + 1)
    table[doc_id] = {"entity": entity, "key": key, "audit": audit, "who": tx.ws.login, "since": stamp,
                     "last": stamp, "summary": summary, "base": base}


def take(tx: Transaction, entity: str, ref: str, key: str) -> dict[str, Any] | None:
    """The base of `key`'s deferred autosaves, removed (a journaled save now covers them)."""
    found = _find(_table(tx, ref, change=False), entity, key)
    if found is None:
        return None
    rec = _table(tx, ref, change=True).pop(found)
    return rec.get("base") if isinstance(rec.get("base"), dict) else None


def settle(tx: Transaction, entity: str, ref: str, key: str) -> bool:
    """Journal the net change of `key`'s deferred autosaves; True if there were any."""
    from storage.transaction import field_changes

    found = _find(_table(tx, ref, change=False), entity, key)
    if found is None:
        return False
    rec = _table(tx, ref, change=True).pop(found)
    model = MODELS.get(entity)
    index = tx.ws._table(entity, ref) if model is not None else None
    stored = index.items.get(key) if index is not None else None
    if model is None or stored is None or not isinstance(rec.get("base"), dict):
        return True  # deleted since (its deletion is journaled) or damaged: nothing to add
    from audit.codec import to_doc

    before, after = field_changes(rec["base"], complete(model, to_doc(stored)))
    if before or after:
        try:
            at = datetime.fromisoformat(rec.get("last", ""))
        except (TypeError, ValueError):
            at = tx.at
        tx.journal("update", entity, key, str(rec.get("summary") or "saved a draft"), before=before, after=after,
                   audit=str(rec.get("audit", "")), who=str(rec.get("who") or tx.ws.login), at=at)
    return True


def stale(data: dict[str, Any], now: datetime) -> list[tuple[str, str]]:
    """(entity, key) of every deferred change in `data` idle for IDLE_SECONDS or more."""
    found = []
    for rec in data.get(PENDING, {}).values():
        try:
            last = datetime.fromisoformat(rec.get("last", ""))
        except (TypeError, ValueError):
            last = datetime.min
        if now - last >= timedelta(seconds=IDLE_SECONDS):
            found.append((str(rec.get("entity")), str(rec.get("key"))))
    return found
