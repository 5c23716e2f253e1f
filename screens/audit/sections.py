"""The audit's sections (DESIGN §2), numbered as auditors know them.

Only sections that are built are listed here, so a key or palette entry never leads to
a placeholder.  Each section is imported when first opened, which keeps start-up fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from textual.containers import Vertical
from textual.widget import Widget


@dataclass(frozen=True)
class SectionSpec:
    number: int
    id: str
    title: str
    module: str
    cls: str

    def load(self) -> type[Section]:
        return getattr(import_module(self.module), self.cls)


SECTIONS: list[SectionSpec] = [
    SectionSpec(1, "scope", "Scope", "screens.scope.section", "ScopeSection"),
    SectionSpec(2, "cohort", "Cohort", "screens.cohort.section", "CohortSection"),
    SectionSpec(3, "returns", "Returns", "screens.returns.section", "ReturnsSection"),
    SectionSpec(4, "discussion", "Discussion", "screens.discussion.section", "DiscussionSection"),
    SectionSpec(5, "board", "Findings", "screens.board.section", "BoardSection"),
    SectionSpec(6, "analysis", "Analysis", "screens.analysis.section", "AnalysisSection"),
    SectionSpec(7, "report", "Report", "screens.report.section", "ReportSection"),
]


def section_by_number(number: int) -> SectionSpec | None:
    return next((s for s in SECTIONS if s.number == number), None)


class Section(Vertical):
    """Base of every section: knows its audit, re-reads when the workspace changes."""

    DEFAULT_CSS = "Section { height: 1fr; }"
    HELP_NOTES: list[str] = []

    def __init__(self, audit_ref: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.audit_ref = audit_ref

    stale = False  # a commit was announced while another section was shown

    def refresh_data(self) -> None:
        """Show the latest saved state (called on WorkspaceChanged, for every commit)."""

    def on_show(self) -> None:
        if self.stale:
            self.stale = False
            self.catch_up()

    def catch_up(self) -> None:
        """Shown again after commits made while another section was shown."""
        self.refresh_data()

    def reveal(self, key: str, field: str) -> bool:
        """Show the record ``key`` (and its ``field`` where the section can) for the guard's
        jump to the text to fix; False when the section cannot pick it out."""
        return False

    def focus_first(self) -> None:
        """Focus the first focusable widget of the section (sections may do better)."""
        for widget in self.query("*"):
            if widget.focusable:
                widget.focus()
                return


WidgetFactory = Callable[[], Widget]
