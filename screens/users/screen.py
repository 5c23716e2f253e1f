"""The Users screen (leads only, DESIGN §8): who may use the workspace, with what role,
agencies and SSH key.

`a` adds someone, `e` changes their role and agencies, `s` takes their SSH public key
(pasted), `r` removes them and revokes their key at once.  Every change goes through
`storage.users`, the same as `maca users`, so the service account's authorized_keys
is rewritten in the same locked change (under `maca serve`, or wherever the workspace's
keys are kept) and the journal says who did it.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from audit.access import Act, decide
from audit.partnership import LOGIN, Role, User, validate_user
from audit.ssh_keys import parse_public_key
from screens.access import Acts, allowed, permitted
from screens.context import WorkspaceChanged, ctx
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import FormField, FormScreen
from screens.saving import tell
from screens.widgets.identity import IdentityBar
from screens.widgets.virtual_table import Column, VirtualTable
from screens.widgets.footer import Footer
from storage.authorized_keys import maca_command
from storage.errors import WorkspaceError
from storage.users import KeyFile, add_or_change, key_of, remove_user, set_key

COLUMNS = [
    Column("login", "Login", width=22),
    Column("role", "Role", width=20),
    Column("agencies", "Agencies", width=24),
    Column("key", "SSH key", width=30),
]

ROLES = [("Lead auditor: runs audits, manages users", "lead"),
         ("Audit co-ordinator: completes their agencies' returns", "coordinator"),
         ("Panel member: reads everything, signs off actions", "panel"),
         ("Viewer: reads everything, changes nothing", "viewer")]
KEY_HINT = ("Paste the whole public key, one line from their .pub file (ssh-ed25519 AAAA…). "
            "Never a private key.")


class UsersScreen(Screen[None]):
    CSS_PATH = "users.tcss"
    BINDINGS = [
        Binding("a", "add", "Add", id="users.add"),
        Binding("e", "edit", "Role and agencies", id="users.edit"),
        Binding("s", "key", "SSH key", id="users.key"),
        Binding("r", "remove", "Remove", id="users.remove"),
        Binding("escape", "back", "Back", id="users.back"),
    ]
    ACTS: Acts = {"add": Act.MANAGE_USERS, "edit": Act.MANAGE_USERS, "key": Act.MANAGE_USERS, "remove": Act.MANAGE_USERS}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return permitted(self, self.ACTS, action)

    def __init__(self) -> None:
        super().__init__()
        self.keys_by_login: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield IdentityBar()
        yield Static(id="users-note")
        yield VirtualTable(COLUMNS, cell=self.cell, sort_key=lambda u, k: str(self.cell(u, k)).casefold(),
                           empty_text="No users.")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Users"
        ws = ctx(self.app).ws
        who = ws.user.describe() if ws.user else ws.login
        self.query_one(IdentityBar).show(f"{ws.partnership().name} · users", who)
        where = ("the service account's authorized_keys" if ctx(self.app).served is not None
                 else "your authorized_keys")
        self.query_one("#users-note", Static).update(Text(
            f"Each key is written to {where}, forcing maca as that user; removing someone revokes their "
            "key at once."))
        self.reload()
        self.query_one(VirtualTable).focus()

    def cell(self, user: User, key: str) -> str:
        if key == "login":
            return user.login
        if key == "role":
            return user.role.label
        if key == "agencies":
            return ", ".join(user.agencies) or "—"
        public = self.keys_by_login.get(user.login)
        return f"{public[:12]}…{public[-8:]}" if public else "—"

    def reload(self) -> None:
        ws = ctx(self.app).ws
        users = ws.users()
        self.keys_by_login = {u.login: k for u in users if (k := key_of(ws, u.login))}
        self.query_one(VirtualTable).set_rows(users)

    def on_workspace_changed(self, _: WorkspaceChanged) -> None:
        self.reload()

    def on_virtual_table_row_selected(self, _: VirtualTable.RowSelected) -> None:
        self.action_edit()  # enter: the same as e

    @property
    def current(self) -> User | None:
        return self.query_one(VirtualTable).cursor_row

    def key_file(self) -> KeyFile:
        ws = ctx(self.app).ws
        return KeyFile.for_workspace(ws, maca_command(), served=ctx(self.app).served is not None)

    def agency_options(self) -> list[tuple[str, str]]:
        partnership = ctx(self.app).ws.partnership()
        return [(f"{a.code}  {a.name}", a.code) for a in partnership.agencies]

    def check(self, values: dict[str, Any], login: str | None = None) -> list[str]:
        ws = ctx(self.app).ws
        problems = []
        name = login or values.get("login") or ""
        if "role" in values:
            user = User(login=name, role=Role(values["role"]), agencies=list(values.get("agencies") or []))
            problems += validate_user(user, ws.partnership().agency_codes())
        elif not LOGIN.match(name):
            problems.append("That login is not valid.")
        if values.get("key"):
            try:
                parse_public_key(values["key"])
            except ValueError as exc:
                problems.append(str(exc))
        return problems

    def done(self, message: str) -> None:
        self.reload()
        tell(self, message)

    @work(exclusive=True, group="users")
    async def action_add(self) -> None:
        values = await self.app.push_screen_wait(FormScreen("Add a user", [
            FormField("login", "Login", required=True, max_length=32,
                      hint="1-32 lower-case letters, digits, '.', '_' or '-'; under served mode, the name their "
                           "key stands for."),
            FormField("role", "Role", "select", "coordinator", ROLES, required=True),
            FormField("agencies", "Agencies (co-ordinators only)", "multi", [], self.agency_options()),
            FormField("key", "SSH public key (optional)", "textarea", "", max_length=16_384, hint=KEY_HINT),
        ], self.check))
        if values is None:
            return
        ws = ctx(self.app).ws
        if ws.get("users", values["login"]) is not None:
            tell(self, f"{values['login']} is already a user; use e to change their role.", error=True)
            return
        try:
            user, _ = add_or_change(ws, values["login"], Role(values["role"]), list(values["agencies"] or []),
                                    values["key"] or None, self.key_file())
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        self.done(f"Added {user.describe()}" + (" with their SSH key." if values["key"] else "."))

    @work(exclusive=True, group="users")
    async def action_edit(self) -> None:
        user = self.current
        if user is None:
            return
        values = await self.app.push_screen_wait(FormScreen(f"Role and agencies of {user.login}", [
            FormField("role", "Role", "select", user.role.value, ROLES, required=True),
            FormField("agencies", "Agencies (co-ordinators only)", "multi", list(user.agencies),
                      self.agency_options()),
        ], lambda v: self.check(v, user.login)))
        if values is None:
            return
        try:
            saved, _ = add_or_change(ctx(self.app).ws, user.login, Role(values["role"]),
                                     list(values["agencies"] or []), None, self.key_file())
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        self.done(f"{saved.describe()}.")

    @work(exclusive=True, group="users")
    async def action_key(self) -> None:
        user = self.current
        if user is None:
            return
        values = await self.app.push_screen_wait(FormScreen(f"SSH key of {user.login}", [
            FormField("key", "SSH public key", "textarea", "", required=True, max_length=16_384,
                      hint=KEY_HINT + " It replaces any key they had, which stops working at once."),
        ], lambda v: self.check(v, user.login)))
        if values is None:
            return
        try:
            set_key(ctx(self.app).ws, user.login, values["key"], self.key_file())
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        self.done(f"Gave {user.login} a new SSH key; any earlier key of theirs no longer works.")

    @work(exclusive=True, group="users")
    async def action_remove(self) -> None:
        user = self.current
        if user is None:
            return
        if not await self.app.push_screen_wait(ConfirmScreen(
                f"Remove {user.login} from the workspace? Their SSH key stops working at once; the journal "
                "keeps what they did.", "remove")):
            return
        try:
            remove_user(ctx(self.app).ws, user.login, self.key_file())
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        self.done(f"Removed {user.login}; their SSH key no longer works.")

    def action_back(self) -> None:
        self.app.pop_screen()


def open_users(app: Any) -> None:
    """Open the Users screen for a lead; anyone else is told why not (and it is journaled)."""
    ws = ctx(app).ws
    if not decide(ws.user, Act.MANAGE_USERS):
        allowed(app, Act.MANAGE_USERS)  # says why, and journals the refusal
        return
    app.push_screen(UsersScreen())
