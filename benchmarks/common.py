"""What every benchmark shares: figures and budgets, medians, tmux, peak memory, the table.

A `Figure` is one line of the table: maca's median, the baseline's median from the same
run, and the budget from the issue (a ratio to the baseline, a limit in the figure's own
unit, or both).  `alternate()` runs the two sides in turn after a warm-up, so that a
machine getting busier or cooler mid-run shifts both and not just one.

`Tmux` drives a private tmux server (own socket, no user config) through one
control-mode client: a `capture-pane` round trip then costs tens of microseconds
instead of a process start, so the screen can be polled every millisecond to time the
moment a text appears without the poller stealing the CPU from the app being timed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RUNS = 5
MIN_RUNS = 5  # the issue asks for medians of at least 5 runs


# --------------------------------------------------------------------------- figures


@dataclass
class Figure:
    """One line of the table.  `maca` and `baseline` are medians in `unit`."""

    item: str  # the item number ("1".."7")
    name: str
    maca: float | None = None
    baseline: float | None = None
    unit: str = "ms"
    max_ratio: float | None = None  # maca / baseline must not exceed this
    max_value: float | None = None  # maca must not exceed this, in `unit`
    runs: int = 0
    status: str = ""  # "" when measured; else why there is no figure

    @property
    def ratio(self) -> float | None:
        if self.maca is None or not self.baseline:
            return None
        return self.maca / self.baseline

    @property
    def ok(self) -> bool | None:
        """True/False against the budget; None when there is nothing to judge yet."""
        if self.status == NOT_BUILT:
            return None
        if self.status or self.maca is None:
            return False  # an error is a miss: the figure could not be measured
        if self.max_ratio is not None and (self.ratio is None or self.ratio > self.max_ratio):
            return False
        return not (self.max_value is not None and self.maca > self.max_value)

    def budget(self) -> str:
        parts = []
        if self.max_ratio is not None:
            parts.append(f"<= {self.max_ratio:g}x")
        if self.max_value is not None:
            parts.append(f"<= {self.max_value:g} {self.unit}")
        return ", ".join(parts) or "-"


NOT_BUILT = "not built yet"


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 1000 else f"{value / 1000:.2f} s"
    return f"{value:.1f} {unit}"


def table_text(figures: Sequence[Figure]) -> str:
    """The plain-text table: figure | maca | baseline | ratio | budget | ok."""
    head = ("#", "figure", "maca", "baseline", "ratio", "budget", "ok")
    rows = [head]
    for f in figures:
        ok = {True: "ok", False: "MISS", None: "-"}[f.ok]
        if f.status:
            maca = f.status if len(f.status) < 40 else f.status[:37] + "..."
            rows.append((f.item, f.name, maca, "", "", f.budget(), ok))
            continue
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else "-"
        rows.append((f.item, f.name, fmt(f.maca, f.unit), fmt(f.baseline, f.unit), ratio, f.budget(), ok))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    right = {2, 3, 4}
    lines = []
    for n, r in enumerate(rows):
        cells = [c.rjust(w) if i in right and n else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))]
        lines.append(" | ".join(cells).rstrip())
        if n == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def table_markdown(figures: Sequence[Figure]) -> str:
    """The README's table of the latest figures, with the machine they came from."""
    runs = sorted({f.runs for f in figures if f.runs})
    counted = f"{runs[0]}" if len(runs) == 1 else f"{runs[0]} to {runs[-1]}" if runs else "no"
    lines = [
        f"Measured on {machine()}, {time.strftime('%Y-%m-%d')}; medians of {counted} runs after a warm-up.",
        "",
        "| # | figure | maca | baseline | ratio | budget | ok |",
        "|---|---|--:|--:|--:|---|---|",
    ]
    for f in figures:
        ok = {True: "ok", False: "**miss**", None: "-"}[f.ok]
        if f.status:
            lines.append(f"| {f.item} | {f.name} | {f.status} | | | {f.budget()} | {ok} |")
        else:
            ratio = f"{f.ratio:.2f}x" if f.ratio is not None else "-"
            lines.append(
                f"| {f.item} | {f.name} | {fmt(f.maca, f.unit)} | {fmt(f.baseline, f.unit)} "
                f"| {ratio} | {f.budget()} | {ok} |"
            )
    return "\n".join(lines)


def machine() -> str:
    """CPU, cores, OS, Python and Textual versions: enough to compare figures across runs."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        from importlib.metadata import version

        textual = f", Textual {version('textual')}"
    except Exception:  # noqa: BLE001 - only a label
        textual = ""
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}{textual}")


# --------------------------------------------------------------------------- timing


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def alternate(
    sides: dict[str, Callable[[], float]], runs: int, *, warmup: int = 1
) -> dict[str, list[float]]:
    """Call each side `warmup` times (discarded), then `runs` times, in turn.

    Each callable returns one measurement (seconds, bytes, ...), so a side can time just
    its own part and leave its setup out.  Every other round runs the sides in reverse
    order, so that neither always follows the other (page cache, heap, CPU clocks).
    """
    for _ in range(warmup):
        for measure in sides.values():
            measure()
    results: dict[str, list[float]] = {name: [] for name in sides}
    for n in range(runs):
        order = list(sides.items())
        for name, measure in order if n % 2 == 0 else reversed(order):
            results[name].append(measure())
    return results


def stopwatch(work: Callable[[], object]) -> float:
    """Seconds taken by `work()`."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


# --------------------------------------------------------------------------- memory


def peak_rss_mb(pid: int) -> float:
    """The peak resident set size of a running process so far (VmHWM), in MiB."""
    text = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"^VmHWM:\s+(\d+)\s+kB", text, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no VmHWM for process {pid}")
    return int(found.group(1)) / 1024


# --------------------------------------------------------------------------- tmux


class TmuxError(RuntimeError):
    pass


class Tmux:
    """A private tmux server with one pane, driven through a control-mode client.

    The pane keeps its place when its program exits (`remain-on-exit`), so programs can
    be started one after another with `start()`; each start gets a fresh screen.
    """

    SESSION = "bench"

    def __init__(self, width: int = 120, height: int = 40) -> None:
        self.width, self.height = width, height
        self.socket = f"maca-bench-{os.getpid()}-{time.monotonic_ns()}"
        self._client: subprocess.Popen[bytes] | None = None
        self._owner = True  # the client that started the server kills it on close

    def _tmux(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                              capture_output=True, check=False)

    def __enter__(self) -> Tmux:
        started = self._tmux("new-session", "-d", "-s", self.SESSION, "-x", str(self.width),
                             "-y", str(self.height), "exec sleep 100000")
        if started.returncode:
            raise TmuxError(f"tmux did not start: {started.stderr.decode(errors='replace').strip()}")
        self._client = subprocess.Popen(
            ["tmux", "-L", self.socket, "-C", "attach", "-f", "no-output,ignore-size", "-t", self.SESSION],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self._read_block()  # the attach itself answers with an empty block
        for option in (("remain-on-exit", "on"), ("default-terminal", "tmux-256color"),
                       ("status", "off"), ("history-limit", "0")):
            self.command("set-option", "-g", *option)
        self.command("resize-window", "-t", self.SESSION, "-x", str(self.width), "-y", str(self.height))
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            with _suppress():
                self._client.stdin.close()  # type: ignore[union-attr]
            with _suppress():
                self._client.wait(timeout=5)
            self._client = None
        if self._owner:
            self._tmux("kill-server")

    def _read_block(self) -> list[str]:
        assert self._client is not None and self._client.stdout is not None
        out: list[str] = []
        number = None
        while True:
            raw = self._client.stdout.readline()
            if not raw:
                raise TmuxError("the tmux control client went away")
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            if number is None:
                if line.startswith("%begin "):
                    number = line.split()[2]
                continue  # notifications between blocks
            if line.startswith(("%end ", "%error ")) and line.split()[2:3] == [number]:
                if line.startswith("%error"):
                    raise TmuxError("; ".join(out) or "tmux command failed")
                return out
            out.append(line)

    def command(self, *args: str) -> list[str]:
        """Run one tmux command; its output lines."""
        assert self._client is not None and self._client.stdin is not None
        self._client.stdin.write((shlex.join(args) + "\n").encode())
        self._client.stdin.flush()
        return self._read_block()

    def start(self, argv: Sequence[str], *, env: dict[str, str] | None = None, cwd: str | None = None) -> float:
        """Start `argv` in the pane (replacing whatever ran there); the perf_counter()
        just before tmux was asked to start it."""
        words = ["exec", "env", *(f"{k}={v}" for k, v in (env or {}).items()), *argv]
        args = ["respawn-pane", "-k", "-t", self.SESSION]
        if cwd:
            args += ["-c", cwd]
        self.command("clear-history", "-t", self.SESSION)
        started = time.perf_counter()
        self.command(*args, shlex.join(words))
        return started

    def screen(self, target: str | None = None) -> str:
        return "\n".join(self.command("capture-pane", "-p", "-t", target or self.SESSION))

    # Several programs at once (benchmarks.bench_sessions): one window each, named.

    def window(self, name: str, argv: Sequence[str], *, env: dict[str, str] | None = None,
               cwd: str | None = None) -> str:
        """Start `argv` in a new window `name` of the pane's size; its target."""
        words = ["exec", "env", *(f"{k}={v}" for k, v in (env or {}).items()), *argv]
        args = ["new-window", "-d", "-t", f"{self.SESSION}:", "-n", name]
        if cwd:
            args += ["-c", cwd]
        self.command(*args, shlex.join(words))
        target = f"{self.SESSION}:{name}"
        self.command("resize-window", "-t", target, "-x", str(self.width), "-y", str(self.height))
        return target

    def keys_to(self, target: str, *keys: str) -> float:
        """Type `keys` into window `target`; the perf_counter() just before."""
        started = time.perf_counter()
        self.command("send-keys", "-t", target, *keys)
        return started

    def pid_of(self, target: str) -> int:
        return int(self.command("display-message", "-p", "-t", target, "#{pane_pid}")[0])

    def another_client(self) -> Tmux:
        """A second control-mode client of the same server (one per thread: a client
        answers its commands in order)."""
        other = Tmux(self.width, self.height)
        other.socket = self.socket
        other._client = subprocess.Popen(
            ["tmux", "-L", self.socket, "-C", "attach", "-f", "no-output,ignore-size", "-t", self.SESSION],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        other._read_block()
        other._owner = False
        return other

    def wait_for(self, text: str, *, timeout: float = 30.0, poll: float = 0.001) -> float:
        """Poll the screen until `text` is on it; the perf_counter() when it was seen."""
        deadline = time.perf_counter() + timeout
        while True:
            if text in self.screen():
                return time.perf_counter()
            if self.dead():
                raise TmuxError(f"the program exited before showing {text!r}:\n{self.screen()}")
            if time.perf_counter() > deadline:
                raise TmuxError(f"{text!r} did not appear within {timeout:g} s:\n{self.screen()}")
            time.sleep(poll)

    def wait_until(self, done: Callable[[str], bool], *, timeout: float = 10.0, poll: float = 0.001) -> float:
        """Poll the screen until `done(screen)`; the perf_counter() when it was."""
        deadline = time.perf_counter() + timeout
        while True:
            if done(self.screen()):
                return time.perf_counter()
            if time.perf_counter() > deadline:
                raise TmuxError(f"the screen did not change as expected within {timeout:g} s:\n{self.screen()}")
            time.sleep(poll)

    def send_keys(self, *keys: str) -> float:
        """Type `keys` (tmux key names); the perf_counter() just before they were sent."""
        started = time.perf_counter()
        self.command("send-keys", "-t", self.SESSION, *keys)
        return started

    def pane_pid(self) -> int:
        return int(self.command("display-message", "-p", "-t", self.SESSION, "#{pane_pid}")[0])

    def dead(self) -> bool:
        return self.command("display-message", "-p", "-t", self.SESSION, "#{pane_dead}")[0] == "1"

    def wait_dead(self, timeout: float = 10.0) -> bool:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.dead():
                return True
            time.sleep(0.01)
        return False


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> bool:
        return kind is not None and issubclass(kind, Exception)


def have_tmux() -> bool:
    try:
        return subprocess.run(["tmux", "-V"], capture_output=True).returncode == 0
    except OSError:
        return False


def maca_command() -> list[str]:
    """How a user starts maca from this virtualenv: its `maca` console script."""
    script = Path(sys.executable).with_name("maca")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui.cli"]


# --------------------------------------------------------------------------- standalone


FIGURES_LINE = "maca-bench-figures: "  # how a module run by the runner hands its figures back


def standalone(collect: Callable[[int], list[Figure]], description: str) -> None:
    """`python -m benchmarks.bench_x [--runs N] [--json]`: one module's figures, as the
    table (or as one JSON line, as `python -m benchmarks --child` prints them)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS,
                        help=f"timed runs after the warm-up (default {DEFAULT_RUNS})")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args()
    figures = collect(max(1, args.runs))
    if args.json:
        print(FIGURES_LINE + json.dumps([dataclasses.asdict(f) for f in figures]), flush=True)
        raise SystemExit(0)
    print(table_text(figures))
    raise SystemExit(0 if all(f.ok is not False for f in figures) else 1)


def figures_from_output(output: str) -> list[Figure] | None:
    """The figures a `--json` run printed, or None if it printed none."""
    for line in reversed(output.splitlines()):
        if line.startswith(FIGURES_LINE):
            return [Figure(**f) for f in json.loads(line[len(FIGURES_LINE):])]
    return None


def write_floor(payload: bytes, folder: Path) -> None:
    """write + fsync + rename of `payload`: the least an atomic save costs (baselines)."""
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".floor.", suffix=".tmp")
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, folder / "floor.json")
