"""The demo that `maca demo` opens: a sound workspace with an audit visibly in progress."""

from __future__ import annotations

from pathlib import Path

from audit.returns import is_received
from storage.check import check_workspace
from storage.demo import build_demo
from storage.lock import os_login


def test_in_progress_demo_is_sound_and_alive(tmp_path: Path) -> None:
    ws = build_demo(tmp_path / "demo.json", os_login(), in_progress=True)
    assert check_workspace(ws.path) == []
    cases = ws.cases("MACA-C86")
    assert len(cases) == 52 and sum(c.in_cohort for c in cases) == 15
    returns = ws.returns("MACA-C86")
    assert 0 < sum(is_received(r) for r in returns) < 15 * 8
    assert len(ws.discussions("MACA-C86")) == 2
    columns = {f.column.value for f in ws.findings("MACA-C86")}
    assert columns == {"strength", "development", "recommendation"}
    assert len(ws.actions("MACA-C86")) == 2
    assert not any(r.concern.open for r in returns)  # nothing pops up over the demo at start


def test_bare_demo_stops_at_the_cohort(tmp_path: Path) -> None:
    ws = build_demo(tmp_path / "demo.json", os_login())
    assert ws.returns("MACA-C86") == [] and ws.findings("MACA-C86") == []
    assert sum(c.in_cohort for c in ws.cases("MACA-C86")) == 15


def test_live_demo_happens_now_and_keeps_its_story(tmp_path: Path) -> None:
    """Issue 18 item 11: built on a given day, fieldwork is under way that week (returns
    due within ten days, nothing overdue but the one action the story makes late), with
    the same weekdays as the fixed demo; the cases' 2020 facts do not move."""
    from datetime import date, timedelta

    from audit.findings import Rag, rag
    from storage.returns import returns_grid
    from storage.demo import DEMO_AUDIT

    today = date(2026, 12, 2)
    fixed = build_demo(tmp_path / "fixed.json", os_login(), in_progress=True)
    live = build_demo(tmp_path / "live.json", os_login(), in_progress=True, today=today)
    audit, was = live.audit(DEMO_AUDIT), fixed.audit(DEMO_AUDIT)
    due = audit.returns_due()
    assert due is not None and today < due <= today + timedelta(days=10)
    assert due.weekday() == was.returns_due().weekday()
    assert [m.done for m in audit.milestones] == [True, False, False, False, False]
    assert not any(m.overdue(today) for m in audit.milestones)
    assert audit.next_milestone().due == due
    assert (audit.lookback_start, audit.lookback_end) == (was.lookback_start, was.lookback_end)
    assert [c.engagement for c in live.cases(DEMO_AUDIT)] == [c.engagement for c in fixed.cases(DEMO_AUDIT)]
    grid = returns_grid(live, DEMO_AUDIT, today)
    assert sum(grid.overdue_for_agency(a) for a in grid.agencies) == 0  # no "!" all over the grid
    stamps = [r.updated_at for r in live.returns(DEMO_AUDIT)] + [d.updated_at for d in live.discussions(DEMO_AUDIT)] \
        + [u.at for a in live.actions(DEMO_AUDIT) for u in a.updates]  # the tracker's "last update" too
    assert all(s is not None and today - timedelta(days=30) < s.date() <= today for s in stamps)
    states = {a.id: rag(a, today) for a in live.actions(DEMO_AUDIT)}
    assert states == {"A1": Rag.RED, "A2": Rag.GREEN}  # as on the fixed demo's 20/04/2021
    assert {c.case_ref for c in live.cases(DEMO_AUDIT) if c.in_cohort} == \
        {c.case_ref for c in fixed.cases(DEMO_AUDIT) if c.in_cohort}
