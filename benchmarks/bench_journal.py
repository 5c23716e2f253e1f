"""Item 9 (issue 14 items 3 and 7): the journal while an auditor types.

The workspace.  A copy of the cached one-audit workspace of `benchmarks.ten_years`
(the audit in fieldwork, its 160 returns drafts with ~5 KB of answers each).

maca.  The real app, headless (`run_test`, 120x40), on the audit tool of one draft
return: for each of 5 answers, the answer's editor is opened (`e`), 200 characters of
evidence are typed one key at a time, and the editor is closed (escape); then the tool
is left (escape) and the app quits.  1,000 characters in all.  An autosave each 0.5 s
while typing at about four characters a second is an autosave every 2 characters: the
tool's own autosave timer does each save (`screens.tool.saving`), with its delay made
0.01 s and the keys sent two at a time, each pair waiting until its autosave is done,
so that the 500 autosaves take seconds, not four minutes; what they write is the same.

The figure is how much the workspace folder grew (every file, the journal included),
against the characters typed (1,000 bytes) as the baseline.  The rolling backups
(`backups/`: each file's version before each of its last 20 writes) are left out: they
are bounded by design, replaced, not added to, once 20 writes old (issue 14 item 5);
their size is printed beside the figure.  Budget: <= 60 KB.  One run: the figure is a
count of bytes, the same run after run.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from screens.tool.screen import ToolScreen
from storage.lock import os_login
from storage.workspace import Workspace

from benchmarks.common import Figure, alternate, median, standalone
from benchmarks.ten_years import Scale, cached_folder, copy_of

ITEMS = ("9",)
ONE_AUDIT = Scale(years=1, audits_per_year=1)
ANSWERS = 5
CHARS = 200  # per answer: 1,000 in all
PER_AUTOSAVE = 2  # characters typed in half a second at about four a second
TODAY = date(2015, 6, 1)
WORDS = "seen by the health visitor at home and the mother reported concerns about her partner "


def folder_bytes(folder: Path, *, backups: bool) -> int:
    total = 0
    for base, dirs, files in os.walk(folder):
        if not backups and Path(base) == folder and "backups" in dirs:
            dirs.remove("backups")
        total += sum(os.lstat(os.path.join(base, name)).st_size for name in files)
    return total


def type_answers(path: Path) -> tuple[int, int, int]:
    """Type 1,000 characters into 5 answers through the app; (bytes the workspace grew
    without backups, the journal's growth, the backups' growth)."""
    import screens.tool.saving as saving
    from tui.app import build_app

    ws = Workspace.open(path, os_login())
    ref = ws.audits()[-1].ref
    draft = next(r for r in ws.returns(ref) if r.status.value == "draft")
    before, before_all = folder_bytes(path, backups=False), folder_bytes(path, backups=True)
    journal_before = folder_bytes(path / "journal", backups=True)
    text = (WORDS * (CHARS // len(WORDS) + 1))[:CHARS]

    async def run() -> None:
        app = build_app(ws, today=TODAY, watch_interval=0)
        async with app.run_test(size=(120, 40)) as pilot:
            tool = ToolScreen(ref, draft.case_ref, draft.agency)
            await app.push_screen(tool)
            await _until(pilot, lambda: bool(tool.rows))
            questions = [row.id for row in tool.rows if row.id.startswith("question:")][:ANSWERS]
            for row_id in questions:
                tool.highlight(row_id)
                await _until(pilot, lambda: tool.current_row().id == row_id)
                await pilot.press("e")
                await _until(pilot, lambda: tool.editing is not None)
                for at in range(0, CHARS, PER_AUTOSAVE):
                    await pilot.press(*[c if c != " " else "space" for c in text[at:at + PER_AUTOSAVE]])
                    await _until(pilot, lambda: not _saver(tool).pending)  # its autosave is done
                await pilot.press("escape")
                await _until(pilot, lambda: tool.editing is None and not _saver(tool).pending)
            await pilot.press("escape")  # leave the return
            await _until(pilot, lambda: not isinstance(app.screen, ToolScreen))
            stored = Workspace.open(path, os_login()).get_return(ref, draft.case_ref, draft.agency)
            for qid in (q.removeprefix("question:") for q in questions):
                assert stored is not None and stored.answers[qid].evidence.endswith(text), "typing was lost"

    saving_delay = saving.SAVE_DELAY
    saving.SAVE_DELAY = 0.01
    try:
        asyncio.run(run())
    finally:
        saving.SAVE_DELAY = saving_delay
    grown = folder_bytes(path, backups=False) - before
    journal = folder_bytes(path / "journal", backups=True) - journal_before
    backups = folder_bytes(path, backups=True) - before_all - grown
    return grown, journal, backups


def _saver(tool: ToolScreen) -> object:
    """What holds the tool's unsaved changes (its autosave object, or the screen itself
    before the autosave became an object of its own)."""
    return getattr(tool, "autosave", tool)


async def _until(pilot: object, condition: object, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():  # type: ignore[operator]
        if loop.time() > deadline:
            raise RuntimeError("the audit tool did not get there in time")
        await pilot.pause(0.001)  # type: ignore[attr-defined]


def collect(runs: int) -> list[Figure]:
    built = cached_folder(ONE_AUDIT, name="one-audit")
    results: list[tuple[int, int, int]] = []
    with tempfile.TemporaryDirectory(prefix="maca-bench-journal-") as tmp:
        made = 0

        def once() -> float:
            nonlocal made
            made += 1
            results.append(type_answers(copy_of(built, Path(tmp) / f"ws-{made}")))
            return float(results[-1][0])

        # Bytes, not a time: one run gives the same count as the median of five (the
        # text, the keys and the autosaves are the same each time), and a run is 500
        # saves through the app, so one run it is.
        grown = alternate({"maca": once}, 1, warmup=0)["maca"]
    kept = results
    print(f"journal grew {median(r[1] for r in kept) / 1000:.1f} KB; backups (bounded, left out) "
          f"{median(r[2] for r in kept) / 1000:.0f} KB", file=sys.stderr, flush=True)
    return [
        Figure("9", f"workspace growth typing {ANSWERS * CHARS:,} chars into {ANSWERS} answers "
               f"(autosave each {PER_AUTOSAVE} chars) vs the text typed",
               median(grown) / 1000, ANSWERS * CHARS / 1000, "KB", max_value=60, runs=1),
    ]


if __name__ == "__main__":
    standalone(collect, __doc__.splitlines()[0])
