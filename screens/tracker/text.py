"""What the tracker shows of one action: its whole history, as plain `Text` (user text is
never parsed as markup)."""

from __future__ import annotations

from rich.text import Text

from audit.dates import format_uk
from audit.partnership import Partnership
from audit.tracker import KIND_WORD, TrackerRow, status_text


def history_text(partnership: Partnership, row: TrackerRow) -> Text:
    a = row.action
    text = Text()
    text.append(f"{a.audit} · recommendation {a.finding_id} · {partnership.agency_name(a.owner)} ({a.owner})\n",
                style="bold")
    if row.audit_title:
        text.append(row.audit_title + "\n", style="italic")
    text.append(f"Due {format_uk(a.due, 'not set')} · {status_text(a)} · {row.rag.symbol} {row.rag.label}\n\n")
    text.append(a.description + "\n")
    if a.progress_note:
        text.append("\nProgress note from the action plan: ", style="bold")
        text.append(a.progress_note + "\n")
    if not a.updates:
        text.append("\nNo progress recorded on the tracker yet.", style="italic")
    for u in a.updates:
        when = format_uk(u.on or u.at.date())
        text.append(f"\n{KIND_WORD.get(u.kind, u.kind.value)}, {when}", style="bold")
        text.append(f" (recorded by {u.by} on {format_uk(u.at.date())} {u.at:%H:%M})\n", style="dim")
        for label, value in (("", u.note), ("Evidence: ", u.evidence), ("Impact: ", u.impact)):
            if value:
                if label:
                    text.append(label, style="italic")
                text.append(value + "\n")
    return text
