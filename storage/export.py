"""Exporting an audit's report from the workspace (DESIGN §4 `maca export`, §8 guard).

The report is built from the workspace, rendered to its final form (Markdown, or HTML
through markdown-it-py), and the final text is scanned for every stored identifier of
every case in the workspace (any audit's: a family from another audit must not leak
either).  Only a clean report is written, as a new file renamed into place (``0600`` when
new; a replaced file of one's own keeps its permission bits), never onto the
workspace's own files nor through a symlink (:mod:`storage.user_files`).  Both the export and a refusal are
journaled, and neither message ever repeats an identifier.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from audit.access import Act
from audit.cases import CandidateCase
from audit.findings import Finding
from audit.guard import Leak, find_identifiers
from audit.html import to_html
from audit.report import Report, build_report
from storage.errors import AccessDenied, NotFound, WorkspaceError
from storage.user_files import check_destination, write_user_file
from storage.workspace import Workspace

__all__ = ["FORMATS", "ExportResult", "IdentifierLeak", "default_path", "export_report", "report_for"]

FORMATS = ("md", "html", "docx")


class IdentifierLeak(AccessDenied):
    """The report holds identifiers of cases; nothing was written (exit 3).

    ``leaks`` says where each one is (kind, case reference, line, heading), never what.
    """

    exit_code = 3

    def __init__(self, ref: str, leaks: list[Leak]) -> None:
        places = "1 place" if len(leaks) == 1 else f"{len(leaks)} places"
        super().__init__(
            f"The {ref} report was not exported: it holds identifiers of cases at {places} (listed); "
            "take them out of the audit's text and export again."
        )
        self.ref = ref
        self.leaks = leaks


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    fmt: str
    size: int  # bytes written
    headings: int


def report_for(ws: Workspace, ref: str, today: date) -> Report:
    """The report of audit ``ref`` built from the workspace (for the preview and export)."""
    audit = ws.audit(ref)
    findings = ws.findings(ref)
    earlier: dict[str, Finding] = {}
    for finding in findings:
        if finding.retest is not None:
            found = ws.get("findings", f"{finding.retest.audit}/{finding.retest.finding_id}")
            if found is not None:
                earlier[found.key] = found
    return build_report(
        audit,
        ws.partnership(),
        ws.cases(ref),
        ws.returns(ref),
        ws.discussions(ref),
        findings,
        ws.actions(ref),
        earlier,
        today,
    )


def default_path(ws: Workspace, ref: str, fmt: str, today: date) -> Path:
    """``<REF>-report-<YYYY-MM-DD>.<ext>`` beside the workspace (``/`` in a ref becomes ``-``)."""
    return ws.path.parent / f"{ref.replace('/', '-')}-report-{today.isoformat()}.{fmt}"


def export_report(ws: Workspace, ref: str, path: Path | None, fmt: str, today: date) -> ExportResult:
    """Write the report of ``ref`` to ``path`` (default: :func:`default_path`) as ``fmt``.

    Raises NotFound for an unknown audit or a missing folder, AccessDenied unless the
    user may export, IdentifierLeak if the report holds an identifier, and
    WorkspaceError for a target that is a folder or the workspace's own files.
    """
    if fmt not in FORMATS:
        raise WorkspaceError(f"The format {fmt!r} is not one maca exports; use md, html or docx.")
    audit = ws.audit(ref)
    ws.require(Act.EXPORT_REPORT, audit=audit.ref, key=audit.ref)
    target = path if path is not None else default_path(ws, audit.ref, fmt, today)
    _check_target(ws, target)

    report = report_for(ws, audit.ref, today)
    payload, rendered = render(report, fmt, f"{audit.ref}: {audit.title}", today)
    cases = _all_cases(ws)
    leaks = find_identifiers(report.markdown, cases)
    if not leaks and fmt != "md":
        # What the reader actually gets is checked too: the page, or the document's text
        # as Word would show it, read back from the file about to be written.
        leaks = find_identifiers(rendered, cases)
    if leaks:
        _journal_refusal(ws, audit.ref, leaks)
        raise IdentifierLeak(audit.ref, leaks)

    with ws.transaction() as tx:
        # Inside the transaction: a failed write leaves no journal entry behind it.
        write_user_file(ws.path, target, payload)
        tx.journal("export", "audits", audit.ref, f"exported {audit.ref} report to {target}", audit=audit.ref)
    return ExportResult(path=target, fmt=fmt, size=len(payload), headings=len(report.headings))


def render(report: Report, fmt: str, title: str, today: date) -> tuple[bytes, str]:
    """The file's bytes for ``fmt``, and its text as the guard reads it."""
    if fmt == "md":
        return report.markdown.encode("utf-8"), report.markdown
    if fmt == "html":
        page = to_html(report.markdown, title)
        return page.encode("utf-8"), page
    from audit.word import read_docx, to_docx  # python-docx loads only for a Word export

    data = to_docx(report.markdown, title, made_on=today)
    return data, read_docx(data).text()


def _all_cases(ws: Workspace) -> list[CandidateCase]:
    return [case for audit in ws.audits() for case in ws.cases(audit.ref)]


def _check_target(ws: Workspace, target: Path) -> None:
    if target.is_dir():
        raise WorkspaceError(f"{target} is a folder; give a file name for the report.")
    if not target.parent.is_dir():
        raise NotFound(f"The folder {target.parent} does not exist; nothing was exported.")
    check_destination(ws.path, target)  # again, race-free, when writing; here before the work


def _journal_refusal(ws: Workspace, ref: str, leaks: list[Leak]) -> None:
    lines = ", ".join(str(n) for n in sorted({leak.line for leak in leaks}))
    summary = (f"refused to export the {ref} report: {len(leaks)} identifier(s) of cases found "
               f"(line{'s' if ',' in lines else ''} {lines})")
    try:
        with ws.transaction() as tx:
            tx.journal("refused", "audits", ref, summary, audit=ref)
    except WorkspaceError:
        pass  # the refusal itself is what the user must hear about
