"""Rolling backups (storage.backups): each save keeps the version it replaces by a hard
link to that very file (no copy, no fsync of its own), the last 20 and one a day for 30
days are kept, and `--restore --at` brings a workspace back from them."""

from __future__ import annotations

import dataclasses
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from audit.access import Act
from storage import backups
from storage.backups import KEEP_DAYS, KEEP_LAST, keep_version, version_at, versions
from storage.demo import build_demo
from storage.layout import Layout
from storage.lock import os_login
from storage.restore import restore_at
from storage.workspace import Workspace

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return build_demo(tmp_path / "ws", os_login()).path


def replace(target: Path, data: bytes) -> None:
    """A new file in `target`'s place, as every save makes one (never written in place)."""
    tmp = target.with_name(".new")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def rename(path: Path, name: str) -> None:
    ws = Workspace.open(path, os_login())
    ws.save(dataclasses.replace(ws.partnership(), name=name), act=Act.MANAGE_USERS)


def test_a_save_keeps_the_replaced_file_itself_by_a_link(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    layout = Layout(demo)
    before = os.stat(layout.partnership)
    old_bytes = layout.partnership.read_bytes()
    advised: list[int] = []
    real = os.posix_fadvise
    monkeypatch.setattr(os, "posix_fadvise", lambda fd, o, n, how: advised.append(how) or real(fd, o, n, how))
    rename(demo, "Renamed")
    kept = [v for v in versions(layout) if v.file == layout.partnership][-1]
    assert os.path.samestat(os.stat(kept.path), before)  # the very inode: nothing was copied
    assert kept.path.read_bytes() == old_bytes
    assert os.stat(layout.partnership).st_ino != before.st_ino  # the save made a new file
    assert os.POSIX_FADV_DONTNEED in advised  # its pages need not stay in memory


def test_the_last_20_and_one_a_day_for_30_days_are_kept(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    target = tmp_path / "partnership.json"
    stamps = []
    for day in range(40):  # three saves a day for 40 days, the newest last
        for hour in (9, 12, 17):
            when = T0 - timedelta(days=39 - day) + timedelta(hours=hour - 9)
            replace(target, f"{day}-{hour}".encode())
            keep_version(layout, target, now=when)
            stamps.append(when)
    kept = {v.until for v in versions(layout)}
    now = stamps[-1]
    last = set(stamps[-KEEP_LAST:])
    daily = {max(s for s in stamps if s.date() == d) for d in {s.date() for s in stamps}
             if max(s for s in stamps if s.date() == d) >= now - timedelta(days=KEEP_DAYS)}
    assert kept == last | daily
    assert len(kept) == len(last | daily) < len(stamps)


def test_a_version_is_what_the_file_held_until_its_time(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    target = tmp_path / "partnership.json"
    for n in range(3):
        replace(target, f"v{n}".encode())
        keep_version(layout, target, now=T0 + timedelta(minutes=n))
    replace(target, b"v3")
    assert version_at(layout, target, T0 - timedelta(seconds=1)).path.read_bytes() == b"v0"
    assert version_at(layout, target, T0 + timedelta(seconds=90)).path.read_bytes() == b"v2"
    assert version_at(layout, target, T0 + timedelta(minutes=5)) is None  # the file itself


def test_restore_at_brings_back_the_name_from_before_a_save(demo: Path) -> None:
    rename(demo, "First")
    between = datetime.now(timezone.utc)
    rename(demo, "Second")
    done = restore_at(demo, between, os_login())
    assert done
    assert Workspace.open(demo, os_login()).partnership().name == "First"


def test_a_backup_folder_that_cannot_take_links_gets_a_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    layout = Layout(tmp_path)
    target = tmp_path / "partnership.json"
    target.write_bytes(b"v0")
    keep_version(layout, target, now=T0)  # makes the folders

    def refuse(*a: object, **k: object) -> None:
        raise PermissionError(1, "links not allowed here")

    monkeypatch.setattr(os, "link", refuse)
    replace(target, b"v1")
    keep_version(layout, target, now=T0 + timedelta(minutes=1))
    assert [v.path.read_bytes() for v in versions(layout)] == [b"v0", b"v1"]


def test_names_that_are_not_stamps_are_left_alone() -> None:
    assert backups._parse("20261202T090000.000000Z.json") == T0
    for name in ("notes.txt", "20261202T090000.000000Z.jsonx", "2026120xT090000.000000Z.json",
                 "20261302T090000.000000Z.json", ".20261202T090000.000000Z.json.tmp"):
        assert backups._parse(name) is None
