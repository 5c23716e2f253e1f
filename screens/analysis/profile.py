"""The cohort profile on the Analysis screen (`c`): the report's one-way counts.

Built from :func:`audit.report_profile.outline`, the function the report writes its
cohort profile from, so the screen and the report show the same numbers.
"""

from __future__ import annotations

from rich.text import Text

from audit.analysis import Analysis
from audit.profile import SMALL_GROUP
from audit.report_profile import outline, shown


def profile_text(a: Analysis) -> Text:
    """Each column's counts on their own (never crossed), small groups marked."""
    text = Text()
    if not a.cohort:
        text.append("No cases have been selected for the cohort yet.")
        return text
    text.append(f"The {len(a.cohort)} cases of the cohort, each column counted on its own "
                "(never against another, so no small group identifies a child).\n")
    marked = False
    for part in outline(a):
        text.append(f"\n{part.label}\n", style="bold")
        if not part.recorded:
            text.append("  not recorded for any case\n", style="dim")
            continue
        width = max(len(shown(c)) for c, _ in part.counts)
        for category, n in part.counts:
            text.append(f"  {shown(category):<{width}}  {n:>3}")
            if category in part.small_groups:
                marked = True
                text.append(f"  fewer than {SMALL_GROUP}", style="yellow")
            text.append("\n")
    if marked:
        text.append(f"\nGroups of fewer than {SMALL_GROUP} are marked, as in the report: share them on a "
                    "need-to-know basis only.", style="dim")
    return text
