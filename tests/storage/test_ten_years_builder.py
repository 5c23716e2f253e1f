"""The benchmarks' ten-year builder (benchmarks/ten_years.py) at a small scale: it builds,
its cached folder opens as a workspace, and its journal of typed returns is the app's
field-level journal (one answer an entry), so `make bench` measures what the app writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.ten_years import SMALL, build_tables, cached_folder, copy_of
from storage.lock import os_login
from storage.workspace import Workspace

pytestmark = pytest.mark.slow


def test_a_small_ten_years_builds_caches_and_opens(tmp_path: Path) -> None:
    login = os_login()
    built = cached_folder(SMALL, login, name="small", cache=tmp_path / "cache")
    again = cached_folder(SMALL, login, name="small", cache=tmp_path / "cache")
    assert again == built  # built once: the second call finds it
    ws = Workspace.open(copy_of(built, tmp_path / "copy"), login)
    audits = ws.audits()
    assert len(audits) == SMALL.years * SMALL.audits_per_year
    newest = audits[-1].ref
    assert len(ws.cases(newest)) == SMALL.candidates
    assert len(ws.returns(newest)) == SMALL.cohort * len(audits[-1].agencies)
    assert {r.status.value for r in ws.returns(newest)} == {"draft"}
    assert {r.status.value for r in ws.returns(audits[0].ref)} == {"submitted"}


def test_each_typed_answer_is_journaled_alone_as_the_app_settles_it() -> None:
    tables = build_tables("lead", SMALL)
    ret = next(iter(tables["returns"].values()))
    key = f"{ret['audit']}/{ret['case_ref']}/{ret['agency']}"
    entries = [e for e in tables["journal"].values() if e["entity"] == "returns" and e["key"] == key]
    assert entries[0]["action"] == "create"
    answered = [e for e in entries if e["action"] == "update" and "answers" in (e.get("after") or {})]
    assert len(answered) == len(ret["answers"])  # one entry per answer typed
    for entry in answered:
        assert len(entry["after"]["answers"]) == 1  # that answer only, not all of them
    typed = {qid: a for e in answered for qid, a in e["after"]["answers"].items()}
    assert typed == ret["answers"]
