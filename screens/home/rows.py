"""What home's rows and detail pane show: pure Text building from the programme
(`audit.programme`) and each audit's summary figures (`storage.summary`), so no
audit's own file is read to draw home."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from rich.text import Text

from audit.dates import format_uk
from audit.programme import Group, PlannedAudit, Proposal, overdue_count
from audit.scope import Audit
from audit.text import plain

COLUMNS = ("Ref", "Title", "Kind", "Stage", "Returns", "Milestones", "Actions")
GROUP_TITLES = {Group.PLANNED: "Planned", Group.IN_PROGRESS: "In progress", Group.REPORTED: "Reported",
                Group.CLOSED: "Closed"}


TITLE = COLUMNS.index("Title")
MIN_TITLE = 12


def _title(text: str) -> Text:
    return Text(plain(text), no_wrap=True, overflow="ellipsis")


def widths(rows: list[list[Any]], width: int) -> list[int]:
    """Each column as wide as its widest cell, the title taking the room the others leave
    in ``width`` (DataTable pads each column by 2, and a scroll bar takes 2); the titles
    are cut to it.  Set on every redraw: a refilled table keeps the widths it had."""
    found = [max([len(label)] + [row[i].cell_len for row in rows]) for i, label in enumerate(COLUMNS)]
    room = width - (sum(found) - found[TITLE]) - 2 * len(COLUMNS) - 2
    found[TITLE] = min(found[TITLE], max(MIN_TITLE, room))
    for row in rows:
        row[TITLE].truncate(found[TITLE], overflow="ellipsis")
    return found


def heading_row(year: int | None, group: Group, first: bool) -> list[Any]:
    """A group's heading; the year is named on its first group only."""
    label = GROUP_TITLES[group]  # no count: "In progress" fits the narrowest title column
    shown = (str(year) if year else "no date") if first else ""
    return [Text(shown, style="bold"), Text(label, style="bold"),
            *[Text("") for _ in COLUMNS[2:]]]


def plan_row(plan: PlannedAudit) -> list[Any]:
    return [
        Text(plan.id, style="dim"),
        _title(plan.theme),
        Text(plan.kind.value),
        Text("planned", style="italic"),
        Text("—"),
        Text(plain(plan.when())),
        Text("—"),
    ]


def received(audit: Audit, figures: Mapping[str, Any]) -> tuple[int, int]:
    """Completed returns of the cohort's cases from the agencies taking part, and how
    many are expected (the Returns section's count)."""
    by_agency = figures.get("received_in_cohort") or {}
    got = sum(int(n) for code, n in by_agency.items() if code in audit.agencies)
    return got, int(figures.get("picked", 0) or 0) * len(audit.agencies)


def overdue_milestones(audit: Audit, today: date) -> int:
    return sum(1 for m in audit.milestones if m.overdue(today))


def audit_row(audit: Audit, figures: Mapping[str, Any], proposal: Proposal | None, today: date) -> list[Any]:
    got, expected = received(audit, figures)
    stage = Text(audit.stage.label)
    if proposal is not None:
        stage.append(" ▸", style="bold yellow")  # maca proposes a stage: the detail says which
    late = overdue_milestones(audit, today)
    milestone = audit.next_milestone()
    if late:
        milestones = Text(f"✗ {late} overdue", style="bold red")
    elif milestone is not None and milestone.due is not None:
        milestones = Text(f"· {format_uk(milestone.due)}")
    else:
        milestones = Text("—")
    return [
        Text(audit.ref, style="bold"),
        _title(audit.title),
        Text(audit.kind.value),
        stage,
        Text(f"{got}/{expected}"),
        milestones,
        actions_cell(figures, today),
    ]


def actions_cell(figures: Mapping[str, Any], today: date) -> Text:
    total = int(figures.get("actions", 0) or 0)
    if not total:
        return Text("—")
    open_ = int(figures.get("open_actions", 0) or 0)
    if not open_:
        return Text(f"✓ {total} done", style="green")
    late = overdue_count(list(figures.get("open_action_dues") or []), today)
    text = Text(f"{open_} open")
    if late:
        text.append(f", {late} ✗", style="bold red")
    return text


def plan_detail(plan: PlannedAudit, lead: bool) -> Text:
    text = Text()
    text.append(f"Planned {plan.id}: ", style="bold")
    text.append(plain(plan.theme) + "\n")
    text.append(f"{plan.kind.value} · {plain(plan.when())} · lead: {plain(plan.lead) or 'not named yet'}")
    if lead:
        text.append(" — n starts it from its scope file; e edits, d deletes the plan.", style="dim")
    else:
        text.append(" — not scoped yet.", style="dim")
    return text


def audit_detail(audit: Audit, figures: Mapping[str, Any], proposal: Proposal | None, today: date,
                 lead: bool) -> Text:
    """The highlighted audit's full title, what is late, and the stage maca proposes."""
    text = Text()
    text.append(f"{audit.ref}: ", style="bold")
    text.append(plain(audit.title) + "\n")
    picked = int(figures.get("picked", 0) or 0)
    text.append(f"Cohort {picked}/{audit.cohort_target}")
    if picked > audit.cohort_target:
        text.append(" ▲ over", style="bold yellow")
    text.append(" · ")
    milestone = audit.next_milestone()
    if milestone is None:
        text.append("No milestone pending.")
    else:
        text.append(f"Next milestone: {plain(milestone.name)}, due {format_uk(milestone.due)}")
        if milestone.overdue(today):
            days = (today - milestone.due).days if milestone.due else 0
            text.append(f" — ✗ overdue by {days} day{'s' if days != 1 else ''}", style="bold red")
        late = overdue_milestones(audit, today)
        if late > 1:
            text.append(f" ({late} milestones overdue)", style="bold red")
    total = int(figures.get("actions", 0) or 0)
    if total:
        open_ = int(figures.get("open_actions", 0) or 0)
        late = overdue_count(list(figures.get("open_action_dues") or []), today)
        text.append(f"\nActions: {open_} of {total} open")
        if late:
            text.append(f", {late} overdue", style="bold red")
        text.append(" (a: the partnership's tracker)", style="dim")
    if proposal is not None:
        text.append("\n▸ ", style="bold yellow")
        text.append(f"maca proposes the stage {proposal.stage.label}: {proposal.because}.")
        text.append(" Press s to confirm it." if lead else " A lead confirms it.", style="bold" if lead else "dim")
    return text
