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
decoded to models once per file version (`storage.store`, which `Workspace` is built
on), a ``rev`` per document checked on every save, a journal entry per change, access
checked by `require`.  Every write happens in one locked
transaction that re-reads only the files another process changed, checks the
document's ``rev``, writes it with the next rev, journals the change, and lands on disk
atomically (`storage.commit`).  An audit's file is read only when something asks for
that audit's records.

Models handed out are shared with the per-file-version cache: treat them as read-only
and save edited copies made with `dataclasses.replace`.

The tables and the model each holds are in `storage.schema`, and the staged changes of
one transaction in `storage.transaction`; the names other modules import from here
(`MODELS`, `JOURNAL`, `Transaction`, `now`, ...) are re-exported.
"""

from __future__ import annotations

import dataclasses
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from audit.access import Act, decide
from audit.activities import Activity, Theme
from audit.approval import ReportApproval
from audit.briefing import Dissemination
from audit.cases import CandidateCase
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
    CorruptWorkspace,
    NotFound,
    WorkspaceError,
    WorkspaceReadOnly,
)
from storage.refusals import RefusalLog
from storage.schema import ALL_TABLES, JOURNAL, META, MODELS, SCHEMA_VERSION, table_of
from storage.store import Store
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


class Workspace(Store):
    """A workspace folder opened by one person (the OS login of this process)."""

    def __init__(self, path: Path, files: WorkspaceFiles, login: str) -> None:
        super().__init__(path, files, login)
        self.refusals = RefusalLog()

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

