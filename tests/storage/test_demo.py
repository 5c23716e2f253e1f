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
