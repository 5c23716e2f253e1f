"""Report section, `A` and `M`: the lead records the report's approval, and the
partnership's protective marking (issue 19 item 3).

Approval freezes the report as it stands (built as of the approval's date) as the next
version; the preview and every export then show it as final until something changes,
when they show the next version's draft.  The marking heads and ends every export.
"""

from __future__ import annotations

from audit.access import Act
from audit.approval import MAX_BODY, MAX_MARKING
from screens.access import allowed
from screens.context import ctx
from screens.dialogs.form import FormField, FormScreen
from screens.saving import tell
from screens.audit.sections import Section
from storage import approval as ops
from storage.errors import WorkspaceError
from storage.export import built_report


async def approve(section: Section, ref: str) -> bool:
    """Ask who approved the report and when; True when an approval was recorded."""
    c = ctx(section.app)
    ws, today = c.ws, c.today()
    if not allowed(section, Act.APPROVE_REPORT, audit=ref, key=f"{ref}/approval"):
        return False
    try:
        now, _ = ops.report_status(ws, ref, built_report)
    except WorkspaceError as exc:
        tell(section, str(exc), error=True)
        return False
    if now.final:
        tell(section, f"Version {now.version} is already approved and nothing has changed since.")
        return False
    values = await section.app.push_screen_wait(FormScreen(f"Record the approval of the {ref} report, "
                                                           f"version {now.version}", [
        FormField("body", "Approved by", value="Business Group", required=True, max_length=MAX_BODY,
                  hint="The board or group that approved it, e.g. Business Group or the Executive."),
        FormField("on", "Approved on", "date", today, required=True),
    ]))
    if values is None:
        return False
    try:
        saved = ops.approve(ws, ref, values["body"], values["on"], today, built_report)
    except WorkspaceError as exc:
        tell(section, str(exc), error=True)
        return False
    tell(section, f"Recorded: version {saved.version} approved by {saved.approved_by}; exports now say final.")
    return True


async def set_marking(section: Section) -> bool:
    """Change the protective marking; True when it was saved."""
    ws = ctx(section.app).ws
    if not allowed(section, Act.EDIT_PARTNERSHIP, key="partnership"):
        return False
    values = await section.app.push_screen_wait(FormScreen("Protective marking of every export", [
        FormField("marking", "Marking", value=ops.marking(ws), max_length=MAX_MARKING,
                  hint="Printed at the top and bottom of every report, e.g. OFFICIAL-SENSITIVE; empty for none."),
    ]))
    if values is None:
        return False
    try:
        text = ops.set_marking(ws, values["marking"])
    except WorkspaceError as exc:
        tell(section, str(exc), error=True)
        return False
    tell(section, f"Every export is now marked {text}." if text else "Exports now carry no marking.")
    return True
