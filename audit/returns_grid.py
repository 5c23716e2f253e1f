"""The returns grid: cohort cases × participating agencies, each cell one expected
return's status, progress and days overdue.  The Returns section shows it and the
chase list (`storage.returns.chase_list`, for the CLI too) reads it, so it is built here
from the returns and tools it is given, not in a screen."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from audit.returns import OUTSTANDING, RECEIVED, Return, Status, days_overdue, is_outstanding, progress
from audit.tools import ToolTemplate


@dataclass(frozen=True)
class GridCell:
    case_ref: str
    agency: str
    status: Status
    answered: int
    total: int
    overdue_days: int | None  # None without a due date; 0 when not overdue
    concern_open: bool = False

    @property
    def outstanding(self) -> bool:
        return self.status in OUTSTANDING

    @property
    def received(self) -> bool:
        """A completed audit tool with the lead; "not involved" is not received."""
        return self.status in RECEIVED

    @property
    def overdue(self) -> bool:
        return self.outstanding and bool(self.overdue_days)


@dataclass(frozen=True)
class ReturnsGrid:
    """Cohort cases × participating agencies, as the Returns section shows them."""

    audit: str
    due: date | None
    cases: list[str]
    agencies: list[str]
    cells: dict[tuple[str, str], GridCell] = field(default_factory=dict)

    def cell(self, case_ref: str, agency: str) -> GridCell:
        return self.cells[(case_ref, agency)]

    def received_for_agency(self, agency: str) -> int:
        return sum(1 for c in self.cases if self.cell(c, agency).received)

    def overdue_for_agency(self, agency: str) -> int:
        return sum(1 for c in self.cases if self.cell(c, agency).overdue)

    def received_for_case(self, case_ref: str) -> int:
        return sum(1 for a in self.agencies if self.cell(case_ref, a).received)

    def overdue_for_case(self, case_ref: str) -> int:
        return sum(1 for a in self.agencies if self.cell(case_ref, a).overdue)

    def not_involved(self) -> int:
        return sum(1 for c in self.cells.values() if c.status is Status.NOT_INVOLVED)

    def outstanding_cases(self, agency: str) -> list[str]:
        return [c for c in self.cases if self.cell(c, agency).outstanding]


def build_grid(ref: str, due: date | None, cases: list[str], agencies: list[str],
               returns: Mapping[tuple[str, str], Return], tools: Mapping[str, ToolTemplate],
               today: date) -> ReturnsGrid:
    """The grid of ``ref``'s ``cases`` × ``agencies``; ``returns`` by (case, agency), a
    missing one not started; each agency's ``tools`` for progress."""
    overdue = days_overdue(due, today)
    cells: dict[tuple[str, str], GridCell] = {}
    for case_ref in cases:
        for agency in agencies:
            ret = returns.get((case_ref, agency)) or Return(audit=ref, case_ref=case_ref, agency=agency)
            answered, total = progress(ret, tools[agency])
            cells[(case_ref, agency)] = GridCell(
                case_ref, agency, ret.status, answered, total,
                overdue if is_outstanding(ret) else (0 if overdue is not None else None),
                ret.concern.open,
            )
    return ReturnsGrid(ref, due, cases, agencies, cells)
