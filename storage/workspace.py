"""The workspace: a document store of our own over a shared folder of files (DESIGN §7).

Screens and the CLI talk to this object, never to the files.  The folder
(`storage.layout`) holds ``partnership.json`` (partnership-wide tables: settings,
agencies, users, the audits and their summary figures), ``audits/REF.json`` (one audit's
own records: cases, returns, findings, ...), ``journal/YYYY-MM.jsonl`` (the journal, one
entry a line, appended only) and ``backups/`` (each file's pre-write versions,
`storage.backups`).

Each JSON file holds tables in TinyDB's layout (table -> {doc id: document}) and is read
and written through TinyDB's Storage API (`storage.folder.TableFile`); TinyDB's tables
and queries are not used.  The store on top is ours: documents indexed by key and
decoded to models (`_Table`), a ``rev`` per document checked on every save, a journal
entry per change, access checked by `require`.  Every write happens in one locked
transaction that re-reads only the files another process changed, checks the
document's ``rev``, writes it with the next rev, journals the change, and lands on disk
atomically (`storage.commit`).  An audit's file is read only when something asks for
that audit's records.

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
from datetime import date, datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from audit.access import Act, decide
from audit.activities import Activity, Theme
from audit.approval import ReportApproval
from audit.briefing import Dissemination
from audit.cases import CandidateCase, paused_gc
from audit.codec import DocumentError, from_doc
from audit.findings import Action, Discussion, Finding
from audit.journal import JournalEntry
from audit.partnership import Partnership, Role, User
from audit.programme import PlannedAudit
from audit.returns import Return
from audit.scope import Audit
from storage.commit import pending
from storage.drafts import PENDING, stale
from storage.folder import WorkspaceFiles, check_folder_writable
from storage.journal_log import read_journal_file
from storage.layout import audit_tables, is_audit_table
from storage.summary import FIGURES, figures_of
from storage.errors import (
    AccessDenied,
    ConflictError,
    CorruptWorkspace,
    NotFound,
    WorkspaceError,
    WorkspaceReadOnly,
)
from storage.refusals import RefusalLog
from storage.schema import ALL_TABLES, JOURNAL, META, MODELS, SCHEMA_VERSION, table_of
from storage.transaction import Keyed, Transaction, audit_of, now, summaries_of
from storage.watch import Changes, changes_of

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
                        # A native document kept by insert_fresh is already the model.
                        obj = doc if type(doc) is self.model else from_doc(self.model, doc)
                    except DocumentError as exc:
                        raise DocumentError(f"its {name} record {doc_id} is damaged ({exc})") from None
                key = obj.key
                self.ids[key] = doc_id
                self.items[key] = obj
                if doc_id.isdigit():
                    max_id = max(max_id, int(doc_id))
        self.max_id = max_id


class Workspace:
    """A workspace folder opened by one person (the OS login of this process)."""

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
        self.refusals = RefusalLog()
        # The audits' figures by ref, for one partnership file version: home asks for each
        # audit's, several times per redraw.  A transaction changes the table in place,
        # so each one moves `_generation` on (at its start and end) and a kept reading of
        # another generation is read again.
        self._generation = 0
        self._summaries: tuple[object, int, dict[str, dict[str, Any]]] | None = None

    # ----------------------------------------------------------------- opening

    @classmethod
    def open(cls, path: str | os.PathLike[str], login: str, *, lock_timeout: float = 10.0) -> Workspace:
        """Open an existing workspace as `login`; refuse unknown logins and damaged files.

        A single-file workspace of the old layout is moved into a folder beside it
        first (when `login` is one of its leads; see `storage.migrate`).
        """
        from storage.migrate import resolve_folder

        folder = resolve_folder(Path(path), login)
        files = WorkspaceFiles(folder, holder=login, lock_timeout=lock_timeout)
        ws = cls(folder, files, login)
        reason = check_folder_writable(folder)
        if pending(files.layout) and reason is None:
            # A save a crash interrupted: finish it before reading (under the lock).
            with files.transaction():
                pass
        data = ws._data()
        meta = data.get(META, {}).get("1")
        if not isinstance(meta, dict) or not isinstance(meta.get("schema"), int):
            raise CorruptWorkspace(files.layout.partnership, "it has no schema version")
        schema = meta["schema"]
        if schema > SCHEMA_VERSION:
            ws.read_only_reason = (
                f"This workspace was written by a newer maca (schema {schema}, this one reads {SCHEMA_VERSION}); "
                "it is open read-only."
            )
        if reason and not ws.read_only_reason:
            ws.read_only_reason = reason
        if ws.user is None:
            leads = sorted(u.login for u in ws.users() if u.role is Role.LEAD)
            who = ", ".join(leads) if leads else "the workspace's lead"
            raise UnknownUser(
                f"{login} is not a user of this workspace; ask a lead ({who}) to run "
                f"`maca users --db {folder} add {login} --role coordinator --agency CODE`."
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
        """Create a new workspace folder (0700, files 0600) whose lead is `login`, the caller."""
        p = Path(path)
        if os.path.lexists(p):
            raise WorkspaceError(f"{p} already exists; open it with `maca --db {p}` or choose another path.")
        if not p.parent.is_dir():
            raise WorkspaceError(f"The folder {p.parent} does not exist.")
        files = WorkspaceFiles(p, holder=login)
        ws = cls(p, files, login)
        # The caller is the lead whatever the list says, but keeps the name given there.
        given = next((u for u in users or [] if u.login == login), None)
        me = dataclasses.replace(given, role=Role.LEAD, agencies=[]) if given else User(login=login, role=Role.LEAD)
        everyone = [me] + [u for u in users or [] if u.login != login]
        with ws.transaction(create=True) as tx:
            tx.raw(META)["1"] = {"schema": SCHEMA_VERSION, "created_at": now().isoformat(), "created_by": login}
            tx.insert(partnership, summary=f"created the workspace for {partnership.name}")
            for user in everyone:
                tx.insert(user, summary=f"added {user.login} as {user.role.value}")
        return ws

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

    def planned(self) -> list[PlannedAudit]:
        """The programme's planned audits (issue 19), by id."""
        return sorted(self._table("planned").items.values(), key=lambda p: (len(p.id), p.id))

    def summary(self, ref: str) -> dict[str, Any]:
        """Audit `ref`'s figures (`storage.summary.FIGURES`) without reading its file.

        An audit saved before a figure was added is summed from its file once."""
        found = self._all_summaries().get(ref)
        if found is None and ref not in self.files._audits and not self.files.layout.audit(ref).exists():
            return figures_of({})  # no records yet (a new audit): nothing to read or watch
        if found is None or any(name not in found for name in FIGURES):
            return figures_of({t: list(self._table(t, ref).items.values()) for t in audit_tables()})
        return found

    def _all_summaries(self) -> dict[str, dict[str, Any]]:
        data = self._data()
        if self.files.in_transaction():
            return summaries_of(data)  # with this transaction's staged figures
        kept, generation = self._summaries, self._generation
        if kept is None or kept[0] is not data or kept[1] != generation:
            kept = self._summaries = (data, generation, summaries_of(data))
        return kept[2]

    def _for_audit(self, table: str, ref: str) -> list[Any]:
        if ref not in self._table("audits").items:
            return []
        return list(self._table(table, ref).items.values())

    def cases(self, ref: str) -> list[CandidateCase]:
        return self._for_audit("cases", ref)

    def case(self, ref: str, case_ref: str) -> CandidateCase | None:
        return self._table("cases", ref).items.get(f"{ref}/{case_ref}")

    def returns(self, ref: str) -> list[Return]:
        return self._for_audit("returns", ref)

    def get_return(self, ref: str, case_ref: str, agency: str) -> Return | None:
        return self._table("returns", ref).items.get(f"{ref}/{case_ref}/{agency}")

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

    def disseminations(self, ref: str) -> list[Dissemination]:
        """Seminars and briefings delivered, oldest first."""
        return sorted(self._for_audit("disseminations", ref), key=lambda d: (d.held_on or date.min, len(d.id), d.id))

    def approvals(self, ref: str) -> list[ReportApproval]:
        return self._for_audit("approvals", ref)

    def all_actions(self) -> list[Action]:
        """Every audit's SMART actions, for the partnership's tracker: only the files of the
        audits whose summary counts an action are read."""
        return [a for audit in self.audits() if self.summary(audit.ref).get("actions")
                for a in self.actions(audit.ref)]

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

    def journal(self) -> list[JournalEntry]:
        """Every journal entry, oldest first (read only when a lead opens the journal)."""
        entries = []
        for path in self.files.layout.journal_files():
            try:
                month = read_journal_file(path)
            except OSError as exc:
                raise CorruptWorkspace(path, (exc.strerror or str(exc)).lower()) from None
            if month.damaged:
                raise CorruptWorkspace(path, f"its line {month.damaged[0]} is not a journal entry")
            for number, doc in enumerate(month.entries, start=1):
                try:
                    entries.append(from_doc(JournalEntry, doc))
                except DocumentError as exc:
                    raise CorruptWorkspace(path, f"its journal entry {number} is damaged ({exc})") from None
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

    def save(self, obj: M, *, act: Act, agency: str | None = None, summary: str = "",
             defer_journal: bool = False) -> M:
        """Save an edited copy of a stored document; raises ConflictError if it moved on.

        ``defer_journal`` for an autosave while typing: journaled later, as one net
        change, by the next save without it, `settle`, or `settle_idle` (`storage.drafts`).
        """
        agency = _agency_of(obj, agency)
        self.require(act, agency=agency, audit=audit_of(obj), key=obj.key)
        with self.transaction() as tx:
            saved = tx.save(obj, summary=summary, defer_journal=defer_journal)
        return saved

    def settle(self, obj: Any) -> bool:
        """Journal the net change of `obj`'s deferred autosaves now (an editor closed, the
        record left); True if there was one."""
        table = table_of(obj)
        ref = audit_of(obj) if is_audit_table(table) else ""
        data = self._audit_data(ref) if ref else self._data()
        if self.read_only_reason or not data.get(PENDING):
            return False
        with self.transaction() as tx:
            return tx.settle(table, ref, obj.key)

    def settle_idle(self, now: datetime | None = None) -> int:
        """Journal every deferred change idle for 30 s in the files this session has read,
        whoever made it (a session that crashed leaves its changes to the next); how many.
        Costs a look at a small table per file when there is nothing to do."""
        if self.read_only_reason:
            return 0
        moment = now or datetime.now()
        due = [(ref, entity, key) for ref, data in [("", self._data()), *self._audit_raw.items()]
               for entity, key in stale(data, moment)]
        if not due:
            return 0
        with self.transaction() as tx:
            return sum(tx.settle(entity, ref, key) for ref, entity, key in due)

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

