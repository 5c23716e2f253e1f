"""`maca new-audit --plan ID` (issue 19 item 1): a planned audit started from the command
line or over SSH (where home cannot read a scope file), linked in the same save."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.demo import build_demo, sample_path
from storage.lock import os_login
from tui.cli import main


def _scope(tmp_path: Path) -> Path:
    path = tmp_path / "scope.toml"
    path.write_text(sample_path("MACA-C86.toml").read_text().replace('"MACA-C86"', '"MACA-C99"'))
    return path


def test_new_audit_starts_a_planned_audit_with_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from audit.programme import PlannedAudit
    from storage.programme import add_plan
    from storage.workspace import Workspace

    ws = build_demo(tmp_path / "demo.json", os_login())
    add_plan(ws, PlannedAudit("", 2021, "Unborn babies again", quarter=2))
    scope = _scope(tmp_path)
    assert main(["new-audit", "--db", str(ws.path), str(scope), "--plan", "P9"]) == 2
    assert "There is no planned audit 'P9' on the programme; nothing was created." in capsys.readouterr().err
    assert main(["new-audit", "--db", str(ws.path), str(scope), "--plan", "p1"]) == 0
    fresh = Workspace.open(ws.path, os_login())
    assert fresh.get("planned", "P1").promoted_to == "MACA-C99"
    # The same over SSH (the served mode's forced command): a second scope, the same plan.
    other = tmp_path / "other.toml"
    other.write_text(scope.read_text().replace('"MACA-C99"', '"MACA-C98"'))
    capsys.readouterr()
    import io
    import sys

    mp = pytest.MonkeyPatch()
    try:
        mp.setenv("SSH_ORIGINAL_COMMAND", "new-audit --plan P1")
        mp.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(other.read_bytes())))
        code = main(["serve", "--db", str(ws.path), "--as", os_login()])
    finally:
        mp.undo()
    assert code == 2 and "was already started as MACA-C99" in capsys.readouterr().err
    assert Workspace.open(ws.path, os_login()).get("audits", "MACA-C98") is None
