"""Items 1, 7 and 10: start to first frame and peak memory, `maca demo` and `maca --db`
on the ten-year workspace, against a bare Textual app (header, 20-row DataTable,
footer: `benchmarks/bare_app.py`).

The ten-year workspace is a copy of `benchmarks.ten_years`' cached folder (100 audits,
465 MB as the old single file); its first frame is home's table with its first audit
(`MACA-2015-01`).  Budgets (issue 14 item 7): <= 1.5x the bare app's start, <= 2x its
peak memory.

Method. Both programs run in the same private tmux pane (120x40), started the way a
user starts them: `maca demo` through the virtualenv's console script, the bare app as
a script of the same interpreter.  The clock starts just before tmux is asked to start
the program and stops when the first row of the table is on the screen (`MACA-C86`,
`BARE-0001`), polled every millisecond with `capture-pane`.  The demo workspace is
built before any timing in a fresh XDG_DATA_HOME, so only opening it is timed.  Both
programs get a fresh PYTHONPYCACHEPREFIX that the warm-up fills, so neither pays for
compiling its modules (as after an install) even where .pyc writing is switched off.

Peak memory is the process's VmHWM, read once the first frame is up and the app has
had a second to settle (idle timers, deferred work), just before ctrl+q.

One warm-up start of each (the OS file cache, .pyc files), then the medians of `runs`
starts, maca and bare in turn.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Figure, Tmux, alternate, have_tmux, maca_command, median, peak_rss_mb, standalone

ITEMS = ("1", "7", "10")
MACA_MARKER = "MACA-C86"  # the demo audit's row in the home screen's table
TEN_MARKER = "MACA-2015-01"  # the ten-year workspace's first audit in the home screen's table
BARE_MARKER = "BARE-0001"
SETTLE = 1.0  # seconds after the first frame before peak memory is read


def _prepare_demo(data_home: Path) -> None:
    """Build the demo workspace where `maca demo` will look for it, untimed."""
    from storage.demo import build_demo
    from storage.lock import os_login

    path = data_home / "maca" / "demo.json"  # platformdirs.user_data_path("maca") under XDG_DATA_HOME
    path.parent.mkdir(parents=True)
    build_demo(path, os_login())


def collect(runs: int) -> list[Figure]:
    if not have_tmux():
        return [Figure("1", "maca demo start to first frame", status="error: tmux is not installed"),
                Figure("7", "maca demo peak memory", status="error: tmux is not installed")]
    bare = [sys.executable, str(Path(__file__).with_name("bare_app.py"))]
    with tempfile.TemporaryDirectory(prefix="maca-bench-start-") as tmp:
        home = Path(tmp)
        _prepare_demo(home / "data")
        env = {"XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
               "XDG_CACHE_HOME": str(home / "cache"),
               # Compiled bytecode for both programs, written by the warm-up, whatever the
               # caller's PYTHONDONTWRITEBYTECODE: a user's install has its .pyc files.
               "PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": str(home / "pycache")}
        from benchmarks.ten_years import FULL, cached_folder, copy_of

        ten_years = copy_of(cached_folder(FULL), home / "ten-years")
        memory: dict[str, list[float]] = {"maca": [], "bare": [], "ten": []}
        with Tmux(120, 40) as tmux:

            def launch(name: str, argv: list[str], marker: str) -> float:
                if marker in tmux.screen():
                    raise RuntimeError(f"{marker!r} is on the screen before the program started")
                started = tmux.start(argv, env=env, cwd=tmp)
                seen = tmux.wait_for(marker, timeout=120)
                pid = tmux.pane_pid()
                time.sleep(SETTLE)
                memory[name].append(peak_rss_mb(pid))
                tmux.send_keys("C-q")
                if not tmux.wait_dead(10):
                    raise RuntimeError(f"{name} did not quit on ctrl+q")
                return seen - started

            times = alternate(
                {"maca": lambda: launch("maca", [*maca_command(), "demo"], MACA_MARKER),
                 "bare": lambda: launch("bare", bare, BARE_MARKER),
                 "ten": lambda: launch("ten", [*maca_command(), "--db", str(ten_years)], TEN_MARKER)},
                runs,
            )
    warm = len(memory["maca"]) - runs  # the warm-up's memory is a measurement too, but not kept
    return [
        Figure("1", "maca demo start to first frame (tmux)", median(times["maca"]) * 1000,
               median(times["bare"]) * 1000, "ms", max_ratio=1.5, runs=runs),
        Figure("7", "maca demo peak memory (VmHWM)", median(memory["maca"][warm:]),
               median(memory["bare"][warm:]), "MB", max_ratio=1.5, runs=runs),
        Figure("10", "start to first frame, ten-year workspace (tmux) vs bare app", median(times["ten"]) * 1000,
               median(times["bare"]) * 1000, "ms", max_ratio=1.5, runs=runs),
        Figure("10", "peak memory (VmHWM), ten-year workspace vs bare app", median(memory["ten"][warm:]),
               median(memory["bare"][warm:]), "MB", max_ratio=2.0, runs=runs),
    ]


if __name__ == "__main__":
    standalone(collect, __doc__.splitlines()[0])
