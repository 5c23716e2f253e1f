"""Evidence (`v` in Discussion): an audit's evidence activities and the themes the MATA
discussion draws from them (issue 20 item 1).

Left, the activities (E1, E2 ...) then the themes (T1 ...); right, the highlighted one
in full.  Leads add an activity (`a`) or a theme (`t`), edit (`e` or enter) and delete
(`d`, after a yes); `f` turns an agreed theme into a finding on the board.  Everyone
else reads.  Participants are typed one group a line as ``6 health visitor (HV)``:
a count, a role and an agency code, never a name.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from audit.access import Act
from audit.activities import Activity, ActivityKind, Evidence, Figure, Participant, Theme
from audit.dates import format_uk
from audit.findings import Column
from audit.text import plain
from screens.access import Acts, allowed, permitted
from screens.context import WorkspaceChanged, ctx
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import FormField, FormScreen
from screens.saving import apply_change, tell
from screens.widgets.identity import IdentityBar
from screens.widgets.lists import PickList
from storage.errors import WorkspaceError
from storage.evidence import delete_activity, delete_theme, save_activity, save_theme, theme_to_finding

_PEOPLE = re.compile(r"^(?:(\d+)\s*[x×]?\s+)?(.*?)\s*(?:\(([A-Za-z0-9]{1,10})\))?$")
_BECOMES_TEXT = {Column.DEVELOPMENT: "an area for development", Column.STRENGTH: "a strength",
                 Column.RECOMMENDATION: "a recommendation"}
_BECOMES = [("Area for development", Column.DEVELOPMENT.value), ("Strength", Column.STRENGTH.value),
            ("Recommendation", Column.RECOMMENDATION.value)]


def parse_people(text: str, codes: list[str]) -> list[Participant]:
    """``6 health visitor (HV)`` a line; raises ValueError naming the line at fault."""
    upper = {c.upper(): c for c in codes}
    found = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = " ".join(raw.split())
        if not line:
            continue
        m = _PEOPLE.match(line)
        count, role, code = (m[1], m[2], m[3]) if m else (None, line, None)
        if code and code.upper() not in upper:
            raise ValueError(f"Participants, line {n}: there is no agency {code}; use a code such as "
                             f"{', '.join(codes[:3])}.")
        if not role:
            raise ValueError(f"Participants, line {n}: give a role, such as 'social worker' (never a name).")
        found.append(Participant(role, upper[code.upper()] if code else "", int(count) if count else 1))
    return found


def people_text(people: list[Participant]) -> str:
    return "\n".join(f"{p.count} {p.role}" + (f" ({p.agency})" if p.agency else "") for p in people)


def parse_figures(text: str) -> list[Figure]:
    """``label: value`` a line."""
    found = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        label, sep, value = line.rpartition(":")
        if not sep or not label.strip() or not value.strip():
            raise ValueError(f"Figures, line {n}: write it as 'what was counted: the figure'.")
        found.append(Figure(label.strip(), value.strip()))
    return found


def activity_fields(a: Activity, objectives: list[tuple[str, str]]) -> list[FormField]:
    return [
        FormField("kind", "Kind", "select", a.kind.value, [(k.label, k.value) for k in ActivityKind], required=True),
        FormField("title", "Title", value=a.title, required=True, max_length=200),
        FormField("held_on", "Date", "date", a.held_on),
        FormField("participants", "Participants: one group a line, '6 health visitor (HV)'", "textarea",
                  people_text(a.participants), hint="A count, a role and an agency code; never a name."),
        FormField("objectives", "Objectives covered", "multi", list(a.objectives), objectives),
        FormField("key_points", "Key points, one a line", "textarea", "\n".join(a.key_points)),
        FormField("document", "Document reviewed (policy and procedure review)", value=a.document, max_length=200),
        FormField("version", "Its version", value=a.version, max_length=120),
        FormField("reviewer", "Reviewed by (role and agency, not a name)", value=a.reviewer, max_length=120),
        FormField("figures", "Figures, one a line, 'what was counted: figure' (aggregated data)", "textarea",
                  "\n".join(f"{f.label}: {f.value}" for f in a.figures)),
        FormField("source", "Source of the figures", value=a.source, max_length=200),
        FormField("uses_cohort", "A bespoke audit using the audit tool over the cohort", "select",
                  "yes" if a.uses_cohort else "no", [("No", "no"), ("Yes", "yes")], required=True),
    ]


def theme_fields(t: Theme, activities: list[Activity]) -> list[FormField]:
    options = []
    for a in activities:
        options.append((f"{a.id} {plain(a.title)}"[:70], a.id))
        options += [(f"  {a.id}.{n} {plain(p)}"[:70], f"{a.id}.{n}") for n, p in enumerate(a.key_points, start=1)]
    chosen = [f"{e.activity}.{e.point}" if e.point else e.activity for e in t.evidence]
    return [
        FormField("title", "Theme", value=t.title, required=True, max_length=200),
        FormField("text", "What the discussion concluded", "textarea", t.text),
        FormField("evidence", "Evidence: the activities and key points it rests on", "multi", chosen, options),
        FormField("agreed_on", "Agreed at the MATA discussion on", "date", t.agreed_on),
        FormField("becomes", "Becomes", "select", t.column.value, _BECOMES, required=True),
    ]


def _evidence(chosen: list[str]) -> list[Evidence]:
    found = []
    for item in chosen:
        head, _, point = item.partition(".")
        found.append(Evidence(head, int(point) if point.isdigit() else 0))
    return found


def describe(record: Activity | Theme, activities: dict[str, Activity], names: dict[str, str]) -> Text:
    """The whole record, as text (never markup)."""
    out = Text()
    if isinstance(record, Activity):
        a = record
        out.append(f"{a.id}. {plain(a.title)}\n", style="bold")
        out.append(f"{a.kind.label}, {format_uk(a.held_on, 'date not recorded')}\n\n")
        if a.participants:
            out.append("Taking part\n", style="bold")
            for p in a.participants:
                out.append(f"  {p.count} × {plain(p.role)}" + (f", {names.get(p.agency, p.agency)}" if p.agency else "")
                           + "\n")
        if a.objectives:
            out.append(f"Objectives: {', '.join(a.objectives)}\n")
        if a.document:
            out.append(f"Document: {plain(a.document)}" + (f", version {plain(a.version)}" if a.version else "")
                       + (f"; reviewed by {plain(a.reviewer)}" if a.reviewer else "") + "\n")
        for f in a.figures:
            out.append(f"  {plain(f.label)}: {plain(f.value)}\n")
        if a.source:
            out.append(f"Source: {plain(a.source)}\n")
        if a.uses_cohort:
            out.append("The audit tool over the audit's cohort.\n")
        if a.key_points:
            out.append("\nKey points\n", style="bold")
            for n, point in enumerate(a.key_points, start=1):
                out.append(f"  {n}. {plain(point)}\n")
        return out
    t = record
    out.append(f"{t.id}. {plain(t.title)}\n", style="bold")
    out.append(f"Agreed on {format_uk(t.agreed_on)}" if t.agreed_on else "Not yet agreed", style="green" if t.agreed_on
               else "yellow")
    out.append(f" · becomes {_BECOMES_TEXT[t.column]}" + (f" · finding {t.finding_id}" if t.finding_id else "") + "\n\n")
    if t.text:
        out.append(t.text.strip() + "\n\n")
    out.append("Evidence\n", style="bold")
    for e in t.evidence:
        cited = activities.get(e.activity)
        if cited is None:
            continue
        point = cited.key_points[e.point - 1] if e.point and e.point <= len(cited.key_points) else ""
        out.append(f"  {e.activity}" + (f".{e.point} {plain(point)}" if point else f" {plain(cited.title)}") + "\n")
    if not t.evidence:
        out.append("  none linked yet\n", style="dim")
    return out


class EvidenceScreen(Screen[None]):
    CSS_PATH = "discussion.tcss"
    BINDINGS = [
        Binding("a", "add_activity", "Add activity", id="evidence.add-activity"),
        Binding("t", "add_theme", "Add theme", id="evidence.add-theme"),
        Binding("e", "edit", "Edit", id="evidence.edit"),
        Binding("d", "delete", "Delete", id="evidence.delete"),
        Binding("f", "finding", "Theme to finding", id="evidence.to-finding"),
        Binding("escape", "back", "Back", id="evidence.back"),
    ]
    ACTS: Acts = {"add_activity": Act.EDIT_DISCUSSION, "add_theme": Act.EDIT_DISCUSSION, "edit": Act.EDIT_DISCUSSION,
                  "delete": Act.EDIT_DISCUSSION, "finding": Act.EDIT_BOARD}

    def __init__(self, audit_ref: str, *, adding: bool = False) -> None:
        super().__init__()
        self.audit_ref = audit_ref
        self.adding = adding  # opened by a in Discussion: start with a new activity's form
        self.records: list[Activity | Theme] = []

    def compose(self) -> ComposeResult:
        yield IdentityBar()
        yield Static(id="evidence-status")
        with Horizontal():
            yield PickList(id="evidence-list")
            with VerticalScroll(id="evidence-detail"):
                yield Static(id="evidence-detail-text")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Evidence"
        ws = ctx(self.app).ws
        who = ws.user.describe() if ws.user else ws.login
        self.query_one(IdentityBar).show(f"{ws.partnership().name} · {self.audit_ref} · evidence", who)
        self.reload()
        self.query_one(OptionList).focus()
        if self.adding:
            self.call_after_refresh(self.action_add_activity)

    def on_workspace_changed(self, _: WorkspaceChanged) -> None:
        self.reload()

    def reload(self) -> None:
        ws = ctx(self.app).ws
        try:
            activities, themes = ws.activities(self.audit_ref), ws.themes(self.audit_ref)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        self.records = [*activities, *themes]
        options = self.query_one(OptionList)
        keep = options.highlighted
        options.clear_options()
        for r in self.records:
            if isinstance(r, Activity):
                label = Text(f"{r.id} ", style="bold")
                label.append(f"{r.kind.value}: ", style="dim")
            else:
                label = Text(f"{r.id} ", style="bold")
                label.append("✓ " if r.agreed_on else "◦ ", style="green" if r.agreed_on else "dim")
            label.append(plain(r.title))
            options.add_option(Option(label))
        if self.records:
            options.highlighted = min(keep or 0, len(self.records) - 1)
        status = Text(f"{len(activities)} activities · {len(themes)} themes"
                      f" ({sum(1 for t in themes if t.agreed_on)} agreed)")
        status.append("  a activity · t theme · e edit · d delete · f theme to finding", style="dim")
        self.query_one("#evidence-status", Static).update(status)
        self.show_detail()

    @property
    def current(self) -> Activity | Theme | None:
        index = self.query_one(OptionList).highlighted
        return self.records[index] if index is not None and 0 <= index < len(self.records) else None

    def show_detail(self) -> None:
        record = self.current
        ws = ctx(self.app).ws
        names = {a.code: a.name for a in ws.partnership().agencies}
        activities = {r.id: r for r in self.records if isinstance(r, Activity)}
        body = describe(record, activities, names) if record is not None else Text(
            "No evidence recorded yet. a adds an activity (a focus group, a survey, a policy review, "
            "aggregated data, a bespoke audit or a family's voice); t adds a theme drawn from them.")
        self.query_one("#evidence-detail-text", Static).update(body)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.show_detail()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_edit()

    def action_back(self) -> None:
        self.dismiss()

    # ------------------------------------------------------------------ editing

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return permitted(self, self.ACTS, action)

    def _allowed(self, act: Act = Act.EDIT_DISCUSSION) -> bool:
        return allowed(self, act, audit=self.audit_ref, key=self.audit_ref)

    def _objectives(self) -> list[tuple[str, str]]:
        audit = ctx(self.app).ws.audit(self.audit_ref)
        return [(f"{n}. {plain(o.title)}"[:70], o.id) for n, o in enumerate(audit.objectives, start=1)]

    def action_add_activity(self) -> None:
        if self._allowed():
            self.edit_activity(Activity(audit=self.audit_ref, id="E0"))

    def action_add_theme(self) -> None:
        if self._allowed():
            self.edit_theme(Theme(audit=self.audit_ref, id="T0"))

    def action_edit(self) -> None:
        record = self.current
        if record is None or not self._allowed():
            return
        if isinstance(record, Activity):
            self.edit_activity(record)
        elif isinstance(record, Theme):
            self.edit_theme(record)

    @work(exclusive=True, group="evidence-edit")
    async def edit_activity(self, base: Activity) -> None:
        ws = ctx(self.app).ws
        codes = ws.partnership().agency_codes()

        def check(values: dict[str, Any]) -> list[str]:
            problems = []
            for parse in (lambda: parse_people(values["participants"], codes),
                          lambda: parse_figures(values["figures"])):
                try:
                    parse()
                except ValueError as exc:
                    problems.append(str(exc))
            return problems

        title = "A new evidence activity" if base.rev == 0 else f"Activity {base.id}"
        values = await self.app.push_screen_wait(FormScreen(title, activity_fields(base, self._objectives()),
                                                            validate=check))
        if values is None:
            return

        def change(current: Activity) -> Activity:
            return dataclasses.replace(
                current, kind=ActivityKind(values["kind"]), title=values["title"], held_on=values["held_on"],
                participants=parse_people(values["participants"], codes), objectives=list(values["objectives"]),
                key_points=[p.strip() for p in values["key_points"].splitlines() if p.strip()],
                document=values["document"], version=values["version"], reviewer=values["reviewer"],
                figures=parse_figures(values["figures"]), source=values["source"],
                uses_cohort=values["uses_cohort"] == "yes")

        if base.rev == 0:
            try:
                saved = save_activity(ws, change(base))
            except WorkspaceError as exc:
                tell(self, str(exc), error=True)
                return
            tell(self, f"Recorded {saved.kind.value} {saved.id}.")
        else:
            await apply_change(self, latest=lambda: ws.get("activities", base.key), change=change,
                               save=lambda edited: save_activity(ws, edited), base=base,
                               done=f"Saved activity {base.id}.")
        self.reload()

    @work(exclusive=True, group="evidence-edit")
    async def edit_theme(self, base: Theme) -> None:
        ws = ctx(self.app).ws
        activities = ws.activities(self.audit_ref)
        title = "A new theme" if base.rev == 0 else f"Theme {base.id}"
        values = await self.app.push_screen_wait(FormScreen(title, theme_fields(base, activities)))
        if values is None:
            return

        def change(current: Theme) -> Theme:
            return dataclasses.replace(current, title=values["title"], text=values["text"],
                                       evidence=_evidence(values["evidence"]), agreed_on=values["agreed_on"],
                                       column=Column(values["becomes"]))

        if base.rev == 0:
            try:
                saved = save_theme(ws, change(base))
            except WorkspaceError as exc:
                tell(self, str(exc), error=True)
                return
            tell(self, f"Recorded theme {saved.id}.")
        else:
            await apply_change(self, latest=lambda: ws.get("themes", base.key), change=change,
                               save=lambda edited: save_theme(ws, edited), base=base, done=f"Saved theme {base.id}.")
        self.reload()

    @work(exclusive=True, group="evidence-edit")
    async def action_delete(self) -> None:
        record = self.current
        if record is None or not self._allowed():
            return
        ws = ctx(self.app).ws
        what = f"activity {record.id}" if isinstance(record, Activity) else f"theme {record.id}"
        if not await self.app.push_screen_wait(ConfirmScreen(f"Delete {what}? This is journaled.", "delete")):
            return
        try:
            delete_activity(ws, record) if isinstance(record, Activity) else delete_theme(ws, record)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        tell(self, f"Deleted {what}.")
        self.reload()

    def action_finding(self) -> None:
        record = self.current
        if not isinstance(record, Theme):
            tell(self, "Pick a theme: an agreed theme becomes a finding on the board.", error=True)
            return
        try:
            saved = theme_to_finding(ctx(self.app).ws, record)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        tell(self, f"Theme {saved.id} is now finding {saved.finding_id} on the board.")
        self.reload()
