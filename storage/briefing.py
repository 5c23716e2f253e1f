"""The 7-minute briefing and its dissemination in a workspace (issue 19 item 4): the
lead's words saved and journaled, the page built and guarded for identifiers like the
report, exported as Markdown or HTML (a new file renamed into place, or bytes for the
SSH channel), and seminars and briefings delivered recorded."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path

from audit.access import Act
from audit.briefing import (
    Briefing,
    BriefingPage,
    Dissemination,
    briefing_markdown,
    dissemination_problems,
    prefill,
    section_problems,
    texts,
)
from audit.findings import next_id
from audit.guard import Leak
from audit.html import to_html
from audit.text import clean_text
from storage.errors import NotFound, WorkspaceError
from storage.export import ExportResult, IdentifierLeak
from storage.guard import guard_pieces
from storage.user_files import check_destination, write_user_file
from storage.workspace import Workspace

__all__ = ["BRIEFING_FORMATS", "add_dissemination", "briefing_page", "briefing_texts", "default_briefing_path",
           "delete_dissemination", "export_briefing", "export_briefing_bytes", "save_briefing"]

BRIEFING_FORMATS = ("md", "html")


def briefing_texts(ws: Workspace, ref: str) -> dict[str, str]:
    """Each heading's text: the lead's saved words, else the draft from the findings."""
    audit = ws.audit(ref)
    return texts(ws.get("briefings", ref), prefill(audit, ws.findings(ref), ws.actions(ref)))


def save_briefing(ws: Workspace, ref: str, sections: dict[str, str]) -> Briefing:
    """Save the lead's words for every heading (all seven, as the form shows them)."""
    ws.require(Act.WRITE_REPORT, audit=ref, key=ref)
    cleaned = {k: clean_text(v).strip() for k, v in sections.items()}
    problems = section_problems(cleaned)
    if problems:
        raise WorkspaceError(" ".join(problems))
    stored = ws.get("briefings", ref)
    now = datetime.now().replace(microsecond=0)
    if stored is None:
        return ws.insert(Briefing(ref, cleaned, ws.login, now), act=Act.WRITE_REPORT,
                         summary=f"wrote the {ref} briefing")
    return ws.save(dataclasses.replace(stored, sections=cleaned, updated_by=ws.login, updated_at=now),
                   act=Act.WRITE_REPORT, summary=f"edited the {ref} briefing")


def briefing_page(ws: Workspace, ref: str, today: date) -> BriefingPage:
    audit = ws.audit(ref)
    return briefing_markdown(audit, ws.partnership(), briefing_texts(ws, ref), today)


def guard_briefing(ws: Workspace, page: BriefingPage) -> list[Leak]:
    """As :func:`storage.guard.guard_report`: certain identifiers always, possible ones
    until a lead marked them "not an identifier here"."""
    leaks = guard_pieces(ws, page.quoted)
    return [leak for leak in leaks if leak.certain or ws.get("guard_marks", f"{page.audit}/{leak.mark_id}") is None]


def default_briefing_path(ws: Workspace, ref: str, fmt: str, today: date) -> Path:
    return ws.path.parent / f"{ref.replace('/', '-')}-briefing-{today.isoformat()}.{fmt}"


def _payload(ws: Workspace, ref: str, fmt: str, today: date) -> tuple[bytes, BriefingPage]:
    if fmt not in BRIEFING_FORMATS:
        raise WorkspaceError(f"The briefing is exported as md or html, not {fmt!r}.")
    audit = ws.audit(ref)
    ws.require(Act.EXPORT_REPORT, audit=audit.ref, key=audit.ref)
    page = briefing_page(ws, ref, today)
    leaks = guard_briefing(ws, page)
    if leaks:
        where = "; ".join(dict.fromkeys(leak.place.label for leak in leaks))
        try:
            with ws.transaction() as tx:
                tx.journal("refused", "audits", ref, f"refused to export the {ref} briefing: "
                           f"{len(leaks)} identifier(s) of cases found ({where})", audit=ref)
        except WorkspaceError:
            pass  # the refusal itself is what the user must hear about
        raise IdentifierLeak(ref, leaks, what="briefing")
    if fmt == "md":
        return page.markdown.encode("utf-8"), page
    return to_html(page.markdown, f"7-minute briefing: {audit.ref}").encode("utf-8"), page


def export_briefing(ws: Workspace, ref: str, path: Path | None, fmt: str, today: date) -> ExportResult:
    """Write the briefing of ``ref`` to ``path`` (default beside the workspace)."""
    target = path if path is not None else default_briefing_path(ws, ref, fmt, today)
    check_destination(ws.path, target)
    if target.is_dir():
        raise WorkspaceError(f"{target} is a folder; give a file name for the briefing.")
    if not target.parent.is_dir():
        raise NotFound(f"The folder {target.parent} does not exist; nothing was exported.")
    payload, page = _payload(ws, ref, fmt, today)
    with ws.transaction() as tx:
        write_user_file(ws.path, target, payload)
        tx.journal("export", "audits", ref, f"exported the {ref} briefing to {target}", audit=ref)
    return ExportResult(path=target, fmt=fmt, size=len(payload), headings=7)


def export_briefing_bytes(ws: Workspace, ref: str, fmt: str, today: date) -> bytes:
    """The briefing as ``fmt`` for the SSH channel: the same check, guard and journal."""
    payload, _ = _payload(ws, ref, fmt, today)
    with ws.transaction() as tx:
        tx.journal("export", "audits", ref, f"exported the {ref} briefing over SSH ({fmt})", audit=ref)
    return payload


def add_dissemination(ws: Workspace, d: Dissemination) -> Dissemination:
    """Record a seminar or briefing delivered (its id is given here: L1, L2 ...)."""
    ws.require(Act.RECORD_LEARNING, audit=d.audit, key=d.audit)
    existing = [x.id for x in ws.disseminations(d.audit)]
    d = dataclasses.replace(d, id=next_id(existing, "L"), note=clean_text(d.note).strip(),
                            recorded_by=ws.login, recorded_at=datetime.now().replace(microsecond=0))
    problems = dissemination_problems(d, ws.audit(d.audit).agencies or ws.partnership().agency_codes())
    if problems:
        raise WorkspaceError(" ".join(problems))
    when = d.held_on.isoformat() if d.held_on else "undated"
    return ws.insert(d, act=Act.RECORD_LEARNING,
                     summary=f"recorded {d.kind.label} {d.id} on {when} reaching {', '.join(d.agencies)}")


def delete_dissemination(ws: Workspace, d: Dissemination) -> None:
    ws.delete(d, act=Act.RECORD_LEARNING, summary=f"deleted the record of {d.kind.label} {d.id}")
