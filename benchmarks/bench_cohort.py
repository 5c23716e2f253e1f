"""Items 2 and 3: the Cohort section with 20,000 candidates, against the stock DataTable.

Run: `.venv/bin/python -m benchmarks.bench_cohort [--runs N]` (or through `python -m
benchmarks`).  Prints each figure beside its baseline measured in the same run.

The data.  20,000 candidates in the layout of DESIGN §6, generated like item 5's file
(`bench_import.write_csv`: mixed answers, blanks, one to three engagement periods,
identifiers, notes), imported into a fresh workspace with the demo partnership and
the demo audit (four criteria).  Built once, untimed.

(3) Section ready, in process (headless `run_test`, 120x40).  Each run starts a fresh
    app on the workspace (its models already decoded, as the home screen leaves them),
    opens the audit, then times `AuditScreen.open_section(...)`:
    - ready: until the end of the first compositor refresh that painted the table's
      data rows (the headless driver skips only the final write to the terminal).
      maca's section paints first and screens the 20,000 cases in one batch right
      after that frame (`cohort.DEFER_FROM`); the rows on screen are screened as they
      are painted, so that frame shows real marks.  Budget <= 0.25x the baseline.
    - settled: until a `call_after_refresh` callback queued after the section opened
      runs, i.e. after the batch screening, the counts and the detail pane: what a
      key pressed at once would wait for.  Budget <= 0.25x the baseline.
    Baseline: a section holding the stock `DataTable`, filled with the same cells from
    the same screening (`add_columns` + `add_rows`) and nothing else.  Like with like
    (issue 14 item 7): neither screens the 20,000 cases in mount.  The baseline's cells
    are made before the clock starts; maca's section screens after its first frame,
    so its "settled" figure includes the screening the baseline was spared.

(2) In tmux (120x40, a private server polled every millisecond), the real `maca --db`
    and, as the baseline, a small app holding the same stock DataTable run from this
    module (`--stock-app`; it filters by `clear()` + `add_rows()` of the matches, as a
    DataTable must).  Both show `showing N of 20,000 · filter: “text”` and a
    `Case REF` detail line, so the moment a change is painted can be seen.
    - filter keystroke to painted: `/`, then "rb-0123" typed one key at a time and
      taken back with backspace to "r" (13 keystrokes per session, from every row
      matching to about a hundred); each timed from the key being sent to its
      "showing N … “text”" being on the screen.  Budget <= 100 ms.
    - cursor key to screen update: ten `down` keys, each timed until the detail shows
      the next case (maca's detail pane holds the whole case: criteria and reasons).
      Budget <= 50 ms.
    Each session's median; the figure is the median of `runs` sessions after one
    warm-up session of each program, maca and the baseline in turn.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.strip import Strip
from textual.widgets import DataTable

from benchmarks.common import Figure, Tmux, alternate, have_tmux, maca_command, median, standalone
from screens.context import ctx
from screens.audit.sections import Section

ITEMS = ("2", "3")
ROWS = 20_000
REF = "MACA-C86"
NEEDLE = "rb-0123"
CURSOR_MOVES = 10
_CASE = re.compile(r"Case (RB-\d+)")
SIZE = (120, 40)


# --------------------------------------------------------------------------- the data


def build_workspace(folder: Path) -> Path:
    """A workspace with the demo audit and ROWS generated candidates; its path."""
    from benchmarks.bench_import import write_csv
    from storage.cohort import import_candidates, validate_candidates
    from storage.demo import demo_audit, demo_partnership
    from storage.lock import os_login
    from storage.workspace import Workspace

    partnership, users = demo_partnership()
    ws = Workspace.create(folder / "cohort-20k.json", os_login(), partnership, users=users)
    with ws.transaction() as tx:
        tx.insert(demo_audit(partnership.agency_codes()), summary="created the audit")
    csv_path = folder / "candidates.csv"
    write_csv(csv_path, partnership.agency_codes(), ROWS)
    audit = ws.audit(REF)
    result = validate_candidates(ws, audit, csv_path.read_bytes())
    if not result.ok:
        raise RuntimeError("the generated file does not import: " + "; ".join(map(str, result.problems[:3])))
    import_candidates(ws, audit, result.cases, source=csv_path.name)
    return ws.path


def stock_cells(ws: Any, today: Any) -> tuple[list[str], list[tuple[Any, ...]], list[str], list[str]]:
    """The stock table's columns, rows (same cells as the section), refs and haystacks."""
    from rich.text import Text

    from audit.screening import screen_cases
    from screens.cohort.rows import ELIGIBLE_CELL, IN_CELL, OUTCOME_CELL, haystack, natural_key

    audit = ws.audit(REF)
    cases = sorted(ws.cases(REF), key=lambda c: natural_key(c.case_ref))
    screened = screen_cases(audit, cases, today)
    columns = ["In", "Case ref", *[f"C{n}" for n in range(1, len(audit.criteria) + 1)], "Eligible", "Reason"]
    rows = [
        (IN_CELL[s.case.in_cohort], s.case.case_ref,
         *[OUTCOME_CELL[s.results[c.id].outcome] for c in audit.criteria],
         ELIGIBLE_CELL[s.eligible], Text(s.case.decision_reason))
        for s in screened
    ]
    return columns, rows, [c.case_ref for c in cases], [haystack(c, True) for c in cases]


# --------------------------------------------------------------------------- (3) ready


class StockTable(DataTable):
    painted_rows = False  # set once a data row has been painted

    def render_line(self, y: int) -> Strip:
        if y > 0 and self.row_count:
            StockTable.painted_rows = True
        return super().render_line(y)


class StockCohortSection(Section):
    """The baseline: the same cells in the stock DataTable, and nothing else.  Its cells
    (the screening of every case) are made before the clock starts (`PREPARED`): like
    maca's section, it does not screen in mount."""

    PREPARED: tuple[list[str], list[tuple[Any, ...]]] | None = None

    def compose(self) -> ComposeResult:
        yield StockTable(cursor_type="row", id="stock-table")

    def on_mount(self) -> None:
        if StockCohortSection.PREPARED is None:
            c = ctx(self.app)
            StockCohortSection.PREPARED = stock_cells(c.ws, c.today())[:2]
        columns, rows = StockCohortSection.PREPARED
        table = self.query_one(StockTable)
        table.add_columns(*columns)
        table.add_rows(rows)

    def focus_first(self) -> None:
        self.query_one(StockTable).focus()


def _ready_once(path: Path, stock: bool) -> tuple[float, float]:
    """Seconds from opening the section to (the end of the first frame that painted the
    table's rows, the moment everything the section does on opening is done)."""
    from datetime import date

    from textual.screen import Screen

    import screens.cohort.section as cohort_module
    from screens.audit.screen import AuditScreen
    from screens.audit.sections import SectionSpec
    from storage.lock import os_login
    from storage.workspace import Workspace
    from tui.app import build_app

    ws = Workspace.open(path, os_login())
    ws.cases(REF)  # decoded before timing: the home screen has already done this
    if stock:  # the baseline's cells, screened before the clock (see StockCohortSection)
        StockCohortSection.PREPARED = stock_cells(ws, date(2021, 4, 20))[:2]
    spec = (SectionSpec(2, "cohort", "Cohort", __name__, "StockCohortSection") if stock
            else SectionSpec(2, "cohort", "Cohort", "screens.cohort.section", "CohortSection"))
    state: dict[str, Any] = {"rows": False, "timing": False}
    original_line = cohort_module.CohortTable.render_line
    original_refresh = Screen._compositor_refresh

    def render_line(self: Any, y: int) -> Strip:
        if y > 0 and self.row_count:
            state["rows"] = True
        return original_line(self, y)

    def compositor_refresh(self: Any) -> None:
        original_refresh(self)
        painted = StockTable.painted_rows if stock else state["rows"]
        if state["timing"] and painted and "frame" not in state:
            state["frame"] = time.perf_counter()

    async def run() -> tuple[float, float]:
        app = build_app(ws, today=date(2021, 4, 20), watch_interval=0)
        async with app.run_test(size=SIZE) as pilot:
            app.push_screen(AuditScreen(REF))
            while not (isinstance(app.screen, AuditScreen) and app.screen.current):
                await pilot.pause(0.01)
            await pilot.pause(0.05)
            done: dict[str, float] = {}
            state["rows"] = StockTable.painted_rows = False
            state["timing"] = True
            started = time.perf_counter()
            await app.screen.open_section(spec)
            app.call_after_refresh(lambda: done.setdefault("at", time.perf_counter()))
            while "at" not in done:
                await pilot.pause(0)
            if "frame" not in state:
                raise RuntimeError("the table had not painted its rows")
            if not stock and "Screening" in str(app.screen.query_one("#cohort-status").render()):
                raise RuntimeError("the section had not finished screening")
            return state["frame"] - started, done["at"] - started

    cohort_module.CohortTable.render_line = render_line  # type: ignore[method-assign]
    Screen._compositor_refresh = compositor_refresh  # type: ignore[method-assign]
    try:
        return asyncio.run(run())
    finally:
        cohort_module.CohortTable.render_line = original_line  # type: ignore[method-assign]
        Screen._compositor_refresh = original_refresh  # type: ignore[method-assign]


# --------------------------------------------------------------------------- (2) tmux


def stock_app_main(path: str) -> None:
    """The tmux baseline: the stock DataTable with the same rows, a filter and a detail line."""
    from datetime import date

    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.widgets import DataTable, Footer, Input, Static

    from storage.lock import os_login
    from storage.workspace import Workspace

    ws = Workspace.open(path, os_login())
    columns, rows, refs, hay = stock_cells(ws, date(2021, 4, 20))

    class StockApp(App[None]):
        BINDINGS = [Binding("slash", "filter", "Filter"), Binding("escape", "clear", "Clear")]
        CSS = ("#status { height: 1; } DataTable { height: 1fr; } #detail { height: 1; } "
               "Input { height: 1; border: none; padding: 0; }")

        def compose(self) -> ComposeResult:
            yield Static(id="status")
            yield DataTable(cursor_type="row", id="table")
            yield Static(id="detail")
            yield Input(id="filter")
            yield Footer()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns(*columns)
            self.keys: list[str] = []
            self.fill("")
            table.focus()

        def fill(self, needle: str) -> None:
            table = self.query_one(DataTable)
            table.clear()
            wanted = [i for i, h in enumerate(hay) if needle in h] if needle else list(range(len(rows)))
            self.keys = [refs[i] for i in wanted]
            table.add_rows(rows[i] for i in wanted)
            shown = f"showing {len(wanted):,} of {len(rows):,}"
            self.query_one("#status", Static).update(Text(shown + (f" · filter: “{needle}”" if needle else "")))

        def on_input_changed(self, event: Input.Changed) -> None:
            self.fill(event.value.strip().casefold())

        def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
            if 0 <= event.cursor_row < len(self.keys):
                self.query_one("#detail", Static).update(Text(f"Case {self.keys[event.cursor_row]}"))

        def action_filter(self) -> None:
            self.query_one(Input).focus()

        def action_clear(self) -> None:
            self.query_one(Input).value = ""
            self.query_one(DataTable).focus()

    StockApp().run()


def _expected_counts(path: Path) -> list[tuple[str, int]]:
    """(typed so far, rows matching) for every keystroke of the filter sequence."""
    from storage.lock import os_login
    from storage.workspace import Workspace

    from screens.cohort.rows import haystack

    ws = Workspace.open(path, os_login())
    hay = [haystack(c, True) for c in ws.cases(REF)]
    typed = [NEEDLE[:k] for k in range(1, len(NEEDLE) + 1)] + [NEEDLE[:k] for k in range(len(NEEDLE) - 1, 0, -1)]
    return [(t, sum(1 for h in hay if t in h)) for t in typed]


def _session(tmux: Tmux, argv: list[str], env: dict[str, str], maca: bool,
             steps: list[tuple[str, int]], refs: list[str]) -> tuple[list[float], list[float]]:
    tmux.start(argv, env=env)
    if maca:
        tmux.wait_for(REF, timeout=60)
        tmux.send_keys("Enter")
        tmux.wait_for("▸1 Scope", timeout=60)
        tmux.send_keys("2")
    tmux.wait_for(f"showing {ROWS:,} of {ROWS:,}", timeout=120)
    time.sleep(0.3)  # let deferred work settle
    filtering: list[float] = []
    tmux.send_keys("/")
    time.sleep(0.2)
    previous = ""
    for typed, count in steps:
        key = typed[-1] if len(typed) > len(previous) else "BSpace"
        sent = tmux.send_keys(key) if key == "BSpace" else tmux.send_keys("-l", key)
        seen = tmux.wait_for(f"showing {count:,} of {ROWS:,} · filter: “{typed}”", timeout=30)
        filtering.append(seen - sent)
        previous = typed
    tmux.send_keys("Escape")
    tmux.wait_until(lambda screen: f"showing {ROWS:,} of {ROWS:,}" in screen and "filter:" not in screen,
                    timeout=30)
    time.sleep(0.3)
    found = _CASE.search(tmux.screen())
    if found is None:
        raise RuntimeError(f"no 'Case REF' line on the screen:\n{tmux.screen()}")
    at = refs.index(found.group(1))
    cursor: list[float] = []
    for n in range(1, CURSOR_MOVES + 1):
        sent = tmux.send_keys("Down")
        seen = tmux.wait_for(f"Case {refs[at + n]}", timeout=30)
        cursor.append(seen - sent)
    tmux.send_keys("C-q")
    if not tmux.wait_dead(20):
        raise RuntimeError("the program did not quit on ctrl+q")
    return filtering, cursor


# --------------------------------------------------------------------------- figures


def collect(runs: int) -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="maca-bench-cohort-") as tmp:
        folder = Path(tmp)
        path = build_workspace(folder)

        ready: dict[str, list[tuple[float, float]]] = {"maca": [], "stock": []}

        def open_once(name: str) -> float:
            ready[name].append(_ready_once(path, stock=name == "stock"))
            return ready[name][-1][0]

        alternate({"maca": lambda: open_once("maca"), "stock": lambda: open_once("stock")}, runs)
        first = {name: [r[0] for r in got[-runs:]] for name, got in ready.items()}
        settled = {name: [r[1] for r in got[-runs:]] for name, got in ready.items()}
        figures.append(Figure("3", f"cohort section ready (first frame with rows), {ROWS:,}",
                              median(first["maca"]) * 1000, median(first["stock"]) * 1000, "ms",
                              max_ratio=0.25, runs=runs))
        figures.append(Figure("3", f"cohort section settled (all screened, counted), {ROWS:,}",
                              median(settled["maca"]) * 1000, median(settled["stock"]) * 1000, "ms",
                              max_ratio=0.25, runs=runs))
        if not have_tmux():
            figures.append(Figure("2", "filter keystroke / cursor key (tmux)", status="error: tmux is not installed"))
            return figures
        from screens.cohort.rows import natural_key
        from storage.lock import os_login
        from storage.workspace import Workspace

        refs = sorted((c.case_ref for c in Workspace.open(path, os_login()).cases(REF)), key=natural_key)
        steps = _expected_counts(path)
        env = {"XDG_DATA_HOME": str(folder / "data"), "XDG_CONFIG_HOME": str(folder / "config"),
               "XDG_CACHE_HOME": str(folder / "cache"), "PYTHONDONTWRITEBYTECODE": "",
               "PYTHONPYCACHEPREFIX": str(folder / "pycache")}
        maca_argv = [*maca_command(), "--db", str(path)]
        stock_argv = [sys.executable, "-m", "benchmarks.bench_cohort", "--stock-app", str(path)]
        keys: dict[str, dict[str, list[float]]] = {"maca": {"filter": [], "cursor": []},
                                                    "stock": {"filter": [], "cursor": []}}
        root = str(Path(__file__).resolve().parents[1])
        with Tmux(*SIZE) as tmux:

            def session(name: str, argv: list[str], maca: bool) -> float:
                filtering, cursor = _session(tmux, argv, {**env, "PYTHONPATH": root}, maca, steps, refs)
                keys[name]["filter"].append(statistics.median(filtering))
                keys[name]["cursor"].append(statistics.median(cursor))
                return 0.0

            alternate({"maca": lambda: session("maca", maca_argv, True),
                       "stock": lambda: session("stock", stock_argv, False)}, runs)
        warm = len(keys["maca"]["filter"]) - runs
        figures.append(Figure("2", f"filter keystroke to painted, {ROWS:,} (tmux)",
                              median(keys["maca"]["filter"][warm:]) * 1000,
                              median(keys["stock"]["filter"][warm:]) * 1000, "ms", max_value=100, runs=runs))
        figures.append(Figure("2", f"cursor key to screen update, {ROWS:,} (tmux)",
                              median(keys["maca"]["cursor"][warm:]) * 1000,
                              median(keys["stock"]["cursor"][warm:]) * 1000, "ms", max_value=50, runs=runs))
    return figures


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--stock-app":
        stock_app_main(sys.argv[2])
    else:
        standalone(collect, __doc__.splitlines()[0])
