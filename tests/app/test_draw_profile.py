"""The draw dialog balances on a cohort profile column too (issue 20 item 2)."""

from __future__ import annotations

from pathlib import Path

from audit.cohort import screen_cases
from audit.profile import level_of
from tests.app.helpers import open_as
from tests.app.test_cohort_section import REF, draw_in_app
from tests.conftest import TODAY


async def test_a_draw_balanced_on_the_level_of_intervention_takes_each_level_in_turn(tmp_path: Path) -> None:
    picked, confirmation = await draw_in_app(tmp_path / "one", 4, 424242, balance="level_of_intervention")
    assert "Balanced across level of intervention" in confirmation
    ws = open_as(tmp_path / "one" / "demo.json", "rlead")
    pool = [s.case for s in screen_cases(ws.audit(REF), ws.cases(REF), TODAY)
            if s.eligible is True and (s.case.drawn or not s.case.in_cohort)]
    levels = {c.case_ref: level_of(c.level_of_intervention) for c in pool}
    groups = sorted(set(levels.values()))
    assert len(groups) >= 3 and all(list(levels.values()).count(g) >= 2 for g in groups)
    # Round robin: one case from each level in name order, then round again.
    assert [levels[r] for r in picked] == [groups[n % len(groups)] for n in range(4)]
