"""Item 5: importing and screening 50,000 candidate rows, against the floor of reading
the same CSV with `csv` and writing its rows as JSON.

The file. 50,000 rows in the layout of DESIGN §6 (all twelve columns), generated
deterministically like the demo extract: mixed yes/no spellings, blanks (unknown
facts), UK and ISO dates, one to three engagement periods, system ids and a note.
About 7 MB.

maca. Each run gets a fresh workspace (the demo partnership and the demo audit, no
cases yet; untimed), then the clock covers what `maca import-cases` and the cohort
section do: read the file's bytes, `storage.cohort.validate_candidates`,
`storage.cohort.import_candidates` (one transaction: every case stored, journaled
once, written atomically) and `audit.screening.screen_cases` of the audit's cases.

Floor. `csv.reader` over the same file into a list of rows, encoded with maca's own
encoder (`orjson.dumps`), written to a temp file in the same folder, fsync,
`os.replace`.  One warm-up, then `runs` of each in turn.  Budget <= 8x (issue 14
item 7: against the orjson floor, no longer the stdlib encoder's).
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import orjson

from audit.screening import screen_cases
from storage.cohort import import_candidates, validate_candidates
from storage.demo import demo_audit, demo_partnership
from storage.lock import os_login
from storage.workspace import Workspace

from benchmarks.common import Figure, alternate, median, standalone, write_floor

ITEMS = ("5",)
ROWS = 50_000
TODAY = date(2021, 3, 19)  # the demo audit's screening day, so results are stable
HEADER = ("case_ref,unborn,older_siblings,domestic_abuse,substance_misuse,maternal_mental_health,"
          "males_in_household,engagement,family_name,child_dob,system_ids,notes")
YES = ("yes", "no", "y", "n", "Yes", "No", "true", "false", "")
SURNAMES = ("Drummersby", "Inchcombe", "Lanternby", "Yarrowdeen", "Elverstrand", "Pellinghast",
            "Hollerbeck", "Dunnockley", "Juniperow", "Glaswithy", "Rookhallow", "Cobblethwaite")
NOTES = ("Nominated by children's services", "Details to confirm with MID", "Booking date needs checking",
         "Ex-partner still visiting", "Self-referred in September", "No agency contact recorded", "")


def _day(rng: random.Random, start: date, span: int, uk: bool) -> str:
    day = start + timedelta(days=rng.randrange(span))
    return day.strftime("%d/%m/%Y") if uk else day.isoformat()


def write_csv(path: Path, agencies: list[str], rows: int = ROWS) -> None:
    rng = random.Random(50_000)
    lines = [HEADER]
    for n in range(1, rows + 1):
        periods = []
        for _ in range(rng.randint(0, 3)):
            uk = rng.random() < 0.3
            start = _day(rng, date(2018, 1, 1), 1000, uk)
            end = _day(rng, date(2020, 10, 1), 400, uk) if rng.random() < 0.6 else ""
            periods.append(f"{rng.choice(agencies)}:{start}..{end}")
        engagement = "; ".join(periods) if periods else rng.choice(("none", ""))
        ids = f"NHS-FAKE-{rng.randrange(10**9):09d}" + (f"; LCS-F-{rng.randrange(10**5):05d}" if rng.random() < 0.5 else "")
        lines.append(",".join((
            f"RB-{n:06d}", rng.choice(YES), str(rng.randint(0, 4)) if rng.random() < 0.9 else "",
            rng.choice(YES), rng.choice(YES), rng.choice(YES),
            str(rng.randint(0, 3)) if rng.random() < 0.9 else "", engagement, rng.choice(SURNAMES),
            _day(rng, date(2012, 1, 1), 3000, rng.random() < 0.5), ids, rng.choice(NOTES),
        )))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _fresh_workspace(folder: Path, n: int) -> Workspace:
    partnership, users = demo_partnership()
    ws = Workspace.create(folder / f"import-{n}", os_login(), partnership, users=users)
    with ws.transaction() as tx:
        tx.insert(demo_audit(partnership.agency_codes()), summary="created the audit")
    return ws


def _floor(csv_path: Path, folder: Path) -> float:
    start = time.perf_counter()
    with open(csv_path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    payload = orjson.dumps(rows)
    write_floor(payload, folder)
    return time.perf_counter() - start


def collect(runs: int) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="maca-bench-import-") as tmp:
        folder = Path(tmp)
        csv_path = folder / "candidates.csv"
        write_csv(csv_path, demo_partnership()[0].agency_codes())
        made = 0

        def maca() -> float:
            nonlocal made
            made += 1
            ws = _fresh_workspace(folder, made)
            ref = ws.audits()[0].ref
            start = time.perf_counter()
            data = csv_path.read_bytes()
            audit = ws.audit(ref)
            result = validate_candidates(ws, audit, data)
            if not result.ok:
                raise RuntimeError("the generated file does not import: " + "; ".join(map(str, result.problems[:3])))
            import_candidates(ws, audit, result.cases, source=csv_path.name)
            screened = screen_cases(audit, ws.cases(ref), TODAY)
            elapsed = time.perf_counter() - start
            if len(screened) != ROWS:
                raise RuntimeError(f"{len(screened)} cases screened, not {ROWS}")
            shutil.rmtree(ws.path)  # keep the temp folder small
            return elapsed

        times = alternate({"maca": maca, "floor": lambda: _floor(csv_path, folder)}, runs)
        size = csv_path.stat().st_size
    return [
        Figure("5", f"import + screen {ROWS:,} candidates ({size / 1e6:.1f} MB CSV) vs csv + orjson write",
               median(times["maca"]) * 1000, median(times["floor"]) * 1000, "ms", max_ratio=8.0, runs=runs),
    ]


if __name__ == "__main__":
    standalone(collect, __doc__.splitlines()[0])
