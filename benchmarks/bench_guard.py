"""Issue 16 item 6: the identifier guard over the largest report of a ten-year workspace.

Run: `.venv/bin/python -m benchmarks.bench_guard [--runs N]`, or `python -m benchmarks`
(which calls `collect()`).

The data.  The ten-year workspace of item 4 (`benchmarks.ten_years`, cached: 100
audits, 30,000 candidate cases, 16,000 returns), each case given a family name
(a quarter of them ordinary words such as Green or Hall, the costly kind: every
capitalised word is looked up), a date of birth and two system ids.  The report of
every audit is built once; the largest (by the people's text it quotes) is the one
measured.

maca.  What an export pays: the check of every piece of people's text the report quotes
against every case of the workspace (any audit's family must not leak), from nothing
cached (`audit.guard.check_pieces(report.quoted, cases)`, as `storage.guard.guard_report`
calls it when the session keeps no matcher for these cases: a matcher over only the cases
whose identifiers may be in the text, the same answer as one over every case).
Budget: <= 100 ms.  Building the matcher over every case, as the guard did before
(`Matcher(cases)`, kept by a session that masks a viewer's screens), is printed for scale.

Baseline, for scale only.  The naive guard whose cost is the product of text and
identifiers: every identifier looked for in the lower-cased text of every piece with
`in`.  The figure shows what indexing saves; it has no budget.
"""

from __future__ import annotations

import gc
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

if not __package__:  # run as a file: find the project
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audit.cases import CandidateCase, identifier_strings  # noqa: E402
from audit.guard import Matcher, check_pieces, common_words  # noqa: E402
from audit.report import Report  # noqa: E402
from benchmarks.common import Figure, alternate, median, standalone  # noqa: E402
from benchmarks.ten_years import FULL, cached_folder, copy_of  # noqa: E402
from storage.export import report_for  # noqa: E402
from storage.lock import os_login  # noqa: E402
from storage.workspace import Workspace  # noqa: E402

ITEMS = ("8",)  # the runner's item for issue 16 item 6
TODAY = date(2025, 3, 1)
BUDGET_MS = 100.0
COMMON = ("Green", "Hall", "Young", "Good", "White", "Wood", "Hill", "Moss", "Bird", "Fox", "Best", "Case")


def _made_up(n: int) -> str:
    """A distinct made-up family name per case: Zqab, Zqac, ..."""
    out = ""
    while True:
        n, r = divmod(n, 26)
        out += chr(97 + r)
        if n == 0:
            return "Zq" + out + "ington"


def _identified(cases: list[CandidateCase]) -> list[CandidateCase]:
    """Every case with a family name, a date of birth and two system ids of its own."""
    rng = random.Random(16)
    out = []
    for n, case in enumerate(cases):
        name = COMMON[n % len(COMMON)] if n % 4 == 0 else _made_up(n)
        dob = date(2005 + n % 19, 1 + n % 12, 1 + n % 28)
        ids = f"NHS {rng.randrange(10**9, 10**10)}; LCS-{n:06d}"
        out.append(CandidateCase(audit=case.audit, case_ref=case.case_ref, family_name=name, child_dob=dob,
                                 system_ids=ids, in_cohort=case.in_cohort))
    return out


def _naive(report: Report, cases: list[CandidateCase]) -> int:
    needles = [s.casefold() for c in cases for s in identifier_strings(c)]
    found = 0
    for piece in report.quoted:
        text = piece.text.casefold()
        found += sum(1 for needle in needles if needle in text)
    return found


def collect(runs: int) -> list[Figure]:
    common_words()  # the word list is read once per process, as in the app
    with tempfile.TemporaryDirectory(prefix="maca-bench-guard-") as tmp:
        path = copy_of(cached_folder(FULL), Path(tmp) / "ten-years")
        ws = Workspace.open(path, os_login())
        reports = [report_for(ws, audit.ref, TODAY) for audit in ws.audits()]
        cases = _identified([case for audit in ws.audits() for case in ws.cases(audit.ref)])
    largest = max(reports, key=lambda r: sum(len(p.text) for p in r.quoted))
    text = sum(len(p.text) for p in largest.quoted)

    def maca() -> float:
        gc.collect()  # each run from a collected heap: the naive side leaves garbage behind
        start = time.perf_counter()
        leaks = check_pieces(largest.quoted, cases)
        elapsed = time.perf_counter() - start
        assert all(not leak.certain for leak in leaks), "the benchmark's report holds no identifier"
        return elapsed

    def whole_index() -> float:
        gc.collect()
        start = time.perf_counter()
        Matcher(cases).check(largest.quoted)
        return time.perf_counter() - start

    def naive() -> float:
        start = time.perf_counter()
        _naive(largest, cases)
        return time.perf_counter() - start

    times = alternate({"maca": maca, "naive": naive, "whole": whole_index}, runs)
    print(f"  (a matcher over every case, built and checked: {median(times['whole']) * 1000:.0f} ms)",
          file=sys.stderr)
    return [
        Figure("8", f"guard the largest report ({len(largest.quoted)} pieces, {text:,} chars) "
               f"against {len(cases):,} cases", median(times["maca"]) * 1000, median(times["naive"]) * 1000,
               "ms", max_value=BUDGET_MS, runs=runs),
    ]


if __name__ == "__main__":
    standalone(collect, __doc__.splitlines()[0])
