"""Item 6: the demo audit's report previewed in the app, and exported.

Run: `.venv/bin/python -m benchmarks.bench_report [--runs N]` for the table,
`.venv/bin/python benchmarks/bench_report.py` for one line per figure, or `python -m
benchmarks` (which calls `collect()`); `run()` returns the figures as plain tuples.

The data.  The demo workspace exactly as `maca demo` builds it (`storage.demo`), in a
temporary folder; the report of MACA-C86 is about 300 lines of Markdown with 22
headings and 13 tables.

(a) Preview ready, in process (headless `run_test`, 120x40).  Each run starts a fresh app
    on the workspace, opens the audit (Scope shows first), then times
    `AuditScreen.open_section(...)` for the Report section until the first frame in
    which the preview has painted report lines.
    maca: `ReportSection` (the report built in a thread worker, parsed by markdown-it and
    laid out as Rich `Text` lines, painted through the line API, plus the jump list).
    Baseline: a section holding Textual's stock `Markdown` widget fed the same Markdown
    (built the same way, `report_for`), until it announces its table of contents (every
    block mounted) and the next frame is painted.  Budget: <= 300 ms.
(b) Export: `storage.export.export_report` of the same report to a file, as Markdown and
    as HTML (build, render, guard against every stored identifier, atomic write,
    journal entry).  Baseline: writing the same Markdown bytes with open/write/fsync/
    rename, i.e. the disk's share of the work.  Budget: <= 100 ms.

One warm-up of each side, then `runs` alternating runs, each from a collected heap (the
stock widget leaves thousands of widgets behind for the collector); medians.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

if not __package__:  # run as a file (`python benchmarks/bench_report.py`): find the project
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual.app import ComposeResult  # noqa: E402
from textual.widgets import Markdown  # noqa: E402

from benchmarks.common import Figure, alternate, median, standalone  # noqa: E402
from screens.context import ctx  # noqa: E402
from screens.audit.sections import Section  # noqa: E402

ITEMS = ("6",)
REF = "MACA-C86"
TODAY = date(2021, 4, 20)
SIZE = (120, 40)
PREVIEW_BUDGET_MS = 300.0
EXPORT_BUDGET_MS = 100.0


class StockReportSection(Section):
    """The baseline: the same report in Textual's own Markdown widget, nothing else."""

    def compose(self) -> ComposeResult:
        from storage.export import report_for

        c = ctx(self.app)
        yield Markdown(report_for(c.ws, self.audit_ref, c.today()).markdown, id="stock-markdown")

    def focus_first(self) -> None:
        """Nothing to focus in a bare Markdown widget."""

    def on_markdown_table_of_contents_updated(self, _: Markdown.TableOfContentsUpdated) -> None:
        self.app.call_after_refresh(self._painted)

    def _painted(self) -> None:
        StockReportSection.ready_at = time.perf_counter()

    ready_at: float | None = None


def build_workspace(folder: Path) -> Path:
    from storage.demo import build_demo
    from storage.lock import os_login

    return build_demo(folder / "demo.json", os_login()).path


def _preview_once(path: Path, stock: bool) -> float:
    """Seconds from opening the Report section to the frame that shows the report."""
    from screens.audit.screen import AuditScreen
    from screens.report.view import ReportView
    from screens.audit.sections import SectionSpec
    from storage.lock import os_login
    from storage.workspace import Workspace
    from tui.app import build_app

    ws = Workspace.open(path, os_login())
    spec = (SectionSpec(7, "report", "Report", __name__, "StockReportSection") if stock
            else SectionSpec(7, "report", "Report", "screens.report.section", "ReportSection"))

    painted: dict[str, float] = {}
    original = ReportView.render_line

    def render_line(self: ReportView, y: int) -> Any:
        strip = original(self, y)
        if self.painted and "frame" not in painted:  # the first frame with report lines
            painted["frame"] = 1
            self.app.call_after_refresh(lambda: painted.setdefault("at", time.perf_counter()))
        return strip

    async def run() -> float:
        app = build_app(ws, today=TODAY, watch_interval=0)
        async with app.run_test(size=SIZE) as pilot:
            app.push_screen(AuditScreen(REF))
            while not (isinstance(app.screen, AuditScreen) and app.screen.current):
                await pilot.pause(0.01)
            await pilot.pause(0.05)
            StockReportSection.ready_at = None
            painted.clear()
            gc.collect()  # each run starts from a collected heap, whatever the previous run left
            started = time.perf_counter()
            await app.screen.open_section(spec)
            # Sleep between looks rather than spin: a busy loop here would compete with
            # the worker thread for the GIL and slow down what is being timed.
            while (StockReportSection.ready_at if stock else painted.get("at")) is None:
                await asyncio.sleep(0.002)
                if time.perf_counter() > started + 30:
                    raise RuntimeError("the report was never painted")
            return (StockReportSection.ready_at if stock else painted["at"]) - started

    ReportView.render_line = render_line  # type: ignore[method-assign]
    try:
        return asyncio.run(run())
    finally:
        ReportView.render_line = original  # type: ignore[method-assign]


def _export_once(path: Path, target: Path, fmt: str) -> float:
    from storage.export import export_report
    from storage.lock import os_login
    from storage.workspace import Workspace

    ws = Workspace.open(path, os_login())
    ws.audits()  # the file read and decoded before timing, as in the running app
    started = time.perf_counter()
    export_report(ws, REF, target, fmt, TODAY)
    return time.perf_counter() - started


def _plain_write_once(target: Path, payload: bytes) -> float:
    """The disk's share: the same bytes written, synced and renamed into place."""
    started = time.perf_counter()
    temp = target.with_name(target.name + ".tmp")
    with open(temp, "wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, target)
    return time.perf_counter() - started


def collect(runs: int) -> list[Figure]:
    from storage.export import report_for
    from storage.lock import os_login
    from storage.workspace import Workspace

    with tempfile.TemporaryDirectory(prefix="maca-bench-report-") as tmp:
        folder = Path(tmp)
        path = build_workspace(folder)
        markdown = report_for(Workspace.open(path, os_login()), REF, TODAY).markdown
        lines = markdown.count("\n")
        preview = alternate({"maca": lambda: _preview_once(path, False),
                             "stock": lambda: _preview_once(path, True)}, runs)
        payload = markdown.encode("utf-8")
        export = alternate({
            "md": lambda: _export_once(path, folder / "report.md", "md"),
            "html": lambda: _export_once(path, folder / "report.html", "html"),
            "plain": lambda: _plain_write_once(folder / "plain.md", payload),
        }, runs)
    plain = median(export["plain"]) * 1000
    return [
        Figure("6", f"report preview ready, demo ({lines} lines; vs stock Markdown widget)",
               median(preview["maca"]) * 1000, median(preview["stock"]) * 1000, "ms",
               max_value=PREVIEW_BUDGET_MS, runs=runs),
        Figure("6", "report export, Markdown (vs write+fsync+rename of the text)",
               median(export["md"]) * 1000, plain, "ms", max_value=EXPORT_BUDGET_MS, runs=runs),
        Figure("6", "report export, HTML (vs write+fsync+rename of the Markdown)",
               median(export["html"]) * 1000, plain, "ms", max_value=EXPORT_BUDGET_MS, runs=runs),
    ]


def run(runs: int = 5) -> list[tuple[str, float, float | None, str]]:
    """(figure, maca ms, baseline ms or None, budget) for each figure, for any runner."""
    return [(f.name, f.maca or 0.0, f.baseline, f.budget()) for f in collect(max(5, runs))]


if __name__ == "__main__":
    if len(sys.argv) == 1:  # on its own: one line per figure with its ratio
        for name, maca, baseline, budget in run():
            ratio = f"{maca / baseline:.2f}x" if baseline else "-"
            print(f"{name}: {maca:.1f} ms (baseline {baseline:.1f} ms, ratio {ratio}; budget {budget})")
        raise SystemExit(0)
    standalone(collect, __doc__.splitlines()[0])
