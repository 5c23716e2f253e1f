"""Report approval: draft until approved, the approved version frozen, every export marked.

A lead records that a body (e.g. "Business Group") approved the report on a date.  The
report as it stood is frozen in the approval (its Markdown, built as of that date), so
the final report exports identically whenever it is asked for.  Whether the report is
still final is decided by building it again as of the approval's date: the same data
gives the same text, and any change since (a finding edited, a return received) makes
it the next version's draft.  Status lines naming the protective marking, the version
and the status frame every export, top and bottom (the header and footer of a page).

Decisions where the design is silent:

- Versions count from 1; a draft after approval N is version N+1.
- The frozen Markdown is the report's body without the status lines; the lines are added
  at export, so the marking can be changed without unfreezing anything.
- The marking is the partnership's (every report it issues carries the same one), by
  default OFFICIAL-SENSITIVE, the usual marking for safeguarding case material.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from audit import markdown as md
from audit.dates import format_uk

DEFAULT_MARKING = "OFFICIAL-SENSITIVE"
MAX_MARKING = 60
MAX_BODY = 200


@dataclass(slots=True)
class ActionState:
    """An action's status and progress note as the approved report gave them."""

    status: str = ""
    progress_note: str = ""


@dataclass(slots=True)
class ReportApproval:
    audit: str
    version: int
    approved_by: str  # the body that approved it, e.g. "Business Group"
    approved_on: date
    markdown: str  # the report's body as approved, built as of approved_on
    # Agencies carry actions forward on the tracker after approval; that progress is not a
    # change to the approved report, so the check rebuilds it with the actions as they were.
    action_states: dict[str, ActionState] = field(default_factory=dict)
    recorded_by: str = ""
    recorded_at: datetime | None = None
    rev: int = 0

    @property
    def key(self) -> str:
        return f"{self.audit}/v{self.version}"


@dataclass(frozen=True, slots=True)
class ReportStatus:
    version: int
    final: bool
    approval: ReportApproval | None  # the approval it is (final), or the latest before it (draft)

    def describe(self) -> str:
        """``Final, version 2: approved by Business Group on 12/05/2021`` or ``Draft, version 3``."""
        if self.final and self.approval is not None:
            return (f"Final, version {self.version}: approved by {md.plain(self.approval.approved_by)} "
                    f"on {format_uk(self.approval.approved_on)}")
        since = ""
        if self.approval is not None:
            since = f" (changed since version {self.approval.version} was approved)"
        return f"Draft, version {self.version}{since}"


def latest(approvals: list[ReportApproval]) -> ReportApproval | None:
    return max(approvals, key=lambda a: a.version) if approvals else None


def status(approvals: list[ReportApproval], rebuilt: str | None) -> ReportStatus:
    """The report's status, given its body rebuilt as of the latest approval's date
    (``rebuilt``; None when there is no approval)."""
    last = latest(approvals)
    if last is None:
        return ReportStatus(1, False, None)
    if rebuilt == last.markdown:
        return ReportStatus(last.version, True, last)
    return ReportStatus(last.version + 1, False, last)


def frame_line(marking: str, report_status: ReportStatus) -> str:
    """The status line that heads and ends every export (Markdown, escaped)."""
    mark = md.inline(marking.strip()) if marking.strip() else ""
    text = md.inline(report_status.describe())
    return f"**{mark}** · {text}" if mark else text


HEADER_LINES = 2  # the status line and a blank line, under the title


def framed(body: str, marking: str, report_status: ReportStatus) -> str:
    """The report with its header (under its title, which stays the first line) and footer."""
    line = frame_line(marking, report_status)
    title, sep, rest = body.rstrip().partition("\n\n")
    if not title.startswith("# "):
        title, sep, rest = "", "", body.rstrip()
    head = f"{title}\n\n" if sep or title else ""
    return f"{head}{line}\n\n{rest}\n\n{line}\n"
