"""Section 4, Discussion: each case's returns side by side, and the record the agencies agree.

Left: the cohort's cases (for a thematic audit, any sessions migrated from an old workspace;
its evidence is its activities: `a` adds one, `v` lists them).  Right:
per objective every agency's grade and key evidence, the agreed grade (`1`-`4` on the
highlighted objective), then the record (`e`) and the points that worked well (`w`) or
less well (`W`).  `p` promotes the highlighted point to a finding on the board.

Leads record discussions; co-ordinators may promote a point (it becomes a proposed
finding); viewers read.  Every save goes through `apply_change`, so a record someone
else saved meanwhile is shown side by side rather than overwritten.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from audit.access import Act
from audit.findings import Discussion
from audit.grades import Grade
from audit.returns import Return, is_received
from audit.scope import Audit, Kind
from screens.access import Acts, allowed, permitted
from screens.discussion.forms import DiscussionForms
from screens.context import ctx
from screens.discussion.rows import POINT_LISTS, Row, discussion_rows, head_text, subject_label
from screens.dialogs.confirm import ConfirmScreen
from screens.saving import apply_change, tell
from screens.audit.sections import Section
from screens.widgets.lists import PickList
from storage.errors import WorkspaceError
from storage.findings import open_discussion, save_discussion, subjects


class DiscussionSection(Section):
    BINDINGS = [
        Binding("e", "edit_record", "Edit record", id="discussion.edit"),
        Binding("w", "add_point('well')", "Worked well +", tooltip="add a point", id="discussion.add-well"),
        Binding("W", "add_point('less')", "Less well +", key_display="W", tooltip="add a point", id="discussion.add-less-well"),
        Binding("p", "promote", "Promote", tooltip="the point to a finding", id="discussion.promote"),
        Binding("d", "delete_point", "Delete point", id="discussion.delete-point"),
        Binding("a", "add_activity", "Add activity", id="discussion.add-activity"),
        Binding("v", "evidence", "Evidence", tooltip="activities and themes", id="discussion.evidence"),
        *[Binding(str(n), f"grade({n})", "Agreed grade", tooltip=Grade.in_order()[n - 1].value,
                  show=n == 1, key_display="1-4" if n == 1 else None, id=f"discussion.grade-{n}") for n in range(1, 5)],
        Binding("0", "grade(0)", "Clear agreed grade", show=False, id="discussion.grade-clear"),
        Binding("h", "pane(0)", "Cases", show=False, tooltip="the list on the left", id="move.left"),
        Binding("left", "pane(0)", "Cases", show=False, tooltip="the list on the left", id="arrow.left"),
        Binding("l", "pane(1)", "Record", show=False, tooltip="the record on the right", id="move.right"),
        Binding("right", "pane(1)", "Record", show=False, tooltip="the record on the right", id="arrow.right"),
    ]
    ACTS: Acts = {"edit_record": Act.EDIT_DISCUSSION, "add_point": Act.EDIT_DISCUSSION, "grade": Act.EDIT_DISCUSSION,
                  "delete_point": Act.EDIT_DISCUSSION, "add_activity": Act.EDIT_DISCUSSION,
                  "promote": (Act.EDIT_BOARD, Act.PROPOSE_FINDING)}
    HELP_NOTES = [
        "Discussion: left, the cohort's cases (a thematic audit's evidence is its activities: a adds one, "
        "v lists them with the themes); right, per objective each "
        "agency's grade (✦ outstanding, ✓ good, ! requires improvement, ✗ inadequate; ✎ draft, ◦ not started, "
        "∅ not involved) with its key evidence, then the record.",
        "h / l move between the two lists; enter on a case opens its record, on a point edits it.",
        "1-4 set the agreed grade of the highlighted objective (0 clears it); elsewhere 1-7 switch sections.",
        "p promotes the highlighted point to a finding linked to the case, the objective and the agencies; "
        "a co-ordinator's promotion is proposed until a lead accepts it on the board.",
        "Only leads record discussions; everyone can read them.",
        "v opens the audit's evidence: its activities (focus groups, surveys, policy reviews, aggregated data, "
        "bespoke audits, families' voices) and the themes drawn from them at the MATA discussion.",
    ]

    def __init__(self, audit_ref: str, **kwargs: Any) -> None:
        super().__init__(audit_ref, **kwargs)
        self.subject: str | None = None
        self.forms = DiscussionForms(self)
        self.rows: list[Row] = []
        self.subject_ids: list[str] = []
        self.last_objective = ""
        self.pane = 0  # 0 the cases, 1 the record; kept here so fast typing never races focus

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield PickList(id="discussion-subjects", markup=False)
            with Vertical(id="discussion-right"):
                yield Static(id="discussion-head")
                yield PickList(id="discussion-rows", markup=False)

    def on_mount(self) -> None:
        self.refresh_data()

    def on_resize(self) -> None:
        self.show_subject()

    def focus_first(self) -> None:
        self.pane = 0
        self.subjects_list.focus()

    @property
    def subjects_list(self) -> OptionList:
        return self.query_one("#discussion-subjects", OptionList)

    @property
    def rows_list(self) -> OptionList:
        return self.query_one("#discussion-rows", OptionList)

    # ------------------------------------------------------------------ showing

    def audit(self) -> Audit | None:
        try:
            return ctx(self.app).ws.audit(self.audit_ref)
        except WorkspaceError:
            return None

    def returns_for(self, audit: Audit, subject: str) -> dict[str, Return | None]:
        if audit.kind is not Kind.MACA:
            return {}
        ws = ctx(self.app).ws
        return {agency: ws.get_return(audit.ref, subject, agency) for agency in audit.agencies}

    def refresh_data(self, select: str | None = None) -> None:
        audit = self.audit()
        if audit is None:
            return
        ws = ctx(self.app).ws
        self.subject_ids = subjects(ws, audit.ref)
        keep = select or self.subject
        options = []
        for subject in self.subject_ids:
            returns = self.returns_for(audit, subject)
            received = sum(1 for r in returns.values() if r is not None and is_received(r))
            concern = any(r is not None and r.concern.open for r in returns.values())
            stored = ws.get("discussions", f"{audit.ref}/{subject}")
            options.append(Option(subject_label(subject, stored, received, len(returns), concern, audit.kind)))
        listing = self.subjects_list
        listing.clear_options()
        listing.add_options(options)
        if self.subject_ids:
            listing.highlighted = self.subject_ids.index(keep) if keep in self.subject_ids else 0
            self.subject = self.subject_ids[listing.highlighted]
        else:
            self.subject = None
        self.show_subject()

    def reveal(self, key: str, field: str) -> bool:
        """Highlight the discussion ``key`` (``audit/subject``) for the guard's jump."""
        subject = key.partition("/")[2]
        if subject not in self.subject_ids:
            return False
        self.refresh_data(select=subject)
        self.subjects_list.focus()
        return self.subject == subject

    def show_subject(self, select: str | None = None) -> None:
        audit = self.audit()
        head = self.query_one("#discussion-head", Static)
        listing = self.rows_list
        keep = select or self.current_row_id()
        listing.clear_options()
        self.rows = []
        if audit is None:
            return
        if self.subject is None:
            head.update(Text("The cohort is empty: pick cases in section 2 first (v shows any evidence "
                             "activities)." if audit.kind is Kind.MACA
                             else "A thematic audit's evidence is its activities and the themes drawn from them: "
                                  "a adds an activity, v lists them and the themes."))
            return
        ws = ctx(self.app).ws
        discussion = open_discussion(ws, audit.ref, self.subject)
        returns = self.returns_for(audit, self.subject)
        width = listing.scrollable_content_region.width or max(40, self.app.size.width - 36)
        head.update(head_text(audit, self.subject, discussion, returns))
        self.rows = discussion_rows(audit, self.subject, discussion, returns, ws.findings(audit.ref), width)
        for row in self.rows:
            listing.add_option(Option(row.prompt, id=row.id))
            listing.add_option(None)  # a rule between rows keeps multi-line rows apart
        ids = [r.id for r in self.rows]
        listing.highlighted = ids.index(keep) if keep in ids else 0

    def current_row_id(self) -> str | None:
        row = self.current_row()
        return row.id if row else None

    def current_row(self) -> Row | None:
        listing = self.rows_list
        option = listing.highlighted_option if listing.highlighted is not None else None
        if option is None:
            return None
        return next((r for r in self.rows if r.id == option.id), None)

    @on(OptionList.OptionHighlighted, "#discussion-subjects")
    def subject_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        index = event.option_index
        if 0 <= index < len(self.subject_ids) and self.subject_ids[index] != self.subject:
            self.subject = self.subject_ids[index]
            self.show_subject()
        self.refresh_bindings()

    @on(OptionList.OptionHighlighted, "#discussion-rows")
    def row_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        row = self.current_row()
        if row is not None and row.kind == "objective":
            self.last_objective = row.item
        self.refresh_bindings()

    @on(OptionList.OptionSelected, "#discussion-subjects")
    def subject_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_pane(1)

    @on(OptionList.OptionSelected, "#discussion-rows")
    def row_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        row = self.current_row()
        if row is None:
            return
        if row.kind in POINT_LISTS:
            self.edit_point()
        elif row.kind == "record":
            self.action_edit_record()
        elif row.kind == "group":
            self.action_add_point(row.item)
        else:
            tell(self, "Press 1-4 to set the agreed grade of this objective, 0 to clear it.")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "grade":  # otherwise 1-4 switch sections, as everywhere
            row = self.current_row()
            if not (self.pane == 1 and row is not None and row.kind == "objective"):
                return False
        if action == "add_activity":
            audit = self.audit()
            if audit is None or audit.kind is not Kind.MATA:
                return False
        return permitted(self, self.ACTS, action)

    def action_pane(self, index: int) -> None:
        self.pane = index
        (self.rows_list if index else self.subjects_list).focus()
        self.refresh_bindings()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, OptionList):
            self.pane = 1 if event.widget.id == "discussion-rows" else 0
            self.refresh_bindings()

    # ------------------------------------------------------------------ saving

    def allowed(self, act: Act = Act.EDIT_DISCUSSION) -> bool:
        return allowed(self, act, audit=self.audit_ref, key=f"{self.audit_ref}/{self.subject or ''}")

    def discussion(self) -> Discussion | None:
        if self.subject is None:
            tell(self, "There is nothing to discuss yet.")
            return None
        return open_discussion(ctx(self.app).ws, self.audit_ref, self.subject)

    async def save(self, change: Callable[[Discussion], None], summary: str, *, base: Discussion,
                   select: str | None = None) -> None:
        ws = ctx(self.app).ws
        subject = base.subject

        def changed(d: Discussion) -> Discussion:
            edited = copy.deepcopy(d)
            change(edited)
            return edited

        await apply_change(
            self,
            latest=lambda: open_discussion(ws, self.audit_ref, subject),
            change=changed,
            save=lambda d: save_discussion(ws, d, summary=summary),
            base=base,
            done=f"Saved: {summary}.",
        )
        self.refresh_data()
        self.show_subject(select)

    # ------------------------------------------------------------------ keys

    @work(exclusive=True, group="discussion-edit")
    async def action_grade(self, number: int) -> None:
        row = self.current_row()
        base = self.discussion()
        if row is None or row.kind != "objective" or base is None or not self.allowed():
            return
        objective = row.item
        grade = Grade.from_key(str(number))

        def change(d: Discussion) -> None:
            if grade is None:
                d.agreed_grades.pop(objective, None)
            else:
                d.agreed_grades[objective] = grade

        what = f"agreed {grade.label.lower()} for {objective}" if grade else f"cleared the agreed grade for {objective}"
        await self.save(change, f"{what} ({base.subject})", base=base, select=row.id)

    @work(exclusive=True, group="discussion-edit")
    async def action_edit_record(self) -> None:
        base = self.discussion()
        if base is None or not self.allowed():
            return
        values = await self.forms.record(base)
        if values is not None:
            def change(d: Discussion) -> None:
                d.held_on, d.attendees, d.notes = values["held_on"], values["attendees"], values["notes"]

            await self.save(change, f"recorded the discussion of {base.subject}", base=base, select="record")

    @work(exclusive=True, group="discussion-edit")
    async def action_add_point(self, kind: str) -> None:
        base = self.discussion()
        if base is None or not self.allowed():
            return
        text = await self.forms.point(kind, "")
        if text is not None:
            field = POINT_LISTS[kind]
            at = len(getattr(base, field))
            await self.save(lambda d: getattr(d, field).append(text), f"added a point to {base.subject}",
                            base=base, select=f"{kind}:{at}")

    @work(exclusive=True, group="discussion-edit")
    async def edit_point(self) -> None:
        row = self.current_row()
        base = self.discussion()
        if row is None or row.kind not in POINT_LISTS or base is None or not self.allowed():
            return
        field, index = POINT_LISTS[row.kind], int(row.item)
        old = getattr(base, field)[index]
        text = await self.forms.point(row.kind, old)
        if text is not None:
            def change(d: Discussion) -> None:
                points = getattr(d, field)
                points[_index(points, index, old)] = text

            await self.save(change, f"edited a point of {base.subject}", base=base, select=row.id)

    @work(exclusive=True, group="discussion-edit")
    async def action_delete_point(self) -> None:
        row = self.current_row()
        if row is None or row.kind not in POINT_LISTS:
            tell(self, "Highlight a point under Worked well or Worked less well to delete it.")
            return
        base = self.discussion()
        if base is None or not self.allowed():
            return
        field, index = POINT_LISTS[row.kind], int(row.item)
        old = getattr(base, field)[index]
        if not await self.app.push_screen_wait(ConfirmScreen(f"Delete this point? {old[:200]}", "delete")):
            return
        await self.save(lambda d: getattr(d, field).pop(_index(getattr(d, field), index, old)),
                        f"deleted a point of {base.subject}", base=base, select=f"group:{row.kind}")

    @work(exclusive=True, group="discussion-edit")
    async def action_promote(self) -> None:
        row = self.current_row()
        if row is None or row.kind not in POINT_LISTS:
            tell(self, "Highlight a point under Worked well or Worked less well to promote it to a finding.")
            return
        ws = ctx(self.app).ws
        if not ws.can(Act.EDIT_BOARD) and not self.allowed(Act.PROPOSE_FINDING):
            return
        base = self.discussion()
        if base is None:
            return
        point = getattr(base, POINT_LISTS[row.kind])[int(row.item)]
        found = await self.forms.promote(base, row.kind, point, self.last_objective)
        if found is not None:
            self.show_subject(row.id)

    def action_evidence(self) -> None:
        from screens.discussion.evidence import EvidenceScreen

        self.app.push_screen(EvidenceScreen(self.audit_ref))

    def action_add_activity(self) -> None:
        """a (thematic audits): a new evidence activity, in the Evidence screen where it is
        listed, so the report carries it (the old "sessions" added here never reached it)."""
        from screens.discussion.evidence import EvidenceScreen

        if self.allowed():
            self.app.push_screen(EvidenceScreen(self.audit_ref, adding=True))


def _index(points: list[str], index: int, old: str) -> int:
    """Where the point being edited is now, refusing one that someone else changed or removed."""
    if 0 <= index < len(points) and points[index] == old:
        return index
    if old in points:
        return points.index(old)
    raise ValueError("That point was changed or removed by someone else meanwhile; nothing was saved.")
