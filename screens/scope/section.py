"""Section 1, Scope: every scope field, read by all, edited by leads (DESIGN §2 step 1)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from audit.access import Act
from audit.scope import Audit, validate_audit
from screens.access import Acts, allowed, permitted
from screens.context import ctx
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import FormField, FormScreen
from screens.saving import apply_change, tell
from screens.scope.editors import ScopeEditors, item_index
from screens.scope.rows import GROUPS, Row, scope_rows
from screens.audit.sections import Section
from screens.widgets.lists import PickList
from storage.errors import WorkspaceError

Change = Callable[[Audit], Audit]


class ScopeSection(Section):
    BINDINGS = [
        Binding("enter,e", "edit", "Edit", id="scope.edit"),
        Binding("a", "add", "Add", id="scope.add"),
        Binding("d", "delete", "Delete", id="scope.delete"),
        Binding("J", "move(1)", "Move down", key_display="J", show=False, id="scope.move-down"),
        Binding("K", "move(-1)", "Move up", key_display="K", show=False, id="scope.move-up"),
    ]
    ACTS: Acts = {"edit": Act.EDIT_SCOPE, "add": Act.EDIT_SCOPE, "delete": Act.EDIT_SCOPE, "move": Act.EDIT_SCOPE}
    HELP_NOTES = [
        "Scope: only leads edit; everyone else reads. Each edit is saved at once and journaled.",
        "If someone else saved the scope first you see both versions and choose.",
    ]

    def __init__(self, audit_ref: str, **kwargs: Any) -> None:
        super().__init__(audit_ref, **kwargs)
        self.rows: list[Row] = []
        self.editors = ScopeEditors(self)

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield PickList(id="scope-list")
            with VerticalScroll(id="scope-detail"):
                yield Static(id="scope-detail-text")

    def on_mount(self) -> None:
        self.refresh_data()

    def focus_first(self) -> None:
        self.query_one(OptionList).focus()

    # ------------------------------------------------------------------ showing

    def audit(self) -> Audit:
        return ctx(self.app).ws.audit(self.audit_ref)

    def refresh_data(self, select: str | None = None) -> None:
        c = ctx(self.app)
        try:
            audit = self.audit()
        except WorkspaceError:
            return
        options = self.query_one(OptionList)
        keep = select or self.current_id()
        from storage.retest import retest_lines

        self.rows = scope_rows(audit, c.ws.partnership(), c.today(), retest_lines(c.ws, audit.ref))
        options.clear_options()
        options.add_options([Option(row.label, id=row.id) for row in self.rows])
        ids = [row.id for row in self.rows]
        options.highlighted = ids.index(keep) if keep in ids else 0
        self.show_detail()

    def reveal(self, key: str, field: str) -> bool:
        """Highlight the row of ``field`` (a :class:`audit.guard.Place` field such as
        ``background`` or ``objectives.2.title``), for the guard's jump to the text to fix."""
        try:
            audit = self.audit()
        except WorkspaceError:
            return False
        name, _, rest = field.partition(".")
        n = int(rest.split(".")[0]) - 1 if rest[:1].isdigit() else -1
        items: dict[str, list[Any]] = {"objectives": audit.objectives, "criteria": audit.criteria}
        if name in ("title", "background"):
            row = name
        elif name == "linked_review":
            row = "linked"
        elif name in ("purpose", "milestones") and n >= 0:
            row = f"{'purpose' if name == 'purpose' else 'milestone'}:{n}"
        elif name in items and 0 <= n < len(items[name]):
            row = f"{'objective' if name == 'objectives' else 'criterion'}:{items[name][n].id}"
        else:
            return False
        self.refresh_data(select=row)
        self.query_one(OptionList).focus()
        return self.current_id() == row

    def current_id(self) -> str | None:
        options = self.query_one(OptionList)
        if options.highlighted is None or options.highlighted >= len(self.rows):
            return None
        return self.rows[options.highlighted].id

    def current_row(self) -> Row | None:
        options = self.query_one(OptionList)
        if options.highlighted is None or options.highlighted >= len(self.rows):
            return None
        return self.rows[options.highlighted]

    def show_detail(self) -> None:
        row = self.current_row()
        self.query_one("#scope-detail-text", Static).update(row.detail if row else Text(""))

    def on_option_list_option_highlighted(self, _: OptionList.OptionHighlighted) -> None:
        self.show_detail()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_edit()

    # ------------------------------------------------------------------ saving

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return permitted(self, self.ACTS, action)

    def allowed(self) -> bool:
        return allowed(self, Act.EDIT_SCOPE, audit=self.audit_ref, key=self.audit_ref)

    async def save(self, change: Change, summary: str, select: str | None = None, *, base: Audit) -> None:
        ws = ctx(self.app).ws
        agencies = ws.partnership().agency_codes()

        def checked(audit: Audit) -> Audit:
            edited = change(copy.deepcopy(audit))
            problems = validate_audit(edited, agencies)
            if problems:
                raise ValueError(" ".join(problems) + " Nothing was saved.")
            return edited

        await apply_change(
            self,
            latest=lambda: ws.get("audits", self.audit_ref),
            change=checked,
            save=lambda audit: ws.save(audit, act=Act.EDIT_SCOPE, summary=summary),
            base=base,
            done=f"Saved: {summary}.",
        )
        self.refresh_data(select=select)
        self.screen.update_identity()  # type: ignore[attr-defined]

    async def ask(self, title: str, fields: list[FormField],
                  validate: Callable[[dict[str, Any]], list[str]] | None = None) -> dict[str, Any] | None:
        return await self.app.push_screen_wait(FormScreen(title, fields, validate))

    # ------------------------------------------------------------------ keys

    @work(exclusive=True, group="scope-edit")
    async def action_edit(self) -> None:
        row = self.current_row()
        if row is None or not self.allowed():
            return
        if row.kind == "group":
            await self.add(row.group or "")
            return
        audit = self.audit()
        editor = getattr(self.editors, f"edit_{row.kind}", None)
        if editor is not None:
            await editor(audit, row)

    @work(exclusive=True, group="scope-edit")
    async def action_add(self) -> None:
        row = self.current_row()
        if row is None or row.group is None:
            tell(self, "Highlight a list (purpose, objectives, criteria or milestones) to add to it.")
            return
        if self.allowed():
            await self.add(row.group)

    async def add(self, group: str) -> None:
        if group in ("purpose", "objective", "criterion", "milestone"):
            await getattr(self.editors, f"edit_{group}")(self.audit(), None)

    @work(exclusive=True, group="scope-edit")
    async def action_delete(self) -> None:
        row = self.current_row()
        if row is None or row.group is None or row.kind == "group":
            tell(self, "Only an item of a list (a purpose, objective, criterion or milestone) can be deleted.")
            return
        if not self.allowed():
            return
        audit = self.audit()
        what = f"{GROUPS[row.kind].lower().rstrip('s')} {row.item}"
        if row.kind == "objective":
            what = f"objective {row.item}"
        if not await self.app.push_screen_wait(ConfirmScreen(f"Delete {what}? This is journaled.", "delete")):
            return
        kind, item = row.kind, row.item

        def change(audit: Audit) -> Audit:
            if kind == "purpose":
                del audit.purpose[item_index(audit.purpose, item)]
            elif kind == "objective":
                audit.objectives = [o for o in audit.objectives if o.id != item]
            elif kind == "criterion":
                audit.criteria = [c for c in audit.criteria if c.id != item]
            elif kind == "milestone":
                del audit.milestones[item_index(audit.milestones, item)]
            return audit

        await self.save(change, f"deleted {what}", select=f"group:{kind}", base=audit)

    @work(exclusive=True, group="scope-edit")
    async def action_move(self, step: int) -> None:
        row = self.current_row()
        if row is None or row.kind not in ("purpose", "objective", "milestone"):
            tell(self, "Highlight a purpose, objective or milestone to move it.")
            return
        if not self.allowed():
            return
        kind, item = row.kind, row.item
        audit = self.audit()
        lists: dict[str, list[Any]] = {"purpose": audit.purpose, "objective": audit.objectives, "milestone": audit.milestones}
        items = lists[kind]
        index = [o.id for o in audit.objectives].index(item) if kind == "objective" else int(item)
        target = index + step
        if not 0 <= target < len(items):
            return

        def change(audit: Audit) -> Audit:
            lists: dict[str, list[Any]] = {"purpose": audit.purpose, "objective": audit.objectives,
                                           "milestone": audit.milestones}
            seq = lists[kind]
            seq[index], seq[target] = seq[target], seq[index]
            return audit

        select = f"objective:{item}" if kind == "objective" else f"{kind}:{target}"
        await self.save(change, f"moved {kind} {item} {'down' if step > 0 else 'up'}", select=select, base=audit)
