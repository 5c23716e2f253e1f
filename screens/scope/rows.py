"""The Scope section's rows: what each scope field looks like in the list and in detail.

Kept apart from the section's keys and saving so that each half stays readable.  All
text is built as `rich.text.Text`, so whatever a lead typed is shown exactly as typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text

from audit.criteria import PARTICIPATING, Criterion
from audit.dates import format_uk
from audit.partnership import Partnership
from audit.scope import Audit
from audit.text import plain

GROUPS = {
    "purpose": "Purpose",
    "objective": "Objectives",
    "criterion": "Cohort criteria",
    "milestone": "Milestones",
}


@dataclass(frozen=True)
class Row:
    id: str  # "title", "objective:curiosity", "group:objective" ...
    label: Text
    detail: Text

    @property
    def kind(self) -> str:
        return self.id.split(":", 1)[0]

    @property
    def group(self) -> str | None:
        """The list this row belongs to (purpose, objective, criterion, milestone), if any."""
        head, _, rest = self.id.partition(":")
        if head == "group":
            return rest
        return head if head in GROUPS else None

    @property
    def item(self) -> str:
        return self.id.split(":", 1)[1] if ":" in self.id else ""


def _field(name: str, value: str, *, empty: str = "—") -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{name}: ", style="bold")
    text.append(plain(value) or empty)
    return text


def _detail(title: str, *parts: str | Text) -> Text:
    text = Text()
    text.append(title + "\n\n", style="bold underline")
    for part in parts:
        text.append(part if isinstance(part, Text) else Text(part))
        text.append("\n")
    return text


def describe_criterion(criterion: Criterion) -> str:
    if criterion.kind == "engaged_with":
        who = "the participating agencies" if criterion.agencies is None else ", ".join(criterion.agencies)
        return f"engaged with {who} during the lookback period"
    joiner = " and " if criterion.kind == "all" else " or "
    words = [p.replace("_", " ") for p in criterion.predicates]
    return ("all of: " if criterion.kind == "all" else "any of: ") + joiner.join(words)


def scope_rows(audit: Audit, partnership: Partnership, today: date, retest: list[str] | None = None) -> list[Row]:
    """Every row of the Scope list, in the order of a scope document; ``retest`` lists the
    findings of earlier audits on the same objectives (issue 19 item 6)."""
    rows: list[Row] = []
    add = rows.append
    add(Row("title", _field("Title", audit.title), _detail("Title", audit.title)))
    add(Row("kind", _field("Kind", f"{audit.kind.value} ({audit.kind.label})"),
            _detail("Kind", f"{audit.kind.value}: {audit.kind.label}.")))
    due = audit.rapid_review_due
    linked = audit.linked_review or "none"
    if audit.notification_date:
        linked += f" · notified {format_uk(audit.notification_date)}"
    add(Row("linked", _field("Linked review", linked), _detail(
        "Linked review",
        f"Review: {audit.linked_review or 'none'}",
        f"Notified to the national panel: {format_uk(audit.notification_date, 'not recorded')}",
        f"Rapid review due: {format_uk(due)} (15 working days after notification, England bank holidays counted)"
        if due else "Rapid review due: set a notification date to work it out (15 working days).",
    )))
    add(Row("stage", _field("Stage", audit.stage.label), _detail("Stage", f"The audit is at: {audit.stage.label}.")))
    add(Row("background", _field("Background", audit.background), _detail("Background", audit.background or "—")))

    add(Row("group:purpose", Text(f"▾ Purpose ({len(audit.purpose)})", style="bold"),
            _detail("Purpose", "a adds a purpose; J/K move the highlighted one down/up.")))
    for i, purpose in enumerate(audit.purpose):
        add(Row(f"purpose:{i}", _field(f"  {i + 1}", purpose), _detail(f"Purpose {i + 1}", purpose)))

    add(Row("group:objective", Text(f"▾ Objectives ({len(audit.objectives)})", style="bold"),
            _detail("Objectives", "Each objective is a theme the audit tests; audit tools have a section per objective.",
                    "a adds an objective; J/K reorder; d removes.")))
    for i, objective in enumerate(audit.objectives, start=1):
        add(Row(f"objective:{objective.id}", _field(f"  {i} {objective.id}", objective.title),
                _detail(f"Objective {i}: {objective.title}", f"Id: {objective.id}", "", objective.text or "—")))

    if retest is not None:
        add(Row("retest", _field("  Re-test", f"{len(retest)} finding(s) of earlier audits" if retest else "none"),
                _detail("Learning of earlier audits to re-test",
                        "Areas for development and recommendations of earlier audits on these objectives "
                        "(the same id or title). Link one to a finding on the Findings board (5) with r to "
                        "record whether its learning is embedded; the report compares the grades too.", "",
                        *([f"• {line}" for line in retest] or ["No earlier audit in this workspace tested these "
                                                                 "objectives."]))))
    add(Row("group:criterion", Text(f"▾ Cohort criteria ({len(audit.criteria)})", style="bold"),
            _detail("Cohort criteria", "A case is eligible when every criterion is met.", "a adds a criterion.")))
    for criterion in audit.criteria:
        add(Row(f"criterion:{criterion.id}", _field(f"  {criterion.id}", criterion.label),
                _detail(f"Criterion: {criterion.label}", f"Id: {criterion.id}", describe_criterion(criterion))))

    lookback = f"{format_uk(audit.lookback_start, '?')} – {format_uk(audit.lookback_end, '?')}"
    add(Row("lookback", _field("Lookback", lookback), _detail("Lookback period", lookback,
            "Engagement must overlap this period (both ends included).")))
    add(Row("target", _field("Cohort target", str(audit.cohort_target)),
            _detail("Cohort target", f"{audit.cohort_target} cases.")))
    names = [f"{code} {partnership.agency_name(code)}" for code in audit.agencies]
    add(Row("agencies", _field("Agencies", ", ".join(audit.agencies)),
            _detail(f"Participating agencies ({len(audit.agencies)})", "\n".join(names) or "none")))

    add(Row("group:milestone", Text(f"▾ Milestones ({len(audit.milestones)})", style="bold"),
            _detail("Milestones", "a adds a milestone; e edits its date or marks it done.")))
    for i, milestone in enumerate(audit.milestones):
        if milestone.done:
            state, style = "✓ done", "green"
        elif milestone.overdue(today):
            state, style = "✗ overdue", "bold red"
        else:
            state, style = "· due", ""
        label = Text(no_wrap=True, overflow="ellipsis")
        label.append(f"  {format_uk(milestone.due, '?')} ")
        label.append(state, style=style)
        label.append(" " + plain(milestone.name))
        add(Row(f"milestone:{i}", label, _detail(
            f"Milestone: {milestone.name}", f"Due: {format_uk(milestone.due, 'not set')}", f"State: {state}")))
    return rows


def criterion_agencies_choice(criterion: Criterion | None) -> str:
    if criterion is None or criterion.agencies is None:
        return PARTICIPATING
    return "listed"
