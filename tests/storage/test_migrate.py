"""Moving an old single-file workspace into the folder layout (DESIGN §7, issue 14 item 2).

The old file is made the way the old maca wrote it: every table and the journal in one
JSON object.  After the move every document is compared, table by table and entry by
entry, and the old file is byte for byte as it was.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from benchmarks.ten_years import SMALL, build_tables
from storage.demo import build_demo
from storage.layout import Layout
from storage.lock import os_login
from storage.migrate import MigrationNeeded, folder_beside, read_tables
from storage.workspace import Workspace
from tests.workspace_files import on_disk, private
from tui.cli import main as cli_main

LOGIN = os_login()


def old_file(path: Path, tables: dict) -> Path:
    """Write `tables` as the old maca did: one JSON file, mode 0600."""
    path.write_text(json.dumps(tables), encoding="utf-8")
    path.chmod(0o600)
    return path


def assert_same_documents(old: dict, folder: Path) -> None:
    new = on_disk(folder)
    journal = new.pop("journal")
    old = dict(old)
    old_journal = old.pop("journal")
    assert sorted(new) == sorted(old)
    for table in old:
        assert new[table] == old[table], table  # doc ids kept, every document equal
    entries = [journal[k] for k in sorted(journal, key=int)]
    assert entries[:-1] == [old_journal[k] for k in sorted(old_journal, key=int)]
    assert (entries[-1]["action"], entries[-1]["who"]) == ("migrate", LOGIN)


def test_the_demo_moves_into_a_folder_beside_it_and_nothing_is_lost(tmp_path: Path) -> None:
    demo = build_demo(tmp_path / "built", LOGIN, in_progress=True)
    tables = on_disk(demo.path)
    path = old_file(tmp_path / "ws.json", tables)
    original = path.read_bytes()

    ws = Workspace.open(path, LOGIN)  # a lead's first open moves it
    assert ws.path == tmp_path / "ws" == folder_beside(path)
    assert path.read_bytes() == original  # the original is left as it was
    assert_same_documents(tables, ws.path)
    assert private(ws.path)
    # Each audit's records are in its own file, and its figures in the partnership file.
    layout = Layout(ws.path)
    assert list(layout.audit_files()) == ["MACA-C86"]
    assert ws.summary("MACA-C86")["picked"] == sum(1 for c in ws.cases("MACA-C86") if c.in_cohort) == 15
    # Opening by the old name again opens the folder; nothing is moved twice.
    again = Workspace.open(path, LOGIN)
    assert again.path == ws.path and len(again.journal()) == len(ws.journal())
    assert ws.journal()[-1].summary == ("moved the workspace from the file ws.json into this folder "
                                        "(the file is kept as it was)")


@pytest.mark.slow  # ten years of documents
def test_a_ten_year_file_moves_with_every_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tables = build_tables(LOGIN, SMALL)
    path = old_file(tmp_path / "ten-years.json", tables)
    original = path.read_bytes()
    assert cli_main(["check", "--migrate", "--db", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    folder = tmp_path / "ten-years"
    assert out == [f"Moved {path} into the folder {folder}; the file itself is left as it was.",
                   f"{folder} is a sound workspace."]
    assert path.read_bytes() == original
    assert_same_documents(tables, folder)
    ws = Workspace.open(folder, LOGIN)
    assert len(Layout(folder).audit_files()) == len(ws.audits()) == 10
    # The figures home shows come from the partnership file, equal to the records'.
    for audit in ws.audits():
        fresh = Workspace.open(folder, LOGIN)
        figures = fresh.summary(audit.ref)
        assert fresh.files._audits == {}  # read without opening the audit's file
        assert figures["picked"] == sum(1 for c in ws.cases(audit.ref) if c.in_cohort)
        assert figures["returns"] == len(ws.returns(audit.ref))


def test_anyone_but_a_lead_is_told_whom_to_ask_and_nothing_is_made(tmp_path: Path) -> None:
    demo = build_demo(tmp_path / "built", LOGIN)
    path = old_file(tmp_path / "ws.json", on_disk(demo.path))
    leads = ", ".join(sorted(u.login for u in demo.users() if u.role.value == "lead"))
    with pytest.raises(MigrationNeeded) as caught:
        Workspace.open(path, "panel.vic")
    assert str(caught.value) == (
        f"{path} is a workspace of an older maca and must be moved to the new layout before anyone can "
        f"use it; ask a lead ({leads}) to open it once, or to run `maca check --migrate --db {path}`.")
    assert caught.value.exit_code == 3
    assert not (tmp_path / "ws").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".ws")]


def test_a_damaged_old_file_is_refused_and_left_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ws.json"
    path.write_bytes(b'{"users": {"1": ')
    assert cli_main(["check", "--migrate", "--db", str(path)]) == 2
    assert "is not a readable maca workspace: the JSON stops" in capsys.readouterr().err
    assert path.read_bytes() == b'{"users": {"1": '
    assert not (tmp_path / "ws").exists()
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".migrating")]


def test_read_tables_of_a_migrated_folder_matches_read_tables_of_its_twin(tmp_path: Path) -> None:
    demo = build_demo(tmp_path / "built", LOGIN, in_progress=True)
    tables = read_tables(demo.path)
    moved = Workspace.open(old_file(tmp_path / "ws.json", tables), LOGIN)
    again = read_tables(moved.path)
    again["journal"] = {k: v for k, v in again["journal"].items() if v["action"] != "migrate"}
    assert again == tables
