"""Picking up other sessions' saves (storage.watch): one stat per file read, read and
decoded without touching the session, swapped in whole; every commit announced once."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

import pytest

from audit.access import Act
from audit.return_transitions import edit
from storage.demo import DEMO_AUDIT, build_demo
from storage.lock import os_login
from storage.returns import cohort_refs, open_return, save_draft
from storage.watch import Changes, load, stale_files, swap_in
from storage.workspace import Workspace
from tests.workspace_files import copy_workspace

REF = DEMO_AUDIT


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "w.json"
    build_demo(path, os_login())
    return path


@pytest.fixture
def path(template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "w.json"
    copy_workspace(template, target)
    return target


def watching(path: Path) -> tuple[Workspace, list[Changes]]:
    """A session as the app runs it: reads hand out what was read last; commits announced."""
    ws = Workspace.open(path, os_login())
    ws.files.follow_disk = False
    heard: list[Changes] = []
    ws.listeners.append(heard.append)
    return ws, heard


def retitle(path: Path, title: str) -> None:
    other = Workspace.open(path, "rlead")
    other.save(dataclasses.replace(other.audit(REF), title=title), act=Act.EDIT_SCOPE)


def test_another_sessions_save_is_loaded_aside_then_swapped_in(path: Path) -> None:
    ws, heard = watching(path)
    title = ws.audit(REF).title
    retitle(path, "Retitled elsewhere")
    assert ws.audit(REF).title == title  # no read on the UI thread's own accord
    stale = stale_files(ws)
    assert [f.path for f in stale] == [ws.files.layout.partnership]
    loaded = load(ws, stale)
    assert ws.audit(REF).title == title  # loading (in a thread) changes nothing yet
    changes = swap_in(ws, loaded)
    assert changes == Changes(partnership=True, own=False, tables=frozenset({"audits"}))
    assert changes.touches(REF) and changes.touches("ANOTHER")  # an audit's title: every audit screen
    assert ws.audit(REF).title == "Retitled elsewhere"
    assert stale_files(ws) == [] and heard == []  # the app announces what swap_in returns


def test_a_load_overtaken_by_this_sessions_own_save_is_dropped(path: Path) -> None:
    ws, heard = watching(path)
    retitle(path, "Retitled elsewhere")
    loaded = load(ws, stale_files(ws))
    ws.save(dataclasses.replace(ws.partnership(), name="Renamed here"), act=Act.MANAGE_USERS)
    assert heard == [Changes(partnership=True, own=True)]
    assert not swap_in(ws, loaded)  # older than what the save read under the lock
    assert ws.partnership().name == "Renamed here" and ws.audit(REF).title == "Retitled elsewhere"


def test_each_commit_is_announced_with_its_files(path: Path) -> None:
    ws, heard = watching(path)
    ret = open_return(ws, REF, cohort_refs(ws, REF)[0], "MID")
    save_draft(ws, edit(ret, os_login(), datetime(2021, 4, 20, 10), summary="Seen at booking."))
    assert heard[-1].audits == frozenset({REF}) and heard[-1].own
    retitle(path, "Retitled elsewhere")
    assert ws.refresh() is True  # a read by hand announces what it found too
    assert heard[-1] == Changes(partnership=True, own=False)


def test_a_change_to_another_audits_figures_leaves_this_audits_screen_alone(path: Path) -> None:
    ws, _ = watching(path)
    assert ws.summary(REF)
    coord = Workspace.open(path, "mid.coord")
    ret = open_return(coord, REF, cohort_refs(coord, REF)[0], "MID")
    from storage.returns import raise_concern

    raise_concern(coord, ret, "Bruise on the baby's arm.")  # the audit's figures change
    changes = swap_in(ws, load(ws, stale_files(ws)))
    assert changes.tables == frozenset({"summaries"})
    assert changes.touches(REF) is False  # its file was not read by this session ...
    assert ws.summary(REF)["open_concerns"] == 1  # ... but its figures are current
    assert not changes.touches("ANOTHER")


def test_an_audit_let_go_is_not_watched(path: Path) -> None:
    ws, _ = watching(path)
    assert ws.cases(REF)
    assert ws.release(REF) is True
    coord = Workspace.open(path, "mid.coord")
    ret = open_return(coord, REF, cohort_refs(coord, REF)[0], "MID")
    save_draft(coord, edit(ret, "mid.coord", datetime(2021, 4, 20, 10), summary="Seen at booking."))
    assert REF not in [f.path.stem for f in stale_files(ws)]
    assert ws.get_return(REF, ret.case_ref, "MID").summary == "Seen at booking."  # read again when asked


def _two_returns(path: Path) -> list:
    """Two saved returns of the demo audit, saved by its co-ordinators."""
    saved = []
    for agency, login in (("MID", "mid.coord"), ("HV", "hv.coord")):
        coord = Workspace.open(path, login)
        ret = open_return(coord, REF, cohort_refs(coord, REF)[0], agency)
        saved.append(save_draft(coord, edit(ret, login, datetime(2021, 4, 20, 10), summary="Seen.")))
    return saved


@pytest.mark.parametrize("how", ["in a thread (the app)", "by hand (ws.refresh)"])
def test_a_foreign_save_of_one_return_decodes_that_return_only(path: Path, how: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import storage.store as store

    mid, hv = _two_returns(path)
    ws, _ = watching(path)
    before = {r.key: r for r in ws.returns(REF)}
    assert len(before) >= 2
    coord = Workspace.open(path, "mid.coord")
    save_draft(coord, edit(coord.get(mid), "mid.coord", datetime(2021, 4, 20, 11), summary="Seen again."))
    decoded: list[str] = []
    real = store.from_doc
    monkeypatch.setattr(store, "from_doc",
                        lambda model, doc: decoded.append(getattr(model, "__name__", "")) or real(model, doc))
    if how.startswith("in a thread"):
        assert swap_in(ws, load(ws, stale_files(ws))).audits == frozenset({REF})
    else:
        assert ws.refresh() is True
    after = {r.key: r for r in ws.returns(REF)}
    assert decoded == ["Return"]  # the one that changed; the other returns are kept as decoded
    assert after[mid.key].summary == "Seen again." and after[mid.key] is not before[mid.key]
    assert after[hv.key] is before[hv.key]
    assert after.keys() == before.keys()
