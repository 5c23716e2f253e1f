"""Report section, `w`: the lead writes the report's own words (issue 20 item 3).

One form holds the overall summary, a narrative for each objective (in scope order) and
the conclusions; each is a long-text field.  Saving goes through
:func:`screens.saving.apply_change`, so another lead's save of the same words is shown
side by side rather than overwritten.  The report rebuilds from the saved file at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from audit.access import Act
from audit.narrative import MAX_NARRATIVE, ReportText
from screens.access import allowed
from screens.context import ctx
from screens.dialogs.form import FormField, FormScreen
from screens.saving import apply_change, tell
from screens.audit.sections import Section
from storage.errors import WorkspaceError
from storage.narrative import report_text, save_report_text


def _fields(text: ReportText, objectives: list[tuple[str, str]]) -> list[FormField]:
    fields = [FormField("summary", "Overall summary (first under Summary)", "textarea", text.summary,
                        max_length=MAX_NARRATIVE,
                        hint="What the audit found, in a few paragraphs; a blank line starts a new paragraph.")]
    for n, (oid, title) in enumerate(objectives, start=1):
        fields.append(FormField(f"narrative_{oid}", f"{n}. {title}: the lead's narrative", "textarea",
                                text.narrative(oid), max_length=MAX_NARRATIVE))
    fields.append(FormField("conclusions", "Conclusions", "textarea", text.conclusions, max_length=MAX_NARRATIVE,
                            hint="What the partnership can and cannot be confident of, before the recommendations."))
    return fields


def _apply(values: dict[str, Any]) -> Callable[[ReportText], ReportText]:
    def change(current: ReportText) -> ReportText:
        objectives = dict(current.objectives)
        for name, value in values.items():
            if name.startswith("narrative_"):
                objectives[name.removeprefix("narrative_")] = value
        return dataclasses.replace(current, summary=values["summary"], conclusions=values["conclusions"],
                                   objectives={k: v for k, v in objectives.items() if v.strip()})
    return change


async def write_words(section: Section) -> bool:
    """Ask for the lead's words and save them; True when something was saved."""
    c = ctx(section.app)
    ws, ref = c.ws, section.audit_ref
    if not allowed(section, Act.WRITE_REPORT, audit=ref, key=ref):
        return False
    try:
        audit = ws.audit(ref)
        base = report_text(ws, ref)
    except WorkspaceError as exc:
        tell(section, str(exc), error=True)
        return False
    objectives = [(o.id, o.title) for o in audit.objectives]
    values = await section.app.push_screen_wait(
        FormScreen(f"The {ref} report in the lead's words", _fields(base, objectives)))
    if values is None:
        return False
    saved = await apply_change(section, latest=lambda: report_text(ws, ref), change=_apply(values),
                               save=lambda edited: save_report_text(ws, edited), base=base,
                               done="Saved the report's summary, narratives and conclusions.")
    return saved is not None
