"""The cohort outline in counts (issue 20 item 2): age band, gender, ethnicity and level
of intervention, each counted one way, for the report and the analysis screen alike.

:func:`outline` is the one place that decides which counts are shown and how they are
named, so the analysis screen and the report never disagree; :func:`cohort_outline`
writes them into the report.  Nothing here is people's text: every label is one of
maca's own fixed categories (``audit.profile``, ``audit.cases.AGE_BANDS``).
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.analysis import Analysis
from audit.dates import format_uk
from audit.profile import NOT_RECORDED, PROFILE_COLUMNS, PROFILE_LABELS, SMALL_GROUP, small
from audit.report_sections import Context, Writer


@dataclass(frozen=True, slots=True)
class Outline:
    """One profile column's counts: the categories holding a case, "not recorded" last."""

    column: str  # age_band, gender, ethnicity, level_of_intervention
    label: str  # the table's heading
    counts: list[tuple[str, int]]  # (category, cases), categories with no case left out

    @property
    def recorded(self) -> bool:
        """False when no case of the cohort has this column recorded."""
        return any(category != NOT_RECORDED for category, _ in self.counts)

    @property
    def small_groups(self) -> list[str]:
        """Recorded categories holding fewer than ``SMALL_GROUP`` cases."""
        return [category for category, n in self.counts if category != NOT_RECORDED and small(n)]


def outline(a: Analysis) -> list[Outline]:
    """Every one-way count of the cohort's profile, in the order the report gives them."""
    found = [Outline("age_band", "Age at the start of the lookback", [(b, n) for b, n in a.age_bands.items() if n])]
    for column in PROFILE_COLUMNS:
        counts = a.profile.get(column, {})
        found.append(Outline(column, PROFILE_LABELS[column], [(c, n) for c, n in counts.items() if n]))
    return found


def shown(category: str) -> str:
    """A category as a table shows it: capitalised, the ONS wording kept."""
    return category[:1].upper() + category[1:]


def cohort_outline(ctx: Context, out: Writer) -> None:
    """The report's one-way counts: ages by band, then each recorded profile column."""
    parts = outline(ctx.analysis)
    ages, rest = parts[0], parts[1:]
    if ages.counts:
        start = format_uk(ctx.audit.lookback_start, "the start of the lookback")
        out.para(f"The children's ages on {start}, counted by band only (never beside any other detail of a "
                 "case, so that no small group can identify a child):")
        out.table([ages.label, "Cases"], _rows(ages))
    recorded = [p for p in rest if p.recorded]
    missing = [p.label.split(" (")[0].lower() for p in rest if not p.recorded]
    if recorded:
        out.para("Gender, ethnicity and level of intervention are each counted on their own, never against one "
                 "another or against a case; ethnicity is counted by the five ONS 2021 high-level groups.")
        for part in recorded:
            out.table([part.label, "Cases"], _rows(part))
    if any(p.small_groups for p in (ages, *recorded)):
        out.para(f"Groups of fewer than {SMALL_GROUP} children are marked: read beside the rest of this "
                 "report they could point to a child, so share this section on a need-to-know basis only.")
    if missing:
        names = ", ".join(missing[:-1]) + " and " + missing[-1] if len(missing) > 1 else missing[0]
        out.para(f"{shown(names)} {'is' if len(missing) == 1 else 'are'} not recorded for any case of the cohort.")


def _rows(part: Outline) -> list[list[str]]:
    """``[category, cases]`` rows, a small recorded group marked as such."""
    return [[shown(c), f"{n} (fewer than {SMALL_GROUP})" if c != NOT_RECORDED and small(n) else str(n)]
            for c, n in part.counts]
