"""Exporting an audit's report from the workspace (DESIGN §4 `maca export`, §8 guard).

The report is built from the workspace and every piece of people's text it quotes is
checked for every stored identifier of every case in the workspace (any audit's: a
family from another audit must not leak either); maca's own wording is never checked.
The report is then rendered to its final form (Markdown, HTML through markdown-it-py,
or Word).  Only a clean report is written, as a new file renamed into place (``0600``
when new; a replaced file of one's own keeps its permission bits), never onto the
workspace's own files nor through a symlink (:mod:`storage.user_files`).  Both the export and a refusal are
journaled, and neither message ever repeats an identifier.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from audit.access import Act
from audit.analysis import analyse
from audit.findings import Action, Finding
from audit.guard import Leak
from audit.html import to_html
from audit.report import Report, build_report
from audit.report_evidence import EarlierAudit, comparable, matching
from audit.scope import Audit
from storage.errors import AccessDenied, NotFound, WorkspaceError
from storage.guard import guard_report
from storage.user_files import check_destination, write_user_file
from storage.workspace import Workspace

__all__ = ["FORMATS", "ExportResult", "IdentifierLeak", "default_path", "export_bytes", "export_report",
           "guard_report", "report_for"]

FORMATS = ("md", "html", "docx")


class IdentifierLeak(AccessDenied):
    """The report holds identifiers of cases; nothing was written (exit 3).

    ``leaks`` says where each one is (kind, case reference, the field in the user's
    terms), never what; possible ones (a name that is also an ordinary word, written
    where it may be either) wait for a lead's review.
    """

    exit_code = 3

    def __init__(self, ref: str, leaks: list[Leak], *, what: str = "report") -> None:
        certain = sum(1 for leak in leaks if leak.certain)
        possible = len(leaks) - certain
        parts = []
        if certain:
            parts.append(f"it holds identifiers of cases at {_places(certain)} (listed); take them out of the "
                         "audit's text")
        if possible:
            review = "(Report, r)" if what == "report" else "(Report, B, then x)"
            parts.append(f"{_places(possible)} may hold a family name (listed) for a lead to review in the app "
                         f"{review}")
        super().__init__(f"The {ref} {what} was not exported: {'; '.join(parts)}; then export again.")
        self.ref = ref
        self.leaks = leaks


def _places(n: int) -> str:
    return "1 place" if n == 1 else f"{n} places"


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    fmt: str
    size: int  # bytes written
    headings: int


def report_for(ws: Workspace, ref: str, today: date) -> Report:
    """The report of audit ``ref`` as a reader gets it (the preview and every export): the
    approved version while nothing has changed, else today's draft, framed by its
    protective marking, version and status (:mod:`storage.approval`)."""
    from storage.approval import framed_report

    return framed_report(ws, ref, today, built_report)[0]


def built_report(ws: Workspace, ref: str, today: date, *, actions: list[Action] | None = None) -> Report:
    """The report of audit ``ref`` built from the workspace as of ``today`` (``actions``, when
    given, stand in for the stored ones: the approval check's actions as approved)."""
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
        ws.actions(ref) if actions is None else actions,
        earlier,
        today,
        text=ws.get("report_texts", ref),
        earlier_audits=_earlier_audits(ws, audit, today),
        activities=ws.activities(ref),
        themes=ws.themes(ref),
    )


def _earlier_audits(ws: Workspace, audit: Audit, today: date) -> list[EarlierAudit]:
    """The other audits that share an objective with ``audit``, with their numbers."""
    found = []
    for other in ws.audits():
        if other.ref != audit.ref and matching(audit, other):
            numbers = analyse(other, ws.cases(other.ref), ws.returns(other.ref), ws.discussions(other.ref), today)
            found.append(EarlierAudit(other, numbers))
    return comparable(audit, found)


def default_path(ws: Workspace, ref: str, fmt: str, today: date) -> Path:
    """``<REF>-report-<YYYY-MM-DD>.<ext>`` beside the workspace (``/`` in a ref becomes ``-``)."""
    return ws.path.parent / f"{ref.replace('/', '-')}-report-{today.isoformat()}.{fmt}"


def export_report(ws: Workspace, ref: str, path: Path | None, fmt: str, today: date) -> ExportResult:
    """Write the report of ``ref`` to ``path`` (default: :func:`default_path`) as ``fmt``.

    Raises NotFound for an unknown audit or a missing folder, AccessDenied unless the
    user may export, IdentifierLeak if the report holds an identifier, and
    WorkspaceError for a target that is a folder or the workspace's own files.
    """
    target = path if path is not None else default_path(ws, ref, fmt, today)
    payload, audit, report = _checked_payload(ws, ref, fmt, today, lambda: _check_target(ws, target))
    with ws.transaction() as tx:
        # Inside the transaction: a failed write leaves no journal entry behind it.
        write_user_file(ws.path, target, payload)
        tx.journal("export", "audits", audit.ref, f"exported {audit.ref} report to {target}", audit=audit.ref)
    return ExportResult(path=target, fmt=fmt, size=len(payload), headings=len(report.headings))


def export_bytes(ws: Workspace, ref: str, fmt: str, today: date) -> bytes:
    """The report of ``ref`` as ``fmt``, for sending down the SSH channel (`maca serve`):
    the same access check, guard and journal as a file export, and no file at all."""
    payload, audit, _ = _checked_payload(ws, ref, fmt, today, lambda: None)
    with ws.transaction() as tx:
        tx.journal("export", "audits", audit.ref, f"exported {audit.ref} report over SSH ({fmt})",
                   audit=audit.ref)
    return payload


def _checked_payload(ws: Workspace, ref: str, fmt: str, today: date,
                     check_target: Callable[[], None]) -> tuple[bytes, Audit, Report]:
    if fmt not in FORMATS:
        raise WorkspaceError(f"The format {fmt!r} is not one maca exports; use md, html or docx.")
    audit = ws.audit(ref)
    ws.require(Act.EXPORT_REPORT, audit=audit.ref, key=audit.ref)
    check_target()

    from storage.approval import framed_report, marking

    report, now = framed_report(ws, audit.ref, today, built_report)
    # The final version is made as of its approval, so it exports identically later.
    made_on = now.approval.approved_on if now.final and now.approval is not None else today
    # The people's text the report quotes is what is checked, whatever the format: the
    # page or document adds only maca's own wording to it (checking that would refuse
    # a family called Good over "Good practice").
    leaks = guard_report(ws, report)
    if leaks:
        _journal_refusal(ws, audit.ref, leaks)
        raise IdentifierLeak(audit.ref, leaks)

    payload, _ = render(report, fmt, f"{audit.ref}: {audit.title}", made_on, marking=marking(ws))
    return payload, audit, report


def render(report: Report, fmt: str, title: str, today: date, *, marking: str = "") -> tuple[bytes, str]:
    """The file's bytes for ``fmt``, and its text (the Markdown for a Word document);
    ``marking`` also heads and ends every page of a Word document."""
    if fmt == "md":
        return report.markdown.encode("utf-8"), report.markdown
    if fmt == "html":
        page = to_html(report.markdown, title)
        return page.encode("utf-8"), page
    from audit.word import to_docx  # python-docx loads only for a Word export

    return to_docx(report.markdown, title, marking=marking, made_on=today), report.markdown


def _check_target(ws: Workspace, target: Path) -> None:
    # The workspace's own files first: a workspace is a folder, so naming it is that.
    check_destination(ws.path, target)  # again, race-free, when writing; here before the work
    if target.is_dir():
        raise WorkspaceError(f"{target} is a folder; give a file name for the report.")
    if not target.parent.is_dir():
        raise NotFound(f"The folder {target.parent} does not exist; nothing was exported.")


def _journal_refusal(ws: Workspace, ref: str, leaks: list[Leak]) -> None:
    where = "; ".join(dict.fromkeys(leak.place.label for leak in leaks))
    summary = f"refused to export the {ref} report: {len(leaks)} identifier(s) of cases found ({where})"
    try:
        with ws.transaction() as tx:
            tx.journal("refused", "audits", ref, summary, audit=ref)
    except WorkspaceError:
        pass  # the refusal itself is what the user must hear about
