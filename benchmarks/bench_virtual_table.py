"""VirtualTable against the stock DataTable, filled with the same 20,000 rows in the same run.

Run: `.venv/bin/python benchmarks/bench_virtual_table.py [--rows N] [--runs N]`

Method. Each run starts a fresh app under `App.run_test()` (headless, 120x40). Textual's
headless driver skips only the final write to the terminal: the compositor still asks
every visible widget for its lines, so the table's painting cost is inside the figures.
"Painted" is the moment a `call_after_refresh` callback fires: Textual runs those only
once the screen has no pending layout or dirty widgets, i.e. after the compositor has
rendered the frame that includes the change. Each app also checks that data rows were
actually rendered before that moment.

(a) ready:  `perf_counter()` just before `run_test()` starts the app, to the first paint
            after `on_mount` filled the table (DataTable: `add_columns` + `add_rows` of
            tuples of str built from the row objects; VirtualTable: `set_rows`).
            Also shown: fill+paint alone, from the start of `on_mount`.
(b) filter: from just before the filter is applied (DataTable has no filter, so `clear()`
            + `add_rows()` of the matching rows; VirtualTable: `filter(predicate)`) to
            the next paint. The predicate is a substring search over three columns.
(c) cursor: `action_cursor_down()` to the next paint (in-process; the tmux keypress
            figure belongs to the cohort-screen benchmark).

A "frame floor" run (VirtualTable with 40 rows) shows what the first frame costs anyway.
One warm-up run of each table, then medians of N runs (default 5), alternating tables.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
from dataclasses import astuple, dataclass
from pathlib import Path
from time import perf_counter
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual.app import App, ComposeResult  # noqa: E402
from textual.strip import Strip  # noqa: E402
from textual.widgets import DataTable  # noqa: E402

from screens.widgets.virtual_table import Column, VirtualTable  # noqa: E402

SIZE = (120, 40)
FIELDS = ("ref", "child", "born", "agency", "team", "worker", "status", "opened", "notes")
AGENCIES = ("Police", "Health", "Education", "Children's social care", "Probation", "Housing")
STATUSES = ("Open", "Closed", "Referred", "Stepped down", "Strategy meeting")
NAMES = ("Alex", "Sam", "Jordan", "Riley", "Morgan", "Casey", "Jamie", "Taylor", "Robin")
SURNAMES = ("Smith", "Jones", "Khan", "Patel", "Brown", "Wilson", "Evans", "Nowak", "Okafor")


@dataclass(eq=False)
class Candidate:
    ref: str
    child: str
    born: str
    agency: str
    team: str
    worker: str
    status: str
    opened: str
    notes: str


def make_rows(count: int) -> list[Candidate]:
    rng = random.Random(20240601)
    rows = []
    for i in range(count):
        rows.append(
            Candidate(
                ref=f"MA-{i:06d}",
                child=f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}",
                born=f"20{rng.randint(6, 23):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                agency=rng.choice(AGENCIES),
                team=f"Team {rng.randint(1, 40)}",
                worker=f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}",
                status=rng.choice(STATUSES),
                opened=f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                notes=" ".join(rng.choice(SURNAMES).lower() for _ in range(rng.randint(0, 8))),
            )
        )
    return rows


def matches(needle: str) -> Callable[[Candidate], bool]:
    def predicate(row: Candidate) -> bool:
        return needle in row.child.casefold() or needle in row.worker.casefold() or (
            needle in row.notes
        )

    return predicate


NEEDLE_MATCHES = matches("an")


class BenchApp(App[None]):
    """Shared timing plumbing; subclasses fill one kind of table."""

    def __init__(self, rows: list[Candidate]) -> None:
        super().__init__()
        self.rows = rows
        self.mount_at = 0.0
        self.painted_at: float | None = None
        self.rows_rendered = False

    def mark(self) -> None:
        self.painted_at = perf_counter()

    def after_next_paint(self) -> None:
        self.painted_at = None
        self.rows_rendered = False
        self.call_after_refresh(self.mark)

    async def wait_painted(self, pilot) -> float:
        while self.painted_at is None:
            await pilot.pause()
        assert self.rows_rendered, "the table was never painted"
        return self.painted_at


class StockTable(DataTable):
    def render_line(self, y: int) -> Strip:
        if y > 0 and self.row_count:
            self.app.rows_rendered = True
        return super().render_line(y)


class FastTable(VirtualTable):
    def render_line(self, y: int) -> Strip:
        if y > 0 and self.row_count:
            self.app.rows_rendered = True
        return super().render_line(y)


class StockApp(BenchApp):
    def compose(self) -> ComposeResult:
        yield StockTable(cursor_type="row")

    def on_mount(self) -> None:
        self.mount_at = perf_counter()
        table = self.query_one(StockTable)
        table.add_columns(*(name.title() for name in FIELDS))
        table.add_rows(astuple(row) for row in self.rows)
        self.after_next_paint()

    def apply_filter(self, predicate: Callable[[Candidate], bool]) -> None:
        table = self.query_one(StockTable)
        table.clear()
        table.add_rows(astuple(row) for row in self.rows if predicate(row))

    def cursor_down(self) -> None:
        self.query_one(StockTable).action_cursor_down()


class VirtualApp(BenchApp):
    def compose(self) -> ComposeResult:
        yield FastTable(
            [Column(name, name.title()) for name in FIELDS],
            cell=lambda row, key: getattr(row, key),
        )

    def on_mount(self) -> None:
        self.mount_at = perf_counter()
        self.query_one(FastTable).set_rows(self.rows)
        self.after_next_paint()

    def apply_filter(self, predicate: Callable[[Candidate], bool]) -> None:
        self.query_one(FastTable).filter(predicate)

    def cursor_down(self) -> None:
        self.query_one(FastTable).action_cursor_down()


async def run_once(app_class: type[BenchApp], rows: list[Candidate]) -> dict[str, float]:
    app = app_class(rows)
    started = perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        painted = await app.wait_painted(pilot)
        figures = {"ready": painted - started, "fill": painted - app.mount_at}
        await pilot.pause()

        app.after_next_paint()
        begin = perf_counter()
        app.apply_filter(NEEDLE_MATCHES)
        figures["filter"] = await app.wait_painted(pilot) - begin
        await pilot.pause()

        app.after_next_paint()
        begin = perf_counter()
        app.cursor_down()
        figures["cursor"] = await app.wait_painted(pilot) - begin
    return figures


async def main(count: int, runs: int) -> None:
    rows = make_rows(count)
    results: dict[type[BenchApp], list[dict[str, float]]] = {StockApp: [], VirtualApp: []}
    for app_class in results:  # warm-up: imports, CSS parsing, first-use caches
        await run_once(app_class, rows)
    floor: list[dict[str, float]] = []  # the same app with one screenful of rows
    for _ in range(runs):
        for app_class in results:
            results[app_class].append(await run_once(app_class, rows))
        floor.append(await run_once(VirtualApp, rows[:40]))

    def median_ms(app_class: type[BenchApp], key: str) -> float:
        return statistics.median(run[key] for run in results[app_class]) * 1000

    print(
        f"VirtualTable vs stock DataTable: {count:,} rows x {len(FIELDS)} columns, "
        f"{SIZE[0]}x{SIZE[1]} headless, median of {runs} runs after 1 warm-up; "
        f"the filter keeps {sum(map(NEEDLE_MATCHES, rows)):,} rows"
    )
    print(f"{'figure':<38}{'VirtualTable':>14}{'DataTable':>12}{'ratio':>9}  budget")
    lines = [
        ("(a) app start to first paint", "ready", "<= 0.25x stock"),
        ("    on_mount fill to first paint", "fill", ""),
        ("(b) re-filter to painted", "filter", "<= 100 ms"),
        ("(c) cursor down to painted", "cursor", "<= 50 ms (tmux)"),
    ]
    for label, key, budget in lines:
        fast, stock = median_ms(VirtualApp, key), median_ms(StockApp, key)
        print(f"{label:<38}{fast:>11.1f} ms{stock:>9.1f} ms{fast / stock:>8.3f}x  {budget}")
    frame = statistics.median(run["fill"] for run in floor) * 1000
    print(
        f"frame floor: VirtualTable with 40 rows, on_mount fill to first paint {frame:.1f} ms "
        f"(so {count:,} rows cost {median_ms(VirtualApp, 'fill') - frame:+.1f} ms beyond the frame)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rows, arguments.runs))
