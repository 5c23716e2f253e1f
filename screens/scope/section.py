"""Section 1, Scope: every scope field, read by all, edited by leads (DESIGN §2 step 1)."""

from __future__ import annotations

import copy
import re
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
from audit.criteria import KINDS, PARTICIPATING, PREDICATES, Criterion
from audit.scope import OBJECTIVE_ID, Audit, Kind, Milestone, Objective, Stage, validate_audit
from screens.access import Acts, allowed, permitted
from screens.context import ctx
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import FormField, FormScreen
from screens.saving import apply_change, tell
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
        self.rows = scope_rows(audit, c.ws.partnership(), c.today())
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
        editor = getattr(self, f"edit_{row.kind}", None)
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
        audit = self.audit()
        if group == "purpose":
            await self.edit_purpose(audit, None)
        elif group == "objective":
            await self.edit_objective(audit, None)
        elif group == "criterion":
            await self.edit_criterion(audit, None)
        elif group == "milestone":
            await self.edit_milestone(audit, None)

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
                del audit.purpose[_index(audit.purpose, item)]
            elif kind == "objective":
                audit.objectives = [o for o in audit.objectives if o.id != item]
            elif kind == "criterion":
                audit.criteria = [c for c in audit.criteria if c.id != item]
            elif kind == "milestone":
                del audit.milestones[_index(audit.milestones, item)]
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

    # ------------------------------------------------------------------ editors

    async def edit_title(self, audit: Audit, row: Row) -> None:
        values = await self.ask("Title", [FormField("title", "Title", value=audit.title, required=True, max_length=200)])
        if values is not None:
            await self.save(lambda a: _set(a, title=values["title"]), "changed the title", select="title", base=audit)

    async def edit_kind(self, audit: Audit, row: Row) -> None:
        options = [(f"{k.value}: {k.label}", k.value) for k in Kind]
        values = await self.ask("Kind", [FormField("kind", "Kind", "select", audit.kind.value, options, required=True)])
        if values is not None:
            await self.save(lambda a: _set(a, kind=Kind(values["kind"])), "changed the kind", select="kind", base=audit)

    async def edit_stage(self, audit: Audit, row: Row) -> None:
        options = [(s.label, s.value) for s in Stage]
        values = await self.ask("Stage", [FormField("stage", "Stage", "select", audit.stage.value, options, required=True)])
        if values is not None:
            await self.save(lambda a: _set(a, stage=Stage(values["stage"])), "changed the stage", select="stage", base=audit)

    async def edit_linked(self, audit: Audit, row: Row) -> None:
        values = await self.ask("Linked review", [
            FormField("linked_review", "Linked review (e.g. C86)", value=audit.linked_review, max_length=200),
            FormField("notification_date", "Notified to the national panel on", "date", audit.notification_date,
                      hint="The rapid review is due 15 working days later; England bank holidays are counted."),
        ])
        if values is not None:
            await self.save(lambda a: _set(a, **values), "changed the linked review", select="linked", base=audit)

    async def edit_background(self, audit: Audit, row: Row) -> None:
        values = await self.ask("Background", [FormField("background", "Background", "textarea", audit.background)])
        if values is not None:
            await self.save(lambda a: _set(a, **values), "changed the background", select="background", base=audit)

    async def edit_lookback(self, audit: Audit, row: Row) -> None:
        def check(v: dict[str, Any]) -> list[str]:
            return ["The lookback must start on or before its end."] if v["start"] > v["end"] else []

        values = await self.ask("Lookback period", [
            FormField("start", "Starts", "date", audit.lookback_start, required=True),
            FormField("end", "Ends", "date", audit.lookback_end, required=True),
        ], check)
        if values is not None:
            await self.save(lambda a: _set(a, lookback_start=values["start"], lookback_end=values["end"]),
                            "changed the lookback period", select="lookback", base=audit)

    async def edit_target(self, audit: Audit, row: Row) -> None:
        def check(v: dict[str, Any]) -> list[str]:
            return [] if 1 <= v["target"] <= 10_000 else ["The cohort target must be from 1 to 10,000 cases."]

        values = await self.ask("Cohort target", [
            FormField("target", "Cases in the cohort", "int", audit.cohort_target, required=True)], check)
        if values is not None:
            await self.save(lambda a: _set(a, cohort_target=values["target"]), "changed the cohort target",
                            select="target", base=audit)

    async def edit_agencies(self, audit: Audit, row: Row) -> None:
        partnership = ctx(self.app).ws.partnership()
        options = [(f"{a.code}  {a.name}", a.code) for a in partnership.agencies]
        values = await self.ask("Participating agencies", [
            FormField("agencies", "Agencies taking part (space ticks)", "multi", audit.agencies, options, required=True)])
        if values is not None:
            order = partnership.agency_codes()
            chosen = sorted(values["agencies"], key=order.index)
            await self.save(lambda a: _set(a, agencies=chosen), "changed the participating agencies",
                            select="agencies", base=audit)

    async def edit_purpose(self, audit: Audit, row: Row | None) -> None:
        index = int(row.item) if row else None
        value = audit.purpose[index] if index is not None else ""
        values = await self.ask("Purpose", [FormField("text", "Purpose", "textarea", value, required=True)])
        if values is None:
            return

        def change(a: Audit) -> Audit:
            if index is None:
                a.purpose.append(values["text"])
            else:
                a.purpose[_index(a.purpose, str(index))] = values["text"]
            return a

        select = f"purpose:{index if index is not None else len(audit.purpose)}"
        await self.save(change, "added a purpose" if index is None else f"changed purpose {index + 1}", select, base=audit)

    async def edit_objective(self, audit: Audit, row: Row | None) -> None:
        old = audit.objective(row.item) if row else None
        taken = {o.id for o in audit.objectives if old is None or o.id != old.id}

        def check(v: dict[str, Any]) -> list[str]:
            problems = []
            if not OBJECTIVE_ID.match(v["id"]):
                problems.append("The id must be lower-case letters, digits or '_', starting with a letter.")
            if v["id"] in taken:
                problems.append(f"Another objective already has the id {v['id']!r}.")
            return problems

        values = await self.ask("Objective" if old else "New objective", [
            FormField("id", "Id (short, lower case)", value=old.id if old else "", required=True, max_length=40,
                      hint="Audit tool sections and grades refer to it."),
            FormField("title", "Title", value=old.title if old else "", required=True, max_length=200),
            FormField("text", "What the audit will seek to understand", "textarea", old.text if old else ""),
        ], check)
        if values is None:
            return
        new = Objective(id=values["id"], title=values["title"], text=values["text"])

        def change(a: Audit) -> Audit:
            if old is None:
                a.objectives.append(new)
            else:
                at = [o.id for o in a.objectives].index(old.id)
                a.objectives[at] = new
            return a

        await self.save(change, f"{'added' if old is None else 'edited'} objective {new.id}", f"objective:{new.id}", base=audit)

    async def edit_criterion(self, audit: Audit, row: Row | None) -> None:
        old = next((c for c in audit.criteria if row and c.id == row.item), None)
        taken = {c.id for c in audit.criteria if old is None or c.id != old.id}
        partnership = ctx(self.app).ws.partnership()

        def check(v: dict[str, Any]) -> list[str]:
            problems = []
            if not re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", v["id"]):
                problems.append("The id must be lower-case letters, digits, '_' or '-', starting with a letter.")
            if v["id"] in taken:
                problems.append(f"Another criterion already has the id {v['id']!r}.")
            if v["kind"] in ("all", "any") and not v["predicates"]:
                problems.append("Tick at least one feature for an 'all' or 'any' criterion.")
            if v["kind"] == "engaged_with" and v["who"] == "listed" and not v["agencies"]:
                problems.append("Tick the agencies engagement must be with, or choose the participating agencies.")
            return problems

        listed = old is not None and old.agencies is not None
        values = await self.ask("Criterion" if old else "New criterion", [
            FormField("id", "Id", value=old.id if old else "", required=True, max_length=40),
            FormField("label", "Label", value=old.label if old else "", required=True, max_length=200),
            FormField("kind", "Met when", "select", old.kind if old else "all",
                      [("all of the features are present", "all"), ("any of the features is present", "any"),
                       ("engaged with agencies in the lookback", "engaged_with")], required=True),
            FormField("predicates", "Features (for all / any)", "multi", old.predicates if old else [],
                      [(p.replace("_", " "), p) for p in PREDICATES]),
            FormField("who", "Engaged with (for engagement)", "select", "listed" if listed else PARTICIPATING,
                      [("the participating agencies", PARTICIPATING), ("the agencies ticked below", "listed")],
                      required=True),
            FormField("agencies", "Agencies (when listed)", "multi", (old.agencies or []) if old else [],
                      [(f"{a.code}  {a.name}", a.code) for a in partnership.agencies]),
        ], check)
        if values is None:
            return
        kind = values["kind"]
        assert kind in KINDS
        new = Criterion(
            id=values["id"], label=values["label"], kind=kind,
            predicates=values["predicates"] if kind != "engaged_with" else [],
            agencies=(values["agencies"] if values["who"] == "listed" else None) if kind == "engaged_with" else None,
        )

        def change(a: Audit) -> Audit:
            if old is None:
                a.criteria.append(new)
            else:
                a.criteria[[c.id for c in a.criteria].index(old.id)] = new
            return a

        await self.save(change, f"{'added' if old is None else 'edited'} criterion {new.id}", f"criterion:{new.id}", base=audit)

    async def edit_milestone(self, audit: Audit, row: Row | None) -> None:
        index = int(row.item) if row else None
        old = audit.milestones[index] if index is not None else None
        values = await self.ask("Milestone" if old else "New milestone", [
            FormField("name", "Milestone", value=old.name if old else "", required=True, max_length=200),
            FormField("due", "Due", "date", old.due if old else None, required=True),
            FormField("done", "Done?", "select", "yes" if old and old.done else "no",
                      [("not yet", "no"), ("done", "yes")], required=True),
        ])
        if values is None:
            return
        new = Milestone(name=values["name"], due=values["due"], done=values["done"] == "yes")

        def change(a: Audit) -> Audit:
            if index is None:
                a.milestones.append(new)
            else:
                a.milestones[_index(a.milestones, str(index))] = new
            return a

        at = index if index is not None else len(audit.milestones)
        await self.save(change, f"{'added' if old is None else 'edited'} milestone {new.name!r}", f"milestone:{at}", base=audit)


def _set(audit: Audit, **changes: Any) -> Audit:
    for name, value in changes.items():
        setattr(audit, name, value)
    return audit


def _index(items: list[Any], item: str) -> int:
    """The list position named by a row, refusing one that another session removed."""
    index = int(item)
    if not 0 <= index < len(items):
        raise ValueError("That item was removed by someone else meanwhile; nothing was saved.")
    return index
