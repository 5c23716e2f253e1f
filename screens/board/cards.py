"""What the findings board shows: cards, the board's filters, RAG and re-test marks.

Pure `rich.text.Text` building, apart from the section's keys.  User text is always
appended as plain text, never parsed as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text

from audit.dates import format_uk
from audit.findings import Action, Column, Embedded, Finding, Rag, rag
from audit.scope import Audit, Kind
from audit.text import plain

RAG_STYLE = {Rag.RED: "bold red", Rag.AMBER: "bold yellow", Rag.GREEN: "green", Rag.COMPLETE: "cyan"}
VERDICT_MARK = {
    Embedded.EMBEDDED: ("✓", "green"),
    Embedded.PARTLY: ("◐", "yellow"),
    Embedded.NOT_EMBEDDED: ("✗", "bold red"),
}
COLUMNS = list(Column)


def rag_text(action: Action, today: date) -> Text:
    """The RAG cell: symbol and word, so it never relies on colour alone."""
    state = rag(action, today)
    return Text(f"{state.symbol} {state.label}", style=RAG_STYLE[state])


def verdict_text(verdict: Embedded | None) -> Text:
    if verdict is None:
        return Text("? not judged yet", style="dim")
    mark, style = VERDICT_MARK[verdict]
    return Text(f"{mark} {verdict.value}", style=style)


def evidence_count(f: Finding, kind: Kind) -> str:
    if kind is Kind.MATA:
        return plain(f.source) or "no session"
    n = len(f.cases)
    return f"{n} case{'s' if n != 1 else ''}"


@dataclass
class Filters:
    text: str = ""
    objective: str | None = None
    agency: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.text.strip() or self.objective or self.agency)

    def matches(self, f: Finding, audit: Audit) -> bool:
        if self.objective and f.objective != self.objective:
            return False
        if self.agency and self.agency not in f.agencies:
            return False
        needle = self.text.strip().casefold()
        if not needle:
            return True
        objective = audit.objective(f.objective)
        hay = " ".join([f.id, f.title, f.text, f.objective, objective.title if objective else "",
                        *f.agencies, *f.cases, f.source]).casefold()
        return all(word in hay for word in needle.split())

    def describe(self, audit: Audit) -> Text:
        text = Text("Filter: ", style="bold")
        parts: list[str] = []
        if self.text.strip():
            parts.append(f"“{plain(self.text)}”")
        if self.objective:
            objective = audit.objective(self.objective)
            parts.append("objective " + (objective.title if objective else self.objective))
        if self.agency:
            parts.append("agency " + self.agency)
        text.append(" · ".join(parts))
        text.append("   esc clears", style="dim")
        return text


def outside_cohort(f: Finding, audit: Audit, cohort: set[str] | None) -> list[str]:
    """The cases `f` cites that are no longer in the cohort (MACA only; None: not known)."""
    if cohort is None or audit.kind is not Kind.MACA:
        return []
    return [c for c in f.cases if c not in cohort]


def card_text(f: Finding, audit: Audit, actions: list[Action], earlier: Finding | None, today: date,
              cohort: set[str] | None = None) -> Text:
    """One card: id and title, objective · evidence · agencies, then its marks."""
    text = Text()
    text.append(f"{f.id} ", style="dim")
    text.append(plain(f.title), style="bold")
    objective = audit.objective(f.objective)
    text.append("\n")
    text.append(plain(objective.title) if objective else "no objective", style="italic")
    text.append(f" · {evidence_count(f, audit.kind)} · ")
    text.append(", ".join(f.agencies) or "no agency")
    outside = outside_cohort(f, audit, cohort)
    if outside:
        text.append(f"\n⚠ {', '.join(outside)} not in the cohort", style="bold yellow")
    if f.proposed:
        text.append(f"\n◇ proposed by {f.created_by or 'a co-ordinator'}; y accepts", style="bold yellow")
    if f.retest is not None:
        text.append(f"\n↻ re-tests {f.retest.audit} {f.retest.finding_id}", style="bold")
        if earlier is not None:
            text.append(" " + _short(earlier.title, 40))
        else:
            text.append(" (no longer there)", style="dim")
        text.append(": ")
        text.append_text(verdict_text(f.retest.verdict))
    if f.column is Column.RECOMMENDATION:
        text.append("\n")
        if not actions:
            text.append("no SMART action yet; A adds one", style="dim")
        else:
            states = [rag(a, today) for a in actions]
            text.append(f"{len(actions)} action{'s' if len(actions) != 1 else ''}")
            for state in (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE):
                n = states.count(state)
                if n:
                    text.append(" · ")
                    text.append(f"{state.symbol} {n} {state.label}", style=RAG_STYLE[state])
    return text


def _short(value: str, limit: int) -> str:
    line = plain(value)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def status_text(findings: list[Finding], actions: list[Action], today: date, outside: int = 0) -> Text:
    """The line above the board: counts per column, proposals, actions, re-tests."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{len(findings)} findings", style="bold")
    if outside:
        text.append(f" · ⚠ {outside} cite{'s' if outside == 1 else ''} a case not in the cohort", style="bold yellow")
    proposed = sum(1 for f in findings if f.proposed)
    if proposed:
        text.append(f" · ◇ {proposed} proposed", style="yellow")
    states = [rag(a, today) for a in actions]
    text.append(f" · {len(actions)} actions")
    red = states.count(Rag.RED)
    if red:
        text.append(f" ({Rag.RED.symbol} {red} overdue)", style=RAG_STYLE[Rag.RED])
    retested = [f.retest for f in findings if f.retest is not None]
    if retested:
        text.append(f" · earlier learning re-tested: {len(retested)}")
        for verdict, (mark, style) in VERDICT_MARK.items():
            n = sum(1 for r in retested if r.verdict is verdict)
            if n:
                text.append(f" {mark}{n}", style=style)
    return text


def details_text(f: Finding, audit: Audit, actions: list[Action], earlier: Finding | None, today: date,
                 cohort: set[str] | None = None) -> Text:
    """Everything about a card, for enter."""
    text = Text()

    def line(label: str, value: str) -> None:
        text.append(f"{label}: ", style="bold")
        text.append(value + "\n")

    objective = audit.objective(f.objective)
    line("Column", f.column.label)
    line("Objective", objective.title if objective else "none")
    line("State", "proposed, waiting for a lead" if f.proposed else "on the board")
    line("Cases" if audit.kind is Kind.MACA else "Sessions", ", ".join(f.cases) or "none")
    outside = outside_cohort(f, audit, cohort)
    if outside:
        text.append(f"⚠ Not in the cohort any more: {', '.join(outside)}. Edit the card (e) to review "
                    "its evidence.\n", style="bold yellow")
    line("Agencies", ", ".join(f.agencies) or "none")
    line("Source", f.source or "added on the board")
    line("Added", f"by {f.created_by or '?'} on {format_uk(f.created_at.date()) if f.created_at else '?'}")
    text.append("\n")
    text.append(f.text or "(no text)")
    text.append("\n")
    if f.retest is not None:
        text.append(f"\nRe-test of {f.retest.audit} {f.retest.finding_id}\n", style="bold underline")
        text.append(earlier.title if earlier else "(that finding is no longer there)")
        text.append("\nVerdict: ", style="bold")
        text.append_text(verdict_text(f.retest.verdict))
        text.append("\nEvidence: ", style="bold")
        text.append((f.retest.evidence or "none recorded") + "\n")
    if actions:
        text.append("\nSMART actions\n", style="bold underline")
        for a in actions:
            text.append_text(rag_text(a, today))
            text.append(f"  {a.id} · {a.owner} · due {format_uk(a.due, 'not set')} · {a.status.value}\n   ")
            text.append(plain(a.description) + "\n")
    return text
