"""The workspace: one shared file, its tables of documents, revs, the journal and access.

Screens and the CLI talk to this object, never to TinyDB.  Documents are stored in
TinyDB's layout (table -> {doc id: document}) through `AtomicJSONStorage`; every write
happens in one locked transaction that re-reads only when another process changed the
file, checks the document's `rev`, writes it with the next rev and appends a journal
entry, and lands on disk atomically.

Models handed out are shared with a per-file-version cache so that 20,000 cases do not
have to be decoded on every keystroke: treat them as read-only and save edited copies
made with `dataclasses.replace`.

The tables and the model each holds are in `storage.schema`, and the staged changes of
one transaction in `storage.transaction`; the names other modules import from here
(`MODELS`, `JOURNAL`, `Transaction`, `now`, ...) are re-exported.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from audit.access import Act, decide
from audit.activities import Activity, Theme
from audit.cases import CandidateCase, paused_gc
from audit.codec import DocumentError, from_doc
from audit.findings import Action, Discussion, Finding
from audit.journal import JournalEntry
from audit.partnership import Partnership, Role, User
from audit.returns import Return
from audit.scope import Audit
from storage.atomic import AtomicJSONStorage, check_writable
from storage.errors import (
    AccessDenied,
    CorruptWorkspace,
    NotFound,
    WorkspaceError,
    WorkspaceReadOnly,
)
from storage.refusals import RefusalLog
from storage.schema import ALL_TABLES, JOURNAL, META, MODELS, SCHEMA_VERSION, table_of
from storage.transaction import Keyed, Transaction, audit_of, now

# Re-exported: the rest of maca imports these from here.
__all__ = [
    "ALL_TABLES",
    "JOURNAL",
    "META",
    "MODELS",
    "SCHEMA_VERSION",
    "Transaction",
    "UnknownUser",
    "Workspace",
    "now",
    "table_of",
]

M = TypeVar("M", bound=Keyed)


class UnknownUser(AccessDenied):
    """The OS login is not a user of this workspace."""


class _Table:
    """One table's documents decoded to models and indexed by key, for one file version."""

    def __init__(self, name: str, raw: dict[str, Any]) -> None:
        self.name = name
        self.model: type[Keyed] = MODELS[name]
        self.ids: dict[str, str] = {}
        self.items: dict[str, Any] = {}
        max_id = 0
        # Decoding 20,000 cases makes as many new objects: with the cyclic GC running,
        # it would rescan the growing heap over and over (see audit.cases.paused_gc).
        with paused_gc():
            for doc_id, doc in raw.items():
                try:
                    # A native document kept by insert_fresh is already the model.
                    obj: Keyed = doc if type(doc) is self.model else from_doc(self.model, doc)
                except DocumentError as exc:
                    raise DocumentError(f"its {name} record {doc_id} is damaged ({exc})") from None
                key = obj.key
                self.ids[key] = doc_id
                self.items[key] = obj
                if doc_id.isdigit():
                    max_id = max(max_id, int(doc_id))
        self.max_id = max_id


class Workspace:
    """A workspace file opened by one person (the OS login of this process)."""

    def __init__(self, path: Path, storage: AtomicJSONStorage, login: str) -> None:
        self.path = path
        self.storage = storage
        self.login = login
        self.read_only_reason: str | None = None
        self._raw: dict[str, Any] | None = None
        self._tables: dict[str, _Table] = {}
        self._journal_max: int | None = None
        self.listeners: list[Callable[[], None]] = []
        self.refusals = RefusalLog()

    # ----------------------------------------------------------------- opening

    @classmethod
    def open(cls, path: str | os.PathLike[str], login: str, *, lock_timeout: float = 10.0) -> Workspace:
        """Open an existing workspace as `login`; refuse unknown logins and damaged files."""
        p = Path(path)
        storage = AtomicJSONStorage(p, lock_timeout=lock_timeout, holder=login)
        ws = cls(p, storage, login)
        data = ws._data()
        meta = data.get(META, {}).get("1")
        if not isinstance(meta, dict) or not isinstance(meta.get("schema"), int):
            raise CorruptWorkspace(p, "it has no schema version")
        schema = meta["schema"]
        if schema > SCHEMA_VERSION:
            ws.read_only_reason = (
                f"This workspace was written by a newer maca (schema {schema}, this one reads {SCHEMA_VERSION}); "
                "it is open read-only."
            )
        reason = check_writable(p)
        if reason and not ws.read_only_reason:
            ws.read_only_reason = reason
        if ws.user is None:
            leads = sorted(u.login for u in ws.users() if u.role is Role.LEAD)
            who = ", ".join(leads) if leads else "the workspace's lead"
            raise UnknownUser(
                f"{login} is not a user of this workspace; ask a lead ({who}) to run "
                f"`maca users --db {p} add {login} --role coordinator --agency CODE`."
            )
        return ws

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        login: str,
        partnership: Partnership,
        *,
        users: list[User] | None = None,
    ) -> Workspace:
        """Create a new workspace file (0600) whose lead is `login`, the caller."""
        p = Path(path)
        if p.exists():
            raise WorkspaceError(f"{p} already exists; open it with `maca --db {p}` or choose another path.")
        if not p.parent.is_dir():
            raise WorkspaceError(f"The folder {p.parent} does not exist.")
        storage = AtomicJSONStorage(p, create=True, holder=login)
        ws = cls(p, storage, login)
        # The caller is the lead whatever the list says, but keeps the name given there.
        given = next((u for u in users or [] if u.login == login), None)
        me = dataclasses.replace(given, role=Role.LEAD, agencies=[]) if given else User(login=login, role=Role.LEAD)
        everyone = [me] + [u for u in users or [] if u.login != login]
        with ws.transaction() as tx:
            tx.raw(META)["1"] = {"schema": SCHEMA_VERSION, "created_at": now().isoformat(), "created_by": login}
            tx.insert(partnership, summary=f"created the workspace for {partnership.name}")
            for user in everyone:
                tx.insert(user, summary=f"added {user.login} as {user.role.value}")
        return ws

    # ----------------------------------------------------------------- reading

    def _data(self) -> dict[str, Any]:
        read = self.storage.read()
        data: dict[str, Any] = {} if read is None else read
        if data is not self._raw:
            self._raw = data
            self._tables = {}
            self._journal_max = None
        return data

    def _table(self, name: str) -> _Table:
        data = self._data()
        table = self._tables.get(name)
        if table is None:
            try:
                table = _Table(name, data.get(name, {}))
            except DocumentError as exc:
                raise CorruptWorkspace(self.path, str(exc)) from None
            self._tables[name] = table
        return table

    @property
    def last_lock_wait(self) -> float:
        """How long the last save waited for another session's save, in seconds."""
        return float(getattr(self.storage._lock, "last_wait", 0.0))

    def changed_on_disk(self) -> bool:
        """True when another session saved since this one last read (cheap: one stat)."""
        return self.storage.changed_on_disk()

    def refresh(self) -> bool:
        """Re-read if another session saved; True when there is something new to show."""
        if not self.storage.changed_on_disk():
            return False
        self._data()
        return True

    @property
    def schema(self) -> int:
        return int(self._data().get(META, {}).get("1", {}).get("schema", 0))

    @property
    def user(self) -> User | None:
        return self._table("users").items.get(self.login)

    def can(self, act: Act, *, agency: str | None = None) -> bool:
        return self.read_only_reason is None and bool(decide(self.user, act, agency=agency))

    def partnership(self) -> Partnership:
        found = self._table("partnership").items.get(Partnership.key)
        return found if found is not None else Partnership()

    def users(self) -> list[User]:
        return sorted(self._table("users").items.values(), key=lambda u: u.login)

    def audits(self) -> list[Audit]:
        return sorted(self._table("audits").items.values(), key=lambda a: a.ref)

    def audit(self, ref: str) -> Audit:
        found = self._table("audits").items.get(ref)
        if found is None:
            raise NotFound(f"There is no audit {ref!r} in this workspace.")
        return found

    def _for_audit(self, table: str, ref: str) -> list[Any]:
        return [obj for obj in self._table(table).items.values() if obj.audit == ref]

    def cases(self, ref: str) -> list[CandidateCase]:
        return self._for_audit("cases", ref)

    def case(self, ref: str, case_ref: str) -> CandidateCase | None:
        return self._table("cases").items.get(f"{ref}/{case_ref}")

    def returns(self, ref: str) -> list[Return]:
        return self._for_audit("returns", ref)

    def get_return(self, ref: str, case_ref: str, agency: str) -> Return | None:
        return self._table("returns").items.get(f"{ref}/{case_ref}/{agency}")

    def discussions(self, ref: str) -> list[Discussion]:
        return self._for_audit("discussions", ref)

    def findings(self, ref: str) -> list[Finding]:
        return sorted(self._for_audit("findings", ref), key=lambda f: (f.column, f.position, f.id))

    def actions(self, ref: str) -> list[Action]:
        return self._for_audit("actions", ref)

    def activities(self, ref: str) -> list[Activity]:
        """The audit's evidence activities, by number (E1, E2 ... E10)."""
        return sorted(self._for_audit("activities", ref), key=lambda a: (len(a.id), a.id))

    def themes(self, ref: str) -> list[Theme]:
        return sorted(self._for_audit("themes", ref), key=lambda t: (len(t.id), t.id))

    def all_actions(self) -> list[Action]:
        """Every audit's SMART actions, for the partnership's tracker: the one read across
        audits it makes (so a partnership-wide summary can answer it without opening
        every audit)."""
        return list(self._table("actions").items.values())

    def get(self, obj_or_table: Any, key: str | None = None) -> Any:
        """The stored version of a document (by example object, or by table and key)."""
        if isinstance(obj_or_table, str):
            return self._table(obj_or_table).items.get(key or "")
        return self._table(table_of(obj_or_table)).items.get(obj_or_table.key)

    def journal(self) -> list[JournalEntry]:
        """Every journal entry, oldest first (read only when a lead opens the journal)."""
        raw = self._data().get(JOURNAL, {})
        entries = []
        for doc_id in sorted(raw, key=lambda k: int(k) if k.isdigit() else 0):
            try:
                entries.append(from_doc(JournalEntry, raw[doc_id]))
            except DocumentError as exc:
                raise CorruptWorkspace(self.path, f"its journal entry {doc_id} is damaged ({exc})") from None
        return entries

    # ----------------------------------------------------------------- writing

    def require(self, act: Act, *, agency: str | None = None, audit: str = "", key: str = "") -> None:
        """Raise AccessDenied (and journal the refusal) unless the user may do `act`."""
        if self.read_only_reason:
            raise WorkspaceReadOnly(self.read_only_reason)
        decision = decide(self.user, act, agency=agency)
        if decision:
            return
        self.refusals.record(self, key=key, audit=audit, reason=decision.reason)  # a burst: one count
        raise AccessDenied(decision.reason)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One locked, atomic change: everything inside lands together or not at all."""
        if self.read_only_reason:
            raise WorkspaceReadOnly(self.read_only_reason)
        # The GC is paused for the transaction: an import inserts and encodes 50,000
        # documents, and the collector would rescan the growing heap many times over
        # (it made the import 1.6x slower); reference counting still frees the garbage.
        with paused_gc(), self.storage.transaction():
            if self.storage.read() is None:  # a workspace being created: start from no tables
                self.storage.write({})
            tx = Transaction(self, self._data())
            yield tx
            if tx.touched:
                self.storage.write(tx.data)
        # Only after the file is on disk do the decoded caches learn the new versions.
        tx.apply_to_caches()
        for listener in list(self.listeners):
            listener()

    def save(self, obj: M, *, act: Act, agency: str | None = None, summary: str = "") -> M:
        """Save an edited copy of a stored document; raises ConflictError if it moved on."""
        agency = _agency_of(obj, agency)
        self.require(act, agency=agency, audit=audit_of(obj), key=obj.key)
        with self.transaction() as tx:
            saved = tx.save(obj, summary=summary)
        return saved

    def insert(self, obj: M, *, act: Act, agency: str | None = None, summary: str = "") -> M:
        agency = _agency_of(obj, agency)
        self.require(act, agency=agency, audit=audit_of(obj), key=obj.key)
        with self.transaction() as tx:
            saved = tx.insert(obj, summary=summary)
        return saved

    def delete(self, obj: Any, *, act: Act, agency: str | None = None, summary: str = "") -> None:
        agency = _agency_of(obj, agency)
        self.require(act, agency=agency, audit=audit_of(obj), key=obj.key)
        with self.transaction() as tx:
            tx.delete(obj, summary=summary)


def _agency_of(obj: Any, claimed: str | None) -> str | None:
    """The agency an access check is about: a return's own agency, whatever the caller
    passed, so a co-ordinator can never edit another agency's return by naming their own."""
    if isinstance(obj, Return):
        return obj.agency
    return claimed

