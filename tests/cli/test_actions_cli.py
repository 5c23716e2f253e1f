"""`maca actions` (DESIGN §4): every audit's SMART actions, as lines or JSON; in-process
through ``tui.cli.main``, and once as the real command."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from storage.demo import DEMO_AUDIT, build_demo
from storage.lock import os_login
from storage.workspace import Workspace
from tui.cli import main

LOGIN = os_login()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    ws = build_demo(tmp_path / "w.json", LOGIN, in_progress=True)
    with ws.transaction() as tx:  # hostile text in an action must reach no terminal as escapes
        a1 = ws.get("actions", f"{DEMO_AUDIT}/A1")
        tx.save(dataclasses.replace(a1, description="Brief \x1b[31mteams\x1b[0m | # <b>now</b>\nsecond line"))
    return ws.path


def test_json_lists_every_action_with_its_rag(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actions", "--db", str(db), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(a["audit"], a["id"], a["owner"]) for a in doc["actions"]] == [(DEMO_AUDIT, "A1", "CSC"),
                                                                         (DEMO_AUDIT, "A2", "MID")]
    assert doc["actions"][0]["description"].startswith("Brief \x1b[31mteams")  # JSON escapes it on the wire
    assert set(doc["actions"][1]) >= {"due", "status", "rag", "close_requested", "last_update"}
    assert doc["actions"][1]["last_update"] == "2021-04-12"


def test_lines_for_people_carry_no_escape_bytes(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actions", "--db", str(db), "--audit", DEMO_AUDIT]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    lines = out.splitlines()
    assert lines[0].startswith(f"2 action(s) of {DEMO_AUDIT}: 2 open")
    assert len(lines) == 3 and "Brief teams | # <b>now</b> second line" in lines[1]


def test_unknown_audit_is_one_sentence_and_exit_2(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actions", "--db", str(db), "--audit", "NOPE"]) == 2
    assert capsys.readouterr().err == "maca: There is no audit 'NOPE' in this workspace.\n"


def test_the_real_command(db: Path, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "tui.cli", "actions", "--db", str(db), "--json"],
                          capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["actions"]) == 2
