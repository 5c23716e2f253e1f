"""`python -m benchmarks`: run every benchmark module, print one table, exit 1 on a miss.

    python -m benchmarks [--runs N] [--only NAME ...] [--markdown] [--no-scripts]

Every `benchmarks/bench_*.py` with a `collect(runs)` function adds its figures to the
table; each runs in a process of its own, so none inherits another's heap or imports.
The issue's items are listed whether or not their benchmark exists: a module that is
missing, or that cannot import the feature it measures yet, leaves its items "not
built yet" (not a miss).  Any other error is a miss, with its traceback on stderr.
`bench_*.py` scripts without `collect()` run afterwards in a subprocess; their output
is shown as they print it, but they have no budgets here.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import pkgutil
import subprocess
import sys
import time
import traceback
from pathlib import Path

from benchmarks.common import (
    DEFAULT_RUNS,
    FIGURES_LINE,
    MIN_RUNS,
    NOT_BUILT,
    ROOT,
    Figure,
    figures_from_output,
    machine,
    table_markdown,
    table_text,
)

HERE = Path(__file__).resolve().parent
PROJECT_PACKAGES = ("tui", "screens", "storage", "audit", "benchmarks")

# The figures, in its order, and the module expected to measure each.
EXPECTED: list[tuple[str, str, str]] = [
    ("1", "maca demo start to first frame (tmux)", "bench_start"),
    ("2", "cursor key to screen update, cohort of 20,000 (tmux)", "bench_cohort"),
    ("3", "cohort section ready, 20,000 candidates", "bench_cohort"),
    ("4", "save one return, ten years of audits; a foreign save picked up", "bench_save"),
    ("5", "import + screen 50,000 candidates", "bench_import"),
    ("6", "demo report preview ready; export", "bench_report"),
    ("7", "maca demo peak memory", "bench_start"),
    ("8", "identifier guard, largest report of ten years (issue 16)", "bench_guard"),
    ("9", "journal growth typing 1,000 chars into 5 answers", "bench_journal"),
    ("10", "ten-year workspace start to first frame; peak memory", "bench_start"),
    ("11", "10 live sessions on ten years, 2 typing (tmux)", "bench_sessions"),
]


def discover() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))


def _not_built(exc: ModuleNotFoundError, module: str) -> bool:
    """The module, or a project module it imports, does not exist yet."""
    missing = exc.name or ""
    return missing == f"benchmarks.{module}" or missing.split(".")[0] in PROJECT_PACKAGES


def _load(module: str) -> tuple[object | None, str]:
    """(the module, "") or (None, why it cannot run)."""
    try:
        return importlib.import_module(f"benchmarks.{module}"), ""
    except ModuleNotFoundError as exc:
        if _not_built(exc, module):
            return None, NOT_BUILT
        traceback.print_exc()
        return None, f"error: {exc}"
    except ImportError as exc:  # a name the feature does not export yet
        if getattr(exc, "name", "") and exc.name.split(".")[0] in PROJECT_PACKAGES:
            return None, NOT_BUILT
        traceback.print_exc()
        return None, f"error: {exc}"
    except Exception as exc:  # noqa: BLE001 - reported as a missed figure
        traceback.print_exc()
        return None, f"error: {type(exc).__name__}: {exc}"


def _items_of(module: object | None, name: str) -> list[str]:
    items = getattr(module, "ITEMS", None)
    if items is not None:
        return [str(i) for i in items]
    return [item for item, _, owner in EXPECTED if owner == name]


def _measure(name: str, runs: int) -> tuple[list[Figure] | None, str]:
    """Run one module's `collect()` in its own process: (figures, "") or (None, why not)."""
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--child", name, "--runs", str(runs)],
                          cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    figures = figures_from_output(done.stdout)
    if figures is None:
        sys.stderr.write(done.stdout)
        return None, f"error: exit {done.returncode}, no figures"
    return figures, ""


def run(modules: list[str], runs: int, *, scripts: bool) -> tuple[list[Figure], list[str]]:
    """Figures from every module that has `collect()`; the names of those without."""
    figures: list[Figure] = []
    standalone: list[str] = []
    for name in modules:
        module, problem = _load(name)  # detects features not built yet, by import
        if module is not None and not hasattr(module, "collect"):
            standalone.append(name)
            continue
        if module is not None:
            print(f"running {name} ...", file=sys.stderr, flush=True)
            started = time.perf_counter()
            got, problem = _measure(name, runs)
            print(f"  {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
            if got is not None:
                figures.extend(got)
                continue
        for item in _items_of(module, name):
            label = next((label for i, label, _ in EXPECTED if i == item), name)
            figures.append(Figure(item, label, status=problem))
    return figures, standalone if scripts else []


def complete(figures: list[Figure]) -> list[Figure]:
    """Add a "not built yet" line for every expected item nothing measured; item order."""
    have = {f.item for f in figures}
    figures = figures + [Figure(item, label, status=NOT_BUILT) for item, label, _ in EXPECTED if item not in have]
    return sorted(figures, key=lambda f: int(f.item) if f.item.isdigit() else 99)


def child(name: str, runs: int) -> int:
    """The runner's side of `_measure`: one module's `collect()`, figures as one JSON line."""
    module = importlib.import_module(f"benchmarks.{name}")
    figures = list(module.collect(runs))
    print(FIGURES_LINE + json.dumps([dataclasses.asdict(f) for f in figures]), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS,
                        help=f"timed runs per figure after one warm-up (default and least {MIN_RUNS})")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="bench modules to run, e.g. bench_save")
    parser.add_argument("--markdown", action="store_true", help="also print the README's table")
    parser.add_argument("--no-scripts", action="store_true", help="skip bench_*.py scripts without collect()")
    parser.add_argument("--child", metavar="NAME", help=argparse.SUPPRESS)  # see _measure()
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.runs)
    if args.runs < MIN_RUNS:
        parser.error(f"--runs must be at least {MIN_RUNS}: the budgets are for medians of {MIN_RUNS} or more")
    available = discover()
    selected = available
    if args.only:
        wanted = [name if name.startswith("bench_") else f"bench_{name}" for name in args.only]
        unknown = [name for name in wanted if name not in available]
        if unknown:
            parser.error(f"no benchmark {', '.join(unknown)}; there are {', '.join(available)}")
        selected = wanted
    started = time.perf_counter()
    figures, scripts = run(selected, args.runs, scripts=not args.no_scripts)
    figures = figures if args.only else complete(figures)
    print()
    print(f"maca benchmarks: medians of at least {args.runs} runs after a warm-up, on {machine()}")
    print(table_text(figures))
    missed = [f for f in figures if f.ok is False]
    print(f"\n{len(missed)} budget(s) missed" if missed else "\nevery measured budget met",
          f"({time.perf_counter() - started:.0f} s)")
    if args.markdown:
        print("\n" + table_markdown(figures))
    for name in scripts:
        print(f"\n--- {name} (a script without collect(): shown, not judged)", flush=True)
        subprocess.run([sys.executable, str(HERE / f"{name}.py")], cwd=ROOT, check=False)
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
